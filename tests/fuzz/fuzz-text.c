// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: any byte string through daxpin's name escaping and UTF-8
 * repair (lib/text.c): the escape is printable UTF-8 on one line and
 * reversible, the repaired string and its JSON are valid.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"

/* undo an ls -b escape; returns the length */
static size_t unescape(const char *e, char *out)
{
	size_t n = 0;

	while (*e) {
		if (*e != '\\') {
			out[n++] = *e++;
			continue;
		}
		e++;
		switch (*e) {
		case 'a': out[n++] = '\a'; e++; break;
		case 'b': out[n++] = '\b'; e++; break;
		case 't': out[n++] = '\t'; e++; break;
		case 'n': out[n++] = '\n'; e++; break;
		case 'v': out[n++] = '\v'; e++; break;
		case 'f': out[n++] = '\f'; e++; break;
		case 'r': out[n++] = '\r'; e++; break;
		case '\\': case ' ': out[n++] = *e++; break;
		default:
			if (e[0] < '0' || e[0] > '3' || e[1] < '0' || e[1] > '7' ||
			    e[2] < '0' || e[2] > '7')
				abort();	/* not an escape daxpin writes */
			out[n++] = (char)((e[0] - '0') << 6 | (e[1] - '0') << 3 | (e[2] - '0'));
			e += 3;
		}
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *e, *back, *fixed, small[16];
	struct json_object *o;
	size_t n, need;

	if (size > 1 << 16)
		return 0;
	s = strndup((const char *)data, size);	/* up to the first NUL */
	if (!s)
		return 0;
	n = strlen(s);
	for (unsigned int flags = 0; flags <= DAXPIN_ESC_SPACE; flags++) {
		e = daxpin_escape_dup(s, flags);
		if (!e)
			break;
		need = strlen(e);
		if (need > 4 * n || need != daxpin_escape(NULL, 0, s, flags))
			abort();
		if (strchr(e, '\n'))
			abort();
		/* one field: every space escaped */
		for (const char *sp = e; flags && (sp = strchr(sp, ' ')); sp++)
			if (sp == e || sp[-1] != '\\')
				abort();
		fuzz_check_text(e, need);
		back = malloc(need + 1);
		if (!back || unescape(e, back) != n || memcmp(back, s, n))
			abort();
		/* a cut escape is a prefix of the whole one, never half an escape */
		daxpin_escape(small, sizeof(small), s, flags);
		if (strncmp(small, e, strlen(small)))
			abort();
		unescape(small, back);
		free(back);
		free(e);
	}
	fixed = daxpin_utf8_dup(s);
	if (fixed && !daxpin_utf8_valid(fixed, strlen(fixed)))
		abort();
	if (fixed && daxpin_utf8_valid(s, n) && strcmp(fixed, s))
		abort();
	free(fixed);
	o = json_object_new_object();
	if (o) {
		json_object_object_add(o, "a", daxpin_json_string(s));
		json_object_object_add(o, "b", json_object_new_string(s));
		fuzz_check_json(o);
		json_object_put(o);
	}
	free(s);
	return 0;
}
