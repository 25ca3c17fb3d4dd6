#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "day.h"

const char *const day_weekday_abbr[7] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};
const char *const day_month_abbr[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* Floor division, so that dates before 1970 work too. */
static int
fdiv(int a, int b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

bool
day_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
day_days_in_month(int y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && day_is_leap(y))
		return 29;
	return len[m - 1];
}

bool
day_valid_ymd(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= day_days_in_month(y, m);
}

/* Counts from a year that starts in March, so that the leap day is last. */
int
day_from_ymd(int y, int m, int d)
{
	int yy = m <= 2 ? y - 1 : y;
	int era = fdiv(yy, 400);
	int yoe = yy - era * 400;
	int mp = (m + 9) % 12;
	int doy = (153 * mp + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void
day_to_ymd(int day, int *y, int *m, int *d)
{
	int z = day + 719468;
	int era = fdiv(z, 146097);
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int dd = doy - (153 * mp + 2) / 5 + 1;
	int mm = mp < 10 ? mp + 3 : mp - 9;

	*y = yoe + era * 400 + (mm <= 2);
	*m = mm;
	*d = dd;
}

int
day_add_months(int day, int months)
{
	int y, m, d, total;

	day_to_ymd(day, &y, &m, &d);
	total = y * 12 + (m - 1) + months;
	y = fdiv(total, 12);
	m = total - y * 12 + 1;
	if (d > day_days_in_month(y, m))
		d = day_days_in_month(y, m);
	return day_from_ymd(y, m, d);
}

int
day_weekday(int day)
{
	/* 1970-01-01 was a Thursday (3). */
	int w = (day + 3) % 7;

	return w < 0 ? w + 7 : w;
}

static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

const char *
day_parse_prefix(const char *s, int *day)
{
	int y, m, d;

	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return NULL;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 1000 || m < 0 || d < 0 || !day_valid_ymd(y, m, d))
		return NULL;
	if (isdigit((unsigned char)s[10]))
		return NULL;
	*day = day_from_ymd(y, m, d);
	return s + 10;
}

int
day_parse(const char *s, int *day)
{
	const char *rest = day_parse_prefix(s, day);

	return rest != NULL && *rest == '\0' ? 0 : -1;
}

void
day_format(int day, char out[DAY_STRLEN])
{
	int y, m, d;

	day_to_ymd(day, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = 0;   /* out of the supported range: never produced by parsing */
	snprintf(out, DAY_STRLEN, "%04u-%02u-%02u", (unsigned)y % 10000u,
	    (unsigned)m % 100u, (unsigned)d % 100u);
}

int
day_weekday_parse(const char *s, size_t len)
{
	static const char *const full[7] = {
		"monday", "tuesday", "wednesday", "thursday", "friday",
		"saturday", "sunday"
	};

	for (int i = 0; i < 7; i++) {
		if ((len == 3 && strncasecmp(s, day_weekday_abbr[i], 3) == 0) ||
		    (len == strlen(full[i]) && strncasecmp(s, full[i], len) == 0))
			return i;
	}
	return -1;
}

long long
day_instant(int day, int hour, int minute, int second, int zone)
{
	int zh = (zone < 0 ? -zone : zone) / 100, zm = (zone < 0 ? -zone : zone) % 100;
	long long t = (long long)day * 86400 + hour * 3600 + minute * 60 + second;

	return t - (zone < 0 ? -1 : 1) * (zh * 3600 + zm * 60);
}
