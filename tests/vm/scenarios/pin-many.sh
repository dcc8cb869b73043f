#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4 xfs
#
# pin-many - many stuck waiters at once (without daxpin): one O_DIRECT read
# pins a page in each of N files (daxpin-pinread --count), N truncates
# (daxpin-waiters --count) wait in break layouts, all are still stuck after the read completed, and
# SIGTERM frees every one of them.  On kernels without the lost wake-up
# (6.12) all truncates must finish when the read completes instead.
#
# The read is held (pin_start) and released on purpose (pin_release) once
# all N truncates wait, so that the test does not depend on how fast the
# guest starts processes.
#
# Usage: pin-many.sh [N]   (default 100)

. "$DAXPIN_SRC/tests/vm/lib.sh"

n=${1:-100}
prefix=$DAX_MNT/many

# Debian 12's 6.1 loses the wake-up; 6.12 wakes everyone when the read ends.
case $DAXPIN_KVER in
6.1.*) expect=stuck ;;
*) expect=completes ;;
esac

case $DAXPIN_FS in
ext4) wait_re='ext4_break_layouts|ext4_wait_dax_page' ;;
xfs) wait_re='xfs_break_dax_layouts|xfs_wait_dax_page|xfs_break_layouts' ;;
*) die "unknown fs $DAXPIN_FS" ;;
esac

stuck_count()
{
	count_waiting "$wait_re" "${pids[@]}"
}

# One page per file, all files in one buffer, one read across all of them.
pin_start "$prefix" 0 0 --count "$n" --size 4096
assert grep -q "^pin-map $n $((n * 4096))\$" "$PIN_LOG"

waiters_start --count "$n" "$prefix"
pids=("${WAITER_PIDS[@]}")
assert_eq "$n" "${#pids[@]}" "number of truncates started"
last=
for ((t = 0; t < 120; t++)); do
	stuck=$(stuck_count)
	[ "$stuck" = "$last" ] || log "$stuck of $n truncates wait in break layouts"
	last=$stuck
	[ "$stuck" != "$n" ] || break
	sleep 1
done
[ "$stuck" = "$n" ] || die "only $stuck of $n truncates wait in break layouts"
log "all $n truncates wait in break layouts; completing the read"
assert pin_held
pin_release

if [ "$expect" = completes ]; then
	waiters_wait 60
	log "after the read: $WAITERS_OK of $n truncates finished, $WAITERS_OTHER failed"
	assert_eq "$n" "$WAITERS_OK" "truncates finished after the read ($DAXPIN_KVER)"
	exit 0
fi

sleep 2
stuck=$(stuck_count)
log "$stuck of $n truncates still stuck 2 s after the read completed"
assert_eq "$n" "$stuck" "truncates still stuck"

kill -TERM "${pids[@]}"
waiters_wait 120
killed=$(grep -c '^done [0-9]* signal 15$' "$WAITERS_LOG")
log "after SIGTERM: $killed killed by it, $WAITERS_OK exited 0, $WAITERS_OTHER other"
assert_eq "$n" "$killed" "truncates killed by SIGTERM"
log "SIGTERM freed all $n truncates"
