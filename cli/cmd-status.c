// SPDX-License-Identifier: GPL-2.0
/*
 * daxpinctl status: module, pmem topology (libndctl/libdaxctl) joined to the
 * DAX mounts of /proc/self/mountinfo, waits in flight, per-fs counters, and
 * a --check verdict for monitoring systems (0 ok, 1 warning, 2 critical).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <ndctl/libndctl.h>
#include <daxctl/libdaxctl.h>

#include "builtin.h"
#include "render.h"
#include "render-daemon.h"
#include "status-check.h"
#include "lib/daxpin-control.h"
#include "lib/daxpin-json.h"
#include "lib/daxpin-text.h"
#include "lib/daxpin-util.h"

#define WARN_MS_DEFAULT	5000
#define CRIT_MS_DEFAULT	60000

struct status {
	struct daxpinctl_opts *opts;
	struct render_opts ro;
	int module_err;			/* 0 or negative errno */
	char module_msg[DAXPIN_ERRMSG_LEN];
	unsigned int protocol;
	struct daxpin_stats stats;
	int stats_err;
	struct daxpin_config config;
	int config_err;
	int waits_err;
	struct status_check chk;	/* waits in flight, verdict */
	struct daxpin_mounts mnts;
	const char *warn_source;	/* "option", "daxpind" or "default" */
	struct json_object *daemon;	/* "daemon" member */
};

/* ---- module ---- */

/*
 * The module's summary (count, stalled, oldest) answers "is anything
 * stuck?"; waits are read only when the answer is yes, and only until the
 * first few stuck ones are found, so a box with a thousand waits stays as
 * cheap to check as an idle one.
 */
static void collect_module(struct status *st)
{
	struct daxpin_ctx *ctx;

	st->module_err = daxpin_open(&ctx);
	if (st->module_err)
		return;
	st->protocol = daxpin_family_version(ctx);
	st->stats_err = daxpin_get_stats(ctx, &st->stats);
	if (st->stats_err)
		snprintf(st->module_msg, sizeof(st->module_msg), "%s",
			 daxpin_errmsg(ctx));
	st->config_err = daxpin_get_config(ctx, &st->config);
	if (!st->stats_err)
		status_check_summary(&st->chk, &st->stats);
	if (!st->stats_err && status_check_must_walk(&st->chk)) {
		st->waits_err = daxpin_walk_waits(ctx, status_check_note_wait,
						  &st->chk);
		st->chk.walked = !st->waits_err;
	}
	daxpin_close(ctx);
}

/* ---- daemon ---- */

/* nanoseconds since process pid started, or -1 when unknown.  Its
 * starttime counts clock ticks of CLOCK_BOOTTIME (in this time namespace),
 * so the result is exact to the tick. */
static long long proc_uptime_ns(long long pid)
{
	char path[64], buf[1024];
	uint64_t start, start_ns, now_ns;
	long hz = sysconf(_SC_CLK_TCK);
	struct timespec now;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%lld/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	i = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!i || daxpin_proc_stat_starttime(buf, &start) < 0 || hz <= 0)
		return -1;
	if (clock_gettime(CLOCK_BOOTTIME, &now) < 0)
		return -1;
	start_ns = start / (uint64_t)hz * 1000000000ULL +
		   start % (uint64_t)hz * 1000000000ULL / (uint64_t)hz;
	now_ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	if (now_ns < start_ns)
		return -1;
	return (long long)(now_ns - start_ns);
}

static void collect_daemon(struct status *st)
{
	const char *path = daxpin_control_path();
	struct json_object *req, *sr = NULL, *pr = NULL, *v;
	char msg[512] = "", pmsg[512];
	long long up = -1;
	int rc;

	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("status"));
	rc = daxpin_control_request(path, req, &sr, msg, sizeof(msg));
	json_object_put(req);
	if (!rc) {
		req = json_object_new_object();
		json_object_object_add(req, "cmd",
				       json_object_new_string("policy"));
		if (daxpin_control_request(path, req, &pr, pmsg, sizeof(pmsg)))
			pr = NULL;
		json_object_put(req);
		if (json_object_object_get_ex(sr, "pid", &v) &&
		    json_object_is_type(v, json_type_int))
			up = proc_uptime_ns(json_object_get_int64(v));
	} else if (rc == -ENOENT || rc == -ECONNREFUSED || rc == -ENOTDIR) {
		/* as daxpinctl_daemon_error() says it; busy (EAGAIN) or no
		 * reply keep the library's own words */
		snprintf(msg, sizeof(msg), "daxpind is not running");
	}
	st->daemon = daemon_status_doc(path, rc, msg, sr, pr, up);
	json_object_put(sr);
	json_object_put(pr);
}

