// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/atomic-file.h"
#include "daemon/state.h"

#define MAGIC "daxpind-state 1"

int dxp_state_read_boot_id(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	int r = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		r = -EIO;
	else
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return r;
}

void dxp_state_free(struct dxp_state *s)
{
	free(s->e);
	s->e = NULL;
	s->n = 0;
}

int dxp_state_load(const char *path, const char *boot_id, struct dxp_state *out)
{
	char line[256], boot[64];
	struct dxp_state s = { 0 };
	FILE *f;

	*out = s;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	if (!fgets(line, sizeof(line), f) || strncmp(line, MAGIC "\n", sizeof(MAGIC)))
		goto ignore;
	if (!fgets(line, sizeof(line), f) || sscanf(line, "boot %63s", boot) != 1 ||
	    strcmp(boot, boot_id))
		goto ignore;
	while (fgets(line, sizeof(line), f)) {
		struct dxp_state_entry e, *ne;

		if (sscanf(line, "%" SCNu64 " %" SCNu64 " %u", &e.id, &e.start_ns, &e.done) != 3)
			goto ignore;
		ne = realloc(s.e, (s.n + 1) * sizeof(*ne));
		if (!ne) {
			dxp_state_free(&s);
			fclose(f);
			return -ENOMEM;
		}
		s.e = ne;
		s.e[s.n++] = e;
	}
	fclose(f);
	*out = s;
	return 0;
ignore:
	/* Forgetting means at worst one repeated warning; refusing to start
	 * over a damaged cache would be far worse. */
	dxp_state_free(&s);
	fclose(f);
	return 0;
}

struct state_file {
	const char *boot_id;
	const struct dxp_state *s;
};

static int state_fill(FILE *f, void *arg)
{
	const struct state_file *sf = arg;
	const struct dxp_state *s = sf->s;

	fprintf(f, MAGIC "\nboot %s\n", sf->boot_id);
	for (size_t i = 0; i < s->n; i++)
		fprintf(f, "%" PRIu64 " %" PRIu64 " %u\n", s->e[i].id, s->e[i].start_ns,
			s->e[i].done);
	return 0;
}

/* Not durable: /run is a tmpfs, and the file only needs to survive the
 * daemon, not the machine. */
int dxp_state_save(const char *path, const char *boot_id, const struct dxp_state *s)
{
	struct state_file sf = { .boot_id = boot_id, .s = s };

	return dxp_write_atomic(path, 0600, false, state_fill, &sf);
}

unsigned dxp_state_lookup(const struct dxp_state *s, uint64_t id, uint64_t start_ns)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].id == id && s->e[i].start_ns == start_ns)
			return s->e[i].done;
	return 0;
}
