// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * notify-listen - stand-in for the service manager's NOTIFY_SOCKET in tests:
 * appends each datagram to LOGFILE as "<CLOCK_BOOTTIME s> <fields | ...>",
 * flushed at once, so a test can check what arrived and in which order.
 * The socket appears (rename) only once bound.  C, not Python: in a TCG
 * guest starting an interpreter takes seconds.
 *
 *	notify-listen SOCKET LOGFILE
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[65536], tmp[sizeof(sa.sun_path)];
	FILE *log;
	int fd;

	if (argc != 3 || strlen(argv[1]) + 5 >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: notify-listen SOCKET LOGFILE\n");
		return 2;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	unlink(tmp);
	strcpy(sa.sun_path, tmp);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || rename(tmp, argv[1]) < 0) {
		perror("notify-listen");
		return 1;
	}
	log = fopen(argv[2], "a");
	if (!log) {
		perror(argv[2]);
		return 1;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		struct timespec ts;

		if (n < 0)
			continue;
		buf[n] = '\0';
		while (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		for (char *p = buf; *p; p++)
			if (*p == '\n')
				*p = '|';
		clock_gettime(CLOCK_BOOTTIME, &ts);
		fprintf(log, "%lld.%06ld %s\n", (long long)ts.tv_sec, ts.tv_nsec / 1000, buf);
		fflush(log);
	}
}
