/* The digest job: the day's agenda, the reply lines no digest has
 * reported, a failed digest before it and (in the week's first digest)
 * people to consider, rendered into one message and sent to digest_to.
 * "sending" is recorded before the first byte goes out, so that a crash
 * resends the same Message-ID, never another; "sent" is recorded with the
 * reply lines it reported, in one transaction. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agenda.h"
#include "buf.h"
#include "clean.h"
#include "day.h"
#include "digest.h"
#include "job.h"
#include "suggest.h"
#include "tz.h"

#define JOB_DIGEST_SUGGEST 3   /* people to consider, in the week's first digest */
#define JOB_DIGEST_MET 10      /* people met since the last digest, at most */

struct applied_list {
	struct digest_applied *v;
	size_t n, cap;
	size_t more;               /* lines past DIGEST_MAX_APPLIED */
	long last;                 /* the id of the last line */
};

/* Every unreported line counts and is marked reported with the digest;
 * DIGEST_MAX_APPLIED of them are listed, so that no amount of replies can
 * make a digest that a server refuses for its size. */
static int
collect_applied(long id, const char *line, bool applied, const char *what, void *arg)
{
	struct applied_list *l = arg;

	l->last = id;
	if (l->n == DIGEST_MAX_APPLIED) {
		l->more++;
		return 0;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = (struct digest_applied){ xstrdup(line), applied, xstrdup(what) };
	return 0;
}

static void
applied_free(struct applied_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((char *)l->v[i].line);
		free((char *)l->v[i].what);
	}
	free(l->v);
}

/* Is day the first of digest_days in its week? */
static bool
first_of_week(const struct config *cfg, int day)
{
	int first = 0;

	while (first < 7 && !(cfg->digest_days & (1u << first)))
		first++;
	return day_weekday(day) == first;
}

static bool
cancelled(const struct job_ctx *ctx)
{
	return ctx->cancel != NULL && atomic_load(ctx->cancel);
}

/* Waits seconds, or less when the job is cancelled meanwhile. */
static void
nap(const struct job_ctx *ctx, int seconds)
{
	const struct timespec step = { 0, 100 * 1000 * 1000 };

	for (int i = 0; i < seconds * 10 && !cancelled(ctx); i++)
		nanosleep(&step, NULL);
}

/* Sends, retrying what may pass later, 1 s, 2 s, 4 s... apart; a note
 * for each try that failed and is tried again. The last try's result. */
static enum smtp_rc
send_with_retries(const struct job_ctx *ctx, const char *msg, int tries,
    struct job_outcome *o, char **err)
{
	enum smtp_rc rc = SMTP_TEMP;

	for (int i = 0; i < (tries > 1 ? tries : 1); i++) {
		if (i > 0) {
			job_note(o, JOB_WARN, "smtp: %s; trying again in %d s", *err, 1 << (i - 1));
			free(*err);
			*err = NULL;
			nap(ctx, 1 << (i - 1));
		}
		rc = job_send(ctx, ctx->cfg->digest_to, msg, err);
		if (rc != SMTP_TEMP || cancelled(ctx))
			break;
	}
	if (rc != SMTP_OK && *err == NULL)
		*err = xstrdup("failed");
	return rc;
}

/* The Message-ID of a --force of a digest that was sent: a new message,
 * "<x.rN@d>" for its Nth attempt, in place of an earlier ".rM". */
static char *
forced_id(const struct store_digest *prev)
{
	const char *id = prev->message_id, *at = strrchr(id, '@');
	size_t n = at != NULL ? (size_t)(at - id) : strlen(id), k = n;
	char *stem, *out;

	while (k > 0 && isdigit((unsigned char)id[k - 1]))
		k--;
	if (k < n && k >= 2 && strncmp(id + k - 2, ".r", 2) == 0)
		n = k - 2;
	stem = xstrndup(id, n);
	out = xasprintf("%s.r%d%s", stem, prev->attempts + 1, at != NULL ? at : ">");
	free(stem);
	return out;
}

/* The state failed: err (allocated) is the outcome's message. */
static void
state_failed(struct job_outcome *o, char *err)
{
	job_fail(o, JOB_STATE, "%s", err != NULL ? err : "state: failed");
	free(err);
}

/* A digest that did not go out is news for the next one: the line that
 * says so, or NULL. */
static char *
health_line(struct store *st, const char *date)
{
	struct store_digest last;
	char lday[16], *err = NULL, *line = NULL;

	if (store_digest_latest(st, date, lday, &last, &err) == 0 &&
	    last.state != STORE_DIGEST_SENT && !last.ever_sent)
		line = xasprintf("The digest of %s was not sent: %s", lday,
		    last.error[0] ? last.error : "interrupted while sending");
	free(err);
	return line;
}

