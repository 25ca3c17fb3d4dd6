/* mailer: the engine's sends (the digest, the invites), each on a thread
 * of its own with its own store connection, so that a silent SMTP server
 * or a slow password_command holds up only the send. When the job ends,
 * the thread pushes the job itself to the engine's queue; the engine reads
 * the outcome there and calls mailer_end(). */
#ifndef FOLLOWUPD_MAILER_H
#define FOLLOWUPD_MAILER_H

#include <pthread.h>
#include <stdatomic.h>

#include "config.h"
#include "evq.h"
#include "job.h"

enum mailer_kind {
	MAILER_DIGEST,             /* the digest of day */
	MAILER_INVITES,            /* the invites of day */
};

struct mailer_job {
	struct evq_ev ev;          /* first: what is pushed when done */
	enum mailer_kind kind;
	const struct config *cfg;  /* must outlive the job */
	int day;
	atomic_bool cancel;
	pthread_t thread;
	/* The outcome, once pushed. */
	struct job_digest digest;
	struct job_invites invites;
};

/* A job of kind for day, run at once; pushed to q as event ev_kind when
 * done. NULL with *err when no thread could be started. */
struct mailer_job *mailer_start(enum mailer_kind kind, const struct config *cfg, int day,
    struct evq *q, int ev_kind, char **err);
/* Asks the job to end soon: a send in progress ends as a temporary failure
 * within a second. */
void mailer_cancel(struct mailer_job *j);
/* After the job was pushed: joins its thread and frees it. */
void mailer_end(struct mailer_job *j);

#endif
