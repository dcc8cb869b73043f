// SPDX-License-Identifier: LGPL-2.1
/*
 * Pure parsers of daxpin generic netlink messages: no I/O, no allocation
 * except for the growable result arrays. Strict: every known attribute must
 * have exactly the size of its type, strings must be NUL terminated and fit,
 * nests must be fully consumed. Unknown attribute types are skipped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "daxpin.h"
#include "private.h"

enum attr_kind {
	K_IGNORE = 0,	/* PAD, UNSPEC and unknown */
	K_U8,
	K_U32,
	K_U64,
	K_STR,
	K_FLAG,
	K_NEST,
};

#define MAX_ATTRS 32

void *daxpin_array_add(void **arr, size_t *nr, size_t *alloc, size_t size)
{
	char *p;

	if (*nr == *alloc) {
		size_t n = *alloc ? *alloc * 2 : 16;

		if (n > SIZE_MAX / size)
			return NULL;
		p = realloc(*arr, n * size);
		if (!p)
			return NULL;
		*arr = p;
		*alloc = n;
	}
	p = (char *)*arr + *nr * size;
	memset(p, 0, size);
	(*nr)++;
	return p;
}

static int check_len(enum attr_kind kind, const struct nlattr *nla)
{
	int len = nla_len(nla);
	const char *s;

	switch (kind) {
	case K_U8:
		return len == 1 ? 0 : -EBADMSG;
	case K_U32:
		return len == 4 ? 0 : -EBADMSG;
	case K_U64:
		return len == 8 ? 0 : -EBADMSG;
	case K_FLAG:
		return len == 0 ? 0 : -EBADMSG;
	case K_STR:
		s = nla_data(nla);
		if (len < 1 || memchr(s, '\0', len) == NULL)
			return -EBADMSG;
		return 0;
	case K_NEST:
	case K_IGNORE:
	default:
		return 0;
	}
}

/*
 * Walk the attribute stream [data, data + len) and index the known ones in
 * tb[0..max]; kinds[] gives the expected kind of each type.
 */
static int parse_stream(const void *data, int len, const unsigned char *kinds,
			int max, const struct nlattr **tb)
{
	const struct nlattr *nla = data;
	int rem = len, rc;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	if (len < 0)
		return -EBADMSG;
	for (; nla_ok(nla, rem); nla = nla_next(nla, &rem)) {
		int type = nla_type(nla);

		if (type <= 0 || type > max || kinds[type] == K_IGNORE)
			continue;
		rc = check_len(kinds[type], nla);
		if (rc)
			return rc;
		tb[type] = nla;
	}
	/* leftover bytes: a truncated or corrupt attribute */
	if (rem > 0)
		return -EBADMSG;
	return 0;
}

static int parse_nest(const struct nlattr *nest, const unsigned char *kinds,
		      int max, const struct nlattr **tb)
{
	if (!nest)
		return -EINVAL;
	return parse_stream(nla_data(nest), nla_len(nest), kinds, max, tb);
}

static uint64_t get_u64(const struct nlattr *nla)
{
	uint64_t v;

	memcpy(&v, nla_data(nla), sizeof(v));
	return v;
}

static uint32_t get_u32(const struct nlattr *nla)
{
	uint32_t v;

	memcpy(&v, nla_data(nla), sizeof(v));
	return v;
}

static uint8_t get_u8(const struct nlattr *nla)
{
	return *(const uint8_t *)nla_data(nla);
}

static int get_str(const struct nlattr *nla, char *dst, size_t size)
{
	size_t n = strnlen(nla_data(nla), nla_len(nla));

	if (n >= size)
		return -EBADMSG;
	memcpy(dst, nla_data(nla), n);
	dst[n] = '\0';
	return 0;
}

#define U64(tb, a, dst)	do { if ((tb)[a]) (dst) = get_u64((tb)[a]); } while (0)
#define U32(tb, a, dst)	do { if ((tb)[a]) (dst) = get_u32((tb)[a]); } while (0)
#define BOOL(tb, a, dst) do { if ((tb)[a]) (dst) = get_u8((tb)[a]) != 0; } while (0)
#define STR(tb, a, dst) do { \
	if ((tb)[a]) { \
		int __rc = get_str((tb)[a], (dst), sizeof(dst)); \
		if (__rc) \
			return __rc; \
	} \
} while (0)

uint64_t daxpin_hist_lo_us(unsigned int b)
{
	if (b == 0)
		return 0;
	if (b >= 64)
		return UINT64_MAX;
	return 1ULL << b;
}

uint64_t daxpin_hist_hi_us(unsigned int b)
{
	if (b >= 63)
		return UINT64_MAX;
	return 1ULL << (b + 1);
}

uint64_t daxpin_hist_total(const struct daxpin_hist *h)
{
	uint64_t t = 0;
	unsigned int b;

	for (b = 0; b < DAXPIN_HIST_BUCKETS; b++)
		t += h->count[b];
	return t;
}

int daxpin_parse_hist(const struct nlattr *nest, struct daxpin_hist *h)
{
	const struct nlattr *nla;
	int rem;

	memset(h, 0, sizeof(*h));
	if (!nest)
		return -EINVAL;
	nla = nla_data(nest);
	rem = nla_len(nest);
	for (; nla_ok(nla, rem); nla = nla_next(nla, &rem)) {
		int type = nla_type(nla);

		/* the module pads u64 buckets with attribute type 0 */
		if (type == 0)
			continue;
		if (type > DAXPIN_HIST_BUCKETS)
			return -EBADMSG;
		if (nla_len(nla) != 8)
			return -EBADMSG;
		h->count[type - 1] = get_u64(nla);
	}
	if (rem > 0)
		return -EBADMSG;
	return 0;
}

