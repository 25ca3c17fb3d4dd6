/* capstream: limits on what one IMAP response may make followupd read.
 * It wraps a libetpan stream from the first byte (the greeting, before
 * any TLS for STARTTLS; again on the TLS stream after it): every write (a
 * command, or DONE) starts a new count, and a read fails, as a lost
 * connection does, when the response since then
 *   - is larger than CAPSTREAM_MAX bytes (one huge literal, an endless
 *     line),
 *   - has more than CAPSTREAM_MAX_ITEMS items (libetpan keeps a parsed
 *     structure of 40 to 130 bytes for each, however small the item: five
 *     million "* 1 EXISTS" lines, 60 MB, took 683 MB), or
 *   - nests parentheses deeper than CAPSTREAM_MAX_DEPTH (libetpan's parser
 *     recurses once per level: 100,000 of them overflow its stack), or
 *   - has a literal in the greeting or in a continuation ("+ ") line:
 *     libetpan 1.9.4 parses those without a parser context and crashes on
 *     any literal there (a NULL dereference).
 * A hostile or broken server can then not make followupd hold more than
 * about the cap, nor crash it; it is dropped and tried again with backoff. */
#ifndef FOLLOWUPD_CAPSTREAM_H
#define FOLLOWUPD_CAPSTREAM_H

#include <libetpan/libetpan.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CAPSTREAM_MAX (64u << 20)    /* bytes of one response, at most */
/* Items (what a space, a parenthesis or a line end separates, outside
 * quoted strings and literals): a UID SEARCH answer for a Sent folder of a
 * million messages still fits. */
#define CAPSTREAM_MAX_ITEMS (1u << 20)
/* Parenthesis levels in one response line. A BODYSTRUCTURE takes one per
 * MIME level plus three at its leaves (parameters, disposition and its
 * parameters); Dovecot stops parsing MIME at 100 levels
 * (MESSAGE_PARSER_DEFAULT_MAX_NESTED_MIME_PARTS), so nothing a real
 * server sends for a message needs more. A level costs libetpan a few
 * hundred bytes of stack: far from the 8 MiB. */
#define CAPSTREAM_MAX_DEPTH 128

enum capstream_trip {
	CAPSTREAM_FINE = 0,
	CAPSTREAM_BIG,     /* more than CAPSTREAM_MAX bytes */
	CAPSTREAM_MANY,    /* more than CAPSTREAM_MAX_ITEMS items */
	CAPSTREAM_DEEP,    /* nested deeper than CAPSTREAM_MAX_DEPTH */
	CAPSTREAM_LITERAL, /* a literal in the greeting or a continuation */
};

/* The protocol scanner behind the limits, pure for the unit tests: it
 * follows quoted strings and literals ({N} CRLF and N bytes) so that what
 * is in them counts for nothing. Zero it to start. */
struct capstream_scan {
	int state;
	uint64_t number;     /* the size of the literal being read or skipped */
	unsigned depth;      /* parentheses open on this line */
	size_t items;        /* since the last command */
	bool midline;        /* first has been seen */
	unsigned char first; /* the first byte of this line: '+' continues */
	bool commanded;      /* a command was written: the greeting is over */
};
/* Scans n more bytes; CAPSTREAM_FINE, or the limit they break. */
enum capstream_trip capstream_scan_feed(struct capstream_scan *sc,
    const unsigned char *p, size_t n, unsigned max_depth, size_t max_items);
/* A command was written: the items count from 0 again. */
void capstream_scan_command(struct capstream_scan *sc);

/* Puts the limits between s and its low-level stream, counting from now.
 * 0, or -1 (out of memory; s is unchanged). */
int capstream_wrap(mailstream *s, size_t cap);
/* For a reader that bounds what it reads itself (fetchscan, a message at
 * a time, for a FETCH answer of any length): on, nothing is counted; off,
 * the count starts again at a line's start. 0, or -1 when s has no
 * limits to switch. */
int capstream_unbounded(mailstream *s, bool on);
/* Has a limit cut the stream, and which? */
enum capstream_trip capstream_tripped(mailstream *s);

#endif
