#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4
#
# kmod-admin - unprivileged users get a clear permission error from kick,
# stats --reset and bench gp; root's bench gp -n 20 reports the four
# grace-period primitives with non-zero times; -n 1000 runs at most 100
# (20 expedited) per primitive; rmmod during a benchmark stops it.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

daxpin_load

as_nobody()
{
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
}

for cmd in "kick 1" "stats --reset" "bench gp -n 2"; do
	# shellcheck disable=SC2086
	if as_nobody "$DAXPINCTL" $cmd >/tmp/out 2>/tmp/err; then
		die "unprivileged '$cmd' succeeded"
	fi
	log "unprivileged '$cmd': $(cat /tmp/err)"
	grep -qiE 'permission|not permitted' /tmp/err || die "no clear permission error for '$cmd'"
	[ "$(wc -l </tmp/err)" -eq 1 ] || die "'$cmd' error is not one line"
done

b=/tmp/bench.json
"$DAXPINCTL" --json bench gp -n 20 >$b || die "bench gp failed"
log "bench gp: $(tr -d ' \n' <$b)"
assert_eq 4 "$(jq_py $b 'len(d["results"])')" "primitives"
for p in synchronize_rcu synchronize_rcu_expedited synchronize_srcu synchronize_srcu_expedited; do
	assert_eq true "$(jq_py $b "[r for r in d['results'] if r['name'] == '$p'][0]['min_ns'] > 0")" "$p min"
	assert_eq 20 "$(jq_py $b "[r for r in d['results'] if r['name'] == '$p'][0]['iterations']")" "$p iterations"
done
"$DAXPINCTL" bench gp -n 20

# The largest request is capped per primitive: 100 grace periods, 20
# expedited ones (each interrupts every CPU).
"$DAXPINCTL" --json bench gp -n 1000 >$b || die "bench gp -n 1000 failed"
for p in synchronize_rcu:100 synchronize_rcu_expedited:20 synchronize_srcu:100 synchronize_srcu_expedited:20; do
	assert_eq "${p#*:}" "$(jq_py $b "[r for r in d['results'] if r['name'] == '${p%:*}'][0]['iterations']")" "${p%:*} iterations of -n 1000"
done
if "$DAXPINCTL" bench gp -n 1001 2>/tmp/err; then
	die "bench gp -n 1001 accepted"
fi

# rmmod during a benchmark: the benchmark stops at its next grace period
# with an error instead of running on (module going away), the module
# unloads, and loads again.
"$DAXPINCTL" bench gp -n 1000 >/tmp/bench.out 2>/tmp/bench.err &
bp=$!
wait_for "grep -q daxpin_gp_bench /proc/$bp/stack 2>/dev/null || ! is_running $bp" 60 ||
	die "bench not seen running"
is_running "$bp" || die "bench ended before rmmod: $(cat /tmp/bench.out /tmp/bench.err)"
rmmod daxpin || die "rmmod during a benchmark failed"
wait_for "! is_running $bp" 60 || die "bench still running after rmmod"
if wait "$bp"; then
	die "bench interrupted by rmmod reported success: $(cat /tmp/bench.out)"
fi
log "bench during rmmod: $(cat /tmp/bench.err)"
daxpin_load
"$DAXPINCTL" stats >/dev/null || die "module does not answer after reload"
log "kmod-admin ok"
