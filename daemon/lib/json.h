/* json: writing JSON values into a buffer. Pure. */
#ifndef FOLLOWUPD_JSON_H
#define FOLLOWUPD_JSON_H

#include "buf.h"

/* Appends s as a JSON string (quoted, escaped; invalid UTF-8 bytes become
 * U+FFFD), or null when s is NULL. */
void json_string(struct buf *b, const char *s);

#endif
