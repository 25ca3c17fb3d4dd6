/* mailhdr: the header fields followupd reads from a sent message (the block
 * an IMAP BODY.PEEK[HEADER.FIELDS (...)] returns): recipients, Message-ID
 * and Date. Pure; the block is hostile input. */
#ifndef FOLLOWUPD_MAILHDR_H
#define FOLLOWUPD_MAILHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "mailaddr.h"

/* The fields to ask the server for, upper case as IMAP writes them. */
extern const char *const mailhdr_fields[];
#define MAILHDR_NFIELDS 11

struct mailhdr {
	struct mailaddr_list rcpt;   /* To, Cc, Bcc, Resent-To, Resent-Cc, in order */
	struct mailaddr_list from;   /* From (a received message's sender) */
	char *message_id;            /* without angle brackets, or NULL */
	char *subject;               /* as written (RFC 2047 words not decoded), or NULL */
	struct buf in_reply_to;      /* In-Reply-To, as written */
	struct buf refs;             /* References, as written */
	bool has_date;
	time_t date;                 /* Date, when present and valid */
	size_t bad_lines;            /* lines that are not "Name: value" */
};

/* Parses a header block (CRLF or LF line ends, folded lines). Returns 0, or
 * -1 with *why (static) when the block is not a header at all (NUL bytes,
 * no field). Free with mailhdr_free either way. */
int mailhdr_parse(const char *text, size_t len, struct mailhdr *h, const char **why);
/* The same, keeping the recipients' display names (slower). */
int mailhdr_parse_named(const char *text, size_t len, struct mailhdr *h, const char **why);
void mailhdr_free(struct mailhdr *h);
/* The message this one answers directly (RFC 5322 3.6.4): the first id
 * of In-Reply-To, or else the last of References; false when neither
 * names one. *id (without brackets, len bytes) points into h. */
bool mailhdr_parent(const struct mailhdr *h, const char **id, size_t *len);

/* Parses an RFC 5322 date-time (with the obsolete forms: two-digit years,
 * zone names, comments) into an instant. 0 or -1. */
int mailhdr_parse_date(const char *s, size_t len, time_t *out);

#endif
