#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM (bench/rescue-latency -c): what the rescue's put probe
# costs other I/O while a wait exists.  One truncate waits on a held pin
# (so the probe is armed on 6.1); meanwhile 4 KiB O_DIRECT reads of the brd
# ram disk (bios that complete at once, into ordinary memory: every one
# goes through __bio_release_pages() and the probe's entry handler) are timed
# with the probe armed (rescue=yes) and disarmed (rescue=no), alternately,
# ROUNDS times each, and with no wait at all (the probe disarmed by the
# tick) for reference.
#
#   guest-rescue-cost.sh ROUNDS READS   (READS <= 32768: a 128 MiB disk)

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

rounds=${1:-5}
reads=${2:-20000}
_ramdisk 128
zero=/dev/ram0

# time_reads: guest ns for READS O_DIRECT 4 KiB reads, timed inside one
# process (under -icount an exec over 9p leaps the clock: none is timed).
time_reads()
{
	python3 -c '
import mmap, os, sys, time
n = int(sys.argv[2])
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECT)
buf = mmap.mmap(-1, 4096)
os.preadv(fd, [buf], 0)
t0 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
for i in range(n):
    os.preadv(fd, [buf], i * 4096)
print(time.clock_gettime_ns(time.CLOCK_MONOTONIC) - t0)
' "$zero" "$reads" || die "reads failed"
}

daxpin_load
time_reads >/dev/null
declare -A t
for r in $(seq 1 "$rounds"); do
	t[none,$r]=$(time_reads)
done
f=$DAX_MNT/cost
pin_start "$f" 0 4096
stuck_start "$f"
wait_for "waits_json /tmp/w.json && [ \"\$(jq_py /tmp/w.json 'len(d[\"waits\"])')\" = 1 ]" 120 ||
	die "no wait"
armed()
{
	grep -c '__bio_release_pages' /sys/kernel/debug/kprobes/list 2>/dev/null |
		tr -d '\n'
	grep -q '__bio_release_pages.*DISABLED' /sys/kernel/debug/kprobes/list 2>/dev/null &&
		echo " (disabled)"
	echo
}
mount -t debugfs none /sys/kernel/debug 2>/dev/null
for r in $(seq 1 "$rounds"); do
	"$DAXPINCTL" config --rescue=yes >/dev/null || die "config --rescue=yes"
	sleep 0.5
	[ "$r" = 1 ] && log "rescue=yes, probe: $(armed)"
	t[on,$r]=$(time_reads)
	"$DAXPINCTL" config --rescue=no >/dev/null || die "config --rescue=no"
	sleep 0.5
	[ "$r" = 1 ] && log "rescue=no, probe: $(armed)"
	t[off,$r]=$(time_reads)
	echo "cost round $r: no wait ${t[none,$r]} ns, wait + probe armed ${t[on,$r]} ns, wait + probe disarmed ${t[off,$r]} ns ($reads reads)"
done
"$DAXPINCTL" config --rescue=yes >/dev/null
pin_release
wait_gone "$STUCK_PID" 60 >/dev/null || die "truncate still asleep"
python3 - "$rounds" "$reads" \
	"$(for r in $(seq 1 "$rounds"); do echo -n "${t[none,$r]} "; done)" \
	"$(for r in $(seq 1 "$rounds"); do echo -n "${t[on,$r]} "; done)" \
	"$(for r in $(seq 1 "$rounds"); do echo -n "${t[off,$r]} "; done)" <<'PY'
import statistics, sys
rounds, reads = int(sys.argv[1]), int(sys.argv[2])
none, on, off = ([int(x) for x in a.split()] for a in sys.argv[3:6])
mn, mo, mf = (statistics.median(v) for v in (none, on, off))
print("cost median of %d rounds: per O_DIRECT read, no wait %.2f us, wait with the probe armed %.2f us, "
      "disarmed %.2f us: +%.2f us a read (%.1f%%) while waits exist"
      % (rounds, mn / reads / 1e3, mo / reads / 1e3, mf / reads / 1e3, (mo - mf) / reads / 1e3,
         (mo / mf - 1) * 100))
PY
