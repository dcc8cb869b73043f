// SPDX-License-Identifier: GPL-2.0
/*
 * Human output of daxpinctl: tables, bcc-style histograms, event lines.
 * Names (comm, fs, paths, mount points) are escaped like ls -b
 * (daxpin-text.h): spaces too, except in a line's last field.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/daxpin-text.h"
#include "lib/daxpin-util.h"
#include "render.h"

const char *render_ns(char *buf, size_t len, unsigned long long ns,
		      const struct render_opts *ro)
{
	if (ro && ro->human)
		return daxpin_fmt_duration(ns, buf, len);
	snprintf(buf, len, "%llu", ns);
	return buf;
}

/* a name in a column that is not the line's last */
static const char *col(const char *s)
{
	return daxpin_esc(s, DAXPIN_ESC_SPACE);
}

/* a name that runs to the end of the line */
static const char *last(const char *s)
{
	return daxpin_esc(s, 0);
}

static const char *wait_state(const struct daxpin_wait *w)
{
	if (w->page_gone)
		return "gone";
	if (w->stalled)
		return "STALLED";
	if (w->idle)
		return "idle";
	return "busy";
}

/* A final break (eviction, unmount) cannot be interrupted: say so. */
static const char *wait_kind(const struct daxpin_wait *w)
{
	return daxpin_wait_kind_name(w->kind);
}

static const char *wait_path(const struct daxpin_wait *w,
			     const struct daxpin_mounts *mnts,
			     char *buf, size_t len)
{
	if (w->path[0] && !w->path_truncated &&
	    daxpin_mounts_abspath(mnts, w->dev_major,
			w->dev_minor, w->path, buf, len) == 0)
		return buf;
	return w->has_path && w->path[0] ? w->path : "-";
}

static void fmt_dev(char *buf, size_t len, uint32_t major, uint32_t minor)
{
	snprintf(buf, len, "%u:%u", major, minor);
}

static const char *fmt_offset(char *buf, size_t len, uint64_t off,
			      const struct render_opts *ro)
{
	if (ro->human)
		snprintf(buf, len, "0x%" PRIx64, off);
	else
		snprintf(buf, len, "%" PRIu64, off);
	return buf;
}

/* "-" where the module gave no pfn (it shows pfns to CAP_SYS_ADMIN only). */
static const char *fmt_pfn(char *buf, size_t len, bool have, uint64_t pfn)
{
	if (have)
		snprintf(buf, len, "0x%" PRIx64, pfn);
	else
		snprintf(buf, len, "-");
	return buf;
}

/*
 * The HOLDERS column: "TGID/COMM" of each mapping process (comma-joined,
 * "+" when the module listed fewer than there are), "none" when no process
 * maps the page, "-" when not known.
 */
const char *render_holders(char *buf, size_t len, const struct daxpin_wait *w)
{
	size_t n = 0;
	uint32_t i;

	if (!daxpin_wait_holders_known(w)) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (!w->nr_holders) {
		snprintf(buf, len, "none");
		return buf;
	}
	buf[0] = '\0';
	for (i = 0; i < w->nr_holders && i < DAXPIN_HOLDERS_MAX && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%u/%s", i ? "," : "",
			      w->holders[i].tgid,
			      daxpin_esc(w->holders[i].comm, DAXPIN_ESC_SPACE));
	if (w->holders_truncated && n < len)
		snprintf(buf + n, len - n, "+");
	return buf;
}

static void render_holder_flags(char *buf, size_t len,
				const struct daxpin_holder *h)
{
	snprintf(buf, len, "%s%s%s%s%s",
		 h->vm_flags & DAXPIN_HOLDER_VM_SHARED ? "shared" : "private",
		 h->vm_flags & DAXPIN_HOLDER_VM_WRITE ? ",write" : "",
		 h->vm_flags & DAXPIN_HOLDER_VM_LOCKED ? ",locked" : "",
		 h->vm_flags & DAXPIN_HOLDER_VM_IO ? ",io" : "",
		 h->vm_flags & DAXPIN_HOLDER_VM_PFNMAP ? ",pfnmap" : "");
}

