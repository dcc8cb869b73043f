// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ExecHook=: fork and exec with the event on stdin; a child source reports
 * the exit, a timer source kills a hook that overstays.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/hooks.h"

struct dxp_hook {
	struct dxp_hook *next;
	struct dxp_hooks *hs;
	pid_t pid;
	uint64_t wait_id;
	sd_event_source *child;
	sd_event_source *timeout;
	bool timed_out;
};

void dxp_hooks_init(struct dxp_hooks *hs, sd_event *e, struct dxp_monitor *mon)
{
	hs->e = e;
	hs->mon = mon;
	hs->list = NULL;
}

static void hook_free(struct dxp_hook *h)
{
	for (struct dxp_hook **p = &h->hs->list; *p; p = &(*p)->next)
		if (*p == h) {
			*p = h->next;
			break;
		}
	sd_event_source_disable_unref(h->child);
	sd_event_source_disable_unref(h->timeout);
	free(h);
}

void dxp_hooks_done(struct dxp_hooks *hs)
{
	while (hs->list)
		hook_free(hs->list);
}

static int on_hook_exit(sd_event_source *s, const siginfo_t *si, void *userdata)
{
	struct dxp_hook *h = userdata;
	struct dxp_exec_result res = {
		.wait_id = h->wait_id,
		.pid = h->pid,
		.timed_out = h->timed_out,
		.exited = si->si_code == CLD_EXITED,
		.status = si->si_status,
	};
	struct dxp_monitor *mon = h->hs->mon;

	hook_free(h);
	dxp_monitor_exec_done(mon, &res);
	return 0;
}

static int on_hook_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct dxp_hook *h = userdata;

	h->timed_out = true;
	kill(h->pid, SIGKILL);
	return 0;
}

int dxp_hooks_spawn(struct dxp_hooks *hs, const char *path, uint64_t timeout_ns,
		    const char *json, uint64_t wait_id)
{
	size_t len = strlen(json);
	struct dxp_hook *h;
	int p[2], r;
	pid_t pid;

	/* The whole event fits in the pipe, so it is written before the
	 * fork and the hook can never block us. */
	if (len + 1 > 65536)
		return -E2BIG;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	if (write(p[1], json, len) != (ssize_t)len || write(p[1], "\n", 1) != 1) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		return r ? r : -EIO;
	}
	close(p[1]);
	h = calloc(1, sizeof(*h));
	if (!h) {
		close(p[0]);
		return -ENOMEM;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		free(h);
		return r;
	}
	if (pid == 0) {
		sigset_t none;
		char id[32];

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(p[0], STDIN_FILENO) < 0)
			_exit(127);
		snprintf(id, sizeof(id), "%" PRIu64, wait_id);
		setenv("DAXPIN_WAIT_ID", id, 1);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	h->hs = hs;
	h->pid = pid;
	h->wait_id = wait_id;
	r = sd_event_add_child(hs->e, &h->child, pid, WEXITED, on_hook_exit, h);
	if (r >= 0) {
		(void)sd_event_source_set_description(h->child, "daxpind-hook-child");
		r = sd_event_add_time_relative(hs->e, &h->timeout, CLOCK_MONOTONIC,
					       timeout_ns / 1000, DXP_TIMER_ACCURACY_USEC,
					       on_hook_timeout, h);
	}
	if (r < 0) {
		/* Can't supervise it: don't leave it running unwatched. */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		sd_event_source_disable_unref(h->child);
		free(h);
		return r;
	}
	(void)sd_event_source_set_description(h->timeout, "daxpind-hook-timeout");
	h->next = hs->list;
	hs->list = h;
	return pid;
}
