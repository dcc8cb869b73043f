// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: grace periods waited for at DAX device teardown, and a benchmark.
 *
 * kill_dax() waits for every dax_srcu reader with synchronize_srcu() before a
 * dax device goes away (devdax unbind, pmem namespace disabled or destroyed).
 * That wait is the only grace period a DAX path is known to call: a truncate
 * stuck in a layout break sleeps in schedule() and calls none, so none is
 * counted there.  kill_dax() is probed, and so are the four primitives; their
 * entry handler declines every call that is not made by a task inside
 * kill_dax(), so unrelated callers pay one load while no teardown runs.
 *
 * Only the outermost primitive of a task is timed: synchronize_srcu() may
 * call synchronize_srcu_expedited() and synchronize_rcu() may call
 * synchronize_rcu_expedited(), and one wait is not two.
 *
 * Calls a return probe could not time (no free instance, or reentered) are
 * reported per primitive as "missed", from the probes' own counters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/srcu.h>
#include <linux/sort.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include "daxpin.h"

#define DAXPIN_KILL_DAX_SLOTS	8

/*
 * Per primitive, at most this many grace periods a request: a normal one
 * costs a few ms, an expedited one interrupts every CPU.
 */
#define DAXPIN_BENCH_MAX_NORMAL		100
#define DAXPIN_BENCH_MAX_EXPEDITED	20

struct daxpin_gp_probe {
	struct kretprobe rp;
	u32 primitive;
	bool registered;
	unsigned long missed_base;	/* probe misses before the last reset */
};

/* A task inside kill_dax(); depth is only touched by that task. */
struct daxpin_kill_dax_slot {
	struct task_struct *task;
	unsigned int depth;
};

struct daxpin_gp_call {
	u64 start_ns;
	struct daxpin_kill_dax_slot *slot;
};

static const char * const daxpin_gp_names[DAXPIN_GP_NR] = {
	[DAXPIN_GP_SYNCHRONIZE_RCU]		= "synchronize_rcu",
	[DAXPIN_GP_SYNCHRONIZE_RCU_EXPEDITED]	= "synchronize_rcu_expedited",
	[DAXPIN_GP_SYNCHRONIZE_SRCU]		= "synchronize_srcu",
	[DAXPIN_GP_SYNCHRONIZE_SRCU_EXPEDITED]	= "synchronize_srcu_expedited",
};

/* Only the kill_dax context is ever counted: one row per primitive. */
static struct daxpin_gp_stats daxpin_gp[DAXPIN_GP_NR];
static DEFINE_SPINLOCK(daxpin_gp_lock);
static struct daxpin_kill_dax_slot daxpin_kill_dax_slots[DAXPIN_KILL_DAX_SLOTS];
static atomic_t daxpin_kill_dax_active = ATOMIC_INIT(0);
/* kill_dax() calls not tracked: more concurrent teardowns than slots. */
static atomic_long_t daxpin_kill_dax_overflow = ATOMIC_LONG_INIT(0);

static struct srcu_struct daxpin_bench_srcu;
/* Serialises benchmarks with each other and with init/exit. */
static DEFINE_MUTEX(daxpin_bench_mutex);
static bool daxpin_bench_ready;		/* under daxpin_bench_mutex */

const char *daxpin_gp_name(u32 primitive)
{
	return primitive < DAXPIN_GP_NR ? daxpin_gp_names[primitive] : "unknown";
}

static struct daxpin_kill_dax_slot *daxpin_kill_dax_slot(void)
{
	unsigned int i;

	for (i = 0; i < DAXPIN_KILL_DAX_SLOTS; i++)
		if (READ_ONCE(daxpin_kill_dax_slots[i].task) == current)
			return &daxpin_kill_dax_slots[i];
	return NULL;
}

static int daxpin_kill_dax_entry(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	struct daxpin_kill_dax_slot *slot;
	unsigned int i;

	for (i = 0; i < DAXPIN_KILL_DAX_SLOTS; i++) {
		slot = &daxpin_kill_dax_slots[i];
		if (!cmpxchg(&slot->task, NULL, current)) {
			slot->depth = 0;
			*(struct daxpin_kill_dax_slot **)ri->data = slot;
			atomic_inc(&daxpin_kill_dax_active);
			return 0;
		}
	}
	atomic_long_inc(&daxpin_kill_dax_overflow);
	return 1;
}

