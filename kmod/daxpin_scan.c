// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: list the busy pages of one DAX file.
 *
 * A read-only walk of the file's DAX entries under the i_pages lock.  The
 * entry encoding is private to fs/dax.c; it is mirrored here and recorded in
 * COMPAT.md for each kernel daxpin builds against.  A page is busy when its
 * refcount is above one: exactly what dax_layout_busy_page() waits for.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/xarray.h>
#include <linux/netlink.h>
#include "daxpin.h"

#define DAX_SHIFT	4
#define DAX_PMD		BIT(1)
#define DAX_ZERO_PAGE	BIT(2)
#define DAX_EMPTY	BIT(3)

/* Entries walked between two chances to reschedule. */
#define DAXPIN_SCAN_BATCH	4096

static void daxpin_scan_entry(unsigned long v, pgoff_t index,
			      struct daxpin_busy_page *pages, unsigned int max,
			      unsigned int *nr, bool *truncated)
{
	unsigned long pfn = v >> DAX_SHIFT;
	unsigned int i, n = (v & DAX_PMD) ? PTRS_PER_PMD : 1;
	struct page *page;
	u32 ref;

	index &= ~((pgoff_t)n - 1);
	for (i = 0; i < n; i++) {
		page = pfn_to_page(pfn + i);
		ref = page_ref_count(page);
		if (ref <= 1)
			continue;
		if (*nr == max) {
			*truncated = true;
			return;
		}
		pages[*nr] = (struct daxpin_busy_page) {
			.offset = (u64)(index + i) << PAGE_SHIFT,
			.pfn = pfn + i,
			.refcount = ref,
			.dma_pinned = folio_maybe_dma_pinned(page_folio(page)),
			.pmd = n > 1,
		};
		(*nr)++;
	}
}

int daxpin_scan_file(struct file *file, struct daxpin_busy_page *pages,
		     unsigned int max, unsigned int *nr, bool *truncated,
		     u64 *entries, struct netlink_ext_ack *extack)
{
	struct address_space *mapping = file->f_mapping;
	XA_STATE(xas, &mapping->i_pages, 0);
	unsigned long v;
	void *entry;

	*nr = 0;
	*truncated = false;
	*entries = 0;
	if (!IS_DAX(file_inode(file))) {
		NL_SET_ERR_MSG(extack, "not a DAX file: its pages are page cache, never pinned media");
		return -EOPNOTSUPP;
	}

	xas_lock_irq(&xas);
	xas_for_each(&xas, entry, ULONG_MAX) {
		if (!xa_is_value(entry))
			continue;
		v = xa_to_value(entry);
		(*entries)++;
		if (!(v & (DAX_ZERO_PAGE | DAX_EMPTY)))
			daxpin_scan_entry(v, xas.xa_index, pages, max, nr,
					  truncated);
		if (*truncated)
			break;
		if (*entries % DAXPIN_SCAN_BATCH)
			continue;
		xas_pause(&xas);
		xas_unlock_irq(&xas);
		cond_resched();
		xas_lock_irq(&xas);
	}
	xas_unlock_irq(&xas);
	return 0;
}
