// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "daemon/holders.h"
#include "daemon/log.h"
#include "daemon/monitor.h"
#include "lib/daxpin-json.h"
#include "lib/daxpin-text.h"

void dxp_monitor_init(struct dxp_monitor *m, const struct dxp_env_ops *env, void *env_data,
		      const struct dxp_source *src, const struct dxp_config *config)
{
	memset(m, 0, sizeof(*m));
	m->env = env;
	m->env_data = env_data;
	m->src = *src;
	m->config = config;
}

static void tracked_free(struct dxp_monitor *m, struct dxp_tracked *t)
{
	m->env->forget(m->env_data, t);
	free(t->mountpoint);
	free(t->abspath);
	free(t->devname);
	free(t);
}

void dxp_monitor_free(struct dxp_monitor *m)
{
	while (m->waits) {
		struct dxp_tracked *t = m->waits;

		m->waits = t->next;
		tracked_free(m, t);
	}
	m->n_waits = 0;
	dxp_state_free(&m->restored);
	free(m->ended);
	m->ended = NULL;
	m->n_ended = m->alloc_ended = 0;
}

void dxp_monitor_restore(struct dxp_monitor *m, struct dxp_state *s)
{
	dxp_state_free(&m->restored);
	m->restored = *s;
	s->e = NULL;
	s->n = 0;
}

int dxp_monitor_export(const struct dxp_monitor *m, struct dxp_state *out)
{
	size_t n = 0;

	out->e = calloc(m->n_waits ? m->n_waits : 1, sizeof(*out->e));
	if (!out->e)
		return -ENOMEM;
	for (struct dxp_tracked *t = m->waits; t; t = t->next)
		out->e[n++] = (struct dxp_state_entry) {
			.id = t->w.id, .start_ns = t->w.start_ns, .done = t->track.done,
		};
	out->n = n;
	return 0;
}

struct dxp_tracked *dxp_monitor_find(const struct dxp_monitor *m, uint64_t id)
{
	for (struct dxp_tracked *t = m->waits; t; t = t->next)
		if (t->w.id == id)
			return t;
	return NULL;
}

static uint64_t now(struct dxp_monitor *m)
{
	return m->env->now(m->env_data);
}

static uint64_t waited(struct dxp_monitor *m, const struct dxp_tracked *t)
{
	uint64_t n = now(m);

	return n > t->w.start_ns ? n - t->w.start_ns : t->w.waited_ns;
}

static void rule(const struct dxp_tracked *t, enum dxp_key k, char *buf, size_t len)
{
	char v[64];
	const struct dxp_origin *o = &t->origin[k];
	struct dxp_policy_section s = { .p = t->policy };

	dxp_config_format(NULL, &s, k, v, sizeof(v));
	if (o->file)
		snprintf(buf, len, "%s=%s (%s:%u)", dxp_key_name(k), v, o->file, o->line);
	else
		snprintf(buf, len, "%s=%s (default)", dxp_key_name(k), v);
}

static const char *what(const struct dxp_tracked *t)
{
	if (t->abspath)
		return t->abspath;
	return t->w.path[0] ? t->w.path : "(unknown file)";
}

#define LW(m, t) (&(struct dxp_log_wait) { &(t)->w, (t)->mountpoint, (t)->abspath, waited(m, t) })

static void resolve(struct dxp_monitor *m, struct dxp_tracked *t)
{
	dxp_config_resolve(m->config, t->mountpoint, t->devname, &t->policy, t->origin);
}

static struct dxp_tracked *track_new(struct dxp_monitor *m, const struct daxpin_wait *w)
{
	struct dxp_tracked *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->w = *w;
	t->deadline = DXP_NEVER;
	m->env->locate(m->env_data, w, &t->mountpoint, &t->abspath, &t->devname);
	resolve(m, t);
	/* A previous instance may already have warned (or acted) on it. */
	t->track.done = dxp_state_lookup(&m->restored, w->id, w->start_ns);
	if (t->track.done)
		t->reported = true;
	t->next = m->waits;
	m->waits = t;
	m->n_waits++;
	m->c.waits_seen++;
	return t;
}

static void track_remove(struct dxp_monitor *m, struct dxp_tracked *t)
{
	for (struct dxp_tracked **p = &m->waits; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			m->n_waits--;
			break;
		}
	tracked_free(m, t);
}

/* ---- acting -------------------------------------------------------------- */

