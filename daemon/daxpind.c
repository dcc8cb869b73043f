// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daxpind: watches every filesystem-DAX layout-break wait, explains it in
 * the journal and applies the operator's policy.  Everything here is glue:
 * the engine (monitor.c, policy.c) decides, this file supplies the event
 * loop (sd-event), timers, netlink, signals, hooks, files and systemd.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "daemon/config.h"
#include "daemon/control.h"
#include "daemon/devdax.h"
#include "daemon/log.h"
#include "daemon/metrics.h"
#include "daemon/monitor.h"
#include "daemon/nlsource.h"
#include "daemon/state.h"
#include "lib/daxpin-json.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

/* Timer slack: the acceptance window is +-0.5 s, 1 ms costs nothing. */
#define TIMER_ACCURACY_USEC	1000

struct hook {
	struct hook *next;
	struct daemon *d;
	pid_t pid;
	uint64_t wait_id;
	sd_event_source *child;
	sd_event_source *timeout;
	bool timed_out;
};

struct daemon {
	sd_event *e;
	struct dxp_config *config;
	struct dxp_config_paths paths;
	const char *dropins[3];
	char *config_file;
	char *etc_dropin_dir;
	char *run_dropin_dir;
	char *rundir;
	char *state_path;
	char *control_path;
	char *runtime_dropin;
	char boot_id[64];
	gid_t control_gid;
	const char *control_group;
	bool debug;

	struct dxp_nl *nl;
	struct dxp_source src;
	struct dxp_monitor mon;
	struct dxp_control *control;
	sd_event_source *ctrl_src;
	sd_event_source *events_src;
	sd_event_source *changed_src;
	struct hook *hooks;

	bool ready;
	bool overrun;			/* set by on_event() for this read */
	char status[256];
	uint64_t reloads;
	uint64_t reload_failures;
	uint64_t events_malformed;
	char metrics_error[PATH_MAX + 128];
};

/* ---- environment for the engine --------------------------------------- */

static uint64_t env_now(void *env)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * DXP_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* One daemon per process; sd-event callbacks that carry a per-wait pointer
 * reach the rest through this. */
static struct daemon *D;

static int on_wait_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	dxp_monitor_timer(&D->mon, userdata);
	return 0;
}

static int env_arm(void *env, struct dxp_tracked *t, uint64_t deadline)
{
	struct daemon *d = env;
	uint64_t usec;
	int r;

	if (deadline == DXP_NEVER) {
		/* Disabled, not destroyed: most waits end without ever
		 * needing their timer again. */
		return t->timer ? sd_event_source_set_enabled(t->timer, SD_EVENT_OFF) : 0;
	}
	/* Round up: firing a hair early would find nothing due and re-arm. */
	usec = deadline / 1000 + (deadline % 1000 ? 1 : 0);
	if (!t->timer)
		return sd_event_add_time(d->e, (sd_event_source **)&t->timer, CLOCK_BOOTTIME, usec,
					 TIMER_ACCURACY_USEC, on_wait_timer, t);
	r = sd_event_source_set_time(t->timer, usec);
	if (r >= 0)
		r = sd_event_source_set_enabled(t->timer, SD_EVENT_ONESHOT);
	return r;
}

static void env_forget(void *env, struct dxp_tracked *t)
{
	t->timer = sd_event_source_disable_unref(t->timer);
}

static void env_locate(void *env, const struct daxpin_wait *w, char **mountpoint,
		       char **abspath, char **devname)
{
	struct daxpin_mounts mnts = { 0 };
	const struct daxpin_mount *mnt;
	char link[64], target[PATH_MAX], buf[PATH_MAX];
	ssize_t n;

	if (daxpin_mounts_load(&mnts, NULL) >= 0) {
		mnt = daxpin_mounts_find(&mnts, w->dev_major, w->dev_minor, w->path);
		if (mnt)
			*mountpoint = strdup(mnt->mnt_point);
		if (daxpin_mounts_abspath(&mnts, w->dev_major, w->dev_minor, w->path, buf,
					  sizeof(buf)) == 0)
			*abspath = strdup(buf);
		daxpin_mounts_free(&mnts);
	}
	snprintf(link, sizeof(link), "/sys/dev/block/%" PRIu32 ":%" PRIu32, w->dev_major,
		 w->dev_minor);
	n = readlink(link, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		*devname = strdup(strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
	}
}

static int env_signal(void *env, const struct daxpin_wait *w, int sig)
{
	/* tgkill, not kill: the signal must reach the thread that sleeps in
	 * the layout break, and the (tgid, tid) pair guards against a tid
	 * recycled into another process. */
	if (syscall(SYS_tgkill, (pid_t)w->tgid, (pid_t)w->pid, sig) < 0)
		return -errno;
	return 0;
}

static void hook_free(struct hook *h)
{
	for (struct hook **p = &h->d->hooks; *p; p = &(*p)->next)
		if (*p == h) {
			*p = h->next;
			break;
		}
	sd_event_source_disable_unref(h->child);
	sd_event_source_disable_unref(h->timeout);
	free(h);
}

static int on_hook_exit(sd_event_source *s, const siginfo_t *si, void *userdata)
{
	struct hook *h = userdata;
	struct dxp_exec_result res = {
		.wait_id = h->wait_id,
		.pid = h->pid,
		.timed_out = h->timed_out,
		.exited = si->si_code == CLD_EXITED,
		.status = si->si_status,
	};
	struct daemon *d = h->d;

	hook_free(h);
	dxp_monitor_exec_done(&d->mon, &res);
	return 0;
}

static int on_hook_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct hook *h = userdata;

	h->timed_out = true;
	kill(h->pid, SIGKILL);
	return 0;
}

