#!/bin/bash
# daxpind's control socket from systemd (daxpind.socket): with LISTEN_FDS a
# stream socket bound to <runtime-dir>/control is served as is (same inode,
# left in place at exit); a passed socket for another path is refused; with
# none daxpind binds its own, 0666 from the moment it exists, and removes it
# at exit.  systemd-socket-activate plays the socket unit.  No module needed.
set -u
DAXPIND=$PWD/daemon/daxpind
CTL=$PWD/daemon/tests/ctl-client
fail=0
pass() { echo "PASS: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

command -v systemd-socket-activate >/dev/null || { echo "SKIP: no systemd-socket-activate"; exit 77; }
command -v strace >/dev/null || { echo "SKIP: no strace"; exit 77; }
tmp=$(mktemp -d /tmp/daxpind-sa.XXXXXX)
cleanup() {
	[ -n "${APID:-}" ] && kill "$APID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
conf=$tmp/daxpind.conf
printf '[Policy]\nWarnAfterSec=3\n' >"$conf"
sock=$tmp/rt/control
mkdir -p "$tmp/rt"

# wait_cond COND: up to 10 s
wait_cond() { for _ in $(seq 100); do eval "$1" && return 0; sleep 0.1; done; return 1; }

# ---- activated: the socket is systemd-socket-activate's
systemd-socket-activate -l "$sock" "$DAXPIND" -c "$conf" --runtime-dir "$tmp/rt" --debug \
	2>"$tmp/sa.log" & APID=$!
wait_cond "[ -S $sock ]" || bad "systemd-socket-activate did not listen on $sock"
ino=$(stat -c %i "$sock")
# The first connection starts daxpind (exec of systemd-socket-activate).
if out=$(timeout 30 "$CTL" "$sock" '{"cmd":"status"}' 2>&1) && grep -q '"ok": *true' <<<"$out"; then
	pass "status through the passed socket"
else
	bad "status through the passed socket: $out; $(cat "$tmp/sa.log")"
fi
[ "$(stat -c %i "$sock")" = "$ino" ] && pass "the passed socket was not rebound (inode $ino)" ||
	bad "daxpind replaced the passed socket"
kill -TERM "$APID"; wait "$APID"; rc=$?; APID=
[ "$rc" = 0 ] && pass "daxpind exits 0 on SIGTERM" || bad "daxpind exit $rc: $(cat "$tmp/sa.log")"
[ -S "$sock" ] && pass "the passed socket is left in place at exit" ||
	bad "daxpind unlinked a socket it did not create"

# ---- a socket for another path: refused, not papered over
rm -f "$sock"
systemd-socket-activate -l "$tmp/other" "$DAXPIND" -c "$conf" --runtime-dir "$tmp/rt" --debug \
	2>"$tmp/sa2.log" & APID=$!
wait_cond "[ -S $tmp/other ]" || bad "no $tmp/other"
timeout 30 "$CTL" "$tmp/other" '{"cmd":"status"}' >/dev/null 2>&1
wait_cond "! kill -0 $APID 2>/dev/null"; wait "$APID"; rc=$?; APID=
if [ "$rc" != 0 ] && grep -q "Cannot listen on $sock" "$tmp/sa2.log"; then
	pass "a passed socket for another path is refused (exit $rc)"
else
	bad "a passed socket for another path: exit $rc: $(cat "$tmp/sa2.log")"
fi

# ---- not activated: daxpind's own socket, removed at exit
"$DAXPIND" -c "$conf" --runtime-dir "$tmp/rt" --debug 2>"$tmp/own.log" & APID=$!
wait_cond "[ -S $sock ]" && pass "without LISTEN_FDS daxpind binds $sock" || bad "no own socket: $(cat "$tmp/own.log")"
[ "$(stat -c %a "$sock")" = 666 ] && pass "own socket mode 0666" || bad "own socket mode $(stat -c %a "$sock")"
kill -TERM "$APID"; wait "$APID"; APID=
[ ! -e "$sock" ] && pass "own socket removed at exit" || bad "own socket left behind"

# ---- the own socket has its mode from the moment it exists: strace holds
# daxpind for 2 s after bind() returns, which is where a chmod() after
# bind() would leave clients other than root refused
strace -f -o /dev/null -e trace=bind -e inject=bind:delay_exit=2s \
	"$DAXPIND" -c "$conf" --runtime-dir "$tmp/rt" --debug 2>"$tmp/held.log" & APID=$!
wait_cond "[ -S $sock ]" || bad "no own socket under strace: $(cat "$tmp/held.log")"
mode=$(stat -c %a "$sock")
[ "$mode" = 666 ] && pass "own socket mode 0666 as soon as it exists" ||
	bad "own socket mode $mode right after bind()"
wait_cond "pgrep -P $APID >/dev/null" && kill -TERM "$(pgrep -P "$APID")"
wait "$APID"; APID=
exit $fail
