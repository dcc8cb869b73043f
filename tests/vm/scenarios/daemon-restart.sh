#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fs: ext4
#
# daemon-restart - kill -9 of daxpind while a wait is in flight, then a
# restart: the wait is picked up, its warning (already given) is not
# repeated, and a wait that started while no daemon ran is not missed
# (warned by the new instance); both end, kicked if they stall.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"
. "$DAXPIN_SRC/daemon/tests/vm-daemon-lib.sh"

daxpin_load
daemon_warmup
# Held pins (released at the end): on kernels without the lost wake-up A
# must still be in flight when the second instance starts.
rm -f "$DRUN/state"
conf='[Policy]\nWarnAfterSec=1\nStalledAfterSec=1\n'
daemon_start "$conf"

fa=$DAX_MNT/before
pin_start "$fa" 0 4096
pa=$PIN_PID
truncate -s 0 "$fa" &
ta=$!
wait_on "$fa"
ida=$WID
dlog_wait "\\[wait-slow\\].*DAXPIN_WAIT_ID=$ida " 10 || die "A not warned: $(cat "$DLOG")"
grep -q "^$ida " "$DRUN/state" || die "A not in the state file: $(cat "$DRUN/state")"
log "state before kill -9: $(tr '\n' ' ' <"$DRUN/state")"
daemon_kill9
log1=$DLOG

fb=$DAX_MNT/during
pin_start "$fb" 0 4096
pb=$PIN_PID
truncate -s 0 "$fb" &
tb=$!
wait_on "$fb"
idb=$WID

daemon_start "$conf"
grep -q "Resynchronised (start): 2 wait(s) in flight" "$DLOG" || die "restart did not pick up both: $(cat "$DLOG")"
grep -q "Restored what was done for" "$DLOG" || die "state not restored"
dlog_wait "\\[wait-slow\\].*DAXPIN_WAIT_ID=$idb " 10 || die "B (started while down) missed: $(cat "$DLOG")"
[ "$(dlog_count "\\[wait-slow\\].*DAXPIN_WAIT_ID=$ida ")" = 0 ] || die "A's warning repeated after restart"
[ "$(grep -c "\\[wait-slow\\].*DAXPIN_WAIT_ID=$ida " "$log1")" = 1 ] || die "A warned $(grep -c wait-slow "$log1") times before"

# Both end; on 6.1 they stall once the pins are gone and the new instance kicks them.
assert pin_held "$pa"
assert pin_held "$pb"
pin_release "$pa"
pin_release "$pb"
for t in "$ta" "$tb"; do
	wait_gone "$t" 60 >/dev/null || die "truncate $t still waiting: $(cat "$DLOG")"
	wait "$t"
	assert_eq 0 "$?" "truncate $t exit status"
done
dlog_wait "\\[wait-end\\].*DAXPIN_WAIT_ID=$ida " 30 || die "A's end not seen"
dlog_wait "\\[wait-end\\].*DAXPIN_WAIT_ID=$idb " 30 || die "B's end not seen"
[ "$(dlog_count "\\[wait-slow\\].*DAXPIN_WAIT_ID=$ida ")" = 0 ] || die "A's warning repeated"
daemon_stop
log "daemon-restart ok"
