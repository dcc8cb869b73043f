# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# lib.sh - helpers for daxpin VM scenarios (tests/vm/scenarios/*.sh).
#
# Source it from a scenario:  . "$DAXPIN_SRC/tests/vm/lib.sh"
# It runs inside the guest; see tests/vm/README.md for the environment.
#
#   log MSG...                    print "[   12.345] MSG" (guest uptime)
#   die MSG...                    log "FAIL: MSG" and exit 1
#   assert CMD [ARG...]           run CMD; die if it fails
#   assert_eq EXPECTED ACTUAL [WHAT]
#   wait_for COND TIMEOUT_S       poll 'eval COND' every 0.1 s; 0 when true,
#                                 1 on timeout
#   uptime_s                      guest uptime in seconds (float)
#   now_ns                        CLOCK_REALTIME in ns (comparable with the
#                                 pin-start/pin-end lines of daxpin-pinread)
#   is_running PID                PID exists and is not a zombie
#   proc_state PID                state letter (R, S, D, Z, ...) or "-"
#   proc_wchan PID                /proc/PID/wchan or "-"
#   proc_stack PID                /proc/PID/stack (may be empty)
#   proc_waits_in PID REGEX       wchan or stack of PID matches REGEX
#   count_waiting REGEX PID...    how many PIDs are alive with a wchan
#                                 matching REGEX (fast, for many PIDs)
#   pin_start FILE [OFFSET [LENGTH [PINREAD-OPTION...]]]
#                                 pin FILE's pages until pin_release: make a
#                                 dm-linear device over a brd ram disk,
#                                 suspend it, and run daxpin-pinread in the
#                                 background to map FILE (created/extended
#                                 to OFFSET+LENGTH; LENGTH 0: whole buffer;
#                                 later --size wins) and read from the
#                                 device into it.  dm queues the read until
#                                 the device is resumed: the pages stay
#                                 pinned however long the test takes.
#                                 Returns once the read is submitted.  Sets
#                                 PIN_PID, PIN_LOG (its stdout), PIN_DM (the
#                                 dm name).  Several pins may be held.
#   pin_release [PID [TIMEOUT_S]] resume the pin's device (default: the last
#                                 pin), wait for the reader, check it read
#                                 everything; sets PIN_END_NS (CLOCK_REALTIME
#                                 of its pin-end line: the read's end)
#   pin_held [PID]                the pin's read has not ended (reader alive,
#                                 no pin-end line)
#   pin_wait [TIMEOUT_S]          for a timed pin only (below): wait for the
#                                 last pin_start to finish; sets PIN_END_NS
#   lib_at_exit CMD               run CMD (eval) when the scenario exits; the
#                                 lib resumes held pins there
#
#   Timed pins (a delay device; only where the delay itself is what is
#   measured, never to outlast a slow step): with $PIN_DEV set, or a
#   /dev/mapper/slow made by slowdev_create, pin_start reads from that
#   device instead, and the pin ends when its delay runs out (pin_wait).
#   slowdev_create DELAY_MS [NAME [SIZE_MB]]
#                                 dm-delay device over a brd ram disk;
#                                 prints /dev/mapper/NAME (NAME: slow)
#   slowdev_set_delay DELAY_MS [NAME]
#   slowdev_flush [NAME]          complete all delayed I/O now (suspend +
#                                 resume): ends in-flight pins early
#   slowdev_remove [NAME]
#   waiters_start [--punch OFF,LEN] FILE... | [--punch OFF,LEN] --count N PREFIX
#                                 fork one truncate (or hole punch) per file
#                                 with daxpin-waiters, in the background;
#                                 sets WAITERS_PID, WAITERS_LOG and the
#                                 array WAITER_PIDS (the children)
#   waiters_wait [TIMEOUT_S]      wait for all children; sets WAITERS_OK
#                                 (exited 0) and WAITERS_OTHER (failed or
#                                 killed); "done <pid> ..." in WAITERS_LOG
#   kill_wait PID [SIG [TIMEOUT_S]]
#                                 send SIG (TERM), wait for PID to go away
#                                 (must be our child); sets KILL_RC to its
#                                 exit status (143 = killed by SIGTERM)

DAX_MNT=${DAX_MNT:-/mnt/dax}
PIN_DEV=${PIN_DEV:-}
: "${DAXPIN_PINREAD:=daxpin-pinread}"
: "${DAXPIN_WAITERS:=daxpin-waiters}"
declare -gA _PIN_DM=() _PIN_LOG=()
_PIN_N=0
_LIB_AT_EXIT=()

lib_at_exit()
{
	_LIB_AT_EXIT+=("$*")
}

