// SPDX-License-Identifier: GPL-2.0
/* daxpinctl monitor: follow the "events" multicast group */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "builtin.h"
#include "render.h"
#include "lib/daxpin-json.h"
#include "lib/daxpin-text.h"
#include "lib/daxpin-util.h"

static volatile sig_atomic_t monitor_stop;

static void on_signal(int sig)
{
	monitor_stop = 1;
}

struct monitor {
	struct daxpinctl_opts *opts;
	struct render_opts ro;
	struct daxpin_mounts mnts;
	uint64_t count;		/* stop after this many events, 0 = never */
	uint64_t seen;
	bool resync;
	bool follow;		/* false: print the current waits and exit */
	bool filter;		/* only waits on this device: */
	unsigned int major, minor;
};

/* --mount PATH: the filesystem holding PATH */
static int filter_mount(struct monitor *m, const char *usage, const char *arg)
{
	struct stat sb;

	if (stat(arg, &sb))
		return daxpinctl_usage_error(m->opts, usage,
				"--mount '%s': %s", arg, strerror(errno));
	m->major = major(sb.st_dev);
	m->minor = minor(sb.st_dev);
	return 0;
}

/* --dev MAJ:MIN, /dev/NAME or NAME: a block device */
static int filter_dev(struct monitor *m, const char *usage, const char *arg)
{
	char path[256], end;
	struct stat sb;

	if (sscanf(arg, "%u:%u%c", &m->major, &m->minor, &end) == 2)
		return 0;
	snprintf(path, sizeof(path), "%s%s", strchr(arg, '/') ? "" : "/dev/",
		 arg);
	if (stat(path, &sb))
		return daxpinctl_usage_error(m->opts, usage,
				"--dev '%s': %s", path, strerror(errno));
	if (!S_ISBLK(sb.st_mode))
		return daxpinctl_usage_error(m->opts, usage,
				"--dev '%s' is not a block device", path);
	m->major = major(sb.st_rdev);
	m->minor = minor(sb.st_rdev);
	return 0;
}

static bool wait_wanted(const struct monitor *m, const struct daxpin_wait *w)
{
	return !m->filter ||
	       (w->dev_major == m->major && w->dev_minor == m->minor);
}

/* JSON lines: one compact document per line, whatever --json said */
#define JSONL_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static int print_jsonl(struct json_object *o)
{
	char *s;

	if (!o)
		return -ENOMEM;
	s = daxpin_json_dumps(o, JSONL_FLAGS);	/* valid UTF-8 */
	json_object_put(o);
	if (!s)
		return -ENOMEM;
	printf("%s\n", s);
	free(s);
	return 0;
}

static int on_event(const struct daxpin_event *ev, void *arg)
{
	struct monitor *m = arg;

	if (ev->type == DAXPIN_EVENT_OVERRUN)
		m->resync = true;
	else if (ev->has_wait && !wait_wanted(m, &ev->wait))
		return 0;
	if (m->opts->json) {
		if (print_jsonl(daxpin_event_to_json(ev, &m->mnts)))
			return -ENOMEM;
	} else if (ev->type == DAXPIN_EVENT_OVERRUN && ev->has_dropped) {
		/* daxpin.ko's record: it, not the socket, lost events */
		printf("[%6" PRIu64 ".%06" PRIu64 "] -- overrun: daxpin.ko dropped events "
		       "(%" PRIu64 " so far), resynchronising --\n",
		       ev->time_ns / 1000000000, (ev->time_ns % 1000000000) / 1000, ev->dropped);
	} else {
		render_event(stdout, ev, &m->mnts, &m->ro);
	}
	fflush(stdout);
	if (ev->type != DAXPIN_EVENT_OVERRUN && m->count &&
	    ++m->seen >= m->count)
		return 1;	/* stop */
	return 0;
}

static void reload_mounts(struct monitor *m)
{
	daxpin_mounts_free(&m->mnts);
	if (daxpin_mounts_load(&m->mnts, NULL))
		memset(&m->mnts, 0, sizeof(m->mnts));
}

/* compact waits[] to those the filter keeps; returns their number */
static size_t keep_wanted(const struct monitor *m, struct daxpin_wait *waits,
			  size_t nr)
{
	size_t i, n = 0;

	for (i = 0; i < nr; i++)
		if (wait_wanted(m, &waits[i]))
			waits[n++] = waits[i];
	return n;
}

