#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4 xfs
# timeout: 600
#
# kmod-rescue - issue 13 section 2: a stalled wait is rescued as soon as its
# pin drops, by daxpin.ko itself (rescue=yes, the default), and reported.
#
# 1. Module and daxpind on their defaults.  A truncate waits on a page
#    pinned by an O_DIRECT read into its own DAX mmap; the read is released.
#    On 6.1 (the lost wake-up, kmod/COMPAT.md) the module must wake it: a
#    "kicked" event flagged rescued, the wait counted stalled and kicked,
#    outcome completed, daxpind's log saying "daxpin.ko woke" and its
#    daxpin_waits_rescued_total metric 1, and no kick by daxpind itself.  The
#    time from the read's end to the rescue is printed and bounded
#    generously (15 s: a loaded TCG host; bench/rescue-latency measures it
#    under -icount).  On a kernel that wakes the waiter the truncate ends by
#    itself within the same bound.
# 2. The switch: config --rescue=no (SET_CONFIG) leaves a 6.1 waiter stalled
#    (daxpind stopped, so nothing else kicks); config --rescue=yes and the
#    next tick wakes it (the fallback that needs no put probe).

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"
. "$DAXPIN_SRC/daemon/tests/vm-daemon-lib.sh"

case $(uname -r) in
6.1.*) wakeup=lost ;;
*) wakeup=woken ;;
esac
log "expected after the read: $wakeup wake-up ($(uname -r))"

daxpin_load
daemon_warmup
mon=$DAXPIN_OUT/monitor.jsonl
monitor_start "$mon"
daemon_start ''

# ---- 1. defaults ------------------------------------------------------------
f=$DAX_MNT/victim
pin_start "$f" 0 4096
stuck_start "$f"
tp=$STUCK_PID
wait_on "$f"
id=$WID
log "wait $id in flight"
assert pin_held
pin_release
pin_end=$(real_to_boot_ns "$PIN_END_NS")
gone=$(wait_gone "$tp" 60) || die "truncate still asleep 60 s after the read's end: $(cat "$DLOG")"
wait "$tp"
assert_eq 0 "$?" "truncate exit status"
wait_for "monitor_has $mon 'e[\"event\"] == \"wait_end\" and e[\"wait\"][\"id\"] == $id'" 60 ||
	die "no wait end event: $(cat "$mon")"
assert_eq completed "$(event_field "$mon" "e['event'] == 'wait_end' and e['wait']['id'] == $id" "e['outcome']")" outcome
"$DAXPINCTL" --json stats >/tmp/stats.json || die "stats failed"
sb()
{
	jq_py /tmp/stats.json "sum(s['$1'] for s in d['superblocks'] if s['fs'] == '$DAXPIN_FS')"
}
if [ "$wakeup" = lost ]; then
	monitor_has "$mon" "e['event'] == 'kicked' and e['wait']['id'] == $id and e.get('rescued') is True and e.get('was_idle') is True" ||
		die "no rescued kicked event: $(cat "$mon")"
	t=$(event_field "$mon" "e['event'] == 'kicked' and e['wait']['id'] == $id" "e['time_ns']")
	assert_within "read end to the module's rescue" "$pin_end" "$t" 15000
	assert_within "read end to the truncate's exit (seen)" "$pin_end" "$gone" 15000
	assert_eq "1 1 1" "$(sb completed) $(sb stalls) $(sb kicks)" "completed, stalls, kicks"
	dlog_wait "daxpin\\.ko woke .*DAXPIN_WAIT_ID=$id " 30 ||
		die "daxpind did not report the rescue: $(cat "$DLOG")"
	log "daxpind: $(dlog_line 'daxpin\.ko woke')"
	[ "$(dlog_count 'Kicked stalled wait')" = 0 ] || die "daxpind kicked as well: $(cat "$DLOG")"
	dlog_wait "\\[wait-end\\].*DAXPIN_WAIT_ID=$id .*DAXPIN_OUTCOME=completed" 30 ||
		die "no wait-end line: $(cat "$DLOG")"
	wait_for "grep -q '^daxpin_waits_rescued_total 1\$' $DRUN/daxpind.prom" 30 ||
		die "metrics: $(grep rescued "$DRUN/daxpind.prom")"
else
	assert_within "read end to the truncate's exit (seen)" "$pin_end" "$gone" 15000
	assert_eq "1 0" "$(sb completed) $(sb kicks)" "completed, kicks (woken by the kernel)"
	[ "$(dlog_count 'daxpin\.ko woke')" = 0 ] || die "a woken wait was rescued: $(cat "$DLOG")"
fi
daemon_stop

# ---- 2. the switch ----------------------------------------------------------
"$DAXPINCTL" --json config >/tmp/config.json || die "config failed"
assert_eq true "$(jq_py /tmp/config.json 'd.get("rescue")')" "rescue by default"
"$DAXPINCTL" config --rescue=no >/dev/null || die "config --rescue=no failed"
"$DAXPINCTL" --json config >/tmp/config.json || die "config failed"
assert_eq false "$(jq_py /tmp/config.json 'd["rescue"]')" "rescue after --rescue=no"
f=$DAX_MNT/victim2
pin_start "$f" 0 4096
stuck_start "$f"
tp=$STUCK_PID
wait_on "$f"
id=$WID
pin_release
if [ "$wakeup" = lost ]; then
	wait_for "[ \"\$(wait_field $id stalled)\" = true ]" 60 ||
		die "wait $id not stalled with rescue=no"
	assert is_running "$tp"
	assert_eq 0 "$(wait_field "$id" kicks)" "kicks with rescue=no"
	log "rescue=no: wait $id stalled, not woken"
	"$DAXPINCTL" config --rescue=yes >/dev/null || die "config --rescue=yes failed"
	on=$(boot_ns)
	gone=$(wait_gone "$tp" 60) || die "truncate still asleep 60 s after --rescue=yes"
	assert_within "--rescue=yes to the truncate's exit (next tick)" "$on" "$gone" 15000
	wait_for "monitor_has $mon 'e[\"event\"] == \"kicked\" and e[\"wait\"][\"id\"] == $id and e.get(\"rescued\") is True'" 30 ||
		die "no rescued event for wait $id: $(cat "$mon")"
else
	wait_gone "$tp" 60 >/dev/null || die "truncate still asleep 60 s after the read's end"
fi
wait "$tp"
assert_eq 0 "$?" "truncate exit status"
kill "$MON_PID"
dmesg_check "rescue"
log "kmod-rescue ok"
