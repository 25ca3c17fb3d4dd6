/* One refresh of a [meetings] source, in three steps: fetch what changed
 * (no transaction), read every object into the meetings of the window
 * (no transaction: a hostile calendar's cost never holds the state's
 * write lock), then write it all in one transaction. Bounded: at most
 * MEET_MAX_FETCH bytes fetched per refresh (the rest comes at the next),
 * MEET_MAX_KEPT bytes kept per source, MEET_MAX_MEETINGS meetings per
 * source, MEET_MAX_SAID problems said per object. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clean.h"
#include "hmap.h"
#include "icsmeet.h"
#include "meetpick.h"
#include "meetsync.h"
#include "secret.h"

/* The one object of an .ics address. */
#define MEET_ICS_HREF "calendar.ics"

/* A meeting read, with the people who count (o.people holds only them). */
struct mtg {
	struct icsm_occ o;
	char *href;
};

struct run {
	const struct config *cfg;
	const struct meet_source *src;
	const atomic_bool *cancel;
	time_t from, to;
	void (*log)(void *arg, const char *msg);
	void *arg;
	struct meet_stats *stats;
	struct hmap skip;          /* hrefs replaced or gone: not read from the store */
	struct hmap fresh;         /* hrefs fetched by this refresh: their problems are said */
	const char *href;          /* the object being read */
	bool quiet;                /* ... read before: its problems were said then */
	size_t said;               /* problems of this object */
	size_t kept;               /* bytes of the objects kept */
	struct mtg *v;             /* the meetings read */
	size_t n;
	bool full;                 /* MEET_MAX_MEETINGS reached */
};

static void
say(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct run *r, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	r->log(r->arg, buf_str(&b));
	buf_free(&b);
}

static bool
cancelled(const struct run *r)
{
	return r->cancel != NULL && atomic_load(r->cancel);
}

static void
event_error(void *arg, const char *uid, const char *message)
{
	struct run *r = arg;
	char *href;

	if (r->quiet)
		return;
	r->stats->errors++;
	if (r->said++ >= MEET_MAX_SAID)
		return;
	href = clean_dup(r->href);
	if (*uid)
		say(r, "%s: event '%s': %s", href, uid, message);
	else
		say(r, "%s: %s", href, message);
	free(href);
}

/* Keeps the occurrences of l with someone who counts, people pruned to
 * those; frees the rest. */
static void
take(struct run *r, struct icsm_list *l, const char *href)
{
	for (size_t i = 0; i < l->n; i++) {
		struct icsm_occ *oc = &l->v[i];
		size_t *idx = xcalloc(oc->npeople + 1, sizeof *idx);
		bool declined;
		size_t n = meet_people(r->cfg, oc, idx, &declined);
		struct icsm_person *keep = xcalloc(n + 1, sizeof *keep);

		for (size_t k = 0; k < n; k++) {
			keep[k] = oc->people[idx[k]];
			oc->people[idx[k]].addr = oc->people[idx[k]].name = NULL;
		}
		for (size_t k = 0; k < oc->npeople; k++) {
			free(oc->people[k].addr);
			free(oc->people[k].name);
		}
		free(oc->people);
		free(idx);
		oc->people = keep;
		oc->npeople = n;
		if (n == 0 || r->full) {
			if (n > 0 && r->full)
				r->stats->errors++;
			continue;   /* freed with the list */
		}
		if (r->n == MEET_MAX_MEETINGS) {
			r->full = true;
			r->stats->errors++;
			say(r, "more than %d meetings in the window: the rest is not read",
			    MEET_MAX_MEETINGS);
			continue;
		}
		r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
		r->v[r->n].o = *oc;
		r->v[r->n].href = xstrdup(href);
		r->n++;
		memset(oc, 0, sizeof *oc);   /* moved */
	}
	icsm_list_free(l);
}

