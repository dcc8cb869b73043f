#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-packages - build the Debian packages from this checkout, install them
# on this machine, check what DKMS built and what landed where, then purge
# them and check that nothing is left.  Needs root on Debian 12 with the
# build dependencies (apt-get build-dep ./), lintian and kernel headers;
# it changes the machine (installs, then purges daxpin and daxpin-dkms).
#
#   tests/pkg/test-packages.sh [-k]     -k: keep the build directory
#
# Expected kernels: every /lib/modules/<release>/build whose .config has
# CONFIG_FS_DAX, CONFIG_KPROBES and CONFIG_SPARSEMEM_VMEMMAP, is 6.1 .. 6.14
# and is not PREEMPT_RT gets daxpin.ko; every other one is refused.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
keep=
[ "${1:-}" = -k ] && keep=1
fails=0
pass() { echo "PASS: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
die() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (installs packages)"; exit 77; }

tmp=$(mktemp -d /var/tmp/daxpin-pkg.XXXXXX) || die mktemp
[ -n "$keep" ] || trap 'rm -rf "$tmp"' EXIT
echo "INFO: build directory $tmp"

# A copy of the checkout (tracked and new files, not build output), so
# that dpkg-buildpackage writes its .debs into $tmp, not next to the tree.
src=$tmp/daxpin
mkdir -p "$src"
(cd "$top" && git ls-files -z -c -o --exclude-standard | xargs -0 tar -cf - --no-recursion) |
	tar -xf - -C "$src" || die "copy of the checkout"

# ---- build
if (cd "$src" && apt-get build-dep -y -q ./ >"$tmp/build-dep.log" 2>&1); then
	pass "apt-get build-dep ./"
else
	bad "apt-get build-dep ./: $(tail -n 3 "$tmp/build-dep.log")"
fi
start=$(date +%s)
if (cd "$src" && dpkg-buildpackage -us -uc -b >"$tmp/build.log" 2>&1); then
	pass "dpkg-buildpackage -us -uc -b ($(($(date +%s) - start)) s)"
else
	tail -n 40 "$tmp/build.log"
	die "dpkg-buildpackage -us -uc -b"
fi
grep -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR): ' "$tmp/build.log" | sort | uniq -c | awk '{print "INFO: make check in the build:", $0}' | head -n 40
changes=$(ls "$tmp"/daxpin_*_amd64.changes) || die "no .changes"
debs=$(ls "$tmp"/daxpin_*.deb "$tmp"/daxpin-dkms_*.deb) || die "no .debs"
for d in $debs; do echo "INFO: $(basename "$d"): $(stat -c %s "$d") bytes"; done

# ---- lintian: no errors; warnings listed
lintian --tag-display-limit 0 -i -I --pedantic "$changes" >"$tmp/lintian.log" 2>&1
sed 's/^/  lintian: /' "$tmp/lintian.log" | grep -E '^  lintian: [EWIX]:' || true
if grep -q '^E:' "$tmp/lintian.log"; then
	bad "lintian reports errors"
else
	pass "lintian: no errors ($(grep -c '^W:' "$tmp/lintian.log") warnings)"
fi

# ---- install
dpkg -s daxpin >/dev/null 2>&1 || dpkg -s daxpin-dkms >/dev/null 2>&1 &&
	apt-get purge -y -q daxpin daxpin-dkms >/dev/null 2>&1
lsmod_before=$(grep -c '^daxpin ' /proc/modules 2>/dev/null)
if (cd "$tmp" && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		./"$(basename "$tmp"/daxpin_*_amd64.deb)" ./"$(basename "$tmp"/daxpin-dkms_*_all.deb)" \
		>"$tmp/install.log" 2>&1); then
	pass "apt-get install ./daxpin_*.deb ./daxpin-dkms_*.deb"
else
	tail -n 40 "$tmp/install.log"
	bad "apt-get install"
fi
grep -iE 'dkms|daxpin|BUILD_EXCLUSIVE|error' "$tmp/install.log" | grep -v '^Get:\|^Selecting\|^Preparing\|^Unpacking' | sed 's/^/  install: /' | head -n 40

ver=$(dpkg-query -W -f '${Version}' daxpin-dkms 2>/dev/null)
ver=${ver%%-*}
echo "INFO: daxpin-dkms $ver"
echo "INFO: dkms status:"; dkms status 2>&1 | sed 's/^/  /'

