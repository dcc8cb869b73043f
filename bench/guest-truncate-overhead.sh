#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM (see bench/truncate-overhead): the 2018 review's truncate
# benchmark -- 100 truncates of the last page of a 16 KiB file whose first
# page is mmapped -- alternating daxpin not loaded, loaded (default), and
# loaded with count_breaks=yes, ROUNDS rounds each in this one boot.
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

[ -f "$DAXPIN_KO" ] || die "no $DAXPIN_KO"
bench_once warmup >/dev/null
declare -A t
for r in $(seq 1 "$rounds"); do
	t[off,$r]=$(bench_once off)
	insmod "$DAXPIN_KO" || die insmod
	t[on,$r]=$(bench_once on)
	"$DAXPINCTL" config --count-breaks=yes >/dev/null || die "count_breaks on"
	t[breaks,$r]=$(bench_once breaks)
	rmmod daxpin || die rmmod
	echo "round $r: not loaded ${t[off,$r]} ns, loaded ${t[on,$r]} ns, count_breaks ${t[breaks,$r]} ns"
done

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
print("BENCH-JSON " + json.dumps({"rounds": rounds, "truncates": n,
      "not_loaded_ns": off, "loaded_ns": on, "count_breaks_ns": brk,
      "median_not_loaded_ns": m_off, "median_loaded_ns": m_on,
      "median_count_breaks_ns": m_brk, "ratio_loaded": m_on / m_off,
      "ratio_count_breaks": m_brk / m_off}))
PY
