// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: the holders of a wait, i.e. the processes that map its busy page.
 *
 * Looked up on demand while a GET_WAITS dump is built, in the reader's
 * process context (the walk sleeps on i_mmap_rwsem), never in the probe nor
 * for events (built under spinlocks).  The steps:
 *
 *  1. Pin the file.  The wait table names the file by device and inode
 *     number only, and holds no reference: the waiter does, for as long as
 *     it sleeps.  So under the page's wait-queue lock we check that the
 *     waiter's entry is still queued on the page; while it is, the page's
 *     DAX entry (page->mapping) belongs to the inode being broken and the
 *     inode is alive.  Inodes and superblocks are freed after an RCU grace
 *     period, so, still under RCU after dropping the queue lock, an active
 *     superblock reference (so that an unmount cannot finish under us) and
 *     igrab() (which refuses an inode being freed) pin them; the inode is
 *     then checked against the wait's device and inode number.  No lock is
 *     taken inside the queue lock: i_lock nests outside wait-queue locks
 *     elsewhere (inode bit waits), and the queue is a shared hash bucket.
 *  2. Walk the mapping's i_mmap interval tree at the page's index under
 *     i_mmap_lock_read(), after checking there again that the page is still
 *     that file's page at that index (the wait may have ended and the file
 *     be truncated meanwhile).  At most DAXPIN_HOLDERS_MAX mappings are
 *     kept, each with its mm grabbed.
 *  3. Name a process for each mm: one RCU walk of the process list, bounded
 *     (DAXPIN_HOLDERS_TASK_SCAN), looking for a user task whose mm it is.
 *     mm->owner would be O(1) but exists only with CONFIG_MEMCG (Debian's
 *     6.1 and 6.12 have it), names one task only when several processes
 *     share the mm (CLONE_VM), and is not the kernel's for this purpose; the
 *     walk works on any configuration and kernel.
 *  4. Shape each holder for the reader (its pid namespace and user
 *     namespace; an unprivileged reader sees only holders it could inspect)
 *     and drop every reference before the attributes are written.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/memremap.h>
#include <linux/interval_tree_generic.h>
#include <linux/rcupdate.h>
#include <linux/cred.h>
#include <linux/wait_bit.h>
#include <linux/pid_namespace.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include "daxpin_nl.h"
#include "daxpin_compat.h"

/* Processes looked at per wait to name the users of the mappings. */
#define DAXPIN_HOLDERS_TASK_SCAN	65536

/*
 * mm/interval_tree.c does not export vma_interval_tree_iter_first():
 * instantiate the same read-only queries over the same fields (the kernel
 * maintains shared.rb_subtree_last with these very bounds).  The insert and
 * remove functions the macro also defines are never used nor emitted.
 */
static inline unsigned long daxpin_vma_start(struct vm_area_struct *v)
{
	return v->vm_pgoff;
}

static inline unsigned long daxpin_vma_last(struct vm_area_struct *v)
{
	return v->vm_pgoff + vma_pages(v) - 1;
}

INTERVAL_TREE_DEFINE(struct vm_area_struct, shared.rb, unsigned long,
		     shared.rb_subtree_last, daxpin_vma_start, daxpin_vma_last,
		     static __maybe_unused, daxpin_vma_tree)

/* What one lookup holds between its steps. */
struct daxpin_hlookup {
	struct dev_pagemap *pgmap;
	struct page *page;
	struct inode *inode;
	struct super_block *sb;
	pgoff_t index;
	struct mm_struct *mm[DAXPIN_HOLDERS_MAX];
	struct task_struct *task[DAXPIN_HOLDERS_MAX];
};

/*
 * Is @waiter's var-wait entry for @var queued on @wq?  Called with wq->lock
 * held.  Entries on the shared bit-wait hash queues are wait_bit_queue_entry
 * (wait_on_bit(), wait_var_event()); the key is read only once the entry is
 * known to be the sleeping waiter's.
 */
static bool daxpin_waiter_queued(struct wait_queue_head *wq, void *var,
				 struct task_struct *waiter)
{
	struct wait_bit_queue_entry *wbe;
	struct wait_queue_entry *e;

	list_for_each_entry(e, &wq->head, entry) {
		if (e->private != waiter)
			continue;
		wbe = container_of(e, struct wait_bit_queue_entry, wq_entry);
		if (wbe->key.flags == var && wbe->key.bit_nr == -1)
			return true;
	}
	return false;
}

/* The inode whose DAX entry the page is, while @waiter still waits on it. */
static struct inode *daxpin_waited_host(struct page *page,
					struct task_struct *waiter)
{
	void *var = daxpin_wait_var(page);
	struct wait_queue_head *wq = __var_waitqueue(var);
	struct address_space *mapping;
	struct inode *host = NULL;
	unsigned long flags;

