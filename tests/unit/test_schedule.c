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
	assert_int_equal(schedule_next_digest(cfg, at("2026-11-20", 18, 0), DAY_NONE), at("2026-11-23", 7, 30));
	/* Monday 07:29 and 07:30 exactly. */
	assert_int_equal(schedule_next_digest(cfg, at("2026-11-23", 7, 29), DAY_NONE), at("2026-11-23", 7, 30));
	assert_int_equal(schedule_next_digest(cfg, at("2026-11-23", 7, 30), DAY_NONE), at("2026-11-24", 7, 30));
	/* Today's went out early (by hand, at 06:00): the next is tomorrow's. */
	assert_int_equal(schedule_next_digest(cfg, at("2026-11-23", 6, 0), D("2026-11-23")),
	    at("2026-11-24", 7, 30));
	assert_int_equal(schedule_next_digest(cfg, at("2026-11-23", 6, 0), D("2026-11-22")),
	    at("2026-11-23", 7, 30));
	/* Across the spring change (Sun 29 Mar 2026): Monday 07:30 CEST is
	 * 05:30 UTC, Friday's was 06:30 UTC. */
	assert_int_equal(schedule_next_digest(cfg, at("2026-03-27", 12, 0), DAY_NONE) % 86400, 5 * 3600 + 1800);
	assert_int_equal(schedule_next_digest(cfg, at("2026-03-26", 12, 0), DAY_NONE) % 86400, 6 * 3600 + 1800);
	config_free(cfg);
	cfg = config("digest_time = off\n");
	assert_int_equal(schedule_next_digest(cfg, at("2026-11-23", 7, 0), DAY_NONE), 0);
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

/* The daemon's digest timer driven by a fake clock: the loop wakes when
 * the timer asks and, in between, at other events (IMAP, midnight...)
 * drawn at random. Each day must get exactly one digest, at its time. */
struct sim {
	int days[64];          /* the day of each digest sent */
	time_t at[64];
	int n;
};

static unsigned long
rnd(unsigned long *s)
{
	*s = *s * 6364136223846793005UL + 1442695040888963407UL;
	return *s >> 33;
}

static void
simulate(const struct config *cfg, time_t from, time_t to, unsigned long seed,
    struct sim *out)
{
	struct schedule_timer t;
	time_t now = from;

	memset(out, 0, sizeof *out);
	/* Today's was sent before the clock starts. */
	schedule_timer_init(&t, tz_day_of(from));
	while (now < to) {
		int day = schedule_timer_due(cfg, &t, now);
		time_t wake, other;

		if (day != DAY_NONE) {
			assert_true(out->n < 64);
			out->days[out->n] = day;
			out->at[out->n++] = now;
			schedule_timer_done(&t, day);
		}
		wake = schedule_timer_wake(cfg, &t, now);
		assert_true(wake == 0 || wake > now);   /* never a busy loop */
		other = now + 1 + (time_t)(rnd(&seed) % 5400);
		now = wake != 0 && wake < other ? wake : other;
	}
}

static void
check_daily(const struct config *cfg, const char *zone_first, int ndays, int minute,
    const struct sim *s)
{
	int first = D(zone_first);

	assert_int_equal(s->n, ndays);
	for (int i = 0; i < ndays; i++) {
		time_t due = tz_time_of(first + i, minute);

		assert_int_equal(s->days[i], first + i);
		/* Sent at its time, to the second: the loop wakes for it. */
		assert_int_equal(s->at[i], due);
		assert_int_equal(tz_day_of(s->at[i]), first + i);
	}
	(void)cfg;
}

