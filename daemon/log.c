// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-journal.h>

#include "daemon/log.h"
#include "lib/daxpin-text.h"

static const struct {
	const char *id;
	const char *name;
	bool ratelimited;
} kinds[DXP_MSG_MAX] = {
	[DXP_MSG_WAIT_SLOW] = { "585f24a0687949ad901e26fc908988a9", "wait-slow", true },
	[DXP_MSG_NONTRANSIENT] = { "dccebe8d3bad40459df27faf7f950332", "non-transient", true },
	[DXP_MSG_STALLED] = { "4986b3f6a4be471ead3cc7ca29c7c2b3", "stalled", true },
	[DXP_MSG_KICKED] = { "b50d1392f636459c983390d0a29842ce", "kicked", true },
	[DXP_MSG_ACTION] = { "3ce3cc8e296c40c7b60718890d0b082d", "action", true },
	[DXP_MSG_ACTION_RESULT] = { "bc8ed72116b1482aa5e4e629eadeae7f", "action-result", true },
	[DXP_MSG_DRY_RUN] = { "b431cbe8308d43ffba6fd74b4e8061b9", "dry-run", true },
	[DXP_MSG_WAIT_END] = { "fd399c0cc1304d219feb3c1470a242ba", "wait-end", true },
	[DXP_MSG_CONFIG] = { "0a9e6e64d82641a68bc0bd2a133d8ebd", "config", false },
	[DXP_MSG_RESYNC] = { "2237f224d748485ca07a57c596393923", "resync", true },
	[DXP_MSG_MODULE] = { "647e3f0d0cbd4b19a7a87c94296a01db", "module", true },
	[DXP_MSG_SUPPRESSED] = { "324cb315341840fab2e826a208f147a3", "suppressed", false },
	[DXP_MSG_LIFECYCLE] = { "e9765c598dc9492b9aa48c6d7aaf5538", "lifecycle", false },
	[DXP_MSG_CONTROL] = { "880b098e1d1c456ebf5f3995929e9af6", "control", false },
	[DXP_MSG_WAIT_FINAL] = { "f902a7a380484314b34bf29fd24a67db", "wait-final", true },
	[DXP_MSG_DEBUG] = { NULL, "debug", false },
};

/* Actions are rate-limited too (a burst of waits would otherwise log two
 * lines per wait): every signal sent and hook run stays accounted for in
 * the counters (daxpin_actions_total) and in the "suppressed" message. */

struct rl {
	uint64_t window_start;
	unsigned count;
	unsigned suppressed;
};

static struct {
	struct dxp_log_options o;
	struct rl rl[DXP_MSG_MAX];
	uint64_t suppressed_total;
} L;

static uint64_t default_clock(void *userdata)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void dxp_log_setup(const struct dxp_log_options *o)
{
	memset(&L, 0, sizeof(L));
	L.o = *o;
	if (!L.o.clock)
		L.o.clock = default_clock;
}

void dxp_log_set_ratelimit(uint64_t interval_ns, unsigned burst)
{
	L.o.ratelimit_interval_ns = interval_ns;
	L.o.ratelimit_burst = burst;
}

const char *dxp_msg_id(enum dxp_msg kind)
{
	return (unsigned)kind < DXP_MSG_MAX ? kinds[kind].id : NULL;
}

const char *dxp_msg_name(enum dxp_msg kind)
{
	return (unsigned)kind < DXP_MSG_MAX ? kinds[kind].name : "?";
}

uint64_t dxp_log_suppressed_total(void)
{
	return L.suppressed_total;
}

#define MAX_FIELDS 72	/* a wait's ~20, 3 a holder (8), the caller's */
#define FIELD_BUF 8192

struct fields {
	struct iovec iov[MAX_FIELDS];
	unsigned n;
	char buf[FIELD_BUF];
	size_t used;
};

