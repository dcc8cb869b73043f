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
#   slowdev_create DELAY_MS [NAME [SIZE_MB]]
#                                 dm-delay device over a brd ram disk;
#                                 prints /dev/mapper/NAME (NAME: slow)
#   slowdev_set_delay DELAY_MS [NAME]
#   slowdev_flush [NAME]          complete all delayed I/O now (suspend +
#                                 resume): ends in-flight pins early
#   slowdev_remove [NAME]
#   pin_start FILE [OFFSET [LENGTH [PINREAD-OPTION...]]]
#                                 run daxpin-pinread in the background: map
#                                 FILE (created/extended to OFFSET+LENGTH;
#                                 LENGTH 0: whole buffer; later --size wins),
#                                 O_DIRECT read from $PIN_DEV (default
#                                 /dev/mapper/slow) into it; returns once
#                                 the read is in flight (pages pinned).
#                                 Sets PIN_PID and PIN_LOG (its stdout).
#   pin_wait [TIMEOUT_S]          wait for the last pin_start to finish,
#                                 check it succeeded; sets PIN_END_NS
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
PIN_DEV=${PIN_DEV:-/dev/mapper/slow}
: "${DAXPIN_PINREAD:=daxpin-pinread}"
: "${DAXPIN_WAITERS:=daxpin-waiters}"

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

	if [ ! -b /dev/ram0 ]; then
		modprobe brd rd_nr=1 rd_size=$((mb * 1024)) ||
			die "modprobe brd failed"
	fi
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

pin_start()
{
	local file=${1:?pin_start FILE [OFFSET [LENGTH [OPTION...]]]}
	local off=${2:-0} len=${3:-4096} size

	shift $(($# < 3 ? $# : 3))
	size=$((off + len))
	# LENGTH 0: the whole buffer (e.g. with --count N --size S).
	[ -b "$PIN_DEV" ] || die "pin_start: $PIN_DEV is not a block device (slowdev_create first)"
	PIN_LOG=$(mktemp /tmp/pin.XXXXXX)
	[ "$size" -gt 0 ] || size=4096
	"$DAXPIN_PINREAD" --dev "$PIN_DEV" --offset "$off" --length "$len" \
		--size "$size" --create "$@" "$file" >"$PIN_LOG" &
	PIN_PID=$!
	# The read is in flight (and the pages pinned) once the reader sleeps
	# uninterruptibly in the block layer after printing pin-start.
	wait_for "grep -q '^pin-start' '$PIN_LOG' && [ \"\$(proc_state $PIN_PID)\" = D ] ||
		! is_running $PIN_PID" 20 ||
		die "pin_start: daxpin-pinread did not start its read within 20 s"
	if is_running "$PIN_PID"; then
		log "pin: pid $PIN_PID reading $PIN_DEV into $file at $off+$len"
	else
		# Fast device: already done; pin_wait reports how it went.
		log "pin: pid $PIN_PID finished before it was seen in flight"
	fi
}

pin_wait()
{
	local timeout=${1:-60} rc

	wait_for "! is_running $PIN_PID" "$timeout" ||
		die "pin_wait: daxpin-pinread (pid $PIN_PID) still running after $timeout s"
	wait "$PIN_PID"
	rc=$?
	[ "$rc" = 0 ] || die "pin_wait: daxpin-pinread failed (exit $rc): $(cat "$PIN_LOG")"
	PIN_END_NS=$(awk '$1 == "pin-end" { print $2 }' "$PIN_LOG")
	[ -n "$PIN_END_NS" ] || die "pin_wait: no pin-end line: $(cat "$PIN_LOG")"
	log "pin: pid $PIN_PID done: $(grep '^pin-end' "$PIN_LOG")"
}

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
