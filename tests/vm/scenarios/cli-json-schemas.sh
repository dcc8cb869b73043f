#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4
#
# cli-json-schemas - every daxpinctl --json document, taken from the real
# module and daxpind on this kernel, validates strictly (no key the schema
# does not list) against docs/schema/<command>.json: version, config,
# bench gp and truncate, policy show/set/reset, metrics, status (idle, a
# wait stuck with daxpind up, as nobody, daxpind down), waits (root and
# nobody), stats (before, during, after, --reset), scan of the pinned file,
# kick, and every line monitor printed (events and a --no-follow resync).
# Each schema must have validated at least one document, so a command
# added without coverage here fails the scenario.

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"
. "$DAXPIN_SRC/daemon/tests/vm-daemon-lib.sh"

CHECK=$DAXPIN_SRC/tests/tools/check-json-schemas.py
SCHEMAS=$DAXPIN_SRC/docs/schema
DOCS=/tmp/json-docs.tsv
: >"$DOCS"

# doc SCHEMA ARGS...: daxpinctl --json=short ARGS..., one document a line
# (run through $DOC_AS, e.g. as_nobody, when that is set)
doc()
{
	local schema=$1 out

	shift
	out=$(${DOC_AS:-} "$DAXPINCTL" --json=short "$@") ||
		die "daxpinctl --json $* ${DOC_AS:+($DOC_AS) }failed: $out"
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] ||
		die "daxpinctl --json=short $* printed more than one line: $out"
	printf '%s\t%s\n' "$schema" "$out" >>"$DOCS"
}

# doc_lines SCHEMA FILE: every non-empty line of FILE is one document
doc_lines()
{
	grep -v '^$' "$2" | sed "s/^/$1\t/" >>"$DOCS"
}

# rescue=0: the wait must stay until this scenario ends it, on every kernel
daxpin_load rescue=0
daemon_warmup
daemon_start '[Policy]\nWarnAfterSec=600\n'
export DAXPIN_CONTROL=$DRUN/control

doc version version
doc config config
doc status status
doc stats stats
doc bench bench gp -n 2
doc bench bench truncate "$DAX_MNT" -n 10
doc policy policy show
doc policy policy set WarnAfterSec=900
doc policy policy reset WarnAfterSec
doc metrics metrics
monitor_start /tmp/mon.jsonl

# a truncate stuck on a pinned page (held until pin_release), run by
# nobody so that nobody may see it too (a reader sees only waits of tasks
# it could signal unless it has CAP_NET_ADMIN); setpriv execs: STUCK_PID is
# the truncate
f=$DAX_MNT/victim
pin_start "$f" 0 4096
chmod 666 "$f"
stuck_start "$f" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all truncate -s 0 "$f"
w=/tmp/waits.json
wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 1 ]" 60 ||
	die "no wait listed: $(cat $w)"
id=$(jq_py $w 'd["waits"][0]["id"]')
assert_eq true "$(jq_py $w 'd["waits"][0]["holders"] is not None')" "wait $id lists its holders"
doc waits waits
doc status status
doc stats stats
doc scan scan "$f"
doc kick kick "$id"
doc monitor monitor --no-follow
# a reader without privileges: paths and pfns are null (open_reads lets
# it dump at all)
echo Y >/sys/module/daxpin/parameters/open_reads
for cmd in waits status stats config version; do
	DOC_AS=as_nobody doc $cmd $cmd
done
echo N >/sys/module/daxpin/parameters/open_reads
assert_eq "[[$id, None, None, None]]" \
	"$(python3 -c 'import json, sys; d = json.loads(sys.argv[1].split("\t", 1)[1]); print([[w["id"], w["path"], w["pfn"], w["holders"]] for w in d["waits"]])' "$(grep -P '^waits\t' "$DOCS" | tail -n 1)")" \
	"nobody sees its own wait $id without path, pfn or holders"

pin_release
kill -TERM "$STUCK_PID"
wait_gone "$STUCK_PID" 120 >/dev/null || die "truncate $STUCK_PID still asleep after SIGTERM"
wait "$STUCK_PID"
wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 0 ]" 60 ||
	die "wait $id still listed: $(cat $w)"
doc stats stats --reset
doc stats stats
kill -TERM "$MON_PID"
wait "$MON_PID"
monitor_has /tmp/mon.jsonl "e['event'] == 'wait_start' and e['wait']['id'] == $id" ||
	die "monitor missed the start of wait $id: $(cat /tmp/mon.jsonl)"
monitor_has /tmp/mon.jsonl "e['event'] == 'kicked' and e['wait']['id'] == $id" ||
	die "monitor missed the kick of wait $id: $(cat /tmp/mon.jsonl)"
monitor_has /tmp/mon.jsonl "e['event'] == 'wait_end' and e['wait']['id'] == $id" ||
	die "monitor missed the end of wait $id: $(cat /tmp/mon.jsonl)"
doc_lines monitor /tmp/mon.jsonl
daemon_stop
doc status status

log "$(wc -l <"$DOCS") documents from $(uname -r)"
cp "$DOCS" "$DAXPIN_OUT/json-docs.tsv" 2>/dev/null
python3 "$CHECK" --require-all "$SCHEMAS" "$DOCS" >/tmp/check.out 2>&1
rc=$?
log "$(cat /tmp/check.out)"
assert_eq 0 "$rc" "every document validates against its schema"

# the check can fail here too: a key no schema lists is refused
sed -n '1{s/^\([^\t]*\)\t{/\1\t{"key_no_schema_lists":1,/;p}' "$DOCS" >/tmp/bad.tsv
! python3 "$CHECK" "$SCHEMAS" /tmp/bad.tsv >/tmp/bad.out 2>&1 ||
	die "an undocumented key passed the check: $(cat /tmp/bad.tsv)"
grep -q "key_no_schema_lists" /tmp/bad.out || die "the check did not name the key: $(cat /tmp/bad.out)"
dmesg_check "cli-json-schemas"
log "cli-json-schemas ok"
