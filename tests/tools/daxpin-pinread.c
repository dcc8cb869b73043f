// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin-pinread - pin filesystem-DAX pages for DMA, on purpose.
 *
 * Maps one or more files of a DAX mount MAP_SHARED into one contiguous
 * buffer, touches every page (a write fault, so that blocks are allocated
 * and the pages are really the DAX pages), then does a single O_DIRECT
 * read from a block device into the buffer.  For as long as that read is
 * in flight, the kernel holds an elevated page reference on the DAX pages,
 * and truncate / hole punch of the files has to wait in the filesystem's
 * break-layouts path.  The VM tests read from a suspended device-mapper
 * device: dm queues the read until the device is resumed, so the pages stay
 * pinned for exactly as long as the test wants.
 *
 * The read is asynchronous (Linux AIO, io_submit + io_getevents) unless
 * --sync is given: io_submit() returns once the bio is built and submitted,
 * i.e. once the pages are pinned, which the tool then says on stdout
 * (pin-queued): an exact handshake, where a task seen in state D might
 * still be taking mmap_lock or faulting in get_user_pages().  The task then
 * waits for the completion in io_getevents() (state S).  Both paths release
 * the pages with bio_release_pages() at completion.  With --sync the tool
 * does one pread(), sleeping uninterruptibly (state D; the block layer's
 * wait keeps the hung-task detector quiet, measured: 60 s held with a 20 s
 * hung_task_timeout_secs, no report, on 6.1).
 *
 * Output on stdout, one line each, flushed immediately:
 *
 *	pin-map <files> <buffer-bytes>
 *	pin-start <unix-ns>
 *	pin-queued <unix-ns>            (not with --sync)
 *	pin-dropped <unix-ns>           (--drop-files: mapping and fds gone)
 *	pin-end <unix-ns> <bytes-read>
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/aio_abi.h>
#include <linux/stat.h>
#include <time.h>
#include <unistd.h>

static const char *prog = "daxpin-pinread";

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif

struct pin_opts {
	const char *dev;
	uint64_t dev_offset;
	uint64_t offset;
	uint64_t length;	/* 0: up to the end of the buffer */
	uint64_t size;		/* 0: use each file's size */
	unsigned long count;	/* 0: files come from the command line */
	bool create;
	bool no_touch;
	bool any_fs;		/* do not insist on STATX_ATTR_DAX */
	bool sync;		/* pread() instead of io_submit() */
	bool drop;		/* unmap and close the files once queued */
};

/* What --drop-files lets go of once the read is queued. */
struct pin_files {
	char *buf;
	uint64_t total;
	int *fds;
	unsigned long nfiles;
};

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
"usage: %s --dev BLOCKDEV [options] FILE...\n"
"\n"
"Map FILE(s) of a DAX mount MAP_SHARED, consecutively, into one buffer,\n"
"touch every page, then read from BLOCKDEV into the buffer (O_DIRECT, Linux\n"
"AIO).  The DAX pages stay pinned for as long as the read is in flight (on a\n"
"suspended device-mapper device: until it is resumed).\n"
"\n"
"  -d, --dev DEV          block device to read from (O_DIRECT), required\n"
"  -D, --dev-offset OFF   device offset to read from (default 0)\n"
"  -o, --offset OFF       buffer offset the read lands at (default 0);\n"
"                         with one file this is the file offset\n"
"  -l, --length LEN       bytes to read (default: page size; 0 = to the end\n"
"                         of the buffer, i.e. across all files)\n"
"  -s, --size SIZE        map SIZE bytes of each file; with --create,\n"
"                         extend files shorter than SIZE (default: the\n"
"                         file's size, rounded up to the page size)\n"
"  -c, --create           create missing files (needs --size)\n"
"  -n, --count N          many-file mode: FILE is a prefix, the files are\n"
"                         FILE.0 ... FILE.<N-1>\n"
"  -T, --no-touch         do not write-fault the pages before the read\n"
"  -A, --any-fs           allow files that are not DAX (STATX_ATTR_DAX)\n"
"  -S, --sync             one blocking pread() (task in state D while the\n"
"                         read is held) instead of io_submit + io_getevents\n"
"  -U, --drop-files       once the read is queued (pin-queued), unmap the\n"
"                         files and close them: only the read's pin keeps\n"
"                         their pages, so unlinking a file evicts its inode\n"
"                         while the page is pinned; prints 'pin-dropped\n"
"                         <unix-ns>' (not with --sync)\n"
"  -C, --check-dax        only check that FILE(s) are DAX: print\n"
"                         'dax <yes|no> FILE' per file, exit 0 if all are\n"
"                         (--dev not needed)\n"
"  -h, --help             this text\n"
"\n"
"Numbers accept K, M, G suffixes (powers of 1024).  OFF and LEN must be\n"
"multiples of the device's logical block size.\n"
"\n"
"stdout: 'pin-map <files> <bytes>', 'pin-start <unix-ns>',\n"
"        'pin-queued <unix-ns>' once the read is submitted and the pages are\n"
"        pinned (not with --sync), 'pin-end <unix-ns> <bytes-read>'.  Exit 0 when all LEN bytes were\n"
"        read, 1 on any error (message on stderr).\n",
		prog);
}

