// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daxpind.conf: INI files read with iniparser.
 *
 * iniparser gives values but neither line numbers nor the original case of
 * section names (it lowercases them, and mount points are case-sensitive).
 * So each file is also indexed line by line here: the index drives the walk
 * (in file order, so errors come out in order and name their line) and
 * iniparser supplies the parsed value of each key.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iniparser.h>

#include "daemon/atomic-file.h"
#include "daemon/config.h"
#include "lib/daxpin-util.h"

struct key_desc {
	const char *name;
	enum dxp_section_kind cls;	/* DXP_SEC_POLICY for per-section keys */
};

static const struct key_desc keys[DXP_K_MAX] = {
	[DXP_K_WARN_AFTER] = { "WarnAfterSec", DXP_SEC_POLICY },
	[DXP_K_NONTRANSIENT_AFTER] = { "NonTransientAfterSec", DXP_SEC_POLICY },
	[DXP_K_STALLED_WAKE] = { "StalledWake", DXP_SEC_POLICY },
	[DXP_K_STALLED_AFTER] = { "StalledAfterSec", DXP_SEC_POLICY },
	[DXP_K_ACTION] = { "Action", DXP_SEC_POLICY },
	[DXP_K_ACTION_AFTER] = { "ActionAfterSec", DXP_SEC_POLICY },
	[DXP_K_ACTION_SIGNAL] = { "ActionSignal", DXP_SEC_POLICY },
	[DXP_K_EXEC_HOOK] = { "ExecHook", DXP_SEC_POLICY },
	[DXP_K_EXEC_TIMEOUT] = { "ExecTimeoutSec", DXP_SEC_POLICY },
	[DXP_K_DRY_RUN] = { "DryRun", DXP_SEC_POLICY },
	[DXP_K_METRICS_PATH] = { "MetricsPath", DXP_SEC_DAEMON },
	[DXP_K_RATELIMIT_INTERVAL] = { "LogRateLimitIntervalSec", DXP_SEC_DAEMON },
	[DXP_K_RATELIMIT_BURST] = { "LogRateLimitBurst", DXP_SEC_DAEMON },
	[DXP_K_POLL_MS] = { "PollMSec", DXP_SEC_MODULE },
	[DXP_K_EVENT_BURST] = { "EventBurst", DXP_SEC_MODULE },
	[DXP_K_OPEN_READS] = { "OpenReads", DXP_SEC_MODULE },
	[DXP_K_COUNT_BREAKS] = { "CountBreaks", DXP_SEC_MODULE },
};

const char *dxp_key_name(enum dxp_key k)
{
	return (unsigned)k < DXP_K_MAX ? keys[k].name : "?";
}

int dxp_key_from_name(const char *name, enum dxp_key *out)
{
	for (unsigned i = 0; i < DXP_K_MAX; i++)
		if (!strcasecmp(name, keys[i].name)) {
			*out = i;
			return 0;
		}
	return -ENOENT;
}

bool dxp_key_valid_in(enum dxp_key k, enum dxp_section_kind kind)
{
	if ((unsigned)k >= DXP_K_MAX)
		return false;
	if (keys[k].cls == DXP_SEC_POLICY)
		return kind == DXP_SEC_POLICY || kind == DXP_SEC_MOUNT || kind == DXP_SEC_DEVICE;
	return keys[k].cls == kind;
}

/* ---- value parsers ---------------------------------------------------- */

int dxp_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "on" };
	static const char *const no[] = { "0", "no", "n", "false", "off" };

	for (unsigned i = 0; i < 5; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Seconds, fractions allowed ("0.5"), or with a unit: ms, s, min; "infinity"
 * (or "off") disables a threshold. */
static const struct { const char *name; int sig; } signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
};

const char *dxp_signal_name(int sig)
{
	static const char *const full[] = {
		"SIGHUP", "SIGINT", "SIGQUIT", "SIGKILL", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGTERM",
	};
	for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (signals[i].sig == sig)
			return full[i];
	return "?";
}

/* Only signals that can end an interruptible sleep and that make sense to
 * send to a task stuck in truncate; SIGSTOP and friends would make it worse. */
