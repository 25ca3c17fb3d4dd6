#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "clean.h"
#include "control.h"
#include "day.h"
#include "hmap.h"
#include "meetpick.h"
#include "reply.h"
#include "scan.h"
#include "sync.h"
#include "tz.h"

struct batch {
	const struct mbox_ops *ops;
	const struct config *cfg;
	const struct imap_account *acct;
	const char *folder;
	time_t now;
	struct store *st;
	const struct sync_hooks *hooks;
	struct sync_stats *stats;
	char *err;            /* the first store error */
	bool open;            /* a transaction is open */
	size_t pending;       /* messages in it */
	/* Non-contacts written to in the open transaction: address ->
	 * struct tally, added to the state when it commits. */
	struct hmap tally;
	/* The UIDs the batch being recorded asked for, ascending, and
	 * which of them were answered. */
	const uint32_t *asked;
	size_t nasked;
	bool *answered;
	bool inbox;           /* received mail: who wrote, not to whom */
};

static int
cmp_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts the UIDs and drops repeats; their new count. */
static size_t
uids_sort(uint32_t *v, size_t n)
{
	size_t k = 0;

	if (n < 2)
		return n;
	qsort(v, n, sizeof *v, cmp_uid);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

/* Is uid one the batch asked for, answered for the first time? A server
 * may send a message unasked (a flag change, one that arrived after the
 * search: the next sync reads that one) or the same one twice. */
static bool
asked_once(struct batch *b, uint32_t uid)
{
	const uint32_t *p = bsearch(&uid, b->asked, b->nasked, sizeof uid, cmp_uid);

	if (p == NULL || b->answered[p - b->asked])
		return false;
	b->answered[p - b->asked] = true;
	return true;
}

struct tally {
	char *address;
	long count;
	time_t first, last;
};

static void
tally_add(struct batch *b, const char *address, time_t at)
{
	struct tally *t = hmap_get(&b->tally, address);

	if (t == NULL) {
		t = xcalloc(1, sizeof *t);
		t->address = xstrdup(address);
		t->first = t->last = at;
		hmap_put(&b->tally, t->address, t);
	}
	t->count++;
	if (at < t->first)
		t->first = at;
	if (at > t->last)
		t->last = at;
}

/* Writes the tally (flush) or drops it; it is empty afterwards. */
static int
tally_end(struct batch *b, bool flush, char **err)
{
	int rc = 0;

	for (size_t i = 0; i < b->tally.cap; i++) {
		struct tally *t = b->tally.slots[i].value;

		if (t == NULL)
			continue;
		if (flush && rc == 0)
			rc = store_correspondent_add(b->st, b->acct->name, b->folder, t->address,
			    t->count, t->first, t->last, err);
		free(t->address);
		free(t);
	}
	hmap_free(&b->tally);
	memset(&b->tally, 0, sizeof b->tally);
	return rc;
}

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
	/* Warnings quote what a server or a message said. */
	if (b.data != NULL)
		clean_inplace(b.data);
	h->warn(h->arg, buf_str(&b));
	buf_free(&b);
}

/* What a message means for the people in it besides touches: it answers
 * their open check-backs, opens new ones when it carries a check-back tag,
 * and counts for those who are not contacts (followupd suggest). */
static int
others(struct batch *b, const struct scan_result *r)
{
	int due = DAY_NONE;

	if (r->checkback) {
		int day = tz_day_of(r->at);

		due = r->checkback_weekday ?
		    day + ((r->checkback_wday - day_weekday(day) + 6) % 7) + 1 :
		    span_add(day, r->checkback_span, 1);
	}
	/* hits are those of others that are contacts, in the same order. */
	for (size_t i = 0, j = 0; i < r->nothers; i++) {
		const char *a = r->others[i];
		bool contact = j < r->nhits && r->hits[j] == a;

		bool added = false;

		if (store_checkbacks_resolve(b->st, a, r->at, r->key, &b->err) < 0 ||
		    (due != DAY_NONE && store_checkback_add(b->st, r->key, a,
		    r->other_names != NULL ? r->other_names[i] : NULL, r->at, due,
		    r->subject, &added, &b->err) < 0))
			return -1;
		b->stats->checkbacks += added;
		if (contact)
			j++;
		else if (r->at >= b->now - SYNC_TALLY_PERIOD)
			tally_add(b, a, r->at);   /* suggestions look at the past year */
	}
	return 0;
}

