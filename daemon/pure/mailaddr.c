#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "mailaddr.h"

/* A cursor over hostile bytes: the input may hold NULs and stray CR/LF. */
struct cur {
	const unsigned char *p, *end;
	const char *why;   /* the first error, static */
	/* Scratch space, reused from one address to the next. */
	struct buf raw, name, addr;
};

static int
fail(struct cur *c, const char *why)
{
	if (c->why == NULL)
		c->why = why;
	return -1;
}

static void
cur_free(struct cur *c)
{
	buf_free(&c->raw);
	buf_free(&c->name);
	buf_free(&c->addr);
}

static bool
at_end(const struct cur *c)
{
	return c->p >= c->end;
}

static int
peek(const struct cur *c)
{
	return at_end(c) ? -1 : *c->p;
}

static bool
is_wsp(int ch)
{
	return ch == ' ' || ch == '\t';
}

static bool
is_atext(int ch)
{
	if (ch < 0)
		return false;
	if (ch >= 0x80)   /* RFC 6532: UTF-8 */
		return true;
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9'))
		return true;
	return ch != 0 && strchr("!#$%&'*+-/=?^_`{|}~", ch) != NULL;
}

/* A line break inside a header value must be CRLF followed by white space
 * (FWS, with obs-FWS allowing several in a row). */
static int
line_break(struct cur *c)
{
	if (peek(c) == '\n')
		return fail(c, "line feed without carriage return");
	if (c->end - c->p < 2 || c->p[1] != '\n')
		return fail(c, "carriage return without line feed");
	if (c->end - c->p < 3 || !is_wsp(c->p[2]))
		return fail(c, "line break not followed by white space");
	c->p += 3;
	return 0;
}

/* quoted-pair, with obs-qp: "\" followed by a visible character, white
 * space, NUL, a control character, CR or LF. */
static int
quoted_pair(struct cur *c, struct buf *out)
{
	int ch;

	c->p++;
	ch = peek(c);
	if (ch < 0)
		return fail(c, "backslash at the end");
	if (ch >= 0x80)
		return fail(c, "backslash before a non-ASCII character");
	if (out != NULL)
		buf_putc(out, (char)ch);
	c->p++;
	return 0;
}

static int
comment(struct cur *c)
{
	int depth = 0;

	do {
		int ch = peek(c);

		if (ch < 0)
			return fail(c, "unclosed comment");
		if (ch == '(') {
			depth++;
			c->p++;
		} else if (ch == ')') {
			depth--;
			c->p++;
		} else if (ch == '\\') {
			if (quoted_pair(c, NULL) < 0)
				return -1;
		} else if (ch == '\r' || ch == '\n') {
			if (line_break(c) < 0)
				return -1;
		} else if (ch == 0) {
			return fail(c, "NUL in a comment");
		} else {
			c->p++;
		}
	} while (depth > 0);
	return 0;
}

/* CFWS: comments and folding white space, in any number. */
static int
cfws(struct cur *c)
{
	for (;;) {
		int ch = peek(c);

		if (is_wsp(ch))
			c->p++;
		else if (ch == '\r' || ch == '\n') {
			if (line_break(c) < 0)
				return -1;
		} else if (ch == '(') {
			if (comment(c) < 0)
				return -1;
		} else
			return 0;
	}
}

static int
quoted_string(struct cur *c, struct buf *out)
{
	c->p++;
	for (;;) {
		int ch = peek(c);

		if (ch < 0)
			return fail(c, "unclosed quoted string");
		if (ch == '"') {
			c->p++;
			return 0;
		}
		if (ch == '\\') {
			if (quoted_pair(c, out) < 0)
				return -1;
		} else if (ch == '\r' || ch == '\n') {
			if (line_break(c) < 0)
				return -1;
			buf_putc(out, (char)c->p[-1]);
		} else if (ch == 0) {
			return fail(c, "NUL in a quoted string");
		} else {
			buf_putc(out, (char)ch);
			c->p++;
		}
	}
}

enum word { WORD_NONE, WORD_ATOM, WORD_QUOTED };

