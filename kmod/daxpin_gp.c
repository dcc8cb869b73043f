// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: grace-period waits seen from the DAX paths, and a benchmark.
 *
 * The 2018 dax_layout_busy_page() review measured truncate slowed 200x by a
 * synchronize_rcu() in the layout-break path; dax device teardown still waits
 * for dax_srcu readers in kill_dax().  The grace-period primitives are probed
 * with return probes whose entry handler declines every call that is not made
 * by a task in a tracked wait or inside kill_dax(), so unrelated callers pay
 * one check.  The benchmark times the four primitives on this machine.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/rcupdate.h>
#include <linux/srcu.h>
#include <linux/sort.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include "daxpin.h"

#define DAXPIN_KILL_DAX_SLOTS	8

struct daxpin_gp_probe {
	struct kretprobe rp;
	u32 primitive;
	bool registered;
};

struct daxpin_gp_call {
	u64 start_ns;
	u32 context;
};

static const char * const daxpin_gp_names[DAXPIN_GP_NR] = {
	[DAXPIN_GP_SYNCHRONIZE_RCU]		= "synchronize_rcu",
	[DAXPIN_GP_SYNCHRONIZE_RCU_EXPEDITED]	= "synchronize_rcu_expedited",
	[DAXPIN_GP_SYNCHRONIZE_SRCU]		= "synchronize_srcu",
	[DAXPIN_GP_SYNCHRONIZE_SRCU_EXPEDITED]	= "synchronize_srcu_expedited",
};

static struct daxpin_gp_stats daxpin_gp[DAXPIN_GP_NR][DAXPIN_GP_CTX_NR];
static DEFINE_SPINLOCK(daxpin_gp_lock);
static struct task_struct *daxpin_in_kill_dax[DAXPIN_KILL_DAX_SLOTS];
static struct srcu_struct daxpin_bench_srcu;
static DEFINE_MUTEX(daxpin_bench_mutex);

const char *daxpin_gp_name(u32 primitive)
{
	return primitive < DAXPIN_GP_NR ? daxpin_gp_names[primitive] : "unknown";
}

static bool daxpin_task_in_kill_dax(struct task_struct *task)
{
	unsigned int i;

	for (i = 0; i < DAXPIN_KILL_DAX_SLOTS; i++)
		if (READ_ONCE(daxpin_in_kill_dax[i]) == task)
			return true;
	return false;
}

static int daxpin_kill_dax_entry(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	unsigned int i;

	for (i = 0; i < DAXPIN_KILL_DAX_SLOTS; i++)
		if (!cmpxchg(&daxpin_in_kill_dax[i], NULL, current))
			return 0;
	return 1;	/* more concurrent teardowns than slots: not tracked */
}

static int daxpin_kill_dax_ret(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	unsigned int i;

	for (i = 0; i < DAXPIN_KILL_DAX_SLOTS; i++)
		cmpxchg(&daxpin_in_kill_dax[i], current, NULL);
	return 0;
}

static int daxpin_gp_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct daxpin_gp_call *call = (void *)ri->data;

	if (daxpin_task_in_kill_dax(current))
		call->context = DAXPIN_GP_CTX_KILL_DAX;
	else if (daxpin_task_is_waiting(current))
		call->context = DAXPIN_GP_CTX_LAYOUT_BREAK;
	else
		return 1;
	call->start_ns = ktime_get_ns();
	return 0;
}

static int daxpin_gp_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct daxpin_gp_call *call = (void *)ri->data;
	struct daxpin_gp_probe *gp;
	struct daxpin_gp_stats *s;
	unsigned long flags;
	u64 ns;

	gp = container_of(get_kretprobe(ri), struct daxpin_gp_probe, rp);
	ns = ktime_get_ns() - call->start_ns;
	spin_lock_irqsave(&daxpin_gp_lock, flags);
	s = &daxpin_gp[gp->primitive][call->context];
	s->count++;
	s->total_ns += ns;
	s->max_ns = max(s->max_ns, ns);
	daxpin_hist_add(s->hist, ns);
	spin_unlock_irqrestore(&daxpin_gp_lock, flags);
	return 0;
}

#define DAXPIN_GP_PROBE(_prim)						\
	{								\
		.rp = {							\
			.kp.symbol_name	= #_prim,			\
			.entry_handler	= daxpin_gp_entry,		\
			.handler	= daxpin_gp_ret,		\
			.data_size	= sizeof(struct daxpin_gp_call),\
			.maxactive	= 32,				\
		},							\
	}

static struct daxpin_gp_probe daxpin_gp_probes[DAXPIN_GP_NR] = {
	[DAXPIN_GP_SYNCHRONIZE_RCU] = DAXPIN_GP_PROBE(synchronize_rcu),
	[DAXPIN_GP_SYNCHRONIZE_RCU_EXPEDITED] =
		DAXPIN_GP_PROBE(synchronize_rcu_expedited),
	[DAXPIN_GP_SYNCHRONIZE_SRCU] = DAXPIN_GP_PROBE(synchronize_srcu),
	[DAXPIN_GP_SYNCHRONIZE_SRCU_EXPEDITED] =
		DAXPIN_GP_PROBE(synchronize_srcu_expedited),
};

