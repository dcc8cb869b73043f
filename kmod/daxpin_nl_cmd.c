// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: the doit handlers: RESET_STATS, GET_CONFIG, SET_CONFIG, KICK and
 * BENCH_GP.  Permission for the ones that change state is GENL_ADMIN_PERM
 * in the op table (daxpin_netlink.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include "daxpin_nl.h"

static struct sk_buff *daxpin_reply_new(struct genl_info *info, void **hdr)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &daxpin_family, 0,
				 info->genlhdr->cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int daxpin_nl_reset_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	daxpin_stats_reset();
	daxpin_gp_reset();
	daxpin_breaks_reset();
	daxpin_events_reset();
	return 0;
}

static int daxpin_put_config(struct sk_buff *skb)
{
	struct nlattr *nest = nla_nest_start(skb, DAXPIN_ATTR_CONFIG);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, DAXPIN_CONFIG_ATTR_MAX_WAITS, daxpin_max_waits) ||
	    nla_put_u32(skb, DAXPIN_CONFIG_ATTR_POLL_MS,
			READ_ONCE(daxpin_poll_ms)) ||
	    nla_put_u8(skb, DAXPIN_CONFIG_ATTR_OPEN_READS,
		       READ_ONCE(daxpin_open_reads)) ||
	    nla_put_u8(skb, DAXPIN_CONFIG_ATTR_COUNT_BREAKS,
		       READ_ONCE(daxpin_count_breaks)) ||
	    nla_put_u32(skb, DAXPIN_CONFIG_ATTR_EVENT_BURST,
			READ_ONCE(daxpin_event_burst)) ||
	    nla_put_u8(skb, DAXPIN_CONFIG_ATTR_RESCUE,
		       READ_ONCE(daxpin_rescue))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

int daxpin_nl_get_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	if (!daxpin_may_read(skb)) {
		GENL_SET_ERR_MSG(info, "daxpin reads need CAP_NET_ADMIN (or open_reads=1)");
		return -EPERM;
	}
	msg = daxpin_reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;
	if (daxpin_put_config(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static struct netlink_range_validation daxpin_burst_range = {
	.min = 0,
	.max = 100000,
};

const struct nla_policy daxpin_config_policy[DAXPIN_CONFIG_ATTR_MAX + 1] = {
	[DAXPIN_CONFIG_ATTR_MAX_WAITS]	= { .type = NLA_REJECT },
	[DAXPIN_CONFIG_ATTR_POLL_MS]	= NLA_POLICY_RANGE(NLA_U32, 10, 10000),
	[DAXPIN_CONFIG_ATTR_OPEN_READS]	= NLA_POLICY_MAX(NLA_U8, 1),
	[DAXPIN_CONFIG_ATTR_COUNT_BREAKS] = NLA_POLICY_MAX(NLA_U8, 1),
	[DAXPIN_CONFIG_ATTR_EVENT_BURST] = NLA_POLICY_FULL_RANGE(NLA_U32, &daxpin_burst_range),
	[DAXPIN_CONFIG_ATTR_RESCUE]	= NLA_POLICY_MAX(NLA_U8, 1),
};

int daxpin_nl_set_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[DAXPIN_CONFIG_ATTR_MAX + 1];
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, DAXPIN_ATTR_CONFIG))
		return -EINVAL;
	ret = nla_parse_nested(tb, DAXPIN_CONFIG_ATTR_MAX,
			       info->attrs[DAXPIN_ATTR_CONFIG],
			       daxpin_config_policy, info->extack);
	if (ret)
		return ret;

	if (tb[DAXPIN_CONFIG_ATTR_COUNT_BREAKS]) {
		bool on = nla_get_u8(tb[DAXPIN_CONFIG_ATTR_COUNT_BREAKS]);

		ret = daxpin_breaks_enable(on);
		if (ret) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[DAXPIN_CONFIG_ATTR_COUNT_BREAKS],
					    "cannot arm the layout-break probe on this kernel");
			return ret;
		}
		WRITE_ONCE(daxpin_count_breaks, on);
	}
	if (tb[DAXPIN_CONFIG_ATTR_POLL_MS])
		WRITE_ONCE(daxpin_poll_ms,
			   nla_get_u32(tb[DAXPIN_CONFIG_ATTR_POLL_MS]));
	if (tb[DAXPIN_CONFIG_ATTR_OPEN_READS])
		WRITE_ONCE(daxpin_open_reads,
			   nla_get_u8(tb[DAXPIN_CONFIG_ATTR_OPEN_READS]));
	if (tb[DAXPIN_CONFIG_ATTR_EVENT_BURST])
		WRITE_ONCE(daxpin_event_burst,
			   nla_get_u32(tb[DAXPIN_CONFIG_ATTR_EVENT_BURST]));
	if (tb[DAXPIN_CONFIG_ATTR_RESCUE]) {
		WRITE_ONCE(daxpin_rescue,
			   nla_get_u8(tb[DAXPIN_CONFIG_ATTR_RESCUE]));
		/* Arm for waits already there, or disarm. */
		daxpin_rescue_want();
	}
	return 0;
}

