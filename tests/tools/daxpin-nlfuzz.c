// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin-nlfuzz - send random generic-netlink requests to the daxpin family.
 *
 * Plain AF_NETLINK / NETLINK_GENERIC sockets, no libnl.  The family id is
 * resolved with CTRL_CMD_GETFAMILY.  Every run is reproducible from its
 * seed: the same seed sends the same byte streams (wait ids learnt from
 * replies aside).
 *
 * Requests: every command 0..DAXPIN_CMD_MAX and a few beyond it, with and
 * without NLM_F_DUMP and NLM_F_ACK, random attribute streams (valid ones,
 * wrong lengths, nested garbage, NLA_F_NESTED / NLA_F_NET_BYTEORDER games,
 * huge ids, overlong unterminated strings, bad nla_len), truncated or
 * overlong headers, several messages in one datagram, random fds for SCAN
 * (the files given with --file opened read-only, write-only, O_PATH and
 * read-write, a directory, a pipe, the socket itself, closed numbers),
 * dumps abandoned by closing the socket, events-group joins.
 *
 * Requests are handled synchronously in sendmsg(), so every reply of a
 * request is queued when sendmsg() returns; dumps continue on each recv().
 * The tool drains without blocking and only blocks (SO_RCVTIMEO, --timeout)
 * while a dump has not ended: it never hangs.
 *
 * BENCH_GP sleeps for grace periods: at most --bench-max (default 2) well
 * formed ones with --bench-iters (default 1) iterations are sent; every
 * other BENCH_GP request carries an out-of-range iteration count, which the
 * policy rejects before the handler runs.
 *
 * SET_CONFIG is fuzzed too; --restore-config reads the configuration first
 * and writes it back at the end.
 *
 * Modes:
 *   default      --count N random requests, summary on stdout
 *   --valid      only well-formed requests of --cmds (load generator for
 *                load/unload races; with --persist it waits for the family
 *                to come back after rmmod and goes on)
 *   --scan-fd-mode MODE FILE
 *                open FILE (rdonly, wronly, rdwr, path), send one SCAN
 *                (as a dump; as a plain request if the module has no SCAN
 *                dump) and print one line: result, pages, pages with a pfn
 *
 * Checks (violations are printed and make the exit status 1):
 *   --unpriv     admin commands (RESET_STATS, SET_CONFIG, KICK, BENCH_GP)
 *                must never be answered positively, joining the events
 *                group must fail, and (unless --no-target-checks) no reply
 *                may carry a pfn or a path
 *   --reads-refused
 *                reads (GET_WAITS, GET_STATS, GET_CONFIG, SCAN) must be
 *                refused as well (open_reads=0)
 *   always (unless --no-target-checks): no event carries a pfn
 *
 * Exit: 0 ok, 1 violations, 2 usage or setup error, 3 family not found.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/daxpin.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif

static const char *prog = "daxpin-nlfuzz";

#define BUF_SIZE	(1 << 20)
#define REQ_SIZE	(64 * 1024)
#define MAX_FDS		64
#define MAX_IDS		256
#define MAX_EXTACK	48
#define ERRNO_SLOTS	600
#define CMD_SLOTS	256

enum {
	CMD_BIT_WAITS	= 1 << DAXPIN_CMD_GET_WAITS,
	CMD_BIT_STATS	= 1 << DAXPIN_CMD_GET_STATS,
	CMD_BIT_RESET	= 1 << DAXPIN_CMD_RESET_STATS,
	CMD_BIT_CONFIG	= 1 << DAXPIN_CMD_GET_CONFIG,
	CMD_BIT_SETCFG	= 1 << DAXPIN_CMD_SET_CONFIG,
	CMD_BIT_KICK	= 1 << DAXPIN_CMD_KICK,
	CMD_BIT_SCAN	= 1 << DAXPIN_CMD_SCAN,
	CMD_BIT_BENCH	= 1 << DAXPIN_CMD_BENCH_GP,
};

static const char * const cmd_names[] = {
	[DAXPIN_CMD_UNSPEC]		= "unspec",
	[DAXPIN_CMD_GET_WAITS]		= "waits",
	[DAXPIN_CMD_GET_STATS]		= "stats",
	[DAXPIN_CMD_RESET_STATS]	= "reset",
	[DAXPIN_CMD_GET_CONFIG]		= "config",
	[DAXPIN_CMD_SET_CONFIG]		= "setconfig",
	[DAXPIN_CMD_KICK]		= "kick",
	[DAXPIN_CMD_SCAN]		= "scan",
	[DAXPIN_CMD_BENCH_GP]		= "bench",
	[DAXPIN_CMD_EVENT]		= "event",
};

struct opts {
	uint64_t seed;
	unsigned long count;		/* 0 with --persist: until SIGTERM */
	unsigned long bench_max;
	uint32_t bench_iters;
	unsigned int timeout_ms;
	unsigned int cmds;		/* --valid: bit per command */
	bool unpriv;
	bool reads_refused;
	bool target_checks;
	bool valid;
	bool persist;
	bool restore_config;
	bool verbose;
	const char *files[8];
	unsigned int nr_files;
	const char *scan_mode;
	const char *scan_file;
};

struct stats {
	unsigned long sent;
	unsigned long send_err;
	unsigned long acks;		/* NLMSG_ERROR with error 0 */
	unsigned long replies;		/* family messages for our request */
	unsigned long dump_msgs;	/* of which NLM_F_MULTI */
	unsigned long dump_done;
	unsigned long no_reply;
	unsigned long timeouts;
	unsigned long events;
	unsigned long stray;
	unsigned long abandoned;
	unsigned long joins_ok;
	unsigned long joins_refused;
	unsigned long benches;
	unsigned long resolves;
	unsigned long absent;		/* family not registered (--persist) */
	unsigned long violations;
	unsigned long err[ERRNO_SLOTS];
	unsigned long per_cmd[CMD_SLOTS];
	unsigned long per_cmd_ok[CMD_SLOTS];
	char *extack[MAX_EXTACK];
	unsigned long extack_n[MAX_EXTACK];
};

/* What the last request got back. */
struct result {
	int error;			/* first NLMSG_ERROR / DONE error, 0 */
	bool positive;			/* a reply, an ack or a DONE without error */
	bool got_any;
	unsigned int pages;
	unsigned int pages_pfn;
	unsigned int waits;
	unsigned int waits_pfn;
	unsigned int waits_path;
	uint64_t entries;
	bool has_entries;
	char msg[256];
};

static struct opts opt = {
	.seed = 1,
	.count = 1000,
	.bench_max = 2,
	.bench_iters = 1,
	.timeout_ms = 2000,
	.target_checks = true,
};
static struct stats st;
static volatile sig_atomic_t stop;
static int sock = -1;
static uint16_t family;
static uint32_t events_grp;
static uint32_t seq = 1;
static unsigned char *rbuf;
static unsigned char *req;
static int fds[MAX_FDS];
static unsigned int nr_fds;
static uint64_t ids[MAX_IDS];
static unsigned int nr_ids;
static bool scan_is_doit;	/* the module has no SCAN dump (old contract) */

