#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4 xfs
#
# kmod-teardown - namespace teardown with daxpin loaded, in the order an
# operator can follow (the raw nd_pmem unbind under a mounted filesystem is
# kmod-teardown-unbind):
#  - while a truncate waits on a DMA-pinned page (tracked), ndctl refuses to
#    disable or destroy the mounted fsdax namespace (EBUSY): the wait stays
#    tracked, its page present, the module answers;
#  - the devdax namespace is destroyed while that wait is tracked: kill_dax()
#    is timed (synchronize_srcu, kill_dax context), the wait is untouched;
#  - the pin is released and the wait ends (woken, or kicked where the
#    kernel loses the wake-up); then the fs is unmounted and the fsdax
#    namespace destroyed: a second timed kill_dax();
#  - the module still answers, unloads and loads again; every wait is
#    bounded (generous limits), the kernel log stays clean (harness).

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

st=/tmp/stats.json
w=/tmp/waits.json

srcu_kill_dax()
{
	"$DAXPINCTL" --json stats >$st || die "stats failed (module not answering)"
	jq_py $st "[g['count'] for g in d['grace_periods'] if g['name'] == 'synchronize_srcu' and g['context'] == 'kill_dax'][0]"
}

daxpin_load

# A held pin: the read waits in a suspended dm device until pin_release.
f=$DAX_MNT/victim
pin_start "$f" 0 4096
assert is_running "$PIN_PID"
stuck_start "$f"
tp=$STUCK_PID
wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 1 ]" 30 ||
	die "no wait tracked: $(cat $w)"
id=$(jq_py $w 'd["waits"][0]["id"]')
log "tracked: wait $id"

fsdax=$(ns_of_mode fsdax) || die "no fsdax namespace: $(ndctl list -N)"
ddax=$(ns_of_mode devdax) || die "no devdax namespace: $(ndctl list -N)"
for cmd in "disable-namespace $fsdax" "destroy-namespace -f $fsdax"; do
	# shellcheck disable=SC2086
	if ndctl $cmd >/tmp/ndctl.out 2>&1; then
		die "ndctl $cmd succeeded under a mounted fs: $(cat /tmp/ndctl.out)"
	fi
	log "ndctl $cmd refused: $(tr '\n' ' ' </tmp/ndctl.out)"
done
[ -b /dev/pmem0 ] || die "/dev/pmem0 is gone"
assert_eq false "$(wait_field "$id" page_gone)" "page_gone after the refused teardown"
assert_eq 0 "$(srcu_kill_dax)" "kill_dax calls before any teardown"

ndctl destroy-namespace -f "$ddax" || die "destroy-namespace $ddax failed"
log "devdax $ddax destroyed with wait $id tracked"
n=$(srcu_kill_dax)
[ "$n" -ge 1 ] || die "devdax teardown: no synchronize_srcu timed in kill_dax: $(cat $st)"
assert is_running "$tp"
assert_eq false "$(wait_field "$id" page_gone)" "page_gone after the devdax teardown"

pin_release "$PIN_PID" 60
# 6.1 loses the wake-up (stalled, kicked); later kernels wake the waiter.
wait_for "! is_running $tp || [ \"\$(wait_field $id stalled)\" = true ]" 60 ||
	die "truncate neither ended nor stalled: $(cat $w)"
if is_running "$tp"; then
	"$DAXPINCTL" kick "$id" || die "kick $id failed"
fi
wait_for "! is_running $tp" 30 || die "truncate still running after the pin's end"
wait "$tp"
assert_eq 0 "$?" "truncate exit status"
wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 0 ]" 10 ||
	die "wait still listed: $(cat $w)"

umount "$DAX_MNT" || die "umount $DAX_MNT failed"
ndctl destroy-namespace -f "$fsdax" || die "destroy-namespace $fsdax failed"
log "fsdax $fsdax destroyed after umount"
n2=$(srcu_kill_dax)
[ "$n2" -gt "$n" ] || die "fsdax teardown: no synchronize_srcu timed in kill_dax: $(cat $st)"
assert_eq 0 "$(jq_py $st "sum(g['missed'] for g in d['grace_periods'])")" "missed"
log "kill_dax synchronize_srcu: $n2 calls, $(jq_py $st "[g['total_ns'] for g in d['grace_periods'] if g['name'] == 'synchronize_srcu'][0]") ns"

rmmod daxpin || die "rmmod daxpin failed"
daxpin_load
"$DAXPINCTL" stats >/dev/null || die "module does not answer after reload"
log "kmod-teardown ok"
