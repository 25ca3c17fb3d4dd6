/* schedule: when the digest goes out. Once a day at digest_time (local) on
 * digest_days, DST-safe through tz; a daemon that was down at that time
 * sends one catch-up digest when it is back the same day, never one per
 * missed day. No I/O; the zone is tz's. */
#ifndef FOLLOWUPD_SCHEDULE_H
#define FOLLOWUPD_SCHEDULE_H

#include <time.h>

#include "config.h"

/* The first digest instant after now on a day after done_day (the last
 * day whose digest went out, or DAY_NONE), or 0 when digests are off. */
time_t schedule_next_digest(const struct config *cfg, time_t now, int done_day);
/* The day whose digest is due at now, given the last day one was sent
 * for (DAY_NONE for never): today when today is a digest day, its time
 * has come and today's is not sent yet; else DAY_NONE. */
int schedule_due_digest(const struct config *cfg, time_t now, int last_sent_day);

/* The daemon's digest timer: which day's digest has been dealt with
 * (sent, nothing to send, or given up), and when to try again after a
 * failure that may pass (1 min, doubling, at most 30 min apart). */
#define SCHEDULE_RETRY_FIRST 60
#define SCHEDULE_RETRY_MAX (30 * 60)
struct schedule_timer {
	int done_day;          /* DAY_NONE: none yet */
	int failed_day;        /* the day of the failures counted */
	unsigned failures;
	time_t retry_at;
};

void schedule_timer_init(struct schedule_timer *t, int done_day);
/* The day whose digest to send now, or DAY_NONE. */
int schedule_timer_due(const struct config *cfg, const struct schedule_timer *t, time_t now);
/* When the timer next has something to do (0: never). */
time_t schedule_timer_wake(const struct config *cfg, const struct schedule_timer *t,
    time_t now);
/* The digest of day was dealt with; or failed in a way that may pass. */
void schedule_timer_done(struct schedule_timer *t, int day);
void schedule_timer_failed(struct schedule_timer *t, int day, time_t now);

#endif
