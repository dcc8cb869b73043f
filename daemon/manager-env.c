// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The engine's environment (struct dxp_env_ops): clock, per-wait timers,
 * where a wait's file lives, signals, hooks, device-DAX advice.  The unit
 * tests replace all of it; this is the real one.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "daemon/devdax.h"
#include "daemon/hooks.h"
#include "daemon/manager.h"

static uint64_t env_now(void *env)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * DXP_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* A wait's timer knows both its wait and the manager; freed with its
 * source. */
struct wait_timer {
	struct dxp_manager *m;
	struct dxp_tracked *t;
};

static int on_wait_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct wait_timer *wt = userdata;

	dxp_monitor_timer(&wt->m->mon, wt->t);
	return 0;
}

static int add_wait_timer(struct dxp_manager *m, struct dxp_tracked *t, uint64_t usec)
{
	struct wait_timer *wt;
	sd_event_source *s;
	int r;

	wt = malloc(sizeof(*wt));
	if (!wt)
		return -ENOMEM;
	*wt = (struct wait_timer) { .m = m, .t = t };
	r = sd_event_add_time(m->e, &s, CLOCK_BOOTTIME, usec, DXP_TIMER_ACCURACY_USEC,
			      on_wait_timer, wt);
	if (r < 0) {
		free(wt);
		return r;
	}
	r = sd_event_source_set_destroy_callback(s, free);
	if (r < 0) {
		sd_event_source_disable_unref(s);
		free(wt);
		return r;
	}
	(void)sd_event_source_set_description(s, "daxpind-wait-timer");
	t->timer = s;
	return 0;
}

static int env_arm(void *env, struct dxp_tracked *t, uint64_t deadline)
{
	struct dxp_manager *m = env;
	uint64_t usec;
	int r;

	if (deadline == DXP_NEVER) {
		/* Disabled, not destroyed: most waits end without ever
		 * needing their timer again. */
		return t->timer ? sd_event_source_set_enabled(t->timer, SD_EVENT_OFF) : 0;
	}
	/* Round up: firing a hair early would find nothing due and re-arm. */
	usec = deadline / 1000 + (deadline % 1000 ? 1 : 0);
	if (!t->timer)
		return add_wait_timer(m, t, usec);
	r = sd_event_source_set_time(t->timer, usec);
	if (r >= 0)
		r = sd_event_source_set_enabled(t->timer, SD_EVENT_ONESHOT);
	return r;
}

static void env_forget(void *env, struct dxp_tracked *t)
{
	t->timer = sd_event_source_disable_unref(t->timer);
}

static void env_locate(void *env, const struct daxpin_wait *w, char **mountpoint,
		       char **abspath, char **devname)
{
	struct daxpin_mounts mnts = { 0 };
	const struct daxpin_mount *mnt;
	char link[64], target[PATH_MAX], buf[PATH_MAX];
	ssize_t n;

	if (daxpin_mounts_load(&mnts, NULL) >= 0) {
		mnt = daxpin_mounts_find(&mnts, w->dev_major, w->dev_minor, w->path);
		if (mnt)
			*mountpoint = strdup(mnt->mnt_point);
		if (daxpin_mounts_abspath(&mnts, w->dev_major, w->dev_minor, w->path, buf,
					  sizeof(buf)) == 0)
			*abspath = strdup(buf);
		daxpin_mounts_free(&mnts);
	}
	snprintf(link, sizeof(link), "/sys/dev/block/%" PRIu32 ":%" PRIu32, w->dev_major,
		 w->dev_minor);
	n = readlink(link, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		*devname = strdup(strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
	}
}

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL		/* Linux 6.9 */
#endif

static int env_pidfd_open(void *env, const struct daxpin_wait *w)
{
	int fd;

	/* The signal must reach the thread that sleeps in the layout break:
	 * a pidfd on that thread where the kernel has them (6.9)... */
	fd = (int)syscall(SYS_pidfd_open, (pid_t)w->pid, PIDFD_THREAD);
	if (fd >= 0 || errno != EINVAL)
		return fd >= 0 ? fd : -errno;
	/* ...else one on its thread group (a leader's pid only). */
	fd = (int)syscall(SYS_pidfd_open, (pid_t)w->tgid, 0);
	return fd >= 0 ? fd : -errno;
}

static int env_pidfd_signal(void *env, int pidfd, const struct daxpin_wait *w, int sig)
{
	int fl = fcntl(pidfd, F_GETFL);

	/* A thread pidfd, or the waiter leads its group: the pidfd itself. */
	if (w->pid == w->tgid || (fl >= 0 && (fl & PIDFD_THREAD))) {
		if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
			return -errno;
		return 0;
	}
	/* A non-leader thread on a kernel without thread pidfds: the group's
	 * pidfd proves the group is still the one confirmed to hold the
	 * wait, and tgkill() needs the tid inside that group. */
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
		return -errno;
	if (syscall(SYS_tgkill, (pid_t)w->tgid, (pid_t)w->pid, sig) < 0)
		return -errno;
	return 0;
}

static void env_pidfd_close(void *env, int pidfd)
{
	(void)close(pidfd);
}

static int on_refresh(sd_event_source *s, void *userdata)
{
	struct dxp_manager *m = userdata;

	dxp_monitor_refresh(&m->mon);
	return 0;
}

/* One deferred source, just above idle ("changed" runs after it): every
 * wait timer already due has fired (and marked its wait) before it runs
 * its one dump. */
static int env_defer(void *env)
{
	struct dxp_manager *m = env;
	int r;

	if (!m->refresh_src) {
		r = sd_event_add_defer(m->e, &m->refresh_src, on_refresh, m);
		if (r < 0)
			return r;
		(void)sd_event_source_set_description(m->refresh_src, "daxpind-wait-refresh");
		(void)sd_event_source_set_priority(m->refresh_src, SD_EVENT_PRIORITY_IDLE - 1);
	}
	return sd_event_source_set_enabled(m->refresh_src, SD_EVENT_ONESHOT);
}

static int env_exec(void *env, const char *hook_path, uint64_t timeout_ns, const char *json,
		    uint64_t wait_id)
{
	struct dxp_manager *m = env;

	return dxp_hooks_spawn(&m->hooks, hook_path, timeout_ns, json, wait_id);
}

static void env_devdax(void *env, char *buf, size_t len)
{
	dxp_devdax_list(buf, len);
}

static void env_changed(void *env)
{
	dxp_manager_changed(env);
}

const struct dxp_env_ops dxp_manager_env_ops = {
	.now = env_now,
	.arm = env_arm,
	.forget = env_forget,
	.locate = env_locate,
	.pidfd_open = env_pidfd_open,
	.pidfd_signal = env_pidfd_signal,
	.pidfd_close = env_pidfd_close,
	.defer = env_defer,
	.exec = env_exec,
	.devdax = env_devdax,
	.changed = env_changed,
};
