#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4 xfs
#
# kmod-gp-teardown - the grace-period statistics count what they say:
#  - a stuck truncate (a layout-break wait, tracked, then ended) adds no
#    grace-period count at all: a waiter sleeps in schedule() and calls none,
#    and the retired layout_break context is not reported;
#  - destroying the devdax namespace, then (unmounted) the fsdax one, runs
#    kill_dax() -> synchronize_srcu(&dax_srcu): the kill_dax row of
#    synchronize_srcu counts exactly one call per kill_dax() (counted by an
#    independent tracefs kprobe), with a non-zero time; the expedited
#    variant synchronize_srcu() calls inside (rcu_expedited=1 for the fsdax
#    teardown) is not counted again;
#  - every row reports `missed` (0 here), in JSON and in the text table.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

st=/tmp/stats.json
tr=/sys/kernel/tracing
[ -d $tr/events ] || tr=/sys/kernel/debug/tracing

# gp_field PRIMITIVE KEY: KEY of the kill_dax row of PRIMITIVE in $st.
gp_field()
{
	jq_py $st "[g['$2'] for g in d['grace_periods'] if g['name'] == '$1' and g['context'] == 'kill_dax'][0]"
}

stats()
{
	"$DAXPINCTL" --json stats >$st || die "stats failed"
	log "grace periods: $(jq_py $st "[(g['name'], g['context'], g['count'], g['total_ns'], g['missed']) for g in d['grace_periods']]")"
}

# Independent count of kill_dax() calls: a tracefs kprobe event.
kill_dax_calls()
{
	grep -c 'daxpin_test_kill_dax:' $tr/trace
}

# Namespace device name (namespace0.N) by mode.
check_counts()
{
	local calls=$1 p

	stats
	assert_eq "$calls" "$(gp_field synchronize_srcu count)" "synchronize_srcu count in kill_dax"
	for k in total_ns max_ns; do
		assert_eq true "$(jq_py $st "[g['$k'] > 0 for g in d['grace_periods'] if g['name'] == 'synchronize_srcu' and g['context'] == 'kill_dax'][0]")" "synchronize_srcu $k > 0"
	done
	# kill_dax() calls nothing else with nothing mounted: no other row
	# counts, and the expedited SRCU wait nested in synchronize_srcu() is
	# not counted a second time.
	for p in synchronize_rcu synchronize_rcu_expedited synchronize_srcu_expedited; do
		assert_eq 0 "$(gp_field $p count)" "$p count in kill_dax"
	done
	assert_eq 0 "$(jq_py $st "sum(g['missed'] for g in d['grace_periods'])")" "missed"
}

modprobe brd rd_nr=1 rd_size=65536 || die "modprobe brd failed"
modprobe dm-mod || die "modprobe dm-mod failed"
daxpin_load

# A pin that lasts until released: the read waits in a suspended dm device.
# Its own device, kept to the end: removing a dm device is a kill_dax()
# too (dm gives every mapped device a dax_device), which lib's pin_release
# would do before the check that nothing was counted.
dmsetup create --noudevsync hold --table "0 $(blockdev --getsz /dev/ram0) linear /dev/ram0 0" ||
	die "dmsetup create hold failed"
dmsetup mknodes hold
dmsetup suspend --noudevsync hold || die "dmsetup suspend hold failed"
PIN_DEV=/dev/mapper/hold
f=$DAX_MNT/victim
w=/tmp/waits.json
pin_start "$f" 0 4096
assert is_running "$PIN_PID"
stuck_start "$f"
tp=$STUCK_PID
wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 1 ]" 30 ||
	die "no wait tracked: $(cat $w)"
id=$(jq_py $w 'd["waits"][0]["id"]')
dmsetup resume --noudevsync hold || die "dmsetup resume hold failed"
pin_wait 60
# 6.1 loses the wake-up (stalled, kicked); later kernels wake the waiter.
wait_for "! is_running $tp || [ \"\$(wait_field $id stalled)\" = true ]" 60 ||
	die "truncate neither ended nor stalled: $(cat $w)"
