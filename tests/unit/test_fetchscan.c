/* fetchscan: the answer to a sync's UID FETCH, fed in chunks of any size:
 * the messages it reports, what it skips, the dates, the ends and the
 * bounds. */
#include <inttypes.h>

#include "testutil.h"

#include "fetchscan.h"

/* What the callback saw, copied. */
struct rec {
	uint32_t uid;
	bool has_date;
	time_t date;
	char *hdr;
	size_t hdrlen;
};

struct got {
	struct rec *v;
	size_t n, cap;
};

static void
collect(void *arg, const struct fetchscan_msg *m)
{
	struct got *g = arg;
	struct rec *r;

	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		g->v = xrealloc(g->v, g->cap * sizeof *g->v);
	}
	r = &g->v[g->n++];
	r->uid = m->uid;
	r->has_date = m->has_date;
	r->date = m->has_date ? m->internaldate : 0;
	assert_non_null(m->hdr);
	r->hdr = xstrndup(m->hdr, m->hdrlen);
	r->hdrlen = m->hdrlen;
}

static void
got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i].hdr);
	free(g->v);
	memset(g, 0, sizeof *g);
}

/* A small generator, the same on every run. */
static uint32_t
rnd(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

/* Feeds text to a fresh scanner for tag A1, in chunks: whole (max 0), a
 * byte at a time (max 1), or of random sizes from 1 to max (seed). The
 * chunks live on the heap, exactly their size, so that the sanitizers
 * see a read past one. Returns the final code; *used is the bytes
 * consumed in all, *text a copy of fetchscan_text. */
static enum fetchscan_rc
run(const char *text, size_t len, size_t max, uint32_t seed, struct got *g, size_t *used,
    char **why)
{
	struct fetchscan *s = fetchscan_new("A1", collect, g);
	enum fetchscan_rc rc = FETCHSCAN_MORE;
	size_t off = 0;

	assert_non_null(s);
	while (off < len && rc == FETCHSCAN_MORE) {
		size_t n = max == 0 ? len - off : 1 + rnd(&seed) % max, u;
		char *chunk;

		if (n > len - off)
			n = len - off;
		chunk = xmalloc(n);
		memcpy(chunk, text + off, n);
		rc = fetchscan_feed(s, chunk, n, &u);
		free(chunk);
		assert_true(u <= n);
		if (rc == FETCHSCAN_MORE)
			assert_int_equal(u, n);
		off += u;
	}
	assert_int_equal(fetchscan_count(s), g->n);
	*used = off;
	*why = xstrdup(fetchscan_text(s));
	fetchscan_free(s);
	return rc;
}

static void
same_records(const struct got *a, const struct got *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_int_equal(a->v[i].uid, b->v[i].uid);
		assert_int_equal(a->v[i].has_date, b->v[i].has_date);
		assert_int_equal(a->v[i].date, b->v[i].date);
		assert_int_equal(a->v[i].hdrlen, b->v[i].hdrlen);
		assert_memory_equal(a->v[i].hdr, b->v[i].hdr, a->v[i].hdrlen);
	}
}

/* Scans text whole into *g, then again byte by byte and in random chunks:
 * the same messages, code, consumed bytes and text every time. */
static enum fetchscan_rc
scan(const char *text, struct got *g, size_t *used, char **why)
{
	static const size_t max[] = { 1, 2, 3, 7, 64, 1000 };
	size_t len = strlen(text);
	enum fetchscan_rc rc = run(text, len, 0, 0, g, used, why);

	for (size_t i = 0; i < sizeof max / sizeof max[0]; i++) {
		for (uint32_t seed = 1; seed <= (max[i] == 1 ? 1u : 5u); seed++) {
			struct got h = { 0 };
			size_t u;
			char *w;

			assert_int_equal(run(text, len, max[i], seed, &h, &u, &w), rc);
			if (rc != FETCHSCAN_ERROR)   /* where it stops depends on the cuts */
				assert_int_equal(u, *used);
			assert_string_equal(w, *why);
			same_records(g, &h);
			got_free(&h);
			free(w);
		}
	}
	return rc;
}

/* Scans text that must end in an error, with that message. */
static void
scan_error(const char *text, const char *why)
{
	struct got g = { 0 };
	size_t used;
	char *w;

	assert_int_equal(scan(text, &g, &used, &w), FETCHSCAN_ERROR);
	assert_string_equal(w, why);
	got_free(&g);
	free(w);
}

