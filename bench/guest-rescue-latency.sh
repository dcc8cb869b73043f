#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM (see bench/rescue-latency): how soon after a pin drops
# does a truncate that lost its wake-up (Debian 6.1) return, with daxpind
# running on its defaults (an empty configuration file)?
#
#   guest-rescue-latency.sh ROUNDS [KMOD_DIR]
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

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"
. "$DAXPIN_SRC/daemon/tests/vm-daemon-lib.sh"

rounds=${1:-10}
[ -z "${2:-}" ] || DAXPIN_KO=$2/$(uname -r)/daxpin.ko

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
	echo "round $r: $(awk -v us="${ms[-1]}" 'BEGIN { printf "%.1f", us / 1000 }') ms from the pin's drop to the truncate's return"
	rm -f "$f"
done
# The last wait's end reaches daxpind as an event: let it land.
dlog_wait "\\[wait-end\\]" 30 || true
sleep 1
rescued=$(dlog_count 'daxpin\.ko woke')
kicked=$(dlog_count '\[kicked\].*Kicked stalled wait')
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