static const unsigned char wait_kinds[DAXPIN_WAIT_ATTR_MAX + 1] = {
	[DAXPIN_WAIT_ATTR_ID] = K_U64,
	[DAXPIN_WAIT_ATTR_PID] = K_U32,
	[DAXPIN_WAIT_ATTR_TGID] = K_U32,
	[DAXPIN_WAIT_ATTR_COMM] = K_STR,
	[DAXPIN_WAIT_ATTR_FS] = K_STR,
	[DAXPIN_WAIT_ATTR_DEV_MAJOR] = K_U32,
	[DAXPIN_WAIT_ATTR_DEV_MINOR] = K_U32,
	[DAXPIN_WAIT_ATTR_INO] = K_U64,
	[DAXPIN_WAIT_ATTR_PATH] = K_STR,
	[DAXPIN_WAIT_ATTR_OFFSET] = K_U64,
	[DAXPIN_WAIT_ATTR_PFN] = K_U64,
	[DAXPIN_WAIT_ATTR_START_NS] = K_U64,
	[DAXPIN_WAIT_ATTR_WAITED_NS] = K_U64,
	[DAXPIN_WAIT_ATTR_ROUNDS] = K_U32,
	[DAXPIN_WAIT_ATTR_REFCOUNT] = K_U32,
	[DAXPIN_WAIT_ATTR_DMA_PINNED] = K_U8,
	[DAXPIN_WAIT_ATTR_IDLE] = K_U8,
	[DAXPIN_WAIT_ATTR_STALLED] = K_U8,
	[DAXPIN_WAIT_ATTR_KICKS] = K_U32,
	[DAXPIN_WAIT_ATTR_PAGE_GONE] = K_FLAG,
	[DAXPIN_WAIT_ATTR_PATH_TRUNCATED] = K_FLAG,
	[DAXPIN_WAIT_ATTR_HOLDER] = K_NEST,
	[DAXPIN_WAIT_ATTR_HOLDERS_TRUNCATED] = K_FLAG,
	[DAXPIN_WAIT_ATTR_NO_HOLDER] = K_FLAG,
	[DAXPIN_WAIT_ATTR_ENDED] = K_FLAG,
	[DAXPIN_WAIT_ATTR_OUTCOME] = K_U32,
	[DAXPIN_WAIT_ATTR_END_SEQ] = K_U64,
	[DAXPIN_WAIT_ATTR_KIND] = K_U8,
	[DAXPIN_WAIT_ATTR_FOLIO_ORDER] = K_U8,
};

static const unsigned char holder_kinds[DAXPIN_HOLDER_ATTR_MAX + 1] = {
	[DAXPIN_HOLDER_ATTR_PID] = K_U32,
	[DAXPIN_HOLDER_ATTR_TGID] = K_U32,
	[DAXPIN_HOLDER_ATTR_COMM] = K_STR,
	[DAXPIN_HOLDER_ATTR_UID] = K_U32,
	[DAXPIN_HOLDER_ATTR_VM_START] = K_U64,
	[DAXPIN_HOLDER_ATTR_VM_END] = K_U64,
	[DAXPIN_HOLDER_ATTR_VM_FLAGS] = K_U32,
	[DAXPIN_HOLDER_ATTR_ADDRESS] = K_U64,
	[DAXPIN_HOLDER_ATTR_DMA_PINNED] = K_U8,
	[DAXPIN_HOLDER_ATTR_MM_PINNED] = K_U8,
};

/* A holder names a process: TGID and COMM are mandatory. */
static int parse_holder(const struct nlattr *nest, struct daxpin_holder *h)
{
	const struct nlattr *tb[DAXPIN_HOLDER_ATTR_MAX + 1];
	int rc;

	memset(h, 0, sizeof(*h));
	rc = parse_nest(nest, holder_kinds, DAXPIN_HOLDER_ATTR_MAX, tb);
	if (rc)
		return rc;
	if (!tb[DAXPIN_HOLDER_ATTR_TGID] || !tb[DAXPIN_HOLDER_ATTR_COMM])
		return -ENODATA;
	U32(tb, DAXPIN_HOLDER_ATTR_PID, h->pid);
	U32(tb, DAXPIN_HOLDER_ATTR_TGID, h->tgid);
	STR(tb, DAXPIN_HOLDER_ATTR_COMM, h->comm);
	U32(tb, DAXPIN_HOLDER_ATTR_UID, h->uid);
	U64(tb, DAXPIN_HOLDER_ATTR_VM_START, h->vm_start);
	U64(tb, DAXPIN_HOLDER_ATTR_VM_END, h->vm_end);
	U32(tb, DAXPIN_HOLDER_ATTR_VM_FLAGS, h->vm_flags);
	U64(tb, DAXPIN_HOLDER_ATTR_ADDRESS, h->address);
	BOOL(tb, DAXPIN_HOLDER_ATTR_DMA_PINNED, h->dma_pinned);
	BOOL(tb, DAXPIN_HOLDER_ATTR_MM_PINNED, h->mm_pinned);
	return 0;
}

/*
 * HOLDER repeats: walk the wait's stream (already checked by parse_stream)
 * for each.  Beyond DAXPIN_HOLDERS_MAX they are checked, not kept, and the
 * list is flagged truncated.
 */
static int parse_holders(const struct nlattr *nest, struct daxpin_wait *w)
{
	const struct nlattr *nla = nla_data(nest);
	struct daxpin_holder spare;
	int rem = nla_len(nest), rc;

	for (; nla_ok(nla, rem); nla = nla_next(nla, &rem)) {
		if (nla_type(nla) != DAXPIN_WAIT_ATTR_HOLDER)
			continue;
		if (w->nr_holders < DAXPIN_HOLDERS_MAX) {
			rc = parse_holder(nla, &w->holders[w->nr_holders]);
			if (rc)
				return rc;
			w->nr_holders++;
			continue;
		}
		rc = parse_holder(nla, &spare);
		if (rc)
			return rc;
		w->holders_truncated = true;
	}
	return 0;
}

