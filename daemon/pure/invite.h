/* invite: which iMIP invites to send (RFC 5546, RFC 6047), and the
 * messages that carry them. Pure: what was sent before comes from the
 * caller (the state), and so do the items and the day.
 *
 * An item gets a REQUEST when it is due or overdue, for its due date.
 * When that date moves (a snooze, a changed cadence) it gets a REQUEST
 * with a higher SEQUENCE; when it is resolved (a follow-up, a pause, the
 * contact removed) while its date is today or later, a CANCEL with a
 * higher SEQUENCE. An invite whose date has passed is left alone. */
#ifndef FOLLOWUPD_INVITE_H
#define FOLLOWUPD_INVITE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cal.h"
#include "config.h"
#include "followup.h"

/* An invite sent before, as the state knows it. */
struct invite_known {
	const char *uid;
	const char *contact;       /* contact id */
	int sequence;
	int day;                   /* the date it was last sent for */
	bool cancelled;            /* the last one sent was a CANCEL */
	bool closed;               /* nothing more will be sent for it */
};

enum invite_action_kind { INVITE_SEND, INVITE_CLOSE };

struct invite_action {
	enum invite_action_kind kind;
	enum cal_method method;    /* CAL_REQUEST or CAL_CANCEL, with INVITE_SEND */
	struct cal_event ev;       /* owned */
	char *contact;             /* owned */
	int sequence;
};

/* The actions for today; *out allocated (free with invite_actions_free).
 * known must be sorted by uid (strcmp). */
size_t invite_plan(const struct config *cfg, const struct fu_item *items, size_t n,
    const struct invite_known *known, size_t nknown, int today,
    struct invite_action **out);
void invite_actions_free(struct invite_action *a, size_t n);

/* "<followupd.invite.1a2b3c4d.2@example.org>": the same for the same uid
 * and sequence, so a resend after a crash is the same message. */
char *invite_message_id(const struct config *cfg, const char *uid, int sequence);
/* The whole message (CRLF): multipart/mixed of a multipart/alternative
 * (text, html, text/calendar; method=...) and invite.ics. */
char *invite_message(const struct config *cfg, const struct invite_action *a,
    time_t now);

#endif
