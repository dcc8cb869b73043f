#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4
#
# kmod-unpriv - issue 9, items 2 and 3: what an unprivileged user (nobody:
# setpriv, no groups, no capabilities) gets from daxpin, with open_reads
# off and on, set at insmod, through daxpinctl config (SET_CONFIG) and
# through /sys/module/daxpin/parameters/open_reads:
#
#  - open_reads=0: waits, stats, config, scan, kick, stats --reset, bench gp,
#    config --open-reads, monitor: all refused with one clear permission
#    line; a raw SCAN is refused too;
#  - open_reads=1: waits, stats, config and scan answered; kick,
#    stats --reset, bench gp, config --open-reads and monitor refused (the
#    events group needs CAP_NET_ADMIN whatever open_reads says, also when
#    the module was loaded with open_reads=1);
#  - with one wait of a root truncate and one of a nobody truncate: nobody
#    sees only its own, with no pfn and no path (null in JSON); root sees
#    both with pfn and path;
#  - SCAN as nobody: an fd opened O_WRONLY or O_PATH is refused, O_RDONLY
#    works and its busy page has no pfn;
#  - a short daxpin-nlfuzz --unpriv run per setting (admin commands never
#    answered, the events group closed, no pfn or path in any reply).
#
# Every mismatch is logged ("MISMATCH: ...") and the run fails at the end
# with the list.  Pins last until released (the slow device is suspended).

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

fuzz=$(nlfuzz_path) || die "no daxpin-nlfuzz"
froot=$DAX_MNT/root-file
fnob=$DAX_MNT/nobody-file
fails=()
seed=100

bad()
{
	log "MISMATCH: $*"
	fails+=("$*")
}

# A command that should be refused and is not may wait for events for
# ever (monitor): bound it; only a failing case ever waits that long.
nobody_ctl()
{
	as_nobody timeout -s KILL 20 "$DAXPINCTL" "$@" </dev/null >/tmp/out 2>/tmp/err
}

# nobody_refused WHAT ARGS...: daxpinctl ARGS as nobody fails with one
# clear permission line.
nobody_refused()
{
	local what=$1 rc

	shift
	nobody_ctl "$@"
	rc=$?
	if [ "$rc" = 0 ]; then
		bad "$what: 'daxpinctl $*' as nobody succeeded: $(head -c 300 /tmp/out)"
	elif [ "$rc" = 137 ]; then
		bad "$what: 'daxpinctl $*' as nobody was not refused (still running after 20 s)"
	elif ! grep -qiE 'permission|not permitted' /tmp/err ||
		[ "$(wc -l </tmp/err)" != 1 ]; then
		bad "$what: 'daxpinctl $*' as nobody: exit $rc without one clear permission line: $(cat /tmp/err)"
	else
		log "$what: refused: daxpinctl $*: $(cat /tmp/err)"
	fi
}

# nobody_answered WHAT ARGS...: daxpinctl ARGS as nobody works.
nobody_answered()
{
	local what=$1

	shift
	if nobody_ctl "$@"; then
		log "$what: answered: daxpinctl $*"
		return 0
	fi
	bad "$what: 'daxpinctl $*' as nobody failed: $(cat /tmp/err)"
	return 1
}

# raw_scan WHAT MODE RC REGEX: one SCAN request as nobody with an fd
# opened MODE (daxpin-nlfuzz --scan-fd-mode) exits RC, its line matches REGEX.
raw_scan()
{
	local out rc

	out=$(as_nobody "$fuzz" --scan-fd-mode "$2" "$fnob" 2>&1)
	rc=$?
	if [ "$rc" = "$3" ] && echo "$out" | grep -qE "$4"; then
		log "$1: raw SCAN ($2) as nobody: $out"
	else
		bad "$1: raw SCAN ($2) as nobody: expected exit $3 and /$4/: exit $rc: $out"
	fi
}

nobody_fuzz()
{
	local what=$1

	shift
	seed=$((seed + 1))
	if as_nobody "$fuzz" --unpriv --seed "$seed" --count 500 \
		--file "$fnob" "$@" >/tmp/fuzz.out 2>&1; then
		log "$what: nlfuzz --unpriv $* (seed $seed): $(grep '^nlfuzz: violations' /tmp/fuzz.out)"
	else
		bad "$what: nlfuzz --unpriv $* (seed $seed): $(grep -m3 -E '^VIOLATION|violations|daxpin-nlfuzz:' /tmp/fuzz.out | tr '\n' ' ')"
	fi
}

matrix_closed()
{
	local what="open_reads=0 ($1)"

	log "---- $what"
	nobody_refused "$what" waits
	nobody_refused "$what" stats
	nobody_refused "$what" config
	nobody_refused "$what" scan "$fnob"
	nobody_refused "$what" kick 1
	nobody_refused "$what" stats --reset
	nobody_refused "$what" bench gp -n 1
	nobody_refused "$what" config --open-reads=yes
	nobody_refused "$what" monitor -c 1
	raw_scan "$what" rdonly 1 'result=EPERM'
	nobody_fuzz "$what" --reads-refused
	dmesg_check "$what"
}

