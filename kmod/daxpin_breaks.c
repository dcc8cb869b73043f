// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: optional count of every layout-break scan and its latency.
 *
 * This return probe fires on every dax_layout_busy_page_range() call, i.e. on
 * every truncate, hole punch and fallocate of a DAX file, waiting or not: it
 * stays disarmed unless the administrator asks for it (count_breaks=1).
 * Its measured cost is in the README.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/spinlock.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include "daxpin.h"

static u64 daxpin_breaks;
static u64 daxpin_scan_hist[DAXPIN_HIST_BUCKETS];
static DEFINE_SPINLOCK(daxpin_breaks_lock);
static DEFINE_MUTEX(daxpin_breaks_mutex);
static bool daxpin_breaks_registered;
static bool daxpin_breaks_armed;

static int daxpin_scan_entry(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	*(u64 *)ri->data = ktime_get_ns();
	return 0;
}

static int daxpin_scan_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	u64 ns = ktime_get_ns() - *(u64 *)ri->data;
	unsigned long flags;

	spin_lock_irqsave(&daxpin_breaks_lock, flags);
	daxpin_breaks++;
	daxpin_hist_add(daxpin_scan_hist, ns);
	spin_unlock_irqrestore(&daxpin_breaks_lock, flags);
	return 0;
}

static struct kretprobe daxpin_scan_probe = {
	.kp.symbol_name	= "dax_layout_busy_page_range",
	.kp.flags	= KPROBE_FLAG_DISABLED,
	.entry_handler	= daxpin_scan_entry,
	.handler	= daxpin_scan_ret,
	.data_size	= sizeof(u64),
	.maxactive	= 64,
};

int daxpin_breaks_enable(bool on)
{
	int ret = 0;

	mutex_lock(&daxpin_breaks_mutex);
	if (!daxpin_breaks_registered) {
		ret = -EOPNOTSUPP;
	} else if (on != daxpin_breaks_armed) {
		ret = on ? enable_kretprobe(&daxpin_scan_probe) :
			   disable_kretprobe(&daxpin_scan_probe);
		if (!ret)
			daxpin_breaks_armed = on;
	}
	mutex_unlock(&daxpin_breaks_mutex);
	return ret;
}

u64 daxpin_breaks_count(void)
{
	return READ_ONCE(daxpin_breaks);
}

void daxpin_breaks_hist(u64 *hist)
{
	spin_lock_irq(&daxpin_breaks_lock);
	memcpy(hist, daxpin_scan_hist, sizeof(daxpin_scan_hist));
	spin_unlock_irq(&daxpin_breaks_lock);
}

void daxpin_breaks_reset(void)
{
	spin_lock_irq(&daxpin_breaks_lock);
	daxpin_breaks = 0;
	memset(daxpin_scan_hist, 0, sizeof(daxpin_scan_hist));
	spin_unlock_irq(&daxpin_breaks_lock);
}

/* A second init is a no-op; so is exit after exit. */
int daxpin_breaks_init(void)
{
	int ret;

	mutex_lock(&daxpin_breaks_mutex);
	if (daxpin_breaks_registered) {
		mutex_unlock(&daxpin_breaks_mutex);
		return 0;
	}
	ret = register_kretprobe(&daxpin_scan_probe);
	if (ret)
		pr_warn("cannot probe %s (%d): count_breaks unavailable\n",
			daxpin_scan_probe.kp.symbol_name, ret);
	daxpin_breaks_registered = !ret;
	daxpin_breaks_armed = false;
	mutex_unlock(&daxpin_breaks_mutex);
	if (daxpin_breaks_registered && daxpin_count_breaks &&
	    daxpin_breaks_enable(true))
		daxpin_count_breaks = false;
	return 0;
}

/* Under the mutex: a SET_CONFIG racing with unload finds no probe to arm. */
void daxpin_breaks_exit(void)
{
	mutex_lock(&daxpin_breaks_mutex);
	if (daxpin_breaks_registered)
		unregister_kretprobe(&daxpin_scan_probe);
	daxpin_breaks_registered = false;
	daxpin_breaks_armed = false;
	/* As declared: a later init registers it anew, disarmed. */
	daxpin_scan_probe.kp.addr = NULL;
	daxpin_scan_probe.kp.flags = KPROBE_FLAG_DISABLED;
	mutex_unlock(&daxpin_breaks_mutex);
}
