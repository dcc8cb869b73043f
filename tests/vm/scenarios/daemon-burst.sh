#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fs: ext4
# timeout: 1500
#
# daemon-burst - bursts of short waits, more than daxpin.ko's event_burst
# lets through: the module drops events (events_dropped > 0), tells daxpind
# with an overrun record, daxpind logs a resync after it, and in the end
# every wait is accounted for exactly: the number of waits daxpind saw
# equals the module's per-filesystem "started" count, each of them ended
# (completed + interrupted + untracked + lost = seen; completed and
# interrupted each as the module counted them), none is left in flight, none
# was missed (waits_missed = 0: the ended-wait log did not overflow).  A
# wait whose start and end events were both dropped between two resync
# dumps is found in the module's ended-wait log.
#
# Each round: one held read pins a page in each of N files (pin_start
# --count), N truncates wait on them (daxpin-waiters --count), then all are
# ended together with SIGTERM (interrupted) and the read is released.  So
# N starts and N ends come in a burst each, whatever the guest's speed.
# Under TCG forking N processes takes seconds: the starts may then come
# slower than event_burst (200/s by default) and only the ends burst.  If
# no event at all was dropped after the rounds at the default event_burst,
# event_burst is lowered to 20 for one more round (logged), so that drops
# really happen.
#
# Usage: daemon-burst.sh [N [ROUNDS]]   (default 500 10)

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"
. "$DAXPIN_SRC/daemon/tests/vm-daemon-lib.sh"

n=${1:-500}
rounds=${2:-10}
wait_re='ext4_break_layouts|ext4_wait_dax_page'

daxpin_load
daemon_warmup
# No thresholds within a round: daxpind only has to follow the waits.
daemon_start '[Policy]\nWarnAfterSec=600\nStalledWake=no\n'

stats()
{
	"$DAXPINCTL" --json stats >/tmp/daxpind-vm/stats.json || die "daxpinctl stats failed"
}

dropped()
{
	stats
	jq_py /tmp/daxpind-vm/stats.json 'd["global"]["events_dropped"]'
}

counter()
{
	ctl '{"cmd":"status"}' | tr -d ' \n' | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

total=0
round()
{
	local r=$1 prefix=$DAX_MNT/burst.$1 t0 t1

	t0=$(now_ns)
	pin_start "$prefix" 0 0 --count "$n" --size 4096
	pr=$PIN_PID
	waiters_start --count "$n" "$prefix"
	pids=("${WAITER_PIDS[@]}")
	assert_eq "$n" "${#pids[@]}" "truncates started in round $r"
	wait_for "[ \"\$(count_waiting '$wait_re' ${pids[*]})\" = $n ]" 300 ||
		die "round $r: only $(count_waiting "$wait_re" "${pids[@]}") of $n truncates wait"
	t1=$(now_ns)
	kill -TERM "${pids[@]}"
	waiters_wait 300
	pin_release "$pr"
	rm -f "$prefix".*
	total=$((total + n))
	log "round $r: $n waits started in $(((t1 - t0) / 1000000)) ms (incl. the pin), ended together; events_dropped now $(dropped)"
}

# A round of short waits: the truncates get SIGTERM as soon as they are
# forked (releasing the pin instead could lose their wake-up on 6.1), so
# most waits last well under the second between two overrun records: a
# wait whose two events are both dropped then ends before any resync dump
# can show it in flight.
short_round()
{
	local r=$1 m=$2 prefix=$DAX_MNT/short.$1

	pin_start "$prefix" 0 0 --count "$m" --size 4096
	pr=$PIN_PID
	waiters_start --count "$m" "$prefix"
	kill -TERM "${WAITER_PIDS[@]}" 2>/dev/null
	waiters_wait 300
	pin_release "$pr"
	rm -f "$prefix".*
	log "short round $r: $m truncates, ended at once; events_dropped now $(dropped)"
}

start=$(now_ns)
for ((r = 1; r <= rounds; r++)); do
	round "$r"
done
secs=$((($(now_ns) - start) / 1000000000))
d=$(dropped)
log "$total waits in ${secs} s ($((total / (secs > 0 ? secs : 1))) waits/s, 2 events each); events_dropped=$d at event_burst=$(cat /sys/module/daxpin/parameters/event_burst)"
# Then, whatever the drops so far, event_burst 20 (5 a burst, 15 a
# second): one more round, and five short ones, where most events are
# dropped and many waits lose both their start and their end.
log "one more round and 5 short rounds at event_burst=20, so that most of their events are dropped"
echo 20 >/sys/module/daxpin/parameters/event_burst
round $((rounds + 1))
for ((r = 1; r <= 5; r++)); do
	short_round "$r" 100
done
d=$(dropped)
[ "$d" -gt 0 ] || die "no event was dropped: events_dropped=$d"

# Every wait accounted for: all ended (daxpind has none in flight), each
# seen once.  The figures first, then the verdicts.
wait_for "[ \"\$(counter waits_in_flight)\" = 0 ]" 120 ||
	log "daxpind still has $(counter waits_in_flight) wait(s) in flight after 120 s"
stats
started=$(jq_py /tmp/daxpind-vm/stats.json 'sum(f["started"] for f in d["superblocks"])')
seen=$(counter waits_tracked)
ended=$(($(counter completed) + $(counter interrupted) + $(counter untracked) + $(counter lost)))
missed=$(counter waits_missed)
log "module: started=$started events_sent=$(jq_py /tmp/daxpind-vm/stats.json 'd["global"]["events_sent"]') events_dropped=$(jq_py /tmp/daxpind-vm/stats.json 'd["global"]["events_dropped"]')"
log "daxpind: waits_tracked=$seen ended=$ended (interrupted $(counter interrupted), lost $(counter lost)) missed=${missed:-absent} in_flight=$(counter waits_in_flight) resyncs=$(counter resyncs) overruns=$(counter overruns)"

# The module told daxpind, which resynchronised after it.
dlog_wait 'Events were lost \(event overrun: daxpin\.ko dropped [0-9]+ event' 30 ||
	die "daxpind logged no resync after an overrun record: $(grep -iE 'overrun|resync' "$DLOG" | tail -5)"
log "daxpind: $(dlog_count 'Resynchronised \(event overrun: daxpin\.ko') resync(s) after overrun records, e.g. $(dlog_line 'Resynchronised \(event overrun: daxpin\.ko')"
log "waits daxpind never saw: $((started - seen)) of $started; ends found in the ended-wait log at resyncs: $(grep -oE '[0-9]+ ended \(from the ended-wait log\)' "$DLOG" | awk '{ s += $1 } END { print s + 0 }')"
assert_eq 0 "$(counter waits_in_flight)" "waits in flight at daxpind"
assert_eq "$started" "$seen" "waits daxpind saw vs the module's started count"
assert_eq "$seen" "$ended" "waits daxpind saw end"
# How each ended, as the module counted it: known even when its end event
# was dropped (the ended-wait log has the outcome).
assert_eq "$(jq_py /tmp/daxpind-vm/stats.json 'sum(f["interrupted"] for f in d["superblocks"])')" \
	"$(counter interrupted)" "waits daxpind saw end interrupted vs the module's count"
assert_eq "$(jq_py /tmp/daxpind-vm/stats.json 'sum(f["completed"] for f in d["superblocks"])')" \
	"$(counter completed)" "waits daxpind saw complete vs the module's count"
assert_eq 0 "${missed:-absent}" "waits daxpind knows only by count (ended-wait log overflowed)"
daemon_stop
log "daemon-burst ok"
