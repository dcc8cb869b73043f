# daemon build rules: daxpind, its engine library, its unit tests, its unit.
noinst_LIBRARIES += daemon/libdaxpind.a
daemon_libdaxpind_a_SOURCES = \
	daemon/source.h \
	daemon/atomic-file.h daemon/atomic-file.c \
	daemon/policy.h daemon/policy.c \
	daemon/config.h daemon/config-internal.h daemon/config.c \
	daemon/config-keys.c daemon/config-runtime.c \
	daemon/log.h daemon/log.c \
	daemon/state.h daemon/state.c \
	daemon/monitor.h daemon/monitor.c \
	daemon/metrics.h daemon/metrics.c \
	daemon/control.h daemon/control.c \
	daemon/nlsource.h daemon/nlsource.c \
	daemon/devdax.h daemon/devdax.c \
	daemon/hooks.h daemon/hooks.c \
	daemon/holders.h daemon/holders.c \
	daemon/manager.h daemon/manager.c \
	daemon/manager-module.c \
	daemon/manager-env.c \
	daemon/manager-control.c
daemon_libdaxpind_a_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(JSON_CFLAGS) \
	$(NLGENL_CFLAGS) $(DAXCTL_CFLAGS)
# libdaxctl is dlopen()ed (see devdax.c): only its header is used at build time.

DAXPIND_LDADD = daemon/libdaxpind.a lib/libdaxpin.a $(NLGENL_LIBS) $(SYSTEMD_LIBS) $(JSON_LIBS)

sbin_PROGRAMS += daemon/daxpind
daemon_daxpind_SOURCES = daemon/daxpind.c
daemon_daxpind_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(JSON_CFLAGS) $(NLGENL_CFLAGS)
daemon_daxpind_LDADD = $(DAXPIND_LDADD)

# Unit tests (cmocka): the engine with a fake clock, source and environment.
DAXPIND_TESTS = \
	daemon/tests/test-policy \
	daemon/tests/test-config \
	daemon/tests/test-monitor \
	daemon/tests/test-control \
	daemon/tests/test-hooks
check_PROGRAMS += $(DAXPIND_TESTS)
TESTS += $(DAXPIND_TESTS)
daemon_tests_test_policy_SOURCES = daemon/tests/test-policy.c
daemon_tests_test_policy_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
daemon_tests_test_policy_LDADD = $(DAXPIND_LDADD) $(CMOCKA_LIBS)
daemon_tests_test_config_SOURCES = daemon/tests/test-config.c
daemon_tests_test_config_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
daemon_tests_test_config_LDADD = $(DAXPIND_LDADD) $(CMOCKA_LIBS)
daemon_tests_test_monitor_SOURCES = daemon/tests/test-monitor.c
daemon_tests_test_monitor_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JSON_CFLAGS)
daemon_tests_test_monitor_LDADD = $(DAXPIND_LDADD) $(CMOCKA_LIBS)
daemon_tests_test_control_SOURCES = daemon/tests/test-control.c
daemon_tests_test_control_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JSON_CFLAGS) $(SYSTEMD_CFLAGS)
daemon_tests_test_control_LDADD = $(DAXPIND_LDADD) $(CMOCKA_LIBS)
daemon_tests_test_hooks_SOURCES = daemon/tests/test-hooks.c
daemon_tests_test_hooks_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS)
daemon_tests_test_hooks_LDADD = $(DAXPIND_LDADD) $(CMOCKA_LIBS)

# Man pages (roff sources, no generator needed).
dist_man_MANS += daemon/man/daxpind.8 daemon/man/daxpind.conf.5

# systemd integration: unit, sysusers (group daxpin), journal catalog.
systemdsystemunit_DATA = systemd/daxpind.service
dist_systemdsystemunit_DATA = systemd/daxpind.socket
sysusersdir = $(prefix)/lib/sysusers.d
dist_sysusers_DATA = systemd/sysusers.d/daxpin.conf
catalogdir = $(prefix)/lib/systemd/catalog
dist_catalog_DATA = systemd/daxpind.catalog
EXTRA_DIST += systemd/daxpind.service.in daemon/daxpind.conf.example
CLEANFILES += systemd/daxpind.service

systemd/daxpind.service: $(top_srcdir)/systemd/daxpind.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && sed -e 's|@sbindir[@]|$(sbindir)|g' $(top_srcdir)/systemd/daxpind.service.in > $@

# Shell tests: the unit passes systemd-analyze verify, the catalog explains
# every MESSAGE_ID the daemon uses, and the daemon itself (no module needed)
# honours readiness, credentials, reload and idleness.
TESTS += daemon/tests/test-systemd.sh daemon/tests/test-daemon.sh \
	daemon/tests/test-check-config.sh daemon/tests/test-control-hostile.sh \
	daemon/tests/test-socket-activation.sh
EXTRA_DIST += daemon/tests/test-systemd.sh daemon/tests/test-daemon.sh \
	daemon/tests/test-check-config.sh daemon/tests/test-control-hostile.sh \
	daemon/tests/test-socket-activation.sh \
	daemon/tests/vm-daemon-lib.sh
# Helpers for those tests and the VM scenarios; built with "make" so that
# tests/vm/run finds them in the build tree.
noinst_PROGRAMS += daemon/tests/notify-listen daemon/tests/ctl-client daemon/tests/ctl-hostile
daemon_tests_notify_listen_SOURCES = daemon/tests/notify-listen.c
daemon_tests_ctl_client_SOURCES = daemon/tests/ctl-client.c
daemon_tests_ctl_hostile_SOURCES = daemon/tests/ctl-hostile.c
