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
# status --check speaks the monitoring-plugin convention: a command line it
# cannot use is UNKNOWN (3), never CRITICAL (2), wherever --check stands.
expect 3 status --check --warn-ms=soon
expect 3 status --warn-ms=soon --check
expect 3 status --bogus --check
expect 3 status -c --crit-ms=
expect 3 status --check extra-arg
expect 0 status --check --help
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
expect "0 1 2" status --check
check_rc=$rc
expect 0 status
if [ "$check_rc" = 2 ] && grep -q 'daxpin.ko is not loaded' "$tmp/out"; then
	# no module: the health line says so, no stuck-wait threshold
	grep -qx 'health: critical: daxpin.ko is not loaded' "$tmp/out" ||
		{ echo "FAIL: status without the module:"; tail -n 3 "$tmp/out"; fail=1; }
fi

# Every command's --help describes every option its getopt table has
# (--list-opts is generated from that table), and 'help CMD' is 'CMD --help'.
cmds=$("$DAXPINCTL" --list-cmds) || { echo "FAIL: --list-cmds"; fail=1; }
[ "$(echo "$cmds" | wc -l)" -ge 11 ] || { echo "FAIL: --list-cmds: $cmds"; fail=1; }
n_opts=0
for c in $cmds; do
	[ "$c" = help ] && continue
	expect 0 "$c" --help
	cp "$tmp/out" "$tmp/help"
	expect 0 help "$c"
	cmp -s "$tmp/out" "$tmp/help" || { echo "FAIL: 'help $c' differs from '$c --help'"; fail=1; }
	grep -q '^usage: daxpinctl' "$tmp/help" || { echo "FAIL: $c --help has no usage"; fail=1; }
	expect 0 "$c" --list-opts
	for o in $(sed 's/=.*//' "$tmp/out" | sort -u); do
		n_opts=$((n_opts + 1))
		grep -qE -- "(^|[ ,])$o([=[ ]|\$)" "$tmp/help" ||
			{ echo "FAIL: daxpinctl $c --help does not describe $o"; fail=1; }
	done
done
echo "INFO: $n_opts options described by --help"
expect 0 --list-opts
grep -qx -- --json=short "$tmp/out" && grep -qx -- --json=pretty "$tmp/out" ||
	{ echo "FAIL: --list-opts lacks --json=pretty|short"; fail=1; }
expect 2 help frobnicate

# The completion asks daxpinctl, so it offers what the binary parses.
comp=${srcdir:-.}/cli/daxpinctl.bash-completion
if command -v bash >/dev/null; then
	got=$(DAXPINCTL="$DAXPINCTL" COMP="$comp" bash -c '
		. "$COMP"
		complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _daxpinctl; echo "${COMPREPLY[*]}"; }
		complete_words "$DAXPINCTL" --js
		complete_words "$DAXPINCTL" st
		complete_words "$DAXPINCTL" bench gp --it
		complete_words "$DAXPINCTL" status --json=s
		complete_words "$DAXPINCTL" help wa' 2>&1)
	want=$(printf '%s
' "--json --json=pretty --json=short" "stats status" "--iterations=" 		"--json=short" "waits")
	[ "$got" = "$want" ] || { echo "FAIL: completion gave:"; echo "$got"; echo "want:"; echo "$want"; fail=1; }
fi

exit $fail