#define HDR1 "Date: Tue, 12 Mar 2024 11:00:00 +0100\r\nMessage-ID: <a@x>\r\nTo: bob@example.com\r\n\r\n"
#define HDR2 "Message-ID: <b@x>\r\n\r\n"

static void
test_dovecot(void **unused)
{
	/* As Dovecot answers, then the next command's first bytes. */
	const char text[] =
	    "* 1 FETCH (UID 7 INTERNALDATE \"12-Mar-2024 10:00:00 +0000\" "
	    "BODY[HEADER.FIELDS (DATE MESSAGE-ID TO CC BCC RESENT-TO RESENT-CC SUBJECT "
	    "IN-REPLY-TO REFERENCES)] {81}\r\n" HDR1 ")\r\n"
	    "* 2 FETCH (UID 9 INTERNALDATE \" 9-Sep-2001 03:46:40 +0200\" "
	    "BODY[HEADER.FIELDS (DATE MESSAGE-ID)] {21}\r\n" HDR2 ")\r\n"
	    "A1 OK Fetch completed (0.001 + 0.000 secs).\r\n"
	    "A2 OK next\r\n";
	struct got g = { 0 };
	size_t used;
	char *why;

	(void)unused;
	assert_int_equal(strlen(HDR1), 81);
	assert_int_equal(strlen(HDR2), 21);
	assert_int_equal(scan(text, &g, &used, &why), FETCHSCAN_OK);
	assert_string_equal(why, "Fetch completed (0.001 + 0.000 secs).");
	assert_int_equal(used, strlen(text) - strlen("A2 OK next\r\n"));
	assert_int_equal(g.n, 2);
	assert_int_equal(g.v[0].uid, 7);
	assert_true(g.v[0].has_date);
	assert_int_equal(g.v[0].date, 1710237600);   /* date -u -d '2024-03-12 10:00:00 +0000' +%s */
	assert_string_equal(g.v[0].hdr, HDR1);
	assert_int_equal(g.v[1].uid, 9);
	assert_int_equal(g.v[1].date, 1000000000);   /* date -u -d '2001-09-09 01:46:40 +0000' +%s */
	assert_string_equal(g.v[1].hdr, HDR2);
	got_free(&g);
	free(why);
}

/* A long answer with every kind of response, cut everywhere. */
static void
test_chunks(void **unused)
{
	struct buf b = { 0 };
	struct got g = { 0 };
	uint32_t seed = 42;
	size_t used, want = 0;
	char *why;

	(void)unused;
	for (unsigned i = 1; i <= 300; i++) {
		unsigned len = rnd(&seed) % 700;
		struct buf h = { 0 };

		for (unsigned k = 0; k < len; k++)
			buf_putc(&h, (char)("ab \r\n{}()\"\\*A1 OK"[rnd(&seed) % 17]));
		switch (i % 5) {
		case 0:
			buf_printf(&b, "* %u FETCH (UID %u BODY[HEADER.FIELDS (DATE)] {%zu}\r\n%s "
			    "FLAGS (\\Seen))\r\n", i, 1000 + i, h.len, buf_str(&h));
			want++;
			break;
		case 1:
			buf_printf(&b, "* %u FETCH (INTERNALDATE \"%2u-Jan-2020 10:00:00 +0000\" "
			    "BODY[HEADER.FIELDS (DATE)]<0> {%zu}\r\n%s UID %u)\r\n", i, i % 28 + 1,
			    h.len, buf_str(&h), 1000 + i);
			want++;
			break;
		case 2:
			buf_printf(&b, "* %u EXISTS\r\n* OK [ALERT] {%zu}\r\n%s\r\n", i, h.len,
			    buf_str(&h));
			break;
		case 3:
			buf_printf(&b, "* %u FETCH (FLAGS (\\Seen) MODSEQ (%u))\r\n", i, i);
			break;
		case 4:
			buf_printf(&b, "* %u FETCH (UID %u BODY[HEADER.FIELDS (DATE)] \"x\\\"y%u\")\r\n",
			    i, 1000 + i, i);
			want++;
			break;
		}
		buf_free(&h);
	}
	buf_puts(&b, "A1 NO [SERVERBUG] oops\r\n");
	assert_int_equal(scan(buf_str(&b), &g, &used, &why), FETCHSCAN_NO);
	assert_string_equal(why, "[SERVERBUG] oops");
	assert_int_equal(used, b.len);
	assert_int_equal(g.n, want);
	assert_int_equal(g.v[0].uid, 1001);
	assert_true(g.v[0].has_date);
	assert_int_equal(g.v[0].date, 1577872800 + 86400);   /* date -u -d '2020-01-01 10:00:00' +%s */
	assert_string_equal(g.v[1].hdr, "x\"y4");
	assert_false(g.v[2].has_date);
	assert_true(g.v[3].has_date);
	got_free(&g);
	free(why);
	buf_free(&b);
}