/* Does the digest the message answers appear in the state as sent? Says
 * so when it does not; false with b->err on a store error. */
static bool
answers_sent_digest(struct batch *b, uint32_t uid, const struct scan_result *r)
{
	int sent = store_digest_was_sent(b->st, r->digest_parent, &b->err);

	if (sent == 0)
		warn(b->hooks, "UID %lu: answers %s, a digest that was never sent: not applied",
		    (unsigned long)uid, r->digest_parent);
	return sent > 0;
}

/* A received message: recorded when its sender matters (a contact, or
 * someone checked back on), and it ends the check-backs it answers: on
 * its sender's address, and on every address of its sender's contact. */
static void
one_received(struct batch *b, uint32_t uid, time_t internaldate, const char *hdr,
    size_t len)
{
	struct scan_received r;
	const struct contact *c;
	const char *why = NULL;
	int ended = 0, n;
	bool added = false;

	if (scan_received(hdr, len, internaldate, &r, &why) < 0) {
		b->stats->skipped++;
		warn(b->hooks, "UID %lu: skipped: %s", (unsigned long)uid, why);
		scan_received_free(&r);
		return;
	}
	/* Nobody, or the user (the digest itself lands in the inbox). */
	if (r.from == NULL || meet_is_me(b->cfg, r.from)) {
		scan_received_free(&r);
		return;
	}
	c = config_contact_by_addr(b->cfg, r.from);
	if ((n = store_checkbacks_answer(b->st, r.from, r.at, &b->err)) < 0)
		goto done;
	ended += n;
	for (size_t i = 0; c != NULL && i < c->nemails; i++) {
		if (c->emails[i][0] == '@' || strcmp(c->emails[i], r.from) == 0)
			continue;
		if ((n = store_checkbacks_answer(b->st, c->emails[i], r.at, &b->err)) < 0)
			goto done;
		ended += n;
	}
	b->stats->answered += (size_t)ended;
	if (c != NULL || ended > 0) {
		char *subject = scan_subject(r.subject);
		int rc = store_received_add(b->st, r.key, r.from, r.at, subject, b->acct->name,
		    &added, &b->err);

		free(subject);
		if (rc < 0)
			goto done;
	}
	b->stats->received += added;
done:
	scan_received_free(&r);
}

static void
one_message(void *arg, uint32_t uid, time_t internaldate, const char *hdr, size_t len)
{
	struct batch *b = arg;
	struct scan_result r;
	const char *why = NULL;

	if (!asked_once(b, uid))
		return;
	b->stats->messages++;
	if (b->err != NULL)
		return;
	if (b->inbox) {
		one_received(b, uid, internaldate, hdr, len);
		return;
	}
	if (scan_message(b->cfg, hdr, len, internaldate, &r, &why) < 0) {
		b->stats->skipped++;
		warn(b->hooks, "UID %lu: skipped: %s", (unsigned long)uid, why);
		scan_result_free(&r);
		return;
	}
	if (r.bad_addresses > 0)
		warn(b->hooks, "UID %lu: %zu recipient%s skipped: %s", (unsigned long)uid,
		    r.bad_addresses, r.bad_addresses == 1 ? "" : "s", r.warning);
	else if (r.warning != NULL)
		warn(b->hooks, "UID %lu: %s", (unsigned long)uid, r.warning);
	if (r.bulk)
		b->stats->bulk++;
	if (r.digest_reply_elsewhere) {
		warn(b->hooks, "UID %lu: answers a digest but is addressed to others too: "
		    "not read as a reply", (unsigned long)uid);
	} else if (r.digest_reply && !answers_sent_digest(b, uid, &r)) {
		/* Made up, or a digest's Message-ID copied from somewhere: nothing
		 * a third party wrote is applied. */
		if (b->err != NULL)
			goto done;
	} else if (r.digest_reply && r.at < b->now - SYNC_REPLY_MAX_AGE) {
		/* A reply from long ago (a first scan of an old mailbox, a
		 * folder read again) is history: its commands are not news. */
		warn(b->hooks, "UID %lu: the reply <%s> is more than %ld days old: not applied",
		    (unsigned long)uid, r.key, SYNC_REPLY_MAX_AGE / 86400);
	} else if (r.digest_reply && store_reply_pending_add(b->st, r.key, b->acct->name,
	    b->folder, uid, r.at, &b->err) < 0)
		goto done;
	if (!r.bulk && others(b, &r) < 0)
		goto done;
	for (size_t i = 0; i < r.nhits; i++) {
		struct store_touch t = {
			.key = r.key, .address = r.hits[i], .at = r.at,
			.via = VIA_EMAIL, .source = "imap", .account = b->acct->name,
			.subject = r.subject,
		};
		bool added = false;

		if (store_add_touch(b->st, &t, &added, &b->err) < 0)
			break;
		b->stats->touches += added;
	}
done:
	scan_result_free(&r);
}

