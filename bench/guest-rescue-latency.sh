#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM (see bench/rescue-latency): how soon after a pin drops
# does a truncate that lost its wake-up (Debian 6.1) return, with daxpind
# running on its defaults (an empty configuration file)?
#
#   guest-rescue-latency.sh ROUNDS [KMOD_DIR [MANY]]
#
# Each round: an O_DIRECT read into the file's own DAX mmap, held in a
# suspended dm device (pin_start); a truncate that waits on that page,
# started from a process already running, which reads CLOCK_MONOTONIC the
# moment truncate(2) returns; the read released (pin_release).  The pin
# drops when __bio_release_pages() returns (it drops the read's page
# references; kmod/COMPAT.md): a trace event on that return, stamped with
# trace_clock "mono", marks it.  The figure is truncate return - that
# return, on the guest's clock.  (The reader's own return is no reference:
# an AIO read is completed to user space before its pages are released, and
# a rescued truncate often returns first.)  KMOD_DIR/<release>/
# daxpin.ko is the module (default: the source tree's build), so the same
# script measures older code (bench/rescue-latency -B).
# Prints "round N: M ms", then "median of N rounds: M ms", the rescues
# daxpind reported, and a BENCH-JSON line.
#
# MANY > 0 (after the rounds): one read pins a page in each of MANY files
# (pin_start --count), MANY truncates wait on them (daxpin-waiters --count
# --stamp), all past daxpind's WarnAfterSec (5 s by default); then the read
# is released (daxpind's policy on its defaults, its log's rate limit
# lifted: LogRateLimitIntervalSec=0, so that each warning is a line).
# Prints how late each warning came after its threshold
# (DAXPIN_WAITED_MS - 5000), each waiter's wake-up (the rescue:
# sched_wakeup, traced) and each truncate's return after the first page
# release of the read, daxpind's CPU time over the run, and the events the
# module dropped and daxpind's resyncs; "many-check" lines say whether each
# bound held (0.5 s, 50 ms).

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"
. "$DAXPIN_SRC/daemon/tests/vm-daemon-lib.sh"

rounds=${1:-10}
[ -z "${2:-}" ] || DAXPIN_KO=$2/$(uname -r)/daxpin.ko
many=${3:-0}

# A waiter that stamps its own return: no process is spawned in between.
truncater()
{
	python3 -c '
import os, sys, time
sys.stdout.write("ready\n"); sys.stdout.flush()
os.truncate(sys.argv[1], 0)
sys.stdout.write("truncated %d\n" % time.clock_gettime_ns(time.CLOCK_MONOTONIC))
' "$1"
}

tr=/sys/kernel/tracing
[ -d $tr/events ] || tr=/sys/kernel/debug/tracing
echo mono >$tr/trace_clock || die "no trace_clock mono"
echo 'r:daxpin_bench_put __bio_release_pages' >>$tr/kprobe_events ||
	die "no kprobe event on __bio_release_pages"
echo 1 >$tr/events/kprobes/daxpin_bench_put/enable || die "cannot enable the trace event"

# first_put_ns: the first __bio_release_pages() return traced since the
# trace was cleared, in CLOCK_MONOTONIC ns.
first_put_ns()
{
	awk '/daxpin_bench_put:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) {
		split(substr($i, 1, length($i) - 1), t, ".");
		printf "%d%06d000\n", t[1], t[2]; exit } }' $tr/trace
}

daxpin_load
daemon_warmup
python3 -c 'import os, sys, time' || die "no python3"
daemon_start ''
log "daxpind on defaults; module: $("$DAXPINCTL" --json config | tr -d ' \n')"

ms=()
for r in $(seq 1 "$rounds"); do
	f=$DAX_MNT/rescue-$r
	pin_start "$f" 0 4096
	out=/tmp/truncater.$r
	truncater "$f" >"$out" &
	tp=$!
	wait_for "waits_json /tmp/w.json && tr -d ' \\n' </tmp/w.json | grep -q '\"path\":\"$f\"'" 120 ||
		die "round $r: no wait on $f: $(cat /tmp/w.json) $(cat "$out")"
	assert pin_held
	echo >$tr/trace
	pin_release
	wait_gone "$tp" 120 >/dev/null || die "round $r: truncate still asleep 120 s after the read's end"
	wait "$tp" || die "round $r: truncate failed: $(cat "$out")"
	end=$(awk '$1 == "truncated" { print $2 }' "$out")
	[ -n "$end" ] || die "round $r: no stamp: $(cat "$out")"
	put=$(first_put_ns)
	[ -n "$put" ] || die "round $r: no __bio_release_pages return traced: $(cat $tr/trace)"
	ms+=("$(((end - put) / 1000))")
	echo "round $r: $(awk -v us="${ms[-1]}" 'BEGIN { printf "%.2f", us / 1000 }') ms from the pin's drop to the truncate's return"
	rm -f "$f"
