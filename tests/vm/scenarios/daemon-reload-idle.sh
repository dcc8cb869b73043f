#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fs: ext4
#
# daemon-reload-idle - with the module loaded and nothing waiting daxpind
# makes no wake-ups over 10 s (context switches in /proc/PID/status; no
# watchdog configured) and its RSS is reported (target <= 4 MiB).  SIGHUP
# with a changed WarnAfterSec takes effect for a new wait; a broken file on
# reload is reported with file:line and the old configuration is kept.
# Group daxpin members may read through the control socket, not change.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"
. "$DAXPIN_SRC/daemon/tests/vm-daemon-lib.sh"

daxpin_load
daemon_warmup
daemon_start '[Policy]\nWarnAfterSec=5\n' --control-group 4242

c1=$(awk '/ctxt_switches/{s+=$2} END{print s}' "/proc/$DPID/status")
sleep 10
c2=$(awk '/ctxt_switches/{s+=$2} END{print s}' "/proc/$DPID/status")
rss=$(awk '/VmRSS/{print $2}' "/proc/$DPID/status")
log "idle 10 s: $((c2 - c1)) context switches; RSS $rss kB"
assert_eq 0 $((c2 - c1)) "wake-ups while idle"
[ "$rss" -le 4096 ] || die "RSS $rss kB > 4 MiB"

# SIGHUP: WarnAfterSec=1 applies to the next wait.
printf '[Policy]\nWarnAfterSec=1\n' >"$DCONF"
kill -HUP "$DPID"
dlog_wait '\[config\].*reloaded \(SIGHUP\)' 10 || die "no reload: $(cat "$DLOG")"
grep -q RELOADING=1 "$NLOG" || die "no RELOADING=1"
f=$DAX_MNT/reload
pin_start "$f" 0 4096
truncate -s 0 "$f" &
tp=$!
wait_on "$f"
dlog_wait "\\[wait-slow\\].*DAXPIN_WAIT_ID=$WID " 10 || die "no warning"
l=$(dlog_line "\\[wait-slow\\].*DAXPIN_WAIT_ID=$WID ")
assert_near "start to warning with WarnAfterSec=1" 1000 $((($(line_ns "$l") - WSTART) / 1000000)) 500
grep -q "WarnAfterSec=1 (/tmp/daxpind-vm/daxpind.conf:2)" <<<"$l" || die "rule not named: $l"

# A broken file: reported, old configuration kept.
printf '[Policy]\nWarnAfterSec=1\nActionSignal=SIGSTOP\n' >"$DCONF"
kill -HUP "$DPID"
dlog_wait 'daxpind.conf:3: bad value "SIGSTOP" for ActionSignal' 10 || die "broken reload not reported: $(cat "$DLOG")"
dlog_wait 'keeping the previous configuration' 30 || die "no 'keeping' line"
r=$(ctl '{"cmd":"policy"}')
grep -q '"WarnAfterSec":{"value":"1"' <<<"$r" || die "old configuration not kept: $r"
kill -0 "$DPID" || die "daxpind died on a broken reload"

# Credentials: group 4242 reads, cannot change; others are refused.
if command -v setpriv >/dev/null; then
	r=$(setpriv --reuid=65534 --regid=4242 --clear-groups "$CTL_CLIENT" "$DRUN/control" \
		'{"cmd":"status"}' '{"cmd":"kick","id":1}')
	log "group member: $r"
	grep -q '"waits_in_flight"' <<<"$(sed -n 1p <<<"$r")" || die "group member cannot read"
	grep -q '"errno":13' <<<"$(sed -n 2p <<<"$r")" || die "group member could kick"
	r=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL_CLIENT" "$DRUN/control" '{"cmd":"status"}')
	grep -q '"errno":13' <<<"$r" || die "other user not refused: $r"
fi

assert pin_held
pin_release
wait_gone "$tp" 30 >/dev/null || die "truncate still waiting: $(cat "$DLOG")"
daemon_stop
log "daemon-reload-idle ok"
