/* hmap: a string-keyed hash table with open addressing, for the linear-time
 * lookups of configuration loading and address matching. Keys are borrowed:
 * they must outlive the table. */
#ifndef FOLLOWUPD_HMAP_H
#define FOLLOWUPD_HMAP_H

#include <stdbool.h>
#include <stddef.h>

struct hmap_slot {
	const char *key;
	void *value;
};

struct hmap {
	struct hmap_slot *slots;
	size_t cap;   /* a power of two, or 0 */
	size_t count;
};

/* Returns the value stored for key, or NULL. */
void *hmap_get(const struct hmap *m, const char *key);
/* Stores value under key unless the key is present; returns the value that
 * is stored under key afterwards (the old one when it was present). */
void *hmap_put(struct hmap *m, const char *key, void *value);
void hmap_free(struct hmap *m);
/* FNV-1a over a string: stable across runs and machines. */
unsigned long hmap_hash(const char *s);

#endif
