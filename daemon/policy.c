// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <strings.h>

#include "daemon/policy.h"

void dxp_policy_defaults(struct dxp_policy *p)
{
	/* Defaults are chosen to be safe on a production box: observe, and
	 * fix only the kernel bug (a lost wake-up), never touch the workload. */
	*p = (struct dxp_policy) {
		.warn_after_ns = 5 * DXP_NSEC_PER_SEC,
		.nontransient_after_ns = 30 * DXP_NSEC_PER_SEC,
		.stalled_wake = true,
		.stalled_after_ns = 1 * DXP_NSEC_PER_SEC,
		.action = DXP_ACTION_NONE,
		.action_after_ns = 60 * DXP_NSEC_PER_SEC,
		.action_signal = SIGTERM,
		.action_target = DXP_TARGET_WAITER,
		.exec_hook = NULL,
		.exec_timeout_ns = 10 * DXP_NSEC_PER_SEC,
		.dry_run = false,
	};
}

void dxp_track_saw_stalled(struct dxp_track *t, const struct daxpin_wait *w, uint64_t now)
{
	if (!w->stalled) {
		/* The page got busy again (or it never was idle); a new stall
		 * must wait a full StalledAfterSec again. */
		t->stalled_since_ns = 0;
		return;
	}
	if (!t->stalled_since_ns)
		t->stalled_since_ns = now ? now : 1;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	if (b == DXP_NEVER || a > DXP_NEVER - b)
		return DXP_NEVER;
	return a + b;
}

/*
 * One threshold: returns true if it is due now; otherwise folds its deadline
 * into *next.  A DXP_NEVER deadline is simply never due.
 */
static bool due(uint64_t deadline, uint64_t now, uint64_t *next)
{
	if (deadline == DXP_NEVER)
		return false;
	if (now >= deadline)
		return true;
	if (deadline < *next)
		*next = deadline;
	return false;
}

unsigned dxp_policy_evaluate(const struct dxp_policy *p, const struct daxpin_wait *w,
			     struct dxp_track *t, uint64_t now, uint64_t *next)
{
	unsigned verdict = 0;

	*next = DXP_NEVER;

	if (!(t->done & DXP_DONE_WARN) &&
	    due(add_sat(w->start_ns, p->warn_after_ns), now, next)) {
		t->done |= DXP_DONE_WARN;
		verdict |= DXP_DO_WARN;
	}

	/* An idle page is not a long-lived pin: if the waiter still sleeps
	 * it is the lost wake-up, which the stall path reports.  Classify
	 * only what is still busy at the threshold. */
	if (!(t->done & DXP_DONE_NONTRANSIENT) &&
	    due(add_sat(w->start_ns, p->nontransient_after_ns), now, next)) {
		t->done |= DXP_DONE_NONTRANSIENT;
		if (!w->idle && !w->stalled)
			verdict |= DXP_DO_NONTRANSIENT;
	}

	if (p->stalled_wake && w->stalled && t->stalled_since_ns &&
	    !(t->done & DXP_DONE_KICK) &&
	    due(add_sat(t->stalled_since_ns, p->stalled_after_ns), now, next)) {
		t->done |= DXP_DONE_KICK;
		verdict |= DXP_DO_KICK;
	}

	if (p->action != DXP_ACTION_NONE && !(t->done & DXP_DONE_ACTION) &&
	    due(add_sat(w->start_ns, p->action_after_ns), now, next)) {
		t->done |= DXP_DONE_ACTION;
		verdict |= DXP_DO_ACTION;
	}

	return verdict;
}

static const char *const action_names[] = {
	[DXP_ACTION_NONE] = "none",
	[DXP_ACTION_SIGNAL] = "signal",
	[DXP_ACTION_EXEC] = "exec",
};

const char *dxp_action_to_string(enum dxp_action a)
{
	if ((unsigned)a >= sizeof(action_names) / sizeof(action_names[0]))
		return "unknown";
	return action_names[a];
}

int dxp_action_from_string(const char *s, enum dxp_action *out)
{
	for (unsigned i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (!strcasecmp(s, action_names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

static const char *const target_names[] = {
	[DXP_TARGET_WAITER] = "waiter",
	[DXP_TARGET_HOLDER] = "holder",
};

const char *dxp_action_target_to_string(enum dxp_action_target t)
{
	if ((unsigned)t >= sizeof(target_names) / sizeof(target_names[0]))
		return "unknown";
	return target_names[t];
}

int dxp_action_target_from_string(const char *s, enum dxp_action_target *out)
{
	for (unsigned i = 0; i < sizeof(target_names) / sizeof(target_names[0]); i++)
		if (!strcasecmp(s, target_names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}
