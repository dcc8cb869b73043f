// SPDX-License-Identifier: GPL-2.0
/* Per-option help of every command; see help.h. */
#include <string.h>

#include "help.h"

#define END { NULL, NULL, NULL, NULL }

const struct daxpinctl_opt_help daxpinctl_common_help[] = {
	{ "json", "-j, --json[=pretty|short]", "pretty|short",
	  "JSON output: pretty (the default, indented) or short (one line)" },
	{ "human", "-u, --human", NULL, "human-readable units in tables (never in JSON)" },
	{ "help", "-h, --help", NULL, "this help" },
	{ "list-opts", "--list-opts", NULL, "list the long options (for completion)" },
	END,
};

static const struct daxpinctl_opt_help waits_opts[] = {
	{ "verbose", "-v, --verbose", NULL,
	  "also the thread group id, filesystem type, pfn, sleep rounds and kicks" },
	END,
};

static const struct daxpinctl_opt_help kick_opts[] = {
	{ "stalled", "--stalled", NULL, "kick every wait the module judges stalled (no ID then)" },
	END,
};

static const struct daxpinctl_opt_help stats_opts[] = {
	{ "reset", "--reset", NULL, "reset all counters after reading them" },
	{ "histogram", "-H, --histogram", NULL,
	  "also print the log2 histograms as text bars (JSON always has them)" },
	END,
};

static const struct daxpinctl_opt_help config_opts[] = {
	{ "poll-ms", "--poll-ms=N", NULL, "period of the stall check while waits exist" },
	{ "open-reads", "--open-reads=yes|no", "yes|no",
	  "let unprivileged users read waits, statistics and scans" },
	{ "count-breaks", "--count-breaks=yes|no", "yes|no",
	  "probe every layout break (breaks counter, scan-time histogram), at some cost" },
	{ "event-burst", "--event-burst=N", NULL, "events per second the module may send; 0: none" },
	{ "rescue", "--rescue=yes|no", "yes|no",
	  "the module wakes a waiter whose page is idle itself, at once (daxpind only logs it)" },
	END,
};

static const struct daxpinctl_opt_help bench_opts[] = {
	{ "iterations", "-n, --iterations=N", NULL,
	  "repetitions (gp: default 20, at most 1000; truncate: default 100)" },
	END,
};

static const struct daxpinctl_opt_help monitor_opts[] = {
	{ "snapshot", "-s, --snapshot", NULL, "start with a resync record of the current waits" },
	{ "count", "-c, --count=N", NULL, "exit after N events" },
	{ "mount", "--mount=PATH", NULL, "only waits on the filesystem holding PATH" },
	{ "dev", "--dev=DEV", NULL, "only waits on block device DEV (MAJ:MIN, path or name)" },
	{ "follow", "-f, --follow", NULL, "follow the events until interrupted (the default)" },
	{ "no-follow", "--no-follow", NULL, "print the current waits (one resync record) and exit" },
	END,
};

static const struct daxpinctl_opt_help policy_opts[] = {
	{ "mount", "--mount=M", NULL, "set or reset the key in section [Mount M]" },
	{ "device", "--device=D", NULL, "set or reset the key in section [Device D]" },
	{ "section", "--section=S", NULL, "set or reset the key in section [S] (e.g. Daemon)" },
	{ "persist", "--persist", NULL,
	  "also write the change under /etc/daxpin/daxpind.conf.d/ (else lost on reboot)" },
	END,
};

static const struct daxpinctl_opt_help status_opts[] = {
	{ "check", "-c, --check", NULL,
	  "one line and the verdict as exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN" },
	{ "warn-ms", "--warn-ms=N", NULL,
	  "a wait is stuck (warning) after N ms (default: daxpind's WarnAfterSec, else 5000)" },
	{ "crit-ms", "--crit-ms=N", NULL, "a wait is critical after N ms (default 60000)" },
	END,
};

static const struct daxpinctl_opt_help no_opts[] = { END };

static const struct daxpinctl_cmd_help cmds[] = {
	{ "waits", "List the tasks sleeping in a DAX layout break.", waits_opts },
	{ "kick", "Wake each wait ID (from 'daxpinctl waits') so it re-checks its page.",
	  kick_opts },
	{ "scan", "List the busy (pinned) DAX pages of each file.", no_opts },
	{ "stats", "Module and per-filesystem counters, grace periods in kill_dax().",
	  stats_opts },
	{ "config", "Print the module configuration; with options, change it first (root).",
	  config_opts },
	{ "bench", "gp: time the grace-period primitives in the module (root).\n"
		   "truncate: time the truncate of a DAX file's last page.", bench_opts },
	{ "monitor", "Follow the module's wait events.", monitor_opts },
	{ "policy", "show: daxpind's effective policy and where each value comes from.\n"
		    "set KEY=VALUE, reset [KEY]: change it at run time (root).", policy_opts },
	{ "metrics", "Print daxpind's Prometheus metrics.", no_opts },
	{ "status", "Health overview: module, pmem, DAX mounts, waits, daxpind.", status_opts },
	{ "version", "Print the daxpinctl and daxpin.ko versions.", no_opts },
};

const struct daxpinctl_cmd_help *daxpinctl_help_find(const char *cmd)
{
	for (size_t i = 0; cmd && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].cmd, cmd))
			return &cmds[i];
	return NULL;
}

const struct daxpinctl_opt_help *daxpinctl_opt_help_find(const char *cmd, const char *name)
{
	const struct daxpinctl_cmd_help *h = daxpinctl_help_find(cmd);
	const struct daxpinctl_opt_help *o;

	for (o = h ? h->opts : no_opts; o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	for (o = daxpinctl_common_help; o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

static void print_opts(FILE *f, const struct daxpinctl_opt_help *o)
{
	for (; o->name; o++)
		fprintf(f, "  %-26s %s\n", o->spelling, o->help);
}

void daxpinctl_help_print(FILE *f, const char *cmd, const char *usage)
{
	const struct daxpinctl_cmd_help *h = daxpinctl_help_find(cmd);

	fprintf(f, "usage: %s\n", usage);
	if (h) {
		fprintf(f, "\n%s\n", h->text);
		if (h->opts->name) {
			fprintf(f, "\noptions:\n");
			print_opts(f, h->opts);
		}
	}
	fprintf(f, "\ncommon options:\n");
	print_opts(f, daxpinctl_common_help);
	if (cmd)
		fprintf(f, "\nSee daxpinctl(8), section COMMANDS, %s.\n", cmd);
}
