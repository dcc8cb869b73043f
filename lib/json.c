// SPDX-License-Identifier: LGPL-2.1
/* JSON rendering of libdaxpin objects; see daxpin-json.h for conventions */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daxpin-json.h"
#include "daxpin-text.h"

static int add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v)
		return -ENOMEM;
	if (json_object_object_add(o, key, v)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/* json-c stores int64; counters above INT64_MAX would need uint64 */
/* v may legitimately be NULL (JSON null) */
static int add_or_null(struct json_object *o, const char *key,
		       struct json_object *v, bool want)
{
	if (want && !v)
		return -ENOMEM;
	if (json_object_object_add(o, key, v)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int add_u64(struct json_object *o, const char *key, uint64_t v)
{
	return add(o, key, json_object_new_uint64(v));
}

/* Names may be any bytes: every string is made valid UTF-8 (U+FFFD). */
static int add_str(struct json_object *o, const char *key, const char *s)
{
	return add(o, key, daxpin_json_string(s));
}

static int add_bool(struct json_object *o, const char *key, bool b)
{
	return add(o, key, json_object_new_boolean(b));
}

/* A value the reader was not given (e.g. a pfn) is null, never 0. */
static int add_u64_if(struct json_object *o, const char *key, bool have,
		      uint64_t v)
{
	return add_or_null(o, key, have ? json_object_new_uint64(v) : NULL,
			   have);
}

static int add_maj_min(struct json_object *o, uint32_t major, uint32_t minor)
{
	char dev[32];

	snprintf(dev, sizeof(dev), "%u:%u", major, minor);
	return add_str(o, "maj_min", dev);
}

static struct json_object *fail(struct json_object *o)
{
	json_object_put(o);
	return NULL;
}

struct json_object *daxpin_hist_to_json(const struct daxpin_hist *h)
{
	struct json_object *arr = json_object_new_array();
	unsigned int b;

	if (!arr)
		return NULL;
	for (b = 0; b < DAXPIN_HIST_BUCKETS; b++) {
		struct json_object *e;

		if (!h->count[b])
			continue;
		e = json_object_new_object();
		if (!e)
			return fail(arr);
		if (add_u64(e, "ge_us", daxpin_hist_lo_us(b)) ||
		    add_u64(e, "lt_us", daxpin_hist_hi_us(b)) ||
		    add_u64(e, "count", h->count[b]) ||
		    json_object_array_add(arr, e)) {
			json_object_put(e);
			return fail(arr);
		}
	}
	return arr;
}

static struct json_object *holder_to_json(const struct daxpin_holder *h)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (add_u64(o, "pid", h->pid) ||
	    add_u64(o, "tgid", h->tgid) ||
	    add_str(o, "comm", h->comm) ||
	    add_u64(o, "uid", h->uid) ||
	    add_u64(o, "vm_start", h->vm_start) ||
	    add_u64(o, "vm_end", h->vm_end) ||
	    add_u64(o, "address", h->address) ||
	    add_bool(o, "shared", h->vm_flags & DAXPIN_HOLDER_VM_SHARED) ||
	    add_bool(o, "write", h->vm_flags & DAXPIN_HOLDER_VM_WRITE) ||
	    add_bool(o, "io", h->vm_flags & DAXPIN_HOLDER_VM_IO) ||
	    add_bool(o, "pfnmap", h->vm_flags & DAXPIN_HOLDER_VM_PFNMAP) ||
	    add_bool(o, "locked", h->vm_flags & DAXPIN_HOLDER_VM_LOCKED) ||
	    add_bool(o, "dma_pinned", h->dma_pinned) ||
	    add_bool(o, "mm_pinned", h->mm_pinned))
		return fail(o);
	return o;
}

/* null: not known (see struct daxpin_wait); [] with no_holder: none. */
static int add_holder_list(struct json_object *o, const struct daxpin_wait *w)
{
	struct json_object *arr;
	uint32_t i;

	if (!daxpin_wait_holders_known(w))
		return add_or_null(o, "holders", NULL, false);
	arr = json_object_new_array();
	if (add(o, "holders", arr))
		return -ENOMEM;
	for (i = 0; i < w->nr_holders && i < DAXPIN_HOLDERS_MAX; i++) {
		struct json_object *e = holder_to_json(&w->holders[i]);

		if (!e || json_object_array_add(arr, e)) {
			json_object_put(e);
			return -ENOMEM;
		}
	}
	return 0;
}

int daxpin_json_add_holders(struct json_object *o, const struct daxpin_wait *w)
{
	if (add_holder_list(o, w) ||
	    add_bool(o, "holders_truncated", w->holders_truncated) ||
	    add_bool(o, "no_holder", w->no_holder))
		return -ENOMEM;
	return 0;
}

static int add_wait_fields(struct json_object *o, const struct daxpin_wait *w,
			   const struct daxpin_mounts *mnts)
{
	char abs[DAXPIN_PATH_LEN];
	bool absolute = false;

	/* A tail cut by the module would read as a whole path under the mount. */
	if (mnts && w->has_path && !w->path_truncated && w->path[0] &&
	    daxpin_mounts_abspath(mnts, w->dev_major, w->dev_minor, w->path,
				  abs, sizeof(abs)) == 0)
		absolute = true;

	if (add_u64(o, "id", w->id) ||
	    add_u64(o, "pid", w->pid) ||
	    add_u64(o, "tgid", w->tgid) ||
	    add_str(o, "comm", w->comm) ||
	    add_str(o, "fs", w->fs) ||
	    add_maj_min(o, w->dev_major, w->dev_minor) ||
	    add_u64(o, "ino", w->ino) ||
	    add_or_null(o, "path", w->has_path ?
			daxpin_json_string(absolute ? abs : w->path) : NULL,
			w->has_path) ||
	    add_bool(o, "path_absolute", absolute) ||
	    add_bool(o, "path_truncated", w->path_truncated) ||
	    add_u64(o, "offset", w->offset) ||
	    add_u64_if(o, "pfn", w->has_pfn, w->pfn) ||
	    add_u64(o, "refcount", w->refcount) ||
	    add_bool(o, "dma_pinned", w->dma_pinned) ||
	    add_bool(o, "idle", w->idle) ||
	    add_bool(o, "stalled", w->stalled) ||
	    add_bool(o, "page_gone", w->page_gone) ||
	    add_str(o, "kind", daxpin_wait_kind_name(w->kind)) ||
	    add_u64(o, "folio_order", w->folio_order) ||
	    add_u64(o, "waited_ns", w->waited_ns) ||
	    add_u64(o, "rounds", w->rounds) ||
	    add_u64(o, "kicks", w->kicks) ||
	    add_u64(o, "start_ns", w->start_ns) ||
	    daxpin_json_add_holders(o, w))
		return -ENOMEM;
	return 0;
}

struct json_object *daxpin_wait_to_json(const struct daxpin_wait *w,
					const struct daxpin_mounts *mnts)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (add_wait_fields(o, w, mnts))
		return fail(o);
	return o;
}

struct json_object *daxpin_waits_to_json(const struct daxpin_waits *w,
					 const struct daxpin_mounts *mnts)
{
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	size_t i;

	if (!o || !arr) {
		json_object_put(arr);
		return fail(o);
	}
	if (add(o, "waits", arr))
		return fail(o);
	for (i = 0; i < w->nr; i++) {
		struct json_object *e = daxpin_wait_to_json(&w->waits[i], mnts);

		if (!e || json_object_array_add(arr, e)) {
			json_object_put(e);
			return fail(o);
		}
	}
	return o;
}

struct json_object *daxpin_global_to_json(const struct daxpin_global *g,
					  bool hist)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (add_str(o, "version", g->version) ||
	    add_u64(o, "waits_in_flight", g->waits_active) ||
	    add_u64(o, "waits_max", g->waits_max) ||
	    add_u64(o, "waits_dropped", g->waits_dropped) ||
	    add_u64(o, "events_sent", g->events_sent) ||
	    add_u64(o, "events_dropped", g->events_dropped) ||
	    add_u64(o, "breaks", g->breaks) ||
	    add_u64(o, "reset_ns", g->reset_ns) ||
	    add_or_null(o, "waits_stalled", g->has_summary ?
			json_object_new_uint64(g->waits_stalled) : NULL,
			g->has_summary) ||
	    add_or_null(o, "oldest_waited_ns", g->oldest_waited_ns ?
			json_object_new_uint64(g->oldest_waited_ns) : NULL,
			g->oldest_waited_ns != 0) ||
	    add_u64_if(o, "probe_missed", g->has_probe_missed,
		       g->probe_missed))
		return fail(o);
	if (hist && add(o, "scan_hist", daxpin_hist_to_json(&g->scan_hist)))
		return fail(o);
	return o;
}

