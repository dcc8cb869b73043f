// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: the table of in-progress layout-break waits.
 *
 * A wait begins when the probe sees a task about to sleep on the refcount of
 * a fsdax page (on the page itself from Linux 6.15: daxpin_wait_var()).
 * The waiter leaves no trace when it stops waiting (a wake-up,
 * a signal), so while waits exist, and only then, a periodic tick looks at
 * each one: a waiter whose wait entry is still queued on the page's wait
 * queue is still asleep; one that is off the queue for two ticks in a row and
 * began no new round has finished.  A queued waiter whose page is idle for two
 * ticks is stalled: nothing will wake it (the 6.1-stable lost wake-up; from
 * 6.15 every put wakes the waiter, and the check stays as a cheap guard).
 *
 * Pages are only ever named by pfn here and looked up again through
 * get_dev_pagemap(), so a namespace torn down under a waiter is noticed
 * instead of dereferenced.  The waiter's wait entry lives on its stack: its
 * address is compared with queue entries, and the entry is read only once
 * found on the queue, under the queue's lock (daxpin_on_queue()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/memremap.h>
#include <linux/fs.h>
#include <linux/dcache.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/rculist.h>
#include <linux/wait_bit.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/workqueue.h>
#include <linux/percpu.h>
#include "daxpin.h"
#include "daxpin_compat.h"

/* Ticks a condition must hold before it is believed. */
#define DAXPIN_CONFIRM_TICKS	2

/*
 * Finding the waits of a task.
 *
 * The signal_generate tracepoint (every signal delivered anywhere, under the
 * target's siglock, IRQs off) and daxpin_gp.c's kretprobe (every
 * synchronize_*() call) must find out whether a task waits without walking
 * max_waits slots and without a lock every CPU shares.  Each wait therefore
 * has a small node in a hash table keyed by tgid: a group signal finds all
 * waiting threads of its process in one chain, a thread signal or a task
 * lookup filters that chain on the task.
 *
 * The chains are read locklessly under RCU and changed only under
 * daxpin_waits_lock (which still guards the slots: wait begin, the tick,
 * dumps and kicks are rare or periodic).  Nodes are not kept in the slots:
 * a slot is reused at once, and a reader walking a reused slot's links could
 * be led into another chain and stop early, or mark the new occupant.  A
 * node instead lives for one wait only and is freed after a grace period, so
 * whatever a reader finds is the node of one wait, with fields that never
 * change except @signalled.  The node owns the wait's task reference and
 * drops it from the RCU callback, so a reader may also look at the task
 * (its blocked mask).
 */
struct daxpin_wnode {
	struct hlist_node hash;		/* in daxpin_hash[daxpin_hash_of(tgid)] */
	struct task_struct *task;	/* referenced until the node is freed */
	pid_t tgid;
	unsigned int slot;		/* daxpin_waits[slot] is this wait */
	/*
	 * A signal that can interrupt the current round's sleep was pending
	 * when the round began or generated since.  A wait that leaves its
	 * queue with it set ended interrupted, else it completed.  Each new
	 * round (an SA_RESTART retry, or the next busy page) starts afresh.
	 * Written by signal senders and by the waiter: READ_ONCE/WRITE_ONCE.
	 */
	bool signalled;
	struct rcu_head rcu;
};

struct daxpin_wait {
	struct daxpin_wait_info info;	/* only in a used slot (daxpin_used) */
	struct daxpin_wnode *node;	/* the wait's index entry and task */
	void *wbq;			/* the waiter's wait entry: see on_queue */
	u8 offq_ticks;
	u8 idle_ticks;
};

static struct daxpin_wait *daxpin_waits;
static unsigned long *daxpin_used;	/* bitmap of used slots */
static struct hlist_head *daxpin_hash;
static unsigned int daxpin_hash_bits;
static DEFINE_SPINLOCK(daxpin_waits_lock);
static atomic_t daxpin_nr_waits = ATOMIC_INIT(0);
static atomic64_t daxpin_dropped = ATOMIC64_INIT(0);
static u64 daxpin_next_id;
static bool daxpin_waits_stopping;
/* PATH_MAX a CPU: too big for the module's static per-CPU reserve. */
static char __percpu *daxpin_path_buf;

