/* libFuzzer: RFC 5322 dates (mailhdr_parse_date, over libetpan's parser):
 * an accepted date is an instant from 1970 on. */
#include <stdint.h>
#include <stdlib.h>

#include "mailhdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	time_t t;

	if (mailhdr_parse_date((const char *)data, size, &t) == 0 && t < -86400)
		abort();
	return 0;
}
