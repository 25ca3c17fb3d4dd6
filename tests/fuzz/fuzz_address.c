/* libFuzzer: address lists and single addr-specs (mailaddr), with and
 * without display names. Any input must come back without a crash, a leak
 * or undefined behaviour, and what parses as an addr-spec must parse again
 * to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mailaddr_list l = { .want_names = size % 2 == 0 };
	char *out = NULL, *again = NULL;
	const char *why = NULL;

	mailaddr_parse_list((const char *)data, size, &l);
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].addr == NULL || strchr(l.v[i].addr, '@') == NULL)
			abort();
	mailaddr_list_free(&l);
	if (mailaddr_parse_spec((const char *)data, size, &out, &why) == 0) {
		if (mailaddr_parse_spec(out, strlen(out), &again, &why) != 0 ||
		    strcmp(out, again) != 0)
			abort();
		free(again);
		free(out);
	}
	return 0;
}