/* ---- pmem topology ---- */

static const char *ns_mode_name(enum ndctl_namespace_mode mode)
{
	switch (mode) {
	case NDCTL_NS_MODE_FSDAX:
		return "fsdax";
	case NDCTL_NS_MODE_SECTOR:
		return "sector";
	case NDCTL_NS_MODE_RAW:
		return "raw";
	case NDCTL_NS_MODE_DEVDAX:
		return "devdax";
	default:
		return "unknown";
	}
}

static bool blockdev_devt(const char *name, unsigned int *major,
			  unsigned int *minor)
{
	char path[PATH_MAX];
	struct stat sb;

	if (!name || snprintf(path, sizeof(path), "/dev/%s", name) >=
	    (int)sizeof(path))
		return false;
	if (stat(path, &sb) || !S_ISBLK(sb.st_mode))
		return false;
	*major = major(sb.st_rdev);
	*minor = minor(sb.st_rdev);
	return true;
}

static struct json_object *mount_json(const struct daxpin_mount *mnt)
{
	struct json_object *o = json_object_new_object();
	const char *dax = daxpin_mount_dax_mode(mnt);
	char dev[32];

	if (!o)
		return NULL;
	snprintf(dev, sizeof(dev), "%u:%u", mnt->major, mnt->minor);
	json_object_object_add(o, "mount_point", json_object_new_string(mnt->mnt_point));
	json_object_object_add(o, "fs", json_object_new_string(mnt->fstype));
	json_object_object_add(o, "maj_min", json_object_new_string(dev));
	json_object_object_add(o, "source", json_object_new_string(mnt->source));
	json_object_object_add(o, "root", json_object_new_string(mnt->root));
	json_object_object_add(o, "dax", dax ? json_object_new_string(dax) : NULL);
	return o;
}

static struct json_object *mounts_of(const struct daxpin_mounts *m,
				     unsigned int major, unsigned int minor)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; arr && i < m->nr; i++)
		if (m->mounts[i].major == major && m->mounts[i].minor == minor)
			json_object_array_add(arr, mount_json(&m->mounts[i]));
	return arr;
}

static struct json_object *namespace_json(struct ndctl_namespace *ndns,
					  const struct daxpin_mounts *m)
{
	struct json_object *o = json_object_new_object();
	enum ndctl_namespace_mode mode = ndctl_namespace_get_mode(ndns);
	/*
	 * Each lookup scans the region's devices of its kind in sysfs: ask
	 * only for the one the namespace's mode names.
	 */
	struct ndctl_pfn *pfn = mode == NDCTL_NS_MODE_FSDAX ?
				ndctl_namespace_get_pfn(ndns) : NULL;
	struct ndctl_btt *btt = mode == NDCTL_NS_MODE_SECTOR ?
				ndctl_namespace_get_btt(ndns) : NULL;
	struct ndctl_dax *dax = mode == NDCTL_NS_MODE_DEVDAX ?
				ndctl_namespace_get_dax(ndns) : NULL;
	struct json_object *chardevs = NULL;
	const char *bdev = NULL;
	unsigned int major, minor;
	char dev[32];

	if (!o)
		return NULL;
	if (pfn)
		bdev = ndctl_pfn_get_block_device(pfn);
	else if (btt)
		bdev = ndctl_btt_get_block_device(btt);
	else if (mode != NDCTL_NS_MODE_DEVDAX)
		bdev = ndctl_namespace_get_block_device(ndns);
	if (bdev && !bdev[0])
		bdev = NULL;

	if (dax) {
		struct daxctl_region *region = ndctl_dax_get_daxctl_region(dax);
		struct daxctl_dev *ddev;

		chardevs = json_object_new_array();
		if (region)
			daxctl_dev_foreach(region, ddev)
				json_object_array_add(chardevs,
					json_object_new_string(
						daxctl_dev_get_devname(ddev)));
	}

	json_object_object_add(o, "dev",
		json_object_new_string(ndctl_namespace_get_devname(ndns)));
	json_object_object_add(o, "mode",
		json_object_new_string(ns_mode_name(mode)));
	/* an fsdax/devdax/sector namespace is live through its pfn/dax/btt */
	json_object_object_add(o, "enabled", json_object_new_boolean(
		ndctl_namespace_is_enabled(ndns) > 0 ||
		(pfn && ndctl_pfn_is_enabled(pfn) > 0) ||
		(dax && ndctl_dax_is_enabled(dax) > 0) ||
		(btt && ndctl_btt_is_enabled(btt) > 0)));
	json_object_object_add(o, "size",
		json_object_new_uint64(ndctl_namespace_get_size(ndns)));
	json_object_object_add(o, "blockdev",
		bdev ? json_object_new_string(bdev) : NULL);
	json_object_object_add(o, "chardevs", chardevs);
	if (bdev && blockdev_devt(bdev, &major, &minor)) {
		snprintf(dev, sizeof(dev), "%u:%u", major, minor);
		json_object_object_add(o, "maj_min", json_object_new_string(dev));
		json_object_object_add(o, "mounts", mounts_of(m, major, minor));
	} else {
		json_object_object_add(o, "maj_min", NULL);
		json_object_object_add(o, "mounts", json_object_new_array());
	}
	return o;
}