done
# ---- MANY simultaneous waits --------------------------------------------------
stats_json()
{
	"$DAXPINCTL" --json stats >/tmp/stats.json || die "daxpinctl stats failed"
}

daemon_cpu_ticks()
{
	awk '{ print $14 + $15 }' /proc/"$DPID"/stat
}

many_run()
{
	local prefix=$DAX_MNT/many cpu0 cpu1 drop0 drop1 t0 t1 put

	# Policy on its defaults; only the log's rate limit (10 messages of a
	# kind per 30 s) is lifted, so that every warning can be timed.
	daemon_stop
	daemon_start '[Daemon]\nLogRateLimitIntervalSec=0\n'
	pin_start "$prefix" 0 0 --count "$many" --size 4096
	pr=$PIN_PID
	stats_json
	drop0=$(jq_py /tmp/stats.json 'd["global"]["events_dropped"]')
	res0=$(ctl '{"cmd":"status"}' | tr -d ' \n' | sed -n 's/.*"resyncs":\([0-9]*\).*/\1/p')
	cpu0=$(daemon_cpu_ticks)
	t0=$(awk '{ print $1 }' /proc/uptime)
	waiters_start --stamp --count "$many" "$prefix"
	wait_for "stats_json && [ \"\$(jq_py /tmp/stats.json 'd[\"global\"][\"waits_in_flight\"]')\" = $many ]" 900 ||
		die "many: only $(jq_py /tmp/stats.json 'd["global"]["waits_in_flight"]') of $many waits tracked"
	log "many: $many waits in flight"
	# The rescue is the wake-up: trace each waiter's (one vCPU: return
	# times also queue behind the other $many - 1 truncates).
	echo 'comm == "daxpin-waiters"' >$tr/events/sched/sched_wakeup/filter
	echo 1 >$tr/events/sched/sched_wakeup/enable
	wait_for "[ \"\$(dlog_count '\\[wait-slow\\]')\" -ge $many ]" 120 ||
		die "many: only $(dlog_count '\[wait-slow\]') of $many warnings; daxpind: $(ctl '{"cmd":"status"}' | tr -d '\n' | head -c 1500); log tail: $(tail -n 15 "$DLOG")"
	echo >$tr/trace
	pin_release "$pr" 900
	waiters_wait 900
	put=$(first_put_ns)
	[ -n "$put" ] || die "many: no __bio_release_pages return traced"
	echo 0 >$tr/events/sched/sched_wakeup/enable
	# pid and mono ns of each waiter's first wake-up after the release
	awk '/sched_wakeup:/ { for (i = 1; i <= NF; i++) {
		if ($i ~ /^[0-9]+\.[0-9]+:$/) { split(substr($i, 1, length($i) - 1), t, "."); ts = t[1] t[2] "000" }
		if ($i ~ /^pid=/) pid = substr($i, 5) }
		if (!(pid in seen)) { seen[pid] = 1; print pid, ts } }' $tr/trace >/tmp/woken
	# Let the last events reach daxpind, then read its books.
	wait_for "[ \"\$(dlog_count '\\[wait-end\\]|\\[resync\\]')\" -gt 0 ]" 60 || true
	sleep 2
	cpu1=$(daemon_cpu_ticks)
	t1=$(awk '{ print $1 }' /proc/uptime)
	stats_json
	drop1=$(jq_py /tmp/stats.json 'd["global"]["events_dropped"]')
	res1=$(ctl '{"cmd":"status"}' | tr -d ' \n' | sed -n 's/.*"resyncs":\([0-9]*\).*/\1/p')
	grep -E '\[wait-slow\]' "$DLOG" | sed -n 's/.* DAXPIN_WAITED_MS=\([0-9]*\).*/\1/p' >/tmp/warn_ms
	awk '$1 == "returned" { print $2, $3, $4 }' "$WAITERS_LOG" >/tmp/returned
	python3 - "$many" "$put" "$((cpu1 - cpu0))" "$(getconf CLK_TCK)" "$t0" "$t1" \
		"$((drop1 - drop0))" "$((${res1:-0} - ${res0:-0}))" "$(dlog_count 'daxpin\.ko woke')" \
		"$(jq_py /tmp/stats.json "sum(s['kicks'] for s in d['superblocks'])")" <<'PY'
