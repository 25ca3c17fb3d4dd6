/* meetpick: who a meeting read from a calendar counts for. Pure. */
#ifndef FOLLOWUPD_MEETPICK_H
#define FOLLOWUPD_MEETPICK_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "icsmeet.h"

/* Is addr one of the user's own: the address in `me`, digest_to, or an
 * [imap] login that is an address, any "+tag" of them included? */
bool meet_is_me(const struct config *cfg, const char *addr);
/* The people of o who count: each person who is not the user, did not
 * decline and has a valid address, as indexes into o->people written to
 * idx (room for o->npeople). Returns how many, or 0 with *declined when
 * the user declined the occurrence (then nobody counts). */
size_t meet_people(const struct config *cfg, const struct icsm_occ *o, size_t *idx,
    bool *declined);

#endif
