// SPDX-License-Identifier: GPL-2.0
/*
 * The status --check verdict from recorded GET_STATS and GET_WAITS replies
 * (built the way daxpin.ko builds them): when the waits must be read at
 * all, when the walk stops, which waits are named, and the exit level.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cli/builtin.h"
#include "cli/status-check.h"
#include "lib/tests/builder.h"

#define MS	1000000ULL

/* a GET_STATS reply with this global summary, parsed by the library */
static void stats_reply(struct daxpin_stats *s, const struct daxpin_global *g)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_STATS, NLM_F_MULTI);

	assert_non_null(msg);
	assert_int_equal(tb_put_global(msg, g, true), 0);
	memset(s, 0, sizeof(*s));
	assert_int_equal(daxpin_msg_parse_stats(nlmsg_hdr(msg), s), 0);
	nlmsg_free(msg);
}

/*
 * A GET_WAITS dump of nr waits, fed to the walk callback as
 * daxpin_walk_waits() would; returns how many the walk consumed.
 */
static size_t walk(struct status_check *c, unsigned int nr,
		   uint64_t waited_ms, unsigned int stalled_every)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct daxpin_waits ws = { 0 };
	unsigned int i;
	size_t seen = 0;

	assert_non_null(msg);
	for (i = 0; i < nr; i++) {
		struct daxpin_wait w;

		tb_sample_wait(&w, i);
		w.waited_ns = waited_ms * MS + i;
		w.stalled = stalled_every && i % stalled_every == 0;
		assert_int_equal(tb_put_wait(msg, DAXPIN_ATTR_WAIT, &w, true), 0);
	}
	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &ws), 0);
	assert_int_equal(ws.nr, nr);
	while (seen < ws.nr) {
		int rc = status_check_note_wait(&ws.waits[seen++], c);

		assert_true(rc >= 0);
		if (rc > 0)
			break;
	}
	c->walked = true;
	daxpin_waits_free(&ws);
	nlmsg_free(msg);
	return seen;
}

/* the recorded stats reply g, judged with these thresholds */
static void start(struct status_check *c, struct daxpin_stats *s,
		  const struct daxpin_global *g, uint64_t warn_ms,
		  uint64_t crit_ms)
{
	stats_reply(s, g);
	assert_int_equal(status_check_init(c, warn_ms, crit_ms), 0);
	status_check_summary(c, s);
}

static void finish(struct status_check *c, struct daxpin_stats *s)
{
	status_check_fini(c);
	daxpin_stats_free(s);
}

static const char *reason_at(const struct status_check *c, size_t i)
{
	return json_object_get_string(json_object_array_get_idx(c->reasons, i));
}

static size_t nr_reasons(const struct status_check *c)
{
	return json_object_array_length(c->reasons);
}

static void test_module_errors(void **state)
{
	struct status_check c;

	(void)state;
	assert_int_equal(status_check_init(&c, 5000, 60000), 0);
	status_check_judge(&c, -DAXPIN_ENOMODULE, 0, 0, NULL);
	assert_int_equal(c.health, DAXPINCTL_CHECK_CRITICAL);
	assert_string_equal(reason_at(&c, 0), "daxpin.ko is not loaded");
	status_check_fini(&c);

	assert_int_equal(status_check_init(&c, 5000, 60000), 0);
	status_check_judge(&c, 0, -EPERM, 0, NULL);
	assert_int_equal(c.health, DAXPINCTL_CHECK_CRITICAL);
	assert_non_null(strstr(reason_at(&c, 0), "(run as root)"));
	status_check_fini(&c);
}

/* idle, and a thousand young waits: the summary answers, nothing is read */
static void test_summary_only(void **state)
{
	struct daxpin_global g = { .version = "0.1.0", .has_summary = true };
	struct daxpin_stats s;
	struct status_check c;

	(void)state;
	start(&c, &s, &g, 5000, 60000);
	assert_true(c.has_summary);
	assert_false(status_check_must_walk(&c));
	status_check_judge(&c, 0, 0, 0, &s);
	assert_int_equal(c.health, DAXPINCTL_CHECK_OK);
	assert_int_equal(nr_reasons(&c), 0);
	finish(&c, &s);

	g.waits_active = 1000;
	g.oldest_waited_ns = 4999 * MS;
	start(&c, &s, &g, 5000, 60000);
	assert_int_equal(c.nr_waits, 1000);
	assert_false(status_check_must_walk(&c));
	status_check_judge(&c, 0, 0, 0, &s);
	assert_int_equal(c.health, DAXPINCTL_CHECK_OK);
	finish(&c, &s);
}

