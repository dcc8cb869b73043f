#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fs: ext4
# init: systemd
# timeout: 1500
#
# systemd-daxpind - daxpind under real systemd: PID 1 is systemd
# (tests/vm/init-systemd), daxpin installed in the guest's overlay from the
# package (DAXPIN_DEB) or the build tree, the module from build/kmod.
#   1. systemctl start daxpind returns with the unit active once READY=1
#      came: the daemon's "ready" journal entry precedes ActiveEnter, and
#      the listening socket is daxpind.socket's (same inode all along).
#   2. The sandbox applies to the running daemon (/proc/PID: user daxpind,
#      exactly CAP_NET_ADMIN + CAP_KILL, NoNewPrivs, seccomp; its mount
#      namespace: / read-only, /run/daxpin writable, /proc hidepid=invisible)
#      and to what it runs: an ExecHook= (Action=exec) tries to write
#      outside its allowed paths and to see PID 1; the JSON it reads on
#      stdin has the JSON version 2 names (blockdev, mount_point, maj_min).
#   3. A truncate stuck on a held pin gets a wait-slow journal entry with
#      its MESSAGE_ID and DAXPIN_* fields; journalctl -x shows the catalog.
#   4. systemctl reload applies a changed WarnAfterSec (same main PID).
#   5. SIGSTOP: the watchdog (WatchdogSec=10s in a drop-in) restarts it.
#   6. systemctl stop: inactive, Result=success, exit status 0.

. "$DAXPIN_SRC/tests/vm/lib.sh"
DAXPINCTL=$(command -v daxpinctl) || die "daxpinctl is not installed"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"
. "$DAXPIN_SRC/daemon/tests/vm-daemon-lib.sh"

ID_SLOW=585f24a0687949ad901e26fc908988a9
ID_ACTION=3ce3cc8e296c40c7b60718890d0b082d
CONF=/etc/daxpin/daxpind.conf
HOOK=/usr/local/lib/daxpin-vm-hook
HOOK_OUT=/run/daxpin/hook.out
J=/tmp/daxpind-vm

# prop PROPERTY [UNIT]: systemctl show's value
prop()
{
	systemctl show -p "$1" --value "${2:-daxpind.service}"
}

lib_at_exit 'journalctl -b --no-pager -o short-monotonic >"$DAXPIN_OUT/journal.txt" 2>&1'
lib_at_exit 'systemctl status --no-pager daxpind.socket daxpind.service >"$DAXPIN_OUT/status.txt" 2>&1'

[ "$(cat /proc/1/comm)" = systemd ] || die "PID 1 is $(cat /proc/1/comm), not systemd"
log "PID 1: systemd $(systemctl --version | awk 'NR == 1 { print $2 }'), $(systemctl is-system-running)"
log "unit $(prop FragmentPath), daxpind $(command -v daxpind), daxpinctl $DAXPINCTL"
uid=$(id -u daxpind) || die "no user daxpind"

# The build tree's module; an installed one loaded at boot would be another.
! daxpin_loaded || rmmod daxpin || die "cannot unload the daxpin loaded at boot"
daxpin_load

cat >"$HOOK" <<'EOF'
#!/bin/sh
# Runs as daxpind's Action=exec hook: in its sandbox, as its user.
# The event's JSON (daxpind.conf(5)), complete before hook.out appears.
cat >/run/daxpin/hook.json
{
	echo "uid $(id -u)"
	for p in /etc/daxpin-probe /usr/daxpin-probe /var/lib/daxpin-probe \
		 /root/daxpin-probe /mnt/dax/daxpin-probe /run/daxpin/probe; do
		if (: >"$p") 2>/dev/null; then echo "write-ok $p"; rm -f "$p"; else echo "write-denied $p"; fi
	done
	if [ -e /proc/1/status ]; then echo "proc1 visible"; else echo "proc1 invisible"; fi
	grep -E '^(NoNewPrivs|CapEff|Seccomp):' /proc/self/status
} >/run/daxpin/hook.tmp
mv /run/daxpin/hook.tmp /run/daxpin/hook.out
EOF
chmod 0755 "$HOOK"
mkdir -p /etc/daxpin
cat >"$CONF" <<EOF
[Policy]
WarnAfterSec=5
Action=exec
ActionAfterSec=6
ExecHook=$HOOK
# Generous: each exec of the hook script takes seconds under TCG.
ExecTimeoutSec=300
EOF

