/* job: the work followupd does for the commands and for the engine, each
 * as a function from its inputs to an outcome: what happened, counts, a
 * failure class and message, and notes on single items (an invite the
 * server refused). No job prints or logs: the commands (cli/) render
 * outcomes for a terminal, the engine (engine/) logs them with the
 * priority they call for. A job may block on the network; the engine runs
 * those on a worker thread, each with its own store connection. */
#ifndef FOLLOWUPD_JOB_H
#define FOLLOWUPD_JOB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "followup.h"
#include "smtp.h"
#include "store.h"

/* How a job ended. */
enum job_class {
	JOB_OK = 0,
	JOB_TEMP,          /* may pass by itself: network, a 4xx, stopped */
	JOB_FINAL,         /* needs the user: a 5xx, login, TLS, configuration */
	JOB_STATE,         /* the state could not be read or written */
};

enum job_prio {
	JOB_INFO,          /* a result worth a line */
	JOB_WARN,          /* one item failed; the job went on */
	JOB_ERR,           /* one item failed for good */
};

struct job_note {
	enum job_prio prio;
	char *text;        /* one line, cleaned: no control characters */
};

struct job_outcome {
	enum job_class cls;
	char *message;     /* why the job failed (cls != JOB_OK), else NULL */
	struct job_note *notes;
	size_t nnotes;
};

/* What every job runs with. */
struct job_ctx {
	const struct config *cfg;
	struct store *st;
	time_t now;
	/* When it becomes true, network work ends soon as JOB_TEMP (the
	 * engine is stopping or reloading). NULL: never. */
	const atomic_bool *cancel;
	/* How messages leave: smtp_send when NULL; the unit tests put an
	 * in-memory stand-in here. send_arg is its first argument. */
	enum smtp_rc (*send)(void *arg, const struct server *sv, const char *from,
	    const char *rcpt, const char *msg, size_t len, const atomic_bool *cancel,
	    int *code, char **err);
	void *send_arg;
};

/* Sends through ctx->send (smtp_send when NULL) with ctx->cancel; a
 * cancel already set sends nothing and is SMTP_TEMP. *err allocated on
 * failure, as it came from the server (not yet cleaned). */
enum smtp_rc job_send(const struct job_ctx *ctx, const char *rcpt, const char *msg,
    char **err);

void job_note(struct job_outcome *o, enum job_prio prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sets the class and message (formatted, then cleaned); a second failure
 * keeps the first message and the worse class. */
void job_fail(struct job_outcome *o, enum job_class cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The sysexits(3) status of an outcome: 0, EX_TEMPFAIL (JOB_TEMP,
 * JOB_STATE), EX_UNAVAILABLE (JOB_FINAL). */
int job_exit_status(const struct job_outcome *o);
void job_outcome_free(struct job_outcome *o);

/* ---- the digest (jobdigest.c) ------------------------------------------- */

enum job_digest_result {
	JOB_DIGEST_SENT,       /* sent now */
	JOB_DIGEST_PRINTED,    /* dry: the message is in text */
	JOB_DIGEST_ALREADY,    /* sent before (message_id says which) */
	JOB_DIGEST_EMPTY,      /* nothing due and send_empty_digest = no */
	JOB_DIGEST_NOT_SENT,   /* see the outcome */
};

struct job_digest_opts {
	bool dry;              /* render into text, send nothing */
	bool force;            /* send again even if sent */
	int tries;             /* SMTP tries, 1 s, 2 s, 4 s... apart (>= 1) */
};

struct job_digest {
	struct job_outcome o;
	enum job_digest_result result;
	char date[16];         /* YYYY-MM-DD */
	char *subject;
	char *message_id;
	char *text;            /* the whole message, with dry */
	size_t items;          /* items it is about (it lists digest_limit) */
};

/* The digest of day, built from the state and sent (or rendered). A try
 * that failed and is tried again is a JOB_WARN note quoting the server;
 * the last one's answer is the outcome ("smtp USER: why"). */
void job_digest(const struct job_ctx *ctx, int day, const struct job_digest_opts *opt,
    struct job_digest *out);
void job_digest_free(struct job_digest *d);

/* ---- the invites (jobinvite.c) ------------------------------------------ */

struct job_invites {
	struct job_outcome o;  /* JOB_TEMP when some are still pending,
	                          JOB_FINAL when the server refused one */
	size_t sent;           /* REQUESTs the server accepted */
	size_t cancelled;      /* CANCELs the server accepted */
	size_t pending;        /* still to send: the next call sends them */
	size_t failed;         /* refused for good (a 5xx): never sent again */
};

/* Plans today's invites from the items, records them and sends those
 * pending: each sent is a JOB_INFO note ("Sent the invite ..."), each
 * not sent a JOB_WARN (for later: the rest wait too) or JOB_ERR (refused:
 * given up, the job goes on) note; the message sums them up. */
void job_invites(const struct job_ctx *ctx, const struct fu_item *items, size_t n,
    int today, struct job_invites *out);

struct cal_placed;
/* The dates the state's live invites were sent for, for cal_feed; none
 * when invites are off. 0 or -1 with *err. */
int job_invites_placed(const struct config *cfg, struct store *st,
    struct cal_placed **out, size_t *n, char **err);
void job_placed_free(struct cal_placed *p, size_t n);

/* ---- the calendar feed (jobfeed.c) -------------------------------------- */

struct job_feed {
	struct job_outcome o;  /* a file that cannot be written is a JOB_WARN
	                          note: the feed is still built and served */
	char *text;            /* the VCALENDAR, NULL on failure */
	bool changed;          /* [calendar] file was rewritten */
	time_t mtime;          /* the file's time, for Last-Modified */
};

/* The feed as it stands on day (DAY_NONE: today); with write, also
 * [calendar] file, replaced atomically when it changed. */
void job_feed(const struct job_ctx *ctx, int day, bool write, struct job_feed *out);
void job_feed_free(struct job_feed *f);

/* ---- suggestions (jobsuggest.c) ----------------------------------------- */

struct suggestion;
/* Up to limit suggestions from the last year's correspondents. 0 or -1
 * with *err. */
int job_suggestions(const struct job_ctx *ctx, size_t limit, struct suggestion **out,
    size_t *n, char **err);
/* Adds to the n suggestions of *v (up to limit in all) the people met at
 * meetings that ended in (since, until] who are not contacts. 0 or -1. */
#define JOB_MET_PERIOD (90L * 86400)   /* followupd suggest looks this far back */
int job_met(const struct job_ctx *ctx, time_t since, time_t until, size_t limit,
    struct suggestion **v, size_t *n, char **err);

#endif
