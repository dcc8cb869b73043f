// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libdaxctl is loaded only for the moment it is needed (advice in a
 * non-transient message) and unloaded again: linked normally it drags in
 * libkmod and, through it, libcrypto -- 1.5 MiB of resident memory in a
 * daemon that otherwise sleeps in epoll_wait().
 */
#include <dlfcn.h>
#include <stdio.h>

#include <daxctl/libdaxctl.h>

#include "daemon/devdax.h"

struct fns {
	int (*new)(struct daxctl_ctx **);
	void (*unref)(struct daxctl_ctx *);
	struct daxctl_region *(*region_first)(struct daxctl_ctx *);
	struct daxctl_region *(*region_next)(struct daxctl_region *);
	int (*region_id)(struct daxctl_region *);
	struct daxctl_dev *(*dev_first)(struct daxctl_region *);
	struct daxctl_dev *(*dev_next)(struct daxctl_dev *);
	const char *(*dev_name)(struct daxctl_dev *);
	unsigned long long (*dev_size)(struct daxctl_dev *);
	int (*dev_enabled)(struct daxctl_dev *);
};

static int resolve(void *h, struct fns *f)
{
#define SYM(field, name) \
	if (!(*(void **)&f->field = dlsym(h, name))) \
		return -1
	SYM(new, "daxctl_new");
	SYM(unref, "daxctl_unref");
	SYM(region_first, "daxctl_region_get_first");
	SYM(region_next, "daxctl_region_get_next");
	SYM(region_id, "daxctl_region_get_id");
	SYM(dev_first, "daxctl_dev_get_first");
	SYM(dev_next, "daxctl_dev_get_next");
	SYM(dev_name, "daxctl_dev_get_devname");
	SYM(dev_size, "daxctl_dev_get_size");
	SYM(dev_enabled, "daxctl_dev_is_enabled");
#undef SYM
	return 0;
}

void dxp_devdax_list(char *buf, size_t len)
{
	struct daxctl_region *region;
	struct daxctl_ctx *ctx;
	struct daxctl_dev *dev;
	struct fns f;
	size_t o = 0;
	void *h;

	buf[0] = '\0';
	h = dlopen("libdaxctl.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(buf, len, "unknown (libdaxctl.so.1 not available)");
		return;
	}
	if (resolve(h, &f) < 0 || f.new(&ctx) < 0) {
		snprintf(buf, len, "unknown (libdaxctl failed)");
		goto out;
	}
	for (region = f.region_first(ctx); region; region = f.region_next(region)) {
		for (dev = f.dev_first(region); dev; dev = f.dev_next(dev)) {
			unsigned long long size = f.dev_size(dev);
			int n;

			if (!size)
				continue;	/* the idle seed device */
			n = snprintf(buf + o, len - o, "%s%s (region%d, %.1f GiB%s)", o ? ", " : "",
				     f.dev_name(dev), f.region_id(region),
				     (double)size / (1ULL << 30),
				     f.dev_enabled(dev) ? "" : ", disabled");
			if (n < 0 || (size_t)n >= len - o)
				goto done;
			o += (size_t)n;
		}
	}
done:
	f.unref(ctx);
	if (!o)
		snprintf(buf, len, "none (one can be created with: ndctl create-namespace --mode=devdax)");
out:
	dlclose(h);
}
