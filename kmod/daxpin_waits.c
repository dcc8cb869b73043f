// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: the table of in-progress layout-break waits.
 *
 * A wait begins when the probe sees a task about to sleep on the refcount of
 * a fsdax page.  The waiter leaves no trace when it stops waiting (a wake-up,
 * a signal), so while waits exist, and only then, a periodic tick looks at
 * each one: a waiter whose wait entry is still queued on the page's wait
 * queue is still asleep; one that is off the queue for two ticks in a row and
 * began no new round has finished.  A queued waiter whose page is idle for two
 * ticks is stalled: nothing will wake it (the 6.1-stable lost wake-up).
 *
 * Pages are only ever named by pfn here and looked up again through
 * get_dev_pagemap(), so a namespace torn down under a waiter is noticed
 * instead of dereferenced.  The waiter's wait entry lives on its stack: its
 * address is compared with queue entries, never dereferenced.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/memremap.h>
#include <linux/fs.h>
#include <linux/dcache.h>
#include <linux/wait_bit.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/workqueue.h>
#include <linux/percpu.h>
#include "daxpin.h"

/* Ticks a condition must hold before it is believed. */
#define DAXPIN_CONFIRM_TICKS	2

struct daxpin_wait {
	struct daxpin_wait_info info;	/* info.id == 0: free slot */
	struct task_struct *task;	/* referenced while in the table */
	void *wbq;			/* the waiter's wait entry: compared only */
	u8 offq_ticks;
	u8 idle_ticks;
	bool signalled;
};

static struct daxpin_wait *daxpin_waits;
static DEFINE_SPINLOCK(daxpin_waits_lock);
static atomic_t daxpin_nr_waits = ATOMIC_INIT(0);
static atomic64_t daxpin_dropped = ATOMIC64_INIT(0);
static u64 daxpin_next_id;
static bool daxpin_waits_stopping;
static DEFINE_PER_CPU(char [DAXPIN_PATH_MAX], daxpin_path_buf);

static void daxpin_tick(struct work_struct *work);
static DECLARE_DELAYED_WORK(daxpin_tick_work, daxpin_tick);

static unsigned long daxpin_poll_jiffies(void)
{
	return msecs_to_jiffies(clamp(READ_ONCE(daxpin_poll_ms), 10U, 10000U));
}

static struct daxpin_wait *daxpin_find_task_locked(struct task_struct *task)
{
	unsigned int i;

	for (i = 0; i < daxpin_max_waits; i++)
		if (daxpin_waits[i].info.id && daxpin_waits[i].task == task)
			return &daxpin_waits[i];
	return NULL;
}

static struct daxpin_wait *daxpin_find_id_locked(u64 id)
{
	unsigned int i;

	for (i = 0; i < daxpin_max_waits; i++)
		if (daxpin_waits[i].info.id == id)
			return &daxpin_waits[i];
	return NULL;
}

static struct daxpin_wait *daxpin_free_slot_locked(void)
{
	unsigned int i;

	for (i = 0; i < daxpin_max_waits; i++)
		if (!daxpin_waits[i].info.id)
			return &daxpin_waits[i];
	return NULL;
}

/*
 * Best-effort path of @inode relative to its filesystem root, in this CPU's
 * buffer.  Runs in the probe, where we may not sleep: no reference is taken
 * on the alias, RCU keeps it alive and dentry_path_raw() copes with
 * concurrent renames.
 */
static const char *daxpin_inode_path(struct inode *inode)
{
	char *buf = this_cpu_ptr(daxpin_path_buf);
	struct dentry *alias = NULL;
	char *p = "";

	rcu_read_lock();
	spin_lock(&inode->i_lock);
	if (!hlist_empty(&inode->i_dentry))
		alias = hlist_entry(inode->i_dentry.first, struct dentry,
				    d_u.d_alias);
	spin_unlock(&inode->i_lock);
	if (alias) {
		p = dentry_path_raw(alias, buf, DAXPIN_PATH_MAX);
		if (IS_ERR(p))
			p = "";
	}
	rcu_read_unlock();
	return p;
}