/* Records one fetched batch and the folder's new last UID. Batches share
 * a transaction until SYNC_COMMIT messages are in it (or until the last
 * batch): a commit rewrites every B-tree page it touched, so few large
 * ones are much cheaper than many small ones. 0, or -1 with *err (the
 * open transaction rolled back). */
static int
record(struct batch *b, void (*each)(const void *, imap_msg_fn, void *), const void *ib,
    const uint32_t *uids, size_t count, bool last_one, const char *folder,
    uint32_t uidvalidity, uint32_t last, time_t now, char **err)
{
	if (!b->open) {
		if (store_begin(b->st, err) < 0)
			return -1;
		b->open = true;
		b->pending = 0;
	}
	if (ib != NULL) {
		b->asked = uids;
		b->nasked = count;
		b->answered = xcalloc(count, sizeof *b->answered);
		each(ib, one_message, b);
		free(b->answered);
		b->answered = NULL;
	}
	b->pending += count;
	if (b->err != NULL) {
		*err = b->err;
		b->err = NULL;
		goto bad;
	}
	if (store_folder_set(b->st, b->acct->name, folder, uidvalidity, last, now, err) < 0)
		goto bad;
	if (last_one || b->pending >= SYNC_COMMIT) {
		b->open = false;
		if (tally_end(b, true, err) < 0)
			goto bad;
		if (store_commit(b->st, err) < 0)
			return -1;
	}
	return 0;
bad:
	b->open = false;
	tally_end(b, false, err);
	store_rollback(b->st);
	return -1;
}

/* A large scan runs in two threads: this one fetches batch k + 1 from the
 * server while a recorder thread parses and stores batch k. They meet at
 * a short queue, so that neither waits for a slow turn of the other. */
#define SYNC_QUEUE 4
struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct {
		void *batch;
		const uint32_t *uids;  /* those it asked for */
		size_t count;
		bool last;             /* the last batch of the scan */
	} q[SYNC_QUEUE];           /* handed over, not yet taken */
	size_t head, len;
	/* Recorded batches go back to the fetcher to be freed: libetpan frees
	 * their strings under a process-wide lock that its parser takes too,
	 * so freeing them in the recorder makes the two threads queue. */
	void *spent[SYNC_QUEUE + 1];
	size_t nspent;
	bool closed;               /* no more batches */
	/* How a batch is read and freed: the source's batches, or the
	 * stream's (struct sbatch). */
	void (*each)(const void *batch, imap_msg_fn fn, void *arg);
	void (*release)(void *batch);
	bool failed;               /* the recorder stopped on an error */
	char *err;
	struct batch b;
	const char *folder;
	uint32_t uidvalidity;
	time_t now;
	size_t done, total;
};

/* The recorder's end on a store error: the fetcher stops at its next
 * batch. */