/*
 * The reply is allocated before the kick: once a waiter has been woken, the
 * caller must hear that it was, not an allocation failure.
 */
int daxpin_nl_kick_doit(struct sk_buff *skb, struct genl_info *info)
{
	bool was_idle = false;
	struct sk_buff *msg;
	void *hdr;
	u64 id;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, DAXPIN_ATTR_WAIT_ID))
		return -EINVAL;
	id = nla_get_u64(info->attrs[DAXPIN_ATTR_WAIT_ID]);
	msg = daxpin_reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;
	ret = daxpin_wait_kick(id, &was_idle);
	if (ret) {
		if (ret == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[DAXPIN_ATTR_WAIT_ID],
					    "no such wait (it may have ended)");
		else if (ret == -ENXIO)
			GENL_SET_ERR_MSG(info,
					 "the wait's page is gone (its namespace was disabled)");
		nlmsg_free(msg);
		return ret;
	}
	/* Two small attributes in a NLMSG_GOODSIZE message always fit. */
	if (nla_put_u64_64bit(msg, DAXPIN_ATTR_WAIT_ID, id, DAXPIN_ATTR_PAD) ||
	    nla_put_u8(msg, DAXPIN_ATTR_WAS_IDLE, was_idle)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int daxpin_put_bench(struct sk_buff *skb,
			    const struct daxpin_bench_result *r)
{
	struct nlattr *nest = nla_nest_start(skb, DAXPIN_ATTR_BENCH_RESULT);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, DAXPIN_BENCH_ATTR_PRIMITIVE, r->primitive) ||
	    nla_put_string(skb, DAXPIN_BENCH_ATTR_NAME,
			   daxpin_gp_name(r->primitive)) ||
	    nla_put_u32(skb, DAXPIN_BENCH_ATTR_ITERATIONS, r->iterations) ||
	    nla_put_u64_64bit(skb, DAXPIN_BENCH_ATTR_MIN_NS, r->min_ns,
			      DAXPIN_BENCH_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_BENCH_ATTR_MEDIAN_NS, r->median_ns,
			      DAXPIN_BENCH_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, DAXPIN_BENCH_ATTR_MAX_NS, r->max_ns,
			      DAXPIN_BENCH_ATTR_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

#define DAXPIN_BENCH_DEFAULT	20

int daxpin_nl_bench_gp_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct daxpin_bench_result res[DAXPIN_GP_NR];
	u32 n = DAXPIN_BENCH_DEFAULT;
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;
	int ret;

	if (info->attrs[DAXPIN_ATTR_BENCH_ITERATIONS])
		n = nla_get_u32(info->attrs[DAXPIN_ATTR_BENCH_ITERATIONS]);
	ret = daxpin_gp_bench(n, res);
	if (ret == -EINTR)
		GENL_SET_ERR_MSG(info, "benchmark interrupted by a signal");
	if (ret)
		return ret;

	msg = daxpin_reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;
	for (i = 0; i < DAXPIN_GP_NR; i++) {
		if (daxpin_put_bench(msg, &res[i])) {
			nlmsg_free(msg);
			return -EMSGSIZE;
		}
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}
