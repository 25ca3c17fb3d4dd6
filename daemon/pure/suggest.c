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

size_t
suggest_add_met(const struct config *cfg, struct suggestion **v, size_t n,
    const char *address, const char *name, const char *title, time_t at)
{
	struct suggestion *s = NULL;

	if (config_contact_by_addr(cfg, address) != NULL ||
	    strcasecmp(address, cfg->me_addr) == 0)
		return n;
	for (size_t i = 0; i < n && s == NULL; i++)
		if (strcasecmp((*v)[i].address, address) == 0)
			s = &(*v)[i];
	if (s == NULL) {
		*v = xrealloc(*v, (n + 2) * sizeof **v);
		s = &(*v)[n];
		memset(s, 0, sizeof *s);
		s->address = xstrdup(address);
		s->id = make_id(cfg, *v, n, address);
		/* Someone new: once a month, to begin with. */
		s->cadence = (struct span){ 1, SPAN_MONTH };
		n++;
	}
	if (s->met_title == NULL || at > s->met_at) {
		free(s->met_title);
		free(s->name);
		s->met_title = xstrdup(title);
		s->met_at = at;
		s->name = xstrdup(name ? name : "");
	}
	return n;
}

void
suggest_free(struct suggestion *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].address);
		free(s[i].id);
		free(s[i].met_title);
		free(s[i].name);
	}
	free(s);
}

/* A value as followupd.conf reads it back: quoted (with \" and \\) when
 * it holds what would end or change it. */
static void
ini_value(struct buf *out, const char *v)
{
	size_t n = strlen(v);

	if (strpbrk(v, ";#\"'\\") == NULL && n > 0 && v[0] != ' ' && v[n - 1] != ' ') {
		buf_puts(out, v);
		return;
	}
	buf_putc(out, '"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			buf_putc(out, '\\');
		buf_putc(out, *v);
	}
	buf_putc(out, '"');
}

/* "20 Nov" */
static void
short_day(time_t t, char *out, size_t len)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int y, m, d;

	day_to_ymd(tz_day_of(t), &y, &m, &d);
	snprintf(out, len, "%d %s", d, months[(m - 1) % 12]);
}

void
suggest_describe(const struct suggestion *s, struct buf *out)
{
	char every[64], d[DAY_STRLEN];

	if (s->count > 0) {
		span_describe(s->cadence, every, sizeof every);
		day_format(tz_day_of(s->first), d);
		buf_printf(out, "%s (%ld messages since %s)", every, s->count, d);
	}
	if (s->met_title != NULL) {
		short_day(s->met_at, d, sizeof d);
		buf_printf(out, "%smet at '%s' on %s", s->count > 0 ? "; " : "", s->met_title, d);
	}
}

void
suggest_ini(const struct suggestion *s, struct buf *out)
{
	char d[DAY_STRLEN], text[32];

	if (s->cadence.unit == SPAN_WEEK)
		snprintf(text, sizeof text, "%dw", s->cadence.n);
	else
		snprintf(text, sizeof text, "%dm", s->cadence.n);
	buf_printf(out, "[contact:%s]\n", s->id);
	if (s->name != NULL && s->name[0] != '\0') {
		buf_puts(out, "name = ");
		ini_value(out, s->name);
		buf_putc(out, '\n');
	}
	buf_printf(out, "email = %s\ncadence = %s   ; ", s->address, text);
	suggest_describe(s, out);
	if (s->count > 0) {
		day_format(tz_day_of(s->last), d);
		buf_printf(out, ", the last on %s", d);
	}
	buf_putc(out, '\n');
	/* The back of the business card. */
	if (s->met_title != NULL && s->met_title[0] != '\0') {
		buf_puts(out, "reason = ");
		ini_value(out, s->met_title);
		buf_putc(out, '\n');
	}
}