static int env_exec(void *env, const char *hook_path, uint64_t timeout_ns, const char *json,
		    uint64_t wait_id)
{
	struct daemon *d = env;
	size_t len = strlen(json);
	struct hook *h;
	int p[2], r;
	pid_t pid;

	/* The whole event fits in the pipe, so it is written before the
	 * fork and the hook can never block us. */
	if (len + 1 > 65536)
		return -E2BIG;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	if (write(p[1], json, len) != (ssize_t)len || write(p[1], "\n", 1) != 1) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		return r ? r : -EIO;
	}
	close(p[1]);
	h = calloc(1, sizeof(*h));
	if (!h) {
		close(p[0]);
		return -ENOMEM;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		free(h);
		return r;
	}
	if (pid == 0) {
		sigset_t none;
		char id[32];

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(p[0], STDIN_FILENO) < 0)
			_exit(127);
		snprintf(id, sizeof(id), "%" PRIu64, wait_id);
		setenv("DAXPIN_WAIT_ID", id, 1);
		execl(hook_path, hook_path, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	h->d = d;
	h->pid = pid;
	h->wait_id = wait_id;
	r = sd_event_add_child(d->e, &h->child, pid, WEXITED, on_hook_exit, h);
	if (r >= 0)
		r = sd_event_add_time_relative(d->e, &h->timeout, CLOCK_MONOTONIC,
					       timeout_ns / 1000, TIMER_ACCURACY_USEC,
					       on_hook_timeout, h);
	if (r < 0) {
		/* Can't supervise it: don't leave it running unwatched. */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		sd_event_source_disable_unref(h->child);
		free(h);
		return r;
	}
	h->next = d->hooks;
	d->hooks = h;
	return pid;
}

static void env_devdax(void *env, char *buf, size_t len)
{
	dxp_devdax_list(buf, len);
}

/* The daxpin group from /etc/group (systemd-sysusers puts it there).  Not
 * getgrnam(): that loads NSS modules (libnss_systemd: 300 KiB resident) for
 * one lookup at start-up. */
static gid_t control_group(const char *name)
{
	struct group *gr;
	gid_t gid = (gid_t)-1;
	char *end;
	FILE *f;

	gid = (gid_t)strtoul(name, &end, 10);
	if (*name && !*end)
		return gid;
	gid = (gid_t)-1;
	f = fopen("/etc/group", "re");
	if (!f)
		return gid;
	while ((gr = fgetgrent(f)))
		if (!strcmp(gr->gr_name, name)) {
			gid = gr->gr_gid;
			break;
		}
	fclose(f);
	return gid;
}

static void env_changed(void *env)
{
	struct daemon *d = env;

	/* Coalesce: a burst of events costs one state write per loop turn. */
	if (d->changed_src)
		sd_event_source_set_enabled(d->changed_src, SD_EVENT_ONESHOT);
}

static const struct dxp_env_ops env_ops = {
	.now = env_now,
	.arm = env_arm,
	.forget = env_forget,
	.locate = env_locate,
	.signal = env_signal,
	.exec = env_exec,
	.devdax = env_devdax,
	.changed = env_changed,
};

/* ---- status, state, metrics ------------------------------------------ */

static void update_status(struct daemon *d)
{
	const struct dxp_counters *c = &d->mon.c;
	uint64_t actions = 0;
	size_t stalled = 0;
	char s[256];

	for (struct dxp_tracked *t = d->mon.waits; t; t = t->next)
		stalled += t->w.stalled;
	for (int a = 0; a < 3; a++)
		actions += c->actions[a][DXP_RES_OK] + c->actions[a][DXP_RES_FAILED];
	if (!dxp_nl_connected(d->nl))
		snprintf(s, sizeof(s), "daxpin.ko not loaded; waiting for it");
	else
		snprintf(s, sizeof(s),
			 "%zu wait(s) in flight, %zu stalled; %" PRIu64 " warned, %" PRIu64
			 " kicked, %" PRIu64 " action(s)%s",
			 d->mon.n_waits, stalled, c->warned, c->kicks[DXP_RES_OK], actions,
			 d->config->global.p.dry_run ? " (dry run)" : "");
	if (strcmp(s, d->status)) {
		strcpy(d->status, s);
		sd_notifyf(false, "STATUS=%s", s);
	}
}