static int daxpin_kill_dax_ret(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	struct daxpin_kill_dax_slot *slot;

	slot = *(struct daxpin_kill_dax_slot **)ri->data;
	atomic_dec(&daxpin_kill_dax_active);
	/* Our last depth store is visible before another task takes the slot. */
	smp_store_release(&slot->task, NULL);
	return 0;
}

static int daxpin_gp_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct daxpin_gp_call *call = (void *)ri->data;
	struct daxpin_kill_dax_slot *slot;

	/* The path of every unrelated caller while no dax device goes away. */
	if (!atomic_read(&daxpin_kill_dax_active))
		return 1;
	slot = daxpin_kill_dax_slot();
	/* Not in kill_dax(), or nested in a primitive already timed. */
	if (!slot || slot->depth)
		return 1;
	slot->depth = 1;
	call->slot = slot;
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

	ns = ktime_get_ns() - call->start_ns;
	call->slot->depth = 0;
	gp = container_of(get_kretprobe(ri), struct daxpin_gp_probe, rp);
	spin_lock_irqsave(&daxpin_gp_lock, flags);
	s = &daxpin_gp[gp->primitive];
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
	.data_size	= sizeof(struct daxpin_kill_dax_slot *),
	.maxactive	= DAXPIN_KILL_DAX_SLOTS,
};

static bool daxpin_kill_dax_registered;
static unsigned long daxpin_kill_dax_missed_base;

static unsigned long daxpin_rp_missed(struct kretprobe *rp)
{
	return READ_ONCE(rp->nmissed) + READ_ONCE(rp->kp.nmissed);
}

/*
 * Every kill_dax() calls synchronize_srcu() once: a teardown the kill_dax()
 * probe missed is a synchronize_srcu() this module could not time.
 */
static unsigned long daxpin_kill_dax_missed(void)
{
	if (!daxpin_kill_dax_registered)
		return 0;
	return daxpin_rp_missed(&daxpin_kill_dax_probe) +
	       atomic_long_read(&daxpin_kill_dax_overflow);
}

static u64 daxpin_gp_missed(u32 primitive)
{
	struct daxpin_gp_probe *gp = &daxpin_gp_probes[primitive];
	u64 missed = 0;

	if (gp->registered)
		missed = daxpin_rp_missed(&gp->rp) - gp->missed_base;
	if (primitive == DAXPIN_GP_SYNCHRONIZE_SRCU)
		missed += daxpin_kill_dax_missed() - daxpin_kill_dax_missed_base;
	return missed;
}

/*
 * Index @idx runs over the primitives in the kill_dax context; the retired
 * layout_break context is never counted and not reported.
 */
int daxpin_gp_get(unsigned int idx, struct daxpin_gp_stats *out)
{
	if (idx >= DAXPIN_GP_NR)
		return -ENOENT;
	spin_lock_irq(&daxpin_gp_lock);
	*out = daxpin_gp[idx];
	out->missed = daxpin_gp_missed(idx);
	spin_unlock_irq(&daxpin_gp_lock);
	out->primitive = idx;
	out->context = DAXPIN_GP_CTX_KILL_DAX;
	return 0;
}

