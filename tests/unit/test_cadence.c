/* The cadence grammar: spans, names, windows and clock durations. */
#include "testutil.h"

#include "cadence.h"

static void
test_valid(void **unused)
{
	static const struct { const char *s; int n1; enum span_unit u1; int n2; enum span_unit u2; } ok[] = {
		{ "1d", 1, SPAN_DAY, 1, SPAN_DAY },
		{ "2w", 2, SPAN_WEEK, 2, SPAN_WEEK },
		{ "3M", 3, SPAN_MONTH, 3, SPAN_MONTH },
		{ "1y", 1, SPAN_YEAR, 1, SPAN_YEAR },
		{ "daily", 1, SPAN_DAY, 1, SPAN_DAY },
		{ "Weekly", 1, SPAN_WEEK, 1, SPAN_WEEK },
		{ "biweekly", 2, SPAN_WEEK, 2, SPAN_WEEK },
		{ "fortnightly", 2, SPAN_WEEK, 2, SPAN_WEEK },
		{ "monthly", 1, SPAN_MONTH, 1, SPAN_MONTH },
		{ "quarterly", 3, SPAN_MONTH, 3, SPAN_MONTH },
		{ "yearly", 1, SPAN_YEAR, 1, SPAN_YEAR },
		{ "annually", 1, SPAN_YEAR, 1, SPAN_YEAR },
		{ "2w..3w", 2, SPAN_WEEK, 3, SPAN_WEEK },
		{ "monthly..6w", 1, SPAN_MONTH, 6, SPAN_WEEK },
		{ "1y..13m", 1, SPAN_YEAR, 13, SPAN_MONTH },
		{ "2w..2w", 2, SPAN_WEEK, 2, SPAN_WEEK },
		{ "9999d", 9999, SPAN_DAY, 9999, SPAN_DAY },
	};
	struct cadence c;
	const char *why;

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		if (cadence_parse(ok[i].s, &c, &why) != 0)
			fail_msg("'%s' refused: %s", ok[i].s, why);
		assert_int_equal(c.due.n, ok[i].n1);
		assert_int_equal(c.due.unit, ok[i].u1);
		assert_int_equal(c.overdue.n, ok[i].n2);
		assert_int_equal(c.overdue.unit, ok[i].u2);
	}
}

static void
test_invalid(void **unused)
{
	static const char *const bad[] = {
		"", "w", "2", "2x", "0w", "-1w", "2 w", "2ww", "10000d", "3w..2w",
		"1m..3w", "2w..", "..2w", "2w...3w", "often", "2w..3w..4w", "1.5w",
	};
	struct cadence c;
	const char *why;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		if (cadence_parse(bad[i], &c, &why) == 0)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(why);
	}
}

static void
test_add_and_describe(void **unused)
{
	struct span s;
	const char *why;
	char out[32];

	assert_int_equal(span_parse("1m", &s, &why), 0);
	assert_int_equal(span_add(D("2026-01-31"), s, 1), D("2026-02-28"));
	assert_int_equal(span_add(D("2026-03-31"), s, -1), D("2026-02-28"));
	assert_int_equal(span_parse("7d", &s, &why), 0);
	assert_int_equal(span_add(D("2026-12-28"), s, 1), D("2027-01-04"));
	span_describe(s, out, sizeof out);
	assert_string_equal(out, "every 7 days");
	assert_int_equal(span_parse("quarterly", &s, &why), 0);
	span_describe(s, out, sizeof out);
	assert_string_equal(out, "every 3 months");
	assert_int_equal(span_parse("1w", &s, &why), 0);
	span_describe(s, out, sizeof out);
	assert_string_equal(out, "every week");
}

static void
test_durations(void **unused)
{
	long secs;
	const char *why;

	assert_int_equal(duration_parse("30s", &secs, &why), 0);
	assert_int_equal(secs, 30);
	assert_int_equal(duration_parse("5m", &secs, &why), 0);
	assert_int_equal(secs, 300);
	assert_int_equal(duration_parse("24h", &secs, &why), 0);
	assert_int_equal(secs, 86400);
	assert_int_equal(duration_parse("2d", &secs, &why), 0);
	assert_int_equal(secs, 172800);
	assert_int_equal(duration_parse("0h", &secs, &why), -1);
	assert_int_equal(duration_parse("5", &secs, &why), -1);
	assert_int_equal(duration_parse("5w", &secs, &why), -1);
	assert_int_equal(duration_parse("h", &secs, &why), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_add_and_describe),
		cmocka_unit_test(test_durations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
