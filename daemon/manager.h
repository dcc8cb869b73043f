/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The manager: daxpind's one object.  It owns the event loop and every
 * source, the configuration, the engine (struct dxp_monitor) and what
 * connects the engine to the world.  Handlers reach it through their
 * userdata, never through a global.
 *
 *   manager.c          loop, signals, sd_notify, reload, state, metrics
 *   manager-module.c   daxpin.ko: family watch, events, resync, [Module]
 *   manager-env.c      the engine's environment (struct dxp_env_ops)
 *   manager-control.c  control-socket commands and their replies
 *   hooks.c            ExecHook= children
 */
#ifndef DAXPIND_MANAGER_H
#define DAXPIND_MANAGER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "daemon/config.h"
#include "daemon/control.h"
#include "daemon/hooks.h"
#include "daemon/monitor.h"
#include "daemon/source.h"

struct dxp_nl;

struct dxp_manager {
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
	sd_event_source *signal_src[3];	/* SIGTERM, SIGINT, SIGHUP */
	sd_event_source *ctrl_src;
	sd_event_source *events_src;
	sd_event_source *changed_src;
	sd_event_source *refresh_src;	/* dxp_monitor_refresh(), deferred */
	sd_event_source *heartbeat_src;	/* metrics rewritten at least once a minute */
	struct dxp_hooks hooks;

	bool ready;
	char status[256];
	uint64_t reloads;
	uint64_t reload_failures;
	uint64_t events_malformed;
	uint64_t stats_dropped;		/* daxpin.ko's events_dropped, last read */
	uint64_t stats_dropped_synced;	/* ... when we last resynced for it */
	char metrics_error[PATH_MAX + 128];
	bool metrics_written;		/* the last write_metrics() had a path */
};

/* ---- manager.c ---------------------------------------------------------- */

/* Paths only: the main file @config_file, its drop-in directories and
 * @rundir; @control_group (name or gid) must outlive the manager. */
int dxp_manager_new(const char *config_file, const char *rundir, const char *control_group,
		    bool debug, struct dxp_manager **ret);
/* Takes NULL; returns NULL. */
struct dxp_manager *dxp_manager_free(struct dxp_manager *m);

/* Load the configuration into m->config, reporting each error to stderr
 * (@to_stderr) or the journal.  Returns 0, -EINVAL or a negative errno. */
int dxp_manager_load_config(struct dxp_manager *m, bool to_stderr);
/* Event loop, signals, state, netlink, control socket, first resync; then
 * READY=1.  Logs what failed and returns a negative errno. */
int dxp_manager_start(struct dxp_manager *m);
/* Swap in a new configuration if it loads cleanly; keep the old one if not
 * (returns its error).  Between RELOADING=1 and READY=1. */
int dxp_manager_reload(struct dxp_manager *m, const char *why);
void dxp_manager_save_state(struct dxp_manager *m);
/* Something changed: save state, refresh metrics and STATUS= once, at the
 * end of this loop turn. */
void dxp_manager_changed(struct dxp_manager *m);
int dxp_manager_render_metrics(struct dxp_manager *m, char **text, size_t *len);

/* ---- manager-module.c --------------------------------------------------- */

/* Watch the generic netlink controller for daxpin's family. */
int dxp_manager_module_watch(struct dxp_manager *m);
/* Connect to daxpin.ko, apply [Module], resync.  -DAXPIN_ENOMODULE when it
 * is not loaded. */
int dxp_manager_module_up(struct dxp_manager *m, const char *why);
void dxp_manager_module_apply_config(struct dxp_manager *m);

/* ---- manager-env.c ------------------------------------------------------ */

/* The engine's environment; its env pointer is the manager. */
extern const struct dxp_env_ops dxp_manager_env_ops;

/* ---- manager-control.c -------------------------------------------------- */

/* Resolve the control group and listen on m->control_path. */
int dxp_manager_control_listen(struct dxp_manager *m);

#endif
