// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: a reply line from "daxpind" through daxpinctl: the framing
 * and JSON check (lib/control.c), the documents built from it and their
 * tables (cli/render-daemon.c).  What daxpinctl prints must stay one
 * printable row per item and strictly valid UTF-8 JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/render-daemon.h"
#include "lib/daxpin-control.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *r = NULL, *doc = NULL, *st;
	char why[256];
	uint64_t ms;

	if (size > 1 << 20)
		return 0;
	if (daxpin_control_parse_reply((const char *)data, size, &r, why,
				       sizeof(why)) || !r)
		return 0;
	if (!daemon_policy_doc(r, &doc, why, sizeof(why))) {
		fuzz_check_json(doc);
		FUZZ_CHECK_PRINTED(render_policy(f, doc));
		json_object_put(doc);
	}
	if (!daemon_metrics_doc(r, &doc, why, sizeof(why))) {
		fuzz_check_json(doc);
		FUZZ_CHECK_PRINTED(render_metrics(f, doc));
		json_object_put(doc);
	}
	/* the same reply as status and as policy */
	st = daemon_status_doc("/run/daxpin/control", 0, NULL, r, r, 5);
	fuzz_check_json(st);
	FUZZ_CHECK_PRINTED(render_daemon_status(f, st));
	daemon_warn_after_ms(st, &ms);
	json_object_put(st);
	json_object_put(r);
	return 0;
}
