// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: the "daxpin" generic netlink family.
 *
 * Dumps and queries are for administrators unless open_reads is set; every
 * command that changes state or costs machine time (kick, reset, set config,
 * the grace-period benchmark) needs CAP_NET_ADMIN through GENL_ADMIN_PERM.
 * Events are queued from any context into a small ring and multicast from a
 * work item, so the probe never allocates a socket buffer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/workqueue.h>
#include <linux/kdev_t.h>
#include <net/genetlink.h>
#include "daxpin.h"
#include "daxpin_compat.h"

#define DAXPIN_EVENT_RING	64
#define DAXPIN_BENCH_DEFAULT	20

static struct genl_family daxpin_family;

/* Event ring, rate limit and counters. */
static struct daxpin_event daxpin_ring[DAXPIN_EVENT_RING];
static unsigned int daxpin_ring_head, daxpin_ring_len;
static unsigned long daxpin_rate_window;
static unsigned int daxpin_rate_used;
static u64 daxpin_ev_sent, daxpin_ev_dropped;
static DEFINE_SPINLOCK(daxpin_ring_lock);
static struct daxpin_event daxpin_ev_sending;	/* only the work item uses it */
static void daxpin_event_work_fn(struct work_struct *work);
static DECLARE_WORK(daxpin_event_work, daxpin_event_work_fn);
static bool daxpin_family_registered;

static bool daxpin_may_read(const struct sk_buff *skb)
{
	return READ_ONCE(daxpin_open_reads) ||
	       netlink_capable(skb, CAP_NET_ADMIN);
}

static int daxpin_put_hist(struct sk_buff *skb, int attr, const u64 *hist)
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

static int daxpin_put_wait(struct sk_buff *skb, int attr,
			   const struct daxpin_wait_info *w)
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
	    nla_put_string(skb, DAXPIN_WAIT_ATTR_PATH, w->path) ||
	    nla_put_u64_64bit(skb, DAXPIN_WAIT_ATTR_OFFSET, w->offset,
			      DAXPIN_WAIT_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_WAIT_ATTR_PFN, w->pfn,
			      DAXPIN_WAIT_ATTR_PAD) ||
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
	    (w->page_gone && nla_put_flag(skb, DAXPIN_WAIT_ATTR_PAGE_GONE))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* ---- events ---- */

bool daxpin_event_wanted(void)
{
	return daxpin_family_registered &&
	       genl_has_listeners(&daxpin_family, &init_net, 0);
}

/* Token window of one second; event_burst == 0 turns events off. */
static bool daxpin_rate_ok_locked(void)
{
	unsigned int burst = READ_ONCE(daxpin_event_burst);

	if (time_after(jiffies, daxpin_rate_window + HZ)) {
		daxpin_rate_window = jiffies;
		daxpin_rate_used = 0;
	}
	if (daxpin_rate_used >= burst)
		return false;
	daxpin_rate_used++;
	return true;
}

void daxpin_event_queue(u32 type, u32 outcome, bool was_idle,
			const struct daxpin_wait_info *wait)
{
	struct daxpin_event *ev;
	unsigned long flags;

	spin_lock_irqsave(&daxpin_ring_lock, flags);
	if (!daxpin_rate_ok_locked() || daxpin_ring_len == DAXPIN_EVENT_RING) {
		daxpin_ev_dropped++;
		goto unlock;
	}
	ev = &daxpin_ring[(daxpin_ring_head + daxpin_ring_len++) %
			  DAXPIN_EVENT_RING];
	ev->type = type;
	ev->outcome = outcome;
	ev->was_idle = was_idle;
	ev->time_ns = ktime_get_boottime_ns();
	ev->wait = *wait;
	schedule_work(&daxpin_event_work);
unlock:
	spin_unlock_irqrestore(&daxpin_ring_lock, flags);
}

static bool daxpin_event_pop(struct daxpin_event *ev)
{
	bool ret = false;

	spin_lock_irq(&daxpin_ring_lock);
	if (daxpin_ring_len) {
		*ev = daxpin_ring[daxpin_ring_head];
		daxpin_ring_head = (daxpin_ring_head + 1) % DAXPIN_EVENT_RING;
		daxpin_ring_len--;
		ret = true;
	}
	spin_unlock_irq(&daxpin_ring_lock);
	return ret;
}

