#!/usr/bin/env python3
# Generates docs/schema/<command>.json, the JSON Schemas (2020-12) of
# `daxpinctl <command> --json`. Edit here, run, commit the output.
import json, os

U = {"type": "integer", "minimum": 0}
S = {"type": "string"}
B = {"type": "boolean"}
MAJ_MIN = {"type": "string", "pattern": "^[0-9]+:[0-9]+$", "description": "MAJ:MIN of the superblock device"}
NS = dict(U, description="nanoseconds")

# daxpinctl(8) promises that within a version (SCHEMA_VERSION, in $id)
# keys are only ever added: the published schemas accept keys they do not
# list, so a consumer validating against them keeps working when a later
# release adds one.  Version 2 renamed keys so that one concept has one
# name and one type (daxpinctl(8), "JSON version 2").  cli/tests/test-schemas.sh
# validates daxpinctl's own output strictly (no key the schema does not
# list), so nothing undocumented slips out.
SCHEMA_VERSION = 2

def obj(props, required=None, desc=None):
    o = {"type": "object", "properties": props,
         "required": sorted(props) if required is None else required}
    if desc:
        o["description"] = desc
    return o

def nullable(s):
    return {"anyOf": [s, {"type": "null"}]}

HIST = {
    "type": "array",
    "description": "Non-empty log2 buckets, ascending: count values v (microseconds) with ge_us <= v < lt_us.",
    "items": obj({"ge_us": U, "lt_us": U, "count": U}),
}

# comm values, paths and mount points are whatever bytes a local user chose
NAME = "; valid UTF-8: each byte that is not part of a valid UTF-8 sequence is replaced by U+FFFD"

HOLDER = obj({
    "pid": dict(U, description="a task of the process, in the reader's pid namespace (0: not visible there)"),
    "tgid": U,
    "comm": dict(S, description="the process's comm" + NAME),
    "uid": dict(U, description="real uid, in the reader's user namespace"),
    "vm_start": U, "vm_end": U,
    "address": dict(U, description="the busy page's address in this mapping"),
    "shared": dict(B, description="MAP_SHARED, else private"),
    "write": B, "io": dict(B, description="VM_IO"), "pfnmap": dict(B, description="VM_PFNMAP"),
    "locked": dict(B, description="VM_LOCKED (mlock)"),
    "dma_pinned": dict(B, description="the page is DMA-pinned (FOLL_PIN; O_DIRECT pins so from Linux 6.5)"),
    "mm_pinned": dict(B, description="this process has pinned pages with FOLL_PIN (MMF_HAS_PINNED)"),
})

WAIT = obj({
    "id": dict(U, description="wait id, never reused while the module is loaded"),
    "pid": U, "tgid": U, "comm": dict(S, description="the waiting task's comm" + NAME), "fs": S, "maj_min": MAJ_MIN, "ino": U,
    "path": dict(nullable(S), description="absolute when the mount is known (path_absolute), else relative to the filesystem root; null for a reader without CAP_NET_ADMIN" + NAME),
    "path_absolute": B,
    "path_truncated": dict(B, description="the module cut the path short (it keeps 255 bytes)"),
    "offset": dict(U, description="file offset of the busy page, bytes"),
    "pfn": dict(nullable(U), description="page frame number; null unless the reader has CAP_SYS_ADMIN, and always in events"),
    "refcount": dict(U, description="live page refcount: idle at 1, at 0 from Linux 6.15"),
    "dma_pinned": B, "idle": B,
    "stalled": dict(B, description="page idle, yet the waiter still sleeps"),
    "page_gone": dict(B, description="the page's pgmap is gone"),
    "kind": {"enum": ["break", "final", "unknown"], "description": "break: truncate, hole punch... (interruptible); final: dax_break_layout_final(), inode eviction or unmount, uninterruptible (Linux 6.15+)"},
    "folio_order": dict(U, description="order of the page's folio; from Linux 6.15 a 2 MiB entry is one folio of order 9 and the page is its head"),
    "waited_ns": NS, "rounds": U, "kicks": U,
    "start_ns": dict(U, description="CLOCK_BOOTTIME, nanoseconds"),
    "holders": dict(nullable({"type": "array", "items": HOLDER}),
                    description="the processes mapping the busy page, one entry a mapping (at most 8): "
                    "[] with no_holder when no process maps it; null when not known (always in events, "
                    "a wait that ended while dumped, a reflinked page, an older module, or holders this "
                    "reader may not inspect)"),
    "holders_truncated": dict(B, description="more mappings than listed, or the module's process walk stopped at its bound"),
    "no_holder": dict(B, description="no process maps the page (e.g. an O_DIRECT buffer unmapped while its read "
                      "is in flight, or a kernel user): the pin has no process to name"),
})