/* {"regions": [...]} or {"error": "..."} */
static struct json_object *collect_pmem(const struct daxpin_mounts *m)
{
	struct json_object *o = json_object_new_object();
	struct json_object *regions = json_object_new_array();
	struct ndctl_ctx *nctx;
	struct ndctl_bus *bus;
	int rc;

	if (!o || !regions) {
		json_object_put(regions);
		return o;
	}
	rc = ndctl_new(&nctx);
	if (rc) {
		json_object_put(regions);
		json_object_object_add(o, "error",
			json_object_new_string(strerror(rc < 0 ? -rc : rc)));
		return o;
	}
	ndctl_set_log_priority(nctx, LOG_CRIT);
	ndctl_bus_foreach(nctx, bus) {
		struct ndctl_region *region;

		ndctl_region_foreach(bus, region) {
			struct json_object *r = json_object_new_object();
			struct json_object *nss = json_object_new_array();
			struct ndctl_namespace *ndns;

			if (!r || !nss) {
				json_object_put(r);
				json_object_put(nss);
				continue;
			}
			json_object_object_add(r, "dev",
				json_object_new_string(ndctl_region_get_devname(region)));
			json_object_object_add(r, "bus",
				json_object_new_string(ndctl_bus_get_provider(bus)));
			json_object_object_add(r, "type",
				json_object_new_string(ndctl_region_get_type_name(region)));
			json_object_object_add(r, "size",
				json_object_new_uint64(ndctl_region_get_size(region)));
			ndctl_namespace_foreach(region, ndns) {
				if (ndctl_namespace_get_size(ndns) == 0)
					continue;	/* idle seed namespace */
				json_object_array_add(nss, namespace_json(ndns, m));
			}
			json_object_object_add(r, "namespaces", nss);
			json_object_array_add(regions, r);
		}
	}
	ndctl_unref(nctx);
	json_object_object_add(o, "regions", regions);
	return o;
}

/* mounts with a dax option, plus any mount whose superblock daxpin saw */
static struct json_object *collect_dax_mounts(struct status *st)
{
	struct json_object *arr = json_object_new_array();
	size_t i, j;

	for (i = 0; arr && i < st->mnts.nr; i++) {
		const struct daxpin_mount *mnt = &st->mnts.mounts[i];
		bool seen = daxpin_mount_dax_mode(mnt) != NULL;

		for (j = 0; !seen && j < st->stats.nr_sb; j++)
			seen = st->stats.sb[j].dev_major == mnt->major &&
			       st->stats.sb[j].dev_minor == mnt->minor;
		if (seen)
			json_object_array_add(arr, mount_json(mnt));
	}
	return arr;
}

/* ---- output ---- */

static int print_json(struct status *st, struct json_object *pmem,
		      struct json_object *dax_mounts)
{
	struct json_object *o = json_object_new_object();
	struct json_object *mod = json_object_new_object();
	struct json_object *fss = json_object_new_array();
	struct json_object *chk = json_object_new_object();
	size_t i;

