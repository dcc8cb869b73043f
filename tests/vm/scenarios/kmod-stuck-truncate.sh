#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4 xfs
#
# kmod-stuck-truncate - the module issue's first acceptance: a truncate that
# overlaps an O_DIRECT read into its DAX-mmapped page is tracked within 1 s
# with the right pid, comm, path, offset and refcount.  What follows the end
# of the read is the kernel's own behaviour, measured and recorded per kernel
# in kmod/COMPAT.md, and asserted exactly:
#  - lost wake-up (Debian 6.1: __bio_release_pages() drops the pin with
#    folio_put_refs(), which skips the fsdax wake_up_var()): the wait turns
#    idle and stalled within 1 s, a kick frees it within 1 s, and monitor saw
#    start, stalled and end (completed);
#  - woken (6.12, and by default any other kernel: unpin_user_folio() ->
#    gup_put_folio() wakes the waiter): the truncate exits by itself within
#    1 s, never kicked nor stalled, and monitor saw start and end
#    (completed) only.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

# The wake-up behaviour of each kernel, as measured (kmod/COMPAT.md); like
# baseline-stuck-truncate, kernels other than 6.1 are expected to wake.
case $(uname -r) in
6.1.*) wakeup=lost ;;
*) wakeup=woken ;;
esac
log "expected after the read: $wakeup wake-up ($(uname -r))"

# rescue=0: this scenario asserts the stall, its report and a manual kick;
# the module's own rescue (the default) is kmod-rescue's.
daxpin_load rescue=0
f=$DAX_MNT/victim
mon=$DAXPIN_OUT/monitor.jsonl
monitor_start "$mon"

pin_start "$f" 0 4096
t0=$(boot_ns)
stuck_start "$f"
tp=$STUCK_PID
w=/tmp/waits.json
wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 1 ]" 60 ||
	die "no wait listed: $(cat $w); truncate: $(proc_state "$tp") $(proc_stack "$tp" | head -n 3); events: $(cat "$mon")"
assert_within "truncate start to wait tracked" "$t0" "$(jq_py $w 'd["waits"][0]["start_ns"]')" 1000
log "tracked: $(cat $w)"
assert_eq "$tp" "$(jq_py $w 'd["waits"][0]["pid"]')" pid
assert_eq truncate "$(jq_py $w 'd["waits"][0]["comm"]')" comm
assert_eq "$f" "$(jq_py $w 'd["waits"][0]["path"]')" path
assert_eq 0 "$(jq_py $w 'd["waits"][0]["offset"]')" offset
assert_eq "$DAXPIN_FS" "$(jq_py $w 'd["waits"][0]["fs"]')" fs
assert_eq true "$(jq_py $w 'd["waits"][0]["refcount"] >= 2')" "refcount >= 2"
assert_eq false "$(jq_py $w 'd["waits"][0]["idle"]')" idle
id=$(jq_py $w 'd["waits"][0]["id"]')

assert pin_held
pin_release
pin_end=$(real_to_boot_ns "$PIN_END_NS")
if [ "$wakeup" = woken ]; then
	# pin_release may notice the read's end late on a loaded host: time the
	# end of the wait by the module's event, not by when we look.
	wait_gone "$tp" 60 >/dev/null ||
		die "truncate still asleep 60 s after the read's end: $(cat $w)"
	wait "$tp"
	assert_eq 0 "$?" "truncate exit status"
	wait_for "monitor_has $mon 'e[\"event\"] == \"wait_end\" and e[\"wait\"][\"id\"] == $id'" 60 ||
		die "no wait end event: $(cat "$mon")"
	assert_within "read end to wait end event" "$pin_end" \
		"$(event_field "$mon" "e['event'] == 'wait_end'" "e['time_ns']")" 1000
	assert_eq completed "$(event_field "$mon" "e['event'] == 'wait_end'" "e['outcome']")" "end event outcome"
	assert_eq 0 "$(event_field "$mon" "e['event'] == 'wait_end'" "e['wait']['kicks']")" "kicks at the end"
	assert_eq false "$(event_field "$mon" "e['event'] == 'wait_end'" "e['wait']['stalled']")" "stalled at the end"
	monitor_has "$mon" "e['event'] in ('wait_start', 'start') and e['wait']['id'] == $id" ||
		die "no wait start event: $(cat "$mon")"
	! monitor_has "$mon" "e['event'] in ('stalled', 'kicked')" ||
		die "a woken wait was reported stalled or kicked: $(cat "$mon")"
	waits_json $w || die "waits failed"
	assert_eq 0 "$(jq_py $w 'len(d["waits"])')" "waits after the wake-up"
	kill "$MON_PID"
	"$DAXPINCTL" --json stats >/tmp/stats.json || die "stats failed"
	log "stats: $(tr -d ' \n' </tmp/stats.json | head -c 600)"
	for k in completed:1 stalls:0 kicks:0 interrupted:0; do
		assert_eq "${k#*:}" "$(jq_py /tmp/stats.json "sum(s['${k%:*}'] for s in d['superblocks'] if s['fs'] == '$DAXPIN_FS')")" "${k%:*} count"
	done
	log "kmod-stuck-truncate ok (woken by the kernel, completed)"
	exit 0
fi
wait_for "[ \"\$(wait_field $id stalled)\" = true ]" 60 ||
	die "wait $id not stalled after the read's end: $(cat $w)"
wait_for "monitor_has $mon 'e[\"event\"] == \"stalled\"'" 60 || die "no stalled event"
assert_within "read end to stalled" "$pin_end" \
	"$(event_field "$mon" "e['event'] == 'stalled'" "e['time_ns']")" 1000
assert_eq true "$(wait_field "$id" idle)" idle
assert is_running "$tp"
log "stalled: truncate $tp still asleep with its page idle"

out=$("$DAXPINCTL" kick "$id") || die "kick $id failed"
gone=$(wait_gone "$tp" 60) || die "truncate still running 60 s after the kick"
# From the wake-up itself (the module's kicked event), not from when a
# loaded host got round to starting daxpinctl.
wait_for "monitor_has $mon 'e[\"event\"] == \"kicked\"'" 60 || die "no kicked event"
assert_within "kick to truncate exit" \
	"$(event_field "$mon" "e['event'] == 'kicked'" "e['time_ns']")" "$gone" 1000
log "kick: $out"
echo "$out" | grep -q 'was_idle' || die "kick did not print was_idle"
wait "$tp"
assert_eq 0 "$?" "truncate exit status"

wait_for "monitor_has $mon 'e[\"event\"] in (\"wait_end\", \"end\") and e[\"wait\"][\"id\"] == $id'" 60 ||
	die "no wait end event: $(cat "$mon")"
monitor_has "$mon" "e['event'] in ('wait_start', 'start') and e['wait']['id'] == $id" ||
	die "no wait start event: $(cat "$mon")"
monitor_has "$mon" "e['event'] == 'stalled' and e['wait']['id'] == $id" ||
	die "no stalled event: $(cat "$mon")"
monitor_has "$mon" "e['event'] in ('wait_end', 'end') and e['wait']['id'] == $id and e.get('outcome') in (0, 'completed')" ||
	die "wait end outcome is not 0 (completed): $(cat "$mon")"
kill "$MON_PID"

"$DAXPINCTL" --json stats >/tmp/stats.json || die "stats failed"
log "stats: $(cat /tmp/stats.json)"
log "kmod-stuck-truncate ok"