static void daxpin_end_locked(struct daxpin_wait *w, u32 outcome)
{
	struct daxpin_wait_info *info = &w->info;

	info->end_ns = ktime_get_boottime_ns();
	daxpin_stats_ended(info->fs, info->dev, outcome,
			   info->end_ns - info->start_ns);
	if (daxpin_event_wanted())
		daxpin_event_queue(DAXPIN_EVENT_WAIT_END, outcome, false, info);
	put_task_struct(w->task);
	memset(w, 0, sizeof(*w));
	atomic_dec(&daxpin_nr_waits);
}

static void daxpin_fill_new(struct daxpin_wait *w, struct task_struct *task,
			    struct inode *inode, const char *path)
{
	struct daxpin_wait_info *info = &w->info;

	info->id = ++daxpin_next_id;
	info->pid = task->pid;
	info->tgid = task->tgid;
	strscpy(info->comm, task->comm, sizeof(info->comm));
	strscpy(info->fs, inode->i_sb->s_type->name, sizeof(info->fs));
	info->dev = inode->i_sb->s_dev;
	info->ino = inode->i_ino;
	strscpy(info->path, path, sizeof(info->path));
	info->start_ns = ktime_get_boottime_ns();
	get_task_struct(task);
	w->task = task;
}

void daxpin_wait_begin(struct task_struct *task, void *wbq, unsigned long pfn,
		       struct inode *inode, pgoff_t index)
{
	const char *path = daxpin_inode_path(inode);
	struct daxpin_wait *w;
	unsigned long flags;
	bool fresh = false;

	spin_lock_irqsave(&daxpin_waits_lock, flags);
	if (daxpin_waits_stopping)
		goto unlock;
	w = daxpin_find_task_locked(task);
	/* The same task on another file: its previous break went through. */
	if (w && (w->info.dev != inode->i_sb->s_dev ||
		  w->info.ino != inode->i_ino)) {
		daxpin_end_locked(w, DAXPIN_OUTCOME_COMPLETED);
		w = NULL;
	}
	if (!w) {
		w = daxpin_free_slot_locked();
		if (!w) {
			atomic64_inc(&daxpin_dropped);
			goto unlock;
		}
		daxpin_fill_new(w, task, inode, path);
		atomic_inc(&daxpin_nr_waits);
		daxpin_stats_started(w->info.fs, w->info.dev);
		fresh = true;
	}
	if (w->info.pfn != pfn) {
		w->info.stalled = false;
		w->idle_ticks = 0;
	}
	w->info.pfn = pfn;
	w->info.offset = (u64)index << PAGE_SHIFT;
	w->info.rounds++;
	w->wbq = wbq;
	w->offq_ticks = 0;
	if (fresh && daxpin_event_wanted())
		daxpin_event_queue(DAXPIN_EVENT_WAIT_START, 0, false, &w->info);
unlock:
	spin_unlock_irqrestore(&daxpin_waits_lock, flags);
	if (fresh)
		queue_delayed_work(system_wq, &daxpin_tick_work,
				   daxpin_poll_jiffies());
}

void daxpin_wait_signalled(struct task_struct *task, bool group)
{
	unsigned long flags;
	unsigned int i;

	if (!atomic_read(&daxpin_nr_waits))
		return;
	spin_lock_irqsave(&daxpin_waits_lock, flags);
	for (i = 0; i < daxpin_max_waits; i++) {
		struct daxpin_wait *w = &daxpin_waits[i];

		if (!w->info.id)
			continue;
		if (w->task == task || (group && w->info.tgid == task->tgid))
			w->signalled = true;
	}
	spin_unlock_irqrestore(&daxpin_waits_lock, flags);
}

bool daxpin_task_is_waiting(struct task_struct *task)
{
	unsigned long flags;
	bool ret;

	if (!atomic_read(&daxpin_nr_waits))
		return false;
	spin_lock_irqsave(&daxpin_waits_lock, flags);
	ret = !!daxpin_find_task_locked(task);
	spin_unlock_irqrestore(&daxpin_waits_lock, flags);
	return ret;
}

unsigned int daxpin_waits_active(void)
{
	return atomic_read(&daxpin_nr_waits);
}

u64 daxpin_waits_dropped(void)
{
	return atomic64_read(&daxpin_dropped);
}

