// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hooks.c with a real sd-event loop and real children: the event arrives on
 * the hook's stdin with DAXPIN_WAIT_ID set, its exit status, a timeout or a
 * failed exec reaches the engine (dxp_monitor_exec_done()) once, and the
 * hook is forgotten afterwards.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <systemd/sd-event.h>

#include "daemon/hooks.h"
#include "daemon/log.h"
#include "daemon/manager.h"
#include "daemon/monitor.h"

#define NSEC_PER_MSEC 1000000ULL

static struct {
	sd_event *e;
	struct dxp_monitor mon;
	struct dxp_hooks hs;
	unsigned changed;
	unsigned want_changed;	/* the loop ends at this many results (1 if 0) */
	char log[4096];		/* every message, fields one per line */
	char dir[64];
} F;

static uint64_t fake_now(void *env)
{
	return 0;
}

static void fake_changed(void *env)
{
	F.changed++;
	if (F.changed >= (F.want_changed ? F.want_changed : 1))
		sd_event_exit(F.e, 0);
}

static const struct dxp_env_ops env = { .now = fake_now, .changed = fake_changed };
static const struct dxp_source src;

static void sink(void *userdata, enum dxp_msg kind, int prio, const struct iovec *iov, unsigned n)
{
	size_t used = strlen(F.log);

	for (unsigned i = 0; i < n && used < sizeof(F.log); i++)
		used += (size_t)snprintf(F.log + used, sizeof(F.log) - used, "%.*s\n",
					 (int)iov[i].iov_len, (const char *)iov[i].iov_base);
}

/* A hang is a failure, not a stuck test run. */
static int on_guard(sd_event_source *s, uint64_t usec, void *userdata)
{
	return sd_event_exit(F.e, -ETIMEDOUT);
}

