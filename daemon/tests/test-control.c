// SPDX-License-Identifier: GPL-2.0-or-later
/* Control-socket permissions, request framing, the runtime drop-in and
 * metrics rendering. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/config.h"
#include "daemon/control.h"
#include "daemon/metrics.h"

static void test_access(void **state)
{
	gid_t sup[] = { 10, 4242, 20 };

	assert_int_equal(dxp_control_access(0, 0, NULL, 0, 4242), DXP_ACCESS_ADMIN);
	assert_int_equal(dxp_control_access(0, 0, NULL, 0, (gid_t)-1), DXP_ACCESS_ADMIN);
	assert_int_equal(dxp_control_access(1000, 4242, NULL, 0, 4242), DXP_ACCESS_READ);
	assert_int_equal(dxp_control_access(1000, 100, sup, 3, 4242), DXP_ACCESS_READ);
	assert_int_equal(dxp_control_access(1000, 100, sup, 1, 4242), DXP_ACCESS_NONE);
	assert_int_equal(dxp_control_access(1000, 100, NULL, 0, 4242), DXP_ACCESS_NONE);
	/* No group configured: only root. */
	assert_int_equal(dxp_control_access(1000, 4242, sup, 3, (gid_t)-1), DXP_ACCESS_NONE);
}

static void test_commands(void **state)
{
	static const char *const reads[] = { "status", "policy", "waits", "metrics" };
	static const char *const changes[] = { "set", "kick", "reload" };

	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(dxp_control_check(reads[i], DXP_ACCESS_READ), 0);
		assert_int_equal(dxp_control_check(reads[i], DXP_ACCESS_NONE), -EACCES);
	}
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(dxp_control_check(changes[i], DXP_ACCESS_ADMIN), 0);
		assert_int_equal(dxp_control_check(changes[i], DXP_ACCESS_READ), -EACCES);
	}
	assert_int_equal(dxp_control_check("shutdown", DXP_ACCESS_ADMIN), -EOPNOTSUPP);
}

