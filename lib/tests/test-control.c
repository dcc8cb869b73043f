// SPDX-License-Identifier: GPL-2.0
/*
 * The control-socket client (lib/control.c) against listeners this test
 * makes itself: no daxpind.  A listener whose backlog the test has filled
 * (a non-blocking AF_UNIX connect() then fails with EAGAIN: the backlog is
 * full, nothing is "in progress") must make the client retry until its
 * deadline and then report "busy", distinct from "not running"
 * (ENOENT/ECONNREFUSED); draining one pending connection while the client
 * retries must let it in.  A peer that answers and hangs up before reading
 * the request (daxpind turning a client away at the door) must have its
 * answer read, not reported as a broken pipe.
 *
 * Nothing here may block forever: every fd is non-blocking, every wait has
 * a timeout, and each test arms alarm() (SIGALRM kills the test, a failure).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/daxpin-control.h"

#define MAX_FILLERS	64

static char dir[64];
static char path[128];

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static struct sockaddr_un addr(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	strcpy(sa.sun_path, path);
	return sa;
}

/* A listener that never accepts unless a test says so. */
static int listener(int backlog)
{
	struct sockaddr_un sa = addr();
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, backlog), 0);
	return fd;
}

/* One non-blocking connect: 0 connected (queued), else the errno. */
static int try_connect(int *out)
{
	struct sockaddr_un sa = addr();
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int err = 0;

	assert_true(fd >= 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		close(fd);
		fd = -1;
	}
	*out = fd;
	return err;
}

/* Queue connections until the kernel says the backlog is full (EAGAIN). */
static int fill_backlog(int *fds)
{
	int n = 0, fd, err;

	while (n < MAX_FILLERS) {
		err = try_connect(&fd);
		if (err) {
			assert_int_equal(err, EAGAIN);
			break;
		}
		fds[n++] = fd;
	}
	assert_true(n >= 1 && n < MAX_FILLERS);
	return n;
}

static void close_all(int *fds, int n)
{
	while (n--)
		close(fds[n]);
}

/* The backlog is still full: the premise of a "busy" verdict held. */
static void assert_still_full(void)
{
	int fd;

	assert_int_equal(try_connect(&fd), EAGAIN);
}

static int setup(void **state)
{
	(void)state;
	alarm(30);
	snprintf(dir, sizeof(dir), "/tmp/daxpin-ctl.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/control", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	alarm(0);
	return 0;
}

static struct json_object *request(const char *cmd)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "cmd", json_object_new_string(cmd));
	return o;
}

/* not running: no socket file, or a socket file nobody listens on */
static void test_not_running(void **state)
{
	struct sockaddr_un sa = addr();
	char why[256];
	int fd;

	(void)state;
	fd = daxpin_control_connect(path, 1000, why, sizeof(why));
	assert_int_equal(fd, -ENOENT);
	assert_non_null(strstr(why, path));

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	fd = daxpin_control_connect(path, 1000, why, sizeof(why));
	assert_int_equal(fd, -ECONNREFUSED);
	assert_null(strstr(why, "busy"));
}

/* (a) the backlog stays full: retried until the deadline, then "busy" */
static void test_backlog_full(void **state)
{
	struct json_object *req, *reply = NULL;
	int lfd = listener(0), fds[MAX_FILLERS], n, fd;
	long long t0, ms;
	char why[256];

	(void)state;
	n = fill_backlog(fds);
	t0 = now_ms();
	fd = daxpin_control_connect(path, 300, why, sizeof(why));
	ms = now_ms() - t0;
	print_message("backlog of %d full: connect gave %d after %lld ms: %s\n",
		      n, fd, ms, why);
	if (fd >= 0)
		close(fd);
	assert_int_equal(fd, -EAGAIN);
	assert_non_null(strstr(why, "busy (backlog full)"));
	assert_non_null(strstr(why, path));
	/* it kept trying until the deadline, not one attempt and out */
	assert_true(ms >= 300);
	assert_still_full();

	/* the whole request says the same, within its own deadline */
	req = request("policy");
	t0 = now_ms();
	assert_int_equal(daxpin_control_request_timeout(path, req, 200,
				&reply, why, sizeof(why)), -EAGAIN);
	ms = now_ms() - t0;
	json_object_put(req);
	assert_null(reply);
	assert_non_null(strstr(why, "busy (backlog full)"));
	assert_true(ms >= 200);
	assert_still_full();
	close_all(fds, n);
	close(lfd);
}

/*
 * The drainer (a child): once the client has said it starts, waits a
 * little so the client finds the backlog full, says "draining" on done,
 * then accepts one queued connection.  Bounded throughout (alarm, poll
 * timeouts); never reads from any connection.
 */
static void drainer(int lfd, int start, int done)
{
	struct pollfd p = { .fd = start, .events = POLLIN };
	char c;
	int afd;

	alarm(20);
	if (poll(&p, 1, 10000) != 1 || read(start, &c, 1) != 1)
		_exit(2);
	sleep_ms(200);
	if (write(done, "d", 1) != 1)
		_exit(3);
	p = (struct pollfd){ .fd = lfd, .events = POLLIN };
	if (poll(&p, 1, 10000) != 1)
		_exit(4);
	afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (afd < 0)
		_exit(5);
	close(afd);
	_exit(0);
}