	if (!o || !mod || !fss || !chk) {
		json_object_put(o);
		json_object_put(mod);
		json_object_put(fss);
		json_object_put(chk);
		json_object_put(pmem);
		json_object_put(dax_mounts);
		return daxpinctl_print_json(st->opts, NULL);
	}
	json_object_object_add(mod, "loaded",
		json_object_new_boolean(st->module_err != -DAXPIN_ENOMODULE));
	json_object_object_add(mod, "version",
		!st->module_err && st->stats.has_global ?
		json_object_new_string(st->stats.global.version) : NULL);
	json_object_object_add(mod, "protocol",
		st->module_err ? NULL : json_object_new_int(st->protocol));
	json_object_object_add(mod, "config",
		!st->module_err && !st->config_err ?
		daxpin_config_to_json(&st->config) : NULL);
	json_object_object_add(mod, "global",
		!st->module_err && st->stats.has_global ?
		daxpin_global_to_json(&st->stats.global, false) : NULL);
	json_object_object_add(mod, "error",
		st->module_err || st->stats_err ? json_object_new_string(
			daxpin_strerror(st->module_err ? st->module_err :
					st->stats_err)) : NULL);
	json_object_object_add(o, "module", mod);
	json_object_object_add(o, "pmem", pmem);
	json_object_object_add(o, "dax_mounts", dax_mounts);

	/* the names and units of module.global and daemon */
	json_object_object_add(o, "waits_in_flight",
			       json_object_new_uint64(st->chk.nr_waits));
	json_object_object_add(o, "waits_stalled",
			       json_object_new_uint64(st->chk.nr_stalled));
	json_object_object_add(o, "oldest_waited_ns", st->chk.nr_waits ?
		json_object_new_uint64(st->chk.oldest_ns) : NULL);

	for (i = 0; i < st->stats.nr_sb; i++)
		json_object_array_add(fss, daxpin_sb_to_json(&st->stats.sb[i],
							     &st->mnts, false));
	json_object_object_add(o, "superblocks", fss);
	json_object_object_add(o, "daemon", json_object_get(st->daemon));
	json_object_object_add(chk, "warn_ms", json_object_new_uint64(st->chk.warn_ms));
	json_object_object_add(chk, "warn_source",
			       json_object_new_string(st->warn_source));
	json_object_object_add(chk, "crit_ms", json_object_new_uint64(st->chk.crit_ms));
	json_object_object_add(o, "check", chk);
	json_object_object_add(o, "health",
		json_object_new_string(status_check_health_name(st->chk.health)));
	json_object_object_add(o, "reasons", json_object_get(st->chk.reasons));
	return daxpinctl_print_json(st->opts, o);
}

/* a name from sysfs, libndctl or mountinfo in a column (daxpin-text.h) */
static const char *col(struct json_object *v)
{
	return daxpin_esc(json_object_get_string(v), DAXPIN_ESC_SPACE);
}

static void print_pmem_text(struct json_object *pmem)
{
	struct json_object *regions, *err;
	size_t i, j, k;
	char size[32];

	printf("\npmem:\n");
	if (json_object_object_get_ex(pmem, "error", &err)) {
		printf("  libndctl: %s\n", daxpin_esc(json_object_get_string(err), 0));
		return;
	}
	if (!json_object_object_get_ex(pmem, "regions", &regions) ||
	    !json_object_array_length(regions)) {
		printf("  no pmem regions\n");
		return;
	}
	for (i = 0; i < json_object_array_length(regions); i++) {
		struct json_object *r = json_object_array_get_idx(regions, i);
		struct json_object *v, *nss;

		json_object_object_get_ex(r, "size", &v);
		daxpin_fmt_size(json_object_get_uint64(v), size, sizeof(size));
		json_object_object_get_ex(r, "dev", &v);
		printf("  %s", col(v));
		json_object_object_get_ex(r, "type", &v);
		printf(" (%s, %s", col(v), size);
		json_object_object_get_ex(r, "bus", &v);
		printf(", bus %s)\n", col(v));
		json_object_object_get_ex(r, "namespaces", &nss);
		for (j = 0; j < json_object_array_length(nss); j++) {
			struct json_object *n = json_object_array_get_idx(nss, j);
			struct json_object *mode, *bdev, *cdevs, *mnts, *name;

			json_object_object_get_ex(n, "dev", &name);
			json_object_object_get_ex(n, "mode", &mode);
			json_object_object_get_ex(n, "size", &v);
			json_object_object_get_ex(n, "blockdev", &bdev);
			json_object_object_get_ex(n, "chardevs", &cdevs);
			json_object_object_get_ex(n, "mounts", &mnts);
			daxpin_fmt_size(json_object_get_uint64(v), size,
					sizeof(size));
			printf("    %s  %-7s %-10s", col(name), col(mode), size);
			if (bdev)
				printf(" /dev/%s", col(bdev));
			for (k = 0; cdevs && k < json_object_array_length(cdevs); k++)
				printf(" /dev/%s", col(
					json_object_array_get_idx(cdevs, k)));
			for (k = 0; mnts && k < json_object_array_length(mnts); k++) {
				struct json_object *m = json_object_array_get_idx(mnts, k);
				struct json_object *mp, *fs, *dax;

				json_object_object_get_ex(m, "mount_point", &mp);
				json_object_object_get_ex(m, "fs", &fs);
				json_object_object_get_ex(m, "dax", &dax);
				printf(" -> %s (%s, dax=%s)", col(mp), col(fs),
				       dax ? col(dax) : "-");
			}
			putchar('\n');
		}
	}
}

