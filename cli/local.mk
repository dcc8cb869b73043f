# cli build rules: daxpinctl
bin_PROGRAMS += cli/daxpinctl
cli_daxpinctl_SOURCES = \
	cli/builtin.h \
	cli/render.h \
	cli/render.c \
	cli/render-daemon.h \
	cli/render-daemon.c \
	cli/daxpinctl.c \
	cli/help.h \
	cli/help.c \
	cli/cmd-waits.c \
	cli/cmd-stats.c \
	cli/cmd-bench.c \
	cli/cmd-monitor.c \
	cli/cmd-status.c \
	cli/status-check.h \
	cli/status-check.c \
	cli/cmd-policy.c
cli_daxpinctl_CFLAGS = $(AM_CFLAGS) $(NLGENL_CFLAGS) $(JSON_CFLAGS) \
	$(NDCTL_CFLAGS) $(DAXCTL_CFLAGS)
cli_daxpinctl_LDADD = $(LIBDAXPIN_LIBS) $(NDCTL_LIBS) $(DAXCTL_LIBS)

# unit tests of the human renderers, and a black-box test of the binary
check_PROGRAMS += cli/tests/test-render
TESTS += cli/tests/test-render cli/tests/test-cli.sh cli/tests/test-schemas.sh
cli_tests_test_render_SOURCES = \
	cli/tests/test-render.c \
	cli/render.c \
	cli/render.h \
	lib/tests/builder.c \
	lib/tests/builder.h
cli_tests_test_render_CFLAGS = $(AM_CFLAGS) $(NLGENL_CFLAGS) $(JSON_CFLAGS) \
	$(CMOCKA_CFLAGS)
cli_tests_test_render_LDADD = $(LIBDAXPIN_LIBS) $(CMOCKA_LIBS)
EXTRA_DIST += cli/tests/test-cli.sh cli/tests/test-schemas.sh tests/tools/check-json-schemas.py \
	docs/schema/gen-schemas.py \
	docs/schema/waits.json docs/schema/kick.json docs/schema/scan.json \
	docs/schema/stats.json docs/schema/config.json docs/schema/bench.json \
	docs/schema/monitor.json docs/schema/status.json docs/schema/version.json

# the status --check verdict from recorded netlink replies
check_PROGRAMS += cli/tests/test-status-check
TESTS += cli/tests/test-status-check
cli_tests_test_status_check_SOURCES = \
	cli/tests/test-status-check.c \
	cli/status-check.c \
	cli/status-check.h \
	lib/tests/builder.c \
	lib/tests/builder.h
cli_tests_test_status_check_CFLAGS = $(AM_CFLAGS) $(NLGENL_CFLAGS) \
	$(JSON_CFLAGS) $(CMOCKA_CFLAGS)
cli_tests_test_status_check_LDADD = $(LIBDAXPIN_LIBS) $(CMOCKA_LIBS)

# daxpind reply rendering (status/policy/metrics) from recorded replies
check_PROGRAMS += cli/tests/test-daemon
TESTS += cli/tests/test-daemon cli/tests/test-daemon-cli.sh
cli_tests_test_daemon_SOURCES = \
	cli/tests/test-daemon.c \
	cli/render-daemon.c \
	cli/render-daemon.h
cli_tests_test_daemon_CFLAGS = $(AM_CFLAGS) $(JSON_CFLAGS) $(CMOCKA_CFLAGS)
cli_tests_test_daemon_LDADD = $(LIBDAXPIN_LIBS) $(CMOCKA_LIBS)
EXTRA_DIST += cli/tests/test-daemon-cli.sh docs/schema/policy.json \
	docs/schema/metrics.json cli/daxpinctl.bash-completion

# bash completion
bashcompletiondir = $(datadir)/bash-completion/completions
install-data-local: install-daxpinctl-completion
uninstall-local: uninstall-daxpinctl-completion
install-daxpinctl-completion:
	$(MKDIR_P) $(DESTDIR)$(bashcompletiondir)
	$(INSTALL_DATA) $(srcdir)/cli/daxpinctl.bash-completion \
		$(DESTDIR)$(bashcompletiondir)/daxpinctl
uninstall-daxpinctl-completion:
	rm -f $(DESTDIR)$(bashcompletiondir)/daxpinctl

# daxpinctl(8) from scdoc source (apt-get install scdoc); without scdoc a
# placeholder page is installed and a warning printed.
SCDOC = scdoc
dist_man_MANS += docs/daxpinctl.8
EXTRA_DIST += docs/daxpinctl.8.scd
MAINTAINERCLEANFILES += docs/daxpinctl.8
docs/daxpinctl.8: $(srcdir)/docs/daxpinctl.8.scd
	$(AM_V_GEN)$(MKDIR_P) docs && \
	if command -v $(SCDOC) >/dev/null 2>&1; then \
		$(SCDOC) < $(srcdir)/docs/daxpinctl.8.scd > $@.tmp || \
			{ rm -f $@.tmp; exit 1; }; \
		mv $@.tmp $@; \
	else \
		echo "warning: $(SCDOC) not found: installing a placeholder daxpinctl(8)" >&2; \
		printf '.TH DAXPINCTL 8\n.SH NAME\ndaxpinctl \\- see docs/daxpinctl.8.scd (scdoc missing at build time)\n' > $@; \
	fi

# the JSON schemas of daxpinctl --json (in the tarball through EXTRA_DIST)
schemadir = $(datadir)/daxpin/schema
schema_DATA = docs/schema/waits.json docs/schema/kick.json \
	docs/schema/scan.json docs/schema/stats.json docs/schema/config.json \
	docs/schema/bench.json docs/schema/monitor.json docs/schema/status.json \
	docs/schema/version.json docs/schema/policy.json docs/schema/metrics.json

# daxpinctl's words for a busy or silent control socket (runs cli/daxpinctl)
check_PROGRAMS += cli/tests/test-control-errors
TESTS += cli/tests/test-control-errors
cli_tests_test_control_errors_SOURCES = cli/tests/test-control-errors.c
cli_tests_test_control_errors_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
cli_tests_test_control_errors_LDADD = $(CMOCKA_LIBS)
