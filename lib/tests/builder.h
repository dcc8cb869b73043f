/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Build daxpin netlink messages in-process the way daxpin.ko does
 * (kmod/daxpin_netlink.c): nla_nest_start + nla_put_*, with optional
 * nla_put_u64_64bit()-style pad attributes.
 */
#ifndef _DAXPIN_TEST_BUILDER_H_
#define _DAXPIN_TEST_BUILDER_H_

#include <stdbool.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "lib/daxpin.h"

#define TEST_FAMILY 0x1c

struct nl_msg *tb_msg(uint8_t cmd, int flags);
/* u64 with a zero-length pad attribute first when the payload would be misaligned */
int tb_put_u64(struct nl_msg *msg, int type, uint64_t v, int pad, bool force_pad);
int tb_put_hist(struct nl_msg *msg, int attr, const struct daxpin_hist *h, bool pad);
int tb_put_wait(struct nl_msg *msg, int attr, const struct daxpin_wait *w, bool pad);
int tb_put_global(struct nl_msg *msg, const struct daxpin_global *g, bool pad);
int tb_put_sb(struct nl_msg *msg, const struct daxpin_sb_stats *sb, bool pad);
int tb_put_gp(struct nl_msg *msg, const struct daxpin_gp_stats *gp, bool pad);
int tb_put_config(struct nl_msg *msg, const struct daxpin_config *c);
int tb_put_page(struct nl_msg *msg, const struct daxpin_scan_page *p, bool pad);
int tb_put_bench(struct nl_msg *msg, const struct daxpin_bench_result *r, bool pad);
int tb_put_event(struct nl_msg *msg, const struct daxpin_event *ev, bool pad);
/* the has_* members of @log that are set */
int tb_put_waits_log(struct nl_msg *msg, const struct daxpin_waits_log *log, bool pad);
/* a filled-in sample wait; i varies every field */
void tb_sample_wait(struct daxpin_wait *w, unsigned int i);
/* genl attribute area of a message, for corrupting it */
struct nlattr *tb_attrs(struct nl_msg *msg, int *len);

#endif
