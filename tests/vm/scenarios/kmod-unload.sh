#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: xfs
#
# kmod-unload - rmmod daxpin with a wait in flight leaves no oops (the run
# fails on any BUG/WARNING/Oops in the console) and the waiter still waits;
# with daxpin loaded, rmmod xfs / modprobe xfs: xfs waits are tracked again.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

# After the read: 6.1 loses the wake-up (the truncate sleeps on until a
# signal), other kernels wake it themselves (kmod/COMPAT.md).
end_stuck()
{
	case $(uname -r) in
	6.1.*)
		assert is_running "$STUCK_PID"
		kill -TERM "$STUCK_PID"
		wait "$STUCK_PID"
		log "truncate ended by SIGTERM: $?"
		;;
	*)
		wait_gone "$STUCK_PID" 60 >/dev/null ||
			die "truncate still asleep 60 s after the read"
		wait "$STUCK_PID"
		assert_eq 0 "$?" "truncate exit status"
		log "truncate woken by the kernel at the read's end"
		;;
	esac
}

daxpin_load
f=$DAX_MNT/victim
w=/tmp/waits.json

pin_start "$f" 0 4096
stuck_start "$f"
wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 1 ]" 60 ||
	die "wait not tracked: $(cat $w)"
rmmod daxpin || die "rmmod daxpin with a wait in flight failed"
log "daxpin unloaded with a wait in flight"
assert is_running "$STUCK_PID"
pin_release
end_stuck

# rescue=0: end_stuck expects 6.1's truncate to sleep on after the read.
daxpin_load rescue=0
umount "$DAX_MNT" || die "umount $DAX_MNT"
rmmod xfs || die "rmmod xfs failed"
log "xfs unloaded with daxpin loaded"
modprobe xfs || die "modprobe xfs failed"
mount -o dax "$PMEM_DEV" "$DAX_MNT" || die "mount xfs again"

pin_start "$f" 0 4096
stuck_start "$f"
wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 1 ]" 60 ||
	die "xfs wait not tracked after modprobe xfs: $(cat $w)"
assert_eq xfs "$(jq_py $w 'd["waits"][0]["fs"]')" fs
assert_eq "$STUCK_PID" "$(jq_py $w 'd["waits"][0]["pid"]')" pid
pin_release
end_stuck
rmmod daxpin || die "final rmmod daxpin failed"
log "kmod-unload ok"
