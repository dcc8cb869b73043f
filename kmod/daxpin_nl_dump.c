// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: the GET_WAITS and GET_STATS dumps and the attribute writers of
 * the objects they carry (also used by events).
 *
 * A dump is built only as userspace reads it, in the reader's context;
 * cb->args keeps the cursor and, decided once at the start from the
 * sender's credentials, what the reader may see.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/kdev_t.h>
#include <linux/sched/task.h>
#include "daxpin_nl.h"

/*
 * The state of a GET_WAITS dump, in cb->ctx.  With a cursor (privileged
 * readers only) the waits in flight come first, then the ended-wait log
 * from the cursor on, then the summary: a wait that ends while the table
 * is walked, after its slot was passed, is then found in the log, and the
 * summary's ENDED_SEQ covers every record dumped.
 */
enum daxpin_waits_stage {
	DAXPIN_WAITS_TABLE,
	DAXPIN_WAITS_ENDED,
	DAXPIN_WAITS_SUMMARY,
	DAXPIN_WAITS_DONE,
};

struct daxpin_waits_dump {
	u32 slot;		/* next table slot to look at */
	u8 stage;		/* enum daxpin_waits_stage */
	bool privileged;
	bool see_pfn;
	bool log;		/* a cursor was given */
	u64 next_seq;		/* next ended record to dump */
	u64 lost;		/* records overwritten above the cursor */
	u64 last_id;		/* highest wait id when the dump began */
};

static struct daxpin_waits_dump *daxpin_waits_dump(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct daxpin_waits_dump) > sizeof(cb->ctx));
	return (struct daxpin_waits_dump *)cb->ctx;
}

