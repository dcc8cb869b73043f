#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-packages - build the Debian packages from this checkout, install them
# on this machine, check what DKMS built and what landed where, optionally
# run the installed programs and module in the test VM, then purge them and
# check that nothing is left.  Needs root on Debian 12 with the build
# dependencies (apt-get build-dep ./), lintian and kernel headers; it
# changes the machine (installs, then purges daxpin and daxpin-dkms; the
# purge also runs if the test stops half-way).
#
#   tests/pkg/test-packages.sh [-k] [-K GLOB]... [-V] [-j JOBS]
#
#   -k        keep the build directory
#   -K GLOB   a kernel release matching GLOB (e.g. '6.1.*') must be
#             installed and get daxpin.ko from DKMS (and, with -V, pass
#             the VM scenario); repeat for several
#   -V        between install and purge, boot the test VM on every kernel
#             DKMS built the module for and run tests/pkg/vm-installed.sh
#             there with DAXPIN_INSTALLED=1 (the installed daxpinctl,
#             daxpind and modprobe daxpin); needs the build tree's test
#             helpers ($DAXPIN_BUILD, default build/obj: scripts/build)
#   -j JOBS   VMs at a time with -V (default 1)
#
# Prints PASS:/FAIL:/INFO: lines and ends with "pkg: N passed, N failed"
# (exit 0 only if none failed; 77 when not root).
#
# Expected kernels: every /lib/modules/<release>/build whose .config has
# CONFIG_FS_DAX, CONFIG_KPROBES and CONFIG_SPARSEMEM_VMEMMAP, is 6.1 .. 6.14
# and is not PREEMPT_RT gets daxpin.ko; every other one is refused.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
keep='' vm='' jobs=1
required=()
while getopts "kK:Vj:h" opt; do
	case $opt in
	k) keep=1 ;;
	K) required+=("$OPTARG") ;;
	V) vm=1 ;;
	j) jobs=$OPTARG ;;
	h) sed -n '4,30p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done
export PATH=/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin:$PATH
fails=0 passes=0
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
summary() { echo "pkg: $passes passed, $fails failed"; }
die() { bad "$*"; summary; exit 1; }
# Other apt-get/dpkg users of this machine: wait for the lock, do not fail.
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 "$@"; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (installs packages)"; exit 77; }

tmp=$(mktemp -d /var/tmp/daxpin-pkg.XXXXXX) || die mktemp
installed=
# Leave the machine as found, whatever stops the test: purge what we
# installed (the normal path purges, checks, and clears $installed).
cleanup()
{
	if [ -n "$installed" ]; then
		echo "INFO: stopped before the purge: purging daxpin daxpin-dkms"
		apt_get purge -y -q daxpin daxpin-dkms >/dev/null 2>&1
	fi
	[ -n "$keep" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
echo "INFO: build directory $tmp"

# A copy of the checkout (tracked and new files, not build output), so
# that dpkg-buildpackage writes its .debs into $tmp, not next to the tree.
src=$tmp/daxpin
mkdir -p "$src"
# Without git (or a tree git refuses, e.g. owned by another user), all of
# it but .git and build/.
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z -c -o --exclude-standard |
		xargs -0 tar -cf - --no-recursion --ignore-failed-read)
else
	echo "INFO: no git work tree: copying all of $top but .git and build/"
	tar -C "$top" --exclude=./.git --exclude=./build -cf - .
fi | tar -xf - -C "$src" || die "copy of the checkout"

# ---- build
if (cd "$src" && apt_get build-dep -y -q ./ >"$tmp/build-dep.log" 2>&1); then
	pass "apt-get build-dep ./"
else
	bad "apt-get build-dep ./: $(tail -n 3 "$tmp/build-dep.log")"
fi
start=$(date +%s)
if (cd "$src" && dpkg-buildpackage -us -uc -b >"$tmp/build.log" 2>&1); then
	pass "dpkg-buildpackage -us -uc -b ($(($(date +%s) - start)) s)"
else
	# The tail alone hides which check of a failed unit test failed: its
	# log (printed whole by VERBOSE=1) is further up.
	grep -E '^(FAIL|ERROR|INFO): ' "$tmp/build.log" | tail -n 60
	tail -n 40 "$tmp/build.log"
	mkdir -p "$top/build" && cp "$tmp/build.log" "$top/build/pkg-build.log" &&
		echo "INFO: the whole log: $top/build/pkg-build.log"
	die "dpkg-buildpackage -us -uc -b"
fi
grep -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR): ' "$tmp/build.log" | sort | uniq -c | awk '{print "INFO: make check in the build:", $0}' | head -n 40
changes=$(ls "$tmp"/daxpin_*_amd64.changes) || die "no .changes"
debs=$(ls "$tmp"/daxpin_*.deb "$tmp"/daxpin-dkms_*.deb) || die "no .debs"
for d in $debs; do echo "INFO: $(basename "$d"): $(stat -c %s "$d") bytes"; done