static void daxpin_tick(struct work_struct *work);
static DECLARE_DELAYED_WORK(daxpin_tick_work, daxpin_tick);

static unsigned long daxpin_poll_jiffies(void)
{
	return msecs_to_jiffies(clamp(READ_ONCE(daxpin_poll_ms), 10U, 10000U));
}

static struct hlist_head *daxpin_bucket(pid_t tgid)
{
	return &daxpin_hash[hash_32((u32)tgid, daxpin_hash_bits)];
}

static struct daxpin_wait *daxpin_find_task_locked(struct task_struct *task)
{
	struct daxpin_wnode *node;

	hlist_for_each_entry(node, daxpin_bucket(task->tgid), hash)
		if (node->task == task)
			return &daxpin_waits[node->slot];
	return NULL;
}

static struct daxpin_wait *daxpin_find_id_locked(u64 id)
{
	unsigned int i;

	for_each_set_bit(i, daxpin_used, daxpin_max_waits)
		if (daxpin_waits[i].info.id == id)
			return &daxpin_waits[i];
	return NULL;
}

/*
 * Best-effort path of @inode relative to its filesystem root, in this CPU's
 * buffer.  Runs in the probe, where we may not sleep: no reference is taken
 * on the alias, RCU keeps it alive and dentry_path_raw() copes with
 * concurrent renames.  A path of DAXPIN_PATH_MAX bytes or more keeps its
 * tail, which names the file; one deeper than PATH_MAX keeps only the
 * file's name.  Either way *truncated says so.
 */
static const char *daxpin_inode_path(struct inode *inode, bool *truncated)
{
	char *buf = this_cpu_ptr(daxpin_path_buf);
	struct dentry *alias = NULL;
	char *p = "";
	size_t len;

	*truncated = false;
	rcu_read_lock();
	spin_lock(&inode->i_lock);
	if (!hlist_empty(&inode->i_dentry))
		alias = hlist_entry(inode->i_dentry.first, struct dentry,
				    DAXPIN_D_ALIAS);
	spin_unlock(&inode->i_lock);
	if (!alias)
		goto out;
	p = dentry_path_raw(alias, buf, PATH_MAX);
	if (IS_ERR(p)) {
		snprintf(buf, DAXPIN_PATH_MAX, "%pd", alias);
		p = buf;
		*truncated = true;
		goto out;
	}
	len = strlen(p);
	if (len >= DAXPIN_PATH_MAX) {
		p += len - (DAXPIN_PATH_MAX - 1);
		*truncated = true;
	}
out:
	rcu_read_unlock();
	return p;
}

/* RCU callback: no reader can see the node any more. */
static void daxpin_wnode_free(struct rcu_head *rcu)
{
	struct daxpin_wnode *node = container_of(rcu, struct daxpin_wnode, rcu);

	put_task_struct(node->task);
	kfree(node);
}

/* Take a used slot out of the table; its node goes after a grace period. */
static void daxpin_release_locked(struct daxpin_wait *w)
{
	struct daxpin_wnode *node = w->node;

	hlist_del_rcu(&node->hash);
	call_rcu(&node->rcu, daxpin_wnode_free);
	__clear_bit(w - daxpin_waits, daxpin_used);
	memset(w, 0, sizeof(*w));
	atomic_dec(&daxpin_nr_waits);
}

static void daxpin_end_locked(struct daxpin_wait *w, u32 outcome)
{
	struct daxpin_wait_info *info = &w->info;

	info->end_ns = ktime_get_boottime_ns();
	/* Before the event: it carries the log's number for this end. */
	info->end_seq = daxpin_ended_add(info, outcome);
	daxpin_stats_ended(info->fs, info->dev, outcome,
			   info->end_ns - info->start_ns);
	if (daxpin_event_wanted())
		daxpin_event_queue(DAXPIN_EVENT_WAIT_END, outcome, false, info);
	daxpin_release_locked(w);
}

