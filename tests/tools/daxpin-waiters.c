// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin-waiters - start many truncates / hole punches at once.
 *
 * Forks one child per file; each child does truncate(FILE, 0) or a hole
 * punch of one range, then exits.  Much faster than spawning N truncate(1)
 * processes from a shell in a slow (TCG) guest.  The parent stays to
 * report how each child ended.
 *
 * Output on stdout, one line each, flushed immediately:
 *
 *	waiter <pid> <file>              (one per child, as forked)
 *	started <n>
 *	done <pid> exit <code>|signal <sig>   (as children end)
 *	all-done <exited-0> <other>
 *	returned <pid> <mono-ns> <0|errno>   (--stamp: from the child, the
 *	                                      moment its call returned)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *prog = "daxpin-waiters";

static void __attribute__((format(printf, 1, 2))) err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: %s [--punch OFF,LEN] FILE...\n"
"       %s [--punch OFF,LEN] --count N PREFIX\n"
"\n"
"Fork one child per FILE (or per PREFIX.0 ... PREFIX.<N-1>) that truncates\n"
"it to 0 (default) or punches a hole, and report how each child ended.\n"
"\n"
"  -p, --punch OFF,LEN   fallocate(PUNCH_HOLE|KEEP_SIZE) instead of truncate\n"
"  -n, --count N         files are PREFIX.0 ... PREFIX.<N-1>\n"
"  -s, --stamp           each child prints 'returned <pid> <ns> <errno>' as\n"
"                        its call returns (CLOCK_MONOTONIC)\n"
"  -h, --help            this text\n"
"\n"
"stdout: 'waiter <pid> <file>' per child, 'started <n>', 'done <pid> exit\n"
"<code>' or 'done <pid> signal <sig>' per child, 'all-done <ok> <other>'.\n"
"A child exits 0 on success, 1 on error (message on stderr).  Exit 0 when\n"
"all children were started.\n",
		prog, prog);
}

static int stamp;

/* One write(2) per line: the children share the parent's stdout. */
static void stamp_return(int e)
{
	struct timespec ts;
	char line[96];
	int n;

	if (!stamp)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = snprintf(line, sizeof(line), "returned %d %lld %d\n", (int)getpid(),
		     (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, e);
	if (write(STDOUT_FILENO, line, (size_t)n) < 0)
		_exit(1);
}

static int child(const char *path, int punch, off_t off, off_t len)
{
	int fd, r, e;

	if (!punch) {
		r = truncate(path, 0);
		e = r < 0 ? errno : 0;
		stamp_return(e);
		if (r < 0) {
			err("%s: truncate: %s", path, strerror(e));
			return 1;
		}
		return 0;
	}
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		err("%s: open: %s", path, strerror(errno));
		return 1;
	}
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off,
		      len) < 0) {
		err("%s: fallocate punch %lld+%lld: %s", path, (long long)off,
		    (long long)len, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "punch",	required_argument, NULL, 'p' },
		{ "count",	required_argument, NULL, 'n' },
		{ "stamp",	no_argument,	   NULL, 's' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long count = 0, n, i, ok = 0, other = 0, started = 0;
	long long off = 0, len = 0;
	int c, punch = 0, status;
	char *name = NULL;
	pid_t pid;

	while ((c = getopt_long(argc, argv, "p:n:sh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (sscanf(optarg, "%lli,%lli", &off, &len) != 2 ||
			    off < 0 || len <= 0) {
				err("--punch needs OFF,LEN, not '%s'", optarg);
				return 1;
			}
			punch = 1;
			break;
		case 'n':
			count = strtoul(optarg, NULL, 0);
			if (!count) {
				err("--count needs a positive number");
				return 1;
			}
			break;
		case 's':
			stamp = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind >= argc || (count && argc - optind != 1)) {
		usage(stderr);
		return 1;
	}
	n = count ? count : (unsigned long)(argc - optind);

	/* Children inherit nothing buffered. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < n; i++) {
		if (count) {
			free(name);
			if (asprintf(&name, "%s.%lu", argv[optind], i) < 0) {
				err("out of memory");
				break;
			}
		} else {
			name = argv[optind + i];
		}
		pid = fork();
		if (pid < 0) {
			err("fork: %s", strerror(errno));
			break;
		}
		if (!pid)
			_exit(child(name, punch, off, len));
		printf("waiter %d %s\n", (int)pid, name);
		started++;
		if (!count)
			name = NULL;
	}
	if (count)
		free(name);
	printf("started %lu\n", started);

	while ((pid = wait(&status)) > 0) {
		if (WIFEXITED(status)) {
			printf("done %d exit %d\n", (int)pid, WEXITSTATUS(status));
			if (!WEXITSTATUS(status)) {
				ok++;
				continue;
			}
		} else {
			printf("done %d signal %d\n", (int)pid, WTERMSIG(status));
		}
		other++;
	}
	printf("all-done %lu %lu\n", ok, other);
	return started == n ? 0 : 1;
}