# ---- DKMS: built where supported, refused elsewhere
for mod in /lib/modules/*; do
	k=$(basename "$mod")
	[ -f "$mod/build/.config" ] || { echo "INFO: $k: no headers, not considered"; continue; }
	cfg=$mod/build/.config
	want=yes why=
	[[ $k =~ ^6\.([1-9]|1[0-4])\. ]] || { want=no; why="kernel version"; }
	for c in CONFIG_FS_DAX CONFIG_KPROBES CONFIG_SPARSEMEM_VMEMMAP; do
		grep -Eq "^$c=[ym]" "$cfg" || { want=no; why="$why no $c"; }
	done
	grep -Eq '^CONFIG_PREEMPT_RT=y' "$cfg" && { want=no; why="$why PREEMPT_RT"; }
	st=$(dkms status -m daxpin -v "$ver" -k "$k" 2>/dev/null)
	ko=$(ls "$mod"/updates/dkms/daxpin.ko* 2>/dev/null | head -n 1)
	if [ "$want" = yes ]; then
		if grep -q ': installed' <<<"$st" && [ -n "$ko" ]; then
			pass "$k: DKMS built and installed $(basename "$ko") (vermagic $(modinfo -F vermagic "$ko" | cut -d' ' -f1))"
			[ "$(modinfo -F version "$ko")" = "$ver" ] && pass "$k: module version $ver" ||
				bad "$k: module version '$(modinfo -F version "$ko")', package $ver"
		else
			bad "$k: supported but not installed by DKMS: '$st'"
		fi
	else
		if [ -z "$ko" ] && ! grep -q ': installed' <<<"$st"; then
			pass "$k: refused ($why), dkms status: '${st:-nothing}'"
		else
			bad "$k: should be refused ($why) but: '$st' $ko"
		fi
	fi
done

# ---- files in place
for f in /usr/bin/daxpinctl /usr/sbin/daxpind /lib/systemd/system/daxpind.service \
	/usr/lib/sysusers.d/daxpin.conf /usr/lib/systemd/catalog/daxpind.catalog \
	/usr/share/man/man8/daxpinctl.8.gz /usr/share/man/man8/daxpind.8.gz \
	/usr/share/man/man5/daxpind.conf.5.gz /usr/share/bash-completion/completions/daxpinctl \
	/usr/share/daxpin/schema/status.json /etc/daxpin/daxpind.conf \
	"/usr/src/daxpin-$ver/dkms.conf" "/usr/src/daxpin-$ver/kmod/Kbuild" \
	"/usr/src/daxpin-$ver/include/uapi/linux/daxpin.h" \
	/usr/share/doc/daxpin/copyright /usr/share/doc/daxpin-dkms/copyright; do
	[ -e "$f" ] && pass "installed: $f" || bad "missing: $f"
done
[ ! -e /usr/include/linux/daxpin.h ] && pass "no /usr/include/linux/daxpin.h" || bad "/usr/include/linux/daxpin.h installed"
grep -q "PACKAGE_VERSION=\"$ver\"" "/usr/src/daxpin-$ver/dkms.conf" && pass "dkms.conf version $ver" || bad "dkms.conf version"
dpkg-query -W -f '${Conffiles}\n' daxpin | grep -q '/etc/daxpin/daxpind.conf ' &&
	pass "/etc/daxpin/daxpind.conf is a conffile" || bad "/etc/daxpin/daxpind.conf is not a conffile"
live=$(grep -Ev '^[[:space:]]*($|#|\[[A-Za-z]+\]$)' /etc/daxpin/daxpind.conf 2>&1)
[ -f /etc/daxpin/daxpind.conf ] && [ -z "$live" ] && pass "daxpind.conf: every setting commented" || bad "daxpind.conf sets: $live"
out=$(/usr/sbin/daxpind --check-config 2>&1) && pass "daxpind --check-config on the installed conffile" ||
	bad "daxpind --check-config: $out"
/usr/bin/daxpinctl --version >/dev/null 2>&1 || /usr/bin/daxpinctl --help >/dev/null 2>&1 &&
	pass "daxpinctl runs" || bad "daxpinctl does not run"
getent group daxpin >/dev/null && pass "group daxpin created (sysusers)" || bad "no group daxpin"
id=$(sed -n 's/^-- \([0-9a-f]\{32\}\).*/\1/p' /usr/lib/systemd/catalog/daxpind.catalog | head -n 1)
journalctl --list-catalog 2>/dev/null | grep -q "^$id" && pass "journal catalog updated by the trigger (has $id)" ||
	bad "journalctl --list-catalog lacks $id (systemd's catalog trigger)"

