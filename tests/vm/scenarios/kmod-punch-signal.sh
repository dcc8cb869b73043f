#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4 xfs
#
# kmod-punch-signal - a hole punch (fallocate -p) on a pinned page is tracked
# like a truncate; SIGTERM to the waiting task ends the wait, and both the
# end event and the statistics say "interrupted".
#
# The signal must arrive while the read still pins the page: on kernels that
# wake the waiter at the read's end (6.12, kmod/COMPAT.md) a later signal
# finds the punch done.  So the read is held (pin_start) until everything
# is checked, and released only at the end.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

daxpin_load
f=$DAX_MNT/punched
mon=$DAXPIN_OUT/monitor.jsonl
monitor_start "$mon"

pin_start "$f" 0 8192
t0=$(boot_ns)
stuck_start "$f" fallocate -p -o 0 -l 4096 "$f"
tp=$STUCK_PID
w=/tmp/waits.json
wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 1 ]" 60 ||
	die "hole punch not tracked: $(cat $w)"
assert pin_held
kill -TERM "$tp"
assert_within "punch start to wait tracked" "$t0" "$(jq_py $w 'd["waits"][0]["start_ns"]')" 1000
assert_eq "$tp" "$(jq_py $w 'd["waits"][0]["pid"]')" pid
assert_eq fallocate "$(jq_py $w 'd["waits"][0]["comm"]')" comm
assert_eq "$f" "$(jq_py $w 'd["waits"][0]["path"]')" path
assert_eq true "$(jq_py $w 'd["waits"][0]["refcount"] >= 2')" "refcount >= 2"
id=$(jq_py $w 'd["waits"][0]["id"]')

wait "$tp"
rc=$?
log "fallocate exit status after SIGTERM: $rc"
assert_eq 143 "$rc" "fallocate exit status"
wait_for "monitor_has $mon 'e[\"event\"] == \"wait_end\" and e[\"wait\"][\"id\"] == $id'" 60 ||
	die "no wait end event: $(cat "$mon")"
assert_eq interrupted "$(event_field "$mon" "e['event'] == 'wait_end'" "e['outcome']")" "end event outcome"
wait_for "[ \"\$(jq_py $w 'len(d[\"waits\"])' 2>/dev/null)\" = 0 ] || ! waits_json $w" 0 || waits_json $w
assert_eq 0 "$(jq_py $w 'len(d["waits"])')" "waits after the signal"

"$DAXPINCTL" --json stats >/tmp/stats.json || die "stats failed"
log "stats: $(tr -d ' \n' </tmp/stats.json | head -c 600)"
assert_eq 1 "$(jq_py /tmp/stats.json "sum(s['interrupted'] for s in d['superblocks'] if s['fs'] == '$DAXPIN_FS')")" "interrupted count"
assert_eq 0 "$(jq_py /tmp/stats.json "sum(s['completed'] for s in d['superblocks'] if s['fs'] == '$DAXPIN_FS')")" "completed count"
assert pin_held
pin_release
kill "$MON_PID"
log "kmod-punch-signal ok"