static void
pipe_fail(struct pipe *p, char *err)
{
	pthread_mutex_lock(&p->mu);
	p->failed = true;
	p->err = err;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* Commits what the recorder has open; false after pipe_fail. */
static bool
commit_open(struct pipe *p)
{
	char *err = NULL;

	if (!p->b.open)
		return true;
	p->b.open = false;
	if (tally_end(&p->b, true, &err) < 0 || store_commit(p->b.st, &err) < 0) {
		store_rollback(p->b.st);
		pipe_fail(p, err);
		return false;
	}
	return true;
}

static void *
recorder(void *arg)
{
	struct pipe *p = arg;
	for (;;) {
		void *ib;
		const uint32_t *uids;
		size_t count;
		bool taken = false, last_one;
		char *err = NULL;

		pthread_mutex_lock(&p->mu);
		while (p->len == 0 && !p->closed) {
			struct timespec until;

			if (!p->b.open) {
				pthread_cond_wait(&p->cv, &p->mu);
				continue;
			}
			/* Nothing to record and a transaction open: the fetcher
			 * waits on the server. The write lock is not held across
			 * that wait, which a stalled server could make endless. */
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += SYNC_IDLE_COMMIT_MS * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			if (pthread_cond_timedwait(&p->cv, &p->mu, &until) != ETIMEDOUT ||
			    p->len > 0 || p->closed)
				continue;
			pthread_mutex_unlock(&p->mu);
			if (!commit_open(p))
				return NULL;
			pthread_mutex_lock(&p->mu);
		}
		ib = NULL;
		uids = NULL;
		count = 0;
		last_one = true;
		if (p->len > 0) {
			taken = true;
			ib = p->q[p->head].batch;
			uids = p->q[p->head].uids;
			count = p->q[p->head].count;
			/* The last one, whether the scan ended or stopped early. */
			last_one = p->q[p->head].last || (p->len == 1 && p->closed);
			p->head = (p->head + 1) % SYNC_QUEUE;
			p->len--;
		}
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (!taken) {
			/* Closed and drained; the fetcher stopped early (a
			 * server error): keep what was recorded. */
			commit_open(p);
			return NULL;
		}
		if (record(&p->b, p->each, ib, uids, count, last_one, p->folder,
		    p->uidvalidity, uids[count - 1], p->now, &err) < 0) {
			p->release(ib);
			pipe_fail(p, err);
			return NULL;
		}
		pthread_mutex_lock(&p->mu);
		if (p->nspent == SYNC_QUEUE + 1)
			p->release(ib);   /* the fetcher is behind: do it here */
		else
			p->spent[p->nspent++] = ib;
		pthread_mutex_unlock(&p->mu);
		p->done += count;
		if (p->done > p->total)
			p->total = p->done;   /* a stream's total is an estimate */
		if (p->b.hooks != NULL && p->b.hooks->progress != NULL)
			p->b.hooks->progress(p->b.hooks->arg, p->done, p->total);
	}
}

static enum imap_rc pipe_end(struct pipe *p, pthread_t th, enum imap_rc rc, char **err);

/* Fetches the batches and hands them to the recorder. */
static enum imap_rc
pipeline(void *conn, struct pipe *p, const uint32_t *uids, size_t n, char **err)
{
	const struct mbox_ops *ops = p->b.ops;
	pthread_t th;
	enum imap_rc rc = IMAP_OK;

	p->each = ops->batch_each;
	p->release = ops->batch_free;
	if (pthread_create(&th, NULL, recorder, p) != 0) {
		*err = xstrdup("cannot start a thread");
		return IMAP_TEMP;
	}
	for (size_t done = 0; done < n;) {
		size_t k = n - done < SYNC_BATCH ? n - done : SYNC_BATCH;
		void *ib = NULL, *spent[SYNC_QUEUE + 1];
		size_t nspent;
		bool failed;

		pthread_mutex_lock(&p->mu);
		failed = p->failed;
		nspent = p->nspent;
		memcpy(spent, p->spent, nspent * sizeof *spent);
		p->nspent = 0;
		pthread_mutex_unlock(&p->mu);
		for (size_t i = 0; i < nspent; i++)
			ops->batch_free(spent[i]);
		if (failed)
			break;
		if (p->b.hooks != NULL && p->b.hooks->stop != NULL &&
		    p->b.hooks->stop(p->b.hooks->arg)) {
			*err = xstrdup("scan interrupted");
			rc = IMAP_TEMP;
			break;
		}
		if ((rc = ops->fetch_batch(conn, uids + done, k, &ib, err)) != IMAP_OK)
			break;
		pthread_mutex_lock(&p->mu);
		while (p->len == SYNC_QUEUE && !p->failed)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->failed) {
			pthread_mutex_unlock(&p->mu);
			ops->batch_free(ib);
			break;
		}
		{
			size_t tail = (p->head + p->len) % SYNC_QUEUE;

			p->q[tail].batch = ib;
			p->q[tail].uids = uids + done;
			p->q[tail].count = k;
			p->q[tail].last = done + k >= n;
			p->len++;
		}
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		done += k;
	}
	return pipe_end(p, th, rc, err);
}