/* Reads one object into the meetings. -1 when the refresh is stopped. */
static int
read_one(struct run *r, const char *href, const char *data, size_t len)
{
	struct icsm_list l = { 0 };

	if (cancelled(r))
		return -1;
	r->href = href;
	r->quiet = hmap_get(&r->fresh, href) == NULL;
	r->said = 0;
	r->stats->objects++;
	icsm_parse(data, len, r->from, r->to, &l, event_error, r);
	if (r->said > MEET_MAX_SAID) {
		char *h = clean_dup(href);

		say(r, "%s: %zu more problems not said", h, r->said - MEET_MAX_SAID);
		free(h);
	}
	take(r, &l, href);
	return 0;
}

static int
read_kept(const struct store_calobj *o, void *arg)
{
	struct run *r = arg;

	if (hmap_get(&r->skip, o->href) != NULL)
		return 0;
	r->kept += o->len;
	return read_one(r, o->href, o->data, o->len);
}

static void
run_free(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].href);
		icsm_occ_free(&r->v[i].o);
	}
	free(r->v);
	hmap_free(&r->skip);
	hmap_free(&r->fresh);
}

/* What is kept of a source: href -> etag, both owned by keep. */
struct kept {
	struct hmap etags;
	char **strings;
	size_t n;
};

static int
collect_kept(const struct store_calobj *o, void *arg)
{
	struct kept *k = arg;
	char *href = xstrdup(o->href), *etag = xstrdup(o->etag);

	k->strings = xrealloc(k->strings, (k->n + 2) * sizeof *k->strings);
	k->strings[k->n++] = href;
	k->strings[k->n++] = etag;
	hmap_put(&k->etags, href, etag);
	return 0;
}

static void
kept_free(struct kept *k)
{
	hmap_free(&k->etags);
	for (size_t i = 0; i < k->n; i++)
		free(k->strings[i]);
	free(k->strings);
}

/* What a refresh fetched: new or changed objects (data set), and hrefs
 * gone (data NULL). */
struct fetched {
	struct dav_list got;       /* owned */
	size_t bytes;
	bool more;                 /* MEET_MAX_FETCH reached: the rest next time */
	char **gone;
	size_t ngone;
};

static void
fetched_free(struct fetched *f)
{
	dav_list_free(&f->got);
	for (size_t i = 0; i < f->ngone; i++)
		free(f->gone[i]);
	free(f->gone);
}

static void
add_gone(struct fetched *f, const char *href)
{
	f->gone = xrealloc(f->gone, (f->ngone + 1) * sizeof *f->gone);
	f->gone[f->ngone++] = xstrdup(href);
}

static void
add_got(struct dav_list *l, const char *href, const char *etag, char *data, size_t len)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = (struct dav_item){ xstrdup(href), etag ? xstrdup(etag) : NULL, data, len,
		200 };
}

/* The listing against what is kept: the hrefs to fetch, and those gone. */
static char **
changed(const struct dav_list *list, const struct kept *k, struct fetched *f, size_t *n)
{
	struct hmap listed = { 0 };
	char **want = xcalloc(list->n + 1, sizeof *want);

	*n = 0;
	for (size_t i = 0; i < list->n; i++) {
		const char *etag = hmap_get(&k->etags, list->v[i].href);

		hmap_put(&listed, list->v[i].href, (void *)1);
		if (etag == NULL || list->v[i].etag == NULL || *etag == '\0' ||
		    strcmp(etag, list->v[i].etag) != 0)
			want[(*n)++] = list->v[i].href;
	}
	for (size_t i = 0; i < k->n; i += 2)
		if (hmap_get(&listed, k->strings[i]) == NULL)
			add_gone(f, k->strings[i]);
	hmap_free(&listed);
	return want;
}

static enum calfetch_rc
fetch_dav(const struct meet_source *src, const char *secret, time_t from, time_t to,
    const atomic_bool *cancel, const struct kept *k, struct fetched *f, char **err)
{
	struct dav_list list = { 0 };
	enum calfetch_rc rc = calfetch_dav_list(src, secret, from, to, cancel, &list, err);
	char **want;
	size_t n;

	if (rc != CALF_OK)
		return rc;
	want = changed(&list, k, f, &n);
	/* A slice at a time, until the refresh has fetched enough. */
	for (size_t i = 0; i < n && rc == CALF_OK; i += CALFETCH_BATCH) {
		size_t before = f->got.n;

		if (f->bytes >= MEET_MAX_FETCH) {
			f->more = true;
			break;
		}
		rc = calfetch_dav_get(src, secret, (const char *const *)want + i,
		    n - i < CALFETCH_BATCH ? n - i : CALFETCH_BATCH, cancel, &f->got, err);
		for (size_t j = before; j < f->got.n; j++)
			f->bytes += f->got.v[j].len;
	}
	free(want);
	dav_list_free(&list);
	return rc;
}

