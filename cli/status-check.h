/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The verdict of 'daxpinctl status --check' (0 ok, 1 warning, 2 critical)
 * and its reasons, from the module's summary of its waits and the first
 * stuck waits of a walk. Pure: no I/O, so recorded replies can test it.
 */
#ifndef _DAXPINCTL_STATUS_CHECK_H_
#define _DAXPINCTL_STATUS_CHECK_H_

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "lib/daxpin.h"

#define STATUS_CHECK_NAMED	5	/* stuck waits named in the reasons */

struct status_check {
	uint64_t warn_ms, crit_ms;
	/* the waits in flight: the module's summary, or counted by the walk */
	bool has_summary;
	uint64_t nr_waits, nr_stalled, oldest_ns;
	/* the first stuck waits of the walk */
	struct daxpin_wait named[STATUS_CHECK_NAMED];
	size_t nr_named;
	bool more_stuck;		/* stuck waits beyond those named */
	bool walked;			/* set by the caller after a walk */
	/* the verdict */
	int health;
	struct json_object *reasons;	/* array of strings */
};

/* 0 or -ENOMEM */
int status_check_init(struct status_check *c, uint64_t warn_ms,
		      uint64_t crit_ms);
void status_check_fini(struct status_check *c);
/* take the counts from the module's summary, when it has one */
void status_check_summary(struct status_check *c, const struct daxpin_stats *s);
/* must the waits be walked: no summary, or some wait is stuck */
bool status_check_must_walk(const struct status_check *c);
/* a daxpin_wait_fn for daxpin_walk_waits(): > 0 once it has enough */
int status_check_note_wait(const struct daxpin_wait *w, void *c);
/*
 * Judge: module_err/stats_err/waits_err are 0 or a negative errno
 * (-DAXPIN_ENOMODULE: not loaded); s may be NULL when unread.
 */
void status_check_judge(struct status_check *c, int module_err,
			int stats_err, int waits_err,
			const struct daxpin_stats *s);
const char *status_check_health_name(int health);

#endif /* _DAXPINCTL_STATUS_CHECK_H_ */
