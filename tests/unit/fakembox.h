/* fakembox: an in-memory Sent folder behind sync's table of operations
 * (mbox.h), for the unit tests: messages with their UIDs, INTERNALDATEs,
 * header blocks and texts under a UIDVALIDITY, and switches that make it
 * answer as real servers sometimes do: an operation that fails at its Nth
 * call, messages sent along unasked, one answered twice, a SEARCH that
 * lists nothing. It counts what it was asked, for the tests to check.
 * Two tables over it: fakembox_ops reads it as a source without a stream
 * does (search, then batches), fakembox_stream_ops with fetch_stream too,
 * as sync reads the IMAP connection. */
#ifndef FOLLOWUPD_FAKEMBOX_H
#define FOLLOWUPD_FAKEMBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mbox.h"

enum fakembox_op {
	FAKEMBOX_EXAMINE,
	FAKEMBOX_SEARCH,
	FAKEMBOX_FETCH_UIDS,
	FAKEMBOX_FETCH_BATCH,
	FAKEMBOX_FETCH_TEXT,
	FAKEMBOX_FETCH_STREAM,
	FAKEMBOX_NOPS
};

struct fakembox_msg {
	uint32_t uid;
	time_t internaldate;
	char *header;              /* the header block, as FETCH answers it */
	char *text;                /* its text part, or NULL: none */
	bool html;                 /* that part is text/html */
};

#define FAKEMBOX_UNASKED 4

struct fakembox {
	char *folder;              /* EXAMINE knows no other */
	uint32_t uidvalidity;
	uint32_t uidnext;          /* the UID fakembox_add gives next */
	struct fakembox_msg *msgs; /* by UID, ascending */
	size_t n, cap;

	/* Switches. Failures: see fakembox_fail. */
	struct {
		unsigned from, to;     /* calls from..to-1 fail (to 0: all after);
		                        * from 0: none */
		enum imap_rc rc;
	} fail[FAKEMBOX_NOPS];
	unsigned ever[FAKEMBOX_NOPS];   /* the calls of each, in all */
	unsigned fail_wait_ms;     /* a call that fails takes this long first,
	                            * as one that times out does */
	size_t stream_fail_after;  /* a stream that fails answers this many
	                            * messages first, as a connection dropped
	                            * in the middle of the answer does */
	/* Messages every FETCH of headers answers along with those asked
	 * (a stream: after them, whatever their UIDs). */
	struct fakembox_msg unasked[FAKEMBOX_UNASKED];
	size_t nunasked;
	bool twice;                /* every FETCH (and stream) answers its first
	                            * message twice */
	bool search_blind;         /* SEARCH lists nothing (as GNU imap4d did) */

	/* What it was asked since fakembox_round. */
	unsigned calls[FAKEMBOX_NOPS];
	size_t fetched;            /* UIDs asked for in FETCHes of headers (a
	                            * stream: its messages from first on) */
	uint32_t first_fetched;    /* the lowest of them (a stream: its first),
	                            * 0 when none */
	size_t largest_fetch;      /* the most UIDs one FETCH asked for */
};

/* The tables over a struct fakembox: without a stream, and with one.
 * The stream answers the messages from first on, ascending (the first
 * twice with twice), then the unasked ones; when none is from first on,
 * it answers the last message, as "UID FETCH first:*" does (RFC 3501
 * 6.4.8). A failing stream (FAKEMBOX_FETCH_STREAM) answers
 * stream_fail_after of those first. */
extern const struct mbox_ops fakembox_ops;
extern const struct mbox_ops fakembox_stream_ops;

void fakembox_init(struct fakembox *f, const char *folder, uint32_t uidvalidity);
void fakembox_free(struct fakembox *f);
/* Appends a message under the next UID (text NULL: no text part); its UID. */
uint32_t fakembox_add(struct fakembox *f, time_t internaldate, const char *header,
    const char *text, bool html);
/* Expunges uid. */
void fakembox_remove(struct fakembox *f, uint32_t uid);
/* As a server that rebuilt its index: a new UIDVALIDITY, and the same
 * messages numbered again from first. */
void fakembox_renumber(struct fakembox *f, uint32_t uidvalidity, uint32_t first);
/* From now on, the at-th call of op (1: the next one) and the times - 1
 * after it fail with rc; times 0: every call from the at-th on. */
void fakembox_fail(struct fakembox *f, enum fakembox_op op, unsigned at, unsigned times,
    enum imap_rc rc);
/* Every FETCH of headers also answers this message, asked for or not. */
void fakembox_unasked(struct fakembox *f, uint32_t uid, time_t internaldate,
    const char *header);
/* No more of those. */
void fakembox_unasked_clear(struct fakembox *f);
/* Starts counting calls and fetched UIDs anew (failures stay as set). */
void fakembox_round(struct fakembox *f);

#endif
