// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/atomic-file.h"
#include "daemon/metrics.h"

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A metric with a single, unlabelled sample. */
static void sample(FILE *f, const char *name, const char *type, const char *help,
		   uint64_t value)
{
	head(f, name, type, help);
	fprintf(f, "%s %" PRIu64 "\n", name, value);
}

/*
 * The module's log2 histograms (microseconds) as a Prometheus histogram in
 * seconds: bucket b's upper bound 2^(b+1) us becomes le, counts cumulative.
 */
static void hist(FILE *f, const char *name, const char *labels, const struct daxpin_hist *h,
		 uint64_t sum_ns)
{
	uint64_t cum = 0;
	int top = -1;

	for (int b = 0; b < DAXPIN_HIST_BUCKETS; b++)
		if (h->count[b])
			top = b;
	for (int b = 0; b <= top; b++) {
		cum += h->count[b];
		fprintf(f, "%s_bucket{%s,le=\"%g\"} %" PRIu64 "\n", name, labels,
			(double)daxpin_hist_hi_us((unsigned)b) / 1e6, cum);
	}
	fprintf(f, "%s_bucket{%s,le=\"+Inf\"} %" PRIu64 "\n", name, labels, cum);
	fprintf(f, "%s_sum{%s} %.9f\n", name, labels, (double)sum_ns / 1e9);
	fprintf(f, "%s_count{%s} %" PRIu64 "\n", name, labels, cum);
}

static void label_escape(char *dst, size_t len, const char *src)
{
	size_t o = 0;

	for (; *src && o + 3 < len; src++) {
		if (*src == '\\' || *src == '"') {
			dst[o++] = '\\';
			dst[o++] = *src;
		} else if (*src == '\n') {
			dst[o++] = '\\';
			dst[o++] = 'n';
		} else {
			dst[o++] = *src;
		}
	}
	dst[o] = '\0';
}

static void daemon_metrics(FILE *f, const struct dxp_metrics_input *in)
{
	static const char *const outcomes[DXP_OUT_MAX] = {
		"completed", "interrupted", "untracked", "lost",
	};
	static const char *const results[DXP_RES_MAX] = { "ok", "failed", "dry_run" };
	const struct dxp_counters *c = &in->m->c;
	size_t stalled_now = 0;

	for (const struct dxp_tracked *t = in->m->waits; t; t = t->next)
		stalled_now += t->w.stalled;

	head(f, "daxpin_waits_in_flight", "gauge", "Layout-break waits in flight.");
	fprintf(f, "daxpin_waits_in_flight %zu\n", in->m->n_waits);
	head(f, "daxpin_waits_stalled", "gauge", "Waits in flight whose page is idle while the waiter sleeps.");
	fprintf(f, "daxpin_waits_stalled %zu\n", stalled_now);
	sample(f, "daxpind_waits_seen_total", "counter", "Waits daxpind has tracked.", c->waits_seen);
	sample(f, "daxpind_waits_missed_total", "counter",
	       "Waits known only by number: ended unseen, their ended-wait log records overwritten.",
	       c->waits_missed);
	head(f, "daxpind_waits_ended_total", "counter", "Tracked waits that ended, by outcome.");
	for (int i = 0; i < DXP_OUT_MAX; i++)
		fprintf(f, "daxpind_waits_ended_total{outcome=\"%s\"} %" PRIu64 "\n", outcomes[i],
			c->outcome[i]);
	sample(f, "daxpind_warnings_total", "counter", "Waits that reached WarnAfterSec.", c->warned);
	sample(f, "daxpind_nontransient_total", "counter", "Pins classified non-transient.", c->nontransient);
	sample(f, "daxpind_stalled_total", "counter", "Waits seen stalled (lost wake-up).", c->stalled);
	head(f, "daxpind_kicks_total", "counter", "Kicks of stalled waits by daxpind, by result.");
	for (int r = 0; r < DXP_RES_MAX; r++)
		fprintf(f, "daxpind_kicks_total{result=\"%s\"} %" PRIu64 "\n", results[r], c->kicks[r]);
	sample(f, "daxpind_external_kicks_total", "counter", "Kicks by other clients seen by daxpind.", c->kicks_external);
	head(f, "daxpind_actions_total", "counter", "Policy actions, by action and result.");
	for (int a = DXP_ACTION_SIGNAL; a <= DXP_ACTION_EXEC; a++)
		for (int r = 0; r < DXP_RES_MAX; r++)
			fprintf(f, "daxpind_actions_total{action=\"%s\",result=\"%s\"} %" PRIu64 "\n",
				dxp_action_to_string(a), results[r], c->actions[a][r]);
	sample(f, "daxpind_resyncs_total", "counter", "Full resynchronisations by dump.", c->resyncs);
	sample(f, "daxpind_event_overruns_total", "counter", "Event socket overruns (ENOBUFS): events lost in the socket.", c->overruns);
	sample(f, "daxpind_events_malformed_total", "counter", "Event messages that failed to parse.", in->events_malformed);
	sample(f, "daxpind_module_gone_total", "counter", "Times the daxpin family disappeared.", c->module_gone);
	sample(f, "daxpind_log_suppressed_total", "counter", "Journal messages dropped by the rate limit.", in->log_suppressed);
	head(f, "daxpind_config_reloads_total", "counter", "Configuration reloads, by result.");
	fprintf(f, "daxpind_config_reloads_total{result=\"ok\"} %" PRIu64 "\n", in->config_reloads);
	fprintf(f, "daxpind_config_reloads_total{result=\"failed\"} %" PRIu64 "\n",
		in->config_reload_failures);
}

