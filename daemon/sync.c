#include <stdarg.h>
#include <pthread.h>
#include <stdbool.h>
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

/* Records one fetched batch and the folder's new last UID in one
 * transaction. 0, or -1 with *err. */
static int
record(struct batch *b, const struct imap_batch *ib, const char *folder,
    uint32_t uidvalidity, uint32_t last, time_t now, char **err)
{
	if (store_begin(b->st, err) < 0)
		return -1;
	imap_batch_each(ib, one_message, b);
	if (b->err != NULL) {
		*err = b->err;
		b->err = NULL;
		store_rollback(b->st);
		return -1;
	}
	if (store_folder_set(b->st, b->acct->name, folder, uidvalidity, last, now, err) < 0 ||
	    store_commit(b->st, err) < 0) {
		store_rollback(b->st);
		return -1;
	}
	return 0;
}

/* A large scan runs in two threads: this one fetches batch k + 1 from the
 * server while a recorder thread parses and stores batch k. They meet at
 * one slot. */
struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct imap_batch *slot;   /* handed over, not yet taken */
	struct imap_batch *spent;  /* recorded, for the fetcher to free: freeing
	                            * libetpan's answer is costly, and the
	                            * fetcher waits on the server anyway */
	size_t slot_count;
	bool closed;               /* no more batches */
	bool failed;               /* the recorder stopped on an error */
	char *err;
	struct batch b;
	const char *folder;
	uint32_t uidvalidity;
	time_t now;
	size_t done, total;
};

static void *
recorder(void *arg)
{
	struct pipe *p = arg;

	for (;;) {
		struct imap_batch *ib;
		size_t count;
		char *err = NULL;

		pthread_mutex_lock(&p->mu);
		while (p->slot == NULL && !p->closed)
			pthread_cond_wait(&p->cv, &p->mu);
		ib = p->slot;
		count = p->slot_count;
		p->slot = NULL;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (ib == NULL)
			return NULL;   /* closed and drained */
		if (record(&p->b, ib, p->folder, p->uidvalidity, imap_batch_last(ib),
		    p->now, &err) < 0) {
			imap_batch_free(ib);
			pthread_mutex_lock(&p->mu);
			p->failed = true;
			p->err = err;
			pthread_cond_broadcast(&p->cv);
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		pthread_mutex_lock(&p->mu);
		imap_batch_free(p->spent);   /* the fetcher did not get to it */
		p->spent = ib;
		pthread_mutex_unlock(&p->mu);
		p->done += count;
		if (p->b.hooks != NULL && p->b.hooks->progress != NULL)
			p->b.hooks->progress(p->b.hooks->arg, p->done, p->total);
	}
}

/* Fetches the batches and hands them to the recorder. */
static enum imap_rc
pipeline(struct imap *c, struct pipe *p, const uint32_t *uids, size_t n, char **err)
{
	pthread_t th;
	enum imap_rc rc = IMAP_OK;

	if (pthread_create(&th, NULL, recorder, p) != 0) {
		*err = xstrdup("cannot start a thread");
		return IMAP_TEMP;
	}
	for (size_t done = 0; done < n;) {
		size_t k = n - done < SYNC_BATCH ? n - done : SYNC_BATCH;
		struct imap_batch *ib = NULL, *spent;
		bool failed;

		pthread_mutex_lock(&p->mu);
		failed = p->failed;
		spent = p->spent;
		p->spent = NULL;
		pthread_mutex_unlock(&p->mu);
		imap_batch_free(spent);
		if (failed)
			break;
		if ((rc = imap_fetch_batch(c, uids + done, k, &ib, err)) != IMAP_OK)
			break;
		pthread_mutex_lock(&p->mu);
		while (p->slot != NULL && !p->failed)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->failed) {
			pthread_mutex_unlock(&p->mu);
			imap_batch_free(ib);
			break;
		}
		p->slot = ib;
		p->slot_count = k;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		done += k;
	}
	pthread_mutex_lock(&p->mu);
	p->closed = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(th, NULL);
	imap_batch_free(p->spent);
	p->spent = NULL;
	if (p->failed) {
		if (rc != IMAP_OK)
			free(*err);
		*err = p->err;
		p->err = NULL;
		return IMAP_FINAL;
	}
	return rc;
}

enum imap_rc
sync_folder(struct imap *c, const struct config *cfg, const struct imap_account *a,
    struct store *st, const char *folder, time_t now, const struct sync_hooks *hooks,
    struct sync_stats *stats, char **err)
{
	struct imap_folder info;
	struct batch b = { cfg, a, st, hooks, stats, NULL };
	uint32_t old_validity = 0, last = 0, *uids = NULL;
	size_t n = 0;
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
	if (n <= SYNC_BATCH) {
		/* Nothing to overlap: one batch (or none, which still records
		 * the UIDVALIDITY and the time of the sync). */
		struct imap_batch *ib = NULL;

		if (n > 0 && (rc = imap_fetch_batch(c, uids, n, &ib, err)) != IMAP_OK) {
			free(uids);
			return rc;
		}
		if (record(&b, ib, folder, info.uidvalidity, n > 0 ? uids[n - 1] : last,
		    now, err) < 0)
			rc = IMAP_FINAL;
		else if (n > 0 && hooks != NULL && hooks->progress != NULL)
			hooks->progress(hooks->arg, n, n);
		imap_batch_free(ib);
	} else {
		struct pipe p = {
			.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER,
			.b = b, .folder = folder, .uidvalidity = info.uidvalidity,
			.now = now, .total = n,
		};

		rc = pipeline(c, &p, uids, n, err);
		pthread_mutex_destroy(&p.mu);
		pthread_cond_destroy(&p.cv);
	}
	free(uids);
	return rc;
}
