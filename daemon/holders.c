// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/holders.h"

void dxp_holders_phrase(const struct daxpin_wait *w, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (w->no_holder) {
		snprintf(buf, len, "mapped by no process (an unmapped DMA buffer or a kernel user)");
		return;
	}
	if (!w->nr_holders) {
		snprintf(buf, len, "holders not known");
		return;
	}
	for (uint32_t i = 0; i < w->nr_holders && i < DAXPIN_HOLDERS_MAX && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s[%" PRIu32 "]",
				      i ? ", " : "held by ", w->holders[i].comm,
				      w->holders[i].tgid);
	if (w->holders_truncated && n < len)
		snprintf(buf + n, len - n, " and more");
}

/* Distinct processes among the holders, in order; returns how many. */
static unsigned distinct_tgids(const struct daxpin_wait *w, uint32_t *tgid,
			       const char **comm)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < w->nr_holders && i < DAXPIN_HOLDERS_MAX; i++) {
		unsigned k;

		for (k = 0; k < n && tgid[k] != w->holders[i].tgid; k++)
			;
		if (k < n)
			continue;
		tgid[n] = w->holders[i].tgid;
		comm[n++] = w->holders[i].comm;
	}
	return n;
}

static bool still_holds(const struct daxpin_wait *w, uint32_t tgid)
{
	for (uint32_t i = 0; i < w->nr_holders && i < DAXPIN_HOLDERS_MAX; i++)
		if (w->holders[i].tgid == tgid)
			return true;
	return false;
}

/* The wait as the module has it now: -ESRCH when it ended (or is another). */
static int reread(struct dxp_monitor *m, const struct dxp_tracked *t, struct daxpin_wait *out)
{
	int r = m->src.ops->get_wait(m->src.ctx, t->w.id, out);

	if (r == -ENOENT || (r >= 0 && out->start_ns != t->w.start_ns))
		return -ESRCH;
	return r;
}

/* Why a holder may not be signalled, or NULL. */
static const char *refused(uint32_t tgid)
{
	if (tgid == 0)
		return "not in daxpind's pid namespace";
	if (tgid == 1)
		return "pid 1";
	if (tgid == (uint32_t)getpid())
		return "daxpind itself";
	return NULL;
}

/*
 * Open a pidfd on each candidate, then re-read the wait once: a pidfd opened
 * before the module still listed its tgid as a holder is that process's
 * (the same argument as for the waiter, see monitor.c's signal_wait()).
 */
static void signal_confirmed(struct dxp_monitor *m, struct dxp_tracked *t,
			     const struct dxp_log_wait *lw, const char *const *fields,
			     unsigned n, const uint32_t *tgid, const char *const *comm)
{
	int sig = t->policy.action_signal, fd[DAXPIN_HOLDERS_MAX], r;
	const char *sname = dxp_signal_name(sig);
	struct daxpin_wait fresh;

	for (unsigned i = 0; i < n; i++) {
		struct daxpin_wait hw = { .pid = tgid[i], .tgid = tgid[i] };

		fd[i] = refused(tgid[i]) ? -EPERM : m->env->pidfd_open(m->env_data, &hw);
	}
	r = reread(m, t, &fresh);
	for (unsigned i = 0; i < n; i++) {
		struct daxpin_wait hw = { .pid = tgid[i], .tgid = tgid[i] };
		int ret = fd[i];

		if (ret >= 0)
			ret = r < 0 ? r : still_holds(&fresh, tgid[i]) ?
				m->env->pidfd_signal(m->env_data, fd[i], &hw, sig) : -ESRCH;
		if (fd[i] >= 0)
			m->env->pidfd_close(m->env_data, fd[i]);
		m->c.actions[DXP_ACTION_SIGNAL][ret < 0 ? DXP_RES_FAILED : DXP_RES_OK]++;
		m->c.holder_signals[ret < 0 ? DXP_RES_FAILED : DXP_RES_OK]++;
		if (ret == -ESRCH)
			dxp_log(DXP_MSG_ACTION_RESULT, LOG_NOTICE, lw, fields,
				"Not sending %s to holder %s[%" PRIu32 "]: it no longer maps the page "
				"of wait %" PRIu64 " (or the wait ended)", sname, comm[i], tgid[i],
				t->w.id);
		else if (ret < 0)
			dxp_log(DXP_MSG_ACTION_RESULT, LOG_ERR, lw, fields,
				"Sending %s to holder %s[%" PRIu32 "] failed: %s", sname, comm[i],
				tgid[i], strerror(-ret));
		else
			dxp_log(DXP_MSG_ACTION_RESULT, LOG_NOTICE, lw, fields,
				"Sent %s to holder %s[%" PRIu32 "]", sname, comm[i], tgid[i]);
	}
}

void dxp_signal_holders(struct dxp_monitor *m, struct dxp_tracked *t,
			const struct dxp_log_wait *lw, const char *const *fields,
			const char *reason)
{
	const char *sname = dxp_signal_name(t->policy.action_signal), *comm[DAXPIN_HOLDERS_MAX];
	uint32_t tgid[DAXPIN_HOLDERS_MAX];
	struct daxpin_wait now;
	char who[512];
	unsigned n;
	int r;

	r = reread(m, t, &now);
	if (r < 0) {
		m->c.actions[DXP_ACTION_SIGNAL][DXP_RES_FAILED]++;
		m->c.holder_actions[r == -ESRCH ? DXP_HOLDER_ENDED : DXP_HOLDER_FAILED]++;
		dxp_log(DXP_MSG_ACTION_RESULT, r == -ESRCH ? LOG_NOTICE : LOG_ERR, lw, fields,
			"Not sending %s to the holders of wait %" PRIu64 ": %s", sname, t->w.id,
			r == -ESRCH ? "the wait has ended" : strerror(-r));
		return;
	}
	t->w = now;	/* the facts the log and the decision use */
	dxp_holders_phrase(&now, who, sizeof(who));
	n = distinct_tgids(&now, tgid, comm);
	if (!n) {
		m->c.actions[DXP_ACTION_SIGNAL][DXP_RES_FAILED]++;
		m->c.holder_actions[DXP_HOLDER_NO_HOLDER]++;
		dxp_log(DXP_MSG_ACTION_RESULT, LOG_WARNING, lw, fields,
			"Not sending %s: ActionTarget=holder, and the busy page of wait %" PRIu64
			" is %s; the waiter %s[%" PRIu32 "] is left alone: %s", sname, t->w.id, who,
			t->w.comm, t->w.pid, reason);
		return;
	}
	if (t->policy.dry_run) {
		m->c.actions[DXP_ACTION_SIGNAL][DXP_RES_DRY_RUN]++;
		m->c.holder_actions[DXP_HOLDER_DRY_RUN]++;
		dxp_log(DXP_MSG_DRY_RUN, LOG_WARNING, lw, fields,
			"DryRun=yes: would send %s to the holder(s) of the busy page (%s), not to "
			"the waiter %s[%" PRIu32 "]: %s", sname, who, t->w.comm, t->w.pid, reason);
		return;
	}
	dxp_log(DXP_MSG_ACTION, LOG_WARNING, lw, fields,
		"Sending %s to the holder(s) of the busy page (%s), not to the waiter %s[%" PRIu32
		"], so its layout break ends: %s", sname, who, t->w.comm, t->w.pid, reason);
	m->c.holder_actions[DXP_HOLDER_SIGNALLED]++;
	signal_confirmed(m, t, lw, fields, n, tgid, comm);
}
