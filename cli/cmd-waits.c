// SPDX-License-Identifier: GPL-2.0
/* daxpinctl waits / kick / scan */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "render.h"
#include "lib/daxpin-json.h"
#include "lib/daxpin-util.h"

/* the mount table only improves paths: failing to read it is not fatal */
static void load_mounts(struct daxpin_mounts *m)
{
	if (daxpin_mounts_load(m, NULL))
		memset(m, 0, sizeof(*m));
}

int cmd_waits(int argc, char **argv, struct daxpinctl_opts *opts)
{
	static const char usage[] = "daxpinctl waits [-v|--verbose] [--json] [-u]";
	static const struct option lo[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 },
	};
	struct render_opts ro = { 0 };
	struct daxpin_mounts mnts = { 0 };
	struct daxpin_waits w = { 0 };
	struct daxpin_ctx *ctx;
	int rc;

	while (daxpinctl_getopt(argc, argv, opts, usage, "v", lo, 0, &rc) == 'v')
		ro.verbose = true;
	if (rc)
		return rc < 0 ? 0 : rc;
	ro.human = opts->human;

	rc = daxpinctl_open(opts, &ctx);
	if (rc)
		return rc;
	rc = daxpin_get_waits(ctx, &w);
	if (rc) {
		rc = daxpinctl_error(opts, ctx, rc, "listing waits");
		goto out;
	}
	load_mounts(&mnts);
	if (opts->json) {
		rc = daxpinctl_print_json(opts, daxpin_waits_to_json(&w, &mnts));
	} else {
		render_waits(stdout, &w, &mnts, &ro);
		rc = DAXPINCTL_EXIT_OK;
	}
out:
	daxpin_mounts_free(&mnts);
	daxpin_waits_free(&w);
	daxpin_close(ctx);
	return rc;
}

struct kick {
	struct daxpinctl_opts *opts;
	struct daxpin_ctx *ctx;
	struct json_object *kicks;	/* --json: [{"id", "was_idle", holders}] */
	struct daxpin_waits w;		/* read before any kick: the holders */
	int rc;				/* the first failure's exit code */
};

/* The wait as listed before the kicks, or NULL (ended, or no listing). */
static const struct daxpin_wait *kick_wait(const struct kick *k, uint64_t id)
{
	size_t i;

	for (i = 0; i < k->w.nr; i++)
		if (k->w.waits[i].id == id)
			return &k->w.waits[i];
	return NULL;
}

static void kick_one(struct kick *k, uint64_t id)
{
	static const struct daxpin_wait unknown;
	const struct daxpin_wait *w;
	struct json_object *o;
	char holders[160];
	bool was_idle = false;
	int rc;

	rc = daxpin_kick(k->ctx, id, &was_idle);
	if (rc) {
		rc = daxpinctl_error(k->opts, k->ctx, rc,
			rc == -ENOENT ? "kicking wait %" PRIu64 " (it may have ended; see 'daxpinctl waits')" :
			"kicking wait %" PRIu64, id);
		if (!k->rc)
			k->rc = rc;
		return;
	}
	w = kick_wait(k, id);
	if (!w)
		w = &unknown;
	if (!k->kicks) {
		printf("kicked wait %" PRIu64 ": was_idle=%s%s holders=%s\n", id,
		       was_idle ? "yes" : "no",
		       was_idle ? "" : " (page still busy, the waiter sleeps on)",
		       render_holders(holders, sizeof(holders), w));
		return;
	}
	o = json_object_new_object();
	if (!o)
		return;
	json_object_object_add(o, "id", json_object_new_uint64(id));
	json_object_object_add(o, "was_idle", json_object_new_boolean(was_idle));
	daxpin_json_add_holders(o, w);
	json_object_array_add(k->kicks, o);
}

/* the ids of the stalled waits, read before any is kicked */
static int stalled_ids(struct kick *k, uint64_t **ids, size_t *nr)
{
	const struct daxpin_waits *w = &k->w;
	size_t i;
	int rc;

	*nr = 0;
	*ids = NULL;
	rc = daxpin_get_waits(k->ctx, &k->w);
	if (rc)
		return daxpinctl_error(k->opts, k->ctx, rc, "listing waits");
	*ids = calloc(w->nr ? w->nr : 1, sizeof(**ids));
	if (!*ids)
		return daxpinctl_error(k->opts, NULL, -ENOMEM, "listing waits");
	for (i = 0; i < w->nr; i++)
		if (w->waits[i].stalled)
			(*ids)[(*nr)++] = w->waits[i].id;
	return 0;
}