static int daxpin_event_send(const struct daxpin_event *ev)
{
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, 0, &daxpin_family, 0, DAXPIN_CMD_EVENT);
	if (!hdr)
		goto nospace;
	nest = nla_nest_start(skb, DAXPIN_ATTR_EVENT);
	if (!nest ||
	    nla_put_u32(skb, DAXPIN_EVENT_ATTR_TYPE, ev->type) ||
	    nla_put_u64_64bit(skb, DAXPIN_EVENT_ATTR_TIME_NS, ev->time_ns,
			      DAXPIN_EVENT_ATTR_PAD) ||
	    daxpin_put_wait(skb, DAXPIN_EVENT_ATTR_WAIT, &ev->wait) ||
	    (ev->type == DAXPIN_EVENT_WAIT_END &&
	     nla_put_u32(skb, DAXPIN_EVENT_ATTR_OUTCOME, ev->outcome)) ||
	    (ev->type == DAXPIN_EVENT_KICKED &&
	     nla_put_u8(skb, DAXPIN_EVENT_ATTR_WAS_IDLE, ev->was_idle)))
		goto nospace;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return genlmsg_multicast(&daxpin_family, skb, 0, 0, GFP_KERNEL);

nospace:
	nlmsg_free(skb);
	return -EMSGSIZE;
}

static void daxpin_event_work_fn(struct work_struct *work)
{
	struct daxpin_event *ev = &daxpin_ev_sending;
	int ret;

	while (daxpin_event_pop(ev)) {
		/* The state of the page now, not when the event was queued. */
		if (ev->type != DAXPIN_EVENT_KICKED)
			daxpin_page_state(&ev->wait);
		ret = daxpin_event_send(ev);
		spin_lock_irq(&daxpin_ring_lock);
		if (ret && ret != -ESRCH)
			daxpin_ev_dropped++;
		else if (!ret)
			daxpin_ev_sent++;
		spin_unlock_irq(&daxpin_ring_lock);
	}
}

u64 daxpin_events_sent(void)
{
	return READ_ONCE(daxpin_ev_sent);
}

u64 daxpin_events_dropped(void)
{
	return READ_ONCE(daxpin_ev_dropped);
}

void daxpin_events_reset(void)
{
	spin_lock_irq(&daxpin_ring_lock);
	daxpin_ev_sent = 0;
	daxpin_ev_dropped = 0;
	spin_unlock_irq(&daxpin_ring_lock);
}

/* ---- dumps ---- */

static int daxpin_dump_start(struct netlink_callback *cb)
{
	if (!daxpin_may_read(cb->skb)) {
		NL_SET_ERR_MSG(cb->extack, "daxpin reads need CAP_NET_ADMIN (or the module parameter open_reads=1)");
		return -EPERM;
	}
	return 0;
}

static void *daxpin_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb,
			     u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &daxpin_family, NLM_F_MULTI, cmd);
}