int daxpin_parse_wait(const struct nlattr *nest, struct daxpin_wait *w)
{
	const struct nlattr *tb[DAXPIN_WAIT_ATTR_MAX + 1];
	int rc;

	memset(w, 0, sizeof(*w));
	rc = parse_nest(nest, wait_kinds, DAXPIN_WAIT_ATTR_MAX, tb);
	if (rc)
		return rc;
	if (!tb[DAXPIN_WAIT_ATTR_ID])
		return -ENODATA;
	U64(tb, DAXPIN_WAIT_ATTR_ID, w->id);
	U32(tb, DAXPIN_WAIT_ATTR_PID, w->pid);
	U32(tb, DAXPIN_WAIT_ATTR_TGID, w->tgid);
	STR(tb, DAXPIN_WAIT_ATTR_COMM, w->comm);
	STR(tb, DAXPIN_WAIT_ATTR_FS, w->fs);
	U32(tb, DAXPIN_WAIT_ATTR_DEV_MAJOR, w->dev_major);
	U32(tb, DAXPIN_WAIT_ATTR_DEV_MINOR, w->dev_minor);
	U64(tb, DAXPIN_WAIT_ATTR_INO, w->ino);
	STR(tb, DAXPIN_WAIT_ATTR_PATH, w->path);
	U64(tb, DAXPIN_WAIT_ATTR_OFFSET, w->offset);
	U64(tb, DAXPIN_WAIT_ATTR_PFN, w->pfn);
	U64(tb, DAXPIN_WAIT_ATTR_START_NS, w->start_ns);
	U64(tb, DAXPIN_WAIT_ATTR_WAITED_NS, w->waited_ns);
	U32(tb, DAXPIN_WAIT_ATTR_ROUNDS, w->rounds);
	U32(tb, DAXPIN_WAIT_ATTR_REFCOUNT, w->refcount);
	BOOL(tb, DAXPIN_WAIT_ATTR_DMA_PINNED, w->dma_pinned);
	BOOL(tb, DAXPIN_WAIT_ATTR_IDLE, w->idle);
	BOOL(tb, DAXPIN_WAIT_ATTR_STALLED, w->stalled);
	U32(tb, DAXPIN_WAIT_ATTR_KICKS, w->kicks);
	w->page_gone = tb[DAXPIN_WAIT_ATTR_PAGE_GONE] != NULL;
	w->has_pfn = tb[DAXPIN_WAIT_ATTR_PFN] != NULL;
	w->has_path = tb[DAXPIN_WAIT_ATTR_PATH] != NULL;
	w->path_truncated = tb[DAXPIN_WAIT_ATTR_PATH_TRUNCATED] != NULL;
	if (tb[DAXPIN_WAIT_ATTR_KIND])
		w->kind = get_u8(tb[DAXPIN_WAIT_ATTR_KIND]);
	if (tb[DAXPIN_WAIT_ATTR_FOLIO_ORDER])
		w->folio_order = get_u8(tb[DAXPIN_WAIT_ATTR_FOLIO_ORDER]);
	w->ended = tb[DAXPIN_WAIT_ATTR_ENDED] != NULL;
	if (w->ended && (!tb[DAXPIN_WAIT_ATTR_OUTCOME] || !tb[DAXPIN_WAIT_ATTR_END_SEQ]))
		return -ENODATA;	/* a record is worth its outcome and number */
	w->has_outcome = tb[DAXPIN_WAIT_ATTR_OUTCOME] != NULL;
	U32(tb, DAXPIN_WAIT_ATTR_OUTCOME, w->outcome);
	U64(tb, DAXPIN_WAIT_ATTR_END_SEQ, w->end_seq);
	w->holders_truncated = tb[DAXPIN_WAIT_ATTR_HOLDERS_TRUNCATED] != NULL;
	if (tb[DAXPIN_WAIT_ATTR_HOLDER])
		return parse_holders(nest, w);
	/* "none" next to named holders would contradict them: trust names. */
	w->no_holder = tb[DAXPIN_WAIT_ATTR_NO_HOLDER] != NULL;
	return 0;
}

static const unsigned char global_kinds[DAXPIN_GLOBAL_ATTR_MAX + 1] = {
	[DAXPIN_GLOBAL_ATTR_VERSION] = K_STR,
	[DAXPIN_GLOBAL_ATTR_WAITS_ACTIVE] = K_U32,
	[DAXPIN_GLOBAL_ATTR_WAITS_MAX] = K_U32,
	[DAXPIN_GLOBAL_ATTR_WAITS_DROPPED] = K_U64,
	[DAXPIN_GLOBAL_ATTR_EVENTS_SENT] = K_U64,
	[DAXPIN_GLOBAL_ATTR_EVENTS_DROPPED] = K_U64,
	[DAXPIN_GLOBAL_ATTR_BREAKS] = K_U64,
	[DAXPIN_GLOBAL_ATTR_SCAN_HIST] = K_NEST,
	[DAXPIN_GLOBAL_ATTR_RESET_NS] = K_U64,
	[DAXPIN_GLOBAL_ATTR_WAITS_STALLED] = K_U32,
	[DAXPIN_GLOBAL_ATTR_OLDEST_WAITED_NS] = K_U64,
	[DAXPIN_GLOBAL_ATTR_PROBE_MISSED] = K_U64,
};

