#include <string.h>

#include "clean.h"

int
clean_utf8_len(const unsigned char *s)
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

/* How many bytes at p (of the n left) to replace by one '?', or 0 when the
 * sequence there is fine; *len is its length either way. */
static size_t
bad_at(const unsigned char *p, size_t n, size_t *len)
{
	int u;

	if (*p < 0x20 || *p == 0x7f) {
		*len = 1;
		return 1;
	}
	if (*p < 0x80) {
		*len = 1;
		return 0;
	}
	/* Never past n: a cut sequence is invalid, as is one that the
	 * terminating NUL of the whole string would end. */
	u = clean_utf8_len(p);
	if (u == 0 || (size_t)u > n) {
		*len = 1;
		return 1;
	}
	*len = (size_t)u;
	if (u == 2 && ((p[0] == 0xc2 && p[1] < 0xa0) ||   /* C1 */
	    (p[0] == 0xd8 && p[1] == 0x9c)))               /* U+061C */
		return *len;
	if (u == 3 && p[0] == 0xe2 &&
	    ((p[1] == 0x80 && (p[2] == 0x8e || p[2] == 0x8f)) ||   /* U+200E, U+200F */
	     (p[1] == 0x80 && p[2] >= 0xa8 && p[2] <= 0xae) ||    /* U+2028..U+202E */
	     (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)))     /* U+2066..U+2069 */
		return *len;
	return 0;
}

void
clean_append(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;

	while (i < n) {
		if (bad_at(p + i, n - i, &len) == 0) {
			buf_append(b, s + i, len);
		} else {
			buf_putc(b, p[i] == '\t' ? ' ' : '?');
		}
		i += len;
	}
}

char *
clean_dup(const char *s)
{
	struct buf b = {0};

	if (s == NULL)
		return NULL;
	clean_append(&b, s, strlen(s));
	return buf_take(&b);
}

void
clean_inplace(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t n = strlen(s), i = 0, o = 0, len;

	while (i < n) {
		if (bad_at(p + i, n - i, &len) == 0) {
			memmove(p + o, p + i, len);
			o += len;
		} else {
			p[o++] = p[i] == '\t' ? ' ' : '?';
		}
		i += len;
	}
	p[o] = '\0';
}

bool
clean_is_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, len;

	while (i < n) {
		if (bad_at(p + i, n - i, &len) != 0)
			return false;
		i += len;
	}
	return true;
}
