/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * daxpin: generic netlink contract between daxpin.ko and userspace.
 *
 * The module tracks tasks that sleep in a filesystem-DAX layout break
 * (truncate, hole punch, fallocate waiting for a pinned DAX page to go idle),
 * keeps statistics, and lets an administrator wake a stalled waiter.
 *
 * Rules of this contract:
 *  - Attributes are only ever added, never renumbered or retyped.
 *  - Every object (wait, superblock statistics, grace-period statistics,
 *    busy page, benchmark result, event) is a nested attribute.
 *  - Times are in nanoseconds (CLOCK_BOOTTIME for points in time).
 *  - Histograms are nests whose attribute type is the log2 bucket plus one
 *    and whose payload is a u64 count; empty buckets are omitted.
 *    Bucket b counts values v (in microseconds) with 2^b <= v < 2^(b+1);
 *    bucket 0 also counts v == 0.
 */
#ifndef _UAPI_LINUX_DAXPIN_H
#define _UAPI_LINUX_DAXPIN_H

#define DAXPIN_GENL_NAME		"daxpin"
#define DAXPIN_GENL_VERSION		1
/*
 * Joining the events group needs CAP_NET_ADMIN, whatever open_reads says:
 * events are multicast, so they cannot be filtered per reader.
 */
#define DAXPIN_MCGRP_EVENTS		"events"

#define DAXPIN_HIST_BUCKETS		32

enum daxpin_cmd {
	DAXPIN_CMD_UNSPEC,
	DAXPIN_CMD_GET_WAITS,		/* dump: one DAXPIN_ATTR_WAIT per message;
					 * with ENDED_SINCE also the ended-wait
					 * log, then a summary
					 */
	DAXPIN_CMD_GET_STATS,		/* dump: GLOBAL, then SB..., then GP... */
	DAXPIN_CMD_RESET_STATS,		/* admin */
	DAXPIN_CMD_GET_CONFIG,		/* reply: DAXPIN_ATTR_CONFIG */
	DAXPIN_CMD_SET_CONFIG,		/* admin; request: DAXPIN_ATTR_CONFIG */
	DAXPIN_CMD_KICK,		/* admin; WAIT_ID -> WAS_IDLE */
	DAXPIN_CMD_SCAN,		/* dump; FD -> messages of SCAN_PAGE...,
					 * the last with SCAN_ENTRIES (and
					 * SCAN_TRUNCATED)
					 */
	DAXPIN_CMD_BENCH_GP,		/* admin; BENCH_ITERATIONS -> BENCH_RESULT... */
	DAXPIN_CMD_EVENT,		/* multicast on "events": DAXPIN_ATTR_EVENT */

	__DAXPIN_CMD_MAX,
	DAXPIN_CMD_MAX = __DAXPIN_CMD_MAX - 1
};

enum daxpin_attr {
	DAXPIN_ATTR_UNSPEC,
	DAXPIN_ATTR_PAD,
	DAXPIN_ATTR_WAIT,		/* nest: enum daxpin_wait_attr */
	DAXPIN_ATTR_GLOBAL,		/* nest: enum daxpin_global_attr */
	DAXPIN_ATTR_SB,			/* nest: enum daxpin_sb_attr */
	DAXPIN_ATTR_GP,			/* nest: enum daxpin_gp_attr */
	DAXPIN_ATTR_CONFIG,		/* nest: enum daxpin_config_attr */
	DAXPIN_ATTR_WAIT_ID,		/* u64 */
	DAXPIN_ATTR_WAS_IDLE,		/* u8 */
	DAXPIN_ATTR_FD,			/* u32: fd in the sender's file table */
	DAXPIN_ATTR_SCAN_PAGE,		/* nest: enum daxpin_page_attr */
	DAXPIN_ATTR_SCAN_TRUNCATED,	/* flag: more busy pages than reported */
	DAXPIN_ATTR_SCAN_ENTRIES,	/* u64: DAX entries walked */
	DAXPIN_ATTR_BENCH_ITERATIONS,	/* u32 */
	DAXPIN_ATTR_BENCH_RESULT,	/* nest: enum daxpin_bench_attr */
	DAXPIN_ATTR_EVENT,		/* nest: enum daxpin_event_attr */
	/*
	 * GET_WAITS request, CAP_NET_ADMIN only: after the waits in flight,
	 * also dump the ended-wait log's records with an end sequence number
	 * above this cursor (WAIT nests with DAXPIN_WAIT_ATTR_ENDED), then one
	 * message with ENDED_SEQ, ENDED_LOST and LAST_ID.  A cursor beyond the
	 * newest record (U64_MAX) returns no record: the way to learn one.
	 */
	DAXPIN_ATTR_ENDED_SINCE,	/* u64 */
	DAXPIN_ATTR_ENDED_SEQ,		/* u64: newest record dumped: the
					 * cursor for the next request; every
					 * wait that ended later has a higher
					 * end sequence number
					 */
	DAXPIN_ATTR_ENDED_LOST,		/* u64: records above the cursor that
					 * were overwritten before this dump:
					 * the lowest ones, cursor + 1 on
					 */
	DAXPIN_ATTR_LAST_ID,		/* u64: highest wait id when the dump
					 * began: a wait with an id up to it
					 * that the dump does not show in
					 * flight has ended, at or below
					 * ENDED_SEQ
					 */