static int print_text(struct status *st, struct json_object *pmem,
		      struct json_object *dax_mounts)
{
	char buf[32];
	size_t i;

	if (st->module_err == -DAXPIN_ENOMODULE)
		printf("module: not loaded (modprobe daxpin)\n");
	else if (st->module_err)
		printf("module: unreachable: %s\n",
		       daxpin_strerror(st->module_err));
	else {
		printf("module: daxpin %s, protocol %u\n",
		       st->stats.has_global ?
		       daxpin_esc(st->stats.global.version, DAXPIN_ESC_SPACE) : "?",
		       st->protocol);
		if (!st->config_err) {
			printf("config: ");
			printf("max_waits %u, poll_ms %u, open_reads %s, count_breaks %s, event_burst %u\n",
			       st->config.max_waits, st->config.poll_ms,
			       st->config.open_reads ? "yes" : "no",
			       st->config.count_breaks ? "yes" : "no",
			       st->config.event_burst);
		}
	}

	print_pmem_text(pmem);

	printf("\ndax mounts:\n");
	if (!json_object_array_length(dax_mounts))
		printf("  none\n");
	for (i = 0; i < json_object_array_length(dax_mounts); i++) {
		struct json_object *m = json_object_array_get_idx(dax_mounts, i);
		struct json_object *mp, *fs, *dev, *dax;

		json_object_object_get_ex(m, "mount_point", &mp);
		json_object_object_get_ex(m, "fs", &fs);
		json_object_object_get_ex(m, "maj_min", &dev);
		json_object_object_get_ex(m, "dax", &dax);
		printf("  %-24s %-5s %-8s dax=%s\n", col(mp), col(fs), col(dev),
		       dax ? col(dax) : "-");
	}

	if (!st->module_err && !st->stats_err && !st->waits_err) {
		printf("\nwaits: %" PRIu64 " in flight", st->chk.nr_waits);
		if (st->chk.nr_waits)
			printf(", %" PRIu64 " stalled, oldest %s", st->chk.nr_stalled,
			       st->ro.human ?
			       daxpin_fmt_duration(st->chk.oldest_ns, buf, sizeof(buf)) :
			       (snprintf(buf, sizeof(buf), "%" PRIu64 " ms",
					 st->chk.oldest_ns / 1000000), buf));
		putchar('\n');
	}
	if (!st->module_err && !st->stats_err) {
		struct daxpin_stats only_sb = st->stats;
		struct render_opts ro = st->ro;

		only_sb.has_global = false;
		ro.only_sb = true;
		render_stats(stdout, &only_sb, &st->mnts, &ro);
	}

	putchar('\n');
	render_daemon_status(stdout, st->daemon);
	/* The verdict's first reason on the health line itself: without the
	 * module that is all there is to say, no threshold applies. */
	printf("\nhealth: %s", status_check_health_name(st->chk.health));
	if (json_object_array_length(st->chk.reasons))
		printf(": %s", json_object_get_string(
			json_object_array_get_idx(st->chk.reasons, 0)));
	if (!st->module_err) {
		printf(" (a wait is stuck after ");
		if (st->chk.warn_ms == UINT64_MAX)
			printf("never");
		else
			printf("%" PRIu64 " ms", st->chk.warn_ms);
		printf(", from %s)", st->warn_source);
	}
	putchar('\n');
	for (i = 1; i < json_object_array_length(st->chk.reasons); i++)
		printf("  - %s\n", json_object_get_string(
			json_object_array_get_idx(st->chk.reasons, i)));
	json_object_put(pmem);
	json_object_put(dax_mounts);
	return DAXPINCTL_EXIT_OK;
}

