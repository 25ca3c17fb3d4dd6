/* init: the starter configuration of `followupd init`. Pure: it guesses
 * the servers of well-known providers from the address and writes the
 * commented file; asking and writing are cmdinit.c's. */
#ifndef FOLLOWUPD_INIT_H
#define FOLLOWUPD_INIT_H

#include <stdbool.h>

#include "buf.h"

struct init_answers {
	const char *me;              /* "Jane Doe <jane@example.org>" or an address */
	const char *timezone;        /* NULL: leave it to the system's */
	const char *imap_url;
	const char *imap_user;
	const char *smtp_url;        /* NULL: no [smtp] (no digest) */
	const char *smtp_user;
	const char *imap_password_file;
	const char *smtp_password_file;
	bool oauth2;                 /* token_command instead of a password */
	const char *token_command;
};

/* A provider's servers and how to log in, from the address's domain. */
struct init_provider {
	const char *name;            /* "Gmail", or NULL when only guessed */
	const char *imap_url;        /* static, or from *guess_imap */
	const char *smtp_url;
	const char *note;            /* what the user must do there, or NULL */
};

/* Fills p for address (the part after '@' decides; case-insensitive):
 * Gmail, Fastmail, Outlook/Microsoft 365, iCloud, Yahoo, else
 * imaps://imap.DOMAIN and smtp://smtp.DOMAIN:587 in the buffers given
 * (name NULL). */
void init_provider(const char *address, struct init_provider *p, struct buf *imap,
    struct buf *smtp);

/* The bare address of me ("jane@example.org"), allocated; NULL when it
 * has no '@'. */
char *init_address(const char *me);

/* The configuration text. */
void init_render(const struct init_answers *a, struct buf *out);

#endif
