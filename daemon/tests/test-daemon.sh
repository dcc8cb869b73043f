#!/bin/bash
# daxpind as a process, without daxpin.ko: readiness protocol, config check,
# control-socket credentials, reload semantics, idleness and memory.
# (The module-backed scenarios are tests/vm/scenarios/daemon-*.sh.)
set -u
srcdir=${srcdir:-.}
T=$srcdir/daemon/tests
DAXPIND=$PWD/daemon/daxpind
fail=0
pass() { echo "PASS: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# The control socket's credential checks run as root (root may change the
# policy) and as other users through setpriv: root only.
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (control-socket credentials, setpriv)"; exit 77; fi

tmp=$(mktemp -d /tmp/daxpind-test.XXXXXX)
chmod 755 "$tmp"
cleanup() {
	[ -n "${DPID:-}" ] && kill "$DPID" 2>/dev/null
	[ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# ---- --check-config
conf=$tmp/daxpind.conf
printf '[Policy]\nWarnAfterSec=3\n' > "$conf"
if "$DAXPIND" --check-config -c "$conf" >/dev/null 2>&1; then pass "--check-config accepts a good file"; else bad "--check-config rejects a good file"; fi
printf '[Policy]\nWarnAfterSec=3\nWarnAftrSec=4\n' > "$tmp/bad.conf"
out=$("$DAXPIND" --check-config -c "$tmp/bad.conf" 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q "bad.conf:3: unknown key WarnAftrSec" <<<"$out"; then
	pass "--check-config names file, line and key"
else
	bad "--check-config on a bad file: rc=$rc: $out"
fi
if "$DAXPIND" -c "$tmp/bad.conf" --runtime-dir "$tmp/rt0" --debug 2>/dev/null; then
	bad "started with a bad configuration"
else
	pass "refuses to start with a bad configuration"
fi

# ---- start under a fake service manager
daemon/tests/notify-listen "$tmp/notify" "$tmp/notify.log" & LPID=$!
for _ in $(seq 50); do [ -S "$tmp/notify" ] && break; sleep 0.1; done
NOTIFY_SOCKET=$tmp/notify "$DAXPIND" -c "$conf" --runtime-dir "$tmp/rt" --control-group 4242 \
	--debug 2>"$tmp/daemon.log" & DPID=$!
for _ in $(seq 50); do grep -q 'READY=1' "$tmp/notify.log" 2>/dev/null && break; sleep 0.1; done
if grep -q 'READY=1' "$tmp/notify.log"; then pass "READY=1 sent"; else bad "no READY=1"; fi
if grep -q 'STATUS=' "$tmp/notify.log"; then pass "STATUS= sent: $(grep -o 'STATUS=[^|]*' "$tmp/notify.log" | head -1)"; else bad "no STATUS="; fi
# READY=1 must follow the first resynchronisation (or the "module absent" report).
first_ready=$(grep -n 'READY=1' "$tmp/daemon.log" "$tmp/notify.log" >/dev/null; grep -n '\[lifecycle\].*ready' "$tmp/daemon.log" | head -1 | cut -d: -f1)
first_sync=$(grep -nE '\[(resync|module)\]' "$tmp/daemon.log" | head -1 | cut -d: -f1)
if [ -n "$first_sync" ] && [ -n "$first_ready" ] && [ "$first_sync" -lt "$first_ready" ]; then
	pass "READY=1 after the first resync attempt"
else
	bad "READY=1 without a resync"
fi

CTL=$PWD/daemon/tests/ctl-client
ctl() { "$CTL" "$tmp/rt/control" "$@"; }
as() { local uid=$1 gid=$2 groups=$3; shift 3
	setpriv --reuid="$uid" --regid="$gid" --groups="$groups" "$CTL" "$tmp/rt/control" "$@"; }

r=$(ctl '{"cmd":"status"}')
grep -q '"ok":true' <<<"$r" && pass "root: status" || bad "root status: $r"
# JSON version 2 names (daxpinctl(8)): counts are waits_tracked, stalls, kicks
grep -q '"counters":{"waits_tracked":0,.*"stalls":0,"kicks":0,' <<<"$r" && ! grep -qE '"(waits_seen|stalled|kicked)":' <<<"$r" &&
	pass "status counters: JSON version 2 names" || bad "status counters: $r"

if command -v setpriv >/dev/null; then
	r=$(as 65534 4242 65534 '{"cmd":"status"}' '{"cmd":"set","key":"WarnAfterSec","value":"1"}')
	grep -q '^{.*"ok":true' <<<"$(sed -n 1p <<<"$r")" && pass "group member (primary gid): read allowed" || bad "member read: $r"
	grep -q '"errno":13' <<<"$(sed -n 2p <<<"$r")" && pass "group member: change refused" || bad "member change: $r"
	r=$(as 65534 65534 4242 '{"cmd":"policy"}')
	grep -q '"ok":true' <<<"$r" && pass "group member (supplementary): read allowed" || bad "supplementary read: $r"
	r=$(as 65534 65534 65534 '{"cmd":"status"}')
	grep -q '"errno":13' <<<"$r" && pass "other user: refused with EACCES" || bad "other user: $r"
	grep -q '"WarnAfterSec":{"value":"3"' <<<"$(ctl '{"cmd":"policy"}')" && pass "refused change did not apply" || bad "refused change applied"
else
	echo "SKIP: setpriv missing, credential checks not run"
fi

# ---- reload: a good change applies, a broken file keeps the old config
printf '[Policy]\nWarnAfterSec=7\n' > "$conf"
kill -HUP "$DPID"; sleep 0.5
r=$(ctl '{"cmd":"policy"}')
grep -q "\"WarnAfterSec\":{\"value\":\"7\",\"source\":\"${conf//\//\\\\/}:2\"" <<<"$r" && pass "SIGHUP applies WarnAfterSec=7 (with its source)" || bad "SIGHUP: $r"
grep -q 'RELOADING=1' "$tmp/notify.log" && pass "RELOADING=1 sent" || bad "no RELOADING=1"
printf '[Policy]\nWarnAfterSec=soon\n' > "$conf"
kill -HUP "$DPID"; sleep 0.5
r=$(ctl '{"cmd":"policy"}')
grep -q '"WarnAfterSec":{"value":"7"' <<<"$r" && pass "broken reload keeps the old configuration" || bad "broken reload: $r"
grep -q "daxpind.conf:2: bad value \"soon\" for WarnAfterSec" "$tmp/daemon.log" && pass "broken reload reported with file:line" || bad "broken reload not reported"
kill -0 "$DPID" 2>/dev/null && pass "still running after a broken reload" || bad "died on a broken reload"

# ---- runtime change through the socket
printf '[Policy]\nWarnAfterSec=7\n' > "$conf"
r=$(ctl '{"cmd":"set","section":"Policy","key":"StalledAfterSec","value":"2"}')
grep -q '"StalledAfterSec":{"value":"2","source":"[^"]*99-runtime.conf:' <<<"$r" && pass "runtime set applied at once from 99-runtime.conf" || bad "runtime set: $r"

# ---- idle: no wake-ups, small memory
printf '[Policy]\nWarnAfterSec=7\n' > "$conf"
kill -HUP "$DPID"; sleep 0.5
c1=$(awk '/ctxt_switches/{s+=$2} END{print s}' /proc/$DPID/status)
sleep 5
c2=$(awk '/ctxt_switches/{s+=$2} END{print s}' /proc/$DPID/status)
echo "INFO: context switches over 5 s idle: $((c2 - c1))"
[ $((c2 - c1)) -eq 0 ] && pass "no wake-ups while idle" || bad "$((c2 - c1)) wake-ups while idle"
rss=$(awk '/VmRSS/{print $2}' /proc/$DPID/status)
pss=$(awk '/^Pss:/{print $2}' /proc/$DPID/smaps_rollup 2>/dev/null)
echo "INFO: RSS ${rss} kB, PSS ${pss:-?} kB"
# ASan's shadow memory and quarantine cost megabytes by design: the
# sanitizer build (scripts/test-sanitize) holds daxpind to its own bound,
# the plain build to 4 MiB.
if [ -n "${DAXPIN_SANITIZED:-}" ]; then
	[ "$rss" -le 32768 ] && pass "RSS <= 32 MiB (sanitizer build; the plain build checks 4 MiB)" ||
		bad "RSS ${rss} kB > 32 MiB (sanitizer build)"
else
	[ "$rss" -le 4096 ] && pass "RSS <= 4 MiB" || bad "RSS ${rss} kB > 4 MiB"
fi
grep -q '^daxpin_waits_in_flight 0$' "$tmp/rt/daxpind.prom" && pass "metrics file written" || bad "no metrics file"
# The file node_exporter would serve, linted by Prometheus's own tool
# (scripts/packages.txt: prometheus): no output at all is the pass.
if command -v promtool >/dev/null; then
	lint=$(promtool check metrics <"$tmp/rt/daxpind.prom" 2>&1) && [ -z "$lint" ] &&
		pass "promtool check metrics: clean" || bad "promtool check metrics: $lint"
else
	bad "no promtool (apt-get install prometheus; scripts/setup does)"
fi

# ---- stop
kill -TERM "$DPID"; wait "$DPID"; rc=$?; DPID=
[ $rc -eq 0 ] && pass "clean exit on SIGTERM" || bad "exit status $rc on SIGTERM"
sleep 0.2
grep -q 'STOPPING=1' "$tmp/notify.log" && pass "STOPPING=1 sent" || bad "no STOPPING=1"
[ -e "$tmp/rt/control" ] && bad "control socket left behind" || pass "control socket removed"
[ $fail -eq 0 ] || { echo "--- daemon log"; cat "$tmp/daemon.log"; echo "--- notify log"; cat "$tmp/notify.log"; }
exit $fail
