// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: the one probe that is always armed.
 *
 * ext4_break_layouts() and xfs_break_dax_layouts() sleep in
 * ___wait_var_event(&page->_refcount, ...), which calls init_wait_var_entry()
 * only after dax_layout_busy_page() found a busy page, i.e. only when a task
 * is about to wait.  A truncate that finds nothing busy never reaches it, so
 * probing here costs nothing on the path that does not wait.  Other
 * wait_var_event() users reach the probe too; they are told apart by their
 * variable: ours is the refcount of a MEMORY_DEVICE_FS_DAX page.
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

/*
 * Map a wait_var_event() variable to the pfn whose page->_refcount it is,
 * without dereferencing it: only the address arithmetic of the vmemmap.
 */
static bool daxpin_var_to_pfn(const void *var, unsigned long *pfn)
{
	unsigned long addr = (unsigned long)var;
	unsigned long base = (unsigned long)vmemmap;
	unsigned long off;

	if (addr < base + offsetof(struct page, _refcount))
		return false;
	off = addr - base - offsetof(struct page, _refcount);
	if (off % sizeof(struct page))
		return false;
	*pfn = off / sizeof(struct page);
	return *pfn < (1UL << (MAX_PHYSMEM_BITS - PAGE_SHIFT));
}

static int daxpin_wait_var_pre(struct kprobe *kp, struct pt_regs *regs)
{
	void *wbq = (void *)regs_get_kernel_argument(regs, 0);
	void *var = (void *)regs_get_kernel_argument(regs, 1);
	struct address_space *mapping;
	struct dev_pagemap *pgmap;
	struct page *page;
	unsigned long pfn;

	if (!daxpin_var_to_pfn(var, &pfn))
		return 0;

	/* Holds the pgmap (and so the memmap of the page) while we look. */
	pgmap = get_dev_pagemap(pfn, NULL);
	if (!pgmap)
		return 0;
	if (pgmap->type != MEMORY_DEVICE_FS_DAX)
		goto out;

	page = pfn_to_page(pfn);
	mapping = READ_ONCE(page->mapping);
	/* Shared (reflinked) DAX pages carry no single owner. */
	if (!mapping || ((unsigned long)mapping & PAGE_MAPPING_FLAGS))
		goto out;

	daxpin_wait_begin(current, wbq, pfn, mapping->host, READ_ONCE(page->index));
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
 * kernel without them, or with the dax_break_layout() of Linux 6.15, waits
 * where the probe never looks: refuse to load rather than watch nothing.
 */
static int daxpin_check_kernel(void)
{
	if (!daxpin_have_symbol("dax_layout_busy_page_range")) {
		pr_err("no dax_layout_busy_page_range() in this kernel (CONFIG_FS_DAX off?): nothing to watch\n");
		return -EOPNOTSUPP;
	}
	if (daxpin_have_symbol("dax_break_layout")) {
		pr_err("this kernel breaks DAX layouts in dax_break_layout() (Linux 6.15 and later), which daxpin does not know: see kmod/COMPAT.md\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

int daxpin_probe_init(void)
{
	int ret;

	ret = daxpin_check_kernel();
	if (ret)
		return ret;
	ret = register_kprobe(&daxpin_wait_var_probe);
	if (ret)
		pr_err("cannot probe %s (%d): this kernel cannot be watched\n",
		       daxpin_wait_var_probe.symbol_name, ret);
	return ret;
}

void daxpin_probe_exit(void)
{
	unregister_kprobe(&daxpin_wait_var_probe);
}

/* Hits the probe did not handle (it fired inside another kprobe's handler). */
u64 daxpin_probe_missed(void)
{
	return READ_ONCE(daxpin_wait_var_probe.nmissed);
}
