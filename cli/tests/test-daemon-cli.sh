#!/bin/sh
# daxpinctl policy/metrics/status against a fake daxpind (python3) serving
# recorded control-socket replies: output, exit codes, error lines, the
# requests sent, --persist, and schema validation of the --json documents.
# Skips (77) without python3 + jsonschema.
srcdir=${srcdir:-.}
DAXPINCTL=${DAXPINCTL:-./cli/daxpinctl}
python3 -c 'import jsonschema' 2>/dev/null || { echo "SKIP: python3 jsonschema missing"; exit 77; }
tmp=$(mktemp -d) || exit 99
fake=
trap '[ -n "$fake" ] && kill "$fake" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
export DAXPIN_CONTROL="$tmp/control" DAXPIN_DROPIN_DIR="$tmp/etc"
mkdir "$tmp/replies"

expect() {
	want=$1; shift
	"$DAXPINCTL" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" = "$want" ] || { echo "FAIL: daxpinctl $* exited $rc, want $want"; cat "$tmp/err"; fail=1; }
}
grep_in() {
	grep -q -- "$2" "$tmp/$1" || { echo "FAIL: $1 lacks '$2':"; cat "$tmp/$1"; fail=1; }
}
validate() {	# schema file
	python3 - "$srcdir/docs/schema/$1.json" "$tmp/out" <<'PY' || fail=1
import json, sys, jsonschema
s = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2]))
errs = list(jsonschema.Draft202012Validator(s).iter_errors(d))
for e in errs[:3]:
    print("FAIL: %s: %s at %s" % (sys.argv[1], e.message, list(e.path)))
sys.exit(bool(errs))
PY
}

# ---- no daemon ----
expect 7 policy
grep_in err "daxpind is not running"
grep_in err "systemctl start daxpind"
expect 7 metrics
expect 7 policy set WarnAfterSec=2
expect 0 status --json
validate status
grep_in out '"reachable": false'
expect 0 status
grep_in out "daemon: not reachable"

# ---- usage ----
expect 0 policy --help
expect 0 metrics --help
expect 2 policy frob
expect 2 policy set
expect 2 policy set WarnAfterSec
expect 2 policy set =2
expect 2 policy set A=1 B=2
expect 2 policy show extra
expect 2 policy set A=1 --mount=/m --device=pmem0
expect 2 metrics extra

# ---- fake daxpind ----
cat >"$tmp/replies/policy" <<'R'
{"policy":{"WarnAfterSec":{"value":"5","source":"default"},"NonTransientAfterSec":{"value":"30","source":"default"},"StalledWake":{"value":"yes","source":"default"},"StalledAfterSec":{"value":"1","source":"default"},"Action":{"value":"none","source":"default"},"ActionAfterSec":{"value":"60","source":"RT:3"},"DryRun":{"value":"no","source":"default"}},"sections":[{"section":"Mount /mnt/dax","settings":{"WarnAfterSec":{"value":"1","source":"RT:6"}}}],"daemon":{"MetricsPath":{"value":"/run/daxpin/daxpind.prom","source":"default"}},"files":["/etc/daxpin/daxpind.conf"],"runtime_dropin":"RT","ok":true}
R
cp "$tmp/replies/policy" "$tmp/replies/set"
echo '{"ok":true}' >"$tmp/replies/reload"
cat >"$tmp/replies/status" <<'R'
{"version":"0.9","pid":1,"module_loaded":true,"synced":true,"waits_in_flight":0,"waits_stalled":0,"dry_run":false,"status":"idle","counters":{},"ok":true}
R
printf '%s\n' '{"text":"# TYPE daxpin_waits_in_flight gauge\ndaxpin_waits_in_flight 0\n","ok":true}' >"$tmp/replies/metrics"

python3 - "$tmp/control" "$tmp/replies" "$tmp/requests" <<'PY' &
import json, os, socket, sys
path, replies, log = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path); s.listen(8)
while True:
    c, _ = s.accept()
    f = c.makefile("rwb")
    for line in f:
        req = json.loads(line)
        with open(log, "a") as l:
            l.write(json.dumps(req, sort_keys=True) + "\n")
        p = os.path.join(replies, req["cmd"])
        data = open(p, "rb").read() if os.path.exists(p) else b'{"ok":false,"error":"unknown command","errno":95}\n'
        f.write(data); f.flush()
    c.close()