/* after lost events: dump the waits so the reader has the full state */
static int resync(struct monitor *m, struct daxpin_ctx *ctx)
{
	struct daxpin_waits w;
	struct json_object *o;
	int rc;

	m->resync = false;
	reload_mounts(m);
	rc = daxpin_get_waits(ctx, &w);
	if (rc)
		return daxpinctl_error(m->opts, ctx, rc,
				       "resynchronising after an overrun");
	w.nr = keep_wanted(m, w.waits, w.nr);
	if (m->opts->json) {
		o = daxpin_waits_to_json(&w, &m->mnts);
		if (o)
			json_object_object_add(o, "event",
					       json_object_new_string("resync"));
		rc = print_jsonl(o);
	} else {
		printf("-- resync: %zu wait%s in flight --\n", w.nr,
		       w.nr == 1 ? "" : "s");
		if (w.nr)
			render_waits(stdout, &w, &m->mnts, &m->ro);
		printf("-- end of resync --\n");
	}
	fflush(stdout);
	daxpin_waits_free(&w);
	return rc ? DAXPINCTL_EXIT_FAIL : 0;
}

int cmd_monitor(int argc, char **argv, struct daxpinctl_opts *opts)
{
	static const char usage[] =
		"daxpinctl monitor [--mount PATH|--dev DEV] [-s|--snapshot] "
		"[-c|--count N] [--follow|--no-follow] [--json] [-u]";
	static const struct option lo[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "snapshot", no_argument, NULL, 's' },
		{ "mount", required_argument, NULL, 'm' },
		{ "dev", required_argument, NULL, 'd' },
		{ "follow", no_argument, NULL, 'f' },
		{ "no-follow", no_argument, NULL, 'F' },
		{ 0 },
	};
	struct monitor m = { .opts = opts, .follow = true };
	struct sigaction sa = { .sa_handler = on_signal };
	struct daxpin_ctx *ctx;
	struct pollfd pfd;
	unsigned int bad;
	int c, rc;

	while ((c = daxpinctl_getopt(argc, argv, opts, usage, "c:sf", lo, 0,
				     &rc)) != -1) {
		switch (c) {
		case 's':
			m.resync = true;	/* start with the current waits */
			break;
		case 'c':
			if (daxpin_parse_u64(optarg, UINT64_MAX, &m.count) ||
			    !m.count)
				return daxpinctl_usage_error(opts, usage,
					"--count takes a positive number, not '%s'",
					optarg);
			break;
		case 'm':
		case 'd':
			if (m.filter)
				return daxpinctl_usage_error(opts, usage,
					"give one --mount or --dev");
			m.filter = true;
			rc = c == 'm' ? filter_mount(&m, usage, optarg) :
					filter_dev(&m, usage, optarg);
			if (rc)
				return rc;
			break;
		case 'f':
		case 'F':
			m.follow = c == 'f';
			break;
		}
	}
	if (rc)
		return rc < 0 ? 0 : rc;
	if (!m.follow) {
		if (m.resync || m.count)
			return daxpinctl_usage_error(opts, usage,
				"--no-follow prints the current waits: it takes no --snapshot or --count");
		m.resync = true;
	}
	m.ro.human = opts->human;

	rc = daxpinctl_open(opts, &ctx);
	if (rc)
		return rc;
	if (!m.follow) {
		/* the current waits only: no events to subscribe to */
		rc = resync(&m, ctx);
		goto out;
	}
	rc = daxpin_events_subscribe(ctx);
	if (rc < 0) {
		rc = daxpinctl_error(opts, ctx, rc,
				     "subscribing to daxpin events");
		goto out;
	}
	pfd.fd = rc;
	pfd.events = POLLIN;
	if (!m.resync)
		reload_mounts(&m);	/* resync() loads them itself */

	/* no SA_RESTART: let poll() return on ^C */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	rc = DAXPINCTL_EXIT_OK;
	/* subscribed first, so no event between the snapshot and the stream is lost */
	if (m.resync) {
		rc = resync(&m, ctx);
		if (rc)
			goto out;
	}
	while (!monitor_stop) {
		int n = poll(&pfd, 1, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = daxpinctl_error(opts, NULL, -errno,
					     "waiting for events");
			break;
		}
		n = daxpin_events_read(ctx, on_event, &m, &bad);
		if (bad)
			fprintf(stderr, "daxpinctl monitor: skipped %u malformed event message%s\n",
				bad, bad == 1 ? "" : "s");
		if (n < 0) {
			rc = daxpinctl_error(opts, ctx, n, "reading events");
			break;
		}
		if (m.resync) {
			rc = resync(&m, ctx);
			if (rc)
				break;
		}
		if (m.count && m.seen >= m.count)
			break;
	}
out:
	daxpin_mounts_free(&m.mnts);
	daxpin_close(ctx);
	return rc;
}