static void
test_skipped(void **unused)
{
	const char text[] =
	    "* 12 EXISTS\r\n"
	    "* 3 EXPUNGE\r\n"
	    "* OK [ALERT] the \"disk\" is {full}\r\n"
	    "* 7 FETCH (FLAGS (\\Seen))\r\n"
	    "* 7 FETCH (UID 9 FLAGS (\\Seen))\r\n"
	    /* A literal in a skipped response that looks like the end. */
	    "* 8 XTHING {20}\r\nA1 OK not yet\r\n* 1 F\r\n"
	    "* 9 FETCH (BODY[HEADER.FIELDS (DATE)] {2}\r\nx\n)\r\n"   /* no UID */
	    "* 10 FETCHED (UID 4 BODY[] {0}\r\n)\r\n"                 /* not a FETCH */
	    "* 11 FETCH (X-GM-LABELS (\"(\" {3}\r\n)()) UID 11 BODY[] NIL)\r\n"
	    "A1 OK done\r\n";
	struct got g = { 0 };
	size_t used;
	char *why;

	(void)unused;
	assert_int_equal(scan(text, &g, &used, &why), FETCHSCAN_OK);
	assert_string_equal(why, "done");
	assert_int_equal(g.n, 1);
	assert_int_equal(g.v[0].uid, 11);
	assert_int_equal(g.v[0].hdrlen, 0);
	assert_false(g.v[0].has_date);
	got_free(&g);
	free(why);
}

static void
test_items(void **unused)
{
	const char text[] =
	    /* UID last, extra items, names in any case, an origin. */
	    "* 1 FETCH (internaldate \"01-jan-2020 00:00:00 +0000\" RFC822.SIZE 42 "
	    "MODSEQ (123) Body[header.fields (date)]<0> {3}\r\nabc FLAGS () uid 5)\r\n"
	    /* No INTERNALDATE; a quoted header with escapes. */
	    "* 2 FETCH (UID 6 BODY[HEADER.FIELDS (DATE)] \"a\\\\b\\\"c\")\r\n"
	    /* INTERNALDATE NIL, broken, or a literal: no date. */
	    "* 3 FETCH (UID 7 INTERNALDATE NIL BODY[] \"\")\r\n"
	    "* 4 FETCH (UID 8 INTERNALDATE \"31-Feb-2024 00:00:00 +0000\" BODY[] \"\")\r\n"
	    "* 5 FETCH (UID 9 INTERNALDATE {26}\r\n01-Jan-2020 00:00:00 +0000 BODY[] \"\")\r\n"
	    /* The last of two counts. */
	    "* 6 FETCH (UID 1 BODY[] {1}\r\nx UID 10 BODY[] {1}\r\ny)\r\n"
	    /* An empty item list, and an empty literal. */
	    "* 7 FETCH ()\r\n"
	    "* 8 FETCH ( UID 11  BODY[] {0}\r\n ) \r\n"
	    /* Bare LF line ends. */
	    "* 9 FETCH (UID 12 BODY[] {2}\nz\n)\n"
	    /* A quoted field name with a ']' in the section spec. */
	    "* 10 FETCH (UID 13 BODY[HEADER.FIELDS (\"X]Y\" DATE)] \"q\")\r\n"
	    "A1 OK\r\n";
	struct got g = { 0 };
	size_t used;
	char *why;

	(void)unused;
	assert_int_equal(scan(text, &g, &used, &why), FETCHSCAN_OK);
	assert_string_equal(why, "");
	assert_int_equal(g.n, 9);
	assert_int_equal(g.v[0].uid, 5);
	assert_true(g.v[0].has_date);
	assert_int_equal(g.v[0].date, 1577836800);   /* date -u -d 2020-01-01 +%s */
	assert_string_equal(g.v[0].hdr, "abc");
	assert_int_equal(g.v[1].uid, 6);
	assert_false(g.v[1].has_date);
	assert_string_equal(g.v[1].hdr, "a\\b\"c");
	for (int i = 2; i <= 4; i++) {
		assert_int_equal(g.v[i].uid, 5 + i);
		assert_false(g.v[i].has_date);
		assert_int_equal(g.v[i].hdrlen, 0);
	}
	assert_int_equal(g.v[5].uid, 10);
	assert_string_equal(g.v[5].hdr, "y");
	assert_int_equal(g.v[6].uid, 11);
	assert_int_equal(g.v[6].hdrlen, 0);
	assert_int_equal(g.v[7].uid, 12);
	assert_string_equal(g.v[7].hdr, "z\n");
	assert_int_equal(g.v[8].uid, 13);
	assert_string_equal(g.v[8].hdr, "q");
	got_free(&g);
	free(why);
}

