// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: rescue of stalled waits at the instant their page goes idle.
 *
 * A waiter asleep on an idle page is woken by nothing on 6.1 (kmod/COMPAT.md:
 * __bio_release_pages() drops an O_DIRECT read's page references with
 * folio_put_refs(), which skips the fsdax wake_up_var()).  Waking it is
 * always safe: ___wait_var_event() re-checks its condition and sleeps again
 * if the page is busy.  So with rescue on (the default) the module wakes a
 * waiter it finds queued on an idle page at once, with no stall to confirm:
 *
 *  - where O_DIRECT completion drops plain references (no BIO_PAGE_PINNED,
 *    i.e. 6.1), a return probe on __bio_release_pages() schedules a rescue
 *    pass when a finished bio held ZONE_DEVICE pages: the wait ends within a
 *    work item's latency of the pin's drop.  The probe is armed only while
 *    waits exist: a truncate that does not wait, and every bio while nothing
 *    waits, pays nothing;
 *  - everywhere, the periodic tick (daxpin_waits.c) wakes such a waiter the
 *    first time it sees it: the bound for any other lost wake-up.
 *
 * Arming and disarming patch kernel text and may sleep: they happen in a
 * work item (a wait begins in the probe, in atomic context) and in the tick.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kprobes.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/bio.h>
#include <linux/mm.h>
#include "daxpin.h"

bool daxpin_rescue = true;
module_param_named(rescue, daxpin_rescue, bool, 0644);
MODULE_PARM_DESC(rescue, "Wake a waiter asleep on an idle page at once (lost wake-up); default yes");

static void daxpin_rescue_work_fn(struct work_struct *work)
{
	daxpin_waits_rescue();
}

static DECLARE_WORK(daxpin_rescue_work, daxpin_rescue_work_fn);

#ifndef DAXPIN_HAVE_BIO_PAGE_PINNED
/*
 * The bio's pages are still referenced at entry, so they may be looked at:
 * only a bio with a ZONE_DEVICE page (fsdax, or another pgmap the rescue
 * pass will not match) goes on to the return handler.  Merged bvecs never
 * mix pgmaps (bio_add_page() checks), so each one's first page tells.
 */
static int daxpin_bio_entry(struct kretprobe_instance *ri,
			    struct pt_regs *regs)
{
	struct bio *bio = (struct bio *)regs_get_kernel_argument(regs, 0);
	struct bio_vec *bv;
	struct bvec_iter_all iter;

	bio_for_each_segment_all(bv, bio, iter)
		if (is_zone_device_page(bv->bv_page))
			return 0;
	return 1;	/* no return handler for this call */
}

/* The references are dropped now: look at the waits from process context. */
static int daxpin_bio_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	queue_work(system_highpri_wq, &daxpin_rescue_work);
	return 0;
}

static struct kretprobe daxpin_bio_probe = {
	.kp.symbol_name	= "__bio_release_pages",
	.kp.flags	= KPROBE_FLAG_DISABLED,
	.entry_handler	= daxpin_bio_entry,
	.handler	= daxpin_bio_ret,
	.maxactive	= 64,
};

static DEFINE_MUTEX(daxpin_rescue_mutex);
static bool daxpin_rescue_registered;
static bool daxpin_rescue_armed;

/* Arm the probe while waits exist and rescue is on; disarm otherwise. */
void daxpin_rescue_update(void)
{
	bool want;
	int ret;

	mutex_lock(&daxpin_rescue_mutex);
	want = daxpin_rescue_registered && READ_ONCE(daxpin_rescue) &&
	       daxpin_waits_active();
	if (want != daxpin_rescue_armed) {
		ret = want ? enable_kretprobe(&daxpin_bio_probe) :
			     disable_kretprobe(&daxpin_bio_probe);
		if (!ret)
			daxpin_rescue_armed = want;
	}
	mutex_unlock(&daxpin_rescue_mutex);
}

static int daxpin_rescue_probe_init(void)
{
	int ret = register_kretprobe(&daxpin_bio_probe);

	/* Not fatal: the tick still rescues, a poll period later. */
	if (ret)
		pr_warn("cannot probe %s (%d): stalled waits are rescued by the tick only\n",
			daxpin_bio_probe.kp.symbol_name, ret);
	mutex_lock(&daxpin_rescue_mutex);
	daxpin_rescue_registered = !ret;
	daxpin_rescue_armed = false;
	mutex_unlock(&daxpin_rescue_mutex);
	return 0;
}

static void daxpin_rescue_probe_exit(void)
{
	mutex_lock(&daxpin_rescue_mutex);
	if (daxpin_rescue_registered)
		unregister_kretprobe(&daxpin_bio_probe);
	daxpin_rescue_registered = false;
	daxpin_rescue_armed = false;
	daxpin_bio_probe.kp.addr = NULL;
	daxpin_bio_probe.kp.flags = KPROBE_FLAG_DISABLED;
	mutex_unlock(&daxpin_rescue_mutex);
}
#else
/* O_DIRECT pages are pinned and their release wakes the waiter: no probe. */
void daxpin_rescue_update(void)
{
}

static int daxpin_rescue_probe_init(void)
{
	return 0;
}

static void daxpin_rescue_probe_exit(void)
{
}
#endif

static void daxpin_rescue_arm_fn(struct work_struct *work)
{
	daxpin_rescue_update();
}

static DECLARE_WORK(daxpin_rescue_arm_work, daxpin_rescue_arm_fn);

/* Any context: the first wait began, or rescue was switched on. */
void daxpin_rescue_want(void)
{
	schedule_work(&daxpin_rescue_arm_work);
}

int daxpin_rescue_init(void)
{
	return daxpin_rescue_probe_init();
}

/*
 * After the wait probe is gone.  The return probe is the only one to queue
 * the rescue work, and arm work is queued only by new waits: once both are
 * flushed, neither runs again.  The tick may still call
 * daxpin_rescue_update(), which finds nothing registered.
 */
void daxpin_rescue_exit(void)
{
	daxpin_rescue_probe_exit();
	cancel_work_sync(&daxpin_rescue_arm_work);
	cancel_work_sync(&daxpin_rescue_work);
}