static void __attribute__((format(printf, 1, 2))) err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void __attribute__((format(printf, 1, 2))) violation(const char *fmt, ...)
{
	va_list ap;

	st.violations++;
	if (st.violations > 20)
		return;
	printf("VIOLATION (request %lu, seq %u): ", st.sent, seq);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* splitmix64: small, good enough, and the same everywhere. */
static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0 .. n-1 */
static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

static bool chance(unsigned int percent)
{
	return rnd(100) < percent;
}

static const char *cmd_name(unsigned int cmd)
{
	static char buf[16];

	if (cmd < sizeof(cmd_names) / sizeof(cmd_names[0]))
		return cmd_names[cmd];
	snprintf(buf, sizeof(buf), "cmd%u", cmd);
	return buf;
}

static bool is_admin_cmd(unsigned int cmd)
{
	return cmd == DAXPIN_CMD_RESET_STATS || cmd == DAXPIN_CMD_SET_CONFIG ||
	       cmd == DAXPIN_CMD_KICK || cmd == DAXPIN_CMD_BENCH_GP;
}

static bool is_read_cmd(unsigned int cmd)
{
	return cmd == DAXPIN_CMD_GET_WAITS || cmd == DAXPIN_CMD_GET_STATS ||
	       cmd == DAXPIN_CMD_GET_CONFIG || cmd == DAXPIN_CMD_SCAN;
}

static void on_signal(int sig)
{
	stop = 1;
}

/* ---- socket ---------------------------------------------------------- */

static int sock_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = {
		.tv_sec = opt.timeout_ms / 1000,
		.tv_usec = (opt.timeout_ms % 1000) * 1000,
	};
	int one = 1, s;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s < 0) {
		err("socket: %s", strerror(errno));
		return -1;
	}
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err("bind: %s", strerror(errno));
		close(s);
		return -1;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* Optional: older kernels lack them, the tool works without. */
	setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(s, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return s;
}

static int sock_reopen(void)
{
	if (sock >= 0)
		close(sock);
	sock = sock_open();
	return sock < 0 ? -1 : 0;
}

static int send_raw(const void *buf, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(sock, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/* ---- message building ------------------------------------------------ */

struct msg {
	unsigned char *buf;
	size_t len;
	size_t cap;
};

static void *msg_put(struct msg *m, const void *data, size_t len)
{
	void *p;

	if (m->len + NLA_ALIGN(len) > m->cap)
		return NULL;
	p = m->buf + m->len;
	if (data)
		memcpy(p, data, len);
	else
		memset(p, 0, len);
	memset((unsigned char *)p + len, 0, NLA_ALIGN(len) - len);
	m->len += NLA_ALIGN(len);
	return p;
}

static struct nlattr *attr_put(struct msg *m, uint16_t type, const void *data,
			       size_t len)
{
	struct nlattr *a;

	if (m->len + NLA_HDRLEN + NLA_ALIGN(len) > m->cap)
		return NULL;
	a = (struct nlattr *)(m->buf + m->len);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	m->len += NLA_HDRLEN;
	msg_put(m, data, len);
	return a;
}

static void attr_u8(struct msg *m, uint16_t type, uint8_t v)
{
	attr_put(m, type, &v, sizeof(v));
}

static void attr_u32(struct msg *m, uint16_t type, uint32_t v)
{
	attr_put(m, type, &v, sizeof(v));
}

static void attr_u64(struct msg *m, uint16_t type, uint64_t v)
{
	attr_put(m, type, &v, sizeof(v));
}

static size_t nest_start(struct msg *m, uint16_t type)
{
	size_t off = m->len;

	attr_put(m, type | NLA_F_NESTED, NULL, 0);
	return off;
}

static void nest_end(struct msg *m, size_t off)
{
	struct nlattr *a = (struct nlattr *)(m->buf + off);

	if (off + NLA_HDRLEN <= m->len)
		a->nla_len = m->len - off;
}

static void hdr_start(struct msg *m, uint16_t type, uint16_t flags,
		      uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(m->buf + m->len);
	struct genlmsghdr g = { .cmd = cmd, .version = version };

	msg_put(m, NULL, NLMSG_HDRLEN);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = 0;
	msg_put(m, &g, GENL_HDRLEN);
}

/* Set nlmsg_len of the message starting at @off to the end of @m. */
static void hdr_end(struct msg *m, size_t off)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(m->buf + off);

	nlh->nlmsg_len = m->len - off;
}

/* ---- reply parsing --------------------------------------------------- */

/* NLMSG_OK/NLMSG_NEXT without the unsigned wrap of a short last message. */
static bool msg_ok(const struct nlmsghdr *nlh, ssize_t len)
{
	return len >= (ssize_t)NLMSG_HDRLEN &&
	       nlh->nlmsg_len >= NLMSG_HDRLEN &&
	       (ssize_t)nlh->nlmsg_len <= len;
}

static struct nlmsghdr *msg_next(const struct nlmsghdr *nlh, ssize_t *len)
{
	*len -= NLMSG_ALIGN(nlh->nlmsg_len);
	return (struct nlmsghdr *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));
}

static void note_errno(int e)
{
	if (e < 0)
		e = -e;
	if (e >= ERRNO_SLOTS)
		e = ERRNO_SLOTS - 1;
	st.err[e]++;
}

static void note_extack(const char *s)
{
	unsigned int i;

	for (i = 0; i < MAX_EXTACK && st.extack[i]; i++) {
		if (!strcmp(st.extack[i], s)) {
			st.extack_n[i]++;
			return;
		}
	}
	if (i < MAX_EXTACK) {
		st.extack[i] = strdup(s);
		st.extack_n[i] = 1;
	}
}

#define for_each_attr(a, start, len)					\
	for ((a) = (const struct nlattr *)(start);			\
	     (len) >= (int)NLA_HDRLEN && (a)->nla_len >= NLA_HDRLEN &&	\
	     (a)->nla_len <= (len);					\
	     (len) -= NLA_ALIGN((a)->nla_len),				\
	     (a) = (const struct nlattr *)((const char *)(a) +		\
					   NLA_ALIGN((a)->nla_len)))

static uint16_t attr_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static const void *attr_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static int attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static uint64_t attr_get_u64(const struct nlattr *a)
{
	uint64_t v = 0;

	memcpy(&v, attr_data(a), attr_len(a) < 8 ? attr_len(a) : 8);
	return v;
}

/* A wait nest: learn its id, look for pfn and path. */
static void parse_wait(const struct nlattr *nest, struct result *r,
		       bool in_event)
{
	const struct nlattr *a;
	int len = attr_len(nest);
	bool pfn = false, path = false;

	for_each_attr(a, attr_data(nest), len) {
		switch (attr_type(a)) {
		case DAXPIN_WAIT_ATTR_ID:
			if (!in_event && nr_ids < MAX_IDS)
				ids[nr_ids++] = attr_get_u64(a);
			break;
		case DAXPIN_WAIT_ATTR_PFN:
			pfn = true;
			break;
		case DAXPIN_WAIT_ATTR_PATH:
			path = true;
			break;
		}
	}
	if (in_event) {
		if (pfn && opt.target_checks)
			violation("an event carries a pfn");
		return;
	}
	r->waits++;
	r->waits_pfn += pfn;
	r->waits_path += path;
}