static void log_stalled(struct dxp_monitor *m, struct dxp_tracked *t)
{
	char r[256];

	if (t->track.done & DXP_DONE_STALLED)
		return;
	t->track.done |= DXP_DONE_STALLED;
	t->reported = true;
	m->c.stalled++;
	if (t->policy.stalled_wake) {
		rule(t, DXP_K_STALLED_AFTER, r, sizeof(r));
		dxp_log(DXP_MSG_STALLED, LOG_WARNING, LW(m, t),
			(const char *const[]) { "DAXPIN_RULE=StalledWake=yes", NULL },
			"%s[%" PRIu32 "] sleeps in a layout break on %s although the DAX page at offset %" PRIu64
			" is idle (lost wake-up); kicking it per %s%s",
			t->w.comm, t->w.pid, what(t), t->w.offset, r,
			t->policy.dry_run ? " (DryRun=yes: will only log)" : "");
	} else {
		rule(t, DXP_K_STALLED_WAKE, r, sizeof(r));
		dxp_log(DXP_MSG_STALLED, LOG_ERR, LW(m, t), NULL,
			"%s[%" PRIu32 "] sleeps in a layout break on %s although the DAX page at offset %" PRIu64
			" is idle (lost wake-up); not kicking it per %s: it may sleep forever "
			"(daxpinctl kick %" PRIu64 " wakes it)",
			t->w.comm, t->w.pid, what(t), t->w.offset, r, t->w.id);
	}
}

/*
 * daxpin.ko woke a waiter it found asleep on an idle page (its rescue
 * switch, on by default): the lost wake-up was repaired at once, so the
 * StalledWake policy has nothing left to do but say so.  The wait counts as
 * stalled and kicked; its end follows as an event of its own.
 */
static void log_rescued(struct dxp_monitor *m, struct dxp_tracked *t)
{
	char r[256];

	t->track.done |= DXP_DONE_STALLED | DXP_DONE_KICK;
	t->reported = true;
	m->c.stalled++;
	m->c.rescued++;
	rule(t, DXP_K_STALLED_WAKE, r, sizeof(r));
	dxp_log(DXP_MSG_KICKED, LOG_NOTICE, LW(m, t),
		(const char *const[]) { "DAXPIN_RESCUED=1", NULL },
		"daxpin.ko woke %s[%" PRIu32 "] (wait %" PRIu64 "), asleep in a layout break on %s "
		"although the DAX page at offset %" PRIu64 " was idle (lost wake-up); module rescue=yes, "
		"policy %s%s",
		t->w.comm, t->w.pid, t->w.id, what(t), t->w.offset, r,
		t->policy.stalled_wake && !t->policy.dry_run ? "" :
		" (the module's rescue switch acts whatever the policy: daxpinctl config --rescue=no)");
}

/*
 * A final layout break (inode eviction or unmount, Linux 6.15+) sleeps
 * uninterruptibly until its page is idle: no signal ends it, a kick only
 * makes it look again, and the hung-task detector notices it only after
 * its timeout.  Say so as soon as it is seen, once.
 */
static void log_final(struct dxp_monitor *m, struct dxp_tracked *t)
{
	if (t->final_warned || t->w.kind != DAXPIN_WAIT_KIND_FINAL)
		return;
	t->final_warned = true;
	t->reported = true;
	dxp_log(DXP_MSG_WAIT_FINAL, LOG_WARNING, LW(m, t), NULL,
		"%s[%" PRIu32 "] is evicting %s (last unlink or close, or unmount) and sleeps "
		"uninterruptibly until the DAX page at offset %" PRIu64 " is idle (refcount %" PRIu32
		", %s): no signal can end it, only the page's holder",
		t->w.comm, t->w.pid, what(t), t->w.offset, t->w.refcount,
		t->w.dma_pinned ? "pinned for DMA" : "not DMA-pinned");
}

static void do_warn(struct dxp_monitor *m, struct dxp_tracked *t)
{
	char r[256], f[300], who[512];

	rule(t, DXP_K_WARN_AFTER, r, sizeof(r));
	snprintf(f, sizeof(f), "DAXPIN_RULE=%s", r);
	m->c.warned++;
	t->reported = true;
	dxp_holders_phrase(&t->w, who, sizeof(who));
	dxp_log(DXP_MSG_WAIT_SLOW, LOG_WARNING, LW(m, t), (const char *const[]) { f, NULL },
		"%s[%" PRIu32 "] has waited %.1fs to truncate/punch %s: DAX page at offset %" PRIu64
		" is %s (refcount %" PRIu32 ", %s; %s) [%s]",
		t->w.comm, t->w.pid, (double)waited(m, t) / 1e9, what(t), t->w.offset,
		t->w.idle ? "idle, yet the waiter sleeps" : "busy", t->w.refcount,
		t->w.dma_pinned ? "pinned for DMA" : "not DMA-pinned", who, r);
}

static void do_nontransient(struct dxp_monitor *m, struct dxp_tracked *t)
{
	char r[256], f[300], dax[512] = "";

	rule(t, DXP_K_NONTRANSIENT_AFTER, r, sizeof(r));
	snprintf(f, sizeof(f), "DAXPIN_RULE=%s", r);
	m->env->devdax(m->env_data, dax, sizeof(dax));
	m->c.nontransient++;
	t->reported = true;
	dxp_log(DXP_MSG_NONTRANSIENT, LOG_ERR, LW(m, t), (const char *const[]) { f, NULL },
		"Non-transient pin: %s[%" PRIu32 "] has waited %.1fs on %s, page at offset %" PRIu64
		" still busy (refcount %" PRIu32 ", %s) [%s]. Long-lived DMA to persistent memory "
		"belongs on device-DAX, not on a filesystem-DAX file; device-DAX on this machine: %s",
		t->w.comm, t->w.pid, (double)waited(m, t) / 1e9, what(t), t->w.offset, t->w.refcount,
		t->w.dma_pinned ? "pinned for DMA" : "not DMA-pinned", r, dax[0] ? dax : "none");
}

