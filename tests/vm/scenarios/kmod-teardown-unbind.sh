#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4
#
# kmod-teardown-unbind - nd_pmem unbound under the mounted fsdax filesystem
# (a raw sysfs unbind; ndctl itself refuses, see kmod-teardown) while a wait
# is tracked and while SCANs of a large, mapped file run in a loop:
#  - the memmap is torn down (memunmap_pages()) with the fs still mounted:
#    no SCAN may read it (the loop runs before, during and after the
#    unbind; each scan exits 0 or with a clear error, never killed), and the
#    kernel log stays clean (harness);
#  - the tracked wait turns page_gone, a kick is refused with "page is gone";
#  - the module answers, unloads with the wait still asleep, loads again.
# What the test must not do: wake that truncate, end the pin, or unmount.
# Each of those makes the kernel itself (not daxpin) read the torn-down
# memmap: measured on 6.1 without daxpin loaded ("Not tainted"), an Oops in
# ext4_break_layouts() (the waiter, woken by SIGTERM, re-checks
# page->_refcount) and in dax_disassociate_entry() (umount evicting DAX
# entries).  The pinned read
# stays queued in a suspended dm device until the VM powers off.
# ext4 only: on kernels that notify the holder before removal (xfs,
# MF_MEM_PRE_REMOVE), the fs freezes behind the stuck truncate.
# On 6.1 ext4 stays usable after the unbind, so the scans after it walk
# the file's DAX entries over the torn-down memmap (the SCAN bug: an Oops
# in daxpin_scan_file() without a pgmap reference per entry).  On 6.12 the
# unbind shuts ext4 down first ("shut down requested"), so new scans fail
# to open the file (EIO) and only a scan in flight at the unbind races
# with memunmap_pages().

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

w=/tmp/waits.json
st=/tmp/stats.json
scanlog=/tmp/scan.log

modprobe brd rd_nr=1 rd_size=65536 || die "modprobe brd failed"
modprobe dm-mod || die "modprobe dm-mod failed"
daxpin_load

# A large file whose DAX entries exist (every page write-faulted), kept
# open so that the unbind cannot evict its inode.
big=$DAX_MNT/big
"$DAXPIN_PINREAD" --dev /dev/ram0 --length 4096 --size $((64 << 20)) --create "$big" >/dev/null ||
	die "cannot populate $big"
exec 9<"$big"
"$DAXPINCTL" --json scan "$big" >/tmp/scan.json || die "scan failed"
entries=$(jq_py /tmp/scan.json 'd["scans"][0]["entries"]')
log "$big: $entries DAX entries"
[ "$entries" -gt 0 ] || die "no DAX entries in $big"

# A pin that lasts until released (never, here): the read waits in a
# suspended dm device.
dmsetup create --noudevsync hold --table "0 $(blockdev --getsz /dev/ram0) linear /dev/ram0 0" ||
	die "dmsetup create hold failed"
dmsetup mknodes hold
dmsetup suspend --noudevsync hold || die "dmsetup suspend hold failed"
PIN_DEV=/dev/mapper/hold
f=$DAX_MNT/victim
pin_start "$f" 0 4096
assert is_running "$PIN_PID"
stuck_start "$f"
tp=$STUCK_PID
wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 1 ]" 30 ||
	die "no wait tracked: $(cat $w)"
id=$(jq_py $w 'd["waits"][0]["id"]')
assert_eq false "$(jq_py $w 'd["waits"][0]["page_gone"]')" "page_gone before the unbind"

# Scans in a loop: one line per scan with its exit status.
(
	while :; do
		"$DAXPINCTL" scan "$big" >/dev/null 2>>/tmp/scan.err
		echo "$? $(cat /proc/uptime)" >>$scanlog
	done
) &
sp=$!
wait_for "[ -s $scanlog ] && [ \$(wc -l <$scanlog) -ge 3 ]" 60 || die "scan loop does not run"

dev=$(cd /sys/bus/nd/drivers/nd_pmem && ls -d pfn* namespace* 2>/dev/null | head -n 1)
[ -n "$dev" ] || die "nothing bound to nd_pmem"
before=$(wc -l <$scanlog)
log "unbinding $dev from nd_pmem under the mounted fs ($before scans so far)"
echo "$dev" >/sys/bus/nd/drivers/nd_pmem/unbind || die "unbind $dev failed"
log "unbound"
[ ! -b /dev/pmem0 ] || wait_for "[ ! -b /dev/pmem0 ]" 10 || die "/dev/pmem0 still there"
# Generous: each scan is a daxpinctl start (slow under TCG).
wait_for "[ \$(wc -l <$scanlog) -ge $((before + 20)) ]" 300 ||
	die "scan loop stalled after the unbind: $(wc -l <$scanlog) scans"
kill "$sp"
wait "$sp" 2>/dev/null
log "scans: $(wc -l <$scanlog), exit statuses: $(awk '{ print $1 }' $scanlog | sort | uniq -c | tr '\n' ' ')"
log "scan errors: $(sort /tmp/scan.err | uniq -c | head -n 5 | tr '\n' ' ')"
# 0, or a clear error; never killed by a signal (>= 128), never "module
# not loaded" (3).
awk '$1 >= 128 || $1 == 3 { bad = 1 } END { exit bad }' $scanlog ||
	die "a scan was killed or lost the module: $(awk '$1 >= 128 || $1 == 3' $scanlog | head -n 3)"

wait_for "[ \"\$(wait_field $id page_gone)\" = true ]" 30 ||
	die "wait $id not page_gone after the unbind: $(cat $w)"
log "wait $id: page_gone"
if "$DAXPINCTL" kick "$id" 2>/tmp/kick.err; then
	die "kick of a wait whose page is gone succeeded"
fi
log "kick refused: $(cat /tmp/kick.err)"
grep -q 'page is gone' /tmp/kick.err || die "unclear kick error: $(cat /tmp/kick.err)"
assert is_running "$tp"

"$DAXPINCTL" --json stats >$st || die "module does not answer after the unbind"
rmmod daxpin || die "rmmod daxpin with a page_gone wait failed"
daxpin_load
"$DAXPINCTL" --json stats >$st || die "module does not answer after reload"
log "kmod-teardown-unbind ok (truncate $tp left asleep on purpose, see the header)"
