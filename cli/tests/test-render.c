// SPDX-License-Identifier: GPL-2.0
/* daxpinctl human output: tables, bcc-style histograms, event lines */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/render.h"
#include "lib/tests/builder.h"

struct out {
	FILE *f;
	char *buf;
	size_t len;
};

static void out_open(struct out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	assert_non_null(o->f);
}

static const char *out_close(struct out *o)
{
	fclose(o->f);
	return o->buf;
}

static unsigned int count_lines(const char *s)
{
	unsigned int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_waits_table(void **state)
{
	struct render_opts ro = { 0 };
	struct daxpin_waits w = { 0 };
	struct daxpin_wait arr[3];
	struct daxpin_mounts m = { 0 };
	struct daxpin_mount mnt = {
		.major = 259, .minor = 0, .root = "/", .mnt_point = "/mnt/pmem0",
		.fstype = "ext4", .source = "/dev/pmem0", .mnt_opts = "rw",
		.super_opts = "rw,dax=always",
	};
	struct out o;
	const char *s;
	unsigned int i;

	for (i = 0; i < 3; i++)
		tb_sample_wait(&arr[i], i);
	w.waits = arr;
	w.nr = 3;
	m.mounts = &mnt;
	m.nr = 1;

	out_open(&o);
	render_waits(o.f, &w, &m, &ro);
	s = out_close(&o);
	assert_int_equal(count_lines(s), 4);
	assert_non_null(strstr(s, "WAITED_MS"));
	/* wait 0 is stalled, on 259:0 whose mount is known */
	assert_non_null(strstr(s, "STALLED"));
	assert_non_null(strstr(s, "/mnt/pmem0/dir 0/file-0"));
	/* wait 1 is on 259:1: no mount, fs-relative path */
	assert_non_null(strstr(s, " /dir 1/file-1\n"));
	assert_non_null(strstr(s, "1234 "));	/* waited ms of wait 0 */
	/* holders: 0 not known, 1 none, 2 one process */
	assert_non_null(strstr(s, " HOLDERS "));
	assert_non_null(strstr(s, " none "));
	assert_non_null(strstr(s, " 6002/pinner-0 "));
	/* wait 2 is a final break (tb_sample_wait), the others are not */
	assert_non_null(strstr(s, " KIND "));
	assert_non_null(strstr(s, " final "));
	assert_non_null(strstr(s, " break "));
	free(o.buf);

	ro.human = true;
	ro.verbose = true;
	out_open(&o);
	render_waits(o.f, &w, &m, &ro);
	s = out_close(&o);
	assert_non_null(strstr(s, "ROUNDS"));
	assert_non_null(strstr(s, "1.23s"));
	assert_non_null(strstr(s, "0x1000"));	/* offset of wait 1 in hex */
	/* -v: a line per holder, and "none" said in words */
	assert_int_equal(count_lines(s), 6);
	assert_non_null(strstr(s, "    no process maps the page"));
	assert_non_null(strstr(s, "    holder pid 6002 tgid 6002 uid 1000 pinner-0 at 0x7f0000200000 in 0x7f0000200000-0x7f0000400000 shared,write dma-pinned mm-pinned\n"));
	free(o.buf);

	w.nr = 0;
	out_open(&o);
	render_waits(o.f, &w, &m, &ro);
	s = out_close(&o);
	assert_string_equal(s, "no waits in flight\n");
	free(o.buf);
}

static void test_hist_bars(void **state)
{
	struct daxpin_hist h = { 0 };
	struct out o;
	const char *s;

	out_open(&o);
	render_hist(o.f, &h, "usecs");
	s = out_close(&o);
	assert_string_equal(s, "");
	free(o.buf);

	h.count[2] = 10;
	h.count[4] = 5;
	out_open(&o);
	render_hist(o.f, &h, "usecs");
	s = out_close(&o);
	assert_int_equal(count_lines(s), 4);	/* header + buckets 2..4 */
	assert_non_null(strstr(s, "usecs"));
	assert_non_null(strstr(s,
		"         4 -> 7          : 10       |****************************************|\n"));
	assert_non_null(strstr(s,
		"         8 -> 15         : 0        |                                        |\n"));
	assert_non_null(strstr(s,
		"        16 -> 31         : 5        |********************                    |\n"));
	free(o.buf);
}

static void test_stats_text(void **state)
{
	struct render_opts ro = { .hist = true };
	struct daxpin_stats st = { 0 };
	struct daxpin_sb_stats sb = {
		.fs = "xfs", .dev_major = 259, .dev_minor = 1, .started = 5,
		.completed = 3, .interrupted = 1, .total_ns = 4000, .max_ns = 2500,
	};
	struct daxpin_gp_stats gp = {
		.primitive = DAXPIN_GP_SYNCHRONIZE_RCU,
		.context = DAXPIN_GP_CTX_KILL_DAX, .name = "synchronize_rcu",
		.count = 2, .total_ns = 30000000, .max_ns = 20000000,
		.has_missed = true, .missed = 7,
	};
	struct out o;
	const char *s;

	st.has_global = true;
	snprintf(st.global.version, sizeof(st.global.version), "0.1.0");
	st.global.waits_active = 1;
	st.global.waits_max = 1024;
	sb.hist.count[11] = 3;
	st.sb = &sb;
	st.nr_sb = 1;
	st.gp = &gp;
	st.nr_gp = 1;

	out_open(&o);
	render_stats(o.f, &st, NULL, &ro);
	s = out_close(&o);
	assert_non_null(strstr(s, "module 0.1.0: waits active 1/1024"));
	assert_non_null(strstr(s, "259:1"));
	assert_non_null(strstr(s, " 1000 "));	/* avg = 4000 / (3 + 1) */
	assert_non_null(strstr(s, "kill_dax"));
	assert_non_null(strstr(s, "15000000"));	/* gp avg */
	assert_non_null(strstr(s, "MISSED"));
	assert_non_null(strstr(s, "20000000     7\n"));	/* max, missed */
	assert_non_null(strstr(s, "wait time, 259:1 (xfs):"));
	assert_non_null(strstr(s, "      2048 -> 4095       : 3 "));
	free(o.buf);

	ro.human = true;
	ro.hist = false;
	out_open(&o);
	render_stats(o.f, &st, NULL, &ro);
	s = out_close(&o);
	assert_non_null(strstr(s, "15.0ms"));
	assert_null(strstr(s, "distribution"));
	free(o.buf);

	ro.only_sb = true;
	out_open(&o);
	render_stats(o.f, &st, NULL, &ro);
	s = out_close(&o);
	assert_non_null(strstr(s, "superblocks:"));
	assert_null(strstr(s, "grace periods"));
	free(o.buf);
}

static void test_scan_bench_config(void **state)
{
	struct render_opts ro = { 0 };
	struct daxpin_scan_page pages[2] = {
		{ .offset = 0, .pfn = 0x2400, .refcount = 3, .dma_pinned = true,
		  .has_pfn = true },
		{ .offset = 8192, .pfn = 0x2402, .refcount = 2, .pmd = true },
	};
	struct daxpin_scan sc = { .pages = pages, .nr = 2, .entries = 4,
				  .truncated = true };
	struct daxpin_bench_result r[1] = { {
		.primitive = 0, .name = "synchronize_rcu", .iterations = 20,
		.min_ns = 1000, .median_ns = 2000, .max_ns = 3000,
	} };
	struct daxpin_bench b = { .results = r, .nr = 1 };
	struct daxpin_config c = { .mask = DAXPIN_CFG_POLL_MS |
				   DAXPIN_CFG_OPEN_READS, .poll_ms = 100 };
	struct out o;
	const char *s;

	out_open(&o);
	render_scan(o.f, "/mnt/pmem0/f", &sc, &ro);
	s = out_close(&o);
	assert_non_null(strstr(s, "/mnt/pmem0/f: 2 busy pages or more, list truncated (4 DAX entries walked)"));
	assert_non_null(strstr(s, "0x2400"));
	/* the second page came without a pfn: shown as "-", never 0x0 */
	assert_null(strstr(s, "0x2402"));
	assert_null(strstr(s, "0x0 "));
	assert_int_equal(count_lines(s), 4);
	free(o.buf);

	sc.nr = 0;
	out_open(&o);
	render_scan(o.f, "/f", &sc, &ro);
	s = out_close(&o);
	assert_string_equal(s, "/f: no busy pages (4 DAX entries walked)\n");
	free(o.buf);

	out_open(&o);
	render_bench(o.f, &b, &ro);
	s = out_close(&o);
	assert_non_null(strstr(s, "MEDIAN_NS"));
	assert_non_null(strstr(s, "synchronize_rcu              20         1000         2000         3000\n"));
	free(o.buf);

	out_open(&o);
	render_config(o.f, &c);
	s = out_close(&o);
	assert_string_equal(s, "poll_ms       100\nopen_reads    no\n");
	free(o.buf);
}

static void test_event_lines(void **state)
{
	struct render_opts ro = { 0 };
	struct daxpin_event ev = {
		.type = DAXPIN_EVENT_WAIT_END, .time_ns = 12500000000ULL,
		.has_wait = true, .has_outcome = true,
		.outcome = DAXPIN_OUTCOME_COMPLETED,
	};
	struct out o;
	const char *s;

	tb_sample_wait(&ev.wait, 1);
	out_open(&o);
	render_event(o.f, &ev, NULL, &ro);
	s = out_close(&o);
	assert_int_equal(count_lines(s), 1);
	assert_non_null(strstr(s, "[    12.500000] wait_end"));
	assert_non_null(strstr(s, "id=1001 pid=4001 comm=trunc-1"));
	assert_non_null(strstr(s, "outcome=completed"));
	assert_non_null(strstr(s, "waited=1235ms"));
	assert_non_null(strstr(s, "pinned"));
	free(o.buf);

	ev.type = DAXPIN_EVENT_OVERRUN;
	out_open(&o);
	render_event(o.f, &ev, NULL, &ro);
	s = out_close(&o);
	assert_non_null(strstr(s, "overrun"));
	free(o.buf);
}

/* a comm or path may hold any byte but NUL: one row per wait, no byte
 * that a terminal would take as a control, ls -b escapes */
static void assert_printable(const char *s)
{
	for (; *s; s++)
		if (*s != '\n')
			assert_true((unsigned char)*s >= 0x20 &&
				    (unsigned char)*s != 0x7f);
}

static void test_hostile_names(void **state)
{
	struct render_opts ro = { 0 };
	struct daxpin_waits w = { 0 };
	struct daxpin_wait x;
	struct daxpin_event ev = {
		.type = DAXPIN_EVENT_WAIT_START, .time_ns = 1, .has_wait = true,
	};
	struct out o;
	const char *s;

	(void)state;
	tb_sample_wait(&x, 1);
	snprintf(x.comm, sizeof(x.comm), "a b\nc\x1b[31m\xff");
	snprintf(x.path, sizeof(x.path), "/d 1\n2\x1b[31m\xff\xfe");
	x.no_holder = false;
	x.nr_holders = 1;
	snprintf(x.holders[0].comm, sizeof(x.holders[0].comm), "h x\n\x1b[1m\xff");
	w.waits = &x;
	w.nr = 1;

	out_open(&o);
	render_waits(o.f, &w, NULL, &ro);
	s = out_close(&o);
	assert_int_equal(count_lines(s), 2);	/* header + one row */
	assert_printable(s);
	/* spaces escaped inside the table, kept in the last column */
	assert_non_null(strstr(s, " a\\ b\\nc\\033[31m\\377 "));
	assert_non_null(strstr(s, " /d 1\\n2\\033[31m\\377\\376\n"));
	assert_non_null(strstr(s, " 0/h\\ x\\n\\033[1m\\377 "));
	free(o.buf);

	ro.verbose = true;
	out_open(&o);
	render_waits(o.f, &w, NULL, &ro);
	s = out_close(&o);
	assert_int_equal(count_lines(s), 3);	/* + the holder's line */
	assert_printable(s);
	free(o.buf);

	ev.wait = x;
	out_open(&o);
	render_event(o.f, &ev, NULL, &ro);
	s = out_close(&o);
	assert_int_equal(count_lines(s), 1);
	assert_printable(s);
	assert_non_null(strstr(s, " comm=a\\ b\\nc\\033[31m\\377 "));
	assert_non_null(strstr(s, " path=/d 1\\n2\\033[31m\\377\\376\n"));
	free(o.buf);

	out_open(&o);
	render_scan(o.f, "/x\n\x1b]0;t\a", &(struct daxpin_scan){ 0 }, &ro);
	s = out_close(&o);
	assert_int_equal(count_lines(s), 1);
	assert_printable(s);
	assert_non_null(strstr(s, "/x\\n\\033]0;t\\a: no busy pages"));
	free(o.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waits_table),
		cmocka_unit_test(test_hist_bars),
		cmocka_unit_test(test_stats_text),
		cmocka_unit_test(test_scan_bench_config),
		cmocka_unit_test(test_event_lines),
		cmocka_unit_test(test_hostile_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
