#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4
#
# vm-installed - the installed packages at work, in the test VM.  Run by
# tests/pkg/test-packages.sh --vm between install and purge, with
# DAXPIN_INSTALLED=1: daxpinctl is /usr/bin/daxpinctl, daxpind is
# /usr/sbin/daxpind, and the module is the daxpin.ko DKMS built for the
# guest's kernel, loaded by "modprobe daxpin" (the guest sees the host's
# root, so /lib/modules/<release>/updates/dkms/).  Not in
# tests/vm/scenarios: without the packages installed it fails on purpose.
#
#  1. Nothing loaded the module.  daxpind started without it runs, says so
#     in its STATUS= and its log; daxpinctl status says "module: not
#     loaded" and that daxpind has not seen it; status --check exits 2.
#  2. modprobe daxpin loads DKMS's module (modinfo -n: updates/dkms/);
#     daxpind notices it without a restart, status --check exits 0.
#  3. A truncate stuck on a DMA-pinned page (held until pin_release): the
#     installed daxpinctl lists the wait, daxpind warns after WarnAfterSec,
#     status --check exits 1 naming it; once the pin is released the wait
#     ends (kicked by daxpind's StalledWake on 6.1, which loses the
#     wake-up; woken by the kernel elsewhere) and the truncate exits 0.

. "$DAXPIN_SRC/tests/vm/lib.sh"
[ "${DAXPIN_INSTALLED:-0}" = 1 ] ||
	die "run with DAXPIN_INSTALLED=1 after installing the packages (tests/pkg/test-packages.sh --vm)"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"
. "$DAXPIN_SRC/daemon/tests/vm-daemon-lib.sh"

assert_eq /usr/bin/daxpinctl "$DAXPINCTL" "daxpinctl used"
assert_eq /usr/sbin/daxpind "$DAXPIND" "daxpind used"
case $(uname -r) in
6.1.*) wakeup=lost ;;
*) wakeup=woken ;;
esac
log "expected after the read: $wakeup wake-up ($(uname -r))"
# daxpinctl status asks this daxpind (vm-daemon-lib.sh's runtime dir).
export DAXPIN_CONTROL=$DRUN/control

check()	# WANT [ARGS...]: status --check exit code; output in /tmp/check.out
{
	local want=$1 rc

	shift
	"$DAXPINCTL" status --check "$@" >/tmp/check.out 2>&1
	rc=$?
	# (not "WARNING:" in the console: tests/vm/run takes it for the kernel's)
	log "status --check $*: exit $rc: $(sed 's/WARNING/Warning/g; s/CRITICAL/Critical/g' /tmp/check.out)"
	assert_eq "$want" "$rc" "status --check $* exit code"
}

# ---- 1. no module: nothing loaded it, and everyone says so
! daxpin_loaded || die "daxpin is loaded before modprobe: $(grep '^daxpin ' /proc/modules)"
daemon_warmup
daemon_start '[Policy]\nWarnAfterSec=2\nStalledWake=yes\nStalledAfterSec=1\n[Module]\nPollMSec=100\n'
grep -q 'STATUS=daxpin.ko not loaded' "$NLOG" || die "daxpind's STATUS= does not say the module is missing: $(cat "$NLOG")"
grep -q 'daxpin.ko is not loaded (modprobe daxpin)' "$DLOG" || die "daxpind's log does not say the module is missing: $(cat "$DLOG")"
"$DAXPINCTL" status >/tmp/status.txt || die "status without the module failed: $(cat /tmp/status.txt)"
log "status without the module:
$(cat /tmp/status.txt)"
grep -q '^module: not loaded (modprobe daxpin)' /tmp/status.txt || die "status does not say the module is not loaded"
grep -q "^daemon: daxpind .*pid $DPID.*, module not seen" /tmp/status.txt ||
	die "status does not say daxpind (pid $DPID) has not seen the module"