static void do_kick(struct dxp_monitor *m, struct dxp_tracked *t)
{
	bool was_idle = false;
	char r[256], f[300];
	int ret;

	rule(t, DXP_K_STALLED_AFTER, r, sizeof(r));
	snprintf(f, sizeof(f), "DAXPIN_RULE=%s", r);
	t->reported = true;
	if (t->policy.dry_run) {
		m->c.kicks[DXP_RES_DRY_RUN]++;
		dxp_log(DXP_MSG_DRY_RUN, LOG_NOTICE, LW(m, t), (const char *const[]) { f, NULL },
			"DryRun=yes: would kick stalled wait %" PRIu64 " of %s[%" PRIu32 "] [%s]",
			t->w.id, t->w.comm, t->w.pid, r);
		return;
	}
	t->kick_pending = true;
	ret = m->src.ops->kick(m->src.ctx, t->w.id, &was_idle);
	if (ret < 0) {
		t->kick_pending = false;
		m->c.kicks[DXP_RES_FAILED]++;
		dxp_log(DXP_MSG_KICKED, LOG_ERR, LW(m, t), (const char *const[]) { f, NULL },
			"Kicking stalled wait %" PRIu64 " of %s[%" PRIu32 "] failed: %s",
			t->w.id, t->w.comm, t->w.pid, strerror(-ret));
		return;
	}
	m->c.kicks[DXP_RES_OK]++;
	dxp_log(DXP_MSG_KICKED, LOG_NOTICE, LW(m, t), (const char *const[]) { f, NULL },
		"Kicked stalled wait %" PRIu64 " of %s[%" PRIu32 "] on %s (page %s) [%s]",
		t->w.id, t->w.comm, t->w.pid, what(t), was_idle ? "idle" : "busy again", r);
}

static char *action_json(struct dxp_monitor *m, struct dxp_tracked *t, const char *reason)
{
	struct json_object *o = json_object_new_object(), *w;
	char *s = NULL;

	if (!o)
		return NULL;
	w = daxpin_wait_to_json(&t->w, NULL);
	json_object_object_add(o, "event", json_object_new_string("action"));
	json_object_object_add(o, "reason", json_object_new_string(reason));
	json_object_object_add(o, "waited_ns", json_object_new_int64((int64_t)waited(m, t)));
	if (t->abspath)
		json_object_object_add(o, "path", json_object_new_string(t->abspath));
	if (t->mountpoint)
		json_object_object_add(o, "mount_point", json_object_new_string(t->mountpoint));
	if (t->devname)
		json_object_object_add(o, "blockdev", json_object_new_string(t->devname));
	json_object_object_add(o, "dry_run", json_object_new_boolean(t->policy.dry_run));
	if (w)
		json_object_object_add(o, "wait", w);
	s = daxpin_json_dumps(o, JSON_C_TO_STRING_PLAIN);	/* valid UTF-8 */
	json_object_put(o);
	return s;
}

/*
 * Signal the task of wait @t, never another one that got its pid: open a
 * pidfd first, then confirm that the module still has this very wait (same
 * id, start time, pid).  The module holds a reference on the waiting task
 * for as long as the wait exists, so a wait still there after the pidfd was
 * opened means the pidfd is that task's; the signal then goes through the
 * pidfd, which can no longer reach a successor.  A wait that is gone, or one
 * with another start time under the same id, is another wait: -ESRCH.  When
 * the re-read fails, nothing can be confirmed: no signal either.
 */
static int signal_wait(struct dxp_monitor *m, struct dxp_tracked *t, int sig)
{
	struct daxpin_wait fresh;
	int fd, r;

	fd = m->env->pidfd_open(m->env_data, &t->w);
	if (fd < 0)
		return fd;
	r = m->src.ops->get_wait(m->src.ctx, t->w.id, &fresh);
	if (r == -ENOENT ||
	    (r >= 0 && (fresh.start_ns != t->w.start_ns || fresh.pid != t->w.pid ||
			fresh.tgid != t->w.tgid)))
		r = -ESRCH;
	if (r >= 0)
		r = m->env->pidfd_signal(m->env_data, fd, &t->w, sig);
	m->env->pidfd_close(m->env_data, fd);
	return r;
}

