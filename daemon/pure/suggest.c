#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "day.h"
#include "suggest.h"
#include "tz.h"

/* The cadence nearest to the mean gap between messages. */
static struct span
propose(long count, time_t first, time_t last)
{
	static const struct { int max_days; struct span s; } steps[] = {
		{ 10, { 1, SPAN_WEEK } }, { 21, { 2, SPAN_WEEK } }, { 45, { 1, SPAN_MONTH } },
		{ 75, { 2, SPAN_MONTH } }, { 135, { 3, SPAN_MONTH } },
	};
	double gap = count > 1 ? (double)(last - first) / 86400.0 / (double)(count - 1) : 365;

	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (gap <= steps[i].max_days)
			return steps[i].s;
	return (struct span){ 6, SPAN_MONTH };
}

/* Is id a contact's, or one of the suggestions' before it? */
static bool
id_taken(const struct config *cfg, const struct suggestion *v, size_t k, const char *id)
{
	for (size_t i = 0; i < cfg->ncontacts; i++)
		if (strcmp(cfg->contacts[i].id, id) == 0)
			return true;
	for (size_t i = 0; i < k; i++)
		if (strcmp(v[i].id, id) == 0)
			return true;
	return false;
}

/* "bob.smith@example.com" -> "bob-smith", or "bob-smith-example-com" when
 * the short one is taken. */
static char *
make_id(const struct config *cfg, const struct suggestion *v, size_t k, const char *address)
{
	struct buf b = { 0 };
	const char *at = strrchr(address, '@');

	for (const char *p = address; *p; p++) {
		if (p == at && !id_taken(cfg, v, k, buf_str(&b)) && b.len > 0)
			break;
		buf_putc(&b, isalnum((unsigned char)*p) ? (char)tolower((unsigned char)*p) : '-');
	}
	return buf_take(&b);
}

size_t
suggest_pick(const struct config *cfg, const char *const *address, const long *count,
    const time_t *first, const time_t *last, size_t n, size_t limit,
    struct suggestion **out)
{
	struct suggestion *v = xcalloc(limit + 1, sizeof *v);
	size_t k = 0;

	for (size_t i = 0; i < n && k < limit; i++) {
		if (count[i] < SUGGEST_MIN_MESSAGES ||
		    config_contact_by_addr(cfg, address[i]) != NULL ||
		    strcasecmp(address[i], cfg->me_addr) == 0)
			continue;
		v[k].address = xstrdup(address[i]);
		v[k].id = make_id(cfg, v, k, address[i]);
		v[k].count = count[i];
		v[k].first = first[i];
		v[k].last = last[i];
		v[k].cadence = propose(count[i], first[i], last[i]);
		k++;
	}
	*out = v;
	return k;
}

void
suggest_free(struct suggestion *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].address);
		free(s[i].id);
	}
	free(s);
}

void
suggest_describe(const struct suggestion *s, struct buf *out)
{
	char every[64], d[DAY_STRLEN];

	span_describe(s->cadence, every, sizeof every);
	day_format(tz_day_of(s->first), d);
	buf_printf(out, "%s (%ld messages since %s)", every, s->count, d);
}

void
suggest_ini(const struct suggestion *s, struct buf *out)
{
	char d[DAY_STRLEN], text[32];

	day_format(tz_day_of(s->last), d);
	if (s->cadence.unit == SPAN_WEEK)
		snprintf(text, sizeof text, "%dw", s->cadence.n);
	else
		snprintf(text, sizeof text, "%dm", s->cadence.n);
	buf_printf(out, "[contact:%s]\nemail = %s\ncadence = %s   ; ", s->id, s->address, text);
	suggest_describe(s, out);
	buf_printf(out, ", the last on %s\n", d);
}