# ---- lintian: no errors; warnings listed
start=$(date +%s)
lintian --tag-display-limit 0 -i -I --pedantic "$changes" >"$tmp/lintian.log" 2>&1
echo "INFO: lintian took $(($(date +%s) - start)) s"
sed 's/^/  lintian: /' "$tmp/lintian.log" | grep -E '^  lintian: [EWIX]:' || true
if grep -q '^E:' "$tmp/lintian.log"; then
	bad "lintian reports errors"
else
	pass "lintian: no errors ($(grep -c '^W:' "$tmp/lintian.log") warnings)"
fi

# ---- install
dpkg -s daxpin >/dev/null 2>&1 || dpkg -s daxpin-dkms >/dev/null 2>&1 &&
	apt_get purge -y -q daxpin daxpin-dkms >/dev/null 2>&1
lsmod_before=$(grep -c '^daxpin ' /proc/modules 2>/dev/null)
# what the install creates that the purge keeps on purpose (the group,
# DKMS's signing key): the test removes it again if it was not there
group_before=$(getent group daxpin)
mok_before=$(ls /var/lib/dkms/mok.key /var/lib/dkms/mok.pub 2>/dev/null)
installed=1
start=$(date +%s)
if (cd "$tmp" && apt_get install -y -q \
		./"$(basename "$tmp"/daxpin_*_amd64.deb)" ./"$(basename "$tmp"/daxpin-dkms_*_all.deb)" \
		>"$tmp/install.log" 2>&1); then
	pass "apt-get install ./daxpin_*.deb ./daxpin-dkms_*.deb ($(($(date +%s) - start)) s, DKMS builds included)"
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
built=()
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
			built+=("$k")
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

# kernels that must be there (-K): each glob names one DKMS built for
for g in "${required[@]}"; do
	m=
	for k in "${built[@]}"; do
		# shellcheck disable=SC2053 # a glob on purpose
		[[ $k == $g ]] && m="$m $k"
	done
	[ -n "$m" ] && pass "required kernel $g: DKMS built daxpin.ko for$m" ||
		bad "required kernel $g: DKMS built daxpin.ko for none (built: ${built[*]:-none})"
done

# ---- files in place
for f in /usr/bin/daxpinctl /usr/sbin/daxpind /lib/systemd/system/daxpind.service \
	/usr/lib/sysusers.d/daxpin.conf /usr/lib/systemd/catalog/daxpind.catalog \
	/usr/share/man/man8/daxpinctl.8.gz /usr/share/man/man8/daxpind.8.gz \
	/usr/share/man/man5/daxpind.conf.5.gz /usr/share/bash-completion/completions/daxpinctl \
	/usr/share/daxpin/schema/status.json /etc/daxpin/daxpind.conf \
	"/usr/src/daxpin-$ver/dkms.conf" "/usr/src/daxpin-$ver/kmod/Kbuild" \
	"/usr/src/daxpin-$ver/include/uapi/linux/daxpin.h" \
	/usr/share/doc/daxpin/copyright /usr/share/doc/daxpin-dkms/copyright \
	/usr/share/doc/daxpin/README.Debian; do
	[ -e "$f" ] && pass "installed: $f" || bad "missing: $f"