static void do_action(struct dxp_monitor *m, struct dxp_tracked *t)
{
	enum dxp_action a = t->policy.action;
	char r[256], f[300], reason[PATH_MAX + 1024], *json;
	const char *fields[4];
	int ret;

	rule(t, DXP_K_ACTION_AFTER, r, sizeof(r));
	snprintf(f, sizeof(f), "DAXPIN_RULE=%s", r);
	snprintf(reason, sizeof(reason),
		 "wait %" PRIu64 " of %s[%" PRIu32 "] on %s has lasted %.1fs (page at offset %" PRIu64
		 ", refcount %" PRIu32 ", %s) [%s]",
		 t->w.id, t->w.comm, t->w.pid, what(t), (double)waited(m, t) / 1e9, t->w.offset,
		 t->w.refcount, t->w.dma_pinned ? "pinned for DMA" : "not DMA-pinned", r);
	t->reported = true;	/* an acted-upon wait's end is news */
	fields[0] = f;
	fields[1] = a == DXP_ACTION_SIGNAL ? "DAXPIN_ACTION=signal" : "DAXPIN_ACTION=exec";
	fields[2] = NULL;

	if (a == DXP_ACTION_SIGNAL && t->policy.action_target == DXP_TARGET_HOLDER) {
		dxp_signal_holders(m, t, LW(m, t), fields, reason);
		return;
	}
	if (t->policy.dry_run) {
		m->c.actions[a][DXP_RES_DRY_RUN]++;
		if (a == DXP_ACTION_SIGNAL)
			dxp_log(DXP_MSG_DRY_RUN, LOG_WARNING, LW(m, t), fields,
				"DryRun=yes: would send %s to %s[%" PRIu32 "]: %s",
				dxp_signal_name(t->policy.action_signal), t->w.comm, t->w.pid, reason);
		else
			dxp_log(DXP_MSG_DRY_RUN, LOG_WARNING, LW(m, t), fields,
				"DryRun=yes: would run %s: %s", t->policy.exec_hook, reason);
		return;
	}

	if (a == DXP_ACTION_SIGNAL) {
		dxp_log(DXP_MSG_ACTION, LOG_WARNING, LW(m, t), fields,
			"Sending %s to %s[%" PRIu32 "] so its layout break ends: %s",
			dxp_signal_name(t->policy.action_signal), t->w.comm, t->w.pid, reason);
		ret = signal_wait(m, t, t->policy.action_signal);
		m->c.actions[a][ret < 0 ? DXP_RES_FAILED : DXP_RES_OK]++;
		if (ret == -ESRCH)
			dxp_log(DXP_MSG_ACTION_RESULT, LOG_NOTICE, LW(m, t), fields,
				"Not sending %s to %s[%" PRIu32 "]: wait %" PRIu64 " has ended "
				"(pid %" PRIu32 " may belong to another task by now)",
				dxp_signal_name(t->policy.action_signal), t->w.comm, t->w.pid,
				t->w.id, t->w.pid);
		else if (ret < 0)
			dxp_log(DXP_MSG_ACTION_RESULT, LOG_ERR, LW(m, t), fields,
				"Sending %s to %s[%" PRIu32 "] failed: %s",
				dxp_signal_name(t->policy.action_signal), t->w.comm, t->w.pid,
				strerror(-ret));
		else
			dxp_log(DXP_MSG_ACTION_RESULT, LOG_NOTICE, LW(m, t), fields,
				"Sent %s to %s[%" PRIu32 "]",
				dxp_signal_name(t->policy.action_signal), t->w.comm, t->w.pid);
		return;
	}

	dxp_log(DXP_MSG_ACTION, LOG_WARNING, LW(m, t), fields,
		"Running %s (timeout %.1fs): %s", t->policy.exec_hook,
		(double)t->policy.exec_timeout_ns / 1e9, reason);
	json = action_json(m, t, reason);
	ret = json ? m->env->exec(m->env_data, t->policy.exec_hook, t->policy.exec_timeout_ns,
				  json, t->w.id)
		   : -ENOMEM;
	free(json);
	if (ret < 0) {
		m->c.actions[a][DXP_RES_FAILED]++;
		dxp_log(DXP_MSG_ACTION_RESULT, LOG_ERR, LW(m, t), fields,
			"Could not run %s: %s", t->policy.exec_hook, strerror(-ret));
	}
	/* Success is counted when the hook's exit status comes back. */
}

void dxp_monitor_exec_done(struct dxp_monitor *m, const struct dxp_exec_result *res)
{
	struct dxp_tracked *t = dxp_monitor_find(m, res->wait_id);
	const struct dxp_log_wait *lw = t ? LW(m, t) : NULL;
	char f[64], p[64];
	const char *fl_t[] = { p, NULL }, *fl_n[] = { f, p, NULL };
	const char *const *fl = t ? fl_t : fl_n;
	bool ok = !res->error && !res->timed_out && res->exited && res->status == 0;

	snprintf(f, sizeof(f), "DAXPIN_WAIT_ID=%" PRIu64, res->wait_id);
	snprintf(p, sizeof(p), "DAXPIN_HOOK_PID=%d", res->pid);
	m->c.actions[DXP_ACTION_EXEC][ok ? DXP_RES_OK : DXP_RES_FAILED]++;
	if (res->error)
		dxp_log(DXP_MSG_ACTION_RESULT, LOG_ERR, lw, fl,
			"Hook for wait %" PRIu64 " could not run: %s", res->wait_id,
			strerror(-res->error));
	else if (res->timed_out)
		dxp_log(DXP_MSG_ACTION_RESULT, LOG_ERR, lw, fl,
			"Hook for wait %" PRIu64 " (pid %d) timed out and was killed", res->wait_id,
			res->pid);
	else if (res->exited)
		dxp_log(DXP_MSG_ACTION_RESULT, ok ? LOG_NOTICE : LOG_ERR, lw, fl,
			"Hook for wait %" PRIu64 " (pid %d) exited with status %d", res->wait_id,
			res->pid, res->status);
	else
		dxp_log(DXP_MSG_ACTION_RESULT, LOG_ERR, lw, fl,
			"Hook for wait %" PRIu64 " (pid %d) was killed by signal %d", res->wait_id,
			res->pid, res->status);
	m->env->changed(m->env_data);
}