int daxpin_parse_global(const struct nlattr *nest, struct daxpin_global *g)
{
	const struct nlattr *tb[DAXPIN_GLOBAL_ATTR_MAX + 1];
	int rc;

	memset(g, 0, sizeof(*g));
	rc = parse_nest(nest, global_kinds, DAXPIN_GLOBAL_ATTR_MAX, tb);
	if (rc)
		return rc;
	STR(tb, DAXPIN_GLOBAL_ATTR_VERSION, g->version);
	U32(tb, DAXPIN_GLOBAL_ATTR_WAITS_ACTIVE, g->waits_active);
	U32(tb, DAXPIN_GLOBAL_ATTR_WAITS_MAX, g->waits_max);
	U64(tb, DAXPIN_GLOBAL_ATTR_WAITS_DROPPED, g->waits_dropped);
	U64(tb, DAXPIN_GLOBAL_ATTR_EVENTS_SENT, g->events_sent);
	U64(tb, DAXPIN_GLOBAL_ATTR_EVENTS_DROPPED, g->events_dropped);
	U64(tb, DAXPIN_GLOBAL_ATTR_BREAKS, g->breaks);
	U64(tb, DAXPIN_GLOBAL_ATTR_RESET_NS, g->reset_ns);
	g->has_summary = tb[DAXPIN_GLOBAL_ATTR_WAITS_STALLED] != NULL;
	U32(tb, DAXPIN_GLOBAL_ATTR_WAITS_STALLED, g->waits_stalled);
	U64(tb, DAXPIN_GLOBAL_ATTR_OLDEST_WAITED_NS, g->oldest_waited_ns);
	g->has_probe_missed = tb[DAXPIN_GLOBAL_ATTR_PROBE_MISSED] != NULL;
	U64(tb, DAXPIN_GLOBAL_ATTR_PROBE_MISSED, g->probe_missed);
	if (tb[DAXPIN_GLOBAL_ATTR_SCAN_HIST]) {
		rc = daxpin_parse_hist(tb[DAXPIN_GLOBAL_ATTR_SCAN_HIST],
				       &g->scan_hist);
		if (rc)
			return rc;
	}
	return 0;
}

static const unsigned char sb_kinds[DAXPIN_SB_ATTR_MAX + 1] = {
	[DAXPIN_SB_ATTR_FS] = K_STR,
	[DAXPIN_SB_ATTR_DEV_MAJOR] = K_U32,
	[DAXPIN_SB_ATTR_DEV_MINOR] = K_U32,
	[DAXPIN_SB_ATTR_STARTED] = K_U64,
	[DAXPIN_SB_ATTR_COMPLETED] = K_U64,
	[DAXPIN_SB_ATTR_INTERRUPTED] = K_U64,
	[DAXPIN_SB_ATTR_KICKED] = K_U64,
	[DAXPIN_SB_ATTR_STALLED] = K_U64,
	[DAXPIN_SB_ATTR_TOTAL_NS] = K_U64,
	[DAXPIN_SB_ATTR_MAX_NS] = K_U64,
	[DAXPIN_SB_ATTR_HIST] = K_NEST,
};

int daxpin_parse_sb(const struct nlattr *nest, struct daxpin_sb_stats *sb)
{
	const struct nlattr *tb[DAXPIN_SB_ATTR_MAX + 1];
	int rc;

	memset(sb, 0, sizeof(*sb));
	rc = parse_nest(nest, sb_kinds, DAXPIN_SB_ATTR_MAX, tb);
	if (rc)
		return rc;
	if (!tb[DAXPIN_SB_ATTR_DEV_MAJOR] || !tb[DAXPIN_SB_ATTR_DEV_MINOR])
		return -ENODATA;
	STR(tb, DAXPIN_SB_ATTR_FS, sb->fs);
	U32(tb, DAXPIN_SB_ATTR_DEV_MAJOR, sb->dev_major);
	U32(tb, DAXPIN_SB_ATTR_DEV_MINOR, sb->dev_minor);
	U64(tb, DAXPIN_SB_ATTR_STARTED, sb->started);
	U64(tb, DAXPIN_SB_ATTR_COMPLETED, sb->completed);
	U64(tb, DAXPIN_SB_ATTR_INTERRUPTED, sb->interrupted);
	U64(tb, DAXPIN_SB_ATTR_KICKED, sb->kicked);
	U64(tb, DAXPIN_SB_ATTR_STALLED, sb->stalled);
	U64(tb, DAXPIN_SB_ATTR_TOTAL_NS, sb->total_ns);
	U64(tb, DAXPIN_SB_ATTR_MAX_NS, sb->max_ns);
	if (tb[DAXPIN_SB_ATTR_HIST]) {
		rc = daxpin_parse_hist(tb[DAXPIN_SB_ATTR_HIST], &sb->hist);
		if (rc)
			return rc;
	}
	return 0;
}

static const unsigned char gp_kinds[DAXPIN_GP_ATTR_MAX + 1] = {
	[DAXPIN_GP_ATTR_PRIMITIVE] = K_U32,
	[DAXPIN_GP_ATTR_CONTEXT] = K_U32,
	[DAXPIN_GP_ATTR_NAME] = K_STR,
	[DAXPIN_GP_ATTR_COUNT] = K_U64,
	[DAXPIN_GP_ATTR_TOTAL_NS] = K_U64,
	[DAXPIN_GP_ATTR_MAX_NS] = K_U64,
	[DAXPIN_GP_ATTR_HIST] = K_NEST,
	[DAXPIN_GP_ATTR_MISSED] = K_U64,
};

int daxpin_parse_gp(const struct nlattr *nest, struct daxpin_gp_stats *gp)
{
	const struct nlattr *tb[DAXPIN_GP_ATTR_MAX + 1];
	int rc;

	memset(gp, 0, sizeof(*gp));
	rc = parse_nest(nest, gp_kinds, DAXPIN_GP_ATTR_MAX, tb);
	if (rc)
		return rc;
	if (!tb[DAXPIN_GP_ATTR_PRIMITIVE] || !tb[DAXPIN_GP_ATTR_CONTEXT])
		return -ENODATA;
	U32(tb, DAXPIN_GP_ATTR_PRIMITIVE, gp->primitive);
	U32(tb, DAXPIN_GP_ATTR_CONTEXT, gp->context);
	STR(tb, DAXPIN_GP_ATTR_NAME, gp->name);
	if (!gp->name[0])
		snprintf(gp->name, sizeof(gp->name), "%s",
			 daxpin_gp_primitive_name(gp->primitive));
	U64(tb, DAXPIN_GP_ATTR_COUNT, gp->count);
	U64(tb, DAXPIN_GP_ATTR_TOTAL_NS, gp->total_ns);
	U64(tb, DAXPIN_GP_ATTR_MAX_NS, gp->max_ns);
	gp->has_missed = tb[DAXPIN_GP_ATTR_MISSED] != NULL;
	U64(tb, DAXPIN_GP_ATTR_MISSED, gp->missed);
	if (tb[DAXPIN_GP_ATTR_HIST]) {
		rc = daxpin_parse_hist(tb[DAXPIN_GP_ATTR_HIST], &gp->hist);
		if (rc)
			return rc;
	}
	return 0;
}

