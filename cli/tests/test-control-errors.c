// SPDX-License-Identifier: GPL-2.0
/*
 * What daxpinctl says when daxpind's control socket is there but cannot
 * serve: a listen backlog that stays full is "busy (backlog full)", a
 * listener that never answers is "no reply", and neither is "daxpind is
 * not running" nor "check that versions match".  Runs the built
 * cli/daxpinctl ($DAXPINCTL) against listeners this test makes; each
 * daxpinctl waits out its own 5 s request timeout, so they run at once.
 * Every fd is non-blocking and alarm() bounds the whole test.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#define MAX_FILLERS	64

static char dir[64];

static void sock_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static int listener(const char *path, int backlog)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, backlog), 0);
	return fd;
}

/* queue connections until connect() says EAGAIN: the backlog is full */
static int fill_backlog(const char *path, int *fds)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int n = 0;

	strcpy(sa.sun_path, path);
	while (n < MAX_FILLERS) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
				SOCK_CLOEXEC, 0);

		assert_true(fd >= 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			assert_int_equal(errno, EAGAIN);
			close(fd);
			break;
		}
		fds[n++] = fd;
	}
	assert_true(n >= 1 && n < MAX_FILLERS);
	return n;
}

/* daxpinctl ARGS with DAXPIN_CONTROL=sock, stdout/stderr to dir/tag.{out,err} */
static pid_t run(const char *sock, const char *tag, const char *cmd,
		 const char *arg)
{
	const char *bin = getenv("DAXPINCTL");
	char out[128], err[128];
	pid_t pid;

	if (!bin || !bin[0])
		bin = "./cli/daxpinctl";
	assert_int_equal(access(bin, X_OK), 0);
	snprintf(out, sizeof(out), "%s/%s.out", dir, tag);
	snprintf(err, sizeof(err), "%s/%s.err", dir, tag);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(125);
		alarm(20);
		setenv("DAXPIN_CONTROL", sock, 1);
		execl(bin, bin, cmd, arg, (char *)NULL);
		_exit(126);
	}
	return pid;
}

static int exit_of(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static char *slurp(const char *tag, const char *ext)
{
	static char buf[3][8192];
	static int i;
	char path[128];
	char *b = buf[i++ % 3];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, tag, ext);
	f = fopen(path, "re");
	assert_non_null(f);
	n = fread(b, 1, sizeof(buf[0]) - 1, f);
	b[n] = '\0';
	fclose(f);
	print_message("%s %s: %s%s", tag, ext, b,
		      n && b[n - 1] == '\n' ? "" : "\n");
	return b;
}

static void test_busy_and_silent(void **state)
{
	char busy[128], silent[128], sbusy[128];
	int fds[MAX_FILLERS], sfds[MAX_FILLERS], n, sn, lb, ls, lsb;
	pid_t p_busy, p_silent, p_status;
	const char *e_busy, *e_silent, *o_status;
	int rc_busy, rc_silent, rc_status;

	(void)state;
	sock_path(busy, sizeof(busy), "busy");
	sock_path(silent, sizeof(silent), "silent");
	sock_path(sbusy, sizeof(sbusy), "status-busy");
	lb = listener(busy, 0);
	n = fill_backlog(busy, fds);
	lsb = listener(sbusy, 0);
	sn = fill_backlog(sbusy, sfds);
	/* queues the connection and the request, never answers */
	ls = listener(silent, 8);

	p_busy = run(busy, "busy", "policy", NULL);
	p_silent = run(silent, "silent", "metrics", NULL);
	p_status = run(sbusy, "status", "status", "--json");

	/* all three waited for and shown before any verdict */
	rc_busy = exit_of(p_busy);
	e_busy = slurp("busy", "err");
	rc_silent = exit_of(p_silent);
	e_silent = slurp("silent", "err");
	rc_status = exit_of(p_status);
	o_status = slurp("status", "out");

	assert_int_equal(rc_busy, 1);
	assert_non_null(strstr(e_busy, "busy (backlog full)"));
	assert_non_null(strstr(e_busy, "try again"));
	assert_null(strstr(e_busy, "not running"));

	assert_int_equal(rc_silent, 1);
	assert_non_null(strstr(e_silent, "no reply from daxpind"));
	assert_null(strstr(e_silent, "versions match"));
	assert_null(strstr(e_silent, "not running"));

	/* status reports the daemon as unreachable, and why */
	assert_int_equal(rc_status, 0);
	assert_non_null(strstr(o_status, "busy (backlog full)"));
	assert_null(strstr(o_status, "not running"));

	while (n--)
		close(fds[n]);
	while (sn--)
		close(sfds[sn]);
	close(lb);
	close(lsb);
	close(ls);
}

/* the old words stay where they belong: no socket at all */
static void test_not_running(void **state)
{
	char gone[128];
	const char *s;
	int rc;

	(void)state;
	sock_path(gone, sizeof(gone), "gone");
	rc = exit_of(run(gone, "gone", "policy", NULL));
	s = slurp("gone", "err");
	assert_int_equal(rc, 7);
	assert_non_null(strstr(s, "daxpind is not running"));
}

/* a socket path under a regular file (ENOTDIR): not running, for status
 * as for policy */
static void test_not_running_notdir(void **state)
{
	char file[128], sock[160];
	const char *s;
	FILE *f;
	int rc;

	(void)state;
	sock_path(file, sizeof(file), "plain-file");
	f = fopen(file, "we");
	assert_non_null(f);
	fclose(f);
	snprintf(sock, sizeof(sock), "%s/control", file);
	rc = exit_of(run(sock, "notdir-policy", "policy", NULL));
	s = slurp("notdir-policy", "err");
	assert_int_equal(rc, 7);
	assert_non_null(strstr(s, "daxpind is not running"));
	rc = exit_of(run(sock, "notdir-status", "status", "--json"));
	s = slurp("notdir-status", "out");
	assert_int_equal(rc, 0);
	assert_non_null(strstr(s, "\"error\": \"daxpind is not running\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busy_and_silent),
		cmocka_unit_test(test_not_running),
		cmocka_unit_test(test_not_running_notdir),
	};
	char cmd[128];
	int rc;

	alarm(60);
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "/tmp/daxpinctl-errors.XXXXXX");
	if (!mkdtemp(dir))
		return 99;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return rc;
}
