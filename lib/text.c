// SPDX-License-Identifier: LGPL-2.1
/* Hostile names made safe for terminals, logs and JSON; see daxpin-text.h */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "daxpin-text.h"

/*
 * Length of the valid UTF-8 sequence at s (1 to 4; s holds n > 0 bytes),
 * or 0 when the byte at s does not start one (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF).
 */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		*cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		*cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		*cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	return len;
}

bool daxpin_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t k;

	while (n) {
		k = utf8_seq(p, n, &cp);
		if (!k)
			return false;
		p += k;
		n -= k;
	}
	return true;
}

/* Characters that move the cursor or reorder text without being seen. */
static bool invisible_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

struct out {
	char *buf;
	size_t len;
	size_t written;		/* bytes in buf */
	size_t need;		/* bytes the whole escape needs */
};

/* Append n bytes as one unit: all of it fits, or nothing more is written. */
static void put(struct out *o, const char *s, size_t n)
{
	if (o->written == o->need && o->need + n < o->len) {
		memcpy(o->buf + o->written, s, n);
		o->written += n;
	}
	o->need += n;
}

static void put_octal(struct out *o, unsigned char c)
{
	char e[4] = { '\\', (char)('0' + (c >> 6)), (char)('0' + ((c >> 3) & 7)),
		      (char)('0' + (c & 7)) };

	put(o, e, 4);
}

/* The C escape letter of a control character, or 0 */
static char control_letter(unsigned char c)
{
	switch (c) {
	case '\a': return 'a';
	case '\b': return 'b';
	case '\t': return 't';
	case '\n': return 'n';
	case '\v': return 'v';
	case '\f': return 'f';
	case '\r': return 'r';
	default: return 0;
	}
}

size_t daxpin_escape(char *buf, size_t len, const char *s, unsigned int flags)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), k, i;
	struct out o = { .buf = buf, .len = len };
	uint32_t cp;

	while (n) {
		unsigned char c = *p;
		char l;

		if (c == '\\' || (c == ' ' && (flags & DAXPIN_ESC_SPACE))) {
			char e[2] = { '\\', (char)c };

			put(&o, e, 2);
			k = 1;
		} else if (c < 0x20 || c == 0x7f) {
			l = control_letter(c);
			if (l) {
				char e[2] = { '\\', l };

				put(&o, e, 2);
			} else {
				put_octal(&o, c);
			}
			k = 1;
		} else {
			k = utf8_seq(p, n, &cp);
			if (!k) {
				put_octal(&o, c);
				k = 1;
			} else if (invisible_control(cp)) {
				for (i = 0; i < k; i++)
					put_octal(&o, p[i]);
			} else {
				put(&o, (const char *)p, k);
			}
		}
		p += k;
		n -= k;
	}
	if (len)
		buf[o.written] = '\0';
	return o.need;
}

char *daxpin_escape_dup(const char *s, unsigned int flags)
{
	size_t n = daxpin_escape(NULL, 0, s, flags) + 1;
	char *e = malloc(n);

	if (e)
		daxpin_escape(e, n, s, flags);
	return e;
}

#define ESC_RING 8

const char *daxpin_esc(const char *s, unsigned int flags)
{
	static __thread char *ring[ESC_RING];
	static __thread unsigned int next;
	char **slot = &ring[next++ % ESC_RING];

	free(*slot);
	*slot = daxpin_escape_dup(s, flags);
	return *slot ? *slot : "?";
}

char *daxpin_utf8_dup(const char *s)
{
	static const char fffd[] = "\xef\xbf\xbd";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k, bad = 0, i;
	uint32_t cp;
	char *d, *q;

	for (i = 0; i < n; i += k) {
		k = utf8_seq(p + i, n - i, &cp);
		if (!k) {
			bad++;
			k = 1;
		}
	}
	d = malloc(n + 2 * bad + 1);	/* 1 byte -> 3 */
	if (!d)
		return NULL;
	for (i = 0, q = d; i < n; i += k) {
		k = utf8_seq(p + i, n - i, &cp);
		if (!k) {
			memcpy(q, fffd, 3);
			q += 3;
			k = 1;
		} else {
			memcpy(q, p + i, k);
			q += k;
		}
	}
	*q = '\0';
	return d;
}

struct json_object *daxpin_json_string(const char *s)
{
	struct json_object *o;
	char *fixed;

	if (daxpin_utf8_valid(s, strlen(s)))
		return json_object_new_string(s);
	fixed = daxpin_utf8_dup(s);
	if (!fixed)
		return NULL;
	o = json_object_new_string(fixed);
	free(fixed);
	return o;
}

char *daxpin_json_dumps(struct json_object *o, int flags)
{
	const char *s = json_object_to_json_string_ext(o, flags);

	return s ? daxpin_utf8_dup(s) : NULL;
}