/* The instant of an INTERNALDATE, or -2 when it is not one. */
static long long
date_of(const char *internaldate)
{
	struct got g = { 0 };
	struct buf b = { 0 };
	size_t used;
	char *why;
	long long t;

	buf_printf(&b, "* 1 FETCH (UID 1 INTERNALDATE \"%s\" BODY[] NIL)\r\nA1 OK\r\n",
	    internaldate);
	assert_int_equal(run(buf_str(&b), b.len, 0, 0, &g, &used, &why), FETCHSCAN_OK);
	assert_int_equal(g.n, 1);
	t = g.v[0].has_date ? (long long)g.v[0].date : -2;
	got_free(&g);
	buf_free(&b);
	free(why);
	return t;
}

static void
test_internaldate(void **unused)
{
	(void)unused;
	/* The constants: date -u -d 'YYYY-MM-DD hh:mm:ss +zzzz' +%s */
	assert_int_equal(date_of("12-Mar-2024 10:00:00 +0000"), 1710237600);
	assert_int_equal(date_of("29-Feb-2024 23:59:59 -0700"), 1709276399);
	assert_int_equal(date_of("31-Dec-1999 23:00:00 +0100"), 946677600);
	assert_int_equal(date_of("31-Dec-1969 23:59:59 +0000"), -1);
	assert_int_equal(date_of("19-Jan-2038 03:14:08 +0000"), 2147483648LL);
	assert_int_equal(date_of(" 5-Jan-2025 08:30:00 +0530"), 1736046000);
	assert_int_equal(date_of("5-JAN-2025 08:30:00 +0530"), 1736046000);
	assert_int_equal(date_of("23-Nov-2026 00:00:00 +1400"), 1795341600);
	assert_int_equal(date_of("01-Jan-1970 00:00:00 -1130"), 41400);
	assert_int_equal(date_of("01-Mar-2100 12:00:00 +0000"), 4107585600LL);
	/* A leap second is the next second: 2017-01-01 00:00:00. */
	assert_int_equal(date_of("31-Dec-2016 23:59:60 +0000"), 1483228800);
	/* Not dates. */
	assert_int_equal(date_of("29-Feb-2023 00:00:00 +0000"), -2);
	assert_int_equal(date_of("12-Mrz-2024 10:00:00 +0000"), -2);
	assert_int_equal(date_of("12-Mar-2024 24:00:00 +0000"), -2);
	assert_int_equal(date_of("12-Mar-2024 10:00:00 +0060"), -2);
	assert_int_equal(date_of("12-Mar-2024 10:00:00 +2400"), -2);
	assert_int_equal(date_of("12-Mar-2024 10:00:00 0000"), -2);
	assert_int_equal(date_of("12-Mar-2024 10:00:00 +0000 "), -2);
	assert_int_equal(date_of("12-Mar-24 10:00:00 +0000"), -2);
	assert_int_equal(date_of("123-Mar-2024 10:00:00 +0000"), -2);
	assert_int_equal(date_of("12-Mar-2024 10:00 +0000"), -2);
	assert_int_equal(date_of(""), -2);
	assert_int_equal(date_of("1"), -2);
	assert_int_equal(date_of("12-Mar-\\2024 10:00:00 +0000"), -2);
}

