/* mimedec: a MIME body part's text as UTF-8, its transfer encoding
 * (base64, quoted-printable) and charset undone, with libetpan. Pure: the
 * IMAP module hands it what the server sent. */
#ifndef FOLLOWUPD_MIMEDEC_H
#define FOLLOWUPD_MIMEDEC_H

#include <stddef.h>

enum mimedec_encoding {
	MIMEDEC_IDENTITY,          /* 7bit, 8bit, binary, unknown */
	MIMEDEC_BASE64,
	MIMEDEC_QUOTED_PRINTABLE,
};

/* The text of raw (len bytes): decoded, then converted from charset
 * (NULL or unknown: left as it is) to UTF-8. Never NULL; allocated. A
 * part that does not decode is returned as it came. */
char *mimedec_text(const char *raw, size_t len, enum mimedec_encoding enc,
    const char *charset);

#endif
