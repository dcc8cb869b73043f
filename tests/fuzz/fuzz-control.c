// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: bytes a client writes to daxpind's control socket, through
 * the daemon's framing and request checks (daemon/control.c) over a real
 * AF_UNIX connection, driven by the daemon's sd-event loop.  The command
 * handler echoes the request's strings back: every reply must be a line
 * of strictly valid UTF-8 JSON, the daemon must close the connection once
 * the client has half-closed and read everything, and (the framing) every
 * complete non-blank request line gets exactly one reply line, in order.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/control.h"
#include "fuzz-check.h"

static sd_event *ev;
static struct dxp_control *ctl;
static struct sockaddr_un sa = { .sun_family = AF_UNIX };

static struct json_object *handler(void *userdata, const struct dxp_peer *peer,
				   const char *cmd, struct json_object *req)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "cmd", json_object_new_string(cmd));
	json_object_object_add(r, "req", json_object_get(req));
	return r;
}

static void setup(void)
{
	char dir[] = "/tmp/daxpin-fuzz-control.XXXXXX";

	if (!mkdtemp(dir))
		abort();
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/control", dir);
	if (sd_event_new(&ev) < 0 ||
	    dxp_control_new(ev, sa.sun_path, (gid_t)-1, handler, NULL, &ctl) < 0)
		abort();
}

/* Complete request lines that are not blank ("" or "\r"): each gets one
 * reply.  (size_t)-1 if one is longer than a request may be: the daemon
 * drops such a client. */
static size_t count_requests(const uint8_t *data, size_t size)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i < size; i++) {
		if (data[i] != '\n')
			continue;
		if (i - start >= 64 * 1024)
			return (size_t)-1;
		if (i > start && !(i == start + 1 && data[start] == '\r'))
			n++;
		start = i + 1;
	}
	return size - start >= 64 * 1024 ? (size_t)-1 : n;
}

/* each reply line must parse strictly; returns the number of lines */
static size_t check_replies(char *buf, size_t len)
{
	char *line = buf, *nl;
	size_t lines = 0;

	while ((nl = memchr(line, '\n', len - (size_t)(line - buf)))) {
		struct json_tokener *tok = json_tokener_new();
		struct json_object *o;

		*nl = '\0';
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
		o = json_tokener_parse_ex(tok, line, (int)(nl - line) + 1);
		if (!o || !json_object_is_type(o, json_type_object)) {
			fprintf(stderr, "bad reply line: %s\n", line);
			abort();
		}
		json_object_put(o);
		json_tokener_free(tok);
		line = nl + 1;
		lines++;
	}
	if (line != buf + len) {
		fprintf(stderr, "reply without a newline\n");
		abort();
	}
	return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, got = 0, cap = 4096;
	char *replies = malloc(cap);
	size_t n_requests, n_replies;
	bool wr_closed = false, dropped = false;
	int fd, turns;

	if (!replies)
		return 0;
	if (!ctl)
		setup();
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		abort();
	/* a bounded number of loop turns: a daemon that never lets go of a
	 * finished client (or spins on it) is a finding */
	for (turns = 0; turns < 100000; turns++) {
		ssize_t n;

		if (off < size) {
			n = send(fd, data + off, size - off, MSG_NOSIGNAL);
			if (n > 0)
				off += (size_t)n;
			else if (n < 0 && errno != EAGAIN) {
				dropped = true;	/* a request too long */
				break;
			}
		} else if (!wr_closed) {
			shutdown(fd, SHUT_WR);
			wr_closed = true;
		}
		while (sd_event_run(ev, 0) > 0)
			;
		if (got == cap) {
			cap *= 2;
			replies = realloc(replies, cap);
			if (!replies)
				abort();
		}
		n = recv(fd, replies + got, cap - got, MSG_DONTWAIT);
		if (n == 0)
			break;			/* the daemon closed: done */
		if (n > 0)
			got += (size_t)n;
		else if (errno != EAGAIN) {
			dropped = true;
			break;
		}
	}
	if (turns == 100000) {
		fprintf(stderr, "the daemon kept the connection open\n");
		abort();
	}
	/* a dropped client may lose its last partial reply: check whole lines */
	if (got && replies[got - 1] != '\n' && !dropped) {
		fprintf(stderr, "last reply cut short\n");
		abort();
	}
	while (got && replies[got - 1] != '\n')
		got--;
	n_replies = check_replies(replies, got);
	n_requests = count_requests(data, size);
	if (n_requests != (size_t)-1 && !dropped && n_replies != n_requests) {
		fprintf(stderr, "%zu requests, %zu replies\n", n_requests, n_replies);
		abort();
	}
	close(fd);
	while (sd_event_run(ev, 0) > 0)
		;
	free(replies);
	return 0;
}
