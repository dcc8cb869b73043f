/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxpind control-socket replies -> daxpinctl's stable JSON documents and
 * human tables. Pure: no I/O but the FILE given. A reply of the wrong shape
 * gives -EBADMSG and a reason, never a crash.
 */
#ifndef _DAXPINCTL_RENDER_DAEMON_H_
#define _DAXPINCTL_RENDER_DAEMON_H_

#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

/* reply of {"cmd":"policy"} (or "set") -> policy document */
int daemon_policy_doc(struct json_object *reply, struct json_object **doc,
		      char *why, size_t len);
void render_policy(FILE *f, struct json_object *doc);

/* reply of {"cmd":"metrics"} -> {"text": S, "samples": U} */
int daemon_metrics_doc(struct json_object *reply, struct json_object **doc,
		       char *why, size_t len);
void render_metrics(FILE *f, struct json_object *doc);

/*
 * The "daemon" member of status: err 0 with the status and policy replies
 * (either may be NULL when its request failed), or err < 0 with errmsg.
 * uptime_ns < 0: unknown.
 */
struct json_object *daemon_status_doc(const char *socket, int err,
				      const char *errmsg,
				      struct json_object *status_reply,
				      struct json_object *policy_reply,
				      long long uptime_ns);
void render_daemon_status(FILE *f, struct json_object *daemon);
/*
 * The daemon's global WarnAfterSec from a daemon_status_doc(), in ms
 * (UINT64_MAX: never): 0, -ENOENT (daemon unreachable or no policy) or
 * -EBADMSG.
 */
int daemon_warn_after_ms(struct json_object *daemon, uint64_t *ms);

#endif /* _DAXPINCTL_RENDER_DAEMON_H_ */
