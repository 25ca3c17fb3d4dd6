/* agenda: every follow-up item of the configuration on a given day, from
 * the configuration and the state. The glue between store and followup. */
#ifndef FOLLOWUPD_AGENDA_H
#define FOLLOWUPD_AGENDA_H

#include "config.h"
#include "followup.h"
#include "store.h"

struct agenda {
	struct fu_item *items;         /* sorted, most urgent first */
	size_t count;
	struct fu_history *histories;  /* one per contact, in config order */
	struct fu_state *states;       /* one per contact */
	/* Check-backs on people who are not contacts get a contact of their
	 * own here (id and name: the address). */
	struct contact *extra;
	size_t nextra;
	char **strings;                /* owned: addresses, reasons */
	size_t nstrings;
	struct fu_history none;        /* for those */
};

/* Builds the agenda of day (a local date) from touches before the end of
 * that day (and meetings that ended by then, or by now for today and
 * later), with the open check-backs. Contacts never seen before are
 * recorded as first seen on today, the date of now (the real clock),
 * which spreads their first due dates. 0 or -1. */
int agenda_build(struct agenda *a, const struct config *cfg, struct store *st,
    int day, time_t now, char **err);
void agenda_free(struct agenda *a);

#endif
