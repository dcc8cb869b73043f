// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daxpind's metrics, for node_exporter's textfile collector and the control
 * socket's "metrics" command.  One namespace (daxpin_*), counters _total,
 * base units; a label's values partition the metric, so sum() over them
 * counts each wait once.  The names here are the contract of
 * contrib/prometheus/ (rules and dashboard): tests/prometheus/check-names
 * fails when either uses a name this file does not print.
 */
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

void dxp_metrics_seconds(char *buf, size_t len, uint64_t us)
{
	char frac[8];
	int n;

	n = snprintf(frac, sizeof(frac), "%06" PRIu64, us % 1000000);
	while (n > 0 && frac[n - 1] == '0')
		frac[--n] = '\0';
	snprintf(buf, len, "%" PRIu64 "%s%s", us / 1000000, n ? "." : "", frac);
}

static void print_seconds_ns(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%09" PRIu64 "\n", ns / 1000000000, ns % 1000000000);
}

/*
 * The module's log2 histograms (microseconds) as a Prometheus histogram in
 * seconds.  Bucket b holds [2^b, 2^(b+1)) us, so its upper bound 2^(b+1) us
 * is an exact le.  Every series prints the same bounds, empty or not, so
 * histogram_quantile() and heatmaps can sum them.  The module clamps longer
 * waits into the last bucket: its bound would lie, so it only feeds +Inf.
 */