/*
 * Count the waits and the stalled ones and find the oldest start in one pass
 * under the lock, so that a health check need not copy out every wait.
 * Returns the number of waits; *oldest_ns is 0 when there are none.
 */
unsigned int daxpin_waits_summary(unsigned int *stalled, u64 *oldest_ns)
{
	unsigned int i, n = 0;

	*stalled = 0;
	*oldest_ns = 0;
	if (!atomic_read(&daxpin_nr_waits))
		return 0;
	spin_lock_irq(&daxpin_waits_lock);
	for (i = 0; i < daxpin_max_waits; i++) {
		const struct daxpin_wait_info *info = &daxpin_waits[i].info;

		if (!info->id)
			continue;
		n++;
		if (info->stalled)
			(*stalled)++;
		if (!*oldest_ns || info->start_ns < *oldest_ns)
			*oldest_ns = info->start_ns;
	}
	spin_unlock_irq(&daxpin_waits_lock);
	return n;
}

/* Is the waiter's entry still queued, i.e. is it still asleep on the page? */
static bool daxpin_on_queue(unsigned long pfn, void *wbq,
			    struct task_struct *task)
{
	void *var = &pfn_to_page(pfn)->_refcount;
	struct wait_queue_head *wq = __var_waitqueue(var);
	struct wait_queue_entry *mine, *e;
	unsigned long flags;
	bool found = false;

	mine = &((struct wait_bit_queue_entry *)wbq)->wq_entry;
	spin_lock_irqsave(&wq->lock, flags);
	list_for_each_entry(e, &wq->head, entry) {
		if (e == mine && e->private == task) {
			found = true;
			break;
		}
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	return found;
}

void daxpin_page_state(struct daxpin_wait_info *info)
{
	struct dev_pagemap *pgmap;
	struct page *page;

	pgmap = get_dev_pagemap(info->pfn, NULL);
	if (!pgmap) {
		info->page_gone = true;
		info->refcount = 0;
		info->dma_pinned = false;
		info->idle = false;
		return;
	}
	page = pfn_to_page(info->pfn);
	info->page_gone = false;
	info->refcount = page_ref_count(page);
	info->dma_pinned = folio_maybe_dma_pinned(page_folio(page));
	info->idle = info->refcount == 1;
	put_dev_pagemap(pgmap);
}

static bool daxpin_task_dying(struct task_struct *task)
{
	return (task->flags & PF_EXITING) || task->exit_state;
}

/* Decide, under the lock, what one tick's observation means for @w. */
static void daxpin_judge_locked(struct daxpin_wait *w, bool onq, bool dying,
				const struct daxpin_wait_info *now)
{
	if (!onq) {
		w->idle_ticks = 0;
		/*
		 * An exiting task is no proof of a signal: a kicked truncate
		 * returns and its process may exit before the next tick.
		 */
		if (dying || ++w->offq_ticks >= DAXPIN_CONFIRM_TICKS)
			daxpin_end_locked(w, w->signalled ?
					  DAXPIN_OUTCOME_INTERRUPTED :
					  DAXPIN_OUTCOME_COMPLETED);
		return;
	}
	w->offq_ticks = 0;
	if (!now->idle) {
		w->idle_ticks = 0;
		w->info.stalled = false;
		return;
	}
	if (w->info.stalled || ++w->idle_ticks < DAXPIN_CONFIRM_TICKS)
		return;
	w->info.stalled = true;
	daxpin_stats_stalled(w->info.fs, w->info.dev);
	if (daxpin_event_wanted()) {
		struct daxpin_wait_info *info = &w->info;

		info->refcount = now->refcount;
		info->dma_pinned = now->dma_pinned;
		info->idle = now->idle;
		daxpin_event_queue(DAXPIN_EVENT_STALLED, 0, false, info);
	}
}

static void daxpin_tick_one(unsigned int i)
{
	struct daxpin_wait *w = &daxpin_waits[i];
	struct daxpin_wait_info now;
	struct task_struct *task;
	bool onq, dying;
	void *wbq;
	u64 id;

	spin_lock_irq(&daxpin_waits_lock);
	id = w->info.id;
	if (!id) {
		spin_unlock_irq(&daxpin_waits_lock);
		return;
	}
	task = w->task;
	get_task_struct(task);
	wbq = w->wbq;
	now.pfn = w->info.pfn;
	spin_unlock_irq(&daxpin_waits_lock);

	onq = daxpin_on_queue(now.pfn, wbq, task);
	dying = daxpin_task_dying(task);
	daxpin_page_state(&now);

	spin_lock_irq(&daxpin_waits_lock);
	/* A new round in the meantime changes wbq: judge next tick. */
	if (w->info.id == id && w->wbq == wbq)
		daxpin_judge_locked(w, onq, dying, &now);
	spin_unlock_irq(&daxpin_waits_lock);
	put_task_struct(task);
}

static void daxpin_tick(struct work_struct *work)
{
	unsigned int i;

	for (i = 0; i < daxpin_max_waits; i++) {
		daxpin_tick_one(i);
		cond_resched();
	}
	if (atomic_read(&daxpin_nr_waits) && !READ_ONCE(daxpin_waits_stopping))
		queue_delayed_work(system_wq, &daxpin_tick_work,
				   daxpin_poll_jiffies());
}

/*
 * Copy the next wait at or after *slot; *slot moves past it.  *taskp is the
 * waiter, referenced: the caller puts it.
 */
int daxpin_wait_get(unsigned int *slot, struct daxpin_wait_info *info,
		    struct task_struct **taskp)
{
	unsigned int i;
	int ret = -ENOENT;

