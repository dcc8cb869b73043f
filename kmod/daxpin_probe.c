// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: the one probe that is always armed.
 *
 * ext4_break_layouts() and xfs_break_dax_layouts() (up to 6.14), or
 * dax_break_layout() and dax_break_layout_final() (6.15 on), sleep in
 * ___wait_var_event(), which calls init_wait_var_entry() only after
 * dax_layout_busy_page_range() found a busy page, i.e. only when a task is
 * about to wait.  A truncate that finds nothing busy never reaches it, so
 * probing here costs nothing on the path that does not wait.  Other
 * wait_var_event() users reach the probe too; they are told apart by their
 * variable: ours is (daxpin_wait_var()) the refcount of a
 * MEMORY_DEVICE_FS_DAX page, or from 6.15 that page itself.
 *
 * From 6.15 the final break of an inode (eviction, unmount) waits
 * uninterruptibly: a kretprobe on dax_break_layout_final() marks its tasks
 * so that their waits are reported as DAXPIN_WAIT_KIND_FINAL.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/memremap.h>
#include <linux/fs.h>
#include "daxpin.h"
#include "daxpin_compat.h"

#ifndef CONFIG_SPARSEMEM_VMEMMAP
#error "daxpin needs CONFIG_SPARSEMEM_VMEMMAP to map a refcount address to its page"
#endif

/* Tasks in dax_break_layout_final() at once that are told apart. */
#define DAXPIN_FINAL_SLOTS	64

static struct task_struct *daxpin_final_tasks[DAXPIN_FINAL_SLOTS];
static atomic_long_t daxpin_final_overflow = ATOMIC_LONG_INIT(0);
static bool daxpin_final_registered;

/*
 * Map a wait_var_event() variable to the pfn whose daxpin_wait_var() it is,
 * without dereferencing it: only the address arithmetic of the vmemmap.
 */
static bool daxpin_var_to_pfn(const void *var, unsigned long *pfn)
{
	unsigned long addr = (unsigned long)var;
	unsigned long base = (unsigned long)vmemmap;
	unsigned long off;

	if (addr < base + DAXPIN_WAIT_VAR_OFFSET)
		return false;
	off = addr - base - DAXPIN_WAIT_VAR_OFFSET;
	if (off % sizeof(struct page))
		return false;
	*pfn = off / sizeof(struct page);
	return *pfn < (1UL << (MAX_PHYSMEM_BITS - PAGE_SHIFT));
}

/* Is current inside dax_break_layout_final()? */
static bool daxpin_in_final(void)
{
	unsigned int i;

	if (!daxpin_final_registered)
		return false;
	for (i = 0; i < DAXPIN_FINAL_SLOTS; i++)
		if (READ_ONCE(daxpin_final_tasks[i]) == current)
			return true;
	return false;
}

static int daxpin_final_entry(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	unsigned int i;

	for (i = 0; i < DAXPIN_FINAL_SLOTS; i++) {
		if (!cmpxchg(&daxpin_final_tasks[i], NULL, current)) {
			*(unsigned int *)ri->data = i;
			return 0;
		}
	}
	/* Not marked: its waits would be reported as interruptible breaks. */
	atomic_long_inc(&daxpin_final_overflow);
	return 1;
}

static int daxpin_final_ret(struct kretprobe_instance *ri,
			    struct pt_regs *regs)
{
	/* Frees the slot; pairs with the cmpxchg() of the next taker. */
	smp_store_release(&daxpin_final_tasks[*(unsigned int *)ri->data], NULL);
	return 0;
}

static struct kretprobe daxpin_final_probe = {
	.kp.symbol_name	= "dax_break_layout_final",
	.entry_handler	= daxpin_final_entry,
	.handler	= daxpin_final_ret,
	.data_size	= sizeof(unsigned int),
	.maxactive	= DAXPIN_FINAL_SLOTS,
};