static void parse_page(const struct nlattr *nest, struct result *r)
{
	const struct nlattr *a;
	int len = attr_len(nest);

	r->pages++;
	for_each_attr(a, attr_data(nest), len)
		if (attr_type(a) == DAXPIN_PAGE_ATTR_PFN)
			r->pages_pfn++;
}

static void parse_family_msg(const struct nlmsghdr *nlh, struct result *r)
{
	const struct genlmsghdr *g = NLMSG_DATA(nlh);
	const struct nlattr *a, *b;
	int len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	int blen;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return;
	for_each_attr(a, (const char *)g + GENL_HDRLEN, len) {
		switch (attr_type(a)) {
		case DAXPIN_ATTR_WAIT:
			parse_wait(a, r, false);
			break;
		case DAXPIN_ATTR_SCAN_PAGE:
			parse_page(a, r);
			break;
		case DAXPIN_ATTR_SCAN_ENTRIES:
			r->entries = attr_get_u64(a);
			r->has_entries = true;
			break;
		case DAXPIN_ATTR_EVENT:
			blen = attr_len(a);
			for_each_attr(b, attr_data(a), blen)
				if (attr_type(b) == DAXPIN_EVENT_ATTR_WAIT)
					parse_wait(b, r, true);
			break;
		}
	}
}

static void parse_error(const struct nlmsghdr *nlh, struct result *r)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	const struct nlattr *a;
	size_t off;
	int len;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
		return;
	if (e->error == 0) {
		st.acks++;
		r->positive = true;
		return;
	}
	note_errno(e->error);
	if (!r->error)
		r->error = -e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	if (NLMSG_HDRLEN + off >= nlh->nlmsg_len)
		return;
	len = nlh->nlmsg_len - NLMSG_HDRLEN - off;
	for_each_attr(a, (const char *)NLMSG_DATA(nlh) + off, len) {
		if (attr_type(a) == NLMSGERR_ATTR_MSG && attr_len(a) > 0) {
			char s[256];
			int n = attr_len(a) < 255 ? attr_len(a) : 255;

			memcpy(s, attr_data(a), n);
			s[n] = 0;
			note_extack(s);
			if (!r->msg[0])
				snprintf(r->msg, sizeof(r->msg), "%s", s);
		}
	}
}

/*
 * Read what one request (sequence @myseq) produced.  Returns 0, or -1 on a
 * socket error that needs a new socket.
 */
static int drain(uint32_t myseq, struct result *r)
{
	bool dump_open = false, done = false;
	int flags = MSG_DONTWAIT;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	while (!done) {
		n = recv(sock, rbuf, BUF_SIZE, flags | MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR && !stop)
				continue;
			if ((errno == EAGAIN || errno == EWOULDBLOCK) &&
			    flags == MSG_DONTWAIT && dump_open && !stop) {
				flags = 0;	/* block, up to SO_RCVTIMEO */
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (dump_open)
					st.timeouts++;
				break;
			}
			if (errno == EINTR)
				return -1;
			/* ENOBUFS (events overran us), ... */
			note_errno(errno);
			return -1;
		}
		flags = MSG_DONTWAIT;
		if (n > BUF_SIZE) {
			err("reply of %zd bytes truncated", n);
			n = BUF_SIZE;
		}
		for (struct nlmsghdr *nlh = (struct nlmsghdr *)rbuf;
		     msg_ok(nlh, n); nlh = msg_next(nlh, &n)) {
			if (nlh->nlmsg_pid == 0 && nlh->nlmsg_seq == 0 &&
			    nlh->nlmsg_type == family) {
				st.events++;
				parse_family_msg(nlh, r);
				continue;
			}
			if (nlh->nlmsg_seq != myseq) {
				st.stray++;
				continue;
			}
			r->got_any = true;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				parse_error(nlh, r);
				done = true;
				continue;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int e = 0;

				if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
					memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
				st.dump_done++;
				if (e) {
					note_errno(e);
					if (!r->error)
						r->error = e < 0 ? -e : e;
				} else {
					r->positive = true;
				}
				dump_open = false;
				/* An ack may follow a dump. */
				continue;
			}
			if (nlh->nlmsg_type == family) {
				st.replies++;
				r->positive = true;
				if (nlh->nlmsg_flags & NLM_F_MULTI) {
					st.dump_msgs++;
					dump_open = true;
				}
				parse_family_msg(nlh, r);
				continue;
			}
			st.stray++;
		}
	}
	if (!r->got_any)
		st.no_reply++;
	return 0;
}

/* ---- family ---------------------------------------------------------- */

static int resolve_family(void)
{
	unsigned char buf[256];
	struct msg m = { .buf = buf, .cap = sizeof(buf) };
	struct nlmsghdr *nlh;
	const struct nlattr *a, *g, *f;
	uint32_t myseq = ++seq;
	ssize_t n;
	int len, glen, flen, ret;

	st.resolves++;
	hdr_start(&m, GENL_ID_CTRL, NLM_F_REQUEST, CTRL_CMD_GETFAMILY, 1);
	attr_put(&m, CTRL_ATTR_FAMILY_NAME, DAXPIN_GENL_NAME,
		 sizeof(DAXPIN_GENL_NAME));
	hdr_end(&m, 0);
	ret = send_raw(buf, m.len);
	if (ret)
		return ret;
	for (;;) {
		n = recv(sock, rbuf, BUF_SIZE, 0);
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		for (nlh = (struct nlmsghdr *)rbuf; msg_ok(nlh, n);
		     nlh = msg_next(nlh, &n)) {
			if (nlh->nlmsg_seq != myseq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);

				return e->error ? e->error : -EPROTO;
			}
			if (nlh->nlmsg_type != GENL_ID_CTRL)
				continue;
			len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
			family = 0;
			events_grp = 0;
			for_each_attr(a, (char *)NLMSG_DATA(nlh) + GENL_HDRLEN, len) {
				if (attr_type(a) == CTRL_ATTR_FAMILY_ID)
					memcpy(&family, attr_data(a), 2);
				if (attr_type(a) != CTRL_ATTR_MCAST_GROUPS)
					continue;
				glen = attr_len(a);
				for_each_attr(g, attr_data(a), glen) {
					uint32_t id = 0;
					bool ev = false;

					flen = attr_len(g);
					for_each_attr(f, attr_data(g), flen) {
						if (attr_type(f) == CTRL_ATTR_MCAST_GRP_ID)
							memcpy(&id, attr_data(f), 4);
						if (attr_type(f) == CTRL_ATTR_MCAST_GRP_NAME &&
						    !strcmp(attr_data(f), DAXPIN_MCGRP_EVENTS))
							ev = true;
					}
					if (ev)
						events_grp = id;
				}
			}
			return family ? 0 : -EPROTO;
		}
	}
}