static void
test_ends(void **unused)
{
	struct got g = { 0 };
	size_t used, u;
	char *why;
	struct fetchscan *s;

	(void)unused;
	assert_int_equal(scan("A1 BAD [PARSE] what?\r\nmore", &g, &used, &why), FETCHSCAN_BAD);
	assert_string_equal(why, "[PARSE] what?");
	assert_int_equal(used, strlen("A1 BAD [PARSE] what?\r\n"));
	free(why);
	/* BYE ends it; control characters never reach a log. */
	assert_int_equal(scan("* 1 EXISTS\r\n* BYE going\x1b[2J away {5}\r\nhello",
	    &g, &used, &why), FETCHSCAN_BYE);
	assert_string_equal(why, "going?[2J away {5}");
	assert_int_equal(used, strlen("* 1 EXISTS\r\n* BYE going\x1b[2J away {5}\r\n"));
	free(why);
	assert_int_equal(scan("a1 ok\r\n", &g, &used, &why), FETCHSCAN_ERROR);
	assert_string_equal(why, "a line that is neither an untagged nor the tagged response");
	free(why);
	assert_int_equal(g.n, 0);
	scan_error("A12 OK\r\n", "a line that is neither an untagged nor the tagged response");
	scan_error("A1 MAYBE\r\n", "a tagged response that is neither OK, NO nor BAD");
	scan_error("+ go on\r\n", "a continuation request in the middle of a FETCH");
	scan_error("\r\n", "a line that is neither an untagged nor the tagged response");
	/* Unfinished: more is wanted. */
	assert_int_equal(scan("* 1 FETCH (UID 1 BODY[] {10}\r\nabc", &g, &used, &why),
	    FETCHSCAN_MORE);
	assert_string_equal(why, "");
	free(why);
	/* Nothing fed, nothing read; once over, over. */
	s = fetchscan_new("A1", NULL, NULL);
	assert_int_equal(fetchscan_feed(s, NULL, 0, &u), FETCHSCAN_MORE);
	assert_int_equal(u, 0);
	assert_int_equal(fetchscan_feed(s, "A1 NO x\r\n", 9, &u), FETCHSCAN_NO);
	assert_int_equal(u, 9);
	assert_int_equal(fetchscan_feed(s, "A1 OK\r\n", 7, &u), FETCHSCAN_NO);
	assert_int_equal(u, 0);
	assert_int_equal(fetchscan_feed(s, "", 0, &u), FETCHSCAN_NO);
	fetchscan_free(s);
	/* Tags that could never be told from other lines. */
	assert_null(fetchscan_new("", NULL, NULL));
	assert_null(fetchscan_new("A 1", NULL, NULL));
	assert_null(fetchscan_new("*", NULL, NULL));
	assert_null(fetchscan_new("+x", NULL, NULL));
	fetchscan_free(NULL);
}

static void
test_syntax(void **unused)
{
#define E(why) "the FETCH response of message 3 does not parse: " why
	(void)unused;
	scan_error("* 3 FETCH UID 1\r\n", E("no '(' after FETCH"));
	scan_error("* 3 FETCH (UID 1 BODY[] NIL\r\n", E("it ends before its closing parenthesis"));
	scan_error("* 3 FETCH (UID 1) x\r\n", E("text after its closing parenthesis"));
	scan_error("* 3 FETCH (UID x BODY[] NIL)\r\n", E("a UID that is not a number from 1 to 4294967295"));
	scan_error("* 3 FETCH (UID 0)\r\n", E("a UID that is not a number from 1 to 4294967295"));
	scan_error("* 3 FETCH (UID 4294967296)\r\n", E("a UID that is not a number from 1 to 4294967295"));
	scan_error("* 3 FETCH (UID \"5\")\r\n", E("a UID that is not a number"));
	scan_error("* 3 FETCH (UID {1}\r\n5)\r\n", E("a UID that is not a number"));
	scan_error("* 3 FETCH (UID (5))\r\n", E("a list where a UID, date or header goes"));
	scan_error("* 3 FETCH (BODY[] ATOM)\r\n", E("a BODY[] value that is neither a string nor NIL"));
	scan_error("* 3 FETCH (BODY[ NIL)\r\n", E("a data item's name"));
	scan_error("* 3 FETCH (BODY[]<x> NIL)\r\n", E("a data item's name"));
	scan_error("* 3 FETCH (UID)\r\n", E("a data item's name"));
	scan_error("* 3 FETCH (UID )\r\n", E("a data item without a value"));
	scan_error("* 3 FETCH (UID 1\"x\")\r\n", E("no space after a value"));
	scan_error("* 3 FETCH (BODY[] \"abc)\r\n", E("a quoted string without its closing quote"));
	scan_error("* 3 FETCH (FLAGS (\"abc)\r\n", E("a quoted string without its closing quote"));
	scan_error("* 3 FETCH ({3}\r\nUID 1)\r\n", E("a literal out of place"));
	scan_error("* 0 FETCH (UID 1)\r\n", "a FETCH response with a message number out of range");
	scan_error("* 4294967296 FETCH (UID 1)\r\n",
	    "a FETCH response with a message number out of range");
#undef E
}

