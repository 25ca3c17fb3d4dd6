/* afile: replaces a file's contents atomically (a temporary file in the
 * same directory, fsync, rename, fsync of the directory), and only when
 * they change, so that readers see the old or the new file, never a mix. */
#ifndef FOLLOWUPD_AFILE_H
#define FOLLOWUPD_AFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Makes path hold data (len bytes), with mode for a new file. *changed
 * says whether it was written. 0, or -1 with *err allocated. */
int afile_replace(const char *path, const char *data, size_t len, mode_t mode,
    bool *changed, char **err);
/* Reads a whole file (at most max bytes) into a NUL-terminated string.
 * 0, or -1 with errno set (EFBIG when longer than max). */
int afile_read(const char *path, size_t max, char **out, size_t *len);
/* Creates dir and its missing parents with mode 0700. 0, or -1 with
 * *err ("cannot create DIR: reason") allocated. */
int afile_mkdirs(const char *dir, char **err);

#endif