static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'g': case 'G':
		v <<= 10;
		/* fallthrough */
	case 'm': case 'M':
		v <<= 10;
		/* fallthrough */
	case 'k': case 'K':
		v <<= 10;
		end++;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/* 1: DAX, 0: not DAX, -1: error (reported). */
static int file_is_dax(const char *path, int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) < 0) {
		err("%s: statx: %s", path, strerror(errno));
		return -1;
	}
	if (!(stx.stx_attributes_mask & STATX_ATTR_DAX)) {
		err("%s: kernel does not report STATX_ATTR_DAX", path);
		return -1;
	}
	return !!(stx.stx_attributes & STATX_ATTR_DAX);
}

static int check_dax(char **files, unsigned long nfiles)
{
	unsigned long i;
	int rc = 0, fd, dax;

	for (i = 0; i < nfiles; i++) {
		fd = open(files[i], O_RDONLY);
		if (fd < 0) {
			err("%s: open: %s", files[i], strerror(errno));
			rc = 1;
			continue;
		}
		dax = file_is_dax(files[i], fd);
		close(fd);
		if (dax < 0) {
			rc = 1;
			continue;
		}
		printf("dax %s %s\n", dax ? "yes" : "no", files[i]);
		if (!dax)
			rc = 1;
	}
	fflush(stdout);
	return rc;
}

/* Open (and maybe create/extend) one file; return its mapping length. */
static int open_file(const char *path, const struct pin_opts *o, uint64_t pgsz,
		     uint64_t *maplen)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | (o->create ? O_CREAT : 0), 0644);
	if (fd < 0) {
		err("%s: open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		err("%s: fstat: %s", path, strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		err("%s: not a regular file", path);
		goto out_close;
	}
	if (!o->any_fs && file_is_dax(path, fd) != 1) {
		err("%s: not a DAX file (mount with -o dax=always, or use --any-fs)",
		    path);
		goto out_close;
	}
	if (o->size) {
		if ((uint64_t)st.st_size < o->size) {
			if (!o->create) {
				err("%s: file is %lld bytes, shorter than --size %" PRIu64 " (use --create to extend)",
				    path, (long long)st.st_size, o->size);
				goto out_close;
			}
			if (ftruncate(fd, o->size) < 0) {
				err("%s: ftruncate to %" PRIu64 ": %s", path,
				    o->size, strerror(errno));
				goto out_close;
			}
		}
		*maplen = round_up(o->size, pgsz);
	} else {
		if (!st.st_size) {
			err("%s: file is empty (use --size)", path);
			goto out_close;
		}
		*maplen = round_up(st.st_size, pgsz);
	}
	return fd;

out_close:
	close(fd);
	return -1;
}

