#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4 xfs
# timeout: 900
#
# kmod-holder - issue 13.1: who holds the busy page.  One process
# (daxpin-pinread) maps a DAX file MAP_SHARED and pins its first page with an
# O_DIRECT read held in flight; another (truncate) truncates the file and
# waits.  `daxpinctl --json waits` must name the pinning process (its pid and
# comm) as the only holder, with its mapping, and never the truncate.  Then
# the same with the buffer unmapped while the read stays in flight
# (daxpin-pinread --drop-files): the page is pinned by nobody's mapping, and the
# module must say so (no_holder) rather than name anyone.  Another process
# keeps the file's second page mapped: with no mapping of the file at all
# the kernel does not wait (dax_layout_busy_page_range() returns at once when
# !mapping_mapped(), and 6.1 then WARNs in dax_disassociate_entry() when the
# truncate drops the still-referenced page: measured here on 6.1.0-57).

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

w=/tmp/waits.json

# end_wait TRUNCATE_PID: release the last pin and see the truncate through
# (6.1 loses the wake-up: kick it; elsewhere the kernel wakes it).
end_wait()
{
	local tp=$1

	pin_release
	log "pin released"
	# 6.1 loses the wake-up: kick it once the module judges it stalled
	wait_for "! is_running $tp || { \"$DAXPINCTL\" kick --stalled >/dev/null; false; }" 60 ||
		die "truncate $tp still asleep after the pin's end"
	log "truncate $tp ended"
	wait "$tp"
	assert_eq 0 "$?" "truncate exit status"
}

# one_wait: wait until exactly one wait is listed; leaves it in $w
one_wait()
{
	wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 1 ]" 60 ||
		die "no wait listed: $(cat $w)"
}

daxpin_load

# --- 1. the mapping process holds the page ---------------------------------
f=$DAX_MNT/held
pin_start "$f" 0 4096
pinner=$PIN_PID
stuck_start "$f"
tp=$STUCK_PID
one_wait
log "waits: $(cat $w)"
# one interpreter start for all the checks (seconds each under TCG)
maps=$(awk -v f="$f" '$NF == f { print $1 }' "/proc/$pinner/maps")
log "pinner $pinner maps $f at $maps"
got=$(jq_py $w '(lambda x, h: " ".join(str(v) for v in (
	x["pid"], len(x["holders"]), h["tgid"], h["pid"], h["comm"], h["uid"],
	h["shared"], h["io"] or h["pfnmap"], x["no_holder"], x["holders_truncated"],
	h["address"] == h["vm_start"], "%x-%x" % (h["vm_start"], h["vm_end"]),
	h["dma_pinned"] == x["dma_pinned"], h["dma_pinned"], h["mm_pinned"])))(
	d["waits"][0], d["waits"][0]["holders"][0])')
log "checks: $got"
# waiter pid, one holder: the pinner (tgid, pid, comm, uid), its shared
# mapping (no VM_IO/VM_PFNMAP), not "none" nor truncated, the busy page
# (file offset 0) at the start of the mapping, the range /proc/PID/maps
# shows, and the page's own DMA-pin state (FOLL_PIN for O_DIRECT from 6.5)
set -- $got
assert_eq "$tp 1 $pinner $pinner daxpin-pinread 0 True False False False True $maps True" \
	"${*:1:13}" "waiter pid, holders, tgid, pid, comm, uid, shared, io|pfnmap, no_holder, truncated, address, range, dma_pinned"
log "holder dma_pinned=${14} mm_pinned=${15} on $(uname -r)"
# human output
"$DAXPINCTL" waits >/tmp/waits.txt || die "waits failed"
log "$(cat /tmp/waits.txt)"
grep -q " $pinner/daxpin-pinread " /tmp/waits.txt || die "no HOLDERS column naming $pinner"
"$DAXPINCTL" waits -v >/tmp/waitsv.txt || die "waits -v failed"
grep -q "holder pid $pinner tgid $pinner uid 0 daxpin-pinread at " /tmp/waitsv.txt ||
	die "no holder line in waits -v: $(cat /tmp/waitsv.txt)"
# a kick on the busy page is harmless (the waiter re-checks and sleeps on)
# and says who holds it
id=$(sed -n 's/^\([0-9][0-9]*\) .*/\1/p' /tmp/waits.txt)
out=$("$DAXPINCTL" kick "$id") || die "kick $id failed"
log "kick: $out"
grep -q "was_idle=no .* holders=$pinner/daxpin-pinread$" <<<"$out" || die "kick does not name the holder: $out"
end_wait "$tp"

# --- 2. the mapping is gone, the pin stays ---------------------------------
f=$DAX_MNT/unmapped
pin_start "$f" 0 4096 --size 8192 --drop-files
wait_for "grep -q '^pin-dropped ' $PIN_LOG" 60 || die "pinread did not unmap: $(cat "$PIN_LOG")"
! awk -v f="$f" '$NF == f' "/proc/$PIN_PID/maps" | grep -q . || die "$f still mapped"
# the other page's mapper: maps file offset 4096 only, until killed
mapped=/tmp/mapper.out
python3 -c '
import mmap, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 4096, offset=4096)
m[0] = m[0]
print("mapped", flush=True)
while True:
	time.sleep(3600)
' "$f" >"$mapped" &
mapper=$!
lib_at_exit "kill $mapper 2>/dev/null"
wait_for "grep -q mapped $mapped" 60 || die "mapper did not map $f"
stuck_start "$f" truncate -s 4096 "$f"
tp=$STUCK_PID
one_wait
log "waits: $(cat $w)"
assert_eq "True True 0" "$(jq_py $w '"%s %s %s" % (d["waits"][0]["refcount"] >= 2, d["waits"][0]["no_holder"], len(d["waits"][0]["holders"]))')" \
	"page still pinned, no_holder, holders listed"
"$DAXPINCTL" waits -v >/tmp/waitsv.txt || die "waits -v failed"
grep -q "no process maps the page" /tmp/waitsv.txt || die "waits -v does not say no process maps it: $(cat /tmp/waitsv.txt)"
end_wait "$tp"
kill "$mapper"

dmesg_check "kmod-holder"
log "kmod-holder ok"
