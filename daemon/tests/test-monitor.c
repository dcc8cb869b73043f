// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The engine end to end with everything around it faked: a clock that only
 * moves when the test says so, a "kernel" holding waits, timers that are
 * just deadlines, and a log sink that keeps every journal field.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/log.h"
#include "daemon/monitor.h"

#define S(x) ((uint64_t)((x) * 1e9))
#define T0 S(500)

/* ---- fakes ---------------------------------------------------------------- */

struct logged {
	enum dxp_msg kind;
	int prio;
	char text[2048];	/* all fields, one per line */
};

static struct {
	uint64_t now;
	struct daxpin_wait kernel[16];	/* waits the "module" has */
	size_t n_kernel;
	int dump_error;
	int get_error;			/* get_wait fails with it (re-read failed) */
	unsigned dumps, gets;		/* module round trips listing waits */
	uint64_t kicked[8];
	size_t n_kicked;
	unsigned arms, forgets, changed;
	int sig_pid, sig;
	unsigned pidfds;		/* open now */
	bool unmap_on_open;		/* a pidfd_open() empties every holder list */
	int signalled[8];		/* pids signalled, in order */
	bool defer_pending;
	unsigned n_signals;
	char exec_hook[128];
	char exec_json[8192];
	unsigned n_exec;
	struct logged log[64];
	size_t n_log;
	/* the module's ended-wait log (src_log only) */
	struct daxpin_wait ended[16];	/* record of end seq s at s % ended_size */
	unsigned ended_size;
	uint64_t ended_last;		/* newest end sequence number */
	uint64_t last_id;		/* highest wait id given */
	unsigned end_in_dump;		/* waits that end between table and log */
	struct dxp_monitor *dump_m;
} F;

static uint64_t fake_now(void *env)
{
	return F.now;
}

static int fake_arm(void *env, struct dxp_tracked *t, uint64_t deadline)
{
	F.arms++;
	return 0;
}

static void fake_forget(void *env, struct dxp_tracked *t)
{
	F.forgets++;
}

static void fake_locate(void *env, const struct daxpin_wait *w, char **mp, char **abs, char **dev)
{
	*mp = strdup("/mnt/pmem");
	if (asprintf(abs, "/mnt/pmem/%s", w->path) < 0)
		*abs = NULL;
	*dev = strdup("pmem0");
}

static int fake_pidfd_open(void *env, const struct daxpin_wait *w)
{
	if (F.unmap_on_open)
		for (size_t i = 0; i < F.n_kernel; i++)
			F.kernel[i].nr_holders = 0;
	F.pidfds++;
	return 100 + (int)w->pid;
}

static void fake_pidfd_close(void *env, int fd)
{
	assert_true(F.pidfds > 0);
	F.pidfds--;
}

static int fake_signal(void *env, int fd, const struct daxpin_wait *w, int sig)
{
	assert_int_equal(fd, 100 + (int)w->pid);
	F.sig_pid = (int)w->pid;
	F.sig = sig;
	if (F.n_signals < 8)
		F.signalled[F.n_signals] = (int)w->pid;
	F.n_signals++;
	return 0;
}

static int fake_exec(void *env, const char *hook, uint64_t timeout, const char *json, uint64_t id)
{
	snprintf(F.exec_hook, sizeof(F.exec_hook), "%s", hook);
	snprintf(F.exec_json, sizeof(F.exec_json), "%s", json);
	F.n_exec++;
	return 4242;
}

static void fake_devdax(void *env, char *buf, size_t len)
{
	snprintf(buf, len, "dax0.0 (region0)");
}

static int fake_defer(void *env)
{
	F.defer_pending = true;
	return 0;
}

static void fake_changed(void *env)
{
	F.changed++;
}

static const struct dxp_env_ops env = {
	.now = fake_now, .arm = fake_arm, .forget = fake_forget, .locate = fake_locate,
	.pidfd_open = fake_pidfd_open, .pidfd_signal = fake_signal,
	.pidfd_close = fake_pidfd_close, .defer = fake_defer, .exec = fake_exec, .devdax = fake_devdax, .changed = fake_changed,
};

static struct daxpin_wait *kernel_find(uint64_t id)
{
	for (size_t i = 0; i < F.n_kernel; i++)
		if (F.kernel[i].id == id)
			return &F.kernel[i];
	return NULL;
}

static void kernel_remove(uint64_t id)
{
	struct daxpin_wait *w = kernel_find(id);

	if (w) {
		*w = F.kernel[F.n_kernel - 1];
		F.n_kernel--;
	}
}

static int src_dump(void *ctx, struct daxpin_waits *out)
{
	F.dumps++;
	if (F.dump_error)
		return F.dump_error;
	out->waits = calloc(F.n_kernel + 1, sizeof(*out->waits));
	memcpy(out->waits, F.kernel, F.n_kernel * sizeof(*out->waits));
	out->nr = out->alloc = F.n_kernel;
	return 0;
}

static int src_get(void *ctx, uint64_t id, struct daxpin_wait *out)
{
	struct daxpin_wait *w = kernel_find(id);

	F.gets++;		/* the real source has no per-wait GET: a dump */
	if (F.get_error)
		return F.get_error;
	if (!w)
		return -ENOENT;
	*out = *w;
	return 0;
}

static int src_kick(void *ctx, uint64_t id, bool *was_idle)
{
	if (!kernel_find(id))
		return -ENOENT;
	assert_in_range(F.n_kicked, 0, sizeof(F.kicked) / sizeof(F.kicked[0]) - 1);
	F.kicked[F.n_kicked++] = id;
	*was_idle = true;
	return 0;
}

static const struct dxp_source_ops src_ops = { .dump_waits = src_dump, .get_wait = src_get,
					       .kick = src_kick };
static const struct dxp_source src = { &src_ops, NULL };

static void kernel_end(struct dxp_monitor *m, uint64_t id, uint32_t outcome, bool announce);

/* Like daxpin_get_waits_since() on a module with an ended-wait log. */
static int src_dump_since(void *ctx, uint64_t since, struct daxpin_waits *out,
			  struct daxpin_waits *ended, struct daxpin_waits_log *log)
{
	uint64_t oldest;
	uint64_t next = (since < F.ended_last ? since : F.ended_last) + 1;
	int r = src_dump(ctx, out);

	if (r < 0)
		return r;
	for (; F.end_in_dump && F.n_kernel; F.end_in_dump--)
		kernel_end(F.dump_m, F.kernel[0].id, DXP_OUT_INTERRUPTED, false);
	oldest = F.ended_last >= F.ended_size ? F.ended_last - F.ended_size + 1 : 1;
	memset(ended, 0, sizeof(*ended));
	memset(log, 0, sizeof(*log));
	ended->waits = calloc(F.ended_size + 1, sizeof(*ended->waits));
	if (next < oldest) {
		log->lost = oldest - next;
		next = oldest;
	}
	for (; next <= F.ended_last; next++)
		ended->waits[ended->nr++] = F.ended[next % F.ended_size];
	ended->alloc = ended->nr;
	log->present = log->has_seq = log->has_lost = log->has_last_id = true;
	log->seq = F.ended_last;
	log->last_id = F.last_id;
	return 0;
}

static const struct dxp_source_ops src_log_ops = { .dump_waits = src_dump,
						   .dump_since = src_dump_since,
						   .get_wait = src_get, .kick = src_kick };
static const struct dxp_source src_log = { &src_log_ops, NULL };

static void sink(void *userdata, enum dxp_msg kind, int prio, const struct iovec *iov, unsigned n)
{
	struct logged *l;
	size_t used = 0;

	assert_true(F.n_log < 64);
	l = &F.log[F.n_log++];
	l->kind = kind;
	l->prio = prio;
	for (unsigned i = 0; i < n; i++)
		used += (size_t)snprintf(l->text + used, sizeof(l->text) - used, "%.*s\n",
					 (int)iov[i].iov_len, (const char *)iov[i].iov_base);
}