	__DAXPIN_ATTR_MAX,
	DAXPIN_ATTR_MAX = __DAXPIN_ATTR_MAX - 1
};

enum daxpin_wait_attr {
	DAXPIN_WAIT_ATTR_UNSPEC,
	DAXPIN_WAIT_ATTR_PAD,
	DAXPIN_WAIT_ATTR_ID,		/* u64, never reused while loaded */
	DAXPIN_WAIT_ATTR_PID,		/* u32, waiting thread, in the reader's
					 * pid namespace
					 */
	DAXPIN_WAIT_ATTR_TGID,		/* u32 */
	DAXPIN_WAIT_ATTR_COMM,		/* string */
	DAXPIN_WAIT_ATTR_FS,		/* string: "ext4", "xfs", ... */
	DAXPIN_WAIT_ATTR_DEV_MAJOR,	/* u32: superblock device */
	DAXPIN_WAIT_ATTR_DEV_MINOR,	/* u32 */
	DAXPIN_WAIT_ATTR_INO,		/* u64 */
	DAXPIN_WAIT_ATTR_PATH,		/* string: relative to the fs root;
					 * absent for unprivileged readers
					 */
	DAXPIN_WAIT_ATTR_OFFSET,	/* u64: file offset of the busy page */
	DAXPIN_WAIT_ATTR_PFN,		/* u64; only to CAP_SYS_ADMIN readers
					 * (a physical address), never in events
					 */
	DAXPIN_WAIT_ATTR_START_NS,	/* u64: CLOCK_BOOTTIME */
	DAXPIN_WAIT_ATTR_WAITED_NS,	/* u64 */
	DAXPIN_WAIT_ATTR_ROUNDS,	/* u32: sleeps on a busy page so far */
	/* u32: live page refcount: idle at 1, at 0 from Linux 6.15 */
	DAXPIN_WAIT_ATTR_REFCOUNT,
	DAXPIN_WAIT_ATTR_DMA_PINNED,	/* u8: page_maybe_dma_pinned() */
	DAXPIN_WAIT_ATTR_IDLE,		/* u8: refcount at its idle value */
	DAXPIN_WAIT_ATTR_STALLED,	/* u8: idle, yet the waiter sleeps */
	DAXPIN_WAIT_ATTR_KICKS,		/* u32: kicks sent to this wait */
	DAXPIN_WAIT_ATTR_PAGE_GONE,	/* flag: the page's pgmap is gone */
	DAXPIN_WAIT_ATTR_PATH_TRUNCATED,	/* flag: PATH is cut short */
	/*
	 * The holder group (issue 13.1), appended together.  Only GET_WAITS
	 * dumps carry them (never events: those are built in atomic context,
	 * and the holder walk sleeps).  Neither HOLDER nor NO_HOLDER: the
	 * module did not look (the wait ended meanwhile, the page is gone or
	 * shared by reflink) or, for an unprivileged reader, every mapping
	 * process is one it may not inspect.
	 */
	DAXPIN_WAIT_ATTR_HOLDER,	/* nest, repeated: enum daxpin_holder_attr,
					 * one per mapping of the busy page, at
					 * most DAXPIN_HOLDERS_MAX
					 */
	DAXPIN_WAIT_ATTR_HOLDERS_TRUNCATED,	/* flag: more mappings (or
						 * more processes to look
						 * at) than reported
						 */
	DAXPIN_WAIT_ATTR_NO_HOLDER,	/* flag: no process maps the page now
					 * (e.g. an O_DIRECT buffer unmapped
					 * while its read is in flight, or a
					 * kernel user): the pin has no owner
					 * to name
					 */
	DAXPIN_WAIT_ATTR_ENDED,		/* flag: a record of the ended-wait
					 * log, not a wait in flight (no path,
					 * page or pfn; WAITED_NS is final)
					 */
	DAXPIN_WAIT_ATTR_OUTCOME,	/* u32: enum daxpin_outcome (ENDED) */
	DAXPIN_WAIT_ATTR_END_SEQ,	/* u64: end sequence number (ENDED) */
	DAXPIN_WAIT_ATTR_KIND,		/* u8: enum daxpin_wait_kind */
	/* u8: order of the page's folio; the page is its head from Linux 6.15 */
	DAXPIN_WAIT_ATTR_FOLIO_ORDER,

