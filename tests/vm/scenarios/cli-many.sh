#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4
#
# cli-many - 1,000 tracked waits (1,000 DAX files pinned by one O_DIRECT read
# into a buffer that maps them all with MAP_FIXED, one truncate each):
# `daxpinctl status --json` completes, lists them, and its time is printed
# beside `ndctl list -RN`'s in the same run (target: no slower).

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

n=${1:-1000}
prefix=$DAX_MNT/many

daxpin_load
pin_start "$prefix" 0 0 --count "$n" --size 4096
waiters_start --count "$n" "$prefix"
w=/tmp/waits.json
wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = $n ]" 300 ||
	die "not all $n truncates tracked: $(jq_py $w 'len(d["waits"])')"
log "$n waits tracked"

# Wall time under TCG is noisy (every exec reads its libraries over 9p), so
# the commands are timed in alternation, 11 rounds, and compared by median;
# CPU time (user + sys) is reported beside it.
rounds=11
declare -A wall cpu
time_once()	# NAME CMD...: append wall and cpu ms of one run
{
	local name=$1 t

	shift
	t=$( { TIMEFORMAT='%3R %3U %3S'; time "$@" >/tmp/out.$name 2>/tmp/err; } 2>&1 ) ||
		die "$* failed: $(cat /tmp/err)"
	set -- $t
	wall[$name]+="$(awk -v r="$1" 'BEGIN { printf "%d", r * 1000 }') "
	cpu[$name]+="$(awk -v u="$2" -v s="$3" 'BEGIN { printf "%d", (u + s) * 1000 }') "
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
best() { tr ' ' '\n' | grep . | sort -n | head -1; }

for i in $(seq $rounds); do
	time_once status "$DAXPINCTL" --json status
	time_once ndctl ndctl list -RN
	# every wait younger than the threshold: the module's summary suffices
	time_once summary "$DAXPINCTL" --json status --warn-ms=86400000
done
cp /tmp/out.status /tmp/status.json
for k in status ndctl summary; do
	eval "${k}_med=$(echo "${wall[$k]}" | median) ${k}_best=$(echo "${wall[$k]}" | best) ${k}_cpu=$(echo "${cpu[$k]}" | median)"
done
log "with $n waits, median (best) of $rounds alternating runs, wall ms / cpu ms:"
log "  daxpinctl status --json:             ${status_med} (${status_best}) / ${status_cpu}  [names 5 stuck waits: reads waits until the 6th]"
log "  ndctl list -RN:                      ${ndctl_med} (${ndctl_best}) / ${ndctl_cpu}"
log "  status --json, no wait over --warn-ms: ${summary_med} (${summary_best}) / ${summary_cpu}  [module summary only]"
if [ "$status_med" -le "$ndctl_med" ]; then verdict=met; else verdict="not met"; fi
log "target (status no slower than ndctl list -RN, by median): $verdict ($((100 * status_med / ndctl_med))% of ndctl's time)"
cat >"$DAXPIN_OUT/cli-many.txt" <<EOT
waits=$n rounds=$rounds
status_ms_median=$status_med status_ms_best=$status_best status_cpu_ms=$status_cpu
ndctl_list_ms_median=$ndctl_med ndctl_list_ms_best=$ndctl_best ndctl_list_cpu_ms=$ndctl_cpu
status_summary_ms_median=$summary_med status_summary_ms_best=$summary_best status_summary_cpu_ms=$summary_cpu
target=$verdict
EOT
# Wall time cannot separate the two by less than its noise; instructions
# executed in user space can, and repeat exactly (callgrind, one run each).
irs()	# NAME CMD...: user-space instructions of one run
{
	local name=$1

	shift
	valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.$name "$@" \
		>/dev/null 2>/tmp/vg.$name || die "callgrind $*: $(tail -3 /tmp/vg.$name)"
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' /tmp/vg.$name
}
status_ir=$(irs status "$DAXPINCTL" --json status)
ndctl_ir=$(irs ndctl ndctl list -RN)
[ -n "$status_ir" ] && [ -n "$ndctl_ir" ] || die "no instruction counts: $(tail -3 /tmp/vg.status /tmp/vg.ndctl)"
log "  user-space instructions (callgrind): status --json $status_ir, ndctl list -RN $ndctl_ir ($((100 * status_ir / ndctl_ir))%)"
echo "status_instructions=$status_ir ndctl_list_instructions=$ndctl_ir" >>"$DAXPIN_OUT/cli-many.txt"

# a regression guard, not the target: twice ndctl's time means something
# scales badly with the number of waits
[ "$status_med" -le $((2 * ndctl_med)) ] ||
	die "status --json took ${status_med} ms, more than twice ndctl list -RN (${ndctl_med} ms)"
# the default run names five stuck waits and counts the rest; the summary-only
# run names none and still counts them all
assert_eq "6 $n" "$(jq_py /tmp/status.json '"%d %d" % (len([r for r in d["reasons"] if "stuck" in r]), d["waits_in_flight"])')" \
	"status: stuck waits named, waits counted"
assert_eq "0 $n" "$(jq_py /tmp/out.summary '"%d %d" % (len([r for r in d["reasons"] if "stuck" in r]), d["waits_in_flight"])')" \
	"summary-only status: stuck waits named, waits counted"
assert_eq "$n" "$(jq_py /tmp/status.json 'd["waits_in_flight"]')" "waits in status"

pin_release
case $DAXPIN_KVER in
6.1.*) kill -TERM "${WAITER_PIDS[@]}" ;;
esac
waiters_wait 300
log "cli-many ok"
