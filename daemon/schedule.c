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
schedule_next_digest(const struct config *cfg, time_t now)
{
	int today = tz_day_of(now);

	if (cfg->digest_off || (cfg->digest_days & 0x7f) == 0)
		return 0;
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
