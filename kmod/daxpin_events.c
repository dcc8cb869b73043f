// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: events on the "events" multicast group.
 *
 * Producers (the probe, the tick, kicks) may run in any context, so an event
 * is copied into a small ring under a spinlock and multicast from a work
 * item: the probe never allocates a socket buffer.  A token bucket bounds
 * the rate; what it or a full ring refuses is counted as dropped.  Drops are
 * announced: once the ring has drained the work item sends one
 * DAXPIN_EVENT_OVERRUN record with the count, at most once a second (a
 * delayed work item sends it when the second is up), outside the bucket.
 * A WAIT_END event carries the end's number in the ended-wait log
 * (daxpin_ended.c), where a listener that lost it finds the end again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/workqueue.h>
#include <linux/jiffies.h>
#include "daxpin_nl.h"

#define DAXPIN_EVENT_RING	64

static struct daxpin_event daxpin_ring[DAXPIN_EVENT_RING];
static unsigned int daxpin_ring_head, daxpin_ring_len;
static u64 daxpin_ev_sent, daxpin_ev_dropped;
static DEFINE_SPINLOCK(daxpin_ring_lock);
/* Set, under daxpin_ring_lock, only while the family is registered. */
static bool daxpin_events_on;

/* Token bucket, in 1/HZ of a token; see daxpin_rate_ok_locked(). */
static u64 daxpin_tokens;
static unsigned long daxpin_tokens_stamp;

/* Dropped count of the last overrun record, and when it was sent. */
static u64 daxpin_ev_dropped_told;
static unsigned long daxpin_overrun_stamp;

static struct daxpin_event daxpin_ev_sending;	/* only the work item uses it */
static void daxpin_event_work_fn(struct work_struct *work);
static DECLARE_WORK(daxpin_event_work, daxpin_event_work_fn);
static void daxpin_overrun_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(daxpin_overrun_work, daxpin_overrun_work_fn);

bool daxpin_event_wanted(void)
{
	return READ_ONCE(daxpin_events_on) &&
	       genl_has_listeners(&daxpin_family, &init_net, 0);
}

/*
 * event_burst N allows a burst of B = max(N / 4, 1) events and refills
 * R = max(N - B, 1) per second, so that no interval of one second carries
 * more than B + R events: N, or 2 when N is 1.  (A fixed one-second window
 * lets 2N through across its boundary.)
 */
static bool daxpin_rate_ok_locked(void)
{
	unsigned int burst = READ_ONCE(daxpin_event_burst);
	unsigned long elapsed = jiffies - daxpin_tokens_stamp;
	u64 cap, rate;

	if (!burst)
		return false;
	cap = max(burst / 4, 1U);
	rate = max_t(u64, burst - cap, 1);
	cap *= HZ;
	daxpin_tokens_stamp += elapsed;
	daxpin_tokens += min_t(u64, elapsed, HZ) * rate;
	daxpin_tokens = min(daxpin_tokens, cap);
	if (daxpin_tokens < HZ)
		return false;
	daxpin_tokens -= HZ;
	return true;
}