static const unsigned char config_kinds[DAXPIN_CONFIG_ATTR_MAX + 1] = {
	[DAXPIN_CONFIG_ATTR_MAX_WAITS] = K_U32,
	[DAXPIN_CONFIG_ATTR_POLL_MS] = K_U32,
	[DAXPIN_CONFIG_ATTR_OPEN_READS] = K_U8,
	[DAXPIN_CONFIG_ATTR_COUNT_BREAKS] = K_U8,
	[DAXPIN_CONFIG_ATTR_EVENT_BURST] = K_U32,
	[DAXPIN_CONFIG_ATTR_RESCUE] = K_U8,
};

int daxpin_parse_config(const struct nlattr *nest, struct daxpin_config *c)
{
	const struct nlattr *tb[DAXPIN_CONFIG_ATTR_MAX + 1];
	int rc;

	memset(c, 0, sizeof(*c));
	rc = parse_nest(nest, config_kinds, DAXPIN_CONFIG_ATTR_MAX, tb);
	if (rc)
		return rc;
	if (tb[DAXPIN_CONFIG_ATTR_MAX_WAITS])
		c->mask |= DAXPIN_CFG_MAX_WAITS;
	if (tb[DAXPIN_CONFIG_ATTR_POLL_MS])
		c->mask |= DAXPIN_CFG_POLL_MS;
	if (tb[DAXPIN_CONFIG_ATTR_OPEN_READS])
		c->mask |= DAXPIN_CFG_OPEN_READS;
	if (tb[DAXPIN_CONFIG_ATTR_COUNT_BREAKS])
		c->mask |= DAXPIN_CFG_COUNT_BREAKS;
	if (tb[DAXPIN_CONFIG_ATTR_EVENT_BURST])
		c->mask |= DAXPIN_CFG_EVENT_BURST;
	if (tb[DAXPIN_CONFIG_ATTR_RESCUE])
		c->mask |= DAXPIN_CFG_RESCUE;
	U32(tb, DAXPIN_CONFIG_ATTR_MAX_WAITS, c->max_waits);
	U32(tb, DAXPIN_CONFIG_ATTR_POLL_MS, c->poll_ms);
	BOOL(tb, DAXPIN_CONFIG_ATTR_OPEN_READS, c->open_reads);
	BOOL(tb, DAXPIN_CONFIG_ATTR_COUNT_BREAKS, c->count_breaks);
	U32(tb, DAXPIN_CONFIG_ATTR_EVENT_BURST, c->event_burst);
	BOOL(tb, DAXPIN_CONFIG_ATTR_RESCUE, c->rescue);
	return 0;
}

static const unsigned char page_kinds[DAXPIN_PAGE_ATTR_MAX + 1] = {
	[DAXPIN_PAGE_ATTR_OFFSET] = K_U64,
	[DAXPIN_PAGE_ATTR_PFN] = K_U64,
	[DAXPIN_PAGE_ATTR_REFCOUNT] = K_U32,
	[DAXPIN_PAGE_ATTR_DMA_PINNED] = K_U8,
	[DAXPIN_PAGE_ATTR_PMD] = K_U8,
};

int daxpin_parse_scan_page(const struct nlattr *nest, struct daxpin_scan_page *p)
{
	const struct nlattr *tb[DAXPIN_PAGE_ATTR_MAX + 1];
	int rc;

	memset(p, 0, sizeof(*p));
	rc = parse_nest(nest, page_kinds, DAXPIN_PAGE_ATTR_MAX, tb);
	if (rc)
		return rc;
	if (!tb[DAXPIN_PAGE_ATTR_OFFSET])
		return -ENODATA;
	U64(tb, DAXPIN_PAGE_ATTR_OFFSET, p->offset);
	U64(tb, DAXPIN_PAGE_ATTR_PFN, p->pfn);
	p->has_pfn = tb[DAXPIN_PAGE_ATTR_PFN] != NULL;
	U32(tb, DAXPIN_PAGE_ATTR_REFCOUNT, p->refcount);
	BOOL(tb, DAXPIN_PAGE_ATTR_DMA_PINNED, p->dma_pinned);
	BOOL(tb, DAXPIN_PAGE_ATTR_PMD, p->pmd);
	return 0;
}

static const unsigned char bench_kinds[DAXPIN_BENCH_ATTR_MAX + 1] = {
	[DAXPIN_BENCH_ATTR_PRIMITIVE] = K_U32,
	[DAXPIN_BENCH_ATTR_NAME] = K_STR,
	[DAXPIN_BENCH_ATTR_ITERATIONS] = K_U32,
	[DAXPIN_BENCH_ATTR_MIN_NS] = K_U64,
	[DAXPIN_BENCH_ATTR_MEDIAN_NS] = K_U64,
	[DAXPIN_BENCH_ATTR_MAX_NS] = K_U64,
};

int daxpin_parse_bench_result(const struct nlattr *nest,
			      struct daxpin_bench_result *r)
{
	const struct nlattr *tb[DAXPIN_BENCH_ATTR_MAX + 1];
	int rc;