GLOBAL_PROPS = {
    "version": S, "waits_in_flight": U, "waits_max": U, "waits_dropped": U,
    "events_sent": U, "events_dropped": U, "breaks": U,
    "reset_ns": dict(U, description="CLOCK_BOOTTIME of the last reset"),
    "waits_stalled": dict(nullable(U), description="waits judged stalled now; null from a module without the summary"),
    "oldest_waited_ns": dict(nullable(U), description="how long the oldest wait in flight has waited, ns; null when none"),
    "probe_missed": dict(nullable(U), description="hits of the wait probe the kernel skipped (kprobe recursion); null from a module without the count"),
    "scan_hist": HIST,
}
GLOBAL = obj(GLOBAL_PROPS, required=sorted(k for k in GLOBAL_PROPS if k != "scan_hist"))

SB_PROPS = {
    "fs": S, "maj_min": MAJ_MIN, "mount_point": nullable(S), "started": U, "completed": U,
    "interrupted": U, "kicks": dict(U, description="kicks of waits on this filesystem (a count, as kicks in a wait)"),
    "stalls": dict(U, description="waits on this filesystem found stalled (a count; stalled in a wait is its boolean state)"), "total_ns": NS, "max_ns": NS,
    "hist": HIST,
}
SB = obj(SB_PROPS, required=sorted(k for k in SB_PROPS if k != "hist"))

GP_PROPS = {
    "name": S, "primitive": U,
    "context": {"enum": ["layout_break", "kill_dax", "unknown"]},
    "count": U, "total_ns": NS, "max_ns": NS,
    "missed": nullable(dict(U, description="calls of this primitive its return probe could not time (any caller: "
                            "they may or may not have been in this context); null: the module does not report it")),
    "hist": HIST,
}
GP = obj(GP_PROPS, required=sorted(k for k in GP_PROPS if k != "hist"))

CONFIG = obj({"max_waits": U, "poll_ms": U, "open_reads": B,
              "count_breaks": B, "event_burst": U, "rescue": B}, required=[],
             desc="Only the fields the module reports are present.")

PAGE = obj({"offset": U, "pfn": dict(nullable(U), description="null unless the reader has CAP_SYS_ADMIN"),
            "refcount": U, "dma_pinned": B, "pmd": B})
SCAN = obj({"path": S, "entries": dict(U, description="DAX entries walked"),
            "truncated": dict(B, description="more busy pages than listed"),
            "busy": dict(U, description="number of pages listed"),
            "pages": {"type": "array", "items": PAGE}})

BENCH_RESULT = obj({"name": S, "primitive": U, "iterations": U,
                    "min_ns": NS, "median_ns": NS, "max_ns": NS})