done
[ ! -e /usr/include/linux/daxpin.h ] && pass "no /usr/include/linux/daxpin.h" || bad "/usr/include/linux/daxpin.h installed"
grep -q "PACKAGE_VERSION=\"$ver\"" "/usr/src/daxpin-$ver/dkms.conf" && pass "dkms.conf version $ver" || bad "dkms.conf version"
# (output captured first: "cmd | grep -q" under pipefail fails when grep
# exits before cmd has written everything, SIGPIPE)
conffiles=$(dpkg-query -W -f '${Conffiles}\n' daxpin)
grep -q '/etc/daxpin/daxpind.conf ' <<<"$conffiles" &&
	pass "/etc/daxpin/daxpind.conf is a conffile" || bad "/etc/daxpin/daxpind.conf is not a conffile"
live=$(grep -Ev '^[[:space:]]*($|#|\[[A-Za-z]+\]$)' /etc/daxpin/daxpind.conf 2>&1)
[ -f /etc/daxpin/daxpind.conf ] && [ -z "$live" ] && pass "daxpind.conf: every setting commented" || bad "daxpind.conf sets: $live"
out=$(/usr/sbin/daxpind --check-config 2>&1) && pass "daxpind --check-config on the installed conffile" ||
	bad "daxpind --check-config: $out"
/usr/bin/daxpinctl --version >/dev/null 2>&1 || /usr/bin/daxpinctl --help >/dev/null 2>&1 &&
	pass "daxpinctl runs" || bad "daxpinctl does not run"
getent group daxpin >/dev/null && pass "group daxpin created (sysusers)" || bad "no group daxpin"
id=$(sed -n 's/^-- \([0-9a-f]\{32\}\).*/\1/p' /usr/lib/systemd/catalog/daxpind.catalog | head -n 1)
catalog=$(journalctl --list-catalog 2>/dev/null)
grep -q "^$id" <<<"$catalog" && pass "journal catalog updated by the trigger (has $id)" ||
	bad "journalctl --list-catalog lacks $id (systemd's catalog trigger)"

# ---- the module at boot, the systemd way: daxpind.service pulls in
# modprobe@daxpin.service and is ordered after it (starting it under
# systemd as PID 1 is the systemd VM mode's test)
unit=/lib/systemd/system/daxpind.service
out=$(systemd-analyze verify --man=no "$unit" 2>&1) && pass "systemd-analyze verify $unit" ||
	bad "systemd-analyze verify $unit: $out"
grep -qx 'Wants=modprobe@daxpin.service' "$unit" &&
	grep -Eqx 'After=(.* )?modprobe@daxpin.service( .*)?' "$unit" &&
	pass "daxpind.service: Wants= and After=modprobe@daxpin.service" ||
	bad "daxpind.service does not pull in modprobe@daxpin.service: $(grep -E '^(Wants|After)=' "$unit")"
