// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: per-superblock wait statistics.
 *
 * Filesystems with DAX are few on any machine; a small fixed table keyed by
 * (fs type, device) keeps the hot path free of allocations.  A superblock
 * that finds the table full is counted in the last slot, named "other".
 */
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include "daxpin.h"

#define DAXPIN_SB_SLOTS		32

static struct daxpin_sb_stats daxpin_sb[DAXPIN_SB_SLOTS];
static unsigned int daxpin_sb_used;
static u64 daxpin_reset_ns;
static DEFINE_SPINLOCK(daxpin_stats_lock);

void daxpin_hist_add(u64 *hist, u64 ns)
{
	u64 us = div_u64(ns, NSEC_PER_USEC);
	unsigned int b = us ? ilog2(us) : 0;

	hist[min_t(unsigned int, b, DAXPIN_HIST_BUCKETS - 1)]++;
}

static struct daxpin_sb_stats *
daxpin_sb_lookup_locked(const char *fs, dev_t dev)
{
	struct daxpin_sb_stats *s;
	unsigned int i;

	for (i = 0; i < daxpin_sb_used; i++) {
		s = &daxpin_sb[i];
		if (s->dev == dev && !strcmp(s->fs, fs))
			return s;
	}
	if (daxpin_sb_used == DAXPIN_SB_SLOTS)
		return &daxpin_sb[DAXPIN_SB_SLOTS - 1];
	s = &daxpin_sb[daxpin_sb_used++];
	strscpy(s->fs, daxpin_sb_used == DAXPIN_SB_SLOTS ? "other" : fs,
		sizeof(s->fs));
	s->dev = daxpin_sb_used == DAXPIN_SB_SLOTS ? 0 : dev;
	return s;
}

void daxpin_stats_started(const char *fs, dev_t dev)
{
	unsigned long flags;

	spin_lock_irqsave(&daxpin_stats_lock, flags);
	daxpin_sb_lookup_locked(fs, dev)->started++;
	spin_unlock_irqrestore(&daxpin_stats_lock, flags);
}

void daxpin_stats_ended(const char *fs, dev_t dev, u32 outcome, u64 ns)
{
	struct daxpin_sb_stats *s;
	unsigned long flags;

	spin_lock_irqsave(&daxpin_stats_lock, flags);
	s = daxpin_sb_lookup_locked(fs, dev);
	if (outcome == DAXPIN_OUTCOME_INTERRUPTED)
		s->interrupted++;
	else
		s->completed++;
	s->total_ns += ns;
	s->max_ns = max(s->max_ns, ns);
	daxpin_hist_add(s->hist, ns);
	spin_unlock_irqrestore(&daxpin_stats_lock, flags);
}

void daxpin_stats_kicked(const char *fs, dev_t dev)
{
	unsigned long flags;

	spin_lock_irqsave(&daxpin_stats_lock, flags);
	daxpin_sb_lookup_locked(fs, dev)->kicked++;
	spin_unlock_irqrestore(&daxpin_stats_lock, flags);
}

void daxpin_stats_stalled(const char *fs, dev_t dev)
{
	unsigned long flags;

	spin_lock_irqsave(&daxpin_stats_lock, flags);
	daxpin_sb_lookup_locked(fs, dev)->stalled++;
	spin_unlock_irqrestore(&daxpin_stats_lock, flags);
}

int daxpin_stats_get_sb(unsigned int idx, struct daxpin_sb_stats *out)
{
	int ret = -ENOENT;

	spin_lock_irq(&daxpin_stats_lock);
	if (idx < daxpin_sb_used) {
		*out = daxpin_sb[idx];
		ret = 0;
	}
	spin_unlock_irq(&daxpin_stats_lock);
	return ret;
}

void daxpin_stats_reset(void)
{
	spin_lock_irq(&daxpin_stats_lock);
	memset(daxpin_sb, 0, sizeof(daxpin_sb));
	daxpin_sb_used = 0;
	daxpin_reset_ns = ktime_get_boottime_ns();
	spin_unlock_irq(&daxpin_stats_lock);
}

u64 daxpin_stats_reset_ns(void)
{
	return READ_ONCE(daxpin_reset_ns);
}