/* A FETCH response with a literal of n bytes, whole. */
static char *
big_literal(const char *before, size_t n)
{
	struct buf b = { 0 };
	char *fill = xmalloc(n);

	memset(fill, 'h', n);
	buf_printf(&b, "%s {%zu}\r\n", before, n);
	buf_append(&b, fill, n);
	buf_puts(&b, ")\r\nA1 OK\r\n");
	free(fill);
	return buf_take(&b);
}

static void
test_bounds(void **unused)
{
	struct got g = { 0 };
	size_t used;
	char *why, *text;
	struct buf b = { 0 };

	(void)unused;
	/* A header of 1 MiB, and one byte more. */
	text = big_literal("* 1 FETCH (UID 1 BODY[]", FETCHSCAN_MAX_HDR);
	assert_int_equal(run(text, strlen(text), 0, 0, &g, &used, &why), FETCHSCAN_OK);
	assert_int_equal(g.v[0].hdrlen, FETCHSCAN_MAX_HDR);
	got_free(&g);
	free(why);
	assert_int_equal(run(text, strlen(text), 4096, 1, &g, &used, &why), FETCHSCAN_OK);
	assert_int_equal(g.v[0].hdrlen, FETCHSCAN_MAX_HDR);
	got_free(&g);
	free(why);
	free(text);
	text = big_literal("* 1 FETCH (UID 1 BODY[]", FETCHSCAN_MAX_HDR + 1);
	assert_int_equal(run(text, strlen(text), 0, 0, &g, &used, &why), FETCHSCAN_ERROR);
	assert_string_equal(why, "a header of more than 1 MiB");
	free(why);
	free(text);
	text = big_literal("* 1 FETCH (X", FETCHSCAN_MAX_HDR + 1);
	assert_int_equal(run(text, strlen(text), 0, 0, &g, &used, &why), FETCHSCAN_ERROR);
	assert_string_equal(why, "a literal of more than 1 MiB");
	free(why);
	free(text);
	/* Sizes: claimed, not sent. */
	scan_error("* 1 FETCH (UID 1 BODY[] {99999999999}\r\n", "a literal size of more than 10 digits");
	scan_error("* OK {00000000000}\r\n", "a literal size of more than 10 digits");
	scan_error("* 1 FETCH (UID 1 BODY[] {9999999999}\r\n", "a header of more than 1 MiB");
	scan_error("* 1 XX {4294967296}\r\n", "a literal of more than 1 MiB");

	/* A line of 64 KiB with its CRLF, and one byte more; literals do
	 * not count, and the count starts again with each response. */
	buf_puts(&b, "* OK ");
	while (b.len < FETCHSCAN_MAX_LINE - 2)
		buf_putc(&b, 'x');
	buf_puts(&b, "\r\n");
	text = xstrdup(buf_str(&b));
	buf_puts(&b, text);
	free(text);
	buf_puts(&b, "* 1 FETCH (UID 1 BODY[] {70000}\r\n");
	for (int i = 0; i < 70000; i++)
		buf_putc(&b, 'h');
	buf_puts(&b, ")\r\nA1 OK\r\n");
	assert_int_equal(scan(buf_str(&b), &g, &used, &why), FETCHSCAN_OK);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.v[0].hdrlen, 70000);
	got_free(&g);
	free(why);
	buf_reset(&b);
	buf_puts(&b, "* OK ");
	while (b.len < FETCHSCAN_MAX_LINE - 1)
		buf_putc(&b, 'x');
	buf_puts(&b, "\r\n");
	scan_error(buf_str(&b), "a line of more than 64 KiB");
	/* Without any line end at all. */
	buf_reset(&b);
	for (int i = 0; i < 100000; i++)
		buf_putc(&b, 'x');
	scan_error(buf_str(&b), "a line of more than 64 KiB");
	/* The parts of one line between its literals add up. */
	buf_reset(&b);
	buf_puts(&b, "* 1 FETCH (X (");
	while (b.len < 2 * FETCHSCAN_MAX_LINE)
		buf_puts(&b, "{1}\r\nx");
	buf_puts(&b, ") UID 1 BODY[] NIL)\r\nA1 OK\r\n");
	scan_error(buf_str(&b), "a line of more than 64 KiB");
	buf_free(&b);

	/* Depth: 8 levels with the response's own, not 9. */
	assert_int_equal(scan("* 1 FETCH (X (((((((a))))))) UID 1 BODY[] NIL)\r\nA1 OK\r\n",
	    &g, &used, &why), FETCHSCAN_OK);
	assert_int_equal(g.n, 1);
	got_free(&g);
	free(why);
	scan_error("* 1 FETCH (X ((((((((a)))))))) UID 1 BODY[] NIL)\r\nA1 OK\r\n",
	    "parentheses nested deeper than 8 in a FETCH response");
	/* Unbalanced ')' end the list and then the response. */
	scan_error("* 1 FETCH (X (a))) UID 1)\r\n",
	    "the FETCH response of message 1 does not parse: text after its closing parenthesis");
}