EVENT = obj({
    "event": {"enum": ["wait_start", "wait_end", "stalled", "kicked", "unknown"]},
    "time_ns": dict(U, description="CLOCK_BOOTTIME"),
    "time_unix_ns": dict(U, description="the same instant as wall-clock time (Unix epoch, ns): "
                         "time_ns plus the offset between CLOCK_REALTIME and CLOCK_BOOTTIME "
                         "when daxpinctl printed the event, to line it up with other logs"),
    "outcome": {"enum": ["completed", "interrupted", "untracked", "unknown"]},
    "was_idle": B, "wait": WAIT,
    "end_seq": dict(U, description="wait_end: the end's number in daxpin.ko's ended-wait log (increases by one with each wait end)"),
    "rescued": dict(B, description="kicked: daxpin.ko woke the waiter itself (rescue)"),
}, required=["event", "time_ns", "time_unix_ns"])

MOUNT = obj({"mount_point": S, "fs": S, "maj_min": MAJ_MIN, "source": S, "root": S,
             "dax": nullable({"enum": ["always", "inode", "never"]})})

NAMESPACE = obj({
    "dev": dict(S, description="the namespace's name, as ndctl's \"dev\" (e.g. namespace0.0)"),
    "mode": {"enum": ["fsdax", "devdax", "sector", "raw", "unknown"]},
    "enabled": B, "size": U, "blockdev": nullable(S),
    "chardevs": nullable({"type": "array", "items": S}),
    "maj_min": dict(nullable(MAJ_MIN), description="MAJ:MIN of blockdev; null without one"),
    "mounts": {"type": "array", "items": MOUNT}})
REGION = obj({"dev": dict(S, description="the region's name, as ndctl's \"dev\" (e.g. region0)"), "bus": S, "type": S, "size": U,
              "namespaces": {"type": "array", "items": NAMESPACE}})
PMEM = {"anyOf": [obj({"regions": {"type": "array", "items": REGION}}),
                  obj({"error": S}, desc="libndctl could not be initialised")]}

SETTING = obj({"key": dict(S, description="daxpind.conf(5) key, as spelled there"),
               "value": dict(S, description="effective value, as daxpind formats it"),
               "source": dict(S, description="\"default\" or FILE:LINE")})
SETTINGS = {"type": "array", "items": SETTING}
POLICY = obj({
    "settings": dict(SETTINGS, description="[Policy]"),
    "sections": {"type": "array", "items": obj({
        "section": dict(S, description="\"Mount PATH\" or \"Device NAME\""),
        "settings": dict(SETTINGS, description="only the keys the section sets")})},
    "daemon_settings": dict(SETTINGS, description="[Daemon]"),
    "files": {"type": "array", "items": S, "description": "configuration files read, in order"},
    "runtime_dropin": dict(S, description="file holding runtime changes (policy set)"),
})
DAEMON = obj({
    "reachable": dict(B, description="daxpind answered on its control socket"),
    "socket": S,
    "error": nullable(S),
    "version": nullable(S), "pid": nullable(U),
    "uptime_ns": dict(nullable(U), description="since daxpind started, ns (to the clock tick)"), "module_loaded": nullable(B),
    "waits_in_flight": nullable(U), "waits_stalled": nullable(U),
    "dry_run": nullable(B),
    "policy": nullable(dict(SETTINGS, description="summary of [Policy]")),
    "policy_sections": nullable(dict(U, description="number of [Mount]/[Device] sections")),
})

def schema(name, title, body, defs=None):
    # The version is in the $id: it changes only when a key is removed or
    # changes meaning or type, never when one is added.
    s = {"$schema": "https://json-schema.org/draft/2020-12/schema",
         "$id": "https://daxpin.invalid/schema/v%d/%s.json" % (SCHEMA_VERSION, name),
         "title": title}
    s.update(body)
    return s

