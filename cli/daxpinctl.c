// SPDX-License-Identifier: GPL-2.0
/*
 * daxpinctl: inspect and control daxpin.ko (tasks sleeping in
 * filesystem-DAX layout breaks). ndctl-style builtin command table.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "help.h"
#include "lib/daxpin-control.h"
#include "lib/daxpin-text.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

/* "daxpinctl waits", for the usage-error hint; set by main() */
static const char *usage_cmd;

static const struct cmd_struct commands[] = {
	{ "waits", cmd_waits, "list tasks waiting in a DAX layout break" },
	{ "kick", cmd_kick, "wake a wait so it re-checks its page" },
	{ "scan", cmd_scan, "list busy (pinned) DAX pages of files" },
	{ "stats", cmd_stats, "show (and reset) statistics" },
	{ "config", cmd_config, "show or change the module configuration" },
	{ "bench", cmd_bench, "benchmark grace-period primitives or truncate" },
	{ "monitor", cmd_monitor, "follow wait events" },
	{ "policy", cmd_policy, "show or change daxpind's policy" },
	{ "metrics", cmd_metrics, "print daxpind's Prometheus metrics" },
	{ "status", cmd_status, "health overview: module, pmem, mounts, waits" },
	{ "version", cmd_version, "print daxpinctl and module versions" },
	{ "help", NULL, "print this help" },
};

static const char main_usage[] =
	"daxpinctl [--json[=pretty|short]] [-u|--human] <command> [<args>]";

#define DAXPINCTL_OPT_LIST_CMDS	0x101

static void main_help(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s\n\ncommands:\n", main_usage);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\nSee 'daxpinctl help <command>' and daxpinctl(8).\n");
}

/* After a usage error: the usage, and where the rest is. */
void daxpinctl_usage(FILE *f, const char *usage)
{
	fprintf(f, "usage: %s\n", usage);
	fprintf(f, "See '%s --help'.\n", usage_cmd ? usage_cmd : "daxpinctl");
}

/*
 * --list-opts: the long options of the table getopt really parses, one a
 * line, for completion; an option with fixed values (help.h) is listed
 * once per value, and bare too when the value is optional.
 */
static void list_opts(const char *cmd, const struct option *lo)
{
	for (; lo->name; lo++) {
		const struct daxpinctl_opt_help *h = daxpinctl_opt_help_find(cmd, lo->name);
		const char *v = h ? h->values : NULL;

		if (lo->has_arg != required_argument)
			printf("--%s\n", lo->name);
		if (v) {
			while (*v) {
				size_t n = strcspn(v, "|");

				printf("--%s=%.*s\n", lo->name, (int)n, v);
				v += n + !!v[n];
			}
		} else if (lo->has_arg != no_argument) {
			printf("--%s=\n", lo->name);
		}
	}
}

int daxpinctl_usage_error(struct daxpinctl_opts *opts, const char *usage,
			  const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "daxpinctl%s%s: ", opts->cmd ? " " : "",
		opts->cmd ? opts->cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	daxpinctl_usage(stderr, usage);
	return DAXPINCTL_EXIT_USAGE;
}

static int set_json(struct daxpinctl_opts *opts, const char *arg)
{
	opts->json = true;
	opts->json_flags = JSON_C_TO_STRING_NOSLASHESCAPE;
	if (!arg || strcmp(arg, "pretty") == 0)
		opts->json_flags |= JSON_C_TO_STRING_PRETTY |
				    JSON_C_TO_STRING_SPACED;
	else if (strcmp(arg, "short") == 0)
		opts->json_flags |= JSON_C_TO_STRING_PLAIN;
	else
		return -EINVAL;
	return 0;
}

int daxpinctl_common_opt(int c, struct daxpinctl_opts *opts,
			 const char *usage)
{
	switch (c) {
	case 'h':
		daxpinctl_help_print(stdout, opts->cmd, usage);
		return -1;	/* stop, exit 0 */
	case 'j':
		if (set_json(opts, optarg))
			return daxpinctl_usage_error(opts, usage,
				"--json takes 'pretty' or 'short', not '%s'",
				optarg);
		return 0;
	case 'u':
		opts->human = true;
		return 0;
	default:
		/* getopt already printed what was wrong */
		daxpinctl_usage(stderr, usage);
		return DAXPINCTL_EXIT_USAGE;
	}
}

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