static void hist(FILE *f, const char *name, const char *labels, const struct daxpin_hist *h,
		 uint64_t sum_ns)
{
	uint64_t cum = 0;
	char le[32];

	for (unsigned int b = 0; b < DAXPIN_HIST_BUCKETS - 1; b++) {
		cum += h->count[b];
		dxp_metrics_seconds(le, sizeof(le), daxpin_hist_hi_us(b));
		fprintf(f, "%s_bucket{%s,le=\"%s\"} %" PRIu64 "\n", name, labels, le, cum);
	}
	cum += h->count[DAXPIN_HIST_BUCKETS - 1];
	fprintf(f, "%s_bucket{%s,le=\"+Inf\"} %" PRIu64 "\n", name, labels, cum);
	fprintf(f, "%s_sum{%s} ", name, labels);
	print_seconds_ns(f, sum_ns);
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

static void build_info(FILE *f, const struct dxp_metrics_input *in)
{
	char v[96], mv[96], k[160];

	label_escape(v, sizeof(v), in->version ? in->version : "");
	label_escape(mv, sizeof(mv), in->stats && in->stats->has_global ?
		     in->stats->global.version : "");
	label_escape(k, sizeof(k), in->kernel ? in->kernel : "");
	head(f, "daxpin_build_info", "gauge",
	     "Always 1: daxpind's version, daxpin.ko's (empty when not loaded) and the kernel's.");
	fprintf(f, "daxpin_build_info{version=\"%s\",module_version=\"%s\",kernel=\"%s\"} 1\n",
		v, mv, k);
	head(f, "daxpin_metrics_timestamp_seconds", "gauge",
	     "When daxpind wrote these metrics (Unix time); rewritten at least every "
	     "60 s, so an old value means daxpind is not running.");
	fprintf(f, "daxpin_metrics_timestamp_seconds ");
	print_seconds_ns(f, in->wall_ns);
}

static void waits_in_flight(FILE *f, const struct dxp_metrics_input *in)
{
	size_t stalled = 0, stuck = 0;
	uint64_t oldest = 0;

	for (const struct dxp_tracked *t = in->m->waits; t; t = t->next) {
		stalled += t->w.stalled;
		stuck += !!(t->track.done & DXP_DONE_WARN);
		if (t->w.start_ns && in->now_ns > t->w.start_ns &&
		    in->now_ns - t->w.start_ns > oldest)
			oldest = in->now_ns - t->w.start_ns;
	}
	head(f, "daxpin_waits_in_flight", "gauge", "Layout-break waits in flight.");
	fprintf(f, "daxpin_waits_in_flight %zu\n", in->m->n_waits);
	head(f, "daxpin_waits_stuck", "gauge",
	     "Waits in flight that have lasted past their WarnAfterSec.");
	fprintf(f, "daxpin_waits_stuck %zu\n", stuck);
	head(f, "daxpin_waits_stalled", "gauge",
	     "Waits in flight whose page is idle while the waiter sleeps (not rescued yet).");
	fprintf(f, "daxpin_waits_stalled %zu\n", stalled);
	head(f, "daxpin_wait_oldest_seconds", "gauge",
	     "How long the oldest wait in flight had lasted when the metrics were written; 0 when none.");
	fprintf(f, "daxpin_wait_oldest_seconds ");
	print_seconds_ns(f, oldest);
}

/*
 * ActionTarget=holder, counted twice over on purpose: a wait each (was any
 * process named, did the wait outlive the decision) and a process each (the
 * signals, which daxpin_actions_total{action="signal"} also counts).
 */
static void holder_metrics(FILE *f, const struct dxp_counters *c,
			   const char *const *results)
{
	static const char *const outcomes[DXP_HOLDER_MAX] = {
		"signalled", "dry_run", "no_holder", "ended", "failed",
	};

	head(f, "daxpin_holder_actions_total", "counter",
	     "Waits acted on with ActionTarget=holder, by result: signalled, dry_run, "
	     "no_holder (no process maps the busy page: nobody signalled), ended, failed.");
	for (int i = 0; i < DXP_HOLDER_MAX; i++)
		fprintf(f, "daxpin_holder_actions_total{result=\"%s\"} %" PRIu64 "\n", outcomes[i],
			c->holder_actions[i]);
	head(f, "daxpin_holder_signals_total", "counter",
	     "Signals sent to processes holding a busy page (ActionTarget=holder), one per "
	     "process, by result.");
	for (int r = DXP_RES_OK; r <= DXP_RES_FAILED; r++)
		fprintf(f, "daxpin_holder_signals_total{result=\"%s\"} %" PRIu64 "\n", results[r],
			c->holder_signals[r]);
}

static void daemon_metrics(FILE *f, const struct dxp_metrics_input *in)
{
	static const char *const outcomes[DXP_OUT_MAX] = {
		"completed", "interrupted", "untracked", "lost",
	};
	static const char *const results[DXP_RES_MAX] = { "ok", "failed", "dry_run" };
	const struct dxp_counters *c = &in->m->c;

	waits_in_flight(f, in);
	sample(f, "daxpin_waits_tracked_total", "counter", "Waits daxpind has tracked.", c->waits_seen);
	sample(f, "daxpin_waits_missed_total", "counter",
	       "Waits known only by number: ended unseen, their ended-wait log records overwritten.",
	       c->waits_missed);
	head(f, "daxpin_waits_ended_total", "counter", "Tracked waits that ended, by outcome.");
	for (int i = 0; i < DXP_OUT_MAX; i++)
		fprintf(f, "daxpin_waits_ended_total{outcome=\"%s\"} %" PRIu64 "\n", outcomes[i],
			c->outcome[i]);
	sample(f, "daxpin_waits_warned_total", "counter", "Waits that reached WarnAfterSec.", c->warned);
	sample(f, "daxpin_waits_nontransient_total", "counter", "Pins classified non-transient.",
	       c->nontransient);
	sample(f, "daxpin_waits_stalled_total", "counter", "Waits seen stalled (lost wake-up).", c->stalled);
	head(f, "daxpin_kicks_total", "counter", "Kicks of stalled waits by daxpind, by result.");
	for (int r = 0; r < DXP_RES_MAX; r++)
		fprintf(f, "daxpin_kicks_total{result=\"%s\"} %" PRIu64 "\n", results[r], c->kicks[r]);
	sample(f, "daxpin_kicks_external_total", "counter", "Kicks by other clients seen by daxpind.",
	       c->kicks_external);
	sample(f, "daxpin_waits_rescued_total", "counter",
	       "Stalled waits daxpin.ko woke itself (rescue=yes), as reported to daxpind.", c->rescued);
	head(f, "daxpin_actions_total", "counter", "Policy actions, by action and result.");
	for (int a = DXP_ACTION_SIGNAL; a <= DXP_ACTION_EXEC; a++)
		for (int r = 0; r < DXP_RES_MAX; r++)
			fprintf(f, "daxpin_actions_total{action=\"%s\",result=\"%s\"} %" PRIu64 "\n",
				dxp_action_to_string(a), results[r], c->actions[a][r]);
	holder_metrics(f, c, results);
	sample(f, "daxpin_resyncs_total", "counter", "Full resynchronisations by dump.", c->resyncs);
	sample(f, "daxpin_event_overruns_total", "counter",
	       "Event socket overruns (ENOBUFS) and module overrun records: events lost on the way.",
	       c->overruns);
	sample(f, "daxpin_events_malformed_total", "counter", "Event messages that failed to parse.",
	       in->events_malformed);
	sample(f, "daxpin_module_unloads_total", "counter", "Times the daxpin family disappeared.",
	       c->module_gone);
	sample(f, "daxpin_log_messages_suppressed_total", "counter",
	       "Journal messages dropped by the rate limit.", in->log_suppressed);
	head(f, "daxpin_config_reloads_total", "counter", "Configuration reloads, by result.");
	fprintf(f, "daxpin_config_reloads_total{result=\"ok\"} %" PRIu64 "\n", in->config_reloads);
	fprintf(f, "daxpin_config_reloads_total{result=\"failed\"} %" PRIu64 "\n",
		in->config_reload_failures);
}

static void fs_labels(char *buf, size_t len, const struct daxpin_sb_stats *sb)
{
	char fs[80];

	label_escape(fs, sizeof(fs), sb->fs);
	snprintf(buf, len, "fs=\"%s\",maj_min=\"%u:%u\"", fs, sb->dev_major, sb->dev_minor);
}

/* Per-filesystem counters: started, ended by outcome (completed and
 * interrupted sum to the waits ended), and two that are not outcomes. */
static void fs_metrics(FILE *f, const struct daxpin_stats *s)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} plain[] = {
		{ "daxpin_fs_waits_started_total", "Waits started per filesystem (module counters).",
		  offsetof(struct daxpin_sb_stats, started) },
		{ "daxpin_fs_waits_stalled_total", "Waits per filesystem seen stalled by the module.",
		  offsetof(struct daxpin_sb_stats, stalled) },
		{ "daxpin_fs_waits_kicked_total", "Waits per filesystem woken by a kick.",
		  offsetof(struct daxpin_sb_stats, kicked) },
	};
	char labels[256];

	for (size_t k = 0; k < sizeof(plain) / sizeof(plain[0]); k++) {
		head(f, plain[k].name, "counter", plain[k].help);
		for (size_t i = 0; i < s->nr_sb; i++) {
			const uint64_t *v = (const uint64_t *)((const char *)&s->sb[i] + plain[k].off);

			fs_labels(labels, sizeof(labels), &s->sb[i]);
			fprintf(f, "%s{%s} %" PRIu64 "\n", plain[k].name, labels, *v);
		}
	}
	head(f, "daxpin_fs_waits_ended_total", "counter",
	     "Waits ended per filesystem, by outcome (module counters).");
	for (size_t i = 0; i < s->nr_sb; i++) {
		fs_labels(labels, sizeof(labels), &s->sb[i]);
		fprintf(f, "daxpin_fs_waits_ended_total{%s,outcome=\"completed\"} %" PRIu64 "\n",
			labels, s->sb[i].completed);
		fprintf(f, "daxpin_fs_waits_ended_total{%s,outcome=\"interrupted\"} %" PRIu64 "\n",
			labels, s->sb[i].interrupted);
	}
	head(f, "daxpin_wait_duration_seconds", "histogram", "Duration of ended waits per filesystem.");
	for (size_t i = 0; i < s->nr_sb; i++) {
		fs_labels(labels, sizeof(labels), &s->sb[i]);
		hist(f, "daxpin_wait_duration_seconds", labels, &s->sb[i].hist, s->sb[i].total_ns);
	}
}

static void module_metrics(FILE *f, const struct daxpin_stats *s)
{
	char labels[256];

	head(f, "daxpin_module_loaded", "gauge", "1 when daxpin.ko answered the last query.");
	fprintf(f, "daxpin_module_loaded %d\n", s ? 1 : 0);
	if (!s)
		return;
	if (s->has_global) {
		sample(f, "daxpin_module_events_sent_total", "counter", "Events the module sent.",
		       s->global.events_sent);
		sample(f, "daxpin_module_events_dropped_total", "counter",
		       "Events the module dropped (rate limit or no memory).", s->global.events_dropped);
		sample(f, "daxpin_module_waits_dropped_total", "counter",
		       "Waits not tracked: table full.", s->global.waits_dropped);
	}
	fs_metrics(f, s);
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
	build_info(f, in);
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
