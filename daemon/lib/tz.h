/* tz: the configured time zone, through the system zoneinfo. The zone is
 * process-wide state of the C library (TZ), set once by tz_use(); every
 * other function converts with it. */
#ifndef FOLLOWUPD_TZ_H
#define FOLLOWUPD_TZ_H

#include <time.h>

/* Makes name (an IANA zone such as "Europe/Berlin") the zone of every
 * conversion. Returns 0, or -1 with *err (allocated) saying why. */
int tz_use(const char *name, char **err);
/* Checks that name is a zone of the system zoneinfo; 0 or -1 with *why. */
int tz_check(const char *name, const char **why);
/* The system's zone name (TZ, /etc/timezone, /etc/localtime), allocated;
 * "UTC" when none is found. */
char *tz_system_name(void);
/* The local date (day number) of an instant. */
int tz_day_of(time_t t);
/* The minutes since local midnight of an instant. */
int tz_minute_of(time_t t);
/* The instant of local day + minutes; a time that does not exist on that
 * day (a DST gap) moves forward by the gap. */
time_t tz_time_of(int day, int minute);

#endif
