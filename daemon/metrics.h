/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prometheus text exposition (format 0.0.4) of the daemon and module.
 * Every name is daxpin_*; counters end in _total, times are in seconds;
 * histograms carry the same fixed, exact le bounds whatever they hold.
 */
#ifndef DAXPIND_METRICS_H
#define DAXPIND_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/monitor.h"

/* node_exporter's textfile directory in Debian's prometheus-node-exporter
 * (--collector.textfile.directory in /etc/default/prometheus-node-exporter). */
#define DXP_METRICS_DIR		"/var/lib/prometheus/node-exporter"
#define DXP_METRICS_FILE	"daxpind.prom"
/* The file is rewritten at least this often, so that its
 * daxpin_metrics_timestamp_seconds shows daxpind alive. */
#define DXP_METRICS_HEARTBEAT_SEC	60

struct dxp_metrics_input {
	const struct dxp_monitor *m;
	const struct daxpin_stats *stats;	/* NULL: module absent or failed */
	uint64_t now_ns;			/* CLOCK_BOOTTIME, for wait ages */
	uint64_t wall_ns;			/* CLOCK_REALTIME of this rendering */
	const char *version;			/* daxpind's */
	const char *kernel;			/* uname -r */
	uint64_t log_suppressed;
	uint64_t events_malformed;
	uint64_t config_reloads;
	uint64_t config_reload_failures;
};

/* Returns 0 and a malloc'd NUL-terminated text in *out. */
int dxp_metrics_render(const struct dxp_metrics_input *in, char **out, size_t *len);
/* Write atomically (temp file in the same directory + rename), mode 0644. */
int dxp_metrics_write(const char *path, const char *text, size_t len);
/* Exact decimal of @us microseconds in seconds ("0.000002", "1.048576",
 * "2"): no %g rounding, so every series has the same le strings. */
void dxp_metrics_seconds(char *buf, size_t len, uint64_t us);

#endif