	__DAXPIN_WAIT_ATTR_MAX,
	DAXPIN_WAIT_ATTR_MAX = __DAXPIN_WAIT_ATTR_MAX - 1
};

/* Mappings of one busy page reported per wait. */
#define DAXPIN_HOLDERS_MAX		8

/* DAXPIN_HOLDER_ATTR_VM_FLAGS: the mapping's vm_flags that matter here. */
#define DAXPIN_HOLDER_VM_SHARED		(1U << 0)	/* else private */
#define DAXPIN_HOLDER_VM_IO		(1U << 1)
#define DAXPIN_HOLDER_VM_PFNMAP		(1U << 2)
#define DAXPIN_HOLDER_VM_LOCKED		(1U << 3)	/* mlock()ed */
#define DAXPIN_HOLDER_VM_WRITE		(1U << 4)

/* One process mapping the busy page of a wait (DAXPIN_WAIT_ATTR_HOLDER). */
enum daxpin_holder_attr {
	DAXPIN_HOLDER_ATTR_UNSPEC,
	DAXPIN_HOLDER_ATTR_PAD,
	DAXPIN_HOLDER_ATTR_PID,		/* u32, in the reader's pid namespace
					 * (0: not visible there)
					 */
	DAXPIN_HOLDER_ATTR_TGID,	/* u32 */
	DAXPIN_HOLDER_ATTR_COMM,	/* string */
	DAXPIN_HOLDER_ATTR_UID,		/* u32: real uid, in the reader's user
					 * namespace
					 */
	DAXPIN_HOLDER_ATTR_VM_START,	/* u64: the mapping's address range */
	DAXPIN_HOLDER_ATTR_VM_END,	/* u64 */
	DAXPIN_HOLDER_ATTR_VM_FLAGS,	/* u32: DAXPIN_HOLDER_VM_* */
	DAXPIN_HOLDER_ATTR_ADDRESS,	/* u64: the busy page's address in it */
	DAXPIN_HOLDER_ATTR_DMA_PINNED,	/* u8: the page is DMA-pinned
					 * (folio_maybe_dma_pinned(); FOLL_PIN,
					 * which O_DIRECT uses from 6.5 on)
					 */
	DAXPIN_HOLDER_ATTR_MM_PINNED,	/* u8: this process has pinned pages
					 * with FOLL_PIN (MMF_HAS_PINNED): with
					 * DMA_PINNED, a likely pinner
					 */

	__DAXPIN_HOLDER_ATTR_MAX,
	DAXPIN_HOLDER_ATTR_MAX = __DAXPIN_HOLDER_ATTR_MAX - 1
};

enum daxpin_global_attr {
	DAXPIN_GLOBAL_ATTR_UNSPEC,
	DAXPIN_GLOBAL_ATTR_PAD,
	DAXPIN_GLOBAL_ATTR_VERSION,	/* string: module version */
	DAXPIN_GLOBAL_ATTR_WAITS_ACTIVE,	/* u32 */
	DAXPIN_GLOBAL_ATTR_WAITS_MAX,	/* u32: table size */
	DAXPIN_GLOBAL_ATTR_WAITS_DROPPED,	/* u64: waits not tracked, table full */
	DAXPIN_GLOBAL_ATTR_EVENTS_SENT,	/* u64 */
	DAXPIN_GLOBAL_ATTR_EVENTS_DROPPED,	/* u64: rate limit or no memory */
	DAXPIN_GLOBAL_ATTR_BREAKS,	/* u64: layout-break scans (count_breaks) */
	DAXPIN_GLOBAL_ATTR_SCAN_HIST,	/* nest: histogram of busy-scan time */
	DAXPIN_GLOBAL_ATTR_RESET_NS,	/* u64: CLOCK_BOOTTIME of last reset */
	DAXPIN_GLOBAL_ATTR_WAITS_STALLED,	/* u32: waits judged stalled now */
	DAXPIN_GLOBAL_ATTR_OLDEST_WAITED_NS,	/* u64: how long the oldest wait
						 * in flight has waited; absent
						 * if none
						 */
	DAXPIN_GLOBAL_ATTR_PROBE_MISSED,	/* u64: probe hits the kernel
						 * skipped (recursion)
						 */