/* Judge one wait at the current time and carry out what is due; re-arm. */
static void process(struct dxp_monitor *m, struct dxp_tracked *t)
{
	unsigned before = t->track.done, verdict;
	uint64_t n = now(m), next;

	dxp_track_saw_stalled(&t->track, &t->w, n);
	log_final(m, t);
	if (t->w.stalled)
		log_stalled(m, t);
	verdict = dxp_policy_evaluate(&t->policy, &t->w, &t->track, n, &next);
	if (verdict & DXP_DO_WARN)
		do_warn(m, t);
	if (verdict & DXP_DO_NONTRANSIENT)
		do_nontransient(m, t);
	if (verdict & DXP_DO_KICK)
		do_kick(m, t);
	if (verdict & DXP_DO_ACTION)
		do_action(m, t);
	if (next != t->deadline) {
		t->deadline = next;
		m->env->arm(m->env_data, t, next);
	}
	if (t->track.done != before || verdict)
		m->env->changed(m->env_data);
}

static void end_wait(struct dxp_monitor *m, struct dxp_tracked *t, unsigned outcome,
		     uint64_t waited_ns)
{
	static const char *const names[DXP_OUT_MAX] = {
		"completed", "interrupted", "untracked", "lost",
	};
	struct dxp_log_wait lw = { &t->w, t->mountpoint, t->abspath, waited_ns };
	char f[64];

	if (outcome >= DXP_OUT_MAX)
		outcome = DXP_OUT_UNTRACKED;
	m->c.outcome[outcome]++;
	snprintf(f, sizeof(f), "DAXPIN_OUTCOME=%s", names[outcome]);
	if (t->reported)
		dxp_log(DXP_MSG_WAIT_END, outcome == DXP_OUT_COMPLETED ? LOG_NOTICE : LOG_WARNING,
			&lw, (const char *const[]) { f, NULL },
			"Wait %" PRIu64 " of %s[%" PRIu32 "] on %s ended after %.1fs: %s",
			t->w.id, t->w.comm, t->w.pid, what(t), (double)waited_ns / 1e9,
			names[outcome]);
	else
		dxp_log(DXP_MSG_DEBUG, LOG_DEBUG, &lw, (const char *const[]) { f, NULL },
			"wait %" PRIu64 " ended: %s", t->w.id, names[outcome]);
	track_remove(m, t);
	m->env->changed(m->env_data);
}

/* ---- the module's ended-wait log ------------------------------------------ */

static bool ended_has(const struct dxp_monitor *m, uint64_t id)
{
	for (size_t i = 0; i < m->n_ended; i++)
		if (m->ended[i].id == id)
			return true;
	return false;
}

/* Drop the ends at or below the cursor: accounted, never asked for again. */
static void ended_prune(struct dxp_monitor *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n_ended; i++)
		if (m->ended[i].seq > m->cursor)
			m->ended[n++] = m->ended[i];
	m->n_ended = n;
}

/*
 * Wait @id's end number @seq is accounted.  While the numbers come without
 * a gap (no event dropped) the cursor just moves on and nothing is kept; a
 * gap keeps the ends after it until the next resync reads the log.
 */
static void ended_note(struct dxp_monitor *m, uint64_t id, uint64_t seq)
{
	bool moved;

	if (seq <= m->cursor)
		return;
	if (seq != m->cursor + 1) {
		if (m->n_ended == m->alloc_ended) {
			size_t n = m->alloc_ended ? 2 * m->alloc_ended : 64;
			struct dxp_ended_end *e = realloc(m->ended, n * sizeof(*e));

			if (!e)
				return;	/* counted again from the log: ENOMEM anyway */
			m->ended = e;
			m->alloc_ended = n;
		}
		m->ended[m->n_ended++] = (struct dxp_ended_end) { .id = id, .seq = seq };
		return;
	}
	m->cursor = seq;
	do {
		moved = false;
		for (size_t i = 0; i < m->n_ended; i++)
			if (m->ended[i].seq == m->cursor + 1) {
				m->cursor++;
				moved = true;
			}
	} while (moved);
	ended_prune(m);
}

