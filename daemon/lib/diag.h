/* diag: a list of "FILE:LINE: message" diagnostics, collected so that every
 * error of a file is reported at once, each with the exit status it calls for. */
#ifndef FOLLOWUPD_DIAG_H
#define FOLLOWUPD_DIAG_H

#include "buf.h"

struct diag {
	struct buf text;   /* one diagnostic per line */
	int count;
	int status;        /* the exit status the worst diagnostic calls for, or 0 */
};

/* Adds "file:line: message" ("file: message" when line is 0); status is a sysexits code (EX_CONFIG, EX_NOPERM).
 * A configuration error (EX_CONFIG) outranks a permission problem. */
void diag_add(struct diag *d, const char *file, int line, int status,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag_free(struct diag *d);

#endif
