#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4
# timeout: 900
#
# kmod-cycle - issue 9, critical item 1: load and unload daxpin.ko many times
# with netlink clients in flight, the kernel log stays clean.
#
# Each cycle: insmod; at once a grace-period benchmark (bench gp -n 50, it
# sleeps in synchronize_*()), stats / config / waits / kick loops from
# daxpinctl, a new truncate waiting on a pinned page; while the benchmark is
# seen inside the module, rmmod (retried while the module is busy: dumps in
# progress hold it); once rmmod has been tried (or blocks), the benchmark
# gets SIGTERM so that it returns; then the kernel log is checked.  Two
# daxpin-nlfuzz --valid --persist clients run through all cycles, waiting
# for the family after each rmmod, so that requests (benchmarks included)
# race every insmod as well.  At the end the module loads, answers and
# unloads once more.
#
# Nothing here depends on wall time: the pin lasts until released (the
# slow device is suspended), the benchmark until killed.
#
# Before the fix (family registered first, unregistered last) this oopsed
# in the first cycles: rcu_segcblist_enqueue <- __synchronize_srcu <-
# daxpin_gp_bench during rmmod.
#
# Usage: kmod-cycle.sh [CYCLES]   (default 25)

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

cycles=${1:-25}
fuzz=$(nlfuzz_path) || die "no daxpin-nlfuzz"
prefix=$DAX_MNT/cyc

dmesg_check "boot"

# One page of each of CYCLES files pinned by one read held until the end;
# cycle i starts a truncate of file i, a wait the module tracks (and the
# clients kick).
pin_start "$prefix" 0 0 --count "$cycles" --size 4096
truncs=()

# Clients that outlive every cycle: they find the family again after each
# insmod and send at once (benchmarks with 1 iteration among them).
hammers=()
for s in 1 2; do
	"$fuzz" --valid --persist --count 0 --seed "$s" --timeout 5000 \
		--cmds waits,stats,config,kick,bench --bench-max 1000000 \
		--bench-iters 1 >"/tmp/hammer.$s" 2>&1 &
	hammers+=($!)
done

loops=()
start_loops()
{
	loops=()
	rm -f /tmp/loops.stop
	(while [ ! -e /tmp/loops.stop ]; do
		"$DAXPINCTL" stats >/dev/null 2>&1
		"$DAXPINCTL" --json config >/dev/null 2>&1
	done) &
	loops+=($!)
	(while [ ! -e /tmp/loops.stop ]; do
		"$DAXPINCTL" waits >/dev/null 2>&1
		"$DAXPINCTL" kick $((RANDOM % 64 + 1)) >/dev/null 2>&1
	done) &
	loops+=($!)
	(while [ ! -e /tmp/loops.stop ]; do
		"$DAXPINCTL" bench gp -n 5 >/dev/null 2>&1
	done) &
	loops+=($!)
}

# The loops end after their current command; SIGTERM ends a benchmark.
stop_loops()
{
	local p

	touch /tmp/loops.stop
	parents=$(IFS=,; echo "${loops[*]}")
	wait_for "pkill -TERM -P $parents -x daxpinctl; ! is_running ${loops[0]} && ! is_running ${loops[1]} && ! is_running ${loops[2]}" 60 ||
		die "client loops do not end: $(pgrep -a -P "$parents")"
	for p in "${loops[@]}"; do
		wait "$p" 2>/dev/null
	done
}

# rmmod_retry LOG: rmmod until it works, at most 600 tries; one line per try.
rmmod_retry()
{
	local i

	for ((i = 1; i <= 600; i++)); do
		if rmmod daxpin 2>>"$1.err"; then
			echo "ok $i" >>"$1"
			return 0
		fi
		echo "busy $i" >>"$1"
		sleep 0.1
	done
	return 1
}

inflight=0
for ((c = 1; c <= cycles; c++)); do
	daxpin_load
	"$DAXPINCTL" bench gp -n 50 >/tmp/bench.out 2>&1 &
	bench=$!
	start_loops
	stuck_start "$prefix.$((c - 1))" >/dev/null
	truncs+=("$STUCK_PID")

	# The benchmark is inside the module (asleep in a grace period or on
	# the benchmark mutex) before rmmod starts.
	wait_for "proc_waits_in $bench 'daxpin_' || ! is_running $bench" 60 ||
		die "cycle $c: bench gp not seen in the module: $(proc_stack $bench)"
	if is_running "$bench"; then
		inflight=$((inflight + 1))
		where=$(proc_stack "$bench" | grep -m1 -o 'daxpin_[a-z_]*')
	else
		wait "$bench" ||
			die "cycle $c: bench gp -n 50 failed: $(cat /tmp/bench.out)"
		where="(already done: $(tail -n 1 /tmp/bench.out))"
	fi

	rlog=/tmp/rmmod.$c
	: >"$rlog"
	rmmod_retry "$rlog" &
	rpid=$!
	# rmmod was tried once, or is unloading the module (waiting for the
	# handlers); either way the race was run: now let the handlers go.
	wait_for "[ -s $rlog ] || grep -q '^daxpin .* Unloading' /proc/modules || ! is_running $rpid" 60 ||
		die "cycle $c: rmmod neither ran nor blocked: $(proc_stack "$rpid")"
	kill -TERM "$bench" 2>/dev/null
	stop_loops
	wait_for "! is_running $rpid" 120 ||
		die "cycle $c: rmmod still running: $(proc_stack "$rpid"; cat "$rlog.err")"
	wait "$rpid" || die "cycle $c: rmmod failed 600 times: $(tail -n 3 "$rlog.err")"
	wait "$bench" 2>/dev/null
	! daxpin_loaded || die "cycle $c: daxpin still loaded after rmmod"
	log "cycle $c: bench in $where at rmmod; rmmod $(tail -n 1 "$rlog"); $(grep -c . "$rlog") tries"
	dmesg_check "cycle $c"
done
log "$cycles cycles done, bench gp in flight at rmmod in $inflight"
[ "$inflight" -gt 0 ] || die "no cycle had a benchmark in flight at rmmod"

for i in 0 1; do
	p=${hammers[i]}
	kill -TERM "$p"
	wait_for "! is_running $p" 30 || die "hammer $p does not end"
	wait "$p"
	rc=$?
	h=/tmp/hammer.$((i + 1))
	log "hammer $((i + 1)) exit $rc:"
	cat "$h"
	[ "$rc" = 0 ] || die "hammer $((i + 1)) failed"
	grep -q '^nlfuzz: violations 0$' "$h" || die "hammer $((i + 1)): no summary or violations"
done

# The module still loads and answers.
daxpin_load
"$DAXPINCTL" stats >/dev/null || die "stats after the cycles"
"$DAXPINCTL" --json config >/dev/null || die "config after the cycles"
"$DAXPINCTL" waits || die "waits after the cycles"
"$DAXPINCTL" bench gp -n 2 >/dev/null || die "bench gp after the cycles"
pin_release "$PIN_PID" 60
for p in "${truncs[@]}"; do
	kill -TERM "$p" 2>/dev/null
	wait_for "! is_running $p" 30 || die "truncate $p does not end"
	wait "$p" 2>/dev/null
done
rmmod daxpin || die "final rmmod"
dmesg_check "the last unload"
log "kmod-cycle ok: $cycles cycles"