	__DAXPIN_GLOBAL_ATTR_MAX,
	DAXPIN_GLOBAL_ATTR_MAX = __DAXPIN_GLOBAL_ATTR_MAX - 1
};

enum daxpin_sb_attr {
	DAXPIN_SB_ATTR_UNSPEC,
	DAXPIN_SB_ATTR_PAD,
	DAXPIN_SB_ATTR_FS,		/* string */
	DAXPIN_SB_ATTR_DEV_MAJOR,	/* u32 */
	DAXPIN_SB_ATTR_DEV_MINOR,	/* u32 */
	DAXPIN_SB_ATTR_STARTED,		/* u64 */
	DAXPIN_SB_ATTR_COMPLETED,	/* u64 */
	DAXPIN_SB_ATTR_INTERRUPTED,	/* u64 */
	DAXPIN_SB_ATTR_KICKED,		/* u64: waits that were kicked */
	DAXPIN_SB_ATTR_STALLED,		/* u64: waits seen stalled */
	DAXPIN_SB_ATTR_TOTAL_NS,	/* u64: sum of ended waits */
	DAXPIN_SB_ATTR_MAX_NS,		/* u64: longest ended wait */
	DAXPIN_SB_ATTR_HIST,		/* nest: histogram of wait time */

	__DAXPIN_SB_ATTR_MAX,
	DAXPIN_SB_ATTR_MAX = __DAXPIN_SB_ATTR_MAX - 1
};

enum daxpin_gp_primitive {
	DAXPIN_GP_SYNCHRONIZE_RCU,
	DAXPIN_GP_SYNCHRONIZE_RCU_EXPEDITED,
	DAXPIN_GP_SYNCHRONIZE_SRCU,
	DAXPIN_GP_SYNCHRONIZE_SRCU_EXPEDITED,

	DAXPIN_GP_NR
};

enum daxpin_gp_context {
	DAXPIN_GP_CTX_LAYOUT_BREAK,	/* obsolete: never counted (a waiter
					 * sleeps in schedule(), it calls no
					 * grace period); kept for numbering
					 */
	DAXPIN_GP_CTX_KILL_DAX,		/* called inside kill_dax() */

	DAXPIN_GP_CTX_NR
};

enum daxpin_gp_attr {
	DAXPIN_GP_ATTR_UNSPEC,
	DAXPIN_GP_ATTR_PAD,
	DAXPIN_GP_ATTR_PRIMITIVE,	/* u32: enum daxpin_gp_primitive */
	DAXPIN_GP_ATTR_CONTEXT,		/* u32: enum daxpin_gp_context */
	DAXPIN_GP_ATTR_NAME,		/* string: "synchronize_rcu", ... */
	DAXPIN_GP_ATTR_COUNT,		/* u64 */
	DAXPIN_GP_ATTR_TOTAL_NS,	/* u64 */
	DAXPIN_GP_ATTR_MAX_NS,		/* u64 */
	DAXPIN_GP_ATTR_HIST,		/* nest: histogram */
	DAXPIN_GP_ATTR_MISSED,		/* u64: calls of this primitive the
					 * return probe could not time
					 */

	__DAXPIN_GP_ATTR_MAX,
	DAXPIN_GP_ATTR_MAX = __DAXPIN_GP_ATTR_MAX - 1
};

enum daxpin_config_attr {
	DAXPIN_CONFIG_ATTR_UNSPEC,
	DAXPIN_CONFIG_ATTR_PAD,
	DAXPIN_CONFIG_ATTR_MAX_WAITS,	/* u32, read-only (module parameter) */
	DAXPIN_CONFIG_ATTR_POLL_MS,	/* u32: stall check period while waits exist */
	DAXPIN_CONFIG_ATTR_OPEN_READS,	/* u8: unprivileged dumps allowed */
	DAXPIN_CONFIG_ATTR_COUNT_BREAKS,	/* u8: probe every layout break */
	DAXPIN_CONFIG_ATTR_EVENT_BURST,	/* u32: events per second, 0 = none */
	DAXPIN_CONFIG_ATTR_RESCUE,	/* u8: wake a waiter asleep on an idle
					 * page at once (lost wake-up)
					 */

