#!/bin/bash
# daxpind --check-config (and start-up) on the configuration files given:
# a missing or unreadable -c FILE fails as a bad file does, a '#' glued to a
# value is warned about, and what is printed (file names, messages, the
# list of files) is escaped like the rest of daxpind's output.
set -u
DAXPIND=$PWD/daemon/daxpind
fail=0
pass() { echo "PASS: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

tmp=$(mktemp -d /tmp/daxpind-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# ---- -c FILE that is missing, or a directory
out=$("$DAXPIND" --check-config -c "$tmp/missing.conf" 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q "missing.conf: cannot read: No such file or directory" <<<"$out" &&
   ! grep -q "configuration OK" <<<"$out"; then
	pass "--check-config -c on a missing file fails and says why"
else
	bad "--check-config -c on a missing file: rc=$rc: $out"
fi
mkdir "$tmp/dir.conf"
out=$("$DAXPIND" --check-config -c "$tmp/dir.conf" 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q "dir.conf: cannot read: Is a directory" <<<"$out"; then
	pass "--check-config -c on a directory fails and says why"
else
	bad "--check-config -c on a directory: rc=$rc: $out"
fi
# Start-up refuses the same file the same way (bounded generously: a
# daemon that starts would run until the timeout).
t0=$(date +%s%N)
out=$(timeout 60 "$DAXPIND" -c "$tmp/missing.conf" --runtime-dir "$tmp/rt" --debug 2>&1); rc=$?
t1=$(date +%s%N)
echo "# daxpind -c missing: rc=$rc after $(((t1 - t0) / 1000000)) ms"
if [ $rc -eq 1 ] && grep -q "missing.conf: cannot read: No such file or directory" <<<"$out"; then
	pass "daxpind refuses to start on a missing -c file"
else
	bad "daxpind -c on a missing file: rc=$rc: $out"
fi

# ---- a '#' or ';' glued to a value is part of it, and is pointed out
printf '[Policy]\nAction=exec\nExecHook=/opt/hooks#1/run\nWarnAfterSec=4 # four\n' > "$tmp/hash.conf"
out=$("$DAXPIND" --check-config -c "$tmp/hash.conf" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "hash.conf:3: warning: .*/opt/hooks#1/run" <<<"$out" &&
   ! grep -q "hash.conf:4:" <<<"$out"; then
	pass "--check-config warns about a '#' kept inside a value, not about a comment"
else
	bad "--check-config on ExecHook=/opt/hooks#1/run: rc=$rc: $out"
fi
printf '[Policy]\nAction=exec\nExecHook="/opt/hooks#1/run"\n' > "$tmp/quoted.conf"
out=$("$DAXPIND" --check-config -c "$tmp/quoted.conf" 2>&1); rc=$?
if [ $rc -eq 0 ] && ! grep -q "warning" <<<"$out"; then
	pass "a quoted value with '#' is not warned about"
else
	bad "--check-config on a quoted '#': rc=$rc: $out"
fi

# ---- escaped output: file names and messages reach the terminal as text
esc=$(printf '\033')
f="$tmp/e${esc}[2Jx.conf"
printf '[Policy]\nWarnAfterSec=\033[31mred\n' > "$f"
out=$("$DAXPIND" --check-config -c "$f" 2>&1); rc=$?
if [ $rc -eq 1 ] && ! grep -q "$esc" <<<"$out" &&
   grep -qF 'e\033[2Jx.conf:2: bad value "\033[31mred"' <<<"$out"; then
	pass "--check-config escapes file names and values in its messages"
else
	bad "--check-config printed raw control characters: rc=$rc: $(printf %q "$out")"
fi
f="$tmp/n
l.conf"
printf '[Policy]\nWarnAfterSec=3\n' > "$f"
out=$("$DAXPIND" --check-config -c "$f" 2>/dev/null); rc=$?
if [ $rc -eq 0 ] && [ "$(wc -l <<<"$out")" -eq 2 ] && grep -qF 'n\nl.conf' <<<"$out"; then
	pass "--check-config lists a file name with a newline on one line"
else
	bad "--check-config list of files: rc=$rc: $(printf %q "$out")"
fi

exit $fail
