#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "meetpick.h"

static bool
same(const char *norm, const char *addr)
{
	char *b;
	bool r;

	if (addr == NULL || strchr(addr, '@') == NULL)
		return false;
	b = addr_normalize(addr);
	r = strcmp(norm, b) == 0;
	free(b);
	return r;
}

bool
meet_is_me(const struct config *cfg, const char *addr)
{
	char *norm = addr_normalize(addr);
	bool r = same(norm, cfg->me_addr) || same(norm, cfg->digest_to);

	for (size_t i = 0; !r && i < cfg->naccounts; i++)
		r = same(norm, cfg->accounts[i].server.user);
	free(norm);
	return r;
}

size_t
meet_people(const struct config *cfg, const struct icsm_occ *o, size_t *idx,
    bool *declined)
{
	size_t n = 0;

	*declined = false;
	for (size_t i = 0; i < o->npeople; i++) {
		const struct icsm_person *p = &o->people[i];

		if (meet_is_me(cfg, p->addr)) {
			if (p->declined) {
				*declined = true;
				return 0;
			}
			continue;
		}
		if (!p->declined && addr_valid(p->addr))
			idx[n++] = i;
	}
	return n;
}