/* Records the server's answer: "sent" with the reply lines it reported,
 * or "failed" with why. 0 or -1 with *err. */
static int
record(const struct job_ctx *ctx, const char *date, bool sent, const char *why,
    long applied_last, char **err)
{
	struct store *st = ctx->st;

	if (store_begin(st, err) < 0 ||
	    store_digest_done(st, date, sent, ctx->now, sent ? NULL : why, err) < 0 ||
	    (sent && applied_last > 0 &&
	    store_reply_lines_reported(st, date, applied_last, err) < 0) ||
	    store_commit(st, err) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

/* The day's meetings with contacts, for "Meeting today". */
struct today {
	const struct config *cfg;
	struct store *st;
	const struct agenda *a;
	struct digest_meeting *v;
	char **notes;
	size_t n;
	int rc;
	char *err;
};

static int
add_today(const struct store_meeting *m, const struct store_person *p, void *arg)
{
	struct today *x = arg;
	const struct contact *c = config_contact_by_addr(x->cfg, p->address);
	char *note = NULL;
	time_t at;

	if (c == NULL)
		return 0;
	for (size_t i = 0; i < x->n; i++)
		if (x->v[i].contact == c && x->v[i].start == m->start &&
		    strcmp(x->v[i].title, m->title) == 0)
			return 0;   /* two addresses of one contact */
	if (store_note_latest(x->st, c->id, &note, &at, &x->err) < 0) {
		x->rc = -1;
		return -1;
	}
	x->v = xrealloc(x->v, (x->n + 1) * sizeof *x->v);
	x->notes = xrealloc(x->notes, (x->n + 1) * sizeof *x->notes);
	x->notes[x->n] = note;
	/* Cleaned again: notes written by earlier versions were kept raw. */
	if (note != NULL)
		clean_inplace(note);
	x->v[x->n++] = (struct digest_meeting){ xstrdup(m->title), m->start, m->end, c,
		&x->a->histories[c - x->cfg->contacts], note };
	return 0;
}

static void
today_free(struct today *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free((char *)x->v[i].title);
		free(x->notes[i]);
	}
	free(x->v);
	free(x->notes);
}

/* Check-backs answered since the last digest, for "Answered". */
struct answers {
	const struct config *cfg;
	struct digest_answer *v;
	size_t n;
};

static int
add_answer(const char *address, const char *name, const char *reason, time_t at, void *arg)
{
	struct answers *x = arg;
	const struct contact *c = config_contact_by_addr(x->cfg, address);

	x->v = xrealloc(x->v, (x->n + 1) * sizeof *x->v);
	/* Cleaned again: states of earlier versions kept them raw. */
	x->v[x->n++] = (struct digest_answer){
		c != NULL ? xstrdup(c->name) : clean_dup(*name ? name : address),
		clean_dup(reason != NULL ? reason : ""), at };
	return 0;
}

static void
answers_free(struct answers *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free((char *)x->v[i].who);
		free((char *)x->v[i].reason);
	}
	free(x->v);
}

/* When the people met since count from: the last digest sent before day,
 * else a week before day. */
static time_t
met_since(struct store *st, const char *date, int day)
{
	struct store_digest prev;
	char pday[16], *err = NULL;

	if (store_digest_latest(st, date, pday, &prev, &err) == 0 && prev.sent_at > 0)
		return prev.sent_at;
	free(err);
	return tz_time_of(day - 7, 0);
}

void
job_digest(const struct job_ctx *ctx, int day, const struct job_digest_opts *opt,
    struct job_digest *out)
{
	const struct config *cfg = ctx->cfg;
	struct store *st = ctx->st;
	struct agenda a;
	struct digest d = { 0 };
	struct store_digest prev;
	struct digest_input in = { 0 };
	struct applied_list applied = { 0 };
	struct suggestion *sugg = NULL, *met = NULL;
	size_t nsugg = 0, nmet = 0;
	struct today today = { 0 };
	struct answers answers = { cfg, NULL, 0 };
	time_t until, since;
	char *err = NULL, *id = NULL, *msg = NULL, *health;
	int known;
	enum smtp_rc rc;