/* Ends above @lo, up to @hi, accounted by events. */
static uint64_t ended_count(const struct dxp_monitor *m, uint64_t lo, uint64_t hi)
{
	uint64_t n = 0;

	for (size_t i = 0; i < m->n_ended; i++)
		n += m->ended[i].seq > lo && m->ended[i].seq <= hi;
	return n;
}

/* An end counted as missed was of a wait daxpind tracks after all. */
static void missed_claimed(struct dxp_monitor *m)
{
	m->missed_open--;
	m->c.waits_missed--;
}

static void log_forget(struct dxp_monitor *m)
{
	m->missed_open = 0;
	m->have_cursor = false;
	m->cursor = 0;
	m->last_id = 0;
	m->n_ended = 0;
}

/*
 * An event for a wait daxpind does not track: with the log, one up to the
 * last dump's highest id was in that dump or has ended since (its end is
 * accounted or will be, by its WAIT_END or the log), and one whose end is
 * accounted has ended.  Such an event was queued before the dump read.
 */
static bool late_event(const struct dxp_monitor *m, uint64_t id)
{
	return m->have_cursor && (id <= m->last_id || ended_has(m, id));
}

/*
 * A wait ended as @w (an event, or a log record) says.  @t is its entry,
 * or NULL for a wait daxpind never saw: its start event was dropped and it
 * ended before a dump could show it.  It counts as seen now, and ended.
 */
static void account_end(struct dxp_monitor *m, struct dxp_tracked *t, const struct daxpin_wait *w,
			unsigned outcome)
{
	if (!t) {
		t = track_new(m, w);
		if (!t) {
			m->c.waits_seen++;
			m->c.outcome[outcome < DXP_OUT_MAX ? outcome : DXP_OUT_UNTRACKED]++;
			return;
		}
		dxp_debug("wait %" PRIu64 " of %s[%" PRIu32 "] on %s was never seen in flight "
			  "(its start event was dropped)", w->id, w->comm, w->pid, what(t));
	}
	t->w = *w;
	end_wait(m, t, outcome, w->waited_ns);
}

static void end_event(struct dxp_monitor *m, struct dxp_tracked *t, const struct daxpin_event *ev)
{
	unsigned outcome = ev->has_outcome ? ev->outcome : DXP_OUT_UNTRACKED;
	bool numbered = m->have_cursor && ev->has_end_seq;
	/* A tracked wait whose end a resync already covered: its record
	 * was overwritten, and its end counted as missed. */
	bool covered = t && numbered && ev->end_seq <= m->cursor;

	if (!t && !(numbered && ev->end_seq > m->cursor && !ended_has(m, ev->wait.id)))
		return;		/* ended before the first dump, or accounted from the log */
	if (numbered)
		ended_note(m, ev->wait.id, ev->end_seq);
	if (covered && m->missed_open)
		missed_claimed(m);
	account_end(m, t, &ev->wait, outcome);
}

/*
 * Reconcile with the log records of one resync dump (after its waits in
 * flight: a wait may be in both, in flight when the table was read and
 * ended before the log was).  Records whose end an event accounted are
 * skipped.  Returns the ends above the old cursor that nothing accounts
 * for: the records overwritten before the dump, less those whose events
 * came.  @since is the cursor the dump was given.
 */
static uint64_t log_apply(struct dxp_monitor *m, const struct daxpin_waits *ended,
			  const struct daxpin_waits_log *log, uint64_t since, unsigned *applied)
{
	uint64_t unaccounted = log->lost;

	if (m->have_cursor)
		unaccounted -= ended_count(m, since, since + log->lost);
	for (size_t i = 0; i < ended->nr; i++) {
		const struct daxpin_wait *w = &ended->waits[i];
		struct dxp_tracked *t;

		if (ended_has(m, w->id))
			continue;
		t = dxp_monitor_find(m, w->id);
		if (t && t->w.start_ns != w->start_ns)
			t = NULL;	/* cannot be: ids are not reused while loaded */
		account_end(m, t, w, w->outcome);
		(*applied)++;
	}
	m->have_cursor = true;
	m->cursor = log->seq;
	m->last_id = log->last_id;
	ended_prune(m);
	return unaccounted;
}

/* The waits in flight and, where the module keeps one, its ended-wait log. */
static int resync_dump(struct dxp_monitor *m, struct daxpin_waits *dump, struct daxpin_waits *ended,
		       struct daxpin_waits_log *log, uint64_t *since)
{
	int r;

	*since = m->have_cursor ? m->cursor : UINT64_MAX;
	memset(log, 0, sizeof(*log));
	if (m->src.ops->dump_since) {
		r = m->src.ops->dump_since(m->src.ctx, *since, dump, ended, log);
		/* An older module refuses the cursor; a reader without
		 * CAP_NET_ADMIN may not have the log. */
		if (r < 0 && r != -EINVAL && r != -EPERM)
			return r;
		if (r >= 0 && log->present)
			return 0;
		daxpin_waits_free(dump);
		daxpin_waits_free(ended);
		memset(log, 0, sizeof(*log));
		dxp_debug("daxpin.ko keeps no ended-wait log: waits that end unseen count as lost");
	}
	log_forget(m);
	return m->src.ops->dump_waits(m->src.ctx, dump);
}

