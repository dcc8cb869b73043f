#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fs: ext4 xfs
#
# daemon-metrics - daxpind's metrics file during a real stuck wait, for the
# host's node_exporter.  daxpind writes MetricsPath= straight into the run
# folder (9p, the host's disk).  Wait A ends (kicked if it stalls) so the
# filesystem's histogram holds one wait; while B is held past WarnAfterSec
# the file must say so: one wait in flight, one stuck, the oldest at least
# WarnAfterSec old, the module loaded, build_info with daxpind's, the
# module's and the kernel's versions; every histogram series has the same
# 31 exact bounds.  That file is copied to $DAXPIN_OUT/textfile/, where the
# host step (tests/prometheus/node-exporter-check, from scripts/test) serves
# it with a real prometheus-node-exporter and lints it with promtool.  Once
# B is released the live file goes back to no wait in flight.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"
. "$DAXPIN_SRC/daemon/tests/vm-daemon-lib.sh"

live=$DAXPIN_OUT/live/daxpind.prom
mkdir -p "$DAXPIN_OUT/live" "$DAXPIN_OUT/textfile"
# m NAME_AND_LABELS: the sample's value in the live file
m() { grep -F -- "$1 " "$live" | grep -v '^#' | head -n 1 | awk '{print $NF}'; }
# ended_sum: daxpin_waits_ended_total summed over its outcomes
ended_sum() { awk '/^daxpin_waits_ended_total\{/ { s += $NF } END { print s + 0 }' "$live"; }

daxpin_load
daemon_warmup
daemon_start "[Policy]\nWarnAfterSec=2\nStalledWake=yes\nStalledAfterSec=1\n[Daemon]\nMetricsPath=$live\n"
wait_for "[ -s '$live' ]" 30 || die "daxpind wrote no $live: $(cat "$DLOG")"
assert_eq 1 "$(m daxpin_module_loaded)" "daxpin_module_loaded"

# A: a wait that ends, for the histogram.
fa=$DAX_MNT/victim-a
pin_start "$fa" 0 4096
pa=$PIN_PID
stuck_start "$fa"
ta=$STUCK_PID
wait_on "$fa"
pin_release "$pa"
wait_gone "$ta" 30 >/dev/null || die "truncate A still running: $(cat "$DLOG")"
wait "$ta"
assert_eq 0 "$?" "truncate A exit status"
wait_for '[ "$(ended_sum)" = 1 ]' 30 || die "A's end not in the metrics: $(grep ended "$live")"

# B: held until released below.
fb=$DAX_MNT/victim-b
pin_start "$fb" 0 4096
pb=$PIN_PID
stuck_start "$fb"
tb=$STUCK_PID
wait_on "$fb"
idb=$WID
log "wait $idb (B) in flight"
dlog_wait "\\[wait-slow\\].*DAXPIN_WAIT_ID=$idb " 30 || die "no warning for B: $(cat "$DLOG")"
wait_for "grep -qx 'daxpin_waits_stuck 1' '$live'" 30 || die "file never showed B stuck: $(cat "$live")"
cp "$live" "$DAXPIN_OUT/textfile/.daxpind.prom.tmp"
mv "$DAXPIN_OUT/textfile/.daxpind.prom.tmp" "$DAXPIN_OUT/textfile/daxpind.prom"
live=$DAXPIN_OUT/textfile/daxpind.prom		# m() reads the snapshot now
assert pin_held "$pb"

assert_eq 1 "$(m daxpin_waits_in_flight)" "daxpin_waits_in_flight while B waits"
assert_eq 1 "$(m daxpin_waits_stuck)" "daxpin_waits_stuck while B waits"
oldest=$(m daxpin_wait_oldest_seconds)
log "daxpin_wait_oldest_seconds $oldest (WarnAfterSec=2)"
awk -v o="$oldest" 'BEGIN { exit !(o >= 2) }' || die "oldest wait $oldest s < WarnAfterSec"
[ "$(m daxpin_waits_warned_total)" -ge 1 ] || die "daxpin_waits_warned_total $(m daxpin_waits_warned_total) < 1"
assert_eq 1 "$(ended_sum)" "sum of daxpin_waits_ended_total over outcomes (A)"
info=$(grep '^daxpin_build_info{' "$live")
log "$info"
grep -qF "kernel=\"$(uname -r)\"" <<<"$info" || die "build_info lacks the kernel: $info"
grep -qF "version=\"$("$DAXPIND" --version | awk '{print $2}')\"" <<<"$info" ||
	die "build_info lacks daxpind's version: $info"
mv_=$(sed -n 's/.*module_version="\([^"]*\)".*/\1/p' <<<"$info")
[ -n "$mv_" ] || die "build_info has no module version: $info"
if [ -r /sys/module/daxpin/version ]; then
	assert_eq "$(cat /sys/module/daxpin/version)" "$mv_" "module_version"
fi
grep -q "^daxpin_wait_duration_seconds_count{fs=\"$DAXPIN_FS\",maj_min=\"$(stat -c '%Hd:%Ld' "$fb")\"} [1-9]" "$live" ||
	die "no wait in $DAXPIN_FS's histogram: $(grep duration_seconds_count "$live")"
# Same exact bounds in every histogram series: 31 and +Inf, no %g form.
bad=$(awk -F'le="' '/_bucket\{/ { split($2, a, "\""); s = $1; n[s]++; if (a[1] ~ /e/) print "rounded: " $0 }
	END { for (s in n) if (n[s] != 32) print n[s] " buckets: " s }' "$live")
[ -z "$bad" ] || die "histogram buckets: $bad"
log "histogram series: $(grep -c '_count{' "$live"), each 32 buckets"
! grep -q '^daxpind_' "$live" || die "a daxpind_ name is left"

pin_release "$pb"
wait_gone "$tb" 30 >/dev/null || die "truncate B still running: $(cat "$DLOG")"
wait "$tb"
assert_eq 0 "$?" "truncate B exit status"
live=$DAXPIN_OUT/live/daxpind.prom
wait_for "grep -qx 'daxpin_waits_in_flight 0' '$live'" 30 || die "file still counts B: $(grep waits_ "$live")"
assert_eq 0 "$(m daxpin_waits_stuck)" "daxpin_waits_stuck after B"
daemon_stop
log "daemon-metrics ok"
