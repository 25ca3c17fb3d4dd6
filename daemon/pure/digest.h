/* digest: the morning e-mail of followupd(8): who is overdue, due and
 * coming up, cards to post, what to check back on, and the health of the
 * watchers; as a plain-text and an HTML part of one MIME message. Pure:
 * the items, the day and the clock come from the caller. */
#ifndef FOLLOWUPD_DIGEST_H
#define FOLLOWUPD_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "followup.h"

enum digest_section {
	DIGEST_OVERDUE, DIGEST_DUE, DIGEST_UPCOMING, DIGEST_CARDS, DIGEST_CHECKBACK,
	DIGEST_NOREPLY, DIGEST_WAITING,
	DIGEST_NSECTIONS
};

/* The lines of replies that one digest lists, at most ("and N more"). */
#define DIGEST_MAX_APPLIED 40

/* A line of a reply to an earlier digest, with what came of it. */
struct digest_applied {
	const char *line;
	bool applied;
	const char *what;              /* what was done, or why not */
};

struct suggestion;

/* A check-back ended by an answer since the last digest ("Answered"). */
struct digest_answer {
	const char *who;               /* the contact's name, or the address */
	const char *reason;            /* the check-back's, or "" */
	time_t at;                     /* their message */
};

/* A meeting of the digest's day with a contact ("Meeting today"). */
struct digest_meeting {
	const char *title;
	time_t start, end;
	const struct contact *contact;
	const struct fu_history *history;   /* the contact's */
	const char *note;              /* the newest note on them, or NULL */
};

struct digest_input {
	const struct config *cfg;
	const struct fu_item *items;   /* sorted, most urgent first */
	size_t nitems;
	int day;                       /* the digest's local date */
	const char *const *health;     /* "Sent folder unreachable since ..." */
	size_t nhealth;
	const struct digest_applied *applied;   /* "Applied from your replies" */
	size_t napplied;               /* DIGEST_MAX_APPLIED at most */
	size_t napplied_more;          /* more lines, not listed */
	const struct suggestion *suggest;       /* people to consider adding */
	size_t nsuggest;
	const struct digest_meeting *meetings;  /* "Meeting today", by start */
	size_t nmeetings;
	const struct suggestion *met;           /* "People you met": not contacts */
	size_t nmet;
	const struct digest_answer *answers;    /* "Answered": check-backs ended */
	size_t nanswers;
};

struct digest {
	char *subject;                 /* UTF-8, not encoded */
	char *text;                    /* lines end in "\n" */
	char *html;
	size_t counts[DIGEST_NSECTIONS];   /* every item, shown or not */
	size_t listed;                 /* items in the digest */
	size_t total;                  /* items that could be */
};

/* Which section an item belongs in, or -1 when it is not for a digest
 * (ok, snoozed, paused). */
int digest_section_of(const struct fu_item *it);
/* Renders the digest. Never fails. */
void digest_render(const struct digest_input *in, struct digest *d);
void digest_free(struct digest *d);

/* The pieces of an item's entry, shared with the calendar:
 * "3 days overdue, every 2 weeks" */
void digest_lateness(const struct fu_item *it, struct buf *b);
/* "last contact 2026-10-29 by email" or "no contact yet" */
void digest_last_contact(const struct fu_item *it, struct buf *b);
/* "mailto:alice@example.com?subject=Following%20up"; nothing without an
 * address. */
void digest_mailto(const struct fu_item *it, struct buf *b);

/* "<followupd.digest.2026-11-23.TAG@example.org>", TAG 20 hex digits of
 * an HMAC-SHA256 of the day under key (the installation's secret): the
 * same for the same day, so that a resend after a crash is recognisable,
 * and one that nobody without the key can make up. */
#define DIGEST_KEY_LEN 32
char *digest_message_id(const struct config *cfg, int day, const unsigned char *key,
    size_t keylen);
/* Does id (len bytes, without angle brackets) have the form of this
 * account's digests' Message-IDs? Only a first sieve: a reply is applied
 * when the state says a digest with that very Message-ID was sent. */
bool digest_is_own_id(const struct config *cfg, const char *id, size_t len);
/* The whole message (CRLF line ends): From me, To digest_to, Date now,
 * multipart/alternative of the two parts, quoted-printable UTF-8. The MIME
 * boundary is derived from the Message-ID. */
char *digest_message(const struct config *cfg, const struct digest *d,
    const char *message_id, time_t now);

#endif
