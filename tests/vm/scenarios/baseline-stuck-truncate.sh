#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4 xfs
#
# baseline-stuck-truncate - the problem daxpin exists for, without daxpin.
#
# A DAX page of a file is pinned by an O_DIRECT read from a slow device
# (dm-delay, 3 s) into its MAP_SHARED mapping.  truncate -s 0 of the file,
# started while the read is in flight, has to wait for the pin in the
# filesystem's break-layouts path (ext4_break_layouts /
# xfs_break_dax_layouts).  On kernels with the lost wake-up (Debian 12's
# 6.1) it is still waiting long after the read completed; SIGTERM frees it.
#
# When SIGTERM wakes it, the wait re-checks the page, finds it unpinned
# and the operation completes before the signal kills the task (exit 143):
# the file is truncated (or the hole punched) afterwards.
#
# Usage: baseline-stuck-truncate.sh [truncate|punch]   (default: truncate)

. "$DAXPIN_SRC/tests/vm/lib.sh"

delay_ms=3000
f=$DAX_MNT/victim
mode=${1:-truncate}
case $mode in
truncate) cmd=(truncate -s 0 "$f") ;;
punch) cmd=(fallocate -p -o 0 -l 4096 "$f") ;;
*) die "unknown mode '$mode' (truncate or punch)" ;;
esac
case $DAXPIN_FS in
ext4) wait_re='ext4_break_layouts|ext4_wait_dax_page' ;;
xfs) wait_re='xfs_break_dax_layouts|xfs_wait_dax_page|xfs_break_layouts' ;;
*) die "unknown fs $DAXPIN_FS" ;;
esac

slowdev_create $delay_ms >/dev/null
pin_start "$f" 0 4096
assert is_running "$PIN_PID"

"${cmd[@]}" &
cpid=$!
log "started '${cmd[*]}' as pid $cpid while the pin is in flight"

# It must block on the pinned page, not finish.
sleep 0.5
assert is_running "$cpid"
log "pid $cpid: state $(proc_state $cpid), wchan $(proc_wchan $cpid)"

pin_wait 30
log "read completed; checking that pid $cpid is still stuck 3 s later"
sleep 3

is_running "$cpid" ||
	die "'${cmd[*]}' finished after the pin ended: this kernel does not lose the wake-up"
state=$(proc_state "$cpid")
wchan=$(proc_wchan "$cpid")
log "pid $cpid still running: state $state, wchan $wchan"
stack=$(proc_stack "$cpid")
if [ -n "$stack" ]; then
	log "pid $cpid kernel stack:"
	printf '    %s\n' "${stack//$'\n'/$'\n'    }"
else
	log "pid $cpid kernel stack not readable"
fi
# TASK_INTERRUPTIBLE sleep in the break-layouts wait.
assert_eq S "$state" "state of pid $cpid"
proc_waits_in "$cpid" "$wait_re" ||
	die "pid $cpid does not wait in break layouts ($wait_re): wchan $wchan"
assert_eq 4096 "$(stat -c %s "$f")" "size of $f while the truncate is stuck"

kill_wait "$cpid" TERM 10
log "SIGTERM freed pid $cpid: exit status $KILL_RC"
assert_eq 143 "$KILL_RC" "exit status after SIGTERM"
size=$(stat -c %s "$f")
blocks=$(stat -c %b "$f")
log "$f afterwards: size $size, $blocks blocks"
if [ "$mode" = truncate ]; then
	assert_eq 0 "$size" "size after the woken truncate"
else
	assert_eq 4096 "$size" "size after the woken hole punch"
	assert_eq 0 "$blocks" "allocated blocks after the woken hole punch"
fi
log "baseline reproduced: '${cmd[*]}' stuck after the pin ended, SIGTERM freed it"
