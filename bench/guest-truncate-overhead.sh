#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM (see bench/truncate-overhead): the 2018 review's truncate
# benchmark -- 100 truncates of the last page of a 16 KiB file whose first
# page is mmapped -- with daxpin not loaded, loaded (default), and loaded
# with count_breaks=yes, in an order rotated each round, ROUNDS rounds each
# in this one boot.
# Prints one "round" line per measurement and a JSON summary line.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

rounds=${1:-5}
n=${2:-100}
dir=$DAX_MNT/bench
mkdir -p "$dir"

# bench_once LABEL: total ns of N truncates
bench_once()
{
	local out

	out=$("$DAXPINCTL" --json=short bench truncate "$dir" -n "$n") ||
		die "bench truncate failed"
	echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_ns"])'
}

# to_state STATE: the module as STATE measures it, from whatever the last
# measurement left
to_state()
{
	case $1 in
	off)
		if [ -d /sys/module/daxpin ]; then rmmod daxpin || die rmmod; fi
		;;
	on | breaks)
		if [ ! -d /sys/module/daxpin ]; then
			insmod "$DAXPIN_KO" || die insmod
		fi
		"$DAXPINCTL" config --count-breaks="$([ "$1" = breaks ] &&
			echo yes || echo no)" >/dev/null || die "count_breaks"
		;;
	esac
}

[ -f "$DAXPIN_KO" ] || die "no $DAXPIN_KO"
bench_once warmup >/dev/null
# Round r starts at state r mod 3: in a fixed order each state always came
# right after the same transition, at the same phase of the filesystem's
# periodic work, and on xfs that alone put "loaded" 0.7% below "not loaded"
# in every round.  Rotated, each state takes each place equally often.
states=(off on breaks)
declare -A t
for r in $(seq 1 "$rounds"); do
	for i in 0 1 2; do
		s=${states[$(((r + i) % 3))]}
		to_state "$s"
		t[$s,$r]=$(bench_once "$s")
	done
	echo "round $r: not loaded ${t[off,$r]} ns, loaded ${t[on,$r]} ns, count_breaks ${t[breaks,$r]} ns"
done
to_state off

python3 - "$rounds" "$n" \
	"$(for r in $(seq 1 "$rounds"); do echo -n "${t[off,$r]} "; done)" \
	"$(for r in $(seq 1 "$rounds"); do echo -n "${t[on,$r]} "; done)" \
	"$(for r in $(seq 1 "$rounds"); do echo -n "${t[breaks,$r]} "; done)" <<'PY'
import json, statistics, sys
rounds, n = int(sys.argv[1]), int(sys.argv[2])
off, on, brk = ([int(x) for x in a.split()] for a in sys.argv[3:6])
m_off, m_on, m_brk = (statistics.median(v) for v in (off, on, brk))
print("median of %d rounds, %d truncates each: not loaded %.0f us, loaded %.0f us (ratio %.4f), count_breaks %.0f us (ratio %.4f)"
      % (rounds, n, m_off / 1e3, m_on / 1e3, m_on / m_off, m_brk / 1e3, m_brk / m_off))

# Rounds spread by about 1% between the filesystem's states, so a median
# can land in either; the means' ratio, with a 95% interval from the
# rounds' spread, says how finely this run resolves the cost.
def mean_ratio(v):
    r = statistics.mean(v) / statistics.mean(off)
    if rounds < 2:
        return r, None
    rel = sum((statistics.stdev(x) / statistics.mean(x)) ** 2 / rounds
              for x in (v, off))
    return r, 1.96 * r * rel ** 0.5
r_on, ci_on = mean_ratio(on)
r_brk, ci_brk = mean_ratio(brk)
if ci_on is not None:
    print("mean ratio: loaded %.4f +- %.4f, count_breaks %.4f +- %.4f (95%%)"
          % (r_on, ci_on, r_brk, ci_brk))
print("BENCH-JSON " + json.dumps({"rounds": rounds, "truncates": n,
      "not_loaded_ns": off, "loaded_ns": on, "count_breaks_ns": brk,
      "median_not_loaded_ns": m_off, "median_loaded_ns": m_on,
      "median_count_breaks_ns": m_brk, "ratio_loaded": m_on / m_off,
      "ratio_count_breaks": m_brk / m_off,
      "mean_ratio_loaded": r_on, "mean_ratio_loaded_ci95": ci_on,
      "mean_ratio_count_breaks": r_brk,
      "mean_ratio_count_breaks_ci95": ci_brk}))
PY