/* --check (or -c, alone or among other short options) before any "--" */
static bool check_requested(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--check"))
			return true;
		if (argv[i][0] == '-' && argv[i][1] != '-' && strchr(argv[i], 'c'))
			return true;
	}
	return false;
}

/* The monitoring-plugin convention: a check that could not judge is
 * UNKNOWN (3), whatever daxpinctl's own exit code would be. */
static int unknown(bool check, int rc)
{
	return check && rc ? DAXPINCTL_CHECK_UNKNOWN : rc;
}

int cmd_status(int argc, char **argv, struct daxpinctl_opts *opts)
{
	static const char usage[] =
		"daxpinctl status [--check [--warn-ms=N] [--crit-ms=N]] [--json] [-u]";
	static const struct option lo[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "warn-ms", required_argument, NULL, 'W' },
		{ "crit-ms", required_argument, NULL, 'C' },
		{ 0 },
	};
	struct status st = { .opts = opts, .warn_source = "default" };
	uint64_t warn_ms = WARN_MS_DEFAULT, crit_ms = CRIT_MS_DEFAULT;
	struct json_object *pmem, *dax_mounts;
	/* Known before getopt, which may stop at a bad option first: with
	 * --check every failure to judge is UNKNOWN (3), never CRITICAL. */
	bool check = check_requested(argc, argv);
	int c, rc;

	while ((c = daxpinctl_getopt(argc, argv, opts, usage, "c", lo, 0,
				     &rc)) != -1) {
		switch (c) {
		case 'c':
			check = true;
			continue;
		case 'W':
			if (daxpin_parse_u64(optarg, UINT64_MAX / 2, &warn_ms))
				return unknown(check, daxpinctl_usage_error(opts, usage,
					"bad --warn-ms '%s'", optarg));
			st.warn_source = "option";
			continue;
		case 'C':
			if (daxpin_parse_u64(optarg, UINT64_MAX / 2, &crit_ms))
				return unknown(check, daxpinctl_usage_error(opts, usage,
					"bad --crit-ms '%s'", optarg));
			continue;
		}
	}
	if (rc)
		return rc < 0 ? 0 : unknown(check, rc);
	st.ro.human = opts->human;
	if (status_check_init(&st.chk, warn_ms, crit_ms))
		return unknown(check, DAXPINCTL_EXIT_FAIL);

	if (daxpin_mounts_load(&st.mnts, NULL))
		memset(&st.mnts, 0, sizeof(st.mnts));
	collect_daemon(&st);
	/* a wait is stuck when daxpind would warn about it */
	if (strcmp(st.warn_source, "option") &&
	    !daemon_warn_after_ms(st.daemon, &st.chk.warn_ms))
		st.warn_source = "daxpind";
	collect_module(&st);
	pmem = collect_pmem(&st.mnts);
	dax_mounts = collect_dax_mounts(&st);
	status_check_judge(&st.chk, st.module_err, st.stats_err, st.waits_err,
			   &st.stats);

	if (check && !opts->json) {
		/* one line, monitoring-plugin style */
		size_t i, n = json_object_array_length(st.chk.reasons);

		printf("DAXPIN %s", st.chk.health == DAXPINCTL_CHECK_OK ? "OK" :
		       st.chk.health == DAXPINCTL_CHECK_WARNING ? "WARNING" :
		       "CRITICAL");
		for (i = 0; i < n; i++)
			printf("%s %s", i ? ";" : ":", json_object_get_string(
				json_object_array_get_idx(st.chk.reasons, i)));
		printf(" | waits=%" PRIu64 " stalled=%" PRIu64 "\n", st.chk.nr_waits,
		       st.chk.nr_stalled);
		json_object_put(pmem);
		json_object_put(dax_mounts);
		rc = DAXPINCTL_EXIT_OK;
	} else if (opts->json) {
		rc = print_json(&st, pmem, dax_mounts);
	} else {
		rc = print_text(&st, pmem, dax_mounts);
	}
	if (check)
		rc = rc == DAXPINCTL_EXIT_OK ? st.chk.health : DAXPINCTL_CHECK_UNKNOWN;

	status_check_fini(&st.chk);
	json_object_put(st.daemon);
	daxpin_stats_free(&st.stats);
	daxpin_mounts_free(&st.mnts);
	return rc;
}
