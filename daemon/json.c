#include <stdio.h>

#include "json.h"

/* Length of the valid UTF-8 sequence at s, or 0. */
static int
utf8_len(const unsigned char *s)
{
	int n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f)))
		return 0;
	if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f)))
		return 0;
	return n;
}

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
		n = utf8_len(p);
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
