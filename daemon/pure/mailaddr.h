/* mailaddr: RFC 5322 address lists (section 3.4) with the obsolete syntax of
 * section 4.4: groups, comments, folding white space, quoted and dotted
 * local parts, routes, domain literals, raw UTF-8 and RFC 2047 encoded words
 * in display names. Pure: no I/O; input is hostile and never trusted. */
#ifndef FOLLOWUPD_MAILADDR_H
#define FOLLOWUPD_MAILADDR_H

#include <stdbool.h>
#include <stddef.h>

struct mailaddr {
	char *name;    /* display name decoded to UTF-8, or NULL (always NULL
	                * unless the list asked for names) */
	char *addr;    /* canonical addr-spec: "local@domain", the local part
	                * unquoted when it is a dot-atom, else quoted */
};

struct mailaddr_list {
	bool want_names;     /* set by the caller: keep display names (costly) */
	struct mailaddr *v;
	size_t n, cap;
	size_t bad;    /* elements skipped because they did not parse */
	char *first_error;   /* describes the first of them, or NULL */
};

/* Parses a whole string as one addr-spec with optional comments and folding
 * white space around it (the form of isemail's test table). Returns 0 with
 * *out the canonical address (allocated), or -1 with *why a static reason. */
int mailaddr_parse_spec(const char *s, size_t len, char **out, const char **why);

/* Parses the value of an address header (To, Cc, ...), unfolded or not.
 * Mailboxes of groups are listed as mailboxes; empty groups and empty list
 * elements are fine. An element that does not parse is skipped up to the
 * next comma and counted in list->bad; the others are kept. Appends to
 * list. */
void mailaddr_parse_list(const char *s, size_t len, struct mailaddr_list *list);
void mailaddr_list_free(struct mailaddr_list *list);

/* Decodes RFC 2047 encoded words in a header text to UTF-8 (raw 8-bit text
 * is kept as it is). Allocated. */
char *mailaddr_decode_words(const char *s);

#endif
