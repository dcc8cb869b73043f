/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prometheus text exposition (format 0.0.4) of the daemon and module. */
#ifndef DAXPIND_METRICS_H
#define DAXPIND_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/monitor.h"

struct dxp_metrics_input {
	const struct dxp_monitor *m;
	const struct daxpin_stats *stats;	/* NULL: module absent or failed */
	uint64_t log_suppressed;
	uint64_t events_malformed;
	uint64_t config_reloads;
	uint64_t config_reload_failures;
};

/* Returns 0 and a malloc'd NUL-terminated text in *out. */
int dxp_metrics_render(const struct dxp_metrics_input *in, char **out, size_t *len);
/* Write atomically (temp file in the same directory + rename), mode 0644. */
int dxp_metrics_write(const char *path, const char *text, size_t len);

#endif