# ---- 1. start
systemctl start daxpind.socket || die "systemctl start daxpind.socket failed"
[ -S /run/daxpin/control ] || die "daxpind.socket did not create /run/daxpin/control"
sock_ino=$(stat -c %i /run/daxpin/control)
# PID 1's debug log says when READY=1 came and when the unit went from
# start to running, in its own order.
systemd-analyze log-level debug || die "systemd-analyze log-level debug failed"
systemctl start daxpind.service || die "systemctl start daxpind failed: $(systemctl status --no-pager daxpind 2>&1)"
systemd-analyze log-level info
assert_eq active "$(prop ActiveState)" "ActiveState after start"
assert_eq running "$(prop SubState)" "SubState after start"
pid=$(prop MainPID)
[ "$pid" -gt 0 ] || die "no MainPID"
assert_eq 30s "$(prop WatchdogUSec)" "WatchdogUSec of the packaged unit"
# journald reads its sockets on its own time: wait for the entries.
wait_for "journalctl -b -o cat _PID=1 >$J/pid1.log; grep -q '^daxpind.service: Changed start -> running' $J/pid1.log" 60
n_ready=$(grep -nE -m1 "^daxpind.service: Got notification message from PID $pid \(READY=1" "$J/pid1.log" | cut -d: -f1)
n_run=$(grep -nE -m1 '^daxpind.service: Changed start -> running' "$J/pid1.log" | cut -d: -f1)
[ -n "$n_ready" ] || die "PID 1 logged no READY=1 from $pid: $(grep daxpind.service "$J/pid1.log" | tail -n 20)"
[ -n "$n_run" ] || die "PID 1 logged no start -> running: $(grep daxpind.service "$J/pid1.log" | tail -n 20)"
log "PID 1: $(sed -n "${n_ready}p" "$J/pid1.log")"
log "PID 1: $(sed -n "${n_run}p" "$J/pid1.log") (line $n_run, READY=1 on line $n_ready)"
[ "$n_ready" -lt "$n_run" ] || die "the unit was running before READY=1"
log "daxpind pid $pid active; status: $(prop StatusText)"
[ -n "$(prop StatusText)" ] || die "no STATUS= from daxpind"
assert_eq "$sock_ino" "$(stat -c %i /run/daxpin/control)" "control socket inode (daxpind.socket's, not rebound)"
"$DAXPINCTL" status >"$J/status.1" 2>&1 || die "daxpinctl status through the socket failed: $(cat "$J/status.1")"

# ---- 2. sandbox of the running daemon
st=/proc/$pid/status
log "daxpind $(grep -E '^(Uid|NoNewPrivs|Seccomp|CapEff|CapBnd|CapAmb):' "$st" | tr '\t\n' '  ')"
assert_eq "$uid $uid $uid $uid" "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")" "daxpind's uids"
# CAP_KILL (5) and CAP_NET_ADMIN (12), nothing else.
for c in CapEff CapBnd CapAmb CapPrm; do
	assert_eq 0000000000001020 "$(awk -v k="$c:" '$1 == k { print $2 }' "$st")" "daxpind $c"
done
assert_eq 1 "$(awk '/^NoNewPrivs:/ { print $2 }' "$st")" "daxpind NoNewPrivs"
assert_eq 2 "$(awk '/^Seccomp:/ { print $2 }' "$st")" "daxpind Seccomp (filter)"
mi=/proc/$pid/mountinfo
# mountinfo: field 5 mount point, 6 its options, after " - ": fs type, source, super options
mnt_opts()
{
	awk -v m="$1" '$5 == m { o = $6; for (i = 7; i <= NF; i++) if ($i == "-") { o = o "," $(i + 3); break } } END { print o }' "$mi"
}
log "daxpind's namespace: / $(mnt_opts /); /run/daxpin $(mnt_opts /run/daxpin); /proc $(mnt_opts /proc)"
[[ ,$(mnt_opts /), == *,ro,* ]] || die "/ is not read-only for daxpind: $(mnt_opts /)"
[[ ,$(mnt_opts /run/daxpin), == *,rw,* ]] || die "/run/daxpin is not writable for daxpind: $(mnt_opts /run/daxpin)"
[[ ,$(mnt_opts /proc), == *,hidepid=invisible,* ]] || die "/proc is not hidepid=invisible for daxpind: $(mnt_opts /proc)"

# ---- 3. a stuck truncate: journal entry, catalog
fa=$DAX_MNT/victim-a
pin_start "$fa" 0 4096
pa=$PIN_PID
stuck_start "$fa"
ta=$STUCK_PID
wait_on "$fa"
ida=$WID
log "wait $ida on $fa (truncate pid $ta)"
wait_for "journalctl -b -o export MESSAGE_ID=$ID_SLOW DAXPIN_WAIT_ID=$ida | grep -q '^MESSAGE='" 120 ||
	die "no wait-slow journal entry for wait $ida"
