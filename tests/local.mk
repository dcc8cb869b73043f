# tests build rules

# Test tool for the VM harness (tests/vm): pins DAX pages with an O_DIRECT
# read.  Built with the normal build so that tests/vm/run can use it.
noinst_PROGRAMS += tests/tools/daxpin-pinread
tests_tools_daxpin_pinread_SOURCES = tests/tools/daxpin-pinread.c

EXTRA_DIST += \
	tests/vm/README.md \
	tests/vm/mkinitramfs \
	tests/vm/run \
	tests/vm/run-all \
	tests/vm/lib.sh \
	tests/vm/init \
	tests/vm/guest-setup \
	$(wildcard $(srcdir)/tests/vm/scenarios/*.sh)