/* Resolve the family; with --persist wait until it is registered. */
static int ensure_family(void)
{
	int ret;

	for (;;) {
		ret = resolve_family();
		if (!ret)
			return 0;
		if (!opt.persist || stop)
			return ret;
		st.absent++;
		if (ret != -ENOENT && sock_reopen())
			return -EIO;
		usleep(5000);
	}
}

/* ---- config save / restore ------------------------------------------- */

struct config {
	bool valid;
	uint32_t poll_ms;
	uint8_t open_reads;
	uint8_t count_breaks;
	uint32_t event_burst;
};

static int get_config(struct config *c)
{
	unsigned char buf[64];
	struct msg m = { .buf = buf, .cap = sizeof(buf) };
	const struct nlattr *a, *b;
	struct nlmsghdr *nlh;
	uint32_t myseq = ++seq;
	int len, blen, ret;
	ssize_t n;

	memset(c, 0, sizeof(*c));
	hdr_start(&m, family, NLM_F_REQUEST, DAXPIN_CMD_GET_CONFIG,
		  DAXPIN_GENL_VERSION);
	hdr_end(&m, 0);
	ret = send_raw(buf, m.len);
	if (ret)
		return ret;
	n = recv(sock, rbuf, BUF_SIZE, MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	for (nlh = (struct nlmsghdr *)rbuf; msg_ok(nlh, n);
	     nlh = msg_next(nlh, &n)) {
		if (nlh->nlmsg_seq != myseq)
			continue;
		if (nlh->nlmsg_type == NLMSG_ERROR)
			return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error ?: -EPROTO;
		len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
		for_each_attr(a, (char *)NLMSG_DATA(nlh) + GENL_HDRLEN, len) {
			if (attr_type(a) != DAXPIN_ATTR_CONFIG)
				continue;
			blen = attr_len(a);
			for_each_attr(b, attr_data(a), blen) {
				switch (attr_type(b)) {
				case DAXPIN_CONFIG_ATTR_POLL_MS:
					c->poll_ms = (uint32_t)attr_get_u64(b);
					break;
				case DAXPIN_CONFIG_ATTR_OPEN_READS:
					c->open_reads = (uint8_t)attr_get_u64(b);
					break;
				case DAXPIN_CONFIG_ATTR_COUNT_BREAKS:
					c->count_breaks = (uint8_t)attr_get_u64(b);
					break;
				case DAXPIN_CONFIG_ATTR_EVENT_BURST:
					c->event_burst = (uint32_t)attr_get_u64(b);
					break;
				}
			}
			c->valid = true;
		}
	}
	return c->valid ? 0 : -EPROTO;
}

static int set_config(const struct config *c)
{
	unsigned char buf[128];
	struct msg m = { .buf = buf, .cap = sizeof(buf) };
	struct result r;
	size_t nest;
	int ret;

	seq++;
	hdr_start(&m, family, NLM_F_REQUEST | NLM_F_ACK, DAXPIN_CMD_SET_CONFIG,
		  DAXPIN_GENL_VERSION);
	nest = nest_start(&m, DAXPIN_ATTR_CONFIG);
	attr_u32(&m, DAXPIN_CONFIG_ATTR_POLL_MS, c->poll_ms);
	attr_u8(&m, DAXPIN_CONFIG_ATTR_OPEN_READS, c->open_reads);
	attr_u8(&m, DAXPIN_CONFIG_ATTR_COUNT_BREAKS, c->count_breaks);
	attr_u32(&m, DAXPIN_CONFIG_ATTR_EVENT_BURST, c->event_burst);
	nest_end(&m, nest);
	hdr_end(&m, 0);
	ret = send_raw(buf, m.len);
	if (ret)
		return ret;
	if (drain(seq, &r))
		return -EIO;
	return r.error ? -r.error : 0;
}

/* ---- request generation ---------------------------------------------- */

static const uint64_t interesting_u64[] = {
	0, 1, 2, 3, 7, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff,
	0x80000000ULL, 0xffffffffULL, 0x100000000ULL, 0x7fffffffffffffffULL,
	0x8000000000000000ULL, 0xffffffffffffffffULL, 0xfffffffffffffffeULL,
};

static uint64_t rnd_u64(void)
{
	switch (rnd(4)) {
	case 0:
		return interesting_u64[rnd(sizeof(interesting_u64) /
					   sizeof(interesting_u64[0]))];
	case 1:
		return rnd(100);
	case 2:
		return rnd64();
	default:
		return (uint64_t)1 << rnd(64);
	}
}

static uint64_t rnd_wait_id(void)
{
	if (nr_ids && chance(40))
		return ids[rnd(nr_ids)] + (chance(80) ? 0 : rnd(3) - 1);
	if (chance(50))
		return 1 + rnd(64);
	return rnd_u64();
}

static uint32_t rnd_fd(void)
{
	if (nr_fds && chance(70))
		return (uint32_t)fds[rnd(nr_fds)];
	switch (rnd(6)) {
	case 0:
		return 0xffffffffu;	/* -1 */
	case 1:
		return rnd(3);		/* std streams */
	case 2:
		return (uint32_t)sock;	/* a netlink socket */
	case 3:
		return 200 + rnd(800);	/* most likely closed */
	case 4:
		return 0x80000000u;
	default:
		return (uint32_t)rnd_u64();
	}
}

static void put_garbage(struct msg *m, uint16_t type, size_t len)
{
	unsigned char g[4096];
	size_t i;

	if (len > sizeof(g))
		len = sizeof(g);
	if (chance(30)) {
		memset(g, 'A' + rnd(26), len);	/* an overlong string */
	} else {
		for (i = 0; i < len; i++)
			g[i] = (unsigned char)rnd64();
	}
	attr_put(m, type, g, len);
}

static size_t rnd_len(void)
{
	switch (rnd(5)) {
	case 0:
		return 0;
	case 1:
		return 1 + rnd(3);
	case 2:
		return 5 + rnd(4);
	case 3:
		return rnd(64);
	default:
		return chance(80) ? 9 + rnd(16) : 200 + rnd(3800);
	}
}

static void put_config_nest(struct msg *m, bool valid)
{
	size_t nest = nest_start(m, DAXPIN_ATTR_CONFIG);
	unsigned int i, n = 1 + rnd(5);

	for (i = 0; i < n; i++) {
		uint16_t t = valid ? 2 + rnd(5) : rnd(DAXPIN_CONFIG_ATTR_MAX + 3);

		if (!valid && chance(30)) {
			put_garbage(m, t | (chance(20) ? NLA_F_NESTED : 0),
				    rnd_len());
			continue;
		}
		switch (t) {
		case DAXPIN_CONFIG_ATTR_POLL_MS:
			attr_u32(m, t, valid ? 10 + rnd(200) : (uint32_t)rnd_u64());
			break;
		case DAXPIN_CONFIG_ATTR_OPEN_READS:
		case DAXPIN_CONFIG_ATTR_COUNT_BREAKS:
			attr_u8(m, t, valid ? rnd(2) : (uint8_t)rnd_u64());
			break;
		case DAXPIN_CONFIG_ATTR_EVENT_BURST:
			attr_u32(m, t, valid ? rnd(1000) : (uint32_t)rnd_u64());
			break;
		case DAXPIN_CONFIG_ATTR_MAX_WAITS:
			if (valid)
				break;
			attr_u32(m, t, (uint32_t)rnd_u64());
			break;
		default:
			attr_u64(m, t, rnd_u64());
			break;
		}
	}
	nest_end(m, nest);
}

static void put_nested_garbage(struct msg *m, unsigned int depth)
{
	size_t nest = nest_start(m, rnd(DAXPIN_ATTR_MAX + 3));
	unsigned int i, n = rnd(4);

	for (i = 0; i < n; i++) {
		if (depth < 3 && chance(30))
			put_nested_garbage(m, depth + 1);
		else
			put_garbage(m, rnd(40) | (chance(10) ? NLA_F_NESTED : 0),
				    rnd_len());
	}
	nest_end(m, nest);
	if (chance(20)) {
		/* Lie about the nest's length. */
		struct nlattr *a = (struct nlattr *)(m->buf + nest);

		a->nla_len = (uint16_t)(chance(50) ? rnd(NLA_HDRLEN) :
					a->nla_len + 4 + rnd(64));
	}
}

/* One random attribute for @cmd; never a BENCH_ITERATIONS the policy accepts. */
static void put_random_attr(struct msg *m, uint8_t cmd)
{
	uint16_t t;

	switch (rnd(10)) {
	case 0:	/* the attribute the command wants, well formed */
	case 1:
		switch (cmd) {
		case DAXPIN_CMD_KICK:
			attr_u64(m, DAXPIN_ATTR_WAIT_ID, rnd_wait_id());
			return;
		case DAXPIN_CMD_SCAN:
			attr_u32(m, DAXPIN_ATTR_FD, rnd_fd());
			return;
		case DAXPIN_CMD_SET_CONFIG:
			put_config_nest(m, chance(60));
			return;
		default:
			break;
		}
		/* fall through */
	case 2:	/* a known attribute with a random, often wrong, length */
		t = rnd(DAXPIN_ATTR_MAX + 1);
		if (t == DAXPIN_ATTR_BENCH_ITERATIONS)
			t = DAXPIN_ATTR_WAIT_ID;
		put_garbage(m, t, rnd_len());
		return;
	case 3:	/* well-formed u32/u64 payloads for any known type */
		t = rnd(DAXPIN_ATTR_MAX + 1);
		if (t == DAXPIN_ATTR_BENCH_ITERATIONS)
			t = DAXPIN_ATTR_FD;
		if (chance(50))
			attr_u32(m, t, (uint32_t)rnd_u64());
		else
			attr_u64(m, t, rnd_u64());
		return;
	case 4:	/* nested garbage */
		put_nested_garbage(m, 0);
		return;
	case 5:	/* flag games on a valid-looking attribute */
		t = chance(50) ? DAXPIN_ATTR_WAIT_ID : DAXPIN_ATTR_FD;
		t |= chance(50) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
		if ((t & NLA_TYPE_MASK) == DAXPIN_ATTR_WAIT_ID)
			attr_u64(m, t, rnd_wait_id());
		else
			attr_u32(m, t, rnd_fd());
		return;
	case 6:	/* out-of-range attribute types */
		t = chance(50) ? DAXPIN_ATTR_MAX + 1 + rnd(4) : rnd(0x3fff);
		if (t == DAXPIN_ATTR_BENCH_ITERATIONS)
			t = 0;
		put_garbage(m, t, rnd_len());
		return;
	case 7:	/* a config nest anywhere */
		put_config_nest(m, chance(50));
		return;
	case 8:	/* an attribute whose nla_len overruns the message */
		{
			size_t off = m->len;
			struct nlattr *a;

			put_garbage(m, DAXPIN_ATTR_WAIT_ID, 8);
			a = (struct nlattr *)(m->buf + off);
			a->nla_len = (uint16_t)(12 + rnd(4000));
		}
		return;
	default: /* the wait id, huge or learnt */
		attr_u64(m, DAXPIN_ATTR_WAIT_ID, rnd_wait_id());
		return;
	}
}

static uint8_t pick_cmd(void)
{
	switch (rnd(20)) {
	case 0:
		return DAXPIN_CMD_MAX + 1 + rnd(3);	/* out of range */
	case 1:
		return chance(50) ? 0 : 0xff;
	default:
		return 1 + rnd(DAXPIN_CMD_MAX);
	}
}

static uint16_t pick_flags(uint8_t cmd)
{
	uint16_t f = NLM_F_REQUEST;

	if (chance(2))
		f = 0;				/* not a request at all */
	if (chance(35) || cmd == DAXPIN_CMD_GET_WAITS ||
	    cmd == DAXPIN_CMD_GET_STATS) {
		if (chance(70))
			f |= NLM_F_DUMP;
	}
	if (cmd == DAXPIN_CMD_SCAN && chance(50))
		f |= NLM_F_DUMP;
	if (chance(40))
		f |= NLM_F_ACK;
	if (chance(5))
		f |= 1u << (5 + rnd(11));	/* a random other flag */
	return f;
}

/* A well-formed BENCH_GP, if the budget allows; the command to send. */
static void put_bench(struct msg *m, bool real)
{
	if (real) {
		attr_u32(m, DAXPIN_ATTR_BENCH_ITERATIONS, opt.bench_iters);
		return;
	}
	/*
	 * Out of range whatever the cap: the policy rejects the request before
	 * the handler would sleep through the default number of iterations.
	 */
	attr_u32(m, DAXPIN_ATTR_BENCH_ITERATIONS, 0xffffffffu);
}

/* The attributes a well-formed request of @cmd carries. */
static void put_wellformed(struct msg *m, uint8_t cmd)
{
	switch (cmd) {
	case DAXPIN_CMD_KICK:
		attr_u64(m, DAXPIN_ATTR_WAIT_ID, rnd_wait_id());
		break;
	case DAXPIN_CMD_SCAN:
		attr_u32(m, DAXPIN_ATTR_FD, nr_fds && chance(90) ?
			 (uint32_t)fds[rnd(nr_fds)] : rnd_fd());
		break;
	case DAXPIN_CMD_SET_CONFIG:
		put_config_nest(m, true);
		break;
	default:
		break;
	}
}

/* Build one random message at m->len; returns its command. */
static uint8_t build_random(struct msg *m, uint16_t *flagsp, bool *realbench)
{
	size_t start = m->len;
	uint8_t cmd = pick_cmd();
	uint16_t flags = pick_flags(cmd);
	unsigned int i, n;

	*realbench = false;
	if (cmd == DAXPIN_CMD_BENCH_GP && !(flags & NLM_F_DUMP) &&
	    (flags & NLM_F_REQUEST) && st.benches < opt.bench_max &&
	    chance(30)) {
		*realbench = true;
		hdr_start(m, family, flags, cmd, DAXPIN_GENL_VERSION);
		put_bench(m, true);
		hdr_end(m, start);
		*flagsp = flags;
		return cmd;
	}
	hdr_start(m, family, flags, cmd,
		  chance(90) ? DAXPIN_GENL_VERSION : (uint8_t)rnd(256));
	if (cmd == DAXPIN_CMD_BENCH_GP)
		put_bench(m, false);
	if (chance(25)) {
		/* Well formed, to get past the policies into the handlers. */
		put_wellformed(m, cmd);
		hdr_end(m, start);
		*flagsp = flags;
		return cmd;
	}
	n = chance(15) ? 0 : rnd(chance(80) ? 3 : 12);
	for (i = 0; i < n; i++)
		put_random_attr(m, cmd);
	hdr_end(m, start);
	*flagsp = flags;
	return cmd;
}

/*
 * Mangle the framing now and then.  None of this can turn a refused
 * BENCH_GP into an accepted one: the out-of-range count stays first.
 */
static size_t mangle(struct msg *m, uint8_t cmd)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	size_t len = m->len;

	switch (rnd(40)) {
	case 0:	/* truncated: fewer bytes than the header says */
		return rnd(len);
	case 1:	/* nlmsg_len shorter than the netlink + genl headers */
		nlh->nlmsg_len = rnd(NLMSG_HDRLEN + GENL_HDRLEN);
		if (cmd == DAXPIN_CMD_BENCH_GP)
			nlh->nlmsg_len = rnd(NLMSG_HDRLEN + 1);
		return len;
	case 2:	/* nlmsg_len beyond the datagram */
		nlh->nlmsg_len = len + 4 + rnd(100);
		return len;
	case 3:	/* no genl header: only the netlink header */
		nlh->nlmsg_len = NLMSG_HDRLEN;
		return NLMSG_HDRLEN;
	case 4:	/* trailing garbage after the message */
		if (len + 16 <= m->cap) {
			for (int i = 0; i < 16; i++)
				m->buf[len + i] = (unsigned char)rnd64();
			if (cmd == DAXPIN_CMD_BENCH_GP)
				memset(m->buf + len, 0, 16);
			return len + 1 + rnd(16);
		}
		return len;
	case 5:	/* nlmsg_len not a multiple of 4 (cuts the last attribute) */
		if (cmd == DAXPIN_CMD_BENCH_GP)
			return len;	/* could cut the refused count off */
		if (len > NLMSG_HDRLEN + GENL_HDRLEN + 1)
			nlh->nlmsg_len = len - 1 - rnd(3);
		return len;
	default:
		return len;
	}
}