static size_t count(enum dxp_msg kind)
{
	size_t c = 0;

	for (size_t i = 0; i < F.n_log; i++)
		c += F.log[i].kind == kind;
	return c;
}

static const struct logged *last(enum dxp_msg kind)
{
	for (size_t i = F.n_log; i-- > 0;)
		if (F.log[i].kind == kind)
			return &F.log[i];
	fail_msg("no message of kind %s", dxp_msg_name(kind));
	return NULL;
}

static void has_field(const struct logged *l, const char *field)
{
	char needle[256];

	snprintf(needle, sizeof(needle), "\n%s\n", field);
	if (!strstr(l->text, needle))
		fail_msg("field %s missing in:\n%s", field, l->text);
}

/* ---- helpers -------------------------------------------------------------- */

/* The end of an sd-event loop turn: the deferred refresh runs. */
static void LOOP_TURN_END(struct dxp_monitor *m)
{
	if (F.defer_pending) {
		F.defer_pending = false;
		dxp_monitor_refresh(m);
	}
}

static struct dxp_config *config;

static void load_config(const char *text)
{
	char dir[] = "/tmp/daxpind-test-monitor.XXXXXX", file[128], cmd[160];
	struct dxp_config_paths paths = { .main_file = file };
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/daxpind.conf", dir);
	f = fopen(file, "w");
	fputs(text, f);
	fclose(f);
	dxp_config_free(config);
	config = NULL;
	assert_int_equal(dxp_config_load(&paths, NULL, NULL, &config), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	struct dxp_log_options o = {
		.debug = false, .ratelimit_interval_ns = S(30), .ratelimit_burst = 10,
		.clock = fake_now, .sink = sink,
	};

	memset(&F, 0, sizeof(F));
	F.now = T0;
	dxp_log_setup(&o);
	load_config("");
	return 0;
}

static int teardown(void **state)
{
	dxp_config_free(config);
	config = NULL;
	return 0;
}

static struct daxpin_wait mkwait(uint64_t id, uint64_t start)
{
	struct daxpin_wait w;

	memset(&w, 0, sizeof(w));
	w.id = id;
	w.pid = 1000 + (uint32_t)id;
	w.tgid = w.pid;
	snprintf(w.comm, sizeof(w.comm), "truncate");
	snprintf(w.fs, sizeof(w.fs), "ext4");
	w.dev_major = 259;
	w.dev_minor = 0;
	w.ino = 12;
	snprintf(w.path, sizeof(w.path), "file%" PRIu64, id);
	w.offset = 8192;
	w.start_ns = start;
	w.refcount = 3;
	w.dma_pinned = true;
	return w;
}

/* the "module" gets a wait; F.kernel is fixed-size: never write past it */
static void kernel_add(struct daxpin_wait w)
{
	assert_in_range(F.n_kernel, 0, sizeof(F.kernel) / sizeof(F.kernel[0]) - 1);
	F.kernel[F.n_kernel++] = w;
	if (w.id > F.last_id)
		F.last_id = w.id;
}

/* The "module" ends wait @id: a log record, and its WAIT_END if @announce. */
static void kernel_end(struct dxp_monitor *m, uint64_t id, uint32_t outcome, bool announce)
{
	struct daxpin_event ev = { .type = DAXPIN_EVENT_WAIT_END, .time_ns = F.now,
				   .has_wait = true, .has_outcome = true, .outcome = outcome,
				   .has_end_seq = true };
	struct daxpin_wait *w = kernel_find(id), rec;

	assert_non_null(w);
	w->waited_ns = F.now - w->start_ns;
	rec = *w;
	rec.ended = rec.has_outcome = true;
	rec.outcome = outcome;
	rec.end_seq = ++F.ended_last;
	rec.path[0] = '\0';
	F.ended[rec.end_seq % F.ended_size] = rec;
	ev.wait = *w;
	ev.end_seq = rec.end_seq;
	kernel_remove(id);
	if (announce)
		dxp_monitor_event(m, &ev);
}

static void kernel_start(struct dxp_monitor *m, uint64_t id, bool announce)
{
	struct daxpin_event ev = { .type = DAXPIN_EVENT_WAIT_START, .time_ns = F.now,
				   .has_wait = true };

	kernel_add(mkwait(id, F.now));
	ev.wait = F.kernel[F.n_kernel - 1];
	if (announce)
		dxp_monitor_event(m, &ev);
}

static void kernel_event(struct dxp_monitor *m, uint32_t type, uint64_t id, uint32_t outcome)
{
	struct daxpin_event ev = { .type = type, .time_ns = F.now, .has_wait = true };
	struct daxpin_wait *w = kernel_find(id);

	assert_non_null(w);
	w->waited_ns = F.now - w->start_ns;
	ev.wait = *w;
	if (type == DAXPIN_EVENT_WAIT_END) {
		ev.has_outcome = true;
		ev.outcome = outcome;
		kernel_remove(id);
	}
	dxp_monitor_event(m, &ev);
}

static void kernel_stall(struct dxp_monitor *m, uint64_t id)
{
	struct daxpin_wait *w = kernel_find(id);

	w->stalled = w->idle = true;
	w->refcount = 1;
	w->dma_pinned = false;
	kernel_event(m, DAXPIN_EVENT_STALLED, id, 0);
}

/* Fire timers in deadline order up to @until, like sd-event would: every
 * timer due at the earliest deadline fires in the same loop turn. */
static void advance(struct dxp_monitor *m, uint64_t until)
{
	for (unsigned guard = 0;; guard++) {
		struct dxp_tracked *first = NULL, *due[64];
		size_t n = 0;

		for (struct dxp_tracked *t = m->waits; t; t = t->next)
			if (t->deadline != DXP_NEVER && t->deadline <= until &&
			    (!first || t->deadline < first->deadline))
				first = t;
		if (!first)
			break;
		/* A timer that fires without moving its deadline would spin
		 * sd-event at 100% CPU: fail instead of hanging. */
		if (guard > 1000)
			fail_msg("timer of wait %" PRIu64 " re-armed at %" PRIu64 " forever",
				 first->w.id, first->deadline);
		F.now = first->deadline;
		for (struct dxp_tracked *t = m->waits; t && n < 64; t = t->next)
			if (t->deadline != DXP_NEVER && t->deadline <= F.now)
				due[n++] = t;
		for (size_t i = 0; i < n; i++)
			dxp_monitor_timer(m, due[i]);
		LOOP_TURN_END(m);
	}
	F.now = until;
}

static size_t armed(const struct dxp_monitor *m)
{
	size_t n = 0;

	for (struct dxp_tracked *t = m->waits; t; t = t->next)
		n += t->deadline != DXP_NEVER;
	return n;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_warn_at_threshold_with_fields(void **state)
{
	struct dxp_monitor m;

	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 1, true);
	assert_int_equal(m.n_waits, 1);
	assert_int_equal(m.waits->deadline, T0 + S(5));
	advance(&m, T0 + S(4.999));
	assert_int_equal(count(DXP_MSG_WAIT_SLOW), 0);
	advance(&m, T0 + S(5.2));
	assert_int_equal(count(DXP_MSG_WAIT_SLOW), 1);
	{
		const struct logged *l = last(DXP_MSG_WAIT_SLOW);

		assert_int_equal(l->prio, LOG_WARNING);
		has_field(l, "MESSAGE_ID=585f24a0687949ad901e26fc908988a9");
		has_field(l, "PRIORITY=4");
		has_field(l, "DAXPIN_WAIT_ID=1");
		has_field(l, "DAXPIN_DEV=259:0");
		has_field(l, "DAXPIN_INO=12");
		has_field(l, "DAXPIN_PATH=/mnt/pmem/file1");
		has_field(l, "DAXPIN_PID=1001");
		has_field(l, "DAXPIN_COMM=truncate");
		has_field(l, "DAXPIN_OFFSET=8192");
		has_field(l, "DAXPIN_WAITED_MS=5000");
		has_field(l, "DAXPIN_REFCOUNT=3");
		has_field(l, "DAXPIN_DMA_PINNED=1");
		has_field(l, "DAXPIN_RULE=WarnAfterSec=5 (default)");
	}
	/* Next threshold: non-transient at 30 s, with devdax advice. */
	assert_int_equal(m.waits->deadline, T0 + S(30));
	advance(&m, T0 + S(31));
	assert_int_equal(count(DXP_MSG_NONTRANSIENT), 1);
	assert_int_equal(last(DXP_MSG_NONTRANSIENT)->prio, LOG_ERR);
	assert_non_null(strstr(last(DXP_MSG_NONTRANSIENT)->text, "device-DAX on this machine: dax0.0"));
	/* Nothing left to decide: no timer while the wait goes on. */
	assert_int_equal(armed(&m), 0);
	advance(&m, T0 + S(3600));
	assert_int_equal(count(DXP_MSG_WAIT_SLOW), 1);
	assert_int_equal(count(DXP_MSG_NONTRANSIENT), 1);
	dxp_monitor_free(&m);
}

/* A final break (eviction, 6.15+) is warned about at once, and once. */
static void test_final_break_warned_at_once(void **state)
{
	struct daxpin_event ev = { .type = DAXPIN_EVENT_WAIT_START, .time_ns = T0,
				   .has_wait = true };
	struct dxp_monitor m;

	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 1, true);
	assert_int_equal(count(DXP_MSG_WAIT_FINAL), 0);
	kernel_add(mkwait(2, F.now));
	F.kernel[F.n_kernel - 1].kind = DAXPIN_WAIT_KIND_FINAL;
	snprintf(F.kernel[F.n_kernel - 1].comm, DAXPIN_COMM_LEN, "rm");
	ev.wait = F.kernel[F.n_kernel - 1];
	dxp_monitor_event(&m, &ev);
	assert_int_equal(count(DXP_MSG_WAIT_FINAL), 1);
	{
		const struct logged *l = last(DXP_MSG_WAIT_FINAL);

		assert_int_equal(l->prio, LOG_WARNING);
		has_field(l, "MESSAGE_ID=f902a7a380484314b34bf29fd24a67db");
		has_field(l, "DAXPIN_WAIT_ID=2");
		has_field(l, "DAXPIN_WAIT_KIND=final");
		has_field(l, "DAXPIN_COMM=rm");
		assert_non_null(strstr(l->text, "uninterruptibly"));
	}
	advance(&m, T0 + S(6));
	assert_int_equal(count(DXP_MSG_WAIT_FINAL), 1);
	/* The usual slow-wait warning still comes, for both. */
	assert_int_equal(count(DXP_MSG_WAIT_SLOW), 2);
	dxp_monitor_free(&m);
}

