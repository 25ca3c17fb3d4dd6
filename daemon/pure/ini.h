/* ini: a linear-time INI reader that keeps the line of every section and
 * key. Syntax, as iniparser's: "[section]", "key = value", comment lines
 * starting with ';' or '#', unquoted values cut at ';' or '#', values
 * quoted with '"' (or '\'') to keep them; section and key names are
 * lowercased. Reads no other file and does no validation of meaning. */
#ifndef FOLLOWUPD_INI_H
#define FOLLOWUPD_INI_H

#include <stddef.h>

#include "diag.h"

struct ini_entry {
	char *key;         /* owned by the struct ini */
	char *value;
	int line;
};

struct ini_section {
	char *name;        /* lowercased, e.g. "contact:alice" */
	int line;
	struct ini_entry *entries;
	size_t count, cap;
};

struct ini {
	char *file;        /* the name used in diagnostics */
	struct ini_section *sections;
	size_t count, cap;
	/* where the names and values are kept */
	char **blocks;
	size_t nblocks;
	char *next;
	size_t left;
};

/* Parses text (len bytes, need not be NUL-terminated) read from file.
 * Syntax errors, duplicate sections and duplicate keys are added to d;
 * parsing goes on after each. */
void ini_parse(struct ini *ini, const char *file, const char *text, size_t len,
    struct diag *d);
/* Returns the entry for key in sec, or NULL. Linear in the section's size. */
const struct ini_entry *ini_find(const struct ini_section *sec, const char *key);
void ini_free(struct ini *ini);

#endif
