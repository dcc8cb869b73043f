/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxpin: differences between the kernels daxpin builds against.
 * Feature tests, not version numbers, wherever the kernel allows it;
 * kmod/COMPAT.md explains each one.
 */
#ifndef _DAXPIN_COMPAT_H
#define _DAXPIN_COMPAT_H

#include <linux/version.h>
#include <linux/mm.h>
#include <linux/dax.h>
#include <linux/memremap.h>
#include <linux/sched/coredump.h>
#ifdef DAXPIN_HAVE_TASK_EXEC_STATE
#include <linux/sched/exec_state.h>
#endif
#include <net/genetlink.h>

/*
 * Multicast groups with a capability check (6.7, in 6.1.y from 6.1.68):
 * without it any local user could join the events group and read every
 * wait's task and file, so such a kernel is not built for at all.
 */
#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "no GENL_MCAST_CAP_NET_ADMIN (6.1.68+): the events group would be open to all"
#endif

/*
 * The fsdax page rework of Linux 6.15 ("fs/dax: fix ZONE_DEVICE page
 * reference counts"): the layout-break wait moved into dax_break_layout()
 * and sleeps on the struct page itself (the folio's head page), not on
 * page->_refcount; a free fsdax page has refcount 0, not 1.  Two feature
 * tests on include/linux/dax.h (kmod/Kbuild), each for what it shows:
 * DAXPIN_HAVE_DAX_BREAK_LAYOUT for the wait variable,
 * DAXPIN_HAVE_DAX_PAGE_IS_IDLE for the idle count, read through the
 * kernel's own dax_page_is_idle().  kmod/COMPAT.md has the details.
 */
#if defined(DAXPIN_HAVE_DAX_BREAK_LAYOUT) != defined(DAXPIN_HAVE_DAX_PAGE_IS_IDLE)
#error "dax_break_layout() and dax_page_is_idle() not both there: unknown fsdax (COMPAT.md)"
#endif

/* Which of the two the module is built for, as a value. */
#ifdef DAXPIN_HAVE_DAX_BREAK_LAYOUT
#define DAXPIN_BREAK_LAYOUT_BUILT	true
#else
#define DAXPIN_BREAK_LAYOUT_BUILT	false
#endif

/* The wait_var_event() variable a layout break sleeps on for @page. */
static inline void *daxpin_wait_var(struct page *page)
{
#ifdef DAXPIN_HAVE_DAX_BREAK_LAYOUT
	return page;
#else
	return &page->_refcount;
#endif
}

/* Where that variable lies within struct page (the probe's filter). */
#ifdef DAXPIN_HAVE_DAX_BREAK_LAYOUT
#define DAXPIN_WAIT_VAR_OFFSET	0UL
#else
#define DAXPIN_WAIT_VAR_OFFSET	offsetof(struct page, _refcount)
#endif

/* What a layout break waits for: no reference but the idle one. */
static inline bool daxpin_page_idle(struct page *page)
{
#ifdef DAXPIN_HAVE_DAX_PAGE_IS_IDLE
	return dax_page_is_idle(page);
#else
	return page_ref_count(page) == 1;
#endif
}

/*
 * Would dax_layout_busy_page() call @folio busy?  Up to 6.14 a mapped
 * fsdax page holds no reference and any count above the idle 1 is a pin;
 * from 6.15 every mapping holds one, and busy is what dax_busy_page()
 * tests: references beyond the mappings.
 */
static inline bool daxpin_folio_busy(struct folio *folio)
{
#ifdef DAXPIN_HAVE_DAX_PAGE_IS_IDLE
	return folio_ref_count(folio) > folio_mapcount(folio);
#else
	return folio_ref_count(folio) > 1;
#endif
}

/* FOLIO_MAPPING_FLAGS replaced PAGE_MAPPING_FLAGS (6.17). */
#ifdef FOLIO_MAPPING_FLAGS
#define DAXPIN_MAPPING_FLAGS	FOLIO_MAPPING_FLAGS
#else
#define DAXPIN_MAPPING_FLAGS	PAGE_MAPPING_FLAGS
#endif

