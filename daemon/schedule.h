/* schedule: when the digest goes out. Once a day at digest_time (local) on
 * digest_days, DST-safe through tz; a daemon that was down at that time
 * sends one catch-up digest when it is back the same day, never one per
 * missed day. No I/O; the zone is tz's. */
#ifndef FOLLOWUPD_SCHEDULE_H
#define FOLLOWUPD_SCHEDULE_H

#include <time.h>

#include "config.h"

/* The first digest instant after now, or 0 when digests are off. */
time_t schedule_next_digest(const struct config *cfg, time_t now);
/* The day whose digest is due at now, given the last day one was sent
 * for (DAY_NONE for never): today when today is a digest day, its time
 * has come and today's is not sent yet; else DAY_NONE. */
int schedule_due_digest(const struct config *cfg, time_t now, int last_sent_day);

#endif