journalctl -b -o export MESSAGE_ID=$ID_SLOW DAXPIN_WAIT_ID=$ida >"$J/slow.export"
log "wait-slow entry: $(grep -aE '^(MESSAGE|DAXPIN_WAITED_MS|_SYSTEMD_UNIT|_UID)=' "$J/slow.export" | tr '\n' ' ')"
for kv in "_SYSTEMD_UNIT=daxpind.service" "_UID=$uid" "DAXPIN_WAIT_ID=$ida" "DAXPIN_PID=$ta" \
	  "DAXPIN_COMM=truncate" "DAXPIN_PATH=$fa" "DAXPIN_FS=$DAXPIN_FS" \
	  "DAXPIN_DEV=$(stat -c '%Hd:%Ld' "$fa")" "DAXPIN_INO=$(stat -c %i "$fa")"; do
	grep -aqxF -- "$kv" "$J/slow.export" || die "wait-slow entry lacks $kv: $(cat "$J/slow.export")"
done
ms=$(sed -n 's/^DAXPIN_WAITED_MS=//p' "$J/slow.export")
[ "${ms:-0}" -ge 5000 ] || die "DAXPIN_WAITED_MS=$ms, below WarnAfterSec=5"
journalctl -b -x --no-pager MESSAGE_ID=$ID_SLOW DAXPIN_WAIT_ID=$ida >"$J/slow.x" 2>&1
subject=$(sed -n '/^-- 585f24a0687949ad901e26fc908988a9/,/^$/s/^Subject: //p' /usr/lib/systemd/catalog/daxpind.catalog /usr/local/lib/systemd/catalog/daxpind.catalog 2>/dev/null | head -n 1)
[ -n "$subject" ] || die "no wait-slow entry in the installed catalog"
grep -qF "Subject: $subject" "$J/slow.x" || die "journalctl -x lacks the catalog subject '$subject': $(cat "$J/slow.x")"
grep -qF "Process truncate (thread $ta) has been waiting" "$J/slow.x" ||
	die "journalctl -x lacks the catalog text with the fields filled in: $(cat "$J/slow.x")"
log "journalctl -x: $(grep -F "Subject: $subject" "$J/slow.x")"

# The hook (Action=exec at ActionAfterSec=6), in daxpind's sandbox.
wait_for "[ -s $HOOK_OUT ]" 120 || die "the ExecHook= did not run: $(journalctl -b --no-pager -u daxpind | tail -n 20)"
log "hook: $(tr '\t\n' '  ' <"$HOOK_OUT")"
wait_for "journalctl -b -o export MESSAGE_ID=$ID_ACTION DAXPIN_WAIT_ID=$ida | grep -q '^MESSAGE='" 60 ||
	die "no action journal entry for wait $ida"
for want in "uid $uid" "write-denied /etc/daxpin-probe" "write-denied /usr/daxpin-probe" \
	    "write-denied /var/lib/daxpin-probe" \
	    "write-denied /root/daxpin-probe" "write-denied /mnt/dax/daxpin-probe" \
	    "write-ok /run/daxpin/probe" "proc1 invisible"; do
	grep -qxF "$want" "$HOOK_OUT" || die "hook: expected '$want': $(cat "$HOOK_OUT")"
done
grep -qE '^NoNewPrivs:[[:space:]]+1$' "$HOOK_OUT" || die "hook without NoNewPrivs"
# The hook's JSON (JSON version 2 names): the wait, where it is, why.
HOOK_JSON=/run/daxpin/hook.json
log "hook JSON: $(cut -c1-400 "$HOOK_JSON")"
bd=$(basename "$(readlink "/sys/dev/block/$(stat -c '%Hd:%Ld' "$fa")")")
assert_eq "action $ida $bd $DAX_MNT $fa $(stat -c '%Hd:%Ld' "$fa") False" \
	"$(jq_py "$HOOK_JSON" '" ".join(str(x) for x in (d["event"], d["wait"]["id"], d["blockdev"], d["mount_point"], d["path"], d["wait"]["maj_min"], d["dry_run"]))')" \
	"hook JSON: event, wait id, blockdev, mount_point, path, wait.maj_min, dry_run"
assert_eq "[]" "$(jq_py "$HOOK_JSON" '[k for k in ("device",) if k in d] + [k for k in ("dev", "waited_ms") if k in d["wait"]]')" \
	"hook JSON: no version 1 key"
[ "$(jq_py "$HOOK_JSON" 'd["waited_ns"]')" -ge 6000000000 ] ||
	die "hook JSON: waited_ns $(jq_py "$HOOK_JSON" 'd["waited_ns"]') below ActionAfterSec=6"
