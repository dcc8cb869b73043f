#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4 xfs
#
# smoke - the VM environment is what scenarios expect: DAX mount, pmem and
# devdax devices, writable output folder, and a pin with daxpin-pinread over
# a fast (0 ms) dm-delay device completes and reports sane timestamps.

. "$DAXPIN_SRC/tests/vm/lib.sh"

log "kernel $DAXPIN_KVER fs $DAXPIN_FS pmem $PMEM_DEV devdax $DEVDAX_DEV"
assert [ -b "$PMEM_DEV" ]
assert [ -c "$DEVDAX_DEV" ]
assert grep -qE "^$PMEM_DEV $DAX_MNT $DAXPIN_FS .*dax" /proc/mounts
assert [ "$(uname -r)" = "$DAXPIN_KVER" ]
assert [ -d "/lib/modules/$DAXPIN_KVER/kernel" ]
echo ok >"$DAXPIN_OUT/smoke.txt" || die "DAXPIN_OUT not writable"

slowdev_create 0 >/dev/null
f=$DAX_MNT/smoke
pin_start "$f" 4096 8192
pin_wait 10
assert "$DAXPIN_PINREAD" --check-dax "$f"
assert_eq 12288 "$(stat -c %s "$f")" "size of $f"
log "smoke ok"