static void send_one_random(void)
{
	struct msg m = { .buf = req, .cap = REQ_SIZE };
	struct result r;
	uint16_t flags;
	bool realbench, abandon;
	uint8_t cmd, cmd2 = 0;
	size_t len;
	int ret;

	seq++;
	cmd = build_random(&m, &flags, &realbench);
	len = realbench ? m.len : mangle(&m, cmd);
	/* Sometimes a second message in the same datagram. */
	if (!realbench && len == m.len && chance(5)) {
		uint16_t f2;
		bool rb2;

		cmd2 = build_random(&m, &f2, &rb2);
		if (rb2)
			st.benches++;
		len = m.len;
	}
	st.sent++;
	st.per_cmd[cmd]++;
	if (realbench)
		st.benches++;
	if (opt.verbose)
		fprintf(stderr, "seq %u cmd %s flags %#x len %zu%s\n", seq,
			cmd_name(cmd), flags, len, realbench ? " bench" : "");
	ret = send_raw(req, len);
	if (ret) {
		st.send_err++;
		note_errno(ret);
		return;
	}
	abandon = (flags & NLM_F_DUMP) && chance(1);
	if (abandon) {
		/* Leave a dump half read: the kernel must clean it up. */
		st.abandoned++;
		if (sock_reopen())
			stop = 1;
		return;
	}
	if (drain(seq, &r)) {
		if (sock_reopen())
			stop = 1;
		return;
	}
	if (r.positive && !cmd2)
		st.per_cmd_ok[cmd]++;
	if (!opt.unpriv || cmd2)
		return;
	if (is_admin_cmd(cmd) && r.positive && r.error != EPERM &&
	    (flags & NLM_F_REQUEST))
		violation("unprivileged %s (flags %#x) was answered (error %d)",
			  cmd_name(cmd), flags, r.error);
	if (opt.reads_refused && is_read_cmd(cmd) && r.positive &&
	    (flags & NLM_F_REQUEST))
		violation("unprivileged %s (flags %#x) was answered with open_reads=0",
			  cmd_name(cmd), flags);
	if (opt.target_checks && (r.waits_pfn || r.pages_pfn))
		violation("unprivileged %s got %u wait(s) and %u page(s) with a pfn",
			  cmd_name(cmd), r.waits_pfn, r.pages_pfn);
	if (opt.target_checks && r.waits_path)
		violation("unprivileged %s got %u wait(s) with a path",
			  cmd_name(cmd), r.waits_path);
}