/* -v: one line a holder under its wait, or why there is none. */
void render_holder_lines(FILE *f, const char *indent,
			 const struct daxpin_wait *w)
{
	char flags[64];
	uint32_t i;

	if (w->no_holder)
		fprintf(f, "%sno process maps the page (unmapped buffer or kernel user)\n",
			indent);
	for (i = 0; i < w->nr_holders && i < DAXPIN_HOLDERS_MAX; i++) {
		const struct daxpin_holder *h = &w->holders[i];

		render_holder_flags(flags, sizeof(flags), h);
		fprintf(f, "%sholder pid %u tgid %u uid %u %s at 0x%" PRIx64 " in 0x%" PRIx64 "-0x%" PRIx64 " %s%s%s\n",
			indent, h->pid, h->tgid, h->uid, col(h->comm),
			h->address, h->vm_start, h->vm_end, flags,
			h->dma_pinned ? " dma-pinned" : "",
			h->mm_pinned ? " mm-pinned" : "");
	}
	if (w->holders_truncated)
		fprintf(f, "%smore holders than listed\n", indent);
}

void render_waits(FILE *f, const struct daxpin_waits *w,
		  const struct daxpin_mounts *mnts,
		  const struct render_opts *ro)
{
	char path[DAXPIN_PATH_LEN], dev[24], waited[32], off[32], pfn[24];
	char holders[160];
	const char *wh = ro->human ? "WAITED" : "WAITED_MS";
	size_t i;

	if (!w->nr) {
		fprintf(f, "no waits in flight\n");
		return;
	}
	if (ro->verbose)
		fprintf(f, "%-8s %-7s %-7s %-15s %-6s %-8s %-10s %-18s %-12s %-4s %-4s %-7s %-5s %-6s %-5s %-10s %-22s %s\n",
			"ID", "PID", "TGID", "COMM", "FS", "DEV", "INO",
			"OFFSET", "PFN", "REF", "PIN", "STATE", "KIND", "ROUNDS",
			"KICKS", wh, "HOLDERS", "PATH");
	else
		fprintf(f, "%-8s %-7s %-15s %-8s %-10s %-18s %-4s %-4s %-7s %-5s %-10s %-22s %s\n",
			"ID", "PID", "COMM", "DEV", "INO", "OFFSET", "REF",
			"PIN", "STATE", "KIND", wh, "HOLDERS", "PATH");

	for (i = 0; i < w->nr; i++) {
		const struct daxpin_wait *x = &w->waits[i];

		fmt_dev(dev, sizeof(dev), x->dev_major, x->dev_minor);
		fmt_offset(off, sizeof(off), x->offset, ro);
		if (ro->human)
			daxpin_fmt_duration(x->waited_ns, waited, sizeof(waited));
		else
			snprintf(waited, sizeof(waited), "%" PRIu64,
				 x->waited_ns / 1000000);
		fmt_pfn(pfn, sizeof(pfn), x->has_pfn, x->pfn);
		render_holders(holders, sizeof(holders), x);
		if (ro->verbose) {
			fprintf(f, "%-8" PRIu64 " %-7u %-7u %-15s %-6s %-8s %-10" PRIu64 " %-18s %-12s %-4u %-4s %-7s %-5s %-6u %-5u %-10s %-22s %s\n",
				x->id, x->pid, x->tgid, col(x->comm),
				x->fs[0] ? col(x->fs) : "-", dev, x->ino, off,
				pfn, x->refcount,
				x->dma_pinned ? "yes" : "no", wait_state(x),
				wait_kind(x), x->rounds, x->kicks, waited, holders,
				last(wait_path(x, mnts, path, sizeof(path))));
			render_holder_lines(f, "    ", x);
		} else {
			fprintf(f, "%-8" PRIu64 " %-7u %-15s %-8s %-10" PRIu64 " %-18s %-4u %-4s %-7s %-5s %-10s %-22s %s\n",
				x->id, x->pid, col(x->comm), dev, x->ino, off,
				x->refcount, x->dma_pinned ? "yes" : "no",
				wait_state(x), wait_kind(x), waited, holders,
				last(wait_path(x, mnts, path, sizeof(path))));
		}
	}
}

