/* capstream's scanner: what counts as depth and items, and what does not
 * (quoted strings, literals). */
#include "testutil.h"

#include "capstream.h"

/* Feeds s in one piece, then again a byte at a time: the verdict is the
 * same however the reads cut it. */
static enum capstream_trip
feed(const char *s, unsigned depth, size_t items, size_t *nitems)
{
	struct capstream_scan a = { 0 }, b = { 0 };
	enum capstream_trip whole, bytes = CAPSTREAM_FINE;
	size_t n = strlen(s);

	capstream_scan_command(&a);   /* past the greeting */
	capstream_scan_command(&b);
	whole = capstream_scan_feed(&a, (const unsigned char *)s, n, depth, items);
	for (size_t i = 0; i < n && bytes == CAPSTREAM_FINE; i++)
		bytes = capstream_scan_feed(&b, (const unsigned char *)s + i, 1, depth, items);
	assert_int_equal(whole, bytes);
	if (nitems != NULL)
		*nitems = a.items;
	return whole;
}

static void
test_depth(void **unused)
{
	char deep[200];

	(void)unused;
	memset(deep, '(', 100);
	memset(deep + 100, ')', 100);
	deep[0] = '*';
	deep[199] = '\0';
	assert_int_equal(feed("* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL)))\r\n", 3, 100,
	    NULL), CAPSTREAM_FINE);
	assert_int_equal(feed("* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (NIL))))\r\n", 3,
	    100, NULL), CAPSTREAM_DEEP);
	assert_int_equal(feed(deep, 98, 1000, NULL), CAPSTREAM_DEEP);
	assert_int_equal(feed(deep, 99, 1000, NULL), CAPSTREAM_FINE);
	/* Each line starts again; unbalanced ')' do not go below 0. */
	assert_int_equal(feed("* ((\r\n* ((\r\n* )))) ((\r\n", 2, 100, NULL), CAPSTREAM_FINE);
	/* Parentheses in quoted strings (escapes too) and literals are data. */
	assert_int_equal(feed("* 1 FETCH (X \"(((\\\"(((\" Y)\r\n", 1, 100, NULL),
	    CAPSTREAM_FINE);
	assert_int_equal(feed("* 1 FETCH (BODY[] {8}\r\n((((((((1 2 3)\r\n", 1, 100, NULL),
	    CAPSTREAM_FINE);
	assert_int_equal(feed("* 1 FETCH (BODY[] {8+}\r\n((((((((1 2 3)\r\n", 1, 100, NULL),
	    CAPSTREAM_FINE);
	/* A '{' that is no literal leaves the next bytes as text. */
	assert_int_equal(feed("* OK {x}((\r\n", 1, 100, NULL), CAPSTREAM_DEEP);
	/* An unterminated quote ends with its line. */
	assert_int_equal(feed("* OK \"(((\r\n* ((\r\n", 2, 100, NULL), CAPSTREAM_FINE);
}

static void
test_items(void **unused)
{
	size_t n;
	struct capstream_scan sc = { 0 };
	const unsigned char line[] = "* 1 EXISTS\r\n";

	(void)unused;
	assert_int_equal(feed("* SEARCH 1 2 3\r\n", 8, 100, &n), CAPSTREAM_FINE);
	assert_int_equal(n, 5);   /* four spaces and the line end */
	assert_int_equal(feed("* SEARCH 1 2 3\r\n", 8, 4, NULL), CAPSTREAM_MANY);
	/* Spaces in strings and literals are no items. */
	assert_int_equal(feed("* 1 FETCH (X \"a b c d\" {7}\r\na b c d)\r\n", 8, 100, &n),
	    CAPSTREAM_FINE);
	assert_int_equal(n, 9);   /* 5 spaces, ( ), the literal, the line end */
	/* Many small lines add up; a command starts the count again. */
	capstream_scan_command(&sc);
	for (int i = 0; i < 33; i++)
		assert_int_equal(capstream_scan_feed(&sc, line, sizeof line - 1, 8, 100),
		    CAPSTREAM_FINE);
	assert_int_equal(capstream_scan_feed(&sc, line, sizeof line - 1, 8, 100),
	    CAPSTREAM_MANY);
	capstream_scan_command(&sc);
	assert_int_equal(capstream_scan_feed(&sc, line, sizeof line - 1, 8, 100),
	    CAPSTREAM_FINE);
}

static void
test_literal_places(void **unused)
{
	struct capstream_scan sc = { 0 };
	const unsigned char greeting[] = "* OK [BADCHARSET ({2000000000}\r\nxxx";
	const unsigned char plain[] = "* OK [CAPABILITY IMAP4rev1] ready\r\n";

	(void)unused;
	/* libetpan parses the greeting and "+ " lines without a context. */
	assert_int_equal(capstream_scan_feed(&sc, greeting, sizeof greeting - 1, 8, 100),
	    CAPSTREAM_LITERAL);
	memset(&sc, 0, sizeof sc);
	assert_int_equal(capstream_scan_feed(&sc, plain, sizeof plain - 1, 8, 100),
	    CAPSTREAM_FINE);
	assert_int_equal(feed("+ [BADCHARSET ({3}\r\nabc)] go\r\n", 8, 100, NULL),
	    CAPSTREAM_LITERAL);
	assert_int_equal(feed("+ idling\r\n* 2 FETCH (BODY[] {3}\r\nabc)\r\n", 8, 100, NULL),
	    CAPSTREAM_FINE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_literal_places),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
