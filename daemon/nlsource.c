// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "daemon/nlsource.h"

struct dxp_nl {
	struct daxpin_ctx *ctx;		/* NULL while the module is absent */
	struct nl_sock *ctrl;
};

int dxp_nl_new(struct dxp_nl **out)
{
	struct dxp_nl *n = calloc(1, sizeof(*n));
	int r, grp;

	if (!n)
		return -ENOMEM;
	n->ctrl = nl_socket_alloc();
	if (!n->ctrl) {
		free(n);
		return -ENOMEM;
	}
	nl_socket_disable_seq_check(n->ctrl);
	r = genl_connect(n->ctrl);
	if (r < 0)
		goto fail;
	grp = genl_ctrl_resolve_grp(n->ctrl, "nlctrl", "notify");
	if (grp < 0) {
		r = grp;
		goto fail;
	}
	r = nl_socket_add_membership(n->ctrl, grp);
	if (r < 0)
		goto fail;
	r = nl_socket_set_nonblocking(n->ctrl);
	if (r < 0)
		goto fail;
	*out = n;
	return 0;
fail:
	nl_socket_free(n->ctrl);
	free(n);
	return -EIO;
}

void dxp_nl_free(struct dxp_nl *n)
{
	if (!n)
		return;
	dxp_nl_disconnect(n);
	nl_socket_free(n->ctrl);
	free(n);
}

int dxp_nl_ctrl_fd(struct dxp_nl *n)
{
	return nl_socket_get_fd(n->ctrl);
}

/* One controller message: NEWFAMILY / DELFAMILY naming "daxpin"? */
static int ctrl_msg(const struct nlmsghdr *nlh, bool *present)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	const struct genlmsghdr *g;

	if (nlh->nlmsg_type != GENL_ID_CTRL || nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return 0;
	g = nlmsg_data(nlh);
	if (g->cmd != CTRL_CMD_NEWFAMILY && g->cmd != CTRL_CMD_DELFAMILY)
		return 0;
	if (genlmsg_parse((struct nlmsghdr *)nlh, 0, tb, CTRL_ATTR_MAX, NULL) < 0)
		return 0;
	if (!tb[CTRL_ATTR_FAMILY_NAME] ||
	    strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]), DAXPIN_GENL_NAME))
		return 0;
	*present = g->cmd == CTRL_CMD_NEWFAMILY;
	return 1;
}

int dxp_nl_ctrl_read(struct dxp_nl *n, dxp_nl_family_fn fn, void *userdata)
{
	char buf[8192];

	for (;;) {
		ssize_t len = recv(nl_socket_get_fd(n->ctrl), buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
		int left;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			if (errno == ENOBUFS) {
				/* Lost controller news: tell the caller to
				 * re-check by probing the family. */
				fn(userdata, true);
				continue;
			}
			return -errno;
		}
		left = (int)len;
		for (; nlmsg_ok(nlh, left); nlh = nlmsg_next(nlh, &left)) {
			bool present;

			if (ctrl_msg(nlh, &present))
				fn(userdata, present);
		}
	}
}

int dxp_nl_connect(struct dxp_nl *n)
{
	int r;

	if (n->ctx)
		return daxpin_events_fd(n->ctx);
	r = daxpin_open(&n->ctx);
	if (r < 0)
		return r;
	r = daxpin_events_subscribe(n->ctx);
	if (r < 0) {
		daxpin_close(n->ctx);
		n->ctx = NULL;
	}
	return r;
}

void dxp_nl_disconnect(struct dxp_nl *n)
{
	daxpin_close(n->ctx);
	n->ctx = NULL;
}

bool dxp_nl_connected(const struct dxp_nl *n)
{
	return n->ctx;
}

int dxp_nl_events_read(struct dxp_nl *n, daxpin_event_cb cb, void *arg, unsigned *nr_bad)
{
	if (!n->ctx)
		return -DAXPIN_ENOMODULE;
	return daxpin_events_read(n->ctx, cb, arg, nr_bad);
}

/* ---- dxp_source ops -------------------------------------------------- */

static int src_dump(void *c, struct daxpin_waits *out)
{
	struct dxp_nl *n = c;

	if (!n->ctx)
		return -DAXPIN_ENOMODULE;
	return daxpin_get_waits(n->ctx, out);
}

static int src_dump_since(void *c, uint64_t since, struct daxpin_waits *out,
			  struct daxpin_waits *ended, struct daxpin_waits_log *log)
{
	struct dxp_nl *n = c;

	if (!n->ctx)
		return -DAXPIN_ENOMODULE;
	return daxpin_get_waits_since(n->ctx, since, out, ended, log);
}

static int nl_get_wait(void *c, uint64_t id, struct daxpin_wait *out)
{
	struct daxpin_waits all = { 0 };
	int r = src_dump(c, &all);

	/* The family has no per-wait GET; a dump is one round trip anyway. */
	if (r < 0)
		return r;
	r = -ENOENT;
	for (size_t i = 0; i < all.nr; i++)
		if (all.waits[i].id == id) {
			*out = all.waits[i];
			r = 0;
			break;
		}
	daxpin_waits_free(&all);
	return r;
}

static int nl_kick(void *c, uint64_t id, bool *was_idle)
{
	struct dxp_nl *n = c;

	if (!n->ctx)
		return -DAXPIN_ENOMODULE;
	return daxpin_kick(n->ctx, id, was_idle);
}

static int nl_set_config(void *c, const struct dxp_module_config *mc)
{
	struct daxpin_config cfg = { 0 };
	struct dxp_nl *n = c;

	if (!n->ctx)
		return -DAXPIN_ENOMODULE;
	if (mc->set & DXP_MODCFG_POLL_MS) {
		cfg.mask |= DAXPIN_CFG_POLL_MS;
		cfg.poll_ms = mc->poll_ms;
	}
	if (mc->set & DXP_MODCFG_EVENT_BURST) {
		cfg.mask |= DAXPIN_CFG_EVENT_BURST;
		cfg.event_burst = mc->event_burst;
	}
	if (mc->set & DXP_MODCFG_OPEN_READS) {
		cfg.mask |= DAXPIN_CFG_OPEN_READS;
		cfg.open_reads = mc->open_reads;
	}
	if (mc->set & DXP_MODCFG_COUNT_BREAKS) {
		cfg.mask |= DAXPIN_CFG_COUNT_BREAKS;
		cfg.count_breaks = mc->count_breaks;
	}
	if (!cfg.mask)
		return 0;
	return daxpin_set_config(n->ctx, &cfg);
}

static int nl_get_stats(void *c, struct daxpin_stats *out)
{
	struct dxp_nl *n = c;

	if (!n->ctx)
		return -DAXPIN_ENOMODULE;
	return daxpin_get_stats(n->ctx, out);
}

static const struct dxp_source_ops nl_ops = {
	.dump_waits = src_dump,
	.dump_since = src_dump_since,
	.get_wait = nl_get_wait,
	.kick = nl_kick,
	.set_config = nl_set_config,
	.get_stats = nl_get_stats,
};

void dxp_nl_source(struct dxp_nl *n, struct dxp_source *out)
{
	out->ops = &nl_ops;
	out->ctx = n;
}