static int render_metrics(struct daemon *d, char **text, size_t *len)
{
	struct daxpin_stats stats = { 0 };
	struct dxp_metrics_input in = {
		.m = &d->mon,
		.log_suppressed = dxp_log_suppressed_total(),
		.events_malformed = d->events_malformed,
		.config_reloads = d->reloads,
		.config_reload_failures = d->reload_failures,
	};
	int r;

	if (d->src.ops->get_stats(d->src.ctx, &stats) >= 0)
		in.stats = &stats;
	r = dxp_metrics_render(&in, text, len);
	daxpin_stats_free(&stats);
	return r;
}

static void write_metrics(struct daemon *d)
{
	const char *path = d->config->metrics_path;
	char def[PATH_MAX], *text;
	size_t len;
	int r;

	if (!d->config->origin[DXP_K_METRICS_PATH].file) {
		snprintf(def, sizeof(def), "%s/daxpind.prom", d->rundir);
		path = def;
	}
	if (!path || !*path)
		return;
	r = render_metrics(d, &text, &len);
	if (r >= 0) {
		r = dxp_metrics_write(path, text, len);
		free(text);
	}
	if (r < 0) {
		char msg[PATH_MAX + 128];

		/* Once per distinct failure, not once per event. */
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(-r));
		if (strcmp(msg, d->metrics_error))
			dxp_log(DXP_MSG_CONFIG, LOG_WARNING, NULL, NULL,
				"Cannot write metrics to %s", msg);
		snprintf(d->metrics_error, sizeof(d->metrics_error), "%s", msg);
	} else {
		d->metrics_error[0] = '\0';
	}
}

static void save_state(struct daemon *d)
{
	struct dxp_state s = { 0 };
	int r;

	if (dxp_monitor_export(&d->mon, &s) < 0)
		return;
	r = dxp_state_save(d->state_path, d->boot_id, &s);
	if (r < 0)
		dxp_log(DXP_MSG_CONFIG, LOG_WARNING, NULL, NULL, "Cannot save %s: %s", d->state_path,
			strerror(-r));
	dxp_state_free(&s);
}

static int on_changed(sd_event_source *s, void *userdata)
{
	struct daemon *d = userdata;

	save_state(d);
	write_metrics(d);
	update_status(d);
	return 0;
}

/* ---- module side -------------------------------------------------------- */

static void apply_module_config(struct daemon *d)
{
	int r;

	if (!d->config->module.set || !dxp_nl_connected(d->nl))
		return;
	r = d->src.ops->set_config(d->src.ctx, &d->config->module);
	if (r < 0)
		dxp_log(DXP_MSG_MODULE, LOG_ERR, NULL, NULL,
			"Applying the [Module] settings to daxpin.ko failed: %s", daxpin_strerror(r));
	else
		dxp_log(DXP_MSG_MODULE, LOG_INFO, NULL, NULL, "Applied the [Module] settings to daxpin.ko");
}

static int on_event(const struct daxpin_event *ev, void *arg)
{
	struct daemon *d = arg;

	if (ev->type == DAXPIN_EVENT_OVERRUN) {
		d->mon.c.overruns++;
		d->overrun = true;
		return 0;
	}
	dxp_monitor_event(&d->mon, ev);
	return 0;
}

static int on_events(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;
	unsigned bad = 0;
	int r;

	d->overrun = false;
	r = dxp_nl_events_read(d->nl, on_event, d, &bad);
	d->events_malformed += bad;
	if (d->overrun || r == -ENOBUFS) {
		/* Events were lost in the socket: only a dump tells the truth.
		 * The read above drained the socket, so the dump is not older
		 * than anything still queued. */
		d->overrun = false;
		dxp_log(DXP_MSG_RESYNC, LOG_WARNING, NULL, NULL,
			"Event socket overrun: events were lost; resynchronising");
		dxp_monitor_resync(&d->mon, "event overrun");
	} else if (r < 0) {
		dxp_log(DXP_MSG_MODULE, LOG_ERR, NULL, NULL, "Reading events failed: %s",
			daxpin_strerror(r));
	}
	return 0;
}

static void module_down(struct daemon *d)
{
	d->events_src = sd_event_source_disable_unref(d->events_src);
	dxp_nl_disconnect(d->nl);
	dxp_monitor_module_gone(&d->mon);
}

/* Subscribe first, then dump: a wait that starts in between is seen twice
 * (harmless), never zero times. */
static int module_up(struct daemon *d, const char *why)
{
	int fd, r;

	fd = dxp_nl_connect(d->nl);
	if (fd < 0)
		return fd;
	r = sd_event_add_io(d->e, &d->events_src, fd, EPOLLIN, on_events, d);
	if (r < 0) {
		dxp_nl_disconnect(d->nl);
		return r;
	}
	apply_module_config(d);
	return dxp_monitor_resync(&d->mon, why);
}