void dxp_monitor_event(struct dxp_monitor *m, const struct daxpin_event *ev)
{
	struct dxp_tracked *t;

	if (ev->type == DAXPIN_EVENT_OVERRUN) {
		m->c.overruns++;
		if (ev->has_dropped) {
			m->c.module_overruns++;
			m->c.module_dropped = ev->dropped;
		}
		m->overrun = true;
		return;
	}
	if (!ev->has_wait)
		return;
	t = dxp_monitor_find(m, ev->wait.id);
	if (t && t->w.start_ns != ev->wait.start_ns && ev->wait.start_ns) {
		/* Same id, other wait: the module was reloaded under us. */
		end_wait(m, t, DXP_OUT_LOST, t->w.waited_ns);
		t = NULL;
	}

	if (ev->type == DAXPIN_EVENT_WAIT_END) {
		end_event(m, t, ev);
		return;
	}

	if (!t) {
		if (late_event(m, ev->wait.id))
			return;
		t = track_new(m, &ev->wait);
		if (!t) {
			dxp_log(DXP_MSG_RESYNC, LOG_ERR, NULL, NULL, "Out of memory tracking wait %" PRIu64,
				ev->wait.id);
			return;
		}
		dxp_debug("wait %" PRIu64 " started: %s[%" PRIu32 "] on %s", ev->wait.id,
			  ev->wait.comm, ev->wait.pid, what(t));
	} else {
		t->w = ev->wait;
	}

	if (ev->type == DAXPIN_EVENT_KICKED && ev->rescued) {
		log_rescued(m, t);
	} else if (ev->type == DAXPIN_EVENT_KICKED) {
		if (!t->kick_pending) {
			m->c.kicks_external++;
			t->reported = true;
			dxp_log(DXP_MSG_KICKED, LOG_NOTICE, LW(m, t), NULL,
				"Wait %" PRIu64 " of %s[%" PRIu32 "] was kicked by another client (page %s)",
				t->w.id, t->w.comm, t->w.pid,
				ev->has_was_idle && ev->was_idle ? "idle" : "busy");
		}
		t->kick_pending = false;
	}
	process(m, t);
}

void dxp_monitor_timer(struct dxp_monitor *m, struct dxp_tracked *t)
{
	t->deadline = DXP_NEVER;	/* the one-shot timer has fired */
	t->due = true;
	if (m->refresh_pending)
		return;
	m->refresh_pending = true;
	if (!m->env->defer || m->env->defer(m->env_data) < 0)
		dxp_monitor_refresh(m);
}