static void test_stalled_wait_is_kicked_once(void **state)
{
	struct dxp_monitor m;

	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 3, true);
	advance(&m, T0 + S(6));
	kernel_stall(&m, 3);
	assert_int_equal(count(DXP_MSG_STALLED), 1);
	has_field(last(DXP_MSG_STALLED), "DAXPIN_STALLED=1");
	/* StalledAfterSec counts from when we learned of the stall. */
	assert_int_equal(m.waits->deadline, T0 + S(7));
	advance(&m, T0 + S(6.9));
	assert_int_equal(F.n_kicked, 0);
	advance(&m, T0 + S(7));
	assert_int_equal(F.n_kicked, 1);
	assert_int_equal(F.kicked[0], 3);
	assert_int_equal(count(DXP_MSG_KICKED), 1);
	assert_int_equal(m.c.kicks[DXP_RES_OK], 1);
	/* The module's KICKED event for our own kick adds no second line. */
	kernel_event(&m, DAXPIN_EVENT_KICKED, 3, 0);
	assert_int_equal(count(DXP_MSG_KICKED), 1);
	assert_int_equal(m.c.kicks_external, 0);
	F.now += S(0.01);
	kernel_event(&m, DAXPIN_EVENT_WAIT_END, 3, DAXPIN_OUTCOME_COMPLETED);
	assert_int_equal(m.n_waits, 0);
	assert_int_equal(m.c.outcome[DXP_OUT_COMPLETED], 1);
	assert_int_equal(count(DXP_MSG_WAIT_END), 1);
	has_field(last(DXP_MSG_WAIT_END), "DAXPIN_OUTCOME=completed");
	assert_int_equal(F.forgets, 1);
	assert_int_equal(count(DXP_MSG_STALLED), 1);
	dxp_monitor_free(&m);
}

/*
 * daxpin.ko's rescue: a KICKED event flagged rescued, with no STALLED event
 * before it.  daxpind logs the module's wake-up once, counts the wait as
 * stalled and rescued, and never kicks it itself, even past StalledAfterSec.
 */
static void test_rescue_by_module_is_logged_not_kicked(void **state)
{
	struct dxp_monitor m;
	struct daxpin_event ev = { .type = DAXPIN_EVENT_KICKED, .has_wait = true,
				   .has_was_idle = true, .was_idle = true,
				   .rescued = true };
	struct daxpin_wait *w;

	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 5, true);
	F.now = T0 + S(0.5);
	w = kernel_find(5);
	w->stalled = w->idle = true;
	w->refcount = 1;
	w->kicks = 1;
	ev.time_ns = F.now;
	ev.wait = *w;
	dxp_monitor_event(&m, &ev);
	assert_int_equal(count(DXP_MSG_KICKED), 1);
	has_field(last(DXP_MSG_KICKED), "DAXPIN_RESCUED=1");
	has_field(last(DXP_MSG_KICKED), "DAXPIN_WAIT_ID=5");
	assert_non_null(strstr(last(DXP_MSG_KICKED)->text, "daxpin.ko woke"));
	assert_int_equal(m.c.rescued, 1);
	assert_int_equal(m.c.stalled, 1);
	assert_int_equal(m.c.kicks_external, 0);
	assert_int_equal(count(DXP_MSG_STALLED), 0);
	advance(&m, T0 + S(5));
	assert_int_equal(F.n_kicked, 0);
	assert_int_equal(count(DXP_MSG_KICKED), 1);
	kernel_event(&m, DAXPIN_EVENT_WAIT_END, 5, DAXPIN_OUTCOME_COMPLETED);
	assert_int_equal(count(DXP_MSG_WAIT_END), 1);
	assert_int_equal(m.n_waits, 0);
	dxp_monitor_free(&m);
}

static void test_stall_that_clears_before_deadline_is_not_kicked(void **state)
{
	struct dxp_monitor m;

	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 4, true);
	F.now = T0 + S(1);
	kernel_stall(&m, 4);
	/* Before the kick is due the page is pinned again. */
	kernel_find(4)->stalled = kernel_find(4)->idle = false;
	kernel_find(4)->refcount = 2;
	advance(&m, T0 + S(2.5));
	assert_int_equal(F.n_kicked, 0);
	dxp_monitor_free(&m);
}

static void test_stalled_wake_no_only_reports(void **state)
{
	struct dxp_monitor m;

	load_config("[Policy]\nStalledWake=no\n");
	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 5, true);
	kernel_stall(&m, 5);
	advance(&m, T0 + S(10));
	assert_int_equal(F.n_kicked, 0);
	assert_int_equal(last(DXP_MSG_STALLED)->prio, LOG_ERR);
	assert_non_null(strstr(last(DXP_MSG_STALLED)->text, "daxpinctl kick 5"));
	dxp_monitor_free(&m);
}