static struct kretprobe daxpin_kill_dax_probe = {
	.kp.symbol_name	= "kill_dax",
	.entry_handler	= daxpin_kill_dax_entry,
	.handler	= daxpin_kill_dax_ret,
	.maxactive	= DAXPIN_KILL_DAX_SLOTS,
};

static bool daxpin_kill_dax_registered;

int daxpin_gp_get(unsigned int idx, struct daxpin_gp_stats *out)
{
	if (idx >= DAXPIN_GP_NR * DAXPIN_GP_CTX_NR)
		return -ENOENT;
	spin_lock_irq(&daxpin_gp_lock);
	*out = daxpin_gp[idx / DAXPIN_GP_CTX_NR][idx % DAXPIN_GP_CTX_NR];
	spin_unlock_irq(&daxpin_gp_lock);
	out->primitive = idx / DAXPIN_GP_CTX_NR;
	out->context = idx % DAXPIN_GP_CTX_NR;
	return 0;
}

void daxpin_gp_reset(void)
{
	spin_lock_irq(&daxpin_gp_lock);
	memset(daxpin_gp, 0, sizeof(daxpin_gp));
	spin_unlock_irq(&daxpin_gp_lock);
}

static void daxpin_gp_run(u32 primitive)
{
	switch (primitive) {
	case DAXPIN_GP_SYNCHRONIZE_RCU:
		synchronize_rcu();
		break;
	case DAXPIN_GP_SYNCHRONIZE_RCU_EXPEDITED:
		synchronize_rcu_expedited();
		break;
	case DAXPIN_GP_SYNCHRONIZE_SRCU:
		synchronize_srcu(&daxpin_bench_srcu);
		break;
	case DAXPIN_GP_SYNCHRONIZE_SRCU_EXPEDITED:
		synchronize_srcu_expedited(&daxpin_bench_srcu);
		break;
	}
}

static int daxpin_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static int daxpin_gp_bench_one(u32 primitive, u32 n, u64 *t,
			       struct daxpin_bench_result *res)
{
	u64 start;
	u32 i;

	for (i = 0; i < n; i++) {
		if (signal_pending(current))
			return -EINTR;
		start = ktime_get_ns();
		daxpin_gp_run(primitive);
		t[i] = ktime_get_ns() - start;
	}
	sort(t, n, sizeof(*t), daxpin_cmp_u64, NULL);
	res->primitive = primitive;
	res->iterations = n;
	res->min_ns = t[0];
	res->median_ns = (t[(n - 1) / 2] + t[n / 2]) / 2;
	res->max_ns = t[n - 1];
	return 0;
}

/* @res has DAXPIN_GP_NR entries. */
int daxpin_gp_bench(u32 n, struct daxpin_bench_result *res)
{
	u32 p;
	u64 *t;
	int ret = 0;

	if (!n || n > DAXPIN_BENCH_MAX_ITERATIONS)
		return -EINVAL;
	t = kvmalloc_array(n, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	if (mutex_lock_interruptible(&daxpin_bench_mutex)) {
		ret = -EINTR;
		goto out_free;
	}
	for (p = 0; p < DAXPIN_GP_NR && !ret; p++)
		ret = daxpin_gp_bench_one(p, n, t, &res[p]);
	mutex_unlock(&daxpin_bench_mutex);
out_free:
	kvfree(t);
	return ret;
}

int daxpin_gp_init(void)
{
	unsigned int i;
	int ret;

	ret = init_srcu_struct(&daxpin_bench_srcu);
	if (ret)
		return ret;

	/* Statistics are a convenience: a missing primitive is not fatal. */
	for (i = 0; i < DAXPIN_GP_NR; i++) {
		daxpin_gp_probes[i].primitive = i;
		ret = register_kretprobe(&daxpin_gp_probes[i].rp);
		if (ret)
			pr_warn("no grace-period statistics for %s (%d)\n",
				daxpin_gp_names[i], ret);
		daxpin_gp_probes[i].registered = !ret;
	}
	ret = register_kretprobe(&daxpin_kill_dax_probe);
	if (ret)
		pr_warn("cannot probe kill_dax (%d): no teardown statistics\n",
			ret);
	daxpin_kill_dax_registered = !ret;
	return 0;
}

void daxpin_gp_exit(void)
{
	unsigned int i;

	if (daxpin_kill_dax_registered)
		unregister_kretprobe(&daxpin_kill_dax_probe);
	for (i = 0; i < DAXPIN_GP_NR; i++)
		if (daxpin_gp_probes[i].registered)
			unregister_kretprobe(&daxpin_gp_probes[i].rp);
	cleanup_srcu_struct(&daxpin_bench_srcu);
}
