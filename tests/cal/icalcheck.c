/* icalcheck FILE...: parses each file with libical and runs its RFC 5546
 * restriction check (icalrestriction_check) against the calendar's METHOD.
 * Prints every problem libical reports and exits 1 when there is one. */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>

static int
report(icalcomponent *c, const char *file)
{
	int bad = 0;

	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
	    p != NULL; p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
		printf("%s: %s: %s\n", file, icalcomponent_kind_to_string(icalcomponent_isa(c)),
		    icalproperty_get_xlicerror(p));
		bad = 1;
	}
	for (icalcomponent *k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	    k != NULL; k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		bad |= report(k, file);
	return bad;
}

int
main(int argc, char **argv)
{
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");
		char *text;
		long n;
		icalcomponent *c;

		if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0) {
			perror(argv[i]);
			return 2;
		}
		rewind(f);
		text = calloc(1, (size_t)n + 1);
		if (text == NULL || fread(text, 1, (size_t)n, f) != (size_t)n) {
			perror(argv[i]);
			return 2;
		}
		fclose(f);
		c = icalparser_parse_string(text);
		free(text);
		if (c == NULL) {
			printf("%s: not iCalendar\n", argv[i]);
			bad = 1;
			continue;
		}
		/* Parse errors first, then what RFC 5546 asks of the METHOD. */
		bad |= report(c, argv[i]);
		int ok = icalrestriction_check(c);

		if (report(c, argv[i]) || !ok) {
			bad = 1;
			printf("%s: icalrestriction_check failed\n", argv[i]);
		}
		icalcomponent_free(c);
	}
	return bad;
}
