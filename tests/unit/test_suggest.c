/* Suggestions: who is left out (contacts, me, too few messages), the
 * cadence proposed from the mean gap, the contact id, the INI text that
 * loads as a configuration again. */
#include "testutil.h"

#include "suggest.h"

static const char conf_text[] =
    "[followupd]\nme = Jane Doe <jane@example.org>\ntimezone = UTC\n"
    "[contact:alice]\nemail = alice@example.com\ncadence = 2w\n"
    "[contact:bob]\nemail = @acme.example\ncadence = 1m\n";

#define DAY 86400L
#define T0 1790000000L

static void
test_pick(void **state)
{
	static const char *const address[] = {
		"alice@example.com",       /* a contact */
		"carol@acme.example",      /* a contact by domain */
		"jane@example.org",        /* me */
		"alice@other.example",     /* "alice" is taken: a longer id */
		"dave.smith@example.net",
		"erin@example.net",        /* two messages: no habit yet */
		"frank@example.net",
	};
	static const long count[] = { 50, 40, 30, 8, 5, 2, 3 };
	static const time_t first[] = { T0, T0, T0, T0, T0, T0, T0 };
	/* gaps: alice@other 7 days, dave 30 days, frank 200 days */
	static const time_t last[] = { T0, T0, T0, T0 + 49 * DAY, T0 + 120 * DAY, T0, T0 + 400 * DAY };
	struct config *cfg = test_config(conf_text);
	struct suggestion *s;
	size_t n;

	(void)state;
	n = suggest_pick(cfg, address, count, first, last, 7, 10, &s);
	assert_int_equal(n, 3);
	assert_string_equal(s[0].address, "alice@other.example");
	assert_string_equal(s[0].id, "alice-other-example");
	assert_int_equal(s[0].cadence.n, 1);
	assert_int_equal(s[0].cadence.unit, SPAN_WEEK);
	assert_string_equal(s[1].id, "dave-smith");
	assert_int_equal(s[1].cadence.n, 1);
	assert_int_equal(s[1].cadence.unit, SPAN_MONTH);
	assert_string_equal(s[2].id, "frank");
	assert_int_equal(s[2].cadence.n, 6);
	assert_int_equal(s[2].cadence.unit, SPAN_MONTH);
	suggest_free(s, n);
	/* two people with one local part: the second gets the long id */
	{
		const char *a[] = { "carl@a.example", "carl@b.example" };
		long c[] = { 5, 4 };
		time_t f[] = { T0, T0 }, l[] = { T0 + 50 * DAY, T0 + 50 * DAY };
		struct suggestion *t;
		size_t k = suggest_pick(cfg, a, c, f, l, 2, 10, &t);

		assert_int_equal(k, 2);
		assert_string_equal(t[0].id, "carl");
		assert_string_equal(t[1].id, "carl-b-example");
		suggest_free(t, k);
	}
	/* the limit */
	n = suggest_pick(cfg, address, count, first, last, 7, 1, &s);
	assert_int_equal(n, 1);
	assert_string_equal(s[0].address, "alice@other.example");
	suggest_free(s, n);
	config_free(cfg);
}

/* Mean gaps at the edges of each proposed cadence. */
static void
test_cadences(void **state)
{
	static const struct { int gap_days; int n; enum span_unit unit; } cases[] = {
		{ 1, 1, SPAN_WEEK }, { 10, 1, SPAN_WEEK }, { 11, 2, SPAN_WEEK }, { 21, 2, SPAN_WEEK },
		{ 22, 1, SPAN_MONTH }, { 45, 1, SPAN_MONTH }, { 46, 2, SPAN_MONTH },
		{ 75, 2, SPAN_MONTH }, { 76, 3, SPAN_MONTH }, { 135, 3, SPAN_MONTH },
		{ 136, 6, SPAN_MONTH },
	};
	struct config *cfg = test_config(conf_text);

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *a[] = { "x@example.net" };
		long c[] = { 4 };
		time_t f[] = { T0 }, l[] = { T0 + 3 * cases[i].gap_days * DAY };
		struct suggestion *s;
		size_t n = suggest_pick(cfg, a, c, f, l, 1, 1, &s);

		assert_int_equal(n, 1);
		if (s[0].cadence.n != cases[i].n || s[0].cadence.unit != cases[i].unit)
			fail_msg("gap %d days: %d unit %d", cases[i].gap_days, s[0].cadence.n,
			    s[0].cadence.unit);
		suggest_free(s, n);
	}
	config_free(cfg);
}

/* The INI text, appended to the configuration, is a valid contact. */
static void
test_ini_loads(void **state)
{
	const char *a[] = { "dave.smith@example.net" };
	long c[] = { 5 };
	time_t f[] = { T0 }, l[] = { T0 + 120 * DAY };
	struct config *cfg = test_config(conf_text), *again;
	struct suggestion *s;
	struct buf b = { 0 };
	size_t n = suggest_pick(cfg, a, c, f, l, 1, 1, &s);

	(void)state;
	assert_int_equal(n, 1);
	buf_puts(&b, conf_text);
	suggest_ini(&s[0], &b);
	assert_non_null(strstr(buf_str(&b), "[contact:dave-smith]\nemail = dave.smith@example.net\n"
	    "cadence = 1m   ; every month (5 messages since "));
	again = test_config(buf_str(&b));
	assert_int_equal(again->ncontacts, 3);
	assert_non_null(config_contact_by_addr(again, "dave.smith@example.net"));
	config_free(again);
	buf_free(&b);
	suggest_free(s, n);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_cadences),
		cmocka_unit_test(test_ini_loads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
