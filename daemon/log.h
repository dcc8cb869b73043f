/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef DAXPIND_LOG_H
#define DAXPIND_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include <syslog.h>

#include "daemon/source.h"

/* One MESSAGE_ID per kind; systemd/daxpind.catalog explains each. */
enum dxp_msg {
	DXP_MSG_WAIT_SLOW,	/* WarnAfterSec reached */
	DXP_MSG_NONTRANSIENT,	/* NonTransientAfterSec reached, page busy */
	DXP_MSG_STALLED,	/* module reports a lost wake-up */
	DXP_MSG_KICKED,		/* we (or someone) kicked a stalled wait */
	DXP_MSG_ACTION,		/* about to act: facts and rule */
	DXP_MSG_ACTION_RESULT,	/* what the action did */
	DXP_MSG_DRY_RUN,	/* would have acted */
	DXP_MSG_WAIT_END,	/* a wait we reported on ended */
	DXP_MSG_CONFIG,		/* configuration problem or change */
	DXP_MSG_RESYNC,		/* state rebuilt from a dump */
	DXP_MSG_MODULE,		/* module/family appeared or vanished */
	DXP_MSG_SUPPRESSED,	/* rate limit dropped messages */
	DXP_MSG_LIFECYCLE,	/* started, reloading, stopping */
	DXP_MSG_CONTROL,	/* a runtime change through the control socket */
	DXP_MSG_WAIT_FINAL,	/* an uninterruptible final break (eviction) */
	DXP_MSG_DEBUG,		/* --debug chatter, never to the journal */
	DXP_MSG_MAX,
};

/* Where messages go: the journal, stderr (--debug), or a test's sink. */
typedef void (*dxp_log_sink_fn)(void *userdata, enum dxp_msg kind, int priority,
				const struct iovec *iov, unsigned n);
typedef uint64_t (*dxp_clock_fn)(void *userdata);

struct dxp_log_options {
	bool to_stderr;
	bool debug;
	uint64_t ratelimit_interval_ns;	/* 0: no rate limiting */
	unsigned ratelimit_burst;
	dxp_clock_fn clock;
	void *clock_data;
	dxp_log_sink_fn sink;		/* NULL: journal or stderr */
	void *sink_data;
};

void dxp_log_setup(const struct dxp_log_options *o);
void dxp_log_set_ratelimit(uint64_t interval_ns, unsigned burst);
const char *dxp_msg_id(enum dxp_msg kind);
const char *dxp_msg_name(enum dxp_msg kind);
uint64_t dxp_log_suppressed_total(void);

/* Wait context attached to a message; any pointer may be NULL. */
struct dxp_log_wait {
	const struct daxpin_wait *w;
	const char *mountpoint;		/* DAXPIN_MOUNT, when known */
	const char *abspath;		/* DAXPIN_PATH; else the fs-relative path */
	uint64_t waited_ns;
};

/*
 * Log one message.  @fields is a NULL-terminated list of extra "KEY=value"
 * strings (may be NULL).  Messages of kinds tied to waits are rate-limited
 * per kind; the count dropped is reported with the next one let through.
 */
void dxp_log(enum dxp_msg kind, int priority, const struct dxp_log_wait *lw,
	     const char *const *fields, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#define dxp_debug(...) dxp_log(DXP_MSG_DEBUG, LOG_DEBUG, NULL, NULL, __VA_ARGS__)

#endif
