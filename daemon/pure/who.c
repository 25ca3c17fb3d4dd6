#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "strdist.h"
#include "who.h"

#define WHO_LIST_MAX 8

static bool
prefix_of(const char *who, const char *s)
{
	return strncasecmp(who, s, strlen(who)) == 0;
}

static void
list(struct buf *why, const struct contact *const *c, size_t n, size_t total)
{
	for (size_t i = 0; i < n; i++)
		buf_printf(why, "%s%s (%s)", i ? ", " : "", c[i]->id, c[i]->name);
	if (total > n)
		buf_printf(why, " and %zu more", total - n);
}

enum who_result
who_resolve(const struct config *cfg, const char *who,
    const struct contact **out, struct buf *why)
{
	const struct contact *found[WHO_LIST_MAX];
	size_t n = 0, total = 0;
	char lower[128];

	if (who[0] == '\0') {
		buf_puts(why, "an empty name matches nobody");
		return WHO_UNKNOWN;
	}
	snprintf(lower, sizeof lower, "%s", who);
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if ((*out = config_contact(cfg, lower)) != NULL)
		return WHO_FOUND;
	if (strchr(who, '@') != NULL &&
	    (*out = config_contact_by_addr(cfg, who)) != NULL)
		return WHO_FOUND;
	for (size_t i = 0; i < cfg->ncontacts; i++) {
		const struct contact *c = &cfg->contacts[i];

		if (prefix_of(who, c->id) || prefix_of(who, c->name)) {
			if (n < WHO_LIST_MAX)
				found[n++] = c;
			total++;
		}
	}
	if (total == 1) {
		*out = found[0];
		return WHO_FOUND;
	}
	if (why == NULL)
		return total > 1 ? WHO_AMBIGUOUS : WHO_UNKNOWN;
	if (total > 1) {
		buf_printf(why, "'%s' is ambiguous: ", who);
		list(why, found, n, total);
		return WHO_AMBIGUOUS;
	}
	/* Unknown: offer the contacts whose id is a small typo away. */
	for (size_t i = 0; i < cfg->ncontacts; i++) {
		const struct contact *c = &cfg->contacts[i];
		size_t d = strdist(lower, c->id);

		if (d <= 2 && d * 3 <= strlen(c->id) + 1) {
			if (n < WHO_LIST_MAX)
				found[n++] = c;
			total++;
		}
	}
	buf_printf(why, "no contact matches '%s'", who);
	if (total > 0) {
		buf_puts(why, " (did you mean ");
		list(why, found, n, total);
		buf_puts(why, "?)");
	}
	return WHO_UNKNOWN;
}
