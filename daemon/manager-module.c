// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The daxpin.ko side: watch the generic netlink controller for the family
 * coming and going, subscribe then dump, read events, resynchronise after
 * an overrun, and push the [Module] settings.
 */
#include <errno.h>
#include <stdbool.h>

#include "daemon/log.h"
#include "daemon/manager.h"
#include "daemon/nlsource.h"

void dxp_manager_module_apply_config(struct dxp_manager *m)
{
	int r;

	if (!m->config->module.set || !dxp_nl_connected(m->nl))
		return;
	r = m->src.ops->set_config(m->src.ctx, &m->config->module);
	if (r < 0)
		dxp_log(DXP_MSG_MODULE, LOG_ERR, NULL, NULL,
			"Applying the [Module] settings to daxpin.ko failed: %s", daxpin_strerror(r));
	else
		dxp_log(DXP_MSG_MODULE, LOG_INFO, NULL, NULL, "Applied the [Module] settings to daxpin.ko");
}

static int on_event(const struct daxpin_event *ev, void *arg)
{
	struct dxp_manager *m = arg;

	/* An overrun (module record or socket) only marks the engine. */
	dxp_monitor_event(&m->mon, ev);
	return 0;
}

static int on_events(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct dxp_manager *m = userdata;
	unsigned bad = 0;
	int r;

	r = dxp_nl_events_read(m->nl, on_event, m, &bad);
	m->events_malformed += bad;
	if (r == -ENOBUFS && !m->mon.overrun) {
		m->mon.c.overruns++;
		m->mon.overrun = true;
	}
	if (m->mon.overrun) {
		/* Events were lost (daxpin.ko dropped some, or the socket):
		 * only a dump tells the truth.  The read above drained the
		 * socket, so the dump is not older than anything still queued. */
		(void)dxp_monitor_resync_overrun(&m->mon, NULL);
	} else if (r < 0) {
		dxp_log(DXP_MSG_MODULE, LOG_ERR, NULL, NULL, "Reading events failed: %s",
			daxpin_strerror(r));
	}
	return 0;
}

static void module_down(struct dxp_manager *m)
{
	m->events_src = sd_event_source_disable_unref(m->events_src);
	dxp_nl_disconnect(m->nl);
	dxp_monitor_module_gone(&m->mon);
}

/* Subscribe first, then dump: a wait that starts in between is seen twice
 * (harmless), never zero times. */
int dxp_manager_module_up(struct dxp_manager *m, const char *why)
{
	int fd, r;

	fd = dxp_nl_connect(m->nl);
	if (fd < 0)
		return fd;
	r = sd_event_add_io(m->e, &m->events_src, fd, EPOLLIN, on_events, m);
	if (r < 0) {
		dxp_nl_disconnect(m->nl);
		return r;
	}
	(void)sd_event_source_set_description(m->events_src, "daxpind-module-events");
	dxp_manager_module_apply_config(m);
	return dxp_monitor_resync(&m->mon, why);
}

static void on_family(void *userdata, bool present)
{
	struct dxp_manager *m = userdata;
	int r;

	if (!present) {
		if (!dxp_nl_connected(m->nl))
			return;
		dxp_log(DXP_MSG_MODULE, LOG_WARNING, NULL, NULL,
			"daxpin.ko went away (generic netlink family removed); waiting for it to return");
		module_down(m);
		dxp_manager_changed(m);		/* STATUS=, metrics: even with no wait to end */
		return;
	}
	/* A family that (re)appears while we think we are connected means we
	 * missed its removal: our socket points at a dead family. */
	if (dxp_nl_connected(m->nl))
		module_down(m);
	r = dxp_manager_module_up(m, "module loaded");
	if (r < 0)
		dxp_log(DXP_MSG_MODULE, LOG_ERR, NULL, NULL, "Connecting to daxpin.ko failed: %s",
			daxpin_strerror(r));
	else
		dxp_log(DXP_MSG_MODULE, LOG_NOTICE, NULL, NULL, "daxpin.ko is (back) up; resynchronised");
	dxp_manager_changed(m);
}

static int on_ctrl(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct dxp_manager *m = userdata;

	dxp_nl_ctrl_read(m->nl, on_family, m);
	return 0;
}

int dxp_manager_module_watch(struct dxp_manager *m)
{
	int r;

	r = sd_event_add_io(m->e, &m->ctrl_src, dxp_nl_ctrl_fd(m->nl), EPOLLIN, on_ctrl, m);
	if (r < 0)
		return r;
	(void)sd_event_source_set_description(m->ctrl_src, "daxpind-genl-ctrl");
	return 0;
}
