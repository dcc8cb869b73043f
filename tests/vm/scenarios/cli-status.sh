#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4 xfs
#
# cli-status - daxpinctl status on a machine with an fsdax namespace mounted
# dax=always and a devdax namespace: --json validates against
# docs/schema/status.json and names both namespaces, the mount and its DAX
# mode, and reports daxpind as not reachable; --check exits 0 when idle, 1
# (naming the wait) while a truncate is stuck on a pinned page, 0 again once
# the wait is over (kicked on 6.1 where the wake-up is lost, woken by the
# kernel elsewhere).  Without the module --check exits 2.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

case $(uname -r) in
6.1.*) wakeup=lost ;;
*) wakeup=woken ;;
esac
export DAXPIN_CONTROL=/tmp/no-daxpind/control
s=/tmp/status.json

validate() { validate_as status "$1"; }

validate_as()	# SCHEMA FILE
{
	python3 - "$DAXPIN_SRC/docs/schema/$1.json" "$2" <<'PY'
import json, sys
import jsonschema
s = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2]))
errs = list(jsonschema.Draft202012Validator(s).iter_errors(d))
for e in errs[:5]:
    print("schema: %s at %s" % (e.message, list(e.path)))
sys.exit(bool(errs))
PY
}

check()	# WANT [ARGS...]: status --check exit code
{
	local want=$1 rc

	shift
	"$DAXPINCTL" status --check "$@" >/tmp/check.out 2>&1
	rc=$?
	log "status --check $*: exit $rc: $(sed "s/WARNING/Warning/g; s/CRITICAL/Critical/g" /tmp/check.out)"
	assert_eq "$want" "$rc" "status --check $* exit code"
}

# without the module: says so, 0 without --check, 2 with it
"$DAXPINCTL" status >/tmp/status.txt || die "status without the module failed"
grep -q "module: not loaded" /tmp/status.txt || die "status: $(cat /tmp/status.txt)"
grep -qx "health: critical: daxpin.ko is not loaded" /tmp/status.txt ||
	die "status health line without the module: $(tail -n 3 /tmp/status.txt)"
check 2
check 3 --warn-ms=soon

# rescue=0: a stalled wait must stay for status and kick --stalled to see.
daxpin_load rescue=0
# nothing stalled: --stalled kicks nothing, and says so
"$DAXPINCTL" --json kick --stalled >/tmp/kick.json || die "kick --stalled (idle) failed"
validate_as kick /tmp/kick.json || die "kick --json (idle) does not validate"
assert_eq 0 "$(jq_py /tmp/kick.json 'len(d["kicked_waits"])')" "kicked waits with nothing stalled"
"$DAXPINCTL" status --json >$s || die "status --json failed"
validate $s || die "status --json does not validate: $(cat $s)"
pmem=$(basename "$PMEM_DEV") ddax=$(basename "$DEVDAX_DEV")
nss="[n for r in d['pmem']['regions'] for n in r['namespaces']]"
assert_eq true "$(jq_py $s "any(n['mode'] == 'fsdax' and n['blockdev'] == '$pmem' and any(m['mount_point'] == '$DAX_MNT' and m['dax'] == 'always' and m['fs'] == '$DAXPIN_FS' for m in n['mounts']) for n in $nss)")" \
	"fsdax namespace $pmem with $DAX_MNT dax=always"
assert_eq true "$(jq_py $s "any(n['mode'] == 'devdax' and '$ddax' in (n['chardevs'] or []) for n in $nss)")" \
	"devdax namespace with $ddax"
assert_eq true "$(jq_py $s "any(m['mount_point'] == '$DAX_MNT' and m['dax'] == 'always' for m in d['dax_mounts'])")" "dax_mounts"
assert_eq false "$(jq_py $s "d['daemon']['reachable']")" "daemon reachable"
assert_eq ok "$(jq_py $s "d['health']")" health
"$DAXPINCTL" status >/tmp/status.txt || die "status failed"
log "status:
$(cat /tmp/status.txt)"
grep -q "daemon: not reachable" /tmp/status.txt || die "status does not report the daemon"
grep -q "dax=always" /tmp/status.txt || die "status does not show the mount mode"
check 0

# monitors filtered to the DAX mount and to another filesystem
"$DAXPINCTL" --json monitor --mount "$DAX_MNT" >/tmp/mon-dax.jsonl 2>&1 &
mon_dax=$!
"$DAXPINCTL" --json monitor --mount /tmp >/tmp/mon-tmp.jsonl 2>&1 &
mon_tmp=$!
for p in $mon_dax $mon_tmp; do
	wait_for "ls -l /proc/$p/fd 2>/dev/null | grep -q socket" 60 || die "monitor $p did not start"
done

# a truncate stuck on a pinned page (held until pin_release)
f=$DAX_MNT/victim
pin_start "$f" 0 4096
stuck_start "$f"
tp=$STUCK_PID
w=/tmp/waits.json
wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 1 ]" 60 ||
	die "no wait listed: $(cat $w)"
