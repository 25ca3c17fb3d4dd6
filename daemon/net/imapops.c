/* imap: the connection as a mailbox source for sync (mbox.h), each
 * operation the imap_ function of its name. Part of imap.c's module, in a
 * file of its own. */
#include "imap.h"
#include "mbox.h"

static enum imap_rc
ops_examine(void *conn, const char *folder, struct imap_folder *out, char **err)
{
	return imap_examine(conn, folder, out, err);
}

static enum imap_rc
ops_search_from(void *conn, uint32_t first, uint32_t **uids, size_t *n, char **err)
{
	return imap_search_from(conn, first, uids, n, err);
}

static enum imap_rc
ops_fetch_uids_from(void *conn, uint32_t first, uint32_t **uids, size_t *n, char **err)
{
	return imap_fetch_uids_from(conn, first, uids, n, err);
}

static enum imap_rc
ops_fetch_batch(void *conn, const uint32_t *uids, size_t n, void **out, char **err)
{
	struct imap_batch *b = NULL;
	enum imap_rc rc = imap_fetch_batch(conn, uids, n, &b, err);

	*out = b;
	return rc;
}

static void
ops_batch_each(const void *batch, imap_msg_fn fn, void *arg)
{
	imap_batch_each(batch, fn, arg);
}

static void
ops_batch_free(void *batch)
{
	imap_batch_free(batch);
}

static enum imap_rc
ops_fetch_text(void *conn, uint32_t uid, char **text, bool *html, char **err)
{
	return imap_fetch_text(conn, uid, text, html, err);
}

static enum imap_rc
ops_fetch_stream(void *conn, uint32_t first, imap_msg_fn fn, void *arg, char **err)
{
	return imap_fetch_stream(conn, first, fn, arg, err);
}

const struct mbox_ops imap_mbox_ops = {
	.examine = ops_examine,
	.search_from = ops_search_from,
	.fetch_uids_from = ops_fetch_uids_from,
	.fetch_batch = ops_fetch_batch,
	.batch_each = ops_batch_each,
	.batch_free = ops_batch_free,
	.fetch_text = ops_fetch_text,
	.fetch_stream = ops_fetch_stream,
};
