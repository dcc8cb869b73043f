/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * libdaxpin: userspace client of the "daxpin" generic netlink family
 * (contract: include/uapi/linux/daxpin.h).
 *
 * Conventions:
 *  - every function returning int returns 0 (or a count) on success and a
 *    negative errno on failure;
 *  - -DAXPIN_ENOMODULE (-ENOPKG) means the family "daxpin" is not
 *    registered, i.e. daxpin.ko is not loaded;
 *  - when the kernel rejects a request with an extended ack message, the
 *    message is available from daxpin_errmsg() until the next request;
 *  - objects are plain C structs; variable-length results are arrays owned by
 *    the caller and released with the matching *_free() function (which also
 *    accepts a zeroed struct);
 *  - the daxpin_parse_*() and daxpin_msg_parse_*() functions do no I/O and
 *    can be fed recorded or built messages. They are strict: a malformed,
 *    truncated or wrongly sized attribute is -EBADMSG, a missing mandatory
 *    attribute is -ENODATA. Unknown attribute types are ignored (the
 *    contract only ever adds attributes).
 */
#ifndef _DAXPIN_LIB_H_
#define _DAXPIN_LIB_H_

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/daxpin.h>

#ifdef __cplusplus
extern "C" {
#endif

struct nlattr;
struct nlmsghdr;

/* -DAXPIN_ENOMODULE: family "daxpin" not found: daxpin.ko not loaded */
#define DAXPIN_ENOMODULE	ENOPKG

#define DAXPIN_COMM_LEN		16	/* TASK_COMM_LEN */
#define DAXPIN_FS_LEN		32
#define DAXPIN_NAME_LEN		64
#define DAXPIN_VERSION_LEN	64
#define DAXPIN_PATH_LEN		4096	/* PATH_MAX */
#define DAXPIN_ERRMSG_LEN	256

/*
 * Histogram: count[b] is the number of values v (microseconds) with
 * 2^b <= v < 2^(b+1); count[0] also counts v == 0.
 */
struct daxpin_hist {
	uint64_t count[DAXPIN_HIST_BUCKETS];
};

/* lower (inclusive) and upper (exclusive) bound of bucket b, in us */
uint64_t daxpin_hist_lo_us(unsigned int b);
uint64_t daxpin_hist_hi_us(unsigned int b);
uint64_t daxpin_hist_total(const struct daxpin_hist *h);

/*
 * A process mapping the busy page of a wait (DAXPIN_WAIT_ATTR_HOLDER).
 * vm_flags: DAXPIN_HOLDER_VM_*.
 */
struct daxpin_holder {
	uint32_t pid;			/* 0: not in the reader's pid namespace */
	uint32_t tgid;
	uint32_t uid;
	char comm[DAXPIN_COMM_LEN];
	uint64_t vm_start;
	uint64_t vm_end;
	uint64_t address;		/* the busy page in the mapping */
	uint32_t vm_flags;
	bool dma_pinned;		/* the page is DMA-pinned (FOLL_PIN) */
	bool mm_pinned;			/* the process has used FOLL_PIN */
};

struct daxpin_wait {
	uint64_t id;			/* mandatory */
	uint32_t pid;
	uint32_t tgid;
	char comm[DAXPIN_COMM_LEN];
	char fs[DAXPIN_FS_LEN];
	uint32_t dev_major;
	uint32_t dev_minor;
	uint64_t ino;
	char path[DAXPIN_PATH_LEN];	/* relative to the fs root */
	uint64_t offset;
	uint64_t pfn;			/* valid only with has_pfn */
	uint64_t start_ns;		/* CLOCK_BOOTTIME */
	uint64_t waited_ns;
	uint32_t rounds;
	uint32_t refcount;
	uint32_t kicks;
	bool dma_pinned;
	bool idle;
	bool stalled;
	bool page_gone;
	bool has_pfn;			/* only CAP_SYS_ADMIN readers get it */
	bool has_path;			/* unprivileged readers get none */
	bool path_truncated;		/* the module cut the path short */
	/*
	 * Holders: known when nr_holders > 0 or no_holder; otherwise the
	 * module did not say (events, an older module, a wait that ended
	 * while dumped, holders this reader may not see).
	 */
	uint32_t nr_holders;
	bool holders_truncated;		/* more than reported */
	bool no_holder;			/* no process maps the page */
	struct daxpin_holder holders[DAXPIN_HOLDERS_MAX];
	/*
	 * A record of the module's ended-wait log (daxpin_get_waits_since()),
	 * not a wait in flight: no path or page; waited_ns is final.
	 */
	bool ended;
	bool has_outcome;
	uint32_t outcome;		/* ended: enum daxpin_outcome */
	uint64_t end_seq;		/* ended: end sequence number */
	uint8_t kind;			/* enum daxpin_wait_kind; BREAK from
					 * a module that does not say */
	uint8_t folio_order;		/* of the page's folio (0: a page) */
};

/*
 * The end of a GET_WAITS dump given a cursor (daxpin_get_waits_since()):
 * seq is the cursor for the next call (every wait that ended later has a
 * higher end sequence number), lost the records above the cursor given
 * that were overwritten before the dump read them (the lowest ones: the
 * numbers cursor + 1 .. cursor + lost), last_id the highest wait id when
 * the dump began (a wait with an id up to it that is not in flight in the
 * dump has ended, with an end sequence number up to seq).
 */
struct daxpin_waits_log {
	bool present;			/* the module sent the summary */
	bool has_seq, has_lost, has_last_id;
	uint64_t seq;
	uint64_t lost;
	uint64_t last_id;
};

/* The module named the wait's holders, or said there are none. */
static inline bool daxpin_wait_holders_known(const struct daxpin_wait *w)
{
	return w->nr_holders > 0 || w->no_holder;
}

struct daxpin_waits {
	struct daxpin_wait *waits;
	size_t nr;
	size_t alloc;
};

struct daxpin_global {
	char version[DAXPIN_VERSION_LEN];
	uint32_t waits_active;
	uint32_t waits_max;
	uint64_t waits_dropped;
	uint64_t events_sent;
	uint64_t events_dropped;
	uint64_t breaks;
	uint64_t reset_ns;
	struct daxpin_hist scan_hist;
	/* in-flight summary, so a health check need not dump every wait */
	bool has_summary;		/* waits_stalled was present */
	uint32_t waits_stalled;
	uint64_t oldest_waited_ns;	/* 0: no wait in flight */
	bool has_probe_missed;
	uint64_t probe_missed;		/* probe hits the kernel skipped */
};

struct daxpin_sb_stats {
	char fs[DAXPIN_FS_LEN];
	uint32_t dev_major;		/* mandatory */
	uint32_t dev_minor;		/* mandatory */
	uint64_t started;
	uint64_t completed;
	uint64_t interrupted;
	uint64_t kicked;
	uint64_t stalled;
	uint64_t total_ns;
	uint64_t max_ns;
	struct daxpin_hist hist;
};

struct daxpin_gp_stats {
	uint32_t primitive;		/* mandatory: enum daxpin_gp_primitive */
	uint32_t context;		/* mandatory: enum daxpin_gp_context */
	char name[DAXPIN_NAME_LEN];
	uint64_t count;
	uint64_t total_ns;
	uint64_t max_ns;
	bool has_missed;		/* the module reports missed */
	uint64_t missed;		/* calls its return probe could not time */
	struct daxpin_hist hist;
};

struct daxpin_stats {
	bool has_global;
	struct daxpin_global global;
	struct daxpin_sb_stats *sb;
	size_t nr_sb;
	size_t alloc_sb;
	struct daxpin_gp_stats *gp;
	size_t nr_gp;
	size_t alloc_gp;
};

/* bits of struct daxpin_config.mask */
enum {
	DAXPIN_CFG_MAX_WAITS	= 1 << 0,	/* read-only */
	DAXPIN_CFG_POLL_MS	= 1 << 1,
	DAXPIN_CFG_OPEN_READS	= 1 << 2,
	DAXPIN_CFG_COUNT_BREAKS	= 1 << 3,
	DAXPIN_CFG_EVENT_BURST	= 1 << 4,
	DAXPIN_CFG_RESCUE	= 1 << 5,
};

struct daxpin_config {
	unsigned int mask;	/* get: fields present; set: fields to send */
	uint32_t max_waits;
	uint32_t poll_ms;
	uint32_t event_burst;
	bool open_reads;
	bool count_breaks;
	bool rescue;		/* wake waiters on idle pages at once */
};

struct daxpin_scan_page {
	uint64_t offset;
	uint64_t pfn;			/* valid only with has_pfn */
	uint32_t refcount;
	bool dma_pinned;
	bool pmd;
	bool has_pfn;
};

struct daxpin_scan {
	struct daxpin_scan_page *pages;
	size_t nr;
	size_t alloc;
	bool truncated;		/* more busy pages than reported */
	uint64_t entries;	/* DAX entries walked */
};

struct daxpin_bench_result {
	uint32_t primitive;	/* mandatory */
	char name[DAXPIN_NAME_LEN];
	uint32_t iterations;
	uint64_t min_ns;
	uint64_t median_ns;
	uint64_t max_ns;
};

struct daxpin_bench {
	struct daxpin_bench_result *results;
	size_t nr;
	size_t alloc;
};

/*
 * DAXPIN_EVENT_OVERRUN (include/uapi/linux/daxpin.h): events were lost;
 * resynchronise by dumping the waits.  Sent by daxpin.ko when it dropped
 * events (has_dropped, dropped: the module's count so far), or made up by
 * daxpin_events_read() when the socket overflowed (ENOBUFS).
 */

struct daxpin_event {
	uint32_t type;		/* enum daxpin_event_type */
	uint64_t time_ns;	/* CLOCK_BOOTTIME */
	bool has_wait;
	bool has_outcome;
	bool has_was_idle;
	bool was_idle;		/* KICKED */
	bool rescued;		/* KICKED by daxpin.ko itself (rescue) */
	uint32_t outcome;	/* WAIT_END: enum daxpin_outcome */
	struct daxpin_wait wait;
	bool has_dropped;
	uint64_t dropped;	/* OVERRUN from the module: dropped so far */
	bool has_end_seq;
	uint64_t end_seq;	/* WAIT_END: its number in the ended-wait log */
};

/* names; never NULL ("unknown" for out of range values) */
const char *daxpin_event_type_name(uint32_t type);	/* "wait_start", ... */
const char *daxpin_outcome_name(uint32_t outcome);	/* "completed", ... */
const char *daxpin_wait_kind_name(uint32_t kind);	/* "break", "final" */
const char *daxpin_gp_primitive_name(uint32_t primitive);
const char *daxpin_gp_context_name(uint32_t context);	/* "kill_dax"; "layout_break" is retired */

/* ---- connection ---------------------------------------------------- */

struct daxpin_ctx;

/* -DAXPIN_ENOMODULE when the family is not registered */
int daxpin_open(struct daxpin_ctx **ctx);
void daxpin_close(struct daxpin_ctx *ctx);
/* extended ack message of the last failed request, "" when none */
const char *daxpin_errmsg(const struct daxpin_ctx *ctx);
/* family version reported by the generic netlink controller */
unsigned int daxpin_family_version(const struct daxpin_ctx *ctx);
/* strerror()-like, knows DAXPIN_ENOMODULE; err may be negative or positive */
const char *daxpin_strerror(int err);

/* ---- commands ------------------------------------------------------ */

int daxpin_get_waits(struct daxpin_ctx *ctx, struct daxpin_waits *out);
/*
 * Call fn for each wait as the dump arrives, without keeping them: fn
 * returns 0 to go on, a negative errno to fail, > 0 to stop early.  After
 * an early stop the rest of the dump is never built, and ctx answers every
 * further request with -EPIPE: close it.
 */
typedef int (*daxpin_wait_fn)(const struct daxpin_wait *w, void *arg);
int daxpin_walk_waits(struct daxpin_ctx *ctx, daxpin_wait_fn fn, void *arg);
void daxpin_waits_free(struct daxpin_waits *w);
/*
 * The waits in flight (into *out) and the module's ended-wait log records
 * with an end sequence number above @since (into *ended), then *log.  Pass
 * UINT64_MAX as @since to learn the cursor without records.  Needs
 * CAP_NET_ADMIN (-EPERM); a module without the log refuses the cursor
 * (-EINVAL) or ignores it (log->present false).
 */
int daxpin_get_waits_since(struct daxpin_ctx *ctx, uint64_t since, struct daxpin_waits *out,
			   struct daxpin_waits *ended, struct daxpin_waits_log *log);

int daxpin_get_stats(struct daxpin_ctx *ctx, struct daxpin_stats *out);
void daxpin_stats_free(struct daxpin_stats *s);

int daxpin_reset_stats(struct daxpin_ctx *ctx);

int daxpin_get_config(struct daxpin_ctx *ctx, struct daxpin_config *out);
/* sends only the fields in cfg->mask (DAXPIN_CFG_MAX_WAITS is never sent) */
int daxpin_set_config(struct daxpin_ctx *ctx, const struct daxpin_config *cfg);

/* -ENOENT (from the kernel) when no such wait */
int daxpin_kick(struct daxpin_ctx *ctx, uint64_t id, bool *was_idle);

/* fd: an open file on a DAX filesystem; -EOPNOTSUPP + errmsg if not DAX */
int daxpin_scan(struct daxpin_ctx *ctx, int fd, struct daxpin_scan *out);
void daxpin_scan_free(struct daxpin_scan *s);

int daxpin_bench_gp(struct daxpin_ctx *ctx, uint32_t iterations,
		    struct daxpin_bench *out);
void daxpin_bench_free(struct daxpin_bench *b);

/* ---- events -------------------------------------------------------- */

/*
 * Join the "events" multicast group on a dedicated non-blocking socket.
 * Returns the pollable fd (POLLIN) or a negative errno. Idempotent.
 */
int daxpin_events_subscribe(struct daxpin_ctx *ctx);
/* the fd returned by daxpin_events_subscribe(), -1 before */
int daxpin_events_fd(const struct daxpin_ctx *ctx);

/* return non-zero from the callback to stop; that value is returned */
typedef int (*daxpin_event_cb)(const struct daxpin_event *ev, void *arg);

/*
 * Read and parse every pending event without blocking, calling cb for each.
 * An ENOBUFS from the socket is reported as one DAXPIN_EVENT_OVERRUN event.
 * Malformed messages are skipped and counted in *nr_bad (may be NULL).
 * Returns the number of events delivered or a negative errno.
 */
int daxpin_events_read(struct daxpin_ctx *ctx, daxpin_event_cb cb, void *arg,
		       unsigned int *nr_bad);

/* ---- pure parsers (no I/O) ----------------------------------------- */

int daxpin_parse_hist(const struct nlattr *nest, struct daxpin_hist *h);
int daxpin_parse_wait(const struct nlattr *nest, struct daxpin_wait *w);
int daxpin_parse_global(const struct nlattr *nest, struct daxpin_global *g);
int daxpin_parse_sb(const struct nlattr *nest, struct daxpin_sb_stats *sb);
int daxpin_parse_gp(const struct nlattr *nest, struct daxpin_gp_stats *gp);
int daxpin_parse_config(const struct nlattr *nest, struct daxpin_config *c);
int daxpin_parse_scan_page(const struct nlattr *nest,
			   struct daxpin_scan_page *p);
int daxpin_parse_bench_result(const struct nlattr *nest,
			      struct daxpin_bench_result *r);
int daxpin_parse_event(const struct nlattr *nest, struct daxpin_event *ev);

/*
 * Whole generic netlink messages (struct nlmsghdr followed by the genl
 * header and attributes; use nlmsg_hdr() on a struct nl_msg). The list
 * variants append to *acc so a multi-part dump is fed message by message.
 */
int daxpin_msg_parse_waits(const struct nlmsghdr *nlh, struct daxpin_waits *acc);
/* the summary of a dump with a cursor, if this message carries it */
int daxpin_msg_parse_waits_log(const struct nlmsghdr *nlh, struct daxpin_waits_log *log);
int daxpin_msg_parse_stats(const struct nlmsghdr *nlh, struct daxpin_stats *acc);
int daxpin_msg_parse_config(const struct nlmsghdr *nlh, struct daxpin_config *c);
int daxpin_msg_parse_kick(const struct nlmsghdr *nlh, bool *was_idle);
int daxpin_msg_parse_scan(const struct nlmsghdr *nlh, struct daxpin_scan *acc);
int daxpin_msg_parse_bench(const struct nlmsghdr *nlh, struct daxpin_bench *acc);
int daxpin_msg_parse_event(const struct nlmsghdr *nlh, struct daxpin_event *ev);
/*
 * NLMSG_ERROR or NLMSG_DONE message: returns the (negative or 0) error it
 * carries and copies an extended ack message (NLMSGERR_ATTR_MSG) into msg
 * ("" when none). -EBADMSG when the message itself is malformed.
 */
int daxpin_parse_nlmsgerr(const struct nlmsghdr *nlh, char *msg, size_t len);

/* ---- mount table (lib/mountinfo.c) --------------------------------- */

struct daxpin_mount {
	unsigned int major;
	unsigned int minor;
	char *root;		/* root of the mount within the filesystem */
	char *mnt_point;
	char *fstype;
	char *source;
	char *mnt_opts;		/* per-mount options */
	char *super_opts;	/* per-superblock options ("dax=always", ...) */
};

struct daxpin_mounts {
	struct daxpin_mount *mounts;
	size_t nr;
	size_t alloc;
};

/* path NULL: /proc/self/mountinfo */
int daxpin_mounts_load(struct daxpin_mounts *out, const char *path);
int daxpin_mounts_parse(FILE *f, struct daxpin_mounts *out);
void daxpin_mounts_free(struct daxpin_mounts *m);

/*
 * Best mount of device major:minor through which relpath (relative to the
 * fs root, with or without a leading '/') is visible: the one whose root is
 * the longest prefix of relpath, shortest mount point on ties. relpath NULL
 * matches any root. NULL when none.
 */
const struct daxpin_mount *daxpin_mounts_find(const struct daxpin_mounts *m,
		unsigned int major, unsigned int minor, const char *relpath);
/*
 * Absolute path of relpath: 0 and buf filled when a mount is known,
 * -ENOENT when not (buf untouched), -ENAMETOOLONG when buf is too small.
 */
int daxpin_mounts_abspath(const struct daxpin_mounts *m, unsigned int major,
		unsigned int minor, const char *relpath, char *buf, size_t len);
/*
 * DAX mode of a mount from its options: "always", "inode", "never" or
 * NULL when the mount has no dax option (ext4/xfs "dax" means "always").
 */
const char *daxpin_mount_dax_mode(const struct daxpin_mount *mnt);

#ifdef __cplusplus
}
#endif

#endif /* _DAXPIN_LIB_H_ */
