/* capstream: a limit on what one IMAP response may make followupd read.
 * It wraps a libetpan stream: every write (a command, or DONE) starts a
 * new count, and a read that takes the bytes read since then past the
 * cap fails, as a lost connection does. A hostile or broken server can
 * then not make followupd hold more than the cap in one huge literal or
 * endless line; it is dropped and tried again with backoff. */
#ifndef FOLLOWUPD_CAPSTREAM_H
#define FOLLOWUPD_CAPSTREAM_H

#include <libetpan/libetpan.h>
#include <stddef.h>

#define CAPSTREAM_MAX (64u << 20)   /* bytes of one response, at most */

/* Puts the limit between s and its low-level stream. 0, or -1 (out of
 * memory; s is unchanged). */
int capstream_wrap(mailstream *s, size_t cap);
/* Has the limit cut the stream? */
int capstream_tripped(mailstream *s);

#endif
