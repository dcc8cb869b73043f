// SPDX-License-Identifier: GPL-2.0
/*
 * daxpinctl's rendering of daxpind control-socket replies (status, policy,
 * metrics) from recorded replies: normal, empty, huge and malformed ones.
 * Malformed replies must give -EBADMSG and a reason, never a crash.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/render-daemon.h"
#include "lib/daxpin-control.h"

/* recorded from daxpind (daemon/daxpind.c cmd_policy/cmd_status) */
static const char policy_reply[] =
	"{\"policy\":{\"WarnAfterSec\":{\"value\":\"5\",\"source\":\"default\"},"
	"\"NonTransientAfterSec\":{\"value\":\"30\",\"source\":\"default\"},"
	"\"StalledWake\":{\"value\":\"yes\",\"source\":\"default\"},"
	"\"StalledAfterSec\":{\"value\":\"1\",\"source\":\"default\"},"
	"\"Action\":{\"value\":\"signal\",\"source\":\"/etc/daxpin/daxpind.conf:3\"},"
	"\"ActionAfterSec\":{\"value\":\"300\",\"source\":\"/etc/daxpin/daxpind.conf:4\"},"
	"\"ActionSignal\":{\"value\":\"SIGTERM\",\"source\":\"default\"},"
	"\"ExecHook\":{\"value\":\"\",\"source\":\"default\"},"
	"\"ExecTimeoutSec\":{\"value\":\"10\",\"source\":\"default\"},"
	"\"DryRun\":{\"value\":\"no\",\"source\":\"default\"}},"
	"\"sections\":[{\"section\":\"Mount /srv/pmem0\",\"settings\":"
	"{\"ActionAfterSec\":{\"value\":\"60\",\"source\":\"/run/daxpin/daxpind.conf.d/99-runtime.conf:2\"}}}],"
	"\"daemon\":{\"MetricsPath\":{\"value\":\"/run/daxpin/daxpind.prom\",\"source\":\"default\"}},"
	"\"files\":[\"/etc/daxpin/daxpind.conf\"],"
	"\"runtime_dropin\":\"/run/daxpin/daxpind.conf.d/99-runtime.conf\",\"ok\":true}\n";

static const char status_reply[] =
	"{\"version\":\"0.3\",\"pid\":812,\"module_loaded\":true,\"synced\":true,"
	"\"waits_in_flight\":2,\"waits_stalled\":1,\"dry_run\":false,"
	"\"status\":\"2 waits\",\"counters\":{\"waits_tracked\":9},\"ok\":true}\n";

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

static struct json_object *parse_ok(const char *s)
{
	struct json_object *r;
	char why[256];

	assert_int_equal(daxpin_control_parse_reply(s, strlen(s), &r, why,
						    sizeof(why)), 0);
	assert_non_null(r);
	return r;
}

static int parse(const char *s, struct json_object **r, char *why,
		 size_t len)
{
	return daxpin_control_parse_reply(s, strlen(s), r, why, len);
}

static void test_parse_reply(void **state)
{
	static const char *const bad[] = {
		"", "\n", "{", "{\"ok\":true", "[1,2]", "\"ok\"", "42",
		"{\"ok\":true} trailing", "{\"ok\":\"yes\"}", "{}", "null",
		"\xff\xfe", "{\"ok\":true,\"a\":[1,{]}",
	};
	struct json_object *r;
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(daxpin_control_parse_reply(bad[i],
			strlen(bad[i]), &r, why, sizeof(why)), -EBADMSG);
		assert_null(r);
		assert_true(why[0] != '\0');
	}
	/* daxpind's error replies: errno and message carried through */
	assert_int_equal(parse("{\"ok\":false,\"error\":\"nope\",\"errno\":13}", &r, why, sizeof(why)), -EACCES);
	assert_string_equal(why, "nope");
	assert_int_equal(parse("{\"ok\":false,\"errno\":\"x\"}", &r, why, sizeof(why)),
		-EPROTO);
	assert_int_equal(parse("{\"ok\":false,\"errno\":-5,\"error\":7}", &r, why, sizeof(why)), -EPROTO);
	r = parse_ok("{\"ok\":true}\n");
	json_object_put(r);
}