#define HIST_STARS 40

void render_hist(FILE *f, const struct daxpin_hist *h, const char *unit)
{
	char stars[HIST_STARS + 1];
	int b, first = -1, last = -1;
	uint64_t max = 0;

	for (b = 0; b < DAXPIN_HIST_BUCKETS; b++) {
		if (!h->count[b])
			continue;
		if (first < 0)
			first = b;
		last = b;
		if (h->count[b] > max)
			max = h->count[b];
	}
	if (first < 0)
		return;
	fprintf(f, "%10s%-14s : count     distribution\n", "", unit);
	for (b = first; b <= last; b++) {
		unsigned int n = (unsigned int)(h->count[b] * HIST_STARS / max);

		memset(stars, '*', n);
		stars[n] = '\0';
		fprintf(f, "%10" PRIu64 " -> %-10" PRIu64 " : %-8" PRIu64 " |%-*s|\n",
			daxpin_hist_lo_us(b), daxpin_hist_hi_us(b) - 1,
			h->count[b], HIST_STARS, stars);
	}
}

static const char *avg_ns(char *buf, size_t len, uint64_t total, uint64_t n,
			  const struct render_opts *ro)
{
	if (!n) {
		snprintf(buf, len, "-");
		return buf;
	}
	return render_ns(buf, len, total / n, ro);
}

/* human: "counters since 5m03s"; raw: the CLOCK_BOOTTIME of the reset */
static const char *since_reset(char *buf, size_t len, uint64_t reset_ns,
			       const struct render_opts *ro)
{
	struct timespec ts;
	char d[32];
	uint64_t now;

	if (ro->human && !clock_gettime(CLOCK_BOOTTIME, &ts)) {
		now = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
		if (now >= reset_ns) {
			snprintf(buf, len, "counters since %s",
				 daxpin_fmt_duration(now - reset_ns, d,
						     sizeof(d)));
			return buf;
		}
	}
	snprintf(buf, len, "reset_ns %" PRIu64, reset_ns);
	return buf;
}

