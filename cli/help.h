/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Help for each command's options: what 'daxpinctl CMD --help' and
 * 'daxpinctl help CMD' print.  --list-opts is generated from the getopt
 * table each command really parses (daxpinctl_getopt()), and
 * cli/tests/test-cli.sh fails when an option listed there has no line here,
 * so the two cannot drift.
 */
#ifndef _DAXPINCTL_HELP_H_
#define _DAXPINCTL_HELP_H_

#include <stdio.h>

struct daxpinctl_opt_help {
	const char *name;	/* long name, without "--" */
	const char *spelling;	/* "-v, --verbose", "--poll-ms=N" */
	const char *values;	/* "pretty|short": offered by completion; or NULL */
	const char *help;
};

struct daxpinctl_cmd_help {
	const char *cmd;
	const char *text;	/* what the command does, after the usage */
	const struct daxpinctl_opt_help *opts;	/* ends with { NULL } */
};

/* NULL when @cmd has no entry */
const struct daxpinctl_cmd_help *daxpinctl_help_find(const char *cmd);
/* the common options, accepted by every command */
extern const struct daxpinctl_opt_help daxpinctl_common_help[];
/* the help line of option @name for @cmd (its own, else common), or NULL */
const struct daxpinctl_opt_help *daxpinctl_opt_help_find(const char *cmd, const char *name);
/* usage, text, every option with its help, common options */
void daxpinctl_help_print(FILE *f, const char *cmd, const char *usage);

#endif
