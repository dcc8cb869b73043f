// SPDX-License-Identifier: LGPL-2.1
/*
 * Socket side of libdaxpin: libnl-genl-3 resolves the family and builds the
 * requests; replies are received with a plain recvmsg() loop so that
 * NLMSG_ERROR / NLMSG_DONE, their extended ack and ENOBUFS are seen as they
 * are, and every message is handed to the pure parsers in parse.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>

#include "daxpin.h"
#include "private.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define RECV_BUF_MIN	(32 * 1024)
#define EVENT_RCVBUF	(1024 * 1024)

struct daxpin_ctx {
	struct nl_sock *sk;
	struct nl_sock *ev_sk;
	int family;
	int mcgrp;
	unsigned int version;
	char errmsg[DAXPIN_ERRMSG_LEN];
	char *buf;
	size_t buflen;
	bool abandoned;		/* a dump was left unread: sk is out of sync */
};

/* libnl error codes are positive NLE_*; turn them into errno */
static int nlerr_to_errno(int nlerr)
{
	switch (abs(nlerr)) {
	case 0:
		return 0;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_BUSY:
		return -EBUSY;
	default:
		return -EIO;
	}
}

const char *daxpin_strerror(int err)
{
	err = abs(err);
	if (err == DAXPIN_ENOMODULE)
		return "daxpin kernel module not loaded";
	return strerror(err);
}

const char *daxpin_errmsg(const struct daxpin_ctx *ctx)
{
	return ctx ? ctx->errmsg : "";
}

unsigned int daxpin_family_version(const struct daxpin_ctx *ctx)
{
	return ctx->version;
}

struct family_info {
	int id;
	int mcgrp;
	unsigned int version;
};

static void parse_mcast_groups(struct nlattr *groups, struct family_info *fi)
{
	struct nlattr *grp, *tb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	int rem;

	nla_for_each_nested(grp, groups, rem) {
		if (nla_parse_nested(tb, CTRL_ATTR_MCAST_GRP_MAX, grp, NULL) ||
		    !tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID])
			continue;
		if (!strcmp(nla_get_string(tb[CTRL_ATTR_MCAST_GRP_NAME]),
			    DAXPIN_MCGRP_EVENTS))
			fi->mcgrp = nla_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
}

static int family_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct family_info *fi = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, NULL) ||
	    !tb[CTRL_ATTR_FAMILY_ID])
		return NL_SKIP;
	fi->id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_VERSION])
		fi->version = nla_get_u32(tb[CTRL_ATTR_VERSION]);
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		parse_mcast_groups(tb[CTRL_ATTR_MCAST_GROUPS], fi);
	return NL_OK;
}

/*
 * One CTRL_CMD_GETFAMILY round trip gives the id, the version and the
 * multicast groups: libnl's resolve helpers take three, one of them a dump
 * of every family, which is most of a short command's time under emulation.
 */
static int resolve_family(struct nl_sock *sk, struct family_info *fi)
{
	struct nl_msg *msg = nlmsg_alloc();
	int rc;

	if (!msg)
		return -NLE_NOMEM;
	fi->id = -1;
	fi->mcgrp = -1;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, 0,
			 CTRL_CMD_GETFAMILY, 1) ||
	    nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, DAXPIN_GENL_NAME) < 0) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	rc = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (rc < 0)
		return rc;
	rc = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, family_reply, fi);
	if (rc < 0)
		return rc;
	rc = nl_recvmsgs_default(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_DEFAULT, NULL, NULL);
	if (rc < 0)
		return rc;
	return fi->id < 0 ? -NLE_OBJ_NOTFOUND : 0;
}