/* A word (atom or quoted-string) with CFWS before it; WORD_NONE when the
 * next thing is not a word. Its text is appended to out. */
static int
word(struct cur *c, struct buf *out, enum word *kind)
{
	*kind = WORD_NONE;
	if (cfws(c) < 0)
		return -1;
	if (peek(c) == '"') {
		*kind = WORD_QUOTED;
		return quoted_string(c, out);
	}
	if (!is_atext(peek(c)))
		return 0;
	*kind = WORD_ATOM;
	{
		const unsigned char *start = c->p;

		while (is_atext(peek(c)))
			c->p++;
		buf_append(out, (const char *)start, (size_t)(c->p - start));
	}
	return 0;
}

static bool
dot_atom_text(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (!is_atext((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* local-part, with obs-local-part: words joined by dots, CFWS allowed
 * around them. Appends the canonical form to out. */
static int
local_part(struct cur *c, struct buf *out)
{
	struct buf raw = c->raw;   /* moved back into c at the end */
	enum word kind;
	bool quoted = false;
	int rc = -1;

	for (;;) {
		if (word(c, &raw, &kind) < 0)
			goto done;
		if (kind == WORD_NONE) {
			fail(c, raw.len == 0 && peek(c) == '.' ?
			    "local part starts with a dot" :
			    raw.len == 0 ? "no local part" : "local part ends with a dot");
			goto done;
		}
		quoted |= kind == WORD_QUOTED;
		if (cfws(c) < 0)
			goto done;
		if (peek(c) != '.')
			break;
		c->p++;
		buf_putc(&raw, '.');
	}
	{
		/* obs-qp allows "\\" NUL, which no C string can carry. */
		size_t j = 0;

		for (size_t i = 0; i < raw.len; i++)
			if (raw.data[i] != '\0')
				raw.data[j++] = raw.data[i];
		raw.len = j;
		if (raw.data != NULL)
			raw.data[j] = '\0';
	}
	if (!quoted || dot_atom_text(buf_str(&raw), raw.len)) {
		buf_append(out, buf_str(&raw), raw.len);
	} else {
		buf_putc(out, '"');
		for (size_t i = 0; i < raw.len; i++) {
			unsigned char ch = (unsigned char)raw.data[i];

			if (ch == '"' || ch == '\\' || (ch < ' ' && ch != '\t') || ch == 0x7f)
				buf_putc(out, '\\');
			buf_putc(out, (char)ch);
		}
		buf_putc(out, '"');
	}
	rc = 0;
done:
	buf_reset(&raw);
	c->raw = raw;
	return rc;
}

static int
domain_literal(struct cur *c, struct buf *out)
{
	buf_putc(out, '[');
	c->p++;
	for (;;) {
		int ch = peek(c);

		if (ch < 0)
			return fail(c, "unclosed domain literal");
		if (ch == ']') {
			c->p++;
			buf_putc(out, ']');
			return 0;
		}
		if (ch == '[')
			return fail(c, "'[' inside a domain literal");
		if (ch == '\\') {
			/* Kept escaped, so that the result parses again. */
			if (quoted_pair(c, NULL) < 0)
				return -1;
			if (c->p[-1] != '\0')
				buf_append(out, (const char *)c->p - 2, 2);
		} else if (ch == '\r' || ch == '\n') {
			if (line_break(c) < 0)
				return -1;
			buf_putc(out, ' ');
		} else if (ch == 0 || ch >= 0x80) {
			return fail(c, "bad character in a domain literal");
		} else {
			buf_putc(out, (char)ch);
			c->p++;
		}
	}
}

/* domain, with obs-domain (CFWS around the dots). Host-name labels may not
 * start or end with a hyphen. */
static int
domain(struct cur *c, struct buf *out)
{
	if (cfws(c) < 0)
		return -1;
	if (peek(c) == '[') {
		if (domain_literal(c, out) < 0)
			return -1;
		return cfws(c);
	}
	for (;;) {
		const unsigned char *start;

		if (cfws(c) < 0)
			return -1;
		start = c->p;
		while (is_atext(peek(c)))
			c->p++;
		if (c->p == start)
			return fail(c, out->len == 0 || out->data[out->len - 1] == '.' ?
			    (peek(c) == '.' || out->len > 0 ? "empty label in the domain" :
			    "no domain") : "bad character in the domain");
		if (*start == '-' || c->p[-1] == '-')
			return fail(c, "domain label starts or ends with a hyphen");
		buf_append(out, (const char *)start, (size_t)(c->p - start));
		if (cfws(c) < 0)
			return -1;
		if (peek(c) != '.')
			return 0;
		c->p++;
		buf_putc(out, '.');
	}
}

/* addr-spec; CFWS before and after is consumed. */
static int
addr_spec(struct cur *c, struct buf *out)
{
	if (local_part(c, out) < 0)
		return -1;
	if (peek(c) != '@')
		return fail(c, at_end(c) ? "no domain" : "unexpected character in the local part");
	c->p++;
	buf_putc(out, '@');
	return domain(c, out);
}

int
mailaddr_parse_spec(const char *s, size_t len, char **out, const char **why)
{
	struct cur c = { .p = (const unsigned char *)s, .end = (const unsigned char *)s + len };
	struct buf b = { 0 };

	if (addr_spec(&c, &b) == 0 && !at_end(&c))
		fail(&c, "unexpected text after the address");
	cur_free(&c);
	if (c.why != NULL) {
		buf_free(&b);
		*why = c.why;
		return -1;
	}
	*out = buf_take(&b);
	return 0;
}

char *
mailaddr_decode_words(const char *s)
{
	size_t idx = 0;
	char *res = NULL;

	if (strstr(s, "=?") == NULL ||
	    mailmime_encoded_phrase_parse("utf-8", s, strlen(s), &idx, "utf-8",
	    &res) != MAILIMF_NO_ERROR || res == NULL)
		return xstrdup(s);
	/* libetpan allocates with malloc: hand over a copy from ours. */
	{
		char *copy = xstrdup(res);

		free(res);
		return copy;
	}
}

/* phrase, with obs-phrase (dots allowed after the first word). The words
 * are joined by single spaces. Returns the number of words. */
static int
phrase(struct cur *c, struct buf *out)
{
	int n = 0;

	for (;;) {
		enum word kind;
		size_t before = out->len;

		if (n > 0)
			buf_putc(out, ' ');
		if (word(c, out, &kind) < 0)
			return -1;
		if (kind == WORD_NONE) {
			if (n > 0 && peek(c) == '.') {
				out->data[before] = '.';
				c->p++;
				continue;
			}
			out->len = before;
			if (out->data != NULL)
				out->data[before] = '\0';
			return n;
		}
		n++;
	}
}

static void
add(struct mailaddr_list *l, char *name, char *addr)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n].name = name;
	l->v[l->n].addr = addr;
	l->n++;
}

/* obs-route before an addr-spec in angle brackets: "@a,@b:" is dropped. */
static int
route(struct cur *c)
{
	struct buf ignored = { 0 };
	int rc = 0;

	while (rc == 0 && peek(c) == '@') {
		c->p++;
		rc = domain(c, &ignored);
		buf_reset(&ignored);
		while (rc == 0 && peek(c) == ',') {
			c->p++;
			rc = cfws(c);
		}
	}
	buf_free(&ignored);
	if (rc == 0) {
		if (peek(c) != ':')
			return fail(c, "bad route in angle brackets");
		c->p++;
	}
	return rc;
}

static int
angle_addr(struct cur *c, struct buf *addr)
{
	c->p++;
	if (cfws(c) < 0)
		return -1;
	if (peek(c) == '>')
		return fail(c, "empty angle brackets");
	if (peek(c) == '@' && route(c) < 0)
		return -1;
	if (addr_spec(c, addr) < 0)
		return -1;
	if (peek(c) != '>')
		return fail(c, "unclosed angle bracket");
	c->p++;
	return cfws(c);
}

static bool
at_delim(const struct cur *c, bool in_group)
{
	return at_end(c) || peek(c) == ',' || (in_group && peek(c) == ';');
}

/* One mailbox, or (outside a group) a group; appends what it finds. */
static int
address(struct cur *c, struct mailaddr_list *l, bool in_group)
{
	const unsigned char *start = c->p;
	struct buf *name = &c->name, *addr = &c->addr;
	int n;

	/* An addr-spec on its own first: "jane@example.org (Jane)". */
	buf_reset(addr);
	if (addr_spec(c, addr) == 0 && at_delim(c, in_group)) {
		add(l, NULL, xstrndup(buf_str(addr), addr->len));
		return 0;
	}
	c->p = start;
	c->why = NULL;
	buf_reset(addr);
	buf_reset(name);
	if ((n = phrase(c, name)) < 0)
		return -1;
	if (peek(c) == '<') {
		if (angle_addr(c, addr) < 0)
			return -1;
		if (!at_delim(c, in_group))
			return fail(c, "unexpected text after an address");
		add(l, n == 0 || !l->want_names ? NULL :
		    mailaddr_decode_words(buf_str(name)),
		    xstrndup(buf_str(addr), addr->len));
		return 0;
	}
	if (peek(c) == ':' && n > 0 && !in_group) {
		/* A group: its members reuse the scratch space. */
		c->p++;
		for (;;) {
			if (cfws(c) < 0)
				return -1;
			if (at_end(c))
				return 0;   /* "undisclosed-recipients:" without ';' */
			if (peek(c) == ';') {
				c->p++;
				return cfws(c);
			}
			if (peek(c) == ',') {
				c->p++;
				continue;
			}
			if (address(c, l, true) < 0)
				return -1;
		}
	}
	return fail(c, n > 0 ? "a name without an address" : "not an address");
}

/* After an error: skip to the next comma outside quotes, comments and
 * angle brackets. */
static void
resync(struct cur *c)
{
	int depth = 0;
	bool quoted = false, angle = false;

	for (; !at_end(c); c->p++) {
		int ch = *c->p;

		if (ch == '\\' && (quoted || depth > 0)) {
			if (c->end - c->p > 1)
				c->p++;
		} else if (quoted) {
			quoted = ch != '"';
		} else if (ch == '(') {
			depth++;
		} else if (ch == ')' && depth > 0) {
			depth--;
		} else if (depth > 0) {
			continue;
		} else if (ch == '"') {
			quoted = true;
		} else if (ch == '<') {
			angle = true;
		} else if (ch == '>') {
			angle = false;
		} else if (ch == ',' && !angle) {
			return;
		}
	}
}

static void
note_bad(struct mailaddr_list *l, const unsigned char *start,
    const unsigned char *end, const char *why)
{
	struct buf b = { 0 };
	size_t n = (size_t)(end - start);

	l->bad++;
	if (l->first_error != NULL)
		return;
	if (n > 60)
		n = 60;
	for (size_t i = 0; i < n; i++)
		buf_putc(&b, start[i] >= ' ' && start[i] < 0x7f ? (char)start[i] : '?');
	l->first_error = xasprintf("%s in \"%s%s\"", why, buf_str(&b),
	    n < (size_t)(end - start) ? "..." : "");
	buf_free(&b);
}

void
mailaddr_parse_list(const char *s, size_t len, struct mailaddr_list *l)
{
	struct cur c = { .p = (const unsigned char *)s, .end = (const unsigned char *)s + len };

	for (;;) {
		const unsigned char *start;

		c.why = NULL;
		if (cfws(&c) < 0) {
			start = c.p;
			goto bad;
		}
		if (at_end(&c))
			break;
		if (peek(&c) == ',') {   /* obs-addr-list: empty elements */
			c.p++;
			continue;
		}
		start = c.p;
		if (address(&c, l, false) == 0) {
			if (at_end(&c))
				break;
			if (peek(&c) == ',') {
				c.p++;
				continue;
			}
			fail(&c, "unexpected text after an address");
		}
bad:
		c.p = start;
		resync(&c);
		note_bad(l, start, c.p, c.why != NULL ? c.why : "cannot parse");
	}
	cur_free(&c);
}

void
mailaddr_list_free(struct mailaddr_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].addr);
	}
	free(l->v);
	free(l->first_error);
	memset(l, 0, sizeof *l);
}