import json, statistics, sys
many, put, ticks, hz = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
t0, t1, dropped, resyncs = float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
rescued_logged, kicked = int(sys.argv[9]), int(sys.argv[10])
warn = [int(x) - 5000 for x in open("/tmp/warn_ms").read().split()]
ret = [l.split() for l in open("/tmp/returned") if l.strip()]
woken = dict(l.split() for l in open("/tmp/woken") if l.strip())
wake = [(int(woken[pid]) - put) / 1e6 for pid, ns, e in ret if pid in woken]
lat = [(int(ns) - put) / 1e6 for pid, ns, e in ret]
errs = sum(1 for pid, ns, e in ret if e != "0")
cpu_ms = ticks * 1000.0 / hz
print("many: %d waits; warnings %d, late by median %d ms, max %d ms, min %d ms after WarnAfterSec=5"
      % (many, len(warn), statistics.median(warn), max(warn), min(warn)))
print("many: waiters woken %d, after the read's first page release: median %.2f ms, max %.2f ms"
      % (len(wake), statistics.median(wake) if wake else -1, max(wake) if wake else -1))
print("many: truncates returned %d (%d failed), after the first page release: median %.1f ms, max %.1f ms"
      % (len(lat), errs, statistics.median(lat), max(lat)))
print("many: daxpind CPU %.0f ms over %.1f s of guest time (%.2f%%); module events dropped %d; daxpind resyncs %d; "
      "rescues logged by daxpind %d, kicked (module stats, cumulative) %d"
      % (cpu_ms, t1 - t0, cpu_ms / 10 / (t1 - t0), dropped, resyncs, rescued_logged, kicked))
ok_warn = len(warn) == many and max(warn) <= 500 and min(warn) >= -500
ok_rescue = len(wake) == many and errs == 0 and max(wake) <= 50
print("many-check warnings within 0.5 s: %s" % ("yes" if ok_warn else "NO"))
print("many-check every waiter woken within 50 ms of the pin's drop: %s" % ("yes" if ok_rescue else "NO"))
print("BENCH-JSON-MANY " + json.dumps({"waits": many, "warnings": len(warn),
      "warn_late_ms_median": statistics.median(warn), "warn_late_ms_max": max(warn),
      "woken": len(wake), "wake_ms_median": statistics.median(wake) if wake else None,
      "wake_ms_max": max(wake) if wake else None,
      "returned": len(lat), "rescue_ms_median": statistics.median(lat), "rescue_ms_max": max(lat),
      "daemon_cpu_ms": cpu_ms, "guest_s": t1 - t0, "events_dropped": dropped, "resyncs": resyncs,
      "rescued_logged": rescued_logged, "ok_warn": ok_warn, "ok_rescue": ok_rescue}))
PY
	rm -f "$prefix".*
}
# The last wait's end reaches daxpind as an event: let it land.
dlog_wait "\\[wait-end\\]" 30 || true
sleep 1
rescued=$(dlog_count 'daxpin\.ko woke')
kicked=$(dlog_count '\[kicked\].*Kicked stalled wait')
[ "$many" -gt 0 ] && many_run
daemon_stop
echo 0 >$tr/events/kprobes/daxpin_bench_put/enable
echo '-:daxpin_bench_put' >>$tr/kprobe_events
log "daxpind log: $(grep -E '\[(stalled|kicked|wait-end)\]' "$DLOG" | head -n 6)"
echo "daxpind reported: $rescued rescued by daxpin.ko, $kicked kicked by daxpind"

python3 - "$rounds" "$rescued" "$kicked" "$(uname -r)" "${ms[@]}" <<'PY'
import json, statistics, sys
rounds, rescued, kicked, kver = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
us = [int(x) for x in sys.argv[5:]]
med = statistics.median(us)
print("median of %d rounds: %.1f ms (min %.1f, max %.1f) from the pin's drop to the truncate's return"
      % (rounds, med / 1e3, min(us) / 1e3, max(us) / 1e3))
print("BENCH-JSON " + json.dumps({"kernel": kver, "rounds": rounds, "latency_us": us,
      "median_us": med, "rescued": rescued, "kicked_by_daxpind": kicked}))
PY