/* (b) one pending connection drained while the client retries: it gets in */
static void test_backlog_drained(void **state)
{
	int lfd = listener(0), fds[MAX_FILLERS], n, fd, start[2], done[2];
	struct pollfd p;
	struct sockaddr_un peer;
	socklen_t plen = sizeof(peer);
	long long t0, ms;
	char why[256];
	pid_t pid;
	int status;

	(void)state;
	n = fill_backlog(fds);
	assert_int_equal(pipe2(start, O_CLOEXEC | O_NONBLOCK), 0);
	assert_int_equal(pipe2(done, O_CLOEXEC | O_NONBLOCK), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		drainer(lfd, start[0], done[1]);
	assert_int_equal(write(start[1], "s", 1), 1);
	t0 = now_ms();
	fd = daxpin_control_connect(path, 10000, why, sizeof(why));
	ms = now_ms() - t0;
	print_message("backlog of %d drained by one: connect gave %d after %lld ms%s%s\n",
		      n, fd, ms, why[0] ? ": " : "", why);
	/* it got in only after the drainer began to drain */
	p = (struct pollfd){ .fd = done[0], .events = POLLIN };
	assert_int_equal(poll(&p, 1, 0), 1);
	assert_true(fd >= 0);
	/* and it is really connected, to our listener */
	assert_int_equal(getpeername(fd, (struct sockaddr *)&peer, &plen), 0);
	assert_string_equal(peer.sun_path, path);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd);
	close_all(fds, n);
	close(start[0]);
	close(start[1]);
	close(done[0]);
	close(done[1]);
	close(lfd);
}

/*
 * A peer that accepts, answers at once and hangs up without reading the
 * request, as daxpind's refuse() does: the request is 1 MiB, more than the
 * socket buffer holds, so the client is still sending when the peer has
 * gone, and its send fails (EPIPE or ECONNRESET).  The answer is in the
 * client's receive queue: it must be read and returned.
 */
static void test_answer_before_hangup(void **state)
{
	static const char refusal[] =
		"{\"ok\":false,\"errno\":16,\"error\":\"too many connections to daxpind; try again\"}\n";
	struct json_object *req, *reply = NULL;
	int lfd = listener(4);
	char why[256], *pad;
	pid_t pid;
	int status, rc;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		int afd;

		alarm(20);
		if (poll(&p, 1, 10000) != 1)
			_exit(2);
		afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (afd < 0)
			_exit(3);
		if (send(afd, refusal, strlen(refusal), MSG_NOSIGNAL) !=
		    (ssize_t)strlen(refusal))
			_exit(4);
		close(afd);
		_exit(0);
	}
	pad = malloc(1 << 20);
	assert_non_null(pad);
	memset(pad, 'x', (1 << 20) - 1);
	pad[(1 << 20) - 1] = '\0';
	req = request("policy");
	json_object_object_add(req, "pad", json_object_new_string(pad));
	free(pad);
	rc = daxpin_control_request_timeout(path, req, 10000, &reply, why,
					    sizeof(why));
	json_object_put(req);
	print_message("refused at the door: %d %s\n", rc, why);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_null(reply);
	assert_int_equal(rc, -EBUSY);
	assert_string_equal(why, "too many connections to daxpind; try again");
	close(lfd);
}

/* a peer that hangs up without a word: said so, not "Broken pipe" */
static void test_hangup_without_answer(void **state)
{
	struct json_object *req, *reply = NULL;
	int lfd = listener(4);
	char why[256], *pad;
	pid_t pid;
	int status, rc;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		int afd;

		alarm(20);
		if (poll(&p, 1, 10000) != 1)
			_exit(2);
		afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (afd < 0)
			_exit(3);
		close(afd);
		_exit(0);
	}
	pad = malloc(1 << 20);
	assert_non_null(pad);
	memset(pad, 'x', (1 << 20) - 1);
	pad[(1 << 20) - 1] = '\0';
	req = request("policy");
	json_object_object_add(req, "pad", json_object_new_string(pad));
	free(pad);
	rc = daxpin_control_request_timeout(path, req, 10000, &reply, why,
					    sizeof(why));
	json_object_put(req);
	print_message("hung up on: %d %s\n", rc, why);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_null(reply);
	assert_int_equal(rc, -ECONNRESET);
	assert_non_null(strstr(why, "closed the connection without a reply"));
	close(lfd);
}

/* queued but never answered: a timeout, said as such */
static void test_no_answer(void **state)
{
	struct json_object *req, *reply = NULL;
	int lfd = listener(4);
	char why[256];
	int rc;

	(void)state;
	req = request("policy");
	rc = daxpin_control_request_timeout(path, req, 200, &reply, why,
					    sizeof(why));
	json_object_put(req);
	print_message("never answered: %d %s\n", rc, why);
	assert_int_equal(rc, -ETIMEDOUT);
	assert_null(strstr(why, "busy"));
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_not_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backlog_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backlog_drained, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_before_hangup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hangup_without_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_answer, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
