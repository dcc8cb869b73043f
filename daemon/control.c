// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon/control.h"
#include "lib/daxpin-text.h"

/* A request line; a client's buffered input never exceeds it. */
#define MAX_REQUEST	(64 * 1024)
/* Queued reply bytes not yet taken by the kernel.  The daemon handles a
 * client's next request only once the previous reply is out, so this holds
 * one reply; past it the client is dropped. */
#define MAX_OUTPUT	(1024 * 1024)
#define MAX_CLIENTS	32
/* Slots only root may take: a crowd of local users cannot lock root out. */
#define ROOT_RESERVED	4
/* Connections one non-root uid may hold at once. */
#define MAX_PER_UID	4
/* A client must finish each request (and take each reply) within this,
 * counted from its connection or its previous reply; an idle connection is
 * closed after it too. */
#define CLIENT_TIMEOUT_USEC	(10 * 1000000ULL)

struct client {
	struct dxp_control *c;
	struct client *next;
	sd_event_source *src;
	sd_event_source *timer;
	int fd;
	struct dxp_peer peer;
	char *in;
	size_t in_len;
	char *out;
	size_t out_len, out_off;
	bool eof;			/* the peer will send nothing more */
	bool closing;			/* close once the reply is out */
};

struct dxp_control {
	sd_event *e;
	sd_event_source *listen_src;
	int fd;
	char *path;
	gid_t gid;
	dxp_control_fn fn;
	void *userdata;
	struct client *clients;
	unsigned n_clients;
	bool activated;		/* from systemd (daxpind.socket): not ours to unlink */
};

static const struct {
	const char *cmd;
	enum dxp_access need;
} commands[] = {
	{ "status", DXP_ACCESS_READ },
	{ "policy", DXP_ACCESS_READ },
	{ "waits", DXP_ACCESS_READ },
	{ "metrics", DXP_ACCESS_READ },
	{ "set", DXP_ACCESS_ADMIN },
	{ "kick", DXP_ACCESS_ADMIN },
	{ "reload", DXP_ACCESS_ADMIN },
};

enum dxp_access dxp_control_access(uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups,
				   gid_t control_gid)
{
	if (uid == 0)
		return DXP_ACCESS_ADMIN;
	if (control_gid == (gid_t)-1)
		return DXP_ACCESS_NONE;
	if (gid == control_gid)
		return DXP_ACCESS_READ;
	for (size_t i = 0; i < n_groups; i++)
		if (groups[i] == control_gid)
			return DXP_ACCESS_READ;
	return DXP_ACCESS_NONE;
}

int dxp_control_check(const char *cmd, enum dxp_access access)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].cmd))
			return access >= commands[i].need ? 0 : -EACCES;
	return -EOPNOTSUPP;
}

struct json_object *dxp_control_error(int err, const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "ok", json_object_new_boolean(false));
	json_object_object_add(o, "error", json_object_new_string(msg));
	json_object_object_add(o, "errno", json_object_new_int(err < 0 ? -err : err));
	return o;
}

static void client_free(struct client *cl)
{
	struct dxp_control *c = cl->c;

	for (struct client **p = &c->clients; *p; p = &(*p)->next)
		if (*p == cl) {
			*p = cl->next;
			c->n_clients--;
			break;
		}
	sd_event_source_disable_unref(cl->src);
	sd_event_source_disable_unref(cl->timer);
	close(cl->fd);
	free(cl->in);
	free(cl->out);
	free(cl);
}

static int peer_credentials(int fd, gid_t control_gid, struct dxp_peer *p)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	gid_t small[64], *groups = small;
	socklen_t glen = sizeof(small);
	size_t n = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
		return -errno;
	/* SO_PEERGROUPS (4.13+): supplementary groups of the peer at connect
	 * time, so "usermod -aG daxpin alice" works without a new login
	 * being the primary group.  Too small a buffer: ERANGE with the size
	 * needed in glen (up to NGROUPS_MAX, 65536 groups). */
	for (int tries = 0; tries < 4; tries++) {
		gid_t *g;

		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == 0) {
			n = glen / sizeof(gid_t);
			break;
		}
		if (errno != ERANGE || glen <= sizeof(small))
			break;
		g = realloc(groups == small ? NULL : groups, glen);
		if (!g)
			break;
		groups = g;
	}
	p->pid = uc.pid;
	p->uid = uc.uid;
	p->gid = uc.gid;
	p->access = dxp_control_access(uc.uid, uc.gid, groups, n, control_gid);
	if (groups != small)
		free(groups);
	return 0;
}

