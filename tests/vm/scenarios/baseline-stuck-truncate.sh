#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4 xfs
#
# baseline-stuck-truncate - the problem daxpin exists for, without daxpin.
#
# A DAX page of a file is pinned by an O_DIRECT read into its MAP_SHARED
# mapping from a device that holds the read until the test releases it
# (pin_start / pin_release: a suspended dm device).  truncate -s 0 of the
# file, started while the read is in flight, has to wait for the pin in the
# filesystem's break-layouts path (ext4_break_layouts /
# xfs_break_dax_layouts).  On kernels with the lost wake-up (Debian 12's
# 6.1) it is still waiting long after the read completed; SIGTERM frees it.
# On kernels without that bug (6.12) it must finish as soon as the read
# completes: the scenario asserts that instead.
#
# When SIGTERM wakes it, the wait re-checks the page, finds it unpinned
# and the operation completes before the signal kills the task (exit 143):
# the file is truncated (or the hole punched) afterwards.
#
# Usage: baseline-stuck-truncate.sh [truncate|punch]   (default: truncate)

. "$DAXPIN_SRC/tests/vm/lib.sh"

f=$DAX_MNT/victim
mode=${1:-truncate}
case $mode in
truncate) cmd=(truncate -s 0 "$f") ;;
punch) cmd=(fallocate -p -o 0 -l 4096 "$f") ;;
*) die "unknown mode '$mode' (truncate or punch)" ;;
esac
# What the kernel does once the pin ends (measured): Debian 12's 6.1 loses
# the wake-up, 6.12 does not.  Unknown kernels are expected to be fixed.
case $DAXPIN_KVER in
6.1.*) expect=stuck ;;
*) expect=completes ;;
esac

case $DAXPIN_FS in
ext4) wait_re='ext4_break_layouts|ext4_wait_dax_page' ;;
xfs) wait_re='xfs_break_dax_layouts|xfs_wait_dax_page|xfs_break_layouts' ;;
*) die "unknown fs $DAXPIN_FS" ;;
esac

pin_start "$f" 0 4096

"${cmd[@]}" &
cpid=$!
log "started '${cmd[*]}' as pid $cpid while the pin is in flight"

# On every kernel it must block on the pinned page while the read runs
# (held: however long the command takes to get there).
wait_for "proc_waits_in $cpid '$wait_re' || ! is_running $cpid" 60
assert is_running "$cpid"
log "pid $cpid: state $(proc_state "$cpid"), wchan $(proc_wchan "$cpid")"
assert_eq S "$(proc_state "$cpid")" "state of pid $cpid during the pin"
proc_waits_in "$cpid" "$wait_re" ||
	die "pid $cpid does not wait in break layouts ($wait_re) during the pin"
assert pin_held

pin_release

check_result()
{
	local size blocks

	size=$(stat -c %s "$f")
	blocks=$(stat -c %b "$f")
	log "$f afterwards: size $size, $blocks blocks"
	if [ "$mode" = truncate ]; then
		assert_eq 0 "$size" "size after the truncate"
	else
		assert_eq 4096 "$size" "size after the hole punch"
		assert_eq 0 "$blocks" "allocated blocks after the hole punch"
	fi
}

if [ "$expect" = completes ]; then
	log "read completed; '${cmd[*]}' must finish now ($DAXPIN_KVER wakes it)"
	wait_for "! is_running $cpid" 30 ||
		die "pid $cpid still stuck 30 s after the pin ended (wchan $(proc_wchan "$cpid")): lost wake-up on $DAXPIN_KVER too?"
	wait "$cpid"
	rc=$?
	assert_eq 0 "$rc" "exit status of '${cmd[*]}'"
	check_result
	log "no lost wake-up on $DAXPIN_KVER: '${cmd[*]}' finished when the pin ended"
	exit 0
fi

log "read completed; checking that pid $cpid is still stuck 3 s later"
sleep 3

is_running "$cpid" ||
	die "'${cmd[*]}' finished after the pin ended: $DAXPIN_KVER does not lose the wake-up (update the expectation in this scenario)"
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

# SIGTERM wakes the wait; it finds the page unpinned, the operation
# completes, then the signal kills the task.
kill_wait "$cpid" TERM 10
log "SIGTERM freed pid $cpid: exit status $KILL_RC"
assert_eq 143 "$KILL_RC" "exit status after SIGTERM"
check_result
log "baseline reproduced: '${cmd[*]}' stuck after the pin ended, SIGTERM freed it"
