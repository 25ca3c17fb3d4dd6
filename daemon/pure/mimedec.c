#include <libetpan/libetpan.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mimedec.h"

char *
mimedec_text(const char *raw, size_t len, enum mimedec_encoding enc, const char *charset)
{
	int mech = enc == MIMEDEC_BASE64 ? MAILMIME_MECHANISM_BASE64 :
	    enc == MIMEDEC_QUOTED_PRINTABLE ? MAILMIME_MECHANISM_QUOTED_PRINTABLE :
	    MAILMIME_MECHANISM_8BIT;
	char *dec = NULL, *conv = NULL, *out, *copy;
	size_t idx = 0, dlen = 0;
	int rc;

	/* libetpan's quoted-printable decoder reads past len after a final
	 * "=X" (found by tests/fuzz/fuzz_mime): it gets a copy with NULs
	 * after the end. */
	copy = xmalloc(len + 4);
	memcpy(copy, raw, len);
	memset(copy + len, 0, 4);
	rc = mailmime_part_parse(copy, len, &idx, mech, &dec, &dlen);
	free(copy);
	if (rc != MAILIMF_NO_ERROR)
		return xstrndup(raw, len);
	if (charset != NULL && strcasecmp(charset, "utf-8") != 0 &&
	    strcasecmp(charset, "us-ascii") != 0 &&
	    charconv("utf-8", charset, dec, dlen, &conv) == MAIL_CHARCONV_NO_ERROR) {
		out = xstrdup(conv);
		free(conv);
	} else
		out = xstrndup(dec, dlen);   /* unknown charset: as it is */
	mmap_string_unref(dec);
	return out;
}