struct json_object *daxpin_sb_to_json(const struct daxpin_sb_stats *sb,
				      const struct daxpin_mounts *mnts,
				      bool hist)
{
	struct json_object *o = json_object_new_object();
	const struct daxpin_mount *mnt;

	if (!o)
		return NULL;
	mnt = daxpin_mounts_find(mnts, sb->dev_major, sb->dev_minor, NULL);
	if (add_str(o, "fs", sb->fs) ||
	    add_maj_min(o, sb->dev_major, sb->dev_minor) ||
	    add_or_null(o, "mount_point", mnt ? daxpin_json_string(mnt->mnt_point)
			: NULL, mnt != NULL) ||
	    add_u64(o, "started", sb->started) ||
	    add_u64(o, "completed", sb->completed) ||
	    add_u64(o, "interrupted", sb->interrupted) ||
	    add_u64(o, "kicks", sb->kicked) ||
	    add_u64(o, "stalls", sb->stalled) ||
	    add_u64(o, "total_ns", sb->total_ns) ||
	    add_u64(o, "max_ns", sb->max_ns))
		return fail(o);
	if (hist && add(o, "hist", daxpin_hist_to_json(&sb->hist)))
		return fail(o);
	return o;
}

struct json_object *daxpin_gp_to_json(const struct daxpin_gp_stats *gp,
				      bool hist)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (add_str(o, "name", gp->name) ||
	    add_u64(o, "primitive", gp->primitive) ||
	    add_str(o, "context", daxpin_gp_context_name(gp->context)) ||
	    add_u64(o, "count", gp->count) ||
	    add_u64(o, "total_ns", gp->total_ns) ||
	    add_u64(o, "max_ns", gp->max_ns) ||
	    add_or_null(o, "missed", gp->has_missed ?
			json_object_new_uint64(gp->missed) : NULL,
			gp->has_missed))
		return fail(o);
	if (hist && add(o, "hist", daxpin_hist_to_json(&gp->hist)))
		return fail(o);
	return o;
}

