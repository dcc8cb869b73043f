/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ExecHook=: run the operator's hook with the event (JSON) on stdin, watch
 * it with a child source and a timeout, and hand the result to the engine
 * (dxp_monitor_exec_done()).
 */
#ifndef DAXPIND_HOOKS_H
#define DAXPIND_HOOKS_H

#include <stdint.h>

#include <systemd/sd-event.h>

#include "daemon/monitor.h"

/* Timer slack: the acceptance window is +-0.5 s, 1 ms costs nothing. */
#define DXP_TIMER_ACCURACY_USEC	1000

/* At most this many hooks run at once; more wait in a queue, in order. */
#define DXP_HOOKS_MAX_RUNNING	4

/* The clean environment a hook gets, besides DAXPIN_WAIT_ID. */
#define DXP_HOOKS_PATH	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct dxp_hook;

/* The hooks running now and those queued.  SIGCHLD must be blocked
 * (sd_event_add_child()). */
struct dxp_hooks {
	sd_event *e;
	struct dxp_monitor *mon;	/* told when each hook ends */
	struct dxp_hook *list;		/* running */
	unsigned running;
	struct dxp_hook *queue, **queue_tail;	/* waiting to start, FIFO */
	unsigned queued;
};

void dxp_hooks_init(struct dxp_hooks *hs, sd_event *e, struct dxp_monitor *mon);
/* Stop watching every hook still running (they are not killed); drop the
 * queued ones. */
void dxp_hooks_done(struct dxp_hooks *hs);

/* Start @path with @json and a newline on stdin, in a process group of its
 * own, with default signal dispositions, no blocked signals and only PATH
 * and DAXPIN_WAIT_ID=@wait_id in its environment; SIGKILL to its group
 * after @timeout_ns.  With DXP_HOOKS_MAX_RUNNING hooks running, it is
 * queued and started when one ends (its timeout counts from then).
 * Returns the pid, 0 when queued, or a negative errno (-E2BIG: the event
 * does not fit in a pipe).  A queued hook that then fails to start is
 * reported through dxp_monitor_exec_done() with .error set. */
int dxp_hooks_spawn(struct dxp_hooks *hs, const char *path, uint64_t timeout_ns,
		    const char *json, uint64_t wait_id);

#endif