static void toggle_join(void)
{
	static bool joined;
	int o = joined ? NETLINK_DROP_MEMBERSHIP : NETLINK_ADD_MEMBERSHIP;

	if (!events_grp)
		return;
	if (setsockopt(sock, SOL_NETLINK, o, &events_grp,
		       sizeof(events_grp)) < 0) {
		st.joins_refused++;
		return;
	}
	if (!joined) {
		st.joins_ok++;
		if (opt.unpriv)
			violation("an unprivileged socket joined the events group");
	}
	joined = !joined;
}

/* ---- --valid ---------------------------------------------------------- */

static int send_valid(unsigned int cmd)
{
	struct msg m = { .buf = req, .cap = REQ_SIZE };
	uint16_t flags = NLM_F_REQUEST;
	struct result r;
	int ret;

	seq++;
	if (cmd == DAXPIN_CMD_GET_WAITS || cmd == DAXPIN_CMD_GET_STATS ||
	    (cmd == DAXPIN_CMD_SCAN && !scan_is_doit))
		flags |= NLM_F_DUMP;
	if (cmd == DAXPIN_CMD_RESET_STATS || cmd == DAXPIN_CMD_SET_CONFIG)
		flags |= NLM_F_ACK;
	hdr_start(&m, family, flags, cmd, DAXPIN_GENL_VERSION);
	switch (cmd) {
	case DAXPIN_CMD_KICK:
		attr_u64(&m, DAXPIN_ATTR_WAIT_ID, nr_ids && chance(50) ?
			 ids[rnd(nr_ids)] : 1 + rnd(64));
		break;
	case DAXPIN_CMD_SCAN:
		attr_u32(&m, DAXPIN_ATTR_FD, (uint32_t)fds[rnd(nr_fds)]);
		break;
	case DAXPIN_CMD_BENCH_GP:
		put_bench(&m, true);
		st.benches++;
		break;
	case DAXPIN_CMD_SET_CONFIG:
		{
			size_t nest = nest_start(&m, DAXPIN_ATTR_CONFIG);

			attr_u32(&m, DAXPIN_CONFIG_ATTR_POLL_MS, 100);
			nest_end(&m, nest);
		}
		break;
	}
	hdr_end(&m, 0);
	st.sent++;
	st.per_cmd[cmd]++;
	ret = send_raw(req, m.len);
	if (ret) {
		st.send_err++;
		note_errno(ret);
		return ret;
	}
	if (drain(seq, &r))
		return sock_reopen() ? -EIO : -EAGAIN;
	if (r.positive)
		st.per_cmd_ok[cmd]++;
	if (cmd == DAXPIN_CMD_SCAN && r.error == EOPNOTSUPP && !scan_is_doit)
		scan_is_doit = true;
	return r.error ? -r.error : 0;
}