int daxpin_put_hist(struct sk_buff *skb, int attr, const u64 *hist)
{
	struct nlattr *nest = nla_nest_start(skb, attr);
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < DAXPIN_HIST_BUCKETS; i++) {
		if (hist[i] && nla_put_u64_64bit(skb, i + 1, hist[i], 0)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int daxpin_put_wait_private(struct sk_buff *skb,
				   const struct daxpin_wait_info *w,
				   const struct daxpin_reader *r)
{
	if (r->see_pfn &&
	    nla_put_u64_64bit(skb, DAXPIN_WAIT_ATTR_PFN, w->pfn,
			      DAXPIN_WAIT_ATTR_PAD))
		return -EMSGSIZE;
	if (!r->privileged)
		return 0;
	if (nla_put_string(skb, DAXPIN_WAIT_ATTR_PATH, w->path) ||
	    (w->path_truncated &&
	     nla_put_flag(skb, DAXPIN_WAIT_ATTR_PATH_TRUNCATED)))
		return -EMSGSIZE;
	return 0;
}

/* The kind of break (interruptible or final) and the page's folio order. */
static int daxpin_put_wait_kind(struct sk_buff *skb,
				const struct daxpin_wait_info *w)
{
	if (nla_put_u8(skb, DAXPIN_WAIT_ATTR_KIND, w->kind) ||
	    nla_put_u8(skb, DAXPIN_WAIT_ATTR_FOLIO_ORDER, w->order))
		return -EMSGSIZE;
	return 0;
}

int daxpin_put_wait(struct sk_buff *skb, int attr,
		    const struct daxpin_wait_info *w,
		    const struct daxpin_reader *r)
{
	u64 end = w->end_ns ?: ktime_get_boottime_ns();
	struct nlattr *nest = nla_nest_start(skb, attr);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, DAXPIN_WAIT_ATTR_ID, w->id,
			      DAXPIN_WAIT_ATTR_PAD) ||
	    nla_put_u32(skb, DAXPIN_WAIT_ATTR_PID, w->pid) ||
	    nla_put_u32(skb, DAXPIN_WAIT_ATTR_TGID, w->tgid) ||
	    nla_put_string(skb, DAXPIN_WAIT_ATTR_COMM, w->comm) ||
	    nla_put_string(skb, DAXPIN_WAIT_ATTR_FS, w->fs) ||
	    nla_put_u32(skb, DAXPIN_WAIT_ATTR_DEV_MAJOR, MAJOR(w->dev)) ||
	    nla_put_u32(skb, DAXPIN_WAIT_ATTR_DEV_MINOR, MINOR(w->dev)) ||
	    nla_put_u64_64bit(skb, DAXPIN_WAIT_ATTR_INO, w->ino,
			      DAXPIN_WAIT_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_WAIT_ATTR_OFFSET, w->offset,
			      DAXPIN_WAIT_ATTR_PAD) ||
	    daxpin_put_wait_private(skb, w, r) ||
	    nla_put_u64_64bit(skb, DAXPIN_WAIT_ATTR_START_NS, w->start_ns,
			      DAXPIN_WAIT_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_WAIT_ATTR_WAITED_NS,
			      end - w->start_ns, DAXPIN_WAIT_ATTR_PAD) ||
	    nla_put_u32(skb, DAXPIN_WAIT_ATTR_ROUNDS, w->rounds) ||
	    nla_put_u32(skb, DAXPIN_WAIT_ATTR_REFCOUNT, w->refcount) ||
	    nla_put_u8(skb, DAXPIN_WAIT_ATTR_DMA_PINNED, w->dma_pinned) ||
	    nla_put_u8(skb, DAXPIN_WAIT_ATTR_IDLE, w->idle) ||
	    nla_put_u8(skb, DAXPIN_WAIT_ATTR_STALLED, w->stalled) ||
	    nla_put_u32(skb, DAXPIN_WAIT_ATTR_KICKS, w->kicks) ||
	    daxpin_holders_put(skb, w->holders) ||
	    daxpin_put_wait_kind(skb, w) ||
	    (w->page_gone && nla_put_flag(skb, DAXPIN_WAIT_ATTR_PAGE_GONE))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * A record of the ended-wait log, as a wait nest marked ENDED: no path, no
 * page, and the pids of the initial namespace (only privileged readers of
 * the log get records; events name those pids too).
 */
int daxpin_put_ended(struct sk_buff *skb, int attr,
		     const struct daxpin_ended *e)
{
	struct nlattr *nest = nla_nest_start(skb, attr);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, DAXPIN_WAIT_ATTR_ID, e->id,
			      DAXPIN_WAIT_ATTR_PAD) ||
	    nla_put_flag(skb, DAXPIN_WAIT_ATTR_ENDED) ||
	    nla_put_u64_64bit(skb, DAXPIN_WAIT_ATTR_END_SEQ, e->seq,
			      DAXPIN_WAIT_ATTR_PAD) ||
	    nla_put_u32(skb, DAXPIN_WAIT_ATTR_OUTCOME, e->outcome) ||
	    nla_put_u32(skb, DAXPIN_WAIT_ATTR_PID, e->pid) ||
	    nla_put_u32(skb, DAXPIN_WAIT_ATTR_TGID, e->tgid) ||
	    nla_put_string(skb, DAXPIN_WAIT_ATTR_COMM, e->comm) ||
	    nla_put_string(skb, DAXPIN_WAIT_ATTR_FS, e->fs) ||
	    nla_put_u32(skb, DAXPIN_WAIT_ATTR_DEV_MAJOR, MAJOR(e->dev)) ||
	    nla_put_u32(skb, DAXPIN_WAIT_ATTR_DEV_MINOR, MINOR(e->dev)) ||
	    nla_put_u64_64bit(skb, DAXPIN_WAIT_ATTR_INO, e->ino,
			      DAXPIN_WAIT_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_WAIT_ATTR_OFFSET, e->offset,
			      DAXPIN_WAIT_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_WAIT_ATTR_START_NS, e->start_ns,
			      DAXPIN_WAIT_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_WAIT_ATTR_WAITED_NS,
			      e->end_ns - e->start_ns, DAXPIN_WAIT_ATTR_PAD) ||
	    nla_put_u32(skb, DAXPIN_WAIT_ATTR_ROUNDS, e->rounds) ||
	    nla_put_u8(skb, DAXPIN_WAIT_ATTR_STALLED, e->stalled) ||
	    nla_put_u32(skb, DAXPIN_WAIT_ATTR_KICKS, e->kicks)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int daxpin_read_denied(struct netlink_callback *cb)
{
	NL_SET_ERR_MSG(cb->extack,
		       "daxpin reads need CAP_NET_ADMIN (or the module parameter open_reads=1)");
	return -EPERM;
}

static void *daxpin_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb,
			     u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &daxpin_family, NLM_F_MULTI, cmd);
}

static const struct nlattr *daxpin_waits_since_attr(struct netlink_callback *cb)
{
#ifdef DAXPIN_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs[DAXPIN_ATTR_ENDED_SINCE];
#else
	return genl_dumpit_info(cb)->attrs[DAXPIN_ATTR_ENDED_SINCE];
#endif
}

