// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: the "daxpin" generic netlink family: op table, policies, the
 * events group, registration, and who may read what.
 *
 * Dumps and queries are for administrators unless open_reads is set; every
 * command that changes state or costs machine time (kick, reset, set config,
 * the grace-period benchmark) needs CAP_NET_ADMIN through GENL_ADMIN_PERM.
 * The family is registered after everything its handlers use exists and
 * unregistered before any of it goes: genl_unregister_family() is what waits
 * for handlers still running, and a handler holds no module reference.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/cred.h>
#include <linux/sched/coredump.h>
#include <linux/sched/task.h>
#include <linux/pid_namespace.h>
#include "daxpin_nl.h"
#include "daxpin_compat.h"

const struct daxpin_reader daxpin_event_reader = {
	.privileged	= true,
	.see_pfn	= false,
};

bool daxpin_may_read(const struct sk_buff *skb)
{
	return READ_ONCE(daxpin_open_reads) ||
	       netlink_capable(skb, CAP_NET_ADMIN);
}

/*
 * A pfn is a physical address: like /proc/PID/pagemap, only CAP_SYS_ADMIN
 * in the initial user namespace sees it (netlink_capable() checks both the
 * socket's opener and the sender there).
 */
void daxpin_reader_init(struct daxpin_reader *r, const struct sk_buff *skb)
{
	r->privileged = netlink_capable(skb, CAP_NET_ADMIN);
	r->see_pfn = netlink_capable(skb, CAP_SYS_ADMIN);
}

/*
 * The credential and dumpability half of ptrace_may_access() in
 * PTRACE_MODE_READ_FSCREDS mode, which modules cannot call: the reader's
 * fsuid/fsgid must match every uid/gid of the waiter, and the waiter must be
 * dumpable.  No CAP_SYS_PTRACE override (such a reader may ask as an
 * administrator) and no LSM hook (not exported): this is never more
 * permissive than ptrace except where an LSM alone would refuse.
 */
bool daxpin_may_inspect(struct task_struct *task)
{
	const struct cred *me = current_cred();
	const struct cred *tcred;
	bool ok;

	if (same_thread_group(task, current))
		return true;
	rcu_read_lock();
	tcred = __task_cred(task);
	ok = uid_eq(me->fsuid, tcred->euid) && uid_eq(me->fsuid, tcred->suid) &&
	     uid_eq(me->fsuid, tcred->uid) && gid_eq(me->fsgid, tcred->egid) &&
	     gid_eq(me->fsgid, tcred->sgid) && gid_eq(me->fsgid, tcred->gid);
	rcu_read_unlock();
	if (!ok)
		return false;
	task_lock(task);
	ok = daxpin_task_dumpable_locked(task);
	task_unlock(task);
	return ok;
}

/*
 * Shape @info for the reader: pids as the reader's pid namespace numbers
 * them (0 for a privileged reader who cannot see the task there), and
 * nothing at all of a task an unprivileged reader could not inspect.
 * Returns false when the wait is to be left out.
 */
bool daxpin_reader_view(const struct daxpin_reader *r,
			struct task_struct *task,
			struct daxpin_wait_info *info)
{
	struct pid_namespace *ns = task_active_pid_ns(current);

	if (!r->privileged && !daxpin_may_inspect(task))
		return false;
	info->pid = task_pid_nr_ns(task, ns);
	info->tgid = task_tgid_nr_ns(task, ns);
	return r->privileged || info->pid;
}

/* Requests that take no attribute: strict validation refuses any. */
static const struct nla_policy daxpin_no_attr_policy[DAXPIN_ATTR_MAX + 1] = {
};

static const struct nla_policy daxpin_waits_policy[DAXPIN_ATTR_MAX + 1] = {
	[DAXPIN_ATTR_ENDED_SINCE]	= { .type = NLA_U64 },
};

static const struct nla_policy daxpin_set_config_policy[DAXPIN_ATTR_MAX + 1] = {
	[DAXPIN_ATTR_CONFIG]	= NLA_POLICY_NESTED(daxpin_config_policy),
};

static const struct nla_policy daxpin_kick_policy[DAXPIN_ATTR_MAX + 1] = {
	[DAXPIN_ATTR_WAIT_ID]	= NLA_POLICY_MIN(NLA_U64, 1),
};

