/* day: proleptic Gregorian calendar dates as day numbers (days since
 * 1970-01-01), with month arithmetic clamped to the month's end. Pure. */
#ifndef FOLLOWUPD_DAY_H
#define FOLLOWUPD_DAY_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define DAY_NONE INT_MIN   /* "no date" */
#define DAY_STRLEN 11      /* "YYYY-MM-DD" and its NUL */

int day_from_ymd(int y, int m, int d);
void day_to_ymd(int day, int *y, int *m, int *d);
bool day_valid_ymd(int y, int m, int d);
bool day_is_leap(int y);
/* Adds months (negative allowed); the day of month is clamped to the
 * target month's length: Jan 31 + 1 month = Feb 28 or 29. */
int day_add_months(int day, int months);
/* The instant (seconds since the epoch, as time_t's value) of a UTC-offset
 * time: day, hour, minute, second, and zone as written in mail, +-HHMM
 * (-700 is -07:00). Both RFC 5322 dates and IMAP INTERNALDATE use it. */
long long day_instant(int day, int hour, int minute, int second, int zone);
/* 0 = Monday ... 6 = Sunday. */
int day_weekday(int day);
/* Parses exactly "YYYY-MM-DD" (a real date, years 1000-9999). 0 or -1. */
int day_parse(const char *s, int *day);
/* Parses "YYYY-MM-DD" at the start of s, returning the rest, or NULL. */
const char *day_parse_prefix(const char *s, int *day);
/* Writes "YYYY-MM-DD" into out (DAY_STRLEN bytes). */
void day_format(int day, char out[DAY_STRLEN]);
/* Parses a weekday name or its three-letter abbreviation; -1 if none. */
int day_weekday_parse(const char *s, size_t len);
extern const char *const day_weekday_abbr[7];
extern const char *const day_month_abbr[12];

#endif