out = {
    "waits": schema("waits", "daxpinctl waits --json",
        obj({"waits": {"type": "array", "items": WAIT}})),
    "kick": schema("kick", "daxpinctl kick ID...|--stalled --json",
        obj({"kicked_waits": {"type": "array",
                       "description": "one entry per wait kicked, in order; a wait that could not be kicked is reported on stderr instead",
                       "items": obj({"id": U, "was_idle": dict(B, description="the page was already idle: the waiter was stalled"),
                                     "holders": dict(WAIT["properties"]["holders"], description="the wait's holders as listed just before the kicks (null: not known, or the wait was not listed)"),
                                     "holders_truncated": B, "no_holder": B})}})),
    "scan": schema("scan", "daxpinctl scan PATH... --json",
        obj({"scans": {"type": "array", "items": SCAN,
                       "description": "one entry per file scanned successfully, in argument order"}})),
    "stats": schema("stats", "daxpinctl stats [--reset] --json",
        obj({"global": nullable(GLOBAL),
             "superblocks": {"type": "array", "items": SB},
             "grace_periods": {"type": "array", "items": GP},
             "reset": dict(B, description="the counters were reset after being read")})),
    "config": schema("config", "daxpinctl config --json", CONFIG),
    "bench": schema("bench", "daxpinctl bench gp|truncate --json", {"oneOf": [
        obj({"bench": {"const": "gp"}, "iterations": U,
             "results": {"type": "array", "items": BENCH_RESULT}}),
        obj({"bench": {"const": "truncate"}, "path": S,
             "file_dax": dict(B, description="the file is accessed through DAX (STATX_ATTR_DAX)"),
             "iterations": U, "total_ns": NS, "per_call_ns": NS,
             "min_ns": NS, "max_ns": NS}),
    ]}),
    "monitor": schema("monitor", "daxpinctl monitor --json: one document per line",
        {"oneOf": [
            EVENT,
            obj({"event": {"const": "overrun"},
                 "events_dropped": dict(U, description="events daxpin.ko dropped so far "
                                 "(event_burst or a full ring), as stats.global.events_dropped; "
                                 "absent when the socket overflowed"),
                 "time_ns": dict(U, description="CLOCK_BOOTTIME"),
                 "time_unix_ns": dict(U, description="time_ns as wall-clock time (Unix epoch, ns)")},
                required=["event"],
                desc="events were lost; a resync line follows"),
            obj({"event": {"const": "resync"},
                 "waits": {"type": "array", "items": WAIT}},
                desc="full list of waits after an overrun"),
        ]}),
    "status": schema("status", "daxpinctl status --json", obj({
        "module": obj({
            "loaded": B, "version": nullable(S), "protocol": nullable(U),
            "config": nullable(CONFIG), "global": nullable(GLOBAL),
            "error": nullable(S)}),
        "pmem": PMEM,
        "dax_mounts": {"type": "array", "items": MOUNT},
        "waits_in_flight": dict(U, description="as module.global and daemon"),
        "waits_stalled": U,
        "oldest_waited_ns": dict(nullable(U), description="how long the oldest wait in flight has waited, ns; null when none"),
        "superblocks": {"type": "array", "items": SB},
        "daemon": DAEMON,
        "check": obj({
            "warn_ms": dict(U, description="a wait this old is stuck (warning); 18446744073709551615: never"),
            "warn_source": {"enum": ["option", "daxpind", "default"],
                            "description": "--warn-ms, daxpind's global WarnAfterSec, or 5000"},
            "crit_ms": dict(U, description="a wait this old is critical")}),
        "health": {"enum": ["ok", "warning", "critical"]},
        "reasons": {"type": "array", "items": S},
    })),
    "policy": schema("policy", "daxpinctl policy show|set|reset --json", POLICY),
    "metrics": schema("metrics", "daxpinctl metrics --json", obj({
        "text": dict(S, description="Prometheus text exposition format"),
        "samples": dict(U, description="number of sample lines")})),
    "version": schema("version", "daxpinctl version --json", obj({
        "daxpinctl": S, "protocol": U, "module_version": nullable(S),
        "module_protocol": nullable(U)})),
}

here = os.path.dirname(os.path.abspath(__file__))
for name, s in out.items():
    with open(os.path.join(here, name + ".json"), "w") as f:
        json.dump(s, f, indent=2)
        f.write("\n")
