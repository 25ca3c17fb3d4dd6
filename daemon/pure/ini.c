#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "hmap.h"
#include "ini.h"

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static int
valid_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr("_-.:@+", *s) == NULL)
			return 0;
	return 1;
}

/* Parses the value part of a line in place. Returns NULL with *why set
 * when a quoted value is not closed. */
static char *
parse_value(char *v, const char **why)
{
	char q, *out, *p, *rest;

	v = trim(v);
	if (*v != '"' && *v != '\'') {
		v[strcspn(v, ";#")] = '\0';
		return trim(v);
	}
	/* First find the closing quote, without changing anything. */
	q = *v;
	for (p = v + 1; *p && *p != q; p++)
		if (*p == '\\' && (p[1] == q || p[1] == '\\'))
			p++;
	if (*p != q) {
		*why = "unterminated quoted value";
		return NULL;
	}
	rest = p + 1 + strspn(p + 1, " \t");
	if (*rest != '\0' && *rest != ';' && *rest != '#') {
		/* Not a quoted value but one that starts with a quoted phrase,
		 * such as "Doe, Jane" <jane@example.org>: keep it as written. */
		v[strcspn(v, ";#")] = '\0';
		return trim(v);
	}
	out = v;
	for (p = v + 1; *p != q; p++) {
		if (*p == '\\' && (p[1] == q || p[1] == '\\'))
			p++;
		*out++ = *p;
	}
	*out = '\0';
	return v;
}

/* The names and values live in a few large blocks rather than in one
 * allocation each: a file of 10,000 contacts has some 120,000 of them. */
#define INI_BLOCK 65536

static char *
save(struct ini *ini, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (n > ini->left) {
		size_t size = n > INI_BLOCK ? n : INI_BLOCK;

		ini->blocks = xrealloc(ini->blocks, (ini->nblocks + 1) * sizeof *ini->blocks);
		ini->blocks[ini->nblocks++] = ini->next = xmalloc(size);
		ini->left = size;
	}
	p = ini->next;
	memcpy(p, s, n);
	ini->next += n;
	ini->left -= n;
	return p;
}

static struct ini_section *
add_section(struct ini *ini, const char *name, int line)
{
	struct ini_section *s;

	if (ini->count == ini->cap) {
		ini->cap = ini->cap ? ini->cap * 2 : 16;
		ini->sections = xrealloc(ini->sections, ini->cap * sizeof *ini->sections);
	}
	s = &ini->sections[ini->count++];
	memset(s, 0, sizeof *s);
	s->name = save(ini, name);
	s->line = line;
	return s;
}

static void
add_entry(struct ini *ini, struct ini_section *s, const char *key, const char *value,
    int line)
{
	if (s->count == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->entries = xrealloc(s->entries, s->cap * sizeof *s->entries);
	}
	s->entries[s->count].key = save(ini, key);
	s->entries[s->count].value = save(ini, value);
	s->entries[s->count].line = line;
	s->count++;
}

static void
parse_line(struct ini *ini, struct hmap *seen, char *line, int lineno,
    struct ini_section **cur, struct diag *d)
{
	const char *why = NULL;
	char *s = trim(line), *eq, *key, *value;

	if (*s == '\0' || *s == ';' || *s == '#')
		return;
	if (*s == '[') {
		char *end = strchr(s, ']'), *rest;
		void *prev;

		if (end == NULL) {
			diag_add(d, ini->file, lineno, EX_CONFIG, "missing ']' in section header");
			*cur = NULL;
			return;
		}
		rest = trim(end + 1);
		*end = '\0';
		s = trim(s + 1);
		lower(s);
		if (!valid_name(s) || (*rest != '\0' && *rest != ';' && *rest != '#')) {
			diag_add(d, ini->file, lineno, EX_CONFIG, "malformed section header");
			*cur = NULL;
			return;
		}
		*cur = add_section(ini, s, lineno);
		/* Lines are stored as pointers: section structs move on growth. */
		prev = hmap_put(seen, (*cur)->name, (void *)(intptr_t)lineno);
		if ((intptr_t)prev != lineno) {
			diag_add(d, ini->file, lineno, EX_CONFIG,
			    "section [%s] is already defined at line %d", s,
			    (int)(intptr_t)prev);
		}
		return;
	}
	eq = strchr(s, '=');
	if (eq == NULL) {
		diag_add(d, ini->file, lineno, EX_CONFIG,
		    "expected \"key = value\" or \"[section]\"");
		return;
	}
	*eq = '\0';
	key = trim(s);
	lower(key);
	if (!valid_name(key)) {
		diag_add(d, ini->file, lineno, EX_CONFIG, "malformed key name");
		return;
	}
	value = parse_value(eq + 1, &why);
	if (value == NULL) {
		diag_add(d, ini->file, lineno, EX_CONFIG, "%s: %s", key, why);
		return;
	}
	if (*cur == NULL) {
		if (ini->count == 0)
			diag_add(d, ini->file, lineno, EX_CONFIG,
			    "key '%s' outside of any section", key);
		return;   /* inside a broken section: already reported */
	}
	for (size_t i = 0; i < (*cur)->count; i++) {
		if (strcmp((*cur)->entries[i].key, key) == 0) {
			diag_add(d, ini->file, lineno, EX_CONFIG,
			    "duplicate key '%s' (first set at line %d)", key,
			    (*cur)->entries[i].line);
			return;
		}
	}
	add_entry(ini, *cur, key, value, lineno);
}

void
ini_parse(struct ini *ini, const char *file, const char *text, size_t len,
    struct diag *d)
{
	struct ini_section *cur = NULL;
	struct hmap seen = {0};
	struct buf line = {0};
	size_t i = 0;
	int lineno = 0;

	memset(ini, 0, sizeof *ini);
	ini->file = xstrdup(file);
	while (i < len) {
		size_t start = i;

		while (i < len && text[i] != '\n')
			i++;
		lineno++;
		buf_reset(&line);
		buf_append(&line, text + start, i - start);
		if (i < len)
			i++;
		if (memchr(text + start, '\0', line.len) != NULL) {
			diag_add(d, file, lineno, EX_CONFIG, "NUL byte in line");
			continue;
		}
		parse_line(ini, &seen, line.data, lineno, &cur, d);
	}
	buf_free(&line);
	hmap_free(&seen);
}

const struct ini_entry *
ini_find(const struct ini_section *sec, const char *key)
{
	for (size_t i = 0; i < sec->count; i++)
		if (strcmp(sec->entries[i].key, key) == 0)
			return &sec->entries[i];
	return NULL;
}

void
ini_free(struct ini *ini)
{
	for (size_t i = 0; i < ini->count; i++) {
		struct ini_section *s = &ini->sections[i];

		free(s->entries);
	}
	for (size_t i = 0; i < ini->nblocks; i++)
		free(ini->blocks[i]);
	free(ini->blocks);
	free(ini->sections);
	free(ini->file);
	memset(ini, 0, sizeof *ini);
}
