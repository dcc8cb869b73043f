// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The manager: event loop, signals, sd_notify, reload, state and metrics.
 * The engine (monitor.c, policy.c) decides; the manager supplies the loop
 * (sd-event) and the files and talks to systemd.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "daemon/log.h"
#include "daemon/manager.h"
#include "daemon/metrics.h"
#include "daemon/nlsource.h"
#include "daemon/state.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif
#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif

/* ---- status, state, metrics ------------------------------------------ */

static void update_status(struct dxp_manager *m)
{
	const struct dxp_counters *c = &m->mon.c;
	uint64_t actions = 0;
	size_t stalled = 0;
	char s[256];

	for (struct dxp_tracked *t = m->mon.waits; t; t = t->next)
		stalled += t->w.stalled;
	for (int a = 0; a < 3; a++)
		actions += c->actions[a][DXP_RES_OK] + c->actions[a][DXP_RES_FAILED];
	if (!dxp_nl_connected(m->nl))
		snprintf(s, sizeof(s), "daxpin.ko not loaded; waiting for it");
	else
		snprintf(s, sizeof(s),
			 "%zu wait(s) in flight, %zu stalled; %" PRIu64 " warned, %" PRIu64
			 " kicked, %" PRIu64 " action(s)%s",
			 m->mon.n_waits, stalled, c->warned, c->kicks[DXP_RES_OK], actions,
			 m->config->global.p.dry_run ? " (dry run)" : "");
	if (strcmp(s, m->status)) {
		strcpy(m->status, s);
		sd_notifyf(false, "STATUS=%s", s);
	}
}

int dxp_manager_render_metrics(struct dxp_manager *m, char **text, size_t *len)
{
	struct daxpin_stats stats = { 0 };
	struct utsname u;
	struct timespec wall;
	struct dxp_metrics_input in = {
		.m = &m->mon,
		.now_ns = dxp_manager_env_ops.now(m),
		.version = PACKAGE_VERSION,
		.log_suppressed = dxp_log_suppressed_total(),
		.events_malformed = m->events_malformed,
		.config_reloads = m->reloads,
		.config_reload_failures = m->reload_failures,
	};
	int r;

	clock_gettime(CLOCK_REALTIME, &wall);
	in.wall_ns = (uint64_t)wall.tv_sec * 1000000000 + (uint64_t)wall.tv_nsec;
	if (uname(&u) == 0)
		in.kernel = u.release;
	if (m->src.ops->get_stats(m->src.ctx, &stats) >= 0) {
		in.stats = &stats;
		if (stats.has_global)
			m->stats_dropped = stats.global.events_dropped;
	}
	r = dxp_metrics_render(&in, text, len);
	daxpin_stats_free(&stats);
	return r;
}

static void write_metrics(struct dxp_manager *m)
{
	const char *path = m->config->metrics_path;
	char def[PATH_MAX], *text;
	size_t len;
	int r;

	if (!m->config->origin[DXP_K_METRICS_PATH].file) {
		/* Not configured: node_exporter's textfile directory if it
		 * exists (no node_exporter, no file, no warning); a second
		 * instance (--runtime-dir) writes into its own directory. */
		struct stat st;

		if (strcmp(m->rundir, RUNSTATEDIR "/daxpin"))
			snprintf(def, sizeof(def), "%s/" DXP_METRICS_FILE, m->rundir);
		else if (stat(DXP_METRICS_DIR, &st) == 0 && S_ISDIR(st.st_mode))
			snprintf(def, sizeof(def), DXP_METRICS_DIR "/" DXP_METRICS_FILE);
		else
			def[0] = '\0';
		path = def;
	}
	if (!path || !*path)
		return;
	m->metrics_written = true;
	r = dxp_manager_render_metrics(m, &text, &len);
	if (r >= 0) {
		r = dxp_metrics_write(path, text, len);
		free(text);
	}
	if (r < 0) {
		char msg[PATH_MAX + 128];

		/* Once per distinct failure, not once per event. */
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(-r));
		if (strcmp(msg, m->metrics_error))
			dxp_log(DXP_MSG_CONFIG, LOG_WARNING, NULL, NULL,
				"Cannot write metrics to %s", msg);
		snprintf(m->metrics_error, sizeof(m->metrics_error), "%s", msg);
	} else {
		m->metrics_error[0] = '\0';
	}
}

/* Rewrite the metrics once a minute while a file is written, so that
 * daxpin_metrics_timestamp_seconds tells a stopped daxpind from an idle
 * one (the file itself outlives daxpind).  No file, no wake-up. */