void render_stats(FILE *f, const struct daxpin_stats *s,
		  const struct daxpin_mounts *mnts,
		  const struct render_opts *ro)
{
	const char *avgh = ro->human ? "AVG" : "AVG_NS";
	const char *maxh = ro->human ? "MAX" : "MAX_NS";
	char a[32], m[32], dev[24];
	size_t i;

	if (s->has_global) {
		const struct daxpin_global *g = &s->global;

		fprintf(f, "module %s: waits active %u/%u, dropped %" PRIu64
			", events sent %" PRIu64 ", dropped %" PRIu64
			", breaks %" PRIu64 ", %s\n",
			g->version[0] ? col(g->version) : "?", g->waits_active,
			g->waits_max, g->waits_dropped, g->events_sent,
			g->events_dropped, g->breaks,
			since_reset(a, sizeof(a), g->reset_ns, ro));
		if (ro->hist && daxpin_hist_total(&g->scan_hist)) {
			fprintf(f, "\nbusy-page scan time:\n");
			render_hist(f, &g->scan_hist, "usecs");
		}
	}

	fprintf(f, "\nsuperblocks:\n");
	if (!s->nr_sb)
		fprintf(f, "  (none)\n");
	else
		fprintf(f, "  %-8s %-6s %-10s %-10s %-11s %-8s %-8s %-12s %-12s %s\n",
			"DEV", "FS", "STARTED", "COMPLETED", "INTERRUPTED",
			"KICKED", "STALLED", avgh, maxh, "MOUNT");
	for (i = 0; i < s->nr_sb; i++) {
		const struct daxpin_sb_stats *sb = &s->sb[i];
		const struct daxpin_mount *mnt;

		mnt = daxpin_mounts_find(mnts, sb->dev_major, sb->dev_minor,
					 NULL);
		fmt_dev(dev, sizeof(dev), sb->dev_major, sb->dev_minor);
		fprintf(f, "  %-8s %-6s %-10" PRIu64 " %-10" PRIu64 " %-11" PRIu64
			" %-8" PRIu64 " %-8" PRIu64 " %-12s %-12s %s\n",
			dev, sb->fs[0] ? col(sb->fs) : "-", sb->started,
			sb->completed, sb->interrupted, sb->kicked,
			sb->stalled,
			avg_ns(a, sizeof(a), sb->total_ns,
			       sb->completed + sb->interrupted, ro),
			render_ns(m, sizeof(m), sb->max_ns, ro),
			mnt ? last(mnt->mnt_point) : "-");
	}

	if (ro->only_sb)
		return;
	fprintf(f, "\ngrace periods:\n");
	if (!s->nr_gp)
		fprintf(f, "  (none)\n");
	else
		fprintf(f, "  %-28s %-13s %-10s %-12s %-12s %s\n",
			"PRIMITIVE", "CONTEXT", "COUNT", avgh, maxh, "MISSED");
	for (i = 0; i < s->nr_gp; i++) {
		const struct daxpin_gp_stats *gp = &s->gp[i];
		char ms[24] = "-";	/* a module that does not report it */

		if (gp->has_missed)
			snprintf(ms, sizeof(ms), "%" PRIu64, gp->missed);
		fprintf(f, "  %-28s %-13s %-10" PRIu64 " %-12s %-12s %s\n",
			col(gp->name), daxpin_gp_context_name(gp->context),
			gp->count,
			avg_ns(a, sizeof(a), gp->total_ns, gp->count, ro),
			render_ns(m, sizeof(m), gp->max_ns, ro), ms);
	}

	if (!ro->hist)
		return;
	for (i = 0; i < s->nr_sb; i++) {
		const struct daxpin_sb_stats *sb = &s->sb[i];

		if (!daxpin_hist_total(&sb->hist))
			continue;
		fmt_dev(dev, sizeof(dev), sb->dev_major, sb->dev_minor);
		fprintf(f, "\nwait time, %s (%s):\n", dev,
			sb->fs[0] ? col(sb->fs) : "-");
		render_hist(f, &sb->hist, "usecs");
	}
	for (i = 0; i < s->nr_gp; i++) {
		const struct daxpin_gp_stats *gp = &s->gp[i];

		if (!daxpin_hist_total(&gp->hist))
			continue;
		fprintf(f, "\n%s (%s):\n", col(gp->name),
			daxpin_gp_context_name(gp->context));
		render_hist(f, &gp->hist, "usecs");
	}
}

void render_scan(FILE *f, const char *path, const struct daxpin_scan *s,
		 const struct render_opts *ro)
{
	char off[32], pfn[24];
	size_t i;

	path = last(path);
	if (!s->nr)
		fprintf(f, "%s: no busy pages (%" PRIu64 " DAX entries walked)\n",
			path, s->entries);
	else
		fprintf(f, "%s: %zu busy page%s%s (%" PRIu64
			" DAX entries walked)\n", path, s->nr,
			s->nr == 1 ? "" : "s",
			s->truncated ? " or more, list truncated" : "",
			s->entries);
	if (!s->nr)
		return;
	fprintf(f, "  %-18s %-14s %-8s %-10s %s\n", "OFFSET", "PFN",
		"REFCOUNT", "DMA_PINNED", "PMD");
	for (i = 0; i < s->nr; i++) {
		const struct daxpin_scan_page *p = &s->pages[i];

		fprintf(f, "  %-18s %-14s %-8u %-10s %s\n",
			fmt_offset(off, sizeof(off), p->offset, ro),
			fmt_pfn(pfn, sizeof(pfn), p->has_pfn, p->pfn),
			p->refcount, p->dma_pinned ? "yes" : "no",
			p->pmd ? "yes" : "no");
	}
}

