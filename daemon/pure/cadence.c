#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cadence.h"
#include "day.h"

static const struct {
	const char *name;
	struct span span;
} named[] = {
	{ "daily", { 1, SPAN_DAY } },
	{ "weekly", { 1, SPAN_WEEK } },
	{ "biweekly", { 2, SPAN_WEEK } },
	{ "fortnightly", { 2, SPAN_WEEK } },
	{ "monthly", { 1, SPAN_MONTH } },
	{ "quarterly", { 3, SPAN_MONTH } },
	{ "yearly", { 1, SPAN_YEAR } },
	{ "annually", { 1, SPAN_YEAR } },
};

/* Reads a decimal number of 1 to 4 digits; returns the rest or NULL. */
static const char *
number(const char *s, int *n)
{
	int v = 0, i = 0;

	for (; isdigit((unsigned char)s[i]); i++) {
		if (i == 4)
			return NULL;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0)
		return NULL;
	*n = v;
	return s + i;
}

int
span_parse(const char *s, struct span *out, const char **why)
{
	const char *rest;
	int n;

	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
		if (strcasecmp(s, named[i].name) == 0) {
			*out = named[i].span;
			return 0;
		}
	}
	rest = number(s, &n);
	if (rest == NULL || rest[0] == '\0' || rest[1] != '\0') {
		*why = "expected a number and a unit (d, w, m, y) or a name such as weekly or quarterly";
		return -1;
	}
	if (n == 0) {
		*why = "a span must be at least 1";
		return -1;
	}
	switch (tolower((unsigned char)rest[0])) {
	case 'd': out->unit = SPAN_DAY; break;
	case 'w': out->unit = SPAN_WEEK; break;
	case 'm': out->unit = SPAN_MONTH; break;
	case 'y': out->unit = SPAN_YEAR; break;
	default:
		*why = "unknown unit (use d, w, m or y)";
		return -1;
	}
	out->n = n;
	return 0;
}

int
span_add(int day, struct span s, int times)
{
	switch (s.unit) {
	case SPAN_DAY: return day + s.n * times;
	case SPAN_WEEK: return day + 7 * s.n * times;
	case SPAN_MONTH: return day_add_months(day, s.n * times);
	case SPAN_YEAR: return day_add_months(day, 12 * s.n * times);
	}
	return day;
}

int
span_approx_days(struct span s)
{
	switch (s.unit) {
	case SPAN_DAY: return s.n;
	case SPAN_WEEK: return 7 * s.n;
	case SPAN_MONTH: return 30 * s.n;
	case SPAN_YEAR: return 365 * s.n;
	}
	return s.n;
}

void
span_describe(struct span s, char *out, size_t outlen)
{
	static const char *const unit[] = { "day", "week", "month", "year" };

	if (s.n == 1)
		snprintf(out, outlen, "every %s", unit[s.unit]);
	else
		snprintf(out, outlen, "every %d %ss", s.n, unit[s.unit]);
}

int
cadence_parse(const char *s, struct cadence *out, const char **why)
{
	const char *dots = strstr(s, "..");
	char a[32];

	if (dots == NULL) {
		if (span_parse(s, &out->due, why) < 0)
			return -1;
		out->overdue = out->due;
		return 0;
	}
	if ((size_t)(dots - s) >= sizeof a) {
		*why = "expected a number and a unit (d, w, m, y) or a name such as weekly or quarterly";
		return -1;
	}
	memcpy(a, s, (size_t)(dots - s));
	a[dots - s] = '\0';
	if (span_parse(a, &out->due, why) < 0 ||
	    span_parse(dots + 2, &out->overdue, why) < 0)
		return -1;
	if (span_approx_days(out->overdue) < span_approx_days(out->due)) {
		*why = "the end of the window (after \"..\") is shorter than its start";
		return -1;
	}
	return 0;
}

int
duration_parse(const char *s, long *seconds, const char **why)
{
	const char *rest;
	int n;

	rest = number(s, &n);
	if (rest == NULL || rest[0] == '\0' || rest[1] != '\0') {
		*why = "expected a number and a unit (s, m, h, d)";
		return -1;
	}
	switch (tolower((unsigned char)rest[0])) {
	case 's': *seconds = n; break;
	case 'm': *seconds = 60L * n; break;
	case 'h': *seconds = 3600L * n; break;
	case 'd': *seconds = 86400L * n; break;
	default:
		*why = "unknown unit (use s, m, h or d)";
		return -1;
	}
	if (n == 0) {
		*why = "a duration must be at least 1";
		return -1;
	}
	return 0;
}