int daxpin_open(struct daxpin_ctx **out)
{
	struct family_info fi;
	struct daxpin_ctx *ctx;
	int rc, one = 1;

	*out = NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->mcgrp = -1;
	ctx->buflen = RECV_BUF_MIN;
	ctx->buf = malloc(ctx->buflen);
	if (!ctx->buf) {
		rc = -ENOMEM;
		goto err;
	}
	ctx->sk = nl_socket_alloc();
	if (!ctx->sk) {
		rc = -ENOMEM;
		goto err;
	}
	rc = genl_connect(ctx->sk);
	if (rc < 0) {
		rc = nlerr_to_errno(rc);
		goto err;
	}
	/* best effort: extended ack and capped acks */
	setsockopt(nl_socket_get_fd(ctx->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(ctx->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));

	rc = resolve_family(ctx->sk, &fi);
	if (rc < 0) {
		rc = nlerr_to_errno(rc);
		if (rc == -ENOENT)
			rc = -DAXPIN_ENOMODULE;
		goto err;
	}
	if (fi.mcgrp < 0) {
		/* the family exists without its group: not our module */
		rc = -EPROTO;
		goto err;
	}
	ctx->family = fi.id;
	ctx->mcgrp = fi.mcgrp;
	ctx->version = fi.version;
	*out = ctx;
	return 0;
err:
	daxpin_close(ctx);
	return rc;
}

void daxpin_close(struct daxpin_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->ev_sk)
		nl_socket_free(ctx->ev_sk);
	if (ctx->sk)
		nl_socket_free(ctx->sk);
	free(ctx->buf);
	free(ctx);
}

/*
 * Receive one datagram into ctx->buf, growing it as needed.
 * Returns its length or a negative errno.
 */