void daxpin_gp_reset(void)
{
	unsigned int i;

	spin_lock_irq(&daxpin_gp_lock);
	memset(daxpin_gp, 0, sizeof(daxpin_gp));
	for (i = 0; i < DAXPIN_GP_NR; i++)
		if (daxpin_gp_probes[i].registered)
			daxpin_gp_probes[i].missed_base =
				daxpin_rp_missed(&daxpin_gp_probes[i].rp);
	daxpin_kill_dax_missed_base = daxpin_kill_dax_missed();
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

static u32 daxpin_gp_bench_cap(u32 primitive, u32 n)
{
	bool expedited = primitive == DAXPIN_GP_SYNCHRONIZE_RCU_EXPEDITED ||
			 primitive == DAXPIN_GP_SYNCHRONIZE_SRCU_EXPEDITED;

	return min_t(u32, n, expedited ? DAXPIN_BENCH_MAX_EXPEDITED :
					 DAXPIN_BENCH_MAX_NORMAL);
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

	n = daxpin_gp_bench_cap(primitive, n);
	for (i = 0; i < n; i++) {
		if (signal_pending(current))
			return -EINTR;
		/* rmmod waits for this handler: let it go quickly. */
		if (!module_is_live(THIS_MODULE))
			return -ESHUTDOWN;
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

/*
 * @res has DAXPIN_GP_NR entries.  Each primitive runs @n times, capped per
 * primitive (res->iterations says how many ran).  -EAGAIN before init and
 * after exit, -ESHUTDOWN when the module is being unloaded.
 */
int daxpin_gp_bench(u32 n, struct daxpin_bench_result *res)
{
	u32 p;
	u64 *t;
	int ret = 0;

	if (!n || n > DAXPIN_BENCH_MAX_ITERATIONS)
		return -EINVAL;
	n = min_t(u32, n, DAXPIN_BENCH_MAX_NORMAL);
	t = kmalloc_array(n, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	if (mutex_lock_interruptible(&daxpin_bench_mutex)) {
		ret = -EINTR;
		goto out_free;
	}
	if (!daxpin_bench_ready)
		ret = -EAGAIN;
	for (p = 0; p < DAXPIN_GP_NR && !ret; p++)
		ret = daxpin_gp_bench_one(p, n, t, &res[p]);
	mutex_unlock(&daxpin_bench_mutex);
out_free:
	kfree(t);
	return ret;
}

static void daxpin_gp_register(void)
{
	unsigned int i;
	int ret;

	/* Statistics are a convenience: a missing primitive is not fatal. */
	for (i = 0; i < DAXPIN_GP_NR; i++) {
		if (daxpin_gp_probes[i].registered)
			continue;
		daxpin_gp_probes[i].primitive = i;
		ret = register_kretprobe(&daxpin_gp_probes[i].rp);
		if (ret)
			pr_warn("no grace-period statistics for %s (%d)\n",
				daxpin_gp_names[i], ret);
		daxpin_gp_probes[i].registered = !ret;
	}
	if (daxpin_kill_dax_registered)
		return;
	ret = register_kretprobe(&daxpin_kill_dax_probe);
	if (ret)
		pr_warn("cannot probe kill_dax (%d): no teardown statistics\n",
			ret);
	daxpin_kill_dax_registered = !ret;
}

/*
 * The benchmark's srcu_struct exists before anything can ask for a benchmark
 * and is freed only once no benchmark runs or can start; init after init and
 * exit after exit are no-ops.
 */
int daxpin_gp_init(void)
{
	int ret = 0;

	mutex_lock(&daxpin_bench_mutex);
	if (!daxpin_bench_ready) {
		ret = init_srcu_struct(&daxpin_bench_srcu);
		daxpin_bench_ready = !ret;
	}
	mutex_unlock(&daxpin_bench_mutex);
	if (ret)
		return ret;
	daxpin_gp_register();
	return 0;
}

/* Unregistered, a probe keeps the address it resolved: forget it. */
static void daxpin_gp_unregister(struct kretprobe *rp, bool *registered)
{
	if (*registered)
		unregister_kretprobe(rp);
	*registered = false;
	rp->kp.addr = NULL;
	rp->kp.flags = 0;
}

void daxpin_gp_exit(void)
{
	unsigned int i;

	daxpin_gp_unregister(&daxpin_kill_dax_probe,
			     &daxpin_kill_dax_registered);
	for (i = 0; i < DAXPIN_GP_NR; i++)
		daxpin_gp_unregister(&daxpin_gp_probes[i].rp,
				     &daxpin_gp_probes[i].registered);
	mutex_lock(&daxpin_bench_mutex);
	if (daxpin_bench_ready)
		cleanup_srcu_struct(&daxpin_bench_srcu);
	daxpin_bench_ready = false;
	mutex_unlock(&daxpin_bench_mutex);
}
