/* followup: the follow-up arithmetic of followupd(8): which items a contact
 * has on a given day, when each is due and how it stands. Pure: every
 * instant and local date comes in from the caller. */
#ifndef FOLLOWUPD_FOLLOWUP_H
#define FOLLOWUPD_FOLLOWUP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cadence.h"
#include "config.h"
#include "via.h"

enum fu_kind { FU_CADENCE, FU_BIRTHDAY, FU_MEETING, FU_ONCE, FU_CHECKBACK, FU_NOREPLY,
	FU_WAITING };
/* In order of urgency. */
enum fu_status { FU_OVERDUE, FU_DUE, FU_UPCOMING, FU_SNOOZED, FU_PAUSED, FU_OK };

/* What is known of a contact's touches: the newest overall and the newest
 * of each channel, each as an instant and its local date. */
struct fu_history {
	bool any;
	time_t last_at;
	int last_day;
	enum via last_via;
	bool has_via[VIA_COUNT];
	time_t via_at[VIA_COUNT];
	int via_day[VIA_COUNT];
	/* The newest meeting read from a calendar that has ended: its end,
	 * local date and minute. It opens the contact's after_meeting steps
	 * as "met =" does, whichever of the two is newer. */
	bool cal_met;
	time_t cal_met_at;
	int cal_met_day, cal_met_minute;
	/* The newest message sent to the contact by e-mail, and the newest
	 * received from them (the inbox), each with its local date, the
	 * local date its wait ends (nudge, answer_within: the caller adds
	 * them), its Message-ID (or header hash), subject (NULL when
	 * unknown) and address. */
	struct fu_message {
		bool any;
		time_t at;
		int day, wait_day;
		const char *key, *subject, *address;
	} sent, received;
};

/* A contact's state kept by the store. */
struct fu_state {
	int first_seen;            /* the day the contact was first seen, or DAY_NONE */
	int snooze_until;          /* DAY_NONE when not snoozed */
	enum pause_mode paused;    /* set with "followupd pause" */
	int paused_until;
};

struct fu_settings {
	struct span horizon;       /* "coming up" window */
	struct span card_lead;     /* birthday cards are due this long before */
};

struct fu_item {
	const struct contact *contact;
	enum fu_kind kind;
	enum fu_status status;
	int due;                   /* local date D */
	int overdue;               /* O: overdue after this date */
	int days_late;             /* today - D */
	enum via via;              /* the channel a meeting step asks for */
	const char *title;         /* "thank-you email", the once text, a message's
	                            * subject; NULL for cadence */
	const struct fu_message *message;   /* FU_NOREPLY, FU_WAITING: which */
	int held_until;            /* the end of a snooze or pause, or DAY_NONE */
	bool resolved;             /* done for this cycle (status FU_OK) */
	int cycle;                 /* the date the cycle is known by (a pause or
	                            * snooze does not move it): the last contact
	                            * of a cadence (DAY_NONE before any), the
	                            * birthday, the meeting, the once date, the
	                            * check-back's first due date */
	const struct fu_history *history;
};

#define FU_MAX_ITEMS (5 + VIA_COUNT)
/* A message older than this many days opens no "No reply yet" or
 * "Waiting on you". */
#define FU_REPLY_WINDOW 30
/* Days after it fell overdue that a step opened by a calendar's meeting
 * is still shown. */
#define FU_MEETING_STALE 7

/* Adds a touch to a history, keeping the newest of each kind. */
void followup_history_add(struct fu_history *h, time_t at, int day, enum via via);
/* Adds a meeting read from a calendar that ended at at (local day and
 * minute), keeping the newest. */
void followup_history_meeting(struct fu_history *h, time_t at, int day, int minute);
/* Writes the items of contact c on local date today into out (room for
 * FU_MAX_ITEMS) and returns how many. The items point into c and h. */
size_t followup_items(const struct contact *c, const struct fu_settings *s,
    const struct fu_history *h, const struct fu_state *st, int today,
    struct fu_item *out);
/* A check-back item on c (due on due, title its reason), held by the
 * contact's pause or snooze like its other items. */
void followup_checkback(const struct contact *c, const struct fu_settings *s,
    const struct fu_state *st, const struct fu_history *h, int due, const char *title,
    int today, struct fu_item *it);
/* Sorts most urgent first: by status, then the latest first, then name. */
void followup_sort(struct fu_item *items, size_t n);
const char *followup_status_name(enum fu_status s);
const char *followup_kind_name(enum fu_kind k);



/* How an item stands, in words: "3 days overdue", "due today", "due in
 * 2 days", "snoozed until 2026-12-01", "done". */
void followup_describe(const struct fu_item *it, char *out, size_t outlen);
#endif