static void test_metrics(void **state)
{
	struct dxp_monitor m;
	struct dxp_tracked t1, t2;
	struct daxpin_sb_stats sb;
	struct daxpin_gp_stats gp;
	struct daxpin_stats st;
	struct dxp_metrics_input in;
	char *text, dir[] = "/tmp/daxpind-test-metrics.XXXXXX", path[128], buf[16384];
	size_t len;
	FILE *f;
	struct stat sbuf;

	memset(&m, 0, sizeof(m));
	memset(&t1, 0, sizeof(t1));
	memset(&t2, 0, sizeof(t2));
	t1.next = &t2;
	t2.w.stalled = true;
	m.waits = &t1;
	m.n_waits = 2;
	m.c.outcome[DXP_OUT_COMPLETED] = 7;
	m.c.kicks[DXP_RES_OK] = 3;
	m.c.actions[DXP_ACTION_SIGNAL][DXP_RES_DRY_RUN] = 2;
	m.c.holder_actions[DXP_HOLDER_NO_HOLDER] = 4;
	m.c.holder_signals[DXP_RES_FAILED] = 5;
	m.c.overruns = 1;

	memset(&sb, 0, sizeof(sb));
	strcpy(sb.fs, "ext4");
	sb.dev_major = 259;
	sb.started = 8;
	sb.completed = 7;
	sb.total_ns = 1500000000;
	sb.hist.count[0] = 1;	/* [0, 2) us */
	sb.hist.count[3] = 2;	/* [8, 16) us */
	memset(&gp, 0, sizeof(gp));
	gp.primitive = DAXPIN_GP_SYNCHRONIZE_RCU;
	gp.context = DAXPIN_GP_CTX_KILL_DAX;
	gp.hist.count[10] = 5;
	memset(&st, 0, sizeof(st));
	st.has_global = true;
	st.global.events_dropped = 4;
	st.sb = &sb;
	st.nr_sb = 1;
	st.gp = &gp;
	st.nr_gp = 1;

	t1.w.start_ns = 1000000000;		/* 2.5 s old at now_ns */
	t1.track.done = DXP_DONE_WARN;
	t2.w.start_ns = 3000000000;
	strcpy(st.global.version, "0.9 \"x\"");
	in = (struct dxp_metrics_input) {
		.m = &m, .stats = &st, .log_suppressed = 9, .now_ns = 3500000000,
		.wall_ns = 1700000000123456789ULL, .version = "1.2", .kernel = "6.1.0-57-amd64",
	};
	assert_int_equal(dxp_metrics_render(&in, &text, &len), 0);
	assert_int_equal(strlen(text), len);
#define HAS(line) do { if (!strstr(text, line "\n")) fail_msg("missing: %s\n%s", line, text); } while (0)
	HAS("daxpin_build_info{version=\"1.2\",module_version=\"0.9 \\\"x\\\"\",kernel=\"6.1.0-57-amd64\"} 1");
	HAS("daxpin_metrics_timestamp_seconds 1700000000.123456789");
	HAS("daxpin_waits_in_flight 2");
	HAS("daxpin_waits_stuck 1");
	HAS("daxpin_waits_stalled 1");
	HAS("daxpin_wait_oldest_seconds 2.500000000");
	HAS("daxpin_waits_ended_total{outcome=\"completed\"} 7");
	HAS("daxpin_kicks_total{result=\"ok\"} 3");
	HAS("daxpin_actions_total{action=\"signal\",result=\"dry_run\"} 2");
	HAS("daxpin_holder_actions_total{result=\"no_holder\"} 4");
	HAS("daxpin_holder_actions_total{result=\"signalled\"} 0");
	HAS("daxpin_holder_signals_total{result=\"failed\"} 5");
	HAS("daxpin_holder_signals_total{result=\"ok\"} 0");
	HAS("daxpin_event_overruns_total 1");
	HAS("daxpin_log_messages_suppressed_total 9");
	HAS("daxpin_module_events_dropped_total 4");
	HAS("# TYPE daxpin_wait_duration_seconds histogram");
	/* Cumulative buckets with exact bounds in seconds: every bound from
	 * 2 us to 2^31 us, empty or not, then +Inf. */
	HAS("daxpin_wait_duration_seconds_bucket{fs=\"ext4\",maj_min=\"259:0\",le=\"0.000002\"} 1");
	HAS("daxpin_wait_duration_seconds_bucket{fs=\"ext4\",maj_min=\"259:0\",le=\"0.000008\"} 1");
	HAS("daxpin_wait_duration_seconds_bucket{fs=\"ext4\",maj_min=\"259:0\",le=\"0.000016\"} 3");
	HAS("daxpin_wait_duration_seconds_bucket{fs=\"ext4\",maj_min=\"259:0\",le=\"1.048576\"} 3");
	HAS("daxpin_wait_duration_seconds_bucket{fs=\"ext4\",maj_min=\"259:0\",le=\"2147.483648\"} 3");
	HAS("daxpin_wait_duration_seconds_bucket{fs=\"ext4\",maj_min=\"259:0\",le=\"+Inf\"} 3");
	HAS("daxpin_wait_duration_seconds_sum{fs=\"ext4\",maj_min=\"259:0\"} 1.500000000");
	HAS("daxpin_wait_duration_seconds_count{fs=\"ext4\",maj_min=\"259:0\"} 3");
	HAS("daxpin_grace_period_seconds_bucket{primitive=\"synchronize_rcu\",context=\"kill_dax\",le=\"0.001024\"} 0");
	HAS("daxpin_grace_period_seconds_bucket{primitive=\"synchronize_rcu\",context=\"kill_dax\",le=\"0.002048\"} 5");
	HAS("daxpin_grace_period_seconds_bucket{primitive=\"synchronize_rcu\",context=\"kill_dax\",le=\"+Inf\"} 5");
	HAS("daxpin_fs_waits_started_total{fs=\"ext4\",maj_min=\"259:0\"} 8");
	HAS("daxpin_fs_waits_ended_total{fs=\"ext4\",maj_min=\"259:0\",outcome=\"completed\"} 7");
	/* One namespace, no rounded bound, no "started" outcome. */
	assert_null(strstr(text, "daxpind_"));
	assert_null(strstr(text, "e-0"));
	assert_null(strstr(text, "outcome=\"started\""));
	{
		/* Every histogram series has the same 31 bounds + Inf. */
		size_t n = 0;

		for (const char *p = text; (p = strstr(p, "daxpin_wait_duration_seconds_bucket{")); p++)
			n++;
		assert_int_equal(n, DAXPIN_HIST_BUCKETS);
	}

	/* Atomic write: the file appears complete, 0644, no temp left. */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/daxpin.prom", dir);
	assert_int_equal(dxp_metrics_write(path, text, len), 0);
	assert_int_equal(stat(path, &sbuf), 0);
	assert_int_equal(sbuf.st_mode & 0777, 0644);
	f = fopen(path, "r");
	assert_int_equal(fread(buf, 1, sizeof(buf), f), len);
	fclose(f);
	assert_memory_equal(buf, text, len);
	snprintf(buf, sizeof(buf), "ls -A %s | wc -l | grep -qx 1 && rm -rf %s", dir, dir);
	assert_int_equal(system(buf), 0);
	/* Module absent: only daemon metrics, and it says so. */
	free(text);
	in.stats = NULL;
	assert_int_equal(dxp_metrics_render(&in, &text, &len), 0);
	HAS("daxpin_module_loaded 0");
	assert_null(strstr(text, "daxpin_wait_duration_seconds_bucket"));
	free(text);
}

