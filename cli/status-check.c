// SPDX-License-Identifier: GPL-2.0
/* status --check verdict, see status-check.h */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "lib/daxpin-text.h"
#include "status-check.h"

int status_check_init(struct status_check *c, uint64_t warn_ms,
		      uint64_t crit_ms)
{
	memset(c, 0, sizeof(*c));
	c->warn_ms = warn_ms;
	c->crit_ms = crit_ms;
	c->reasons = json_object_new_array();
	return c->reasons ? 0 : -ENOMEM;
}

void status_check_fini(struct status_check *c)
{
	json_object_put(c->reasons);
	c->reasons = NULL;
}

static void level(struct status_check *c, int health)
{
	if (health > c->health)
		c->health = health;
}

static void reason(struct status_check *c, int health, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reason(struct status_check *c, int health, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	level(c, health);
	json_object_array_add(c->reasons, daxpin_json_string(buf));
}

const char *status_check_health_name(int health)
{
	switch (health) {
	case DAXPINCTL_CHECK_OK:
		return "ok";
	case DAXPINCTL_CHECK_WARNING:
		return "warning";
	default:
		return "critical";
	}
}

/*
 * A wait is stuck when it is stalled or has waited warn_ms, or crit_ms if
 * that is lower: critical waits are always named.
 */
static uint64_t stuck_ms(const struct status_check *c)
{
	return c->warn_ms < c->crit_ms ? c->warn_ms : c->crit_ms;
}

static bool wait_is_stuck(const struct status_check *c,
			  const struct daxpin_wait *w)
{
	return w->stalled || w->waited_ns / 1000000 >= stuck_ms(c);
}

static bool any_stuck(const struct status_check *c)
{
	return c->nr_stalled ||
	       (c->nr_waits && c->oldest_ns / 1000000 >= stuck_ms(c));
}

void status_check_summary(struct status_check *c, const struct daxpin_stats *s)
{
	const struct daxpin_global *g = &s->global;

	c->has_summary = s->has_global && g->has_summary;
	if (!c->has_summary)
		return;
	c->nr_waits = g->waits_active;
	c->nr_stalled = g->waits_stalled;
	c->oldest_ns = g->oldest_waited_ns;
}

bool status_check_must_walk(const struct status_check *c)
{
	return !c->has_summary || any_stuck(c);
}

int status_check_note_wait(const struct daxpin_wait *w, void *arg)
{
	struct status_check *c = arg;

	if (!c->has_summary) {
		/* a module without the summary: count every wait here */
		c->nr_waits++;
		c->nr_stalled += w->stalled;
		if (w->waited_ns > c->oldest_ns)
			c->oldest_ns = w->waited_ns;
	}
	if (!wait_is_stuck(c, w))
		return 0;
	if (c->nr_named < STATUS_CHECK_NAMED) {
		c->named[c->nr_named++] = *w;
		return 0;
	}
	c->more_stuck = true;
	return c->has_summary;	/* enough: the summary counts the rest */
}

/* "; held by COMM[TGID], ..." / "; mapped by no process" / "" (not known) */
static void holders_hint(const struct daxpin_wait *w, char *buf, size_t len)
{
	size_t n = 0;
	uint32_t i;

	buf[0] = '\0';
	if (w->no_holder) {
		snprintf(buf, len, "; mapped by no process");
		return;
	}
	for (i = 0; i < w->nr_holders && i < DAXPIN_HOLDERS_MAX && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s[%u]",
				      i ? ", " : "; held by ",
				      daxpin_esc(w->holders[i].comm, DAXPIN_ESC_SPACE),
				      w->holders[i].tgid);
	if (w->holders_truncated && n && n < len)
		snprintf(buf + n, len - n, " and more");
}

static void name_wait(struct status_check *c, const struct daxpin_wait *w)
{
	uint64_t ms = w->waited_ns / 1000000;
	char hint[96] = "", holders[256];

	if (w->stalled)
		snprintf(hint, sizeof(hint),
			 " (stalled: page idle, waiter asleep; 'daxpinctl kick %" PRIu64 "')",
			 w->id);
	holders_hint(w, holders, sizeof(holders));
	reason(c, ms >= c->crit_ms ? DAXPINCTL_CHECK_CRITICAL :
	       DAXPINCTL_CHECK_WARNING,
	       "wait %" PRIu64 ": %s[%u] stuck %" PRIu64 " ms on %s %u:%u ino %" PRIu64 " %s%s%s",
	       w->id, daxpin_esc(w->comm, DAXPIN_ESC_SPACE), w->pid, ms,
	       daxpin_esc(w->fs, DAXPIN_ESC_SPACE), w->dev_major, w->dev_minor,
	       w->ino, daxpin_esc(w->path, 0), hint, holders);
}

static void judge_waits(struct status_check *c)
{
	size_t i;

	for (i = 0; i < c->nr_named; i++)
		name_wait(c, &c->named[i]);
	if (c->more_stuck)
		reason(c, DAXPINCTL_CHECK_WARNING,
		       "more stuck waits: %" PRIu64 " in flight, %" PRIu64 " stalled, oldest %" PRIu64 " ms: see 'daxpinctl waits'",
		       c->nr_waits, c->nr_stalled, c->oldest_ns / 1000000);
	/*
	 * The verdict comes from the counts, named or not, unless a walk
	 * found none: the stuck waits ended between the summary and the walk.
	 */
	if (c->walked && !c->nr_named)
		return;
	if (c->nr_waits && c->oldest_ns / 1000000 >= c->crit_ms)
		level(c, DAXPINCTL_CHECK_CRITICAL);
	else if (any_stuck(c))
		level(c, DAXPINCTL_CHECK_WARNING);
}

void status_check_judge(struct status_check *c, int module_err,
			int stats_err, int waits_err,
			const struct daxpin_stats *s)
{
	const struct daxpin_global *g = s ? &s->global : NULL;
	int err = stats_err ? stats_err : waits_err;

	if (module_err == -DAXPIN_ENOMODULE) {
		reason(c, DAXPINCTL_CHECK_CRITICAL, "daxpin.ko is not loaded");
		return;
	}
	if (module_err) {
		reason(c, DAXPINCTL_CHECK_CRITICAL, "cannot reach daxpin.ko: %s",
		       daxpin_strerror(module_err));
		return;
	}
	if (err || !s) {
		reason(c, DAXPINCTL_CHECK_CRITICAL, "cannot read daxpin state: %s%s",
		       daxpin_strerror(err ? err : -ENODATA),
		       err == -EPERM ? " (run as root)" : "");
		return;
	}
	judge_waits(c);
	if (s->has_global && g->waits_dropped)
		reason(c, DAXPINCTL_CHECK_CRITICAL,
		       "%" PRIu64 " waits not tracked (table full, max_waits %u): raise daxpin.ko's max_waits parameter",
		       g->waits_dropped, g->waits_max);
	if (s->has_global && g->events_dropped)
		reason(c, DAXPINCTL_CHECK_WARNING,
		       "%" PRIu64 " events dropped (rate limit or memory)",
		       g->events_dropped);
}