static void test_signal_action_logs_before_and_after(void **state)
{
	struct dxp_monitor m;
	size_t before_idx = 0, result_idx = 0;

	load_config("[Policy]\nAction=signal\nActionAfterSec=2\n");
	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 6, true);
	advance(&m, T0 + S(1.99));
	assert_int_equal(F.n_signals, 0);
	advance(&m, T0 + S(2.01));
	assert_int_equal(F.n_signals, 1);
	assert_int_equal(F.sig, 15);
	assert_int_equal(F.sig_pid, 1006);
	for (size_t i = 0; i < F.n_log; i++) {
		if (F.log[i].kind == DXP_MSG_ACTION)
			before_idx = i + 1;
		if (F.log[i].kind == DXP_MSG_ACTION_RESULT)
			result_idx = i + 1;
	}
	assert_true(before_idx && result_idx && before_idx < result_idx);
	assert_non_null(strstr(F.log[before_idx - 1].text, "ActionAfterSec=2 ("));
	assert_non_null(strstr(F.log[before_idx - 1].text, "daxpind.conf:3)"));
	has_field(&F.log[before_idx - 1], "DAXPIN_ACTION=signal");
	has_field(&F.log[before_idx - 1], "DAXPIN_WAITED_MS=2000");
	assert_int_equal(m.c.actions[DXP_ACTION_SIGNAL][DXP_RES_OK], 1);
	/* The signal ends the wait before WarnAfterSec: no warning, but the
	 * end of a wait we acted on is logged. */
	F.now = T0 + S(2.2);
	F.now += 1;
	assert_int_equal(count(DXP_MSG_WAIT_SLOW), 0);
	kernel_event(&m, DAXPIN_EVENT_WAIT_END, 6, DAXPIN_OUTCOME_INTERRUPTED);
	has_field(last(DXP_MSG_WAIT_END), "DAXPIN_OUTCOME=interrupted");
	assert_int_equal(m.c.outcome[DXP_OUT_INTERRUPTED], 1);
	dxp_monitor_free(&m);
}

/* ---- holders (issue 13.1) ---- */

static void add_holder(struct daxpin_wait *w, uint32_t tgid, const char *comm)
{
	struct daxpin_holder *h = &w->holders[w->nr_holders++];

	memset(h, 0, sizeof(*h));
	h->pid = h->tgid = tgid;
	h->uid = 1000;
	snprintf(h->comm, sizeof(h->comm), "%s", comm);
	h->vm_flags = DAXPIN_HOLDER_VM_SHARED;
}

static size_t log_index(enum dxp_msg kind)
{
	for (size_t i = 0; i < F.n_log; i++)
		if (F.log[i].kind == kind)
			return i + 1;
	return 0;
}

static void test_warn_names_holders(void **state)
{
	struct dxp_monitor m;
	const struct logged *l;

	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 1, true);
	kernel_find(1)->nr_holders = 0;
	add_holder(kernel_find(1), 555, "pinner");
	add_holder(kernel_find(1), 556, "other");
	advance(&m, T0 + S(5.2));
	l = last(DXP_MSG_WAIT_SLOW);
	assert_non_null(strstr(l->text, "held by pinner[555], other[556]"));
	has_field(l, "DAXPIN_HOLDER_PID=555");
	has_field(l, "DAXPIN_HOLDER_COMM=pinner");
	has_field(l, "DAXPIN_HOLDER_PID=556");
	has_field(l, "DAXPIN_HOLDER_UID=1000");
	assert_null(strstr(l->text, "DAXPIN_NO_HOLDER"));
	dxp_monitor_free(&m);
}

static void test_warn_says_no_holder(void **state)
{
	struct dxp_monitor m;
	const struct logged *l;

	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 1, true);
	kernel_find(1)->no_holder = true;
	advance(&m, T0 + S(5.2));
	l = last(DXP_MSG_WAIT_SLOW);
	assert_non_null(strstr(l->text, "mapped by no process"));
	has_field(l, "DAXPIN_NO_HOLDER=1");
	assert_null(strstr(l->text, "DAXPIN_HOLDER_PID="));
	dxp_monitor_free(&m);
}

static void test_holder_target_signals_holder_not_waiter(void **state)
{
	struct dxp_monitor m;
	size_t before, result;

	load_config("[Policy]\nAction=signal\nActionAfterSec=2\nActionTarget=holder\n");
	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 7, true);
	add_holder(kernel_find(7), 555, "pinner");
	add_holder(kernel_find(7), 555, "pinner");	/* a second mapping */
	advance(&m, T0 + S(2.01));
	assert_int_equal(F.n_signals, 1);		/* once a process */
	assert_int_equal(F.sig_pid, 555);		/* not the waiter 1007 */
	assert_int_equal(F.sig, 15);
	assert_int_equal(F.pidfds, 0);
	before = log_index(DXP_MSG_ACTION);
	result = log_index(DXP_MSG_ACTION_RESULT);
	assert_true(before && result && before < result);
	assert_non_null(strstr(F.log[before - 1].text, "Sending SIGTERM to the holder(s) of the busy page (held by pinner[555], pinner[555])"));
	assert_non_null(strstr(F.log[before - 1].text, "not to the waiter truncate[1007]"));
	has_field(&F.log[before - 1], "DAXPIN_HOLDER_PID=555");
	assert_non_null(strstr(F.log[result - 1].text, "Sent SIGTERM to holder pinner[555]"));
	assert_int_equal(m.c.actions[DXP_ACTION_SIGNAL][DXP_RES_OK], 1);
	assert_int_equal(m.c.holder_actions[DXP_HOLDER_SIGNALLED], 1);
	assert_int_equal(m.c.holder_signals[DXP_RES_OK], 1);
	assert_int_equal(m.c.holder_signals[DXP_RES_FAILED], 0);
	dxp_monitor_free(&m);
}

static void test_holder_target_without_holder_signals_nobody(void **state)
{
	struct dxp_monitor m;

	load_config("[Policy]\nAction=signal\nActionAfterSec=2\nActionTarget=holder\n");
	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 7, true);
	kernel_find(7)->no_holder = true;
	advance(&m, T0 + S(2.01));
	assert_int_equal(F.n_signals, 0);
	assert_int_equal(F.pidfds, 0);
	assert_int_equal(count(DXP_MSG_ACTION), 0);
	assert_non_null(strstr(last(DXP_MSG_ACTION_RESULT)->text, "mapped by no process"));
	assert_non_null(strstr(last(DXP_MSG_ACTION_RESULT)->text, "the waiter truncate[1007] is left alone"));
	assert_int_equal(m.c.actions[DXP_ACTION_SIGNAL][DXP_RES_FAILED], 1);
	assert_int_equal(m.c.holder_actions[DXP_HOLDER_NO_HOLDER], 1);
	assert_int_equal(m.c.holder_actions[DXP_HOLDER_SIGNALLED], 0);
	assert_int_equal(m.c.holder_signals[DXP_RES_OK] + m.c.holder_signals[DXP_RES_FAILED], 0);
	dxp_monitor_free(&m);
}

static void test_holder_target_never_pid1(void **state)
{
	struct dxp_monitor m;

	load_config("[Policy]\nAction=signal\nActionAfterSec=2\nActionTarget=holder\n");
	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 7, true);
	add_holder(kernel_find(7), 1, "init");
	add_holder(kernel_find(7), 0, "elsewhere");
	add_holder(kernel_find(7), 777, "pinner");
	advance(&m, T0 + S(2.01));
	assert_int_equal(F.n_signals, 1);
	assert_int_equal(F.signalled[0], 777);
	assert_int_equal(F.pidfds, 0);
	assert_int_equal(m.c.actions[DXP_ACTION_SIGNAL][DXP_RES_OK], 1);
	assert_int_equal(m.c.actions[DXP_ACTION_SIGNAL][DXP_RES_FAILED], 2);
	assert_int_equal(m.c.holder_actions[DXP_HOLDER_SIGNALLED], 1);
	assert_int_equal(m.c.holder_signals[DXP_RES_OK], 1);
	assert_int_equal(m.c.holder_signals[DXP_RES_FAILED], 2);
	dxp_monitor_free(&m);
}

