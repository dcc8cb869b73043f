// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket's commands and their replies: status, policy, waits,
 * metrics (read); set, kick, reload (change).  control.c is the transport
 * (socket, framing, peer credentials, access); this file answers.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "daemon/log.h"
#include "daemon/manager.h"
#include "daemon/nlsource.h"
#include "lib/daxpin-json.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

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

static struct json_object *cmd_policy(struct dxp_manager *m)
{
	const struct dxp_config *c = m->config;
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
	json_object_object_add(r, "runtime_dropin", json_object_new_string(m->runtime_dropin));
	return r;
}

static struct json_object *cmd_status(struct dxp_manager *m)
{
	const struct dxp_counters *c = &m->mon.c;
	struct json_object *r = json_object_new_object(), *cn = json_object_new_object();
	size_t stalled = 0;

	for (struct dxp_tracked *t = m->mon.waits; t; t = t->next)
		stalled += t->w.stalled;
	json_object_object_add(r, "version", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(r, "pid", json_object_new_int(getpid()));
	json_object_object_add(r, "module_loaded", json_object_new_boolean(dxp_nl_connected(m->nl)));
	json_object_object_add(r, "synced", json_object_new_boolean(m->mon.synced));
	json_object_object_add(r, "waits_in_flight", json_object_new_int64((int64_t)m->mon.n_waits));
	json_object_object_add(r, "waits_stalled", json_object_new_int64((int64_t)stalled));
	json_object_object_add(r, "dry_run", json_object_new_boolean(m->config->global.p.dry_run));
	json_object_object_add(r, "status", json_object_new_string(m->status));
#define C(name, v) json_object_object_add(cn, name, json_object_new_int64((int64_t)(v)))
	C("waits_tracked", c->waits_seen);
	C("waits_missed", c->waits_missed);
	C("completed", c->outcome[DXP_OUT_COMPLETED]);
	C("interrupted", c->outcome[DXP_OUT_INTERRUPTED]);
	C("untracked", c->outcome[DXP_OUT_UNTRACKED]);
	C("lost", c->outcome[DXP_OUT_LOST]);
	C("warned", c->warned);
	C("nontransient", c->nontransient);
	C("stalls", c->stalled);
	C("kicks", c->kicks[DXP_RES_OK]);
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
	C("config_reloads", m->reloads);
	C("config_reload_failures", m->reload_failures);
#undef C
	json_object_object_add(r, "counters", cn);
	return r;
}

static struct json_object *cmd_waits(struct dxp_manager *m)
{
	static const struct { unsigned bit; const char *name; } done[] = {
		{ DXP_DONE_WARN, "warned" }, { DXP_DONE_NONTRANSIENT, "nontransient" },
		{ DXP_DONE_STALLED, "stalled_logged" }, { DXP_DONE_KICK, "kicked" },
		{ DXP_DONE_ACTION, "acted" },
	};
	struct json_object *r = json_object_new_object(), *a = json_object_new_array();

