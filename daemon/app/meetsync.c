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

struct run {
	const struct config *cfg;
	const struct meet_source *src;
	struct store *st;
	time_t from, to;
	void (*log)(void *arg, const char *msg);
	void *arg;
	struct meet_stats *stats;
	struct hmap fresh;         /* hrefs fetched by this refresh: their errors are said */
	const char *href;          /* the object being read */
	bool quiet;                /* ... read before: its errors were said then */
	char *err;                 /* a store failure */
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

static void
event_error(void *arg, const char *uid, const char *message)
{
	struct run *r = arg;
	char *href = clean_dup(r->href);

	if (!r->quiet) {
		r->stats->errors++;
		if (*uid)
			say(r, "%s: event '%s': %s", href, uid, message);
		else
			say(r, "%s: %s", href, message);
	}
	free(href);
}

/* Reads one kept object into the meetings of the window. */
static int
read_object(const struct store_calobj *o, void *arg)
{
	struct run *r = arg;
	struct icsm_list l = { 0 };

	r->href = o->href;
	r->stats->objects++;
	r->quiet = hmap_get(&r->fresh, o->href) == NULL;
	icsm_parse(o->data, o->len, r->from, r->to, &l, event_error, r);
	for (size_t i = 0; i < l.n; i++) {
		const struct icsm_occ *oc = &l.v[i];
		size_t *idx = xcalloc(oc->npeople + 1, sizeof *idx);
		struct store_person *pp = xcalloc(oc->npeople + 1, sizeof *pp);
		bool declined;
		size_t n = meet_people(r->cfg, oc, idx, &declined);
		struct store_meeting m = { oc->uid, oc->recur, o->href, oc->title, oc->start,
			oc->end };
		int rc = 0;

		for (size_t k = 0; k < n; k++)
			pp[k] = (struct store_person){ oc->people[idx[k]].addr,
				oc->people[idx[k]].name };
		if (n > 0) {
			rc = store_meeting_add(r->st, r->src->name, &m, pp, n, &r->err);
			r->stats->meetings++;
		}
		free(idx);
		free(pp);
		if (rc < 0) {
			icsm_list_free(&l);
			return -1;
		}
	}
	icsm_list_free(&l);
	return 0;
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
	if (n > 0)
		rc = calfetch_dav_get(src, secret, (const char *const *)want, n, cancel, &f->got,
		    err);
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

static enum calfetch_rc
store_failed(char *serr, char **err)
{
	*err = serr;
	return CALF_FINAL;
}

enum calfetch_rc
meet_refresh(const struct config *cfg, const struct meet_source *src, struct store *st,
    time_t now, const atomic_bool *cancel, void (*log)(void *arg, const char *msg),
    void *arg, struct meet_stats *stats, char **err)
{
	struct run r = { cfg, src, st, now - MEET_PAST, now + MEET_AHEAD, log, arg, stats,
		{ 0 }, NULL, false, NULL };
	struct kept k = { 0 };
	struct fetched f = { 0 };
	char *secret = NULL, *serr = NULL;
	enum calfetch_rc rc;

	memset(stats, 0, sizeof *stats);
	if (store_calobj_each(st, src->name, collect_kept, &k, &serr) < 0) {
		kept_free(&k);
		return store_failed(serr, err);
	}
	if (src->kind != MSRC_DIR &&
	    (src->server.user != NULL || src->server.auth == AUTH_OAUTH2)) {
		int s = secret_fetch(&src->server, &secret, err);

		if (s < 0) {
			rc = s == SECRET_TEMP ? CALF_TEMP : CALF_FINAL;
			secret = NULL;
			goto fetched;
		}
	}
	if (src->kind == MSRC_CALDAV)
		rc = fetch_dav(src, secret, r.from, r.to, cancel, &k, &f, err);
	else if (src->kind == MSRC_ICS)
		rc = fetch_ics(src, secret, cancel, &k, &f, err);
	else
		rc = fetch_dir(src, &k, &f, log, arg, err);
fetched:
	if (secret != NULL)
		secret_free(secret);
	kept_free(&k);
	if (rc != CALF_OK) {
		/* Said by status; nothing else changes. */
		char *why = clean_dup(*err);

		fetched_free(&f);
		/* Stopped (a reload, the end): not the calendar's failure. */
		if ((cancel == NULL || !atomic_load(cancel)) &&
		    store_calsource_set(st, src->name, now, false, why, &serr) < 0)
			free(serr);
		free(why);
		return rc;
	}

	/* One transaction: the objects, then every meeting of the window. */
	if (store_begin(st, &serr) < 0) {
		fetched_free(&f);
		return store_failed(serr, err);
	}
	for (size_t i = 0; i < f.got.n; i++) {
		const struct dav_item *it = &f.got.v[i];
		struct store_calobj o = { it->href, it->etag ? it->etag : "", it->data, it->len };

		if (it->data == NULL) {
			/* calendar-multiget's 404: gone since the listing */
			add_gone(&f, it->href);
			continue;
		}
		hmap_put(&r.fresh, it->href, (void *)1);
		stats->read++;
		if (store_calobj_put(st, src->name, &o, &serr) < 0)
			goto failed;
	}
	for (size_t i = 0; i < f.ngone; i++) {
		stats->removed++;
		if (store_calobj_drop(st, src->name, f.gone[i], &serr) < 0)
			goto failed;
	}
	if (store_meetings_clear(st, src->name, r.from, &serr) < 0 ||
	    store_calobj_each(st, src->name, read_object, &r, &serr) < 0)
		goto failed;
	if (r.err != NULL) {
		serr = r.err;
		r.err = NULL;
		goto failed;
	}
	if (store_calsource_set(st, src->name, now, true, NULL, &serr) < 0 ||
	    store_commit(st, &serr) < 0)
		goto failed;
	hmap_free(&r.fresh);
	fetched_free(&f);
	return CALF_OK;
failed:
	store_rollback(st);
	free(r.err);
	hmap_free(&r.fresh);
	fetched_free(&f);
	return store_failed(serr, err);
}
