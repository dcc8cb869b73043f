# lib build rules: libdaxpin.a (noinst), shared by daxpinctl and daxpind.
# Link users with: lib/libdaxpin.a $(NLGENL_LIBS) $(JSON_LIBS)
noinst_LIBRARIES += lib/libdaxpin.a
lib_libdaxpin_a_SOURCES = \
	lib/daxpin.h \
	lib/daxpin-json.h \
	lib/daxpin-util.h \
	lib/daxpin-text.h \
	lib/private.h \
	lib/parse.c \
	lib/netlink.c \
	lib/mountinfo.c \
	lib/json.c \
	lib/daxpin-control.h \
	lib/control.c \
	lib/util.c \
	lib/text.c
lib_libdaxpin_a_CFLAGS = $(AM_CFLAGS) $(NLGENL_CFLAGS) $(JSON_CFLAGS)
LIBDAXPIN_LIBS = lib/libdaxpin.a $(NLGENL_LIBS) $(JSON_LIBS)

# unit tests (cmocka): messages built in-process with libnl
check_PROGRAMS += lib/tests/test-lib
TESTS += lib/tests/test-lib
lib_tests_test_lib_SOURCES = \
	lib/tests/test-lib.c \
	lib/tests/builder.c \
	lib/tests/builder.h
lib_tests_test_lib_CFLAGS = $(AM_CFLAGS) $(NLGENL_CFLAGS) $(JSON_CFLAGS) \
	$(CMOCKA_CFLAGS)
lib_tests_test_lib_LDADD = $(LIBDAXPIN_LIBS) $(CMOCKA_LIBS)

# sample --json documents for cli/tests/test-schemas.sh
check_PROGRAMS += lib/tests/json-samples
lib_tests_json_samples_SOURCES = \
	lib/tests/json-samples.c \
	lib/tests/builder.c \
	lib/tests/builder.h
lib_tests_json_samples_CFLAGS = $(AM_CFLAGS) $(NLGENL_CFLAGS) $(JSON_CFLAGS)
lib_tests_json_samples_LDADD = $(LIBDAXPIN_LIBS)

# the control-socket client against listeners made by the test (no daxpind)
check_PROGRAMS += lib/tests/test-control
TESTS += lib/tests/test-control
lib_tests_test_control_SOURCES = lib/tests/test-control.c
lib_tests_test_control_CFLAGS = $(AM_CFLAGS) $(JSON_CFLAGS) $(CMOCKA_CFLAGS)
lib_tests_test_control_LDADD = $(LIBDAXPIN_LIBS) $(CMOCKA_LIBS)
