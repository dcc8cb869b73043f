/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Names from the outside world (file names, comm values, mount points,
 * anything a local user can choose) on their way to a terminal, a log line
 * or a JSON document.
 *
 * Text: escaped like "ls -b" in a UTF-8 locale, so that one name stays one
 * field on one line and no byte reaches the terminal as a control:
 *   \\  for a backslash, "\ " for a space (with DAXPIN_ESC_SPACE),
 *   \a \b \t \n \v \f \r  for those controls,
 *   \ooo (three octal digits) for every other byte below 0x20, for 0x7f,
 *        for each byte of an invalid UTF-8 sequence (overlong forms,
 *        surrogates and code points above U+10FFFF included), and for each
 *        byte of the C1 controls U+0080..U+009F and of the invisible
 *        direction controls U+200E, U+200F, U+2028, U+2029, U+202A..U+202E
 *        and U+2066..U+2069;
 *   every other character, valid UTF-8 included, as it is.
 *
 * JSON: json-c escapes controls but copies other bytes, so a name that is
 * not UTF-8 would make the document invalid.  Every string daxpin puts
 * into JSON is valid UTF-8: each byte that is not part of a valid UTF-8
 * sequence becomes U+FFFD (the replacement character, EF BF BD).  Valid
 * names, and so all ASCII ones, are unchanged.
 */
#ifndef _DAXPIN_TEXT_H_
#define _DAXPIN_TEXT_H_

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;

#define DAXPIN_ESC_SPACE	0x1u	/* also escape ' ' ("\ "), as ls -b */

/* The longest escape of a string of n bytes, NUL included. */
#define DAXPIN_ESC_SIZE(n)	(4 * (n) + 1)

/*
 * Escape s into buf (len bytes, NUL-terminated if len > 0); an escape is
 * never cut in two.  Returns the length the whole escape needs, without
 * the NUL, like snprintf: the result was cut when it is >= len.
 */
size_t daxpin_escape(char *buf, size_t len, const char *s, unsigned int flags);
/* The escape of s in a new string (free it), or NULL without memory. */
char *daxpin_escape_dup(const char *s, unsigned int flags);
/*
 * daxpin_escape() of s for a printf argument: the string stays valid until
 * eight more calls in the same thread.  "?" without memory, "" for NULL.
 * Tables and key=value lines escape spaces in every field but the last,
 * which runs to the end of the line (a path): there spaces stay readable.
 */
const char *daxpin_esc(const char *s, unsigned int flags);

/* Whether the n bytes at s are valid UTF-8. */
bool daxpin_utf8_valid(const char *s, size_t n);
/* s with each byte outside a valid UTF-8 sequence replaced by U+FFFD, in a
 * new string (free it); NULL without memory. */
char *daxpin_utf8_dup(const char *s);

/* A JSON string of s made valid UTF-8 as above; NULL without memory. */
struct json_object *daxpin_json_string(const char *s);
/*
 * json_object_to_json_string_ext(o, flags) made valid UTF-8 as above, in a
 * new string (free it); NULL without memory.  Only string contents can
 * hold bytes above 0x7f, so the document's structure is unchanged: this
 * repairs the strings of objects built by json_object_new_string() too.
 */
char *daxpin_json_dumps(struct json_object *o, int flags);

#ifdef __cplusplus
}
#endif

#endif /* _DAXPIN_TEXT_H_ */