/* A free slot with a fresh node for @task, or NULL (counted as dropped). */
static struct daxpin_wait *daxpin_new_locked(struct task_struct *task)
{
	struct daxpin_wnode *node;
	unsigned int i;

	i = find_first_zero_bit(daxpin_used, daxpin_max_waits);
	if (i >= daxpin_max_waits)
		return NULL;
	node = kzalloc(sizeof(*node), GFP_ATOMIC | __GFP_NOWARN);
	if (!node)
		return NULL;
	get_task_struct(task);
	node->task = task;
	node->tgid = task->tgid;
	node->slot = i;
	hlist_add_head_rcu(&node->hash, daxpin_bucket(node->tgid));
	__set_bit(i, daxpin_used);
	daxpin_waits[i].node = node;
	atomic_inc(&daxpin_nr_waits);
	return &daxpin_waits[i];
}

static void daxpin_fill_new(struct daxpin_wait *w, struct task_struct *task,
			    struct inode *inode, const char *path,
			    bool path_truncated)
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
	info->path_truncated = path_truncated;
	info->start_ns = ktime_get_boottime_ns();
}

/*
 * A round begins: @signalled restarts from what is pending now.  A signal
 * generated just before this point has set TIF_SIGPENDING (and passed a full
 * barrier in the wake-up) before the tracepoint sets @signalled; clearing
 * first and reading the flag after a full barrier means that either we see
 * the flag or the sender's store lands after our clear.
 */
static void daxpin_round_signals(struct daxpin_wnode *node)
{
	WRITE_ONCE(node->signalled, false);
	smp_mb();	/* clear, then read TIF_SIGPENDING: see above */
	if (signal_pending(node->task))
		WRITE_ONCE(node->signalled, true);
}

/* The probe: @task (current) is about to sleep on @where->pfn's page. */
void daxpin_wait_begin(struct task_struct *task, void *wbq,
		       struct inode *inode, const struct daxpin_wait_where *where)
{
	unsigned long pfn = where->pfn;
	bool path_truncated;
	const char *path = daxpin_inode_path(inode, &path_truncated);
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
		w = daxpin_new_locked(task);
		if (!w) {
			atomic64_inc(&daxpin_dropped);
			goto unlock;
		}
		daxpin_fill_new(w, task, inode, path, path_truncated);
		daxpin_stats_started(w->info.fs, w->info.dev);
		fresh = true;
	}
	if (w->info.pfn != pfn) {
		w->info.stalled = false;
		w->idle_ticks = 0;
	}
	w->info.pfn = pfn;
	w->info.offset = (u64)where->index << PAGE_SHIFT;
	w->info.order = where->order;
	w->info.kind = where->kind;
	/* The round number is the generation daxpin_tick_one() checks. */
	w->info.rounds++;
	w->wbq = wbq;
	w->offq_ticks = 0;
	daxpin_round_signals(w->node);
	if (fresh && daxpin_event_wanted())
		daxpin_event_queue(DAXPIN_EVENT_WAIT_START, 0, false, &w->info);
unlock:
	spin_unlock_irqrestore(&daxpin_waits_lock, flags);
	if (fresh) {
		queue_delayed_work(system_wq, &daxpin_tick_work,
				   daxpin_poll_jiffies());
		daxpin_rescue_want();	/* arm the put probe */
	}
}

/*
 * signal_generate: @sig was delivered to @task, or to its whole thread group
 * when @group; the target's siglock is held (and so the group's: threads
 * share it).  A waiting thread is interrupted only if the signal woke it:
 * it does not block @sig, and complete_signal(), which ran just before the
 * tracepoint, flagged it TIF_SIGPENDING.  A group signal flags one thread
 * that wants it (the target first), or all of them when fatal; a thread
 * signal only its target.  The chain is the tgid's: lockless.
 */
