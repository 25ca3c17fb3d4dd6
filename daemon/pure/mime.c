#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mime.h"

static const char hex[] = "0123456789ABCDEF";

void
mime_qp(struct buf *out, const char *text)
{
	size_t col = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		char enc[4];
		size_t n;
		bool last = p[1] == '\0' || p[1] == '\n';

		if (*p == '\n') {
			buf_append(out, "\r\n", 2);
			col = 0;
			continue;
		}
		/* White space before a line break must be encoded (6.7 rule 3). */
		if ((*p >= 33 && *p <= 126 && *p != '=') || ((*p == ' ' || *p == '\t') && !last)) {
			enc[0] = (char)*p;
			n = 1;
		} else {
			enc[0] = '=';
			enc[1] = hex[*p >> 4];
			enc[2] = hex[*p & 15];
			n = 3;
		}
		/* 76 octets a line at most, the soft break's "=" included. */
		if (col + n > (last ? 76 : 75)) {
			buf_append(out, "=\r\n", 3);
			col = 0;
		}
		buf_append(out, enc, n);
		col += n;
	}
}

static bool
plain_ascii(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 32 || *p > 126)
			return false;
	/* "=?" would read as an encoded word. */
	return strstr(s, "=?") == NULL;
}

/* Length of the UTF-8 sequence starting at p (1 for anything broken). */
static size_t
utf8_len(const unsigned char *p)
{
	size_t n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;

	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* Appends s as "Q" encoded words, never splitting a UTF-8 character, each
 * line under 78 octets; col is the current column. */
static void
encoded_words(struct buf *out, const char *s, size_t col)
{
	static const char open[] = "=?UTF-8?Q?";
	const unsigned char *p = (const unsigned char *)s;
	size_t wlen = 0;

	while (*p) {
		char enc[12];
		size_t n = utf8_len(p), elen = 0;

		for (size_t i = 0; i < n; i++) {
			unsigned char ch = p[i];

			if (ch == ' ')
				enc[elen++] = '_';
			else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			    (ch >= '0' && ch <= '9') || strchr("!*+-/", ch) != NULL)
				enc[elen++] = (char)ch;
			else {
				enc[elen++] = '=';
				enc[elen++] = hex[ch >> 4];
				enc[elen++] = hex[ch & 15];
			}
		}
		if (wlen == 0 || col + elen + 2 > 76) {
			if (wlen > 0) {
				buf_append(out, "?=\r\n ", 5);
				col = 1;
			}
			buf_puts(out, open);
			col += sizeof open - 1;
			wlen = 1;
		}
		buf_append(out, enc, elen);
		col += elen;
		p += n;
	}
	if (wlen > 0)
		buf_append(out, "?=", 2);
}

void
mime_header(struct buf *out, const char *name, const char *value)
{
	buf_printf(out, "%s: ", name);
	if (plain_ascii(value) && strlen(name) + 2 + strlen(value) <= 78)
		buf_puts(out, value);
	else if (plain_ascii(value)) {
		/* Fold at spaces. */
		size_t col = strlen(name) + 2;
		const char *p = value;

		while (*p) {
			const char *sp = strchr(p + 1, ' ');
			size_t n = sp != NULL ? (size_t)(sp - p) : strlen(p);

			if (col + n > 76 && col > strlen(name) + 2) {
				buf_append(out, "\r\n", 2);
				col = 0;
			}
			buf_append(out, p, n);
			col += n;
			p += n;
		}
	} else
		encoded_words(out, value, strlen(name) + 2);
	buf_append(out, "\r\n", 2);
}

void
mime_mailbox(struct buf *out, const char *name, const char *addr)
{
	if (name == NULL || *name == '\0') {
		buf_puts(out, addr);
		return;
	}
	if (plain_ascii(name)) {
		buf_putc(out, '"');
		for (const char *p = name; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(out, '\\');
			buf_putc(out, *p);
		}
		buf_putc(out, '"');
	} else
		encoded_words(out, name, 6);
	buf_printf(out, " <%s>", addr);
}

void
mime_date(struct buf *out, time_t t)
{
	char s[64];
	struct tm tm;

	localtime_r(&t, &tm);
	/* Day and month names in English whatever the locale (RFC 5322 3.3). */
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	long off = tm.tm_gmtoff / 60;

	snprintf(s, sizeof s, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
	    (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
	buf_puts(out, s);
}

void
mime_url_escape(struct buf *out, const char *s, const char *keep)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL ||
		    (keep != NULL && strchr(keep, *p) != NULL))
			buf_putc(out, (char)*p);
		else {
			buf_putc(out, '%');
			buf_putc(out, hex[*p >> 4]);
			buf_putc(out, hex[*p & 15]);
		}
	}
}

void
mime_html_escape(struct buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_puts(out, "&amp;"); break;
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '"': buf_puts(out, "&quot;"); break;
		default: buf_putc(out, *s); break;
		}
	}
}

void
mime_auto_fields(struct buf *out, const char *message_id, time_t now)
{
	buf_puts(out, "Date: ");
	mime_date(out, now);
	buf_printf(out, "\r\nMessage-ID: %s\r\n", message_id);
	buf_puts(out, "Auto-Submitted: auto-generated\r\n"
	    "X-Auto-Response-Suppress: All\r\n"
	    "MIME-Version: 1.0\r\n");
}

void
mime_base64(struct buf *out, const void *data, size_t len)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	size_t col = 0;

	for (size_t i = 0; i < len; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16;
		char q[4];

		if (i + 1 < len)
			v |= (unsigned long)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = alphabet[(v >> 18) & 63];
		q[1] = alphabet[(v >> 12) & 63];
		q[2] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? alphabet[v & 63] : '=';
		buf_append(out, q, 4);
		if ((col += 4) == 76) {
			buf_append(out, "\r\n", 2);
			col = 0;
		}
	}
	if (col > 0)
		buf_append(out, "\r\n", 2);
}
