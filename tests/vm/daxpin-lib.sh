# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# daxpin-lib.sh - daxpin-specific helpers for VM scenarios; source it after
# lib.sh.  The module is the one scripts/build-kmod built for the guest
# kernel; the programs come from the build tree ($DAXPIN_BUILD).  With
# DAXPIN_INSTALLED=1 (tests/pkg/test-packages.sh, after installing the
# packages) they are the installed ones instead: /usr/bin/daxpinctl,
# /usr/sbin/daxpind, and the daxpin.ko DKMS built, loaded by modprobe; a
# missing one fails the scenario (never the build tree's instead).
#
#   daxpin_load [PARAM=VALUE...]   insmod build/kmod/<uname -r>/daxpin.ko
#                                  (installed: modprobe daxpin, which must
#                                  resolve to updates/dkms/daxpin.ko*)
#   DAXPINCTL                      path of daxpinctl
#   jq_py FILE PYEXPR              evaluate PYEXPR with d = the JSON in FILE
#   waits_json FILE                daxpinctl --json waits > FILE
#   wait_field ID KEY              KEY of wait ID from a fresh dump
#   stuck_start FILE [CMD...]      start CMD (default: truncate -s 0 FILE) in
#                                  the background; sets STUCK_PID
#   monitor_start FILE             daxpinctl --json monitor > FILE in the
#                                  background; sets MON_PID
#   monitor_has FILE PYCOND        some event e in FILE satisfies PYCOND

if [ "${DAXPIN_INSTALLED:-0}" = 1 ]; then
	DAXPINCTL=/usr/bin/daxpinctl
	DAXPIN_KO=
	[ -x "$DAXPINCTL" ] || die "DAXPIN_INSTALLED=1 but no $DAXPINCTL: install the daxpin package"
else
	DAXPINCTL=${DAXPINCTL:-$DAXPIN_BUILD/cli/daxpinctl}
	DAXPIN_KO=${DAXPIN_KO:-$DAXPIN_SRC/build/kmod/$(uname -r)/daxpin.ko}
fi

daxpin_load()
{
	local ko

	if [ -z "$DAXPIN_KO" ]; then
		ko=$(modinfo -n daxpin 2>/dev/null)
		case $ko in
		/lib/modules/"$(uname -r)"/updates/dkms/daxpin.ko*) ;;
		*) die "modprobe would not load DKMS's daxpin.ko for $(uname -r): modinfo -n daxpin: '${ko:-none}'" ;;
		esac
		modprobe daxpin "$@" || die "modprobe daxpin $* failed"
		log "loaded $ko (modprobe daxpin, version $(cat /sys/module/daxpin/version 2>/dev/null))"
		return
	fi
	[ -f "$DAXPIN_KO" ] || die "no $DAXPIN_KO: run scripts/build-kmod for $(uname -r)"
	[ -x "$DAXPINCTL" ] || die "no $DAXPINCTL: build the tree first"
	insmod "$DAXPIN_KO" "$@" || die "insmod daxpin.ko $* failed"
}

jq_py()
{
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = eval(sys.argv[2])
print(json.dumps(r) if isinstance(r, (dict, list, bool)) or r is None else r)
' "$1" "$2"
}

waits_json()
{
	"$DAXPINCTL" --json waits >"$1"
}

# wait_field ID KEY: prints the value, or nothing when the wait is gone.
wait_field()
{
	local tmp

	tmp=$(mktemp /tmp/waits.XXXXXX)
	waits_json "$tmp" || { rm -f "$tmp"; return 1; }
	jq_py "$tmp" "next((w['$2'] for w in d['waits'] if w['id'] == $1), '')"
	rm -f "$tmp"
}