static ssize_t recv_datagram(struct daxpin_ctx *ctx, int fd, int flags)
{
	struct sockaddr_nl sa;
	struct iovec iov;
	struct msghdr mh = {
		.msg_name = &sa,
		.msg_namelen = sizeof(sa),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t n;

	for (;;) {
		iov.iov_base = ctx->buf;
		iov.iov_len = ctx->buflen;
		n = recvmsg(fd, &mh, flags | MSG_PEEK | MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if ((size_t)n > ctx->buflen) {
			char *p = realloc(ctx->buf, n);

			if (!p)
				return -ENOMEM;
			ctx->buf = p;
			ctx->buflen = n;
			continue;
		}
		break;
	}
	do {
		mh.msg_namelen = sizeof(sa);
		n = recvmsg(fd, &mh, flags);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (mh.msg_namelen != sizeof(sa) || sa.nl_pid != 0)
		return 0;	/* not from the kernel: ignore */
	return n;
}

typedef int (*reply_fn)(const struct nlmsghdr *nlh, void *arg);

/*
 * Send msg (flags already set) and process replies until the ack, the
 * NLMSG_DONE of a dump or an error. Every daxpin reply goes to fn; fn
 * returning > 0 abandons the rest (the kernel builds a dump only as it is
 * read, so the rest is never built) and leaves the socket unusable.
 */
static int transact(struct daxpin_ctx *ctx, struct nl_msg *msg, reply_fn fn,
		    void *arg)
{
	int fd = nl_socket_get_fd(ctx->sk);
	uint32_t seq, port;
	int rc, cb_rc = 0;

	ctx->errmsg[0] = '\0';
	if (ctx->abandoned)
		return -EPIPE;
	rc = nl_send_auto(ctx->sk, msg);
	if (rc < 0)
		return nlerr_to_errno(rc);
	seq = nlmsg_hdr(msg)->nlmsg_seq;
	port = nl_socket_get_local_port(ctx->sk);

	for (;;) {
		struct nlmsghdr *nlh;
		ssize_t n = recv_datagram(ctx, fd, 0);
		int len;

		if (n < 0)
			return (int)n;
		nlh = (struct nlmsghdr *)ctx->buf;
		len = (int)n;
		for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != port)
				continue;	/* stale reply */
			switch (nlh->nlmsg_type) {
			case NLMSG_NOOP:
				continue;
			case NLMSG_ERROR:
			case NLMSG_DONE:
				rc = daxpin_parse_nlmsgerr(nlh, ctx->errmsg,
							   sizeof(ctx->errmsg));
				if (rc == 0)
					rc = cb_rc;
				return rc;
			default:
				break;
			}
			if (nlh->nlmsg_type != ctx->family)
				continue;
			/*
			 * Keep draining to the end of the reply even after a
			 * parse failure, so the socket stays in sync.
			 */
			if (!cb_rc && fn)
				cb_rc = fn(nlh, arg);
			if (cb_rc > 0) {
				ctx->abandoned = true;
				return 0;
			}
		}
	}
}

static struct nl_msg *new_request(struct daxpin_ctx *ctx, uint8_t cmd,
				  int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ctx->family, 0,
			 flags | NLM_F_REQUEST | NLM_F_ACK, cmd,
			 DAXPIN_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int simple_request(struct daxpin_ctx *ctx, uint8_t cmd, int flags,
			  reply_fn fn, void *arg)
{
	struct nl_msg *msg = new_request(ctx, cmd, flags);
	int rc;

	if (!msg)
		return -ENOMEM;
	rc = transact(ctx, msg, fn, arg);
	nlmsg_free(msg);
	return rc;
}

static int waits_reply(const struct nlmsghdr *nlh, void *arg)
{
	return daxpin_msg_parse_waits(nlh, arg);
}

int daxpin_get_waits(struct daxpin_ctx *ctx, struct daxpin_waits *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = simple_request(ctx, DAXPIN_CMD_GET_WAITS, NLM_F_DUMP,
			    waits_reply, out);
	if (rc)
		daxpin_waits_free(out);
	return rc;
}

struct waits_since {
	struct daxpin_waits *out;
	struct daxpin_waits *ended;
	struct daxpin_waits_log *log;
};

/* Records go to ->ended, waits in flight to ->out, the summary to ->log. */
static int waits_since_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct daxpin_waits batch = { 0 };
	struct waits_since *ws = arg;
	int rc;

	rc = daxpin_msg_parse_waits(nlh, &batch);
	if (!rc)
		rc = daxpin_msg_parse_waits_log(nlh, ws->log);
	for (size_t i = 0; !rc && i < batch.nr; i++) {
		struct daxpin_waits *to = batch.waits[i].ended ? ws->ended : ws->out;
		struct daxpin_wait *w = daxpin_array_add((void **)&to->waits, &to->nr,
							 &to->alloc, sizeof(*w));

		if (!w)
			rc = -ENOMEM;
		else
			*w = batch.waits[i];
	}
	daxpin_waits_free(&batch);
	return rc;
}

int daxpin_get_waits_since(struct daxpin_ctx *ctx, uint64_t since, struct daxpin_waits *out,
			   struct daxpin_waits *ended, struct daxpin_waits_log *log)
{
	struct waits_since ws = { .out = out, .ended = ended, .log = log };
	struct nl_msg *msg;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(ended, 0, sizeof(*ended));
	memset(log, 0, sizeof(*log));
	msg = new_request(ctx, DAXPIN_CMD_GET_WAITS, NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	rc = nla_put_u64(msg, DAXPIN_ATTR_ENDED_SINCE, since);
	rc = rc < 0 ? -ENOMEM : transact(ctx, msg, waits_since_reply, &ws);
	nlmsg_free(msg);
	if (rc) {
		daxpin_waits_free(out);
		daxpin_waits_free(ended);
	}
	return rc;
}

struct walk {
	daxpin_wait_fn fn;
	void *arg;
};

static int walk_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct daxpin_waits batch = { 0 };
	struct walk *walk = arg;
	size_t i;
	int rc;

	rc = daxpin_msg_parse_waits(nlh, &batch);
	for (i = 0; !rc && i < batch.nr; i++)
		rc = walk->fn(&batch.waits[i], walk->arg);
	daxpin_waits_free(&batch);
	return rc;
}

int daxpin_walk_waits(struct daxpin_ctx *ctx, daxpin_wait_fn fn, void *arg)
{
	struct walk walk = { .fn = fn, .arg = arg };

	return simple_request(ctx, DAXPIN_CMD_GET_WAITS, NLM_F_DUMP,
			      walk_reply, &walk);
}

static int stats_reply(const struct nlmsghdr *nlh, void *arg)
{
	return daxpin_msg_parse_stats(nlh, arg);
}

int daxpin_get_stats(struct daxpin_ctx *ctx, struct daxpin_stats *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = simple_request(ctx, DAXPIN_CMD_GET_STATS, NLM_F_DUMP,
			    stats_reply, out);
	if (rc)
		daxpin_stats_free(out);
	return rc;
}

int daxpin_reset_stats(struct daxpin_ctx *ctx)
{
	return simple_request(ctx, DAXPIN_CMD_RESET_STATS, 0, NULL, NULL);
}

struct config_acc {
	struct daxpin_config *c;
	bool seen;
};

static int config_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct config_acc *a = arg;
	int rc = daxpin_msg_parse_config(nlh, a->c);

	if (rc == 0)
		a->seen = true;
	return rc;
}

