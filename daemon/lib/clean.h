/* clean: text that came from outside (a server, a message, a reply, a
 * calendar) made safe to log, print on a terminal, put in sd_notify's
 * STATUS= or store in the feed. Pure.
 *
 * Replaced by one '?' each: C0 control characters (a TAB becomes a space),
 * DEL, C1 controls (U+0080 to U+009F), the Unicode line and paragraph
 * separators and bidirectional marks and overrides (U+061C, U+200E,
 * U+200F, U+2028, U+2029, U+202A to U+202E, U+2066 to U+2069), and
 * every byte that is not part of valid
 * UTF-8. So no escape sequence reaches a terminal, no LF starts a forged
 * log line or a second sd_notify assignment, and no text is reordered. */
#ifndef FOLLOWUPD_CLEAN_H
#define FOLLOWUPD_CLEAN_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0. */
int clean_utf8_len(const unsigned char *s);
/* Appends the first n bytes of s, cleaned. */
void clean_append(struct buf *b, const char *s, size_t n);
/* An allocated clean copy of s; NULL for NULL. */
char *clean_dup(const char *s);
/* Cleans s in place (it never grows). */
void clean_inplace(char *s);
/* Whether s needs no cleaning. */
bool clean_is_clean(const char *s);

#endif
