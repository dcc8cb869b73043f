/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Properties every harness checks on what daxpin prints, beyond "no
 * sanitizer report": text for a terminal holds no control byte but '\n'
 * and is valid UTF-8 (names are escaped like ls -b), JSON is strictly
 * valid JSON in valid UTF-8 (daxpin-text.h).
 */
#ifndef DAXPIN_FUZZ_CHECK_H
#define DAXPIN_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/daxpin-text.h"

static inline void fuzz_check_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n') || c == 0x7f) {
			fprintf(stderr, "control byte 0x%02x at %zu in text output:\n%.*s\n",
				c, i, (int)n, s);
			abort();
		}
	}
	if (!daxpin_utf8_valid(s, n)) {
		fprintf(stderr, "text output is not UTF-8:\n%.*s\n", (int)n, s);
		abort();
	}
}

/* o serialized as daxpinctl/daxpind do, parsed back strictly */
static inline void fuzz_check_json(struct json_object *o)
{
	struct json_tokener *tok;
	struct json_object *back;
	char *s;

	if (!o)
		return;
	s = daxpin_json_dumps(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		return;
	tok = json_tokener_new();
	if (!tok)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	back = json_tokener_parse_ex(tok, s, (int)strlen(s) + 1);
	if (!back) {
		fprintf(stderr, "invalid JSON (%s): %s\n",
			json_tokener_error_desc(json_tokener_get_error(tok)), s);
		abort();
	}
	json_object_put(back);
	json_tokener_free(tok);
	free(s);
}

/* the same for a document the caller is done with */
static inline void fuzz_check_json_put(struct json_object *o)
{
	fuzz_check_json(o);
	json_object_put(o);
}

/* run fn(f, arg) into memory and check what it printed */
#define FUZZ_CHECK_PRINTED(call) do {					\
	char *buf_ = NULL;						\
	size_t len_ = 0;						\
	FILE *f = open_memstream(&buf_, &len_);				\
									\
	if (!f)								\
		abort();						\
	call;								\
	fclose(f);							\
	fuzz_check_text(buf_, len_);					\
	free(buf_);							\
} while (0)

#endif
