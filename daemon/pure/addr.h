/* addr: e-mail address normalisation and the address -> contact index used
 * to match recipients to contacts. Pure. */
#ifndef FOLLOWUPD_ADDR_H
#define FOLLOWUPD_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "hmap.h"

/* Lowercases the address and drops a "+tag" from its local part, so that
 * "Jane+News@Example.ORG" becomes "jane@example.org". Allocated. */
char *addr_normalize(const char *addr);
/* The same, in place (the result is never longer). */
void addr_normalize_in_place(char *addr);
/* A plausible addr-spec: one '@', non-empty local part and domain, no
 * white space, control characters or angle brackets. */
bool addr_valid(const char *addr);
/* A plausible domain name (for "@domain" patterns). */
bool addr_domain_valid(const char *domain);
/* Splits "Jane Doe <jane@example.org>" or "jane@example.org" into an
 * allocated display name (NULL when none) and address. 0 or -1. */
int addr_parse_mailbox(const char *s, char **name, char **addr);

/* Maps normalised addresses and "@domain" patterns to an owner index. */
struct addr_index {
	struct hmap exact;     /* "jane@example.org" -> owner + 1 */
	struct hmap domains;   /* "example.org" -> owner + 1 */
	char **keys;           /* owned copies of the keys */
	size_t nkeys, capkeys;
};

/* Adds a pattern (an address or "@domain") for owner. Returns -1 when it is
 * already taken, with *other set to the owner that has it. */
int addr_index_add(struct addr_index *ix, const char *pattern, size_t owner,
    size_t *other);
/* Finds the owner of an address: an exact (normalised) match first, then
 * its domain. Returns 0 and sets *owner, or -1. */
int addr_index_find(const struct addr_index *ix, const char *addr, size_t *owner);
void addr_index_free(struct addr_index *ix);

#endif