/* It unmapped between the pidfd and the confirmation: no signal. */
static void test_holder_gone_before_confirmation(void **state)
{
	struct dxp_monitor m;

	load_config("[Policy]\nAction=signal\nActionAfterSec=2\nActionTarget=holder\n");
	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 7, true);
	add_holder(kernel_find(7), 555, "pinner");
	F.unmap_on_open = true;
	advance(&m, T0 + S(2.01));
	assert_int_equal(F.n_signals, 0);
	assert_int_equal(F.pidfds, 0);
	assert_non_null(strstr(last(DXP_MSG_ACTION_RESULT)->text, "Not sending SIGTERM to holder pinner[555]: it no longer maps"));
	assert_int_equal(m.c.holder_actions[DXP_HOLDER_SIGNALLED], 1);
	assert_int_equal(m.c.holder_signals[DXP_RES_FAILED], 1);
	dxp_monitor_free(&m);
}

static void test_dry_run_logs_and_does_nothing(void **state)
{
	struct dxp_monitor m;

	load_config("[Policy]\nAction=signal\nActionAfterSec=2\nDryRun=yes\n");
	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 7, true);
	F.now = T0 + S(0.5);
	kernel_stall(&m, 7);
	advance(&m, T0 + S(12));
	assert_int_equal(F.n_signals, 0);
	assert_int_equal(F.n_kicked, 0);
	assert_int_equal(count(DXP_MSG_DRY_RUN), 2);	/* the kick and the signal */
	assert_int_equal(count(DXP_MSG_ACTION), 0);
	assert_non_null(strstr(F.log[F.n_log - 1].text, "would") ? F.log[F.n_log - 1].text
								  : last(DXP_MSG_DRY_RUN)->text);
	assert_non_null(strstr(last(DXP_MSG_DRY_RUN)->text, "would send SIGTERM"));
	assert_int_equal(m.c.actions[DXP_ACTION_SIGNAL][DXP_RES_DRY_RUN], 1);
	assert_int_equal(m.n_waits, 1);
	dxp_monitor_free(&m);
}

static void test_exec_hook_gets_json(void **state)
{
	struct dxp_monitor m;
	struct dxp_exec_result res = { .wait_id = 8, .pid = 4242, .exited = true, .status = 3 };

	load_config("[Policy]\nAction=exec\nExecHook=/usr/local/bin/hook\nActionAfterSec=1\n");
	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 8, true);
	advance(&m, T0 + S(1));
	assert_int_equal(F.n_exec, 1);
	assert_string_equal(F.exec_hook, "/usr/local/bin/hook");
	assert_non_null(strstr(F.exec_json, "\"event\":\"action\""));
	assert_non_null(strstr(F.exec_json, "\"path\":\"\\/mnt\\/pmem\\/file8\"") ?:
			strstr(F.exec_json, "\"path\":\"/mnt/pmem/file8\""));
	assert_non_null(strstr(F.exec_json, "\"wait\":{"));
	/* JSON version 2: the block device is blockdev, as in status */
	assert_non_null(strstr(F.exec_json, "\"blockdev\":\"pmem0\""));
	assert_null(strstr(F.exec_json, "\"device\":"));
	assert_non_null(strstr(F.exec_json, "\"mount_point\":"));
	assert_non_null(strstr(F.exec_json, "\"maj_min\":"));
	assert_null(strstr(F.exec_json, "\"waited_ms\":"));
	dxp_monitor_exec_done(&m, &res);
	assert_non_null(strstr(last(DXP_MSG_ACTION_RESULT)->text, "exited with status 3"));
	assert_int_equal(m.c.actions[DXP_ACTION_EXEC][DXP_RES_FAILED], 1);
	dxp_monitor_free(&m);
}

/* The hook's JSON carries the holders the module named. */
static void test_exec_hook_json_has_holders(void **state)
{
	struct dxp_monitor m;

	load_config("[Policy]\nAction=exec\nExecHook=/usr/local/bin/hook\nActionAfterSec=1\n");
	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 8, true);
	add_holder(kernel_find(8), 555, "pinner");
	advance(&m, T0 + S(1));
	assert_int_equal(F.n_exec, 1);
	assert_non_null(strstr(F.exec_json, "\"holders\":[{\"pid\":555,\"tgid\":555,\"comm\":\"pinner\",\"uid\":1000,"));
	assert_non_null(strstr(F.exec_json, "\"no_holder\":false"));
	assert_non_null(strstr(last(DXP_MSG_ACTION)->text, "DAXPIN_HOLDER_PID=555"));
	dxp_monitor_free(&m);
}

static void test_restart_repeats_no_warning(void **state)
{
	struct dxp_monitor m1, m2;
	struct dxp_state saved;
	struct daxpin_wait reused;

	dxp_monitor_init(&m1, &env, NULL, &src, config);
	kernel_start(&m1, 9, true);
	F.now = T0 + S(1);
	kernel_start(&m1, 10, true);
	advance(&m1, T0 + S(5.5));	/* wait 9 warned, wait 10 not yet */
	assert_int_equal(count(DXP_MSG_WAIT_SLOW), 1);
	assert_int_equal(dxp_monitor_export(&m1, &saved), 0);
	assert_int_equal(saved.n, 2);
	dxp_monitor_free(&m1);		/* kill -9: no goodbye */

	/* While down: wait 11 started and already ended; wait 12 started;
	 * a module reload reused id 9?  No -- but an old id with another
	 * start time must not inherit the old flags. */
	F.now = T0 + S(8);
	kernel_add(mkwait(12, T0 + S(7)));
	reused = mkwait(20, T0 + S(2));
	saved.e = realloc(saved.e, (saved.n + 1) * sizeof(*saved.e));
	saved.e[saved.n++] = (struct dxp_state_entry) { .id = 20, .start_ns = T0, .done = DXP_DONE_ALL };
	kernel_add(reused);

	dxp_monitor_init(&m2, &env, NULL, &src, config);
	dxp_monitor_restore(&m2, &saved);
	assert_int_equal(dxp_monitor_resync(&m2, "start"), 0);
	assert_int_equal(m2.n_waits, 4);
	/* Wait 10 (6 s old) and wait 20 (6 s old, flags of another wait)
	 * are warned now; wait 9 is not warned again. */
	assert_int_equal(count(DXP_MSG_WAIT_SLOW), 3);
	assert_non_null(strstr(F.log[F.n_log - 1].text, "") );
	for (size_t i = 0, n9 = 0; i < F.n_log; i++) {
		if (F.log[i].kind == DXP_MSG_WAIT_SLOW && strstr(F.log[i].text, "\nDAXPIN_WAIT_ID=9\n"))
			assert_int_equal(++n9, 1);
	}
	assert_int_equal(dxp_monitor_find(&m2, 12)->deadline, T0 + S(12));
	dxp_monitor_free(&m2);
}

static void test_resync_sweeps_and_adopts(void **state)
{
	struct dxp_monitor m;

	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 30, true);
	kernel_start(&m, 31, true);
	advance(&m, T0 + S(6));
	/* Overrun: 30 ended and 32 started while events were lost. */
	kernel_remove(30);
	kernel_start(&m, 32, false);
	assert_int_equal(dxp_monitor_resync(&m, "overrun"), 0);
	assert_int_equal(m.n_waits, 2);
	assert_null(dxp_monitor_find(&m, 30));
	assert_non_null(dxp_monitor_find(&m, 32));
	assert_int_equal(m.c.outcome[DXP_OUT_LOST], 1);
	has_field(last(DXP_MSG_WAIT_END), "DAXPIN_OUTCOME=lost");
	/* A failed dump changes nothing. */
	F.dump_error = -ENOBUFS;
	assert_int_equal(dxp_monitor_resync(&m, "overrun"), -ENOBUFS);
	assert_int_equal(m.n_waits, 2);
	dxp_monitor_free(&m);
}

