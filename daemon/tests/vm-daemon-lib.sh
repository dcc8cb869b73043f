# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# vm-daemon-lib.sh - helpers for the daxpind VM scenarios
# (tests/vm/scenarios/daemon-*.sh); source after lib.sh and daxpin-lib.sh.
#
#   daemon_start CONF-TEXT [DAXPIND-OPTION...]
#                             write CONF-TEXT (printf format) as the config,
#                             start daxpind --debug under a fake service
#                             manager (NOTIFY_SOCKET), wait for READY=1.
#                             Sets DPID, DLOG (stderr log), NLOG (notify log)
#   daemon_kill9 / daemon_stop   SIGKILL / SIGTERM (checks exit 0, STOPPING=1)
#   dlog_wait REGEX TIMEOUT_S wait for a daemon log line matching REGEX
#   dlog_line REGEX           first matching line
#   dlog_count REGEX          number of matching lines
#   line_ns LINE              its CLOCK_BOOTTIME stamp in ns
#   line_field LINE NAME      value of journal field NAME in LINE
#   ctl JSON...               talk to the control socket as root

if [ "${DAXPIN_INSTALLED:-0}" = 1 ]; then	# the packaged one (daxpin-lib.sh)
	DAXPIND=/usr/sbin/daxpind
	[ -x "$DAXPIND" ] || die "DAXPIN_INSTALLED=1 but no $DAXPIND: install the daxpin package"
else
	DAXPIND=${DAXPIND:-$DAXPIN_BUILD/daemon/daxpind}
fi
DRUN=/run/daxpin-vm
DCONF=/tmp/daxpind-vm/daxpind.conf
# C helpers, not Python: an interpreter takes seconds to start under TCG.
NOTIFY_LISTEN=$DAXPIN_BUILD/daemon/tests/notify-listen
CTL_CLIENT=$DAXPIN_BUILD/daemon/tests/ctl-client
DN=0
mkdir -p /tmp/daxpind-vm
lib_at_exit 'cp /tmp/daxpind-vm/*.log "$DAXPIN_OUT"/ 2>/dev/null'

# Load the binaries and their libraries into the guest's page cache once:
# the first exec over 9p under TCG takes seconds and would skew timings.
daemon_warmup()
{
	"$DAXPIND" --version >/dev/null || die "$DAXPIND does not run"
	"$CTL_CLIENT" >/dev/null 2>&1
	"$NOTIFY_LISTEN" >/dev/null 2>&1
	"$DAXPINCTL" --help >/dev/null 2>&1
	cat "$DAXPIND" "$DAXPINCTL" /usr/lib/x86_64-linux-gnu/libsystemd.so.0* >/dev/null 2>&1
}

# line_of REGEX: number of the first daemon log line matching REGEX
line_of()
{
	grep -nE -m1 -- "$1" "$DLOG" | cut -d: -f1
}

daemon_start()
{
	local conf=$1

	shift
	[ -x "$DAXPIND" ] || die "no $DAXPIND: build the tree first"
	mkdir -p "${DCONF%/*}"
	# shellcheck disable=SC2059
	printf "$conf" >"$DCONF"
	DN=$((DN + 1))
	# Logs on the guest's tmpfs: writes to $DAXPIN_OUT (9p) can stall the
	# daemon for a second under TCG.  Copied out when the scenario exits.
	DLOG=/tmp/daxpind-vm/daxpind.$DN.log
	NLOG=/tmp/daxpind-vm/notify.$DN.log
	: >"$NLOG"
	"$NOTIFY_LISTEN" "/tmp/daxpind-vm/notify.$DN" "$NLOG" &
	NPID=$!
	wait_for "[ -S /tmp/daxpind-vm/notify.$DN ]" 60 || die "notify listener did not start"
	NOTIFY_SOCKET=/tmp/daxpind-vm/notify.$DN "$DAXPIND" --debug -c "$DCONF" \
		--runtime-dir "$DRUN" "$@" 2>"$DLOG" &
	DPID=$!
	wait_for "grep -q READY=1 $NLOG" 60 || die "daxpind sent no READY=1: $(cat "$DLOG")"
	log "daxpind $DN (pid $DPID) ready: $(grep -o 'STATUS=[^|]*' "$NLOG" | tail -1)"
}

daemon_kill9()
{
	kill -KILL "$DPID"
	wait "$DPID" 2>/dev/null
	kill "$NPID" 2>/dev/null
	log "daxpind $DN killed with SIGKILL"
}

