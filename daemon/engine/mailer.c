#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agenda.h"
#include "buf.h"
#include "mailer.h"

struct mailer_run {
	struct mailer_job *j;
	struct evq *q;
};

static void
run(struct mailer_job *j)
{
	struct job_ctx ctx = { .cfg = j->cfg, .now = time(NULL), .cancel = &j->cancel };
	struct job_outcome *o = j->kind == MAILER_DIGEST ? &j->digest.o : &j->invites.o;
	char *err = NULL;

	if ((ctx.st = store_open(j->cfg->state_dir, &err)) == NULL) {
		/* Locked by another process, most likely: for later. */
		job_fail(o, JOB_TEMP, "%s", err);
		free(err);
		if (j->kind == MAILER_DIGEST)
			j->digest.result = JOB_DIGEST_NOT_SENT;
		return;
	}
	if (j->kind == MAILER_DIGEST) {
		/* One try: the engine's timer retries, 60 s and more apart. */
		struct job_digest_opts opt = { .tries = 1 };

		job_digest(&ctx, j->day, &opt, &j->digest);
	} else {
		struct agenda a;

		if (agenda_build(&a, j->cfg, ctx.st, j->day, ctx.now, &err) < 0) {
			job_fail(o, JOB_STATE, "%s", err);
			free(err);
		} else {
			job_invites(&ctx, a.items, a.count, j->day, &j->invites);
			agenda_free(&a);
		}
	}
	store_close(ctx.st);
}

static void *
mailer_main(void *arg)
{
	struct mailer_run *r = arg;
	struct mailer_job *j = r->j;
	struct evq *q = r->q;

	free(r);
	run(j);
	evq_push(q, &j->ev);
	return NULL;
}

struct mailer_job *
mailer_start(enum mailer_kind kind, const struct config *cfg, int day, struct evq *q,
    int ev_kind, char **err)
{
	struct mailer_job *j = xcalloc(1, sizeof *j);
	struct mailer_run *r = xcalloc(1, sizeof *r);
	int rc;

	j->ev.kind = ev_kind;
	j->kind = kind;
	j->cfg = cfg;
	j->day = day;
	atomic_init(&j->cancel, false);
	r->j = j;
	r->q = q;
	if ((rc = pthread_create(&j->thread, NULL, mailer_main, r)) != 0) {
		*err = xasprintf("cannot start a thread: %s", strerror(rc));
		free(r);
		free(j);
		return NULL;
	}
	return j;
}

void
mailer_cancel(struct mailer_job *j)
{
	atomic_store(&j->cancel, true);
}

void
mailer_end(struct mailer_job *j)
{
	if (j == NULL)
		return;
	pthread_join(j->thread, NULL);
	if (j->kind == MAILER_DIGEST)
		job_digest_free(&j->digest);
	else
		job_outcome_free(&j->invites.o);
	free(j);
}
