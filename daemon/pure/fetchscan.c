#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "day.h"
#include "fetchscan.h"

#define FETCHSCAN_TAG_MAX 64

/* What the response being read is. */
enum resp {
	R_START,   /* none yet: the next byte starts one */
	R_SKIP,    /* untagged, not a FETCH: read to its end, literals too */
	R_FETCH,   /* "* n FETCH (": its items are parsed */
};

/* Where the parse of a FETCH response stands between two tokens. A line
 * is handed over whole (up to a literal, or its end), so a token never
 * straddles two calls; only a literal does, and it is a whole value. */
enum phase {
	PH_NAME,    /* before a data item's name, or the closing ')' */
	PH_VALUE,   /* after the name and its space */
	PH_LIST,    /* in a parenthesized value: depth > 1 */
	PH_AFTER,   /* after a value: a space or ')' */
	PH_END,     /* after the closing ')': only the line end */
};

/* The data item whose value comes. */
enum item { I_OTHER, I_UID, I_DATE, I_BODY };

struct fetchscan {
	char tag[FETCHSCAN_TAG_MAX + 1];
	size_t taglen;
	fetchscan_fn fn;
	void *arg;
	enum fetchscan_rc rc;
	size_t count;
	char text[FETCHSCAN_TEXT_MAX];

	enum resp resp;
	size_t linelen;       /* bytes of this response outside literals */
	struct buf line;      /* the part of a line before a chunk's end */
	uint64_t litleft;     /* bytes of a literal still to come */
	bool keep;            /* that literal is the header: into hdr */

	/* The FETCH response being parsed. */
	uint32_t seq;
	enum phase phase;
	enum item item;
	unsigned depth;       /* parentheses open, the response's own included */
	bool has_uid, has_hdr;
	bool hdr_in_chunk;    /* msg.hdr points into the chunk being fed */
	struct fetchscan_msg msg;
	struct buf hdr;       /* the header, unless hdr_in_chunk */
};

/* ---- small readers ------------------------------------------------------ */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Compares n bytes with upper-case letters, ignoring case. */
static bool
ci_eq(const char *p, const char *upper, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)p[i] & 0xdf) != (unsigned char)upper[i])
			return false;
	return true;
}

/* Is [p, e) the word upper (any case), followed by a space or the end? */
static bool
word_at(const char *p, const char *e, const char *upper)
{
	size_t n = strlen(upper);

	return (size_t)(e - p) >= n && ci_eq(p, upper, n) && (p + n == e || p[n] == ' ');
}

/* Ends an item's name. */
static bool
name_end(unsigned char c)
{
	switch (c) {
	case '(': case ')': case '[': case ']': case '{': case '"':
		return true;
	default:
		return c <= ' ' || c >= 0x7f;
	}
}

/* Ends an atom in a value. */
static bool
atom_end(char c)
{
	return c == ' ' || c == '(' || c == ')' || c == '"';
}

/* The closing quote of a quoted string whose content starts at p, or NULL
 * when the line ends first; *esc when there is a backslash in it. */
static const char *
quoted_end(const char *p, const char *e, bool *esc)
{
	for (; p < e; p++) {
		if (*p == '"')
			return p;
		if (*p == '\\') {
			*esc = true;
			if (++p == e)
				break;
		}
	}
	return NULL;
}

/* A decimal number of 1 to 10 digits, exactly [p, e), into *v. */
static bool
number(const char *p, const char *e, uint64_t *v)
{
	if (p == e || e - p > 10)
		return false;
	*v = 0;
	for (; p < e; p++) {
		if (!is_digit(*p))
			return false;
		*v = *v * 10 + (uint64_t)(*p - '0');
	}
	return true;
}

/* n digits at *p, into *v. */
static bool
digits(const char **p, const char *e, int n, int *v)
{
	if (e - *p < n)
		return false;
	*v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!is_digit(**p))
			return false;
		*v = *v * 10 + (**p - '0');
	}
	return true;
}

static bool
expect(const char **p, const char *e, char c)
{
	if (*p == e || **p != c)
		return false;
	(*p)++;
	return true;
}

/* An RFC 3501 date-time, "dd-Mon-yyyy hh:mm:ss +zzzz" (the day may be
 * space-padded or one digit), as an instant. */
