// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The runtime drop-in behind "daxpinctl policy set": read it, change one
 * key, rewrite it atomically.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "daemon/atomic-file.h"
#include "daemon/config-internal.h"
#include "daemon/config.h"

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
	struct dxp_ini_index x = { 0 };
	size_t n = 0;
	FILE *f;
	int r = 0;

	*out = NULL;
	*n_out = 0;
	f = fopen(file, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	r = dxp_ini_parse(f, &x);
	fclose(f);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < x.n; i++) {
		const char *v = x.e[i].value;
		struct rt_entry *ne;

		/* A line that is neither a key nor a well-formed header: the
		 * file is not ours to rewrite. */
		if ((x.e[i].key && !*x.e[i].key) || (!x.e[i].key && x.e[i].section[0] == '[')) {
			r = -EINVAL;
			goto out;
		}
		if (!x.e[i].key)
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
	dxp_ini_index_free(&x);
	return r;
}

static bool same_section(const char *a, const char *b)
{
	enum dxp_section_kind ka, kb;
	char *ma = NULL, *mb = NULL;
	bool same;

	if (dxp_config_parse_section(a, &ka, &ma) < 0 || dxp_config_parse_section(b, &kb, &mb) < 0) {
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

	/* The section is written as "[section]" on a line of its own: no ']',
	 * line break or other control character may end it early and add
	 * lines of the caller's choosing, and no '#' or ';' that a loader
	 * could take for a comment. */
	for (const unsigned char *c = (const unsigned char *)section; *c; c++)
		if (*c < 0x20 || *c == 0x7f || *c == ']' || *c == '#' || *c == ';') {
			snprintf(errbuf, errlen, "section name contains a character the drop-in cannot hold");
			return -EINVAL;
		}
	if (dxp_config_parse_section(section, &kind, &match) < 0) {
		snprintf(errbuf, errlen, "unknown section [%s]", section);
		return -EINVAL;
	}
	free(match);
	if (dxp_key_from_name(key, &k) < 0 || !dxp_key_valid_in(k, kind)) {
		snprintf(errbuf, errlen, "key %s is not valid in [%s]", key, section);
		return -EINVAL;
	}
	if (value) {
		for (const unsigned char *c = (const unsigned char *)value; *c; c++)
			if (*c < 0x20 || *c == 0x7f || *c == '\\' || *c == ';' || *c == '#') {
				snprintf(errbuf, errlen, "value contains a character that INI cannot hold");
				return -EINVAL;
			}
		r = k < DXP_K_POLICY_MAX ? dxp_key_parse_policy(&scratch, k, value, &why)
					 : dxp_key_parse_global(&scratch_c, k, value, &why);
		free(scratch.exec_hook);
		free(scratch_c.metrics_path);
		if (r < 0) {
			snprintf(errbuf, errlen, "bad value \"%s\" for %s: %s", value, dxp_key_name(k),
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
		e[n].key = strdup(dxp_key_name(k));
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

struct saved {
	const char *buf;
	size_t len;
};

static int saved_fill(FILE *f, void *arg)
{
	const struct saved *sv = arg;

	return fwrite(sv->buf, 1, sv->len, f) == sv->len ? 0 : -EIO;
}

int dxp_config_runtime_restore(const char *file, const char *saved, size_t len)
{
	struct saved sv = { .buf = saved, .len = len };

	if (!saved)
		return unlink(file) < 0 && errno != ENOENT ? -errno : 0;
	return dxp_write_atomic(file, 0644, true, saved_fill, &sv);
}
