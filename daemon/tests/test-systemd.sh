#!/bin/bash
# systemd integration files: unit verifies, sysusers parses, catalog covers
# every MESSAGE_ID of daemon/log.c.
set -u
# Absolute: systemd-sysusers takes a relative argument for a name to look
# up in its own directories ("Failed to open ... ignoring").
srcdir=$(cd "${srcdir:-.}" && pwd) || exit 99
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }

# The unit, pointing at the binary just built (verify checks it exists).
sed "s|@sbindir@|$PWD/daemon|" "$srcdir/systemd/daxpind.service.in" > "$tmp/daxpind.service"
cp "$srcdir/systemd/daxpind.socket" "$tmp/"	# Requires= of the service
if out=$(systemd-analyze verify --man=no "$tmp/daxpind.service" 2>&1) && [ -z "$out" ]; then
	echo "PASS: systemd-analyze verify daxpind.service"
else
	echo "FAIL: systemd-analyze verify daxpind.service:"; echo "$out"; fail=1
fi
for want in 'Type=notify' 'WatchdogSec=' 'NoNewPrivileges=yes' 'ProtectSystem=strict' \
	    'ProtectHome=yes' 'PrivateTmp=yes' 'RestrictAddressFamilies=AF_NETLINK AF_UNIX' \
	    'CapabilityBoundingSet=CAP_NET_ADMIN CAP_KILL' 'ExecStartPre=-+modprobe daxpin'; do
	if grep -qxF -- "$want" "$tmp/daxpind.service" || grep -q -- "^$want" "$tmp/daxpind.service"; then
		echo "PASS: unit has $want"
	else
		echo "FAIL: unit lacks $want"; fail=1
	fi
done
# systemd-oomd's own score, 2.0, is the bar.  --threshold counts in tenths
# (the 0..100 scale behind the printed 0.0..10.0): 20 = 2.0; the command
# exits non-zero above it.  The score is printed for the log.
out=$(systemd-analyze security --offline=yes --threshold=20 "$tmp/daxpind.service" 2>&1)
rc=$?
exposure=$(sed -n 's/.*Overall exposure level for daxpind.service: \([0-9.]*\).*/\1/p' <<<"$out")
echo "INFO: systemd-analyze security exposure ${exposure:-?} (lower is better; 10 = unsandboxed)"
if [ "$rc" = 0 ] && [ -n "$exposure" ] && awk "BEGIN{exit !($exposure <= 2.0)}"; then
	echo "PASS: exposure <= 2.0 (systemd-analyze security --threshold=20 exit 0)"
else
	echo "FAIL: exposure ${exposure:-unknown} > 2.0 (--threshold=20 exit $rc):"
	grep '✗' <<<"$out"; fail=1
fi
for want in 'User=daxpind' 'AmbientCapabilities=CAP_NET_ADMIN CAP_KILL' 'ProtectProc=invisible' \
	    'SystemCallFilter=~@privileged @resources' 'IPAddressDeny=any' 'Requires=daxpind.socket'; do
	if grep -qxF -- "$want" "$tmp/daxpind.service"; then
		echo "PASS: unit has $want"
	else
		echo "FAIL: unit lacks $want"; fail=1
	fi
done
if out=$(cd "$tmp" && systemd-analyze verify --man=no ./daxpind.socket 2>&1 | grep -v 'daxpind.service: Command'); [ -z "$out" ]; then
	echo "PASS: systemd-analyze verify daxpind.socket"
else
	echo "FAIL: systemd-analyze verify daxpind.socket:"; echo "$out"; fail=1
fi
grep -qx 'ListenStream=/run/daxpin/control' "$srcdir/systemd/daxpind.socket" &&
	echo "PASS: socket listens on /run/daxpin/control" ||
	{ echo "FAIL: daxpind.socket does not listen on /run/daxpin/control"; fail=1; }

if command -v systemd-sysusers >/dev/null; then
	if systemd-sysusers --dry-run "$srcdir/systemd/sysusers.d/daxpin.conf" 2>&1 | grep -q "user 'daxpind'"; then
		echo "PASS: sysusers creates user daxpind"
	elif getent passwd daxpind >/dev/null; then
		echo "PASS: user daxpind exists"
	else
		echo "FAIL: sysusers: no user daxpind"; fail=1
	fi
	if systemd-sysusers --dry-run "$srcdir/systemd/sysusers.d/daxpin.conf" 2>&1 | grep -q "group 'daxpin'"; then
		echo "PASS: sysusers creates group daxpin"
	else
		# already exists on this machine is fine too
		if getent group daxpin >/dev/null; then echo "PASS: group daxpin exists"; else
			echo "FAIL: sysusers"; fail=1; fi
	fi
fi

mkdir -p "$tmp/root/usr/lib/systemd/catalog"
cp "$srcdir/systemd/daxpind.catalog" "$tmp/root/usr/lib/systemd/catalog/"
if journalctl --root="$tmp/root" --update-catalog 2>"$tmp/err" && [ ! -s "$tmp/err" ]; then
	echo "PASS: catalog parses"
else
	echo "FAIL: catalog:"; cat "$tmp/err"; fail=1
fi
journalctl --root="$tmp/root" --list-catalog > "$tmp/list"
ids=$(grep -o '"[0-9a-f]\{32\}"' "$srcdir/daemon/log.c" | tr -d '"')
n=0
for id in $ids; do
	n=$((n + 1))
	grep -q "^$id " "$tmp/list" || { echo "FAIL: MESSAGE_ID $id has no catalog entry"; fail=1; }
done
[ "$n" -ge 14 ] && echo "PASS: $n MESSAGE_IDs all in the catalog" || { echo "FAIL: only $n ids found"; fail=1; }
exit $fail