	spin_lock_irqsave(&wq->lock, flags);
	if (daxpin_waiter_queued(wq, var, waiter)) {
		mapping = READ_ONCE(page->mapping);
		/* A reflinked (shared, "cow") page names no single file. */
		if (mapping && !((unsigned long)mapping & DAXPIN_MAPPING_FLAGS))
			host = mapping->host;
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	return host;
}

/* Step 1: pin the page and the waited file; 0 or -ENOENT (wait is over). */
static int daxpin_hold_file(struct daxpin_hlookup *l,
			    const struct daxpin_wait_info *w,
			    struct task_struct *waiter)
{
	struct inode *host;

	l->pgmap = daxpin_get_pgmap(w->pfn, NULL);
	if (!l->pgmap)
		return -ENOENT;
	l->page = pfn_to_page(w->pfn);
	l->index = w->offset >> PAGE_SHIFT;

	rcu_read_lock();
	host = daxpin_waited_host(l->page, waiter);
	if (host && atomic_inc_not_zero(&host->i_sb->s_active)) {
		l->sb = host->i_sb;
		l->inode = igrab(host);
	}
	rcu_read_unlock();
	if (l->inode && l->inode->i_ino == w->ino &&
	    l->inode->i_sb->s_dev == w->dev)
		return 0;
	return -ENOENT;
}

static void daxpin_release_file(struct daxpin_hlookup *l)
{
	iput(l->inode);
	if (l->sb)
		deactivate_super(l->sb);
	if (l->pgmap)
		put_dev_pagemap(l->pgmap);
}

static u32 daxpin_vm_flags(const struct vm_area_struct *vma)
{
	u32 f = 0;

	if (vma->vm_flags & VM_SHARED)
		f |= DAXPIN_HOLDER_VM_SHARED;
	if (vma->vm_flags & VM_IO)
		f |= DAXPIN_HOLDER_VM_IO;
	if (vma->vm_flags & VM_PFNMAP)
		f |= DAXPIN_HOLDER_VM_PFNMAP;
	if (vma->vm_flags & VM_LOCKED)
		f |= DAXPIN_HOLDER_VM_LOCKED;
	if (vma->vm_flags & VM_WRITE)
		f |= DAXPIN_HOLDER_VM_WRITE;
	return f;
}

/* Step 2: the mappings of the page; -ENOENT if it left the file meanwhile. */
static int daxpin_walk_mappings(struct daxpin_hlookup *l,
				struct daxpin_holders *hs)
{
	struct address_space *mapping = l->inode->i_mapping;
	struct vm_area_struct *vma;
	struct daxpin_holder *h;
	int ret = 0;

	i_mmap_lock_read(mapping);
	if (READ_ONCE(l->page->mapping) != mapping ||
	    READ_ONCE(page_folio(l->page)->index) != l->index) {
		ret = -ENOENT;
		goto unlock;
	}
	for (vma = daxpin_vma_tree_iter_first(&mapping->i_mmap, l->index,
					      l->index);
	     vma; vma = daxpin_vma_tree_iter_next(vma, l->index, l->index)) {
		if (hs->nr == DAXPIN_HOLDERS_MAX) {
			hs->truncated = true;
			break;
		}
		h = &hs->h[hs->nr];
		h->vm_start = vma->vm_start;
		h->vm_end = vma->vm_end;
		h->address = vma->vm_start +
			     ((l->index - vma->vm_pgoff) << PAGE_SHIFT);
		h->vm_flags = daxpin_vm_flags(vma);
		/* The vma cannot go while i_mmap_rwsem is held: nor its mm. */
		mmgrab(vma->vm_mm);
		l->mm[hs->nr++] = vma->vm_mm;
	}
unlock:
	i_mmap_unlock_read(mapping);
	return ret;
}

/* A user task of process @p with an mm (the leader may have exited). */
static struct mm_struct *daxpin_process_mm(struct task_struct *p,
					   struct task_struct **tp)
{
	struct task_struct *t;
	struct mm_struct *mm;

	if (p->flags & PF_KTHREAD)
		return NULL;
	for_each_thread(p, t) {
		mm = READ_ONCE(t->mm);
		if (mm) {
			*tp = t;
			return mm;
		}
	}
	return NULL;
}

/* Match one process against the mms still without a task; left afterwards. */
static unsigned int daxpin_match_process(struct daxpin_hlookup *l,
					 unsigned int nr, unsigned int left,
					 struct task_struct *p)
{
	struct task_struct *t = NULL;
	struct mm_struct *mm = daxpin_process_mm(p, &t);
	unsigned int i;

	if (!mm)
		return left;
	for (i = 0; i < nr; i++) {
		if (l->task[i] || l->mm[i] != mm)
			continue;
		get_task_struct(t);
		l->task[i] = t;
		left--;
	}
	return left;
}

/* Step 3: a process for each mm, in one bounded RCU walk. */
static void daxpin_find_tasks(struct daxpin_hlookup *l,
			      struct daxpin_holders *hs)
{
	unsigned int left = hs->nr, seen = 0;
	struct task_struct *p;

