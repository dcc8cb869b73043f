#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4 xfs
#
# smoke - the VM environment is what scenarios expect: DAX mount, pmem and
# devdax devices, writable output folder; and the pin helpers hold: a read
# into a DAX file from a suspended dm device stays in flight (the pages
# pinned) until pin_release resumes the device, both through AIO (the
# default, reader asleep in S) and with --sync (pread, reader in D), and then
# completes with every byte; a timed pin over a 0 ms dm-delay device
# completes by itself.

. "$DAXPIN_SRC/tests/vm/lib.sh"

log "kernel $DAXPIN_KVER fs $DAXPIN_FS pmem $PMEM_DEV devdax $DEVDAX_DEV"
assert [ -b "$PMEM_DEV" ]
assert [ -c "$DEVDAX_DEV" ]
assert grep -qE "^$PMEM_DEV $DAX_MNT $DAXPIN_FS .*dax" /proc/mounts
assert [ "$(uname -r)" = "$DAXPIN_KVER" ]
assert [ -d "/lib/modules/$DAXPIN_KVER/kernel" ]
echo ok >"$DAXPIN_OUT/smoke.txt" || die "DAXPIN_OUT not writable"

f=$DAX_MNT/smoke
# held pins: nothing ends them but pin_release
for mode in aio sync; do
	opt=()
	[ "$mode" = sync ] && opt=(--sync)
	pin_start "$f" 4096 8192 "${opt[@]}"
	dm=$PIN_DM
	assert_eq Suspended "$(dmsetup info -c --noheadings -o suspended "$dm")" "$dm state"
	sleep 2
	assert pin_held "$PIN_PID"
	state=$(proc_state "$PIN_PID")
	log "$mode pin held 2 s: reader state $state, wchan $(proc_wchan "$PIN_PID"), $(tr '\n' ' ' <"$PIN_LOG")"
	if [ "$mode" = sync ]; then
		assert_eq D "$state" "state of a --sync reader"
	else
		assert_eq S "$state" "state of an AIO reader"
	fi
	pin_release
	assert grep -q "^pin-end $PIN_END_NS 8192\$" "$PIN_LOG"
	! dmsetup info "$dm" >/dev/null 2>&1 || die "$dm not removed after its release"
done
# two pins at once, released in the other order
pin_start "$DAX_MNT/smoke-a" 0 4096
pa=$PIN_PID
pin_start "$DAX_MNT/smoke-b" 0 4096
pb=$PIN_PID
pin_release "$pa"
assert pin_held "$pb"
pin_release "$pb"

# a timed pin (the delay device is the old helper, kept)
slowdev_create 0 >/dev/null
pin_start "$f" 4096 8192
pin_wait 60
assert "$DAXPIN_PINREAD" --check-dax "$f"
assert_eq 12288 "$(stat -c %s "$f")" "size of $f"
log "smoke ok"
