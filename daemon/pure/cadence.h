/* cadence: calendar spans ("2w", "quarterly"), cadences with an optional
 * window ("2w..3w"), and clock durations ("5m", "24h"). Pure. */
#ifndef FOLLOWUPD_CADENCE_H
#define FOLLOWUPD_CADENCE_H

#include <stddef.h>

enum span_unit { SPAN_DAY, SPAN_WEEK, SPAN_MONTH, SPAN_YEAR };

struct span {
	int n;                /* 1 or more */
	enum span_unit unit;
};

struct cadence {
	struct span due;      /* A: due this long after the last contact */
	struct span overdue;  /* B: overdue after this long (= A without a window) */
};

/* "Nd", "Nw", "Nm", "Ny" (N from 1 to 9999) or one of the names daily,
 * weekly, biweekly, fortnightly, monthly, quarterly, yearly, annually.
 * Case-insensitive. Returns 0, or -1 with *why set to a static message. */
int span_parse(const char *s, struct span *out, const char **why);
/* day + times * span, months and years clamped to the month's end. */
int span_add(int day, struct span s, int times);
/* Rough length in days, for comparisons and bars (a month is 30 days). */
int span_approx_days(struct span s);
/* "every 2 weeks", "every month", "every 3 months", "every year". */
void span_describe(struct span s, char *out, size_t outlen);

/* "A" or "A..B" with B not shorter than A. 0 or -1 with *why. */
int cadence_parse(const char *s, struct cadence *out, const char **why);

/* Clock durations: N followed by s, m (minutes), h or d; 0 or -1 with *why. */
int duration_parse(const char *s, long *seconds, const char **why);

#endif