PY
fake=$!
i=0
while [ ! -S "$tmp/control" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

expect 0 policy
grep_in out "^\[Policy\]"
grep_in out "WarnAfterSec *5 *default"
grep_in out "^\[Mount /mnt/dax\]"
expect 0 policy show --json
validate policy
expect 0 metrics
grep_in out "^daxpin_waits_in_flight 0$"
expect 0 metrics --json
validate metrics
grep_in out '"samples": 1'
expect 0 status --json
validate status
grep_in out '"reachable": true'
grep_in out '"policy_sections": 1'
expect 0 status
grep_in out "daemon: daxpind 0.9, pid 1, up "
grep_in out "policy: WarnAfterSec=5 "

# The daemon's uptime comes from its own start time (field 22 of
# /proc/PID/stat): the fake daxpind started after this script, so it cannot
# have been up longer than the script (field 21, always 0, gave the
# machine's uptime).
sed "s/\"pid\":1,/\"pid\":$fake,/" "$tmp/replies/status" >"$tmp/status.fake" &&
	mv "$tmp/status.fake" "$tmp/replies/status"
expect 0 status --json
daemon_up=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["daemon"]["uptime_ns"] // 10**9)' "$tmp/out")
script_up=$(awk -v hz="$(getconf CLK_TCK)" -v start="$(cut -d' ' -f22 /proc/$$/stat)" \
	'{ printf "%d", $1 - start / hz }' /proc/uptime)
[ "$daemon_up" -le $((script_up + 1)) ] ||
	{ echo "FAIL: daxpind up ${daemon_up}s, but it started after this script (up ${script_up}s)"; fail=1; }

# ... and to the nanosecond from CLOCK_BOOTTIME, the clock that start time
# counts in (/proc/uptime's 10 ms steps made every figure a multiple of
# 10 ms): between the two clock readings around the call, less the start.
boot_ns() { python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_BOOTTIME))'; }
before=$(boot_ns)
expect 0 status --json
after=$(boot_ns)
python3 - "$tmp/out" "$fake" "$before" "$after" <<'PY' || fail=1
import json, os, sys
up = json.load(open(sys.argv[1]))["daemon"]["uptime_ns"]
hz = os.sysconf("SC_CLK_TCK")
ticks = int(open(f"/proc/{sys.argv[2]}/stat").read().rsplit(")", 1)[1].split()[19])
start = ticks // hz * 10**9 + ticks % hz * 10**9 // hz
lo, hi = int(sys.argv[3]) - start, int(sys.argv[4]) - start
if not lo <= up <= hi or up % 10**7 == 0:
    sys.exit(f"FAIL: uptime_ns {up} not within [{lo}, {hi}] or a multiple of 10 ms")
PY

: >"$tmp/requests"
expect 0 policy set WarnAfterSec=2
grep_in out "WarnAfterSec=2 applied (runtime"
grep_in requests '{"cmd": "set", "key": "WarnAfterSec", "section": "Policy", "value": "2"}'
expect 0 policy set ActionAfterSec=10 --mount=/mnt/dax --json
validate policy
grep_in requests '"section": "Mount /mnt/dax"'
[ -e "$tmp/etc" ] && { echo "FAIL: runtime set wrote a drop-in"; fail=1; }

# --persist: INI drop-in, a key replaced in place, sections kept apart
expect 0 policy set WarnAfterSec=2 --persist
expect 0 policy set DryRun=yes --persist
expect 0 policy set WarnAfterSec=3 --persist
expect 0 policy set WarnAfterSec=7 --mount=/mnt/dax --persist
f="$tmp/etc/90-daxpinctl.conf"
[ "$(grep -c WarnAfterSec "$f")" = 2 ] || { echo "FAIL: persist duplicated a key"; cat "$f"; fail=1; }
sed -n '/^\[Policy\]/,/^\[/p' "$f" | grep -q '^WarnAfterSec=3$' || { echo "FAIL: persist [Policy]"; cat "$f"; fail=1; }
sed -n '/^\[Mount \/mnt\/dax\]/,$p' "$f" | grep -q '^WarnAfterSec=7$' || { echo "FAIL: persist [Mount]"; cat "$f"; fail=1; }
expect 0 policy reset WarnAfterSec --persist
sed -n '/^\[Policy\]/,/^\[/p' "$f" | grep -q '^WarnAfterSec' && { echo "FAIL: reset --persist kept the key"; cat "$f"; fail=1; }
grep_in requests '{"cmd": "reload"}'

