// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: the SCAN dump, the busy pages of one file named by an fd.
 *
 * The fd is the sender's: it is resolved in .start, which runs in the
 * sender's context (as taskstats' cgroupstats does), and must be open for
 * reading (fget() already refuses O_PATH).  .start has no extended ack to
 * explain a refusal in (cb->extack is set only around dumpit), so the
 * refusal is kept and returned by the first dumpit, whose error and message
 * reach the sender in NLMSG_DONE.  The walk then goes on a batch at
 * a time as the reply is read, so no reply needs one large buffer and the
 * walk reschedules between batches; the last message carries the number of
 * entries walked and whether the busy pages were cut at
 * DAXPIN_SCAN_MAX_PAGES.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include "daxpin_nl.h"

/* Busy pages per message. */
#define DAXPIN_SCAN_CHUNK	32

/* Lives in cb->data's place of ours: one per SCAN dump. */
struct daxpin_scan_state {
	struct file *file;		/* NULL when refused: see refusal */
	int refusal;			/* enum daxpin_scan_refusal */
	struct daxpin_scan_cursor cur;
	unsigned int reported;
	bool truncated;
	bool summary_sent;
	bool see_pfn;
	struct daxpin_busy_page pages[DAXPIN_SCAN_CHUNK];
};

static struct daxpin_scan_state *daxpin_scan_state(struct netlink_callback *cb)
{
	return (struct daxpin_scan_state *)cb->args[0];
}

static const struct nlattr *daxpin_scan_fd_attr(struct netlink_callback *cb)
{
#ifdef DAXPIN_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs[DAXPIN_ATTR_FD];
#else
	return genl_dumpit_info(cb)->attrs[DAXPIN_ATTR_FD];
#endif
}

enum daxpin_scan_refusal {
	DAXPIN_SCAN_OK,
	DAXPIN_SCAN_NO_PERMISSION,
	DAXPIN_SCAN_NO_FD,
	DAXPIN_SCAN_BAD_FD,
	DAXPIN_SCAN_NOT_READABLE,
	DAXPIN_SCAN_NOT_DAX,
};

static int daxpin_scan_refuse(struct daxpin_scan_state *st, int refusal)
{
	st->refusal = refusal;
	return -EINVAL;
}

/* NL_SET_ERR_MSG() takes literals: one call per refusal. */
static int daxpin_scan_explain(struct netlink_callback *cb, int refusal)
{
	switch (refusal) {
	case DAXPIN_SCAN_NO_PERMISSION:
		NL_SET_ERR_MSG(cb->extack,
			       "daxpin reads need CAP_NET_ADMIN (or the module parameter open_reads=1)");
		return -EPERM;
	case DAXPIN_SCAN_NO_FD:
		NL_SET_ERR_MSG(cb->extack, "SCAN needs the fd of a file");
		return -EINVAL;
	case DAXPIN_SCAN_BAD_FD:
		NL_SET_ERR_MSG(cb->extack, "bad file descriptor");
		return -EBADF;
	case DAXPIN_SCAN_NOT_READABLE:
		NL_SET_ERR_MSG(cb->extack, "the file is not open for reading");
		return -EBADF;
	default:
		NL_SET_ERR_MSG(cb->extack,
			       "not a DAX file: its pages are page cache, never pinned media");
		return -EOPNOTSUPP;
	}
}

static int daxpin_scan_file_get(struct netlink_callback *cb,
				struct daxpin_scan_state *st)
{
	const struct nlattr *fd = daxpin_scan_fd_attr(cb);
	struct file *file;

	if (!daxpin_may_read(cb->skb))
		return daxpin_scan_refuse(st, DAXPIN_SCAN_NO_PERMISSION);
	if (!fd)
		return daxpin_scan_refuse(st, DAXPIN_SCAN_NO_FD);
	file = fget(nla_get_u32(fd));
	if (!file)
		return daxpin_scan_refuse(st, DAXPIN_SCAN_BAD_FD);
	if (!(file->f_mode & FMODE_READ)) {
		fput(file);
		return daxpin_scan_refuse(st, DAXPIN_SCAN_NOT_READABLE);
	}
	if (!IS_DAX(file_inode(file))) {
		fput(file);
		return daxpin_scan_refuse(st, DAXPIN_SCAN_NOT_DAX);
	}
	st->file = file;
	return 0;
}

