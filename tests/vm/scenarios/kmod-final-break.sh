#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4 xfs
#
# kmod-final-break - an inode evicted while one of its DAX pages is pinned.
#
# A page of a file is pinned by an O_DIRECT read (held by a suspended dm
# device) into the file's own DAX mapping; the reader then unmaps and
# closes the file (daxpin-pinread --drop-files), so that only the read's pin
# keeps the page, and the test unlinks the file: its inode is evicted.
#
#  - Linux 6.15+ (the kernel has dax_break_layout_final()): eviction waits,
#    uninterruptibly, in dax_break_layout_final() until the page is idle.
#    daxpin lists that wait with kind "final" (daxpinctl waits: KIND
#    column; --json: "kind"); SIGTERM to the waiter neither ends it nor
#    makes daxpin call it interrupted; a kick wakes it and it sleeps again
#    (the page is still pinned: it must not go on); once the pin drops the
#    wait ends, outcome completed (the kernel wakes it:
#    free_zone_device_folio(); nothing else could, the page being busy
#    until then), and the unlinking task goes on.  Times are printed.
#  - Older kernels have no final break: evicting an inode whose page is
#    pinned does not wait and trips the kernel's own WARN_ON_ONCE in
#    dax_disassociate_entry() (seen on 6.12; the bug dax_break_layout_final()
#    fixed in 6.15), which fails any run.  There the scenario checks the
#    contrast instead: a truncate's wait on the pinned page is listed with
#    kind "break", and SIGTERM ends it (outcome interrupted, exit 143).

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

if grep -qw dax_break_layout_final /proc/kallsyms; then
	final=1
else
	final=0
fi
log "dax_break_layout_final in this kernel: $final ($(uname -r))"

daxpin_load
f=$DAX_MNT/victim
mon=$DAXPIN_OUT/monitor.jsonl
monitor_start "$mon"

w=/tmp/waits.json
if [ "$final" = 0 ]; then
	pin_start "$f" 0 4096
	stuck_start "$f"
	tp=$STUCK_PID
	wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 1 ]" 60 ||
		die "no wait listed: $(cat $w)"
	id=$(jq_py $w 'd["waits"][0]["id"]')
	assert_eq break "$(jq_py $w 'd["waits"][0]["kind"]')" "kind of a truncate's wait"
	kill -TERM "$tp"
	wait_gone "$tp" 60 >/dev/null || die "truncate still there 60 s after SIGTERM"
	wait "$tp"
	assert_eq 143 "$?" "truncate exit status (SIGTERM)"
	wait_for "monitor_has $mon 'e[\"event\"] == \"wait_end\" and e[\"wait\"][\"id\"] == $id'" 60 ||
		die "no wait end event: $(cat "$mon")"
	assert_eq interrupted "$(event_field "$mon" "e['event'] == 'wait_end'" "e['outcome']")" "end event outcome"
	assert_eq break "$(event_field "$mon" "e['event'] == 'wait_end'" "e['wait']['kind']")" "kind in the end event"
	pin_release
	kill "$MON_PID"
	log "kmod-final-break ok (no final break on this kernel; a break wait is kind break and interruptible)"
	exit 0
fi

pin_start "$f" 0 4096 --drop-files
wait_for "grep -q '^pin-dropped' '$PIN_LOG'" 60 ||
	die "the reader did not drop its mapping: $(cat "$PIN_LOG")"
assert pin_held
ls -l /proc/"$PIN_PID"/fd | grep -q victim && die "the reader still holds the file open"

t0=$(boot_ns)
stuck_start "$f" rm -f "$f"
rmpid=$STUCK_PID

wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 1 ]" 60 ||
	die "no wait listed: $(cat $w); rm: $(proc_state "$rmpid") $(proc_stack "$rmpid" | head -n 5); events: $(cat "$mon")"