static bool
internaldate(const char *p, const char *e, time_t *out)
{
	int d, mon = 0, y, hh, mi, ss, zone;
	bool neg;
	long long t;

	if (p < e && *p == ' ')
		p++;
	if (!digits(&p, e, 1, &d))
		return false;
	if (p < e && is_digit(*p))
		d = d * 10 + (*p++ - '0');
	if (!expect(&p, e, '-') || e - p < 3)
		return false;
	for (int i = 0; i < 12 && mon == 0; i++)
		if (((p[0] ^ day_month_abbr[i][0]) & 0xdf) == 0 &&
		    (p[1] | 0x20) == day_month_abbr[i][1] && (p[2] | 0x20) == day_month_abbr[i][2])
			mon = i + 1;
	p += 3;
	if (mon == 0 || !expect(&p, e, '-') || !digits(&p, e, 4, &y) || !expect(&p, e, ' ') ||
	    !digits(&p, e, 2, &hh) || !expect(&p, e, ':') || !digits(&p, e, 2, &mi) ||
	    !expect(&p, e, ':') || !digits(&p, e, 2, &ss) || !expect(&p, e, ' ') || p == e)
		return false;
	if (*p != '+' && *p != '-')
		return false;
	neg = *p++ == '-';
	if (!digits(&p, e, 4, &zone) || p != e)
		return false;
	if (!day_valid_ymd(y, mon, d) || hh > 23 || mi > 59 || ss > 60 || zone / 100 > 23 ||
	    zone % 100 > 59)
		return false;
	t = day_instant(day_from_ymd(y, mon, d), hh, mi, ss, neg ? -zone : zone);
	if ((long long)(time_t)t != t)
		return false;
	*out = (time_t)t;
	return true;
}

/* ---- the FETCH parser --------------------------------------------------- */

static int
fail(struct fetchscan *s, const char *why)
{
	s->rc = FETCHSCAN_ERROR;
	snprintf(s->text, sizeof s->text, "%s", why);
	return -1;
}

static int
bad(struct fetchscan *s, const char *why)
{
	s->rc = FETCHSCAN_ERROR;
	snprintf(s->text, sizeof s->text,
	    "the FETCH response of message %" PRIu32 " does not parse: %s", s->seq, why);
	return -1;
}

/* The name of a data item at p, its section ("[...]") and origin
 * ("<n>") if any, and the space after them: s->item says which it is.
 * Where its value starts, or NULL. */
static const char *
item_name(struct fetchscan *s, const char *p, const char *e)
{
	const char *n = p;
	size_t len;

	while (p < e && !name_end((unsigned char)*p))
		p++;
	len = (size_t)(p - n);
	if (len == 0)
		return NULL;
	s->item = I_OTHER;
	if (p < e && *p == '[') {
		/* HEADER.FIELDS (DATE ...): no ']' but in a quoted name.
		 * The echo of our own request has no quotes: two memchr. */
		const char *r = memchr(p + 1, ']', (size_t)(e - p - 1));

		p++;
		if (r != NULL && memchr(p, '"', (size_t)(r - p)) == NULL) {
			p = r;
		} else {
			for (; p < e && *p != ']'; p++) {
				bool esc = false;

				if (*p == '"' && (p = quoted_end(p + 1, e, &esc)) == NULL)
					return NULL;
			}
			if (p == e)
				return NULL;
		}
		p++;
		if (len == 4 && ci_eq(n, "BODY", 4))
			s->item = I_BODY;
		if (p < e && *p == '<') {
			const char *o = ++p;
			uint64_t origin;

			while (p < e && *p != '>')
				p++;
			if (p == e || !number(o, p, &origin))
				return NULL;
			p++;
		}
	} else if (len == 3 && ci_eq(n, "UID", 3)) {
		s->item = I_UID;
	} else if (len == 12 && ci_eq(n, "INTERNALDATE", 12)) {
		s->item = I_DATE;
	}
	if (p == e || *p != ' ')
		return NULL;
	return p + 1;
}

/* The header from a quoted string: into hdr, unescaped. */
static void
header_quoted(struct fetchscan *s, const char *p, const char *q, bool esc)
{
	buf_reset(&s->hdr);
	s->hdr_in_chunk = false;
	s->has_hdr = true;
	buf_reserve(&s->hdr, (size_t)(q - p));
	if (!esc) {
		buf_append(&s->hdr, p, (size_t)(q - p));
		return;
	}
	for (; p < q; p++) {
		if (*p == '\\')
			p++;
		s->hdr.data[s->hdr.len++] = *p;
	}
	s->hdr.data[s->hdr.len] = '\0';
}

/* The value at p (not a literal) of the item s->item. Where it ends, or
 * NULL (s->text says why). */