static int daxpin_wait_var_pre(struct kprobe *kp, struct pt_regs *regs)
{
	void *wbq = (void *)regs_get_kernel_argument(regs, 0);
	void *var = (void *)regs_get_kernel_argument(regs, 1);
	struct daxpin_wait_where where;
	struct address_space *mapping;
	struct dev_pagemap *pgmap;
	struct folio *folio;
	struct page *page;
	unsigned long pfn;

	if (!daxpin_var_to_pfn(var, &pfn))
		return 0;

	/* Holds the pgmap (and so the memmap of the page) while we look. */
	pgmap = daxpin_get_pgmap(pfn, NULL);
	if (!pgmap)
		return 0;
	if (pgmap->type != MEMORY_DEVICE_FS_DAX)
		goto out;

	page = pfn_to_page(pfn);
	folio = page_folio(page);
	/* Shared (reflinked) DAX pages carry no single owner. */
	mapping = daxpin_folio_owner(folio);
	if (!mapping)
		goto out;

	/* From 6.15 the page is the head of a folio, maybe a large one. */
	where = (struct daxpin_wait_where) {
		.pfn = pfn,
		.index = READ_ONCE(folio->index) + folio_page_idx(folio, page),
		.order = folio_order(folio),
		.kind = daxpin_in_final() ? DAXPIN_WAIT_KIND_FINAL :
					    DAXPIN_WAIT_KIND_BREAK,
	};
	daxpin_wait_begin(current, wbq, mapping->host, &where);
out:
	put_dev_pagemap(pgmap);
	return 0;
}

static struct kprobe daxpin_wait_var_probe = {
	.symbol_name	= "init_wait_var_entry",
	.pre_handler	= daxpin_wait_var_pre,
};

/* Has the running kernel @name?  (kallsyms_lookup_name() is not exported.) */
static bool daxpin_have_symbol(const char *name)
{
	struct kprobe kp = {
		.symbol_name	= name,
		.flags		= KPROBE_FLAG_DISABLED,
	};
	int ret;

	ret = register_kprobe(&kp);
	if (!ret)
		unregister_kprobe(&kp);
	return ret != -ENOENT;
}

/*
 * The symbols daxpin knows the layout-break path by (kmod/COMPAT.md).  A
 * running kernel whose break path is not the one the module was built for
 * (dax_break_layout() present or not) waits where the probe never looks:
 * refuse to load rather than watch nothing.  The build already checked the
 * headers; this catches a module loaded into another kernel's build.
 */
static int daxpin_check_kernel(void)
{
	bool built_new = DAXPIN_BREAK_LAYOUT_BUILT;

	if (!daxpin_have_symbol("dax_layout_busy_page_range")) {
		pr_err("no dax_layout_busy_page_range() in this kernel (CONFIG_FS_DAX off?): nothing to watch\n");
		return -EOPNOTSUPP;
	}
	if (daxpin_have_symbol("dax_break_layout") != built_new) {
		pr_err("this kernel's DAX layout breaks are not the ones daxpin was built for (dax_break_layout() %s): see kmod/COMPAT.md\n",
		       built_new ? "missing" : "present");
		return -EOPNOTSUPP;
	}
	return 0;
}

static void daxpin_probe_exit_final(void)
{
	if (!daxpin_final_registered)
		return;
	unregister_kretprobe(&daxpin_final_probe);
	WRITE_ONCE(daxpin_final_registered, false);
}

/* Optional: without it final-break waits are reported as plain breaks. */
static void daxpin_final_init(void)
{
	if (!DAXPIN_BREAK_LAYOUT_BUILT)
		return;
	if (register_kretprobe(&daxpin_final_probe)) {
		pr_warn("cannot probe dax_break_layout_final(): final-break waits will not be told apart\n");
		return;
	}
	WRITE_ONCE(daxpin_final_registered, true);
}

int daxpin_probe_init(void)
{
	int ret;

	ret = daxpin_check_kernel();
	if (ret)
		return ret;
	daxpin_final_init();
	ret = register_kprobe(&daxpin_wait_var_probe);
	if (ret) {
		pr_err("cannot probe %s (%d): this kernel cannot be watched\n",
		       daxpin_wait_var_probe.symbol_name, ret);
		daxpin_probe_exit_final();
	}
	return ret;
}

void daxpin_probe_exit(void)
{
	unregister_kprobe(&daxpin_wait_var_probe);
	daxpin_probe_exit_final();
}

/*
 * Hits the probes did not handle (one fired inside another kprobe's
 * handler), and final breaks not told apart (more than the slots at once).
 */
u64 daxpin_probe_missed(void)
{
	u64 n = READ_ONCE(daxpin_wait_var_probe.nmissed);

	if (daxpin_final_registered)
		n += READ_ONCE(daxpin_final_probe.nmissed) +
		     READ_ONCE(daxpin_final_probe.kp.nmissed);
	return n + atomic_long_read(&daxpin_final_overflow);
}