	for (struct dxp_tracked *t = m->mon.waits; t; t = t->next) {
		struct json_object *o = json_object_new_object(), *dn = json_object_new_array();

		json_object_object_add(o, "wait", daxpin_wait_to_json(&t->w, NULL));
		if (t->abspath)
			json_object_object_add(o, "path", json_object_new_string(t->abspath));
		if (t->mountpoint)
			json_object_object_add(o, "mount_point", json_object_new_string(t->mountpoint));
		if (t->devname)
			json_object_object_add(o, "blockdev", json_object_new_string(t->devname));
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

static struct json_object *cmd_metrics(struct dxp_manager *m)
{
	struct json_object *r;
	char *text;
	size_t len;
	int e = dxp_manager_render_metrics(m, &text, &len);

	if (e < 0)
		return dxp_control_error(e, "rendering metrics failed: %s", strerror(-e));
	r = json_object_new_object();
	json_object_object_add(r, "text", json_object_new_string_len(text, (int)len));
	free(text);
	return r;
}

/* The runtime drop-in as it is, to put back if the change is rejected:
 * *out NULL if there is none. */
static int read_whole(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	*len = 0;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	for (;;) {
		size_t got;

		if (n == cap) {
			char *b = realloc(buf, cap ? cap * 2 : 4096);

			if (!b) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = b;
			cap = cap ? cap * 2 : 4096;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
}

/* "section" (optional, default Policy) and "key" are strings, "value" a
 * string or null (null or absent: remove the key). */
static int set_args(struct json_object *req, const char **section, const char **key,
		    const char **value)
{
	struct json_object *js, *jk, *jv;

	*section = "Policy";
	*value = NULL;
	if (json_object_object_get_ex(req, "section", &js)) {
		if (!json_object_is_type(js, json_type_string))
			return -EINVAL;
		*section = json_object_get_string(js);
	}
	if (!json_object_object_get_ex(req, "key", &jk) || !json_object_is_type(jk, json_type_string))
		return -EINVAL;
	*key = json_object_get_string(jk);
	if (json_object_object_get_ex(req, "value", &jv) && !json_object_is_type(jv, json_type_null)) {
		if (!json_object_is_type(jv, json_type_string))
			return -EINVAL;
		*value = json_object_get_string(jv);
	}
	return 0;
}

static struct json_object *cmd_set(struct dxp_manager *m, const struct dxp_peer *p,
				   struct json_object *req)
{
	const char *section, *key, *value;
	char err[512], *saved = NULL;
	size_t saved_len;
	int r;

	if (set_args(req, &section, &key, &value) < 0)
		return dxp_control_error(EINVAL, "\"set\" needs a \"key\" string, and takes a \"section\" string and a \"value\" string or null");
	if (mkdir(m->run_dropin_dir, 0755) < 0 && errno != EEXIST)
		return dxp_control_error(errno, "cannot create %s: %s", m->run_dropin_dir,
					 strerror(errno));
	r = read_whole(m->runtime_dropin, &saved, &saved_len);
	if (r < 0)
		return dxp_control_error(-r, "cannot read %s: %s", m->runtime_dropin, strerror(-r));
	r = dxp_config_runtime_set(m->runtime_dropin, section, key, value, err, sizeof(err));
	if (r < 0) {
		free(saved);
		return dxp_control_error(-r, "%s", err);
	}
	dxp_log(DXP_MSG_CONTROL, LOG_NOTICE, NULL, NULL,
		"Runtime policy change by uid %u (pid %d): [%s] %s=%s", (unsigned)p->uid, (int)p->pid,
		section, key, value ? value : "(removed)");
	r = dxp_manager_reload(m, "runtime change");
	if (r < 0) {
		/* The value parsed alone but the whole does not (e.g. Action=exec
		 * without a hook): put the file back as it was, atomically. */
		int e = dxp_config_runtime_restore(m->runtime_dropin, saved, saved_len);

		free(saved);
		if (e < 0) {
			dxp_log(DXP_MSG_CONTROL, LOG_ERR, NULL, NULL,
				"Cannot revert %s after a rejected change: %s", m->runtime_dropin,
				strerror(-e));
			return dxp_control_error(-e, "the configuration with this change is invalid (see the journal), and reverting %s failed: %s",
						 m->runtime_dropin, strerror(-e));
		}
		return dxp_control_error(EINVAL, "the configuration with this change is invalid (see the journal); change reverted");
	}
	free(saved);
	return cmd_policy(m);
}

static struct json_object *cmd_kick(struct dxp_manager *m, struct json_object *req)
{
	struct json_object *jid, *r;
	bool was_idle = false;
	uint64_t id;
	int e;

	if (!json_object_object_get_ex(req, "id", &jid) || !json_object_is_type(jid, json_type_int))
		return dxp_control_error(EINVAL, "\"kick\" needs a numeric \"id\"");
	id = (uint64_t)json_object_get_int64(jid);
	e = dxp_monitor_kick(&m->mon, id, &was_idle);
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
	struct dxp_manager *m = userdata;

	if (!strcmp(cmd, "status"))
		return cmd_status(m);
	if (!strcmp(cmd, "policy"))
		return cmd_policy(m);
	if (!strcmp(cmd, "waits"))
		return cmd_waits(m);
	if (!strcmp(cmd, "metrics"))
		return cmd_metrics(m);
	if (!strcmp(cmd, "set"))
		return cmd_set(m, p, req);
	if (!strcmp(cmd, "kick"))
		return cmd_kick(m, req);
	if (!strcmp(cmd, "reload")) {
		int r = dxp_manager_reload(m, "control socket");

		return r < 0 ? dxp_control_error(-r, "reload failed; previous configuration kept (see the journal)")
			     : json_object_new_object();
	}
	return dxp_control_error(EOPNOTSUPP, "unknown command");
}

/* ---- listening ---------------------------------------------------------- */

/* The daxpin group through NSS: systemd-sysusers writes it to /etc/group,
 * but a site may serve groups from LDAP/sssd, or from libnss_systemd. */
static gid_t control_group(const char *name)
{
	struct group *gr;
	gid_t gid;
	char *end;

	gid = (gid_t)strtoul(name, &end, 10);
	if (*name && !*end)
		return gid;
	gr = getgrnam(name);
	return gr ? gr->gr_gid : (gid_t)-1;
}

int dxp_manager_control_listen(struct dxp_manager *m)
{
	int r;

	m->control_gid = control_group(m->control_group);
	if (m->control_gid == (gid_t)-1)
		dxp_log(DXP_MSG_LIFECYCLE, LOG_WARNING, NULL, NULL,
			"Group %s not found: only root may use %s", m->control_group,
			m->control_path);
	r = dxp_control_new(m->e, m->control_path, m->control_gid, on_control, m, &m->control);
	if (r < 0)
		dxp_log(DXP_MSG_LIFECYCLE, LOG_ERR, NULL, NULL, "Cannot listen on %s: %s",
			m->control_path, strerror(-r));
	return r;
}