int daxpin_get_config(struct daxpin_ctx *ctx, struct daxpin_config *out)
{
	struct config_acc a = { .c = out };
	int rc;

	memset(out, 0, sizeof(*out));
	rc = simple_request(ctx, DAXPIN_CMD_GET_CONFIG, 0, config_reply, &a);
	if (rc == 0 && !a.seen)
		rc = -ENODATA;
	return rc;
}

int daxpin_set_config(struct daxpin_ctx *ctx, const struct daxpin_config *cfg)
{
	struct nl_msg *msg;
	struct nlattr *nest;
	int rc = -EMSGSIZE;

	msg = new_request(ctx, DAXPIN_CMD_SET_CONFIG, 0);
	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, DAXPIN_ATTR_CONFIG | NLA_F_NESTED);
	if (!nest)
		goto out;
	if ((cfg->mask & DAXPIN_CFG_POLL_MS) &&
	    nla_put_u32(msg, DAXPIN_CONFIG_ATTR_POLL_MS, cfg->poll_ms))
		goto out;
	if ((cfg->mask & DAXPIN_CFG_OPEN_READS) &&
	    nla_put_u8(msg, DAXPIN_CONFIG_ATTR_OPEN_READS, cfg->open_reads))
		goto out;
	if ((cfg->mask & DAXPIN_CFG_COUNT_BREAKS) &&
	    nla_put_u8(msg, DAXPIN_CONFIG_ATTR_COUNT_BREAKS, cfg->count_breaks))
		goto out;
	if ((cfg->mask & DAXPIN_CFG_EVENT_BURST) &&
	    nla_put_u32(msg, DAXPIN_CONFIG_ATTR_EVENT_BURST, cfg->event_burst))
		goto out;
	if ((cfg->mask & DAXPIN_CFG_RESCUE) &&
	    nla_put_u8(msg, DAXPIN_CONFIG_ATTR_RESCUE, cfg->rescue))
		goto out;
	nla_nest_end(msg, nest);
	rc = transact(ctx, msg, NULL, NULL);
out:
	nlmsg_free(msg);
	return rc;
}

struct kick_acc {
	bool *was_idle;
	bool seen;
};

static int kick_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct kick_acc *k = arg;
	int rc = daxpin_msg_parse_kick(nlh, k->was_idle);

	if (rc == 0)
		k->seen = true;
	return rc;
}

