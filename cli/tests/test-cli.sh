#!/bin/sh
# Black-box checks of daxpinctl's command line: exit codes and usage.
# Runs from the top build directory (automake TESTS). Works with or without
# daxpin.ko loaded: module-dependent checks accept the documented codes.
DAXPINCTL=${DAXPINCTL:-./cli/daxpinctl}
fail=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

expect() {
	want=$1; shift
	"$DAXPINCTL" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	case " $want " in
	*" $rc "*) ;;
	*) echo "FAIL: daxpinctl $* exited $rc, want $want"; cat "$tmp/err"; fail=1 ;;
	esac
}

expect_stderr() {
	if ! grep -q -- "$1" "$tmp/err"; then
		echo "FAIL: stderr lacks '$1':"; cat "$tmp/err"; fail=1
	fi
}

expect 0 --help
expect 0 help
expect 0 waits --help
expect 2
expect 2 frobnicate
expect_stderr "unknown command"
expect 2 --json=fancy waits
expect 2 waits --bogus-option
expect 2 waits extra-arg
expect 2 kick
expect_stderr "missing wait id"
expect 2 kick not-a-number
expect 2 kick 1 x
expect 2 kick --stalled 1
expect_stderr "not both"
expect 2 monitor --mount /nonexistent/path
expect 2 monitor --dev /dev/null
expect_stderr "not a block device"
expect 2 monitor --no-follow --count 1
expect 2 status --warn-ms=soon
expect 2 scan
expect 2 stats --nope
expect 2 bench
expect 2 bench frob
expect 2 bench gp -n 0
expect 2 bench gp -n -5
expect 2 bench gp -n 12x
expect 2 bench truncate
expect 2 monitor --count 0
expect 2 config --open-reads=maybe
expect 2 config --poll-ms=abc
expect 0 version

# never overwrite an existing file
echo keep >"$tmp/existing"
expect 2 bench truncate "$tmp/existing" -n 1
grep -q keep "$tmp/existing" || { echo "FAIL: bench truncate clobbered a file"; fail=1; }
# a directory works anywhere (page cache when not DAX)
expect 0 bench truncate "$tmp" -n 3 --json=short
grep -q '"iterations":3' "$tmp/out" || { echo "FAIL: bench truncate JSON"; cat "$tmp/out"; fail=1; }
ls -A "$tmp" | grep -q daxpinctl-bench && { echo "FAIL: scratch file left behind"; fail=1; }

# module-dependent: 0 (loaded, allowed), 3 (not loaded), 4 (not root)
expect "0 3 4" waits --json
if [ "$rc" = 0 ]; then
	grep -q '"waits"' "$tmp/out" || { echo "FAIL: waits --json"; fail=1; }
elif [ "$rc" = 3 ]; then
	expect_stderr "not loaded"
	[ -s "$tmp/out" ] && { echo "FAIL: output on stdout after an error"; fail=1; }
fi
expect "0 3 4" stats
expect "3 4 5" kick 18446744073709551615
expect "0 3 4" kick --stalled
expect "3 4 5 6" scan "$tmp/existing"

exit $fail
