#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4
#
# cli-many - 1,000 tracked waits (1,000 DAX files pinned by one O_DIRECT read
# into a buffer that maps them all with MAP_FIXED, one truncate each):
# `daxpinctl status --json` completes, lists them, and its time is printed
# beside `ndctl list -RN`'s in the same run (target: no slower).

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

n=${1:-1000}
prefix=$DAX_MNT/many

daxpin_load
slowdev_create 600000 >/dev/null
pin_start "$prefix" 0 0 --count "$n" --size 4096
waiters_start --count "$n" "$prefix"
w=/tmp/waits.json
wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = $n ]" 300 ||
	die "not all $n truncates tracked: $(jq_py $w 'len(d["waits"])')"
log "$n waits tracked"

# time_ms CMD...: wall time of CMD in ms (output to /tmp/out), best of 5
time_ms()
{
	local best= i t0 t1

	for i in 1 2 3 4 5; do
		t0=$(date +%s%N)
		"$@" >/tmp/out 2>/tmp/err || die "$* failed: $(cat /tmp/err)"
		t1=$(date +%s%N)
		t1=$(((t1 - t0) / 1000000))
		[ -n "$best" ] && [ "$best" -le "$t1" ] || best=$t1
	done
	echo "$best"
}

st=$(time_ms "$DAXPINCTL" --json status)
cp /tmp/out /tmp/status.json
nd=$(time_ms ndctl list -RN)
log "with $n waits: daxpinctl status --json ${st} ms, ndctl list -RN ${nd} ms (best of 5 each)"
echo "status_ms=$st ndctl_list_ms=$nd waits=$n" >"$DAXPIN_OUT/cli-many.txt"
assert_eq "$n" "$(jq_py /tmp/status.json 'd["waits"]["count"]')" "waits in status"

slowdev_flush slow
pin_wait 120
case $DAXPIN_KVER in
6.1.*) kill -TERM "${WAITER_PIDS[@]}" ;;
esac
waiters_wait 300
log "cli-many ok"