	__DAXPIN_CONFIG_ATTR_MAX,
	DAXPIN_CONFIG_ATTR_MAX = __DAXPIN_CONFIG_ATTR_MAX - 1
};

enum daxpin_page_attr {
	DAXPIN_PAGE_ATTR_UNSPEC,
	DAXPIN_PAGE_ATTR_PAD,
	DAXPIN_PAGE_ATTR_OFFSET,	/* u64: file offset */
	DAXPIN_PAGE_ATTR_PFN,		/* u64; only to CAP_SYS_ADMIN readers */
	DAXPIN_PAGE_ATTR_REFCOUNT,	/* u32 */
	DAXPIN_PAGE_ATTR_DMA_PINNED,	/* u8 */
	DAXPIN_PAGE_ATTR_PMD,		/* u8: part of a 2 MiB entry */

	__DAXPIN_PAGE_ATTR_MAX,
	DAXPIN_PAGE_ATTR_MAX = __DAXPIN_PAGE_ATTR_MAX - 1
};

enum daxpin_bench_attr {
	DAXPIN_BENCH_ATTR_UNSPEC,
	DAXPIN_BENCH_ATTR_PAD,
	DAXPIN_BENCH_ATTR_PRIMITIVE,	/* u32: enum daxpin_gp_primitive */
	DAXPIN_BENCH_ATTR_NAME,		/* string */
	DAXPIN_BENCH_ATTR_ITERATIONS,	/* u32 */
	DAXPIN_BENCH_ATTR_MIN_NS,	/* u64 */
	DAXPIN_BENCH_ATTR_MEDIAN_NS,	/* u64 */
	DAXPIN_BENCH_ATTR_MAX_NS,	/* u64 */

	__DAXPIN_BENCH_ATTR_MAX,
	DAXPIN_BENCH_ATTR_MAX = __DAXPIN_BENCH_ATTR_MAX - 1
};

enum daxpin_event_type {
	DAXPIN_EVENT_WAIT_START = 1,
	DAXPIN_EVENT_WAIT_END,
	DAXPIN_EVENT_STALLED,
	DAXPIN_EVENT_KICKED,
	/*
	 * Events were dropped (event_burst or a full ring) since the last
	 * overrun record: DAXPIN_EVENT_ATTR_DROPPED, no wait.  Sent once the
	 * ring has drained, at most once a second.  Listeners resync (dump).
	 */
	DAXPIN_EVENT_OVERRUN,
};

/* What kind of layout break a wait is in. */
enum daxpin_wait_kind {
	DAXPIN_WAIT_KIND_BREAK,		/* truncate, punch, ...: interruptible */
	/*
	 * dax_break_layout_final(): inode eviction or unmount, uninterruptible
	 * (Linux 6.15+): a signal cannot end it
	 */
	DAXPIN_WAIT_KIND_FINAL,
};

enum daxpin_outcome {
	DAXPIN_OUTCOME_COMPLETED,	/* the page went idle, the break went on */
	DAXPIN_OUTCOME_INTERRUPTED,	/* a signal ended the wait */
	DAXPIN_OUTCOME_UNTRACKED,	/* daxpin unloaded or lost the waiter */
};

enum daxpin_event_attr {
	DAXPIN_EVENT_ATTR_UNSPEC,
	DAXPIN_EVENT_ATTR_PAD,
	DAXPIN_EVENT_ATTR_TYPE,		/* u32: enum daxpin_event_type */
	DAXPIN_EVENT_ATTR_TIME_NS,	/* u64: CLOCK_BOOTTIME */
	DAXPIN_EVENT_ATTR_WAIT,		/* nest: enum daxpin_wait_attr */
	DAXPIN_EVENT_ATTR_OUTCOME,	/* u32: enum daxpin_outcome (WAIT_END) */
	DAXPIN_EVENT_ATTR_WAS_IDLE,	/* u8 (KICKED) */
	DAXPIN_EVENT_ATTR_DROPPED,	/* u64: events dropped so far (OVERRUN) */
	DAXPIN_EVENT_ATTR_RESCUED,	/* flag (KICKED): daxpin.ko woke the
					 * waiter itself (rescue), not a KICK
					 */
	DAXPIN_EVENT_ATTR_END_SEQ,	/* u64: the wait's end sequence number
					 * (WAIT_END), as in the ended-wait log
					 */

	__DAXPIN_EVENT_ATTR_MAX,
	DAXPIN_EVENT_ATTR_MAX = __DAXPIN_EVENT_ATTR_MAX - 1
};

#endif /* _UAPI_LINUX_DAXPIN_H */