static int daxpin_nl_waits_dump(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct daxpin_wait_info *w;
	unsigned int slot = cb->args[0];
	void *hdr;

	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	while (!daxpin_wait_get(&slot, w)) {
		hdr = daxpin_dump_hdr(skb, cb, DAXPIN_CMD_GET_WAITS);
		if (!hdr)
			break;
		if (daxpin_put_wait(skb, DAXPIN_ATTR_WAIT, w)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = slot;
	}
	kfree(w);
	return skb->len;
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
			      daxpin_stats_reset_ns(), DAXPIN_GLOBAL_ATTR_PAD)) {
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
	    nla_put_u64_64bit(skb, DAXPIN_GP_ATTR_MISSED, s->missed,
			      DAXPIN_GP_ATTR_PAD) ||
	    daxpin_put_hist(skb, DAXPIN_GP_ATTR_HIST, s->hist)) {
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

static int daxpin_nl_stats_dump(struct sk_buff *skb,
				struct netlink_callback *cb)
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
			if (ret != -EMSGSIZE)
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

/* ---- requests ---- */

static struct sk_buff *daxpin_reply_new(struct genl_info *info, void **hdr,
					size_t size)
{
	struct sk_buff *msg = genlmsg_new(size, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &daxpin_family, 0,
				 info->genlhdr->cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int daxpin_nl_reset_stats(struct sk_buff *skb, struct genl_info *info)
{
	daxpin_stats_reset();
	daxpin_gp_reset();
	daxpin_breaks_reset();
	daxpin_events_reset();
	return 0;
}

static int daxpin_put_config(struct sk_buff *skb)
{
	struct nlattr *nest = nla_nest_start(skb, DAXPIN_ATTR_CONFIG);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, DAXPIN_CONFIG_ATTR_MAX_WAITS, daxpin_max_waits) ||
	    nla_put_u32(skb, DAXPIN_CONFIG_ATTR_POLL_MS,
			READ_ONCE(daxpin_poll_ms)) ||
	    nla_put_u8(skb, DAXPIN_CONFIG_ATTR_OPEN_READS,
		       READ_ONCE(daxpin_open_reads)) ||
	    nla_put_u8(skb, DAXPIN_CONFIG_ATTR_COUNT_BREAKS,
		       READ_ONCE(daxpin_count_breaks)) ||
	    nla_put_u32(skb, DAXPIN_CONFIG_ATTR_EVENT_BURST,
			READ_ONCE(daxpin_event_burst))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int daxpin_nl_get_config(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	if (!daxpin_may_read(skb)) {
		GENL_SET_ERR_MSG(info, "daxpin reads need CAP_NET_ADMIN (or open_reads=1)");
		return -EPERM;
	}
	msg = daxpin_reply_new(info, &hdr, NLMSG_GOODSIZE);
	if (!msg)
		return -ENOMEM;
	if (daxpin_put_config(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static struct netlink_range_validation daxpin_burst_range = {
	.min = 0,
	.max = 100000,
};

static const struct nla_policy daxpin_config_policy[DAXPIN_CONFIG_ATTR_MAX + 1] = {
	[DAXPIN_CONFIG_ATTR_MAX_WAITS]	= { .type = NLA_REJECT },
	[DAXPIN_CONFIG_ATTR_POLL_MS]	= NLA_POLICY_RANGE(NLA_U32, 10, 10000),
	[DAXPIN_CONFIG_ATTR_OPEN_READS]	= NLA_POLICY_MAX(NLA_U8, 1),
	[DAXPIN_CONFIG_ATTR_COUNT_BREAKS] = NLA_POLICY_MAX(NLA_U8, 1),
	[DAXPIN_CONFIG_ATTR_EVENT_BURST] = NLA_POLICY_FULL_RANGE(NLA_U32, &daxpin_burst_range),
};

static int daxpin_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[DAXPIN_CONFIG_ATTR_MAX + 1];
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, DAXPIN_ATTR_CONFIG))
		return -EINVAL;
	ret = nla_parse_nested(tb, DAXPIN_CONFIG_ATTR_MAX,
			       info->attrs[DAXPIN_ATTR_CONFIG],
			       daxpin_config_policy, info->extack);
	if (ret)
		return ret;

	if (tb[DAXPIN_CONFIG_ATTR_COUNT_BREAKS]) {
		bool on = nla_get_u8(tb[DAXPIN_CONFIG_ATTR_COUNT_BREAKS]);

		ret = daxpin_breaks_enable(on);
		if (ret) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[DAXPIN_CONFIG_ATTR_COUNT_BREAKS],
					    "cannot arm the layout-break probe on this kernel");
			return ret;
		}
		WRITE_ONCE(daxpin_count_breaks, on);
	}
	if (tb[DAXPIN_CONFIG_ATTR_POLL_MS])
		WRITE_ONCE(daxpin_poll_ms,
			   nla_get_u32(tb[DAXPIN_CONFIG_ATTR_POLL_MS]));
	if (tb[DAXPIN_CONFIG_ATTR_OPEN_READS])
		WRITE_ONCE(daxpin_open_reads,
			   nla_get_u8(tb[DAXPIN_CONFIG_ATTR_OPEN_READS]));
	if (tb[DAXPIN_CONFIG_ATTR_EVENT_BURST])
		WRITE_ONCE(daxpin_event_burst,
			   nla_get_u32(tb[DAXPIN_CONFIG_ATTR_EVENT_BURST]));
	return 0;
}

static int daxpin_nl_kick(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	bool was_idle = false;
	void *hdr;
	u64 id;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, DAXPIN_ATTR_WAIT_ID))
		return -EINVAL;
	id = nla_get_u64(info->attrs[DAXPIN_ATTR_WAIT_ID]);
	ret = daxpin_wait_kick(id, &was_idle);
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[DAXPIN_ATTR_WAIT_ID],
				    "no such wait (it may have ended)");
	else if (ret == -ENXIO)
		GENL_SET_ERR_MSG(info, "the wait's page is gone (its namespace was disabled)");
	if (ret)
		return ret;

	msg = daxpin_reply_new(info, &hdr, NLMSG_GOODSIZE);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u64_64bit(msg, DAXPIN_ATTR_WAIT_ID, id, DAXPIN_ATTR_PAD) ||
	    nla_put_u8(msg, DAXPIN_ATTR_WAS_IDLE, was_idle)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int daxpin_put_busy_page(struct sk_buff *skb,
				const struct daxpin_busy_page *p)
{
	struct nlattr *nest = nla_nest_start(skb, DAXPIN_ATTR_SCAN_PAGE);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, DAXPIN_PAGE_ATTR_OFFSET, p->offset,
			      DAXPIN_PAGE_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_PAGE_ATTR_PFN, p->pfn,
			      DAXPIN_PAGE_ATTR_PAD) ||
	    nla_put_u32(skb, DAXPIN_PAGE_ATTR_REFCOUNT, p->refcount) ||
	    nla_put_u8(skb, DAXPIN_PAGE_ATTR_DMA_PINNED, p->dma_pinned) ||
	    nla_put_u8(skb, DAXPIN_PAGE_ATTR_PMD, p->pmd)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int daxpin_scan_reply(struct genl_info *info,
			     const struct daxpin_busy_page *pages,
			     unsigned int nr, bool truncated, u64 entries)
{
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;

	msg = daxpin_reply_new(info, &hdr, NLMSG_HDRLEN + GENL_HDRLEN +
			       64 + nr * 64);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u64_64bit(msg, DAXPIN_ATTR_SCAN_ENTRIES, entries,
			      DAXPIN_ATTR_PAD) ||
	    (truncated && nla_put_flag(msg, DAXPIN_ATTR_SCAN_TRUNCATED)))
		goto nospace;
	for (i = 0; i < nr; i++)
		if (daxpin_put_busy_page(msg, &pages[i]))
			goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int daxpin_nl_scan(struct sk_buff *skb, struct genl_info *info)
{
	struct daxpin_busy_page *pages;
	unsigned int nr;
	bool truncated;
	struct file *file;
	u64 entries;
	int ret;

	if (!daxpin_may_read(skb)) {
		GENL_SET_ERR_MSG(info, "daxpin reads need CAP_NET_ADMIN (or open_reads=1)");
		return -EPERM;
	}
	if (GENL_REQ_ATTR_CHECK(info, DAXPIN_ATTR_FD))
		return -EINVAL;

	/* Like taskstats' cgroupstats: the fd is the sender's, read in its context. */
	file = fget(nla_get_u32(info->attrs[DAXPIN_ATTR_FD]));
	if (!file) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[DAXPIN_ATTR_FD],
				    "bad file descriptor");
		return -EBADF;
	}
	pages = kvmalloc_array(DAXPIN_SCAN_MAX_PAGES, sizeof(*pages),
			       GFP_KERNEL);
	if (!pages) {
		ret = -ENOMEM;
		goto out_fput;
	}
	ret = daxpin_scan_file(file, pages, DAXPIN_SCAN_MAX_PAGES, &nr,
			       &truncated, &entries, info->extack);
	if (!ret)
		ret = daxpin_scan_reply(info, pages, nr, truncated, entries);
	kvfree(pages);