static int run_valid(void)
{
	unsigned int cmds[16], nr = 0, c;
	unsigned long i;
	int ret;

	for (c = 1; c <= DAXPIN_CMD_MAX; c++) {
		if (!(opt.cmds & (1u << c)))
			continue;
		if (c == DAXPIN_CMD_SCAN && !nr_fds)
			continue;
		cmds[nr++] = c;
	}
	if (!nr) {
		err("--valid: no command to send (--cmds)");
		return 2;
	}
	for (i = 0; !stop && (!opt.count || i < opt.count); i++) {
		c = cmds[rnd(nr)];
		if (c == DAXPIN_CMD_BENCH_GP && st.benches >= opt.bench_max)
			c = DAXPIN_CMD_GET_CONFIG;
		ret = send_valid(c);
		/* The family went away (rmmod): find it again. */
		if (ret == -ENOENT || ret == -EOPNOTSUPP || ret == -EIO) {
			if (ensure_family())
				return stop ? 0 : 3;
		}
	}
	return 0;
}

/* ---- --scan-fd-mode ---------------------------------------------------- */

static const char *errname(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case ENODEV: return "ENODEV";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOBUFS: return "ENOBUFS";
	case EMSGSIZE: return "EMSGSIZE";
	case EPROTO: return "EPROTO";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ENOTTY: return "ENOTTY";
	case E2BIG: return "E2BIG";
	case ESRCH: return "ESRCH";
	case ENODATA: return "ENODATA";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case ENOTCONN: return "ENOTCONN";
	case ECONNREFUSED: return "ECONNREFUSED";
	case 524: return "ENOTSUPP";	/* kernel-internal, leaks out */
	default: return NULL;
	}
}

static int scan_fd_mode(void)
{
	struct msg m = { .buf = req, .cap = REQ_SIZE };
	const char *how = "dump";
	struct result r;
	int flags, fd, ret;

	if (!strcmp(opt.scan_mode, "rdonly"))
		flags = O_RDONLY;
	else if (!strcmp(opt.scan_mode, "wronly"))
		flags = O_WRONLY;
	else if (!strcmp(opt.scan_mode, "rdwr"))
		flags = O_RDWR;
	else if (!strcmp(opt.scan_mode, "path"))
		flags = O_PATH;
	else {
		err("--scan-fd-mode: rdonly, wronly, rdwr or path, not '%s'",
		    opt.scan_mode);
		return 2;
	}
	fd = open(opt.scan_file, flags | O_CLOEXEC);
	if (fd < 0) {
		err("open %s (%s): %s", opt.scan_file, opt.scan_mode,
		    strerror(errno));
		return 2;
	}
	for (int pass = 0; pass < 2; pass++) {
		m.len = 0;
		seq++;
		hdr_start(&m, family, NLM_F_REQUEST | (pass ? 0 : NLM_F_DUMP),
			  DAXPIN_CMD_SCAN, DAXPIN_GENL_VERSION);
		attr_u32(&m, DAXPIN_ATTR_FD, (uint32_t)fd);
		hdr_end(&m, 0);
		ret = send_raw(req, m.len);
		if (ret) {
			err("send: %s", strerror(-ret));
			return 2;
		}
		if (drain(seq, &r)) {
			err("receive failed");
			return 2;
		}
		/* The old contract has SCAN as a plain request only. */
		if (pass == 0 && r.error == EOPNOTSUPP) {
			how = "doit";
			continue;
		}
		break;
	}
	printf("scan-fd mode=%s how=%s result=%s errno=%d pages=%u pfn=%u entries=%s%" PRIu64 " msg='%s'\n",
	       opt.scan_mode, how,
	       errname(r.error) ? errname(r.error) : "other", r.error,
	       r.pages, r.pages_pfn, r.has_entries ? "" : "none/",
	       r.entries, r.msg);
	close(fd);
	return r.error ? 1 : 0;
}

/* ---- setup ------------------------------------------------------------ */

static void add_fd(int fd)
{
	if (fd >= 0 && nr_fds < MAX_FDS)
		fds[nr_fds++] = fd;
}

static void open_fds(void)
{
	static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR, O_PATH };
	int p[2];
	unsigned int i, j;

	for (i = 0; i < opt.nr_files; i++)
		for (j = 0; j < sizeof(modes) / sizeof(modes[0]); j++)
			add_fd(open(opt.files[i], modes[j] | O_CLOEXEC));
	if (opt.valid)
		return;		/* --valid scans only the files */
	add_fd(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	add_fd(open("/dev/null", O_RDWR | O_CLOEXEC));
	add_fd(open("/proc/self/status", O_RDONLY | O_CLOEXEC));
	add_fd(eventfd(0, EFD_CLOEXEC));
	if (!pipe(p)) {
		add_fd(p[0]);
		add_fd(p[1]);
	}
}

static void print_summary(double secs)
{
	unsigned int i;

	printf("nlfuzz: seed %" PRIu64 ": %lu requests in %.1f s (%.0f/s), %lu send errors, %lu benches, %lu family lookups, %lu waits for the family\n",
	       opt.seed, st.sent, secs, secs > 0 ? st.sent / secs : 0.0,
	       st.send_err, st.benches, st.resolves, st.absent);
	printf("nlfuzz: replies %lu (dump messages %lu, dumps done %lu), acks %lu, no reply %lu, dump timeouts %lu, events %lu, stray %lu, dumps abandoned %lu, joins ok %lu refused %lu\n",
	       st.replies, st.dump_msgs, st.dump_done, st.acks, st.no_reply,
	       st.timeouts, st.events, st.stray, st.abandoned, st.joins_ok,
	       st.joins_refused);
	printf("nlfuzz: per command (sent/answered):");
	for (i = 0; i < CMD_SLOTS; i++)
		if (st.per_cmd[i])
			printf(" %s %lu/%lu", cmd_name(i), st.per_cmd[i],
			       st.per_cmd_ok[i]);
	printf("\nnlfuzz: errors:");
	for (i = 1; i < ERRNO_SLOTS; i++) {
		if (!st.err[i])
			continue;
		if (errname(i))
			printf(" %s %lu", errname(i), st.err[i]);
		else
			printf(" errno%u %lu", i, st.err[i]);
	}
	printf("\n");
	for (i = 0; i < MAX_EXTACK && st.extack[i]; i++)
		printf("nlfuzz: extack %6lu '%s'\n", st.extack_n[i],
		       st.extack[i]);
	printf("nlfuzz: violations %lu\n", st.violations);
	fflush(stdout);
}

