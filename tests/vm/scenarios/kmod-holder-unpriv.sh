#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4
# timeout: 900
#
# kmod-holder-unpriv - the read policy applies to holders (issue 13.1): with
# open_reads=1 an unprivileged reader sees the wait of its own truncate, and
# of the wait's holders only its own dumpable processes.  root's
# daxpin-pinread pins page 0 and maps it; nobody's process maps page 0 too;
# nobody truncates.  root sees both holders; nobody sees only its own, and
# is never told "no holder" (the holder it may not see is not "none").

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

daxpin_load open_reads=1
w=/tmp/waits.json
f=$DAX_MNT/shared
pin_start "$f" 0 4096 --size 8192
pinner=$PIN_PID
chmod 666 "$f"
chmod 755 "$DAX_MNT"

# as_nobody, exec'd: $! is then the pid of the program itself
nobody_exec()
{
	exec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
}

mapped=/tmp/mapper.out
(nobody_exec python3 -c '
import mmap, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 4096, offset=0)
print("mapped", m[0], flush=True)
while True:
	time.sleep(3600)
' "$f" >"$mapped") &
mapper=$!
lib_at_exit "kill $mapper 2>/dev/null"
wait_for "grep -q mapped $mapped" 60 || die "nobody's mapper did not map $f"

(nobody_exec truncate -s 0 "$f") &
tp=$!
wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 1 ]" 60 ||
	die "no wait listed: $(cat $w)"
log "root reads: $(cat $w)"
assert_eq "$tp" "$(jq_py $w 'd["waits"][0]["pid"]')" "waiter pid"
assert_eq "[$(printf '%s\n' "$pinner" "$mapper" | sort -n | paste -sd, | sed 's/,/, /')]" \
	"$(jq_py $w 'sorted(h["tgid"] for h in d["waits"][0]["holders"])')" "holders seen by root"

as_nobody "$DAXPINCTL" --json waits >/tmp/waits-nobody.json || die "waits as nobody failed"
log "nobody reads: $(cat /tmp/waits-nobody.json)"
n=/tmp/waits-nobody.json
assert_eq 1 "$(jq_py $n 'len(d["waits"])')" "waits seen by nobody"
assert_eq "[$mapper]" "$(jq_py $n '[h["tgid"] for h in d["waits"][0]["holders"]]')" "holders seen by nobody"
assert_eq 65534 "$(jq_py $n 'd["waits"][0]["holders"][0]["uid"]')" "holder uid"
assert_eq false "$(jq_py $n 'd["waits"][0]["no_holder"]')" "no_holder for nobody"

# nobody's holder gone: root's alone is left, which nobody may not see --
# not known to nobody (null), never "none"
kill "$mapper"
wait "$mapper" 2>/dev/null
wait_for "! is_running $mapper" 30
as_nobody "$DAXPINCTL" --json waits >$n || die "waits as nobody failed"
log "nobody reads: $(cat $n)"
assert_eq null "$(jq_py $n 'd["waits"][0]["holders"]')" "holders seen by nobody (root's only)"
assert_eq false "$(jq_py $n 'd["waits"][0]["no_holder"]')" "no_holder for nobody (root's only)"
waits_json $w || die "waits failed"
assert_eq "[$pinner]" "$(jq_py $w '[h["tgid"] for h in d["waits"][0]["holders"]]')" "holders seen by root after"

pin_release
# 6.1 loses the wake-up: kick it once the module judges it stalled
wait_for "! is_running $tp || { \"$DAXPINCTL\" kick --stalled >/dev/null; false; }" 60 ||
	die "truncate still asleep after the pin's end"
wait "$tp"
assert_eq 0 "$?" "truncate exit status"
dmesg_check "kmod-holder-unpriv"
log "kmod-holder-unpriv ok"