int cmd_kick(int argc, char **argv, struct daxpinctl_opts *opts)
{
	static const char usage[] =
		"daxpinctl kick [--json] <wait-id>...|--stalled";
	static const struct option lo[] = {
		{ "stalled", no_argument, NULL, 's' },
		{ 0 },
	};
	struct kick k = { .opts = opts };
	uint64_t *ids = NULL;
	bool stalled = false;
	size_t i, nr = 0;
	int rc;

	while (daxpinctl_getopt(argc, argv, opts, usage, NULL, lo, -1, &rc) == 's')
		stalled = true;
	if (rc)
		return rc < 0 ? 0 : rc;
	if (stalled && optind < argc)
		return daxpinctl_usage_error(opts, usage,
				"give wait ids or --stalled, not both");
	if (!stalled && optind >= argc)
		return daxpinctl_usage_error(opts, usage, "missing wait id");
	if (!stalled) {
		nr = argc - optind;
		ids = calloc(nr, sizeof(*ids));
		if (!ids)
			return DAXPINCTL_EXIT_FAIL;
		for (i = 0; i < nr; i++)
			if (daxpin_parse_u64(argv[optind + i], UINT64_MAX, &ids[i])) {
				free(ids);
				return daxpinctl_usage_error(opts, usage,
					"'%s' is not a wait id (see 'daxpinctl waits')",
					argv[optind + i]);
			}
	}

	rc = daxpinctl_open(opts, &k.ctx);
	if (rc) {
		free(ids);
		return rc;
	}
	if (stalled) {
		rc = stalled_ids(&k, &ids, &nr);
		if (rc)
			goto out;
	} else if (daxpin_get_waits(k.ctx, &k.w)) {
		/* Holders are extra: kick all the same, they print as "-". */
		memset(&k.w, 0, sizeof(k.w));
	}
	if (opts->json) {
		k.kicks = json_object_new_array();
		if (!k.kicks) {
			rc = DAXPINCTL_EXIT_FAIL;
			goto out;
		}
	}
	if (!nr && !opts->json)
		printf("no stalled waits\n");
	for (i = 0; i < nr; i++)
		kick_one(&k, ids[i]);
	rc = k.rc;
	if (opts->json) {
		struct json_object *o = json_object_new_object();
		int prc;

		if (o)
			json_object_object_add(o, "kicked_waits", k.kicks);
		else
			json_object_put(k.kicks);
		prc = daxpinctl_print_json(opts, o);
		if (!rc)
			rc = prc;
	}
out:
	free(ids);
	daxpin_waits_free(&k.w);
	daxpin_close(k.ctx);
	return rc;
}

/* keep the most specific failure: not-DAX / not-found beat generic */
static int worse(int a, int b)
{
	if (a == DAXPINCTL_EXIT_OK)
		return b;
	if (b == DAXPINCTL_EXIT_OK)
		return a;
	return a == DAXPINCTL_EXIT_FAIL ? b : a;
}

int cmd_scan(int argc, char **argv, struct daxpinctl_opts *opts)
{
	static const char usage[] = "daxpinctl scan [--json] [-u] <path>...";
	struct render_opts ro = { 0 };
	struct json_object *top = NULL, *arr = NULL;
	struct daxpin_ctx *ctx;
	int i, rc, ret = DAXPINCTL_EXIT_OK;

	rc = daxpinctl_parse_options(argc, argv, opts, usage, -1);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (optind >= argc)
		return daxpinctl_usage_error(opts, usage, "missing path");
	ro.human = opts->human;

	rc = daxpinctl_open(opts, &ctx);
	if (rc)
		return rc;
	if (opts->json) {
		top = json_object_new_object();
		arr = json_object_new_array();
		if (!top || !arr || json_object_object_add(top, "scans", arr)) {
			json_object_put(top);
			json_object_put(arr);
			daxpin_close(ctx);
			return daxpinctl_print_json(opts, NULL);
		}
	}

	for (i = optind; i < argc; i++) {
		const char *path = argv[i];
		struct daxpin_scan s;
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

		if (fd < 0) {
			ret = worse(ret, daxpinctl_error(opts, NULL, -errno,
						"opening %s", path));
			continue;
		}
		rc = daxpin_scan(ctx, fd, &s);
		close(fd);
		if (rc) {
			ret = worse(ret, daxpinctl_error(opts, ctx, rc,
						"scanning %s", path));
			continue;
		}
		if (opts->json) {
			struct json_object *e = daxpin_scan_to_json(&s, path);

			if (!e || json_object_array_add(arr, e)) {
				json_object_put(e);
				ret = worse(ret, DAXPINCTL_EXIT_FAIL);
			}
		} else {
			render_scan(stdout, path, &s, &ro);
		}
		daxpin_scan_free(&s);
	}
	if (opts->json)
		ret = worse(ret, daxpinctl_print_json(opts, top));
	daxpin_close(ctx);
	return ret;
}
