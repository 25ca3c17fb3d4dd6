/* When the digest goes out: 07:30 local on weekdays, DST days included;
 * one catch-up the same day, never one per missed day. */
#include "testutil.h"

#include "config.h"
#include "schedule.h"
#include "tz.h"

static struct config *
config(const char *extra)
{
	char *text = xasprintf("[followupd]\nme = Jane <jane@example.org>\n"
	    "timezone = Europe/Berlin\n%s", extra);
	struct config *cfg = test_config(text);

	free(text);
	return cfg;
}

/* An instant from a local date and time in Berlin. */
static time_t
at(const char *date, int hour, int minute)
{
	return tz_time_of(D(date), hour * 60 + minute);
}

static void
test_next(void **unused)
{
	struct config *cfg = config("digest_time = 07:30\ndigest_days = mon-fri\n");

	(void)unused;
	/* Friday evening: next is Monday 07:30. */
	assert_int_equal(schedule_next_digest(cfg, at("2026-11-20", 18, 0)), at("2026-11-23", 7, 30));
	/* Monday 07:29 and 07:30 exactly. */
	assert_int_equal(schedule_next_digest(cfg, at("2026-11-23", 7, 29)), at("2026-11-23", 7, 30));
	assert_int_equal(schedule_next_digest(cfg, at("2026-11-23", 7, 30)), at("2026-11-24", 7, 30));
	/* Across the spring change (Sun 29 Mar 2026): Monday 07:30 CEST is
	 * 05:30 UTC, Friday's was 06:30 UTC. */
	assert_int_equal(schedule_next_digest(cfg, at("2026-03-27", 12, 0)) % 86400, 5 * 3600 + 1800);
	assert_int_equal(schedule_next_digest(cfg, at("2026-03-26", 12, 0)) % 86400, 6 * 3600 + 1800);
	config_free(cfg);
	cfg = config("digest_time = off\n");
	assert_int_equal(schedule_next_digest(cfg, at("2026-11-23", 7, 0)), 0);
	config_free(cfg);
}

static void
test_due_and_catch_up(void **unused)
{
	struct config *cfg = config("digest_time = 07:30\ndigest_days = mon-fri\n");
	int mon = D("2026-11-23");

	(void)unused;
	/* Before its time, nothing; at and after it, today's. */
	assert_int_equal(schedule_due_digest(cfg, at("2026-11-23", 7, 29), mon - 3), DAY_NONE);
	assert_int_equal(schedule_due_digest(cfg, at("2026-11-23", 7, 30), mon - 3), mon);
	/* Down all morning, back at 15:00: one catch-up, today's. */
	assert_int_equal(schedule_due_digest(cfg, at("2026-11-23", 15, 0), mon - 3), mon);
	/* Sent already: nothing more today. */
	assert_int_equal(schedule_due_digest(cfg, at("2026-11-23", 15, 0), mon), DAY_NONE);
	/* Down for a week: only today's, not one per missed day. */
	assert_int_equal(schedule_due_digest(cfg, at("2026-11-23", 9, 0), mon - 10), mon);
	assert_int_equal(schedule_due_digest(cfg, at("2026-11-23", 9, 0), DAY_NONE), mon);
	/* Saturday is not a digest day, even after 07:30. */
	assert_int_equal(schedule_due_digest(cfg, at("2026-11-21", 9, 0), mon - 3), DAY_NONE);
	/* The spring change: 07:30 CEST is 05:30 UTC; due from then on. */
	assert_int_equal(schedule_due_digest(cfg, (time_t)D("2026-03-30") * 86400 + 5 * 3600 + 1799,
	    D("2026-03-27")), DAY_NONE);
	assert_int_equal(schedule_due_digest(cfg, (time_t)D("2026-03-30") * 86400 + 5 * 3600 + 1800,
	    D("2026-03-27")), D("2026-03-30"));
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_due_and_catch_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
