#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fs: ext4
# timeout: 900
#
# daemon-ended-overflow - daxpin.ko's ended-wait log overflows, and daxpind
# counts exactly the waits it could not see.  The module is loaded with the
# smallest log (ended_log=4) and event_burst 0: every event is dropped, so
# daxpind learns only from the overrun records and the resync dump after
# each.  Each round, daxpind is stopped (SIGSTOP) while N truncates wait on
# pinned pages and are ended by SIGTERM, then continued: its resync finds
# at most 4 of the N ends in the log and is told how many records were
# overwritten.  In the end: waits daxpind saw + waits it counts as missed =
# the module's "started" count, exactly (a lost count off by one anywhere
# breaks the sum), with some missed; every wait it saw ended, none is left
# in flight, and its overflow warnings add up to the missed count.
#
# Usage: daemon-ended-overflow.sh [N [ROUNDS]]   (default 100 3)

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"
. "$DAXPIN_SRC/daemon/tests/vm-daemon-lib.sh"

n=${1:-100}
rounds=${2:-3}

daxpin_load ended_log=4
[ "$(cat /sys/module/daxpin/parameters/ended_log)" = 4 ] ||
	die "ended_log is $(cat /sys/module/daxpin/parameters/ended_log), not 4"
daemon_warmup
# Every overflow warning is a line: the log rate limit is lifted (with
# it, rounds that ran quickly had their third warning suppressed, and the
# warnings summed 192 of 288).
daemon_start '[Policy]\nWarnAfterSec=600\nStalledWake=no\n[Daemon]\nLogRateLimitIntervalSec=0\n'
echo 0 >/sys/module/daxpin/parameters/event_burst

counter()
{
	ctl '{"cmd":"status"}' | tr -d ' \n' | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

stats()
{
	"$DAXPINCTL" --json stats >/tmp/daxpind-vm/stats.json || die "daxpinctl stats failed"
}

for ((r = 1; r <= rounds; r++)); do
	prefix=$DAX_MNT/ovf.$r
	pin_start "$prefix" 0 0 --count "$n" --size 4096
	pr=$PIN_PID
	kill -STOP "$DPID"
	waiters_start --count "$n" "$prefix"
	wait_for "[ \"\$(count_waiting 'ext4_break_layouts|ext4_wait_dax_page' ${WAITER_PIDS[*]})\" = $n ]" 300 ||
		log "round $r: only $(count_waiting 'ext4_break_layouts|ext4_wait_dax_page' "${WAITER_PIDS[@]}") of $n truncates wait"
	kill -TERM "${WAITER_PIDS[@]}" 2>/dev/null
	waiters_wait 300
	pin_release "$pr"
	kill -CONT "$DPID"
	rm -f "$prefix".*
	log "round $r: $n truncates waited and ended while daxpind was stopped"
done

# The last drops' overrun record comes within a second or so; the resync
# after it settles every wait.
wait_for "[ \"\$(counter waits_in_flight)\" = 0 ]" 120 ||
	log "daxpind still has $(counter waits_in_flight) wait(s) in flight after 120 s"
stats
started=$(jq_py /tmp/daxpind-vm/stats.json 'sum(f["started"] for f in d["superblocks"])')
seen=$(counter waits_tracked)
missed=$(counter waits_missed)
ended=$(($(counter completed) + $(counter interrupted) + $(counter untracked) + $(counter lost)))
log "module: started=$started events_sent=$(jq_py /tmp/daxpind-vm/stats.json 'd["global"]["events_sent"]') events_dropped=$(jq_py /tmp/daxpind-vm/stats.json 'd["global"]["events_dropped"]')"
log "daxpind: waits_tracked=$seen missed=$missed ended=$ended (interrupted $(counter interrupted), lost $(counter lost)) in_flight=$(counter waits_in_flight) resyncs=$(counter resyncs) overruns=$(counter overruns)"
log "daxpind: $(dlog_count 'were overwritten') overflow warning(s), e.g. $(dlog_line 'were overwritten')"
assert_eq 0 "$(counter waits_in_flight)" "waits in flight at daxpind"
[ "${missed:-0}" -gt 0 ] || die "no wait was missed: the log of 4 never overflowed (started=$started seen=$seen)"
assert_eq "$started" "$((seen + missed))" "waits daxpind saw + missed vs the module's started count"
assert_eq "$seen" "$ended" "waits daxpind saw end"
told=$(grep -oE '[0-9]+ wait\(s\) ended unseen and their records' "$DLOG" | awk '{ s += $1 } END { print s + 0 }')
assert_eq "$missed" "$told" "waits missed vs the sum of daxpind's overflow warnings"
daemon_stop
log "daemon-ended-overflow ok"