int daxpinctl_getopt(int argc, char **argv, struct daxpinctl_opts *opts,
		     const char *usage, const char *shortopts,
		     const struct option *own, int max_args, int *rc)
{
	static const struct option common[] = { DAXPINCTL_COMMON_LONG };
	struct option lo[ARRAY_SIZE(common) + DAXPINCTL_OWN_MAX + 1] = { 0 };
	char so[32];
	size_t n;
	int c;

	*rc = 0;
	memcpy(lo, common, sizeof(common));
	/* the last slot stays zero: the end of the table */
	for (n = ARRAY_SIZE(common); own && own->name && n < ARRAY_SIZE(lo) - 1;
	     own++)
		lo[n++] = *own;
	snprintf(so, sizeof(so), DAXPINCTL_COMMON_SHORT "%s",
		 shortopts ? shortopts : "");
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (c == DAXPINCTL_OPT_LIST_OPTS) {
			list_opts(opts->cmd, lo);
			*rc = -1;	/* stop, exit 0 */
			return -1;
		}
		if (c != 'h' && c != 'j' && c != 'u' && c != '?' && c != ':')
			return c;
		*rc = daxpinctl_common_opt(c, opts, usage);
		if (*rc)
			return -1;
	}
	if (max_args >= 0 && argc - optind > max_args)
		*rc = daxpinctl_usage_error(opts, usage,
				"unexpected argument '%s'",
				argv[optind + max_args]);
	return -1;
}

int daxpinctl_parse_options(int argc, char **argv, struct daxpinctl_opts *opts,
			    const char *usage, int max_args)
{
	int rc;

	while (daxpinctl_getopt(argc, argv, opts, usage, NULL, NULL, max_args,
				&rc) != -1)
		;	/* no own options: getopt_long returns none */
	return rc;
}

int daxpinctl_exit_code(int err)
{
	switch (-abs(err)) {
	case 0:
		return DAXPINCTL_EXIT_OK;
	case -DAXPIN_ENOMODULE:
		return DAXPINCTL_EXIT_NOMODULE;
	case -EPERM:
	case -EACCES:
		return DAXPINCTL_EXIT_PERM;
	case -ENOENT:
	case -ESRCH:
		return DAXPINCTL_EXIT_NOTFOUND;
	case -EOPNOTSUPP:
		return DAXPINCTL_EXIT_NOTDAX;
	default:
		return DAXPINCTL_EXIT_FAIL;
	}
}

static const char *hint(int err)
{
	switch (-abs(err)) {
	case -DAXPIN_ENOMODULE:
		return "load it with 'modprobe daxpin'";
	case -EPERM:
	case -EACCES:
		return "run as root (or enable open_reads for read-only commands)";
	case -EOPNOTSUPP:
		return "the file must be on a filesystem mounted with -o dax";
	case -EBADMSG:
	case -ENODATA:
		return "daxpinctl and daxpin.ko disagree on the protocol; check versions";
	default:
		return NULL;
	}
}

