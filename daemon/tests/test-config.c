// SPDX-License-Identifier: GPL-2.0-or-later
/* Configuration loading: real files in a temporary directory. */
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
#include "lib/daxpin-util.h"

#define S(x) ((uint64_t)((x) * 1e9))

struct fixture {
	char dir[64];
	char main_file[128];
	char etc_d[128];
	char run_d[128];
	const char *dirs[3];
	struct dxp_config_paths paths;
	char errors[4096];
	unsigned n_errors;
};

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void on_error(void *userdata, const char *file, unsigned line, const char *key,
		     const char *message)
{
	struct fixture *fx = userdata;
	size_t n = strlen(fx->errors);

	snprintf(fx->errors + n, sizeof(fx->errors) - n, "%s:%u:%s: %s\n",
		 strrchr(file, '/') ? strrchr(file, '/') + 1 : file, line, key ? key : "-", message);
	fx->n_errors++;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	strcpy(fx->dir, "/tmp/daxpind-test-config.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->main_file, sizeof(fx->main_file), "%s/daxpind.conf", fx->dir);
	snprintf(fx->etc_d, sizeof(fx->etc_d), "%s/etc.d", fx->dir);
	snprintf(fx->run_d, sizeof(fx->run_d), "%s/run.d", fx->dir);
	mkdir(fx->etc_d, 0755);
	mkdir(fx->run_d, 0755);
	fx->dirs[0] = fx->etc_d;
	fx->dirs[1] = fx->run_d;
	fx->dirs[2] = NULL;
	fx->paths.main_file = fx->main_file;
	fx->paths.dropin_dirs = fx->dirs;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

static struct dxp_config *load_ok(struct fixture *fx)
{
	struct dxp_config *c = NULL;
	int r = dxp_config_load(&fx->paths, on_error, fx, &c);

	if (r < 0)
		print_error("unexpected errors:\n%s", fx->errors);
	assert_int_equal(r, 0);
	assert_int_equal(fx->n_errors, 0);
	return c;
}

static void test_no_file_gives_defaults(void **state)
{
	struct fixture *fx = *state;
	struct dxp_config *c = load_ok(fx);
	struct dxp_origin o[DXP_K_POLICY_MAX];
	struct dxp_policy p;

	dxp_config_resolve(c, "/mnt", "pmem0", &p, o);
	assert_int_equal(p.warn_after_ns, S(5));
	assert_int_equal(p.nontransient_after_ns, S(30));
	assert_true(p.stalled_wake);
	assert_int_equal(p.stalled_after_ns, S(1));
	assert_int_equal(p.action, DXP_ACTION_NONE);
	assert_null(o[DXP_K_WARN_AFTER].file);
	assert_int_equal(c->n_files, 0);
	dxp_config_free(c);
}

static void test_dropins_override_in_order(void **state)
{
	struct fixture *fx = *state;
	struct dxp_config *c;
	struct dxp_origin o[DXP_K_POLICY_MAX];
	struct dxp_policy p;
	char path[256];

	put(fx->main_file, "# main\n[Policy]\nWarnAfterSec = 7\nStalledAfterSec=2\nDryRun=yes\n");
	snprintf(path, sizeof(path), "%s/20-b.conf", fx->etc_d);
	put(path, "[Policy]\n\nWarnAfterSec=9 ; comment\n");
	snprintf(path, sizeof(path), "%s/10-a.conf", fx->etc_d);
	put(path, "[Policy]\nWarnAfterSec=8\nActionSignal=SIGINT\n");
	snprintf(path, sizeof(path), "%s/10-a.conf", fx->run_d);
	put(path, "[policy]\nstalledaftersec = 0.5\n");
	snprintf(path, sizeof(path), "%s/ignored.txt", fx->etc_d);
	put(path, "garbage\n");

	c = load_ok(fx);
	dxp_config_resolve(c, NULL, NULL, &p, o);
	assert_int_equal(p.warn_after_ns, S(9));
	assert_non_null(strstr(o[DXP_K_WARN_AFTER].file, "etc.d/20-b.conf"));
	assert_int_equal(o[DXP_K_WARN_AFTER].line, 3);
	assert_int_equal(p.stalled_after_ns, S(0.5));
	assert_non_null(strstr(o[DXP_K_STALLED_AFTER].file, "run.d/10-a.conf"));
	assert_int_equal(o[DXP_K_STALLED_AFTER].line, 2);
	assert_int_equal(p.action_signal, 2);
	assert_true(p.dry_run);
	assert_int_equal(o[DXP_K_DRY_RUN].line, 5);
	assert_int_equal(c->n_files, 4);
	dxp_config_free(c);
}

/* ActionTarget: waiter by default, holder per mount; a bad value is named. */
static void test_action_target(void **state)
{
	struct fixture *fx = *state;
	struct dxp_origin o[DXP_K_POLICY_MAX];
	struct dxp_config *c;
	struct dxp_policy p;
	char v[32];

	put(fx->main_file, "[Policy]\nAction=signal\n[Mount /mnt/a]\nActionTarget=Holder\n");
	c = load_ok(fx);
	dxp_config_resolve(c, "/mnt/b", NULL, &p, o);
	assert_int_equal(p.action_target, DXP_TARGET_WAITER);
	dxp_config_resolve(c, "/mnt/a", NULL, &p, o);
	assert_int_equal(p.action_target, DXP_TARGET_HOLDER);
	assert_int_equal(o[DXP_K_ACTION_TARGET].line, 4);
	dxp_config_format(c, NULL, DXP_K_ACTION_TARGET, v, sizeof(v));
	assert_string_equal(v, "waiter");
	dxp_config_free(c);

	put(fx->main_file, "[Policy]\nActionTarget=pinner\n");
	c = NULL;
	assert_true(dxp_config_load(&fx->paths, on_error, fx, &c) < 0 || fx->n_errors > 0);
	assert_non_null(strstr(fx->errors, "bad value \"pinner\" for ActionTarget: expected waiter or holder"));
	dxp_config_free(c);
}

static void test_mount_and_device_sections(void **state)
{
	struct fixture *fx = *state;
	struct dxp_config *c;
	struct dxp_origin o[DXP_K_POLICY_MAX];
	struct dxp_policy p;

	put(fx->main_file,
	    "[Policy]\nWarnAfterSec=5\n"
	    "[Device /dev/pmem0]\nWarnAfterSec=3\nAction=signal\nActionAfterSec=20\n"
	    "[Mount /srv/PMEM/]\nWarnAfterSec=1\n"
	    "[Mount /other]\nDryRun=yes\n");
	c = load_ok(fx);

	/* Device only. */
	dxp_config_resolve(c, "/elsewhere", "pmem0", &p, o);
	assert_int_equal(p.warn_after_ns, S(3));
	assert_int_equal(p.action, DXP_ACTION_SIGNAL);
	assert_int_equal(p.action_after_ns, S(20));
	assert_int_equal(o[DXP_K_WARN_AFTER].line, 4);
	/* Mount beats device; case of the mount point is kept, trailing
	 * slash is dropped. */
	dxp_config_resolve(c, "/srv/PMEM", "pmem0", &p, o);
	assert_int_equal(p.warn_after_ns, S(1));
	assert_int_equal(p.action, DXP_ACTION_SIGNAL);
	assert_int_equal(o[DXP_K_WARN_AFTER].line, 8);
	dxp_config_resolve(c, "/srv/pmem", "pmem1", &p, o);
	assert_int_equal(p.warn_after_ns, S(5));
	assert_false(p.dry_run);
	dxp_config_resolve(c, "/other", "pmem1", &p, o);
	assert_true(p.dry_run);
	assert_int_equal(p.warn_after_ns, S(5));
	dxp_config_free(c);
}

static void test_errors_name_file_line_and_key(void **state)
{
	struct fixture *fx = *state;
	struct dxp_config *c = NULL;
	char path[256];

	put(fx->main_file,
	    "Stray=1\n"
	    "[Policy]\n"
	    "WarnAfterSecs=5\n"		/* line 3: unknown key */
	    "StalledWake=perhaps\n"	/* line 4: bad bool */
	    "[Bogus]\n"			/* line 5: bad section */
	    "WarnAfterSec=1\n"		/* ignored with its section */
	    "[Daemon]\n"
	    "WarnAfterSec=1\n"		/* line 8: wrong section */
	    "[Policy]\n"
	    "ActionAfterSec=-3\n");	/* line 10 */
	snprintf(path, sizeof(path), "%s/50-x.conf", fx->run_d);
	put(path, "[Mount relative]\nDryRun=yes\n[Policy]\nActionSignal=SIGSTOP\n");

	assert_int_equal(dxp_config_load(&fx->paths, on_error, fx, &c), -22);
	assert_null(c);
	assert_non_null(strstr(fx->errors, "daxpind.conf:1:Stray: key outside of any section"));
	assert_non_null(strstr(fx->errors, "daxpind.conf:3:WarnAfterSecs: unknown key WarnAfterSecs in [Policy]"));
	assert_non_null(strstr(fx->errors, "daxpind.conf:4:StalledWake: bad value \"perhaps\""));
	assert_non_null(strstr(fx->errors, "daxpind.conf:5:-: unknown or malformed section [Bogus]"));
	assert_non_null(strstr(fx->errors, "daxpind.conf:8:WarnAfterSec: key WarnAfterSec does not belong in [Daemon]"));
	assert_non_null(strstr(fx->errors, "daxpind.conf:10:ActionAfterSec: bad value \"-3\""));
	assert_non_null(strstr(fx->errors, "50-x.conf:1:-: unknown or malformed section [Mount relative]"));
	assert_non_null(strstr(fx->errors, "50-x.conf:4:ActionSignal: bad value \"SIGSTOP\""));
	assert_int_equal(fx->n_errors, 8);
}

/* What the line index and the value parser agree on, pinned before they
 * become one parser: comments, blank lines, an inline comment after a value,
 * quotes, a continued value (reported at its first line), CRLF, key case. */
static void test_line_numbers_comments_quotes_continuations(void **state)
{
	struct fixture *fx = *state;
	static const char text[] =
	    "# comment\n"				/* 1 */
	    "; comment\n"				/* 2 */
	    "\n"					/* 3 */
	    "[Policy]\n"				/* 4 */
	    "WarnAfterSec = 4 ; four\n"		/* 5 */
	    "ExecHook = \"/opt/hook one\"\n"		/* 6 */
	    "ActionAfterSec = \\\n"			/* 7 */
	    "   9\n"					/* 8 */
	    "dryrun = yes\r\n"				/* 9 */
	    "  [Mount /srv/pm/]  \n"			/* 10 */
	    "  StalledWake=no\n";			/* 11 */
	struct dxp_origin o[DXP_K_POLICY_MAX];
	struct dxp_config *c = NULL;
	struct dxp_policy p;
	char bad[512];

	put(fx->main_file, text);
	c = load_ok(fx);
	dxp_config_resolve(c, "/srv/pm", NULL, &p, o);
	assert_int_equal(p.warn_after_ns, S(4));
	assert_int_equal(o[DXP_K_WARN_AFTER].line, 5);
	assert_string_equal(p.exec_hook, "/opt/hook one");
	assert_int_equal(o[DXP_K_EXEC_HOOK].line, 6);
	assert_int_equal(p.action_after_ns, S(9));
	assert_int_equal(o[DXP_K_ACTION_AFTER].line, 7);
	assert_true(p.dry_run);
	assert_int_equal(o[DXP_K_DRY_RUN].line, 9);
	assert_false(p.stalled_wake);
	assert_int_equal(o[DXP_K_STALLED_WAKE].line, 11);
	dxp_config_free(c);

	/* The same lines, then a bad one: its number counts every line above. */
	snprintf(bad, sizeof(bad), "%sWarnAfterSec = 4 ; four\nActionSignal=STOP\n", text);
	put(fx->main_file, bad);
	c = NULL;
	assert_int_equal(dxp_config_load(&fx->paths, on_error, fx, &c), -22);
	assert_null(c);
	assert_string_equal(fx->errors, "daxpind.conf:13:ActionSignal: bad value \"STOP\" for ActionSignal: "
			    "expected one of SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGKILL, SIGUSR1, SIGUSR2, SIGALRM\n");
}

/* Each file is parsed once, by one parser: a line that is not INI is
 * reported at its line with the file's other errors (iniparser rejected the
 * whole file, reported at line 0). */
static void test_syntax_error_names_its_line(void **state)
{
	struct fixture *fx = *state;
	struct dxp_config *c = NULL;

	put(fx->main_file, "[Policy]\nWarnAfterSec=3\nStray\nStalledWake=perhaps\n");
	assert_int_equal(dxp_config_load(&fx->paths, on_error, fx, &c), -22);
	assert_null(c);
	assert_string_equal(fx->errors,
			    "daxpind.conf:3:-: syntax error: expected key = value\n"
			    "daxpind.conf:4:StalledWake: bad value \"perhaps\" for StalledWake: expected a boolean (yes/no)\n");
}

/* Mount points are case-sensitive, so are their sections: each keeps its
 * own values and names its own lines (iniparser's lowercased lookup gave
 * both sections the last one's values). */
static void test_mount_sections_differing_in_case(void **state)
{
	struct fixture *fx = *state;
	struct dxp_origin o[DXP_K_POLICY_MAX];
	struct dxp_config *c;
	struct dxp_policy p;

	put(fx->main_file, "[Mount /A]\nWarnAfterSec=1\n[Mount /a]\nWarnAfterSec=2\n");
	c = load_ok(fx);
	dxp_config_resolve(c, "/A", NULL, &p, o);
	assert_int_equal(p.warn_after_ns, S(1));
	assert_int_equal(o[DXP_K_WARN_AFTER].line, 2);
	dxp_config_resolve(c, "/a", NULL, &p, o);
	assert_int_equal(p.warn_after_ns, S(2));
	assert_int_equal(o[DXP_K_WARN_AFTER].line, 4);
	dxp_config_free(c);
}

/* Every line's own value is checked: a bad value is reported even when a
 * good one for the same key follows (iniparser only kept the last). */
static void test_bad_value_before_a_good_duplicate(void **state)
{
	struct fixture *fx = *state;
	struct dxp_config *c = NULL;

	put(fx->main_file, "[Policy]\nStalledWake=perhaps\nStalledWake=yes\n");
	assert_int_equal(dxp_config_load(&fx->paths, on_error, fx, &c), -22);
	assert_string_equal(fx->errors,
			    "daxpind.conf:2:StalledWake: bad value \"perhaps\" for StalledWake: expected a boolean (yes/no)\n");
}

/* An unquoted '#' or ';' starts a comment only at the start of the value or
 * after whitespace, as in the shell; glued to the value it is part of it
 * (iniparser's grammar cut ExecHook=/opt/hooks#1/run to /opt/hooks). */
static void test_hash_and_semicolon_inside_a_value(void **state)
{
	struct fixture *fx = *state;
	struct dxp_origin o[DXP_K_POLICY_MAX];
	struct dxp_config *c;
	struct dxp_policy p;

	put(fx->main_file,
	    "[Policy]\n"
	    "ExecHook=/opt/hooks#1/run\n"		/* 2 */
	    "Action=exec\n"
	    "WarnAfterSec = 4 # four\n"		/* 4 */
	    "ActionAfterSec=9\t; nine\n"		/* 5 */
	    "StalledAfterSec= ;nothing\n"		/* 6 */
	    "[Daemon]\n"
	    "MetricsPath=/run/x;y.prom\n"		/* 8 */
	    "[Mount /srv/a#b]\n"
	    "ExecHook = \"/opt/a #b\" # quoted\n"	/* 10 */
	    "[Mount /srv/c]\n"
	    "ExecHook=/opt/c ;d\n");			/* 12 */
	c = NULL;
	assert_int_equal(dxp_config_load(&fx->paths, on_error, fx, &c), -22);
	/* The value after '=' is only a comment: empty, which is no time. */
	assert_string_equal(fx->errors,
			    "daxpind.conf:6:StalledAfterSec: bad value \"\" for StalledAfterSec: "
			    "expected seconds (e.g. 5, 0.5, 250ms) or \"infinity\"\n");

	put(fx->main_file,
	    "[Policy]\n"
	    "ExecHook=/opt/hooks#1/run\n"
	    "Action=exec\n"
	    "WarnAfterSec = 4 # four\n"
	    "ActionAfterSec=9\t; nine\n"
	    "# StalledAfterSec=3\n"
	    "[Daemon]\n"
	    "MetricsPath=/run/x;y.prom\n"
	    "[Mount /srv/a#b]\n"
	    "ExecHook = \"/opt/a #b\" # quoted\n"
	    "[Mount /srv/c]\n"
	    "ExecHook=/opt/c ;d\n");
	fx->errors[0] = 0;
	fx->n_errors = 0;
	c = load_ok(fx);
	dxp_config_resolve(c, NULL, NULL, &p, o);
	assert_string_equal(p.exec_hook, "/opt/hooks#1/run");
	assert_int_equal(o[DXP_K_EXEC_HOOK].line, 2);
	assert_int_equal(p.warn_after_ns, S(4));
	assert_int_equal(p.action_after_ns, S(9));
	assert_int_equal(p.stalled_after_ns, S(1));
	assert_string_equal(c->metrics_path, "/run/x;y.prom");
	dxp_config_resolve(c, "/srv/a#b", NULL, &p, o);
	assert_string_equal(p.exec_hook, "/opt/a #b");
	assert_int_equal(o[DXP_K_EXEC_HOOK].line, 10);
	dxp_config_resolve(c, "/srv/c", NULL, &p, o);
	assert_string_equal(p.exec_hook, "/opt/c");
	dxp_config_free(c);
}

/* A main file or a drop-in that is a directory is an error, not an empty
 * file (fopen() opens a directory; reading it fails with EISDIR). */
static void test_a_directory_is_not_a_config_file(void **state)
{
	struct fixture *fx = *state;
	struct dxp_config *c = NULL;
	char path[256];

	fx->paths.main_file = fx->etc_d;
	assert_int_equal(dxp_config_load(&fx->paths, on_error, fx, &c), -22);
	assert_null(c);
	assert_string_equal(fx->errors, "etc.d:0:-: cannot read: Is a directory\n");

	fx->paths.main_file = fx->main_file;
	fx->errors[0] = 0;
	fx->n_errors = 0;
	snprintf(path, sizeof(path), "%s/50-dir.conf", fx->run_d);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(dxp_config_load(&fx->paths, on_error, fx, &c), -22);
	assert_null(c);
	assert_string_equal(fx->errors, "50-dir.conf:0:-: cannot read: Is a directory\n");
}

/* The main file named by the operator (daxpind -c) must exist; the default
 * one may be missing.  Warnings go to their own callback and do not fail
 * the load. */
static void on_warning(void *userdata, const char *file, unsigned line, const char *key,
		       const char *message)
{
	struct fixture *fx = userdata;
	size_t n = strlen(fx->errors);

	snprintf(fx->errors + n, sizeof(fx->errors) - n, "warning: %s:%u:%s: %s\n",
		 strrchr(file, '/') ? strrchr(file, '/') + 1 : file, line, key ? key : "-", message);
}

static void test_required_main_file_and_warnings(void **state)
{
	struct fixture *fx = *state;
	struct dxp_config *c = NULL;

	fx->paths.main_file_required = true;
	assert_int_equal(dxp_config_load(&fx->paths, on_error, fx, &c), -22);
	assert_null(c);
	assert_string_equal(fx->errors, "daxpind.conf:0:-: cannot read: No such file or directory\n");
	fx->errors[0] = 0;
	fx->n_errors = 0;

	put(fx->main_file, "[Policy]\nAction=exec\nExecHook=/opt/hooks#1/run\nWarnAfterSec=4 ; four\n"
			   "[Daemon]\nMetricsPath=\"/run/a#b.prom\"\n");
	assert_int_equal(dxp_config_load_warn(&fx->paths, on_error, on_warning, fx, &c), 0);
	assert_non_null(c);
	assert_int_equal(fx->n_errors, 0);
	assert_string_equal(fx->errors,
			    "warning: daxpind.conf:3:ExecHook: '#' is part of the value \"/opt/hooks#1/run\" of ExecHook: "
			    "a comment after a value needs whitespace before its '#'; quote the value if it is meant\n");
	assert_string_equal(c->global.p.exec_hook, "/opt/hooks#1/run");
	assert_string_equal(c->metrics_path, "/run/a#b.prom");
	dxp_config_free(c);

	/* A value cut to something bad: the warning explains the error. */
	fx->errors[0] = 0;
	put(fx->main_file, "[Policy]\nWarnAfterSec=4;four\n");
	c = NULL;
	assert_int_equal(dxp_config_load_warn(&fx->paths, on_error, on_warning, fx, &c), -22);
	assert_non_null(strstr(fx->errors, "warning: daxpind.conf:2:WarnAfterSec: ';' is part of the value \"4;four\""));
	assert_non_null(strstr(fx->errors, "daxpind.conf:2:WarnAfterSec: bad value \"4;four\""));
}

static void test_exec_needs_hook(void **state)
{
	struct fixture *fx = *state;
	struct dxp_config *c = NULL;

	put(fx->main_file, "[Policy]\nAction=exec\n");
	assert_int_equal(dxp_config_load(&fx->paths, on_error, fx, &c), -22);
	assert_non_null(strstr(fx->errors, "daxpind.conf:2:Action: Action=exec needs ExecHook="));

	put(fx->main_file, "[Policy]\nAction=exec\nExecHook=/usr/bin/true\nExecTimeoutSec=3\n");
	fx->errors[0] = 0;
	fx->n_errors = 0;
	c = load_ok(fx);
	assert_string_equal(c->global.p.exec_hook, "/usr/bin/true");
	assert_int_equal(c->global.p.exec_timeout_ns, S(3));
	dxp_config_free(c);
}

static void test_daemon_and_module_sections(void **state)
{
	struct fixture *fx = *state;
	struct dxp_config *c;
	char buf[64];

	put(fx->main_file, "[Daemon]\nMetricsPath=/var/lib/node/daxpin.prom\nLogRateLimitBurst=3\n"
			   "LogRateLimitIntervalSec=10\n[Module]\nPollMSec=250\nOpenReads=no\n");
	c = load_ok(fx);
	assert_string_equal(c->metrics_path, "/var/lib/node/daxpin.prom");
	assert_int_equal(c->ratelimit_burst, 3);
	assert_int_equal(c->ratelimit_interval_ns, S(10));
	assert_int_equal(c->module.set, DXP_MODCFG_POLL_MS | DXP_MODCFG_OPEN_READS);
	assert_int_equal(c->module.poll_ms, 250);
	assert_false(c->module.open_reads);
	assert_int_equal(c->origin[DXP_K_POLL_MS].line, 6);
	dxp_config_format(c, NULL, DXP_K_EVENT_BURST, buf, sizeof(buf));
	assert_string_equal(buf, "(module)");
	dxp_config_free(c);
}

static void test_time_values(void **state)
{
	uint64_t ns;

	assert_int_equal(daxpin_parse_time_ns("5", &ns), 0);
	assert_int_equal(ns, S(5));
	assert_int_equal(daxpin_parse_time_ns("0.5", &ns), 0);
	assert_int_equal(ns, S(0.5));
	assert_int_equal(daxpin_parse_time_ns("250ms", &ns), 0);
	assert_int_equal(ns, S(0.25));
	assert_int_equal(daxpin_parse_time_ns("2 min", &ns), 0);
	assert_int_equal(ns, S(120));
	assert_int_equal(daxpin_parse_time_ns("infinity", &ns), 0);
	assert_int_equal(ns, DXP_NEVER);
	assert_int_equal(daxpin_parse_time_ns("0", &ns), 0);
	assert_int_equal(ns, 0);
	assert_int_equal(daxpin_parse_time_ns("-1", &ns), -22);
	assert_int_equal(daxpin_parse_time_ns("5x", &ns), -22);
	assert_int_equal(daxpin_parse_time_ns("", &ns), -22);
	assert_int_equal(daxpin_parse_time_ns("nan", &ns), -22);
	assert_int_equal(daxpin_parse_time_ns("1e30", &ns), -34);
}

static void test_runtime_dropin(void **state)
{
	struct fixture *fx = *state;
	struct dxp_config *c;
	struct dxp_origin o[DXP_K_POLICY_MAX];
	struct dxp_policy p;
	char rt[256], err[256] = "", before[512], after[512];
	FILE *f;
	size_t n;

	put(fx->main_file, "[Policy]\nWarnAfterSec=7\n");
	snprintf(rt, sizeof(rt), "%s/99-runtime.conf", fx->run_d);
	assert_int_equal(dxp_config_runtime_set(rt, "Policy", "warnaftersec", "2.5", err, sizeof(err)), 0);
	assert_int_equal(dxp_config_runtime_set(rt, "Mount /srv/Pm", "DryRun", "yes", err, sizeof(err)), 0);
	assert_int_equal(dxp_config_runtime_set(rt, "Policy", "StalledWake", "no", err, sizeof(err)), 0);
	/* Replacing keeps one entry. */
	assert_int_equal(dxp_config_runtime_set(rt, "Policy", "WarnAfterSec", "3", err, sizeof(err)), 0);
	c = load_ok(fx);
	dxp_config_resolve(c, "/srv/Pm", NULL, &p, o);
	assert_int_equal(p.warn_after_ns, S(3));
	assert_false(p.stalled_wake);
	assert_true(p.dry_run);
	assert_non_null(strstr(o[DXP_K_WARN_AFTER].file, "99-runtime.conf"));
	dxp_config_free(c);

	/* A bad value is refused and the file is left as it was. */
	f = fopen(rt, "r");
	n = fread(before, 1, sizeof(before) - 1, f);
	before[n] = 0;
	fclose(f);
	assert_int_equal(dxp_config_runtime_set(rt, "Policy", "WarnAfterSec", "soon", err, sizeof(err)), -22);
	assert_non_null(strstr(err, "bad value \"soon\" for WarnAfterSec"));
	assert_int_equal(dxp_config_runtime_set(rt, "Policy", "NoSuchKey", "1", err, sizeof(err)), -22);
	assert_int_equal(dxp_config_runtime_set(rt, "Daemon", "WarnAfterSec", "1", err, sizeof(err)), -22);
	assert_int_equal(dxp_config_runtime_set(rt, "Policy", "ExecHook", "/x;y", err, sizeof(err)), -22);
	f = fopen(rt, "r");
	n = fread(after, 1, sizeof(after) - 1, f);
	after[n] = 0;
	fclose(f);
	assert_string_equal(before, after);

	/* Removing a key falls back to the file below it. */
	assert_int_equal(dxp_config_runtime_set(rt, "Policy", "WarnAfterSec", NULL, err, sizeof(err)), 0);
	c = load_ok(fx);
	dxp_config_resolve(c, NULL, NULL, &p, o);
	assert_int_equal(p.warn_after_ns, S(7));
	assert_false(p.stalled_wake);
	dxp_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_file_gives_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_action_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dropins_override_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mount_and_device_sections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_name_file_line_and_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_numbers_comments_quotes_continuations, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error_names_its_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mount_sections_differing_in_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_value_before_a_good_duplicate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hash_and_semicolon_inside_a_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_directory_is_not_a_config_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_required_main_file_and_warnings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_needs_hook, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_and_module_sections, setup, teardown),
		cmocka_unit_test(test_time_values),
		cmocka_unit_test_setup_teardown(test_runtime_dropin, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