static int on_metrics_heartbeat(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct dxp_manager *m = userdata;

	m->metrics_written = false;
	write_metrics(m);
	if (!m->metrics_written)
		return sd_event_source_set_enabled(s, SD_EVENT_OFF);
	(void)sd_event_source_set_time(s, usec + DXP_METRICS_HEARTBEAT_SEC * 1000000ULL);
	return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

static void arm_metrics_heartbeat(struct dxp_manager *m)
{
	uint64_t now;

	if (!m->metrics_written || !m->e)
		return;
	if (m->heartbeat_src) {
		int on = SD_EVENT_OFF;

		(void)sd_event_source_get_enabled(m->heartbeat_src, &on);
		if (on != SD_EVENT_OFF)
			return;
	}
	if (sd_event_now(m->e, CLOCK_BOOTTIME, &now) < 0)
		return;
	now += DXP_METRICS_HEARTBEAT_SEC * 1000000ULL;
	if (!m->heartbeat_src) {
		if (sd_event_add_time(m->e, &m->heartbeat_src, CLOCK_BOOTTIME, now,
				      1000000ULL, on_metrics_heartbeat, m) < 0)
			return;
		(void)sd_event_source_set_description(m->heartbeat_src, "daxpind-metrics-heartbeat");
		return;
	}
	(void)sd_event_source_set_time(m->heartbeat_src, now);
	(void)sd_event_source_set_enabled(m->heartbeat_src, SD_EVENT_ONESHOT);
}

void dxp_manager_save_state(struct dxp_manager *m)
{
	struct dxp_state s = { 0 };
	int r;

	if (dxp_monitor_export(&m->mon, &s) < 0)
		return;
	r = dxp_state_save(m->state_path, m->boot_id, &s);
	if (r < 0)
		dxp_log(DXP_MSG_CONFIG, LOG_WARNING, NULL, NULL, "Cannot save %s: %s", m->state_path,
			strerror(-r));
	dxp_state_free(&s);
}

static int on_changed(sd_event_source *s, void *userdata)
{
	struct dxp_manager *m = userdata;

	dxp_manager_save_state(m);
	m->metrics_written = false;
	write_metrics(m);
	arm_metrics_heartbeat(m);
	/* A module without overrun records (older daxpin.ko) drops events
	 * silently: its events_dropped growing is the only sign.  The stats
	 * were read for the metrics anyway; resync at most once a second. */
	if (!m->mon.c.module_overruns && m->stats_dropped > m->stats_dropped_synced &&
	    m->mon.synced &&
	    dxp_manager_env_ops.now(m) >= m->mon.last_resync_ns + DXP_NSEC_PER_SEC) {
		char why[96];

		snprintf(why, sizeof(why), "event overrun: daxpin.ko's events_dropped grew to %" PRIu64,
			 m->stats_dropped);
		m->stats_dropped_synced = m->stats_dropped;
		m->mon.overrun = true;
		(void)dxp_monitor_resync_overrun(&m->mon, why);
	}
	update_status(m);
	return 0;
}

void dxp_manager_changed(struct dxp_manager *m)
{
	/* Coalesce: a burst of events costs one state write per loop turn. */
	if (m->changed_src)
		sd_event_source_set_enabled(m->changed_src, SD_EVENT_ONESHOT);
}

/* ---- configuration ------------------------------------------------------ */

struct err_ctx {
	bool to_stderr;
	unsigned n;
};

static void on_config_error(void *userdata, const char *file, unsigned line, const char *key,
			    const char *message)
{
	struct err_ctx *ec = userdata;
	char ff[PATH_MAX + 16], fl[32], fk[128];

	ec->n++;
	if (ec->to_stderr) {
		fprintf(stderr, "%s:%u: %s\n", file ? file : "?", line, message);
		return;
	}
	snprintf(ff, sizeof(ff), "CONFIG_FILE=%s", file ? file : "");
	snprintf(fl, sizeof(fl), "CONFIG_LINE=%u", line);
	snprintf(fk, sizeof(fk), "DAXPIN_CONFIG_KEY=%s", key ? key : "");
	dxp_log(DXP_MSG_CONFIG, LOG_ERR, NULL, (const char *const[]) { ff, fl, fk, NULL },
		"%s:%u: %s", file ? file : "?", line, message);
}

static int load_config(struct dxp_manager *m, bool to_stderr, struct dxp_config **out)
{
	struct err_ctx ec = { .to_stderr = to_stderr };

	return dxp_config_load(&m->paths, on_config_error, &ec, out);
}

int dxp_manager_load_config(struct dxp_manager *m, bool to_stderr)
{
	return load_config(m, to_stderr, &m->config);
}

int dxp_manager_reload(struct dxp_manager *m, const char *why)
{
	struct dxp_config *c = NULL, *old;
	struct timespec mono;
	int r;


	clock_gettime(CLOCK_MONOTONIC, &mono);
	sd_notifyf(false, "RELOADING=1\nSTATUS=Reloading configuration (%s)\nMONOTONIC_USEC=%" PRIu64,
		   why, (uint64_t)mono.tv_sec * 1000000 + (uint64_t)mono.tv_nsec / 1000);
	r = load_config(m, false, &c);
	if (r < 0) {
		m->reload_failures++;
		dxp_log(DXP_MSG_CONFIG, LOG_ERR, NULL, NULL,
			"Configuration reload (%s) failed: %s; keeping the previous configuration",
			why, r == -EINVAL ? "errors above" : strerror(-r));
		goto out;
	}
	old = m->config;
	m->config = c;
	/* Re-resolve every wait before the old config (which the resolved
	 * policies point into) is freed. */
	dxp_monitor_set_config(&m->mon, c);
	dxp_config_free(old);
	dxp_log_set_ratelimit(c->ratelimit_interval_ns, c->ratelimit_burst);
	dxp_manager_module_apply_config(m);
	m->reloads++;
	dxp_log(DXP_MSG_CONFIG, LOG_NOTICE, NULL, NULL, "Configuration reloaded (%s) from %zu file(s)",
		why, c->n_files);
out:
	m->status[0] = '\0';	/* force STATUS= after RELOADING=1 */
	sd_notify(false, "READY=1");
	dxp_manager_changed(m);
	return r;
}

/* ---- signals ------------------------------------------------------------ */

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	dxp_manager_reload(userdata, "SIGHUP");
	return 0;
}