static void test_policy(void **state)
{
	struct json_object *r = parse_ok(policy_reply), *doc, *v;
	struct out o;
	const char *s;
	char why[256];

	(void)state;
	assert_int_equal(daemon_policy_doc(r, &doc, why, sizeof(why)), 0);
	json_object_put(r);
	assert_true(json_object_object_get_ex(doc, "settings", &v));
	assert_true(json_object_is_type(v, json_type_array));
	assert_int_equal(json_object_array_length(v), 10);
	assert_true(json_object_object_get_ex(doc, "sections", &v));
	assert_int_equal(json_object_array_length(v), 1);

	out_open(&o);
	render_policy(o.f, doc);
	s = out_close(&o);
	assert_non_null(strstr(s, "[Policy]\n"));
	/* aligned: key column padded to the longest key */
	assert_non_null(strstr(s, "  WarnAfterSec          5 "));
	assert_non_null(strstr(s, "[Mount /srv/pmem0]\n"));
	assert_non_null(strstr(s, "99-runtime.conf:2"));
	assert_non_null(strstr(s, "[Daemon]\n"));
	assert_non_null(strstr(s, "runtime changes: /run/daxpin/daxpind.conf.d/99-runtime.conf"));
	free(o.buf);
	json_object_put(doc);
}

static void test_policy_malformed(void **state)
{
	static const char *const bad[] = {
		"{\"ok\":true}",
		"{\"ok\":true,\"policy\":[],\"sections\":[],\"daemon\":{},\"files\":[],\"runtime_dropin\":\"x\"}",
		"{\"ok\":true,\"policy\":{\"A\":1},\"sections\":[],\"daemon\":{},\"files\":[],\"runtime_dropin\":\"x\"}",
		"{\"ok\":true,\"policy\":{\"A\":{\"value\":\"1\"}},\"sections\":[],\"daemon\":{},\"files\":[],\"runtime_dropin\":\"x\"}",
		"{\"ok\":true,\"policy\":{},\"sections\":[1],\"daemon\":{},\"files\":[],\"runtime_dropin\":\"x\"}",
		"{\"ok\":true,\"policy\":{},\"sections\":[{\"section\":\"Mount /m\",\"settings\":{\"K\":null}}],\"daemon\":{},\"files\":[],\"runtime_dropin\":\"x\"}",
		"{\"ok\":true,\"policy\":{},\"sections\":[],\"daemon\":{},\"files\":[3],\"runtime_dropin\":\"x\"}",
		"{\"ok\":true,\"policy\":{},\"sections\":[],\"daemon\":{},\"files\":[],\"runtime_dropin\":null}",
	};
	struct json_object *r, *doc;
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = parse_ok(bad[i]);
		why[0] = '\0';
		assert_int_equal(daemon_policy_doc(r, &doc, why, sizeof(why)),
				 -EBADMSG);
		assert_null(doc);
		assert_true(why[0] != '\0');
		json_object_put(r);
	}
	assert_int_equal(daemon_policy_doc(NULL, &doc, why, sizeof(why)),
			 -EBADMSG);

	/* empty but well-formed: renders headers only */
	r = parse_ok("{\"ok\":true,\"policy\":{},\"sections\":[],\"daemon\":{},\"files\":[],\"runtime_dropin\":\"\"}");
	assert_int_equal(daemon_policy_doc(r, &doc, why, sizeof(why)), 0);
	{
		struct out o;

		out_open(&o);
		render_policy(o.f, doc);
		assert_non_null(strstr(out_close(&o), "files: none"));
		free(o.buf);
	}
	json_object_put(doc);
	json_object_put(r);
}

