/* secret: fetching a password or OAuth token from its configured source
 * (password_command, password_file, inline password, token_command).
 * Secrets never reach an error message. */
#ifndef FOLLOWUPD_SECRET_H
#define FOLLOWUPD_SECRET_H

#include "config.h"

/* How long a password_command or token_command may run, and how much it
 * may print. */
#define SECRET_TIMEOUT_MS 30000
#define SECRET_MAX_OUTPUT 65536

/* secret_fetch's failures: */
enum {
	SECRET_FINAL = -1,   /* the source is wrong: fix the configuration */
	SECRET_TEMP = -2     /* the command timed out, or fork failed: retry later */
};

/* Expands $CREDENTIALS_DIRECTORY and ${CREDENTIALS_DIRECTORY} in a
 * password_file path; a relative path is taken inside that directory.
 * Returns NULL with *err when the variable is needed but unset. */
char *secret_expand_path(const char *path, const char *credentials_dir,
    char **err);
/* Fetches the secret of a server: the first line of the command's output
 * or of the file, or the inline password. 0 with *out (free with
 * secret_free), or SECRET_FINAL or SECRET_TEMP with *err (allocated). */
int secret_fetch(const struct server *sv, char **out, char **err);
/* Runs cmd with /bin/sh -c as secret_fetch does, what naming it in
 * messages: stdin from /dev/null, stdout to a pipe, stderr inherited and
 * no other descriptor, default signal dispositions and an empty signal
 * mask, in a process group of its own which is killed (SIGKILL) after
 * timeout_ms or once it has printed more than SECRET_MAX_OUTPUT bytes.
 * 0 with *out (its first line), or SECRET_FINAL / SECRET_TEMP. */
int secret_run(const char *what, const char *cmd, int timeout_ms, char **out,
    char **err);
/* Overwrites and frees a secret. */
void secret_free(char *s);

#endif
