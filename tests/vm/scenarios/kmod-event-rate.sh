#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fs: ext4
#
# kmod-event-rate - the events rate limit holds for any one-second window:
# with event_burst=8, 200 kicks of one tracked wait sent at once queue 200
# KICKED events; the monitor receives at most 8 in any second (by the events'
# own timestamps), the rest are counted in events_dropped.  (A fixed
# one-second window let twice the burst through across its boundary.)

. "$DAXPIN_SRC/tests/vm/lib.sh"
. "$DAXPIN_SRC/tests/vm/daxpin-lib.sh"

burst=8
kicks=200
daxpin_load event_burst=$burst
f=$DAX_MNT/victim
mon=$DAXPIN_OUT/monitor.jsonl
w=/tmp/waits.json

pin_start "$f" 0 4096
stuck_start "$f"
wait_for "waits_json $w && [ \"\$(jq_py $w 'len(d[\"waits\"])')\" = 1 ]" 60 ||
	die "wait not tracked: $(cat $w)"
id=$(jq_py $w 'd["waits"][0]["id"]')
monitor_start "$mon"

# Two batches a second and a half apart, so that a window boundary falls
# between and inside them.
ids=$(for _ in $(seq 1 $((kicks / 2))); do echo -n "$id "; done)
# shellcheck disable=SC2086
"$DAXPINCTL" kick $ids >/dev/null || die "kick batch 1 failed"
sleep 1.5
# shellcheck disable=SC2086
"$DAXPINCTL" kick $ids >/dev/null || die "kick batch 2 failed"
sleep 2

"$DAXPINCTL" --json stats >/tmp/stats.json || die "stats failed"
dropped=$(jq_py /tmp/stats.json 'd["global"]["events_dropped"]')
python3 - "$mon" "$burst" <<'PY' >/tmp/rate.out || { cat /tmp/rate.out; die "rate limit exceeded"; }
import json, sys
times = []
for line in open(sys.argv[1]):
    line = line.strip()
    if line:
        e = json.loads(line)
        if e.get("event") == "kicked":
            times.append(e["time_ns"])
times.sort()
burst = int(sys.argv[2])
worst = 0
j = 0
for i in range(len(times)):
    while times[i] - times[j] >= 1000000000:
        j += 1
    worst = max(worst, i - j + 1)
print("kicked events received: %d, most in any one second: %d (burst %d)" % (len(times), worst, burst))
sys.exit(0 if worst <= burst and len(times) > 0 else 1)
PY
log "$(cat /tmp/rate.out); events_dropped $dropped"
assert [ "$dropped" -gt 0 ]

kill -TERM "$STUCK_PID" 2>/dev/null
pin_release
log "kmod-event-rate ok"