	*out = (struct job_digest){ .result = JOB_DIGEST_NOT_SENT };
	day_format(day, out->date);
	if (agenda_build(&a, cfg, st, day, ctx->now, &err) < 0) {
		state_failed(&out->o, err);
		return;
	}
	health = health_line(st, out->date);
	in.cfg = cfg;
	in.items = a.items;
	in.nitems = a.count;
	in.day = day;
	in.health = (const char *const *)&health;
	in.nhealth = health != NULL;
	/* The replies' lines no digest has reported; suggestions once a week. */
	if (store_reply_lines_each(st, collect_applied, &applied, &err) < 0 ||
	    (first_of_week(cfg, day) &&
	    job_suggestions(ctx, JOB_DIGEST_SUGGEST, &sugg, &nsugg, &err) < 0)) {
		state_failed(&out->o, err);
		goto done;
	}
	/* The meetings of the day, and the people met since the last digest
	 * (up to now, or to the end of a day gone by). */
	today = (struct today){ cfg, st, &a, NULL, NULL, 0, 0, NULL };
	until = tz_time_of(day + 1, 0);
	if (ctx->now < until)
		until = ctx->now;
	since = met_since(st, out->date, day);
	if (store_meetings_each(st, tz_time_of(day, 0), tz_time_of(day + 1, 0), add_today,
	    &today, &err) < 0 || today.rc < 0 ||
	    job_met(ctx, since, until, JOB_DIGEST_MET, &met, &nmet, &err) < 0 ||
	    store_checkbacks_answered(st, since, until, add_answer, &answers, &err) < 0) {
		if (today.err != NULL) {
			free(err);
			err = today.err;
		}
		state_failed(&out->o, err);
		goto done;
	}
	in.applied = applied.v;
	in.napplied = applied.n;
	in.napplied_more = applied.more;
	in.suggest = sugg;
	in.nsuggest = nsugg;
	in.meetings = today.v;
	in.nmeetings = today.n;
	in.met = met;
	in.nmet = nmet;
	in.answers = answers.v;
	in.nanswers = answers.n;
	digest_render(&in, &d);
	out->subject = xstrdup(d.subject);
	out->items = d.total;

	if ((known = store_digest_get(st, out->date, &prev, &err)) < 0) {
		state_failed(&out->o, err);
		goto done;
	}
	if (known == 0 && (prev.state == STORE_DIGEST_SENDING || !opt->force)) {
		/* The same Message-ID again: a resend after a crash is the
		 * same message to the receiving side. */
		id = xstrdup(prev.message_id);
	} else if (known == 0) {
		id = forced_id(&prev);
	} else {
		unsigned char key[DIGEST_KEY_LEN];

		if (store_secret(st, "digest", key, sizeof key, &err) < 0) {
			state_failed(&out->o, err);
			goto done;
		}
		id = digest_message_id(cfg, day, key, sizeof key);
		explicit_bzero(key, sizeof key);
	}
	out->message_id = xstrdup(id);
	msg = digest_message(cfg, &d, id, ctx->now);
	if (opt->dry) {
		out->text = msg;
		msg = NULL;
		out->result = JOB_DIGEST_PRINTED;
		goto done;
	}
	if (known == 0 && (prev.state == STORE_DIGEST_SENT || prev.ever_sent) && !opt->force) {
		out->result = JOB_DIGEST_ALREADY;
		goto done;
	}
	if (d.total == 0 && nmet == 0 && today.n == 0 && answers.n == 0 &&
	    !cfg->send_empty_digest && !opt->force) {
		out->result = JOB_DIGEST_EMPTY;
		goto done;
	}
	if (cancelled(ctx)) {
		job_fail(&out->o, JOB_TEMP, "the digest for %s was not sent: stopped", out->date);
		goto done;
	}
	if (store_digest_sending(st, out->date, id, &err) < 0) {
		state_failed(&out->o, err);
		goto done;
	}
	rc = send_with_retries(ctx, msg, opt->tries, &out->o, &err);
	/* Cleaned before it is kept: status and the next digest show it. */
	if (err != NULL)
		clean_inplace(err);
	{
		char *serr = NULL;

		if (record(ctx, out->date, rc == SMTP_OK, err, applied.last, &serr) < 0) {
			free(err);
			state_failed(&out->o, serr);
			goto done;
		}
	}
	if (rc != SMTP_OK) {
		job_fail(&out->o, rc == SMTP_TEMP ? JOB_TEMP : JOB_FINAL, "smtp %s: %s",
		    cfg->smtp.user != NULL ? cfg->smtp.user : cfg->smtp.host, err);
		free(err);
		goto done;
	}
	out->result = JOB_DIGEST_SENT;
done:
	free(health);
	applied_free(&applied);
	suggest_free(sugg, nsugg);
	suggest_free(met, nmet);
	today_free(&today);
	answers_free(&answers);
	free(msg);
	free(id);
	digest_free(&d);
	agenda_free(&a);
}

void
job_digest_free(struct job_digest *d)
{
	job_outcome_free(&d->o);
	free(d->subject);
	free(d->message_id);
	free(d->text);
	*d = (struct job_digest){ 0 };
}
