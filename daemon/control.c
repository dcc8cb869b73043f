// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/control.h"
#include "lib/daxpin-text.h"

#define MAX_REQUEST	(64 * 1024)
#define MAX_CLIENTS	32

struct client {
	struct dxp_control *c;
	struct client *next;
	sd_event_source *src;
	int fd;
	struct dxp_peer peer;
	char *in;
	size_t in_len;
	char *out;
	size_t out_len, out_off;
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
	close(cl->fd);
	free(cl->in);
	free(cl->out);
	free(cl);
}

static int peer_credentials(int fd, gid_t control_gid, struct dxp_peer *p)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	gid_t groups[256];
	socklen_t glen = sizeof(groups);
	size_t n = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
		return -errno;
	/* SO_PEERGROUPS (4.13+): supplementary groups of the peer at connect
	 * time, so "usermod -aG daxpin alice" works without a new login
	 * being the primary group. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == 0)
		n = glen / sizeof(gid_t);
	p->pid = uc.pid;
	p->uid = uc.uid;
	p->gid = uc.gid;
	p->access = dxp_control_access(uc.uid, uc.gid, groups, n, control_gid);
	return 0;
}

static void queue_reply(struct client *cl, struct json_object *reply)
{
	size_t n;
	char *o, *s;

	if (!json_object_object_get_ex(reply, "ok", NULL))
		json_object_object_add(reply, "ok", json_object_new_boolean(true));
	/* valid UTF-8 whatever the paths and names inside (daxpin-text.h) */
	s = daxpin_json_dumps(reply, JSON_C_TO_STRING_PLAIN);
	n = s ? strlen(s) : 0;
	o = s ? realloc(cl->out, cl->out_len + n + 1) : NULL;
	if (!o) {
		free(s);
		cl->closing = true;
		return;
	}
	cl->out = o;
	memcpy(cl->out + cl->out_len, s, n);
	cl->out[cl->out_len + n] = '\n';
	cl->out_len += n + 1;
	free(s);
}

static void handle_line(struct client *cl, const char *line)
{
	struct json_object *req, *reply, *jcmd;
	const char *cmd;
	int r;

	req = json_tokener_parse(line);
	if (!req || !json_object_is_type(req, json_type_object)) {
		reply = dxp_control_error(EINVAL, "request is not a JSON object");
		goto out;
	}
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
		reply = dxp_control_error(EACCES, cl->peer.access == DXP_ACCESS_READ
			? "permission denied: \"%s\" needs root"
			: "permission denied: \"%s\" needs root or membership of the control group (uid %u is in neither)",
			cmd, (unsigned)cl->peer.uid);
	} else {
		reply = cl->c->fn(cl->c->userdata, &cl->peer, cmd, req);
		if (!reply)
			reply = dxp_control_error(ENOMEM, "out of memory");
	}
out:
	queue_reply(cl, reply);
	json_object_put(reply);
	json_object_put(req);
}

static int flush_out(struct client *cl)
{
	while (cl->out_off < cl->out_len) {
		ssize_t n = send(cl->fd, cl->out + cl->out_off, cl->out_len - cl->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return sd_event_source_set_io_events(cl->src, EPOLLIN | EPOLLOUT);
			return -errno;
		}
		cl->out_off += (size_t)n;
	}
	free(cl->out);
	cl->out = NULL;
	cl->out_len = cl->out_off = 0;
	return sd_event_source_set_io_events(cl->src, EPOLLIN);
}

static int on_client(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct client *cl = userdata;
	char buf[4096];

	if (revents & EPOLLIN) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && errno != EAGAIN && errno != EINTR)
			goto drop;
		if (n == 0) {
			cl->closing = true;
		} else if (n > 0) {
			char *nl, *in;

			if (cl->in_len + (size_t)n > MAX_REQUEST)
				goto drop;
			in = realloc(cl->in, cl->in_len + (size_t)n + 1);
			if (!in)
				goto drop;
			cl->in = in;
			memcpy(cl->in + cl->in_len, buf, (size_t)n);
			cl->in_len += (size_t)n;
			cl->in[cl->in_len] = '\0';
			while ((nl = memchr(cl->in, '\n', cl->in_len))) {
				size_t used = (size_t)(nl - cl->in) + 1;

				*nl = '\0';
				if (nl > cl->in)
					handle_line(cl, cl->in);
				memmove(cl->in, cl->in + used, cl->in_len - used + 1);
				cl->in_len -= used;
			}
		}
	}
	if (cl->out_len && flush_out(cl) < 0)
		goto drop;
	if (revents & (EPOLLHUP | EPOLLERR))
		cl->closing = true;
	if (cl->closing && !cl->out_len)
		goto drop;
	return 0;
drop:
	client_free(cl);
	return 0;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct dxp_control *c = userdata;
	struct client *cl;
	int cfd;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return 0;
	if (c->n_clients >= MAX_CLIENTS) {
		close(cfd);
		return 0;
	}
	cl = calloc(1, sizeof(*cl));
	if (!cl) {
		close(cfd);
		return 0;
	}
	cl->c = c;
	cl->fd = cfd;
	if (peer_credentials(cfd, c->gid, &cl->peer) < 0 ||
	    sd_event_add_io(c->e, &cl->src, cfd, EPOLLIN, on_client, cl) < 0) {
		close(cfd);
		free(cl);
		return 0;
	}
	cl->next = c->clients;
	c->clients = cl;
	c->n_clients++;
	/* A refused peer is not hung up on: each of its requests gets an
	 * EACCES reply saying why (a close racing its write would only show
	 * up as EPIPE, a support call). */
	return 0;
}

int dxp_control_new(sd_event *e, const char *path, gid_t control_gid, dxp_control_fn fn,
		    void *userdata, struct dxp_control **out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct dxp_control *c;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->e = sd_event_ref(e);
	c->gid = control_gid;
	c->fn = fn;
	c->userdata = userdata;
	c->path = strdup(path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!c->path || c->fd < 0) {
		r = c->path ? -errno : -ENOMEM;
		goto fail;
	}
	strcpy(sa.sun_path, path);
	/* A stale socket from a killed instance would make bind() fail. */
	unlink(path);
	if (bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(c->fd, 16) < 0) {
		r = -errno;
		goto fail;
	}
	/* Everyone may connect; credentials decide what they may do, and a
	 * refused client gets an answer saying so. */
	if (chmod(path, 0666) < 0) {
		r = -errno;
		goto fail;
	}
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
		if (c->path)
			unlink(c->path);
	}
	free(c->path);
	sd_event_unref(c->e);
	free(c);
}