/* one stalled wait among young ones: read, named with its kick command */
static void test_stalled_named(void **state)
{
	struct daxpin_global g = {
		.version = "0.1.0", .has_summary = true, .waits_active = 4,
		.waits_stalled = 1, .oldest_waited_ns = 900 * MS,
	};
	struct daxpin_stats s;
	struct status_check c;

	(void)state;
	start(&c, &s, &g, 5000, 60000);
	assert_true(status_check_must_walk(&c));
	assert_int_equal(walk(&c, 4, 900, 4), 4);	/* wait 1000 stalled */
	status_check_judge(&c, 0, 0, 0, &s);
	assert_int_equal(c.health, DAXPINCTL_CHECK_WARNING);
	assert_int_equal(nr_reasons(&c), 1);
	assert_non_null(strstr(reason_at(&c, 0), "wait 1000: trunc-0[4000] stuck 900 ms on ext4 259:0 ino 12 /dir 0/file-0"));
	assert_non_null(strstr(reason_at(&c, 0), "'daxpinctl kick 1000'"));
	finish(&c, &s);
}

/* stuck waits name their holders, or say that no process maps the page */
static void test_stuck_names_holders(void **state)
{
	struct daxpin_global g = {
		.version = "0.1.0", .has_summary = true, .waits_active = 3,
		.oldest_waited_ns = 9000 * MS,
	};
	struct daxpin_stats s;
	struct status_check c;

	(void)state;
	start(&c, &s, &g, 5000, 60000);
	assert_int_equal(walk(&c, 3, 9000, 0), 3);	/* sample holders: ?, none, one */
	status_check_judge(&c, 0, 0, 0, &s);
	assert_int_equal(nr_reasons(&c), 3);
	assert_null(strstr(reason_at(&c, 0), "held by"));
	assert_null(strstr(reason_at(&c, 0), "mapped by"));
	assert_non_null(strstr(reason_at(&c, 1), "/dir 1/file-1; mapped by no process"));
	assert_non_null(strstr(reason_at(&c, 2), "/dir 2/file-2; held by pinner-0[6002]"));
	finish(&c, &s);
}

/*
 * A thousand waits past the critical age: the walk stops at the sixth stuck
 * one, five are named, one line counts the rest from the summary.
 */
static void test_many_stuck(void **state)
{
	struct daxpin_global g = {
		.version = "0.1.0", .has_summary = true, .waits_active = 1000,
		.oldest_waited_ns = 61000 * MS,
	};
	struct daxpin_stats s;
	struct status_check c;

	(void)state;
	start(&c, &s, &g, 5000, 60000);
	assert_true(status_check_must_walk(&c));
	assert_int_equal(walk(&c, 1000, 61000, 0), 6);
	assert_int_equal(c.nr_named, STATUS_CHECK_NAMED);
	assert_true(c.more_stuck);
	status_check_judge(&c, 0, 0, 0, &s);
	assert_int_equal(c.health, DAXPINCTL_CHECK_CRITICAL);
	assert_int_equal(nr_reasons(&c), 6);
	assert_non_null(strstr(reason_at(&c, 4), "wait 1004:"));
	assert_string_equal(reason_at(&c, 5),
		"more stuck waits: 1000 in flight, 0 stalled, oldest 61000 ms: see 'daxpinctl waits'");
	finish(&c, &s);
}

/* a module without the summary: every wait is read and counted */
static void test_no_summary(void **state)
{
	struct daxpin_global g = { .version = "0.1.0", .waits_active = 10 };
	struct daxpin_stats s;
	struct status_check c;

	(void)state;
	start(&c, &s, &g, 5000, 60000);
	assert_false(s.global.has_summary);
	assert_false(c.has_summary);
	assert_true(status_check_must_walk(&c));
	assert_int_equal(walk(&c, 10, 7000, 3), 10);	/* never stops */
	assert_int_equal(c.nr_waits, 10);
	assert_int_equal(c.nr_stalled, 4);		/* 0, 3, 6, 9 */
	assert_int_equal(c.oldest_ns, 7000 * MS + 9);
	assert_int_equal(c.nr_named, STATUS_CHECK_NAMED);
	status_check_judge(&c, 0, 0, 0, &s);
	assert_int_equal(c.health, DAXPINCTL_CHECK_WARNING);
	assert_string_equal(reason_at(&c, 5),
		"more stuck waits: 10 in flight, 4 stalled, oldest 7000 ms: see 'daxpinctl waits'");
	finish(&c, &s);
}

