// SPDX-License-Identifier: LGPL-2.1
/*
 * /proc/self/mountinfo: map a superblock (MAJ:MIN) and a path relative to
 * its filesystem root to an absolute path, and tell DAX mounts apart.
 *
 * Line format (proc(5)):
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   (1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)   (10)         (11)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daxpin.h"
#include "private.h"

#ifndef DAXPIN_MOUNTINFO
#define DAXPIN_MOUNTINFO "/proc/self/mountinfo"
#endif

/* decode the \ooo escapes of mountinfo in place */
static void unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) |
				      (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

static void mount_free(struct daxpin_mount *m)
{
	free(m->root);
	free(m->mnt_point);
	free(m->fstype);
	free(m->source);
	free(m->mnt_opts);
	free(m->super_opts);
}

static char *dup_field(const char *s)
{
	char *d = strdup(s);

	if (d)
		unescape(d);
	return d;
}

/* 0: parsed, 1: line skipped (malformed), <0: errno */
static int parse_line(char *line, struct daxpin_mount *m)
{
	char *f[6], *sep, *save = NULL, *tok;
	char *post[3];
	int i;

	sep = strstr(line, " - ");
	if (!sep)
		return 1;
	*sep = '\0';

	tok = strtok_r(line, " \n", &save);
	for (i = 0; i < 6 && tok; i++) {
		f[i] = tok;
		tok = strtok_r(NULL, " \n", &save);
	}
	if (i < 6)
		return 1;
	if (sscanf(f[2], "%u:%u", &m->major, &m->minor) != 2)
		return 1;

	save = NULL;
	tok = strtok_r(sep + 3, " \n", &save);
	for (i = 0; i < 3 && tok; i++) {
		post[i] = tok;
		tok = strtok_r(NULL, " \n", &save);
	}
	if (i < 2)
		return 1;
	if (i == 2)
		post[2] = "";

	m->root = dup_field(f[3]);
	m->mnt_point = dup_field(f[4]);
	m->mnt_opts = dup_field(f[5]);
	m->fstype = dup_field(post[0]);
	m->source = dup_field(post[1]);
	m->super_opts = dup_field(post[2]);
	if (!m->root || !m->mnt_point || !m->mnt_opts || !m->fstype ||
	    !m->source || !m->super_opts) {
		mount_free(m);
		return -ENOMEM;
	}
	return 0;
}

int daxpin_mounts_parse(FILE *f, struct daxpin_mounts *out)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	while (getline(&line, &cap, f) > 0) {
		struct daxpin_mount tmp = { 0 }, *m;

		rc = parse_line(line, &tmp);
		if (rc == 1) {
			rc = 0;
			continue;
		}
		if (rc)
			break;
		m = array_add(&out->mounts, &out->nr, &out->alloc);
		if (!m) {
			mount_free(&tmp);
			rc = -ENOMEM;
			break;
		}
		*m = tmp;
	}
	free(line);
	if (rc)
		daxpin_mounts_free(out);
	return rc;
}

int daxpin_mounts_load(struct daxpin_mounts *out, const char *path)
{
	FILE *f;
	int rc;

	memset(out, 0, sizeof(*out));
	f = fopen(path ? path : DAXPIN_MOUNTINFO, "re");
	if (!f)
		return -errno;
	rc = daxpin_mounts_parse(f, out);
	fclose(f);
	return rc;
}

void daxpin_mounts_free(struct daxpin_mounts *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nr; i++)
		mount_free(&m->mounts[i]);
	free(m->mounts);
	memset(m, 0, sizeof(*m));
}

/*
 * Length of root when it is a path prefix of rel ("/" prefixes all,
 * "/a" prefixes "/a" and "/a/b" but not "/ab"), else -1. Both start with '/'.
 */
static long root_prefix(const char *root, const char *rel)
{
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n == 1 && root[0] == '/')
		return 1;
	if (strncmp(root, rel, n) != 0)
		return -1;
	if (rel[n] != '\0' && rel[n] != '/')
		return -1;
	return (long)n;
}

static const char *slashed(const char *rel, char *tmp, size_t len)
{
	if (rel[0] == '/')
		return rel;
	snprintf(tmp, len, "/%s", rel);
	return tmp;
}

const struct daxpin_mount *daxpin_mounts_find(const struct daxpin_mounts *m,
		unsigned int major, unsigned int minor, const char *relpath)
{
	const struct daxpin_mount *best = NULL;
	long best_len = -1;
	char tmp[DAXPIN_PATH_LEN + 1];
	const char *rel = NULL;
	size_t i;

	if (!m)
		return NULL;
	if (relpath)
		rel = slashed(relpath, tmp, sizeof(tmp));
	for (i = 0; i < m->nr; i++) {
		const struct daxpin_mount *mnt = &m->mounts[i];
		long len;

		if (mnt->major != major || mnt->minor != minor)
			continue;
		len = rel ? root_prefix(mnt->root, rel) : 1;
		if (len < 0)
			continue;
		if (len > best_len || (len == best_len &&
		    strlen(mnt->mnt_point) < strlen(best->mnt_point))) {
			best = mnt;
			best_len = len;
		}
	}
	return best;
}

int daxpin_mounts_abspath(const struct daxpin_mounts *m, unsigned int major,
		unsigned int minor, const char *relpath, char *buf, size_t len)
{
	const struct daxpin_mount *mnt;
	char tmp[DAXPIN_PATH_LEN + 1];
	const char *rel, *rest;
	long plen;
	int n;

	if (!relpath)
		return -EINVAL;
	mnt = daxpin_mounts_find(m, major, minor, relpath);
	if (!mnt)
		return -ENOENT;
	rel = slashed(relpath, tmp, sizeof(tmp));
	plen = root_prefix(mnt->root, rel);
	rest = rel + (plen == 1 ? 0 : plen);	/* starts with '/' or is "" */
	if (strcmp(mnt->mnt_point, "/") == 0)
		n = snprintf(buf, len, "%s", rest[0] ? rest : "/");
	else
		n = snprintf(buf, len, "%s%s", mnt->mnt_point,
			     strcmp(rest, "/") == 0 ? "" : rest);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* value of option name in a comma separated list: "" if bare, NULL if absent */
static const char *opt_value(const char *opts, const char *name, char *val,
			     size_t len)
{
	size_t n = strlen(name);
	const char *p = opts;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t l = end ? (size_t)(end - p) : strlen(p);

		if (l >= n && strncmp(p, name, n) == 0 &&
		    (l == n || p[n] == '=')) {
			size_t vl = l == n ? 0 : l - n - 1;

			if (vl >= len)
				vl = len - 1;
			memcpy(val, p + n + 1 - (l == n), vl);
			val[vl] = '\0';
			return val;
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

const char *daxpin_mount_dax_mode(const struct daxpin_mount *mnt)
{
	char val[16];
	const char *v = NULL;

	if (!mnt)
		return NULL;
	if (mnt->super_opts)
		v = opt_value(mnt->super_opts, "dax", val, sizeof(val));
	if (!v && mnt->mnt_opts)
		v = opt_value(mnt->mnt_opts, "dax", val, sizeof(val));
	if (!v)
		return NULL;
	if (v[0] == '\0' || strcmp(v, "always") == 0)
		return "always";
	if (strcmp(v, "inode") == 0)
		return "inode";
	if (strcmp(v, "never") == 0)
		return "never";
	return NULL;
}
