/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DAXPINCTL_BUILTIN_H_
#define _DAXPINCTL_BUILTIN_H_

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

#include "lib/daxpin.h"

/* exit codes, documented in daxpinctl(8) */
enum {
	DAXPINCTL_EXIT_OK = 0,
	DAXPINCTL_EXIT_FAIL = 1,	/* generic failure */
	DAXPINCTL_EXIT_USAGE = 2,	/* bad command line */
	DAXPINCTL_EXIT_NOMODULE = 3,	/* daxpin.ko not loaded */
	DAXPINCTL_EXIT_PERM = 4,	/* permission denied: run as root */
	DAXPINCTL_EXIT_NOTFOUND = 5,	/* no such wait / file */
	DAXPINCTL_EXIT_NOTDAX = 6,	/* file not on a DAX filesystem */
	DAXPINCTL_EXIT_NODAEMON = 7,	/* daxpind not reachable */
};

/* status --check */
enum {
	DAXPINCTL_CHECK_OK = 0,
	DAXPINCTL_CHECK_WARNING = 1,
	DAXPINCTL_CHECK_CRITICAL = 2,
	DAXPINCTL_CHECK_UNKNOWN = 3,	/* bad command line, could not judge */
};

struct daxpinctl_opts {
	bool json;
	int json_flags;		/* json_object_to_json_string_ext() flags */
	bool human;		/* -u: human units in tables */
	const char *cmd;	/* command name for messages */
};

struct cmd_struct {
	const char *name;
	int (*fn)(int argc, char **argv, struct daxpinctl_opts *opts);
	const char *summary;
};

/* common options, accepted before and after the command name */
#define DAXPINCTL_OPT_LIST_OPTS	0x100	/* --list-opts: no short option */
#define DAXPINCTL_COMMON_SHORT "hj::u"
#define DAXPINCTL_COMMON_LONG \
	{ "help", no_argument, NULL, 'h' }, \
	{ "json", optional_argument, NULL, 'j' }, \
	{ "human", no_argument, NULL, 'u' }, \
	{ "list-opts", no_argument, NULL, DAXPINCTL_OPT_LIST_OPTS }

/* handle a common option; returns 0, or an exit code when it must stop */
int daxpinctl_common_opt(int c, struct daxpinctl_opts *opts,
			 const char *usage);
/*
 * getopt_long() over the common options plus the command's own (@shortopts,
 * @own: without the common ones, at most DAXPINCTL_OWN_MAX): handles the
 * common ones and returns the command's, one per call.  At the end returns
 * -1 with *rc 0, having checked that at most @max_args operands follow
 * (< 0: any); on --help *rc is -1 (exit 0), on a bad option the exit code.
 */
#define DAXPINCTL_OWN_MAX	8
int daxpinctl_getopt(int argc, char **argv, struct daxpinctl_opts *opts,
		     const char *usage, const char *shortopts,
		     const struct option *own, int max_args, int *rc);
/* the same for a command with no options of its own: returns *rc */
int daxpinctl_parse_options(int argc, char **argv, struct daxpinctl_opts *opts,
			    const char *usage, int max_args);
void daxpinctl_usage(FILE *f, const char *usage);
int daxpinctl_usage_error(struct daxpinctl_opts *opts, const char *usage,
			  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Print "daxpinctl CMD: WHAT: REASON[: kernel message]" plus a hint on
 * stderr and return the exit code for err (a negative errno).
 */
int daxpinctl_error(struct daxpinctl_opts *opts, struct daxpin_ctx *ctx,
		    int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int daxpinctl_exit_code(int err);
/* open the netlink client, printing the error; exit code or 0 */
int daxpinctl_open(struct daxpinctl_opts *opts, struct daxpin_ctx **ctx);
/* print and release obj; exit code */
int daxpinctl_print_json(struct daxpinctl_opts *opts, struct json_object *obj);

int cmd_waits(int argc, char **argv, struct daxpinctl_opts *opts);
int cmd_kick(int argc, char **argv, struct daxpinctl_opts *opts);
int cmd_scan(int argc, char **argv, struct daxpinctl_opts *opts);
int cmd_stats(int argc, char **argv, struct daxpinctl_opts *opts);
int cmd_config(int argc, char **argv, struct daxpinctl_opts *opts);
int cmd_bench(int argc, char **argv, struct daxpinctl_opts *opts);
int cmd_monitor(int argc, char **argv, struct daxpinctl_opts *opts);
/*
 * One request to daxpind's control socket ($DAXPIN_CONTROL or
 * /run/daxpin/control); on failure prints one line with a hint and
 * returns the exit code, else 0 and *reply.
 */
int daxpinctl_daemon(struct daxpinctl_opts *opts, struct json_object *req,
		     struct json_object **reply);
int daxpinctl_daemon_error(struct daxpinctl_opts *opts, int err,
			   const char *msg);
int cmd_policy(int argc, char **argv, struct daxpinctl_opts *opts);
int cmd_metrics(int argc, char **argv, struct daxpinctl_opts *opts);
int cmd_status(int argc, char **argv, struct daxpinctl_opts *opts);
int cmd_version(int argc, char **argv, struct daxpinctl_opts *opts);

#endif /* _DAXPINCTL_BUILTIN_H_ */