struct json_object *daxpin_stats_to_json(const struct daxpin_stats *s,
					 const struct daxpin_mounts *mnts,
					 bool hist)
{
	struct json_object *o = json_object_new_object();
	struct json_object *sbs, *gps;
	size_t i;

	if (!o)
		return NULL;
	if (add_or_null(o, "global", s->has_global ?
			daxpin_global_to_json(&s->global, hist) : NULL,
			s->has_global))
		return fail(o);
	sbs = json_object_new_array();
	if (add(o, "superblocks", sbs))
		return fail(o);
	for (i = 0; i < s->nr_sb; i++) {
		struct json_object *e = daxpin_sb_to_json(&s->sb[i], mnts, hist);

		if (!e || json_object_array_add(sbs, e)) {
			json_object_put(e);
			return fail(o);
		}
	}
	gps = json_object_new_array();
	if (add(o, "grace_periods", gps))
		return fail(o);
	for (i = 0; i < s->nr_gp; i++) {
		struct json_object *e = daxpin_gp_to_json(&s->gp[i], hist);

		if (!e || json_object_array_add(gps, e)) {
			json_object_put(e);
			return fail(o);
		}
	}
	return o;
}

struct json_object *daxpin_config_to_json(const struct daxpin_config *c)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if ((c->mask & DAXPIN_CFG_MAX_WAITS) &&
	    add_u64(o, "max_waits", c->max_waits))
		return fail(o);
	if ((c->mask & DAXPIN_CFG_POLL_MS) && add_u64(o, "poll_ms", c->poll_ms))
		return fail(o);
	if ((c->mask & DAXPIN_CFG_OPEN_READS) &&
	    add_bool(o, "open_reads", c->open_reads))
		return fail(o);
	if ((c->mask & DAXPIN_CFG_COUNT_BREAKS) &&
	    add_bool(o, "count_breaks", c->count_breaks))
		return fail(o);
	if ((c->mask & DAXPIN_CFG_EVENT_BURST) &&
	    add_u64(o, "event_burst", c->event_burst))
		return fail(o);
	if ((c->mask & DAXPIN_CFG_RESCUE) && add_bool(o, "rescue", c->rescue))
		return fail(o);
	return o;
}

