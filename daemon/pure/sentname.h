/* sentname: recognising a Sent folder by its name, for servers that flag
 * none (no SPECIAL-USE, no XLIST). Pure.
 *
 * A name matches when, once the personal namespace prefix ("INBOX." on
 * Courier and Cyrus) or an "INBOX" parent is taken off, it is one of the
 * names the big mail programs give the folder in the common languages,
 * compared without case: "Sent", "INBOX.Sent Items", "inbox/Gesendet",
 * "Éléments envoyés". A folder further down ("Archive/Sent") does not. */
#ifndef FOLLOWUPD_SENTNAME_H
#define FOLLOWUPD_SENTNAME_H

#include <stddef.h>

struct sentname_folder {
	const char *name;      /* UTF-8, as the mail program shows it */
	char sep;              /* the hierarchy separator, '\0' for none */
};

/* 0 when name does not look like a Sent folder, else its rank: 1 for the
 * likeliest ("Sent"), higher for names seen less often. prefix: the
 * personal namespace prefix, NULL or "" for none. */
unsigned sentname_rank(const char *name, char sep, const char *prefix);

/* The index in v of the best match (lowest rank, then the first listed),
 * or (size_t)-1 when none matches; *other: the runner-up, or (size_t)-1. */
size_t sentname_pick(const struct sentname_folder *v, size_t n, const char *prefix,
    size_t *other);

#endif