static int setup(void **state)
{
	struct dxp_log_options o = { .sink = sink };
	sigset_t ss;

	memset(&F, 0, sizeof(F));
	dxp_log_setup(&o);
	sigemptyset(&ss);
	sigaddset(&ss, SIGCHLD);
	assert_int_equal(sigprocmask(SIG_BLOCK, &ss, NULL), 0);
	assert_int_equal(sd_event_new(&F.e), 0);
	assert_true(sd_event_add_time_relative(F.e, NULL, CLOCK_MONOTONIC, 30 * 1000000ULL, 0,
					       on_guard, NULL) >= 0);
	dxp_monitor_init(&F.mon, &env, NULL, &src, NULL);
	dxp_hooks_init(&F.hs, F.e, &F.mon);
	snprintf(F.dir, sizeof(F.dir), "/tmp/daxpind-test-hooks.XXXXXX");
	assert_non_null(mkdtemp(F.dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	dxp_hooks_done(&F.hs);
	dxp_monitor_free(&F.mon);
	F.e = sd_event_unref(F.e);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", F.dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void write_hook(char *path, size_t len, const char *body)
{
	FILE *f;

	snprintf(path, len, "%s/hook", F.dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
}

static void read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void run_until_done(void)
{
	assert_int_equal(sd_event_loop(F.e), 0);
	assert_int_equal(F.changed, F.want_changed ? F.want_changed : 1);
	assert_null(F.hs.list);
}

static void has(const char *needle)
{
	if (!strstr(F.log, needle))
		fail_msg("\"%s\" not logged; the log:\n%s", needle, F.log);
}

static void test_event_on_stdin_and_exit_status(void **state)
{
	char hook[128], in[256], id[256], want[128];
	int pid;

	/* $0 is the hook's path: it leaves what it got beside itself. */
	write_hook(hook, sizeof(hook), "cat > \"$0.in\"\nprintf %s \"$DAXPIN_WAIT_ID\" > \"$0.id\"\nexit 3");
	pid = dxp_hooks_spawn(&F.hs, hook, 10000 * NSEC_PER_MSEC, "{\"id\":42}", 42);
	assert_true(pid > 0);
	assert_non_null(F.hs.list);
	run_until_done();

	snprintf(in, sizeof(in), "%s.in", hook);
	read_file(in, in, sizeof(in));
	assert_string_equal(in, "{\"id\":42}\n");
	snprintf(id, sizeof(id), "%s.id", hook);
	read_file(id, id, sizeof(id));
	assert_string_equal(id, "42");
	snprintf(want, sizeof(want), "Hook for wait 42 (pid %d) exited with status 3", pid);
	has(want);
	snprintf(want, sizeof(want), "DAXPIN_HOOK_PID=%d", pid);
	has(want);
	assert_int_equal(F.mon.c.actions[DXP_ACTION_EXEC][DXP_RES_FAILED], 1);
	assert_int_equal(F.mon.c.actions[DXP_ACTION_EXEC][DXP_RES_OK], 0);
}

static void test_success_counts_ok(void **state)
{
	char hook[128];

	write_hook(hook, sizeof(hook), "cat >/dev/null");
	assert_true(dxp_hooks_spawn(&F.hs, hook, 10000 * NSEC_PER_MSEC, "{}", 7) > 0);
	run_until_done();
	has("Hook for wait 7 (pid ");
	has(") exited with status 0");
	assert_int_equal(F.mon.c.actions[DXP_ACTION_EXEC][DXP_RES_OK], 1);
	assert_int_equal(F.mon.c.actions[DXP_ACTION_EXEC][DXP_RES_FAILED], 0);
}

/* The hook would sleep for ten minutes; the 100 ms timeout kills it (without
 * the kill, the 30 s guard ends the loop with -ETIMEDOUT). */
static void test_timeout_kills(void **state)
{
	char hook[128], want[128];
	int pid;

	write_hook(hook, sizeof(hook), "exec sleep 600");
	pid = dxp_hooks_spawn(&F.hs, hook, 100 * NSEC_PER_MSEC, "{}", 9);
	assert_true(pid > 0);
	run_until_done();
	snprintf(want, sizeof(want), "Hook for wait 9 (pid %d) timed out and was killed", pid);
	has(want);
	assert_int_equal(F.mon.c.actions[DXP_ACTION_EXEC][DXP_RES_FAILED], 1);
	/* Reaped: no such child any more. */
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
}

static void test_exec_failure_is_127(void **state)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/no-such-hook", F.dir);
	assert_true(dxp_hooks_spawn(&F.hs, path, 10000 * NSEC_PER_MSEC, "{}", 11) > 0);
	run_until_done();
	has("Hook for wait 11 (pid ");
	has(") exited with status 127");
}

/* The event is written before the fork, so it must fit in the pipe. */
static void test_event_too_big_for_the_pipe(void **state)
{
	size_t len = 70000;
	char *json = malloc(len + 1);

	assert_non_null(json);
	memset(json, 'x', len);
	json[len] = '\0';
	assert_int_equal(dxp_hooks_spawn(&F.hs, "/bin/true", 10000 * NSEC_PER_MSEC, json, 1),
			 -E2BIG);
	free(json);
	assert_null(F.hs.list);
	assert_int_equal(F.changed, 0);
}

/* The daemon ignores SIGPIPE and blocks signals, and systemd gives it
 * NOTIFY_SOCKET and WATCHDOG_USEC: none of that may reach the hook. */
static void test_clean_environment_and_signals(void **state)
{
	char hook[128], path[192], buf[8192];
	unsigned long long ign = 0, blk = 0;
	char *p;

	signal(SIGPIPE, SIG_IGN);
	setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
	setenv("WATCHDOG_USEC", "30000000", 1);
	setenv("DAXPIND_SECRET", "x", 1);
	write_hook(hook, sizeof(hook),
		   "env > \"$0.env\"\nexec grep -E '^Sig(Ign|Blk)' /proc/self/status > \"$0.sig\"");
	assert_true(dxp_hooks_spawn(&F.hs, hook, 10000 * NSEC_PER_MSEC, "{}", 5) >= 0);
	run_until_done();
	signal(SIGPIPE, SIG_DFL);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("DAXPIND_SECRET");

	snprintf(path, sizeof(path), "%s.env", hook);
	read_file(path, buf, sizeof(buf));
	print_message("hook environment:\n%s", buf);
	assert_null(strstr(buf, "NOTIFY_SOCKET="));
	assert_null(strstr(buf, "WATCHDOG_USEC="));
	assert_null(strstr(buf, "DAXPIND_SECRET="));
	assert_non_null(strstr(buf, "PATH="));
	assert_non_null(strstr(buf, "DAXPIN_WAIT_ID=5"));
	snprintf(path, sizeof(path), "%s.sig", hook);
	read_file(path, buf, sizeof(buf));
	print_message("hook signals: %s", buf);
	p = strstr(buf, "SigBlk:");
	assert_non_null(p);
	blk = strtoull(p + 7, NULL, 16);
	p = strstr(buf, "SigIgn:");
	assert_non_null(p);
	ign = strtoull(p + 7, NULL, 16);
	assert_int_equal(blk, 0);
	assert_int_equal(ign & (1ULL << (SIGPIPE - 1)), 0);
}

static bool alive(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* A hook that forks: the timeout kills its whole process group. */
static void test_timeout_kills_the_group(void **state)
{
	char hook[128], path[192], buf[64];
	pid_t bg;
	int i;

	write_hook(hook, sizeof(hook), "sleep 600 &\necho $! > \"$0.bg\"\nexec sleep 600");
	assert_true(dxp_hooks_spawn(&F.hs, hook, 300 * NSEC_PER_MSEC, "{}", 9) >= 0);
	run_until_done();
	has("Hook for wait 9 (pid ");
	has(") timed out and was killed");
	snprintf(path, sizeof(path), "%s.bg", hook);
	read_file(path, buf, sizeof(buf));
	bg = (pid_t)atoi(buf);
	assert_true(bg > 0);
	/* SIGKILL is immediate; allow a loaded machine 10 s to show it. */
	for (i = 0; i < 1000 && alive(bg); i++)
		usleep(10000);
	print_message("background child %d of the hook: %s after %d ms\n", (int)bg,
		      alive(bg) ? "still running" : "gone", i * 10);
	if (alive(bg)) {
		kill(bg, SIGKILL);
		fail_msg("the hook's background child %d survived the timeout", (int)bg);
	}
}

/* Many waits acting at once: at most DXP_HOOKS_MAX_RUNNING hooks run at a
 * time, the rest wait their turn, and every one still runs. */
static void test_concurrency_is_bounded(void **state)
{
	char hook[128], path[192], buf[4096], body[512];
	const unsigned n = 12;
	unsigned max = 0;

	snprintf(body, sizeof(body),
		 "d=\"$0.d\"; mkdir -p \"$d\"; : > \"$d/$$\"\n"
		 "ls \"$d\" | wc -l >> \"$0.max\"\nsleep 0.5\nrm -f \"$d/$$\"\n"
		 "echo $DAXPIN_WAIT_ID >> \"$0.ran\"");
	write_hook(hook, sizeof(hook), body);
	F.want_changed = n;
	for (unsigned i = 0; i < n; i++)
		assert_true(dxp_hooks_spawn(&F.hs, hook, 60000 * NSEC_PER_MSEC, "{}", 300 + i) >= 0);
	run_until_done();
	snprintf(path, sizeof(path), "%s.max", hook);
	read_file(path, buf, sizeof(buf));
	for (char *p = buf; *p; p++) {
		unsigned v = (unsigned)strtoul(p, &p, 10);

		max = v > max ? v : max;
		if (!*p)
			break;
	}
	print_message("%u hooks started together: at most %u ran at once\n", n, max);
	snprintf(path, sizeof(path), "%s.ran", hook);
	read_file(path, buf, sizeof(buf));
	assert_int_equal(F.mon.c.actions[DXP_ACTION_EXEC][DXP_RES_OK], n);
	assert_in_range(max, 1, 4);
}

/* manager-env's signal path with a real task: the pidfd reaches it while it
 * lives, and nothing once it is reaped (not a task that got its pid). */
static void test_env_pidfd_signal(void **state)
{
	const struct dxp_env_ops *ops = &dxp_manager_env_ops;
	struct daxpin_wait w = { 0 };
	int fd, st;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	w.pid = w.tgid = (uint32_t)pid;
	fd = ops->pidfd_open(NULL, &w);
	assert_true(fd >= 0);
	assert_int_equal(ops->pidfd_signal(NULL, fd, &w, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	assert_int_equal(ops->pidfd_signal(NULL, fd, &w, SIGTERM), -ESRCH);
	ops->pidfd_close(NULL, fd);
	/* A pid that is not running: no pidfd at all. */
	assert_int_equal(ops->pidfd_open(NULL, &w), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_event_on_stdin_and_exit_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_success_counts_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_kills, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_failure_is_127, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_too_big_for_the_pipe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clean_environment_and_signals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_kills_the_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrency_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_pidfd_signal, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