int daxpinctl_error(struct daxpinctl_opts *opts, struct daxpin_ctx *ctx,
		    int err, const char *fmt, ...)
{
	const char *msg = ctx ? daxpin_errmsg(ctx) : "";
	const char *h = hint(err);
	va_list ap;

	fprintf(stderr, "daxpinctl%s%s: ", opts->cmd ? " " : "",
		opts->cmd ? opts->cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s", daxpin_strerror(err));
	if (msg && msg[0])
		fprintf(stderr, " (%s)", msg);
	if (h)
		fprintf(stderr, "; %s", h);
	fputc('\n', stderr);
	return daxpinctl_exit_code(err);
}

int daxpinctl_open(struct daxpinctl_opts *opts, struct daxpin_ctx **ctx)
{
	int rc = daxpin_open(ctx);

	if (rc)
		return daxpinctl_error(opts, NULL, rc,
				       "cannot reach the daxpin netlink family");
	return 0;
}

int daxpinctl_daemon_error(struct daxpinctl_opts *opts, int err,
			   const char *msg)
{
	const char *path = daxpin_control_path();

	fprintf(stderr, "daxpinctl %s: ", opts->cmd);
	switch (-abs(err)) {
	case -ENOENT:
	case -ECONNREFUSED:
	case -ENOTDIR:
		fprintf(stderr, "daxpind is not running (no listener at %s); start it with 'systemctl start daxpind'\n",
			path);
		return DAXPINCTL_EXIT_NODAEMON;
	case -EACCES:
	case -EPERM:
		fprintf(stderr, "daxpind refused the request: %s; run as root or join group daxpin\n",
			msg && msg[0] ? daxpin_esc(msg, 0) : strerror(abs(err)));
		return DAXPINCTL_EXIT_PERM;
	case -EAGAIN:
		/* running, but its listen backlog stayed full: not "not running" */
		fprintf(stderr, "%s; try again\n", msg && msg[0] ?
			daxpin_esc(msg, 0) : "daxpind's control socket is busy");
		return DAXPINCTL_EXIT_FAIL;
	case -ETIMEDOUT:
	case -ECONNRESET:
	case -EPIPE:
		/* a daemon that is slow, stuck or hung up: not a version skew */
		fprintf(stderr, "%s; see 'journalctl -u daxpind'\n", msg && msg[0] ?
			daxpin_esc(msg, 0) : "daxpind did not answer");
		return DAXPINCTL_EXIT_FAIL;
	case -EBADMSG:
	case -EMSGSIZE:
		fprintf(stderr, "bad reply from daxpind at %s: %s; check that daxpind and daxpinctl versions match\n",
			path, msg && msg[0] ? daxpin_esc(msg, 0) : strerror(abs(err)));
		return DAXPINCTL_EXIT_FAIL;
	default:
		fprintf(stderr, "daxpind: %s\n",
			msg && msg[0] ? daxpin_esc(msg, 0) : strerror(abs(err)));
		return DAXPINCTL_EXIT_FAIL;
	}
}

int daxpinctl_daemon(struct daxpinctl_opts *opts, struct json_object *req,
		     struct json_object **reply)
{
	char msg[512];
	int rc;

	if (!req)
		return DAXPINCTL_EXIT_FAIL;
	rc = daxpin_control_request(daxpin_control_path(), req, reply, msg,
				    sizeof(msg));
	json_object_put(req);
	return rc ? daxpinctl_daemon_error(opts, rc, msg) : 0;
}

int daxpinctl_print_json(struct daxpinctl_opts *opts, struct json_object *obj)
{
	char *s;

	if (!obj) {
		fprintf(stderr, "daxpinctl %s: out of memory building JSON\n",
			opts->cmd);
		return DAXPINCTL_EXIT_FAIL;
	}
	/* valid UTF-8 whatever the names inside (daxpin-text.h) */
	s = daxpin_json_dumps(obj, opts->json_flags);
	json_object_put(obj);
	if (!s) {
		fprintf(stderr, "daxpinctl %s: out of memory printing JSON\n",
			opts->cmd);
		return DAXPINCTL_EXIT_FAIL;
	}
	printf("%s\n", s);
	free(s);
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "daxpinctl %s: writing output: %s\n",
			opts->cmd, strerror(errno));
		return DAXPINCTL_EXIT_FAIL;
	}
	return DAXPINCTL_EXIT_OK;
}