	memset(r, 0, sizeof(*r));
	rc = parse_nest(nest, bench_kinds, DAXPIN_BENCH_ATTR_MAX, tb);
	if (rc)
		return rc;
	if (!tb[DAXPIN_BENCH_ATTR_PRIMITIVE])
		return -ENODATA;
	U32(tb, DAXPIN_BENCH_ATTR_PRIMITIVE, r->primitive);
	STR(tb, DAXPIN_BENCH_ATTR_NAME, r->name);
	if (!r->name[0])
		snprintf(r->name, sizeof(r->name), "%s",
			 daxpin_gp_primitive_name(r->primitive));
	U32(tb, DAXPIN_BENCH_ATTR_ITERATIONS, r->iterations);
	U64(tb, DAXPIN_BENCH_ATTR_MIN_NS, r->min_ns);
	U64(tb, DAXPIN_BENCH_ATTR_MEDIAN_NS, r->median_ns);
	U64(tb, DAXPIN_BENCH_ATTR_MAX_NS, r->max_ns);
	return 0;
}

static const unsigned char event_kinds[DAXPIN_EVENT_ATTR_MAX + 1] = {
	[DAXPIN_EVENT_ATTR_TYPE] = K_U32,
	[DAXPIN_EVENT_ATTR_TIME_NS] = K_U64,
	[DAXPIN_EVENT_ATTR_WAIT] = K_NEST,
	[DAXPIN_EVENT_ATTR_OUTCOME] = K_U32,
	[DAXPIN_EVENT_ATTR_WAS_IDLE] = K_U8,
	[DAXPIN_EVENT_ATTR_DROPPED] = K_U64,
	[DAXPIN_EVENT_ATTR_RESCUED] = K_FLAG,
	[DAXPIN_EVENT_ATTR_END_SEQ] = K_U64,
};

int daxpin_parse_event(const struct nlattr *nest, struct daxpin_event *ev)
{
	const struct nlattr *tb[DAXPIN_EVENT_ATTR_MAX + 1];
	int rc;

	memset(ev, 0, sizeof(*ev));
	rc = parse_nest(nest, event_kinds, DAXPIN_EVENT_ATTR_MAX, tb);
	if (rc)
		return rc;
	if (!tb[DAXPIN_EVENT_ATTR_TYPE])
		return -ENODATA;
	U32(tb, DAXPIN_EVENT_ATTR_TYPE, ev->type);
	U64(tb, DAXPIN_EVENT_ATTR_TIME_NS, ev->time_ns);
	if (tb[DAXPIN_EVENT_ATTR_WAIT]) {
		rc = daxpin_parse_wait(tb[DAXPIN_EVENT_ATTR_WAIT], &ev->wait);
		if (rc)
			return rc;
		ev->has_wait = true;
	}
	if (tb[DAXPIN_EVENT_ATTR_OUTCOME]) {
		ev->outcome = get_u32(tb[DAXPIN_EVENT_ATTR_OUTCOME]);
		ev->has_outcome = true;
	}
	if (tb[DAXPIN_EVENT_ATTR_WAS_IDLE]) {
		ev->was_idle = get_u8(tb[DAXPIN_EVENT_ATTR_WAS_IDLE]) != 0;
		ev->has_was_idle = true;
	}
	ev->rescued = tb[DAXPIN_EVENT_ATTR_RESCUED] != NULL;
	if (tb[DAXPIN_EVENT_ATTR_DROPPED]) {
		U64(tb, DAXPIN_EVENT_ATTR_DROPPED, ev->dropped);
		ev->has_dropped = true;
	}
	if (tb[DAXPIN_EVENT_ATTR_END_SEQ]) {
		U64(tb, DAXPIN_EVENT_ATTR_END_SEQ, ev->end_seq);
		ev->has_end_seq = true;
	}
	return 0;
}

/* ---- whole messages ------------------------------------------------- */

static const unsigned char top_kinds[DAXPIN_ATTR_MAX + 1] = {
	[DAXPIN_ATTR_WAIT] = K_NEST,
	[DAXPIN_ATTR_GLOBAL] = K_NEST,
	[DAXPIN_ATTR_SB] = K_NEST,
	[DAXPIN_ATTR_GP] = K_NEST,
	[DAXPIN_ATTR_CONFIG] = K_NEST,
	[DAXPIN_ATTR_WAIT_ID] = K_U64,
	[DAXPIN_ATTR_WAS_IDLE] = K_U8,
	[DAXPIN_ATTR_FD] = K_U32,
	[DAXPIN_ATTR_SCAN_PAGE] = K_NEST,
	[DAXPIN_ATTR_SCAN_TRUNCATED] = K_FLAG,
	[DAXPIN_ATTR_SCAN_ENTRIES] = K_U64,
	[DAXPIN_ATTR_BENCH_ITERATIONS] = K_U32,
	[DAXPIN_ATTR_BENCH_RESULT] = K_NEST,
	[DAXPIN_ATTR_EVENT] = K_NEST,
	[DAXPIN_ATTR_ENDED_SINCE] = K_U64,
	[DAXPIN_ATTR_ENDED_SEQ] = K_U64,
	[DAXPIN_ATTR_ENDED_LOST] = K_U64,
	[DAXPIN_ATTR_LAST_ID] = K_U64,
};

