// SPDX-License-Identifier: GPL-2.0
/* daxpind replies -> daxpinctl documents and tables, see render-daemon.h */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render-daemon.h"
#include "lib/daxpin-text.h"
#include "lib/daxpin-util.h"

/* the [Policy] keys shown in the status summary, in this order */
static const char *const summary_keys[] = {
	"WarnAfterSec", "NonTransientAfterSec", "StalledWake",
	"StalledAfterSec", "Action", "ActionAfterSec", "DryRun",
};

static struct json_object *get(struct json_object *o, const char *key,
			       enum json_type type)
{
	struct json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

/* {"Key": {"value": S, "source": S}, ...} -> [{"key","value","source"}] */
static struct json_object *settings_array(struct json_object *map,
					  char *why, size_t len,
					  const char *where)
{
	struct json_object *arr = json_object_new_array();

	if (!arr)
		return NULL;
	json_object_object_foreach(map, key, val) {
		struct json_object *v = get(val, "value", json_type_string);
		struct json_object *s = get(val, "source", json_type_string);
		struct json_object *o;

		if (!v || !s) {
			snprintf(why, len, "%s: setting \"%s\" lacks a string value or source",
				 where, key);
			json_object_put(arr);
			return NULL;
		}
		o = json_object_new_object();
		json_object_object_add(o, "key", json_object_new_string(key));
		json_object_object_add(o, "value", json_object_get(v));
		json_object_object_add(o, "source", json_object_get(s));
		json_object_array_add(arr, o);
	}
	return arr;
}

int daemon_policy_doc(struct json_object *reply, struct json_object **doc,
		      char *why, size_t len)
{
	struct json_object *pol = get(reply, "policy", json_type_object);
	struct json_object *secs = get(reply, "sections", json_type_array);
	struct json_object *dm = get(reply, "daemon", json_type_object);
	struct json_object *files = get(reply, "files", json_type_array);
	struct json_object *rt = get(reply, "runtime_dropin", json_type_string);
	struct json_object *o, *a, *sa, *fa;
	size_t i, n;

	*doc = NULL;
	if (!pol || !secs || !dm || !files || !rt) {
		snprintf(why, len, "policy reply lacks %s",
			 !pol ? "\"policy\"" : !secs ? "\"sections\"" :
			 !dm ? "\"daemon\"" : !files ? "\"files\"" :
			 "\"runtime_dropin\"");
		return -EBADMSG;
	}
	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	a = settings_array(pol, why, len, "policy");
	if (!a)
		goto bad;
	json_object_object_add(o, "settings", a);

	sa = json_object_new_array();
	json_object_object_add(o, "sections", sa);
	n = json_object_array_length(secs);
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(secs, i);
		struct json_object *name = get(s, "section", json_type_string);
		struct json_object *set = get(s, "settings", json_type_object);
		struct json_object *so;

		if (!name || !set) {
			snprintf(why, len, "policy reply: section %zu malformed", i);
			goto bad;
		}
		a = settings_array(set, why, len, json_object_get_string(name));
		if (!a)
			goto bad;
		so = json_object_new_object();
		json_object_object_add(so, "section", json_object_get(name));
		json_object_object_add(so, "settings", a);
		json_object_array_add(sa, so);
	}

	a = settings_array(dm, why, len, "daemon");
	if (!a)
		goto bad;
	json_object_object_add(o, "daemon_settings", a);

	fa = json_object_new_array();
	json_object_object_add(o, "files", fa);
	n = json_object_array_length(files);
	for (i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(files, i);

		if (!json_object_is_type(f, json_type_string)) {
			snprintf(why, len, "policy reply: files[%zu] is not a string", i);
			goto bad;
		}
		json_object_array_add(fa, json_object_get(f));
	}
	json_object_object_add(o, "runtime_dropin", json_object_get(rt));
	*doc = o;
	return 0;
bad:
	json_object_put(o);
	return -EBADMSG;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key, json_type_string);

	return v ? json_object_get_string(v) : "";
}

/* daxpind's strings as table cells: escaped like ls -b, spaces too */
static const char *cell(struct json_object *o, const char *key)
{
	return daxpin_esc(str(o, key), DAXPIN_ESC_SPACE);
}

/* the same at the end of a line, spaces kept */
static const char *tail(struct json_object *o, const char *key)
{
	return daxpin_esc(str(o, key), 0);
}

static void settings_widths(struct json_object *arr, int *kw, int *vw)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);
		int k = (int)strlen(cell(s, "key")), v = (int)strlen(cell(s, "value"));

		if (k > *kw)
			*kw = k;
		if (v > *vw)
			*vw = v;
	}
}

