/* mbox: what sync reads a Sent folder through, as a table of operations on
 * a connection, as isync's drivers are: the real one is imap_mbox_ops
 * (imap.h), over a struct imap; the unit tests put an in-memory folder
 * behind the same table. Each operation means what the imap_ function of
 * that name says (imap.h), failures classed the same way. A batch is what
 * one fetch_batch answered, owned by the caller until batch_free. */
#ifndef FOLLOWUPD_MBOX_H
#define FOLLOWUPD_MBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imap.h"

struct mbox_ops {
	/* Selects folder read-only: its UIDVALIDITY, UIDNEXT, EXISTS. */
	enum imap_rc (*examine)(void *conn, const char *folder, struct imap_folder *out,
	    char **err);
	/* The UIDs >= first, ascending; *uids allocated. */
	enum imap_rc (*search_from)(void *conn, uint32_t first, uint32_t **uids, size_t *n,
	    char **err);
	/* The same, asked another way, for a source whose search answers
	 * less than the folder holds. */
	enum imap_rc (*fetch_uids_from)(void *conn, uint32_t first, uint32_t **uids,
	    size_t *n, char **err);
	/* The header blocks and INTERNALDATEs of these UIDs (n > 0). The
	 * answer may hold messages not asked for, or one twice: the caller
	 * sorts that out. */
	enum imap_rc (*fetch_batch)(void *conn, const uint32_t *uids, size_t n, void **out,
	    char **err);
	/* batch_each and batch_free may run in another thread than the one
	 * that fetched the batch, while it fetches the next one. */
	void (*batch_each)(const void *batch, imap_msg_fn fn, void *arg);
	void (*batch_free)(void *batch);   /* NULL too */
	/* A message's text to read commands in; *text NULL when it is gone
	 * or has none. */
	enum imap_rc (*fetch_text)(void *conn, uint32_t uid, char **text, bool *html,
	    char **err);
	/* Every message with a UID >= first, in one go, fn called for each
	 * as it arrives (unasked or repeated ones too: the caller sorts that
	 * out). NULL: the source has only the search and the batches. */
	enum imap_rc (*fetch_stream)(void *conn, uint32_t first, imap_msg_fn fn, void *arg,
	    char **err);
};

#endif
