# kmod build rules: daxpin.ko is built by Kbuild, not automake.
#   make module    build daxpin.ko for $(KERNEL_BUILD) (configure --with-kernel-build)
#   make check-vm  run the VM scenarios on every Debian kernel found
EXTRA_DIST += kmod/Kbuild kmod/dkms.conf.in kmod/COMPAT.md \
	$(wildcard $(srcdir)/kmod/*.c $(srcdir)/kmod/*.h) scripts/build-kmod

module:
if HAVE_KERNEL_BUILD
	$(top_srcdir)/scripts/build-kmod -W -k $(KERNEL_BUILD) -o $(abs_builddir)/kmod-build
else
	@echo "no kernel build dir: apt-get install linux-headers-amd64 or configure --with-kernel-build=DIR" >&2; exit 1
endif

check-vm: all
	DAXPIN_BUILD=$(abs_builddir) $(top_srcdir)/tests/vm/run-all -j 2

.PHONY: module check-vm
