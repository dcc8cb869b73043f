/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Control socket (AF_UNIX, SOCK_STREAM): one JSON object per line each way.
 *
 *   request:  {"cmd": "status"}\n
 *   reply:    {"ok": true, ...}\n   or   {"ok": false, "error": "...", "errno": N}\n
 *
 * Commands: status, policy, waits, metrics (read); set, kick, reload (change).
 * The peer's credentials decide: uid 0 may change, members of the control
 * group (primary or supplementary, read with SO_PEERCRED/SO_PEERGROUPS) may
 * read, everyone else gets one EACCES reply and the connection is closed.
 *
 * Bounds (any local user may connect): one request at a time per client
 * (the next is read once the reply is out), a request line of 64 KiB,
 * 1 MiB of queued output, 10 s per request and per idle connection, 32
 * connections of which 4 are kept for root, 4 per non-root uid.
 */
#ifndef DAXPIND_CONTROL_H
#define DAXPIND_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>
#include <systemd/sd-event.h>

enum dxp_access {
	DXP_ACCESS_NONE,
	DXP_ACCESS_READ,
	DXP_ACCESS_ADMIN,
};

struct dxp_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	enum dxp_access access;
};

enum dxp_access dxp_control_access(uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups,
				   gid_t control_gid);
/* 0, -EACCES (known but not allowed) or -EOPNOTSUPP (unknown command). */
int dxp_control_check(const char *cmd, enum dxp_access access);

/* Returns the reply (new reference); "ok" is added if missing. */
typedef struct json_object *(*dxp_control_fn)(void *userdata, const struct dxp_peer *peer,
					       const char *cmd, struct json_object *req);

struct dxp_control;

/* control_gid (gid_t)-1: no reader group. */
int dxp_control_new(sd_event *e, const char *path, gid_t control_gid, dxp_control_fn fn,
		    void *userdata, struct dxp_control **out);
void dxp_control_free(struct dxp_control *c);

/* One request line: exactly one JSON object, then only blanks (exposed for
 * tests).  NULL with *why set otherwise. */
struct json_object *dxp_control_parse_request(const char *line, size_t len, const char **why);

struct json_object *dxp_control_error(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