# Commands run in order; the scenario's exit status is kept.
_lib_exit()
{
	local rc=$? c

	for c in "${_LIB_AT_EXIT[@]}"; do
		eval "$c"
	done
	exit "$rc"
}
trap _lib_exit EXIT

uptime_s()
{
	local up _
	read -r up _ </proc/uptime
	echo "$up"
}

now_ns()
{
	date +%s%N
}

log()
{
	printf '[%9s] %s\n' "$(uptime_s)" "$*"
}

die()
{
	log "FAIL: $*"
	exit 1
}

assert()
{
	"$@" || die "assertion failed: $*"
}

assert_eq()
{
	[ "$1" = "$2" ] ||
		die "assertion failed: ${3:-value} is '$2', expected '$1'"
}

# Under --icount the guest clock leaps forward while the vCPU waits for
# host I/O (9p), which would end a clock-based timeout early: there the
# timeout counts 0.1 s sleeps instead (TIMEOUT_S is then a lower bound).
wait_for()
{
	local cond=$1 timeout=${2:?wait_for COND TIMEOUT_S}
	local n end now _

	n=$(awk -v d="$timeout" 'BEGIN { printf "%d", d * 10 + 0.999 }')
	read -r now _ </proc/uptime
	end=$((${now/./} + n * 10))
	while :; do
		eval "$cond" && return 0
		if [ "${DAXPIN_ICOUNT:-0}" = 1 ]; then
			[ "$n" -gt 0 ] || return 1
			n=$((n - 1))
		else
			read -r now _ </proc/uptime
			[ "${now/./}" -lt "$end" ] || return 1
		fi
		sleep 0.1
	done
}