static const char *
item_value(struct fetchscan *s, const char *p, const char *e)
{
	const char *q;
	bool esc = false;
	uint64_t v;

	switch (*p) {
	case ' ':
		return p + 1;
	case ')':
		bad(s, "a data item without a value");
		return NULL;
	case '(':
		if (s->item != I_OTHER) {
			bad(s, "a list where a UID, date or header goes");
			return NULL;
		}
		if (++s->depth > FETCHSCAN_MAX_DEPTH) {
			fail(s, "parentheses nested deeper than 8 in a FETCH response");
			return NULL;
		}
		s->phase = PH_LIST;
		return p + 1;
	case '"':
		if ((q = quoted_end(p + 1, e, &esc)) == NULL) {
			bad(s, "a quoted string without its closing quote");
			return NULL;
		}
		switch (s->item) {
		case I_UID:
			bad(s, "a UID that is not a number");
			return NULL;
		case I_DATE:
			s->msg.has_date = !esc && internaldate(p + 1, q, &s->msg.internaldate);
			break;
		case I_BODY:
			header_quoted(s, p + 1, q, esc);
			break;
		case I_OTHER:
			break;
		}
		s->phase = PH_AFTER;
		return q + 1;
	}
	for (q = p; q < e && !atom_end(*q); q++)
		;
	switch (s->item) {
	case I_UID:
		if (!number(p, q, &v) || v == 0 || v > UINT32_MAX) {
			bad(s, "a UID that is not a number from 1 to 4294967295");
			return NULL;
		}
		s->msg.uid = (uint32_t)v;
		s->has_uid = true;
		break;
	case I_DATE:
		s->msg.has_date = false;   /* NIL, or nothing we can read */
		break;
	case I_BODY:
		if (q - p != 3 || !ci_eq(p, "NIL", 3)) {
			bad(s, "a BODY[] value that is neither a string nor NIL");
			return NULL;
		}
		buf_reset(&s->hdr);
		s->hdr_in_chunk = false;
		s->has_hdr = true;
		break;
	case I_OTHER:
		break;
	}
	s->phase = PH_AFTER;
	return q;
}

/* Parses the items in [p, e), the next part of a FETCH response, from
 * where the last part left off. 0, or -1 (s->text says why). */
static int
items(struct fetchscan *s, const char *p, const char *e)
{
	bool esc;

	while (p < e) {
		switch (s->phase) {
		case PH_NAME:
			if (*p == ' ') {
				p++;
			} else if (*p == ')') {
				s->depth = 0;
				s->phase = PH_END;
				p++;
			} else if ((p = item_name(s, p, e)) == NULL) {
				return bad(s, "a data item's name");
			} else {
				s->phase = PH_VALUE;
			}
			break;
		case PH_VALUE:
			if ((p = item_value(s, p, e)) == NULL)
				return -1;
			break;
		case PH_LIST:
			switch (*p) {
			case ' ':
				p++;
				break;
			case '(':
				if (++s->depth > FETCHSCAN_MAX_DEPTH)
					return fail(s, "parentheses nested deeper than 8 in a FETCH response");
				p++;
				break;
			case ')':
				if (--s->depth == 1)
					s->phase = PH_AFTER;
				p++;
				break;
			case '"':
				esc = false;
				if ((p = quoted_end(p + 1, e, &esc)) == NULL)
					return bad(s, "a quoted string without its closing quote");
				p++;
				break;
			default:
				while (p < e && !atom_end(*p))
					p++;
			}
			break;
		case PH_AFTER:
			if (*p == ')') {
				s->depth = 0;
				s->phase = PH_END;
			} else if (*p == ' ') {
				s->phase = PH_NAME;
			} else {
				return bad(s, "no space after a value");
			}
			p++;
			break;
		case PH_END:
			if (*p != ' ')
				return bad(s, "text after its closing parenthesis");
			p++;
			break;
		}
	}
	return 0;
}

/* ---- responses ---------------------------------------------------------- */

static void
set_text(struct fetchscan *s, const char *p, const char *e)
{
	size_t n = 0;

	for (; p < e && n < sizeof s->text - 1; p++, n++) {
		unsigned char c = (unsigned char)*p;

		s->text[n] = c < ' ' || c == 0x7f ? '?' : (char)c;
	}
	s->text[n] = '\0';
}

/* The text after a status word and its space. */
static const char *
after_word(const char *p, const char *e)
{
	while (p < e && *p != ' ')
		p++;
	return p < e ? p + 1 : p;
}

/* The first line of a response, [p, e) without its line end: what it is.
 * A tagged or BYE line ends the answer (s->rc); for a FETCH, *p moves
 * past "* n FETCH (". 0, or -1 when the answer is over. */
