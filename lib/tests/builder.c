// SPDX-License-Identifier: LGPL-2.1
#include <stdio.h>
#include <string.h>
#include <linux/genetlink.h>

#include "builder.h"

struct nl_msg *tb_msg(uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(4 << 20);

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, 0, 1, TEST_FAMILY, 0, flags, cmd,
			 DAXPIN_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct nlattr *tb_attrs(struct nl_msg *msg, int *len)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	*len = genlmsg_attrlen(nlmsg_data(nlh), 0);
	return genlmsg_attrdata(nlmsg_data(nlh), 0);
}

int tb_put_u64(struct nl_msg *msg, int type, uint64_t v, int pad, bool force_pad)
{
	/* like nla_put_u64_64bit() on an arch that needs padding */
	if (force_pad && nla_put(msg, pad, 0, NULL))
		return -1;
	return nla_put_u64(msg, type, v);
}

int tb_put_hist(struct nl_msg *msg, int attr, const struct daxpin_hist *h, bool pad)
{
	struct nlattr *nest = nla_nest_start(msg, attr);
	unsigned int b;

	if (!nest)
		return -1;
	for (b = 0; b < DAXPIN_HIST_BUCKETS; b++)
		if (h->count[b] && tb_put_u64(msg, b + 1, h->count[b], 0, pad))
			return -1;
	nla_nest_end(msg, nest);
	return 0;
}

