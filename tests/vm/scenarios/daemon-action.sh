#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fs: ext4
#
# daemon-action - Action=signal with ActionAfterSec=2: a truncate on a page
# pinned until the test releases it ends after about 2 s and reports the
# interruption; the log
# gives the facts and the rule, then the result, then the end (interrupted).
# Then DryRun=yes, same scenario: the action is logged as "would", nothing
# is sent, and the truncate is still waiting well after 2 s (and, once the
# pin is gone on a kernel with the lost wake-up, not kicked either).

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"
. "$DAXPIN_SRC/daemon/tests/vm-daemon-lib.sh"

# rescue=0: DryRun=yes is asserted not to kick a stalled wait, so the
# module must not wake it on its own either.
daxpin_load rescue=0
daemon_warmup

# A caller that says how its truncate ended (the signal goes to the
# waiting thread, truncate itself, as a shell would report it).
cat >/tmp/daxpind-vm/trunc.sh <<'SH'
#!/bin/bash
truncate -s 0 "$1"
rc=$?
if [ $rc -gt 128 ]; then
	echo "truncate: interrupted by signal $((rc - 128)) ($(kill -l $((rc - 128))))"
else
	echo "truncate: exit $rc"
fi
exit $rc
SH
chmod +x /tmp/daxpind-vm/trunc.sh

daemon_start '[Policy]\nAction=signal\nActionAfterSec=2\nWarnAfterSec=5\n'

f=$DAX_MNT/sig
pin_start "$f" 0 4096
truncate -s 0 "$f" 2>/tmp/daxpind-vm/trunc.err &
tp=$!
wait_on "$f"
id=$WID
dlog_wait "\\[wait-end\\].*DAXPIN_WAIT_ID=$id " 15 || die "wait did not end: $(cat "$DLOG")"
wait "$tp"
rc=$?
log "truncate exit status: $rc ($(cat /tmp/daxpind-vm/trunc.err))"
[ "$rc" = 143 ] || die "truncate was not ended by SIGTERM (exit $rc)"
end=$(line_ns "$(dlog_line "\\[wait-end\\].*DAXPIN_WAIT_ID=$id ")")
assert_near "wait start to its end" 2000 $(((end - WSTART) / 1000000)) 700
grep -q "DAXPIN_OUTCOME=interrupted" <<<"$(dlog_line "\\[wait-end\\].*DAXPIN_WAIT_ID=$id ")" ||
	die "end not interrupted: $(dlog_line '\[wait-end\]')"
a=$(line_of "\\[action\\].*DAXPIN_WAIT_ID=$id ")
r=$(line_of "\\[action-result\\].*DAXPIN_WAIT_ID=$id ")
e=$(line_of "\\[wait-end\\].*DAXPIN_WAIT_ID=$id ")
[ -n "$a" ] && [ -n "$r" ] && [ "$a" -lt "$r" ] && [ "$r" -lt "$e" ] ||
	die "action, result, end not logged in order ($a, $r, $e): $(cat "$DLOG")"
l=$(sed -n "${a}p" "$DLOG")
log "why: $l"
for k in "ActionAfterSec=2 (/tmp/daxpind-vm/daxpind.conf:3)" "SIGTERM" "DAXPIN_PID=$tp" \
	 "DAXPIN_ACTION=signal" "DAXPIN_PATH=$f" "refcount"; do
	grep -qF -- "$k" <<<"$l" || die "action line lacks '$k'"
done
grep -q "Sent SIGTERM" <<<"$(sed -n "${r}p" "$DLOG")" || die "result line: $(sed -n "${r}p" "$DLOG")"
grep -q '^daxpin_actions_total{action="signal",result="ok"} 1$' "$DRUN/daxpind.prom" ||
	die "metrics: $(grep actions "$DRUN/daxpind.prom")"

# The same with a handler that reports the interruption itself.
pin_release
pin_start "$f" 0 4096
/tmp/daxpind-vm/trunc.sh "$f" >/tmp/daxpind-vm/trunc.out &
tp=$!
wait_on "$f"
dlog_wait "\\[wait-end\\].*DAXPIN_WAIT_ID=$WID " 15 || die "second wait did not end"
wait "$tp"
rc=$?
log "reporting truncate: exit $rc, said: $(cat /tmp/daxpind-vm/trunc.out)"
grep -q "interrupted by signal 15 (TERM)" /tmp/daxpind-vm/trunc.out || die "no interruption reported"
pin_release
daemon_stop

# ---- DryRun=yes
rm -f "$DRUN/state"
daemon_start '[Policy]\nAction=signal\nActionAfterSec=2\nWarnAfterSec=5\nDryRun=yes\n'
pin_start "$f" 0 4096
truncate -s 0 "$f" &
tp=$!
wait_on "$f"
id=$WID
dlog_wait "\\[dry-run\\].*DAXPIN_WAIT_ID=$id " 10 || die "no dry-run line: $(cat "$DLOG")"
l=$(dlog_line "\\[dry-run\\].*DAXPIN_WAIT_ID=$id ")
log "dry run: $l"
grep -q "would send SIGTERM" <<<"$l" || die "dry-run line does not say what it would do"
assert_near "wait start to dry-run line" 2000 $((($(line_ns "$l") - WSTART) / 1000000)) 600
# still waiting well after ActionAfterSec
wait_for "[ \$(( \$(boot_ns) - $WSTART )) -ge 4000000000 ]" 10
is_running "$tp" || die "DryRun=yes: the truncate ended"
[ "$(dlog_count '\[action\]')" = 0 ] || die "an action was taken in dry-run mode"
grep -q '^daxpin_actions_total{action="signal",result="dry_run"} 1$' "$DRUN/daxpind.prom" ||
	die "metrics: $(grep actions "$DRUN/daxpind.prom")"
assert pin_held
pin_release
sleep 3
if grep -q "\\[stalled\\].*DAXPIN_WAIT_ID=$id " "$DLOG"; then
	# 6.1: the waiter missed its wake-up and DryRun=yes does not kick it.
	is_running "$tp" || die "DryRun=yes: stalled truncate ended without a kick"
	grep -q "would kick" "$DLOG" || die "no 'would kick' line"
	"$DAXPINCTL" kick "$id" >/dev/null || die "manual kick failed"
fi
wait_gone "$tp" 10 >/dev/null || die "truncate still waiting"
wait "$tp"
assert_eq 0 "$?" "truncate exit status"
daemon_stop
log "daemon-action ok"