static void test_policy_huge(void **state)
{
	size_t n = 5000, i, len = 0, cap = n * 160 + 4096;
	char *s = malloc(cap);
	struct json_object *r, *doc, *v, *sr;
	char why[256];
	struct out o;

	(void)state;
	assert_non_null(s);
	len += snprintf(s + len, cap - len, "{\"ok\":true,\"policy\":{},\"sections\":[");
	for (i = 0; i < n; i++)
		len += snprintf(s + len, cap - len,
			"%s{\"section\":\"Mount /mnt/p%zu\",\"settings\":{\"WarnAfterSec\":{\"value\":\"%zu\",\"source\":\"/etc/x.conf:%zu\"}}}",
			i ? "," : "", i, i, i);
	len += snprintf(s + len, cap - len,
		"],\"daemon\":{},\"files\":[],\"runtime_dropin\":\"r\"}\n");
	assert_true(len < cap);
	r = parse_ok(s);
	free(s);
	assert_int_equal(daemon_policy_doc(r, &doc, why, sizeof(why)), 0);
	assert_true(json_object_object_get_ex(doc, "sections", &v));
	assert_int_equal(json_object_array_length(v), n);
	out_open(&o);
	render_policy(o.f, doc);
	assert_non_null(strstr(out_close(&o), "[Mount /mnt/p4999]"));
	free(o.buf);
	/* the status summary counts the sections */
	sr = parse_ok(status_reply);	/* daemon_status_doc() does not take it */
	v = daemon_status_doc("/run/daxpin/control", 0, NULL, sr, r, 5);
	assert_int_equal(json_object_get_int(json_object_object_get(v, "policy_sections")), n);
	json_object_put(v);
	json_object_put(sr);
	json_object_put(doc);
	json_object_put(r);
}

static void test_metrics(void **state)
{
	static const char *const bad[] = {
		"{\"ok\":true}", "{\"ok\":true,\"text\":5}",
		"{\"ok\":true,\"text\":null}", "{\"ok\":true,\"text\":[\"a\"]}",
	};
	struct json_object *r, *doc, *v;
	char why[256], *big;
	size_t i, n = 100000, len = 0;
	struct out o;
	const char *s;

	(void)state;
	r = parse_ok("{\"ok\":true,\"text\":\"# HELP daxpin_waits_in_flight Waits.\\n"
		     "# TYPE daxpin_waits_in_flight gauge\\ndaxpin_waits_in_flight 2\\n"
		     "daxpin_waits_total{outcome=\\\"completed\\\"} 7\\n\"}");
	assert_int_equal(daemon_metrics_doc(r, &doc, why, sizeof(why)), 0);
	json_object_put(r);
	assert_true(json_object_object_get_ex(doc, "samples", &v));
	assert_int_equal(json_object_get_int(v), 2);
	out_open(&o);
	render_metrics(o.f, doc);
	s = out_close(&o);
	assert_non_null(strstr(s, "daxpin_waits_in_flight 2\n"));
	assert_non_null(strstr(s, "outcome=\"completed\""));
	free(o.buf);
	json_object_put(doc);

	/* empty text: no output, no samples */
	r = parse_ok("{\"ok\":true,\"text\":\"\"}");
	assert_int_equal(daemon_metrics_doc(r, &doc, why, sizeof(why)), 0);
	assert_int_equal(json_object_get_int(json_object_object_get(doc, "samples")), 0);
	out_open(&o);
	render_metrics(o.f, doc);
	assert_string_equal(out_close(&o), "");
	free(o.buf);
	json_object_put(doc);
	json_object_put(r);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = parse_ok(bad[i]);
		assert_int_equal(daemon_metrics_doc(r, &doc, why, sizeof(why)),
				 -EBADMSG);
		assert_null(doc);
		json_object_put(r);
	}

	/* huge: 100000 samples, about 4 MB, no trailing newline */
	big = malloc(n * 48 + 64);
	assert_non_null(big);
	len = sprintf(big, "{\"ok\":true,\"text\":\"");
	for (i = 0; i < n; i++)
		len += sprintf(big + len, "%sdaxpin_x{fs=\\\"f%zu\\\"} %zu",
			       i ? "\\n" : "", i, i);
	len += sprintf(big + len, "\"}");
	r = parse_ok(big);
	free(big);
	assert_int_equal(daemon_metrics_doc(r, &doc, why, sizeof(why)), 0);
	assert_int_equal(json_object_get_int(json_object_object_get(doc, "samples")), n);
	out_open(&o);
	render_metrics(o.f, doc);
	s = out_close(&o);
	assert_int_equal(s[strlen(s) - 1], '\n');
	free(o.buf);
	json_object_put(doc);
	json_object_put(r);
}