static int tb_put_holder(struct nl_msg *msg, const struct daxpin_holder *h,
			 bool pad)
{
	struct nlattr *nest = nla_nest_start(msg, DAXPIN_WAIT_ATTR_HOLDER);
	const int P = DAXPIN_HOLDER_ATTR_PAD;

	if (!nest ||
	    nla_put_u32(msg, DAXPIN_HOLDER_ATTR_PID, h->pid) ||
	    nla_put_u32(msg, DAXPIN_HOLDER_ATTR_TGID, h->tgid) ||
	    nla_put_string(msg, DAXPIN_HOLDER_ATTR_COMM, h->comm) ||
	    nla_put_u32(msg, DAXPIN_HOLDER_ATTR_UID, h->uid) ||
	    tb_put_u64(msg, DAXPIN_HOLDER_ATTR_VM_START, h->vm_start, P, pad) ||
	    tb_put_u64(msg, DAXPIN_HOLDER_ATTR_VM_END, h->vm_end, P, pad) ||
	    nla_put_u32(msg, DAXPIN_HOLDER_ATTR_VM_FLAGS, h->vm_flags) ||
	    tb_put_u64(msg, DAXPIN_HOLDER_ATTR_ADDRESS, h->address, P, pad) ||
	    nla_put_u8(msg, DAXPIN_HOLDER_ATTR_DMA_PINNED, h->dma_pinned) ||
	    nla_put_u8(msg, DAXPIN_HOLDER_ATTR_MM_PINNED, h->mm_pinned))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

static int tb_put_holders(struct nl_msg *msg, const struct daxpin_wait *w,
			  bool pad)
{
	uint32_t i;

	for (i = 0; i < w->nr_holders; i++)
		if (tb_put_holder(msg, &w->holders[i], pad))
			return -1;
	if ((w->holders_truncated &&
	     nla_put_flag(msg, DAXPIN_WAIT_ATTR_HOLDERS_TRUNCATED)) ||
	    (w->no_holder && nla_put_flag(msg, DAXPIN_WAIT_ATTR_NO_HOLDER)))
		return -1;
	return 0;
}

int tb_put_wait(struct nl_msg *msg, int attr, const struct daxpin_wait *w, bool pad)
{
	struct nlattr *nest = nla_nest_start(msg, attr);
	const int P = DAXPIN_WAIT_ATTR_PAD;

	if (!nest ||
	    tb_put_u64(msg, DAXPIN_WAIT_ATTR_ID, w->id, P, pad) ||
	    nla_put_u32(msg, DAXPIN_WAIT_ATTR_PID, w->pid) ||
	    nla_put_u32(msg, DAXPIN_WAIT_ATTR_TGID, w->tgid) ||
	    nla_put_string(msg, DAXPIN_WAIT_ATTR_COMM, w->comm) ||
	    nla_put_string(msg, DAXPIN_WAIT_ATTR_FS, w->fs) ||
	    nla_put_u32(msg, DAXPIN_WAIT_ATTR_DEV_MAJOR, w->dev_major) ||
	    nla_put_u32(msg, DAXPIN_WAIT_ATTR_DEV_MINOR, w->dev_minor) ||
	    tb_put_u64(msg, DAXPIN_WAIT_ATTR_INO, w->ino, P, pad) ||
	    (w->has_path &&
	     nla_put_string(msg, DAXPIN_WAIT_ATTR_PATH, w->path)) ||
	    (w->path_truncated &&
	     nla_put_flag(msg, DAXPIN_WAIT_ATTR_PATH_TRUNCATED)) ||
	    tb_put_u64(msg, DAXPIN_WAIT_ATTR_OFFSET, w->offset, P, pad) ||
	    (w->has_pfn &&
	     tb_put_u64(msg, DAXPIN_WAIT_ATTR_PFN, w->pfn, P, pad)) ||
	    tb_put_u64(msg, DAXPIN_WAIT_ATTR_START_NS, w->start_ns, P, pad) ||
	    tb_put_u64(msg, DAXPIN_WAIT_ATTR_WAITED_NS, w->waited_ns, P, pad) ||
	    nla_put_u32(msg, DAXPIN_WAIT_ATTR_ROUNDS, w->rounds) ||
	    nla_put_u32(msg, DAXPIN_WAIT_ATTR_REFCOUNT, w->refcount) ||
	    nla_put_u8(msg, DAXPIN_WAIT_ATTR_DMA_PINNED, w->dma_pinned) ||
	    nla_put_u8(msg, DAXPIN_WAIT_ATTR_IDLE, w->idle) ||
	    nla_put_u8(msg, DAXPIN_WAIT_ATTR_STALLED, w->stalled) ||
	    nla_put_u32(msg, DAXPIN_WAIT_ATTR_KICKS, w->kicks) ||
	    tb_put_holders(msg, w, pad) ||
	    (w->page_gone && nla_put_flag(msg, DAXPIN_WAIT_ATTR_PAGE_GONE)) ||
	    (w->ended && nla_put_flag(msg, DAXPIN_WAIT_ATTR_ENDED)) ||
	    (w->has_outcome && nla_put_u32(msg, DAXPIN_WAIT_ATTR_OUTCOME, w->outcome)) ||
	    (w->ended && tb_put_u64(msg, DAXPIN_WAIT_ATTR_END_SEQ, w->end_seq, P, pad)) ||
	    nla_put_u8(msg, DAXPIN_WAIT_ATTR_KIND, w->kind) ||
	    nla_put_u8(msg, DAXPIN_WAIT_ATTR_FOLIO_ORDER, w->folio_order))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

int tb_put_global(struct nl_msg *msg, const struct daxpin_global *g, bool pad)
{
	struct nlattr *nest = nla_nest_start(msg, DAXPIN_ATTR_GLOBAL);
	const int P = DAXPIN_GLOBAL_ATTR_PAD;

	if (!nest ||
	    nla_put_string(msg, DAXPIN_GLOBAL_ATTR_VERSION, g->version) ||
	    nla_put_u32(msg, DAXPIN_GLOBAL_ATTR_WAITS_ACTIVE, g->waits_active) ||
	    nla_put_u32(msg, DAXPIN_GLOBAL_ATTR_WAITS_MAX, g->waits_max) ||
	    tb_put_u64(msg, DAXPIN_GLOBAL_ATTR_WAITS_DROPPED, g->waits_dropped, P, pad) ||
	    tb_put_u64(msg, DAXPIN_GLOBAL_ATTR_EVENTS_SENT, g->events_sent, P, pad) ||
	    tb_put_u64(msg, DAXPIN_GLOBAL_ATTR_EVENTS_DROPPED, g->events_dropped, P, pad) ||
	    tb_put_u64(msg, DAXPIN_GLOBAL_ATTR_BREAKS, g->breaks, P, pad) ||
	    tb_put_hist(msg, DAXPIN_GLOBAL_ATTR_SCAN_HIST, &g->scan_hist, pad) ||
	    tb_put_u64(msg, DAXPIN_GLOBAL_ATTR_RESET_NS, g->reset_ns, P, pad) ||
	    (g->has_summary &&
	     nla_put_u32(msg, DAXPIN_GLOBAL_ATTR_WAITS_STALLED, g->waits_stalled)) ||
	    (g->oldest_waited_ns &&
	     tb_put_u64(msg, DAXPIN_GLOBAL_ATTR_OLDEST_WAITED_NS,
			g->oldest_waited_ns, P, pad)))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

int tb_put_sb(struct nl_msg *msg, const struct daxpin_sb_stats *sb, bool pad)
{
	struct nlattr *nest = nla_nest_start(msg, DAXPIN_ATTR_SB);
	const int P = DAXPIN_SB_ATTR_PAD;

	if (!nest ||
	    nla_put_string(msg, DAXPIN_SB_ATTR_FS, sb->fs) ||
	    nla_put_u32(msg, DAXPIN_SB_ATTR_DEV_MAJOR, sb->dev_major) ||
	    nla_put_u32(msg, DAXPIN_SB_ATTR_DEV_MINOR, sb->dev_minor) ||
	    tb_put_u64(msg, DAXPIN_SB_ATTR_STARTED, sb->started, P, pad) ||
	    tb_put_u64(msg, DAXPIN_SB_ATTR_COMPLETED, sb->completed, P, pad) ||
	    tb_put_u64(msg, DAXPIN_SB_ATTR_INTERRUPTED, sb->interrupted, P, pad) ||
	    tb_put_u64(msg, DAXPIN_SB_ATTR_KICKED, sb->kicked, P, pad) ||
	    tb_put_u64(msg, DAXPIN_SB_ATTR_STALLED, sb->stalled, P, pad) ||
	    tb_put_u64(msg, DAXPIN_SB_ATTR_TOTAL_NS, sb->total_ns, P, pad) ||
	    tb_put_u64(msg, DAXPIN_SB_ATTR_MAX_NS, sb->max_ns, P, pad) ||
	    tb_put_hist(msg, DAXPIN_SB_ATTR_HIST, &sb->hist, pad))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

int tb_put_gp(struct nl_msg *msg, const struct daxpin_gp_stats *gp, bool pad)
{
	struct nlattr *nest = nla_nest_start(msg, DAXPIN_ATTR_GP);
	const int P = DAXPIN_GP_ATTR_PAD;

	if (!nest ||
	    nla_put_u32(msg, DAXPIN_GP_ATTR_PRIMITIVE, gp->primitive) ||
	    nla_put_u32(msg, DAXPIN_GP_ATTR_CONTEXT, gp->context) ||
	    nla_put_string(msg, DAXPIN_GP_ATTR_NAME, gp->name) ||
	    tb_put_u64(msg, DAXPIN_GP_ATTR_COUNT, gp->count, P, pad) ||
	    tb_put_u64(msg, DAXPIN_GP_ATTR_TOTAL_NS, gp->total_ns, P, pad) ||
	    tb_put_u64(msg, DAXPIN_GP_ATTR_MAX_NS, gp->max_ns, P, pad) ||
	    (gp->has_missed &&
	     tb_put_u64(msg, DAXPIN_GP_ATTR_MISSED, gp->missed, P, pad)) ||
	    tb_put_hist(msg, DAXPIN_GP_ATTR_HIST, &gp->hist, pad))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

int tb_put_config(struct nl_msg *msg, const struct daxpin_config *c)
{
	struct nlattr *nest = nla_nest_start(msg, DAXPIN_ATTR_CONFIG);

	if (!nest ||
	    nla_put_u32(msg, DAXPIN_CONFIG_ATTR_MAX_WAITS, c->max_waits) ||
	    nla_put_u32(msg, DAXPIN_CONFIG_ATTR_POLL_MS, c->poll_ms) ||
	    nla_put_u8(msg, DAXPIN_CONFIG_ATTR_OPEN_READS, c->open_reads) ||
	    nla_put_u8(msg, DAXPIN_CONFIG_ATTR_COUNT_BREAKS, c->count_breaks) ||
	    nla_put_u32(msg, DAXPIN_CONFIG_ATTR_EVENT_BURST, c->event_burst) ||
	    ((c->mask & DAXPIN_CFG_RESCUE) &&
	     nla_put_u8(msg, DAXPIN_CONFIG_ATTR_RESCUE, c->rescue)))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

int tb_put_page(struct nl_msg *msg, const struct daxpin_scan_page *p, bool pad)
{
	struct nlattr *nest = nla_nest_start(msg, DAXPIN_ATTR_SCAN_PAGE);
	const int P = DAXPIN_PAGE_ATTR_PAD;

	if (!nest ||
	    tb_put_u64(msg, DAXPIN_PAGE_ATTR_OFFSET, p->offset, P, pad) ||
	    (p->has_pfn &&
	     tb_put_u64(msg, DAXPIN_PAGE_ATTR_PFN, p->pfn, P, pad)) ||
	    nla_put_u32(msg, DAXPIN_PAGE_ATTR_REFCOUNT, p->refcount) ||
	    nla_put_u8(msg, DAXPIN_PAGE_ATTR_DMA_PINNED, p->dma_pinned) ||
	    nla_put_u8(msg, DAXPIN_PAGE_ATTR_PMD, p->pmd))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

int tb_put_bench(struct nl_msg *msg, const struct daxpin_bench_result *r, bool pad)
{
	struct nlattr *nest = nla_nest_start(msg, DAXPIN_ATTR_BENCH_RESULT);
	const int P = DAXPIN_BENCH_ATTR_PAD;

	if (!nest ||
	    nla_put_u32(msg, DAXPIN_BENCH_ATTR_PRIMITIVE, r->primitive) ||
	    nla_put_string(msg, DAXPIN_BENCH_ATTR_NAME, r->name) ||
	    nla_put_u32(msg, DAXPIN_BENCH_ATTR_ITERATIONS, r->iterations) ||
	    tb_put_u64(msg, DAXPIN_BENCH_ATTR_MIN_NS, r->min_ns, P, pad) ||
	    tb_put_u64(msg, DAXPIN_BENCH_ATTR_MEDIAN_NS, r->median_ns, P, pad) ||
	    tb_put_u64(msg, DAXPIN_BENCH_ATTR_MAX_NS, r->max_ns, P, pad))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

int tb_put_event(struct nl_msg *msg, const struct daxpin_event *ev, bool pad)
{
	struct nlattr *nest = nla_nest_start(msg, DAXPIN_ATTR_EVENT);

	if (!nest ||
	    nla_put_u32(msg, DAXPIN_EVENT_ATTR_TYPE, ev->type) ||
	    tb_put_u64(msg, DAXPIN_EVENT_ATTR_TIME_NS, ev->time_ns,
		       DAXPIN_EVENT_ATTR_PAD, pad) ||
	    (ev->has_wait &&
	     tb_put_wait(msg, DAXPIN_EVENT_ATTR_WAIT, &ev->wait, pad)) ||
	    (ev->has_outcome &&
	     nla_put_u32(msg, DAXPIN_EVENT_ATTR_OUTCOME, ev->outcome)) ||
	    (ev->has_was_idle &&
	     nla_put_u8(msg, DAXPIN_EVENT_ATTR_WAS_IDLE, ev->was_idle)) ||
	    (ev->rescued && nla_put_flag(msg, DAXPIN_EVENT_ATTR_RESCUED)) ||
	    (ev->has_dropped &&
	     tb_put_u64(msg, DAXPIN_EVENT_ATTR_DROPPED, ev->dropped,
			DAXPIN_EVENT_ATTR_PAD, pad)) ||
	    (ev->has_end_seq &&
	     tb_put_u64(msg, DAXPIN_EVENT_ATTR_END_SEQ, ev->end_seq,
			DAXPIN_EVENT_ATTR_PAD, pad)))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

/* i % 4: 0 not known, 1 none, 2 one holder, 3 two (the second truncated
 * when i % 8 == 7)
 */
static void tb_sample_holders(struct daxpin_wait *w, unsigned int i)
{
	uint32_t k;

	w->no_holder = i % 4 == 1;
	w->nr_holders = i % 4 >= 2 ? i % 4 - 1 : 0;
	w->holders_truncated = i % 8 == 7;
	for (k = 0; k < w->nr_holders; k++) {
		struct daxpin_holder *h = &w->holders[k];

		h->pid = 6000 + i + k;
		h->tgid = 6000 + i;
		h->uid = k ? 0 : 1000;
		snprintf(h->comm, sizeof(h->comm), "pinner-%u", k);
		h->vm_start = 0x7f0000000000ULL + ((uint64_t)i << 20);
		h->vm_end = h->vm_start + 0x200000;
		h->address = h->vm_start + 0x1000 * k;
		h->vm_flags = k ? DAXPIN_HOLDER_VM_LOCKED :
			      DAXPIN_HOLDER_VM_SHARED | DAXPIN_HOLDER_VM_WRITE;
		h->dma_pinned = w->dma_pinned;
		h->mm_pinned = k == 0;
	}
}

int tb_put_waits_log(struct nl_msg *msg, const struct daxpin_waits_log *log, bool pad)
{
	return (log->has_seq &&
		tb_put_u64(msg, DAXPIN_ATTR_ENDED_SEQ, log->seq, DAXPIN_ATTR_PAD, pad)) ||
	       (log->has_lost &&
		tb_put_u64(msg, DAXPIN_ATTR_ENDED_LOST, log->lost, DAXPIN_ATTR_PAD, pad)) ||
	       (log->has_last_id &&
		tb_put_u64(msg, DAXPIN_ATTR_LAST_ID, log->last_id, DAXPIN_ATTR_PAD, pad)) ? -1 : 0;
}

void tb_sample_wait(struct daxpin_wait *w, unsigned int i)
{
	memset(w, 0, sizeof(*w));
	w->id = 1000 + i;
	w->pid = 4000 + i;
	w->tgid = 3000 + i;
	snprintf(w->comm, sizeof(w->comm), "trunc-%u", i % 1000);
	snprintf(w->fs, sizeof(w->fs), "%s", i % 2 ? "xfs" : "ext4");
	w->dev_major = 259;
	w->dev_minor = i % 4;
	w->ino = 12 + i;
	/* as an administrator sees it, but for a few without pfn or path */
	w->has_path = i % 5 != 4;
	if (w->has_path)
		snprintf(w->path, sizeof(w->path), "/dir %u/file-%u", i % 7, i);
	w->path_truncated = i % 9 == 8;
	w->offset = (uint64_t)i * 4096;
	w->has_pfn = i % 4 != 3;
	w->pfn = w->has_pfn ? 0x240000 + i : 0;
	w->start_ns = 5000000000ULL + i;
	w->waited_ns = 1234567890ULL + i * 1000000ULL;
	w->rounds = i % 13;
	w->refcount = i % 3 ? 3 : 1;
	w->dma_pinned = i % 3 != 0;
	w->idle = i % 3 == 0;
	w->stalled = i % 6 == 0;
	w->kicks = i % 5;
	w->page_gone = i % 11 == 10;
	tb_sample_holders(w, i);
	w->kind = i % 4 == 2 ? DAXPIN_WAIT_KIND_FINAL : DAXPIN_WAIT_KIND_BREAK;
	w->folio_order = i % 8 == 7 ? 9 : 0;
}