static void render_settings(FILE *f, const char *indent,
			    struct json_object *arr, int kw, int vw)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);

		fprintf(f, "%s%-*s  %-*s  %s\n", indent, kw, cell(s, "key"),
			vw, cell(s, "value"), tail(s, "source"));
	}
}

void render_policy(FILE *f, struct json_object *doc)
{
	struct json_object *set = get(doc, "settings", json_type_array);
	struct json_object *secs = get(doc, "sections", json_type_array);
	struct json_object *dm = get(doc, "daemon_settings", json_type_array);
	struct json_object *files = get(doc, "files", json_type_array);
	int kw = 3, vw = 5;
	size_t i, n;

	if (!set || !secs || !dm || !files)
		return;
	settings_widths(set, &kw, &vw);
	settings_widths(dm, &kw, &vw);
	n = json_object_array_length(secs);
	for (i = 0; i < n; i++)
		settings_widths(get(json_object_array_get_idx(secs, i),
				    "settings", json_type_array), &kw, &vw);
	fprintf(f, "  %-*s  %-*s  %s\n", kw, "KEY", vw, "VALUE", "SOURCE");
	fprintf(f, "[Policy]\n");
	render_settings(f, "  ", set, kw, vw);
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(secs, i);

		fprintf(f, "[%s]\n", tail(s, "section"));
		render_settings(f, "  ", get(s, "settings", json_type_array),
				kw, vw);
	}
	fprintf(f, "[Daemon]\n");
	render_settings(f, "  ", dm, kw, vw);
	n = json_object_array_length(files);
	fprintf(f, "files:%s\n", n ? "" : " none");
	for (i = 0; i < n; i++)
		fprintf(f, "  %s\n", daxpin_esc(json_object_get_string(
			json_object_array_get_idx(files, i)), 0));
	fprintf(f, "runtime changes: %s\n", tail(doc, "runtime_dropin"));
}

int daemon_metrics_doc(struct json_object *reply, struct json_object **doc,
		       char *why, size_t len)
{
	struct json_object *t = get(reply, "text", json_type_string);
	const char *s, *e;
	uint64_t samples = 0;

	*doc = NULL;
	if (!t) {
		snprintf(why, len, "metrics reply lacks a \"text\" string");
		return -EBADMSG;
	}
	/* count sample lines: not empty, not a # comment */
	for (s = json_object_get_string(t); *s; s = e + (*e == '\n')) {
		e = strchrnul(s, '\n');
		if (e > s && *s != '#')
			samples++;
	}
	*doc = json_object_new_object();
	if (!*doc)
		return -ENOMEM;
	json_object_object_add(*doc, "text", json_object_get(t));
	json_object_object_add(*doc, "samples", json_object_new_uint64(samples));
	return 0;
}

/* Prometheus text as daxpind wrote it, each line escaped (spaces kept) */
void render_metrics(FILE *f, struct json_object *doc)
{
	const char *t = str(doc, "text"), *e;
	char *line;

	for (; *t; t = e + (*e == '\n')) {
		e = strchrnul(t, '\n');
		line = strndup(t, (size_t)(e - t));
		fprintf(f, "%s\n", line ? daxpin_esc(line, 0) : "?");
		free(line);
	}
}

static struct json_object *u64_or_null(struct json_object *r, const char *key)
{
	struct json_object *v = get(r, key, json_type_int);

	return v && json_object_get_int64(v) >= 0 ?
		json_object_new_uint64((uint64_t)json_object_get_int64(v)) : NULL;
}

static struct json_object *bool_or_null(struct json_object *r, const char *key)
{
	struct json_object *v = get(r, key, json_type_boolean);

	return v ? json_object_new_boolean(json_object_get_boolean(v)) : NULL;
}

