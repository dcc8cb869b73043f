# tests build rules

# Test tools for the VM harness (tests/vm): daxpin-pinread pins DAX pages
# with an O_DIRECT read, daxpin-waiters starts many truncates at once.
# Built with the normal build so that tests/vm/run can use them (it builds
# its own copies into the VM cache when they are missing).
noinst_PROGRAMS += tests/tools/daxpin-pinread tests/tools/daxpin-waiters
tests_tools_daxpin_pinread_SOURCES = tests/tools/daxpin-pinread.c
tests_tools_daxpin_waiters_SOURCES = tests/tools/daxpin-waiters.c
# daxpin.ko refuses PREEMPT_RT kernels (against the RT headers setup installs).
TESTS += tests/kmod/rt-refused.sh
EXTRA_DIST += tests/kmod/rt-refused.sh

# daxpin-sigflood times delivered signals (kmod-signal-flood).
noinst_PROGRAMS += tests/tools/daxpin-sigflood
tests_tools_daxpin_sigflood_SOURCES = tests/tools/daxpin-sigflood.c

# daxpin-nlfuzz sends seeded random generic-netlink requests to the family
# (tests/vm/scenarios/kmod-fuzz.sh, kmod-cycle.sh, kmod-unpriv.sh).
noinst_PROGRAMS += tests/tools/daxpin-nlfuzz
tests_tools_daxpin_nlfuzz_SOURCES = tests/tools/daxpin-nlfuzz.c

EXTRA_DIST += \
	tests/vm/README.md \
	tests/vm/mkinitramfs \
	tests/vm/run \
	tests/vm/run-all \
	tests/vm/lib.sh \
	tests/vm/init \
	tests/vm/guest-setup \
	tests/vm/scenarios/smoke.sh \
	tests/vm/scenarios/baseline-stuck-truncate.sh \
	tests/vm/scenarios/baseline-punch.sh \
	tests/vm/scenarios/pin-many.sh

# libFuzzer harnesses and their seed corpus (tests/fuzz/run; not built by
# make: they need clang, see scripts/test), and the sanitizer build script
EXTRA_DIST += tests/fuzz/run tests/fuzz/README.md tests/fuzz/fuzz-check.h tests/fuzz/mkseeds.c \
	$(wildcard $(srcdir)/tests/fuzz/fuzz-*.c $(srcdir)/tests/fuzz/corpus/*/*) \
	scripts/test-sanitize
