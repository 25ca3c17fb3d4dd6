#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "clean.h"
#include "mutf7.h"

/* Modified base64: ',' stands for '/', and there is no '=' padding. */
static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int
b64_value(unsigned char c)
{
	const char *p = c != '\0' ? strchr(b64, c) : NULL;

	return p != NULL ? (int)(p - b64) : -1;
}

/* The code point of the valid UTF-8 sequence at s, its length in *len. */
static uint32_t
utf8_get(const unsigned char *s, int len)
{
	if (len == 1)
		return s[0];
	if (len == 2)
		return (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	if (len == 3)
		return (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
	    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
}

static void
utf8_put(struct buf *b, uint32_t cp)
{
	char o[4];
	size_t n;

	if (cp < 0x80) {
		o[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		o[0] = (char)(0xf0 | cp >> 18);
		o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_append(b, o, n);
}

static int
direct(uint32_t cp)
{
	return cp >= 0x20 && cp <= 0x7e;
}

char *
mutf7_encode(const char *s, char **err)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = { 0 };

	buf_puts(&b, "");
	while (*p != '\0') {
		uint32_t bits = 0;
		int nbits = 0;

		if (direct(*p)) {
			if (*p == '&')
				buf_puts(&b, "&-");
			else
				buf_putc(&b, (char)*p);
			p++;
			continue;
		}
		/* One shift for the whole run of other characters. */
		buf_putc(&b, '&');
		while (*p != '\0' && !direct(*p)) {
			int len = clean_utf8_len(p);
			uint32_t cp, unit[2];
			int nunits;

			if (len == 0) {
				buf_free(&b);
				*err = xasprintf("byte %zu (0x%02x) is not valid UTF-8",
				    (size_t)(p - (const unsigned char *)s) + 1, *p);
				return NULL;
			}
			cp = utf8_get(p, len);
			p += len;
			if (cp >= 0x10000) {
				unit[0] = 0xd800 | (cp - 0x10000) >> 10;
				unit[1] = 0xdc00 | ((cp - 0x10000) & 0x3ff);
				nunits = 2;
			} else {
				unit[0] = cp;
				nunits = 1;
			}
			for (int i = 0; i < nunits; i++) {
				bits = bits << 16 | unit[i];
				nbits += 16;
				while (nbits >= 6) {
					nbits -= 6;
					buf_putc(&b, b64[bits >> nbits & 0x3f]);
				}
				bits &= (1u << nbits) - 1;
			}
		}
		if (nbits > 0)
			buf_putc(&b, b64[bits << (6 - nbits) & 0x3f]);
		buf_putc(&b, '-');
	}
	return buf_take(&b);
}

static char *
bad(struct buf *b, char **err, const char *s, const unsigned char *at, const char *why)
{
	buf_free(b);
	*err = xasprintf("not modified UTF-7 at byte %zu: %s",
	    (size_t)(at - (const unsigned char *)s) + 1, why);
	return NULL;
}

char *
mutf7_decode(const char *s, char **err)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = { 0 };
	int after_shift = 0;   /* the last thing read was a shift */

	buf_puts(&b, "");
	while (*p != '\0') {
		const unsigned char *start = p;
		uint32_t bits = 0, high = 0;
		int nbits = 0, nchars = 0;

		if (*p != '&') {
			if (!direct(*p))
				return bad(&b, err, s, p, "a byte that is not printable US-ASCII");
			buf_putc(&b, (char)*p++);
			after_shift = 0;
			continue;
		}
		p++;
		if (*p == '-') {
			buf_putc(&b, '&');
			p++;
			after_shift = 0;
			continue;
		}
		if (b64_value(*p) < 0)
			return bad(&b, err, s, start,
			    "an '&' that starts no shift (a literal '&' is written \"&-\")");
		if (after_shift)
			return bad(&b, err, s, start,
			    "a shift right after another (one shift must hold both)");
		for (; *p != '-'; p++) {
			int v = b64_value(*p);

			if (*p == '\0')
				return bad(&b, err, s, start, "a shift that does not end in '-'");
			if (v < 0)
				return bad(&b, err, s, p, "a character outside modified base64");
			bits = bits << 6 | (uint32_t)v;
			nbits += 6;
			nchars++;
			if (nbits < 16)
				continue;
			nbits -= 16;
			{
				uint32_t unit = bits >> nbits & 0xffff;

				bits &= (1u << nbits) - 1;
				if (high != 0) {
					if (unit < 0xdc00 || unit > 0xdfff)
						return bad(&b, err, s, p, "a high surrogate without its low one");
					utf8_put(&b, 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00));
					high = 0;
				} else if (unit >= 0xd800 && unit <= 0xdbff)
					high = unit;
				else if (unit >= 0xdc00 && unit <= 0xdfff)
					return bad(&b, err, s, p, "a low surrogate without its high one");
				else if (unit == 0)
					return bad(&b, err, s, p, "U+0000");
				else if (direct(unit))
					return bad(&b, err, s, p,
					    "printable US-ASCII inside a shift (it must stand for itself)");
				else
					utf8_put(&b, unit);
			}
		}
		if (high != 0)
			return bad(&b, err, s, p, "a high surrogate without its low one");
		if (nbits >= 6 || nchars == 0)
			return bad(&b, err, s, p, "extra base64 characters at the end of a shift");
		if (bits != 0)
			return bad(&b, err, s, p, "padding bits that are not zero");
		p++;   /* '-' */
		after_shift = 1;
	}
	return buf_take(&b);
}