static void test_status(void **state)
{
	struct json_object *sr = parse_ok(status_reply);
	struct json_object *pr = parse_ok(policy_reply);
	struct json_object *d, *v;
	struct out o;
	const char *s;

	(void)state;
	d = daemon_status_doc("/run/daxpin/control", 0, NULL, sr, pr, 3725000000000LL);
	assert_true(json_object_get_boolean(json_object_object_get(d, "reachable")));
	assert_null(json_object_object_get(d, "error"));
	assert_int_equal(json_object_get_int(json_object_object_get(d, "pid")), 812);
	assert_int_equal(json_object_get_int64(json_object_object_get(d, "uptime_ns")), 3725000000000LL);
	assert_false(json_object_object_get_ex(d, "uptime_sec", NULL));
	assert_int_equal(json_object_get_int(json_object_object_get(d, "waits_stalled")), 1);
	v = json_object_object_get(d, "policy");
	assert_true(json_object_is_type(v, json_type_array));
	assert_int_equal(json_object_array_length(v), 7);
	out_open(&o);
	render_daemon_status(o.f, d);
	s = out_close(&o);
	assert_non_null(strstr(s, "daemon: daxpind 0.3, pid 812, up 1h 2m, tracking 2 waits\n"));
	assert_non_null(strstr(s, "policy: WarnAfterSec=5 NonTransientAfterSec=30 StalledWake=yes StalledAfterSec=1 Action=signal ActionAfterSec=300 DryRun=no (+1 mount/device section)\n"));
	free(o.buf);
	json_object_put(d);

	/* not running: every key present, null */
	d = daemon_status_doc("/run/daxpin/control", -ENOENT,
			      "daxpind is not running", NULL, NULL, -1);
	assert_false(json_object_get_boolean(json_object_object_get(d, "reachable")));
	assert_true(json_object_object_get_ex(d, "pid", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(d, "policy", &v));
	assert_null(v);
	assert_string_equal(json_object_get_string(json_object_object_get(d, "error")),
			    "daxpind is not running");
	out_open(&o);
	render_daemon_status(o.f, d);
	s = out_close(&o);
	assert_non_null(strstr(s, "daemon: not reachable at /run/daxpin/control: daxpind is not running (start it"));
	free(o.buf);
	json_object_put(d);

	/* wrong types in the status reply: nulls; policy malformed: error */
	json_object_put(sr);
	sr = parse_ok("{\"ok\":true,\"pid\":\"x\",\"waits_in_flight\":-3,\"module_loaded\":1}");
	json_object_put(pr);
	pr = parse_ok("{\"ok\":true,\"policy\":7}");
	d = daemon_status_doc("/s", 0, NULL, sr, pr, -1);
	assert_true(json_object_get_boolean(json_object_object_get(d, "reachable")));
	assert_null(json_object_object_get(d, "pid"));
	assert_null(json_object_object_get(d, "waits_in_flight"));
	assert_null(json_object_object_get(d, "module_loaded"));
	assert_true(json_object_object_get_ex(d, "uptime_ns", &v));
	assert_null(v);
	assert_null(json_object_object_get(d, "policy"));
	assert_non_null(strstr(json_object_get_string(json_object_object_get(d, "error")),
			       "policy"));
	out_open(&o);
	render_daemon_status(o.f, d);
	s = out_close(&o);
	assert_non_null(strstr(s, "daemon: daxpind ?\n"));
	assert_non_null(strstr(s, "policy: unavailable: "));
	free(o.buf);
	json_object_put(d);

	/* empty status reply, no policy reply */
	json_object_put(sr);
	sr = parse_ok("{\"ok\":true}");
	d = daemon_status_doc("/s", 0, NULL, sr, NULL, -1);
	assert_true(json_object_get_boolean(json_object_object_get(d, "reachable")));
	json_object_put(d);
	d = daemon_status_doc("/s", 0, NULL, NULL, NULL, -1);
	assert_false(json_object_get_boolean(json_object_object_get(d, "reachable")));
	json_object_put(d);
	json_object_put(sr);
	json_object_put(pr);
}

/* status --check follows the daemon's global WarnAfterSec */
static void test_warn_after(void **state)
{
	static const struct { const char *value; int rc; uint64_t ms; } cases[] = {
		{ "5", 0, 5000 }, { "0.5", 0, 500 }, { "250ms", 0, 250 },
		{ "2min", 0, 120000 }, { "infinity", 0, UINT64_MAX },
		{ "soon", -EBADMSG, 0 }, { "-1", -EBADMSG, 0 },
	};
	struct json_object *sr = parse_ok(status_reply);
	struct json_object *pr, *d, *w;
	uint64_t ms;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pr = parse_ok(policy_reply);
		w = json_object_object_get(json_object_object_get(pr, "policy"),
					   "WarnAfterSec");
		json_object_object_add(w, "value",
				       json_object_new_string(cases[i].value));
		d = daemon_status_doc("/s", 0, NULL, sr, pr, -1);
		ms = 7;
		assert_int_equal(daemon_warn_after_ms(d, &ms), cases[i].rc);
		assert_true(ms == (cases[i].rc ? 7 : cases[i].ms));
		json_object_put(d);
		json_object_put(pr);
	}
	/* daemon down, policy unavailable or without the key: -ENOENT */
	d = daemon_status_doc("/s", -ENOENT, "down", NULL, NULL, -1);
	assert_int_equal(daemon_warn_after_ms(d, &ms), -ENOENT);
	json_object_put(d);
	d = daemon_status_doc("/s", 0, NULL, sr, NULL, -1);
	assert_int_equal(daemon_warn_after_ms(d, &ms), -ENOENT);
	json_object_put(d);
	pr = parse_ok(policy_reply);
	json_object_object_del(json_object_object_get(pr, "policy"),
			       "WarnAfterSec");
	d = daemon_status_doc("/s", 0, NULL, sr, pr, -1);
	assert_int_equal(daemon_warn_after_ms(d, &ms), -ENOENT);
	json_object_put(d);
	json_object_put(pr);
	assert_int_equal(daemon_warn_after_ms(NULL, &ms), -ENOENT);
	json_object_put(sr);
}