static int queue_reply(struct client *cl, struct json_object *reply)
{
	size_t n, pending = cl->out_len - cl->out_off;
	char *o, *s;

	if (!json_object_object_get_ex(reply, "ok", NULL))
		json_object_object_add(reply, "ok", json_object_new_boolean(true));
	/* valid UTF-8 whatever the paths and names inside (daxpin-text.h) */
	s = daxpin_json_dumps(reply, JSON_C_TO_STRING_PLAIN);
	if (!s)
		return -ENOMEM;
	n = strlen(s);
	/* One reply may be large (waits); replies piling up are a client
	 * that does not read. */
	if (pending && pending + n + 1 > MAX_OUTPUT) {
		free(s);
		return -ENOBUFS;
	}
	if (cl->out_off) {
		memmove(cl->out, cl->out + cl->out_off, pending);
		cl->out_len = pending;
		cl->out_off = 0;
	}
	o = realloc(cl->out, cl->out_len + n + 1);
	if (!o) {
		free(s);
		return -ENOMEM;
	}
	cl->out = o;
	memcpy(cl->out + cl->out_len, s, n);
	cl->out[cl->out_len + n] = '\n';
	cl->out_len += n + 1;
	free(s);
	return 0;
}

/* Parse one request line: exactly one JSON object, nothing after it but
 * blanks.  Returns NULL and sets *why otherwise. */
struct json_object *dxp_control_parse_request(const char *line, size_t len, const char **why)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *req;
	size_t end;

	*why = "request is not a JSON object";
	if (!tok || len > INT32_MAX) {
		json_tokener_free(tok);
		return NULL;
	}
	req = json_tokener_parse_ex(tok, line, (int)len);
	if (!req && json_tokener_get_error(tok) == json_tokener_continue)
		/* a bare number at the end of input needs the end marked */
		req = json_tokener_parse_ex(tok, "", 1);
	end = req ? json_tokener_get_parse_end(tok) : 0;
	json_tokener_free(tok);
	if (!req)
		return NULL;
	if (!json_object_is_type(req, json_type_object)) {
		json_object_put(req);
		return NULL;
	}
	for (; end < len; end++)
		if (!strchr(" \t\r", line[end])) {
			*why = "request has data after its JSON object";
			json_object_put(req);
			return NULL;
		}
	return req;
}

static struct json_object *handle_line(struct client *cl, const char *line, size_t len)
{
	struct json_object *req, *reply, *jcmd;
	const char *cmd, *why;
	int r;

	/* Access first: a refused peer's request is not even parsed; it gets
	 * its one answer and the connection is closed. */
	if (cl->peer.access == DXP_ACCESS_NONE) {
		cl->closing = true;
		return dxp_control_error(EACCES, "permission denied: needs root or membership of the control group (uid %u is in neither)",
					 (unsigned)cl->peer.uid);
	}
	req = dxp_control_parse_request(line, len, &why);
	if (!req)
		return dxp_control_error(EINVAL, "%s", why);
	if (!json_object_object_get_ex(req, "cmd", &jcmd) ||
	    !json_object_is_type(jcmd, json_type_string)) {
		reply = dxp_control_error(EINVAL, "request has no \"cmd\" string");
		goto out;
	}
	cmd = json_object_get_string(jcmd);
	r = dxp_control_check(cmd, cl->peer.access);
	if (r == -EOPNOTSUPP) {
		reply = dxp_control_error(EOPNOTSUPP, "unknown command \"%s\"", cmd);
	} else if (r == -EACCES) {
		reply = dxp_control_error(EACCES, "permission denied: \"%s\" needs root", cmd);
	} else {
		reply = cl->c->fn(cl->c->userdata, &cl->peer, cmd, req);
		if (!reply)
			reply = dxp_control_error(ENOMEM, "out of memory");
	}
out:
	json_object_put(req);
	return reply;
}