static void test_timer_finds_wait_gone(void **state)
{
	struct dxp_monitor m;

	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 40, true);
	kernel_remove(40);		/* its WAIT_END was dropped */
	advance(&m, T0 + S(6));
	assert_int_equal(m.n_waits, 0);
	assert_int_equal(count(DXP_MSG_WAIT_SLOW), 0);
	assert_int_equal(m.c.outcome[DXP_OUT_LOST], 1);
	dxp_monitor_free(&m);
}

/* The wait ended (its WAIT_END was missed) and the re-read at the timer
 * fails: the stored snapshot's pid may belong to another process now. */
static void test_signal_not_sent_on_failed_reread(void **state)
{
	struct dxp_monitor m;

	load_config("[Policy]\nAction=signal\nActionAfterSec=2\n");
	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 6, true);
	kernel_remove(6);		/* WAIT_END dropped; pid 1006 reused */
	F.get_error = -EIO;
	advance(&m, T0 + S(2.5));
	assert_int_equal(F.n_signals, 0);
	assert_int_equal(F.pidfds, 0);
	dxp_monitor_free(&m);
}

/* A reload lowers ActionAfterSec: set_config judges stored snapshots. */
static void test_signal_not_sent_by_set_config_after_missed_end(void **state)
{
	struct dxp_monitor m;

	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 7, true);
	kernel_remove(7);		/* WAIT_END dropped */
	F.now = T0 + S(3);
	load_config("[Policy]\nAction=signal\nActionAfterSec=1\n");
	dxp_monitor_set_config(&m, config);
	assert_int_equal(F.n_signals, 0);
	assert_int_equal(F.pidfds, 0);
	dxp_monitor_free(&m);
}

/* Same id, same pid, other start time: another wait (module reloaded, pid
 * reused).  Never signal it on the strength of the old one. */
static void test_signal_not_sent_to_other_wait_same_id(void **state)
{
	struct dxp_monitor m;
	struct daxpin_wait w;

	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 8, true);
	kernel_remove(8);
	w = mkwait(8, T0 + S(2.5));
	kernel_add(w);
	F.now = T0 + S(3);
	load_config("[Policy]\nAction=signal\nActionAfterSec=1\n");
	dxp_monitor_set_config(&m, config);
	assert_int_equal(F.n_signals, 0);
	assert_int_equal(F.pidfds, 0);
	dxp_monitor_free(&m);
}

/* N waits crossing WarnAfterSec together: one listing of the module's
 * waits for all of them, not one each (O(N^2) with N-entry dumps). */
static void test_timers_firing_together_cost_one_dump(void **state)
{
	struct dxp_monitor m;
	const unsigned n = 12;

	load_config("[Policy]\nWarnAfterSec=5\n");
	dxp_monitor_init(&m, &env, NULL, &src, config);
	for (unsigned i = 0; i < n; i++)
		kernel_start(&m, 100 + i, true);
	F.dumps = F.gets = 0;
	advance(&m, T0 + S(5.5));
	print_message("%u timers fired together: %u dump(s), %u get(s)\n", n, F.dumps, F.gets);
	assert_int_equal(m.c.warned, n);
	assert_int_equal(F.dumps + F.gets, 1);
	dxp_monitor_free(&m);
}

static void test_reload_applies_new_thresholds(void **state)
{
	struct dxp_monitor m;

	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 50, true);
	assert_int_equal(m.waits->deadline, T0 + S(5));
	load_config("[Policy]\nWarnAfterSec=2\n");
	dxp_monitor_set_config(&m, config);
	assert_int_equal(m.waits->deadline, T0 + S(2));
	F.now = T0 + S(1);
	kernel_start(&m, 51, true);
	assert_int_equal(dxp_monitor_find(&m, 51)->deadline, T0 + S(3));
	advance(&m, T0 + S(3));
	assert_int_equal(count(DXP_MSG_WAIT_SLOW), 2);
	dxp_monitor_free(&m);
}

static void test_module_gone_drops_everything(void **state)
{
	struct dxp_monitor m;

	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 60, true);
	kernel_start(&m, 61, true);
	dxp_monitor_module_gone(&m);
	assert_int_equal(m.n_waits, 0);
	assert_int_equal(F.forgets, 2);
	assert_int_equal(m.c.outcome[DXP_OUT_UNTRACKED], 2);
	dxp_monitor_free(&m);
}

static void test_journal_rate_limit_reports_suppressed(void **state)
{
	struct dxp_monitor m;

	dxp_monitor_init(&m, &env, NULL, &src, config);
	for (uint64_t id = 100; id < 108; id++)
		kernel_start(&m, id, true);
	/* An event ring like this must not flood the journal: 8 waits, then
	 * burst 10 per 30 s would pass all; use 3. */
	dxp_log_set_ratelimit(S(30), 3);
	advance(&m, T0 + S(6));
	assert_int_equal(count(DXP_MSG_WAIT_SLOW), 3);
	assert_int_equal(dxp_log_suppressed_total(), 5);
	assert_int_equal(m.c.warned, 8);		/* counted even if not logged */
	assert_int_equal(count(DXP_MSG_SUPPRESSED), 0);
	/* The next message after the window reports how many were lost. */
	F.now = T0 + S(40);
	kernel_start(&m, 200, true);
	advance(&m, T0 + S(46));
	assert_int_equal(count(DXP_MSG_SUPPRESSED), 1);
	has_field(last(DXP_MSG_SUPPRESSED), "DAXPIN_SUPPRESSED=5");
	has_field(last(DXP_MSG_SUPPRESSED), "DAXPIN_SUPPRESSED_KIND=wait-slow");
	assert_int_equal(count(DXP_MSG_WAIT_SLOW), 4);
	dxp_monitor_free(&m);
}

/* LogRateLimitBurst=0 disables the limit (daxpind.conf(5)), as
 * LogRateLimitIntervalSec=0 does: every warning is logged, none counted
 * suppressed (a burst of 0 once suppressed them all). */
static void test_journal_rate_limit_burst_zero_disables(void **state)
{
	struct dxp_monitor m;

	dxp_monitor_init(&m, &env, NULL, &src, config);
	for (uint64_t id = 100; id < 108; id++)
		kernel_start(&m, id, true);
	dxp_log_set_ratelimit(S(30), 0);
	advance(&m, T0 + S(6));
	assert_int_equal(count(DXP_MSG_WAIT_SLOW), 8);
	assert_int_equal(dxp_log_suppressed_total(), 0);
	dxp_monitor_free(&m);
}

/* A comm or path holds any byte but NUL.  MESSAGE and daxpind's stderr
 * are one printable line each (ls -b escapes); the DAXPIN_* fields keep
 * the exact bytes for the journal, which stores them as binary. */
/* Hooks and signals for a burst of waits: the journal gets a few and a
 * "suppressed" count, the counters get all. */
