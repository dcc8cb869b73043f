#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fs: ext4 xfs
#
# daemon-warn-kick - daxpind's first acceptance.  Started with NOTIFY_SOCKET
# while truncate A already waits on a DMA-pinned DAX page, daxpind sends
# READY=1 only after its first resync (the STATUS= right before READY=1
# counts A).  Truncate B, started later, is warned about at WarnAfterSec
# (+-0.5 s, kernel start time to the daemon's log stamp) with the journal
# fields; once B's pin is released the stalled waiter is kicked and B exits
# 0 within StalledAfterSec + 1 s.  The log shows each step, in order.
# On a kernel without the lost wake-up B simply completes; the same 2 s
# bound holds and no kick may be logged.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"
. "$DAXPIN_SRC/daemon/tests/vm-daemon-lib.sh"

# rescue=0: daxpind's own StalledWake kick (StalledAfterSec) is asserted;
# with the module's rescue on, the module wakes the waiter first
# (kmod-rescue).
daxpin_load rescue=0
daemon_warmup
# Held pins (released on purpose below): on kernels without the lost
# wake-up A must still be waiting when daxpind starts, however slow the
# guest is.

fa=$DAX_MNT/victim-a
pin_start "$fa" 0 4096
pa=$PIN_PID
stuck_start "$fa"
ta=$STUCK_PID
wait_on "$fa"
ida=$WID
log "wait $ida (A) in flight before daxpind starts"

daemon_start '[Policy]\nWarnAfterSec=5\nStalledWake=yes\nStalledAfterSec=1\n[Module]\nPollMSec=100\n'
grep -q 'Applied the \[Module\] settings' "$DLOG" || die "[Module] settings not applied on load: $(cat "$DLOG")"
before=$(awk '/READY=1/{exit} {l=$0} END{print l}' "$NLOG")
log "notification before READY=1: $before"
grep -qE 'STATUS=1 wait\(s\) in flight' <<<"$before" ||
	die "READY=1 not preceded by a resync that saw wait A: $(cat "$NLOG")"
n1=$(line_of '\[resync\].*1 wait\(s\) in flight')
n2=$(line_of '\[lifecycle\].*ready')
[ -n "$n1" ] && [ -n "$n2" ] && [ "$n1" -lt "$n2" ] || die "no resync before ready: $(cat "$DLOG")"

fb=$DAX_MNT/victim-b
pin_start "$fb" 0 4096
pb=$PIN_PID
stuck_start "$fb"
tb=$STUCK_PID
wait_on "$fb"
idb=$WID
startb=$WSTART
log "wait $idb (B) started at $startb"

dlog_wait "\\[wait-slow\\].*DAXPIN_WAIT_ID=$idb " 20 || die "no warning for B: $(cat "$DLOG")"
l=$(dlog_line "\\[wait-slow\\].*DAXPIN_WAIT_ID=$idb ")
log "warning: $l"
assert_near "B start to warning" 5000 $((($(line_ns "$l") - startb) / 1000000)) 500
for kv in "DAXPIN_PID=$tb" "DAXPIN_COMM=truncate" "DAXPIN_PATH=$fb" "DAXPIN_OFFSET=0" \
	  "DAXPIN_DEV=$(stat -c '%Hd:%Ld' "$fb")" "DAXPIN_INO=$(stat -c %i "$fb")" \
	  "DAXPIN_FS=$DAXPIN_FS"; do
	grep -q -- " $kv " <<<"$l " || die "warning lacks $kv"
done
ms=$(line_field "$l" DAXPIN_WAITED_MS)
assert_near "DAXPIN_WAITED_MS in B's warning" 5000 "$ms" 500
[ "$(line_field "$l" DAXPIN_REFCOUNT)" -ge 2 ] || die "refcount in warning < 2"
# O_DIRECT on 6.1 takes page references (FOLL_GET), not FOLL_PIN: the field
# must be there, its value is what the kernel says.
grep -qE " DAXPIN_DMA_PINNED=[01] " <<<"$l " || die "warning lacks DAXPIN_DMA_PINNED"
[ "$(dlog_count "\\[wait-slow\\].*DAXPIN_WAIT_ID=$idb ")" = 1 ] || die "B warned more than once"

assert pin_held "$pb"
pin_release "$pb"
pin_end=$(real_to_boot_ns "$PIN_END_NS")
dlog_wait "\\[wait-end\\].*DAXPIN_WAIT_ID=$idb .*DAXPIN_OUTCOME=completed" 15 ||
	die "B did not complete: $(cat "$DLOG")"
end_ns=$(line_ns "$(dlog_line "\\[wait-end\\].*DAXPIN_WAIT_ID=$idb ")")
assert_within "B's pin release to its wait end (StalledAfterSec=1 + 1 s)" "$pin_end" "$end_ns" 2000
wait_gone "$tb" 10 >/dev/null || die "truncate B still running"
wait "$tb"
assert_eq 0 "$?" "truncate B exit status"

ws=$(line_of "\\[wait-slow\\].*DAXPIN_WAIT_ID=$idb ")
st=$(line_of "\\[stalled\\].*DAXPIN_WAIT_ID=$idb ")
kk=$(line_of "\\[kicked\\].*DAXPIN_WAIT_ID=$idb ")
en=$(line_of "\\[wait-end\\].*DAXPIN_WAIT_ID=$idb ")
if [ -n "$st" ]; then
	[ -n "$kk" ] || die "B stalled but was not kicked: $(cat "$DLOG")"
	[ "$ws" -lt "$st" ] && [ "$st" -lt "$kk" ] && [ "$kk" -lt "$en" ] ||
		die "steps out of order (warn $ws, stalled $st, kicked $kk, end $en)"
	kick_ms=$((($(line_ns "$(sed -n "${kk}p" "$DLOG")") - $(line_ns "$(sed -n "${st}p" "$DLOG")")) / 1000000))
	assert_near "B stalled to kicked" 1000 "$kick_ms" 300
	kinds="wait-slow stalled kicked wait-end"
else
	log "B never stalled on $(uname -r): no lost wake-up here"
	[ -z "$kk" ] || die "B kicked without a stall"
	kinds="wait-slow wait-end"
fi
for kind in $kinds; do
	l=$(dlog_line "\\[$kind\\].*DAXPIN_WAIT_ID=$idb ")
	for k in DAXPIN_WAIT_ID DAXPIN_DEV DAXPIN_INO DAXPIN_PATH DAXPIN_PID DAXPIN_COMM DAXPIN_OFFSET DAXPIN_WAITED_MS; do
		grep -q " $k=" <<<"$l" || die "$kind line lacks $k: $l"
	done
done

# A is done too (kicked or completed), and the books agree.
assert pin_held "$pa"
pin_release "$pa"
wait_gone "$ta" 20 >/dev/null || die "truncate A still running: $(cat "$DLOG")"
wait "$ta"
assert_eq 0 "$?" "truncate A exit status"
r=$(ctl '{"cmd":"status"}')
log "status: $r"
grep -q '"waits_in_flight":0' <<<"$r" || die "status still counts waits"
kicks=$(grep -c '\[kicked\]' "$DLOG")
grep -q "^daxpin_kicks_total{result=\"ok\"} $kicks\$" "$DRUN/daxpind.prom" ||
	die "metrics disagree with $kicks kicks: $(grep kicks "$DRUN/daxpind.prom")"
grep -q '^daxpin_wait_duration_seconds_count{fs="'"$DAXPIN_FS"'"' "$DRUN/daxpind.prom" ||
	die "no per-fs wait histogram in the metrics"
daemon_stop
log "daemon-warn-kick ok"
