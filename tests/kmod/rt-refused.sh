#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rt-refused - daxpin.ko must not build for a PREEMPT_RT kernel: its probe
# handlers take spinlock_t locks (sleeping locks on RT) with preemption off
# (kmod/daxpin_compat.h).  Builds the module with scripts/build-kmod against
# every /usr/src/linux-headers-*-rt-amd64 (scripts/setup-kernels installs
# Debian 12's) in a temporary dir and passes only if each build fails with
# daxpin's own #error.  No RT headers is a failure, not a skip: a test that
# did not run proves nothing.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
msg='#error "daxpin does not support PREEMPT_RT'
fail() { echo "FAIL: $*"; exit 1; }

kdirs=$(ls -d /usr/src/linux-headers-*-rt-amd64 2>/dev/null)
[ -n "$kdirs" ] ||
	fail "no /usr/src/linux-headers-*-rt-amd64: run scripts/setup-kernels (it installs linux-headers-<6.1 ABI>-rt-amd64)"
for kdir in $kdirs; do
	grep -qx 'CONFIG_PREEMPT_RT=y' "$kdir/.config" ||
		fail "$kdir is not a PREEMPT_RT kernel's headers"
	out=$(mktemp -d /tmp/rt-refused.XXXXXX) || fail "mktemp"
	log=$("$top/scripts/build-kmod" -k "$kdir" -o "$out" 2>&1)
	rc=$?
	ko=$(ls "$out"/daxpin.ko 2>/dev/null)
	rm -rf "$out"
	echo "$log" | grep -E 'error|build-kmod' | head -n 3
	if [ "$rc" -eq 0 ] || [ -n "$ko" ]; then
		fail "daxpin.ko built for $kdir"
	fi
	echo "$log" | grep -qF "$msg" ||
		fail "the build for $kdir failed, but not with daxpin's PREEMPT_RT #error"
	echo "ok: $kdir refused"
done