/* Closes the queue, waits for the recorder and frees what is left: the
 * scan's result. */
static enum imap_rc
pipe_end(struct pipe *p, pthread_t th, enum imap_rc rc, char **err)
{
	pthread_mutex_lock(&p->mu);
	p->closed = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(th, NULL);
	for (size_t i = 0; i < p->nspent; i++)
		p->release(p->spent[i]);
	p->nspent = 0;
	/* A recorder that stopped on an error leaves the queue as it was. */
	for (; p->len > 0; p->len--, p->head = (p->head + 1) % SYNC_QUEUE)
		p->release(p->q[p->head].batch);
	if (p->failed) {
		if (rc != IMAP_OK)
			free(*err);
		*err = p->err;
		p->err = NULL;
		return IMAP_FINAL;
	}
	return rc;
}

/* ---- the stream: the whole scan as one command ------------------------ */

/* Where a source can (ops->fetch_stream), the scan is one UID FETCH
 * first:* read as it arrives: no UID list to keep (a million of them
 * made libetpan hold about 60 MB), no round trip per batch. The messages
 * are cut into batches of SYNC_BATCH here, copied into one buffer each,
 * and handed to the recorder as the others are. */
struct smsg {
	uint32_t uid;
	time_t at;
	size_t off, len;           /* in bytes */
};

struct sbatch {
	struct smsg *m;
	size_t n, cap;
	struct buf bytes;          /* the header blocks, one after the other */
	uint32_t *asked;           /* the UIDs, ascending, once each */
	size_t nasked;
};

static void
sbatch_each(const void *batch, imap_msg_fn fn, void *arg)
{
	const struct sbatch *sb = batch;

	for (size_t i = 0; i < sb->n; i++)
		fn(arg, sb->m[i].uid, sb->m[i].at,
		    sb->bytes.data != NULL ? sb->bytes.data + sb->m[i].off : "", sb->m[i].len);
}

static void
sbatch_free(void *batch)
{
	struct sbatch *sb = batch;

	if (sb == NULL)
		return;
	free(sb->m);
	buf_free(&sb->bytes);
	free(sb->asked);
	free(sb);
}

struct streamer {
	struct pipe *p;
	/* The lowest UID still to read: first, then past the batches handed
	 * over. An answer may hold a message below first (first:* names the
	 * last one when none is new) or one again (a flag change during the
	 * answer); a batch's asked UIDs are those it got, so they are sorted
	 * out here. Answers come in UID order: what is below the last
	 * handed over was read. */
	uint64_t next;
	struct sbatch *cur;        /* being filled */
	size_t handed;             /* batches handed over */
	bool stopped;              /* the rest is not kept: see why below */
	bool interrupted;          /* the stop hook said so */
};

/* Hands sb over to the recorder (the last of the scan with last); false
 * when the recorder has failed (sb is freed). */
static bool
hand_over(struct streamer *s, struct sbatch *sb, bool last)
{
	struct pipe *p = s->p;
	void *spent[SYNC_QUEUE + 1];
	size_t nspent;

	sb->asked = xmalloc(sb->n * sizeof *sb->asked);
	for (size_t i = 0; i < sb->n; i++)
		sb->asked[i] = sb->m[i].uid;
	sb->nasked = uids_sort(sb->asked, sb->n);
	s->next = (uint64_t)sb->asked[sb->nasked - 1] + 1;
	pthread_mutex_lock(&p->mu);
	nspent = p->nspent;
	memcpy(spent, p->spent, nspent * sizeof *spent);
	p->nspent = 0;
	while (p->len == SYNC_QUEUE && !p->failed)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->failed) {
		pthread_mutex_unlock(&p->mu);
		sbatch_free(sb);
		for (size_t i = 0; i < nspent; i++)
			sbatch_free(spent[i]);
		return false;
	}
	{
		size_t tail = (p->head + p->len) % SYNC_QUEUE;

		p->q[tail].batch = sb;
		p->q[tail].uids = sb->asked;
		p->q[tail].count = sb->nasked;
		p->q[tail].last = last;
		p->len++;
	}
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	/* Freed here, not in the recorder: see struct pipe. */
	for (size_t i = 0; i < nspent; i++)
		sbatch_free(spent[i]);
	s->handed++;
	return true;
}

