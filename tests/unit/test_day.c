/* Calendar arithmetic, checked against dates known from the calendar. */
#include "testutil.h"

static void
test_known_days(void **unused)
{
	assert_int_equal(day_from_ymd(1970, 1, 1), 0);
	assert_int_equal(day_from_ymd(2000, 3, 1), 11017);
	assert_int_equal(day_from_ymd(1969, 12, 31), -1);
	assert_int_equal(day_weekday(day_from_ymd(2026, 11, 23)), 0);   /* a Monday */
	assert_int_equal(day_weekday(day_from_ymd(1969, 12, 28)), 6);   /* a Sunday */
	for (int d = -700000; d < 2900000; d += 997) {
		int y, m, dd;

		day_to_ymd(d, &y, &m, &dd);
		assert_true(day_valid_ymd(y, m, dd));
		assert_int_equal(day_from_ymd(y, m, dd), d);
	}
}

static void
test_months_clamp(void **unused)
{
	assert_int_equal(day_add_months(D("2026-01-31"), 1), D("2026-02-28"));
	assert_int_equal(day_add_months(D("2024-01-31"), 1), D("2024-02-29"));
	assert_int_equal(day_add_months(D("2024-02-29"), 12), D("2025-02-28"));
	assert_int_equal(day_add_months(D("2026-03-31"), -1), D("2026-02-28"));
	assert_int_equal(day_add_months(D("2026-12-15"), 1), D("2027-01-15"));
	assert_int_equal(day_add_months(D("2026-01-15"), -13), D("2024-12-15"));
	assert_int_equal(day_add_months(D("2026-08-31"), 3), D("2026-11-30"));
}

static void
test_parse_and_format(void **unused)
{
	static const char *const bad[] = {
		"2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "26-01-01",
		"2026-01-011", "2026/01/01", "", "0999-01-01", "2026-01-00", "2026-04-31",
	};
	char out[DAY_STRLEN];
	int d;

	assert_int_equal(day_parse("2024-02-29", &d), 0);
	day_format(d, out);
	assert_string_equal(out, "2024-02-29");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(day_parse(bad[i], &d), -1);
	assert_string_equal(day_parse_prefix("2026-12-01 Check", &d), " Check");
	assert_null(day_parse_prefix("2026-12-011", &d));
	assert_int_equal(day_weekday_parse("fri", 3), 4);
	assert_int_equal(day_weekday_parse("Sunday", 6), 6);
	assert_int_equal(day_weekday_parse("fr", 2), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_days),
		cmocka_unit_test(test_months_clamp),
		cmocka_unit_test(test_parse_and_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