/* bounds of the attribute stream of a generic netlink message */
static int msg_attrs(const struct nlmsghdr *nlh, const struct nlattr **first,
		     int *len)
{
	if (!nlh || nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EBADMSG;
	*first = (const struct nlattr *)((const char *)nlh + NLMSG_HDRLEN +
					 GENL_HDRLEN);
	*len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	return 0;
}

/*
 * Validate every top-level attribute of a message against top_kinds and call
 * fn for each one of type @want (0: all known). Repeated attributes (several
 * WAITs, SCAN_PAGEs...) are the point, so no table here.
 */
static int msg_for_each(const struct nlmsghdr *nlh,
			int (*fn)(const struct nlattr *nla, void *arg),
			void *arg)
{
	const struct nlattr *nla;
	int rem, rc;

	rc = msg_attrs(nlh, &nla, &rem);
	if (rc)
		return rc;
	for (; nla_ok(nla, rem); nla = nla_next(nla, &rem)) {
		int type = nla_type(nla);

		if (type <= 0 || type > DAXPIN_ATTR_MAX ||
		    top_kinds[type] == K_IGNORE)
			continue;
		rc = check_len(top_kinds[type], nla);
		if (rc)
			return rc;
		rc = fn(nla, arg);
		if (rc)
			return rc;
	}
	if (rem > 0)
		return -EBADMSG;
	return 0;
}

static int waits_one(const struct nlattr *nla, void *arg)
{
	struct daxpin_waits *acc = arg;
	struct daxpin_wait tmp, *w;
	int rc;

	if (nla_type(nla) != DAXPIN_ATTR_WAIT)
		return 0;
	rc = daxpin_parse_wait(nla, &tmp);
	if (rc)
		return rc;
	w = array_add(&acc->waits, &acc->nr, &acc->alloc);
	if (!w)
		return -ENOMEM;
	*w = tmp;
	return 0;
}

int daxpin_msg_parse_waits(const struct nlmsghdr *nlh, struct daxpin_waits *acc)
{
	size_t nr = acc->nr;
	int rc = msg_for_each(nlh, waits_one, acc);

	if (rc)
		acc->nr = nr;	/* all or nothing per message */
	return rc;
}

static int log_one(const struct nlattr *nla, void *arg)
{
	struct daxpin_waits_log *log = arg;

	switch (nla_type(nla)) {
	case DAXPIN_ATTR_ENDED_SEQ:
		log->seq = get_u64(nla);
		log->has_seq = true;
		break;
	case DAXPIN_ATTR_ENDED_LOST:
		log->lost = get_u64(nla);
		log->has_lost = true;
		break;
	case DAXPIN_ATTR_LAST_ID:
		log->last_id = get_u64(nla);
		log->has_last_id = true;
		break;
	default:
		break;
	}
	return 0;
}

int daxpin_msg_parse_waits_log(const struct nlmsghdr *nlh, struct daxpin_waits_log *log)
{
	struct daxpin_waits_log tmp = *log;
	int rc = msg_for_each(nlh, log_one, &tmp);

	if (rc)
		return rc;
	/* The summary comes whole, in one message, or not at all. */
	if ((tmp.has_seq || tmp.has_lost || tmp.has_last_id) &&
	    !(tmp.has_seq && tmp.has_lost && tmp.has_last_id))
		return -ENODATA;
	tmp.present = tmp.has_seq;
	*log = tmp;
	return 0;
}

static int stats_one(const struct nlattr *nla, void *arg)
{
	struct daxpin_stats *acc = arg;
	struct daxpin_sb_stats sb, *psb;
	struct daxpin_gp_stats gp, *pgp;
	int rc;

	switch (nla_type(nla)) {
	case DAXPIN_ATTR_GLOBAL:
		rc = daxpin_parse_global(nla, &acc->global);
		if (rc)
			return rc;
		acc->has_global = true;
		return 0;
	case DAXPIN_ATTR_SB:
		rc = daxpin_parse_sb(nla, &sb);
		if (rc)
			return rc;
		psb = array_add(&acc->sb, &acc->nr_sb, &acc->alloc_sb);
		if (!psb)
			return -ENOMEM;
		*psb = sb;
		return 0;
	case DAXPIN_ATTR_GP:
		rc = daxpin_parse_gp(nla, &gp);
		if (rc)
			return rc;
		pgp = array_add(&acc->gp, &acc->nr_gp, &acc->alloc_gp);
		if (!pgp)
			return -ENOMEM;
		*pgp = gp;
		return 0;
	default:
		return 0;
	}
}

int daxpin_msg_parse_stats(const struct nlmsghdr *nlh, struct daxpin_stats *acc)
{
	return msg_for_each(nlh, stats_one, acc);
}

static int config_one(const struct nlattr *nla, void *arg)
{
	if (nla_type(nla) != DAXPIN_ATTR_CONFIG)
		return 0;
	return daxpin_parse_config(nla, arg);
}

int daxpin_msg_parse_config(const struct nlmsghdr *nlh, struct daxpin_config *c)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->mask = 1U << 31;	/* sentinel: no CONFIG seen yet */
	rc = msg_for_each(nlh, config_one, c);
	if (rc)
		return rc;
	if (c->mask & (1U << 31)) {
		c->mask = 0;
		return -ENODATA;
	}
	return 0;
}

struct kick_acc {
	bool seen;
	bool was_idle;
};

static int kick_one(const struct nlattr *nla, void *arg)
{
	struct kick_acc *k = arg;

	if (nla_type(nla) != DAXPIN_ATTR_WAS_IDLE)
		return 0;
	k->seen = true;
	k->was_idle = get_u8(nla) != 0;
	return 0;
}

int daxpin_msg_parse_kick(const struct nlmsghdr *nlh, bool *was_idle)
{
	struct kick_acc k = { 0 };
	int rc = msg_for_each(nlh, kick_one, &k);

	if (rc)
		return rc;
	if (!k.seen)
		return -ENODATA;
	*was_idle = k.was_idle;
	return 0;
}

static int scan_one(const struct nlattr *nla, void *arg)
{
	struct daxpin_scan *acc = arg;
	struct daxpin_scan_page tmp, *p;
	int rc;

	switch (nla_type(nla)) {
	case DAXPIN_ATTR_SCAN_PAGE:
		rc = daxpin_parse_scan_page(nla, &tmp);
		if (rc)
			return rc;
		p = array_add(&acc->pages, &acc->nr, &acc->alloc);
		if (!p)
			return -ENOMEM;
		*p = tmp;
		return 0;
	case DAXPIN_ATTR_SCAN_TRUNCATED:
		acc->truncated = true;
		return 0;
	case DAXPIN_ATTR_SCAN_ENTRIES:
		acc->entries = get_u64(nla);
		return 0;
	default:
		return 0;
	}
}

int daxpin_msg_parse_scan(const struct nlmsghdr *nlh, struct daxpin_scan *acc)
{
	size_t nr = acc->nr;
	int rc = msg_for_each(nlh, scan_one, acc);

	if (rc)
		acc->nr = nr;
	return rc;
}

