/* libFuzzer: the MIME body decoder (mimedec_text) on any bytes, with each
 * transfer encoding and a few charsets; and round trips: what mime.c
 * encodes as base64 or quoted-printable decodes to what it was. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mime.h"
#include "mimedec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const charsets[] = {
		NULL, "utf-8", "iso-8859-1", "windows-1252", "shift_jis", "koi8-r", "x-unknown",
	};
	const char *charset;
	enum mimedec_encoding enc;
	struct buf b = { 0 };
	char *out, *text;

	if (size < 1)
		return 0;
	enc = (enum mimedec_encoding)(data[0] % 3);
	charset = charsets[(data[0] / 3) % (sizeof charsets / sizeof charsets[0])];
	out = mimedec_text((const char *)data + 1, size - 1, enc, charset);
	if (out == NULL)
		abort();
	free(out);

	/* base64 of any bytes comes back whole (up to the first NUL, as a
	 * C string). */
	mime_base64(&b, data + 1, size - 1);
	out = mimedec_text(buf_str(&b), b.len, MIMEDEC_BASE64, "utf-8");
	{
		size_t n = strnlen((const char *)data + 1, size - 1);

		if (strlen(out) != n || memcmp(out, data + 1, n) != 0)
			abort();
	}
	free(out);
	buf_free(&b);

	/* Quoted-printable of text (no NUL) comes back whole too. */
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	mime_qp(&b, text);
	out = mimedec_text(buf_str(&b), b.len, MIMEDEC_QUOTED_PRINTABLE, "utf-8");
	if (strcmp(out, text) != 0 && strchr(text, '\r') == NULL && strchr(text, '\n') == NULL)
		abort();
	free(out);
	free(text);
	buf_free(&b);
	return 0;
}
