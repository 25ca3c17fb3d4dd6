/* Zones through the system zoneinfo: a 07:30 digest stays at 07:30 local
 * on DST-change days. Expected instants are UTC offsets from the calendar. */
#include <time.h>

#include "testutil.h"

#include "tz.h"

static void
use(const char *zone)
{
	char *err = NULL;

	if (tz_use(zone, &err) != 0)
		fail_msg("%s", err);
}

static void
test_digest_time_on_dst_days(void **unused)
{
	/* day, local 07:30 in UTC seconds since the day's UTC midnight */
	use("Europe/Berlin");
	assert_int_equal(tz_time_of(D("2026-03-28"), 450) - (time_t)D("2026-03-28") * 86400, 6 * 3600 + 1800);
	assert_int_equal(tz_time_of(D("2026-03-29"), 450) - (time_t)D("2026-03-29") * 86400, 5 * 3600 + 1800);
	assert_int_equal(tz_time_of(D("2026-10-25"), 450) - (time_t)D("2026-10-25") * 86400, 6 * 3600 + 1800);
	assert_int_equal(tz_minute_of(tz_time_of(D("2026-03-29"), 450)), 450);
	assert_int_equal(tz_day_of(tz_time_of(D("2026-03-29"), 450)), D("2026-03-29"));
	use("America/New_York");
	assert_int_equal(tz_time_of(D("2026-03-08"), 450) - (time_t)D("2026-03-08") * 86400, 11 * 3600 + 1800);
	assert_int_equal(tz_time_of(D("2026-11-01"), 450) - (time_t)D("2026-11-01") * 86400, 12 * 3600 + 1800);
	/* 02:30 does not exist on 2026-03-08: it moves forward to 03:30 EDT */
	assert_int_equal(tz_minute_of(tz_time_of(D("2026-03-08"), 150)), 210);
}

static void
test_check(void **unused)
{
	const char *why;

	assert_int_equal(tz_check("Europe/Berlin", &why), 0);
	assert_int_equal(tz_check("UTC", &why), 0);
	assert_int_equal(tz_check("Europe/Atlantis", &why), -1);
	assert_int_equal(tz_check("../../etc/passwd", &why), -1);
	assert_int_equal(tz_check("/etc/localtime", &why), -1);
	assert_int_equal(tz_check("Europe", &why), -1);   /* a directory */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest_time_on_dst_days),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