static enum calfetch_rc
fetch_dir(const struct meet_source *src, const struct kept *k, struct fetched *f,
    void (*log)(void *, const char *), void *arg, char **err)
{
	struct dav_list list = { 0 };
	enum calfetch_rc rc = calfetch_dir_list(src, &list, err);
	char **want;
	size_t n;

	if (rc != CALF_OK)
		return rc;
	want = changed(&list, k, f, &n);
	for (size_t i = 0; i < n; i++) {
		char *data = NULL, *e = NULL;
		size_t len = 0;
		const char *etag = "";

		if (f->bytes >= MEET_MAX_FETCH) {
			f->more = true;
			break;
		}
		for (size_t j = 0; j < list.n; j++)
			if (list.v[j].href == want[i] && list.v[j].etag != NULL)
				etag = list.v[j].etag;
		if (calfetch_dir_read(src, want[i], &data, &len, &e) != CALF_OK) {
			/* One unreadable file is that file's problem. */
			char *m = clean_dup(e);

			log(arg, m);
			free(m);
			free(e);
			continue;
		}
		f->bytes += len;
		add_got(&f->got, want[i], etag, data, len);
	}
	free(want);
	dav_list_free(&list);
	return CALF_OK;
}

static enum calfetch_rc
fetch_ics(const struct meet_source *src, const char *secret, const atomic_bool *cancel,
    const struct kept *k, struct fetched *f, char **err)
{
	const char *etag = hmap_get(&k->etags, MEET_ICS_HREF);
	char *body = NULL, *new_etag = NULL;
	size_t len = 0;
	enum calfetch_rc rc = calfetch_ics(src, secret, etag && *etag ? etag : NULL, cancel,
	    &body, &len, &new_etag, err);

	if (rc == CALF_OK)
		add_got(&f->got, MEET_ICS_HREF, new_etag, body, len);
	free(new_etag);
	return rc == CALF_NOT_MODIFIED ? CALF_OK : rc;
}

/* Step 1: what changed, from the network or the directory. */
static enum calfetch_rc
fetch(const struct meet_source *src, struct store *st, time_t from, time_t to,
    const atomic_bool *cancel, void (*log)(void *, const char *), void *arg,
    struct fetched *f, char **err)
{
	struct kept k = { 0 };
	char *secret = NULL;
	enum calfetch_rc rc;

	if (store_calobj_each(st, src->name, collect_kept, &k, err) < 0) {
		kept_free(&k);
		return CALF_FINAL;
	}
	if (src->kind != MSRC_DIR &&
	    (src->server.user != NULL || src->server.auth == AUTH_OAUTH2)) {
		int s = secret_fetch(&src->server, &secret, err);

		if (s < 0) {
			kept_free(&k);
			return s == SECRET_TEMP ? CALF_TEMP : CALF_FINAL;
		}
	}
	if (src->kind == MSRC_CALDAV)
		rc = fetch_dav(src, secret, from, to, cancel, &k, f, err);
	else if (src->kind == MSRC_ICS)
		rc = fetch_ics(src, secret, cancel, &k, f, err);
	else
		rc = fetch_dir(src, &k, f, log, arg, err);
	if (secret != NULL)
		secret_free(secret);
	kept_free(&k);
	return rc;
}

