/* secret: fetching a password or OAuth token from its configured source
 * (password_command, password_file, inline password, token_command).
 * Secrets never reach an error message. */
#ifndef FOLLOWUPD_SECRET_H
#define FOLLOWUPD_SECRET_H

#include "config.h"

/* Expands $CREDENTIALS_DIRECTORY and ${CREDENTIALS_DIRECTORY} in a
 * password_file path; a relative path is taken inside that directory.
 * Returns NULL with *err when the variable is needed but unset. */
char *secret_expand_path(const char *path, const char *credentials_dir,
    char **err);
/* Fetches the secret of a server: the first line of the command's output
 * or of the file, or the inline password. 0 with *out (free with
 * secret_free), or -1 with *err (allocated). */
int secret_fetch(const struct server *sv, char **out, char **err);
/* Overwrites and frees a secret. */
void secret_free(char *s);

#endif