/* One JSON object a line, nothing after it but blanks. */
static void test_parse_request(void **state)
{
	static const char *const good[] = {
		"{\"cmd\":\"status\"}", "{\"cmd\":\"status\"}  \t\r", " {\"cmd\":\"status\"}",
		"{}",
	};
	static const char *const bad[] = {
		"{\"cmd\":\"status\"} x", "{\"cmd\":\"status\"}{\"cmd\":\"reload\"}",
		"{\"cmd\":\"status\"} {}", "{\"cmd\":\"status\"}]", "x", "[1]", "1", "\"s\"",
		"null", "{", "{\"cmd\":", "",
	};
	const char *why;
	struct json_object *o;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		o = dxp_control_parse_request(good[i], strlen(good[i]), &why);
		if (!o)
			fail_msg("rejected: %s (%s)", good[i], why);
		json_object_put(o);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = dxp_control_parse_request(bad[i], strlen(bad[i]), &why);
		if (o)
			fail_msg("accepted: %s", bad[i]);
	}
	/* a NUL after the object is data after it */
	assert_null(dxp_control_parse_request("{}\0{}", 5, &why));
	assert_string_equal(why, "request has data after its JSON object");
}

static char *slurp(const char *path, size_t *len)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	*len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* A section name may not end its "[...]" line early: no injected lines. */
static void test_runtime_section(void **state)
{
	static const char *const bad[] = {
		"Mount /mnt/a]\n[Policy", "Mount /mnt/a\nWarnAfterSec=1", "Mount /mnt/a]",
		"Mount /mnt/a\r", "Mount /mnt/\x1b[31m", "Mount /mnt/a#b", "Mount /mnt/a;b",
		"Policy\n",
	};
	char dir[] = "/tmp/daxpind-test-runtime.XXXXXX", path[128], err[512];
	struct stat st;
	size_t len;
	char *text;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/99-runtime.conf", dir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = dxp_config_runtime_set(path, bad[i], "WarnAfterSec", "9", err, sizeof(err));

		if (r != -EINVAL || stat(path, &st) == 0) {
			text = slurp(path, &len);
			fail_msg("section \"%s\": %d, file:\n%s", bad[i], r, text ? text : "(none)");
		}
	}
	assert_int_equal(dxp_config_runtime_set(path, "Policy", "WarnAfterSec", "9\r", err,
						sizeof(err)), -EINVAL);
	assert_int_equal(dxp_config_runtime_set(path, "Mount /mnt/a b", "WarnAfterSec", "9", err,
						sizeof(err)), 0);
	text = slurp(path, &len);
	assert_non_null(text);
	assert_non_null(strstr(text, "\n[Mount /mnt/a b]\nWarnAfterSec = 9\n"));
	unlink(path);
	rmdir(dir);
}

/* A rejected change is put back by rename (readers never see a torn or
 * empty file), byte for byte; with no file before, it is removed. */
static void test_runtime_restore(void **state)
{
	static const char saved[] = "[Policy]\nWarnAfterSec = 3\n\0odd\n";
	char dir[] = "/tmp/daxpind-test-restore.XXXXXX", path[128];
	struct stat before, after;
	size_t len;
	char *text;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/99-runtime.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[Policy]\nAction = exec\n", f);
	fclose(f);
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(dxp_config_runtime_restore(path, saved, sizeof(saved) - 1), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_int_not_equal(before.st_ino, after.st_ino);
	assert_int_equal(after.st_mode & 0777, 0644);
	text = slurp(path, &len);
	assert_int_equal(len, sizeof(saved) - 1);
	assert_memory_equal(text, saved, len);
	assert_int_equal(dxp_config_runtime_restore(path, NULL, 0), 0);
	assert_int_not_equal(stat(path, &after), 0);
	assert_int_equal(dxp_config_runtime_restore(path, NULL, 0), 0);
	assert_int_equal(rmdir(dir), 0);	/* no temp file left */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_parse_request),
		cmocka_unit_test(test_runtime_section),
		cmocka_unit_test(test_runtime_restore),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
