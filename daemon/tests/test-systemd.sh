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
exposure=$(systemd-analyze security --offline=yes "$tmp/daxpind.service" 2>/dev/null |
	   sed -n 's/.*Overall exposure level for daxpind.service: \([0-9.]*\).*/\1/p')
echo "INFO: systemd-analyze security exposure ${exposure:-?} (lower is better; 10 = unsandboxed)"
if [ -n "$exposure" ] && awk "BEGIN{exit !($exposure <= 3.0)}"; then
	echo "PASS: exposure <= 3.0"
else
	echo "FAIL: exposure ${exposure:-unknown} > 3.0"; fail=1
fi

if command -v systemd-sysusers >/dev/null; then
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