static int on_sigterm(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct dxp_manager *m = userdata;

	sd_notify(false, "STOPPING=1\nSTATUS=Shutting down");
	dxp_log(DXP_MSG_LIFECYCLE, LOG_INFO, NULL, NULL, "Stopping on %s",
		si->ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
	return sd_event_exit(m->e, 0);
}

/* ---- life cycle --------------------------------------------------------- */

static int setup_paths(struct dxp_manager *m, const char *config_file, const char *rundir)
{
	char *dir;

	m->config_file = strdup(config_file);
	m->rundir = strdup(rundir);
	if (!m->config_file || !m->rundir)
		return -ENOMEM;
	dir = strdup(config_file);
	if (!dir)
		return -ENOMEM;
	/* Drop-ins live beside the main file, in <file>.d/. */
	if (asprintf(&m->etc_dropin_dir, "%s.d", config_file) < 0 ||
	    asprintf(&m->run_dropin_dir, "%s/daxpind.conf.d", rundir) < 0 ||
	    asprintf(&m->state_path, "%s/state", rundir) < 0 ||
	    asprintf(&m->control_path, "%s/control", rundir) < 0 ||
	    asprintf(&m->runtime_dropin, "%s/daxpind.conf.d/99-runtime.conf", rundir) < 0) {
		free(dir);
		return -ENOMEM;
	}
	free(dir);
	m->dropins[0] = m->etc_dropin_dir;
	m->dropins[1] = m->run_dropin_dir;
	m->dropins[2] = NULL;
	m->paths.main_file = m->config_file;
	m->paths.dropin_dirs = m->dropins;
	return 0;
}

static int setup_event_loop(struct dxp_manager *m)
{
	static const struct {
		int sig;
		sd_event_signal_handler_t fn;
		const char *name;
	} signals[] = {
		{ SIGTERM, on_sigterm, "daxpind-sigterm" },
		{ SIGINT, on_sigterm, "daxpind-sigint" },
		{ SIGHUP, on_sighup, "daxpind-sighup" },
	};
	sigset_t ss;
	int r;

	/* SIGCHLD must be blocked for sd_event_add_child(). */
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigaddset(&ss, SIGCHLD);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	signal(SIGPIPE, SIG_IGN);

	r = sd_event_default(&m->e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		r = sd_event_add_signal(m->e, &m->signal_src[i], signals[i].sig, signals[i].fn, m);
		if (r < 0)
			return r;
		(void)sd_event_source_set_description(m->signal_src[i], signals[i].name);
	}
	/* Pings the service manager at half WatchdogSec= if it is set, and
	 * only then: no wake-ups otherwise. */
	r = sd_event_set_watchdog(m->e, true);
	if (r < 0)
		return r;
	r = sd_event_add_defer(m->e, &m->changed_src, on_changed, m);
	if (r < 0)
		return r;
	(void)sd_event_source_set_description(m->changed_src, "daxpind-changed");
	/* Lowest priority: run after all events of this turn are processed. */
	sd_event_source_set_priority(m->changed_src, SD_EVENT_PRIORITY_IDLE);
	r = sd_event_source_set_enabled(m->changed_src, SD_EVENT_OFF);
	if (r < 0)
		return r;
	dxp_hooks_init(&m->hooks, m->e, &m->mon);
	return 0;
}

int dxp_manager_new(const char *config_file, const char *rundir, const char *control_group,
		    bool debug, struct dxp_manager **ret)
{
	struct dxp_manager *m;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->control_group = control_group ? control_group : "daxpin";
	m->debug = debug;
	r = setup_paths(m, config_file, rundir);
	if (r < 0) {
		dxp_manager_free(m);
		return r;
	}
	*ret = m;
	return 0;
}

struct dxp_manager *dxp_manager_free(struct dxp_manager *m)
{
	if (!m)
		return NULL;
	dxp_hooks_done(&m->hooks);
	dxp_control_free(m->control);
	dxp_monitor_free(&m->mon);
	sd_event_source_disable_unref(m->events_src);
	sd_event_source_disable_unref(m->ctrl_src);
	sd_event_source_disable_unref(m->changed_src);
	sd_event_source_disable_unref(m->refresh_src);
	sd_event_source_disable_unref(m->heartbeat_src);
	for (size_t i = 0; i < sizeof(m->signal_src) / sizeof(m->signal_src[0]); i++)
		sd_event_source_disable_unref(m->signal_src[i]);
	dxp_nl_free(m->nl);
	sd_event_unref(m->e);
	dxp_config_free(m->config);
	free(m->config_file);
	free(m->etc_dropin_dir);
	free(m->run_dropin_dir);
	free(m->rundir);
	free(m->state_path);
	free(m->control_path);
	free(m->runtime_dropin);
	free(m);
	return NULL;
}

int dxp_manager_start(struct dxp_manager *m)
{
	struct dxp_state restored = { 0 };
	int r;

	r = setup_event_loop(m);
	if (r < 0) {
		dxp_log(DXP_MSG_LIFECYCLE, LOG_ERR, NULL, NULL, "Setting up the event loop failed: %s",
			strerror(-r));
		return r;
	}
	if (mkdir(m->rundir, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		dxp_log(DXP_MSG_LIFECYCLE, LOG_ERR, NULL, NULL, "Cannot create %s: %s", m->rundir,
			strerror(-r));
		return r;
	}
	if (dxp_state_read_boot_id(m->boot_id, sizeof(m->boot_id)) < 0)
		strcpy(m->boot_id, "unknown");
	r = dxp_state_load(m->state_path, m->boot_id, &restored);
	if (r < 0)
		dxp_log(DXP_MSG_LIFECYCLE, LOG_WARNING, NULL, NULL, "Ignoring %s: %s", m->state_path,
			strerror(-r));
	else if (restored.n)
		dxp_log(DXP_MSG_LIFECYCLE, LOG_INFO, NULL, NULL,
			"Restored what was done for %zu wait(s) before a restart", restored.n);

	r = dxp_nl_new(&m->nl);
	if (r < 0) {
		dxp_log(DXP_MSG_LIFECYCLE, LOG_ERR, NULL, NULL, "Cannot open generic netlink: %s",
			strerror(-r));
		dxp_state_free(&restored);
		return r;
	}
	dxp_nl_source(m->nl, &m->src);
	dxp_monitor_init(&m->mon, &dxp_manager_env_ops, m, &m->src, m->config);
	dxp_monitor_restore(&m->mon, &restored);
	r = dxp_manager_module_watch(m);
	if (r < 0)
		return r;

	r = dxp_manager_control_listen(m);
	if (r < 0)
		return r;

	r = dxp_manager_module_up(m, "start");
	if (r == -DAXPIN_ENOMODULE) {
		dxp_log(DXP_MSG_MODULE, LOG_WARNING, NULL, NULL,
			"daxpin.ko is not loaded (modprobe daxpin); waiting for it");
	} else if (r < 0) {
		dxp_log(DXP_MSG_LIFECYCLE, LOG_ERR, NULL, NULL, "First resynchronisation failed: %s",
			daxpin_strerror(r));
		return r;
	}
	/* Only now, after subscribe + dump, is every wait known. */
	on_changed(NULL, m);
	sd_notify(false, "READY=1");
	m->ready = true;
	dxp_log(DXP_MSG_LIFECYCLE, LOG_INFO, NULL, NULL, "daxpind %s ready: %s", PACKAGE_VERSION,
		m->status);
	return 0;
}
