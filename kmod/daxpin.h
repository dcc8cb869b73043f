/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxpin: internal interfaces between the parts of daxpin.ko.
 */
#ifndef _DAXPIN_H
#define _DAXPIN_H

#include <linux/types.h>
#include <linux/sched.h>
#include <uapi/linux/daxpin.h>

struct file;
struct inode;
struct daxpin_holders;

#define DAXPIN_VERSION		"0.1.0"
#define DAXPIN_PATH_MAX		256
#define DAXPIN_FS_MAX		16

/* Module parameters (daxpin_main.c). */
extern unsigned int daxpin_max_waits;
extern unsigned int daxpin_poll_ms;
extern bool daxpin_open_reads;
extern bool daxpin_count_breaks;
extern unsigned int daxpin_event_burst;
extern bool daxpin_rescue;		/* daxpin_rescue.c */

/* What userspace sees of one wait; also the payload of events. */
struct daxpin_wait_info {
	u64 id;
	pid_t pid;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
	char fs[DAXPIN_FS_MAX];
	dev_t dev;
	u64 ino;
	char path[DAXPIN_PATH_MAX];
	bool path_truncated;	/* path is the tail of a longer one */
	u64 offset;
	unsigned long pfn;
	u64 start_ns;
	u64 end_ns;		/* 0 while in flight */
	u32 rounds;
	u32 kicks;
	u32 refcount;		/* live, filled by daxpin_page_state() */
	bool dma_pinned;
	bool idle;
	bool stalled;
	bool page_gone;
	/* Dumps only (daxpin_holders.c); NULL in the table and in events. */
	const struct daxpin_holders *holders;
	u64 end_seq;		/* ended-wait log number, once ended */
	u8 kind;		/* enum daxpin_wait_kind */
	u8 order;		/* of the page's folio (6.15: large folios) */
};

/* Where the probe saw a wait begin (daxpin_wait_begin()). */
struct daxpin_wait_where {
	unsigned long pfn;	/* the page slept on */
	pgoff_t index;		/* its file index */
	u8 order;		/* of its folio */
	u8 kind;		/* enum daxpin_wait_kind */
};

/* KICKED's outcome: the module woke the waiter itself (rescue). */
#define DAXPIN_KICKED_RESCUE	1

struct daxpin_event {
	u32 type;		/* enum daxpin_event_type */
	u32 outcome;		/* enum daxpin_outcome (WAIT_END), or
				 * DAXPIN_KICKED_RESCUE (KICKED)
				 */
	bool was_idle;		/* KICKED only */
	u64 time_ns;
	struct daxpin_wait_info wait;
};

/* daxpin_waits.c: the table of in-progress waits. */
int daxpin_waits_init(void);
void daxpin_waits_exit(void);
void daxpin_wait_begin(struct task_struct *task, void *wbq,
		       struct inode *inode, const struct daxpin_wait_where *where);
void daxpin_wait_signalled(struct task_struct *task, int sig, bool group);
int daxpin_wait_get(unsigned int *slot, struct daxpin_wait_info *info,
		    struct task_struct **taskp);
int daxpin_wait_kick(u64 id, bool *was_idle);
unsigned int daxpin_waits_active(void);
u64 daxpin_waits_dropped(void);
u64 daxpin_waits_last_id(void);
unsigned int daxpin_waits_summary(unsigned int *stalled, u64 *oldest_ns);
void daxpin_page_state(struct daxpin_wait_info *info);
void daxpin_waits_rescue(void);

/* daxpin_rescue.c: waking stalled waits when their page goes idle. */
int daxpin_rescue_init(void);
void daxpin_rescue_exit(void);
void daxpin_rescue_want(void);
void daxpin_rescue_update(void);

/* daxpin_ended.c: the log of recently ended waits. */
struct daxpin_ended {
	u64 seq;		/* end sequence number */
	u64 id;
	u64 ino;
	u64 offset;
	u64 start_ns;
	u64 end_ns;
	dev_t dev;
	pid_t pid;		/* in the initial pid namespace */
	pid_t tgid;
	u32 rounds;
	u32 kicks;
	u32 outcome;		/* enum daxpin_outcome */
	bool stalled;
	char comm[TASK_COMM_LEN];
	char fs[DAXPIN_FS_MAX];
};