daemon_stop()
{
	local rc

	kill -TERM "$DPID"
	wait "$DPID"
	rc=$?
	assert_eq 0 "$rc" "daxpind exit status on SIGTERM"
	wait_for "grep -q STOPPING=1 $NLOG" 30 || die "no STOPPING=1"
	kill "$NPID" 2>/dev/null
}

dlog_wait()
{
	wait_for "grep -qE -- '$1' $DLOG" "$2"
}

dlog_line()
{
	grep -E -m1 -- "$1" "$DLOG"
}

dlog_count()
{
	grep -cE -- "$1" "$DLOG"
}

# "daxpind: [  123.456789] ..." -> ns
line_ns()
{
	local ts

	ts=$(sed -n 's/^daxpind: \[ *\([0-9]*\)\.\([0-9]*\)\].*/\1 \2/p' <<<"$1")
	[ -n "$ts" ] || return 1
	set -- $ts
	echo $(($1 * 1000000000 + 10#$2 * 1000))
}

line_field()
{
	sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}

ctl()
{
	"$CTL_CLIENT" "$DRUN/control" "$@"
}

# wait_on FILE: the wait in flight on FILE, from the module: sets WID and
# WSTART (ns).  sed, not python (see above); wait objects are flat.  On a
# loaded host the first listing may come after daxpind already acted on
# the wait and it ended (ActionAfterSec=2 is 2 s of guest time, a first
# exec under TCG can take longer): then the wait is taken from daxpind's
# first log line about FILE (its id, and its start = the line's time minus
# DAXPIN_WAITED_MS), and that is logged.
wait_on()
{
	local w=/tmp/daxpind-vm/waits.json line ms from

	# only daxpind's lines from now on: an earlier wait on FILE is not it
	from=$(($(cat "$DLOG" 2>/dev/null | wc -l) + 1))
	wait_for "{ waits_json $w && tr -d ' \n' <$w | grep -q '\"path\":\"$1\"'; } ||
		tail -n +$from \"\$DLOG\" | grep -qE -- ' DAXPIN_PATH=$1( |\$)'" 60 ||
		die "no wait on $1: $(cat $w)"
	line=$(tr -d ' \n' <$w | sed 's/},{/}\n{/g' | grep "\"path\":\"$1\"")
	if [ -z "$line" ]; then
		line=$(tail -n +$from "$DLOG" | grep -m1 -E -- " DAXPIN_PATH=$1( |\$)")
		ms=$(line_field "$line" DAXPIN_WAITED_MS)
		WID=$(line_field "$line" DAXPIN_WAIT_ID)
		WSTART=$(($(line_ns "$line") - ms * 1000000))
		log "wait $WID on $1 not listed before daxpind logged it (loaded host): its start from the log line, $ms ms before it"
		[ -n "$WID" ] && [ -n "$ms" ] || die "cannot parse daxpind's line: $line"
		return
	fi
	WID=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' <<<"$line")
	WSTART=$(sed -n 's/.*"start_ns":\([0-9]*\).*/\1/p' <<<"$line")
	[ -n "$WID" ] && [ -n "$WSTART" ] || die "cannot parse $(cat $w)"
}

# assert_near WHAT EXPECTED_MS ACTUAL_MS TOLERANCE_MS: ACTUAL within
# TOLERANCE of EXPECTED, or late by up to DAXPIN_LATE_MS (2000) more.  A
# loaded host deschedules the guest's vCPU for a second at a time (TCG; a
# warning came 845 ms late at load average 6): that delays what the daemon
# does, never hastens it, so only lateness gets the allowance, and it is
# logged.  Early stays an error at TOLERANCE.
DAXPIN_LATE_MS=${DAXPIN_LATE_MS:-2000}
assert_near()
{
	local d=$(($3 - $2))

	log "$1: $3 ms (expected $2 +- $4 ms; up to $(($4 + DAXPIN_LATE_MS)) ms late allowed for host load)"
	[ "$d" -ge "-$4" ] || die "$1: $3 ms, early: expected $2 +- $4 ms"
	[ "$d" -le $(($4 + DAXPIN_LATE_MS)) ] ||
		die "$1: $3 ms, late: expected $2 +- $4 ms (+ $DAXPIN_LATE_MS ms for host load)"
	[ "$d" -le "$4" ] || log "$1: late by $d ms: host load (allowed up to $(($4 + DAXPIN_LATE_MS)) ms)"
}