if is_running "$tp"; then
	"$DAXPINCTL" kick "$id" || die "kick $id failed"
fi
wait_for "! is_running $tp" 30 || die "truncate still running"
wait "$tp"
assert_eq 0 "$?" "truncate exit status"
stats
assert_eq 1 "$(jq_py $st "sum(s['completed'] for s in d['superblocks'])")" "completed waits"
assert_eq 0 "$(jq_py $st "len([g for g in d['grace_periods'] if g['context'] != 'kill_dax'])")" "rows of other contexts (layout_break retired)"
assert_eq 4 "$(jq_py $st "len(d['grace_periods'])")" "grace-period rows"
assert_eq 0 "$(jq_py $st "sum(g['count'] for g in d['grace_periods'])")" "grace periods counted with no teardown"

echo 'p:daxpin_test_kill_dax kill_dax' >>$tr/kprobe_events || die "no kprobe event on kill_dax"
echo 1 >$tr/events/kprobes/daxpin_test_kill_dax/enable
: >$tr/trace

ddax=$(ns_of_mode devdax) || die "no devdax namespace: $(ndctl list -N)"
ndctl destroy-namespace -f "$ddax" || die "destroy-namespace $ddax failed"
log "devdax $ddax destroyed"
calls=$(kill_dax_calls)
log "kill_dax calls (tracefs): $calls"
[ "$calls" -ge 1 ] || die "no kill_dax() call seen for the devdax teardown"
check_counts "$calls"

umount "$DAX_MNT" || die "umount $DAX_MNT failed"
fsdax=$(ns_of_mode fsdax) || die "no fsdax namespace: $(ndctl list -N)"
# With rcu_expedited, synchronize_srcu() calls synchronize_srcu_expedited():
# one wait, to be counted once.
# Whether the nested call is a call at all (not inlined) is the kernel's
# build: count its entries with tracefs, for the log.
echo 'p:daxpin_test_srcu_exp synchronize_srcu_expedited' >>$tr/kprobe_events ||
	die "no kprobe event on synchronize_srcu_expedited"
echo 1 >/sys/kernel/rcu_expedited || die "cannot set rcu_expedited"
echo 1 >$tr/events/kprobes/daxpin_test_srcu_exp/enable
ndctl destroy-namespace -f "$fsdax" || die "destroy-namespace $fsdax failed"
echo 0 >$tr/events/kprobes/daxpin_test_srcu_exp/enable
echo 0 >/sys/kernel/rcu_expedited
log "fsdax $fsdax destroyed (rcu_expedited); synchronize_srcu_expedited entries meanwhile (any caller): $(grep -c 'daxpin_test_srcu_exp:' $tr/trace)"
calls2=$(kill_dax_calls)
# (removing an event clears the trace buffer: count first)
echo '-:daxpin_test_srcu_exp' >>$tr/kprobe_events
log "kill_dax calls (tracefs): $calls2"
[ "$calls2" -gt "$calls" ] || die "no kill_dax() call seen for the fsdax teardown"
check_counts "$calls2"

echo 0 >$tr/events/kprobes/daxpin_test_kill_dax/enable
echo '-:daxpin_test_kill_dax' >>$tr/kprobe_events

"$DAXPINCTL" stats | tee /tmp/stats.txt
grep -qE '^  PRIMITIVE +CONTEXT +COUNT +AVG_NS +MAX_NS +MISSED' /tmp/stats.txt ||
	die "no MISSED column in the text table"
grep -qE '^  synchronize_srcu +kill_dax +'"$calls2"' .* 0$' /tmp/stats.txt ||
	die "text table: synchronize_srcu kill_dax row wrong"

# A reset clears counts and misses alike.
"$DAXPINCTL" stats --reset >/dev/null || die "stats --reset failed"
stats
assert_eq 0 "$(jq_py $st "sum(g['count'] + g['missed'] for g in d['grace_periods'])")" "counts and misses after reset"
log "kill_dax synchronize_srcu: $calls2 calls timed"
log "kmod-gp-teardown ok"
