// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daxpind.conf: INI files, each parsed once, line by line, into entries
 * that keep their line and the case of their section (mount points are
 * case-sensitive); the walk over them goes in file order, so errors come out
 * in order and name their line.  Values read as iniparser 4.1 read them (the
 * parser used before) but for comments: an unquoted '#' or ';' begins one
 * only at the start of the value or after whitespace, as in the shell.  Keys
 * and their values are in config-keys.c, the runtime drop-in writer in
 * config-runtime.c.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "daemon/config-internal.h"
#include "daemon/config.h"

/* ---- error reports ------------------------------------------------------ */

struct load_ctx {
	struct dxp_config *c;
	dxp_config_error_fn err, warn;
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

/* Loads as written, but may not be what was meant: not an error. */
static void warn(struct load_ctx *l, const char *file, unsigned line, const char *key,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void warn(struct load_ctx *l, const char *file, unsigned line, const char *key,
		 const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!l->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->warn(l->userdata, file, line, key, msg);
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
int dxp_config_parse_section(const char *name, enum dxp_section_kind *kind, char **match)
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

/* ---- the parser --------------------------------------------------------- */

void dxp_ini_index_free(struct dxp_ini_index *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free(x->e[i].section);
		free(x->e[i].key);
		free(x->e[i].value);
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

static int ini_add(struct dxp_ini_index *x, unsigned line, const char *section, const char *key,
		   const char *value, size_t value_len, char kept)
{
	struct dxp_ini_line *e = realloc(x->e, (x->n + 1) * sizeof(*e));

	if (!e)
		return -ENOMEM;
	x->e = e;
	e = &x->e[x->n];
	e->line = line;
	e->kept = kept;
	e->section = strdup(section);
	e->key = key ? strdup(key) : NULL;
	e->value = value ? strndup(value, value_len) : NULL;
	if (!e->section || (key && !e->key) || (value && !e->value)) {
		free(e->section);
		free(e->key);
		free(e->value);
		return -ENOMEM;
	}
	x->n++;
	return 0;
}

/* The value after "key =": a quoted value is what is between the quotes,
 * kept as is (as iniparser 4.1 read it); otherwise up to a comment, stripped,
 * where a comment is a '#' or ';' that begins the value or follows
 * whitespace, as in the shell: "/opt/hooks#1/run" is one value (iniparser
 * cut it to "/opt/hooks"), "4 # four" is 4.  "" and '' are empty.  The
 * entry's kept is the first '#' or ';' left inside an unquoted value. */
static int ini_add_value(struct dxp_ini_index *x, unsigned line, const char *section,
			 const char *key, char *v)
{
	const char *kept;
	size_t n;

	while (isspace((unsigned char)*v))
		v++;
	if ((v[0] == '"' || v[0] == '\'') && v[1] && v[1] != v[0]) {
		n = strcspn(v + 1, v[0] == '"' ? "\"" : "'");
		return ini_add(x, line, section, key, v + 1, n, 0);
	}
	for (char *p = v; *p; p++)
		if ((*p == '#' || *p == ';') && (p == v || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			break;
		}
	v = strip(v);
	if (!strcmp(v, "\"\"") || !strcmp(v, "''"))
		*v = '\0';
	kept = strpbrk(v, "#;");
	return ini_add(x, line, section, key, v, strlen(v), kept ? *kept : 0);
}

/* One pass over the file, one entry per section header and per key, with
 * its line.  Comment lines start with ';' or '#', sections are [name] (the name
 * keeps its case), keys are key = value, and a trailing backslash continues
 * a value on the next line (the entry keeps the line where it began).  A
 * line that is none of these is an entry with an empty key; a '[' line
 * without its ']' is a section header named by the whole line.  Returns 0,
 * -ENOMEM, or the error of reading the file (-EISDIR for a directory). */
int dxp_ini_parse(FILE *f, struct dxp_ini_index *x)
{
	char section[512] = "", *phys = NULL, *line = NULL;
	size_t cap = 0, len = 0;
	unsigned n = 0, first = 0;
	bool cont = false;
	ssize_t got;
	int r = 0;

	for (;;) {
		char *s, *eq, *joined;
		size_t plen;

		errno = 0;
		got = getline(&phys, &cap, f);
		if (got < 0 && ferror(f)) {
			r = errno ? -errno : -EIO;
			break;
		}
		if (got < 0) {
			/* A file that ends in a continued line: take what is there. */
			if (!cont)
				break;
			got = 0;
		} else {
			n++;
		}
		if (!cont)
			first = n;
		/* Join: the next line replaces the backslash, as it is. */
		plen = (size_t)got;
		while (plen && isspace((unsigned char)phys[plen - 1]))
			plen--;
		joined = realloc(line, len + plen + 1);
		if (!joined) {
			r = -ENOMEM;
			break;
		}
		line = joined;
		memcpy(line + len, phys, plen);
		len += plen;
		line[len] = '\0';
		cont = got > 0 && len && line[len - 1] == '\\';
		if (cont) {
			len--;
			continue;
		}
		len = 0;
		s = strip(line);
		if (!*s || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			size_t sl = strlen(s);

			if (s[sl - 1] != ']') {
				r = ini_add(x, first, s, NULL, NULL, 0, 0);	/* reported as bad section */
				if (r < 0)
					break;
				continue;
			}
			s[sl - 1] = '\0';
			snprintf(section, sizeof(section), "%s", strip(s + 1));
			r = ini_add(x, first, section, NULL, NULL, 0, 0);
			if (r < 0)
				break;
			continue;
		}
		eq = strchr(s, '=');
		if (!eq || eq == s) {
			r = ini_add(x, first, section, "", NULL, 0, 0);	/* syntax error */
			if (r < 0)
				break;
			continue;
		}
		*eq = '\0';
		r = ini_add_value(x, first, section, strip(s), eq + 1);
		if (r < 0)
			break;
	}
	free(phys);
	free(line);
	return r;
}

/* ---- loading ------------------------------------------------------------ */

/* A file that cannot be read is reported (at line 0) like any other
 * problem, under its own name; only running out of memory stops the load.
 * A missing file is fine unless @required. */
static int load_file(struct load_ctx *l, const char *path, bool required)
{
	struct dxp_config *c = l->c;
	struct dxp_policy_section *sec = NULL;
	enum dxp_section_kind kind = DXP_SEC_POLICY;
	bool in_section = false, section_ok = false;
	struct dxp_ini_index x = { 0 };
	const char *file;
	struct stat st;
	char **files;
	FILE *f;
	int r;

	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		if (r == -ENOMEM)
			return r;
		if (r != -ENOENT || required)
			report(l, path, 0, NULL, "cannot read: %s", strerror(-r));
		return 0;
	}
	/* fopen() opens a directory too, and reading it fails. */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		report(l, path, 0, NULL, "cannot read: %s", strerror(EISDIR));
		fclose(f);
		return 0;
	}

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

	r = dxp_ini_parse(f, &x);
	if (r == -ENOMEM)
		goto out;
	if (r < 0) {
		report(l, file, 0, NULL, "cannot read: %s", strerror(-r));
		r = 0;
		goto out;
	}

	for (size_t i = 0; i < x.n; i++) {
		struct dxp_ini_line *e = &x.e[i];
		const char *value = e->value, *why = NULL;
		enum dxp_key k;
		char *match;

		if (!e->key) {
			in_section = true;
			section_ok = false;
			if (dxp_config_parse_section(e->section, &kind, &match) < 0) {
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
			       dxp_key_name(k), e->section);
			continue;
		}
		if (e->kept)
			warn(l, file, e->line, e->key,
			     "'%c' is part of the value \"%s\" of %s: a comment after a value needs whitespace before its '%c'; quote the value if it is meant",
			     e->kept, value, dxp_key_name(k), e->kept);
		if (k < DXP_K_POLICY_MAX) {
			r = dxp_key_parse_policy(sec, k, value, &why);
			if (r == -ENOMEM)
				goto out;
			if (r < 0) {
				report(l, file, e->line, e->key, "bad value \"%s\" for %s: %s",
				       value, dxp_key_name(k), why);
				continue;
			}
			sec->set |= 1ULL << k;
			sec->origin[k] = (struct dxp_origin) { file, e->line };
		} else {
			r = dxp_key_parse_global(c, k, value, &why);
			if (r == -ENOMEM)
				goto out;
			if (r < 0) {
				report(l, file, e->line, e->key, "bad value \"%s\" for %s: %s",
				       value, dxp_key_name(k), why);
				continue;
			}
			c->origin[k] = (struct dxp_origin) { file, e->line };
		}
	}
	r = 0;
out:
	dxp_ini_index_free(&x);
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
	if (n < 0) {
		if (errno == ENOMEM)
			return -ENOMEM;
		if (errno != ENOENT)
			report(l, dir, 0, NULL, "cannot read the directory: %s", strerror(errno));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		char *path;

		if (r >= 0) {
			if (asprintf(&path, "%s/%s", dir, list[i]->d_name) < 0) {
				r = -ENOMEM;
			} else {
				r = load_file(l, path, false);
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
	return dxp_config_load_warn(paths, err, NULL, userdata, out);
}

int dxp_config_load_warn(const struct dxp_config_paths *paths, dxp_config_error_fn err,
			 dxp_config_error_fn warn_fn, void *userdata, struct dxp_config **out)
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
	/* node_exporter's textfile directory (daemon/metrics.h); manager.c writes
	 * nothing there when the directory does not exist. */
	c->metrics_path = strdup("/var/lib/prometheus/node-exporter/daxpind.prom");
	if (!c->metrics_path) {
		free(c);
		return -ENOMEM;
	}

	l = (struct load_ctx) { .c = c, .err = err, .warn = warn_fn, .userdata = userdata };
	r = 0;
	if (paths->main_file)
		r = load_file(&l, paths->main_file, paths->main_file_required);
	for (const char *const *d = paths->dropin_dirs; r >= 0 && d && *d; d++)
		r = load_dir(&l, *d);
	if (r < 0) {
		/* Out of memory: nothing else stops a load. */
		if (err)
			err(userdata, paths->main_file ? paths->main_file : "(configuration)", 0,
			    NULL, strerror(-r));
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
		case DXP_K_ACTION_TARGET: p->action_target = s->p.action_target; break;
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