static struct netlink_range_validation daxpin_fd_range = {
	.min = 0,
	.max = INT_MAX,
};

static const struct nla_policy daxpin_scan_policy[DAXPIN_ATTR_MAX + 1] = {
	[DAXPIN_ATTR_FD]	= NLA_POLICY_FULL_RANGE(NLA_U32, &daxpin_fd_range),
};

static const struct nla_policy daxpin_bench_policy[DAXPIN_ATTR_MAX + 1] = {
	[DAXPIN_ATTR_BENCH_ITERATIONS] =
		NLA_POLICY_RANGE(NLA_U32, 1, DAXPIN_BENCH_MAX_ITERATIONS),
};

static const struct genl_ops daxpin_ops[] = {
	{
		.cmd		= DAXPIN_CMD_GET_WAITS,
		.start		= daxpin_nl_waits_start,
		.dumpit		= daxpin_nl_waits_dumpit,
		.policy		= daxpin_waits_policy,
		.maxattr	= DAXPIN_ATTR_MAX,
	},
	{
		.cmd		= DAXPIN_CMD_GET_STATS,
		.start		= daxpin_nl_stats_start,
		.dumpit		= daxpin_nl_stats_dumpit,
		.policy		= daxpin_no_attr_policy,
		.maxattr	= DAXPIN_ATTR_MAX,
	},
	{
		.cmd		= DAXPIN_CMD_RESET_STATS,
		.doit		= daxpin_nl_reset_stats_doit,
		.policy		= daxpin_no_attr_policy,
		.maxattr	= DAXPIN_ATTR_MAX,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= DAXPIN_CMD_GET_CONFIG,
		.doit		= daxpin_nl_get_config_doit,
		.policy		= daxpin_no_attr_policy,
		.maxattr	= DAXPIN_ATTR_MAX,
	},
	{
		.cmd		= DAXPIN_CMD_SET_CONFIG,
		.doit		= daxpin_nl_set_config_doit,
		.policy		= daxpin_set_config_policy,
		.maxattr	= DAXPIN_ATTR_MAX,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= DAXPIN_CMD_KICK,
		.doit		= daxpin_nl_kick_doit,
		.policy		= daxpin_kick_policy,
		.maxattr	= DAXPIN_ATTR_MAX,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= DAXPIN_CMD_SCAN,
		.start		= daxpin_nl_scan_start,
		.dumpit		= daxpin_nl_scan_dumpit,
		.done		= daxpin_nl_scan_done,
		.policy		= daxpin_scan_policy,
		.maxattr	= DAXPIN_ATTR_MAX,
	},
	{
		.cmd		= DAXPIN_CMD_BENCH_GP,
		.doit		= daxpin_nl_bench_gp_doit,
		.policy		= daxpin_bench_policy,
		.maxattr	= DAXPIN_ATTR_MAX,
		.flags		= GENL_ADMIN_PERM,
	},
};

/*
 * Events name tasks, files and pages of every user.  They cannot be shaped
 * per reader, so the group is for administrators whatever open_reads says:
 * a join is judged the same before and after open_reads changes.
 */
static const struct genl_multicast_group daxpin_mcgrps[] = {
	{ .name = DAXPIN_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

struct genl_family daxpin_family = {
	.name		= DAXPIN_GENL_NAME,
	.version	= DAXPIN_GENL_VERSION,
	.maxattr	= DAXPIN_ATTR_MAX,
	.module		= THIS_MODULE,
	.ops		= daxpin_ops,
	.n_ops		= ARRAY_SIZE(daxpin_ops),
	.mcgrps		= daxpin_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(daxpin_mcgrps),
	/* The benchmark sleeps for seconds: do not hold genl_mutex. */
	.parallel_ops	= true,
};

int daxpin_netlink_init(void)
{
	int ret;

	ret = genl_register_family(&daxpin_family);
	if (ret)
		pr_err("cannot register generic netlink family %s (%d)\n",
		       DAXPIN_GENL_NAME, ret);
	return ret;
}

/* Returns once no handler of the family runs any more. */
void daxpin_netlink_exit(void)
{
	genl_unregister_family(&daxpin_family);
}
