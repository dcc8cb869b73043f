// SPDX-License-Identifier: GPL-2.0
/* daxpinctl stats / config */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "render.h"
#include "lib/daxpin-json.h"
#include "lib/daxpin-util.h"

int cmd_stats(int argc, char **argv, struct daxpinctl_opts *opts)
{
	static const char usage[] =
		"daxpinctl stats [--reset] [-H|--histogram] [--json] [-u]";
	static const struct option lo[] = {
		{ "reset", no_argument, NULL, 'r' },
		{ "histogram", no_argument, NULL, 'H' },
		{ 0 },
	};
	struct render_opts ro = { 0 };
	struct daxpin_mounts mnts = { 0 };
	struct daxpin_stats st = { 0 };
	struct daxpin_ctx *ctx;
	struct json_object *o;
	bool reset = false;
	int c, rc;

	while ((c = daxpinctl_getopt(argc, argv, opts, usage, "rH", lo, 0,
				     &rc)) != -1) {
		if (c == 'r')
			reset = true;
		else
			ro.hist = true;
	}
	if (rc)
		return rc < 0 ? 0 : rc;
	ro.human = opts->human;

	rc = daxpinctl_open(opts, &ctx);
	if (rc)
		return rc;
	rc = daxpin_get_stats(ctx, &st);
	if (rc) {
		rc = daxpinctl_error(opts, ctx, rc, "reading statistics");
		goto out;
	}
	/* print what is being reset, then reset */
	if (reset) {
		rc = daxpin_reset_stats(ctx);
		if (rc) {
			rc = daxpinctl_error(opts, ctx, rc,
					     "resetting statistics");
			goto out;
		}
	}
	if (daxpin_mounts_load(&mnts, NULL))
		memset(&mnts, 0, sizeof(mnts));
	if (opts->json) {
		/* histograms are sparse: always part of the JSON document */
		o = daxpin_stats_to_json(&st, &mnts, true);
		if (o)
			json_object_object_add(o, "reset",
					       json_object_new_boolean(reset));
		rc = daxpinctl_print_json(opts, o);
	} else {
		render_stats(stdout, &st, &mnts, &ro);
		if (reset)
			printf("\nstatistics reset\n");
		rc = DAXPINCTL_EXIT_OK;
	}
out:
	daxpin_mounts_free(&mnts);
	daxpin_stats_free(&st);
	daxpin_close(ctx);
	return rc;
}

static int parse_bool(const char *s, bool *out)
{
	if (!strcmp(s, "1") || !strcmp(s, "yes") || !strcmp(s, "on") ||
	    !strcmp(s, "true")) {
		*out = true;
		return 0;
	}
	if (!strcmp(s, "0") || !strcmp(s, "no") || !strcmp(s, "off") ||
	    !strcmp(s, "false")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

int cmd_config(int argc, char **argv, struct daxpinctl_opts *opts)
{
	static const char usage[] =
		"daxpinctl config [--poll-ms=N] [--open-reads=yes|no] "
		"[--count-breaks=yes|no] [--event-burst=N] [--rescue=yes|no] "
		"[--json]";
	static const struct option lo[] = {
		{ "poll-ms", required_argument, NULL, 'p' },
		{ "open-reads", required_argument, NULL, 'o' },
		{ "count-breaks", required_argument, NULL, 'c' },
		{ "event-burst", required_argument, NULL, 'e' },
		{ "rescue", required_argument, NULL, 'r' },
		{ 0 },
	};
	struct daxpin_config set = { 0 }, cur;
	struct daxpin_ctx *ctx;
	uint64_t v;
	int c, rc;

	while ((c = daxpinctl_getopt(argc, argv, opts, usage, NULL, lo, 0,
				     &rc)) != -1) {
		switch (c) {
		case 'p':
			if (daxpin_parse_u64(optarg, UINT32_MAX, &v))
				return daxpinctl_usage_error(opts, usage,
					"bad --poll-ms '%s'", optarg);
			set.poll_ms = (uint32_t)v;
			set.mask |= DAXPIN_CFG_POLL_MS;
			continue;
		case 'e':
			if (daxpin_parse_u64(optarg, UINT32_MAX, &v))
				return daxpinctl_usage_error(opts, usage,
					"bad --event-burst '%s'", optarg);
			set.event_burst = (uint32_t)v;
			set.mask |= DAXPIN_CFG_EVENT_BURST;
			continue;
		case 'o':
			if (parse_bool(optarg, &set.open_reads))
				return daxpinctl_usage_error(opts, usage,
					"bad --open-reads '%s'", optarg);
			set.mask |= DAXPIN_CFG_OPEN_READS;
			continue;
		case 'c':
			if (parse_bool(optarg, &set.count_breaks))
				return daxpinctl_usage_error(opts, usage,
					"bad --count-breaks '%s'", optarg);
			set.mask |= DAXPIN_CFG_COUNT_BREAKS;
			continue;
		case 'r':
			if (parse_bool(optarg, &set.rescue))
				return daxpinctl_usage_error(opts, usage,
					"bad --rescue '%s'", optarg);
			set.mask |= DAXPIN_CFG_RESCUE;
			continue;
		}
	}
	if (rc)
		return rc < 0 ? 0 : rc;

	rc = daxpinctl_open(opts, &ctx);
	if (rc)
		return rc;
	if (set.mask) {
		rc = daxpin_set_config(ctx, &set);
		if (rc) {
			rc = daxpinctl_error(opts, ctx, rc,
					     "changing the configuration");
			goto out;
		}
	}
	rc = daxpin_get_config(ctx, &cur);
	if (rc) {
		rc = daxpinctl_error(opts, ctx, rc, "reading the configuration");
		goto out;
	}
	if (opts->json) {
		rc = daxpinctl_print_json(opts, daxpin_config_to_json(&cur));
	} else {
		render_config(stdout, &cur);
		rc = DAXPINCTL_EXIT_OK;
	}
out:
	daxpin_close(ctx);
	return rc;
}
