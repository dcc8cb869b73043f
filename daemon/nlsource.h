/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The production dxp_source: libdaxpin for the "daxpin" family, plus a raw
 * subscription to the generic netlink controller's "notify" group so that a
 * module unload (family gone) and load (family back) are events too, not
 * something to poll for.
 */
#ifndef DAXPIND_NLSOURCE_H
#define DAXPIND_NLSOURCE_H

#include <stdbool.h>

#include "daemon/source.h"

struct dxp_nl;

typedef void (*dxp_nl_family_fn)(void *userdata, bool present);

int dxp_nl_new(struct dxp_nl **out);
void dxp_nl_free(struct dxp_nl *n);

/* Controller notifications: returns the fd to poll. */
int dxp_nl_ctrl_fd(struct dxp_nl *n);
/* Drain controller messages; calls @fn on daxpin's family coming or going. */
int dxp_nl_ctrl_read(struct dxp_nl *n, dxp_nl_family_fn fn, void *userdata);

/* Open the family and join "events"; returns the events fd or -errno
 * (-DAXPIN_ENOMODULE when daxpin.ko is not loaded). */
int dxp_nl_connect(struct dxp_nl *n);
void dxp_nl_disconnect(struct dxp_nl *n);
bool dxp_nl_connected(const struct dxp_nl *n);
int dxp_nl_events_read(struct dxp_nl *n, daxpin_event_cb cb, void *arg, unsigned *nr_bad);

void dxp_nl_source(struct dxp_nl *n, struct dxp_source *out);

#endif