int dxp_parse_signal(const char *s, int *out)
{
	const char *n = s;
	char *end;
	long v;

	if (!strncasecmp(n, "SIG", 3))
		n += 3;
	for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (!strcasecmp(n, signals[i].name)) {
			*out = signals[i].sig;
			return 0;
		}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return -EINVAL;
	for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (signals[i].sig == v) {
			*out = (int)v;
			return 0;
		}
	return -EINVAL;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* ---- setting one key --------------------------------------------------- */

struct load_ctx {
	struct dxp_config *c;
	dxp_config_error_fn err;
	void *userdata;
	unsigned n_errors;
};

static void report(struct load_ctx *l, const char *file, unsigned line, const char *key,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void report(struct load_ctx *l, const char *file, unsigned line, const char *key,
		   const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->n_errors++;
	if (l->err)
		l->err(l->userdata, file, line, key, msg);
}

/* Parse @value for policy key @k into @sec.  Returns 0 or -EINVAL with a
 * human reason in @why. */
static int set_policy_key(struct dxp_policy_section *sec, enum dxp_key k, const char *value,
			  const char **why)
{
	struct dxp_policy *p = &sec->p;
	uint64_t ns;
	bool b;
	int r;

	switch (k) {
	case DXP_K_WARN_AFTER:
	case DXP_K_NONTRANSIENT_AFTER:
	case DXP_K_STALLED_AFTER:
	case DXP_K_ACTION_AFTER:
	case DXP_K_EXEC_TIMEOUT:
		r = daxpin_parse_time_ns(value, &ns);
		if (r < 0) {
			*why = "expected seconds (e.g. 5, 0.5, 250ms) or \"infinity\"";
			return -EINVAL;
		}
		if (k == DXP_K_EXEC_TIMEOUT && (ns == 0 || ns == DXP_NEVER)) {
			*why = "ExecTimeoutSec must be finite and positive";
			return -EINVAL;
		}
		if (k == DXP_K_WARN_AFTER)
			p->warn_after_ns = ns;
		else if (k == DXP_K_NONTRANSIENT_AFTER)
			p->nontransient_after_ns = ns;
		else if (k == DXP_K_STALLED_AFTER)
			p->stalled_after_ns = ns;
		else if (k == DXP_K_ACTION_AFTER)
			p->action_after_ns = ns;
		else
			p->exec_timeout_ns = ns;
		return 0;
	case DXP_K_STALLED_WAKE:
	case DXP_K_DRY_RUN:
		if (dxp_parse_bool(value, &b) < 0) {
			*why = "expected a boolean (yes/no)";
			return -EINVAL;
		}
		if (k == DXP_K_STALLED_WAKE)
			p->stalled_wake = b;
		else
			p->dry_run = b;
		return 0;
	case DXP_K_ACTION:
		if (dxp_action_from_string(value, &p->action) < 0) {
			*why = "expected none, signal or exec";
			return -EINVAL;
		}
		return 0;
	case DXP_K_ACTION_SIGNAL:
		if (dxp_parse_signal(value, &p->action_signal) < 0) {
			*why = "expected one of SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGKILL, SIGUSR1, SIGUSR2, SIGALRM";
			return -EINVAL;
		}
		return 0;
	case DXP_K_EXEC_HOOK: {
		char *dup;

		if (value[0] != '/') {
			*why = "ExecHook must be an absolute path";
			return -EINVAL;
		}
		dup = strdup(value);
		if (!dup) {
			*why = "out of memory";
			return -ENOMEM;
		}
		free(sec->exec_hook);
		sec->exec_hook = dup;
		p->exec_hook = dup;
		return 0;
	}
	default:
		*why = "not a policy key";
		return -EINVAL;
	}
}

static int set_global_key(struct dxp_config *c, enum dxp_key k, const char *value,
			  const char **why)
{
	uint32_t u;
	bool b;

	switch (k) {
	case DXP_K_METRICS_PATH: {
		char *dup;

		if (value[0] && value[0] != '/') {
			*why = "MetricsPath must be an absolute path (or empty to disable)";
			return -EINVAL;
		}
		dup = strdup(value);
		if (!dup)
			return -ENOMEM;
		free(c->metrics_path);
		c->metrics_path = dup;
		return 0;
	}
	case DXP_K_RATELIMIT_INTERVAL:
		if (daxpin_parse_time_ns(value, &c->ratelimit_interval_ns) < 0 ||
		    c->ratelimit_interval_ns == DXP_NEVER) {
			*why = "expected seconds (0 disables rate limiting)";
			return -EINVAL;
		}
		return 0;
	case DXP_K_RATELIMIT_BURST:
		if (parse_u32(value, &u) < 0) {
			*why = "expected a non-negative integer";
			return -EINVAL;
		}
		c->ratelimit_burst = u;
		return 0;
	case DXP_K_POLL_MS:
	case DXP_K_EVENT_BURST:
		if (parse_u32(value, &u) < 0 || (k == DXP_K_POLL_MS && u == 0)) {
			*why = k == DXP_K_POLL_MS ? "expected a positive integer (milliseconds)"
						  : "expected a non-negative integer (events per second)";
			return -EINVAL;
		}
		if (k == DXP_K_POLL_MS) {
			c->module.poll_ms = u;
			c->module.set |= DXP_MODCFG_POLL_MS;
		} else {
			c->module.event_burst = u;
			c->module.set |= DXP_MODCFG_EVENT_BURST;
		}
		return 0;
	case DXP_K_OPEN_READS:
	case DXP_K_COUNT_BREAKS:
		if (dxp_parse_bool(value, &b) < 0) {
			*why = "expected a boolean (yes/no)";
			return -EINVAL;
		}
		if (k == DXP_K_OPEN_READS) {
			c->module.open_reads = b;
			c->module.set |= DXP_MODCFG_OPEN_READS;
		} else {
			c->module.count_breaks = b;
			c->module.set |= DXP_MODCFG_COUNT_BREAKS;
		}
		return 0;
	default:
		*why = "not a global key";
		return -EINVAL;
	}
}

/* ---- sections ----------------------------------------------------------- */

static char *normalize_mount(const char *s)
{
	size_t n = strlen(s);
	char *r;

	if (s[0] != '/')
		return NULL;
	while (n > 1 && s[n - 1] == '/')
		n--;
	r = strndup(s, n);
	return r;
}

/* "[Mount /srv/pmem]", "[Device pmem0]" or "[Device /dev/pmem0]", "[Policy]",
 * "[Daemon]", "[Module]".  On success *match is malloc'd or NULL. */
static int parse_section_name(const char *name, enum dxp_section_kind *kind, char **match)
{
	const char *arg;

	*match = NULL;
	if (!strcasecmp(name, "Policy")) {
		*kind = DXP_SEC_POLICY;
		return 0;
	}
	if (!strcasecmp(name, "Daemon")) {
		*kind = DXP_SEC_DAEMON;
		return 0;
	}
	if (!strcasecmp(name, "Module")) {
		*kind = DXP_SEC_MODULE;
		return 0;
	}
	if (!strncasecmp(name, "Mount", 5) && isspace((unsigned char)name[5])) {
		for (arg = name + 5; isspace((unsigned char)*arg); arg++)
			;
		*kind = DXP_SEC_MOUNT;
		*match = normalize_mount(arg);
		return *match ? 0 : -EINVAL;
	}
	if (!strncasecmp(name, "Device", 6) && isspace((unsigned char)name[6])) {
		for (arg = name + 6; isspace((unsigned char)*arg); arg++)
			;
		if (!strncmp(arg, "/dev/", 5))
			arg += 5;
		if (!*arg || strchr(arg, '/'))
			return -EINVAL;
		*kind = DXP_SEC_DEVICE;
		*match = strdup(arg);
		return *match ? 0 : -ENOMEM;
	}
	return -EINVAL;
}

static struct dxp_policy_section *get_section(struct dxp_config *c, enum dxp_section_kind kind,
					      const char *match)
{
	struct dxp_policy_section *s;

	if (kind == DXP_SEC_POLICY)
		return &c->global;
	for (size_t i = 0; i < c->n_sections; i++)
		if (c->sections[i].kind == kind && !strcmp(c->sections[i].match, match))
			return &c->sections[i];
	s = realloc(c->sections, (c->n_sections + 1) * sizeof(*s));
	if (!s)
		return NULL;
	c->sections = s;
	s = &c->sections[c->n_sections];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->match = strdup(match);
	if (!s->match)
		return NULL;
	c->n_sections++;
	return s;
}

/* ---- the line index ----------------------------------------------------- */

struct idx_entry {
	unsigned line;
	char *section;		/* original case, as written */
	char *key;		/* NULL for a section header */
};

struct idx {
	struct idx_entry *e;
	size_t n;
};

static void idx_free(struct idx *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free(x->e[i].section);
		free(x->e[i].key);
	}
	free(x->e);
	x->e = NULL;
	x->n = 0;
}

static char *strip(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int idx_add(struct idx *x, unsigned line, const char *section, const char *key)
{
	struct idx_entry *e = realloc(x->e, (x->n + 1) * sizeof(*e));

	if (!e)
		return -ENOMEM;
	x->e = e;
	e = &x->e[x->n];
	e->line = line;
	e->section = strdup(section);
	e->key = key ? strdup(key) : NULL;
	if (!e->section || (key && !e->key)) {
		free(e->section);
		free(e->key);
		return -ENOMEM;
	}
	x->n++;
	return 0;
}

/* Mirrors iniparser's grammar closely enough to find where each key is:
 * comments start with ';' or '#', sections are [name], keys are key = value,
 * and a trailing backslash continues a value on the next line. */
static int idx_build(FILE *f, struct idx *x)
{
	char section[512] = "";
	char *line = NULL;
	size_t cap = 0;
	unsigned n = 0;
	bool cont = false;
	int r = 0;

	while (getline(&line, &cap, f) >= 0) {
		char *s = strip(line), *eq;
		bool was_cont = cont;

		n++;
		cont = *s && s[strlen(s) - 1] == '\\';
		if (was_cont || !*s || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			char *close = strrchr(s, ']');

			if (!close) {
				r = idx_add(x, n, s, NULL);	/* reported as bad section */
				if (r < 0)
					break;
				continue;
			}
			*close = '\0';
			snprintf(section, sizeof(section), "%s", strip(s + 1));
			r = idx_add(x, n, section, NULL);
			if (r < 0)
				break;
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			/* iniparser reports this as a syntax error itself. */
			r = idx_add(x, n, section, "");
			if (r < 0)
				break;
			continue;
		}
		*eq = '\0';
		r = idx_add(x, n, section, strip(s));
		if (r < 0)
			break;
	}
	free(line);
	return r;
}

/* ---- loading ------------------------------------------------------------ */

/* iniparser reports syntax errors through a global callback without context;
 * count them so a file it complains about is treated as bad. */
static unsigned ini_syntax_errors;

static int ini_error_cb(const char *fmt, ...)
{
	ini_syntax_errors++;
	(void)fmt;
	return 0;
}

static char *lower_dup(const char *s)
{
	char *r = strdup(s);

	for (char *p = r; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return r;
}

static const char *ini_value(dictionary *d, const char *section, const char *key)
{
	char *full, *lower;
	const char *v;

	if (asprintf(&full, "%s:%s", section, key) < 0)
		return NULL;
	lower = lower_dup(full);
	free(full);
	if (!lower)
		return NULL;
	v = iniparser_getstring(d, lower, NULL);
	free(lower);
	return v;
}

static int load_file(struct load_ctx *l, const char *path)
{
	struct dxp_config *c = l->c;
	struct dxp_policy_section *sec = NULL;
	enum dxp_section_kind kind = DXP_SEC_POLICY;
	bool in_section = false, section_ok = false;
	struct idx x = { 0 };
	dictionary *d = NULL;
	const char *file;
	char **files;
	FILE *f;
	int r;

	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;

	files = realloc(c->files, (c->n_files + 1) * sizeof(*files));
	if (!files) {
		r = -ENOMEM;
		goto out;
	}
	c->files = files;
	c->files[c->n_files] = strdup(path);
	if (!c->files[c->n_files]) {
		r = -ENOMEM;
		goto out;
	}
	file = c->files[c->n_files++];

	r = idx_build(f, &x);
	if (r < 0)
		goto out;

	ini_syntax_errors = 0;
	iniparser_set_error_callback(ini_error_cb);
	d = iniparser_load(path);
	iniparser_set_error_callback(NULL);
	if (!d) {
		report(l, file, 0, NULL, "cannot be parsed as INI");
		r = 0;
		goto out;
	}

	for (size_t i = 0; i < x.n; i++) {
		struct idx_entry *e = &x.e[i];
		const char *value, *why = NULL;
		enum dxp_key k;
		char *match;

		if (!e->key) {
			in_section = true;
			section_ok = false;
			if (parse_section_name(e->section, &kind, &match) < 0) {
				report(l, file, e->line, NULL,
				       "unknown or malformed section [%s] (expected [Policy], [Daemon], [Module], [Mount /path] or [Device name]); its keys are ignored",
				       e->section);
				continue;
			}
			sec = kind == DXP_SEC_DAEMON || kind == DXP_SEC_MODULE
				? NULL : get_section(c, kind, match);
			free(match);
			if (!sec && kind != DXP_SEC_DAEMON && kind != DXP_SEC_MODULE) {
				r = -ENOMEM;
				goto out;
			}
			section_ok = true;
			continue;
		}
		if (!*e->key) {
			report(l, file, e->line, NULL, "syntax error: expected key = value");
			continue;
		}
		if (!in_section) {
			report(l, file, e->line, e->key, "key outside of any section");
			continue;
		}
		if (!section_ok)
			continue;	/* the bad section was reported once */
		if (dxp_key_from_name(e->key, &k) < 0) {
			report(l, file, e->line, e->key, "unknown key %s in [%s]", e->key, e->section);
			continue;
		}
		if (!dxp_key_valid_in(k, kind)) {
			report(l, file, e->line, e->key, "key %s does not belong in [%s]",
			       keys[k].name, e->section);
			continue;
		}
		value = ini_value(d, e->section, e->key);
		if (!value) {
			report(l, file, e->line, e->key, "%s has no value", keys[k].name);
			continue;
		}
		if (k < DXP_K_POLICY_MAX) {
			r = set_policy_key(sec, k, value, &why);
			if (r == -ENOMEM)
				goto out;
			if (r < 0) {
				report(l, file, e->line, e->key, "bad value \"%s\" for %s: %s",
				       value, keys[k].name, why);
				continue;
			}
			sec->set |= 1ULL << k;
			sec->origin[k] = (struct dxp_origin) { file, e->line };
		} else {
			r = set_global_key(c, k, value, &why);
			if (r == -ENOMEM)
				goto out;
			if (r < 0) {
				report(l, file, e->line, e->key, "bad value \"%s\" for %s: %s",
				       value, keys[k].name, why);
				continue;
			}
			c->origin[k] = (struct dxp_origin) { file, e->line };
		}
	}
	if (ini_syntax_errors && !l->n_errors)
		report(l, file, 0, NULL, "iniparser reported %u syntax error(s)", ini_syntax_errors);
	r = 0;
out:
	if (d)
		iniparser_freedict(d);
	idx_free(&x);
	fclose(f);
	return r;
}

static int conf_filter(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return de->d_name[0] != '.' && n > 5 && !strcmp(de->d_name + n - 5, ".conf");
}

static int load_dir(struct load_ctx *l, const char *dir)
{
	struct dirent **list;
	int n, r = 0;

	n = scandir(dir, &list, conf_filter, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		char *path;

		if (r >= 0) {
			if (asprintf(&path, "%s/%s", dir, list[i]->d_name) < 0) {
				r = -ENOMEM;
			} else {
				r = load_file(l, path);
				free(path);
			}
		}
		free(list[i]);
	}
	free(list);
	return r;
}

static void check_exec(struct load_ctx *l, const struct dxp_policy_section *s)
{
	struct dxp_policy merged = l->c->global.p;
	const struct dxp_origin *o;
	enum dxp_key k;

	if (s != &l->c->global) {
		if (s->set & (1ULL << DXP_K_ACTION))
			merged.action = s->p.action;
		if (s->set & (1ULL << DXP_K_EXEC_HOOK))
			merged.exec_hook = s->p.exec_hook;
	}
	if (merged.action != DXP_ACTION_EXEC || merged.exec_hook)
		return;
	k = (s->set & (1ULL << DXP_K_ACTION)) ? DXP_K_ACTION : DXP_K_ACTION;
	o = (s->set & (1ULL << DXP_K_ACTION)) ? &s->origin[k] : &l->c->global.origin[k];
	report(l, o->file ? o->file : "(default)", o->line, "Action",
	       "Action=exec needs ExecHook= (section %s%s%s)",
	       s == &l->c->global ? "[Policy]" : s->kind == DXP_SEC_MOUNT ? "[Mount " : "[Device ",
	       s == &l->c->global ? "" : s->match, s == &l->c->global ? "" : "]");
}

int dxp_config_load(const struct dxp_config_paths *paths, dxp_config_error_fn err,
		    void *userdata, struct dxp_config **out)
{
	struct dxp_config *c;
	struct load_ctx l;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->global.kind = DXP_SEC_POLICY;
	dxp_policy_defaults(&c->global.p);
	c->global.set = (1ULL << DXP_K_POLICY_MAX) - 1;
	c->ratelimit_interval_ns = 30 * DXP_NSEC_PER_SEC;
	c->ratelimit_burst = 10;
	c->metrics_path = strdup(RUNSTATEDIR "/daxpin/daxpind.prom");
	if (!c->metrics_path) {
		free(c);
		return -ENOMEM;
	}

	l = (struct load_ctx) { .c = c, .err = err, .userdata = userdata };
	r = 0;
	if (paths->main_file)
		r = load_file(&l, paths->main_file);
	for (const char *const *d = paths->dropin_dirs; r >= 0 && d && *d; d++)
		r = load_dir(&l, *d);
	if (r < 0) {
		if (err)
			err(userdata, paths->main_file, 0, NULL, strerror(-r));
		goto fail;
	}

	check_exec(&l, &c->global);
	for (size_t i = 0; i < c->n_sections; i++)
		check_exec(&l, &c->sections[i]);
	if (l.n_errors) {
		r = -EINVAL;
		goto fail;
	}
	*out = c;
	return 0;
fail:
	dxp_config_free(c);
	return r;
}

void dxp_config_free(struct dxp_config *c)
{
	if (!c)
		return;
	free(c->global.exec_hook);
	for (size_t i = 0; i < c->n_sections; i++) {
		free(c->sections[i].match);
		free(c->sections[i].exec_hook);
	}
	free(c->sections);
	free(c->metrics_path);
	for (size_t i = 0; i < c->n_files; i++)
		free(c->files[i]);
	free(c->files);
	free(c);
}

static void overlay(struct dxp_policy *p, struct dxp_origin *origin,
		    const struct dxp_policy_section *s)
{
	for (unsigned k = 0; k < DXP_K_POLICY_MAX; k++) {
		if (!(s->set & (1ULL << k)))
			continue;
		if (origin)
			origin[k] = s->origin[k];
		switch ((enum dxp_key)k) {
		case DXP_K_WARN_AFTER: p->warn_after_ns = s->p.warn_after_ns; break;
		case DXP_K_NONTRANSIENT_AFTER: p->nontransient_after_ns = s->p.nontransient_after_ns; break;
		case DXP_K_STALLED_WAKE: p->stalled_wake = s->p.stalled_wake; break;
		case DXP_K_STALLED_AFTER: p->stalled_after_ns = s->p.stalled_after_ns; break;
		case DXP_K_ACTION: p->action = s->p.action; break;
		case DXP_K_ACTION_AFTER: p->action_after_ns = s->p.action_after_ns; break;
		case DXP_K_ACTION_SIGNAL: p->action_signal = s->p.action_signal; break;
		case DXP_K_EXEC_HOOK: p->exec_hook = s->p.exec_hook; break;
		case DXP_K_EXEC_TIMEOUT: p->exec_timeout_ns = s->p.exec_timeout_ns; break;
		case DXP_K_DRY_RUN: p->dry_run = s->p.dry_run; break;
		default: break;
		}
	}
}

void dxp_config_resolve(const struct dxp_config *c, const char *mountpoint,
			const char *devname, struct dxp_policy *out,
			struct dxp_origin origin[DXP_K_POLICY_MAX])
{
	*out = c->global.p;
	if (origin)
		memcpy(origin, c->global.origin, sizeof(c->global.origin));
	/* Device first, mount second: the mount point is the more specific
	 * name (a device may be mounted at several places). */
	for (size_t i = 0; devname && i < c->n_sections; i++)
		if (c->sections[i].kind == DXP_SEC_DEVICE && !strcmp(c->sections[i].match, devname))
			overlay(out, origin, &c->sections[i]);
	for (size_t i = 0; mountpoint && i < c->n_sections; i++)
		if (c->sections[i].kind == DXP_SEC_MOUNT && !strcmp(c->sections[i].match, mountpoint))
			overlay(out, origin, &c->sections[i]);
}

static int fmt_time(char *buf, size_t len, uint64_t ns)
{
	if (ns == DXP_NEVER)
		return snprintf(buf, len, "infinity");
	if (ns % DXP_NSEC_PER_SEC == 0)
		return snprintf(buf, len, "%" PRIu64, ns / DXP_NSEC_PER_SEC);
	return snprintf(buf, len, "%.3f", (double)ns / 1e9);
}

int dxp_config_format(const struct dxp_config *c, const struct dxp_policy_section *sec,
		      enum dxp_key k, char *buf, size_t len)
{
	const struct dxp_policy *p = sec ? &sec->p : &c->global.p;

	switch (k) {
	case DXP_K_WARN_AFTER: return fmt_time(buf, len, p->warn_after_ns);
	case DXP_K_NONTRANSIENT_AFTER: return fmt_time(buf, len, p->nontransient_after_ns);
	case DXP_K_STALLED_WAKE: return snprintf(buf, len, "%s", p->stalled_wake ? "yes" : "no");
	case DXP_K_STALLED_AFTER: return fmt_time(buf, len, p->stalled_after_ns);
	case DXP_K_ACTION: return snprintf(buf, len, "%s", dxp_action_to_string(p->action));
	case DXP_K_ACTION_AFTER: return fmt_time(buf, len, p->action_after_ns);
	case DXP_K_ACTION_SIGNAL: return snprintf(buf, len, "%s", dxp_signal_name(p->action_signal));
	case DXP_K_EXEC_HOOK: return snprintf(buf, len, "%s", p->exec_hook ? p->exec_hook : "");
	case DXP_K_EXEC_TIMEOUT: return fmt_time(buf, len, p->exec_timeout_ns);
	case DXP_K_DRY_RUN: return snprintf(buf, len, "%s", p->dry_run ? "yes" : "no");
	case DXP_K_METRICS_PATH:
		return snprintf(buf, len, "%s", c->metrics_path ? c->metrics_path : "");
	case DXP_K_RATELIMIT_INTERVAL: return fmt_time(buf, len, c->ratelimit_interval_ns);
	case DXP_K_RATELIMIT_BURST: return snprintf(buf, len, "%u", c->ratelimit_burst);
	case DXP_K_POLL_MS:
		return c->module.set & DXP_MODCFG_POLL_MS
			? snprintf(buf, len, "%" PRIu32, c->module.poll_ms) : snprintf(buf, len, "(module)");
	case DXP_K_EVENT_BURST:
		return c->module.set & DXP_MODCFG_EVENT_BURST
			? snprintf(buf, len, "%" PRIu32, c->module.event_burst) : snprintf(buf, len, "(module)");
	case DXP_K_OPEN_READS:
		return c->module.set & DXP_MODCFG_OPEN_READS
			? snprintf(buf, len, "%s", c->module.open_reads ? "yes" : "no")
			: snprintf(buf, len, "(module)");
	case DXP_K_COUNT_BREAKS:
		return c->module.set & DXP_MODCFG_COUNT_BREAKS
			? snprintf(buf, len, "%s", c->module.count_breaks ? "yes" : "no")
			: snprintf(buf, len, "(module)");
	default:
		return -EINVAL;
	}
}

/* ---- runtime drop-in ---------------------------------------------------- */

struct rt_entry {
	char *section;
	char *key;
	char *value;
};

static void rt_free(struct rt_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].section);
		free(e[i].key);
		free(e[i].value);
	}
	free(e);
}

