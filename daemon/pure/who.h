/* who: resolving the WHO of the command line and of reply commands to a
 * contact. Pure. */
#ifndef FOLLOWUPD_WHO_H
#define FOLLOWUPD_WHO_H

#include "buf.h"
#include "config.h"

enum who_result { WHO_FOUND, WHO_UNKNOWN, WHO_AMBIGUOUS };

/* WHO is a contact id, one of its addresses, or a case-insensitive prefix
 * of its id or name that only one contact has. On WHO_UNKNOWN and
 * WHO_AMBIGUOUS, why gets a message that lists the candidates; with why
 * NULL there is no message, and no search for near misses (the costly
 * part: an edit distance to every contact). */
enum who_result who_resolve(const struct config *cfg, const char *who,
    const struct contact **out, struct buf *why);

#endif
