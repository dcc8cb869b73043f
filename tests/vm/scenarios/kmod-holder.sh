#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4 xfs
#
# kmod-holder - issue 13.1: who holds the busy page.  One process
# (daxpin-pinread) maps a DAX file MAP_SHARED and pins its first page with an
# O_DIRECT read held in flight; another (truncate) truncates the file and
# waits.  `daxpinctl --json waits` must name the pinning process (its pid and
# comm) as the only holder, with its mapping, and never the truncate.  Then
# the same with the buffer unmapped while the read stays in flight
# (daxpin-pinread --unmap): the page is pinned by nobody's mapping, and the
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
	local tp=$1 id

	pin_release
	if ! wait_gone "$tp" 5 >/dev/null; then
		for id in $("$DAXPINCTL" --json waits | python3 -c 'import json,sys; print(" ".join(str(w["id"]) for w in json.load(sys.stdin)["waits"]))'); do
			"$DAXPINCTL" kick "$id" >/dev/null || true
		done
	fi
	wait_gone "$tp" 60 >/dev/null || die "truncate $tp still asleep after the pin's end"
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
assert_eq "$tp" "$(jq_py $w 'd["waits"][0]["pid"]')" "waiter pid"
assert_eq 1 "$(jq_py $w 'len(d["waits"][0]["holders"])')" "holders listed"
assert_eq "$pinner" "$(jq_py $w 'd["waits"][0]["holders"][0]["tgid"]')" "holder tgid"
assert_eq "$pinner" "$(jq_py $w 'd["waits"][0]["holders"][0]["pid"]')" "holder pid"
assert_eq daxpin-pinread "$(jq_py $w 'd["waits"][0]["holders"][0]["comm"]')" "holder comm"
assert_eq 0 "$(jq_py $w 'd["waits"][0]["holders"][0]["uid"]')" "holder uid"
assert_eq true "$(jq_py $w 'd["waits"][0]["holders"][0]["shared"]')" "holder mapping shared"
assert_eq false "$(jq_py $w 'd["waits"][0]["holders"][0]["io"] or d["waits"][0]["holders"][0]["pfnmap"]')" "holder mapping VM_IO/VM_PFNMAP"
assert_eq false "$(jq_py $w 'd["waits"][0]["no_holder"]')" no_holder
assert_eq false "$(jq_py $w 'd["waits"][0]["holders_truncated"]')" holders_truncated
# the busy page (file offset 0) sits at the start of the pinner's mapping
assert_eq true "$(jq_py $w 'd["waits"][0]["holders"][0]["address"] == d["waits"][0]["holders"][0]["vm_start"]')" "address of offset 0"
maps=$(awk -v f="$f" '$NF == f { print $1 }' "/proc/$pinner/maps")
log "pinner $pinner maps $f at $maps"
assert_eq "$maps" "$(jq_py $w '"%x-%x" % (d["waits"][0]["holders"][0]["vm_start"], d["waits"][0]["holders"][0]["vm_end"])')" "mapping range (/proc/PID/maps)"
# the page's own DMA-pin state, per kernel: FOLL_PIN for O_DIRECT from 6.5
assert_eq "$(jq_py $w 'd["waits"][0]["dma_pinned"]')" "$(jq_py $w 'd["waits"][0]["holders"][0]["dma_pinned"]')" "holder dma_pinned = the page's"
log "holder dma_pinned=$(jq_py $w 'd["waits"][0]["holders"][0]["dma_pinned"]') mm_pinned=$(jq_py $w 'd["waits"][0]["holders"][0]["mm_pinned"]') on $(uname -r)"
# human output
"$DAXPINCTL" waits >/tmp/waits.txt || die "waits failed"
log "$(cat /tmp/waits.txt)"
grep -q " $pinner/daxpin-pinread " /tmp/waits.txt || die "no HOLDERS column naming $pinner"
"$DAXPINCTL" waits -v >/tmp/waitsv.txt || die "waits -v failed"
grep -q "holder pid $pinner tgid $pinner uid 0 daxpin-pinread at " /tmp/waitsv.txt ||
	die "no holder line in waits -v: $(cat /tmp/waitsv.txt)"
end_wait "$tp"

# --- 2. the mapping is gone, the pin stays ---------------------------------
f=$DAX_MNT/unmapped
pin_start "$f" 0 4096 --size 8192 --unmap
wait_for "grep -q '^pin-unmapped ' $PIN_LOG" 60 || die "pinread did not unmap: $(cat "$PIN_LOG")"
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
assert_eq true "$(jq_py $w 'd["waits"][0]["refcount"] >= 2')" "page still pinned"
assert_eq true "$(jq_py $w 'd["waits"][0]["no_holder"]')" no_holder
assert_eq 0 "$(jq_py $w 'len(d["waits"][0]["holders"])')" "holders listed"
"$DAXPINCTL" waits -v >/tmp/waitsv.txt || die "waits -v failed"
grep -q "no process maps the page" /tmp/waitsv.txt || die "waits -v does not say no process maps it: $(cat /tmp/waitsv.txt)"
end_wait "$tp"
kill "$mapper"

dmesg_check "kmod-holder"
log "kmod-holder ok"
