// SPDX-License-Identifier: GPL-2.0
/* daxpinctl bench gp | truncate */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "render.h"
#include "lib/daxpin-json.h"
#include "lib/daxpin-util.h"

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif

#define BENCH_GP_DEFAULT	20
#define BENCH_TRUNC_DEFAULT	100
#define BENCH_FILE_SIZE		(16 * 1024)

static const char usage[] =
	"daxpinctl bench gp [-n N] [--json] [-u]\n"
	"       daxpinctl bench truncate <dir-or-new-file> [-n N] [--json] [-u]";

static int bench_gp(struct daxpinctl_opts *opts, uint32_t n)
{
	struct render_opts ro = { .human = opts->human };
	struct daxpin_bench b;
	struct daxpin_ctx *ctx;
	struct json_object *o;
	int rc;

	rc = daxpinctl_open(opts, &ctx);
	if (rc)
		return rc;
	rc = daxpin_bench_gp(ctx, n, &b);
	if (rc) {
		rc = daxpinctl_error(opts, ctx, rc,
				     "benchmarking grace periods");
		goto out;
	}
	if (opts->json) {
		o = daxpin_bench_to_json(&b);
		if (o) {
			json_object_object_add(o, "bench",
					       json_object_new_string("gp"));
			json_object_object_add(o, "iterations",
					       json_object_new_int64(n));
		}
		rc = daxpinctl_print_json(opts, o);
	} else {
		render_bench(stdout, &b, &ro);
		rc = DAXPINCTL_EXIT_OK;
	}
	daxpin_bench_free(&b);
out:
	daxpin_close(ctx);
	return rc;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static bool is_dax(int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx))
		return false;
	return (stx.stx_attributes_mask & STATX_ATTR_DAX) &&
	       (stx.stx_attributes & STATX_ATTR_DAX);
}

/*
 * Create the scratch file: inside path when it is a directory, else at path
 * which must not exist (never overwrite a user's file). Returns the fd and
 * the name to unlink in name.
 */