/* 0: all out; 1: the kernel's buffer is full; <0: the peer is gone. */
static int flush_out(struct client *cl)
{
	while (cl->out_off < cl->out_len) {
		ssize_t n = send(cl->fd, cl->out + cl->out_off, cl->out_len - cl->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 1;
			return -errno;
		}
		cl->out_off += (size_t)n;
	}
	free(cl->out);
	cl->out = NULL;
	cl->out_len = cl->out_off = 0;
	return 0;
}

static int client_rearm(struct client *cl)
{
	return sd_event_source_set_time_relative(cl->timer, CLIENT_TIMEOUT_USEC);
}

/* Handle buffered requests one at a time, each only once the previous
 * reply is out: a client that sends without reading fills its own socket
 * buffers, not the daemon's memory.  Then decide what to wait for.
 * Returns <0 to drop the client. */
static int client_step(struct client *cl)
{
	uint32_t events = 0;
	char *nl;
	int r;

	for (;;) {
		r = flush_out(cl);
		if (r < 0)
			return r;
		if (r > 0)
			break;
		if (cl->closing)
			return -ECONNRESET;	/* its last reply is out */
		nl = cl->in ? memchr(cl->in, '\n', cl->in_len) : NULL;
		if (!nl) {
			if (cl->eof)
				return -ECONNRESET;	/* an unfinished line is dropped */
			break;
		}
		{
			size_t used = (size_t)(nl - cl->in) + 1;
			struct json_object *reply = NULL;

			if (nl > cl->in && !(nl == cl->in + 1 && cl->in[0] == '\r'))
				reply = handle_line(cl, cl->in, (size_t)(nl - cl->in));
			memmove(cl->in, cl->in + used, cl->in_len - used);
			cl->in_len -= used;
			if (!cl->in_len) {
				free(cl->in);
				cl->in = NULL;
			}
			if (reply) {
				r = queue_reply(cl, reply);
				json_object_put(reply);
				if (r < 0)
					return r;
				r = client_rearm(cl);
				if (r < 0)
					return r;
			}
		}
	}
	if (cl->out_len)
		events |= EPOLLOUT;
	else if (!cl->eof && !cl->closing)
		events |= EPOLLIN;
	/* Neither: only EPOLLHUP/EPOLLERR (always reported) or the timer. */
	return sd_event_source_set_io_events(cl->src, events);
}

static int on_client(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct client *cl = userdata;

	if (revents & EPOLLIN) {
		size_t room = MAX_REQUEST - cl->in_len;
		char buf[4096];
		ssize_t n;

		if (!room)
			goto drop;		/* a line longer than any request */
		n = recv(fd, buf, room < sizeof(buf) ? room : sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			goto drop;
		if (n == 0) {
			cl->eof = true;
		} else if (n > 0) {
			char *in = realloc(cl->in, cl->in_len + (size_t)n);

			if (!in)
				goto drop;
			cl->in = in;
			memcpy(cl->in + cl->in_len, buf, (size_t)n);
			cl->in_len += (size_t)n;
		}
	}
	if (revents & EPOLLERR)
		goto drop;
	if (revents & EPOLLHUP) {
		/* both directions shut: nothing can be read or sent any more
		 * (input already buffered has been read above) */
		cl->eof = true;
		if (cl->out_len)
			goto drop;
	}
	if (client_step(cl) < 0)
		goto drop;
	return 0;
drop:
	client_free(cl);
	return 0;
}

static int on_client_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	client_free(userdata);
	return 0;
}

/* Best effort, never blocking: a peer turned away at the door gets a line
 * saying why (its request is never read). */
