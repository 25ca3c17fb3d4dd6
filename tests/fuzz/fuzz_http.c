/* libFuzzer: what the feed server reads from a request (feedsrv_path_ok,
 * feedsrv_etag_match, feedsrv_http_date): the path is accepted exactly
 * when it is the feed's, an exact entity-tag always matches, a date that
 * parses is formatted and parsed back to the same instant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feedsrv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char token[] = "0123456789abcdef0123456789abcdef01234567";
	static const char path[] = "/0123456789abcdef0123456789abcdef01234567/followups.ics";
	char *s = malloc(size + 1);
	time_t t;

	memcpy(s, data, size);
	s[size] = '\0';
	if (feedsrv_path_ok(s, token) != (strcmp(s, path) == 0))
		abort();
	if (s[0] == '"' && size >= 2 && s[size - 1] == '"' && strchr(s + 1, '"') == s + size - 1 &&
	    !feedsrv_etag_match(s, s))
		abort();
	(void)feedsrv_etag_match(s, "\"abc\"");
	t = feedsrv_http_date(s);
	if (t >= 0) {
		struct tm tm;
		char back[64];

		if (gmtime_r(&t, &tm) != NULL &&
		    strftime(back, sizeof back, "%a, %d %b %Y %H:%M:%S GMT", &tm) > 0 &&
		    tm.tm_year >= 0 && tm.tm_year < 8000 && feedsrv_http_date(back) != t)
			abort();
	}
	free(s);
	return 0;
}
