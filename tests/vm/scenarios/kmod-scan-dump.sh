#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4
#
# kmod-scan-dump - SCAN is a dump read a batch at a time: with 4,100 pages of
# one file pinned by an O_DIRECT read held on a suspended device, root's scan
# lists exactly DAXPIN_SCAN_MAX_PAGES (4096) distinct pages in ascending
# order, each with its pfn, and says the list is truncated; an unprivileged
# reader (open_reads=1) gets the same pages without a pfn, and is refused
# with open_reads=0; once the read completes no page is busy.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

as_nobody()
{
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
}

daxpin_load
f=$DAX_MNT/big
s=/tmp/scan.json
pages=4100

# A held pin: the read waits on a suspended device until pin_release.
pin_start "$f" 0 $((pages * 4096))
assert is_running "$PIN_PID"

"$DAXPINCTL" --json scan "$f" >$s || die "scan failed: $(cat $s)"
assert_eq 4096 "$(jq_py $s 'len(d["scans"][0]["pages"])')" "pages listed (the cap)"
assert_eq true "$(jq_py $s 'd["scans"][0]["truncated"]')" "truncated"
offs="[p['offset'] for p in d['scans'][0]['pages']]"
assert_eq true "$(jq_py $s "$offs == sorted(set($offs))")" "distinct ascending offsets"
assert_eq true "$(jq_py $s "$offs == [i * 4096 for i in range(4096)]")" "the first 4096 pages of the file"
assert_eq true "$(jq_py $s "all(p['pfn'] is not None and p['refcount'] >= 2 for p in d['scans'][0]['pages'])")" \
	"root sees every pfn"
log "root: $(jq_py $s 'd["scans"][0]["busy"]') busy pages listed, entries $(jq_py $s 'd["scans"][0]["entries"]')"

if as_nobody "$DAXPINCTL" scan "$f" >/tmp/out 2>/tmp/err; then
	die "unprivileged scan with open_reads=0 succeeded"
fi
log "nobody, open_reads=0: $(cat /tmp/err)"
grep -qiE 'permission|not permitted' /tmp/err || die "no clear permission error"

echo 1 >/sys/module/daxpin/parameters/open_reads
as_nobody "$DAXPINCTL" --json scan "$f" >$s 2>/tmp/err || die "nobody's scan failed: $(cat /tmp/err)"
assert_eq 4096 "$(jq_py $s 'len(d["scans"][0]["pages"])')" "pages listed to nobody"
assert_eq true "$(jq_py $s "all(p['pfn'] is None for p in d['scans'][0]['pages'])")" \
	"no pfn for an unprivileged reader"
echo 0 >/sys/module/daxpin/parameters/open_reads

pin_release "$PIN_PID" 120
"$DAXPINCTL" --json scan "$f" >$s || die "scan failed: $(cat $s)"
assert_eq 0 "$(jq_py $s 'len(d["scans"][0]["pages"])')" "busy pages after the read"
assert_eq false "$(jq_py $s 'd["scans"][0]["truncated"]')" "truncated after the read"
log "kmod-scan-dump ok"
