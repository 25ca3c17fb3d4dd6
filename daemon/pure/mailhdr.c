#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "day.h"
#include "mailhdr.h"

const char *const mailhdr_fields[MAILHDR_NFIELDS] = {
	"DATE", "MESSAGE-ID", "TO", "CC", "BCC", "RESENT-TO", "RESENT-CC",
	"SUBJECT", "IN-REPLY-TO", "REFERENCES", "FROM",
};

enum field { F_OTHER, F_DATE, F_MESSAGE_ID, F_RCPT, F_SUBJECT, F_IN_REPLY_TO, F_REFS, F_FROM };

static enum field
field_kind(const char *name, size_t n)
{
	static const char *const rcpt[] = { "to", "cc", "bcc", "resent-to", "resent-cc" };

	switch (name[0]) {   /* most fields are none of ours: decide early */
	case 'b': case 'B': case 'c': case 'C': case 'd': case 'D':
	case 'm': case 'M': case 'r': case 'R': case 't': case 'T':
	case 's': case 'S': case 'i': case 'I': case 'f': case 'F':
		break;
	default:
		return F_OTHER;
	}
	if (n == 4 && strncasecmp(name, "date", 4) == 0)
		return F_DATE;
	if (n == 10 && strncasecmp(name, "message-id", 10) == 0)
		return F_MESSAGE_ID;
	if (n == 7 && strncasecmp(name, "subject", 7) == 0)
		return F_SUBJECT;
	if (n == 4 && strncasecmp(name, "from", 4) == 0)
		return F_FROM;
	if (n == 11 && strncasecmp(name, "in-reply-to", 11) == 0)
		return F_IN_REPLY_TO;
	if (n == 10 && strncasecmp(name, "references", 10) == 0)
		return F_REFS;
	for (size_t i = 0; i < sizeof rcpt / sizeof rcpt[0]; i++)
		if (strlen(rcpt[i]) == n && strncasecmp(name, rcpt[i], n) == 0)
			return F_RCPT;
	return F_OTHER;
}

int
mailhdr_parse_date(const char *s, size_t len, time_t *out)
{
	struct mailimf_date_time *dt = NULL;
	size_t idx = 0;
	int y, zone, zh, zm;
	long long t;

	if (mailimf_date_time_parse(s, len, &idx, &dt) != MAILIMF_NO_ERROR)
		return -1;
	y = dt->dt_year;
	if (y >= 0 && y < 50)           /* RFC 5322 4.3: obs-year */
		y += 2000;
	else if (y >= 50 && y < 1000)
		y += 1900;
	zone = dt->dt_zone;
	zh = abs(zone) / 100;
	zm = abs(zone) % 100;
	if (y < 1970 || y > 9999 || !day_valid_ymd(y, dt->dt_month, dt->dt_day) ||
	    dt->dt_hour < 0 || dt->dt_hour > 23 || dt->dt_min < 0 ||
	    dt->dt_min > 59 || dt->dt_sec < 0 || dt->dt_sec > 60 ||
	    zh > 23 || zm > 59) {
		mailimf_date_time_free(dt);
		return -1;
	}
	t = day_instant(day_from_ymd(y, dt->dt_month, dt->dt_day), dt->dt_hour,
	    dt->dt_min, dt->dt_sec, zone);
	mailimf_date_time_free(dt);
	*out = (time_t)t;
	return 0;
}

/* "<id@host>" (with CFWS around) -> "id@host"; NULL when it is not a
 * plausible message id. */
static char *
message_id(const char *s, size_t n)
{
	const char *lt = memchr(s, '<', n), *gt, *p, *e;

	if (lt != NULL && (gt = memchr(lt, '>', n - (size_t)(lt - s))) != NULL) {
		p = lt + 1;
		e = gt;
	} else {
		p = s;
		e = s + n;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
	}
	if (e == p || e - p > 995)
		return NULL;
	for (const char *q = p; q < e; q++)
		if ((unsigned char)*q <= ' ' || *q == 0x7f || *q == '<' || *q == '>')
			return NULL;
	return xstrndup(p, (size_t)(e - p));
}

/* One unfolded field: line breaks followed by white space are removed. */
static void
unfold(const char *s, size_t n, struct buf *out)
{
	const char *end = s + n;

	buf_reset(out);
	buf_append(out, "", 0);   /* "" rather than NULL for an empty value */
	while (s < end) {
		const char *brk = s;

		while (brk < end && *brk != '\r' && *brk != '\n')
			brk++;
		buf_append(out, s, (size_t)(brk - s));
		while (brk < end && (*brk == '\r' || *brk == '\n'))
			brk++;
		s = brk;
	}
}

static int parse(const char *text, size_t len, bool names, struct mailhdr *h,
    const char **why);