/* the stuck waits ended between the summary and the walk: healthy */
static void test_ended_before_walk(void **state)
{
	struct daxpin_global g = {
		.version = "0.1.0", .has_summary = true, .waits_active = 1,
		.oldest_waited_ns = 8000 * MS,
	};
	struct daxpin_stats s;
	struct status_check c;

	(void)state;
	start(&c, &s, &g, 5000, 60000);
	assert_true(status_check_must_walk(&c));
	assert_int_equal(walk(&c, 0, 0, 0), 0);
	status_check_judge(&c, 0, 0, 0, &s);
	assert_int_equal(c.health, DAXPINCTL_CHECK_OK);
	assert_int_equal(nr_reasons(&c), 0);
	finish(&c, &s);
}

/* --crit-ms below --warn-ms: a critical wait is still stuck and named */
static void test_crit_below_warn(void **state)
{
	struct daxpin_global g = {
		.version = "0.1.0", .has_summary = true, .waits_active = 1,
		.oldest_waited_ns = 3000 * MS,
	};
	struct daxpin_stats s;
	struct status_check c;

	(void)state;
	start(&c, &s, &g, 10000, 2000);
	assert_true(status_check_must_walk(&c));
	walk(&c, 1, 3000, 0);
	status_check_judge(&c, 0, 0, 0, &s);
	assert_int_equal(c.health, DAXPINCTL_CHECK_CRITICAL);
	assert_int_equal(nr_reasons(&c), 1);
	finish(&c, &s);
}

/* dropped waits are critical, dropped events a warning */
static void test_dropped(void **state)
{
	struct daxpin_global g = {
		.version = "0.1.0", .has_summary = true, .waits_max = 1024,
		.waits_dropped = 3, .events_dropped = 7,
	};
	struct daxpin_stats s;
	struct status_check c;

	(void)state;
	start(&c, &s, &g, 5000, 60000);
	status_check_judge(&c, 0, 0, 0, &s);
	assert_int_equal(c.health, DAXPINCTL_CHECK_CRITICAL);
	assert_int_equal(nr_reasons(&c), 2);
	assert_non_null(strstr(reason_at(&c, 0), "3 waits not tracked (table full, max_waits 1024)"));
	assert_non_null(strstr(reason_at(&c, 1), "7 events dropped"));
	assert_string_equal(status_check_health_name(c.health), "critical");
	finish(&c, &s);
}

/* a stuck wait's comm and path are escaped in its reason (ls -b): the
 * one-line --check output stays one line, no control reaches a terminal */
static void test_hostile_names(void **state)
{
	struct daxpin_global g = {
		.version = "0.1.0", .has_summary = true, .waits_active = 1,
		.waits_stalled = 1, .oldest_waited_ns = 900 * MS,
	};
	struct daxpin_stats s;
	struct status_check c;
	struct daxpin_wait w;
	const char *r;

	(void)state;
	start(&c, &s, &g, 5000, 60000);
	tb_sample_wait(&w, 0);
	w.stalled = true;
	w.waited_ns = 900 * MS;
	snprintf(w.comm, sizeof(w.comm), "a b\n\x1b[31m\xff");
	snprintf(w.path, sizeof(w.path), "/d 1\nDAXPIN OK\x1b[2J\xfe");
	c.walked = true;
	assert_int_equal(status_check_note_wait(&w, &c), 0);
	status_check_judge(&c, 0, 0, 0, &s);
	assert_int_equal(nr_reasons(&c), 1);
	r = reason_at(&c, 0);
	assert_null(strpbrk(r, "\n\x1b"));
	assert_non_null(strstr(r, ": a\\ b\\n\\033[31m\\377[4000] stuck"));
	assert_non_null(strstr(r, " /d 1\\nDAXPIN OK\\033[2J\\376 (stalled"));
	finish(&c, &s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_errors),
		cmocka_unit_test(test_summary_only),
		cmocka_unit_test(test_stalled_named),
		cmocka_unit_test(test_stuck_names_holders),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_many_stuck),
		cmocka_unit_test(test_no_summary),
		cmocka_unit_test(test_ended_before_walk),
		cmocka_unit_test(test_crit_below_warn),
		cmocka_unit_test(test_dropped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
