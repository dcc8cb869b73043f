// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctl-hostile - misbehaving daxpind control-socket clients, for
 * test-control-hostile.sh (run as an unprivileged user).
 *
 *	ctl-hostile flood SOCKET SECONDS
 *		send "x\n" as fast as the socket takes it for SECONDS,
 *		never reading; then close
 *	ctl-hostile halfclose SOCKET LINES SECONDS
 *		send up to LINES "x\n" requests (as many as the socket takes
 *		without blocking), shutdown(SHUT_WR), never read,
 *		hold the connection SECONDS; then close
 *	ctl-hostile idle SOCKET N SECONDS
 *		open N connections that send nothing, hold them SECONDS
 *	ctl-hostile hold SOCKET RELEASE_FILE
 *		open one connection and send a status request: print
 *		"hold: refused" if the reply is EBUSY (no slot), "hold:
 *		closed" if there is none, else
 *		"hold: kept" and keep the connection alive with a request a
 *		second until RELEASE_FILE exists ("hold: released"), or the
 *		daemon drops it ("hold: dropped")
 *	ctl-hostile twice SOCKET JSON
 *		send JSON, print the reply line; again on the same
 *		connection: print the reply, or "closed"
 *
 * Each prints one line of figures on stdout, and creates the file named by
 * $HOSTILE_MARK (if set) once its traffic is sent and it only holds.  Exit
 * 0 unless the socket could not be used at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_un sa = { .sun_family = AF_UNIX };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* connect() blocks: it waits while the daemon's listen backlog is full */
static int dial(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* for the clients that must never block on the daemon once connected */
static int dial_nonblock(void)
{
	int fd = dial();

	if (fd >= 0 && fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void mark(void)
{
	const char *m = getenv("HOSTILE_MARK");

	if (m)
		close(open(m, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
}

/* The daemon has closed (or refused) this connection: EOF or an error
 * once whatever it sent is read. */
static int closed_by_peer(int fd)
{
	char buf[4096];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n == 0)
			return 1;
		if (n < 0)
			return errno != EAGAIN && errno != EINTR;
	}
}

static int flood(double secs)
{
	unsigned long long lines = 0;
	static char chunk[8192];
	double end = now() + secs;
	const char *how = "still open";
	int fd = dial_nonblock();

	if (fd < 0) {
		perror("connect");
		return 1;
	}
	for (size_t i = 0; i < sizeof(chunk); i += 2)
		memcpy(chunk + i, "x\n", 2);
	while (now() < end) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		ssize_t n = send(fd, chunk, sizeof(chunk), MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			lines += (unsigned long long)n / 2;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			how = "dropped by the daemon";
			break;
		}
		poll(&p, 1, 100);
	}
	printf("flood: %llu lines sent in %.1f s, connection %s\n", lines, secs - (end - now()),
	       how);
	close(fd);
	return 0;
}

static int halfclose(unsigned long lines, double secs)
{
	static char chunk[8192];
	unsigned long sent = 0;
	double end;
	int fd = dial_nonblock();

	if (fd < 0) {
		perror("connect");
		return 1;
	}
	/* as many as the socket takes without waiting, 4096 to a send */
	for (size_t i = 0; i < sizeof(chunk); i += 2)
		memcpy(chunk + i, "x\n", 2);
	while (sent < lines) {
		size_t len = (lines - sent) * 2 < sizeof(chunk) ? (lines - sent) * 2 : sizeof(chunk);
		ssize_t n = send(fd, chunk, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0)
			sent += (unsigned long)n / 2;
		else if (n < 0 && errno == EINTR)
			continue;
		else
			break;
	}
	shutdown(fd, SHUT_WR);
	mark();
	end = now() + secs;
	while (now() < end) {
		struct pollfd p = { .fd = fd, .events = 0 };

		/* POLLHUP once the daemon closes; never read */
		if (poll(&p, 1, 100) > 0 && (p.revents & (POLLHUP | POLLERR)))
			break;
	}
	printf("halfclose: %lu lines sent, half-closed, held %.1f s without reading\n", sent,
	       secs - (end - now()));
	close(fd);
	return 0;
}

static int idle(int n, double secs)
{
	int *fds = calloc((size_t)n, sizeof(int)), opened = 0, closed = 0;
	double end;

	if (!fds)
		return 1;
	for (int i = 0; i < n; i++)
		if ((fds[i] = dial_nonblock()) >= 0)
			opened++;
	mark();
	usleep(500000);
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0 && closed_by_peer(fds[i]))
			closed++;
	printf("idle: %d connections opened, %d refused at once", opened, closed);
	end = now() + secs;
	while (now() < end)
		usleep(100000);
	closed = 0;
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0) {
			closed += closed_by_peer(fds[i]);
			close(fds[i]);
		}
	printf(", %d of them closed by the daemon after %.1f s\n", closed, secs);
	free(fds);
	return 0;
}

/* One status request on fd; the reply line in line (NULL at EOF). */
static char *ask_status(int fd, FILE *in, char **line, size_t *cap)
{
	(void)!dprintf(fd, "{\"cmd\":\"status\"}\n");
	return getline(line, cap, in) < 0 ? NULL : *line;
}

static int hold(const char *release)
{
	int fd = dial();
	char *line = NULL;
	size_t cap = 0;
	double next;
	FILE *in;

	if (fd < 0) {
		perror("connect");
		return 1;
	}
	in = fdopen(fd, "r");
	if (!ask_status(fd, in, &line, &cap)) {
		puts("hold: closed");
		goto out;
	}
	if (strstr(line, "\"errno\":16")) {
		puts("hold: refused");
		goto out;
	}
	puts("hold: kept");
	next = now() + 1;
	while (access(release, F_OK) < 0) {
		if (now() >= next) {
			if (!ask_status(fd, in, &line, &cap)) {
				puts("hold: dropped");
				goto out;
			}
			next = now() + 1;
		}
		usleep(50000);
	}
	puts("hold: released");
out:
	free(line);
	fclose(in);
	return 0;
}

static int twice(const char *req)
{
	int fd = dial();
	FILE *in;

	if (fd < 0) {
		perror("connect");
		return 1;
	}
	in = fdopen(fd, "r");
	for (int i = 0; i < 2; i++) {
		char *line = NULL;
		size_t cap = 0;

		if (dprintf(fd, "%s\n", req) < 0 || getline(&line, &cap, in) < 0) {
			puts("closed");
			free(line);
			break;
		}
		fputs(line, stdout);
		free(line);
	}
	fclose(in);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4 || strlen(argv[2]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: ctl-hostile flood|halfclose|idle|hold|twice SOCKET ...\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(argv[1], "twice"))
		return twice(argv[3]);
	if (!strcmp(argv[1], "hold"))
		return hold(argv[3]);
	if (!strcmp(argv[1], "flood"))
		return flood(atof(argv[3]));
	if (!strcmp(argv[1], "halfclose") && argc == 5)
		return halfclose(strtoul(argv[3], NULL, 10), atof(argv[4]));
	if (!strcmp(argv[1], "idle") && argc == 5)
		return idle(atoi(argv[3]), atof(argv[4]));
	fprintf(stderr, "ctl-hostile: bad arguments\n");
	return 2;
}
