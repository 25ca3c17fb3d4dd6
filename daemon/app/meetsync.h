/* meetsync: one refresh of a [meetings] source: fetches what changed
 * (CalDAV ETags, an .ics address's If-None-Match, a directory's sizes and
 * times), reads every calendar object again into the meetings of the
 * window [now - MEET_PAST, now + MEET_AHEAD), and keeps the objects and
 * the meetings in the store in one transaction. Neither the network nor
 * the parsing happens inside a transaction. Used by followupd sync and by the daemon's calendar threads. */
#ifndef FOLLOWUPD_MEETSYNC_H
#define FOLLOWUPD_MEETSYNC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "calfetch.h"
#include "config.h"
#include "store.h"

#define MEET_PAST (366L * 86400)   /* meetings this old still count */
#define MEET_AHEAD (8L * 86400)    /* and those this far ahead are known */
#define MEET_MAX_FETCH (64 << 20)  /* bytes fetched by one refresh, about */
#define MEET_MAX_KEPT (64 << 20)   /* bytes of calendar objects kept per source */
#define MEET_MAX_MEETINGS 20000    /* meetings in the window per source */
#define MEET_MAX_SAID 20           /* problems said per object */

struct meet_stats {
	size_t read;           /* objects fetched: new or changed */
	size_t removed;        /* objects gone from the source */
	size_t objects;        /* objects read */
	size_t meetings;       /* occurrences in the window with someone else */
	size_t errors;         /* events skipped or read in part, of the objects read */
};

/* log is called (from the calling thread) with each problem of an event
 * or object, already cleaned: "q1.ics: event 'uid': no DTSTART" (the
 * caller names the source). Those of an object are said when it is
 * fetched, not each time it is read again. Returns CALF_OK, CALF_TEMP or CALF_FINAL with *err (the
 * source's failure: then nothing was changed); a store failure is
 * CALF_FINAL with "state: ...". */
enum calfetch_rc meet_refresh(const struct config *cfg, const struct meet_source *src,
    struct store *st, time_t now, const atomic_bool *cancel,
    void (*log)(void *arg, const char *msg), void *arg, struct meet_stats *stats,
    char **err);

#endif
