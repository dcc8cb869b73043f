// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: list the busy pages of one DAX file, a piece at a time.
 *
 * A read-only walk of the file's DAX entries under the i_pages lock.  The
 * entry encoding is private to fs/dax.c; it is mirrored here and recorded in
 * COMPAT.md for each kernel daxpin builds against.  A page is busy when
 * dax_layout_busy_page() would wait for it (daxpin_folio_busy(): a refcount
 * above one up to 6.14, references beyond the mappings from 6.15).  From
 * 6.15 a 2 MiB entry is one large folio whose head page holds the count:
 * it is listed once, at the folio's first page, and its tail pages never.
 *
 * A file may still map media whose namespace was torn down (nd_pmem
 * unbound with the filesystem mounted): its memmap is gone.  So a page is
 * read only under a reference on its dev_pagemap, which memunmap_pages()
 * waits for; an entry whose pagemap is dead is skipped.  The lock (and the
 * pagemap reference) is dropped for a reschedule every DAXPIN_SCAN_BATCH
 * pages, counting each page of a 2 MiB entry, not every entry.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/memremap.h>
#include <linux/xarray.h>
#include "daxpin.h"
#include "daxpin_compat.h"

#define DAX_SHIFT	4
#define DAX_PMD		BIT(1)
#define DAX_ZERO_PAGE	BIT(2)
#define DAX_EMPTY	BIT(3)

/* Pages looked at between two chances to reschedule. */
#define DAXPIN_SCAN_BATCH	1024

struct daxpin_scan_walk {
	struct daxpin_scan_cursor *cur;
	struct daxpin_busy_page *pages;
	unsigned int max;
	unsigned int nr;
	unsigned int budget;		/* pages left before a reschedule */
	struct dev_pagemap *pgmap;	/* held while its pages are read */
};

/*
 * Look at the pages of one entry from cur->next on.  Returns false when
 * @walk is full; cur->next then names the first page not looked at.
 */
static bool daxpin_scan_entry(struct daxpin_scan_walk *walk, unsigned long v,
			      pgoff_t index)
{
	unsigned int n = (v & DAX_PMD) ? PTRS_PER_PMD : 1;
	unsigned long pfn = v >> DAX_SHIFT;
	pgoff_t base = index & ~((pgoff_t)n - 1);
	pgoff_t i = max(base, walk->cur->next) - base;
	struct folio *folio;
	struct page *page;

	if (i == 0)
		walk->cur->entries++;
	for (; i < n; i++) {
		walk->pgmap = daxpin_get_pgmap(pfn + i, walk->pgmap);
		if (!walk->pgmap)
			break;		/* torn down: nothing to read */
		walk->budget -= min(walk->budget, 1U);
		page = pfn_to_page(pfn + i);
		folio = page_folio(page);
		/* A tail page's count is its folio's, listed at the head. */
		if (&folio->page != page || !daxpin_folio_busy(folio))
			continue;
		if (walk->nr == walk->max) {
			walk->cur->next = base + i;
			return false;
		}
		walk->pages[walk->nr++] = (struct daxpin_busy_page) {
			.offset = (u64)(base + i) << PAGE_SHIFT,
			.pfn = pfn + i,
			.refcount = folio_ref_count(folio),
			.dma_pinned = folio_maybe_dma_pinned(folio),
			.pmd = n > 1,
		};
	}
	walk->cur->next = base + n;
	return true;
}

static void daxpin_scan_put_pgmap(struct daxpin_scan_walk *walk)
{
	if (walk->pgmap)
		put_dev_pagemap(walk->pgmap);
	walk->pgmap = NULL;
}

/**
 * daxpin_scan_some() - find the next busy pages of a DAX file
 * @file: the file, opened for reading
 * @cur: where to go on from; updated (cur->done once the file is walked)
 * @pages: array of @max entries to fill
 * @max: room in @pages
 *
 * Returns the number of pages filled in; fewer than @max only when the walk
 * reached the end of the file.
 */
unsigned int daxpin_scan_some(struct file *file, struct daxpin_scan_cursor *cur,
			      struct daxpin_busy_page *pages, unsigned int max)
{
	struct daxpin_scan_walk walk = {
		.cur = cur, .pages = pages, .max = max,
		.budget = DAXPIN_SCAN_BATCH,
	};
	XA_STATE(xas, &file->f_mapping->i_pages, cur->next);
	unsigned long v;
	void *entry;

	xas_lock_irq(&xas);
	xas_for_each(&xas, entry, ULONG_MAX) {
		if (!xa_is_value(entry))
			continue;
		v = xa_to_value(entry);
		if (v & (DAX_ZERO_PAGE | DAX_EMPTY)) {
			cur->next = xas.xa_index + 1;
			continue;
		}
		if (!daxpin_scan_entry(&walk, v, xas.xa_index))
			goto out;
		if (walk.budget)
			continue;
		xas_pause(&xas);
		xas_unlock_irq(&xas);
		daxpin_scan_put_pgmap(&walk);
		cond_resched();
		walk.budget = DAXPIN_SCAN_BATCH;
		xas_lock_irq(&xas);
	}
	cur->done = true;
out:
	xas_unlock_irq(&xas);
	daxpin_scan_put_pgmap(&walk);
	return walk.nr;
}
