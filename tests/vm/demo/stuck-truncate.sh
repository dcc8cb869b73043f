#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's demo, run inside the VM by scripts/demo: a truncate that
# overlaps an O_DIRECT read into its DAX-mmapped page sleeps forever on
# Debian 12's kernel (6.1); daxpin shows it while the page is pinned and
# frees it once the page is idle: daxpin.ko wakes it itself at once (its
# rescue switch, on by default: the kicked event says "rescued"), or, with
# rescue off, the wait shows as stalled and daxpinctl kicks it.  On a
# kernel that wakes the truncate itself once the read ends (6.12 and later)
# the demo shows the wait while the page is pinned and its end, and passes:
# there is nothing to rescue there.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

banner()
{
	printf '\n==== %s\n' "$*"
}

stalled_count()
{
	"$DAXPINCTL" --json waits | grep -c '"stalled": true'
}

daxpin_load
f=$DAX_MNT/victim
# the module's events, to tell its rescue from the kernel's own wake-up
events=/tmp/demo-events.jsonl
"$DAXPINCTL" --json monitor >"$events" 2>&1 &
mon=$!
wait_for "ls -l /proc/$mon/fd 2>/dev/null | grep -q socket" 60 || die "daxpinctl monitor did not start"

banner "an O_DIRECT read from a stalled disk into page 0 of $f (mmapped from $PMEM_DEV, $DAXPIN_FS -o dax)"
pin_start "$f" 0 4096
banner "truncate -s 0 $f while the page is pinned"
stuck_start "$f"
wait_for "\"\$DAXPINCTL\" --json waits | grep -q '\"id\"'" 30 || die "the truncate was not tracked"
banner "daxpinctl waits (kernel $DAXPIN_KVER)"
"$DAXPINCTL" waits
banner "the disk answers: the read completes and unpins the page"
pin_release
# Either the wait stalls (the kernel lost the wake-up: 6.1) or the kernel
# wakes the truncate itself (6.12 and later).  Both are what they are.
wait_for "[ \"\$(stalled_count)\" -gt 0 ] || ! is_running $STUCK_PID" 30 ||
	die "after 30 s the wait is neither stalled nor over: $("$DAXPINCTL" waits -v)"

if ! is_running "$STUCK_PID"; then
	wait "$STUCK_PID"
	rc=$?
	[ "$rc" = 0 ] || die "the truncate failed (status $rc)"
	kill "$mon"
	if grep -qE '"rescued": ?true' "$events"; then
		banner "the read is done and the page idle, but kernel $DAXPIN_KVER lost the truncate's wake-up: daxpin.ko saw it asleep on an idle page and woke it at once (rescue, on by default); its event:"
		grep -E '"rescued": ?true' "$events" | head -n 1
		banner "truncate exited with status $rc; size of $f is now $(stat -c %s "$f")"
		"$DAXPINCTL" stats
		banner "demo done: on $DAXPIN_KVER the truncate lost its wake-up when its page went idle, and daxpin.ko woke it at once ('daxpinctl config --rescue=no' leaves that to daxpind's StalledWake or to 'daxpinctl kick')"
		exit 0
	fi
	banner "kernel $DAXPIN_KVER woke the truncate itself when the page went idle (no lost wake-up here): it exited with status $rc, size of $f is now $(stat -c %s "$f")"
	banner "daxpinctl waits: nothing waits any more, nothing to kick"
	"$DAXPINCTL" waits
	"$DAXPINCTL" stats
	banner "demo done: on $DAXPIN_KVER daxpin listed the wait while the page was pinned and saw it end by itself; Debian 12's own 6.1 loses this wake-up (scripts/demo without -k shows it)"
	exit 0
fi

banner "the read is done (the page is idle), yet the truncate still sleeps: daxpinctl waits -v"
"$DAXPINCTL" waits -v
banner "truncate pid $STUCK_PID: state $(proc_state "$STUCK_PID"), wchan $(proc_wchan "$STUCK_PID")"
id=$("$DAXPINCTL" --json waits | sed -n 's/^ *"id": \([0-9]*\),$/\1/p' | head -n 1)
banner "daxpinctl kick $id"
"$DAXPINCTL" kick "$id"
wait_gone "$STUCK_PID" 10 >/dev/null || die "truncate did not finish after the kick"
wait "$STUCK_PID"
rc=$?
banner "truncate exited with status $rc; size of $f is now $(stat -c %s "$f")"
"$DAXPINCTL" stats
banner "demo done: on $DAXPIN_KVER the truncate slept after its page went idle (a lost wake-up) until daxpin kicked it"