# Root outside the sandbox can: the denials are the sandbox's.
: >/etc/daxpin-probe && : >/var/lib/daxpin-probe && : >/mnt/dax/daxpin-probe ||
	die "root cannot write the probe paths either: the hook's denials prove nothing"
rm -f /etc/daxpin-probe /var/lib/daxpin-probe /mnt/dax/daxpin-probe

# ---- 4. reload applies a changed WarnAfterSec
policy_warn()
{
	"$DAXPINCTL" --json policy >"$J/policy.json" && jq_py "$J/policy.json" "next(s['value'] for s in d['settings'] if s['key'] == 'WarnAfterSec')"
}
w0=$(policy_warn) || die "daxpinctl policy failed"
sed -i 's/^WarnAfterSec=5$/WarnAfterSec=3/' "$CONF"
grep -qx 'WarnAfterSec=3' "$CONF" || die "cannot edit $CONF"
systemctl reload daxpind || die "systemctl reload failed"
# ExecReload= only sends SIGHUP (no notify-reload in systemd 252): poll.
wait_for '[ "$(policy_warn)" != "$w0" ]' 60 || die "WarnAfterSec still $(policy_warn) after reload"
w1=$(policy_warn)
log "WarnAfterSec: $w0 before, $w1 after systemctl reload"
case $w1 in 3|3s|3.0|3000ms) ;; *) die "WarnAfterSec after reload: $w1, expected 3 s" ;; esac
assert_eq "$pid" "$(prop MainPID)" "MainPID after reload (reloaded, not restarted)"
wait_for "journalctl -b -o cat _PID=$pid | grep -q 'Configuration reloaded (SIGHUP)'" 60 ||
	die "no 'Configuration reloaded (SIGHUP)' in the journal: $(journalctl -b -o cat _PID="$pid" | tail -n 5)"

# ---- 5. the watchdog restarts a daxpind that stopped answering
# A shorter watchdog for the test: a drop-in, then a restart to apply it.
mkdir -p /run/systemd/system/daxpind.service.d
cat >/run/systemd/system/daxpind.service.d/50-vm-watchdog.conf <<EOF
[Service]
WatchdogSec=10s
EOF
systemctl daemon-reload || die "daemon-reload failed"
systemctl restart daxpind.service || die "systemctl restart failed"
pid=$(prop MainPID)
assert_eq 10s "$(prop WatchdogUSec)" "WatchdogUSec from the drop-in"
n0=$(prop NRestarts)
kill -STOP "$pid"
log "daxpind $pid stopped (SIGSTOP); WatchdogSec=10s"
wait_for "p=\$(prop MainPID); [ \"\$p\" -gt 0 ] && [ \"\$p\" != $pid ] && [ \"\$(prop ActiveState)\" = active ]" 300 ||
	die "no restart by the watchdog: $(systemctl status --no-pager daxpind 2>&1)"
pid2=$(prop MainPID)
log "restarted: pid $pid2, NRestarts $n0 -> $(prop NRestarts)"
[ "$(prop NRestarts)" -gt "$n0" ] || die "NRestarts still $n0 after the watchdog restart"
wait_for "journalctl -b -o cat -u daxpind | grep -q 'Watchdog timeout'" 60 ||
	die "no 'Watchdog timeout' from systemd: $(journalctl -b --no-pager -u daxpind | tail -n 20)"
wait_for "! [ -d /proc/$pid ]" 120 || die "the stopped daxpind $pid is still there"
assert_eq "$sock_ino" "$(stat -c %i /run/daxpin/control)" "control socket inode after the restart"
"$DAXPINCTL" status >"$J/status.2" 2>&1 || die "daxpinctl status after the restart failed: $(cat "$J/status.2")"
assert_eq "$w1" "$(policy_warn)" "WarnAfterSec after the restart (from $CONF)"

# ---- 6. stop
assert pin_held "$pa"
pin_release "$pa"
# 6.1 loses the wake-up: daxpind kicks it (StalledWake=yes, the default).
wait_gone "$ta" 120 >/dev/null || die "truncate A still running after its pin was released"
wait "$ta"
assert_eq 0 "$?" "truncate A exit status"
systemctl stop daxpind.service || die "systemctl stop failed"
assert_eq inactive "$(prop ActiveState)" "ActiveState after stop"
assert_eq success "$(prop Result)" "Result after stop"
assert_eq 0 "$(prop ExecMainStatus)" "daxpind's exit status"
wait_for "journalctl -b -o cat _PID=$pid2 | grep -q '^Stopping on SIGTERM'" 60 ||
	die "daxpind $pid2 did not log 'Stopping on SIGTERM': $(journalctl -b -o cat _PID="$pid2" | tail -n 5)"
[ -S /run/daxpin/control ] || die "the socket went away with the service"
log "systemd-daxpind: all checks passed"