struct json_object *daxpin_scan_page_to_json(const struct daxpin_scan_page *p)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (add_u64(o, "offset", p->offset) ||
	    add_u64_if(o, "pfn", p->has_pfn, p->pfn) ||
	    add_u64(o, "refcount", p->refcount) ||
	    add_bool(o, "dma_pinned", p->dma_pinned) ||
	    add_bool(o, "pmd", p->pmd))
		return fail(o);
	return o;
}

struct json_object *daxpin_scan_to_json(const struct daxpin_scan *s,
					const char *path)
{
	struct json_object *o = json_object_new_object();
	struct json_object *arr;
	size_t i;

	if (!o)
		return NULL;
	if ((path && add_str(o, "path", path)) ||
	    add_u64(o, "entries", s->entries) ||
	    add_bool(o, "truncated", s->truncated) ||
	    add_u64(o, "busy", s->nr))
		return fail(o);
	arr = json_object_new_array();
	if (add(o, "pages", arr))
		return fail(o);
	for (i = 0; i < s->nr; i++) {
		struct json_object *e = daxpin_scan_page_to_json(&s->pages[i]);

		if (!e || json_object_array_add(arr, e)) {
			json_object_put(e);
			return fail(o);
		}
	}
	return o;
}

struct json_object *daxpin_bench_result_to_json(const struct daxpin_bench_result *r)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (add_str(o, "name", r->name) ||
	    add_u64(o, "primitive", r->primitive) ||
	    add_u64(o, "iterations", r->iterations) ||
	    add_u64(o, "min_ns", r->min_ns) ||
	    add_u64(o, "median_ns", r->median_ns) ||
	    add_u64(o, "max_ns", r->max_ns))
		return fail(o);
	return o;
}

struct json_object *daxpin_bench_to_json(const struct daxpin_bench *b)
{
	struct json_object *o = json_object_new_object();
	struct json_object *arr;
	size_t i;

	if (!o)
		return NULL;
	arr = json_object_new_array();
	if (add(o, "results", arr))
		return fail(o);
	for (i = 0; i < b->nr; i++) {
		struct json_object *e = daxpin_bench_result_to_json(&b->results[i]);

		if (!e || json_object_array_add(arr, e)) {
			json_object_put(e);
			return fail(o);
		}
	}
	return o;
}

/*
 * An event's CLOCK_BOOTTIME stamp as wall-clock time, so that it lines up
 * with other logs: the two clocks' offset now (it moves only when the
 * wall clock is set, and not across suspend, which BOOTTIME counts).
 */
static uint64_t boot_to_unix_ns(uint64_t boot_ns)
{
	struct timespec rt, bt;
	int64_t off;

	if (clock_gettime(CLOCK_REALTIME, &rt) || clock_gettime(CLOCK_BOOTTIME, &bt))
		return 0;
	off = ((int64_t)rt.tv_sec - bt.tv_sec) * 1000000000 + (rt.tv_nsec - bt.tv_nsec);
	return off < 0 && (uint64_t)-off > boot_ns ? 0 : boot_ns + (uint64_t)off;
}

struct json_object *daxpin_event_to_json(const struct daxpin_event *ev,
					 const struct daxpin_mounts *mnts)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (add_str(o, "event", daxpin_event_type_name(ev->type)))
		return fail(o);
	if (ev->type == DAXPIN_EVENT_OVERRUN) {
		/* from daxpin.ko: how many it dropped; from the socket: bare */
		if (ev->has_dropped &&
		    (add_u64(o, "events_dropped", ev->dropped) || add_u64(o, "time_ns", ev->time_ns) ||
		     add_u64(o, "time_unix_ns", boot_to_unix_ns(ev->time_ns))))
			return fail(o);
		return o;
	}
	if (add_u64(o, "time_ns", ev->time_ns) ||
	    add_u64(o, "time_unix_ns", boot_to_unix_ns(ev->time_ns)))
		return fail(o);
	if (ev->has_outcome &&
	    add_str(o, "outcome", daxpin_outcome_name(ev->outcome)))
		return fail(o);
	if (ev->has_was_idle && add_bool(o, "was_idle", ev->was_idle))
		return fail(o);
	if (ev->rescued && add_bool(o, "rescued", true))
		return fail(o);
	if (ev->has_end_seq && add_u64(o, "end_seq", ev->end_seq))
		return fail(o);
	if (ev->has_wait && add(o, "wait", daxpin_wait_to_json(&ev->wait, mnts)))
		return fail(o);
	return o;
}