out_fput:
	fput(file);
	return ret;
}

static int daxpin_put_bench(struct sk_buff *skb,
			    const struct daxpin_bench_result *r)
{
	struct nlattr *nest = nla_nest_start(skb, DAXPIN_ATTR_BENCH_RESULT);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, DAXPIN_BENCH_ATTR_PRIMITIVE, r->primitive) ||
	    nla_put_string(skb, DAXPIN_BENCH_ATTR_NAME,
			   daxpin_gp_name(r->primitive)) ||
	    nla_put_u32(skb, DAXPIN_BENCH_ATTR_ITERATIONS, r->iterations) ||
	    nla_put_u64_64bit(skb, DAXPIN_BENCH_ATTR_MIN_NS, r->min_ns,
			      DAXPIN_BENCH_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_BENCH_ATTR_MEDIAN_NS, r->median_ns,
			      DAXPIN_BENCH_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_BENCH_ATTR_MAX_NS, r->max_ns,
			      DAXPIN_BENCH_ATTR_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int daxpin_nl_bench_gp(struct sk_buff *skb, struct genl_info *info)
{
	struct daxpin_bench_result res[DAXPIN_GP_NR];
	u32 n = DAXPIN_BENCH_DEFAULT;
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;
	int ret;

	if (info->attrs[DAXPIN_ATTR_BENCH_ITERATIONS])
		n = nla_get_u32(info->attrs[DAXPIN_ATTR_BENCH_ITERATIONS]);
	ret = daxpin_gp_bench(n, res);
	if (ret == -EINTR)
		GENL_SET_ERR_MSG(info, "benchmark interrupted by a signal");
	if (ret)
		return ret;

	msg = daxpin_reply_new(info, &hdr, NLMSG_GOODSIZE);
	if (!msg)
		return -ENOMEM;
	for (i = 0; i < DAXPIN_GP_NR; i++) {
		if (daxpin_put_bench(msg, &res[i])) {
			nlmsg_free(msg);
			return -EMSGSIZE;
		}
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static const struct nla_policy daxpin_set_config_policy[DAXPIN_ATTR_MAX + 1] = {
	[DAXPIN_ATTR_CONFIG]	= NLA_POLICY_NESTED(daxpin_config_policy),
};

static const struct nla_policy daxpin_kick_policy[DAXPIN_ATTR_MAX + 1] = {
	[DAXPIN_ATTR_WAIT_ID]	= { .type = NLA_U64 },
};

static const struct nla_policy daxpin_scan_policy[DAXPIN_ATTR_MAX + 1] = {
	[DAXPIN_ATTR_FD]	= { .type = NLA_U32 },
};

static const struct nla_policy daxpin_bench_policy[DAXPIN_ATTR_MAX + 1] = {
	[DAXPIN_ATTR_BENCH_ITERATIONS] =
		NLA_POLICY_RANGE(NLA_U32, 1, DAXPIN_BENCH_MAX_ITERATIONS),
};

/* Commands without a policy accept no attributes at all. */
static const struct genl_ops daxpin_ops[] = {
	{
		.cmd		= DAXPIN_CMD_GET_WAITS,
		.start		= daxpin_dump_start,
		.dumpit		= daxpin_nl_waits_dump,
	},
	{
		.cmd		= DAXPIN_CMD_GET_STATS,
		.start		= daxpin_dump_start,
		.dumpit		= daxpin_nl_stats_dump,
	},
	{
		.cmd		= DAXPIN_CMD_RESET_STATS,
		.doit		= daxpin_nl_reset_stats,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= DAXPIN_CMD_GET_CONFIG,
		.doit		= daxpin_nl_get_config,
	},
	{
		.cmd		= DAXPIN_CMD_SET_CONFIG,
		.doit		= daxpin_nl_set_config,
		.policy		= daxpin_set_config_policy,
		.maxattr	= DAXPIN_ATTR_MAX,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= DAXPIN_CMD_KICK,
		.doit		= daxpin_nl_kick,
		.policy		= daxpin_kick_policy,
		.maxattr	= DAXPIN_ATTR_MAX,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= DAXPIN_CMD_SCAN,
		.doit		= daxpin_nl_scan,
		.policy		= daxpin_scan_policy,
		.maxattr	= DAXPIN_ATTR_MAX,
	},
	{
		.cmd		= DAXPIN_CMD_BENCH_GP,
		.doit		= daxpin_nl_bench_gp,
		.policy		= daxpin_bench_policy,
		.maxattr	= DAXPIN_ATTR_MAX,
		.flags		= GENL_ADMIN_PERM,
	},
};

static struct genl_multicast_group daxpin_mcgrps[] = {
	{ .name = DAXPIN_MCGRP_EVENTS },
};

static struct genl_family daxpin_family = {
	.name		= DAXPIN_GENL_NAME,
	.version	= DAXPIN_GENL_VERSION,
	.maxattr	= DAXPIN_ATTR_MAX,
	.module		= THIS_MODULE,
	.ops		= daxpin_ops,
	.n_ops		= ARRAY_SIZE(daxpin_ops),
	.mcgrps		= daxpin_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(daxpin_mcgrps),
	/* The benchmark sleeps for seconds: do not hold genl_mutex. */
	.parallel_ops	= true,
};

int daxpin_netlink_init(void)
{
	int ret;

	/* Events name files and tasks: as private as the dumps. */
	if (!daxpin_open_reads)
		daxpin_mcgrps[0].flags = DAXPIN_MCAST_ADMIN_FLAGS;
	ret = genl_register_family(&daxpin_family);
	if (ret)
		pr_err("cannot register generic netlink family %s (%d)\n",
		       DAXPIN_GENL_NAME, ret);
	else
		daxpin_family_registered = true;
	return ret;
}

void daxpin_netlink_exit(void)
{
	daxpin_family_registered = false;
	cancel_work_sync(&daxpin_event_work);
	genl_unregister_family(&daxpin_family);
}