static int cmp_wait_id(const void *a, const void *b)
{
	const struct daxpin_wait *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

void dxp_monitor_refresh(struct dxp_monitor *m)
{
	struct daxpin_waits dump = { 0 };
	size_t n_due = 0;
	int r;

	m->refresh_pending = false;
	for (struct dxp_tracked *t = m->waits; t; t = t->next)
		n_due += t->due;
	if (!n_due)
		return;
	/* Decide on fresh facts: refcount and idleness change without
	 * events.  One dump for all the waits due in this loop turn: N waits
	 * crossing a threshold together cost one N-entry dump, not N. */
	r = m->src.ops->dump_waits(m->src.ctx, &dump);
	if (r < 0)
		dxp_debug("refreshing %zu wait(s) failed: %s; using the last snapshots", n_due,
			  daxpin_strerror(r));
	else
		qsort(dump.waits, dump.nr, sizeof(*dump.waits), cmp_wait_id);
	for (struct dxp_tracked *t = m->waits, *next; t; t = next) {
		const struct daxpin_wait *w;

		next = t->next;
		if (!t->due)
			continue;
		t->due = false;
		if (r >= 0) {
			w = dump.nr ? bsearch(&t->w, dump.waits, dump.nr, sizeof(*dump.waits),
					      cmp_wait_id)
				    : NULL;
			if (!w || w->start_ns != t->w.start_ns) {
				/* It has ended: with the log, its WAIT_END or the
				 * next resync says how; else it ended unseen. */
				if (!m->have_cursor)
					end_wait(m, t, DXP_OUT_LOST, waited(m, t));
				continue;
			}
			t->w = *w;
		}
		process(m, t);
	}
	daxpin_waits_free(&dump);
}

int dxp_monitor_resync(struct dxp_monitor *m, const char *reason)
{
	struct daxpin_waits dump = { 0 }, ended = { 0 };
	struct daxpin_waits_log log;
	unsigned added = 0, gone = 0, pending = 0, from_log = 0;
	uint64_t since, unaccounted = 0;
	int r;

	r = resync_dump(m, &dump, &ended, &log, &since);
	if (r < 0) {
		dxp_log(DXP_MSG_RESYNC, LOG_ERR, NULL, NULL, "Dumping waits (%s) failed: %s", reason,
			daxpin_strerror(r));
		return r;
	}
	for (struct dxp_tracked *t = m->waits; t; t = t->next)
		t->seen = false;
	for (size_t i = 0; i < dump.nr; i++) {
		const struct daxpin_wait *w = &dump.waits[i];
		struct dxp_tracked *t = dxp_monitor_find(m, w->id);

		if (t && t->w.start_ns != w->start_ns) {
			end_wait(m, t, DXP_OUT_LOST, t->w.waited_ns);
			t = NULL;
		}
		if (t) {
			t->w = *w;
			t->due = false;		/* judged below on this dump */
		} else {
			t = track_new(m, w);
			if (!t) {
				r = -ENOMEM;
				break;
			}
			added++;
		}
		t->seen = true;
	}
	daxpin_waits_free(&dump);
	if (log.present)
		unaccounted = log_apply(m, &ended, &log, since, &from_log);
	daxpin_waits_free(&ended);

	for (struct dxp_tracked *t = m->waits, *next; t; t = next) {
		next = t->next;
		if (t->seen)
			continue;
		/*
		 * Not in flight when its slot was read, so it ended before
		 * the log was: its record was overwritten, now or (while it
		 * was in flight in an earlier dump) before.  Else it is kept
		 * until its WAIT_END, which cannot be missing.
		 */
		if (log.present && unaccounted) {
			unaccounted--;
		} else if (log.present && m->missed_open) {
			missed_claimed(m);
		} else if (log.present) {
			pending++;
			continue;
		}
		gone++;
		end_wait(m, t, DXP_OUT_LOST, waited(m, t));
	}
	if (unaccounted) {
		m->c.waits_missed += unaccounted;
		m->missed_open += unaccounted;
		dxp_log(DXP_MSG_RESYNC, LOG_WARNING, NULL, NULL,
			"%" PRIu64 " wait(s) ended unseen and their records in daxpin.ko's ended-wait "
			"log were overwritten (raise its ended_log parameter)", unaccounted);
	}
	/* Restored flags matter only for the waits of the first dump. */
	dxp_state_free(&m->restored);
	m->c.resyncs++;
	m->synced = true;
	m->last_resync_ns = now(m);
	dxp_log(DXP_MSG_RESYNC, LOG_INFO, NULL, NULL,
		"Resynchronised (%s): %zu wait(s) in flight, %u new, %u ended (from the "
		"ended-wait log), %u ended unseen, %u ending",
		reason, m->n_waits, added, from_log, gone, pending);
	for (struct dxp_tracked *t = m->waits, *next; t; t = next) {
		next = t->next;
		if (t->seen)
			process(m, t);
	}
	m->env->changed(m->env_data);
	return r < 0 ? r : 0;
}

int dxp_monitor_resync_overrun(struct dxp_monitor *m, const char *reason)
{
	char why[96];
	int r;

	if (!m->overrun)
		return 0;
	m->overrun = false;
	if (reason)
		snprintf(why, sizeof(why), "%s", reason);
	else if (m->c.module_overruns)
		snprintf(why, sizeof(why), "event overrun: daxpin.ko dropped %" PRIu64 " event(s) so far",
			 m->c.module_dropped);
	else
		snprintf(why, sizeof(why), "event overrun");
	dxp_log(DXP_MSG_RESYNC, LOG_WARNING, NULL, NULL,
		"Events were lost (%s); resynchronising", why);
	r = dxp_monitor_resync(m, why);
	return r < 0 ? r : 1;
}

void dxp_monitor_set_config(struct dxp_monitor *m, const struct dxp_config *config)
{
	m->config = config;
	for (struct dxp_tracked *t = m->waits; t; t = t->next)
		resolve(m, t);
	/* Re-judge at once: a lowered threshold may already be due. */
	for (struct dxp_tracked *t = m->waits, *next; t; t = next) {
		next = t->next;
		process(m, t);
	}
}

void dxp_monitor_module_gone(struct dxp_monitor *m)
{
	m->c.module_gone++;
	m->synced = false;
	log_forget(m);	/* a new module numbers ends from 1 again */
	while (m->waits)
		end_wait(m, m->waits, DXP_OUT_UNTRACKED, waited(m, m->waits));
}

int dxp_monitor_kick(struct dxp_monitor *m, uint64_t id, bool *was_idle)
{
	struct dxp_tracked *t = dxp_monitor_find(m, id);
	int r;

	if (t)
		t->kick_pending = true;
	r = m->src.ops->kick(m->src.ctx, id, was_idle);
	if (t && r < 0)
		t->kick_pending = false;
	if (r >= 0)
		m->c.kicks[DXP_RES_OK]++;
	if (t && r >= 0)
		dxp_log(DXP_MSG_KICKED, LOG_NOTICE, LW(m, t),
			(const char *const[]) { "DAXPIN_RULE=manual (control socket)", NULL },
			"Kicked wait %" PRIu64 " of %s[%" PRIu32 "] on request (page %s)",
			id, t->w.comm, t->w.pid, *was_idle ? "idle" : "busy");
	return r;
}