static void add(struct fields *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct fields *f, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (f->n >= MAX_FIELDS || f->used >= FIELD_BUF)
		return;
	va_start(ap, fmt);
	len = vsnprintf(f->buf + f->used, FIELD_BUF - f->used, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if ((size_t)len >= FIELD_BUF - f->used)
		len = (int)(FIELD_BUF - f->used - 1);	/* truncated, still useful */
	f->iov[f->n].iov_base = f->buf + f->used;
	f->iov[f->n].iov_len = (size_t)len;
	f->n++;
	f->used += (size_t)len + 1;
}

static void add_wait(struct fields *f, const struct dxp_log_wait *lw)
{
	const struct daxpin_wait *w = lw->w;

	add(f, "DAXPIN_WAIT_ID=%" PRIu64, w->id);
	add(f, "DAXPIN_DEV=%" PRIu32 ":%" PRIu32, w->dev_major, w->dev_minor);
	add(f, "DAXPIN_INO=%" PRIu64, w->ino);
	if (lw->abspath)
		add(f, "DAXPIN_PATH=%s", lw->abspath);
	else if (w->path[0])
		add(f, "DAXPIN_PATH=%s", w->path);
	add(f, "DAXPIN_PID=%" PRIu32, w->pid);
	add(f, "DAXPIN_TGID=%" PRIu32, w->tgid);
	add(f, "DAXPIN_COMM=%s", w->comm);
	add(f, "DAXPIN_FS=%s", w->fs);
	add(f, "DAXPIN_OFFSET=%" PRIu64, w->offset);
	add(f, "DAXPIN_WAITED_MS=%" PRIu64, lw->waited_ns / UINT64_C(1000000));
	add(f, "DAXPIN_REFCOUNT=%" PRIu32, w->refcount);
	add(f, "DAXPIN_DMA_PINNED=%d", w->dma_pinned);
	add(f, "DAXPIN_IDLE=%d", w->idle);
	add(f, "DAXPIN_STALLED=%d", w->stalled);
	/* One value a holder, in order (journal fields may repeat). */
	for (uint32_t i = 0; i < w->nr_holders && i < DAXPIN_HOLDERS_MAX; i++) {
		add(f, "DAXPIN_HOLDER_PID=%" PRIu32, w->holders[i].tgid);
		add(f, "DAXPIN_HOLDER_COMM=%s", w->holders[i].comm);
		add(f, "DAXPIN_HOLDER_UID=%" PRIu32, w->holders[i].uid);
	}
	if (w->no_holder)
		add(f, "DAXPIN_NO_HOLDER=1");
	if (w->holders_truncated)
		add(f, "DAXPIN_HOLDERS_TRUNCATED=1");
	add(f, "DAXPIN_WAIT_KIND=%s", daxpin_wait_kind_name(w->kind));
	if (lw->mountpoint)
		add(f, "DAXPIN_MOUNT=%s", lw->mountpoint);
}

static void emit_stderr(enum dxp_msg kind, int prio, const struct iovec *iov, unsigned n)
{
	static const char *const level[] = { "emerg", "alert", "crit", "err", "warning",
					     "notice", "info", "debug" };
	uint64_t now = L.o.clock(L.o.clock_data);

	/* CLOCK_BOOTTIME stamp: comparable with the module's start_ns and
	 * /proc/uptime, so tests can time each step.  MESSAGE= is the first
	 * field (escaped by dxp_log); print it, then the rest as key=value,
	 * escaped like ls -b (daxpin-text.h): a name's newline or escape
	 * sequence must not start a line or reach the terminal. */
	fprintf(stderr, "daxpind: [%5" PRIu64 ".%06" PRIu64 "] %s: [%s] %.*s",
		now / 1000000000, now / 1000 % 1000000, level[prio & 7], kinds[kind].name,
		(int)iov[0].iov_len - 8, (const char *)iov[0].iov_base + 8);
	for (unsigned i = 1; i < n; i++) {
		const char *s = iov[i].iov_base;

		if (!strncmp(s, "PRIORITY=", 9) || !strncmp(s, "MESSAGE_ID=", 11) ||
		    !strncmp(s, "SYSLOG_IDENTIFIER=", 18))
			continue;
		fprintf(stderr, " %s", daxpin_esc(s, 0));	/* NUL-terminated by add() */
	}
	fputc('\n', stderr);
	fflush(stderr);
}

static void emit(enum dxp_msg kind, int prio, struct fields *f)
{
	if (L.o.sink)
		L.o.sink(L.o.sink_data, kind, prio, f->iov, f->n);
	else if (L.o.to_stderr)
		emit_stderr(kind, prio, f->iov, f->n);
	else
		sd_journal_sendv(f->iov, (int)f->n);
}

static void report_suppressed(enum dxp_msg kind, unsigned count)
{
	struct fields f = { .n = 0 };

	add(&f, "MESSAGE=Suppressed %u %s message(s) (rate limit %u per %.1fs)", count,
	    kinds[kind].name, L.o.ratelimit_burst, (double)L.o.ratelimit_interval_ns / 1e9);
	add(&f, "PRIORITY=%d", LOG_WARNING);
	add(&f, "MESSAGE_ID=%s", kinds[DXP_MSG_SUPPRESSED].id);
	add(&f, "SYSLOG_IDENTIFIER=daxpind");
	add(&f, "DAXPIN_SUPPRESSED=%u", count);
	add(&f, "DAXPIN_SUPPRESSED_KIND=%s", kinds[kind].name);
	emit(DXP_MSG_SUPPRESSED, LOG_WARNING, &f);
}

/* Returns true if the message may go out. */
static bool ratelimit_pass(enum dxp_msg kind)
{
	struct rl *r = &L.rl[kind];
	uint64_t now;

	/* An interval or a burst of 0 disables the limit (daxpind.conf(5)). */
	if (!kinds[kind].ratelimited || !L.o.ratelimit_interval_ns ||
	    !L.o.ratelimit_burst)
		return true;
	now = L.o.clock(L.o.clock_data);
	if (!r->count || now - r->window_start >= L.o.ratelimit_interval_ns) {
		if (r->suppressed)
			report_suppressed(kind, r->suppressed);
		r->window_start = now;
		r->count = 0;
		r->suppressed = 0;
	}
	if (r->count >= L.o.ratelimit_burst) {
		r->suppressed++;
		L.suppressed_total++;
		return false;
	}
	r->count++;
	return true;
}

void dxp_log(enum dxp_msg kind, int priority, const struct dxp_log_wait *lw,
	     const char *const *fields, const char *fmt, ...)
{
	struct fields f = { .n = 0 };
	char msg[1024], esc[DAXPIN_ESC_SIZE(sizeof(msg))];
	va_list ap;

	if ((unsigned)kind >= DXP_MSG_MAX)
		return;
	if (priority >= LOG_DEBUG && !L.o.debug)
		return;
	if (!ratelimit_pass(kind))
		return;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Messages quote comm values, paths and config text: whatever bytes
	 * they hold, MESSAGE is one printable line (spaces kept).  The
	 * DAXPIN_* fields keep the exact bytes: the journal stores binary
	 * fields as such; stderr escapes them. */
	daxpin_escape(esc, sizeof(esc), msg, 0);

	add(&f, "MESSAGE=%s", esc);
	add(&f, "PRIORITY=%d", priority);
	if (kinds[kind].id)
		add(&f, "MESSAGE_ID=%s", kinds[kind].id);
	add(&f, "SYSLOG_IDENTIFIER=daxpind");
	if (lw && lw->w)
		add_wait(&f, lw);
	for (const char *const *p = fields; p && *p; p++)
		add(&f, "%s", *p);
	emit(kind, priority, &f);
}
