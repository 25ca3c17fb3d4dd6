#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "scan.h"
#include "sync.h"

struct batch {
	const struct config *cfg;
	const struct imap_account *acct;
	struct store *st;
	const struct sync_hooks *hooks;
	struct sync_stats *stats;
	char *err;            /* the first store error */
};

static void
warn(const struct sync_hooks *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
warn(const struct sync_hooks *h, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	if (h == NULL || h->warn == NULL)
		return;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	h->warn(h->arg, buf_str(&b));
	buf_free(&b);
}

static void
one_message(void *arg, uint32_t uid, time_t internaldate, const char *hdr, size_t len)
{
	struct batch *b = arg;
	struct scan_result r;
	const char *why = NULL;

	b->stats->messages++;
	if (b->err != NULL)
		return;
	if (scan_message(b->cfg, hdr, len, internaldate, &r, &why) < 0) {
		b->stats->skipped++;
		warn(b->hooks, "UID %lu: skipped: %s", (unsigned long)uid, why);
		scan_result_free(&r);
		return;
	}
	if (r.bad_addresses > 0)
		warn(b->hooks, "UID %lu: %zu recipient%s skipped: %s", (unsigned long)uid,
		    r.bad_addresses, r.bad_addresses == 1 ? "" : "s", r.warning);
	if (r.bulk)
		b->stats->bulk++;
	for (size_t i = 0; i < r.nhits; i++) {
		struct store_touch t = {
			.key = r.key, .address = r.hits[i], .at = r.at,
			.via = VIA_EMAIL, .source = "imap", .account = b->acct->name,
		};
		bool added = false;

		if (store_add_touch(b->st, &t, &added, &b->err) < 0)
			break;
		b->stats->touches += added;
	}
	scan_result_free(&r);
}

enum imap_rc
sync_folder(struct imap *c, const struct config *cfg, const struct imap_account *a,
    struct store *st, const char *folder, time_t now, const struct sync_hooks *hooks,
    struct sync_stats *stats, char **err)
{
	struct imap_folder info;
	uint32_t old_validity = 0, last = 0, *uids = NULL;
	size_t n = 0, done = 0;
	enum imap_rc rc;
	int known;

	memset(stats, 0, sizeof *stats);
	if ((rc = imap_examine(c, folder, &info, err)) != IMAP_OK)
		return rc;
	known = store_folder_get(st, a->name, folder, &old_validity, &last, err);
	if (known < 0)
		return IMAP_FINAL;
	if (known == 0 && old_validity != info.uidvalidity) {
		warn(hooks, "folder \"%s\" has a new UIDVALIDITY (%lu, was %lu): reading it again",
		    folder, (unsigned long)info.uidvalidity, (unsigned long)old_validity);
		stats->rescanned = true;
		last = 0;
	}
	if ((rc = imap_search_from(c, last + 1, &uids, &n, err)) != IMAP_OK)
		return rc;
	if (hooks != NULL && hooks->progress != NULL)
		hooks->progress(hooks->arg, 0, n);
	do {
		size_t k = n - done < SYNC_BATCH ? n - done : SYNC_BATCH;
		struct batch b = { cfg, a, st, hooks, stats, NULL };

		if (store_begin(st, err) < 0) {
			rc = IMAP_FINAL;
			break;
		}
		if (k > 0) {
			rc = imap_fetch_headers(c, uids + done, k, one_message, &b, err);
			if (rc == IMAP_OK && b.err != NULL) {
				*err = b.err;
				b.err = NULL;
				rc = IMAP_FINAL;
			}
			free(b.err);
			if (rc != IMAP_OK) {
				store_rollback(st);
				break;
			}
			last = uids[done + k - 1];
		}
		if (store_folder_set(st, a->name, folder, info.uidvalidity, last, now, err) < 0 ||
		    store_commit(st, err) < 0) {
			store_rollback(st);
			rc = IMAP_FINAL;
			break;
		}
		done += k;
		if (k > 0 && hooks != NULL && hooks->progress != NULL)
			hooks->progress(hooks->arg, done, n);
	} while (done < n);
	free(uids);
	return rc;
}
