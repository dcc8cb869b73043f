#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4
#
# cli-bench-policy - the CLI issue's VM acceptance besides status:
# `bench truncate` on the DAX mount and on tmpfs prints both (the DAX one
# flagged DAX, the tmpfs one not); `policy set WarnAfterSec=2` through a
# running daxpind changes its behaviour at once: the next wait is warned
# about 2 s after it starts (the config file said 30 s).

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"
. "$DAXPIN_SRC/daemon/tests/vm-daemon-lib.sh"

daxpin_load
daemon_warmup

mkdir -p /tmp/bt && mount -t tmpfs none /tmp/bt
for dir in "$DAX_MNT" /tmp/bt; do
	out=$("$DAXPINCTL" bench truncate "$dir" -n 100) || die "bench truncate $dir failed"
	log "bench truncate $dir: $out"
	"$DAXPINCTL" --json=short bench truncate "$dir" -n 100 >/tmp/bt.json ||
		die "bench truncate --json $dir failed"
	assert_eq 100 "$(jq_py /tmp/bt.json 'd["iterations"]')" "iterations on $dir"
	assert_eq true "$(jq_py /tmp/bt.json 'd["total_ns"] > 0 and d["per_call_ns"] > 0')" "times on $dir"
	if [ "$dir" = "$DAX_MNT" ]; then
		assert_eq true "$(jq_py /tmp/bt.json 'd["file_dax"]')" "dax flag on $dir"
		dax_ns=$(jq_py /tmp/bt.json 'd["per_call_ns"]')
	else
		assert_eq false "$(jq_py /tmp/bt.json 'd["file_dax"]')" "dax flag on $dir"
		tmpfs_ns=$(jq_py /tmp/bt.json 'd["per_call_ns"]')
	fi
done
log "truncate of the last page, mmapped file: DAX $dax_ns ns per call, tmpfs $tmpfs_ns ns per call"

daemon_start '[Policy]\nWarnAfterSec=30\nStalledWake=yes\n'
export DAXPIN_CONTROL=$DRUN/control
"$DAXPINCTL" policy set WarnAfterSec=2 || die "policy set failed"
"$DAXPINCTL" --json policy show >/tmp/policy.json || die "policy show failed"
log "policy: $(tr -d ' \n' </tmp/policy.json | head -c 400)"
grep -q '"WarnAfterSec"' /tmp/policy.json || die "policy show does not list WarnAfterSec"
tr -d ' \n' </tmp/policy.json | grep -q '"key":"WarnAfterSec","value":"2"' ||
	die "WarnAfterSec is not 2 after policy set: $(cat /tmp/policy.json)"
# status --check judges a wait stuck where daxpind would warn about it
"$DAXPINCTL" --json status >/tmp/status.json || die "status --json failed"
assert_eq "2000 daxpind" "$(jq_py /tmp/status.json '"%d %s" % (d["check"]["warn_ms"], d["check"]["warn_source"])')" \
	"status --check threshold after policy set WarnAfterSec=2"

f=$DAX_MNT/victim
pin_start "$f" 0 4096
stuck_start "$f"
wait_on "$f"
dlog_wait "\\[wait-slow\\].*DAXPIN_WAIT_ID=$WID " 20 || die "no warning: $(cat "$DLOG")"
l=$(dlog_line "\\[wait-slow\\].*DAXPIN_WAIT_ID=$WID ")
assert_near "start to warning after policy set WarnAfterSec=2" 2000 \
	$((($(line_ns "$l") - WSTART) / 1000000)) 500
kill -TERM "$STUCK_PID"
wait "$STUCK_PID"
pin_release
daemon_stop
log "cli-bench-policy ok"
