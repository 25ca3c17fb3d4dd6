/* mime: the pieces of an RFC 5322 / MIME message that followupd writes:
 * quoted-printable bodies, RFC 2047 encoded words, addresses and dates.
 * Pure; output lines end in CRLF and stay under 78 octets. */
#ifndef FOLLOWUPD_MIME_H
#define FOLLOWUPD_MIME_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

/* Quoted-printable (RFC 2045 6.7) of UTF-8 text whose lines end in "\n":
 * hard line breaks become CRLF, long lines get soft breaks. */
void mime_qp(struct buf *out, const char *text);
/* A header field "Name: value" with value as RFC 2047 encoded words when it
 * is not plain ASCII, folded under 78 octets, ending in CRLF. */
void mime_header(struct buf *out, const char *name, const char *value);
/* "Name <addr>" for a header: the name quoted or encoded as needed. */
void mime_mailbox(struct buf *out, const char *name, const char *addr);
/* An RFC 5322 date in the current time zone (TZ), numeric offset. */
void mime_date(struct buf *out, time_t t);
/* The fields every message of followupd ends its header with (before
 * Content-Type): Date (now), Message-ID, Auto-Submitted, X-Auto-Response-
 * Suppress and MIME-Version. */
void mime_auto_fields(struct buf *out, const char *message_id, time_t now);
/* Percent-encodes for a URL (RFC 3986): everything but the unreserved
 * characters and those in keep (NULL: none). */
void mime_url_escape(struct buf *out, const char *s, const char *keep);
/* Base64 (RFC 2045 6.8) of len bytes in lines of 76 characters, each
 * ending in CRLF. */
void mime_base64(struct buf *out, const void *data, size_t len);
/* Escapes &, <, >, " for HTML text and attributes. */
void mime_html_escape(struct buf *out, const char *s);

#endif