static void module_metrics(FILE *f, const struct daxpin_stats *s)
{
	char labels[256], fs[80];

	head(f, "daxpin_module_loaded", "gauge", "1 when daxpin.ko answered the last query.");
	fprintf(f, "daxpin_module_loaded %d\n", s ? 1 : 0);
	if (!s)
		return;
	if (s->has_global) {
		head(f, "daxpin_module_events_sent_total", "counter", "Events the module sent.");
		fprintf(f, "daxpin_module_events_sent_total %" PRIu64 "\n", s->global.events_sent);
		head(f, "daxpin_module_events_dropped_total", "counter",
		     "Events the module dropped (rate limit or no memory).");
		fprintf(f, "daxpin_module_events_dropped_total %" PRIu64 "\n", s->global.events_dropped);
		head(f, "daxpin_module_waits_dropped_total", "counter", "Waits not tracked: table full.");
		fprintf(f, "daxpin_module_waits_dropped_total %" PRIu64 "\n", s->global.waits_dropped);
	}
	head(f, "daxpin_fs_waits_total", "counter", "Waits per filesystem, by outcome (module counters).");
	for (size_t i = 0; i < s->nr_sb; i++) {
		const struct daxpin_sb_stats *sb = &s->sb[i];

		label_escape(fs, sizeof(fs), sb->fs);
		snprintf(labels, sizeof(labels), "fs=\"%s\",dev=\"%u:%u\"", fs, sb->dev_major,
			 sb->dev_minor);
		fprintf(f, "daxpin_fs_waits_total{%s,outcome=\"started\"} %" PRIu64 "\n", labels, sb->started);
		fprintf(f, "daxpin_fs_waits_total{%s,outcome=\"completed\"} %" PRIu64 "\n", labels, sb->completed);
		fprintf(f, "daxpin_fs_waits_total{%s,outcome=\"interrupted\"} %" PRIu64 "\n", labels, sb->interrupted);
		fprintf(f, "daxpin_fs_waits_total{%s,outcome=\"stalled\"} %" PRIu64 "\n", labels, sb->stalled);
		fprintf(f, "daxpin_fs_waits_total{%s,outcome=\"kicked\"} %" PRIu64 "\n", labels, sb->kicked);
	}
	head(f, "daxpin_wait_duration_seconds", "histogram", "Duration of ended waits per filesystem.");
	for (size_t i = 0; i < s->nr_sb; i++) {
		const struct daxpin_sb_stats *sb = &s->sb[i];

		label_escape(fs, sizeof(fs), sb->fs);
		snprintf(labels, sizeof(labels), "fs=\"%s\",dev=\"%u:%u\"", fs, sb->dev_major,
			 sb->dev_minor);
		hist(f, "daxpin_wait_duration_seconds", labels, &sb->hist, sb->total_ns);
	}
	head(f, "daxpin_grace_period_seconds", "histogram", "Grace-period waits by primitive and context.");
	for (size_t i = 0; i < s->nr_gp; i++) {
		const struct daxpin_gp_stats *gp = &s->gp[i];

		snprintf(labels, sizeof(labels), "primitive=\"%s\",context=\"%s\"",
			 daxpin_gp_primitive_name(gp->primitive), daxpin_gp_context_name(gp->context));
		hist(f, "daxpin_grace_period_seconds", labels, &gp->hist, gp->total_ns);
	}
}

int dxp_metrics_render(const struct dxp_metrics_input *in, char **out, size_t *len)
{
	FILE *f;

	*out = NULL;
	f = open_memstream(out, len);
	if (!f)
		return -errno;
	daemon_metrics(f, in);
	module_metrics(f, in->stats);
	if (fclose(f) || !*out) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

struct metrics_text {
	const char *text;
	size_t len;
};

static int metrics_fill(FILE *f, void *arg)
{
	const struct metrics_text *m = arg;

	return fwrite(m->text, 1, m->len, f) == m->len ? 0 : -EIO;
}

/* The temp name is dot-prefixed: node_exporter never reads it half-written. */
int dxp_metrics_write(const char *path, const char *text, size_t len)
{
	struct metrics_text m = { .text = text, .len = len };

	return dxp_write_atomic(path, 0644, false, metrics_fill, &m);
}