check 2
grep -q 'daxpin.ko is not loaded' /tmp/check.out || die "status --check does not name the missing module"

# ---- 2. modprobe daxpin: DKMS's module; daxpind notices
daxpin_load
dlog_wait 'daxpin.ko is \(back\) up' 30 || die "daxpind did not notice the module: $(cat "$DLOG")"
wait_for "grep -q 'STATUS=0 wait(s) in flight' $NLOG" 30 || die "STATUS= still says no module: $(cat "$NLOG")"
ver=$(modinfo -F version daxpin)
"$DAXPINCTL" status >/tmp/status.txt || die "status failed"
grep -q "^module: daxpin $ver, protocol" /tmp/status.txt || die "status does not show module $ver: $(cat /tmp/status.txt)"
! grep -q 'module not seen' /tmp/status.txt || die "status says daxpind has not seen the module: $(cat /tmp/status.txt)"
check 0

# ---- 3. a stuck truncate
f=$DAX_MNT/victim
pin_start "$f" 0 4096
stuck_start "$f"
tp=$STUCK_PID
wait_on "$f"
log "wait $WID on $f listed by $DAXPINCTL"
"$DAXPINCTL" waits >/tmp/waits.txt || die "daxpinctl waits failed"
log "daxpinctl waits:
$(cat /tmp/waits.txt)"
grep -E "(^|[^0-9])$tp([^0-9]|$)" /tmp/waits.txt | grep truncate >/dev/null ||
	die "daxpinctl waits does not list truncate pid $tp"
dlog_wait "\\[wait-slow\\].*DAXPIN_WAIT_ID=$WID " 60 || die "daxpind did not warn about wait $WID: $(cat "$DLOG")"
l=$(dlog_line "\\[wait-slow\\].*DAXPIN_WAIT_ID=$WID ")
log "warning: $l"
# Host load only delays the warning: early is wrong, late is logged.
ms=$((($(line_ns "$l") - WSTART) / 1000000))
log "wait start to warning: $ms ms (WarnAfterSec=2)"
[ "$ms" -ge 1500 ] || die "warned after $ms ms, before WarnAfterSec=2"
grep -q " DAXPIN_PID=$tp " <<<"$l " || die "warning lacks DAXPIN_PID=$tp"
grep -q " DAXPIN_PATH=$f " <<<"$l " || die "warning lacks DAXPIN_PATH=$f"
assert pin_held
check 1
grep -q "WARNING: wait $WID: truncate\\[$tp\\] stuck" /tmp/check.out || die "status --check does not name wait $WID"

pin_release
dlog_wait "\\[wait-end\\].*DAXPIN_WAIT_ID=$WID .*DAXPIN_OUTCOME=completed" 60 ||
	die "wait $WID did not end: $(cat "$DLOG")"
wait_gone "$tp" 60 >/dev/null || die "truncate still running: $(cat "$DLOG")"
wait "$tp"
assert_eq 0 "$?" "truncate exit status"
assert_eq 0 "$(stat -c %s "$f")" "size after the truncate"
kicked=$(dlog_count "\\[kicked\\].*DAXPIN_WAIT_ID=$WID ")
if [ "$wakeup" = lost ]; then
	[ "$kicked" -ge 1 ] || die "6.1 loses the wake-up, yet daxpind did not kick wait $WID: $(cat "$DLOG")"
	log "wait $WID kicked by daxpind ($kicked kick(s))"
else
	assert_eq 0 "$kicked" "kicks of wait $WID (the kernel wakes it)"
	log "wait $WID woken by the kernel"
fi
waits_json /tmp/waits.json || die "daxpinctl --json waits failed"
assert_eq 0 "$(jq_py /tmp/waits.json 'len(d["waits"])')" "waits listed afterwards"
check 0
daemon_stop
log "vm-installed ok: $DAXPINCTL, $DAXPIND and $(modinfo -n daxpin) on $(uname -r)"