static void test_action_logging_is_rate_limited(void **state)
{
	struct dxp_monitor m;

	load_config("[Policy]\nAction=exec\nExecHook=/bin/true\nActionAfterSec=2\n");
	dxp_monitor_init(&m, &env, NULL, &src, config);
	for (uint64_t id = 100; id < 110; id++)
		kernel_start(&m, id, true);
	dxp_log_set_ratelimit(S(30), 3);
	advance(&m, T0 + S(2.5));
	assert_int_equal(F.n_exec, 10);
	print_message("10 actions: %zu action message(s) logged, %" PRIu64 " suppressed\n",
		      count(DXP_MSG_ACTION), dxp_log_suppressed_total());
	assert_int_equal(count(DXP_MSG_ACTION), 3);
	F.now = T0 + S(40);
	kernel_start(&m, 200, true);
	advance(&m, T0 + S(43));
	assert_true(count(DXP_MSG_SUPPRESSED) >= 1);
	dxp_monitor_free(&m);
}

/* daxpin.ko's overrun record: counted, and one resync once drained. */
static void test_module_overrun_record_resyncs(void **state)
{
	struct dxp_monitor m;
	struct daxpin_event ev = { .type = DAXPIN_EVENT_OVERRUN, .time_ns = T0,
				   .has_dropped = true, .dropped = 7 };

	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 1, false);		/* its start was dropped */
	dxp_monitor_event(&m, &ev);
	assert_true(m.overrun);
	assert_int_equal(m.c.module_overruns, 1);
	assert_int_equal(m.c.module_dropped, 7);
	F.dumps = 0;
	assert_int_equal(dxp_monitor_resync_overrun(&m, NULL), 1);
	assert_int_equal(F.dumps, 1);
	assert_int_equal(m.n_waits, 1);
	assert_non_null(strstr(last(DXP_MSG_RESYNC)->text,
			       "daxpin.ko dropped 7 event(s) so far"));
	assert_int_equal(dxp_monitor_resync_overrun(&m, NULL), 0);
	assert_int_equal(F.dumps, 1);
	dxp_monitor_free(&m);
}

/*
 * Events dropped under a burst: a wait whose start and end were both
 * dropped, one whose end only was, one whose start only was.  The resync
 * after the overrun finds the first two in the ended-wait log, with their
 * outcomes; the third was counted from its WAIT_END and is not counted
 * again from its record.
 */
static void test_log_accounts_waits_never_seen(void **state)
{
	struct dxp_monitor m;

	F.ended_size = 16;
	dxp_monitor_init(&m, &env, NULL, &src_log, config);
	assert_int_equal(dxp_monitor_resync(&m, "start"), 0);
	assert_true(m.have_cursor);
	kernel_start(&m, 1, true);
	kernel_start(&m, 2, false);
	kernel_start(&m, 3, false);
	F.now += S(1);
	kernel_end(&m, 2, DXP_OUT_INTERRUPTED, false);	/* never seen */
	kernel_end(&m, 3, DXP_OUT_INTERRUPTED, true);	/* seen by its end */
	kernel_end(&m, 1, DXP_OUT_COMPLETED, false);	/* end dropped */
	assert_int_equal(m.c.waits_seen, 2);
	assert_int_equal(m.n_waits, 1);
	assert_int_equal(dxp_monitor_resync(&m, "overrun"), 0);
	assert_int_equal(m.n_waits, 0);
	assert_int_equal(m.c.waits_seen, 3);
	assert_int_equal(m.c.outcome[DXP_OUT_INTERRUPTED], 2);
	assert_int_equal(m.c.outcome[DXP_OUT_COMPLETED], 1);
	assert_int_equal(m.c.outcome[DXP_OUT_LOST], 0);
	assert_int_equal(m.c.waits_missed, 0);
	assert_int_equal(m.cursor, 3);
	assert_int_equal(m.n_ended, 0);
	assert_non_null(strstr(last(DXP_MSG_RESYNC)->text, "2 ended (from the ended-wait log)"));
	dxp_monitor_free(&m);
}

/* Events queued before the dump and read after it are not news. */
static void test_log_late_events_ignored(void **state)
{
	struct daxpin_event start = { .type = DAXPIN_EVENT_WAIT_START, .has_wait = true };
	struct daxpin_event end = { .type = DAXPIN_EVENT_WAIT_END, .has_wait = true,
				    .has_outcome = true, .outcome = DXP_OUT_COMPLETED,
				    .has_end_seq = true };
	struct dxp_monitor m;

	F.ended_size = 16;
	dxp_monitor_init(&m, &env, NULL, &src_log, config);
	assert_int_equal(dxp_monitor_resync(&m, "start"), 0);
	kernel_start(&m, 5, false);
	start.wait = F.kernel[0];
	kernel_end(&m, 5, DXP_OUT_COMPLETED, false);
	end.wait = start.wait;
	end.end_seq = F.ended_last;
	assert_int_equal(dxp_monitor_resync(&m, "overrun"), 0);
	assert_int_equal(m.c.waits_seen, 1);
	dxp_monitor_event(&m, &start);
	dxp_monitor_event(&m, &end);
	assert_int_equal(m.n_waits, 0);
	assert_int_equal(m.c.waits_seen, 1);
	assert_int_equal(m.c.outcome[DXP_OUT_COMPLETED], 1);
	/* A new wait's start is news. */
	kernel_start(&m, 6, true);
	assert_int_equal(m.n_waits, 1);
	assert_int_equal(m.c.waits_seen, 2);
	dxp_monitor_free(&m);
}

/*
 * A wait that ended after the dump began is absent from both the dump and
 * the log: it is pending, neither lost nor judged, until its WAIT_END.  A
 * timer's refresh dump does not end it as lost either.
 */
static void test_log_absent_wait_pending_until_end(void **state)
{
	struct dxp_monitor m;
	struct daxpin_wait gone;

	F.ended_size = 16;
	dxp_monitor_init(&m, &env, NULL, &src_log, config);
	assert_int_equal(dxp_monitor_resync(&m, "start"), 0);
	kernel_start(&m, 7, true);
	gone = F.kernel[0];
	kernel_remove(7);	/* ends after the dump's log stage */
	assert_int_equal(dxp_monitor_resync(&m, "overrun"), 0);
	assert_int_equal(m.n_waits, 1);
	assert_non_null(strstr(last(DXP_MSG_RESYNC)->text, "1 ending"));
	advance(&m, T0 + S(6));
	assert_int_equal(m.n_waits, 1);
	assert_int_equal(m.c.outcome[DXP_OUT_LOST], 0);
	assert_int_equal(count(DXP_MSG_WAIT_SLOW), 0);
	kernel_add(gone);
	kernel_end(&m, 7, DXP_OUT_INTERRUPTED, true);
	assert_int_equal(m.n_waits, 0);
	assert_int_equal(m.c.outcome[DXP_OUT_INTERRUPTED], 1);
	assert_int_equal(m.c.waits_seen, 1);
	dxp_monitor_free(&m);
}

/*
 * The log overflows (4 records): ends 1..4 were overwritten.  End 3 was
 * accounted by its event, end 1 is tracked wait 1 (lost: its outcome is
 * gone), ends 2 and 4 are waits never seen: counted as missed, exactly.
 */
static void test_log_overflow_counts_missed_exactly(void **state)
{
	struct dxp_monitor m;

	F.ended_size = 4;
	dxp_monitor_init(&m, &env, NULL, &src_log, config);
	assert_int_equal(dxp_monitor_resync(&m, "start"), 0);
	kernel_start(&m, 1, true);
	for (uint64_t id = 2; id <= 8; id++)
		kernel_start(&m, id, false);
	F.now += S(1);
	kernel_end(&m, 1, DXP_OUT_INTERRUPTED, false);
	kernel_end(&m, 2, DXP_OUT_INTERRUPTED, false);
	kernel_end(&m, 3, DXP_OUT_INTERRUPTED, true);
	for (uint64_t id = 4; id <= 8; id++)
		kernel_end(&m, id, DXP_OUT_INTERRUPTED, false);
	assert_int_equal(m.n_ended, 1);		/* end 3, after a gap */
	assert_int_equal(dxp_monitor_resync(&m, "overrun"), 0);
	assert_int_equal(m.n_waits, 0);
	assert_int_equal(m.c.waits_seen, 6);	/* 1, 3, and 5..8 from the log */
	assert_int_equal(m.c.outcome[DXP_OUT_LOST], 1);
	assert_int_equal(m.c.outcome[DXP_OUT_INTERRUPTED], 5);
	assert_int_equal(m.c.waits_missed, 2);
	assert_int_equal(m.c.waits_seen + m.c.waits_missed, 8);
	/* A wait that starts and ends in order afterwards is no missed one. */
	kernel_start(&m, 9, true);
	kernel_end(&m, 9, DXP_OUT_COMPLETED, true);
	assert_int_equal(m.c.waits_missed, 2);
	assert_int_equal(m.c.waits_seen, 7);
	dxp_monitor_free(&m);
}

