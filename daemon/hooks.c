// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ExecHook=: fork and exec with the event on stdin; a child source reports
 * the exit, a timer source kills a hook (its process group) that overstays.
 * At most DXP_HOOKS_MAX_RUNNING run at once; the rest queue.
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
	uint64_t timeout_ns;
	char *path;
	char *json;
	sd_event_source *child;
	sd_event_source *timeout;
	bool timed_out;
};

void dxp_hooks_init(struct dxp_hooks *hs, sd_event *e, struct dxp_monitor *mon)
{
	hs->e = e;
	hs->mon = mon;
	hs->list = NULL;
	hs->running = 0;
	hs->queue = NULL;
	hs->queue_tail = &hs->queue;
	hs->queued = 0;
}

static void hook_destroy(struct dxp_hook *h)
{
	sd_event_source_disable_unref(h->child);
	sd_event_source_disable_unref(h->timeout);
	free(h->path);
	free(h->json);
	free(h);
}

/* Unlink a running hook and free it. */
static void hook_free(struct dxp_hook *h)
{
	for (struct dxp_hook **p = &h->hs->list; *p; p = &(*p)->next)
		if (*p == h) {
			*p = h->next;
			h->hs->running--;
			break;
		}
	hook_destroy(h);
}

void dxp_hooks_done(struct dxp_hooks *hs)
{
	while (hs->list)
		hook_free(hs->list);
	while (hs->queue) {
		struct dxp_hook *h = hs->queue;

		hs->queue = h->next;
		hook_destroy(h);
	}
	hs->queue_tail = &hs->queue;
	hs->queued = 0;
}

static int hook_start(struct dxp_hook *h);

/* A slot is free: start queued hooks; report those that cannot start. */
static void start_queued(struct dxp_hooks *hs)
{
	while (hs->queue && hs->running < DXP_HOOKS_MAX_RUNNING) {
		struct dxp_hook *h = hs->queue;
		struct dxp_exec_result res = { .wait_id = h->wait_id };

		hs->queue = h->next;
		if (!hs->queue)
			hs->queue_tail = &hs->queue;
		hs->queued--;
		h->next = NULL;
		res.error = hook_start(h);
		if (res.error < 0) {
			hook_destroy(h);
			dxp_monitor_exec_done(hs->mon, &res);
		}
	}
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
	struct dxp_hooks *hs = h->hs;

	/* No kill(-pid) here: the leader is reaped, its pid (the group's id)
	 * may be reused once the group is empty.  The timeout killed the
	 * group while the leader still held the id. */
	hook_free(h);
	dxp_monitor_exec_done(hs->mon, &res);
	start_queued(hs);
	return 0;
}

static int on_hook_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct dxp_hook *h = userdata;

	h->timed_out = true;
	/* The group: a hook's children must not outlive its timeout. */
	if (kill(-h->pid, SIGKILL) < 0)
		(void)kill(h->pid, SIGKILL);
	return 0;
}

/* In the child, before exec: nothing of the daemon's signal state, process
 * group or environment (NOTIFY_SOCKET, WATCHDOG_USEC, ...) reaches the
 * hook.  Only async-signal-safe calls. */
static _Noreturn void hook_exec(const struct dxp_hook *h, int fd, char *const envp[])
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	char *argv[] = { h->path, NULL };
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);	/* fails for KILL/STOP: fine */
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)setpgid(0, 0);
	if (dup2(fd, STDIN_FILENO) < 0)
		_exit(127);
	execve(h->path, argv, envp);
	_exit(127);
}

static int hook_start(struct dxp_hook *h)
{
	struct dxp_hooks *hs = h->hs;
	size_t len = strlen(h->json);
	char id[64], path[] = DXP_HOOKS_PATH;
	char *envp[] = { path, id, NULL };
	int p[2], r;
	pid_t pid;

	/* The whole event fits in the pipe, so it is written before the
	 * fork and the hook can never block us. */
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	if (write(p[1], h->json, len) != (ssize_t)len || write(p[1], "\n", 1) != 1) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		return r ? r : -EIO;
	}
	close(p[1]);
	snprintf(id, sizeof(id), "DAXPIN_WAIT_ID=%" PRIu64, h->wait_id);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		return r;
	}
	if (pid == 0)
		hook_exec(h, p[0], envp);
	close(p[0]);
	/* Also here: the group exists before any kill(-pid) of ours. */
	(void)setpgid(pid, pid);
	h->pid = pid;
	r = sd_event_add_child(hs->e, &h->child, pid, WEXITED, on_hook_exit, h);
	if (r >= 0) {
		(void)sd_event_source_set_description(h->child, "daxpind-hook-child");
		r = sd_event_add_time_relative(hs->e, &h->timeout, CLOCK_MONOTONIC,
					       h->timeout_ns / 1000, DXP_TIMER_ACCURACY_USEC,
					       on_hook_timeout, h);
	}
	if (r < 0) {
		/* Can't supervise it: don't leave it running unwatched. */
		(void)kill(-pid, SIGKILL);
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		h->child = sd_event_source_disable_unref(h->child);
		return r;
	}
	(void)sd_event_source_set_description(h->timeout, "daxpind-hook-timeout");
	h->next = hs->list;
	hs->list = h;
	hs->running++;
	return pid;
}

int dxp_hooks_spawn(struct dxp_hooks *hs, const char *path, uint64_t timeout_ns,
		    const char *json, uint64_t wait_id)
{
	struct dxp_hook *h;
	int r;

	if (strlen(json) + 1 > 65536)
		return -E2BIG;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->hs = hs;
	h->wait_id = wait_id;
	h->timeout_ns = timeout_ns;
	h->path = strdup(path);
	h->json = strdup(json);
	if (!h->path || !h->json) {
		hook_destroy(h);
		return -ENOMEM;
	}
	if (hs->running >= DXP_HOOKS_MAX_RUNNING) {
		*hs->queue_tail = h;
		hs->queue_tail = &h->next;
		hs->queued++;
		return 0;
	}
	r = hook_start(h);
	if (r < 0)
		hook_destroy(h);
	return r;
}
