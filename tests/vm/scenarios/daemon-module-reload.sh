#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fs: ext4
#
# daemon-module-reload - daxpin.ko unloaded under a running daxpind: the
# family's removal is noticed (no polling: generic netlink controller
# notifications), STATUS= says so; loaded again, daxpind re-subscribes,
# re-applies [Module] and resynchronises, and a new wait is handled.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"
. "$DAXPIN_SRC/daemon/tests/vm-daemon-lib.sh"

daxpin_load
daemon_warmup
daemon_start '[Policy]\nWarnAfterSec=1\n[Module]\nPollMSec=100\n'
assert_eq 1 "$(dlog_count 'Applied the \[Module\] settings')" "[Module] applications at start"

rmmod daxpin || die "rmmod daxpin failed"
dlog_wait 'daxpin.ko went away' 10 || die "unload not noticed: $(cat "$DLOG")"
wait_for "grep -q 'STATUS=daxpin.ko not loaded' $NLOG" 5 || die "STATUS does not say the module is gone"
r=$(ctl '{"cmd":"status"}')
grep -q '"module_loaded":false' <<<"$r" || die "status: $r"

daxpin_load
dlog_wait 'daxpin.ko is \(back\) up' 10 || die "reload not noticed: $(cat "$DLOG")"
grep -q 'Resynchronised (module loaded)' "$DLOG" || die "no resync after the reload"
assert_eq 2 "$(dlog_count 'Applied the \[Module\] settings')" "[Module] applications"
r=$(ctl '{"cmd":"status"}')
grep -q '"module_loaded":true' <<<"$r" || die "status: $r"

f=$DAX_MNT/after-reload
pin_start "$f" 0 4096
truncate -s 0 "$f" &
tp=$!
wait_on "$f"
dlog_wait "\\[wait-slow\\].*DAXPIN_WAIT_ID=$WID " 10 || die "no warning after the reload: $(cat "$DLOG")"
l=$(dlog_line "\\[wait-slow\\].*DAXPIN_WAIT_ID=$WID ")
assert_near "start to warning after the reload" 1000 $((($(line_ns "$l") - WSTART) / 1000000)) 500
pin_release
wait_gone "$tp" 30 >/dev/null || die "truncate still waiting: $(cat "$DLOG")"
wait "$tp"
assert_eq 0 "$?" "truncate exit status"
dlog_wait "\\[wait-end\\].*DAXPIN_WAIT_ID=$WID " 30 || die "no end after the reload"
daemon_stop
log "daemon-module-reload ok"
