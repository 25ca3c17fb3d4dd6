#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "fakembox.h"

static const char *const op_names[FAKEMBOX_NOPS] = {
	"EXAMINE", "UID SEARCH", "UID FETCH (UID)", "UID FETCH", "UID FETCH BODY",
	"UID FETCH first:*",
};

/* Counts a call of op; IMAP_OK, or the failure the switches ask for (at
 * once: see called). */
static enum imap_rc
counted(struct fakembox *f, enum fakembox_op op, char **err)
{
	unsigned k = ++f->ever[op];

	f->calls[op]++;
	if (f->fail[op].from == 0 || k < f->fail[op].from ||
	    (f->fail[op].to != 0 && k >= f->fail[op].to))
		return IMAP_OK;
	*err = xasprintf("%s failed (call %u, as the test asked)", op_names[op], k);
	return f->fail[op].rc;
}

static void
fail_wait(const struct fakembox *f)
{
	struct timespec ts = { f->fail_wait_ms / 1000, (long)(f->fail_wait_ms % 1000) * 1000000L };

	if (f->fail_wait_ms > 0)
		nanosleep(&ts, NULL);
}

/* counted, and a failure takes its time before it is told. */
static enum imap_rc
called(struct fakembox *f, enum fakembox_op op, char **err)
{
	enum imap_rc rc = counted(f, op, err);

	if (rc != IMAP_OK)
		fail_wait(f);
	return rc;
}

static struct fakembox_msg *
find(struct fakembox *f, uint32_t uid)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->msgs[i].uid == uid)
			return &f->msgs[i];
	return NULL;
}

static enum imap_rc
fake_examine(void *conn, const char *folder, struct imap_folder *out, char **err)
{
	struct fakembox *f = conn;
	enum imap_rc rc = called(f, FAKEMBOX_EXAMINE, err);

	if (rc != IMAP_OK)
		return rc;
	if (strcmp(folder, f->folder) != 0) {
		*err = xasprintf("no folder \"%s\"", folder);
		return IMAP_FINAL;
	}
	out->uidvalidity = f->uidvalidity;
	out->uidnext = f->uidnext;
	out->exists = (uint32_t)f->n;
	return IMAP_OK;
}

static void
list_from(struct fakembox *f, uint32_t first, uint32_t **uids, size_t *n)
{
	*uids = xcalloc(f->n + 1, sizeof **uids);
	*n = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->msgs[i].uid >= first)
			(*uids)[(*n)++] = f->msgs[i].uid;
}

static enum imap_rc
fake_search_from(void *conn, uint32_t first, uint32_t **uids, size_t *n, char **err)
{
	struct fakembox *f = conn;
	enum imap_rc rc = called(f, FAKEMBOX_SEARCH, err);

	*uids = NULL;
	*n = 0;
	if (rc != IMAP_OK)
		return rc;
	list_from(f, first, uids, n);
	if (f->search_blind)
		*n = 0;
	return IMAP_OK;
}

static enum imap_rc
fake_fetch_uids_from(void *conn, uint32_t first, uint32_t **uids, size_t *n, char **err)
{
	struct fakembox *f = conn;
	enum imap_rc rc = called(f, FAKEMBOX_FETCH_UIDS, err);

	*uids = NULL;
	*n = 0;
	if (rc != IMAP_OK)
		return rc;
	list_from(f, first, uids, n);
	return IMAP_OK;
}

/* What one FETCH answered: copies, so that the folder may change while
 * another thread reads it. */
struct fake_batch {
	struct fakembox_msg *v;
	size_t n;
};

static void
answer(struct fake_batch *b, const struct fakembox_msg *m)
{
	struct fakembox_msg *a = &b->v[b->n++];

	a->uid = m->uid;
	a->internaldate = m->internaldate;
	a->header = xstrdup(m->header);
}