/* names in daxpind's replies (mount sections, paths, values) are escaped
 * like ls -b: one row per setting, no control byte reaches the terminal */
static void test_policy_hostile(void **state)
{
	static const char reply[] =
		"{\"ok\":true,\"policy\":{\"ExecHook\":{\"value\":\"/h\\n[Policy]\",\"source\":\"/e\\u001b[31m.conf:1\"}},"
		"\"sections\":[{\"section\":\"Mount /m\\nX=1\\u001b]0;t\\u0007\",\"settings\":"
		"{\"WarnAfterSec\":{\"value\":\"1\",\"source\":\"s\"}}}],"
		"\"daemon\":{},\"files\":[\"/etc/a\\nb\"],\"runtime_dropin\":\"/r\\u001b\"}\n";
	struct json_object *r, *doc;
	char why[256];
	struct out o;
	const char *s, *p;

	(void)state;
	r = parse_ok(reply);
	assert_int_equal(daemon_policy_doc(r, &doc, why, sizeof(why)), 0);
	out_open(&o);
	render_policy(o.f, doc);
	s = out_close(&o);
	for (p = s; *p; p++)
		if (*p != '\n')
			assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	/* header, [Policy], 1 setting, section, 1 setting, [Daemon],
	 * files:, 1 file, runtime changes */
	assert_non_null(strstr(s, "  ExecHook      /h\\n[Policy]  /e\\033[31m.conf:1\n"));
	assert_non_null(strstr(s, "[Mount /m\\nX=1\\033]0;t\\a]\n"));
	assert_non_null(strstr(s, "  /etc/a\\nb\n"));
	assert_non_null(strstr(s, "runtime changes: /r\\033\n"));
	{
		unsigned int n = 0;

		for (p = s; *p; p++)
			n += *p == '\n';
		assert_int_equal(n, 9);
	}
	free(o.buf);
	json_object_put(doc);
	json_object_put(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_reply),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_policy_malformed),
		cmocka_unit_test(test_policy_huge),
		cmocka_unit_test(test_policy_hostile),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_warn_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