void daxpin_wait_signalled(struct task_struct *task, int sig, bool group)
{
	struct daxpin_wnode *node;

	if (!atomic_read(&daxpin_nr_waits))
		return;
	rcu_read_lock();
	hlist_for_each_entry_rcu(node, daxpin_bucket(task->tgid), hash) {
		if (node->task != task &&
		    !(group && node->tgid == task->tgid))
			continue;
		if (sigismember(&node->task->blocked, sig) ||
		    !signal_pending(node->task))
			continue;
		WRITE_ONCE(node->signalled, true);
	}
	rcu_read_unlock();
}

unsigned int daxpin_waits_active(void)
{
	return atomic_read(&daxpin_nr_waits);
}

u64 daxpin_waits_dropped(void)
{
	return atomic64_read(&daxpin_dropped);
}

/* Highest wait id given so far: every wait up to it has begun. */
u64 daxpin_waits_last_id(void)
{
	u64 id;

	spin_lock_irq(&daxpin_waits_lock);
	id = daxpin_next_id;
	spin_unlock_irq(&daxpin_waits_lock);
	return id;
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
	for_each_set_bit(i, daxpin_used, daxpin_max_waits) {
		const struct daxpin_wait_info *info = &daxpin_waits[i].info;

		n++;
		if (info->stalled)
			(*stalled)++;
		if (!*oldest_ns || info->start_ns < *oldest_ns)
			*oldest_ns = info->start_ns;
	}
	spin_unlock_irq(&daxpin_waits_lock);
	return n;
}

/*
 * Is the waiter's entry still queued, i.e. is it still asleep on the page?
 * The entry lives on the waiter's stack: it is compared by address until
 * found on the queue, and only then, under the queue's lock (which the
 * waiter needs to take it off), read.  Its key must be the one
 * init_wait_var_entry() gave it (flags = the variable, bit_nr = -1), so that
 * a reused stack address queued for something else does not pass for it.
 */
static bool daxpin_on_queue(unsigned long pfn, void *wbq,
			    struct task_struct *task)
{
	void *var = daxpin_wait_var(pfn_to_page(pfn));
	struct wait_queue_head *wq = __var_waitqueue(var);
	struct wait_bit_queue_entry *wbe = wbq;
	struct wait_queue_entry *e;
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&wq->lock, flags);
	list_for_each_entry(e, &wq->head, entry) {
		if (e != &wbe->wq_entry)
			continue;
		found = e->private == task && wbe->key.flags == var &&
			wbe->key.bit_nr == -1;
		break;
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	return found;
}

void daxpin_page_state(struct daxpin_wait_info *info)
{
	struct dev_pagemap *pgmap;
	struct page *page;

	pgmap = daxpin_get_pgmap(info->pfn, NULL);
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
	info->idle = daxpin_page_idle(page);
	put_dev_pagemap(pgmap);
}

static bool daxpin_task_dying(struct task_struct *task)
{
	return (task->flags & PF_EXITING) || task->exit_state;
}

/*
 * How a wait that left its queue ended.  A signal ends only an
 * interruptible sleep: a final break (6.15+, TASK_UNINTERRUPTIBLE) goes on
 * sleeping with the signal pending and leaves only once its page is idle,
 * so it completed whatever was sent meanwhile.
 */