static void
stream_msg(void *arg, uint32_t uid, time_t at, const char *hdr, size_t len)
{
	struct streamer *s = arg;
	const struct sync_hooks *h = s->p->b.hooks;
	struct sbatch *sb;

	if (s->stopped || uid < s->next)
		return;   /* the answer read to its end, kept nowhere; or read before */
	if ((sb = s->cur) == NULL)
		sb = s->cur = xcalloc(1, sizeof *sb);
	if (sb->n == sb->cap) {
		sb->cap = sb->cap ? 2 * sb->cap : 64;
		sb->m = xrealloc(sb->m, sb->cap * sizeof *sb->m);
	}
	sb->m[sb->n++] = (struct smsg){ uid, at, sb->bytes.len, len };
	buf_append(&sb->bytes, hdr, len);
	if (sb->n < SYNC_BATCH)
		return;
	s->cur = NULL;
	if (!hand_over(s, sb, false)) {
		s->stopped = true;
	} else if (h != NULL && h->stop != NULL && h->stop(h->arg)) {
		s->stopped = true;
		s->interrupted = true;
	}
}

static enum imap_rc
stream_pipeline(const struct mbox_ops *ops, void *conn, struct pipe *p, uint32_t first,
    char **err)
{
	struct streamer s = { .p = p, .next = first };
	pthread_t th;
	enum imap_rc rc;

	p->each = sbatch_each;
	p->release = sbatch_free;
	if (pthread_create(&th, NULL, recorder, p) != 0) {
		*err = xstrdup("cannot start a thread");
		return IMAP_TEMP;
	}
	rc = ops->fetch_stream(conn, first, stream_msg, &s, err);
	if (rc == IMAP_OK && s.interrupted) {
		*err = xstrdup("scan interrupted");
		rc = IMAP_TEMP;
	}
	/* What came after the last whole batch: recorded when the answer
	 * ended well, else read again next time. */
	if (rc == IMAP_OK && !s.stopped && s.cur != NULL) {
		hand_over(&s, s.cur, true);
		s.cur = NULL;
	}
	sbatch_free(s.cur);
	rc = pipe_end(p, th, rc, err);
	if (rc == IMAP_OK && s.handed == 0 &&
	    record(&p->b, sbatch_each, NULL, NULL, 0, true, p->folder, p->uidvalidity,
	    first - 1, p->now, err) < 0)
		rc = IMAP_FINAL;   /* nothing new: the UIDVALIDITY and the time */
	return rc;
}

struct pending_reply {
	char *message_id;
	uint32_t uid;
	time_t at;
	int attempts;
};

struct pending_list {
	struct pending_reply *v;
	size_t n, cap;
};

static int
collect_reply(const char *message_id, uint32_t uid, time_t at, int attempts, void *arg)
{
	struct pending_list *l = arg;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = (struct pending_reply){ xstrdup(message_id), uid, at, attempts };
	return 0;
}

/* Reads and applies the replies to the digest that the scan found: each
 * one's text fetched, its commands applied once, in one transaction. A
 * reply that cannot be fetched now stays pending for the next sync. */
