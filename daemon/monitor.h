/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine: the table of waits in flight, fed by events and dumps from a
 * dxp_source, judged by the policy engine, acted upon through an
 * environment (timers, clock, signals, hooks) that tests replace.
 */
#ifndef DAXPIND_MONITOR_H
#define DAXPIND_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/config.h"
#include "daemon/policy.h"
#include "daemon/source.h"
#include "daemon/state.h"

struct dxp_tracked {
	struct dxp_tracked *next;
	struct daxpin_wait w;
	struct dxp_track track;
	struct dxp_policy policy;
	struct dxp_origin origin[DXP_K_POLICY_MAX];
	char *mountpoint;		/* NULL when not found */
	char *abspath;
	char *devname;
	uint64_t deadline;		/* armed deadline or DXP_NEVER */
	void *timer;			/* the environment's handle */
	bool seen;			/* mark for resync's sweep */
	bool due;			/* its timer fired: judge at the next refresh */
	bool kick_pending;		/* our KICK in flight: its event is ours */
	bool reported;			/* something was logged: log the end too */
	bool final_warned;		/* its final-break warning was logged */
};

struct dxp_exec_result {
	uint64_t wait_id;
	int pid;
	bool timed_out;
	bool exited;			/* else killed by signal */
	int status;			/* exit code or signal number */
	int error;			/* negative errno: could not run at all */
};

struct dxp_env_ops {
	uint64_t (*now)(void *env);		/* CLOCK_BOOTTIME, ns */
	/* (Re)arm t's one timer at @deadline; DXP_NEVER disarms. */
	int (*arm)(void *env, struct dxp_tracked *t, uint64_t deadline);
	/* t is going away: drop its timer. */
	void (*forget)(void *env, struct dxp_tracked *t);
	/* Where the wait's file lives; any output may be left NULL. */
	void (*locate)(void *env, const struct daxpin_wait *w, char **mountpoint,
		       char **abspath, char **devname);
	/* A pidfd for the wait's thread (its thread group where the kernel
	 * has no PIDFD_THREAD) or -errno (-ESRCH: no such task). */
	int (*pidfd_open)(void *env, const struct daxpin_wait *w);
	/* Send @sig to the wait's thread through @pidfd: never to a task
	 * other than the one @pidfd was opened on. */
	int (*pidfd_signal)(void *env, int pidfd, const struct daxpin_wait *w, int sig);
	void (*pidfd_close)(void *env, int pidfd);
	/* Have dxp_monitor_refresh() called once at the end of this loop
	 * turn, after every timer due now has fired.  Optional; <0 (or
	 * NULL): the engine refreshes at once. */
	int (*defer)(void *env);
	/* Start @hook with @json on stdin; returns the pid or -errno.  The
	 * result comes back later through dxp_monitor_exec_done(). */
	int (*exec)(void *env, const char *hook, uint64_t timeout_ns, const char *json,
		    uint64_t wait_id);
	/* Human list of device-DAX instances, for advice. */
	void (*devdax)(void *env, char *buf, size_t len);
	/* Done flags or counters changed: persist state, refresh metrics. */
	void (*changed)(void *env);
};

enum {
	DXP_OUT_COMPLETED = DAXPIN_OUTCOME_COMPLETED,
	DXP_OUT_INTERRUPTED = DAXPIN_OUTCOME_INTERRUPTED,
	DXP_OUT_UNTRACKED = DAXPIN_OUTCOME_UNTRACKED,
	DXP_OUT_LOST,			/* ended while we missed the event */
	DXP_OUT_MAX,
};

enum { DXP_RES_OK, DXP_RES_FAILED, DXP_RES_DRY_RUN, DXP_RES_MAX };
/* What became of an action aimed at a wait's holders (ActionTarget=holder). */
enum {
	DXP_HOLDER_SIGNALLED,	/* its holders were sent the signal */
	DXP_HOLDER_DRY_RUN,
	DXP_HOLDER_NO_HOLDER,	/* no process maps the busy page: nobody signalled */
	DXP_HOLDER_ENDED,	/* the wait ended before the action */
	DXP_HOLDER_FAILED,	/* the wait could not be re-read */
	DXP_HOLDER_MAX
};