void daxpin_event_queue(u32 type, u32 outcome, bool was_idle,
			const struct daxpin_wait_info *wait)
{
	struct daxpin_event *ev;
	unsigned long flags;

	spin_lock_irqsave(&daxpin_ring_lock, flags);
	if (!daxpin_events_on)
		goto unlock;
	/* A full ring must not spend a token of the rate limit. */
	if (daxpin_ring_len == DAXPIN_EVENT_RING || !daxpin_rate_ok_locked()) {
		daxpin_ev_dropped++;
		/* Its overrun record goes out once the ring has drained. */
		schedule_work(&daxpin_event_work);
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

/*
 * A message whose event nest already holds its type and time; NULL when
 * memory is short.  daxpin_event_multicast() closes and sends it.
 */
static struct sk_buff *daxpin_event_msg(u32 type, u64 time_ns, void **hdr,
					struct nlattr **nest)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &daxpin_family, 0, DAXPIN_CMD_EVENT);
	*nest = *hdr ? nla_nest_start(skb, DAXPIN_ATTR_EVENT) : NULL;
	if (!*nest ||
	    nla_put_u32(skb, DAXPIN_EVENT_ATTR_TYPE, type) ||
	    nla_put_u64_64bit(skb, DAXPIN_EVENT_ATTR_TIME_NS, time_ns,
			      DAXPIN_EVENT_ATTR_PAD)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static int daxpin_event_multicast(struct sk_buff *skb, void *hdr,
				  struct nlattr *nest)
{
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return genlmsg_multicast(&daxpin_family, skb, 0, 0, GFP_KERNEL);
}

static int daxpin_event_send(const struct daxpin_event *ev)
{
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;

	skb = daxpin_event_msg(ev->type, ev->time_ns, &hdr, &nest);
	if (!skb)
		return -ENOMEM;
	if (daxpin_put_wait(skb, DAXPIN_EVENT_ATTR_WAIT, &ev->wait,
			    &daxpin_event_reader) ||
	    (ev->type == DAXPIN_EVENT_WAIT_END &&
	     (nla_put_u32(skb, DAXPIN_EVENT_ATTR_OUTCOME, ev->outcome) ||
	      nla_put_u64_64bit(skb, DAXPIN_EVENT_ATTR_END_SEQ,
				ev->wait.end_seq, DAXPIN_EVENT_ATTR_PAD))) ||
	    (ev->type == DAXPIN_EVENT_KICKED &&
	     nla_put_u8(skb, DAXPIN_EVENT_ATTR_WAS_IDLE, ev->was_idle)) ||
	    (ev->type == DAXPIN_EVENT_KICKED &&
	     ev->outcome == DAXPIN_KICKED_RESCUE &&
	     nla_put_flag(skb, DAXPIN_EVENT_ATTR_RESCUED))) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	return daxpin_event_multicast(skb, hdr, nest);
}

static int daxpin_overrun_send(u64 dropped)
{
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;

	skb = daxpin_event_msg(DAXPIN_EVENT_OVERRUN, ktime_get_boottime_ns(),
			       &hdr, &nest);
	if (!skb)
		return -ENOMEM;
	if (nla_put_u64_64bit(skb, DAXPIN_EVENT_ATTR_DROPPED, dropped,
			      DAXPIN_EVENT_ATTR_PAD)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	return daxpin_event_multicast(skb, hdr, nest);
}

/*
 * Send an overrun record if events were dropped since the last one, the
 * ring is empty (the record follows every event queued before it) and the
 * last record is a second old; else have the delayed work item try again
 * when the second is up.  Runs in either work item.
 */
static void daxpin_overrun_flush(void)
{
	unsigned long due;
	u64 dropped, told;
	int ret;

	spin_lock_irq(&daxpin_ring_lock);
	dropped = daxpin_ev_dropped;
	told = daxpin_ev_dropped_told;
	if (!daxpin_events_on || dropped == told || daxpin_ring_len) {
		/* With events queued, the event work item calls us again. */
		spin_unlock_irq(&daxpin_ring_lock);
		return;
	}
	due = daxpin_overrun_stamp + HZ;
	if (time_before(jiffies, due)) {
		schedule_delayed_work(&daxpin_overrun_work, due - jiffies);
		spin_unlock_irq(&daxpin_ring_lock);
		return;
	}
	daxpin_ev_dropped_told = dropped;
	daxpin_overrun_stamp = jiffies;
	spin_unlock_irq(&daxpin_ring_lock);

	ret = daxpin_overrun_send(dropped);
	if (ret && ret != -ESRCH) {
		/* Not told after all: the next drop or event tries again. */
		spin_lock_irq(&daxpin_ring_lock);
		if (daxpin_ev_dropped_told == dropped)
			daxpin_ev_dropped_told = told;
		spin_unlock_irq(&daxpin_ring_lock);
	}
}

static void daxpin_overrun_work_fn(struct work_struct *work)
{
	daxpin_overrun_flush();
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
	daxpin_overrun_flush();
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
	daxpin_ev_dropped_told = 0;
	spin_unlock_irq(&daxpin_ring_lock);
}

/* Called once the family is registered: events may be multicast. */
void daxpin_events_start(void)
{
	spin_lock_irq(&daxpin_ring_lock);
	daxpin_tokens_stamp = jiffies;
	daxpin_overrun_stamp = jiffies - HZ;
	daxpin_ev_dropped_told = daxpin_ev_dropped;
	daxpin_tokens = (u64)max(READ_ONCE(daxpin_event_burst) / 4, 1U) * HZ;
	WRITE_ONCE(daxpin_events_on, true);
	spin_unlock_irq(&daxpin_ring_lock);
}

/*
 * Called before the family is unregistered: once the flag is clear under
 * the lock nothing queues work, and the work items have finished sending
 * (the event work item may arm the delayed one: cancel it last).
 */
void daxpin_events_stop(void)
{
	spin_lock_irq(&daxpin_ring_lock);
	WRITE_ONCE(daxpin_events_on, false);
	daxpin_ring_len = 0;
	spin_unlock_irq(&daxpin_ring_lock);
	cancel_work_sync(&daxpin_event_work);
	cancel_delayed_work_sync(&daxpin_overrun_work);
}