	spin_lock_irq(&daxpin_waits_lock);
	for (i = *slot; i < daxpin_max_waits; i++) {
		if (!daxpin_waits[i].info.id)
			continue;
		*info = daxpin_waits[i].info;
		*taskp = daxpin_waits[i].task;
		get_task_struct(*taskp);
		*slot = i + 1;
		ret = 0;
		break;
	}
	spin_unlock_irq(&daxpin_waits_lock);
	if (!ret)
		daxpin_page_state(info);
	return ret;
}

int daxpin_wait_kick(u64 id, bool *was_idle)
{
	struct daxpin_wait_info info;
	struct dev_pagemap *pgmap;
	struct daxpin_wait *w;
	struct page *page;
	bool first;

	spin_lock_irq(&daxpin_waits_lock);
	w = id ? daxpin_find_id_locked(id) : NULL;
	if (!w) {
		spin_unlock_irq(&daxpin_waits_lock);
		return -ENOENT;
	}
	first = ++w->info.kicks == 1;
	info = w->info;
	spin_unlock_irq(&daxpin_waits_lock);

	if (first)
		daxpin_stats_kicked(info.fs, info.dev);
	pgmap = get_dev_pagemap(info.pfn, NULL);
	if (!pgmap)
		return -ENXIO;
	page = pfn_to_page(info.pfn);
	*was_idle = page_ref_count(page) == 1;
	/* A waiter whose page is still busy re-checks and sleeps again. */
	wake_up_var(&page->_refcount);
	put_dev_pagemap(pgmap);

	if (daxpin_event_wanted()) {
		daxpin_page_state(&info);
		daxpin_event_queue(DAXPIN_EVENT_KICKED, 0, *was_idle, &info);
	}
	/* Notice the end of the wait soon rather than a full period later. */
	mod_delayed_work(system_wq, &daxpin_tick_work, msecs_to_jiffies(20));
	return 0;
}

int daxpin_waits_init(void)
{
	daxpin_waits = kvcalloc(daxpin_max_waits, sizeof(*daxpin_waits),
				GFP_KERNEL);
	return daxpin_waits ? 0 : -ENOMEM;
}

/* Called after the probe is gone: nothing adds waits any more. */
void daxpin_waits_exit(void)
{
	unsigned int i;

	spin_lock_irq(&daxpin_waits_lock);
	daxpin_waits_stopping = true;
	spin_unlock_irq(&daxpin_waits_lock);
	cancel_delayed_work_sync(&daxpin_tick_work);

	for (i = 0; i < daxpin_max_waits; i++) {
		if (!daxpin_waits[i].info.id)
			continue;
		put_task_struct(daxpin_waits[i].task);
		atomic_dec(&daxpin_nr_waits);
	}
	kvfree(daxpin_waits);
	daxpin_waits = NULL;
}
