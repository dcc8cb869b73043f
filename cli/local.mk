# cli build rules: daxpinctl
bin_PROGRAMS += cli/daxpinctl
cli_daxpinctl_SOURCES = \
	cli/builtin.h \
	cli/render.h \
	cli/render.c \
	cli/daxpinctl.c \
	cli/cmd-waits.c \
	cli/cmd-stats.c \
	cli/cmd-bench.c \
	cli/cmd-monitor.c \
	cli/cmd-status.c
cli_daxpinctl_CFLAGS = $(AM_CFLAGS) $(NLGENL_CFLAGS) $(JSON_CFLAGS) \
	$(NDCTL_CFLAGS) $(DAXCTL_CFLAGS)
cli_daxpinctl_LDADD = $(LIBDAXPIN_LIBS) $(NDCTL_LIBS) $(DAXCTL_LIBS)
