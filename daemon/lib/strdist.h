/* strdist: edit distance between short names, for "did you mean". Pure. */
#ifndef FOLLOWUPD_STRDIST_H
#define FOLLOWUPD_STRDIST_H

#include <stddef.h>

/* Levenshtein distance, case-sensitive; 99 for names of 63 bytes or more. */
size_t strdist(const char *a, const char *b);
/* The name among names closest to word, at most 2 edits away, or NULL. */
const char *strdist_closest(const char *word, const char *const *names, size_t n);

#endif