static int
start(struct fetchscan *s, const char **pp, const char *e)
{
	const char *p = *pp, *n, *d;
	uint64_t seq;

	if ((size_t)(e - p) > s->taglen && memcmp(p, s->tag, s->taglen) == 0 &&
	    p[s->taglen] == ' ') {
		p += s->taglen + 1;
		if (word_at(p, e, "OK"))
			s->rc = FETCHSCAN_OK;
		else if (word_at(p, e, "NO"))
			s->rc = FETCHSCAN_NO;
		else if (word_at(p, e, "BAD"))
			s->rc = FETCHSCAN_BAD;
		else
			return fail(s, "a tagged response that is neither OK, NO nor BAD");
		set_text(s, after_word(p, e), e);
		return -1;
	}
	if (e - p < 2 || p[0] != '*' || p[1] != ' ') {
		if (e - p >= 1 && p[0] == '+')
			return fail(s, "a continuation request in the middle of a FETCH");
		return fail(s, "a line that is neither an untagged nor the tagged response");
	}
	p += 2;
	if (word_at(p, e, "BYE")) {
		s->rc = FETCHSCAN_BYE;
		set_text(s, after_word(p, e), e);
		return -1;
	}
	s->resp = R_SKIP;
	for (n = p; p < e && is_digit(*p); p++)
		;
	d = p;
	if (d == n || d == e || *d != ' ' || !word_at(d + 1, e, "FETCH"))
		return 0;   /* some other response */
	if (!number(n, d, &seq) || seq == 0 || seq > UINT32_MAX)
		return fail(s, "a FETCH response with a message number out of range");
	s->seq = (uint32_t)seq;
	p = d + 1 + 5;
	if (e - p < 2 || p[0] != ' ' || p[1] != '(')
		return bad(s, "no '(' after FETCH");
	s->resp = R_FETCH;
	s->phase = PH_NAME;
	s->depth = 1;
	s->has_uid = s->has_hdr = s->hdr_in_chunk = false;
	s->msg.uid = 0;
	s->msg.has_date = false;
	s->msg.internaldate = 0;
	buf_reset(&s->hdr);
	*pp = p + 2;
	return 0;
}

/* A literal's "{N}" (or "{N+}") at the end of [p, *e): cuts it off and
 * sets *size. 1, 0 when there is none, -1 when N is too long. */
static int
marker(const char *p, const char **e, uint64_t *size)
{
	const char *q = *e, *d;

	if (q == p || q[-1] != '}')
		return 0;
	q--;
	if (q > p && q[-1] == '+')
		q--;
	for (d = q; d > p && is_digit(d[-1]); d--)
		;
	if (d == q || d == p || d[-1] != '{')
		return 0;
	if (!number(d, q, size))
		return -1;
	*e = d - 1;
	return 1;
}

static void
report(struct fetchscan *s)
{
	if (!s->has_uid || !s->has_hdr)
		return;   /* a flag change, or no message for us */
	if (!s->hdr_in_chunk) {
		s->msg.hdr = buf_str(&s->hdr);
		s->msg.hdrlen = s->hdr.len;
	}
	s->hdr_in_chunk = false;
	s->count++;
	if (s->fn != NULL)
		s->fn(s->arg, &s->msg);
}

/* One line of a response, [p, e) up to its LF (a CR before it is cut),
 * whole: up to a literal, or to the response's end. 1 when a literal
 * follows (s->litleft, s->keep), 0 when the response is over, -1 when
 * the answer is (s->rc). */
static int
segment(struct fetchscan *s, const char *p, const char *e)
{
	uint64_t size = 0;
	int lit;

	if (e > p && e[-1] == '\r')
		e--;
	if (s->resp == R_START && start(s, &p, e) != 0)
		return -1;
	if ((lit = marker(p, &e, &size)) < 0)
		return fail(s, "a literal size of more than 10 digits");
	s->keep = false;
	if (s->resp == R_FETCH) {
		if (items(s, p, e) != 0)
			return -1;
		if (lit == 0) {
			if (s->phase != PH_END)
				return bad(s, "it ends before its closing parenthesis");
			report(s);
		} else if (s->phase == PH_VALUE) {
			/* A literal is a whole value: what comes after it is
			 * what comes after a value. */
			if (s->item == I_UID)
				return bad(s, "a UID that is not a number");
			if (s->item == I_DATE)
				s->msg.has_date = false;
			s->keep = s->item == I_BODY;
			s->phase = PH_AFTER;
		} else if (s->phase != PH_LIST) {
			return bad(s, "a literal out of place");
		}
	}
	if (lit == 0) {
		s->resp = R_START;
		s->linelen = 0;
		return 0;
	}
	if (size > FETCHSCAN_MAX_HDR)
		return fail(s, s->keep ? "a header of more than 1 MiB" :
		    "a literal of more than 1 MiB");
	s->litleft = size;
	return 1;
}

