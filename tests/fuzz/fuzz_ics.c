/* libFuzzer: an iCalendar text through icsm_parse, over a two-year window
 * whose start the input's first byte moves (0 to 255 weeks after
 * 2020-01-01). Checks besides crashes and leaks: every occurrence
 * overlaps the window and has end >= start; no more occurrences than
 * ICSM_MAX_OCC nor people than ICSM_MAX_PEOPLE; every string within
 * ICSM_MAX_STR bytes (recur empty or 16), clean, addresses lowercase;
 * a failed parse appends nothing and says why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clean.h"
#include "icsmeet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
on_err(void *arg, const char *uid, const char *message)
{
	size_t *n = arg;

	if (uid == NULL || message == NULL || message[0] == '\0' || !clean_is_clean(uid) ||
	    !clean_is_clean(message))
		abort();
	++*n;
}

static void
check_str(const char *s)
{
	if (s == NULL || strlen(s) > ICSM_MAX_STR || !clean_is_clean(s))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct icsm_list l = { 0 };
	time_t from, to;
	size_t nerr = 0;
	int rc;

	if (size == 0)
		return 0;
	from = 1577836800 + (time_t)data[0] * 7 * 86400;   /* 2020-01-01 + weeks */
	to = from + 2 * 365 * 86400;
	rc = icsm_parse((const char *)data + 1, size - 1, from, to, &l, on_err, &nerr);
	if (rc != 0 && rc != -1)
		abort();
	if (rc == -1 && (l.n != 0 || nerr == 0))
		abort();
	if (l.n > ICSM_MAX_OCC)
		abort();
	for (size_t i = 0; i < l.n; i++) {
		const struct icsm_occ *o = &l.v[i];

		if (!(o->end > from && o->start < to) || o->end < o->start)
			abort();
		check_str(o->uid);
		check_str(o->title);
		if (o->recur == NULL || (o->recur[0] != '\0' && strlen(o->recur) != 16))
			abort();
		if (o->npeople > ICSM_MAX_PEOPLE || (o->npeople > 0 && o->people == NULL))
			abort();
		for (size_t j = 0; j < o->npeople; j++) {
			check_str(o->people[j].addr);
			check_str(o->people[j].name);
			for (const char *c = o->people[j].addr; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					abort();
		}
	}
	icsm_list_free(&l);
	return 0;
}