struct json_object *daemon_status_doc(const char *socket, int err,
				      const char *errmsg,
				      struct json_object *status_reply,
				      struct json_object *policy_reply,
				      long long uptime_ns)
{
	struct json_object *o = json_object_new_object();
	struct json_object *pdoc = NULL, *summary = NULL, *v;
	char why[256] = "";
	size_t i, j, n;

	if (!o)
		return NULL;
	if (!err && !status_reply) {
		err = -EBADMSG;
		errmsg = "no status reply";
	}
	if (!err && policy_reply &&
	    daemon_policy_doc(policy_reply, &pdoc, why, sizeof(why)) == 0) {
		struct json_object *set = get(pdoc, "settings", json_type_array);

		summary = json_object_new_array();
		n = json_object_array_length(set);
		for (j = 0; j < sizeof(summary_keys) / sizeof(summary_keys[0]); j++)
			for (i = 0; i < n; i++) {
				struct json_object *s = json_object_array_get_idx(set, i);

				if (!strcmp(str(s, "key"), summary_keys[j]))
					json_object_array_add(summary,
							      json_object_get(s));
			}
	}
	json_object_object_add(o, "reachable", json_object_new_boolean(!err));
	json_object_object_add(o, "socket", json_object_new_string(socket));
	if (err)
		json_object_object_add(o, "error", json_object_new_string(
			errmsg && errmsg[0] ? errmsg : strerror(-err)));
	else if (!pdoc)
		json_object_object_add(o, "error", json_object_new_string(
			why[0] ? why : "policy unavailable"));
	else
		json_object_object_add(o, "error", NULL);
	v = err ? NULL : get(status_reply, "version", json_type_string);
	json_object_object_add(o, "version", v ? json_object_get(v) : NULL);
	json_object_object_add(o, "pid", err ? NULL : u64_or_null(status_reply, "pid"));
	json_object_object_add(o, "uptime_ns", !err && uptime_ns >= 0 ?
		json_object_new_uint64((uint64_t)uptime_ns) : NULL);
	json_object_object_add(o, "module_loaded",
		err ? NULL : bool_or_null(status_reply, "module_loaded"));
	json_object_object_add(o, "waits_in_flight",
		err ? NULL : u64_or_null(status_reply, "waits_in_flight"));
	json_object_object_add(o, "waits_stalled",
		err ? NULL : u64_or_null(status_reply, "waits_stalled"));
	json_object_object_add(o, "dry_run",
		err ? NULL : bool_or_null(status_reply, "dry_run"));
	json_object_object_add(o, "policy", summary);
	json_object_object_add(o, "policy_sections", pdoc ?
		json_object_new_uint64(json_object_array_length(
			get(pdoc, "sections", json_type_array))) : NULL);
	json_object_put(pdoc);
	return o;
}

static void fmt_uptime(char *buf, size_t len, uint64_t s)
{
	if (s >= 86400)
		snprintf(buf, len, "%" PRIu64 "d %" PRIu64 "h", s / 86400,
			 s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%" PRIu64 "h %" PRIu64 "m", s / 3600,
			 s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%" PRIu64 "m %" PRIu64 "s", s / 60, s % 60);
	else
		snprintf(buf, len, "%" PRIu64 "s", s);
}

void render_daemon_status(FILE *f, struct json_object *d)
{
	struct json_object *v, *pol;
	char up[64];
	size_t i, n;

	if (!get(d, "reachable", json_type_boolean) ||
	    !json_object_get_boolean(get(d, "reachable", json_type_boolean))) {
		fprintf(f, "daemon: not reachable at %s: %s (start it with 'systemctl start daxpind')\n",
			cell(d, "socket"), tail(d, "error"));
		return;
	}
	fprintf(f, "daemon: daxpind %s", str(d, "version")[0] ?
		cell(d, "version") : "?");
	if ((v = get(d, "pid", json_type_int)))
		fprintf(f, ", pid %" PRId64, json_object_get_int64(v));
	if ((v = get(d, "uptime_ns", json_type_int))) {
		fmt_uptime(up, sizeof(up),
			   (uint64_t)json_object_get_int64(v) / 1000000000);
		fprintf(f, ", up %s", up);
	}
	if ((v = get(d, "waits_in_flight", json_type_int)))
		fprintf(f, ", tracking %" PRId64 " wait%s",
			json_object_get_int64(v),
			json_object_get_int64(v) == 1 ? "" : "s");
	if ((v = get(d, "module_loaded", json_type_boolean)) &&
	    !json_object_get_boolean(v))
		fprintf(f, ", module not seen");
	fputc('\n', f);
	pol = get(d, "policy", json_type_array);
	if (!pol) {
		fprintf(f, "policy: unavailable: %s\n", tail(d, "error"));
		return;
	}
	fprintf(f, "policy:");
	n = json_object_array_length(pol);
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(pol, i);

		fprintf(f, " %s=%s", cell(s, "key"), cell(s, "value"));
	}
	if ((v = get(d, "policy_sections", json_type_int)) &&
	    json_object_get_int64(v))
		fprintf(f, " (+%" PRId64 " mount/device section%s)",
			json_object_get_int64(v),
			json_object_get_int64(v) == 1 ? "" : "s");
	fputc('\n', f);
}

int daemon_warn_after_ms(struct json_object *daemon, uint64_t *ms)
{
	struct json_object *pol = get(daemon, "policy", json_type_array);
	size_t i, n = pol ? json_object_array_length(pol) : 0;
	uint64_t ns;

	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(pol, i);

		if (strcmp(str(s, "key"), "WarnAfterSec"))
			continue;
		if (daxpin_parse_time_ns(str(s, "value"), &ns))
			return -EBADMSG;
		*ms = ns == UINT64_MAX ? UINT64_MAX : ns / 1000000;
		return 0;
	}
	return -ENOENT;
}