/*
 * The one file that owns @folio, or NULL: a folio not (or no longer)
 * associated, or a shared (reflinked) one, which has no single owner.  Up
 * to 6.14 a shared page's mapping is the flag value PAGE_MAPPING_DAX_COW
 * (6.1) or PAGE_MAPPING_DAX_SHARED (6.12); from 6.15 a shared folio's
 * mapping is NULL and folio->share counts its sharers (dax_folio_is_shared()
 * in fs/dax.c), so the NULL test covers it with no feature test: 6.12's
 * struct page already has a share field that means something else.
 */
static inline struct address_space *daxpin_folio_owner(struct folio *folio)
{
	struct address_space *mapping = READ_ONCE(folio->mapping);

	if ((unsigned long)mapping & DAXPIN_MAPPING_FLAGS)
		return NULL;
	return mapping;
}

/*
 * get_dev_pagemap() lost its second argument, the pagemap a walk already
 * holds, after 6.12 (7.3 has the one-argument form; Kbuild greps for its
 * prototype).  The
 * two-argument form returns @pgmap as is when it covers @pfn, else puts it
 * and looks @pfn up: done here on kernels that no longer do it.
 */
static inline struct dev_pagemap *daxpin_get_pgmap(unsigned long pfn,
						   struct dev_pagemap *pgmap)
{
#ifdef DAXPIN_HAVE_GET_DEV_PAGEMAP_PFN
	phys_addr_t phys = PFN_PHYS(pfn);
	int i;

	if (pgmap) {
		for (i = 0; i < pgmap->nr_range; i++)
			if (phys >= pgmap->ranges[i].start &&
			    phys <= pgmap->ranges[i].end)
				return pgmap;
		put_dev_pagemap(pgmap);
	}
	return get_dev_pagemap(pfn);
#else
	return get_dev_pagemap(pfn, pgmap);
#endif
}

/* The inode alias list's node in struct dentry: out of the d_u union after 6.12. */
#ifdef DAXPIN_HAVE_DENTRY_D_U
#define DAXPIN_D_ALIAS	d_u.d_alias
#else
#define DAXPIN_D_ALIAS	d_alias
#endif

/*
 * Is @task's dumpability the owner's (SUID_DUMP_USER)?  Under task_lock().
 * After 6.12 it moved from the mm's flags (get_dumpable()) to the task's
 * RCU-managed exec_state (Kbuild greps include/linux/sched.h for it);
 * task_exec_state_get_dumpable() is not exported, the field is read here.
 */
/* mm->flags is a bitmap read through mm_flags_test() in 7.3 (not 6.12). */
static inline bool daxpin_mm_has_pinned(const struct mm_struct *mm)
{
#ifdef DAXPIN_HAVE_MM_FLAGS_TEST
	return mm_flags_test(MMF_HAS_PINNED, mm);
#else
	return test_bit(MMF_HAS_PINNED, &mm->flags);
#endif
}

static inline bool daxpin_task_dumpable_locked(struct task_struct *task)
{
#ifdef DAXPIN_HAVE_TASK_EXEC_STATE
	struct task_exec_state *es;
	bool ok;

	if (!task->mm)
		return false;
	rcu_read_lock();
	es = rcu_dereference(task->exec_state);
	ok = es && es->dumpable == TASK_DUMPABLE_OWNER;
	rcu_read_unlock();
	return ok;
#else
	return task->mm && get_dumpable(task->mm) == SUID_DUMP_USER;
#endif
}

/*
 * PREEMPT_RT: the probe handlers run with preemption disabled (kprobe,
 * tracepoint) yet take spinlock_t locks, sleeping locks on RT, and call
 * dentry_path_raw().  Refuse to build rather than load a module that would
 * sleep in atomic context (kmod/COMPAT.md).
 */
#ifdef CONFIG_PREEMPT_RT
#error "daxpin does not support PREEMPT_RT: its probes take sleeping locks (kmod/COMPAT.md)"
#endif

#endif /* _DAXPIN_COMPAT_H */