log "tracked: $(tr -d ' \n' <$w)"
# Figures, bounded generously: rm's own start on a loaded host is no part
# of what is tested (the wait is there; its kind, and that only the
# kernel's wake-up can end it, are).
assert_within "unlink start to wait tracked" "$t0" "$(jq_py $w 'd["waits"][0]["start_ns"]')" 10000
id=$(jq_py $w 'd["waits"][0]["id"]')
assert_eq final "$(jq_py $w 'd["waits"][0]["kind"]')" "kind"
assert_eq 0 "$(jq_py $w 'd["waits"][0]["offset"]')" offset
assert_eq "$DAXPIN_FS" "$(jq_py $w 'd["waits"][0]["fs"]')" fs
assert_eq false "$(jq_py $w 'd["waits"][0]["idle"]')" idle
# ext4 evicts in the unlinking task; another filesystem may hand the
# inode to a worker: then the worker waits and rm has returned.
waiter=$(jq_py $w 'd["waits"][0]["pid"]')
log "waiter: pid $waiter ($(jq_py $w 'd["waits"][0]["comm"]')), rm is $rmpid"
"$DAXPINCTL" waits | tee /tmp/waits.txt
grep -qE "^KIND|[[:space:]]KIND[[:space:]]" /tmp/waits.txt || die "no KIND column in daxpinctl waits"
grep -qE "^$id[[:space:]].*[[:space:]]final[[:space:]]" /tmp/waits.txt ||
	die "wait $id not shown as final by daxpinctl waits"
assert_eq D "$(proc_state "$waiter")" "waiter state (uninterruptible)"

# A signal cannot end it: it stays queued, with the signal pending.
if [ "$waiter" = "$rmpid" ]; then
	kill -TERM "$rmpid"
	wait_for "grep -qE '^ShdPnd:.*[1-9a-f]|^SigPnd:.*[1-9a-f]' /proc/$rmpid/status" 60 ||
		die "SIGTERM not pending for $rmpid"
	assert_eq D "$(proc_state "$rmpid")" "rm state with SIGTERM pending"
fi
# A kick wakes it; the page is still pinned, so it must sleep again.
out=$("$DAXPINCTL" kick "$id") || die "kick $id failed"
log "kick: $out"
wait_for "monitor_has $mon 'e[\"event\"] == \"kicked\"'" 60 || die "no kicked event"
assert_eq false "$(event_field "$mon" "e['event'] == 'kicked'" "e['was_idle']")" "was_idle at the kick"
# dax_break_layout_final() leaves its loop only once no page is busy: with
# the pin held the eviction cannot go on, whatever woke the waiter.
wait_for "[ \"\$(wait_field $id kicks)\" = 1 ]" 60 || die "kick not counted"
assert pin_held
assert is_running "$waiter"
assert_eq final "$(wait_field "$id" kind)" "kind after the kick"
assert_eq false "$(wait_field "$id" idle)" "idle after the kick"
[ -e "$f" ] && die "$f still exists: the unlink did not happen"

pin_release
pin_end=$(real_to_boot_ns "$PIN_END_NS")
wait_for "monitor_has $mon 'e[\"event\"] == \"wait_end\" and e[\"wait\"][\"id\"] == $id'" 60 ||
	die "no wait end event after the pin dropped: $(cat "$mon")"
assert_within "read end to wait end event" "$pin_end" \
	"$(event_field "$mon" "e['event'] == 'wait_end'" "e['time_ns']")" 10000
assert_eq completed "$(event_field "$mon" "e['event'] == 'wait_end'" "e['outcome']")" "end event outcome"
assert_eq final "$(event_field "$mon" "e['event'] == 'wait_end'" "e['wait']['kind']")" "kind in the end event"
assert_eq final "$(event_field "$mon" "e['event'] in ('wait_start', 'start')" "e['wait']['kind']")" "kind in the start event"
wait_gone "$rmpid" 60 >/dev/null || die "rm still running 60 s after the pin dropped"
wait "$rmpid"
rc=$?
if [ "$waiter" = "$rmpid" ]; then
	# The unlink completed; the pending SIGTERM then killed rm.
	assert_eq 143 "$rc" "rm exit status (SIGTERM delivered after the unlink)"
else
	assert_eq 0 "$rc" "rm exit status"
fi
waits_json $w || die "waits failed"
assert_eq 0 "$(jq_py $w 'len(d["waits"])')" "waits after the pin dropped"
kill "$MON_PID"
"$DAXPINCTL" --json stats >/tmp/stats.json || die "stats failed"
for k in completed:1 interrupted:0 stalls:0; do
	assert_eq "${k#*:}" "$(jq_py /tmp/stats.json "sum(s['${k%:*}'] for s in d['superblocks'] if s['fs'] == '$DAXPIN_FS')")" "${k%:*} count"
done
log "kmod-final-break ok (final break listed, uninterruptible, ended by the kernel once the pin dropped)"