static enum imap_rc
fake_fetch_batch(void *conn, const uint32_t *uids, size_t n, void **out, char **err)
{
	struct fakembox *f = conn;
	enum imap_rc rc = called(f, FAKEMBOX_FETCH_BATCH, err);
	struct fake_batch *b;

	*out = NULL;
	if (rc != IMAP_OK)
		return rc;
	f->fetched += n;
	if (n > f->largest_fetch)
		f->largest_fetch = n;
	b = xcalloc(1, sizeof *b);
	b->v = xcalloc(n + 1 + f->nunasked, sizeof *b->v);
	for (size_t i = 0; i < n; i++) {
		const struct fakembox_msg *m = find(f, uids[i]);

		if (f->first_fetched == 0 || uids[i] < f->first_fetched)
			f->first_fetched = uids[i];
		if (m == NULL)
			continue;   /* expunged: a server answers nothing */
		answer(b, m);
		if (f->twice && b->n == 1)
			answer(b, m);
	}
	for (size_t i = 0; i < f->nunasked; i++)
		answer(b, &f->unasked[i]);
	*out = b;
	return IMAP_OK;
}

static void
fake_batch_each(const void *batch, imap_msg_fn fn, void *arg)
{
	const struct fake_batch *b = batch;

	for (size_t i = 0; b != NULL && i < b->n; i++)
		fn(arg, b->v[i].uid, b->v[i].internaldate, b->v[i].header,
		    strlen(b->v[i].header));
}

static void
fake_batch_free(void *batch)
{
	struct fake_batch *b = batch;

	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].header);
	free(b->v);
	free(b);
}

static enum imap_rc
fake_fetch_text(void *conn, uint32_t uid, char **text, bool *html, char **err)
{
	struct fakembox *f = conn;
	enum imap_rc rc = called(f, FAKEMBOX_FETCH_TEXT, err);
	const struct fakembox_msg *m;

	*text = NULL;
	*html = false;
	if (rc != IMAP_OK)
		return rc;
	if ((m = find(f, uid)) != NULL && m->text != NULL) {
		*text = xstrdup(m->text);
		*html = m->html;
	}
	return IMAP_OK;
}

/* A stream's answer so far: a failing one stops after limit messages. */
struct stream_out {
	imap_msg_fn fn;
	void *arg;
	size_t sent, limit;
};

/* Answers m; false when the answer is cut off before it. */
static bool
send_one(struct stream_out *o, const struct fakembox_msg *m)
{
	if (o->sent == o->limit)
		return false;
	o->sent++;
	o->fn(o->arg, m->uid, m->internaldate, m->header, strlen(m->header));
	return true;
}

static enum imap_rc
fake_fetch_stream(void *conn, uint32_t first, imap_msg_fn fn, void *arg, char **err)
{
	struct fakembox *f = conn;
	/* A connection dropped mid-answer: what came before the drop was
	 * answered, the failure is known only when it has all been read. */
	enum imap_rc rc = counted(f, FAKEMBOX_FETCH_STREAM, err);
	struct stream_out o = { fn, arg, 0, rc == IMAP_OK ? SIZE_MAX : f->stream_fail_after };
	bool more = true;
	size_t from = 0;

	while (from < f->n && f->msgs[from].uid < first)
		from++;
	f->fetched += f->n - from;
	if (f->n - from > f->largest_fetch)
		f->largest_fetch = f->n - from;
	if (f->first_fetched == 0 || first < f->first_fetched)
		f->first_fetched = first;
	for (size_t i = from; more && i < f->n; i++) {
		more = send_one(&o, &f->msgs[i]);
		if (more && f->twice && i == from)
			more = send_one(&o, &f->msgs[i]);
	}
	/* first:* with first past the last UID is last:first. */
	if (more && from == f->n && f->n > 0)
		more = send_one(&o, &f->msgs[f->n - 1]);
	for (size_t i = 0; more && i < f->nunasked; i++)
		more = send_one(&o, &f->unasked[i]);
	if (rc != IMAP_OK)
		fail_wait(f);
	return rc;
}

