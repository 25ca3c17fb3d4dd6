#include "hmap.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

unsigned long
hmap_hash(const char *s)
{
	unsigned long h = 2166136261UL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h = (h * 16777619UL) & 0xffffffffUL;
	}
	return h;
}

static struct hmap_slot *
find(const struct hmap *m, const char *key)
{
	size_t mask = m->cap - 1;
	size_t i = hmap_hash(key) & mask;

	while (m->slots[i].key != NULL && strcmp(m->slots[i].key, key) != 0)
		i = (i + 1) & mask;
	return &m->slots[i];
}

void *
hmap_get(const struct hmap *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	return find(m, key)->value;
}

static void
grow(struct hmap *m)
{
	struct hmap old = *m;

	m->cap = old.cap ? old.cap * 2 : 16;
	m->slots = xcalloc(m->cap, sizeof *m->slots);
	m->count = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key != NULL)
			hmap_put(m, old.slots[i].key, old.slots[i].value);
	free(old.slots);
}

void *
hmap_put(struct hmap *m, const char *key, void *value)
{
	struct hmap_slot *s;

	if ((m->count + 1) * 4 > m->cap * 3)
		grow(m);
	s = find(m, key);
	if (s->key != NULL)
		return s->value;
	s->key = key;
	s->value = value;
	m->count++;
	return value;
}

void
hmap_free(struct hmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->count = 0;
}
