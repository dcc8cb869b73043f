// SPDX-License-Identifier: GPL-2.0
/*
 * daxpin-sigflood - what a delivered signal costs, and truncates that
 * receive signals in known ways (for the kmod-signal-flood VM scenario).
 *
 *	daxpin-sigflood signals N
 *		Send N SIGUSR1 to this process with kill() and catch each one:
 *		a signal sent to oneself is delivered (the signal_generate
 *		tracepoint reports it DELIVERED) before kill() returns to the
 *		next iteration, so every one of the N goes the whole way, none
 *		is merged with a pending one.  Prints
 *		"signals <N> ns <total> ns-per-signal <ns>" (CLOCK_MONOTONIC).
 *
 *	daxpin-sigflood blocked-truncate FILE
 *		Block SIGUSR1, print "ready", truncate FILE to 0 and print
 *		"truncate <errno or 0>"; exits 0 if the truncate succeeded.  A
 *		group signal (kill) of SIGUSR1 must not interrupt it.
 *
 *	daxpin-sigflood restart-truncate FILE
 *		Catch SIGUSR1 with SA_RESTART, print "ready", truncate FILE to 0
 *		and print "truncate <errno or 0> handled <count>": a signal
 *		during the wait interrupts it, the handler runs and the kernel
 *		restarts the truncate.
 *
 *	daxpin-sigflood thread-truncate FILE
 *		Catch SIGUSR1 (the main thread sleeps in pthread_join()), and
 *		truncate FILE to 0 in a second thread: print "thread <tid>"
 *		before, "truncate <errno or 0> handled <count>" after.  A group
 *		signal (kill) wakes the main thread, which wants it first, and
 *		must not interrupt the truncating thread.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* gettid() */
#endif
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	handled++;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int catch_usr1(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR1, &sa, NULL);
}

static int flood(unsigned long n)
{
	pid_t self = getpid();
	uint64_t t0, ns;
	unsigned long i;

	if (catch_usr1(0)) {
		perror("sigaction");
		return 1;
	}
	t0 = mono_ns();
	for (i = 0; i < n; i++) {
		if (kill(self, SIGUSR1)) {
			perror("kill");
			return 1;
		}
	}
	ns = mono_ns() - t0;
	if ((unsigned long)handled != n) {
		fprintf(stderr, "daxpin-sigflood: %lu signals sent, %lu handled\n",
			n, (unsigned long)handled);
		return 1;
	}
	printf("signals %lu ns %" PRIu64 " ns-per-signal %" PRIu64 "\n",
	       n, ns, n ? ns / n : 0);
	return 0;
}

static int do_truncate(const char *file, int restart)
{
	sigset_t set;
	int err = 0;

	if (restart) {
		if (catch_usr1(SA_RESTART)) {
			perror("sigaction");
			return 1;
		}
	} else {
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		if (sigprocmask(SIG_BLOCK, &set, NULL)) {
			perror("sigprocmask");
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	if (truncate(file, 0))
		err = errno;
	if (restart)
		printf("truncate %d handled %d\n", err, (int)handled);
	else
		printf("truncate %d\n", err);
	fflush(stdout);
	/* A still blocked SIGUSR1 is discarded with the process. */
	_exit(err ? 1 : 0);
}

static void *truncate_thread(void *file)
{
	printf("thread %d\n", (int)gettid());
	fflush(stdout);
	return (void *)(long)(truncate(file, 0) ? errno : 0);
}

static int thread_truncate(const char *file)
{
	pthread_t th;
	void *err;

	if (catch_usr1(SA_RESTART)) {
		perror("sigaction");
		return 1;
	}
	if (pthread_create(&th, NULL, truncate_thread, (void *)file)) {
		perror("pthread_create");
		return 1;
	}
	pthread_join(th, &err);
	printf("truncate %ld handled %d\n", (long)err, (int)handled);
	fflush(stdout);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "signals"))
		return flood(strtoul(argv[2], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "blocked-truncate"))
		return do_truncate(argv[2], 0);
	if (argc == 3 && !strcmp(argv[1], "restart-truncate"))
		return do_truncate(argv[2], 1);
	if (argc == 3 && !strcmp(argv[1], "thread-truncate"))
		return thread_truncate(argv[2]);
	fprintf(stderr,
		"usage: daxpin-sigflood signals N | {blocked,restart,thread}-truncate FILE\n");
	return 2;
}
