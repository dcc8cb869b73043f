// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin: tell an interrupted wait from a completed one.
 *
 * A waiter leaves the page's wait queue both when the page goes idle and when
 * a signal arrives; which one happened is only known where the signal is
 * generated.  The signal_generate tracepoint is off the layout-break path, and
 * its handler returns at once while no wait is tracked, and otherwise looks
 * the target's process up in a hash without a lock (daxpin_waits.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/tracepoint.h>
#include <linux/sched/signal.h>
#include <trace/events/signal.h>
#include "daxpin.h"

static struct tracepoint *daxpin_signal_tp;

static void daxpin_signal_generate(void *data, int sig,
				   struct kernel_siginfo *info,
				   struct task_struct *task, int group,
				   int result)
{
	if (result != TRACE_SIGNAL_DELIVERED || !daxpin_waits_active())
		return;
	/* Which waiting threads block @sig is checked per thread there. */
	daxpin_wait_signalled(task, sig, group);
}

static void daxpin_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "signal_generate"))
		daxpin_signal_tp = tp;
}

int daxpin_signal_init(void)
{
	int ret;

	for_each_kernel_tracepoint(daxpin_find_tp, NULL);
	if (!daxpin_signal_tp) {
		pr_warn("no signal_generate tracepoint: interrupted waits are told apart only by fatal signals\n");
		return 0;
	}
	ret = tracepoint_probe_register(daxpin_signal_tp,
					daxpin_signal_generate, NULL);
	if (ret) {
		pr_warn("cannot attach to signal_generate (%d)\n", ret);
		daxpin_signal_tp = NULL;
	}
	return 0;
}

void daxpin_signal_exit(void)
{
	if (!daxpin_signal_tp)
		return;
	tracepoint_probe_unregister(daxpin_signal_tp, daxpin_signal_generate,
				    NULL);
	tracepoint_synchronize_unregister();
}
