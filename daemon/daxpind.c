// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daxpind: watches every filesystem-DAX layout-break wait, explains it in
 * the journal and applies the operator's policy.  This file is main():
 * options, --check-config, logging, then the manager (manager.c) and its
 * event loop.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon/log.h"
#include "daemon/manager.h"
#include "lib/daxpin-text.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: daxpind [OPTIONS]\n"
		"Watch filesystem-DAX layout-break waits and apply policy.\n\n"
		"  -c, --config=FILE       main configuration file (default %s)\n"
		"      --runtime-dir=DIR   state, control socket, runtime drop-ins (default %s)\n"
		"      --check-config      validate the configuration and exit\n"
		"      --control-group=G   group (name or gid) allowed to read (default daxpin)\n"
		"  -d, --debug             log to stderr, including debug messages\n"
		"  -h, --help              this help\n"
		"  -V, --version           print the version\n",
		SYSCONFDIR "/daxpin/daxpind.conf", RUNSTATEDIR "/daxpin");
}

/* --check-config, --debug or a terminal: each problem on stderr as
 * "file:line: message", escaped like the rest of daxpind's output (a file
 * name or a value may hold a newline or a terminal's escape sequence). */
static void print_problem(const char *what, const char *file, unsigned line,
			  const char *message)
{
	if (line)
		fprintf(stderr, "%s:%u: %s%s\n", daxpin_esc(file, 0), line, what,
			daxpin_esc(message, 0));
	else
		fprintf(stderr, "%s: %s%s\n", daxpin_esc(file, 0), what, daxpin_esc(message, 0));
}

static void print_error(void *userdata, const char *file, unsigned line, const char *key,
			const char *message)
{
	(void)userdata;
	(void)key;
	print_problem("", file ? file : "?", line, message);
}

static void print_warning(void *userdata, const char *file, unsigned line, const char *key,
			  const char *message)
{
	(void)userdata;
	(void)key;
	print_problem("warning: ", file ? file : "?", line, message);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "runtime-dir", required_argument, NULL, 'R' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "control-group", required_argument, NULL, 'G' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *config_file = SYSCONFDIR "/daxpin/daxpind.conf";
	const char *rundir = RUNSTATEDIR "/daxpin";
	const char *control_group = NULL;
	struct dxp_log_options lo = { 0 };
	struct dxp_manager *m = NULL;
	bool check = false, debug = false, config_given = false;
	int c, r;

	while ((c = getopt_long(argc, argv, "c:dhV", opts, NULL)) >= 0) {
		switch (c) {
		case 'c': config_file = optarg; config_given = true; break;
		case 'R': rundir = optarg; break;
		case 'C': check = true; break;
		case 'G': control_group = optarg; break;
		case 'd': debug = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("daxpind %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (dxp_manager_new(config_file, rundir, control_group, debug, &m) < 0)
		return 1;

	lo.to_stderr = debug;
	lo.debug = debug;
	lo.ratelimit_interval_ns = 30 * DXP_NSEC_PER_SEC;
	lo.ratelimit_burst = 10;
	dxp_log_setup(&lo);

	/* The file named with -c must be there; the default one may be
	 * missing (built-in defaults and drop-ins, as packages install it). */
	m->paths.main_file_required = config_given;
	if (check || debug || isatty(STDERR_FILENO))
		r = dxp_config_load_warn(&m->paths, print_error, print_warning, NULL, &m->config);
	else
		r = dxp_manager_load_config(m, false);
	if (check) {
		if (r < 0) {
			fprintf(stderr, "daxpind: configuration is invalid\n");
		} else if (!m->config->n_files) {
			printf("daxpind: configuration OK (no file: built-in defaults)\n");
		} else {
			printf("daxpind: configuration OK (%zu file(s))\n", m->config->n_files);
			for (size_t i = 0; i < m->config->n_files; i++)
				printf("  %s\n", daxpin_esc(m->config->files[i], 0));
		}
		dxp_manager_free(m);
		return r < 0 ? 1 : 0;
	}
	if (r < 0) {
		/* Refuse to start on a bad configuration: guessing what the
		 * operator meant could send signals nobody asked for. */
		dxp_log(DXP_MSG_CONFIG, LOG_ERR, NULL, NULL,
			"Refusing to start: the configuration has errors (daxpind --check-config)");
		sd_notifyf(false, "STATUS=Invalid configuration\nERRNO=%d", -r);
		dxp_manager_free(m);
		return 1;
	}
	dxp_log_set_ratelimit(m->config->ratelimit_interval_ns, m->config->ratelimit_burst);

	r = dxp_manager_start(m);
	if (r >= 0) {
		r = sd_event_loop(m->e);
		dxp_manager_save_state(m);
	}
	dxp_manager_free(m);
	if (r < 0) {
		sd_notifyf(false, "STATUS=Failed: %s\nERRNO=%d", strerror(-r), -r);
		return 1;
	}
	return 0;
}