static int bench_one(const struct nlattr *nla, void *arg)
{
	struct daxpin_bench *acc = arg;
	struct daxpin_bench_result tmp, *r;
	int rc;

	if (nla_type(nla) != DAXPIN_ATTR_BENCH_RESULT)
		return 0;
	rc = daxpin_parse_bench_result(nla, &tmp);
	if (rc)
		return rc;
	r = array_add(&acc->results, &acc->nr, &acc->alloc);
	if (!r)
		return -ENOMEM;
	*r = tmp;
	return 0;
}

int daxpin_msg_parse_bench(const struct nlmsghdr *nlh, struct daxpin_bench *acc)
{
	size_t nr = acc->nr;
	int rc = msg_for_each(nlh, bench_one, acc);

	if (rc)
		acc->nr = nr;
	return rc;
}

struct event_acc {
	struct daxpin_event *ev;
	bool seen;
};

static int event_one(const struct nlattr *nla, void *arg)
{
	struct event_acc *e = arg;
	int rc;

	if (nla_type(nla) != DAXPIN_ATTR_EVENT)
		return 0;
	if (e->seen)	/* one event per message */
		return -EBADMSG;
	rc = daxpin_parse_event(nla, e->ev);
	if (rc)
		return rc;
	e->seen = true;
	return 0;
}

int daxpin_msg_parse_event(const struct nlmsghdr *nlh, struct daxpin_event *ev)
{
	struct event_acc e = { .ev = ev };
	int rc;

	memset(ev, 0, sizeof(*ev));
	rc = msg_for_each(nlh, event_one, &e);
	if (rc)
		return rc;
	return e.seen ? 0 : -ENODATA;
}

int daxpin_parse_nlmsgerr(const struct nlmsghdr *nlh, char *msg, size_t len)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	static const unsigned char kinds[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = K_STR,
	};
	const struct nlmsgerr *e;
	size_t off, plen;
	int error, rc;

	if (msg && len)
		msg[0] = '\0';
	if (!nlh || nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(int))
		return -EBADMSG;
	plen = nlh->nlmsg_len - NLMSG_HDRLEN;
	memcpy(&error, (const char *)nlh + NLMSG_HDRLEN, sizeof(int));

	if (nlh->nlmsg_type == NLMSG_DONE) {
		off = NLMSG_ALIGN(sizeof(int));
	} else if (nlh->nlmsg_type == NLMSG_ERROR) {
		if (plen < sizeof(*e))
			return -EBADMSG;
		e = (const struct nlmsgerr *)((const char *)nlh + NLMSG_HDRLEN);
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			if (e->msg.nlmsg_len < NLMSG_HDRLEN)
				return -EBADMSG;
			off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
		}
	} else {
		return -EBADMSG;
	}
	if (error > 0)
		return -EBADMSG;	/* errors are negative on the wire */

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= plen)
		return error;
	rc = parse_stream((const char *)nlh + NLMSG_HDRLEN + off,
			  (int)(plen - off), kinds, NLMSGERR_ATTR_MAX, tb);
	if (rc)
		return error;	/* a bad ack TLV does not hide the error */
	if (tb[NLMSGERR_ATTR_MSG] && msg && len)
		snprintf(msg, len, "%s", (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	return error;
}

/* ---- names ---------------------------------------------------------- */

const char *daxpin_event_type_name(uint32_t type)
{
	switch (type) {
	case DAXPIN_EVENT_WAIT_START:
		return "wait_start";
	case DAXPIN_EVENT_WAIT_END:
		return "wait_end";
	case DAXPIN_EVENT_STALLED:
		return "stalled";
	case DAXPIN_EVENT_KICKED:
		return "kicked";
	case DAXPIN_EVENT_OVERRUN:
		return "overrun";
	default:
		return "unknown";
	}
}

const char *daxpin_wait_kind_name(uint32_t kind)
{
	switch (kind) {
	case DAXPIN_WAIT_KIND_BREAK:
		return "break";
	case DAXPIN_WAIT_KIND_FINAL:
		return "final";
	default:
		return "unknown";
	}
}

const char *daxpin_outcome_name(uint32_t outcome)
{
	switch (outcome) {
	case DAXPIN_OUTCOME_COMPLETED:
		return "completed";
	case DAXPIN_OUTCOME_INTERRUPTED:
		return "interrupted";
	case DAXPIN_OUTCOME_UNTRACKED:
		return "untracked";
	default:
		return "unknown";
	}
}

const char *daxpin_gp_primitive_name(uint32_t primitive)
{
	switch (primitive) {
	case DAXPIN_GP_SYNCHRONIZE_RCU:
		return "synchronize_rcu";
	case DAXPIN_GP_SYNCHRONIZE_RCU_EXPEDITED:
		return "synchronize_rcu_expedited";
	case DAXPIN_GP_SYNCHRONIZE_SRCU:
		return "synchronize_srcu";
	case DAXPIN_GP_SYNCHRONIZE_SRCU_EXPEDITED:
		return "synchronize_srcu_expedited";
	default:
		return "unknown";
	}
}

const char *daxpin_gp_context_name(uint32_t context)
{
	switch (context) {
	case DAXPIN_GP_CTX_LAYOUT_BREAK:
		return "layout_break";
	case DAXPIN_GP_CTX_KILL_DAX:
		return "kill_dax";
	default:
		return "unknown";
	}
}

void daxpin_waits_free(struct daxpin_waits *w)
{
	free(w->waits);
	memset(w, 0, sizeof(*w));
}

void daxpin_stats_free(struct daxpin_stats *s)
{
	free(s->sb);
	free(s->gp);
	memset(s, 0, sizeof(*s));
}

void daxpin_scan_free(struct daxpin_scan *s)
{
	free(s->pages);
	memset(s, 0, sizeof(*s));
}

void daxpin_bench_free(struct daxpin_bench *b)
{
	free(b->results);
	memset(b, 0, sizeof(*b));
}