/*
 * One O_DIRECT read through Linux AIO.  For a block device io_submit()
 * builds and submits the bios itself (the pages are referenced before it
 * returns, and a suspended dm device queues them), so "pin-queued" printed
 * after it is an exact handshake.  Returns the bytes read or -errno.
 */
/* --drop-files: nothing of ours holds the files any more, only the pin. */
static void drop_files(struct pin_files *pf)
{
	unsigned long i;

	munmap(pf->buf, pf->total);
	pf->buf = MAP_FAILED;
	for (i = 0; i < pf->nfiles; i++) {
		if (pf->fds[i] >= 0)
			close(pf->fds[i]);
		pf->fds[i] = -1;
	}
	printf("pin-dropped %" PRIu64 "\n", now_ns());
	fflush(stdout);
}

static ssize_t read_aio(int fd, void *buf, uint64_t len, uint64_t off,
			struct pin_files *drop)
{
	aio_context_t ctx = 0;
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	long r;

	if (syscall(SYS_io_setup, 1, &ctx) < 0)
		return -errno;
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fd;
	cb.aio_lio_opcode = IOCB_CMD_PREAD;
	cb.aio_buf = (uintptr_t)buf;
	cb.aio_nbytes = len;
	cb.aio_offset = off;
	r = syscall(SYS_io_submit, ctx, 1, cbs);
	if (r != 1) {
		r = r < 0 ? -errno : -EIO;
		goto out;
	}
	printf("pin-queued %" PRIu64 "\n", now_ns());
	fflush(stdout);
	if (drop)
		drop_files(drop);
	do
		r = syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		r = -errno;
	else if (r != 1)
		r = -EIO;
	else
		r = ev.res;
out:
	syscall(SYS_io_destroy, ctx);
	return r;
}

static int pin(char **files, unsigned long nfiles, const struct pin_opts *o)
{
	uint64_t pgsz = sysconf(_SC_PAGESIZE);
	uint64_t *lens, total = 0, len, off;
	int *fds, devfd, rc = 1;
	unsigned long i;
	char *buf = MAP_FAILED;
	ssize_t n;

	fds = calloc(nfiles, sizeof(*fds));
	lens = calloc(nfiles, sizeof(*lens));
	if (!fds || !lens) {
		err("out of memory");
		goto out_free;
	}
	for (i = 0; i < nfiles; i++)
		fds[i] = -1;

	for (i = 0; i < nfiles; i++) {
		fds[i] = open_file(files[i], o, pgsz, &lens[i]);
		if (fds[i] < 0)
			goto out_close;
		total += lens[i];
	}

	/* Reserve one range, then place every file in it with MAP_FIXED. */
	buf = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		err("mmap reserve %" PRIu64 " bytes: %s", total, strerror(errno));
		goto out_close;
	}
	for (i = 0, off = 0; i < nfiles; off += lens[i], i++) {
		void *p = mmap(buf + off, lens[i], PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_FIXED, fds[i], 0);

		if (p == MAP_FAILED) {
			err("%s: mmap MAP_SHARED: %s", files[i], strerror(errno));
			goto out_unmap;
		}
	}

	if (!o->no_touch) {
		for (off = 0; off < total; off += pgsz)
			((volatile char *)buf)[off] = ((volatile char *)buf)[off];
	}

	len = o->length ? o->length : total - o->offset;
	if (o->offset >= total || len > total - o->offset) {
		err("read of %" PRIu64 " bytes at offset %" PRIu64 " does not fit the %" PRIu64 "-byte buffer",
		    len, o->offset, total);
		goto out_unmap;
	}

	devfd = open(o->dev, O_RDONLY | O_DIRECT);
	if (devfd < 0) {
		err("%s: open O_DIRECT: %s", o->dev, strerror(errno));
		goto out_unmap;
	}

	printf("pin-map %lu %" PRIu64 "\n", nfiles, total);
	printf("pin-start %" PRIu64 "\n", now_ns());
	fflush(stdout);

	if (o->sync) {
		n = pread(devfd, buf + o->offset, len, o->dev_offset);
		if (n < 0)
			n = -errno;
	} else {
		struct pin_files pf = { buf, total, fds, nfiles };

		n = read_aio(devfd, buf + o->offset, len, o->dev_offset,
			     o->drop ? &pf : NULL);
		buf = pf.buf;
	}
	if (n < 0) {
		err("%s: %s %" PRIu64 " bytes at %" PRIu64 ": %s", o->dev,
		    o->sync ? "pread" : "aio read", len, o->dev_offset,
		    strerror(-n));
		close(devfd);
		goto out_unmap;
	}
	printf("pin-end %" PRIu64 " %zd\n", now_ns(), n);
	fflush(stdout);
	close(devfd);

	if ((uint64_t)n != len)
		err("%s: short read: %zd of %" PRIu64 " bytes", o->dev, n, len);
	else
		rc = 0;

