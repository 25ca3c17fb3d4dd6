/* cal: the iCalendar side of followupd(8), with libical: the subscribable
 * feed (one VCALENDAR of every follow-up within the calendar horizon,
 * birthdays and the weekly block) and the iMIP invites (RFC 5546 REQUEST
 * and CANCEL). Pure: the items, the day and the clock come from the caller;
 * only the zone rules are read from the system zoneinfo by libical. */
#ifndef FOLLOWUPD_CAL_H
#define FOLLOWUPD_CAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "followup.h"

enum cal_method { CAL_PUBLISH_FEED, CAL_REQUEST, CAL_CANCEL };

/* One follow-up as a calendar event. */
struct cal_event {
	char *uid;                 /* stable per item and cycle */
	char *summary;             /* "Follow up: Alice Smith" */
	char *description;
	const char *category;      /* the group's name, or NULL */
	int day;                   /* the local date it is on */
};

/* The event of an item, or -1 when the item is not for a calendar
 * (paused, done, beyond the calendar horizon). Due and overdue items are
 * on today (the caller may change day: cal_feed and invite_plan keep the
 * date an invite was sent for). */
int cal_event_of(const struct config *cfg, const struct fu_item *it, int today,
    struct cal_event *ev);
void cal_event_free(struct cal_event *ev);

/* Where an invite put an item: the date its last REQUEST was for. */
struct cal_placed {
	const char *uid;
	int day;
};

/* The feed: VCALENDAR text (CRLF, folded), the same for the same inputs.
 * DTSTAMP is the start of today, so the text changes only when an event
 * does or the day does. A due or overdue item is on today, unless an
 * invite already put it on a date on or after its due date (placed,
 * nplaced: the state's invites): then on that date, as in the calendar
 * the invite reached. One UID, one date. */
char *cal_feed(const struct config *cfg, const struct fu_item *items, size_t n,
    int today, const struct cal_placed *placed, size_t nplaced);

/* An iMIP object: METHOD REQUEST or CANCEL of ev, from me to me, with
 * sequence and dtstamp. */
char *cal_invite(const struct config *cfg, const struct cal_event *ev,
    enum cal_method method, int sequence, time_t dtstamp);

/* The domain of me's address: UIDs and Message-IDs end in it. */
const char *cal_domain(const struct config *cfg);
/* "REQUEST", "CANCEL" (NULL for the feed). */
const char *cal_method_name(enum cal_method m);

#endif
