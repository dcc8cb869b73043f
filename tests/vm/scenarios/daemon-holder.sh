#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fs: ext4 xfs
# timeout: 900
#
# daemon-holder - issue 13.1 in daxpind.  One process (daxpin-pinread) maps a
# DAX file and pins its first page with an O_DIRECT read held in flight;
# another (truncate) truncates the file and waits.  With WarnAfterSec=1 the
# warning names the pinning process (DAXPIN_HOLDER_PID=, _COMM=, and in
# words); with Action=signal, ActionTarget=holder, ActionAfterSec=3 the
# daemon logs whom it will signal, then sends SIGTERM to the pinning process
# and not to the waiter (counted in daxpin_holder_actions_total and
# daxpin_holder_signals_total): the reader dies of SIGTERM (exit 143) once
# its read is let go, and the truncate exits 0.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"
. "$DAXPIN_SRC/daemon/tests/vm-daemon-lib.sh"

daxpin_load
daemon_warmup
daemon_start '[Policy]\nWarnAfterSec=1\nAction=signal\nActionAfterSec=3\nActionTarget=holder\n'

f=$DAX_MNT/held
pin_start "$f" 0 4096
pinner=$PIN_PID
dm=$PIN_DM
truncate -s 0 "$f" &
tp=$!
wait_on "$f"
id=$WID

# --- the warning names the holder
dlog_wait "\\[wait-slow\\].*DAXPIN_WAIT_ID=$id " 30 || die "no warning: $(cat "$DLOG")"
l=$(dlog_line "\\[wait-slow\\].*DAXPIN_WAIT_ID=$id ")
log "warning: $l"
for k in "held by daxpin-pinread[$pinner]" "DAXPIN_HOLDER_PID=$pinner" \
	 "DAXPIN_HOLDER_COMM=daxpin-pinread" "DAXPIN_HOLDER_UID=0" "DAXPIN_PID=$tp"; do
	grep -qF -- "$k" <<<"$l" || die "warning lacks '$k'"
done
! grep -q "DAXPIN_NO_HOLDER" <<<"$l" || die "warning says no holder"

# --- the action: logged first, then sent to the holder only
dlog_wait "\\[action-result\\].*DAXPIN_WAIT_ID=$id " 30 || die "no action result: $(cat "$DLOG")"
a=$(line_of "\\[action\\].*DAXPIN_WAIT_ID=$id ")
r=$(line_of "\\[action-result\\].*DAXPIN_WAIT_ID=$id ")
[ -n "$a" ] && [ "$a" -lt "$r" ] || die "action not logged before its result ($a, $r): $(cat "$DLOG")"
l=$(sed -n "${a}p" "$DLOG")
log "action: $l"
for k in "Sending SIGTERM to the holder(s) of the busy page (held by daxpin-pinread[$pinner])" \
	 "not to the waiter truncate[$tp]" "ActionAfterSec=3 (" "DAXPIN_ACTION=signal"; do
	grep -qF -- "$k" <<<"$l" || die "action line lacks '$k'"
done
l=$(sed -n "${r}p" "$DLOG")
log "result: $l"
grep -qF "Sent SIGTERM to holder daxpin-pinread[$pinner]" <<<"$l" || die "result line: $l"
[ "$(dlog_count '\[action-result\]')" = 1 ] || die "more than one action result: $(cat "$DLOG")"
for k in 'daxpin_actions_total{action="signal",result="ok"} 1' \
	 'daxpin_holder_actions_total{result="signalled"} 1' \
	 'daxpin_holder_actions_total{result="no_holder"} 0' \
	 'daxpin_holder_signals_total{result="ok"} 1' 'daxpin_holder_signals_total{result="failed"} 0'; do
	grep -qxF -- "$k" "$DRUN/daxpind.prom" ||
		die "metrics lack '$k': $(grep -E 'actions|holder' "$DRUN/daxpind.prom")"
done

# The waiter was not signalled: still asleep, its page still pinned (the
# dying reader waits for its in-flight read in exit_aio()).
is_running "$tp" || die "the truncate ended: it was signalled, or its page let go"
log "pinner $pinner: $(grep -E '^(State|SigPnd|ShdPnd)' /proc/$pinner/status | tr '\n' ' ')"

# Let the read go: the reader finishes dying of SIGTERM; the truncate goes on
# (6.1 loses the wake-up: StalledWake kicks it).
dmsetup resume --noudevsync "$dm" || die "dmsetup resume $dm failed"
wait "$pinner"
rc=$?
assert_eq 143 "$rc" "pinning process exit status (SIGTERM)"
wait_gone "$tp" 60 >/dev/null || die "truncate still waiting after the read's end"
wait "$tp"
assert_eq 0 "$?" "truncate exit status (never signalled)"
daemon_stop
dmesg_check "daemon-holder"
log "daemon-holder ok"