static int rt_read(const char *file, struct rt_entry **out, size_t *n_out)
{
	struct rt_entry *e = NULL;
	struct idx x = { 0 };
	dictionary *d = NULL;
	size_t n = 0;
	FILE *f;
	int r = 0;

	*out = NULL;
	*n_out = 0;
	f = fopen(file, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	r = idx_build(f, &x);
	fclose(f);
	if (r < 0)
		goto out;
	d = iniparser_load(file);
	if (!d) {
		r = -EINVAL;
		goto out;
	}
	for (size_t i = 0; i < x.n; i++) {
		const char *v;
		struct rt_entry *ne;

		if (!x.e[i].key || !*x.e[i].key)
			continue;
		v = ini_value(d, x.e[i].section, x.e[i].key);
		if (!v)
			continue;
		ne = realloc(e, (n + 1) * sizeof(*e));
		if (!ne) {
			r = -ENOMEM;
			goto out;
		}
		e = ne;
		e[n].section = strdup(x.e[i].section);
		e[n].key = strdup(x.e[i].key);
		e[n].value = strdup(v);
		n++;
		if (!e[n - 1].section || !e[n - 1].key || !e[n - 1].value) {
			r = -ENOMEM;
			goto out;
		}
	}
	*out = e;
	*n_out = n;
	e = NULL;
	n = 0;
out:
	rt_free(e, n);
	if (d)
		iniparser_freedict(d);
	idx_free(&x);
	return r;
}

static bool same_section(const char *a, const char *b)
{
	enum dxp_section_kind ka, kb;
	char *ma = NULL, *mb = NULL;
	bool same;

	if (parse_section_name(a, &ka, &ma) < 0 || parse_section_name(b, &kb, &mb) < 0) {
		free(ma);
		return false;
	}
	same = ka == kb && ((!ma && !mb) || (ma && mb && !strcmp(ma, mb)));
	free(ma);
	free(mb);
	return same;
}

struct rt_file {
	const struct rt_entry *e;
	size_t n;
};

static int rt_fill(FILE *f, void *arg)
{
	const struct rt_file *rt = arg;
	const struct rt_entry *e = rt->e;
	size_t n = rt->n;

	fprintf(f, "# Written by daxpind on behalf of daxpinctl; runtime only (lost on reboot).\n");
	for (size_t i = 0; i < n; i++) {
		bool first = true;

		for (size_t j = 0; j < i; j++)
			if (same_section(e[i].section, e[j].section))
				first = false;
		if (!first)
			continue;
		fprintf(f, "\n[%s]\n", e[i].section);
		for (size_t j = i; j < n; j++)
			if (same_section(e[i].section, e[j].section))
				fprintf(f, "%s = %s\n", e[j].key, e[j].value);
	}
	return 0;
}

static int rt_write(const char *file, const struct rt_entry *e, size_t n)
{
	struct rt_file rt = { .e = e, .n = n };

	return dxp_write_atomic(file, 0644, true, rt_fill, &rt);
}

int dxp_config_runtime_set(const char *file, const char *section, const char *key,
			   const char *value, char *errbuf, size_t errlen)
{
	struct dxp_policy_section scratch = { 0 };
	struct dxp_config scratch_c = { 0 };
	enum dxp_section_kind kind;
	struct rt_entry *e = NULL, *ne;
	const char *why = NULL;
	size_t n = 0, i;
	char *match = NULL;
	enum dxp_key k;
	int r;

	if (parse_section_name(section, &kind, &match) < 0) {
		snprintf(errbuf, errlen, "unknown section [%s]", section);
		return -EINVAL;
	}
	free(match);
	if (dxp_key_from_name(key, &k) < 0 || !dxp_key_valid_in(k, kind)) {
		snprintf(errbuf, errlen, "key %s is not valid in [%s]", key, section);
		return -EINVAL;
	}
	if (value) {
		if (strchr(value, '\n') || strchr(value, '\\') || strchr(value, ';') || strchr(value, '#')) {
			snprintf(errbuf, errlen, "value contains a character that INI cannot hold");
			return -EINVAL;
		}
		r = k < DXP_K_POLICY_MAX ? set_policy_key(&scratch, k, value, &why)
					 : set_global_key(&scratch_c, k, value, &why);
		free(scratch.exec_hook);
		free(scratch_c.metrics_path);
		if (r < 0) {
			snprintf(errbuf, errlen, "bad value \"%s\" for %s: %s", value, keys[k].name,
				 why ? why : strerror(-r));
			return -EINVAL;
		}
	}

	r = rt_read(file, &e, &n);
	if (r < 0) {
		snprintf(errbuf, errlen, "cannot read %s: %s", file, strerror(-r));
		return r;
	}
	for (i = 0; i < n; i++)
		if (same_section(e[i].section, section) && !strcasecmp(e[i].key, key))
			break;
	if (i < n) {
		if (value) {
			char *v = strdup(value);

			if (!v) {
				r = -ENOMEM;
				goto out;
			}
			free(e[i].value);
			e[i].value = v;
		} else {
			free(e[i].section);
			free(e[i].key);
			free(e[i].value);
			memmove(&e[i], &e[i + 1], (n - i - 1) * sizeof(*e));
			n--;
		}
	} else if (value) {
		ne = realloc(e, (n + 1) * sizeof(*e));
		if (!ne) {
			r = -ENOMEM;
			goto out;
		}
		e = ne;
		e[n].section = strdup(section);
		e[n].key = strdup(keys[k].name);
		e[n].value = strdup(value);
		n++;
		if (!e[n - 1].section || !e[n - 1].key || !e[n - 1].value) {
			r = -ENOMEM;
			goto out;
		}
	}
	r = rt_write(file, e, n);
	if (r < 0)
		snprintf(errbuf, errlen, "cannot write %s: %s", file, strerror(-r));
out:
	rt_free(e, n);
	return r;
}
