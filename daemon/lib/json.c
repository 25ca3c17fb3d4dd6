#include <stdio.h>

#include "clean.h"
#include "json.h"

void
json_string(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '"');
	while (*p) {
		int n;

		switch (*p) {
		case '"': buf_puts(b, "\\\""); p++; continue;
		case '\\': buf_puts(b, "\\\\"); p++; continue;
		case '\n': buf_puts(b, "\\n"); p++; continue;
		case '\r': buf_puts(b, "\\r"); p++; continue;
		case '\t': buf_puts(b, "\\t"); p++; continue;
		default: break;
		}
		if (*p < 0x20 || *p == 0x7f) {
			buf_printf(b, "\\u%04x", *p);
			p++;
			continue;
		}
		n = clean_utf8_len(p);
		if (n == 0) {
			buf_puts(b, "\\ufffd");
			p++;
			continue;
		}
		buf_append(b, (const char *)p, (size_t)n);
		p += n;
	}
	buf_putc(b, '"');
}
