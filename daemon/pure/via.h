/* via: the channel of a follow-up. */
#ifndef FOLLOWUPD_VIA_H
#define FOLLOWUPD_VIA_H

#include <stddef.h>

enum via { VIA_EMAIL, VIA_CALL, VIA_CARD, VIA_MEETING, VIA_MESSAGE, VIA_OTHER };
#define VIA_COUNT 6

/* "email", "call", ...; never NULL for a valid via. */
const char *via_name(enum via v);
/* Parses a channel name (case-insensitive); 0 or -1. */
int via_parse(const char *s, size_t len, enum via *out);

#endif