# ---- nothing started or loaded by surprise
if [ -r /proc/modules ]; then
	[ "$(grep -c '^daxpin ' /proc/modules)" = "$lsmod_before" ] &&
		pass "installing loaded no module (daxpin in /proc/modules: $lsmod_before before and after)" ||
		bad "daxpin module loaded by installing"
else
	echo "INFO: no /proc/modules here (container): module loading not observable"
fi
grep -E 'modprobe|insmod' "$tmp/install.log" && bad "install log mentions modprobe/insmod" ||
	pass "install log: no modprobe/insmod"
wants=$(ls /etc/systemd/system/*.wants/daxpind.service 2>/dev/null)
[ -z "$wants" ] && pass "daxpind.service not enabled" || bad "daxpind.service enabled: $wants"
pgrep -x daxpind >/dev/null && bad "daxpind running" || pass "daxpind not running"

# ---- purge: nothing left
dpkg -L daxpin daxpin-dkms 2>/dev/null | sort -u >"$tmp/files-before"
find /var/lib/dkms/daxpin /usr/src/daxpin-"$ver" /lib/modules/*/updates/dkms/daxpin.ko* \
	/etc/daxpin 2>/dev/null | sort >"$tmp/extra-before"
echo "INFO: $(wc -l <"$tmp/files-before") paths owned, $(wc -l <"$tmp/extra-before") in the DKMS tree, built modules and /etc/daxpin"
if DEBIAN_FRONTEND=noninteractive apt-get purge -y -q daxpin daxpin-dkms >"$tmp/purge.log" 2>&1; then
	pass "apt-get purge daxpin daxpin-dkms"
else
	tail -n 20 "$tmp/purge.log"; bad "apt-get purge"
fi
st=$(dpkg-query -W -f '${Package}:${db:Status-Abbrev} ' daxpin daxpin-dkms 2>/dev/null)
grep -Eq ':[a-z][^n]' <<<"$st" && bad "dpkg status after purge: $st" ||
	pass "dpkg: not installed, no config left ('${st:-forgotten}')"
left=
while read -r p; do
	[ -e "$p" ] || [ -L "$p" ] || continue
	# directories shared with other packages stay
	# directories shared with other packages (or /lib, a symlink) stay
	if [ -d "$p" ]; then
		case $p in /usr/src/daxpin*|/etc/daxpin*|/usr/share/daxpin*|/usr/share/doc/daxpin*|/var/lib/dkms/daxpin*) ;;
		*) continue ;; esac
	fi
	left="$left $p"
done < <(cat "$tmp/files-before" "$tmp/extra-before")
[ -z "$left" ] && pass "purge left none of the $(cat "$tmp/files-before" "$tmp/extra-before" | wc -l) paths" ||
	bad "left after purge:$left"
[ ! -e /var/lib/dkms/daxpin ] && pass "DKMS tree /var/lib/dkms/daxpin gone" || bad "/var/lib/dkms/daxpin left"
ls /lib/modules/*/updates/dkms/daxpin.ko* >/dev/null 2>&1 && bad "daxpin.ko left in /lib/modules" ||
	pass "no daxpin.ko left in /lib/modules"
[ -z "$(dkms status -m daxpin 2>/dev/null)" ] && pass "dkms status: empty for daxpin" || bad "dkms status: $(dkms status daxpin)"
[ ! -e /etc/daxpin ] && pass "/etc/daxpin gone" || bad "/etc/daxpin left: $(ls -A /etc/daxpin)"
ls /var/lib/systemd/deb-systemd-helper-enabled/*daxpin* /var/lib/systemd/deb-systemd-helper-masked/*daxpin* >/dev/null 2>&1 &&
	bad "deb-systemd-helper state left" || pass "no deb-systemd-helper state left"
getent group daxpin >/dev/null && echo "INFO: group daxpin kept (Debian keeps system groups; groupdel daxpin removes it)"

echo "INFO: logs in $tmp${keep:+ (kept)}"
[ "$fails" -eq 0 ] && { echo "ALL PASS"; exit 0; }
echo "$fails FAILED"; exit 1