static void on_family(void *userdata, bool present)
{
	struct daemon *d = userdata;
	int r;

	if (!present) {
		if (!dxp_nl_connected(d->nl))
			return;
		dxp_log(DXP_MSG_MODULE, LOG_WARNING, NULL, NULL,
			"daxpin.ko went away (generic netlink family removed); waiting for it to return");
		module_down(d);
		env_changed(d);		/* STATUS=, metrics: even with no wait to end */
		return;
	}
	/* A family that (re)appears while we think we are connected means we
	 * missed its removal: our socket points at a dead family. */
	if (dxp_nl_connected(d->nl))
		module_down(d);
	r = module_up(d, "module loaded");
	if (r < 0)
		dxp_log(DXP_MSG_MODULE, LOG_ERR, NULL, NULL, "Connecting to daxpin.ko failed: %s",
			daxpin_strerror(r));
	else
		dxp_log(DXP_MSG_MODULE, LOG_NOTICE, NULL, NULL, "daxpin.ko is (back) up; resynchronised");
	env_changed(d);
}

static int on_ctrl(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;

	dxp_nl_ctrl_read(d->nl, on_family, d);
	return 0;
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

static int load_config(struct daemon *d, bool to_stderr, struct dxp_config **out)
{
	struct err_ctx ec = { .to_stderr = to_stderr };

	return dxp_config_load(&d->paths, on_config_error, &ec, out);
}

static int reload(struct daemon *d, const char *why)
{
	struct dxp_config *c = NULL, *old;
	struct timespec mono;
	int r;


	clock_gettime(CLOCK_MONOTONIC, &mono);
	sd_notifyf(false, "RELOADING=1\nSTATUS=Reloading configuration (%s)\nMONOTONIC_USEC=%" PRIu64,
		   why, (uint64_t)mono.tv_sec * 1000000 + (uint64_t)mono.tv_nsec / 1000);
	r = load_config(d, false, &c);
	if (r < 0) {
		d->reload_failures++;
		dxp_log(DXP_MSG_CONFIG, LOG_ERR, NULL, NULL,
			"Configuration reload (%s) failed: %s; keeping the previous configuration",
			why, r == -EINVAL ? "errors above" : strerror(-r));
		goto out;
	}
	old = d->config;
	d->config = c;
	/* Re-resolve every wait before the old config (which the resolved
	 * policies point into) is freed. */
	dxp_monitor_set_config(&d->mon, c);
	dxp_config_free(old);
	dxp_log_set_ratelimit(c->ratelimit_interval_ns, c->ratelimit_burst);
	apply_module_config(d);
	d->reloads++;
	dxp_log(DXP_MSG_CONFIG, LOG_NOTICE, NULL, NULL, "Configuration reloaded (%s) from %zu file(s)",
		why, c->n_files);
out:
	d->status[0] = '\0';	/* force STATUS= after RELOADING=1 */
	sd_notify(false, "READY=1");
	env_changed(d);
	return r;
}

/* ---- control socket commands ------------------------------------------ */

static struct json_object *origin_json(const struct dxp_origin *o)
{
	char buf[PATH_MAX + 16];

	if (!o->file)
		return json_object_new_string("default");
	snprintf(buf, sizeof(buf), "%s:%u", o->file, o->line);
	return json_object_new_string(buf);
}

static struct json_object *setting_json(const struct dxp_config *c,
					const struct dxp_policy_section *sec, enum dxp_key k,
					const struct dxp_origin *o)
{
	struct json_object *s = json_object_new_object();
	char v[PATH_MAX];

	dxp_config_format(c, sec, k, v, sizeof(v));
	json_object_object_add(s, "value", json_object_new_string(v));
	json_object_object_add(s, "source", origin_json(o));
	return s;
}

static struct json_object *cmd_policy(struct daemon *d)
{
	const struct dxp_config *c = d->config;
	struct json_object *r = json_object_new_object(), *g = json_object_new_object();
	struct json_object *secs = json_object_new_array(), *dm = json_object_new_object();
	struct json_object *files = json_object_new_array();

	for (unsigned k = 0; k < DXP_K_POLICY_MAX; k++)
		json_object_object_add(g, dxp_key_name(k),
				       setting_json(c, &c->global, k, &c->global.origin[k]));
	json_object_object_add(r, "policy", g);
	for (size_t i = 0; i < c->n_sections; i++) {
		const struct dxp_policy_section *s = &c->sections[i];
		struct json_object *o = json_object_new_object(), *set = json_object_new_object();
		char name[PATH_MAX + 16];

		snprintf(name, sizeof(name), "%s %s", s->kind == DXP_SEC_MOUNT ? "Mount" : "Device",
			 s->match);
		json_object_object_add(o, "section", json_object_new_string(name));
		for (unsigned k = 0; k < DXP_K_POLICY_MAX; k++)
			if (s->set & (1ULL << k))
				json_object_object_add(set, dxp_key_name(k),
						       setting_json(c, s, k, &s->origin[k]));
		json_object_object_add(o, "settings", set);
		json_object_array_add(secs, o);
	}
	json_object_object_add(r, "sections", secs);
	for (unsigned k = DXP_K_POLICY_MAX; k < DXP_K_MAX; k++)
		json_object_object_add(dm, dxp_key_name(k), setting_json(c, NULL, k, &c->origin[k]));
	json_object_object_add(r, "daemon", dm);
	for (size_t i = 0; i < c->n_files; i++)
		json_object_array_add(files, json_object_new_string(c->files[i]));
	json_object_object_add(r, "files", files);
	json_object_object_add(r, "runtime_dropin", json_object_new_string(d->runtime_dropin));
	return r;
}

static struct json_object *cmd_status(struct daemon *d)
{
	const struct dxp_counters *c = &d->mon.c;
	struct json_object *r = json_object_new_object(), *cn = json_object_new_object();
	size_t stalled = 0;

	for (struct dxp_tracked *t = d->mon.waits; t; t = t->next)
		stalled += t->w.stalled;
	json_object_object_add(r, "version", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(r, "pid", json_object_new_int(getpid()));
	json_object_object_add(r, "module_loaded", json_object_new_boolean(dxp_nl_connected(d->nl)));
	json_object_object_add(r, "synced", json_object_new_boolean(d->mon.synced));
	json_object_object_add(r, "waits_in_flight", json_object_new_int64((int64_t)d->mon.n_waits));
	json_object_object_add(r, "waits_stalled", json_object_new_int64((int64_t)stalled));
	json_object_object_add(r, "dry_run", json_object_new_boolean(d->config->global.p.dry_run));
	json_object_object_add(r, "status", json_object_new_string(d->status));
#define C(name, v) json_object_object_add(cn, name, json_object_new_int64((int64_t)(v)))
	C("waits_seen", c->waits_seen);
	C("completed", c->outcome[DXP_OUT_COMPLETED]);
	C("interrupted", c->outcome[DXP_OUT_INTERRUPTED]);
	C("untracked", c->outcome[DXP_OUT_UNTRACKED]);
	C("lost", c->outcome[DXP_OUT_LOST]);
	C("warned", c->warned);
	C("nontransient", c->nontransient);
	C("stalled", c->stalled);
	C("kicked", c->kicks[DXP_RES_OK]);
	C("kick_failures", c->kicks[DXP_RES_FAILED]);
	C("signals_sent", c->actions[DXP_ACTION_SIGNAL][DXP_RES_OK]);
	C("hooks_ok", c->actions[DXP_ACTION_EXEC][DXP_RES_OK]);
	C("action_failures", c->actions[DXP_ACTION_SIGNAL][DXP_RES_FAILED] +
			     c->actions[DXP_ACTION_EXEC][DXP_RES_FAILED]);
	C("dry_run_actions", c->actions[DXP_ACTION_SIGNAL][DXP_RES_DRY_RUN] +
			     c->actions[DXP_ACTION_EXEC][DXP_RES_DRY_RUN] + c->kicks[DXP_RES_DRY_RUN]);
	C("resyncs", c->resyncs);
	C("overruns", c->overruns);
	C("log_suppressed", dxp_log_suppressed_total());
	C("config_reloads", d->reloads);
	C("config_reload_failures", d->reload_failures);
#undef C
	json_object_object_add(r, "counters", cn);
	return r;
}

static struct json_object *cmd_waits(struct daemon *d)
{
	static const struct { unsigned bit; const char *name; } done[] = {
		{ DXP_DONE_WARN, "warned" }, { DXP_DONE_NONTRANSIENT, "nontransient" },
		{ DXP_DONE_STALLED, "stalled_logged" }, { DXP_DONE_KICK, "kicked" },
		{ DXP_DONE_ACTION, "acted" },
	};
	struct json_object *r = json_object_new_object(), *a = json_object_new_array();

	for (struct dxp_tracked *t = d->mon.waits; t; t = t->next) {
		struct json_object *o = json_object_new_object(), *dn = json_object_new_array();

		json_object_object_add(o, "wait", daxpin_wait_to_json(&t->w, NULL));
		if (t->abspath)
			json_object_object_add(o, "path", json_object_new_string(t->abspath));
		if (t->mountpoint)
			json_object_object_add(o, "mount_point", json_object_new_string(t->mountpoint));
		if (t->devname)
			json_object_object_add(o, "device", json_object_new_string(t->devname));
		for (size_t i = 0; i < sizeof(done) / sizeof(done[0]); i++)
			if (t->track.done & done[i].bit)
				json_object_array_add(dn, json_object_new_string(done[i].name));
		json_object_object_add(o, "done", dn);
		json_object_object_add(o, "next_deadline_ns", t->deadline == DXP_NEVER ? NULL
				       : json_object_new_int64((int64_t)t->deadline));
		json_object_array_add(a, o);
	}
	json_object_object_add(r, "waits", a);
	return r;
}

static struct json_object *cmd_metrics(struct daemon *d)
{
	struct json_object *r;
	char *text;
	size_t len;
	int e = render_metrics(d, &text, &len);

	if (e < 0)
		return dxp_control_error(e, "rendering metrics failed: %s", strerror(-e));
	r = json_object_new_object();
	json_object_object_add(r, "text", json_object_new_string_len(text, (int)len));
	free(text);
	return r;
}

static int read_whole(const char *path, char **out)
{
	FILE *f = fopen(path, "re");
	size_t cap = 0;

	*out = NULL;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	if (getdelim(out, &cap, '\0', f) < 0 && !feof(f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	return 0;
}

static struct json_object *cmd_set(struct daemon *d, const struct dxp_peer *p,
				   struct json_object *req)
{
	struct json_object *js, *jk, *jv;
	const char *section = "Policy", *key, *value = NULL;
	char err[512], *saved = NULL;
	int r;

	if (json_object_object_get_ex(req, "section", &js))
		section = json_object_get_string(js);
	if (!json_object_object_get_ex(req, "key", &jk) || !json_object_is_type(jk, json_type_string))
		return dxp_control_error(EINVAL, "\"set\" needs \"key\"");
	key = json_object_get_string(jk);
	if (json_object_object_get_ex(req, "value", &jv) && !json_object_is_type(jv, json_type_null))
		value = json_object_get_string(jv);

	if (mkdir(d->run_dropin_dir, 0755) < 0 && errno != EEXIST)
		return dxp_control_error(errno, "cannot create %s: %s", d->run_dropin_dir,
					 strerror(errno));
	r = read_whole(d->runtime_dropin, &saved);
	if (r < 0)
		return dxp_control_error(-r, "cannot read %s: %s", d->runtime_dropin, strerror(-r));
	r = dxp_config_runtime_set(d->runtime_dropin, section, key, value, err, sizeof(err));
	if (r < 0) {
		free(saved);
		return dxp_control_error(-r, "%s", err);
	}
	dxp_log(DXP_MSG_CONTROL, LOG_NOTICE, NULL, NULL,
		"Runtime policy change by uid %u (pid %d): [%s] %s=%s", (unsigned)p->uid, (int)p->pid,
		section, key, value ? value : "(removed)");
	r = reload(d, "runtime change");
	if (r < 0) {
		/* The value parsed alone but the whole does not (e.g. Action=exec
		 * without a hook): put the file back as it was. */
		if (saved) {
			FILE *f = fopen(d->runtime_dropin, "we");

			if (f) {
				fputs(saved, f);
				fclose(f);
			}
		} else {
			unlink(d->runtime_dropin);
		}
		free(saved);
		return dxp_control_error(EINVAL, "the configuration with this change is invalid (see the journal); change reverted");
	}
	free(saved);
	return cmd_policy(d);
}

static struct json_object *cmd_kick(struct daemon *d, struct json_object *req)
{
	struct json_object *jid, *r;
	bool was_idle = false;
	uint64_t id;
	int e;

	if (!json_object_object_get_ex(req, "id", &jid) || !json_object_is_type(jid, json_type_int))
		return dxp_control_error(EINVAL, "\"kick\" needs a numeric \"id\"");
	id = (uint64_t)json_object_get_int64(jid);
	e = dxp_monitor_kick(&d->mon, id, &was_idle);
	if (e < 0)
		return dxp_control_error(e, "kick %" PRIu64 ": %s", id, daxpin_strerror(e));
	r = json_object_new_object();
	json_object_object_add(r, "id", json_object_new_int64((int64_t)id));
	json_object_object_add(r, "was_idle", json_object_new_boolean(was_idle));
	return r;
}

static struct json_object *on_control(void *userdata, const struct dxp_peer *p, const char *cmd,
				      struct json_object *req)
{
	struct daemon *d = userdata;

	if (!strcmp(cmd, "status"))
		return cmd_status(d);
	if (!strcmp(cmd, "policy"))
		return cmd_policy(d);
	if (!strcmp(cmd, "waits"))
		return cmd_waits(d);
	if (!strcmp(cmd, "metrics"))
		return cmd_metrics(d);
	if (!strcmp(cmd, "set"))
		return cmd_set(d, p, req);
	if (!strcmp(cmd, "kick"))
		return cmd_kick(d, req);
	if (!strcmp(cmd, "reload")) {
		int r = reload(d, "control socket");

		return r < 0 ? dxp_control_error(-r, "reload failed; previous configuration kept (see the journal)")
			     : json_object_new_object();
	}
	return dxp_control_error(EOPNOTSUPP, "unknown command");
}

/* ---- signals and main -------------------------------------------------- */

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	reload(userdata, "SIGHUP");
	return 0;
}

static int on_sigterm(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;

	sd_notify(false, "STOPPING=1\nSTATUS=Shutting down");
	dxp_log(DXP_MSG_LIFECYCLE, LOG_INFO, NULL, NULL, "Stopping on %s",
		si->ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
	return sd_event_exit(d->e, 0);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: daxpind [OPTIONS]\n"
		"Watch filesystem-DAX layout-break waits and apply policy.\n\n"
		"  -c, --config=FILE       main configuration file (default %s)\n"
		"      --runtime-dir=DIR   state, control socket, runtime drop-ins (default %s)\n"
		"      --check-config      validate the configuration and exit\n"
		"      --control-group=G   group (name or gid) allowed to read (default daxpin)\n"
		"  -d, --debug             log to stderr, including debug messages\n"
		"  -h, --help              this help\n"
		"  -V, --version           print the version\n",
		SYSCONFDIR "/daxpin/daxpind.conf", RUNSTATEDIR "/daxpin");
}

static int setup_paths(struct daemon *d, const char *config_file, const char *rundir)
{
	char *dir;

	d->config_file = strdup(config_file);
	d->rundir = strdup(rundir);
	if (!d->config_file || !d->rundir)
		return -ENOMEM;
	dir = strdup(config_file);
	if (!dir)
		return -ENOMEM;
	/* Drop-ins live beside the main file, in <file>.d/. */
	if (asprintf(&d->etc_dropin_dir, "%s.d", config_file) < 0 ||
	    asprintf(&d->run_dropin_dir, "%s/daxpind.conf.d", rundir) < 0 ||
	    asprintf(&d->state_path, "%s/state", rundir) < 0 ||
	    asprintf(&d->control_path, "%s/control", rundir) < 0 ||
	    asprintf(&d->runtime_dropin, "%s/daxpind.conf.d/99-runtime.conf", rundir) < 0) {
		free(dir);
		return -ENOMEM;
	}
	free(dir);
	d->dropins[0] = d->etc_dropin_dir;
	d->dropins[1] = d->run_dropin_dir;
	d->dropins[2] = NULL;
	d->paths.main_file = d->config_file;
	d->paths.dropin_dirs = d->dropins;
	return 0;
}

static int setup_event_loop(struct daemon *d)
{
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

	r = sd_event_default(&d->e);
	if (r < 0)
		return r;
	if ((r = sd_event_add_signal(d->e, NULL, SIGTERM, on_sigterm, d)) < 0 ||
	    (r = sd_event_add_signal(d->e, NULL, SIGINT, on_sigterm, d)) < 0 ||
	    (r = sd_event_add_signal(d->e, NULL, SIGHUP, on_sighup, d)) < 0)
		return r;
	/* Pings the service manager at half WatchdogSec= if it is set, and
	 * only then: no wake-ups otherwise. */
	r = sd_event_set_watchdog(d->e, true);
	if (r < 0)
		return r;
	r = sd_event_add_defer(d->e, &d->changed_src, on_changed, d);
	if (r < 0)
		return r;
	/* Lowest priority: run after all events of this turn are processed. */
	sd_event_source_set_priority(d->changed_src, SD_EVENT_PRIORITY_IDLE);
	return sd_event_source_set_enabled(d->changed_src, SD_EVENT_OFF);
}

static void free_daemon(struct daemon *d)
{
	while (d->hooks)
		hook_free(d->hooks);
	dxp_control_free(d->control);
	dxp_monitor_free(&d->mon);
	sd_event_source_disable_unref(d->events_src);
	sd_event_source_disable_unref(d->ctrl_src);
	sd_event_source_disable_unref(d->changed_src);
	dxp_nl_free(d->nl);
	sd_event_unref(d->e);
	dxp_config_free(d->config);
	free(d->config_file);
	free(d->etc_dropin_dir);
	free(d->run_dropin_dir);
	free(d->rundir);
	free(d->state_path);
	free(d->control_path);
	free(d->runtime_dropin);
}

static int run(struct daemon *d)
{
	struct dxp_state restored = { 0 };
	int r;

	r = setup_event_loop(d);
	if (r < 0) {
		dxp_log(DXP_MSG_LIFECYCLE, LOG_ERR, NULL, NULL, "Setting up the event loop failed: %s",
			strerror(-r));
		return r;
	}
	if (mkdir(d->rundir, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		dxp_log(DXP_MSG_LIFECYCLE, LOG_ERR, NULL, NULL, "Cannot create %s: %s", d->rundir,
			strerror(-r));
		return r;
	}
	if (dxp_state_read_boot_id(d->boot_id, sizeof(d->boot_id)) < 0)
		strcpy(d->boot_id, "unknown");
	r = dxp_state_load(d->state_path, d->boot_id, &restored);
	if (r < 0)
		dxp_log(DXP_MSG_LIFECYCLE, LOG_WARNING, NULL, NULL, "Ignoring %s: %s", d->state_path,
			strerror(-r));
	else if (restored.n)
		dxp_log(DXP_MSG_LIFECYCLE, LOG_INFO, NULL, NULL,
			"Restored what was done for %zu wait(s) before a restart", restored.n);

	r = dxp_nl_new(&d->nl);
	if (r < 0) {
		dxp_log(DXP_MSG_LIFECYCLE, LOG_ERR, NULL, NULL, "Cannot open generic netlink: %s",
			strerror(-r));
		dxp_state_free(&restored);
		return r;
	}
	dxp_nl_source(d->nl, &d->src);
	dxp_monitor_init(&d->mon, &env_ops, d, &d->src, d->config);
	dxp_monitor_restore(&d->mon, &restored);
	r = sd_event_add_io(d->e, &d->ctrl_src, dxp_nl_ctrl_fd(d->nl), EPOLLIN, on_ctrl, d);
	if (r < 0)
		return r;

	d->control_gid = control_group(d->control_group);
	if (d->control_gid == (gid_t)-1)
		dxp_log(DXP_MSG_LIFECYCLE, LOG_WARNING, NULL, NULL,
			"Group %s not found in /etc/group: only root may use %s", d->control_group,
			d->control_path);
	r = dxp_control_new(d->e, d->control_path, d->control_gid, on_control, d, &d->control);
	if (r < 0) {
		dxp_log(DXP_MSG_LIFECYCLE, LOG_ERR, NULL, NULL, "Cannot listen on %s: %s",
			d->control_path, strerror(-r));
		return r;
	}

	r = module_up(d, "start");
	if (r == -DAXPIN_ENOMODULE) {
		dxp_log(DXP_MSG_MODULE, LOG_WARNING, NULL, NULL,
			"daxpin.ko is not loaded (modprobe daxpin); waiting for it");
	} else if (r < 0) {
		dxp_log(DXP_MSG_LIFECYCLE, LOG_ERR, NULL, NULL, "First resynchronisation failed: %s",
			daxpin_strerror(r));
		return r;
	}
	/* Only now, after subscribe + dump, is every wait known. */
	on_changed(NULL, d);
	sd_notify(false, "READY=1");
	d->ready = true;
	dxp_log(DXP_MSG_LIFECYCLE, LOG_INFO, NULL, NULL, "daxpind %s ready: %s", PACKAGE_VERSION,
		d->status);

	r = sd_event_loop(d->e);
	save_state(d);
	return r;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "runtime-dir", required_argument, NULL, 'R' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "control-group", required_argument, NULL, 'G' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *config_file = SYSCONFDIR "/daxpin/daxpind.conf";
	const char *rundir = RUNSTATEDIR "/daxpin";
	struct daemon d = { 0 };
	struct dxp_log_options lo = { 0 };
	bool check = false;
	int c, r;

	while ((c = getopt_long(argc, argv, "c:dhV", opts, NULL)) >= 0) {
		switch (c) {
		case 'c': config_file = optarg; break;
		case 'R': rundir = optarg; break;
		case 'C': check = true; break;
		case 'G': d.control_group = optarg; break;
		case 'd': d.debug = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("daxpind %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	D = &d;
	if (!d.control_group)
		d.control_group = "daxpin";
	if (setup_paths(&d, config_file, rundir) < 0)
		return 1;

	lo.to_stderr = d.debug;
	lo.debug = d.debug;
	lo.ratelimit_interval_ns = 30 * DXP_NSEC_PER_SEC;
	lo.ratelimit_burst = 10;
	dxp_log_setup(&lo);

	r = load_config(&d, check || d.debug || isatty(STDERR_FILENO), &d.config);
	if (check) {
		if (r < 0) {
			fprintf(stderr, "daxpind: configuration is invalid\n");
		} else {
			printf("daxpind: configuration OK (%zu file(s))\n", d.config->n_files);
			for (size_t i = 0; i < d.config->n_files; i++)
				printf("  %s\n", d.config->files[i]);
		}
		free_daemon(&d);
		return r < 0 ? 1 : 0;
	}
	if (r < 0) {
		/* Refuse to start on a bad configuration: guessing what the
		 * operator meant could send signals nobody asked for. */
		dxp_log(DXP_MSG_CONFIG, LOG_ERR, NULL, NULL,
			"Refusing to start: the configuration has errors (daxpind --check-config)");
		sd_notifyf(false, "STATUS=Invalid configuration\nERRNO=%d", -r);
		free_daemon(&d);
		return 1;
	}
	dxp_log_set_ratelimit(d.config->ratelimit_interval_ns, d.config->ratelimit_burst);

	r = run(&d);
	free_daemon(&d);
	if (r < 0) {
		sd_notifyf(false, "STATUS=Failed: %s\nERRNO=%d", strerror(-r), -r);
		return 1;
	}
	return 0;
}