/*
 * Waits in flight in a dump end before its log is read, and the log of 4
 * overflows meanwhile: waits 1 and 2, tracked (in that dump), lose their
 * records, counted as 2 missed for now.  Each turns out to be a tracked
 * wait: by its late WAIT_END, or by its absence from the next dump.  In
 * the end seen + missed = the waits started, and none is missed.
 */
static void check_overflow_in_dump(bool end_event)
{
	struct daxpin_event ev = { .type = DAXPIN_EVENT_WAIT_END, .has_wait = true,
				   .has_outcome = true, .outcome = DXP_OUT_INTERRUPTED,
				   .has_end_seq = true, .end_seq = 1 };
	struct dxp_monitor m;

	memset(&F, 0, sizeof(F));
	F.now = T0;
	F.ended_size = 4;
	dxp_monitor_init(&m, &env, NULL, &src_log, config);
	assert_int_equal(dxp_monitor_resync(&m, "start"), 0);
	for (uint64_t id = 1; id <= 6; id++)
		kernel_start(&m, id, id == 1);
	ev.wait = F.kernel[0];
	F.end_in_dump = 6;
	F.dump_m = &m;
	assert_int_equal(dxp_monitor_resync(&m, "overrun"), 0);
	assert_int_equal(m.c.waits_seen, 6);
	assert_int_equal(m.c.waits_missed, 2);
	assert_int_equal(m.n_waits, 2);		/* 1 and 2: records overwritten */
	assert_int_equal(m.c.outcome[DXP_OUT_INTERRUPTED], 4);
	if (end_event) {
		dxp_monitor_event(&m, &ev);
		assert_int_equal(m.n_waits, 1);
		assert_int_equal(m.c.waits_missed, 1);
	}
	assert_int_equal(dxp_monitor_resync(&m, "overrun"), 0);
	assert_int_equal(m.n_waits, 0);
	assert_int_equal(m.c.waits_missed, 0);
	assert_int_equal(m.c.outcome[DXP_OUT_LOST], end_event ? 1 : 2);
	assert_int_equal(m.c.outcome[DXP_OUT_INTERRUPTED], end_event ? 5 : 4);
	assert_int_equal(m.c.waits_seen, 6);
	dxp_monitor_free(&m);
}

static void test_log_overflow_during_dump(void **state)
{
	check_overflow_in_dump(true);
	check_overflow_in_dump(false);
}

/* Ends that come in order keep nothing: the cursor follows them. */
static void test_log_cursor_follows_events(void **state)
{
	struct dxp_monitor m;

	F.ended_size = 16;
	dxp_monitor_init(&m, &env, NULL, &src_log, config);
	assert_int_equal(dxp_monitor_resync(&m, "start"), 0);
	for (uint64_t id = 1; id <= 10; id++) {
		kernel_start(&m, id, true);
		kernel_end(&m, id, DXP_OUT_COMPLETED, true);
	}
	assert_int_equal(m.cursor, 10);
	assert_int_equal(m.n_ended, 0);
	assert_int_equal(m.c.waits_seen, 10);
	/* A module without the log: the old rules. */
	dxp_monitor_module_gone(&m);
	assert_false(m.have_cursor);
	dxp_monitor_free(&m);
}

static void test_hostile_names_logged(void **state)
{
	struct dxp_log_options o = {
		.to_stderr = true, .debug = true, .clock = fake_now,
	};
	struct dxp_monitor m;
	struct daxpin_wait *w;
	const char *msg, *p;
	char out[4096];
	FILE *f;
	int saved;
	size_t n;

	dxp_monitor_init(&m, &env, NULL, &src, config);
	kernel_start(&m, 1, false);
	w = kernel_find(1);
	snprintf(w->comm, sizeof(w->comm), "a b\nX\x1b[31m\xff");
	snprintf(w->path, sizeof(w->path), "d\n\x1b]0;t\a\xfe");
	assert_int_equal(dxp_monitor_resync(&m, "test"), 0);
	advance(&m, T0 + S(5.2));
	assert_int_equal(count(DXP_MSG_WAIT_SLOW), 1);
	msg = last(DXP_MSG_WAIT_SLOW)->text;	/* MESSAGE=... first */
	assert_int_equal(strncmp(msg, "MESSAGE=", 8), 0);
	assert_non_null(strstr(msg, "a b\\nX\\033[31m\\377[1001] has waited"));
	for (p = msg; *p != '\n'; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	has_field(last(DXP_MSG_WAIT_SLOW), "DAXPIN_PATH=/mnt/pmem/d");
	assert_non_null(strstr(msg, "\nDAXPIN_COMM=a b\nX\x1b[31m\xff\n"));

	/* --debug: everything on stderr, escaped, one line a message */
	f = tmpfile();
	assert_non_null(f);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fileno(f), 2), 2);
	dxp_log_setup(&o);
	dxp_log(DXP_MSG_WAIT_SLOW, LOG_WARNING,
		&(struct dxp_log_wait){ .w = w, .abspath = "/m/d\n\x1b[2J" },
		(const char *const[]){ "DAXPIN_RULE=r\nx", NULL },
		"%s[%u] waits", w->comm, w->pid);
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	n = fread(out, 1, sizeof(out) - 1, (rewind(f), f));
	fclose(f);
	out[n] = '\0';
	assert_non_null(strchr(out, '\n'));
	assert_ptr_equal(strchr(out, '\n'), out + n - 1);	/* one line */
	for (p = out; *p != '\n'; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	assert_non_null(strstr(out, "] a b\\nX\\033[31m\\377[1001] waits "));
	assert_non_null(strstr(out, " DAXPIN_PATH=/m/d\\n\\033[2J "));
	assert_non_null(strstr(out, " DAXPIN_COMM=a b\\nX\\033[31m\\377 "));
	assert_non_null(strstr(out, " DAXPIN_RULE=r\\nx\n"));
	dxp_monitor_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hostile_names_logged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_warn_at_threshold_with_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_final_break_warned_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stalled_wait_is_kicked_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rescue_by_module_is_logged_not_kicked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stall_that_clears_before_deadline_is_not_kicked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stalled_wake_no_only_reports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_action_logs_before_and_after, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_logs_and_does_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_warn_names_holders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_warn_says_no_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holder_target_signals_holder_not_waiter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holder_target_without_holder_signals_nobody, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holder_target_never_pid1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holder_gone_before_confirmation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_hook_gets_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_hook_json_has_holders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_repeats_no_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resync_sweeps_and_adopts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_finds_wait_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_not_sent_on_failed_reread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_not_sent_by_set_config_after_missed_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_not_sent_to_other_wait_same_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timers_firing_together_cost_one_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_applies_new_thresholds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_module_gone_drops_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_rate_limit_reports_suppressed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_rate_limit_burst_zero_disables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_action_logging_is_rate_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_module_overrun_record_resyncs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_accounts_waits_never_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_late_events_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_absent_wait_pending_until_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_overflow_counts_missed_exactly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_cursor_follows_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_overflow_during_dump, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