const struct mbox_ops fakembox_ops = {
	.examine = fake_examine,
	.search_from = fake_search_from,
	.fetch_uids_from = fake_fetch_uids_from,
	.fetch_batch = fake_fetch_batch,
	.batch_each = fake_batch_each,
	.batch_free = fake_batch_free,
	.fetch_text = fake_fetch_text,
};

const struct mbox_ops fakembox_stream_ops = {
	.examine = fake_examine,
	.search_from = fake_search_from,
	.fetch_uids_from = fake_fetch_uids_from,
	.fetch_batch = fake_fetch_batch,
	.batch_each = fake_batch_each,
	.batch_free = fake_batch_free,
	.fetch_text = fake_fetch_text,
	.fetch_stream = fake_fetch_stream,
};

void
fakembox_init(struct fakembox *f, const char *folder, uint32_t uidvalidity)
{
	memset(f, 0, sizeof *f);
	f->folder = xstrdup(folder);
	f->uidvalidity = uidvalidity;
	f->uidnext = 1;
}

static void
msg_free(struct fakembox_msg *m)
{
	free(m->header);
	free(m->text);
}

void
fakembox_free(struct fakembox *f)
{
	for (size_t i = 0; i < f->n; i++)
		msg_free(&f->msgs[i]);
	fakembox_unasked_clear(f);
	free(f->msgs);
	free(f->folder);
	memset(f, 0, sizeof *f);
}

uint32_t
fakembox_add(struct fakembox *f, time_t internaldate, const char *header,
    const char *text, bool html)
{
	struct fakembox_msg *m;

	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->msgs = xrealloc(f->msgs, f->cap * sizeof *f->msgs);
	}
	m = &f->msgs[f->n++];
	m->uid = f->uidnext++;
	m->internaldate = internaldate;
	m->header = xstrdup(header);
	m->text = text != NULL ? xstrdup(text) : NULL;
	m->html = html;
	return m->uid;
}

void
fakembox_remove(struct fakembox *f, uint32_t uid)
{
	struct fakembox_msg *m = find(f, uid);

	if (m == NULL)
		return;
	msg_free(m);
	memmove(m, m + 1, (size_t)(f->msgs + f->n - (m + 1)) * sizeof *m);
	f->n--;
}

void
fakembox_renumber(struct fakembox *f, uint32_t uidvalidity, uint32_t first)
{
	f->uidvalidity = uidvalidity;
	f->uidnext = first;
	for (size_t i = 0; i < f->n; i++)
		f->msgs[i].uid = f->uidnext++;
}

void
fakembox_fail(struct fakembox *f, enum fakembox_op op, unsigned at, unsigned times,
    enum imap_rc rc)
{
	f->fail[op].from = f->ever[op] + at;
	f->fail[op].to = times == 0 ? 0 : f->fail[op].from + times;
	f->fail[op].rc = rc;
}

void
fakembox_unasked(struct fakembox *f, uint32_t uid, time_t internaldate,
    const char *header)
{
	struct fakembox_msg *m;

	if (f->nunasked == FAKEMBOX_UNASKED)
		abort();   /* a test asking for more than it can have */
	m = &f->unasked[f->nunasked++];
	m->uid = uid;
	m->internaldate = internaldate;
	m->header = xstrdup(header);
	m->text = NULL;
	m->html = false;
}

void
fakembox_unasked_clear(struct fakembox *f)
{
	for (size_t i = 0; i < f->nunasked; i++)
		msg_free(&f->unasked[i]);
	f->nunasked = 0;
}

void
fakembox_round(struct fakembox *f)
{
	memset(f->calls, 0, sizeof f->calls);
	f->fetched = 0;
	f->first_fetched = 0;
	f->largest_fetch = 0;
}