/* The million: memory stays the same, whatever the count. */
struct tally {
	size_t n;
	uint64_t uids;
};

static void
tally(void *arg, const struct fetchscan_msg *m)
{
	struct tally *t = arg;

	t->n++;
	t->uids += m->uid;
	assert_int_equal(m->hdrlen, 23);
	assert_true(m->has_date);
}

static void
test_million(void **unused)
{
	enum { N = 1000000, CHUNK = 4093 };
	struct tally t = { 0 };
	struct fetchscan *s = fetchscan_new("A1", tally, &t);
	struct buf b = { 0 };

	(void)unused;
	size_t off = 0, used, early = 0;

	buf_reserve(&b, 1 << 16);
	uint32_t uid = 1;
	enum fetchscan_rc rc = FETCHSCAN_MORE;

	while (rc == FETCHSCAN_MORE) {
		/* Refill: a few hundred messages at a time, the tagged line
		 * after the last. */
		if (b.len - off < CHUNK && uid <= N) {
			memmove(b.data, b.data + off, b.len - off);
			b.len -= off;
			off = 0;
			for (int i = 0; i < 100 && uid <= N; i++, uid++)
				buf_printf(&b, "* %07" PRIu32 " FETCH (UID %07" PRIu32 " INTERNALDATE "
				    "\"01-Jan-2020 00:00:00 +0000\" BODY[HEADER.FIELDS (MESSAGE-ID)] "
				    "{23}\r\nMessage-ID: <%05" PRIu32 ">\r\n\r\n)\r\n", uid, uid,
				    uid % 100000);
			if (uid > N)
				buf_puts(&b, "A1 OK done\r\n");
		}
		rc = fetchscan_feed(s, b.data + off,
		    b.len - off < CHUNK ? b.len - off : CHUNK, &used);
		off += used;
		/* Messages all as long: by 10,000, every cut has come. */
		if (t.n >= 10000 && early == 0)
			early = fetchscan_footprint(s);
	}
	assert_int_equal(rc, FETCHSCAN_OK);
	assert_int_equal(t.n, N);
	assert_int_equal(fetchscan_count(s), N);
	assert_true(t.uids == (uint64_t)N * (N + 1) / 2);
	assert_int_equal(fetchscan_footprint(s), early);
	assert_true(early < 4096);
	fetchscan_free(s);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dovecot),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_skipped),
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_internaldate),
		cmocka_unit_test(test_ends),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_million),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
