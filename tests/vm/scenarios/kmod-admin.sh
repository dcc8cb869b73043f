#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4
#
# kmod-admin - unprivileged users get a clear permission error from kick,
# stats --reset and bench gp; root's bench gp -n 20 reports the four
# grace-period primitives with non-zero times.

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
log "kmod-admin ok"