struct dxp_counters {
	uint64_t waits_seen;
	/* Waits known only by number: their records in the module's ended-wait
	 * log were overwritten before a resync read them (0 unless it
	 * overflowed), and both their events were dropped. */
	uint64_t waits_missed;
	uint64_t outcome[DXP_OUT_MAX];
	uint64_t warned;
	uint64_t nontransient;
	uint64_t stalled;
	uint64_t kicks[DXP_RES_MAX];
	uint64_t kicks_external;
	uint64_t rescued;		/* stalled waits daxpin.ko woke itself */
	uint64_t actions[3][DXP_RES_MAX];	/* [enum dxp_action][DXP_RES_*] */
	uint64_t holder_actions[DXP_HOLDER_MAX];	/* a wait each, DXP_HOLDER_* */
	uint64_t holder_signals[DXP_RES_MAX];	/* a process each; DXP_RES_OK or _FAILED */
	uint64_t resyncs;
	uint64_t overruns;		/* socket (ENOBUFS) and module records */
	uint64_t module_overruns;	/* records from daxpin.ko */
	uint64_t module_dropped;	/* its dropped count in the last one */
	uint64_t module_gone;
};

/* One wait end accounted above the log cursor. */
struct dxp_ended_end {
	uint64_t id;
	uint64_t seq;
};

struct dxp_monitor {
	const struct dxp_env_ops *env;
	void *env_data;
	struct dxp_source src;
	const struct dxp_config *config;
	struct dxp_tracked *waits;
	size_t n_waits;
	struct dxp_state restored;	/* from before a restart, until the first resync */
	struct dxp_counters c;
	bool synced;
	bool refresh_pending;		/* env->defer() asked, not yet run */
	bool overrun;			/* events were lost: resync once drained */
	uint64_t last_resync_ns;
	/*
	 * The module's ended-wait log: every wait end up to @cursor is
	 * accounted (by its WAIT_END event, a log record, or as missed); the
	 * ends above it accounted by events are in @ended until the numbers
	 * are contiguous again.  Events of an unknown wait up to @last_id are
	 * late: the wait was in the last dump or has ended.
	 */
	bool have_cursor;
	uint64_t cursor;
	uint64_t last_id;
	/* Of waits_missed, the ends that may yet turn out to be of waits in
	 * daxpind's table: in flight in a dump, ended before its log was read,
	 * records overwritten meanwhile.  Such a wait's late WAIT_END, or its
	 * absence from a later dump, moves it from missed to seen and ended. */
	uint64_t missed_open;
	struct dxp_ended_end *ended;
	size_t n_ended, alloc_ended;
};

void dxp_monitor_init(struct dxp_monitor *m, const struct dxp_env_ops *env, void *env_data,
		      const struct dxp_source *src, const struct dxp_config *config);
void dxp_monitor_free(struct dxp_monitor *m);

/* Adopt what a previous instance did (takes ownership of @s). */
void dxp_monitor_restore(struct dxp_monitor *m, struct dxp_state *s);
/* Export done flags of waits in flight, for saving. */
int dxp_monitor_export(const struct dxp_monitor *m, struct dxp_state *out);

int dxp_monitor_resync(struct dxp_monitor *m, const char *reason);
/* An event; DAXPIN_EVENT_OVERRUN only sets m->overrun: the caller drains
 * the socket, then resyncs (dxp_monitor_resync_overrun()). */
void dxp_monitor_event(struct dxp_monitor *m, const struct daxpin_event *ev);
/* Resync if an overrun was seen (@why: the reason logged, or NULL for
 * the overrun's own); returns 1 if it did, 0, or -errno. */
int dxp_monitor_resync_overrun(struct dxp_monitor *m, const char *why);
/* t's timer fired: mark it due; one dump at dxp_monitor_refresh() serves
 * every wait due in this loop turn. */
void dxp_monitor_timer(struct dxp_monitor *m, struct dxp_tracked *t);
/* Re-read the module's waits once and judge every due wait on them. */
void dxp_monitor_refresh(struct dxp_monitor *m);
void dxp_monitor_set_config(struct dxp_monitor *m, const struct dxp_config *config);
void dxp_monitor_module_gone(struct dxp_monitor *m);
int dxp_monitor_kick(struct dxp_monitor *m, uint64_t id, bool *was_idle);
void dxp_monitor_exec_done(struct dxp_monitor *m, const struct dxp_exec_result *res);
struct dxp_tracked *dxp_monitor_find(const struct dxp_monitor *m, uint64_t id);

#endif
