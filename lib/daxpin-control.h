/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client of daxpind's control socket: one JSON object per line each way.
 * Errors are negative errnos; errbuf gets a one-line explanation:
 *  -ENOENT/-ECONNREFUSED  daxpind is not running (no socket / no listener)
 *  -EAGAIN                daxpind is running but its listen backlog stayed
 *                         full until the timeout (busy)
 *  -EACCES                the daemon refused the request (root / group daxpin)
 *  -ECONNRESET            daxpind closed the connection without a reply
 *  -EBADMSG               the reply is not a JSON object with "ok", or cut short
 *  -EMSGSIZE              the reply exceeds DAXPIN_CONTROL_MAX_REPLY
 *  -ETIMEDOUT             no reply within the timeout
 *  other                  "ok": false from the daemon, with its "errno"
 */
#ifndef _DAXPIN_CONTROL_H_
#define _DAXPIN_CONTROL_H_

#include <stddef.h>
#include <json-c/json.h>

#ifdef RUNSTATEDIR
#define DAXPIN_CONTROL_PATH	RUNSTATEDIR "/daxpin/control"
#else
#define DAXPIN_CONTROL_PATH	"/run/daxpin/control"
#endif
#define DAXPIN_CONTROL_ENV	"DAXPIN_CONTROL"
#define DAXPIN_CONTROL_MAX_REPLY	(64u << 20)
#define DAXPIN_CONTROL_TIMEOUT_MS	5000

/* $DAXPIN_CONTROL when set and non-empty, else DAXPIN_CONTROL_PATH */
const char *daxpin_control_path(void);

/*
 * Parse one reply line. On success *reply holds the object (caller puts
 * it); on "ok": false returns -errno of the reply with its "error" text in
 * errbuf and *reply NULL.
 */
int daxpin_control_parse_reply(const char *line, size_t len,
			       struct json_object **reply,
			       char *errbuf, size_t errlen);

/*
 * Connect to the control socket within timeout_ms: a non-blocking,
 * close-on-exec fd, or a negative errno with errbuf set.
 */
int daxpin_control_connect(const char *path, int timeout_ms,
			   char *errbuf, size_t errlen);

/* send {"cmd": cmd, ...extra members of req} and read the reply, all
 * within DAXPIN_CONTROL_TIMEOUT_MS (or timeout_ms) */
int daxpin_control_request(const char *path, struct json_object *req,
			   struct json_object **reply,
			   char *errbuf, size_t errlen);
int daxpin_control_request_timeout(const char *path, struct json_object *req,
				   int timeout_ms, struct json_object **reply,
				   char *errbuf, size_t errlen);

#endif /* _DAXPIN_CONTROL_H_ */
