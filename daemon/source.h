/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal interface between daxpind's engine (monitor.c) and where wait
 * observations come from.  The production implementation (nlsource.c)
 * speaks the "daxpin" generic netlink family through libdaxpin; the unit
 * tests plug in a fake.  Objects are libdaxpin's plain structs (only the
 * header is needed for that), so nothing is converted twice.
 */
#ifndef DAXPIND_SOURCE_H
#define DAXPIND_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/daxpin.h"

/* Module-side knobs the daemon may set from its [Module] section. */
struct dxp_module_config {
	unsigned set;			/* DXP_MODCFG_* bits present */
	uint32_t poll_ms;
	uint32_t event_burst;
	bool open_reads;
	bool count_breaks;
};

enum {
	DXP_MODCFG_POLL_MS	= 1u << 0,
	DXP_MODCFG_EVENT_BURST	= 1u << 1,
	DXP_MODCFG_OPEN_READS	= 1u << 2,
	DXP_MODCFG_COUNT_BREAKS	= 1u << 3,
};

struct dxp_source_ops {
	/* All waits currently in flight. */
	int (*dump_waits)(void *ctx, struct daxpin_waits *out);
	/* The waits in flight and the module's ended-wait log above @since
	 * (daxpin_get_waits_since()).  Optional: NULL, -EINVAL or a missing
	 * summary mean a module without the log. */
	int (*dump_since)(void *ctx, uint64_t since, struct daxpin_waits *out,
			  struct daxpin_waits *ended, struct daxpin_waits_log *log);
	/* Fresh snapshot of one wait; -ENOENT when it has ended. */
	int (*get_wait)(void *ctx, uint64_t id, struct daxpin_wait *out);
	int (*kick)(void *ctx, uint64_t id, bool *was_idle);
	int (*set_config)(void *ctx, const struct dxp_module_config *cfg);
	int (*get_stats)(void *ctx, struct daxpin_stats *out);
};

struct dxp_source {
	const struct dxp_source_ops *ops;
	void *ctx;
};

#endif