int daxpin_ended_init(void);
void daxpin_ended_exit(void);
u64 daxpin_ended_add(const struct daxpin_wait_info *info, u32 outcome);
u64 daxpin_ended_newest(void);
int daxpin_ended_get(u64 *next, u64 *lost, struct daxpin_ended *out);

/* daxpin_probe.c: the probe on init_wait_var_entry(). */
int daxpin_probe_init(void);
void daxpin_probe_exit(void);
u64 daxpin_probe_missed(void);

/* daxpin_signal.c: notices signals sent to waiters. */
int daxpin_signal_init(void);
void daxpin_signal_exit(void);

/* daxpin_stats.c: per-superblock statistics. */
struct daxpin_sb_stats {
	char fs[DAXPIN_FS_MAX];
	dev_t dev;
	u64 started;
	u64 completed;
	u64 interrupted;
	u64 kicked;
	u64 stalled;
	u64 total_ns;
	u64 max_ns;
	u64 hist[DAXPIN_HIST_BUCKETS];
};

void daxpin_hist_add(u64 *hist, u64 ns);
void daxpin_stats_started(const char *fs, dev_t dev);
void daxpin_stats_ended(const char *fs, dev_t dev, u32 outcome, u64 ns);
void daxpin_stats_kicked(const char *fs, dev_t dev);
void daxpin_stats_stalled(const char *fs, dev_t dev);
int daxpin_stats_get_sb(unsigned int idx, struct daxpin_sb_stats *out);
void daxpin_stats_reset(void);
u64 daxpin_stats_reset_ns(void);

/* daxpin_gp.c: grace-period statistics and benchmark. */
struct daxpin_gp_stats {
	u32 primitive;
	u32 context;
	u64 count;
	u64 total_ns;
	u64 max_ns;
	u64 missed;		/* calls of the primitive not timed */
	u64 hist[DAXPIN_HIST_BUCKETS];
};

struct daxpin_bench_result {
	u32 primitive;
	u32 iterations;
	u64 min_ns;
	u64 median_ns;
	u64 max_ns;
};

/* Largest request accepted; each primitive runs at most 100 (20 expedited). */
#define DAXPIN_BENCH_MAX_ITERATIONS	1000

int daxpin_gp_init(void);
void daxpin_gp_exit(void);
const char *daxpin_gp_name(u32 primitive);
int daxpin_gp_get(unsigned int idx, struct daxpin_gp_stats *out);
void daxpin_gp_reset(void);
int daxpin_gp_bench(u32 iterations, struct daxpin_bench_result *res);

/* daxpin_breaks.c: optional probe on every layout-break scan. */
int daxpin_breaks_init(void);
void daxpin_breaks_exit(void);
int daxpin_breaks_enable(bool on);
u64 daxpin_breaks_count(void);
void daxpin_breaks_hist(u64 *hist);
void daxpin_breaks_reset(void);

/* daxpin_scan.c: busy pages of one DAX file. */
struct daxpin_busy_page {
	u64 offset;
	unsigned long pfn;
	u32 refcount;
	bool dma_pinned;
	bool pmd;
};

#define DAXPIN_SCAN_MAX_PAGES	4096

struct daxpin_scan_cursor {
	pgoff_t next;		/* first file page not yet looked at */
	u64 entries;		/* DAX entries walked */
	bool done;		/* the whole file was walked */
};

unsigned int daxpin_scan_some(struct file *file, struct daxpin_scan_cursor *cur,
			      struct daxpin_busy_page *pages, unsigned int max);

/* daxpin_netlink.c: the generic netlink family. */
int daxpin_netlink_init(void);
void daxpin_netlink_exit(void);

/* daxpin_events.c: events multicast on the "events" group. */
void daxpin_events_start(void);
void daxpin_events_stop(void);
bool daxpin_event_wanted(void);
void daxpin_event_queue(u32 type, u32 outcome, bool was_idle,
			const struct daxpin_wait_info *wait);
u64 daxpin_events_sent(void);
u64 daxpin_events_dropped(void);
void daxpin_events_reset(void);

#endif /* _DAXPIN_H */
