/* suggest: people the user writes to often who are not contacts, with a
 * cadence proposed from how often they were written to (followupd suggest,
 * and the digest once a week). Pure. */
#ifndef FOLLOWUPD_SUGGEST_H
#define FOLLOWUPD_SUGGEST_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "cadence.h"
#include "config.h"

#define SUGGEST_MIN_MESSAGES 3   /* fewer is no habit yet */

struct suggestion {
	char *address;
	char *id;                  /* a contact id for it, unused in the config */
	long count;                /* messages in the period */
	time_t first, last;
	struct span cadence;       /* proposed */
	/* Met in a meeting read from a calendar (met_title NULL when not):
	 * the newest, its end, and the name the invitation gave. */
	char *met_title;
	time_t met_at;
	char *name;                /* "" when none */
};

/* From per-address counts (most written to first): up to limit addresses
 * that are not contacts (nor me), written to SUGGEST_MIN_MESSAGES times or
 * more. Each row: address, count, first, last. Returns how many. */
size_t suggest_pick(const struct config *cfg, const char *const *address,
    const long *count, const time_t *first, const time_t *last, size_t n, size_t limit,
    struct suggestion **out);
/* Adds a person met at a meeting titled title that ended at `at` to the
 * n suggestions of *v (an array from suggest_pick or NULL): unless the
 * address is a contact's or the user's; one already suggested gets the
 * meeting, a newer meeting replaces an older. Returns the new count. */
size_t suggest_add_met(const struct config *cfg, struct suggestion **v, size_t n,
    const char *address, const char *name, const char *title, time_t at);
void suggest_free(struct suggestion *s, size_t n);
/* The INI section for it, ready to paste, with a comment on why. */
void suggest_ini(const struct suggestion *s, struct buf *out);
/* "every 2 weeks (14 messages since 2026-03-02)", or for someone met and
 * not written to: "met at 'Q1 planning' on 20 Nov" */
void suggest_describe(const struct suggestion *s, struct buf *out);

#endif
