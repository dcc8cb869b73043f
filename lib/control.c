// SPDX-License-Identifier: GPL-2.0
/* Client of daxpind's control socket, see daxpin-control.h */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daxpin-control.h"

const char *daxpin_control_path(void)
{
	const char *p = getenv(DAXPIN_CONTROL_ENV);

	return p && p[0] ? p : DAXPIN_CONTROL_PATH;
}

int daxpin_control_parse_reply(const char *line, size_t len,
			       struct json_object **reply,
			       char *errbuf, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *o, *ok, *v;
	int err;

	*reply = NULL;
	errbuf[0] = '\0';
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (!len) {
		snprintf(errbuf, errlen, "empty reply");
		return -EBADMSG;
	}
	if (len > DAXPIN_CONTROL_MAX_REPLY) {
		snprintf(errbuf, errlen, "reply larger than %u bytes",
			 DAXPIN_CONTROL_MAX_REPLY);
		return -EMSGSIZE;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset != (int)len) {
		snprintf(errbuf, errlen, "reply is not JSON: %s",
			 o ? "trailing data" : json_tokener_error_desc(
				json_tokener_get_error(tok)));
		json_tokener_free(tok);
		json_object_put(o);
		return -EBADMSG;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean)) {
		snprintf(errbuf, errlen, "reply is not an object with \"ok\"");
		json_object_put(o);
		return -EBADMSG;
	}
	if (json_object_get_boolean(ok)) {
		*reply = o;
		return 0;
	}
	err = EPROTO;
	if (json_object_object_get_ex(o, "errno", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    json_object_get_int(v) > 0 && json_object_get_int(v) < 4096)
		err = json_object_get_int(v);
	if (json_object_object_get_ex(o, "error", &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(errbuf, errlen, "%s", json_object_get_string(v));
	else
		snprintf(errbuf, errlen, "request failed (no message)");
	json_object_put(o);
	return -err;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int wait_fd(int fd, short ev, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = ev };
	long long left;
	int n;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* Sleep ms, never past deadline; false when the deadline has come. */
static bool backoff(long long deadline, long ms)
{
	long long left = deadline - now_ms();
	struct timespec ts;

	if (left <= 0)
		return false;
	if (ms > left)
		ms = (long)left;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return true;
}

/*
 * A non-blocking connect() to an AF_UNIX stream socket either queues the
 * connection at once or fails: EAGAIN there means the listener's backlog
 * is full (nothing is "in progress" as with TCP's EINPROGRESS, and polling
 * the socket says writable at once, though it is not connected).  So try
 * again, 2 ms growing to 50 ms apart, until the deadline, and then say
 * "busy", which is not "not running" (ENOENT, ECONNREFUSED).
 */
static int control_connect(const char *path, long long deadline,
			   char *errbuf, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long delay = 2;
	int fd, rc;

	errbuf[0] = '\0';
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(errbuf, errlen, "socket path too long");
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(errbuf, errlen, "socket: %s", strerror(-rc));
		return rc;
	}
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		if (rc == -EINTR)
			continue;
		if (rc != -EAGAIN) {
			snprintf(errbuf, errlen, "connect %s: %s", path,
				 strerror(-rc));
			close(fd);
			return rc;
		}
		if (!backoff(deadline, delay)) {
			snprintf(errbuf, errlen,
				 "daxpind's control socket %s is busy (backlog full)",
				 path);
			close(fd);
			return -EAGAIN;
		}
		delay = delay * 2 > 50 ? 50 : delay * 2;
	}
	return fd;
}

int daxpin_control_connect(const char *path, int timeout_ms,
			   char *errbuf, size_t errlen)
{
	return control_connect(path, now_ms() + timeout_ms, errbuf, errlen);
}

int daxpin_control_request_timeout(const char *path, struct json_object *req,
				   int timeout_ms, struct json_object **reply,
				   char *errbuf, size_t errlen)
{
	long long deadline = now_ms() + timeout_ms;
	const char *s;
	char *buf = NULL, *nl = NULL;
	size_t len = 0, cap = 0, off, n;
	bool hung_up = false;
	int fd, rc;

	*reply = NULL;
	fd = control_connect(path, deadline, errbuf, errlen);
	if (fd < 0)
		return fd;

	s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	n = strlen(s);
	for (off = 0; off <= n;) {
		const char *p = off < n ? s + off : "\n";
		size_t want = off < n ? n - off : 1;
		ssize_t w = send(fd, p, want, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				rc = wait_fd(fd, POLLOUT, deadline);
				if (rc)
					goto io_err;
				continue;
			}
			/* daxpind may answer and hang up without reading
			 * (a client turned away at the door): its answer
			 * is in our receive queue, read it. */
			if (errno == EPIPE || errno == ECONNRESET) {
				hung_up = true;
				break;
			}
			rc = -errno;
			goto io_err;
		}
		off += (size_t)w;
	}

	while (!nl) {
		ssize_t r;

		if (cap - len < 65536) {
			char *nb;

			if (cap >= DAXPIN_CONTROL_MAX_REPLY) {
				rc = -EMSGSIZE;
				snprintf(errbuf, errlen,
					 "reply larger than %u bytes",
					 DAXPIN_CONTROL_MAX_REPLY);
				goto out;
			}
			cap = cap ? cap * 2 : 65536 * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				rc = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		r = recv(fd, buf + len, cap - len, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				rc = wait_fd(fd, POLLIN, deadline);
				if (rc)
					goto io_err;
				continue;
			}
			if (errno != ECONNRESET && errno != EPIPE) {
				rc = -errno;
				goto io_err;
			}
			r = 0;
		}
		if (r == 0) {
			/* a hang-up is not a garbled reply (EBADMSG) */
			rc = len ? -EBADMSG : -ECONNRESET;
			snprintf(errbuf, errlen,
				 "daxpind closed the connection without a %s%s",
				 len ? "complete reply" : "reply",
				 hung_up ? " (before reading the request)" : "");
			goto out;
		}
		nl = memchr(buf + len, '\n', (size_t)r);
		len += (size_t)r;
	}
	rc = daxpin_control_parse_reply(buf, (size_t)(nl - buf), reply,
					errbuf, errlen);
	goto out;
io_err:
	if (rc == -ETIMEDOUT)
		snprintf(errbuf, errlen, "no reply from daxpind at %s within %d ms",
			 path, timeout_ms);
	else
		snprintf(errbuf, errlen, "talking to %s: %s", path,
			 strerror(-rc));
out:
	free(buf);
	close(fd);
	return rc;
}

int daxpin_control_request(const char *path, struct json_object *req,
			   struct json_object **reply,
			   char *errbuf, size_t errlen)
{
	return daxpin_control_request_timeout(path, req,
					      DAXPIN_CONTROL_TIMEOUT_MS,
					      reply, errbuf, errlen);
}
