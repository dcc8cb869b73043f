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

struct dxp_hook;

/* The hooks running now.  SIGCHLD must be blocked (sd_event_add_child()). */
struct dxp_hooks {
	sd_event *e;
	struct dxp_monitor *mon;	/* told when each hook ends */
	struct dxp_hook *list;
};

void dxp_hooks_init(struct dxp_hooks *hs, sd_event *e, struct dxp_monitor *mon);
/* Stop watching every hook still running (they are not killed). */
void dxp_hooks_done(struct dxp_hooks *hs);

/* Start @path with @json and a newline on stdin and DAXPIN_WAIT_ID=@wait_id
 * in its environment; SIGKILL after @timeout_ns.  Returns the pid or a
 * negative errno (-E2BIG: the event does not fit in a pipe). */
int dxp_hooks_spawn(struct dxp_hooks *hs, const char *path, uint64_t timeout_ns,
		    const char *json, uint64_t wait_id);

#endif
