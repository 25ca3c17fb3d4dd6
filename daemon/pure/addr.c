#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"

void
addr_normalize_in_place(char *addr)
{
	char *at = strrchr(addr, '@'), *plus;

	for (char *p = addr; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (at == NULL)
		return;
	plus = memchr(addr, '+', (size_t)(at - addr));
	if (plus != NULL && plus != addr)
		memmove(plus, at, strlen(at) + 1);
}

char *
addr_normalize(const char *addr)
{
	char *out = xstrdup(addr);

	addr_normalize_in_place(out);
	return out;
}

static bool
plain_char(unsigned char c)
{
	return c > ' ' && c != 0x7f && c != '<' && c != '>' && c != ',' &&
	    c != '"' && c != '(' && c != ')' && c != ';';
}

bool
addr_domain_valid(const char *domain)
{
	size_t len = strlen(domain);

	if (len == 0 || len > 253 || domain[0] == '.' || domain[0] == '-' ||
	    domain[len - 1] == '.' || strstr(domain, "..") != NULL)
		return false;
	for (const char *p = domain; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.' &&
		    (unsigned char)*p < 0x80)
			return false;
	return true;
}

bool
addr_valid(const char *addr)
{
	const char *at = strchr(addr, '@');

	if (at == NULL || at == addr || strchr(at + 1, '@') != NULL)
		return false;
	for (const char *p = addr; p < at; p++)
		if (!plain_char((unsigned char)*p))
			return false;
	return addr_domain_valid(at + 1);
}

static char *
strip(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

int
addr_parse_mailbox(const char *s, char **name, char **addr)
{
	const char *lt = strchr(s, '<'), *gt;
	char *a, *n = NULL;

	if (lt == NULL) {
		a = strip(s, strlen(s));
	} else {
		gt = strchr(lt, '>');
		if (gt == NULL || gt[1 + strspn(gt + 1, " \t")] != '\0')
			return -1;
		a = strip(lt + 1, (size_t)(gt - lt - 1));
		n = strip(s, (size_t)(lt - s));
		if (n[0] == '"' && strlen(n) >= 2 && n[strlen(n) - 1] == '"') {
			char *q = xstrndup(n + 1, strlen(n) - 2);

			free(n);
			n = q;
		}
		if (n[0] == '\0') {
			free(n);
			n = NULL;
		}
	}
	if (!addr_valid(a)) {
		free(a);
		free(n);
		return -1;
	}
	*name = n;
	*addr = a;
	return 0;
}

static const char *
keep(struct addr_index *ix, char *key)
{
	if (ix->nkeys == ix->capkeys) {
		ix->capkeys = ix->capkeys ? ix->capkeys * 2 : 16;
		ix->keys = xrealloc(ix->keys, ix->capkeys * sizeof *ix->keys);
	}
	ix->keys[ix->nkeys++] = key;
	return key;
}

int
addr_index_add(struct addr_index *ix, const char *pattern, size_t owner,
    size_t *other)
{
	struct hmap *m = pattern[0] == '@' ? &ix->domains : &ix->exact;
	char *key = addr_normalize(pattern[0] == '@' ? pattern + 1 : pattern);
	void *want = (void *)(uintptr_t)(owner + 1);

	if (hmap_get(m, key) != NULL) {
		*other = (size_t)(uintptr_t)hmap_get(m, key) - 1;
		free(key);
		return -1;
	}
	hmap_put(m, keep(ix, key), want);
	return 0;
}

int
addr_index_find(const struct addr_index *ix, const char *addr, size_t *owner)
{
	char *key = addr_normalize(addr);
	const char *at = strrchr(key, '@');
	void *v = hmap_get(&ix->exact, key);

	if (v == NULL && at != NULL)
		v = hmap_get(&ix->domains, at + 1);
	free(key);
	if (v == NULL)
		return -1;
	*owner = (size_t)(uintptr_t)v - 1;
	return 0;
}

void
addr_index_free(struct addr_index *ix)
{
	for (size_t i = 0; i < ix->nkeys; i++)
		free(ix->keys[i]);
	free(ix->keys);
	hmap_free(&ix->exact);
	hmap_free(&ix->domains);
	memset(ix, 0, sizeof *ix);
}
