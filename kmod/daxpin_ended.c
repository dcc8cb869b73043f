// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: the ended-wait log.
 *
 * Events may be dropped (event_burst, a full ring, a listener's full
 * socket), and a wait whose start and end events were both dropped between
 * two resync dumps would leave no trace a listener could find: the dump
 * shows only waits in flight.  So every wait end is also written here, with
 * an end sequence number that only grows, into a ring of ended_log small
 * records; the WAIT_END event carries the same number.  A GET_WAITS dump
 * given a cursor returns the records above it and how many of those were
 * overwritten before it read them, so a listener accounts for every wait
 * exactly, or knows exactly how many it could not.
 *
 * Waits are rare and slow (each sleeps at least one tick of the page's
 * refcount), so one spinlock and a copy per end cost nothing that matters;
 * a truncate that does not wait never comes here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/moduleparam.h>
#include "daxpin.h"

static unsigned int daxpin_ended_size = 2048;
module_param_named(ended_log, daxpin_ended_size, uint, 0444);
MODULE_PARM_DESC(ended_log, "Records of ended waits kept for listeners that missed events, 4..65536 (default 2048)");

static struct daxpin_ended *daxpin_ended_ring;
/* End sequence number of the newest record; record s is at s % size. */
static u64 daxpin_ended_last;
static DEFINE_SPINLOCK(daxpin_ended_lock);

int daxpin_ended_init(void)
{
	if (daxpin_ended_size < 4 || daxpin_ended_size > 65536) {
		pr_err("ended_log must be 4..65536, not %u\n",
		       daxpin_ended_size);
		return -EINVAL;
	}
	daxpin_ended_ring = kvcalloc(daxpin_ended_size,
				     sizeof(*daxpin_ended_ring), GFP_KERNEL);
	return daxpin_ended_ring ? 0 : -ENOMEM;
}

void daxpin_ended_exit(void)
{
	kvfree(daxpin_ended_ring);
	daxpin_ended_ring = NULL;
}

/*
 * Record the end of @info with @outcome; returns its end sequence number.
 * Called with the wait table's lock held, IRQs off or on.
 */
u64 daxpin_ended_add(const struct daxpin_wait_info *info, u32 outcome)
{
	struct daxpin_ended *e;
	unsigned long flags;
	u64 seq;

	spin_lock_irqsave(&daxpin_ended_lock, flags);
	seq = ++daxpin_ended_last;
	e = &daxpin_ended_ring[seq % daxpin_ended_size];
	e->seq = seq;
	e->id = info->id;
	e->pid = info->pid;
	e->tgid = info->tgid;
	memcpy(e->comm, info->comm, sizeof(e->comm));
	memcpy(e->fs, info->fs, sizeof(e->fs));
	e->dev = info->dev;
	e->ino = info->ino;
	e->offset = info->offset;
	e->start_ns = info->start_ns;
	e->end_ns = info->end_ns;
	e->rounds = info->rounds;
	e->kicks = info->kicks;
	e->outcome = outcome;
	e->stalled = info->stalled;
	spin_unlock_irqrestore(&daxpin_ended_lock, flags);
	return seq;
}

/* Newest end sequence number: a cursor that returns no record. */
u64 daxpin_ended_newest(void)
{
	u64 seq;

	spin_lock_irq(&daxpin_ended_lock);
	seq = daxpin_ended_last;
	spin_unlock_irq(&daxpin_ended_lock);
	return seq;
}

/*
 * Copy record *@next into @out and advance *@next past it.  Records below
 * *@next that were overwritten are skipped and added to *@lost first.
 * -ENOENT when *@next is beyond the newest record.
 */
int daxpin_ended_get(u64 *next, u64 *lost, struct daxpin_ended *out)
{
	u64 oldest;
	int ret = -ENOENT;

	spin_lock_irq(&daxpin_ended_lock);
	oldest = daxpin_ended_last >= daxpin_ended_size ?
		 daxpin_ended_last - daxpin_ended_size + 1 : 1;
	if (*next < oldest) {
		*lost += oldest - *next;
		*next = oldest;
	}
	if (*next <= daxpin_ended_last) {
		*out = daxpin_ended_ring[*next % daxpin_ended_size];
		++*next;
		ret = 0;
	}
	spin_unlock_irq(&daxpin_ended_lock);
	return ret;
}