int daxpin_nl_waits_start(struct netlink_callback *cb)
{
	struct daxpin_waits_dump *d = daxpin_waits_dump(cb);
	const struct nlattr *since = daxpin_waits_since_attr(cb);
	struct daxpin_reader r;
	u64 cursor, newest;

	if (!daxpin_may_read(cb->skb))
		return daxpin_read_denied(cb);
	daxpin_reader_init(&r, cb->skb);
	memset(d, 0, sizeof(*d));
	d->stage = DAXPIN_WAITS_TABLE;
	d->privileged = r.privileged;
	d->see_pfn = r.see_pfn;
	if (!since)
		return 0;
	/*
	 * Records keep no credentials of the task that waited: they are for
	 * administrators only, whatever open_reads says.
	 */
	if (!r.privileged) {
		NL_SET_ERR_MSG_ATTR(cb->extack, since,
				    "the ended-wait log needs CAP_NET_ADMIN");
		return -EPERM;
	}
	/* First, so that every wait up to it is either in the table or ended. */
	d->last_id = daxpin_waits_last_id();
	cursor = nla_get_u64(since);
	newest = daxpin_ended_newest();
	d->next_seq = min(cursor, newest) + 1;
	d->log = true;
	return 0;
}

/* One message; -EMSGSIZE when it did not fit (nothing is left of it). */
static int daxpin_waits_put_one(struct sk_buff *skb,
				struct netlink_callback *cb,
				const struct daxpin_wait_info *w,
				const struct daxpin_ended *e,
				const struct daxpin_reader *r)
{
	void *hdr = daxpin_dump_hdr(skb, cb, DAXPIN_CMD_GET_WAITS);
	int ret;

	if (!hdr)
		return -EMSGSIZE;
	ret = w ? daxpin_put_wait(skb, DAXPIN_ATTR_WAIT, w, r) :
		  daxpin_put_ended(skb, DAXPIN_ATTR_WAIT, e);
	if (ret) {
		genlmsg_cancel(skb, hdr);
		return ret;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* The waits in flight, one a message; a wait the reader may not see is skipped. */
static int daxpin_waits_fill(struct sk_buff *skb, struct netlink_callback *cb,
			     struct daxpin_wait_info *w,
			     struct daxpin_holders *hs,
			     const struct daxpin_reader *r)
{
	struct daxpin_waits_dump *d = daxpin_waits_dump(cb);
	unsigned int slot = d->slot;
	struct task_struct *task;
	bool visible;
	int ret;

	while (!daxpin_wait_get(&slot, w, &task)) {
		visible = daxpin_reader_view(r, task, w);
		if (visible)
			daxpin_holders_find(hs, w, task, r);
		put_task_struct(task);
		if (visible) {
			ret = daxpin_waits_put_one(skb, cb, w, NULL, r);
			if (ret)
				return ret;
		}
		d->slot = slot;
	}
	d->stage = d->log ? DAXPIN_WAITS_ENDED : DAXPIN_WAITS_DONE;
	return 0;
}

/* The ended-wait log from the cursor on, one record a message. */
static int daxpin_waits_fill_ended(struct sk_buff *skb,
				   struct netlink_callback *cb,
				   struct daxpin_ended *e)
{
	struct daxpin_waits_dump *d = daxpin_waits_dump(cb);
	u64 next = d->next_seq;
	int ret;

	while (!daxpin_ended_get(&next, &d->lost, e)) {
		ret = daxpin_waits_put_one(skb, cb, NULL, e, NULL);
		if (ret) {
			/* From this record again; skipped ones are counted. */
			d->next_seq = next - 1;
			return ret;
		}
		d->next_seq = next;
	}
	d->next_seq = next;
	d->stage = DAXPIN_WAITS_SUMMARY;
	return 0;
}

static int daxpin_waits_fill_summary(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	struct daxpin_waits_dump *d = daxpin_waits_dump(cb);
	void *hdr = daxpin_dump_hdr(skb, cb, DAXPIN_CMD_GET_WAITS);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, DAXPIN_ATTR_ENDED_SEQ, d->next_seq - 1,
			      DAXPIN_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_ATTR_ENDED_LOST, d->lost,
			      DAXPIN_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_ATTR_LAST_ID, d->last_id,
			      DAXPIN_ATTR_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	d->stage = DAXPIN_WAITS_DONE;
	return 0;
}

/* Each stage resumes where the last read stopped. */
static int daxpin_waits_fill_stage(struct sk_buff *skb,
				   struct netlink_callback *cb, void *buf,
				   struct daxpin_holders *hs)
{
	struct daxpin_waits_dump *d = daxpin_waits_dump(cb);
	struct daxpin_reader r = {
		.privileged	= d->privileged,
		.see_pfn	= d->see_pfn,
	};

	switch (d->stage) {
	case DAXPIN_WAITS_TABLE:
		return daxpin_waits_fill(skb, cb, buf, hs, &r);
	case DAXPIN_WAITS_ENDED:
		return daxpin_waits_fill_ended(skb, cb, buf);
	default:
		return daxpin_waits_fill_summary(skb, cb);
	}
}

int daxpin_nl_waits_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct daxpin_waits_dump *d = daxpin_waits_dump(cb);
	struct daxpin_holders *hs;
	void *buf;
	int ret = -ENOMEM;

	/* A wait's copy holds its path: too big for the stack of a dump. */
	buf = kmalloc(max(sizeof(struct daxpin_wait_info),
			  sizeof(struct daxpin_ended)), GFP_KERNEL);
	hs = kmalloc(sizeof(*hs), GFP_KERNEL);
	if (!buf || !hs)
		goto out;
	ret = 0;
	while (d->stage != DAXPIN_WAITS_DONE) {
		ret = daxpin_waits_fill_stage(skb, cb, buf, hs);
		if (ret)
			break;
	}
	/* An object too big for an empty message would end the dump silently. */
	if (!ret || skb->len)
		ret = skb->len;
out:
	kfree(hs);
	kfree(buf);
	return ret;
}

static int daxpin_put_global(struct sk_buff *skb)
{
	struct nlattr *nest = nla_nest_start(skb, DAXPIN_ATTR_GLOBAL);
	u64 hist[DAXPIN_HIST_BUCKETS];
	unsigned int active, stalled;
	u64 oldest_ns;

	if (!nest)
		return -EMSGSIZE;
	daxpin_breaks_hist(hist);
	/* One consistent view: active, stalled and oldest from one pass. */
	active = daxpin_waits_summary(&stalled, &oldest_ns);
	if (nla_put_string(skb, DAXPIN_GLOBAL_ATTR_VERSION, DAXPIN_VERSION) ||
	    nla_put_u32(skb, DAXPIN_GLOBAL_ATTR_WAITS_ACTIVE, active) ||
	    nla_put_u32(skb, DAXPIN_GLOBAL_ATTR_WAITS_STALLED, stalled) ||
	    (oldest_ns &&
	     nla_put_u64_64bit(skb, DAXPIN_GLOBAL_ATTR_OLDEST_WAITED_NS,
			       ktime_get_boottime_ns() - oldest_ns,
			       DAXPIN_GLOBAL_ATTR_PAD)) ||
	    nla_put_u32(skb, DAXPIN_GLOBAL_ATTR_WAITS_MAX, daxpin_max_waits) ||
	    nla_put_u64_64bit(skb, DAXPIN_GLOBAL_ATTR_WAITS_DROPPED,
			      daxpin_waits_dropped(), DAXPIN_GLOBAL_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_GLOBAL_ATTR_EVENTS_SENT,
			      daxpin_events_sent(), DAXPIN_GLOBAL_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_GLOBAL_ATTR_EVENTS_DROPPED,
			      daxpin_events_dropped(), DAXPIN_GLOBAL_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_GLOBAL_ATTR_BREAKS,
			      daxpin_breaks_count(), DAXPIN_GLOBAL_ATTR_PAD) ||
	    daxpin_put_hist(skb, DAXPIN_GLOBAL_ATTR_SCAN_HIST, hist) ||
	    nla_put_u64_64bit(skb, DAXPIN_GLOBAL_ATTR_RESET_NS,
			      daxpin_stats_reset_ns(), DAXPIN_GLOBAL_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_GLOBAL_ATTR_PROBE_MISSED,
			      daxpin_probe_missed(), DAXPIN_GLOBAL_ATTR_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int daxpin_put_sb(struct sk_buff *skb, const struct daxpin_sb_stats *s)
{
	struct nlattr *nest = nla_nest_start(skb, DAXPIN_ATTR_SB);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, DAXPIN_SB_ATTR_FS, s->fs) ||
	    nla_put_u32(skb, DAXPIN_SB_ATTR_DEV_MAJOR, MAJOR(s->dev)) ||
	    nla_put_u32(skb, DAXPIN_SB_ATTR_DEV_MINOR, MINOR(s->dev)) ||
	    nla_put_u64_64bit(skb, DAXPIN_SB_ATTR_STARTED, s->started,
			      DAXPIN_SB_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_SB_ATTR_COMPLETED, s->completed,
			      DAXPIN_SB_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_SB_ATTR_INTERRUPTED, s->interrupted,
			      DAXPIN_SB_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_SB_ATTR_KICKED, s->kicked,
			      DAXPIN_SB_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_SB_ATTR_STALLED, s->stalled,
			      DAXPIN_SB_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_SB_ATTR_TOTAL_NS, s->total_ns,
			      DAXPIN_SB_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_SB_ATTR_MAX_NS, s->max_ns,
			      DAXPIN_SB_ATTR_PAD) ||
	    daxpin_put_hist(skb, DAXPIN_SB_ATTR_HIST, s->hist)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int daxpin_put_gp(struct sk_buff *skb, const struct daxpin_gp_stats *s)
{
	struct nlattr *nest = nla_nest_start(skb, DAXPIN_ATTR_GP);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, DAXPIN_GP_ATTR_PRIMITIVE, s->primitive) ||
	    nla_put_u32(skb, DAXPIN_GP_ATTR_CONTEXT, s->context) ||
	    nla_put_string(skb, DAXPIN_GP_ATTR_NAME,
			   daxpin_gp_name(s->primitive)) ||
	    nla_put_u64_64bit(skb, DAXPIN_GP_ATTR_COUNT, s->count,
			      DAXPIN_GP_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_GP_ATTR_TOTAL_NS, s->total_ns,
			      DAXPIN_GP_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_GP_ATTR_MAX_NS, s->max_ns,
			      DAXPIN_GP_ATTR_PAD) ||
	    daxpin_put_hist(skb, DAXPIN_GP_ATTR_HIST, s->hist) ||
	    nla_put_u64_64bit(skb, DAXPIN_GP_ATTR_MISSED, s->missed,
			      DAXPIN_GP_ATTR_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

enum { DAXPIN_STATS_GLOBAL, DAXPIN_STATS_SB, DAXPIN_STATS_GP, DAXPIN_STATS_DONE };

/*
 * One object per message.  cb->args[0] is the stage, cb->args[1] the index
 * inside it: a dump split over several reads resumes where it stopped.
 */
static int daxpin_stats_fill_one(struct sk_buff *skb, long stage,
				 unsigned int idx)
{
	struct daxpin_sb_stats *sb;
	struct daxpin_gp_stats *gp;
	int ret;

	if (stage == DAXPIN_STATS_GLOBAL)
		return daxpin_put_global(skb);

	/* Each holds a histogram: too big for the stack of a dump. */
	if (stage == DAXPIN_STATS_SB) {
		sb = kmalloc(sizeof(*sb), GFP_KERNEL);
		if (!sb)
			return -ENOMEM;
		ret = daxpin_stats_get_sb(idx, sb);
		if (!ret)
			ret = daxpin_put_sb(skb, sb);
		kfree(sb);
		return ret;
	}
	gp = kmalloc(sizeof(*gp), GFP_KERNEL);
	if (!gp)
		return -ENOMEM;
	ret = daxpin_gp_get(idx, gp);
	if (!ret)
		ret = daxpin_put_gp(skb, gp);
	kfree(gp);
	return ret;
}

int daxpin_nl_stats_start(struct netlink_callback *cb)
{
	if (!daxpin_may_read(cb->skb))
		return daxpin_read_denied(cb);
	cb->args[0] = DAXPIN_STATS_GLOBAL;
	cb->args[1] = 0;
	return 0;
}

int daxpin_nl_stats_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	void *hdr;
	int ret;

	while (cb->args[0] < DAXPIN_STATS_DONE) {
		hdr = daxpin_dump_hdr(skb, cb, DAXPIN_CMD_GET_STATS);
		if (!hdr)
			break;
		ret = daxpin_stats_fill_one(skb, cb->args[0], cb->args[1]);
		if (ret == -ENOENT) {
			genlmsg_cancel(skb, hdr);
			cb->args[0]++;
			cb->args[1] = 0;
			continue;
		}
		if (ret) {
			genlmsg_cancel(skb, hdr);
			if (ret != -EMSGSIZE || !skb->len)
				return ret;
			break;
		}
		genlmsg_end(skb, hdr);
		if (cb->args[0] == DAXPIN_STATS_GLOBAL)
			cb->args[0]++;
		else
			cb->args[1]++;
	}
	return skb->len;
}