static void
test_timer_dst(void **unused)
{
	static const char *const times[] = { "02:30", "07:30", "00:00", "23:59", "03:00" };
	static const int minutes[] = { 150, 450, 0, 1439, 180 };
	struct sim s;

	(void)unused;
	for (size_t k = 0; k < sizeof times / sizeof times[0]; k++) {
		char *extra = xasprintf("digest_time = %s\n", times[k]);
		struct config *cfg = config(extra);

		for (unsigned long seed = 1; seed <= 20; seed++) {
			/* Berlin: 29 Mar 2026 02:00 -> 03:00; 25 Oct 2026 03:00 -> 02:00. */
			simulate(cfg, at("2026-03-25", 12, 0), at("2026-04-02", 0, 0), seed, &s);
			check_daily(cfg, "2026-03-26", 7, minutes[k], &s);
			simulate(cfg, at("2026-10-22", 12, 0), at("2026-10-29", 0, 0), seed, &s);
			check_daily(cfg, "2026-10-23", 6, minutes[k], &s);
		}
		/* 02:30 on 29 Mar does not exist: that day's comes at 03:30 CEST,
		 * 01:30 UTC; on 25 Oct 02:30 comes twice and it is sent once,
		 * at the first (CEST, 00:30 UTC). */
		if (minutes[k] == 150) {
			simulate(cfg, at("2026-03-28", 12, 0), at("2026-03-30", 0, 0), 7, &s);
			assert_int_equal(s.n, 1);
			assert_int_equal(s.at[0] % 86400, 1 * 3600 + 1800);
			simulate(cfg, at("2026-10-24", 12, 0), at("2026-10-26", 0, 0), 7, &s);
			assert_int_equal(s.n, 1);
			assert_int_equal(s.at[0] % 86400, 0 * 3600 + 1800);
		}
		free(extra);
		config_free(cfg);
	}
}

static void
test_timer_catch_up_and_retry(void **unused)
{
	struct config *cfg = config("digest_time = 07:30\ndigest_days = mon-fri\n");
	struct schedule_timer t;
	int mon = D("2026-11-23");
	time_t now;

	(void)unused;
	/* Last sent Friday; the machine was off over the weekend and comes
	 * back Monday 09:10: one catch-up digest, Monday's, at once. */
	schedule_timer_init(&t, mon - 3);
	now = at("2026-11-23", 9, 10);
	assert_int_equal(schedule_timer_due(cfg, &t, now), mon);
	assert_int_equal(schedule_timer_wake(cfg, &t, now), now);
	/* The server is down: 1 min, 2, 4... at most 30 min apart. */
	schedule_timer_failed(&t, mon, now);
	assert_int_equal(schedule_timer_due(cfg, &t, now + 59), DAY_NONE);
	assert_int_equal(schedule_timer_wake(cfg, &t, now + 1), now + 60);
	assert_int_equal(schedule_timer_due(cfg, &t, now + 60), mon);
	now += 60;
	schedule_timer_failed(&t, mon, now);
	assert_int_equal(schedule_timer_wake(cfg, &t, now), now + 120);
	for (int i = 0; i < 10; i++)
		schedule_timer_failed(&t, mon, now);
	assert_int_equal(schedule_timer_wake(cfg, &t, now), now + SCHEDULE_RETRY_MAX);
	/* Failing all day: at midnight Monday's is not retried; Tuesday's
	 * comes at 07:30 with no delay left over from Monday's failures. */
	now = at("2026-11-24", 0, 5);
	assert_int_equal(schedule_timer_due(cfg, &t, now), DAY_NONE);
	assert_int_equal(schedule_timer_wake(cfg, &t, now), at("2026-11-24", 7, 30));
	assert_int_equal(schedule_timer_due(cfg, &t, at("2026-11-24", 7, 30)), mon + 1);
	/* Sent: nothing until Wednesday. */
	schedule_timer_done(&t, mon + 1);
	assert_int_equal(schedule_timer_due(cfg, &t, at("2026-11-24", 23, 0)), DAY_NONE);
	assert_int_equal(schedule_timer_wake(cfg, &t, at("2026-11-24", 8, 0)), at("2026-11-25", 7, 30));
	/* A clock that jumps back (NTP) a day does not send a day twice. */
	assert_int_equal(schedule_timer_due(cfg, &t, at("2026-11-23", 8, 0)), DAY_NONE);
	/* Friday evening to Monday: no digest on the weekend. */
	schedule_timer_done(&t, mon + 4);
	assert_int_equal(schedule_timer_wake(cfg, &t, at("2026-11-27", 18, 0)), at("2026-11-30", 7, 30));
	/* Digests off: the timer never wakes. */
	config_free(cfg);
	cfg = config("digest_time = off\n");
	schedule_timer_init(&t, DAY_NONE);
	assert_int_equal(schedule_timer_wake(cfg, &t, at("2026-11-23", 9, 0)), 0);
	assert_int_equal(schedule_timer_due(cfg, &t, at("2026-11-23", 9, 0)), DAY_NONE);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_due_and_catch_up),
		cmocka_unit_test(test_timer_dst),
		cmocka_unit_test(test_timer_catch_up_and_retry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