id=$(jq_py $w 'd["waits"][0]["id"]')
# a young wait is no problem: the module's summary answers, no wait is read.
# "Young" is judged on the age status itself saw: on a loaded host the
# wait may already be past the default 5 s, and then --check must warn.
"$DAXPINCTL" status --json --check >$s
rc=$?
age=$(jq_py $s "d['oldest_waited_ns'] // 1000000")
want=0
if [ "$age" -ge 5000 ]; then
	want=1
	log "the wait was already $age ms old at status (loaded host): --check must warn"
fi
assert_eq $want "$rc" "status --check exit code, wait $age ms old, threshold 5000 ms"
assert_eq "1 0 5000 default" "$(jq_py $s '"%d %d %d %s" % (d["waits_in_flight"], d["waits_stalled"], d["check"]["warn_ms"], d["check"]["warn_source"])')" \
	"status: waits_in_flight, waits_stalled, threshold, its source"
assert_eq "$(jq_py $s "d['oldest_waited_ns']")" "$(jq_py $s "d['module']['global']['oldest_waited_ns']")" \
	"oldest_waited_ns is the module's summary"
assert_eq "$(jq_py $s "d['waits_in_flight']")" "$(jq_py $s "d['module']['global']['waits_in_flight']")" \
	"waits_in_flight is the module's"
# JSON version 2: the v1 names are gone from the real output
assert_eq "[]" "$(jq_py $s "[k for k in ('waits', 'filesystems') if k in d] + [k for m in d['dax_mounts'] for k in ('mount', 'dev') if k in m] + [k for f in d['superblocks'] for k in ('dev', 'mount', 'kicked', 'stalled') if k in f]")" \
	"no version 1 key in status --json"
wait_for "[ \"\$(wait_field $id waited_ns)\" -ge 1000000000 ]" 60 || die "wait $id not 1 s old"
# --no-follow: the current waits, filtered, as one resync line
for f in "--mount $DAX_MNT" "--dev $(basename "$PMEM_DEV")" "--dev $(stat -c %Hr:%Lr "$PMEM_DEV")" "--mount /tmp"; do
	"$DAXPINCTL" --json monitor --no-follow $f >/tmp/nf.jsonl || die "monitor --no-follow $f failed"
	want=1
	[ "$f" = "--mount /tmp" ] && want=0
	assert_eq "1 resync $want" "$(python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
d = json.loads(lines[0])
print(len(lines), d["event"], len([w for w in d["waits"] if w["id"] == int(sys.argv[2])]))' /tmp/nf.jsonl "$id")" \
		"monitor --no-follow $f: lines, event, wait $id listed"
done
assert pin_held
check 1 --warn-ms=1000
grep -q "WARNING: wait $id: truncate\[$tp\] stuck" /tmp/check.out || die "--check does not name wait $id"
"$DAXPINCTL" status --json --check --warn-ms=1000 >$s
assert_eq 1 "$?" "status --json --check exit code"
validate $s || die "status --json (stuck) does not validate"
assert_eq 1 "$(jq_py $s "d['waits_in_flight']")" "waits_in_flight"
assert_eq warning "$(jq_py $s "d['health']")" health

pin_release
if [ "$wakeup" = lost ]; then
	wait_for "[ \"\$(wait_field $id stalled)\" = true ]" 60 || die "wait $id not stalled"
	check 1 --warn-ms=1000
	grep -q "stalled" /tmp/check.out || die "--check does not say stalled"
	# stalled is stuck whatever its age: named with the default threshold
	"$DAXPINCTL" status --json --check >$s
	assert_eq 1 "$?" "status --json --check exit code, stalled"
	assert_eq "1 1 1" "$(jq_py $s '"%d %d %d" % (d["waits_stalled"], d["module"]["global"]["waits_stalled"], len([r for r in d["reasons"] if "stalled" in r]))')" \
		"stalled: in the summary, in the module's global, named in reasons"
	"$DAXPINCTL" --json kick --stalled >/tmp/kick.json || die "kick --stalled failed"
	validate_as kick /tmp/kick.json || die "kick --json does not validate: $(cat /tmp/kick.json)"
	assert_eq "[[$id, true]]" "$(jq_py /tmp/kick.json '[(k["id"], k["was_idle"]) for k in d["kicked_waits"]]')" \
		"kick --stalled kicked the stalled wait, page idle"
fi
wait_gone "$tp" 60 >/dev/null || die "truncate still asleep"
wait "$tp"
check 0 --warn-ms=1000
kill -TERM $mon_dax $mon_tmp
wait $mon_dax $mon_tmp
monitor_has /tmp/mon-dax.jsonl "e['event'] == 'wait_start' and e['wait']['id'] == $id" ||
	die "monitor --mount $DAX_MNT missed wait $id: $(cat /tmp/mon-dax.jsonl)"
monitor_has /tmp/mon-dax.jsonl "e['event'] == 'wait_end' and e['wait']['id'] == $id" ||
	die "monitor --mount $DAX_MNT missed the end of wait $id"
! monitor_has /tmp/mon-tmp.jsonl "'wait' in e" ||
	die "monitor --mount /tmp printed a wait on $DAX_MNT: $(cat /tmp/mon-tmp.jsonl)"
log "cli-status ok ($wakeup)"
