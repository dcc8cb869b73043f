# lib build rules: libdaxpin.a (noinst), shared by daxpinctl and daxpind.
# Link users with: lib/libdaxpin.a $(NLGENL_LIBS) $(JSON_LIBS)
noinst_LIBRARIES += lib/libdaxpin.a
lib_libdaxpin_a_SOURCES = \
	lib/daxpin.h \
	lib/daxpin-json.h \
	lib/daxpin-util.h \
	lib/private.h \
	lib/parse.c \
	lib/netlink.c \
	lib/mountinfo.c \
	lib/json.c \
	lib/util.c
lib_libdaxpin_a_CFLAGS = $(AM_CFLAGS) $(NLGENL_CFLAGS) $(JSON_CFLAGS)
LIBDAXPIN_LIBS = lib/libdaxpin.a $(NLGENL_LIBS) $(JSON_LIBS)