int cmd_version(int argc, char **argv, struct daxpinctl_opts *opts)
{
	static const char usage[] = "daxpinctl version [--json]";
	struct daxpin_ctx *ctx = NULL;
	struct daxpin_stats st = { 0 };
	struct json_object *o;
	int rc, mrc;

	rc = daxpinctl_parse_options(argc, argv, opts, usage, 0);
	if (rc)
		return rc < 0 ? 0 : rc;

	/* the module is optional here: report what we can */
	mrc = daxpin_open(&ctx);
	if (!mrc)
		mrc = daxpin_get_stats(ctx, &st);
	if (!mrc && !st.has_global)
		mrc = -ENODATA;

	if (opts->json) {
		o = json_object_new_object();
		if (o) {
			json_object_object_add(o, "daxpinctl",
				json_object_new_string(PACKAGE_VERSION));
			json_object_object_add(o, "protocol",
				json_object_new_int(DAXPIN_GENL_VERSION));
			json_object_object_add(o, "module_version", mrc ? NULL :
				json_object_new_string(st.global.version));
			json_object_object_add(o, "module_protocol",
				ctx ? json_object_new_int(
					daxpin_family_version(ctx)) : NULL);
		}
		rc = daxpinctl_print_json(opts, o);
	} else {
		printf("daxpinctl %s (protocol %d)\n", PACKAGE_VERSION,
		       DAXPIN_GENL_VERSION);
		if (mrc)
			printf("daxpin.ko: %s\n", daxpin_strerror(mrc));
		else
			printf("daxpin.ko %s (protocol %u)\n",
			       st.global.version[0] ? st.global.version : "?",
			       daxpin_family_version(ctx));
		rc = DAXPINCTL_EXIT_OK;
	}
	daxpin_stats_free(&st);
	daxpin_close(ctx);
	return rc;
}

static const struct cmd_struct *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		DAXPINCTL_COMMON_LONG,
		{ "version", no_argument, NULL, 'V' },
		{ "list-cmds", no_argument, NULL, DAXPINCTL_OPT_LIST_CMDS },
		{ 0 },
	};
	struct daxpinctl_opts opts = { 0 };
	const struct cmd_struct *cmd;
	static char progname[64];
	char *help_argv[3];
	int c, rc;

	/* '+': stop at the command name; its options are its own */
	while ((c = getopt_long(argc, argv, "+" DAXPINCTL_COMMON_SHORT "V",
				lo, NULL)) != -1) {
		if (c == 'h') {
			main_help(stdout);
			return DAXPINCTL_EXIT_OK;
		}
		if (c == 'V') {
			printf("%s\n", PACKAGE_VERSION);
			return DAXPINCTL_EXIT_OK;
		}
		if (c == DAXPINCTL_OPT_LIST_CMDS) {
			for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
				printf("%s\n", commands[i].name);
			return DAXPINCTL_EXIT_OK;
		}
		if (c == DAXPINCTL_OPT_LIST_OPTS) {
			list_opts(NULL, lo);
			return DAXPINCTL_EXIT_OK;
		}
		rc = daxpinctl_common_opt(c, &opts, main_usage);
		if (rc)
			return rc < 0 ? 0 : rc;
	}
	if (optind >= argc) {
		main_help(stderr);
		return DAXPINCTL_EXIT_USAGE;
	}
	cmd = find_cmd(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "daxpinctl: unknown command '%s'\n",
			argv[optind]);
		main_help(stderr);
		return DAXPINCTL_EXIT_USAGE;
	}
	if (!cmd->fn && optind + 1 < argc) {
		/* 'daxpinctl help CMD' is 'daxpinctl CMD --help' */
		cmd = find_cmd(argv[optind + 1]);
		if (cmd && !cmd->fn) {
			main_help(stdout);
			return DAXPINCTL_EXIT_OK;
		}
		if (!cmd) {
			fprintf(stderr, "daxpinctl help: unknown command '%s'\n",
				argv[optind + 1]);
			main_help(stderr);
			return DAXPINCTL_EXIT_USAGE;
		}
		help_argv[0] = (char *)cmd->name;
		help_argv[1] = (char *)"--help";
		help_argv[2] = NULL;
		argv = help_argv;
		argc = 2;
		optind = 0;
	}
	if (!cmd->fn) {
		main_help(stdout);
		return DAXPINCTL_EXIT_OK;
	}
	opts.cmd = cmd->name;
	argc -= optind;
	argv += optind;
	/* getopt's own messages then read "daxpinctl waits: ..." */
	snprintf(progname, sizeof(progname), "daxpinctl %s", cmd->name);
	argv[0] = progname;
	usage_cmd = progname;
	optind = 0;	/* full getopt re-initialisation for the command */
	return cmd->fn(argc, argv, &opts);
}
