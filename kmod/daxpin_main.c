// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: see, bound and repair filesystem-DAX layout-break waits.
 *
 * A truncate, hole punch or fallocate of a file on a DAX filesystem waits,
 * TASK_INTERRUPTIBLE and invisible to the hung-task detector, until every
 * pinned page of the file is idle.  daxpin tracks those waits, notices the
 * ones nothing will ever wake, and lets an administrator wake them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include "daxpin.h"
#include "daxpin_compat.h"

unsigned int daxpin_max_waits = 1024;
module_param_named(max_waits, daxpin_max_waits, uint, 0444);
MODULE_PARM_DESC(max_waits, "Size of the table of in-progress waits (default 1024; waits beyond it are counted as dropped)");

unsigned int daxpin_poll_ms = 100;
module_param_named(poll_ms, daxpin_poll_ms, uint, 0644);
MODULE_PARM_DESC(poll_ms, "Stall and end check period while waits exist, 10..10000 ms (default 100)");

bool daxpin_open_reads;
module_param_named(open_reads, daxpin_open_reads, bool, 0644);
MODULE_PARM_DESC(open_reads, "Let unprivileged users dump waits and statistics and scan files (default no)");

bool daxpin_count_breaks;
module_param_named(count_breaks, daxpin_count_breaks, bool, 0444);
MODULE_PARM_DESC(count_breaks, "Probe every layout-break scan to count it and time it; costs every truncate of a DAX file (default no; switch at run time through netlink)");

unsigned int daxpin_event_burst = 200;
module_param_named(event_burst, daxpin_event_burst, uint, 0644);
MODULE_PARM_DESC(event_burst, "Events multicast per second at most, 0 = none (default 200)");

static int __init daxpin_init(void)
{
	int ret;

	if (!daxpin_max_waits || daxpin_max_waits > 65536) {
		pr_err("max_waits must be 1..65536, not %u\n", daxpin_max_waits);
		return -EINVAL;
	}
	ret = daxpin_waits_init();
	if (ret)
		return ret;
	ret = daxpin_gp_init();
	if (ret)
		goto err_waits;
	ret = daxpin_breaks_init();
	if (ret)
		goto err_gp;
	ret = daxpin_signal_init();
	if (ret)
		goto err_breaks;
	ret = daxpin_rescue_init();
	if (ret)
		goto err_signal;
	ret = daxpin_probe_init();
	if (ret)
		goto err_rescue;
	/* Last: a request may arrive the moment the family exists. */
	ret = daxpin_netlink_init();
	if (ret)
		goto err_probe;
	daxpin_events_start();
	pr_info("version %s loaded, tracking up to %u waits\n", DAXPIN_VERSION,
		daxpin_max_waits);
	return 0;

err_probe:
	daxpin_probe_exit();
err_rescue:
	daxpin_rescue_exit();
err_signal:
	daxpin_signal_exit();
err_breaks:
	daxpin_breaks_exit();
err_gp:
	daxpin_gp_exit();
err_waits:
	daxpin_waits_exit();
	return ret;
}

/*
 * The exact reverse of init.  The family goes first: unregistering it waits
 * for every handler still running, and none can start after it.  Then the
 * probes, so that nothing new enters the table; waiters still asleep keep
 * sleeping in the filesystem and owe nothing to this module.  The table and
 * its work go last.
 */
static void __exit daxpin_exit(void)
{
	daxpin_events_stop();
	daxpin_netlink_exit();
	daxpin_probe_exit();
	daxpin_rescue_exit();
	daxpin_signal_exit();
	daxpin_breaks_exit();
	daxpin_gp_exit();
	daxpin_waits_exit();
	pr_info("unloaded\n");
}

module_init(daxpin_init);
module_exit(daxpin_exit);

MODULE_DESCRIPTION("Track and repair filesystem-DAX layout-break waits");
MODULE_AUTHOR("daxpin developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(DAXPIN_VERSION);