static enum imap_rc
sync_replies(const struct mbox_ops *ops, void *conn, const struct config *cfg,
    const struct imap_account *a, struct store *st, const char *folder, time_t now,
    const struct sync_hooks *hooks, struct sync_stats *stats, char **err)
{
	struct pending_list l = { 0 };
	enum imap_rc rc = IMAP_OK;

	if (store_reply_pending_each(st, a->name, folder, collect_reply, &l, err) < 0)
		return IMAP_FINAL;
	for (size_t i = 0; i < l.n && rc == IMAP_OK; i++) {
		struct pending_reply *p = &l.v[i];
		struct control_result res;
		char *text = NULL;
		bool html;

		if (p->attempts >= SYNC_REPLY_TRIES) {
			/* One the server or libetpan cannot give us must not hold
			 * up the others: it is given up, and the digest says so. */
			warn(hooks, "UID %lu: the reply <%s> could not be read in %d tries: given up",
			    (unsigned long)p->uid, p->message_id, SYNC_REPLY_TRIES);
			if (store_begin(st, err) < 0 ||
			    store_reply_line_add(st, p->message_id, p->at, "(a reply to the digest)",
			    false, "could not be read from the server: nothing in it was applied",
			    err) < 0 ||
			    store_reply_done(st, p->message_id, now, err) < 0 ||
			    store_commit(st, err) < 0) {
				store_rollback(st);
				rc = IMAP_FINAL;
			}
			continue;
		}
		/* The try is counted before it is made: a fetch that crashes
		 * followupd (or hangs until it is killed) still counts, so that
		 * one reply cannot stop every later sync for ever. */
		if (store_begin(st, err) < 0 || store_reply_failed(st, p->message_id, err) < 0 ||
		    store_commit(st, err) < 0) {
			store_rollback(st);
			rc = IMAP_FINAL;
			break;
		}
		if ((rc = ops->fetch_text(conn, p->uid, &text, &html, err)) != IMAP_OK)
			break;
		if (text == NULL) {
			warn(hooks, "UID %lu: the reply <%s> has no text to read: skipped",
			    (unsigned long)p->uid, p->message_id);
			if (store_reply_drop(st, p->message_id, err) < 0)
				rc = IMAP_FINAL;
			continue;
		}
		if (html) {
			char *plain = reply_html_text(text);

			free(text);
			text = plain;
		}
		if (control_apply_reply(cfg, st, p->message_id, p->at, text, now, &res, err) < 0)
			rc = IMAP_FINAL;
		else if (!res.again) {
			stats->replies++;
			stats->commands += res.applied;
			stats->refused += res.refused;
		}
		free(text);
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].message_id);
	free(l.v);
	return rc;
}

/* The UIDs past last. A server whose SEARCH answers less than EXAMINE
 * said (GNU imap4d answers an empty SEARCH for a folder of 300) is asked
 * again with UID FETCH; what is still missing is said, not taken for an
 * empty folder. */
static enum imap_rc
new_uids(const struct mbox_ops *ops, void *conn, const char *folder,
    const struct imap_folder *info, uint32_t last, const struct sync_hooks *hooks,
    uint32_t **uids, size_t *n, char **err)
{
	enum imap_rc rc = ops->search_from(conn, last + 1, uids, n, err);
	bool short_read;

	if (rc != IMAP_OK)
		return rc;
	*n = uids_sort(*uids, *n);
	short_read = last == 0 ? *n < info->exists : *n == 0 && info->uidnext > last + 1;
	if (!short_read)
		return rc;
	free(*uids);
	*uids = NULL;
	if ((rc = ops->fetch_uids_from(conn, last + 1, uids, n, err)) != IMAP_OK)
		return rc;
	*n = uids_sort(*uids, *n);
	if (last == 0 && *n < info->exists)
		warn(hooks, "folder \"%s\" holds %lu messages, the server says, but it lists "
		    "only %zu of them (by UID SEARCH and UID FETCH): the others cannot be read",
		    folder, (unsigned long)info->exists, *n);
	return IMAP_OK;
}