static u32 daxpin_outcome(struct daxpin_wait *w)
{
	if (w->info.kind != DAXPIN_WAIT_KIND_FINAL &&
	    READ_ONCE(w->node->signalled))
		return DAXPIN_OUTCOME_INTERRUPTED;
	return DAXPIN_OUTCOME_COMPLETED;
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
			daxpin_end_locked(w, daxpin_outcome(w));
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

/*
 * Under the lock: @w sleeps on a page seen idle (@now), and rescue is on.
 * It is woken without confirming the stall over ticks: a wake-up is always
 * safe, the waiter re-checks its page.  Counted as stalled and kicked, like
 * a stall that an administrator kicked; *info is what its event reports.
 */
static void daxpin_rescue_locked(struct daxpin_wait *w,
				 const struct daxpin_wait_info *now,
				 struct daxpin_wait_info *info)
{
	w->offq_ticks = 0;
	if (!w->info.stalled) {
		w->info.stalled = true;
		daxpin_stats_stalled(w->info.fs, w->info.dev);
	}
	if (++w->info.kicks == 1)
		daxpin_stats_kicked(w->info.fs, w->info.dev);
	*info = w->info;
	info->refcount = now->refcount;
	info->dma_pinned = now->dma_pinned;
	info->idle = now->idle;
}

/*
 * Look at the wait in @slot; returns the next slot to look at.  The
 * observation is made without the table's lock and applied only if the
 * same wait is still in the same round: a waiter that was woken and began a
 * new round meanwhile (often with its wait entry at the same stack address)
 * is judged at the next tick instead.  The tick (@judge) decides ends and
 * stalls; a rescue pass (!@judge) only wakes waiters queued on idle pages,
 * since passes come at any interval and ends need ticks apart.
 */
static unsigned int daxpin_look_one(unsigned int slot, bool judge)
{
	struct daxpin_wait_info now, info;
	struct task_struct *task;
	struct daxpin_wait *w;
	bool onq, dying, rescue = false;
	u32 rounds;
	void *wbq;
	u64 id;

	spin_lock_irq(&daxpin_waits_lock);
	slot = find_next_bit(daxpin_used, daxpin_max_waits, slot);
	if (slot >= daxpin_max_waits) {
		spin_unlock_irq(&daxpin_waits_lock);
		return slot;
	}
	w = &daxpin_waits[slot];
	id = w->info.id;
	rounds = w->info.rounds;
	task = w->node->task;
	get_task_struct(task);
	wbq = w->wbq;
	now.pfn = w->info.pfn;
	spin_unlock_irq(&daxpin_waits_lock);

	daxpin_page_state(&now);
	/* A busy page needs no queue walk in a rescue pass. */
	onq = (judge || now.idle) && daxpin_on_queue(now.pfn, wbq, task);
	dying = daxpin_task_dying(task);

	spin_lock_irq(&daxpin_waits_lock);
	if (test_bit(slot, daxpin_used) && w->info.id == id &&
	    w->info.rounds == rounds) {
		rescue = onq && now.idle && !dying && READ_ONCE(daxpin_rescue);
		if (rescue)
			daxpin_rescue_locked(w, &now, &info);
		else if (judge)
			daxpin_judge_locked(w, onq, dying, &now);
	}
	spin_unlock_irq(&daxpin_waits_lock);
	put_task_struct(task);
	if (rescue) {
		/* Only the address is used: no page is dereferenced. */
		wake_up_var(daxpin_wait_var(pfn_to_page(now.pfn)));
		if (daxpin_event_wanted())
			daxpin_event_queue(DAXPIN_EVENT_KICKED,
					   DAXPIN_KICKED_RESCUE, true, &info);
	}
	return slot + 1;
}

static void daxpin_tick(struct work_struct *work)
{
	unsigned int slot = 0;

	while (slot < daxpin_max_waits) {
		slot = daxpin_look_one(slot, true);
		cond_resched();
	}
	if (atomic_read(&daxpin_nr_waits) && !READ_ONCE(daxpin_waits_stopping))
		queue_delayed_work(system_wq, &daxpin_tick_work,
				   daxpin_poll_jiffies());
	else
		daxpin_rescue_update();	/* no waits: disarm the put probe */
}

/* A rescue pass: a page may just have gone idle (daxpin_rescue.c). */
void daxpin_waits_rescue(void)
{
	unsigned int slot = 0;

	if (!atomic_read(&daxpin_nr_waits) || !READ_ONCE(daxpin_rescue))
		return;
	while (slot < daxpin_max_waits) {
		slot = daxpin_look_one(slot, false);
		cond_resched();
	}
}

/*
 * Copy the next wait at or after *slot; *slot moves past it.  *taskp is the
 * waiter, referenced (the caller puts it), for the caller's access checks.
 */
int daxpin_wait_get(unsigned int *slot, struct daxpin_wait_info *info,
		    struct task_struct **taskp)
{
	unsigned int i;
	int ret = -ENOENT;

	spin_lock_irq(&daxpin_waits_lock);
	i = *slot < daxpin_max_waits ?
		find_next_bit(daxpin_used, daxpin_max_waits, *slot) :
		daxpin_max_waits;
	if (i < daxpin_max_waits) {
		*info = daxpin_waits[i].info;
		*taskp = daxpin_waits[i].node->task;
		get_task_struct(*taskp);
		*slot = i + 1;
		ret = 0;
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
	pgmap = daxpin_get_pgmap(info.pfn, NULL);
	if (!pgmap)
		return -ENXIO;
	page = pfn_to_page(info.pfn);
	*was_idle = daxpin_page_idle(page);
	/*
	 * A waiter whose page is still busy re-checks and sleeps again; so
	 * does an uninterruptible final break (6.15+): its loop only ever
	 * leaves on an idle page, so a kick cannot make it go on early.
	 */
	wake_up_var(daxpin_wait_var(page));
	put_dev_pagemap(pgmap);

	if (daxpin_event_wanted()) {
		daxpin_page_state(&info);
		daxpin_event_queue(DAXPIN_EVENT_KICKED, 0, *was_idle, &info);
	}
	/* Notice the end of the wait soon rather than a full period later. */
	mod_delayed_work(system_wq, &daxpin_tick_work, msecs_to_jiffies(20));
	return 0;
}

static void daxpin_waits_free(void)
{
	daxpin_ended_exit();
	free_percpu(daxpin_path_buf);
	daxpin_path_buf = NULL;
	kvfree(daxpin_hash);
	daxpin_hash = NULL;
	bitmap_free(daxpin_used);
	daxpin_used = NULL;
	kvfree(daxpin_waits);
	daxpin_waits = NULL;
}

int daxpin_waits_init(void)
{
	int ret;

	/* About four waits a chain when the table is full, at most 128 KiB. */
	daxpin_hash_bits = clamp_t(unsigned int,
				   order_base_2(daxpin_max_waits) - 2, 4, 14);
	daxpin_waits = kvcalloc(daxpin_max_waits, sizeof(*daxpin_waits),
				GFP_KERNEL);
	daxpin_used = bitmap_zalloc(daxpin_max_waits, GFP_KERNEL);
	daxpin_hash = kvcalloc(1U << daxpin_hash_bits, sizeof(*daxpin_hash),
			       GFP_KERNEL);
	daxpin_path_buf = __alloc_percpu(PATH_MAX, 1);
	if (!daxpin_waits || !daxpin_used || !daxpin_hash || !daxpin_path_buf) {
		daxpin_waits_free();
		return -ENOMEM;
	}
	ret = daxpin_ended_init();
	if (ret)
		daxpin_waits_free();
	return ret;
}

/* Called after the probes are gone: nothing adds or looks up waits any more. */
void daxpin_waits_exit(void)
{
	unsigned int i;

	spin_lock_irq(&daxpin_waits_lock);
	daxpin_waits_stopping = true;
	spin_unlock_irq(&daxpin_waits_lock);
	cancel_delayed_work_sync(&daxpin_tick_work);

	spin_lock_irq(&daxpin_waits_lock);
	for_each_set_bit(i, daxpin_used, daxpin_max_waits)
		daxpin_release_locked(&daxpin_waits[i]);
	spin_unlock_irq(&daxpin_waits_lock);
	/* The nodes' callbacks run this module's code: wait for them. */
	rcu_barrier();
	daxpin_waits_free();
}
