/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * JSON rendering (json-c) of libdaxpin objects.
 *
 * Keys are stable snake_case; numbers are raw integers (ns, counts, bytes),
 * never scaled. Every function returns a new reference (NULL on ENOMEM).
 *
 * Histograms render as an array of the non-empty buckets, ascending:
 *	[{"ge_us": 64, "lt_us": 128, "count": 3}, ...]
 * meaning "count values v with ge_us <= v < lt_us" (bucket 0: ge_us = 0).
 *
 * mnts (may be NULL) turns a wait's fs-relative path into an absolute one;
 * "path_absolute" tells which one was rendered.
 */
#ifndef _DAXPIN_JSON_H_
#define _DAXPIN_JSON_H_

#include <json-c/json.h>
#include "daxpin.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object *daxpin_hist_to_json(const struct daxpin_hist *h);
struct json_object *daxpin_wait_to_json(const struct daxpin_wait *w,
					const struct daxpin_mounts *mnts);
/*
 * Add a wait's "holders" (array, [] when none, null when not known),
 * "holders_truncated" and "no_holder" to @o; 0 or -ENOMEM.
 */
int daxpin_json_add_holders(struct json_object *o, const struct daxpin_wait *w);
/* {"waits": [...]} (array even when empty) */
struct json_object *daxpin_waits_to_json(const struct daxpin_waits *w,
					 const struct daxpin_mounts *mnts);
struct json_object *daxpin_global_to_json(const struct daxpin_global *g,
					  bool hist);
struct json_object *daxpin_sb_to_json(const struct daxpin_sb_stats *sb,
				      const struct daxpin_mounts *mnts,
				      bool hist);
struct json_object *daxpin_gp_to_json(const struct daxpin_gp_stats *gp,
				      bool hist);
/* {"global": {...}|null, "superblocks": [...], "grace_periods": [...]} */
struct json_object *daxpin_stats_to_json(const struct daxpin_stats *s,
					 const struct daxpin_mounts *mnts,
					 bool hist);
struct json_object *daxpin_config_to_json(const struct daxpin_config *c);
struct json_object *daxpin_scan_page_to_json(const struct daxpin_scan_page *p);
/* {"path": path (if not NULL), "entries": n, "truncated": b, "pages": [...]} */
struct json_object *daxpin_scan_to_json(const struct daxpin_scan *s,
					const char *path);
struct json_object *daxpin_bench_result_to_json(const struct daxpin_bench_result *r);
/* {"results": [...]} */
struct json_object *daxpin_bench_to_json(const struct daxpin_bench *b);
/* {"event": "wait_start", "time_ns": ..., "wait": {...}, ...} */
struct json_object *daxpin_event_to_json(const struct daxpin_event *ev,
					 const struct daxpin_mounts *mnts);

#ifdef __cplusplus
}
#endif

#endif /* _DAXPIN_JSON_H_ */
