// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctl-client - minimal daxpind control-socket client for tests: sends each
 * argument as one request line and prints each reply line.
 *
 *	ctl-client SOCKET 'JSON' ['JSON' ...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	FILE *in;
	int fd;

	if (argc < 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: ctl-client SOCKET JSON...\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(argv[1]);
		return 1;
	}
	in = fdopen(fd, "r");
	for (int i = 2; i < argc; i++) {
		char *line = NULL;
		size_t cap = 0;

		if (dprintf(fd, "%s\n", argv[i]) < 0 || getline(&line, &cap, in) < 0) {
			fprintf(stderr, "ctl-client: connection closed\n");
			return 1;
		}
		fputs(line, stdout);
		free(line);
	}
	return 0;
}