ls /usr/lib/modules-load.d/*daxpin* /etc/modules-load.d/*daxpin* >/dev/null 2>&1 &&
	bad "a modules-load.d file for daxpin was installed (loads at boot without being asked)" ||
	pass "no modules-load.d file installed (README.Debian says how)"

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
# the installed one only: other daxpinds (tests of a build tree) may run here
running=
for p in $(pgrep -x daxpind); do
	[ "$(readlink "/proc/$p/exe")" = /usr/sbin/daxpind ] && running="$running $p"
done
[ -n "$running" ] && bad "/usr/sbin/daxpind running: pid$running" || pass "/usr/sbin/daxpind not running"

# ---- the installed programs and module in the test VM
if [ -n "$vm" ]; then
	export DAXPIN_BUILD=${DAXPIN_BUILD:-$top/build/obj}
	vmk=() vm_passed=()
	for k in "${built[@]}"; do
		[ -r "/boot/vmlinuz-$k" ] && vmk+=(-k "$k") ||
			echo "INFO: $k: no /boot/vmlinuz-$k, not booted"
	done
	if [ ! -x "$DAXPIN_BUILD/daemon/tests/notify-listen" ]; then
		bad "VM: no test helpers in DAXPIN_BUILD=$DAXPIN_BUILD (run scripts/build)"
	elif [ ${#vmk[@]} -eq 0 ]; then
		bad "VM: no kernel to boot with DKMS's daxpin.ko"
	else
		start=$(date +%s)
		DAXPIN_INSTALLED=1 "$top/tests/vm/run-all" -j "$jobs" "${vmk[@]}" -f ext4 \
			"$top/tests/pkg/vm-installed.sh" >"$tmp/vm.log" 2>&1
		sed 's/^/  vm: /' "$tmp/vm.log"
		echo "INFO: VM runs took $(($(date +%s) - start)) s"
		for ((i = 1; i < ${#vmk[@]}; i += 2)); do
			k=${vmk[i]}
			if grep -q "^PASS $k ext4 vm-installed " "$tmp/vm.log"; then
				pass "VM $k: installed daxpinctl, daxpind and DKMS's daxpin.ko (modprobe): stuck truncate warned and ended"
				vm_passed+=("$k")
			else
				bad "VM $k: vm-installed did not pass: $(grep " $k ext4 vm-installed " "$tmp/vm.log")"
				log=$(sed -n "s/^FAIL $k ext4 vm-installed .*log: //p" "$tmp/vm.log")
				[ -n "$log" ] && grep -aE 'FAIL:|daxpin' "$log" | tail -n 15 | sed 's/^/    /'
			fi
		done
		for g in "${required[@]}"; do
			m=
			for k in "${vm_passed[@]}"; do
				# shellcheck disable=SC2053 # a glob on purpose
				[[ $k == $g ]] && m="$m $k"
			done
			[ -n "$m" ] && pass "required kernel $g: VM scenario passed on$m" ||
				bad "required kernel $g: the VM scenario passed on none"
		done
	fi
fi

# ---- purge: nothing left
dpkg -L daxpin daxpin-dkms 2>/dev/null | sort -u >"$tmp/files-before"
find /var/lib/dkms/daxpin /usr/src/daxpin-"$ver" /lib/modules/*/updates/dkms/daxpin.ko* \
	/etc/daxpin 2>/dev/null | sort >"$tmp/extra-before"
echo "INFO: $(wc -l <"$tmp/files-before") paths owned, $(wc -l <"$tmp/extra-before") in the DKMS tree, built modules and /etc/daxpin"
start=$(date +%s)
if apt_get purge -y -q daxpin daxpin-dkms >"$tmp/purge.log" 2>&1; then
	installed=
	pass "apt-get purge daxpin daxpin-dkms ($(($(date +%s) - start)) s)"
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
if getent group daxpin >/dev/null; then
	pass "group daxpin kept by the purge (Debian keeps system groups; groupdel daxpin removes it)"
	if [ -z "$group_before" ]; then
		groupdel daxpin && echo "INFO: group daxpin removed by the test (it did not exist before)" ||
			bad "groupdel daxpin"
	fi
else
	bad "group daxpin removed by the purge (files may still carry its gid)"
fi
if [ -z "$mok_before" ] && [ -e /var/lib/dkms/mok.key ]; then
	rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	echo "INFO: DKMS's signing key /var/lib/dkms/mok.{key,pub}, made for this test's builds, removed"
fi

echo "INFO: logs in $tmp${keep:+ (kept)}"
summary
[ "$fails" -eq 0 ]