matrix_open()
{
	local what="open_reads=1 ($1)"

	log "---- $what"
	nobody_answered "$what" waits
	nobody_answered "$what" stats
	nobody_answered "$what" config
	if nobody_answered "$what" --json scan "$fnob"; then
		cp /tmp/out /tmp/scan.json
		log "$what: scan as nobody: $(tr -d ' \n' </tmp/scan.json | head -c 400)"
		[ "$(jq_py /tmp/scan.json 'len(d["scans"][0]["pages"])')" = 1 ] ||
			bad "$what: scan as nobody does not list the one busy page"
		[ "$(jq_py /tmp/scan.json 'all(p.get("pfn") is None for p in d["scans"][0]["pages"])')" = true ] ||
			bad "$what: scan as nobody shows a pfn"
	fi
	nobody_refused "$what" kick 1
	nobody_refused "$what" stats --reset
	nobody_refused "$what" bench gp -n 1
	nobody_refused "$what" monitor -c 1
	raw_scan "$what" wronly 1 'result=(EBADF|EPERM|EACCES|EINVAL)'
	raw_scan "$what" path 1 'result=(EBADF|EPERM|EACCES|EINVAL)'
	raw_scan "$what" rdonly 0 'result=ok .* pages=1 pfn=0 '
	nobody_fuzz "$what"
	# Last: if it is wrongly allowed, it changes the setting.
	nobody_refused "$what" config --open-reads=no
	dmesg_check "$what"
}

# One read pins the first page of both files, until pin_release.
touch "$froot" "$fnob"
chmod 644 "$froot" "$fnob"
chown 65534:65534 "$fnob"
pin_start "$froot" 0 0 --size 4096 "$fnob"
assert grep -q '^pin-map 2 8192$' "$PIN_LOG"

daxpin_load open_reads=0
stuck_start "$froot"
troot=$STUCK_PID
# setpriv execs truncate: STUCK_PID is the truncate itself.
stuck_start "$fnob" setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all truncate -s 0 "$fnob"
tnob=$STUCK_PID
w=/tmp/waits.json
wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 2 ]" 30 ||
	die "the two waits are not tracked: $(cat $w)"
log "root's view: $(tr -d ' \n' <$w | head -c 1200)"
for p in "$troot" "$tnob"; do
	[ "$(jq_py $w "[x for x in d['waits'] if x['pid'] == $p][0].get('pfn') is not None")" = true ] ||
		bad "root: wait of pid $p has no pfn"
	[ "$(jq_py $w "[x for x in d['waits'] if x['pid'] == $p][0].get('path') is not None")" = true ] ||
		bad "root: wait of pid $p has no path"
done

matrix_closed "insmod open_reads=0"

"$DAXPINCTL" config --open-reads=yes >/dev/null || die "config --open-reads=yes as root"
matrix_open "daxpinctl config --open-reads=yes"

# Waits: nobody sees its own only, without pfn and path.
if nobody_answered "waits visibility" --json waits; then
	cp /tmp/out /tmp/nwaits.json
	log "nobody's view: $(tr -d ' \n' </tmp/nwaits.json | head -c 1200)"
	[ "$(jq_py /tmp/nwaits.json '[x["pid"] for x in d["waits"]]')" = "[$tnob]" ] ||
		bad "nobody sees waits of pids $(jq_py /tmp/nwaits.json '[x["pid"] for x in d["waits"]]'), expected only its own [$tnob] (root's truncate is $troot)"
	[ "$(jq_py /tmp/nwaits.json 'all(x.get("pfn") is None for x in d["waits"])')" = true ] ||
		bad "nobody's waits show a pfn"
	[ "$(jq_py /tmp/nwaits.json 'all(x.get("path") is None for x in d["waits"])')" = true ] ||
		bad "nobody's waits show a path"
fi
# Root still sees both.
waits_json $w || die "waits as root"
assert_eq 2 "$(jq_py $w 'len(d["waits"])')" "waits root sees"

rmmod daxpin || die "rmmod"
daxpin_load open_reads=1
matrix_open "insmod open_reads=1"

echo 0 >/sys/module/daxpin/parameters/open_reads || die "open_reads=0 through sysfs"
matrix_closed "module parameter set to 0"
echo 1 >/sys/module/daxpin/parameters/open_reads || die "open_reads=1 through sysfs"
matrix_open "module parameter set to 1"

rmmod daxpin || die "final rmmod"
pin_release "$PIN_PID" 60
for p in "$troot" "$tnob"; do
	case $(uname -r) in
	6.1.*) kill -TERM "$p" 2>/dev/null ;;	# the lost wake-up
	esac
	wait_for "! is_running $p" 30 || die "truncate $p does not end"
	wait "$p" 2>/dev/null
done
dmesg_check "the end"
[ ${#fails[@]} -eq 0 ] || {
	log "${#fails[@]} mismatches:"
	printf '  %s\n' "${fails[@]}"
	die "kmod-unpriv: ${#fails[@]} mismatches"
}
log "kmod-unpriv ok"
