/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxpin: private to the generic netlink files (family, dumps, commands,
 * events).  The state files never include this header.
 */
#ifndef _DAXPIN_NL_H
#define _DAXPIN_NL_H

#include <net/genetlink.h>
#include "daxpin.h"

extern struct genl_family daxpin_family;

/*
 * What one reader may see, decided once per request from the sender's
 * credentials.  Events are multicast and cannot be tailored: they use
 * daxpin_event_reader (privileged, no pfn, initial pid namespace).
 */
struct daxpin_reader {
	bool privileged;	/* CAP_NET_ADMIN: every wait, with its path */
	bool see_pfn;		/* CAP_SYS_ADMIN in the initial user ns */
};

extern const struct daxpin_reader daxpin_event_reader;

bool daxpin_may_read(const struct sk_buff *skb);
void daxpin_reader_init(struct daxpin_reader *r, const struct sk_buff *skb);
bool daxpin_reader_view(const struct daxpin_reader *r,
			struct task_struct *task,
			struct daxpin_wait_info *info);

bool daxpin_may_inspect(struct task_struct *task);

/* daxpin_holders.c: the processes mapping a wait's busy page. */
struct daxpin_holder {
	pid_t pid;		/* in the reader's pid namespace */
	pid_t tgid;
	u32 uid;		/* in the reader's user namespace */
	char comm[TASK_COMM_LEN];
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long address;	/* of the busy page in the mapping */
	u32 vm_flags;		/* DAXPIN_HOLDER_VM_* */
	bool mm_pinned;		/* MMF_HAS_PINNED */
	bool owned;		/* a process uses the mapping's mm */
	bool visible;		/* ... and the reader may see it */
};

struct daxpin_holders {
	struct daxpin_holder h[DAXPIN_HOLDERS_MAX];
	unsigned int nr;	/* mappings found, owned or not */
	bool truncated;		/* more mappings, or the task walk stopped */
	bool dma_pinned;	/* the page's, when looked at */
};

void daxpin_holders_find(struct daxpin_holders *hs,
			 struct daxpin_wait_info *w,
			 struct task_struct *waiter,
			 const struct daxpin_reader *r);
int daxpin_holders_put(struct sk_buff *skb, const struct daxpin_holders *hs);

int daxpin_put_wait(struct sk_buff *skb, int attr,
		    const struct daxpin_wait_info *w,
		    const struct daxpin_reader *r);
int daxpin_put_ended(struct sk_buff *skb, int attr,
		     const struct daxpin_ended *e);
int daxpin_put_hist(struct sk_buff *skb, int attr, const u64 *hist);

/* daxpin_nl_dump.c */
int daxpin_nl_waits_start(struct netlink_callback *cb);
int daxpin_nl_waits_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int daxpin_nl_stats_start(struct netlink_callback *cb);
int daxpin_nl_stats_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/* daxpin_nl_scan.c */
int daxpin_nl_scan_start(struct netlink_callback *cb);
int daxpin_nl_scan_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int daxpin_nl_scan_done(struct netlink_callback *cb);

/* daxpin_nl_cmd.c */
int daxpin_nl_reset_stats_doit(struct sk_buff *skb, struct genl_info *info);
int daxpin_nl_get_config_doit(struct sk_buff *skb, struct genl_info *info);
int daxpin_nl_set_config_doit(struct sk_buff *skb, struct genl_info *info);
int daxpin_nl_kick_doit(struct sk_buff *skb, struct genl_info *info);
int daxpin_nl_bench_gp_doit(struct sk_buff *skb, struct genl_info *info);
extern const struct nla_policy daxpin_config_policy[DAXPIN_CONFIG_ATTR_MAX + 1];

#endif /* _DAXPIN_NL_H */
