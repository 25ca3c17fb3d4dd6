#include <stdbool.h>

#include "day.h"
#include "schedule.h"
#include "tz.h"

static bool
digest_day(const struct config *cfg, int day)
{
	return (cfg->digest_days & (1u << day_weekday(day))) != 0;
}

time_t
schedule_next_digest(const struct config *cfg, time_t now, int done_day)
{
	int today = tz_day_of(now);

	if (cfg->digest_off || (cfg->digest_days & 0x7f) == 0)
		return 0;
	if (done_day != DAY_NONE && done_day >= today)
		today = done_day + 1;
	for (int d = today; d <= today + 7; d++) {
		time_t t = tz_time_of(d, cfg->digest_minute);

		if (digest_day(cfg, d) && t > now)
			return t;
	}
	return 0;
}

int
schedule_due_digest(const struct config *cfg, time_t now, int last_sent_day)
{
	int today = tz_day_of(now);

	if (cfg->digest_off || !digest_day(cfg, today) ||
	    now < tz_time_of(today, cfg->digest_minute))
		return DAY_NONE;
	/* Missed days are not made up: only today's can be due. */
	if (last_sent_day != DAY_NONE && last_sent_day >= today)
		return DAY_NONE;
	return today;
}

void
schedule_timer_init(struct schedule_timer *t, int done_day)
{
	t->done_day = done_day;
	t->failed_day = DAY_NONE;
	t->failures = 0;
	t->retry_at = 0;
}

int
schedule_timer_due(const struct config *cfg, const struct schedule_timer *t, time_t now)
{
	int day = schedule_due_digest(cfg, now, t->done_day);

	if (day != DAY_NONE && day == t->failed_day && now < t->retry_at)
		return DAY_NONE;
	return day;
}

time_t
schedule_timer_wake(const struct config *cfg, const struct schedule_timer *t, time_t now)
{
	int day = schedule_due_digest(cfg, now, t->done_day);

	if (day != DAY_NONE)
		return day == t->failed_day && now < t->retry_at ? t->retry_at : now;
	return schedule_next_digest(cfg, now, t->done_day);
}

void
schedule_timer_done(struct schedule_timer *t, int day)
{
	if (t->done_day == DAY_NONE || day > t->done_day)
		t->done_day = day;
	t->failed_day = DAY_NONE;
	t->failures = 0;
}

void
schedule_timer_failed(struct schedule_timer *t, int day, time_t now)
{
	long delay = SCHEDULE_RETRY_FIRST;

	if (t->failed_day != day) {
		t->failed_day = day;
		t->failures = 0;
	}
	for (unsigned i = 0; i < t->failures && delay < SCHEDULE_RETRY_MAX; i++)
		delay *= 2;
	if (delay > SCHEDULE_RETRY_MAX)
		delay = SCHEDULE_RETRY_MAX;
	t->failures++;
	t->retry_at = now + delay;
}
