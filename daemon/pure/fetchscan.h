/* fetchscan: a streaming reader of the answer to the one command a sync
 * sends,
 *     TAG UID FETCH first:* (UID INTERNALDATE BODY.PEEK[HEADER.FIELDS (...)])
 * fed the bytes as they arrive, in chunks cut anywhere, calling back once
 * per message with its UID, INTERNALDATE and header block. It allocates
 * nothing per message (libetpan's generic parser builds a tree of
 * allocations for each, which cost more CPU than the wire): two buffers,
 * reused, hold what a chunk boundary cuts, one for a line's text and one
 * for a header literal. Pure; the bytes are hostile input.
 *
 * What it reads, response by response (a response is a line and the
 * literals that continue it):
 *   - "* n FETCH (...)": its data items, in any order, names in any case;
 *     UID, INTERNALDATE and any BODY[...] item (its section spec and an
 *     "<origin>" after ']' ignored) are taken, the others (FLAGS,
 *     MODSEQ (1), RFC822.SIZE 42, ...) skipped. A message is reported
 *     when it has both a UID and a BODY[...] item; a FETCH without the
 *     header is a flag change and is not. When an item comes twice, the
 *     last one counts.
 *   - any other untagged response ("* 3 EXPUNGE", "* OK [ALERT] ..."),
 *     skipped whole, its literals too (a line that ends in "{N}" goes on
 *     after N bytes, as any IMAP client reads it);
 *   - "* BYE ..." and "TAG OK|NO|BAD ...", which end the answer: the tagged
 *     line ends at its first line end (it has no literals).
 * Anything else (a continuation request, another tag, a FETCH whose syntax
 * is broken) is FETCHSCAN_ERROR: the sync cannot trust what follows. */
#ifndef FOLLOWUPD_FETCHSCAN_H
#define FOLLOWUPD_FETCHSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Bytes of one response outside its literals, line ends included. */
#define FETCHSCAN_MAX_LINE (64u << 10)
/* Bytes of one literal: the header, or one skipped (nothing in the answer
 * to this command is larger). */
#define FETCHSCAN_MAX_HDR (1u << 20)
/* Parenthesis levels in one FETCH response, its own included:
 * "* 1 FETCH (FLAGS (\Seen))" has 2. */
#define FETCHSCAN_MAX_DEPTH 8
/* Bytes of fetchscan_text, its NUL included; a longer line is cut. */
#define FETCHSCAN_TEXT_MAX 256

struct fetchscan_msg {
	uint32_t uid;
	time_t internaldate;   /* when has_date */
	bool has_date;         /* INTERNALDATE present and valid */
	/* The BODY[...] value: hdrlen bytes, not NUL-terminated, "" for NIL.
	 * It points into the chunk being fed when the literal lies whole in
	 * it, else into the scanner's buffer: valid during the call only. */
	const char *hdr;
	size_t hdrlen;
};

/* Called once per message, from within fetchscan_feed; it must not feed
 * or free the scanner. */
typedef void (*fetchscan_fn)(void *arg, const struct fetchscan_msg *m);

enum fetchscan_rc {
	FETCHSCAN_MORE,    /* all fed bytes read: feed more */
	FETCHSCAN_OK,      /* the tagged response: OK */
	FETCHSCAN_NO,
	FETCHSCAN_BAD,
	FETCHSCAN_BYE,     /* "* BYE": the server is closing */
	FETCHSCAN_ERROR,   /* broken or beyond the bounds: fetchscan_text says how */
};

/* A scanner for the answer to the command tagged tag (its bytes up to the
 * first space or control character; NULL when there are none), calling
 * fn(arg, m) for each message; fn may be NULL. Aborts when out of memory,
 * as buf does. */
struct fetchscan *fetchscan_new(const char *tag, fetchscan_fn fn, void *arg);
void fetchscan_free(struct fetchscan *s);
/* Reads n more bytes. *used is how many it consumed: all of them with
 * FETCHSCAN_MORE; up to the line end of the tagged (or BYE) line with
 * OK, NO, BAD and BYE, what follows being the next command's; where it
 * stopped with FETCHSCAN_ERROR. Once it has returned something other than
 * FETCHSCAN_MORE, it returns that again and consumes nothing. */
enum fetchscan_rc fetchscan_feed(struct fetchscan *s, const char *data, size_t n,
    size_t *used);
/* The text of the tagged or BYE line after its status word (control
 * characters as '?', cut at FETCHSCAN_TEXT_MAX), or why FETCHSCAN_ERROR;
 * "" before either. */
const char *fetchscan_text(const struct fetchscan *s);
/* Messages reported so far. */
size_t fetchscan_count(const struct fetchscan *s);
/* Bytes the scanner holds (itself and its buffers' capacity): it does not
 * grow with the number of messages, at most about FETCHSCAN_MAX_LINE +
 * FETCHSCAN_MAX_HDR. */
size_t fetchscan_footprint(const struct fetchscan *s);

#endif