static unsigned int parse_cmds(const char *s)
{
	char *dup = strdup(s), *tok, *save = NULL;
	unsigned int mask = 0, c;

	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (c = 1; c <= DAXPIN_CMD_MAX; c++)
			if (!strcmp(tok, cmd_names[c]))
				break;
		if (c > DAXPIN_CMD_MAX || c == DAXPIN_CMD_EVENT) {
			err("unknown command '%s' in --cmds", tok);
			exit(2);
		}
		mask |= 1u << c;
	}
	free(dup);
	return mask;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: %s [options]\n"
"       %s --scan-fd-mode rdonly|wronly|rdwr|path FILE\n"
"\n"
"Random generic-netlink requests to the daxpin family (see the source).\n"
"\n"
"  -s, --seed N           PRNG seed (default 1): same seed, same requests\n"
"  -n, --count N          requests to send (default 1000; 0 with --persist:\n"
"                         until SIGTERM/SIGINT)\n"
"  -f, --file PATH        a file to scan (opened rdonly, wronly, rdwr, path);\n"
"                         up to 8\n"
"  -b, --bench-max N      well-formed BENCH_GP requests at most (default 2)\n"
"      --bench-iters N    their iteration count (default 1)\n"
"  -t, --timeout MS       receive timeout while a dump runs (default 2000)\n"
"      --restore-config   read the config first, write it back at the end\n"
"      --unpriv           check what an unprivileged caller may get\n"
"      --reads-refused    with --unpriv: reads must be refused too\n"
"      --no-target-checks no pfn/path checks (the contract before issue 9)\n"
"      --valid            only well-formed requests of --cmds\n"
"      --cmds LIST        waits,stats,reset,config,setconfig,kick,scan,bench\n"
"                         (default waits,stats,config,kick,scan)\n"
"      --persist          wait for the family when it is absent (rmmod)\n"
"      --scan-fd-mode MODE FILE  one SCAN of FILE opened with MODE\n"
"  -v, --verbose          one line per request on stderr\n",
		prog, prog);
}

static unsigned long parse_ulong(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end) {
		err("bad %s '%s'", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	enum { O_BENCH_ITERS = 256, O_RESTORE, O_UNPRIV, O_READS_REFUSED,
	       O_NO_TARGET, O_VALID, O_CMDS, O_PERSIST, O_SCAN_MODE };
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "file", required_argument, NULL, 'f' },
		{ "bench-max", required_argument, NULL, 'b' },
		{ "bench-iters", required_argument, NULL, O_BENCH_ITERS },
		{ "timeout", required_argument, NULL, 't' },
		{ "restore-config", no_argument, NULL, O_RESTORE },
		{ "unpriv", no_argument, NULL, O_UNPRIV },
		{ "reads-refused", no_argument, NULL, O_READS_REFUSED },
		{ "no-target-checks", no_argument, NULL, O_NO_TARGET },
		{ "valid", no_argument, NULL, O_VALID },
		{ "cmds", required_argument, NULL, O_CMDS },
		{ "persist", no_argument, NULL, O_PERSIST },
		{ "scan-fd-mode", required_argument, NULL, O_SCAN_MODE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec t0, t1;
	struct config saved = { 0 };
	unsigned long i;
	int c, ret, rc = 0;

	opt.cmds = CMD_BIT_WAITS | CMD_BIT_STATS | CMD_BIT_CONFIG |
		   CMD_BIT_KICK | CMD_BIT_SCAN;
	while ((c = getopt_long(argc, argv, "s:n:f:b:t:vh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 's':
			opt.seed = parse_ulong(optarg, "seed");
			break;
		case 'n':
			opt.count = parse_ulong(optarg, "count");
			break;
		case 'f':
			if (opt.nr_files == 8) {
				err("at most 8 --file");
				return 2;
			}
			opt.files[opt.nr_files++] = optarg;
			break;
		case 'b':
			opt.bench_max = parse_ulong(optarg, "bench-max");
			break;
		case O_BENCH_ITERS:
			opt.bench_iters = parse_ulong(optarg, "bench-iters");
			break;
		case 't':
			opt.timeout_ms = parse_ulong(optarg, "timeout");
			break;
		case O_RESTORE:
			opt.restore_config = true;
			break;
		case O_UNPRIV:
			opt.unpriv = true;
			break;
		case O_READS_REFUSED:
			opt.reads_refused = true;
			break;
		case O_NO_TARGET:
			opt.target_checks = false;
			break;
		case O_VALID:
			opt.valid = true;
			break;
		case O_CMDS:
			opt.cmds = parse_cmds(optarg);
			break;
		case O_PERSIST:
			opt.persist = true;
			break;
		case O_SCAN_MODE:
			opt.scan_mode = optarg;
			break;
		case 'v':
			opt.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (opt.scan_mode) {
		if (optind + 1 != argc) {
			usage(stderr);
			return 2;
		}
		opt.scan_file = argv[optind];
	} else if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!opt.count && !opt.persist) {
		err("--count 0 needs --persist");
		return 2;
	}
	rng_state = opt.seed;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	rbuf = malloc(BUF_SIZE);
	req = malloc(REQ_SIZE);
	if (!rbuf || !req) {
		err("out of memory");
		return 2;
	}
	sock = sock_open();
	if (sock < 0)
		return 2;
	ret = ensure_family();
	if (ret) {
		err("generic netlink family '%s': %s", DAXPIN_GENL_NAME,
		    strerror(-ret));
		return 3;
	}
	if (opt.scan_mode)
		return scan_fd_mode();
	open_fds();
	if (opt.restore_config) {
		ret = get_config(&saved);
		if (ret) {
			err("cannot read the config: %s", strerror(-ret));
			return 2;
		}
	}
	if (opt.unpriv && events_grp) {
		if (setsockopt(sock, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			       &events_grp, sizeof(events_grp)) == 0)
			violation("an unprivileged socket joined the events group");
		else
			printf("nlfuzz: unprivileged join of the events group: %s\n",
			       strerror(errno));
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (opt.valid) {
		rc = run_valid();
	} else {
		for (i = 0; !stop && i < opt.count; i++) {
			if (chance(1))
				toggle_join();
			send_one_random();
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (opt.restore_config) {
		if (sock_reopen() || (ret = set_config(&saved))) {
			err("cannot restore the config");
			rc = 2;
		}
	}
	print_summary(t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (!rc && st.violations)
		rc = 1;
	return rc;
}