int
mailhdr_parse(const char *text, size_t len, struct mailhdr *h, const char **why)
{
	return parse(text, len, false, h, why);
}

int
mailhdr_parse_named(const char *text, size_t len, struct mailhdr *h, const char **why)
{
	return parse(text, len, true, h, why);
}

static int
parse(const char *text, size_t len, bool names, struct mailhdr *h, const char **why)
{
	struct buf v = { 0 };
	size_t i = 0, fields = 0;

	memset(h, 0, sizeof *h);
	h->rcpt.want_names = names;
	if (memchr(text, '\0', len) != NULL) {
		*why = "NUL byte in the header";
		return -1;
	}
	while (i < len) {
		size_t start = i, colon = 0, end;
		bool has_colon;
		const char *nl, *c;

		/* The name ends at a colon on the field's first line. */
		nl = memchr(text + i, '\n', len - i);
		c = memchr(text + i, ':', (nl != NULL ? (size_t)(nl - text) : len) - i);
		has_colon = c != NULL;
		colon = has_colon ? (size_t)(c - text) : 0;
		/* The line, and the continuation lines that follow it. */
		for (;;) {
			nl = memchr(text + i, '\n', len - i);
			i = nl != NULL ? (size_t)(nl - text) + 1 : len;
			if (i >= len || (text[i] != ' ' && text[i] != '\t'))
				break;
		}
		end = i;
		while (end > start && (text[end - 1] == '\n' || text[end - 1] == '\r'))
			end--;
		if (end == start)
			continue;   /* the blank line that ends the block */
		if (!has_colon || colon == start || text[start] == ' ' ||
		    text[start] == '\t' || colon >= end) {
			h->bad_lines++;
			continue;
		}
		{
			size_t nlen = colon - start;

			while (nlen > 0 && (text[start + nlen - 1] == ' ' ||
			    text[start + nlen - 1] == '\t'))
				nlen--;   /* obs-optional: "To : x" */
			enum field kind = field_kind(text + start, nlen);

			fields++;
			if (kind == F_OTHER || (kind == F_DATE && h->has_date) ||
			    (kind == F_MESSAGE_ID && h->message_id != NULL) ||
			    (kind == F_SUBJECT && h->subject != NULL) ||
			    (kind == F_FROM && (h->from.n > 0 || h->from.bad > 0)))
				continue;
			unfold(text + colon + 1, end - colon - 1, &v);
			switch (kind) {
			case F_DATE:
				if (mailhdr_parse_date(buf_str(&v), v.len, &h->date) == 0)
					h->has_date = true;
				break;
			case F_MESSAGE_ID:
				h->message_id = message_id(buf_str(&v), v.len);
				break;
			case F_RCPT:
				mailaddr_parse_list(buf_str(&v), v.len, &h->rcpt);
				break;
			case F_SUBJECT:
				h->subject = xstrdup(buf_str(&v) + strspn(buf_str(&v), " \t"));
				break;
			case F_FROM:
				mailaddr_parse_list(buf_str(&v), v.len, &h->from);
				break;
			case F_IN_REPLY_TO:
				buf_puts(&h->in_reply_to, buf_str(&v));
				buf_putc(&h->in_reply_to, ' ');
				break;
			case F_REFS:
				buf_puts(&h->refs, buf_str(&v));
				buf_putc(&h->refs, ' ');
				break;
			case F_OTHER:
				break;
			}
		}
	}
	buf_free(&v);
	if (fields == 0 && len > 0 && h->bad_lines > 0) {
		*why = "no header field in the block";
		return -1;
	}
	return 0;
}

void
mailhdr_free(struct mailhdr *h)
{
	mailaddr_list_free(&h->rcpt);
	mailaddr_list_free(&h->from);
	free(h->message_id);
	free(h->subject);
	buf_free(&h->refs);
	buf_free(&h->in_reply_to);
	memset(h, 0, sizeof *h);
}

/* The "<...>" of s, the first or the last, without the brackets. */
static bool
one_id(const char *s, bool last, const char **id, size_t *len)
{
	const char *p = s;
	bool found = false;

	while ((p = strchr(p, '<')) != NULL) {
		const char *gt = strchr(p + 1, '>');

		if (gt == NULL)
			break;
		if (gt > p + 1) {
			*id = p + 1;
			*len = (size_t)(gt - p - 1);
			found = true;
			if (!last)
				break;
		}
		p = gt + 1;
	}
	return found;
}

bool
mailhdr_parent(const struct mailhdr *h, const char **id, size_t *len)
{
	return one_id(buf_str(&h->in_reply_to), false, id, len) ||
	    one_id(buf_str(&h->refs), true, id, len);
}
