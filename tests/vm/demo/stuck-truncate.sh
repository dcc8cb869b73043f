#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's demo, run inside the VM by scripts/demo: a truncate that
# overlaps an O_DIRECT read into its DAX-mmapped page sleeps forever on
# Debian 12's kernel; daxpin shows it, sees it stall, and frees it.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

banner()
{
	printf '\n==== %s\n' "$*"
}

daxpin_load
f=$DAX_MNT/victim

banner "an O_DIRECT read from a stalled disk into page 0 of $f (mmapped from $PMEM_DEV, $DAXPIN_FS -o dax)"
pin_start "$f" 0 4096
banner "truncate -s 0 $f while the page is pinned"
stuck_start "$f"
wait_for "\"\$DAXPINCTL\" --json waits | grep -q '\"id\"'" 30 || die "the truncate was not tracked"
banner "daxpinctl waits"
"$DAXPINCTL" waits
banner "the disk answers: the read completes and unpins the page"
pin_release
banner "the read is done (the page is idle), yet the truncate still sleeps: daxpinctl waits -v"
wait_for "[ \"\$(\"\$DAXPINCTL\" --json waits | grep -c '\"stalled\": true')\" -gt 0 ]" 30 ||
	die "the wait did not stall"
"$DAXPINCTL" waits -v
banner "truncate pid $STUCK_PID: state $(proc_state "$STUCK_PID"), wchan $(proc_wchan "$STUCK_PID")"
id=$("$DAXPINCTL" --json waits | sed -n 's/^ *"id": \([0-9]*\),$/\1/p' | head -n 1)
banner "daxpinctl kick $id"
"$DAXPINCTL" kick "$id"
wait_gone "$STUCK_PID" 10 >/dev/null || die "truncate did not finish after the kick"
wait "$STUCK_PID"
banner "truncate exited with status $?; size of $f is now $(stat -c %s "$f")"
"$DAXPINCTL" stats
