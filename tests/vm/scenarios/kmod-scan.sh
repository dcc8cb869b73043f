#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4 xfs
#
# kmod-scan - scan lists the pinned page of a file while it is pinned, and
# none after; scan of a tmpfs file fails with a clear message.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

daxpin_load
f=$DAX_MNT/scanned
s=/tmp/scan.json

pin_start "$f" 8192 4096
"$DAXPINCTL" --json scan "$f" >$s || die "scan failed: $(cat $s)"
log "scan while pinned: $(tr -d ' \n' <$s)"
assert_eq 1 "$(jq_py $s 'len(d["scans"][0]["pages"])')" "busy pages while pinned"
assert_eq 8192 "$(jq_py $s 'd["scans"][0]["pages"][0]["offset"]')" "offset of the busy page"
assert_eq true "$(jq_py $s 'd["scans"][0]["pages"][0]["refcount"] >= 2')" "refcount >= 2"
assert pin_held
pin_release
"$DAXPINCTL" --json scan "$f" >$s || die "scan failed: $(cat $s)"
log "scan after the read: $(tr -d ' \n' <$s)"
assert_eq 0 "$(jq_py $s 'len(d["scans"][0]["pages"])')" "busy pages after the read"

mkdir -p /tmp/t && mount -t tmpfs none /tmp/t && echo x >/tmp/t/file
if "$DAXPINCTL" scan /tmp/t/file 2>/tmp/scan.err; then
	die "scan of a tmpfs file succeeded"
fi
rc=$?
log "scan of tmpfs: exit $rc: $(cat /tmp/scan.err)"
grep -qi 'not a DAX file' /tmp/scan.err || die "unclear error for tmpfs: $(cat /tmp/scan.err)"
[ "$(wc -l </tmp/scan.err)" -eq 1 ] || die "error is not one line"
log "kmod-scan ok"