/* Step 3: the objects and the meetings, in one transaction. */
static int
write_all(struct run *r, struct store *st, const struct fetched *f, time_t now, char **err)
{
	const char *name = r->src->name;

	if (store_begin(st, err) < 0)
		return -1;
	for (size_t i = 0; i < f->got.n; i++) {
		const struct dav_item *it = &f->got.v[i];
		struct store_calobj o = { it->href, it->etag ? it->etag : "", it->data, it->len };

		if (it->data != NULL && hmap_get(&r->fresh, it->href) != NULL &&
		    store_calobj_put(st, name, &o, err) < 0)
			goto failed;
	}
	for (size_t i = 0; i < f->ngone; i++)
		if (store_calobj_drop(st, name, f->gone[i], err) < 0)
			goto failed;
	if (store_meetings_clear(st, name, r->from, err) < 0)
		goto failed;
	for (size_t i = 0; i < r->n; i++) {
		const struct icsm_occ *oc = &r->v[i].o;
		struct store_meeting m = { oc->uid, oc->recur, r->v[i].href, oc->title, oc->start,
			oc->end };
		struct store_person *pp = xcalloc(oc->npeople + 1, sizeof *pp);
		int rc;

		for (size_t k = 0; k < oc->npeople; k++)
			pp[k] = (struct store_person){ oc->people[k].addr, oc->people[k].name };
		rc = store_meeting_add(st, name, &m, pp, oc->npeople, err);
		free(pp);
		if (rc < 0)
			goto failed;
	}
	if (store_calsource_set(st, name, now, true, NULL, err) < 0 ||
	    store_commit(st, err) < 0)
		goto failed;
	return 0;
failed:
	store_rollback(st);
	return -1;
}

enum calfetch_rc
meet_refresh(const struct config *cfg, const struct meet_source *src, struct store *st,
    time_t now, const atomic_bool *cancel, void (*log)(void *arg, const char *msg),
    void *arg, struct meet_stats *stats, char **err)
{
	struct run r = { .cfg = cfg, .src = src, .cancel = cancel, .from = now - MEET_PAST,
		.to = now + MEET_AHEAD, .log = log, .arg = arg, .stats = stats };
	struct fetched f = { 0 };
	char *serr = NULL;
	enum calfetch_rc rc;

	memset(stats, 0, sizeof *stats);
	rc = fetch(src, st, r.from, r.to, cancel, log, arg, &f, err);
	if (rc != CALF_OK) {
		/* Said by status; nothing else changes. Stopped (a reload,
		 * the end) is not the calendar's failure. */
		char *why = clean_dup(*err);

		fetched_free(&f);
		if ((cancel == NULL || !atomic_load(cancel)) &&
		    store_calsource_set(st, src->name, now, false, why, &serr) < 0)
			free(serr);
		free(why);
		return rc;
	}
	if (f.more)
		say(&r, "more than %d MiB changed: the rest is read at the next refresh",
		    MEET_MAX_FETCH >> 20);

	/* Step 2: read the objects kept and those fetched. */
	for (size_t i = 0; i < f.got.n; i++) {
		hmap_put(&r.skip, f.got.v[i].href, (void *)1);
		if (f.got.v[i].data == NULL)
			add_gone(&f, f.got.v[i].href);   /* multiget's 404: gone since the listing */
	}
	for (size_t i = 0; i < f.ngone; i++)
		hmap_put(&r.skip, f.gone[i], (void *)1);
	if (store_calobj_each(st, src->name, read_kept, &r, &serr) < 0)
		goto failed;
	for (size_t i = 0; i < f.got.n && !cancelled(&r); i++) {
		const struct dav_item *it = &f.got.v[i];

		if (it->data == NULL)
			continue;
		if (r.kept + it->len > MEET_MAX_KEPT) {
			char *h = clean_dup(it->href);

			stats->errors++;
			say(&r, "%s: not kept: the calendar would hold more than %d MiB", h,
			    MEET_MAX_KEPT >> 20);
			free(h);
			continue;
		}
		r.kept += it->len;
		hmap_put(&r.fresh, it->href, (void *)1);
		stats->read++;
		read_one(&r, it->href, it->data, it->len);
	}
	if (cancelled(&r)) {
		serr = xstrdup("stopped");
		rc = CALF_TEMP;
		goto out;
	}
	stats->removed = f.ngone;
	stats->meetings = r.n;
	if (write_all(&r, st, &f, now, &serr) < 0)
		goto failed;
	run_free(&r);
	fetched_free(&f);
	return CALF_OK;
failed:
	rc = CALF_FINAL;
out:
	*err = serr;
	run_free(&r);
	fetched_free(&f);
	return rc;
}