static void refuse(int fd, const char *why)
{
	struct json_object *o = dxp_control_error(EBUSY, "%s", why);
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

	if (s)
		(void)!send(fd, s, strlen(s), MSG_DONTWAIT | MSG_NOSIGNAL),
		(void)!send(fd, "\n", 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	json_object_put(o);
	close(fd);
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct dxp_control *c = userdata;
	struct client *cl;
	unsigned same_uid = 0;
	int cfd;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return 0;
	cl = calloc(1, sizeof(*cl));
	if (!cl) {
		close(cfd);
		return 0;
	}
	cl->c = c;
	cl->fd = cfd;
	if (peer_credentials(cfd, c->gid, &cl->peer) < 0) {
		close(cfd);
		free(cl);
		return 0;
	}
	for (struct client *o = c->clients; o; o = o->next)
		same_uid += o->peer.uid == cl->peer.uid;
	if (c->n_clients >= MAX_CLIENTS ||
	    (cl->peer.uid != 0 && c->n_clients >= MAX_CLIENTS - ROOT_RESERVED)) {
		refuse(cfd, "too many connections to daxpind; try again");
		free(cl);
		return 0;
	}
	if (cl->peer.uid != 0 && same_uid >= MAX_PER_UID) {
		refuse(cfd, "too many connections to daxpind from this user; try again");
		free(cl);
		return 0;
	}
	if (sd_event_add_io(c->e, &cl->src, cfd, EPOLLIN, on_client, cl) < 0 ||
	    sd_event_add_time_relative(c->e, &cl->timer, CLOCK_MONOTONIC, CLIENT_TIMEOUT_USEC,
				       0, on_client_timeout, cl) < 0) {
		sd_event_source_disable_unref(cl->src);
		close(cfd);
		free(cl);
		return 0;
	}
	cl->next = c->clients;
	c->clients = cl;
	c->n_clients++;
	/* A refused peer is not hung up on at once: its first request gets an
	 * EACCES reply saying why (a close racing its write would only show up
	 * as EPIPE, a support call), then the connection is closed. */
	return 0;
}

/* The listening socket systemd passed (daxpind.socket), or -ENOENT when it
 * passed none.  One passed for another path is a mistake in the units, not
 * something to paper over with a second socket nobody connects to. */
static int activated_socket(const char *path)
{
	int n = sd_listen_fds(1), fd = -ENOENT;

	if (n < 0)
		return n;
	for (int i = SD_LISTEN_FDS_START; i < SD_LISTEN_FDS_START + n; i++) {
		if (fd < 0 && sd_is_socket_unix(i, SOCK_STREAM, 1, path, 0) > 0)
			fd = i;
		else
			close(i);
	}
	if (n > 0 && fd < 0)
		return -EADDRNOTAVAIL;
	if (fd >= 0 && (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ||
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Our own socket at path, when systemd did not pass one. */
static int listen_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old_umask;
	int fd, r;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(sa.sun_path, path);
	/* A stale socket from a killed instance would make bind() fail. */
	unlink(path);
	/*
	 * Everyone may connect; credentials decide what they may do, and a
	 * refused client gets an answer saying so.  The socket is created
	 * 0666 by bind() itself: a chmod() after it left a moment in which
	 * clients other than root were refused.  daxpind has no other thread
	 * that could create a file under the changed umask.
	 */
	old_umask = umask(0111);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_umask);
	/*
	 * A deep backlog: a crowd connecting at once must not overflow it, or
	 * a client's non-blocking connect() fails with EAGAIN (root included:
	 * the slots kept for root are counted only after accept()).
	 */
	if (r < 0 || listen(fd, SOMAXCONN) < 0) {
		r = -errno;
		close(fd);
		unlink(path);
		return r;
	}
	return fd;
}

int dxp_control_new(sd_event *e, const char *path, gid_t control_gid, dxp_control_fn fn,
		    void *userdata, struct dxp_control **out)
{
	struct dxp_control *c;
	int r;

	if (strlen(path) >= sizeof(((struct sockaddr_un *)NULL)->sun_path))
		return -ENAMETOOLONG;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->e = sd_event_ref(e);
	c->gid = control_gid;
	c->fn = fn;
	c->userdata = userdata;
	c->fd = -1;
	c->path = strdup(path);
	if (!c->path) {
		r = -ENOMEM;
		goto fail;
	}
	r = activated_socket(path);
	c->activated = r >= 0;
	if (r == -ENOENT)
		r = listen_socket(path);
	if (r < 0)
		goto fail;
	c->fd = r;
	r = sd_event_add_io(e, &c->listen_src, c->fd, EPOLLIN, on_accept, c);
	if (r < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	dxp_control_free(c);
	return r;
}

void dxp_control_free(struct dxp_control *c)
{
	if (!c)
		return;
	while (c->clients)
		client_free(c->clients);
	sd_event_source_disable_unref(c->listen_src);
	if (c->fd >= 0) {
		close(c->fd);
		if (c->path && !c->activated)
			unlink(c->path);
	}
	free(c->path);
	sd_event_unref(c->e);
	free(c);
}
