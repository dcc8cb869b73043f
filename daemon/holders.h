/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The holders of a wait (the processes mapping its busy page, as daxpin.ko
 * names them in dumps): their wording in messages, and Action=signal with
 * ActionTarget=holder.
 */
#ifndef DAXPIND_HOLDERS_H
#define DAXPIND_HOLDERS_H

#include <stddef.h>

#include "daemon/log.h"
#include "daemon/monitor.h"

/*
 * "held by COMM[TGID], ..." / "mapped by no process (...)" / "holders not
 * known"; always NUL-terminated.
 */
void dxp_holders_phrase(const struct daxpin_wait *w, char *buf, size_t len);

/*
 * Action=signal, ActionTarget=holder: signal every process that maps the
 * busy page of @t now (re-read from the module), through a pidfd opened
 * before the module confirmed the process still maps it.  Never pid 1 (nor
 * 0: a process outside our pid namespace), never the daemon itself; the
 * module lists no kernel thread.  No holder, or none known: nothing is
 * signalled (the waiter is not a fallback).  Logs before acting and after;
 * counts in m->c.actions.
 */
void dxp_signal_holders(struct dxp_monitor *m, struct dxp_tracked *t,
			const struct dxp_log_wait *lw, const char *const *fields,
			const char *reason);

#endif