static int open_scratch(const char *path, char *name, size_t len)
{
	struct stat st;
	int fd;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if ((size_t)snprintf(name, len, "%s/.daxpinctl-bench.XXXXXX",
				     path) >= len)
			return -ENAMETOOLONG;
		fd = mkostemp(name, O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	if ((size_t)snprintf(name, len, "%s", path) >= len)
		return -ENAMETOOLONG;
	fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	return fd < 0 ? -errno : fd;
}

static int bench_truncate(struct daxpinctl_opts *opts, const char *path,
			  uint32_t n)
{
	char name[PATH_MAX], buf[4096], t1[32], t2[32], t3[32], t4[32];
	struct render_opts ro = { .human = opts->human };
	uint64_t total = 0, min = UINT64_MAX, max = 0;
	long pg = sysconf(_SC_PAGESIZE);
	struct json_object *o;
	void *map = MAP_FAILED;
	int fd, rc = 0;
	bool dax;
	uint32_t i;

	if (pg <= 0 || pg > BENCH_FILE_SIZE / 2)
		pg = 4096;
	fd = open_scratch(path, name, sizeof(name));
	if (fd < 0) {
		if (fd == -EEXIST)
			fprintf(stderr, "daxpinctl bench: %s exists and is not a directory; give a directory or a new file name (it would be overwritten)\n",
				path);
		else
			daxpinctl_error(opts, NULL, fd,
					"creating a scratch file at %s", path);
		return fd == -EEXIST ? DAXPINCTL_EXIT_USAGE :
			daxpinctl_exit_code(fd);
	}
	dax = is_dax(fd);
	if (!dax)
		fprintf(stderr, "daxpinctl bench: warning: %s is not a DAX file; the numbers measure a page-cache truncate\n",
			name);

	memset(buf, 0xa5, sizeof(buf));
	if (ftruncate(fd, BENCH_FILE_SIZE)) {
		rc = daxpinctl_error(opts, NULL, -errno, "sizing %s", name);
		goto out;
	}
	map = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		rc = daxpinctl_error(opts, NULL, -errno, "mapping %s", name);
		goto out;
	}
	memset(map, 0x5a, pg);	/* fault the first page in */

	for (i = 0; i < n; i++) {
		uint64_t t0, d;

		/* allocate the last page again so the truncate has work */
		if (ftruncate(fd, BENCH_FILE_SIZE) ||
		    pwrite(fd, buf, (size_t)pg < sizeof(buf) ? (size_t)pg :
			   sizeof(buf), BENCH_FILE_SIZE - pg) < 0) {
			rc = daxpinctl_error(opts, NULL, -errno,
					     "writing %s", name);
			goto out;
		}
		t0 = now_ns();
		if (ftruncate(fd, BENCH_FILE_SIZE - pg)) {
			rc = daxpinctl_error(opts, NULL, -errno,
					     "truncating %s", name);
			goto out;
		}
		d = now_ns() - t0;
		total += d;
		if (d < min)
			min = d;
		if (d > max)
			max = d;
	}
	if (!n)
		min = 0;

	if (opts->json) {
		o = json_object_new_object();
		if (o) {
			json_object_object_add(o, "bench",
					json_object_new_string("truncate"));
			json_object_object_add(o, "path",
					json_object_new_string(name));
			json_object_object_add(o, "file_dax",
					json_object_new_boolean(dax));
			json_object_object_add(o, "iterations",
					json_object_new_int64(n));
			json_object_object_add(o, "total_ns",
					json_object_new_uint64(total));
			json_object_object_add(o, "per_call_ns",
					json_object_new_uint64(n ? total / n : 0));
			json_object_object_add(o, "min_ns",
					json_object_new_uint64(min));
			json_object_object_add(o, "max_ns",
					json_object_new_uint64(max));
		}
		rc = daxpinctl_print_json(opts, o);
	} else {
		printf("truncate of the last page, %u calls on %s%s:\n"
		       "  total %s, per call %s (min %s, max %s)%s\n",
		       n, name, dax ? " (DAX)" : " (not DAX)",
		       render_ns(t1, sizeof(t1), total, &ro),
		       render_ns(t2, sizeof(t2), n ? total / n : 0, &ro),
		       render_ns(t3, sizeof(t3), min, &ro),
		       render_ns(t4, sizeof(t4), max, &ro),
		       ro.human ? "" : " [ns]");
		rc = DAXPINCTL_EXIT_OK;
	}
out:
	if (map != MAP_FAILED)
		munmap(map, pg);
	close(fd);
	unlink(name);
	return rc;
}

int cmd_bench(int argc, char **argv, struct daxpinctl_opts *opts)
{
	static const struct option lo[] = {
		{ "iterations", required_argument, NULL, 'n' },
		{ 0 },
	};
	const char *sub;
	bool have_n = false;
	uint64_t n = 0;
	int c, rc;

	while ((c = daxpinctl_getopt(argc, argv, opts, usage, "n:", lo, -1,
				     &rc)) != -1) {
		if (daxpin_parse_u64(optarg, 1000000, &n) || n == 0)
			return daxpinctl_usage_error(opts, usage,
				"-n takes a count from 1 to 1000000, not '%s'",
				optarg);
		have_n = true;
	}
	if (rc)
		return rc < 0 ? 0 : rc;
	if (optind >= argc)
		return daxpinctl_usage_error(opts, usage,
				"missing benchmark: 'gp' or 'truncate'");
	sub = argv[optind++];
	if (strcmp(sub, "gp") == 0) {
		if (optind < argc)
			return daxpinctl_usage_error(opts, usage,
				"unexpected argument '%s'", argv[optind]);
		return bench_gp(opts, have_n ? (uint32_t)n : BENCH_GP_DEFAULT);
	}
	if (strcmp(sub, "truncate") == 0) {
		if (optind >= argc)
			return daxpinctl_usage_error(opts, usage,
				"bench truncate needs a directory or new file on a DAX filesystem");
		if (optind + 1 < argc)
			return daxpinctl_usage_error(opts, usage,
				"unexpected argument '%s'", argv[optind + 1]);
		return bench_truncate(opts, argv[optind],
				      have_n ? (uint32_t)n : BENCH_TRUNC_DEFAULT);
	}
	return daxpinctl_usage_error(opts, usage,
			"unknown benchmark '%s': 'gp' or 'truncate'", sub);
}
