/* scan: what one sent message means for followupd: its key, its time and
 * the recipients that are contacts. Pure: the caller fetches and stores. */
#ifndef FOLLOWUPD_SCAN_H
#define FOLLOWUPD_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cadence.h"
#include "config.h"

struct scan_result {
	char *key;            /* Message-ID, or "hdr-" and a hash of the header */
	time_t at;            /* Date, or INTERNALDATE when Date is missing/broken */
	bool date_fallback;   /* at came from INTERNALDATE */
	size_t nrcpt;         /* distinct recipients */
	bool bulk;            /* nrcpt > max_recipients: not a follow-up */
	char **hits;          /* those of others that are contacts (not bulk) */
	size_t nhits;
	size_t bad_addresses; /* recipient entries that did not parse */
	char *subject;        /* decoded and cleaned (clean.h), with a check-back
	                         only; or NULL */
	/* A reply to one of our digests: it answers it directly (In-Reply-To,
	 * or the last of References) and goes to no one but me (or
	 * digest_to). digest_parent is that digest's Message-ID, "<...>", for
	 * the caller to ask the state whether it was sent. */
	bool digest_reply;
	char *digest_parent;
	/* It answers a digest but goes to others too: not a reply to read. */
	bool digest_reply_elsewhere;
	/* A check-back tag (me's LOCAL+fu-DURATION@DOMAIN among the recipients):
	 * every other recipient is to be checked back on. */
	bool checkback;
	bool checkback_weekday;   /* +fu-fri: the next such day */
	int checkback_wday;       /* 0 = Monday */
	struct span checkback_span;
	char **others;        /* distinct recipients but me and my tags, normalised */
	size_t nothers;
	char **other_names;   /* with a check-back only: their display names
	                       * (cleaned), NULL where none; else NULL */
	char *warning;        /* the first of them described, or NULL */
};

/* Reads a header block fetched for a message whose INTERNALDATE is
 * internaldate. Returns 0, or -1 with *why (static) when the block is not a
 * header at all. A Date more than a day after INTERNALDATE counts as broken.
 * Free the result with scan_result_free either way. */
int scan_message(const struct config *cfg, const char *text, size_t len,
    time_t internaldate, struct scan_result *res, const char **why);
void scan_result_free(struct scan_result *res);

/* What one received message (the inbox) means: who sent it, when, what
 * it answers. */
struct scan_received {
	char *key;            /* Message-ID, or "hdr-" and a hash of the header */
	time_t at;            /* Date, or INTERNALDATE when missing/broken */
	char *from;           /* the sender, normalised; NULL when none parsed */
	char *subject;        /* as written (scan_subject decodes it), or NULL */
};
/* Reads a received message's header block. 0, or -1 with *why (static).
 * Free with scan_received_free either way. */
int scan_received(const char *text, size_t len, time_t internaldate,
    struct scan_received *res, const char **why);
void scan_received_free(struct scan_received *res);
/* The decoded, cleaned Subject of a header block, or NULL. */
char *scan_subject(const char *raw);

#endif
