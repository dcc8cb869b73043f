/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy engine: a pure function of (policy, wait snapshot, what was
 * already done, now).  It owns no timers and reads no clock; the caller
 * passes "now" and arms one timer at the returned deadline.  That keeps the
 * decisions testable with a fake clock and makes "no polling" structural:
 * when nothing is pending the deadline is DXP_NEVER and no timer exists.
 */
#ifndef DAXPIND_POLICY_H
#define DAXPIND_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include "daemon/source.h"

#define DXP_NEVER	UINT64_MAX
#define DXP_NSEC_PER_SEC	UINT64_C(1000000000)
#define DXP_NSEC_PER_MSEC	UINT64_C(1000000)

enum dxp_action {
	DXP_ACTION_NONE,
	DXP_ACTION_SIGNAL,
	DXP_ACTION_EXEC,
};

/* Whom Action=signal signals. */
enum dxp_action_target {
	DXP_TARGET_WAITER,		/* the task sleeping in the layout break */
	DXP_TARGET_HOLDER,		/* the processes mapping its busy page */
};

struct dxp_policy {
	uint64_t warn_after_ns;		/* DXP_NEVER: never warn */
	uint64_t nontransient_after_ns;	/* DXP_NEVER: never classify */
	bool stalled_wake;
	uint64_t stalled_after_ns;
	enum dxp_action action;
	uint64_t action_after_ns;
	int action_signal;
	enum dxp_action_target action_target;
	const char *exec_hook;		/* points into the owning config */
	uint64_t exec_timeout_ns;
	bool dry_run;
};

/* What has been done for one wait.  Persisted, so a restart repeats nothing. */
enum {
	DXP_DONE_WARN		= 1u << 0,
	DXP_DONE_NONTRANSIENT	= 1u << 1,
	DXP_DONE_STALLED	= 1u << 2,	/* "stalled" logged */
	DXP_DONE_KICK		= 1u << 3,
	DXP_DONE_ACTION		= 1u << 4,
	DXP_DONE_ALL		= (1u << 5) - 1,
};

/* Verdicts returned to the caller, who must carry them out. */
enum {
	DXP_DO_WARN		= 1u << 0,
	DXP_DO_NONTRANSIENT	= 1u << 1,
	DXP_DO_KICK		= 1u << 2,
	DXP_DO_ACTION		= 1u << 3,
};

struct dxp_track {
	unsigned done;			/* DXP_DONE_* */
	uint64_t stalled_since_ns;	/* when the daemon learned it; 0 = not */
};

void dxp_policy_defaults(struct dxp_policy *p);

/* Record that the wait was seen stalled at @now (idempotent). */
void dxp_track_saw_stalled(struct dxp_track *t, const struct daxpin_wait *w, uint64_t now);

/*
 * Decide what is due at @now.  Every verdict returned is also marked done in
 * @t, so calling again at the same instant returns 0.  *@next receives the
 * earliest future deadline still pending for this wait, or DXP_NEVER.
 */
unsigned dxp_policy_evaluate(const struct dxp_policy *p, const struct daxpin_wait *w,
			     struct dxp_track *t, uint64_t now, uint64_t *next);

const char *dxp_action_to_string(enum dxp_action a);
const char *dxp_action_target_to_string(enum dxp_action_target t);
int dxp_action_target_from_string(const char *s, enum dxp_action_target *out);
int dxp_action_from_string(const char *s, enum dxp_action *out);

#endif