/* ---- the interface ------------------------------------------------------ */

/* Keeps the part of a line a chunk's end cut, in a buffer that grows by
 * doubling but never past FETCHSCAN_MAX_LINE (the caller checked that
 * the line fits). */
static void
line_append(struct fetchscan *s, const char *p, size_t n)
{
	size_t need = s->line.len + n;

	if (need + 1 > s->line.cap) {
		size_t cap = s->line.cap * 2 > need ? s->line.cap * 2 : need;

		buf_reserve(&s->line, cap < FETCHSCAN_MAX_LINE ? cap : FETCHSCAN_MAX_LINE);
	}
	buf_append(&s->line, p, n);
}

struct fetchscan *
fetchscan_new(const char *tag, fetchscan_fn fn, void *arg)
{
	struct fetchscan *s;
	size_t n = strlen(tag);

	if (n == 0 || n > FETCHSCAN_TAG_MAX || tag[0] == '*' || tag[0] == '+')
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)tag[i] <= ' ' || (unsigned char)tag[i] == 0x7f)
			return NULL;
	s = xcalloc(1, sizeof *s);
	memcpy(s->tag, tag, n);
	s->taglen = n;
	s->fn = fn;
	s->arg = arg;
	s->rc = FETCHSCAN_MORE;
	s->resp = R_START;
	return s;
}

void
fetchscan_free(struct fetchscan *s)
{
	if (s == NULL)
		return;
	buf_free(&s->line);
	buf_free(&s->hdr);
	free(s);
}

enum fetchscan_rc
fetchscan_feed(struct fetchscan *s, const char *data, size_t n, size_t *used)
{
	const char *p = data, *end;

	if (n == 0) {   /* data may be NULL */
		*used = 0;
		return s->rc;
	}
	end = data + n;
	while (p < end && s->rc == FETCHSCAN_MORE) {
		const char *lf, *a, *b;
		size_t k;
		int r;

		if (s->litleft > 0) {
			/* Literal bytes: data, whatever they look like. */
			k = s->litleft < (uint64_t)(end - p) ? (size_t)s->litleft : (size_t)(end - p);
			if (s->keep)
				buf_append(&s->hdr, p, k);
			s->litleft -= k;
			p += k;
			continue;
		}
		lf = memchr(p, '\n', (size_t)(end - p));
		k = (size_t)((lf != NULL ? lf + 1 : end) - p);
		if (k > FETCHSCAN_MAX_LINE - s->linelen) {
			fail(s, "a line of more than 64 KiB");
			break;
		}
		s->linelen += k;
		if (lf == NULL) {
			line_append(s, p, k);
			p = end;
			break;
		}
		a = p;
		b = lf;
		p = lf + 1;
		if (s->line.len > 0) {
			/* The line started in an earlier chunk. */
			line_append(s, a, (size_t)(b - a));
			a = s->line.data;
			b = a + s->line.len;
		}
		r = segment(s, a, b);
		buf_reset(&s->line);
		if (r == 1 && s->keep) {
			if (s->litleft <= (uint64_t)(end - p)) {
				/* Whole in this chunk: no copy. */
				s->msg.hdr = p;
				s->msg.hdrlen = (size_t)s->litleft;
				s->hdr_in_chunk = true;
				s->has_hdr = true;
				p += s->litleft;
				s->litleft = 0;
			} else {
				buf_reset(&s->hdr);
				buf_reserve(&s->hdr, (size_t)s->litleft);
				s->hdr_in_chunk = false;
				s->has_hdr = true;
			}
		}
	}
	if (s->hdr_in_chunk && s->rc == FETCHSCAN_MORE) {
		/* The chunk goes away before the response ends. */
		buf_reset(&s->hdr);
		buf_reserve(&s->hdr, s->msg.hdrlen);
		buf_append(&s->hdr, s->msg.hdr, s->msg.hdrlen);
		s->hdr_in_chunk = false;
	}
	*used = (size_t)(p - data);
	return s->rc;
}

const char *
fetchscan_text(const struct fetchscan *s)
{
	return s->text;
}

size_t
fetchscan_count(const struct fetchscan *s)
{
	return s->count;
}

size_t
fetchscan_footprint(const struct fetchscan *s)
{
	return sizeof *s + s->line.cap + s->hdr.cap;
}