int daxpin_nl_scan_start(struct netlink_callback *cb)
{
	struct daxpin_scan_state *st;
	struct daxpin_reader r;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	cb->args[0] = (long)st;
	if (daxpin_scan_file_get(cb, st))
		return 0;	/* refused: said by the first dumpit */
	daxpin_reader_init(&r, cb->skb);
	st->see_pfn = r.see_pfn;
	return 0;
}

int daxpin_nl_scan_done(struct netlink_callback *cb)
{
	struct daxpin_scan_state *st = daxpin_scan_state(cb);

	if (st) {
		if (st->file)
			fput(st->file);
		kfree(st);
	}
	return 0;
}

static int daxpin_put_busy_page(struct sk_buff *skb,
				const struct daxpin_busy_page *p, bool see_pfn)
{
	struct nlattr *nest = nla_nest_start(skb, DAXPIN_ATTR_SCAN_PAGE);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, DAXPIN_PAGE_ATTR_OFFSET, p->offset,
			      DAXPIN_PAGE_ATTR_PAD) ||
	    (see_pfn &&
	     nla_put_u64_64bit(skb, DAXPIN_PAGE_ATTR_PFN, p->pfn,
			       DAXPIN_PAGE_ATTR_PAD)) ||
	    nla_put_u32(skb, DAXPIN_PAGE_ATTR_REFCOUNT, p->refcount) ||
	    nla_put_u8(skb, DAXPIN_PAGE_ATTR_DMA_PINNED, p->dma_pinned) ||
	    nla_put_u8(skb, DAXPIN_PAGE_ATTR_PMD, p->pmd)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static void *daxpin_scan_hdr(struct sk_buff *skb, struct netlink_callback *cb)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &daxpin_family, NLM_F_MULTI, DAXPIN_CMD_SCAN);
}

/* One message of busy pages; on no room the cursor is left where it was. */
static int daxpin_scan_fill_pages(struct sk_buff *skb,
				  struct netlink_callback *cb,
				  struct daxpin_scan_state *st)
{
	struct daxpin_scan_cursor saved = st->cur;
	unsigned int i, n, room;
	void *hdr;

	room = min_t(unsigned int, DAXPIN_SCAN_CHUNK,
		     DAXPIN_SCAN_MAX_PAGES - st->reported);
	n = daxpin_scan_some(st->file, &st->cur, st->pages, room);
	if (!n)
		return 0;
	hdr = daxpin_scan_hdr(skb, cb);
	if (!hdr)
		goto nospace;
	for (i = 0; i < n; i++)
		if (daxpin_put_busy_page(skb, &st->pages[i], st->see_pfn))
			goto cancel;
	genlmsg_end(skb, hdr);
	st->reported += n;
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
nospace:
	st->cur = saved;
	return -EMSGSIZE;
}

/* At the cap: is there one more busy page?  Only then was it truncated. */
static void daxpin_scan_check_more(struct daxpin_scan_state *st)
{
	struct daxpin_scan_cursor probe = st->cur;

	if (!probe.done && daxpin_scan_some(st->file, &probe, st->pages, 1))
		st->truncated = true;
	st->cur.entries = probe.entries;
	st->cur.done = true;
}

static int daxpin_scan_fill_summary(struct sk_buff *skb,
				    struct netlink_callback *cb,
				    struct daxpin_scan_state *st)
{
	void *hdr = daxpin_scan_hdr(skb, cb);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, DAXPIN_ATTR_SCAN_ENTRIES, st->cur.entries,
			      DAXPIN_ATTR_PAD) ||
	    (st->truncated && nla_put_flag(skb, DAXPIN_ATTR_SCAN_TRUNCATED))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	st->summary_sent = true;
	return 0;
}

int daxpin_nl_scan_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct daxpin_scan_state *st = daxpin_scan_state(cb);

	if (st->refusal)
		return daxpin_scan_explain(cb, st->refusal);
	while (!st->cur.done) {
		if (st->reported == DAXPIN_SCAN_MAX_PAGES) {
			daxpin_scan_check_more(st);
			break;
		}
		if (daxpin_scan_fill_pages(skb, cb, st))
			return skb->len;
	}
	if (!st->summary_sent && daxpin_scan_fill_summary(skb, cb, st))
		return skb->len;
	return skb->len;
}