	if (!left)
		return;
	rcu_read_lock();
	for_each_process(p) {
		if (++seen > DAXPIN_HOLDERS_TASK_SCAN) {
			hs->truncated = true;
			break;
		}
		left = daxpin_match_process(l, hs->nr, left, p);
		if (!left)
			break;
	}
	rcu_read_unlock();
}

/* Step 4: what the reader sees of holder @h, process @t. */
static void daxpin_holder_view(struct daxpin_holder *h, struct task_struct *t,
			       const struct daxpin_reader *r)
{
	struct pid_namespace *ns = task_active_pid_ns(current);

	h->owned = true;
	h->pid = task_pid_nr_ns(t, ns);
	h->tgid = task_tgid_nr_ns(t, ns);
	h->uid = from_kuid_munged(current_user_ns(), task_uid(t));
	get_task_comm(h->comm, t);
	if (r->privileged)
		h->visible = true;
	else
		h->visible = h->pid && daxpin_may_inspect(t);
}

static void daxpin_finish_holders(struct daxpin_hlookup *l,
				  struct daxpin_holders *hs,
				  const struct daxpin_reader *r)
{
	unsigned int i;

	for (i = 0; i < hs->nr; i++) {
		hs->h[i].mm_pinned = daxpin_mm_has_pinned(l->mm[i]);
		if (l->task[i]) {
			daxpin_holder_view(&hs->h[i], l->task[i], r);
			put_task_struct(l->task[i]);
		}
		mmdrop(l->mm[i]);
	}
}

/*
 * Fill @hs with the holders of wait @w, whose waiter is @waiter (referenced
 * by the caller), as reader @r may see them, and point w->holders at it.
 * When the wait is over or its page not a single file's, w->holders stays
 * NULL: nothing is said rather than a guess.  Sleeps.
 */
void daxpin_holders_find(struct daxpin_holders *hs,
			 struct daxpin_wait_info *w,
			 struct task_struct *waiter,
			 const struct daxpin_reader *r)
{
	struct daxpin_hlookup l = { };
	int ret;

	memset(hs, 0, sizeof(*hs));
	w->holders = NULL;
	if (w->page_gone)
		return;
	ret = daxpin_hold_file(&l, w, waiter);
	if (!ret)
		ret = daxpin_walk_mappings(&l, hs);
	daxpin_release_file(&l);
	if (!ret)
		daxpin_find_tasks(&l, hs);
	daxpin_finish_holders(&l, hs, r);
	if (ret)
		return;
	hs->dma_pinned = w->dma_pinned;
	w->holders = hs;
}

static int daxpin_put_holder(struct sk_buff *skb,
			     const struct daxpin_holders *hs,
			     const struct daxpin_holder *h)
{
	struct nlattr *nest = nla_nest_start(skb, DAXPIN_WAIT_ATTR_HOLDER);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, DAXPIN_HOLDER_ATTR_PID, h->pid) ||
	    nla_put_u32(skb, DAXPIN_HOLDER_ATTR_TGID, h->tgid) ||
	    nla_put_string(skb, DAXPIN_HOLDER_ATTR_COMM, h->comm) ||
	    nla_put_u32(skb, DAXPIN_HOLDER_ATTR_UID, h->uid) ||
	    nla_put_u64_64bit(skb, DAXPIN_HOLDER_ATTR_VM_START, h->vm_start,
			      DAXPIN_HOLDER_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_HOLDER_ATTR_VM_END, h->vm_end,
			      DAXPIN_HOLDER_ATTR_PAD) ||
	    nla_put_u32(skb, DAXPIN_HOLDER_ATTR_VM_FLAGS, h->vm_flags) ||
	    nla_put_u64_64bit(skb, DAXPIN_HOLDER_ATTR_ADDRESS, h->address,
			      DAXPIN_HOLDER_ATTR_PAD) ||
	    nla_put_u8(skb, DAXPIN_HOLDER_ATTR_DMA_PINNED, hs->dma_pinned) ||
	    nla_put_u8(skb, DAXPIN_HOLDER_ATTR_MM_PINNED, h->mm_pinned)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * The holder attributes of a wait, inside its nest; nothing when @hs is
 * NULL (events, or nothing known).  NO_HOLDER only when no mapping has a
 * process at all: holders hidden from this reader are not "none".
 */
int daxpin_holders_put(struct sk_buff *skb, const struct daxpin_holders *hs)
{
	bool owned = false;
	unsigned int i;

	if (!hs)
		return 0;
	for (i = 0; i < hs->nr; i++) {
		const struct daxpin_holder *h = &hs->h[i];

		owned |= h->owned;
		if (h->visible && daxpin_put_holder(skb, hs, h))
			return -EMSGSIZE;
	}
	if (hs->truncated &&
	    nla_put_flag(skb, DAXPIN_WAIT_ATTR_HOLDERS_TRUNCATED))
		return -EMSGSIZE;
	if (!owned && !hs->truncated &&
	    nla_put_flag(skb, DAXPIN_WAIT_ATTR_NO_HOLDER))
		return -EMSGSIZE;
	return 0;
}