/* Sent (inbox false) or the inbox. */
static enum imap_rc
scan_folder(const struct mbox_ops *ops, void *conn, const struct config *cfg,
    const struct imap_account *a, struct store *st, const char *folder, time_t now,
    const struct sync_hooks *hooks, struct sync_stats *stats, bool inbox, char **err)
{
	struct imap_folder info;
	struct batch b = { .ops = ops, .cfg = cfg, .acct = a, .folder = folder, .now = now,
	    .st = st, .hooks = hooks, .stats = stats, .inbox = inbox };
	uint32_t old_validity = 0, last = 0, *uids = NULL;
	size_t n = 0;
	enum imap_rc rc;
	int known;

	memset(stats, 0, sizeof *stats);
	if ((rc = ops->examine(conn, folder, &info, err)) != IMAP_OK)
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
	/* Read from the start: the counts of non-contacts start again too,
	 * and pending replies are found again under their new UIDs. */
	if (last == 0 && !inbox && (store_correspondents_reset(st, a->name, folder, err) < 0 ||
	    store_reply_pending_reset(st, a->name, folder, err) < 0))
		return IMAP_FINAL;
	if (ops->fetch_stream != NULL) {
		/* The total is what the folder's counts say may be new. */
		struct pipe p = {
			.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER,
			.b = b, .folder = folder, .uidvalidity = info.uidvalidity,
			.now = now,
			.total = last == 0 ? info.exists : info.uidnext > last + 1 ?
			    info.uidnext - last - 1 : 0,
		};

		if (hooks != NULL && hooks->progress != NULL)
			hooks->progress(hooks->arg, 0, p.total);
		rc = stream_pipeline(ops, conn, &p, last + 1, err);
		pthread_mutex_destroy(&p.mu);
		pthread_cond_destroy(&p.cv);
		if (rc == IMAP_OK && !inbox)
			rc = sync_replies(ops, conn, cfg, a, st, folder, now, hooks, stats, err);
		return rc;
	}
	if ((rc = new_uids(ops, conn, folder, &info, last, hooks, &uids, &n, err)) != IMAP_OK) {
		free(uids);
		return rc;
	}
	if (hooks != NULL && hooks->progress != NULL)
		hooks->progress(hooks->arg, 0, n);
	if (n <= SYNC_BATCH) {
		/* Nothing to overlap: one batch (or none, which still records
		 * the UIDVALIDITY and the time of the sync). */
		void *ib = NULL;

		if (n > 0 && (rc = ops->fetch_batch(conn, uids, n, &ib, err)) != IMAP_OK) {
			free(uids);
			return rc;
		}
		if (record(&b, ops->batch_each, ib, uids, n, true, folder, info.uidvalidity,
		    n > 0 ? uids[n - 1] : last, now, err) < 0)
			rc = IMAP_FINAL;
		else if (n > 0 && hooks != NULL && hooks->progress != NULL)
			hooks->progress(hooks->arg, n, n);
		if (ib != NULL)
			ops->batch_free(ib);
	} else {
		struct pipe p = {
			.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER,
			.b = b, .folder = folder, .uidvalidity = info.uidvalidity,
			.now = now, .total = n,
		};

		rc = pipeline(conn, &p, uids, n, err);
		pthread_mutex_destroy(&p.mu);
		pthread_cond_destroy(&p.cv);
	}
	free(uids);
	if (rc == IMAP_OK && !inbox)
		rc = sync_replies(ops, conn, cfg, a, st, folder, now, hooks, stats, err);
	return rc;
}

enum imap_rc
sync_folder_src(const struct mbox_ops *ops, void *conn, const struct config *cfg,
    const struct imap_account *a, struct store *st, const char *folder, time_t now,
    const struct sync_hooks *hooks, struct sync_stats *stats, char **err)
{
	return scan_folder(ops, conn, cfg, a, st, folder, now, hooks, stats, false, err);
}

enum imap_rc
sync_folder(struct imap *c, const struct config *cfg, const struct imap_account *a,
    struct store *st, const char *folder, time_t now, const struct sync_hooks *hooks,
    struct sync_stats *stats, char **err)
{
	return sync_folder_src(&imap_mbox_ops, c, cfg, a, st, folder, now, hooks, stats, err);
}

enum imap_rc
sync_inbox_src(const struct mbox_ops *ops, void *conn, const struct config *cfg,
    const struct imap_account *a, struct store *st, const char *folder, time_t now,
    const struct sync_hooks *hooks, struct sync_stats *stats, char **err)
{
	return scan_folder(ops, conn, cfg, a, st, folder, now, hooks, stats, true, err);
}

enum imap_rc
sync_inbox(struct imap *c, const struct config *cfg, const struct imap_account *a,
    struct store *st, const char *folder, time_t now, const struct sync_hooks *hooks,
    struct sync_stats *stats, char **err)
{
	return sync_inbox_src(&imap_mbox_ops, c, cfg, a, st, folder, now, hooks, stats, err);
}