out_unmap:
	if (buf != MAP_FAILED)
		munmap(buf, total);
out_close:
	for (i = 0; i < nfiles; i++)
		if (fds[i] >= 0)
			close(fds[i]);
out_free:
	free(lens);
	free(fds);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dev",	required_argument, NULL, 'd' },
		{ "dev-offset",	required_argument, NULL, 'D' },
		{ "offset",	required_argument, NULL, 'o' },
		{ "length",	required_argument, NULL, 'l' },
		{ "size",	required_argument, NULL, 's' },
		{ "create",	no_argument,	   NULL, 'c' },
		{ "count",	required_argument, NULL, 'n' },
		{ "no-touch",	no_argument,	   NULL, 'T' },
		{ "any-fs",	no_argument,	   NULL, 'A' },
		{ "sync",	no_argument,	   NULL, 'S' },
		{ "check-dax",	no_argument,	   NULL, 'C' },
		{ "drop-files",	no_argument,	   NULL, 'U' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pin_opts o = { .length = sysconf(_SC_PAGESIZE) };
	char **files = NULL;
	unsigned long nfiles, i;
	uint64_t v;
	bool check = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "d:D:o:l:s:cn:TASCUh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'd':
			o.dev = optarg;
			break;
		case 'D':
		case 'o':
		case 'l':
		case 's':
		case 'n':
			if (parse_size(optarg, &v) < 0) {
				err("invalid number for -%c: '%s'", c, optarg);
				return 1;
			}
			if (c == 'D')
				o.dev_offset = v;
			else if (c == 'o')
				o.offset = v;
			else if (c == 'l')
				o.length = v;
			else if (c == 's')
				o.size = v;
			else
				o.count = v;
			break;
		case 'c':
			o.create = true;
			break;
		case 'T':
			o.no_touch = true;
			break;
		case 'A':
			o.any_fs = true;
			break;
		case 'S':
			o.sync = true;
			break;
		case 'C':
			check = true;
			break;
		case 'U':
			o.drop = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}

	if (optind >= argc) {
		err("no FILE given (see --help)");
		return 1;
	}
	if (check && !o.count)
		return check_dax(argv + optind, argc - optind);
	if (!o.dev && !check) {
		err("--dev BLOCKDEV is required (see --help)");
		return 1;
	}
	if (o.drop && o.sync) {
		err("--drop-files needs the asynchronous read (not --sync)");
		return 1;
	}
	if (o.create && !o.size) {
		err("--create needs --size");
		return 1;
	}

	if (o.count) {
		if (argc - optind != 1) {
			err("--count takes exactly one FILE prefix");
			return 1;
		}
		nfiles = o.count;
		files = calloc(nfiles, sizeof(*files));
		if (!files) {
			err("out of memory");
			return 1;
		}
		for (i = 0; i < nfiles; i++) {
			if (asprintf(&files[i], "%s.%lu", argv[optind], i) < 0) {
				err("out of memory");
				return 1;
			}
		}
	} else {
		nfiles = argc - optind;
		files = argv + optind;
	}

	rc = check ? check_dax(files, nfiles) : pin(files, nfiles, &o);

	if (o.count) {
		for (i = 0; i < nfiles; i++)
			free(files[i]);
		free(files);
	}
	return rc;
}