# --persist copies other lines byte for byte, one starting with NUL too
printf '[Policy]\n\000junk\nDryRun=no\n' >"$f"
expect 0 policy set WarnAfterSec=4 --persist
printf '[Policy]\n\000junk\nDryRun=no\nWarnAfterSec=4\n' >"$tmp/want"
cmp -s "$f" "$tmp/want" || { echo "FAIL: persist mangled a NUL line:"; od -c "$f"; fail=1; }

# hostile names in a reply (a section from a drop-in, a path): the table is
# escaped like ls -b, the --json document is valid UTF-8
cp "$tmp/replies/policy" "$tmp/replies/policy.good"
printf '%s\n' '{"policy":{"ExecHook":{"value":"/h\n[Policy]\u001b[31m","source":"default"}},"sections":[{"section":"Mount /m\u001b]0;t\u0007\377","settings":{"WarnAfterSec":{"value":"1","source":"RT:6"}}}],"daemon":{},"files":["/etc/a\nb\376"],"runtime_dropin":"RT","ok":true}' |
	sed 's/\\377/\xff/; s/\\376/\xfe/' >"$tmp/replies/policy"
grep -q "$(printf '\377')" "$tmp/replies/policy" || { echo "FAIL: no raw byte in the reply"; fail=1; }
expect 0 policy
[ "$(wc -l <"$tmp/out")" = 9 ] || { echo "FAIL: hostile policy table is not 9 lines:"; cat -A "$tmp/out"; fail=1; }
grep -q "$(printf '[\001-\011\013-\037\177]')" "$tmp/out" && { echo "FAIL: control bytes in the table:"; cat -A "$tmp/out"; fail=1; }
grep_in out '^\[Mount /m\\033\]0;t\\a\\377\]$'
grep_in out '^  /etc/a\\nb\\376$'
expect 0 policy --json
python3 -c 'import sys, json; json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"))' "$tmp/out" ||
	{ echo "FAIL: policy --json is not strict UTF-8 JSON"; fail=1; }
validate policy
mv "$tmp/replies/policy.good" "$tmp/replies/policy"

# reset: only runtime-sourced keys are cleared
: >"$tmp/requests"
expect 0 policy reset
grep_in out "2 runtime settings cleared"
grep_in requests '{"cmd": "set", "key": "ActionAfterSec", "section": "Policy", "value": null}'
grep_in requests '{"cmd": "set", "key": "WarnAfterSec", "section": "Mount /mnt/dax", "value": null}'
: >"$tmp/requests"
expect 0 policy reset --mount=/mnt/dax
grep_in out "1 runtime setting cleared"

# daemon errors: refused, rejected value, malformed and empty replies
echo '{"ok":false,"error":"permission denied: \"set\" needs root","errno":13}' >"$tmp/replies/set"
expect 4 policy set WarnAfterSec=2
grep_in err "run as root or join group daxpin"
echo '{"ok":false,"error":"bad value \"x\" for WarnAfterSec: not a time","errno":22}' >"$tmp/replies/set"
expect 1 policy set WarnAfterSec=x
grep_in err 'bad value "x" for WarnAfterSec'
echo '{"ok":true,"policy":' >"$tmp/replies/policy"
expect 1 policy
grep_in err "bad reply from daxpind"
echo '{"ok":true}' >"$tmp/replies/policy"
expect 1 policy --json
grep_in err "policy reply lacks"
[ -s "$tmp/out" ] && { echo "FAIL: stdout after an error"; fail=1; }
expect 0 status --json
validate status
grep_in out '"reachable": true'
printf '\n' >"$tmp/replies/metrics"
expect 1 metrics
grep_in err "empty reply"
echo '{"ok":true,"text":42}' >"$tmp/replies/metrics"
expect 1 metrics
echo '[]' >"$tmp/replies/status"
expect 0 status --json
validate status
grep_in out '"reachable": false'

exit $fail