void render_bench(FILE *f, const struct daxpin_bench *b,
		  const struct render_opts *ro)
{
	char mn[32], md[32], mx[32];
	size_t i;

	fprintf(f, "%-28s %-10s %-12s %-12s %s\n", "PRIMITIVE", "ITERATIONS",
		ro->human ? "MIN" : "MIN_NS",
		ro->human ? "MEDIAN" : "MEDIAN_NS",
		ro->human ? "MAX" : "MAX_NS");
	for (i = 0; i < b->nr; i++) {
		const struct daxpin_bench_result *r = &b->results[i];

		fprintf(f, "%-28s %-10u %-12s %-12s %s\n", col(r->name),
			r->iterations, render_ns(mn, sizeof(mn), r->min_ns, ro),
			render_ns(md, sizeof(md), r->median_ns, ro),
			render_ns(mx, sizeof(mx), r->max_ns, ro));
	}
}

void render_config(FILE *f, const struct daxpin_config *c)
{
	if (c->mask & DAXPIN_CFG_MAX_WAITS)
		fprintf(f, "max_waits     %u (read-only)\n", c->max_waits);
	if (c->mask & DAXPIN_CFG_POLL_MS)
		fprintf(f, "poll_ms       %u\n", c->poll_ms);
	if (c->mask & DAXPIN_CFG_OPEN_READS)
		fprintf(f, "open_reads    %s\n", c->open_reads ? "yes" : "no");
	if (c->mask & DAXPIN_CFG_COUNT_BREAKS)
		fprintf(f, "count_breaks  %s\n", c->count_breaks ? "yes" : "no");
	if (c->mask & DAXPIN_CFG_EVENT_BURST)
		fprintf(f, "event_burst   %u\n", c->event_burst);
	if (c->mask & DAXPIN_CFG_RESCUE)
		fprintf(f, "rescue        %s\n", c->rescue ? "yes" : "no");
}

void render_event(FILE *f, const struct daxpin_event *ev,
		  const struct daxpin_mounts *mnts,
		  const struct render_opts *ro)
{
	char path[DAXPIN_PATH_LEN], waited[32], off[32];
	const struct daxpin_wait *w = &ev->wait;

	if (ev->type == DAXPIN_EVENT_OVERRUN) {
		fprintf(f, "-- overrun: events were lost, resynchronising --\n");
		return;
	}
	fprintf(f, "[%6" PRIu64 ".%06" PRIu64 "] %-10s",
		ev->time_ns / 1000000000, (ev->time_ns % 1000000000) / 1000,
		daxpin_event_type_name(ev->type));
	if (ev->has_wait)
		fprintf(f, " id=%" PRIu64 " pid=%u comm=%s dev=%u:%u ino=%" PRIu64
			" off=%s refcount=%u%s%s",
			w->id, w->pid, col(w->comm), w->dev_major, w->dev_minor,
			w->ino, fmt_offset(off, sizeof(off), w->offset, ro),
			w->refcount, w->dma_pinned ? " pinned" : "",
			w->page_gone ? " page_gone" : "");
	if (ev->has_outcome)
		fprintf(f, " outcome=%s", daxpin_outcome_name(ev->outcome));
	if (ev->has_was_idle)
		fprintf(f, " was_idle=%s", ev->was_idle ? "yes" : "no");
	if (ev->rescued)
		fprintf(f, " rescued=yes");
	if (ev->has_wait && (ev->type == DAXPIN_EVENT_WAIT_END ||
			     ev->type == DAXPIN_EVENT_STALLED)) {
		if (ro->human)
			daxpin_fmt_duration(w->waited_ns, waited,
					    sizeof(waited));
		else
			snprintf(waited, sizeof(waited), "%" PRIu64 "ms",
				 w->waited_ns / 1000000);
		fprintf(f, " waited=%s", waited);
	}
	if (ev->has_wait)
		fprintf(f, " path=%s",
			last(wait_path(w, mnts, path, sizeof(path))));
	fputc('\n', f);
}