proc_state()
{
	local stat

	read -r stat 2>/dev/null <"/proc/$1/stat" || { echo -; return; }
	stat=${stat##*) }
	echo "${stat%% *}"
}

is_running()
{
	local s

	s=$(proc_state "$1")
	[ "$s" != - ] && [ "$s" != Z ] && [ "$s" != X ]
}

proc_wchan()
{
	local w=

	# No trailing newline: read fails but still fills w.
	read -r w 2>/dev/null <"/proc/$1/wchan"
	echo "${w:--}"
}

proc_stack()
{
	cat "/proc/$1/stack" 2>/dev/null
}

proc_waits_in()
{
	{ proc_wchan "$1"; echo; proc_stack "$1"; } | grep -qE "$2"
}

count_waiting()
{
	local re=${1:?count_waiting REGEX PID...}
	local -a files
	shift

	[ $# -gt 0 ] || { echo 0; return; }
	files=("${@/#//proc/}")
	files=("${files[@]/%//wchan}")
	# One grep for all: cheap even for thousands of PIDs.
	grep -slE -- "$re" "${files[@]}" | wc -l
}

slowdev_create()
{
	local ms=${1:?slowdev_create DELAY_MS [NAME [SIZE_MB]]}
	local name=${2:-slow} mb=${3:-64} sectors

	_ramdisk "$mb"
	modprobe dm-delay || die "modprobe dm-delay failed"
	sectors=$(blockdev --getsz /dev/ram0) || die "blockdev /dev/ram0 failed"
	dmsetup create --noudevsync "$name" \
		--table "0 $sectors delay /dev/ram0 0 $ms" >&2 ||
		die "dmsetup create $name failed"
	dmsetup mknodes "$name" >&2
	[ -b "/dev/mapper/$name" ] || die "/dev/mapper/$name did not appear"
	echo "/dev/mapper/$name"
}

slowdev_set_delay()
{
	local ms=${1:?slowdev_set_delay DELAY_MS [NAME]} name=${2:-slow}
	local sectors

	sectors=$(blockdev --getsz /dev/ram0) || die "blockdev /dev/ram0 failed"
	dmsetup suspend --noudevsync "$name" ||
		die "dmsetup suspend $name failed"
	dmsetup load "$name" --table "0 $sectors delay /dev/ram0 0 $ms" ||
		die "dmsetup load $name failed"
	dmsetup resume --noudevsync "$name" ||
		die "dmsetup resume $name failed"
}

slowdev_flush()
{
	# dm-delay's presuspend hook issues every delayed bio at once.
	dmsetup suspend --noudevsync "${1:-slow}" ||
		die "dmsetup suspend ${1:-slow} failed"
	dmsetup resume --noudevsync "${1:-slow}" ||
		die "dmsetup resume ${1:-slow} failed"
}

slowdev_remove()
{
	dmsetup remove --noudevsync "${1:-slow}" || die "dmsetup remove ${1:-slow} failed"
}

# brd ram disk under the pin and delay devices (64M unless SIZE_MB).
_ramdisk()
{
	local mb=${1:-64}

	if [ ! -b /dev/ram0 ]; then
		modprobe brd rd_nr=1 rd_size=$((mb * 1024)) ||
			die "modprobe brd failed"
	fi
}

# A dm-linear device over /dev/ram0, suspended.  A suspended dm device
# queues every bio submitted to it (dm_submit_bio(): DMF_BLOCK_IO_FOR_SUSPEND
# -> queue_io()) until "dmsetup resume"; nothing errors or times out.  The
# device is made with a live table first: one without a table (create
# --notable) would fail the read instead.  --nolockfs: no freeze_bdev();
# --noflush: nothing in flight is pushed back (nothing is in flight here);
# --noudevsync: no udev in the guest to wait for.
_pin_dev_create()
{
	local name=$1 sectors

	_ramdisk
	modprobe dm-mod 2>/dev/null
	sectors=$(blockdev --getsz /dev/ram0) || die "blockdev /dev/ram0 failed"
	dmsetup create --noudevsync "$name" \
		--table "0 $sectors linear /dev/ram0 0" >&2 ||
		die "dmsetup create $name failed"
	dmsetup mknodes "$name" >&2
	[ -b "/dev/mapper/$name" ] || die "/dev/mapper/$name did not appear"
	dmsetup suspend --noudevsync --nolockfs --noflush "$name" ||
		die "dmsetup suspend $name failed"
	dmsetup info -c --noheadings -o suspended "$name" | grep -q Suspended ||
		die "$name is not suspended: $(dmsetup info "$name")"
}

# The legacy timed device, if the scenario asked for one.
_pin_timed_dev()
{
	if [ -n "$PIN_DEV" ]; then
		echo "$PIN_DEV"
	elif [ -b /dev/mapper/slow ]; then
		echo /dev/mapper/slow
	fi
}

pin_start()
{
	local file=${1:?pin_start FILE [OFFSET [LENGTH [OPTION...]]]}
	local off=${2:-0} len=${3:-4096} size dev sync=0 a

	shift $(($# < 3 ? $# : 3))
	for a in "$@"; do
		case $a in -S | --sync) sync=1 ;; esac
	done
	size=$((off + len))
	# LENGTH 0: the whole buffer (e.g. with --count N --size S).
	[ "$size" -gt 0 ] || size=4096
	dev=$(_pin_timed_dev)
	if [ -n "$dev" ]; then
		[ -b "$dev" ] || die "pin_start: $dev is not a block device"
		PIN_DM=
	else
		_PIN_N=$((_PIN_N + 1))
		PIN_DM=daxpin-pin$_PIN_N
		_pin_dev_create "$PIN_DM"
		dev=/dev/mapper/$PIN_DM
	fi
	PIN_LOG=$(mktemp /tmp/pin.XXXXXX)
	"$DAXPIN_PINREAD" --dev "$dev" --offset "$off" --length "$len" \
		--size "$size" --create "$@" "$file" >"$PIN_LOG" &
	PIN_PID=$!
	if [ -n "$PIN_DM" ]; then
		_PIN_DM[$PIN_PID]=$PIN_DM
		_PIN_LOG[$PIN_PID]=$PIN_LOG
	fi
	# The pages are pinned once the read is submitted: the reader says so
	# (pin-queued) after io_submit() returned; with --sync it sleeps
	# uninterruptibly in the block layer after printing pin-start.  The
	# reader's own start (mapping, faulting every page) may take long on a
	# loaded host: that is no pin duration, so the bound is generous.
	if [ "$sync" = 1 ]; then
		wait_for "grep -q '^pin-start' '$PIN_LOG' && [ \"\$(proc_state $PIN_PID)\" = D ] ||
			! is_running $PIN_PID" 120
	else
		wait_for "grep -q '^pin-queued' '$PIN_LOG' || ! is_running $PIN_PID" 120
	fi || die "pin_start: daxpin-pinread did not start its read within 120 s: $(cat "$PIN_LOG")"
	if [ -n "$PIN_DM" ]; then
		pin_held "$PIN_PID" ||
			die "pin_start: the read on held $dev did not stay in flight: $(cat "$PIN_LOG")"
		log "pin: pid $PIN_PID reading held $dev into $file at $off+$len"
	elif is_running "$PIN_PID"; then
		log "pin: pid $PIN_PID reading $dev into $file at $off+$len (timed: ends with the device's delay)"
	else
		# Fast device: already done; pin_wait reports how it went.
		log "pin: pid $PIN_PID finished before it was seen in flight"
	fi
}

pin_held()
{
	local pid=${1:-$PIN_PID} plog

	[ -n "$pid" ] || return 1
	plog=${_PIN_LOG[$pid]:-$PIN_LOG}
	is_running "$pid" && ! grep -q '^pin-end' "$plog"
}

# _pin_reap PID LOG TIMEOUT_S: wait for a reader, check it, set PIN_END_NS.
_pin_reap()
{
	local pid=$1 plog=$2 timeout=$3 rc

	wait_for "! is_running $pid" "$timeout" ||
		die "pin: daxpin-pinread (pid $pid) still running $timeout s after its read was released (state $(proc_state "$pid"), wchan $(proc_wchan "$pid"))"
	wait "$pid"
	rc=$?
	[ "$rc" = 0 ] || die "pin: daxpin-pinread $pid failed (exit $rc): $(cat "$plog")"
	PIN_END_NS=$(awk '$1 == "pin-end" { print $2 }' "$plog")
	[ -n "$PIN_END_NS" ] || die "pin: no pin-end line from $pid: $(cat "$plog")"
	log "pin: pid $pid done: $(grep '^pin-end' "$plog")"
}

pin_release()
{
	local pid=${1:-$PIN_PID} timeout=${2:-120} dm plog

	[ -n "$pid" ] || die "pin_release: no pin"
	dm=${_PIN_DM[$pid]}
	[ -n "$dm" ] || die "pin_release: pid $pid is not a held pin (released already, or timed: pin_wait)"
	plog=${_PIN_LOG[$pid]}
	pin_held "$pid" || die "pin_release: the read of pid $pid ended while held: $(cat "$plog")"
	dmsetup resume --noudevsync "$dm" || die "dmsetup resume $dm failed"
	unset "_PIN_DM[$pid]"
	_pin_reap "$pid" "$plog" "$timeout"
	dmsetup remove --noudevsync "$dm" >/dev/null 2>&1 ||
		log "pin: dmsetup remove $dm failed (left in place)"
}

pin_wait()
{
	local timeout=${1:-60}

	[ -n "$PIN_PID" ] || die "pin_wait: no pin"
	[ -z "${_PIN_DM[$PIN_PID]}" ] ||
		die "pin_wait: pid $PIN_PID holds its pin until pin_release"
	_pin_reap "$PIN_PID" "$PIN_LOG" "$timeout"
}

# At exit: resume what is still held (a suspended device keeps its reader
# waiting), then let the readers finish and remove the devices.
_pin_cleanup()
{
	local pid

	for pid in "${!_PIN_DM[@]}"; do
		dmsetup resume --noudevsync "${_PIN_DM[$pid]}" 2>/dev/null
	done
	for pid in "${!_PIN_DM[@]}"; do
		wait_for "! is_running $pid" 10
		dmsetup remove --noudevsync "${_PIN_DM[$pid]}" >/dev/null 2>&1
	done
}
lib_at_exit _pin_cleanup

waiters_start()
{
	WAITERS_LOG=$(mktemp /tmp/waiters.XXXXXX)
	"$DAXPIN_WAITERS" "$@" >"$WAITERS_LOG" &
	WAITERS_PID=$!
	wait_for "grep -q '^started ' '$WAITERS_LOG' || ! is_running $WAITERS_PID" 600 ||
		die "waiters_start: daxpin-waiters did not start its children"
	grep -q '^started ' "$WAITERS_LOG" ||
		die "waiters_start: daxpin-waiters failed: $(cat "$WAITERS_LOG")"
	mapfile -t WAITER_PIDS < <(awk '$1 == "waiter" { print $2 }' "$WAITERS_LOG")
	log "waiters: ${#WAITER_PIDS[@]} started by pid $WAITERS_PID"
}

waiters_wait()
{
	local timeout=${1:-60}

	wait_for "! is_running $WAITERS_PID" "$timeout" ||
		die "waiters_wait: children still running after $timeout s"
	wait "$WAITERS_PID"
	# shellcheck disable=SC2034 # for the caller
	WAITERS_OK=$(awk '$1 == "all-done" { print $2 }' "$WAITERS_LOG")
	# shellcheck disable=SC2034 # for the caller
	WAITERS_OTHER=$(awk '$1 == "all-done" { print $3 }' "$WAITERS_LOG")
	[ -n "$WAITERS_OK" ] || die "waiters_wait: no all-done line"
}

kill_wait()
{
	local pid=${1:?kill_wait PID [SIG [TIMEOUT_S]]} sig=${2:-TERM}
	local timeout=${3:-10}

	kill "-$sig" "$pid" 2>/dev/null
	wait_for "! is_running $pid" "$timeout" ||
		die "pid $pid did not exit within $timeout s of SIG$sig (state $(proc_state "$pid"), wchan $(proc_wchan "$pid"))"
	wait "$pid"
	# shellcheck disable=SC2034 # for the caller
	KILL_RC=$?
}