int daxpin_kick(struct daxpin_ctx *ctx, uint64_t id, bool *was_idle)
{
	struct kick_acc k = { .was_idle = was_idle };
	struct nl_msg *msg;
	int rc;

	msg = new_request(ctx, DAXPIN_CMD_KICK, 0);
	if (!msg)
		return -ENOMEM;
	/* the kernel reads it with nla_get_u64(): alignment is irrelevant */
	if (nla_put_u64(msg, DAXPIN_ATTR_WAIT_ID, id)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	rc = transact(ctx, msg, kick_reply, &k);
	nlmsg_free(msg);
	if (rc == 0 && !k.seen)
		rc = -ENODATA;
	return rc;
}

static int scan_reply(const struct nlmsghdr *nlh, void *arg)
{
	return daxpin_msg_parse_scan(nlh, arg);
}

int daxpin_scan(struct daxpin_ctx *ctx, int fd, struct daxpin_scan *out)
{
	struct nl_msg *msg;
	int rc;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return -EBADF;
	/* A dump: the module walks the file a batch at a time as we read. */
	msg = new_request(ctx, DAXPIN_CMD_SCAN, NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, DAXPIN_ATTR_FD, (uint32_t)fd)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	rc = transact(ctx, msg, scan_reply, out);
	nlmsg_free(msg);
	if (rc)
		daxpin_scan_free(out);
	return rc;
}

static int bench_reply(const struct nlmsghdr *nlh, void *arg)
{
	return daxpin_msg_parse_bench(nlh, arg);
}

int daxpin_bench_gp(struct daxpin_ctx *ctx, uint32_t iterations,
		    struct daxpin_bench *out)
{
	struct nl_msg *msg;
	int rc;

	memset(out, 0, sizeof(*out));
	msg = new_request(ctx, DAXPIN_CMD_BENCH_GP, 0);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, DAXPIN_ATTR_BENCH_ITERATIONS, iterations)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	rc = transact(ctx, msg, bench_reply, out);
	nlmsg_free(msg);
	if (rc)
		daxpin_bench_free(out);
	return rc;
}

/* ---- events --------------------------------------------------------- */

int daxpin_events_fd(const struct daxpin_ctx *ctx)
{
	return ctx->ev_sk ? nl_socket_get_fd(ctx->ev_sk) : -1;
}

int daxpin_events_subscribe(struct daxpin_ctx *ctx)
{
	struct nl_sock *sk;
	int rc;

	if (ctx->ev_sk)
		return nl_socket_get_fd(ctx->ev_sk);
	if (ctx->mcgrp < 0)
		return -EPROTO;
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	nl_socket_disable_seq_check(sk);
	rc = genl_connect(sk);
	if (rc < 0)
		goto err;
	rc = nl_socket_set_nonblocking(sk);
	if (rc < 0)
		goto err;
	/* a larger buffer makes overruns rarer; failure is harmless */
	nl_socket_set_buffer_size(sk, EVENT_RCVBUF, 0);
	rc = nl_socket_add_membership(sk, ctx->mcgrp);
	if (rc < 0)
		goto err;
	ctx->ev_sk = sk;
	return nl_socket_get_fd(sk);
err:
	nl_socket_free(sk);
	return nlerr_to_errno(rc);
}

int daxpin_events_read(struct daxpin_ctx *ctx, daxpin_event_cb cb, void *arg,
		       unsigned int *nr_bad)
{
	struct daxpin_event *ev;
	int fd, delivered = 0, rc = 0;

	if (nr_bad)
		*nr_bad = 0;
	if (!ctx->ev_sk)
		return -EBADF;
	fd = nl_socket_get_fd(ctx->ev_sk);
	ev = malloc(sizeof(*ev));
	if (!ev)
		return -ENOMEM;

	for (;;) {
		struct nlmsghdr *nlh;
		ssize_t n = recv_datagram(ctx, fd, MSG_DONTWAIT);
		int len;

		if (n == -EAGAIN || n == -EWOULDBLOCK)
			break;
		if (n == -ENOBUFS) {
			memset(ev, 0, sizeof(*ev));
			ev->type = DAXPIN_EVENT_OVERRUN;
			delivered++;
			rc = cb(ev, arg);
			if (rc)
				goto out;
			continue;
		}
		if (n < 0) {
			rc = (int)n;
			goto out;
		}
		nlh = (struct nlmsghdr *)ctx->buf;
		len = (int)n;
		for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
			const struct genlmsghdr *g;

			if (nlh->nlmsg_type != ctx->family)
				continue;
			if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
				if (nr_bad)
					(*nr_bad)++;
				continue;
			}
			g = nlmsg_data(nlh);
			if (g->cmd != DAXPIN_CMD_EVENT)
				continue;
			if (daxpin_msg_parse_event(nlh, ev)) {
				if (nr_bad)
					(*nr_bad)++;
				continue;
			}
			delivered++;
			rc = cb(ev, arg);
			if (rc)
				goto out;
		}
	}
out:
	free(ev);
	return rc ? rc : delivered;
}