stuck_start()
{
	local file=${1:?stuck_start FILE [CMD...]}

	shift
	if [ $# -eq 0 ]; then
		set -- truncate -s 0 "$file"
	fi
	"$@" &
	STUCK_PID=$!
	log "started '$*' as pid $STUCK_PID"
}

monitor_start()
{
	"$DAXPINCTL" --json monitor >"$1" 2>"$1.err" &
	MON_PID=$!
	# The subscription is made before the first line could matter; give
	# the process time to bind its socket.
	wait_for "[ -d /proc/$MON_PID/fd ] && ls -l /proc/$MON_PID/fd | grep -q socket" 60 ||
		die "monitor did not start: $(cat "$1.err")"
}

monitor_has()
{
	python3 -c '
import json, sys
ok = False
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    e = json.loads(line)
    if eval(sys.argv[2]):
        ok = True
sys.exit(0 if ok else 1)
' "$1" "$2"
}

# boot_ns: CLOCK_BOOTTIME now, in ns (10 ms resolution; /proc/uptime is
# boot time, as the module's start_ns and event time_ns are).
boot_ns()
{
	local up _

	read -r up _ </proc/uptime
	echo $((${up%.*} * 1000000000 + 10#${up#*.} * 10000000))
}

# real_to_boot_ns NS: a CLOCK_REALTIME stamp (pin-start/pin-end lines)
# expressed in boot time.
real_to_boot_ns()
{
	local real boot

	boot=$(boot_ns)
	real=$(date +%s%N)
	echo $(($1 - real + boot))
}

# assert_within WHAT FROM_NS TO_NS LIMIT_MS: TO - FROM <= LIMIT.
assert_within()
{
	local ms=$((($3 - $2) / 1000000))

	log "$1: ${ms} ms (limit $4 ms)"
	[ "$ms" -le "$4" ] || die "$1 took $ms ms, more than $4 ms"
}

# event_field FILE PYCOND PYEXPR: PYEXPR of the first event e matching PYCOND.
event_field()
{
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    e = json.loads(line)
    if eval(sys.argv[2]):
        r = eval(sys.argv[3])
        print(json.dumps(r) if isinstance(r, (dict, list, bool)) else r)
        break
' "$1" "$2" "$3"
}

# wait_gone PID LIMIT_S: poll (cheaply, no process spawned) until PID has
# exited; prints the boot time it was first seen gone.
wait_gone()
{
	local n=$(($2 * 100))

	while is_running "$1"; do
		[ "$n" -gt 0 ] || return 1
		n=$((n - 1))
		sleep 0.01
	done
	boot_ns
}

# ---- issue 9: fuzzing, load cycles, unprivileged matrix -------------------
#
#   as_nobody CMD...             run CMD as nobody (uid/gid 65534, no groups,
#                                no capabilities)
#   nlfuzz_path                  print the path of daxpin-nlfuzz (the build
#                                tree's, else compiled into /tmp)
#   dmesg_check WHAT             die with the lines if the kernel log has a
#                                BUG/WARNING/Oops/KASAN/general protection
#   daxpin_loaded                daxpin is in /proc/modules
#   ns_of_mode MODE              name of the first namespace in MODE
#                                (fsdax, devdax), from ndctl list -N

as_nobody()
{
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
}

nlfuzz_path()
{
	local src=$DAXPIN_SRC/tests/tools/daxpin-nlfuzz.c
	local bin=$DAXPIN_BUILD/tests/tools/daxpin-nlfuzz own=/tmp/daxpin-nlfuzz

	if [ -x "$bin" ] && [ ! "$src" -nt "$bin" ]; then
		echo "$bin"
		return
	fi
	if [ ! -x "$own" ]; then
		${CC:-cc} -O2 -D_GNU_SOURCE -I"$DAXPIN_SRC/include/uapi" \
			-o "$own" "$src" >&2 || return 1
	fi
	echo "$own"
}

dmesg_check()
{
	local bad

	bad=$(dmesg | grep -E 'BUG:|WARNING:|Oops|KASAN|general protection|Call Trace') || return 0
	log "kernel log after $1:"
	dmesg | tail -n 60
	die "kernel log has a report after $1: $(echo "$bad" | head -n 5)"
}

daxpin_loaded()
{
	grep -q '^daxpin ' /proc/modules
}

ns_of_mode()
{
	ndctl list -N | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d if isinstance(d, list) else [d]
print(next(n["dev"] for n in d if n.get("mode") == sys.argv[1]))' "$1"
}
