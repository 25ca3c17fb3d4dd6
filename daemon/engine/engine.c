#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "calwatch.h"
#include "day.h"
#include "diag.h"
#include "engine.h"
#include "evq.h"
#include "feedsrv.h"
#include "job.h"
#include "mailer.h"
#include "notify.h"
#include "schedule.h"
#include "store.h"
#include "tz.h"
#include "watch.h"

#define DV_INTERVAL 1              /* seconds between checks for others' changes, at most */
/* Watchers' lines waiting for the loop, at most: a server that makes
 * every message warn cannot fill the memory while the log is slow. */
#define MAX_PENDING_LOGS 1000

enum ev_kind {
	EV_LOG,                    /* a watcher's line */
	EV_SYNCED,                 /* a scan's summary */
	EV_PROGRESS,               /* a long scan's progress */
	EV_CHANGED,                /* an account's state changed */
	EV_EXITED,                 /* an account's thread ended */
	EV_MAILED,                 /* a mailer job ended (the event is the job) */
	EV_MEETINGS,               /* a calendar was read again */
};

struct ev_text {
	struct evq_ev ev;
	int level;
	char text[];
};

struct ev_synced {
	struct evq_ev ev;
	struct sync_stats s;
	char *folder;              /* after label in names */
	char names[];
};

struct ev_progress {
	struct evq_ev ev;
	size_t done, total;
	char *folder;
	char names[];
};

/* A configuration and the watchers started with it. A reload retires the
 * generation in force; a retired one is freed once its threads ended and
 * no send uses its configuration any more. */
struct gen {
	struct config *cfg;
	struct watch *w;
	struct calwatch *cw;       /* the [meetings] sources */
	size_t sends;              /* mailer jobs running with cfg */
	time_t started;
	struct gen *next;
};

struct engine {
	const struct engine_opts *o;
	struct log *log;
	struct notify nt;
	struct evq *q;
	struct gen *cur;
	struct gen *retired;
	struct store *st;          /* the loop's own: the feed, the status */
	struct feedsrv *srv;
	char *token;
	int sfd;                   /* signalfd: HUP, INT, TERM */
	int ifd;                   /* inotify on the state directory, or -1 */
	struct schedule_timer dt;
	struct mailer_job *job;    /* the send running, or NULL */
	struct gen *job_gen;
	long long data_version;
	time_t dv_check_at;        /* 0: no check pending */
	time_t last_dv_check;
	time_t invite_retry_at;    /* 0: none */
	time_t feed_rebuild_at;    /* without inotify */
	int today;
	bool dirty;                /* the feed and the invites need a refresh */
	bool invites_wanted;       /* a refresh asked for the invites */
	bool stopping, reload;
	bool ready;
	const char *digest_trouble;
	atomic_size_t logs_pending;
	atomic_size_t logs_dropped;
};

static bool
has(const struct engine *e, enum engine_part p)
{
	return (e->o->parts & (unsigned)p) != 0;
}

static bool
mailing(const struct engine *e)
{
	return has(e, ENGINE_MAIL) && e->cur->cfg->has_smtp;
}

/* ---- the watchers' hooks: any thread, they only push ------------------- */

static void
on_log(void *arg, int level, const char *label, const char *msg)
{
	struct engine *e = arg;
	size_t n = strlen(label) + 2 + strlen(msg) + 1;
	struct ev_text *ev;

	if (atomic_fetch_add(&e->logs_pending, 1) >= MAX_PENDING_LOGS) {
		atomic_fetch_sub(&e->logs_pending, 1);
		atomic_fetch_add(&e->logs_dropped, 1);
		return;
	}
	ev = xcalloc(1, sizeof *ev + n);
	ev->ev.kind = EV_LOG;
	ev->level = level;
	snprintf(ev->text, n, "%s: %s", label, msg);
	evq_push(e->q, &ev->ev);
}

static char *
two_names(char *names, const char *label, const char *folder)
{
	size_t n = strlen(label) + 1;

	memcpy(names, label, n);
	memcpy(names + n, folder != NULL ? folder : "", strlen(folder != NULL ? folder : "") + 1);
	return names + n;
}

static size_t
names_len(const char *label, const char *folder)
{
	return strlen(label) + 1 + strlen(folder != NULL ? folder : "") + 1;
}

static void
on_synced(void *arg, const char *label, const char *folder, const struct sync_stats *s)
{
	struct engine *e = arg;
	struct ev_synced *ev = xcalloc(1, sizeof *ev + names_len(label, folder));

	ev->ev.kind = EV_SYNCED;
	ev->s = *s;
	ev->folder = two_names(ev->names, label, folder);
	evq_push(e->q, &ev->ev);
}

static void
on_progress(void *arg, const char *label, const char *folder, size_t done, size_t total)
{
	struct engine *e = arg;
	struct ev_progress *ev;

	if (total < 2 * SYNC_BATCH)
		return;   /* a small scan is over before anyone could read it */
	ev = xcalloc(1, sizeof *ev + names_len(label, folder));
	ev->ev.kind = EV_PROGRESS;
	ev->done = done;
	ev->total = total;
	ev->folder = two_names(ev->names, label, folder);
	evq_push(e->q, &ev->ev);
}

static void
on_plain(struct engine *e, enum ev_kind kind)
{
	struct evq_ev *ev = xcalloc(1, sizeof *ev);

	ev->kind = kind;
	evq_push(e->q, ev);
}

static void
on_changed(void *arg)
{
	on_plain(arg, EV_CHANGED);
}

static void
on_exited(void *arg)
{
	on_plain(arg, EV_EXITED);
}

static void
on_meetings(void *arg)
{
	on_plain(arg, EV_MEETINGS);
}

/* ---- generations ------------------------------------------------------- */

static struct gen *
gen_start(struct engine *e, struct config *cfg)
{
	struct gen *g = xcalloc(1, sizeof *g);
	struct watch_hooks h = {
		.arg = e, .log = on_log, .synced = on_synced, .progress = on_progress,
		.changed = on_changed, .exited = on_exited,
	};
	char *err = NULL;

	struct calwatch_hooks ch = {
		.arg = e, .log = on_log, .refreshed = on_meetings, .changed = on_changed,
		.exited = on_exited,
	};

	g->cfg = cfg;
	g->started = time(NULL);
	if (has(e, ENGINE_WATCH) && cfg->naccounts > 0) {
		g->w = watch_new(cfg, &h, &err);
		if (err != NULL) {
			log_msg(e->log, LOG_PRIO_ERR, "%s", err);
			free(err);
			err = NULL;
		}
	}
	if (has(e, ENGINE_WATCH) && cfg->nmeetings > 0) {
		g->cw = calwatch_new(cfg, &ch, &err);
		if (err != NULL) {
			log_msg(e->log, LOG_PRIO_ERR, "%s", err);
			free(err);
		}
	}
	return g;
}

static void
gen_retire(struct engine *e, struct gen *g)
{
	watch_stop(g->w);
	calwatch_stop(g->cw);
	g->next = e->retired;
	e->retired = g;
}

/* Frees the retired generations nothing runs with any more. */
static void
reap(struct engine *e)
{
	for (struct gen **p = &e->retired; *p != NULL;) {
		struct gen *g = *p;

		if (watch_running(g->w) == 0 && calwatch_running(g->cw) == 0 && g->sends == 0) {
			*p = g->next;
			watch_free(g->w);
			calwatch_free(g->cw);
			config_free(g->cfg);
			free(g);
		} else {
			p = &g->next;
		}
	}
}

static size_t
accounts(struct engine *e, struct watch_info **v)
{
	const struct gen *g = e->cur;
	size_t n = watch_folders(g->cfg);   /* Sent, and the inbox where read */

	*v = xcalloc(n + 1, sizeof **v);
	return g->w != NULL ? watch_info(g->w, *v, n) : 0;
}

/* When an account still connecting stops holding back the digest and
 * READY: twice the longest timeout after the start, and a little more. A
 * server that sends its greeting a byte at a time never trips a timeout. */
static time_t
tried_by(const struct engine *e)
{
	const struct config *cfg = e->cur->cfg;
	long longest = 0;

	for (size_t i = 0; i < cfg->naccounts; i++)
		if (cfg->accounts[i].server.timeout > longest)
			longest = cfg->accounts[i].server.timeout;
	for (size_t i = 0; i < cfg->nmeetings; i++)
		if (cfg->meetings[i].server.timeout > longest)
			longest = cfg->meetings[i].server.timeout;
	return e->cur->started + 2 * longest + ENGINE_TRY_GRACE;
}

/* Has every account been tried at least once (or had the time to)? */
static bool
all_tried(struct engine *e)
{
	struct watch_info *v;
	size_t n = accounts(e, &v);
	bool all = true;

	for (size_t i = 0; i < n; i++)
		if (v[i].state == WATCH_CONNECTING)
			all = false;
	free(v);
	/* The calendars too: the digest's "Meeting today" reads them. */
	all = all && calwatch_all_tried(e->cur->cw);
	return all || time(NULL) >= tried_by(e);
}

static bool
any_up(struct engine *e)
{
	struct watch_info *v;
	size_t n = accounts(e, &v);
	bool up = false;

	for (size_t i = 0; i < n; i++)
		up = up || v[i].up_once;
	free(v);
	return up;
}

/* ---- outcomes to the log ------------------------------------------------ */

static enum log_prio
note_prio(enum job_prio p)
{
	return p == JOB_ERR ? LOG_PRIO_ERR : p == JOB_WARN ? LOG_PRIO_WARNING : LOG_PRIO_INFO;
}

static void
log_outcome(struct engine *e, const struct job_outcome *o)
{
	for (size_t i = 0; i < o->nnotes; i++)
		log_msg(e->log, note_prio(o->notes[i].prio), "%s", o->notes[i].text);
	if (o->cls != JOB_OK && o->message != NULL)
		log_msg(e->log, o->cls == JOB_TEMP ? LOG_PRIO_WARNING : LOG_PRIO_ERR, "%s",
		    o->message);
}

/* ---- the sends ---------------------------------------------------------- */

static void
start_job(struct engine *e, enum mailer_kind kind, int day)
{
	char *err = NULL;

	e->job = mailer_start(kind, e->cur->cfg, day, e->q, EV_MAILED, &err);
	if (e->job == NULL) {
		log_msg(e->log, LOG_PRIO_ERR, "%s", err);
		free(err);
		return;
	}
	e->job_gen = e->cur;
	e->cur->sends++;
	if (kind == MAILER_DIGEST)
		notify_status(&e->nt, "sending the digest");
}

static void
digest_done(struct engine *e, struct mailer_job *j, time_t now)
{
	const struct job_digest *d = &j->digest;
	const struct config *cfg = j->cfg;

	log_outcome(e, &d->o);
	switch (d->result) {
	case JOB_DIGEST_SENT:
		log_msg(e->log, LOG_PRIO_INFO, "Sent the digest for %s to %s: %s", d->date,
		    cfg->digest_to, d->subject != NULL ? d->subject : "");
		break;
	case JOB_DIGEST_ALREADY:
		log_msg(e->log, LOG_PRIO_INFO, "The digest for %s was already sent (%s)", d->date,
		    d->message_id != NULL ? d->message_id : "");
		break;
	case JOB_DIGEST_EMPTY:
		log_msg(e->log, LOG_PRIO_INFO, "Nothing due on %s: no digest "
		    "(send_empty_digest = no).", d->date);
		break;
	case JOB_DIGEST_PRINTED:
	case JOB_DIGEST_NOT_SENT:
		break;
	}
	/* The network, a 4xx, or the state busy or unreadable for now: tried
	 * again. */
	if (d->result == JOB_DIGEST_NOT_SENT &&
	    (d->o.cls == JOB_TEMP || d->o.cls == JOB_STATE) && !e->stopping) {
		schedule_timer_failed(&e->dt, j->day, now);
		e->digest_trouble = "the server is unreachable or busy";
		log_msg(e->log, LOG_PRIO_WARNING, "the digest will be tried again in %ld s",
		    (long)(e->dt.retry_at - now));
		return;
	}
	/* Sent, or a 5xx, a login or TLS failure: not retried today, reported
	 * in tomorrow's digest. */
	e->digest_trouble = NULL;
	schedule_timer_done(&e->dt, j->day);
}

static void
invites_done(struct engine *e, struct mailer_job *j, time_t now)
{
	log_outcome(e, &j->invites.o);
	if (j->invites.o.cls != JOB_OK)
		e->invite_retry_at = now + ENGINE_INVITE_RETRY;
}

static void
mailed(struct engine *e, struct mailer_job *j)
{
	time_t now = time(NULL);

	if (j->kind == MAILER_DIGEST)
		digest_done(e, j, now);
	else
		invites_done(e, j, now);
	if (e->job == j) {
		e->job = NULL;
		e->job_gen->sends--;
		e->job_gen = NULL;
	}
	mailer_end(j);
}

/* ---- the feed ------------------------------------------------------------ */

static void
refresh(struct engine *e, time_t now)
{
	struct job_ctx ctx = { .cfg = e->cur->cfg, .st = e->st, .now = now };
	struct job_feed f = { 0 };

	e->dirty = false;
	e->invites_wanted = mailing(e) && e->cur->cfg->calendar.invites;
	if (!has(e, ENGINE_FEED))
		return;
	job_feed(&ctx, DAY_NONE, true, &f);
	log_outcome(e, &f.o);
	if (f.text != NULL) {
		if (f.changed)
			log_msg(e->log, LOG_PRIO_INFO, "calendar feed %s updated",
			    e->cur->cfg->calendar.file);
		if (e->srv != NULL)
			feedsrv_set(e->srv, f.text, strlen(f.text), f.mtime);
	}
	job_feed_free(&f);
	if (e->ifd < 0)
		e->feed_rebuild_at = now + ENGINE_FEED_REBUILD;
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Starts the feed server for cfg when it has one, reusing the running
 * one when its settings did not change. 0, or a sysexits(3) status after
 * saying why. */
static int
start_server(struct engine *e, const struct config *old, const struct config *cfg,
    struct feedsrv **srv, char **token)
{
	const struct calendar_conf *cc = &cfg->calendar;
	char *err = NULL;

	*srv = NULL;
	*token = NULL;
	if (!has(e, ENGINE_FEED) || !cc->listen)
		return 0;
	if (old != NULL && e->srv != NULL && old->calendar.listen &&
	    same_str(old->calendar.listen_host, cc->listen_host) &&
	    old->calendar.listen_port == cc->listen_port &&
	    same_str(old->calendar.token_file, cc->token_file) &&
	    same_str(old->calendar.tls_cert, cc->tls_cert) &&
	    same_str(old->calendar.tls_key, cc->tls_key)) {
		*srv = e->srv;
		*token = e->token;
		return 0;
	}
	if (feedsrv_token_load(cc->token_file, true, token, &err) != 0) {
		log_msg(e->log, LOG_PRIO_ERR, "%s", err);
		free(err);
		return EX_CANTCREAT;
	}
	if ((*srv = feedsrv_start(cc, *token, &err)) == NULL) {
		log_msg(e->log, LOG_PRIO_ERR, "%s", err);
		free(err);
		free(*token);
		*token = NULL;
		return EX_UNAVAILABLE;
	}
	/* The URL without its token: the token stays out of every log. */
	log_msg(e->log, LOG_PRIO_INFO, "serving the calendar feed on %s://%s%s%s:%d/ "
	    "(the whole URL: followupd status)", cc->tls_cert != NULL ? "https" : "http",
	    strchr(cc->listen_host, ':') ? "[" : "", cc->listen_host,
	    strchr(cc->listen_host, ':') ? "]" : "", cc->listen_port);
	return 0;
}

/* ---- others' changes ----------------------------------------------------- */

static void
check_data_version(struct engine *e, time_t now)
{
	long long v;
	char *err = NULL;

	e->dv_check_at = 0;
	e->last_dv_check = now;
	if (store_data_version(e->st, &v, &err) < 0) {
		log_msg(e->log, LOG_PRIO_ERR, "%s", err);
		free(err);
		return;
	}
	if (v != e->data_version) {
		e->data_version = v;
		e->dirty = true;
		log_msg(e->log, LOG_PRIO_DEBUG, "the state was changed");
	}
}

static void
take_inotify(struct engine *e, time_t now)
{
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	bool db = false;

	while ((n = read(e->ifd, ev, sizeof ev)) > 0) {
		for (char *p = ev; p < ev + n;) {
			const struct inotify_event *ie = (const struct inotify_event *)(void *)p;

			if (ie->len > 0 && strncmp(ie->name, "followupd.db", 12) == 0)
				db = true;
			p += sizeof *ie + ie->len;
		}
	}
	if (db && e->dv_check_at == 0)
		e->dv_check_at = e->last_dv_check + DV_INTERVAL > now ?
		    e->last_dv_check + DV_INTERVAL : now;
}

static int
watch_state_dir(const char *dir)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return -1;
	if (inotify_add_watch(fd, dir, IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- signals and reload ------------------------------------------------- */

static void
take_signals(struct engine *e)
{
	struct signalfd_siginfo si;

	while (read(e->sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP)
			e->reload = true;
		else
			e->stopping = true;
	}
}

/* SIGHUP: the new configuration replaces the old one only when all of it
 * is good; otherwise the old one stays in force. */
static void
reload(struct engine *e, time_t now)
{
	struct config *cfg, *old = e->cur->cfg;
	struct store *st = e->st;
	struct feedsrv *srv;
	struct diag d = { 0 };
	char *token, *err = NULL;

	e->reload = false;
	notify_send(&e->nt, "RELOADING=1");
	log_msg(e->log, LOG_PRIO_NOTICE, "reloading %s", old->file);
	if ((cfg = config_load(e->o->config_path, &d)) == NULL) {
		log_msg(e->log, LOG_PRIO_ERR, "%s", buf_str(&d.text));
		diag_free(&d);
		goto keep;
	}
	diag_free(&d);
	if (strcmp(cfg->state_dir, old->state_dir) != 0 &&
	    (st = store_open(cfg->state_dir, &err)) == NULL) {
		log_msg(e->log, LOG_PRIO_ERR, "%s", err);
		free(err);
		goto keep;
	}
	if (start_server(e, old, cfg, &srv, &token) != 0) {
		if (st != e->st)
			store_close(st);
		goto keep;
	}
	if (srv != e->srv) {
		if (e->srv != NULL)
			feedsrv_stop(e->srv);
		free(e->token);
	}
	e->srv = srv;
	e->token = token;
	if (st != e->st) {
		store_close(e->st);
		e->st = st;
		if (e->ifd >= 0)
			close(e->ifd);
		e->ifd = watch_state_dir(cfg->state_dir);
		store_data_version(e->st, &e->data_version, NULL);
	}
	gen_retire(e, e->cur);
	e->cur = gen_start(e, cfg);
	e->today = tz_day_of(now);
	e->dirty = true;
	log_msg(e->log, LOG_PRIO_NOTICE, "%s: reloaded: %zu contact%s, %zu IMAP account%s",
	    cfg->file, cfg->ncontacts, cfg->ncontacts == 1 ? "" : "s", cfg->naccounts,
	    cfg->naccounts == 1 ? "" : "s");
	notify_send(&e->nt, "READY=1");
	return;
keep:
	if (cfg != NULL)
		config_free(cfg);
	/* Loading a good file switches the zone: put the old one back. */
	if (tz_use(old->timezone, &err) < 0) {
		log_msg(e->log, LOG_PRIO_ERR, "%s", err);
		free(err);
	}
	log_msg(e->log, LOG_PRIO_ERR, "%s: not reloaded: the configuration in force is unchanged",
	    old->file);
	notify_send(&e->nt, "READY=1");
}

/* ---- events ------------------------------------------------------------- */

static void
summary_line(struct engine *e, const char *label, const char *folder,
    const struct sync_stats *s)
{
	if (watch_is_inbox(label)) {
		log_msg(e->log, LOG_PRIO_INFO, "%s: \"%s\": %zu new message%s, %zu from contacts, "
		    "%zu check-back%s answered%s", label, folder, s->messages,
		    s->messages == 1 ? "" : "s", s->received, s->answered,
		    s->answered == 1 ? "" : "s",
		    s->skipped > 0 ? " (some skipped: see above)" : "");
		return;
	}
	log_msg(e->log, LOG_PRIO_INFO, "%s: \"%s\": %zu new message%s, %zu follow-up%s recorded"
	    "%s%s", label, folder, s->messages, s->messages == 1 ? "" : "s",
	    s->touches, s->touches == 1 ? "" : "s",
	    s->replies > 0 ? ", replies to the digest applied" : "",
	    s->skipped > 0 ? " (some skipped: see above)" : "");
}

static void
take_events(struct engine *e)
{
	struct evq_ev *ev = evq_take(e->q), *next;
	size_t dropped;

	for (; ev != NULL; ev = next) {
		next = ev->next;
		switch ((enum ev_kind)ev->kind) {
		case EV_LOG: {
			const struct ev_text *t = (const struct ev_text *)ev;
			enum log_prio p = t->level == 0 ? LOG_PRIO_WARNING :
			    t->level == 1 ? LOG_PRIO_NOTICE :
			    e->o->terminal ? LOG_PRIO_DEBUG : LOG_PRIO_INFO;

			atomic_fetch_sub(&e->logs_pending, 1);
			log_msg(e->log, p, "%s", t->text);
			break;
		}
		case EV_SYNCED: {
			const struct ev_synced *s = (const struct ev_synced *)ev;

			if (e->o->synced != NULL)
				e->o->synced(e->o->arg, s->names, s->folder, &s->s);
			else
				summary_line(e, s->names, s->folder, &s->s);
			if (s->s.touches > 0 || s->s.commands > 0 || s->s.checkbacks > 0 ||
			    s->s.replies > 0 || s->s.rescanned || s->s.received > 0 ||
			    s->s.answered > 0)
				e->dirty = true;
			break;
		}
		case EV_PROGRESS: {
			const struct ev_progress *p = (const struct ev_progress *)ev;
			char *text = xasprintf("%s: scanning %s %zu/%zu", p->names, p->folder,
			    p->done, p->total);

			notify_status(&e->nt, text);
			free(text);
			break;
		}
		case EV_CHANGED:
			break;   /* the status is written again below */
		case EV_EXITED:
			break;   /* reap() sees it */
		case EV_MEETINGS:
			e->dirty = true;   /* meetings that ended open items */
			break;
		case EV_MAILED:
			mailed(e, (struct mailer_job *)(void *)ev);
			continue;   /* mailer_end() freed it */
		}
		free(ev);
	}
	if ((dropped = atomic_exchange(&e->logs_dropped, 0)) > 0)
		log_msg(e->log, LOG_PRIO_WARNING, "%zu lines of the IMAP watchers were dropped: "
		    "they came faster than they could be written", dropped);
}

/* ---- the loop ------------------------------------------------------------ */

static void
update_status(struct engine *e, time_t now)
{
	struct watch_info *v;
	struct notify_view nv = { 0 };
	struct buf b = { 0 };

	nv.naccounts = accounts(e, &v);
	nv.accounts = v;
	nv.next_digest = mailing(e) ? schedule_next_digest(e->cur->cfg, now, e->dt.done_day) : 0;
	nv.digest_trouble = e->digest_trouble;
	nv.digest_retry = e->dt.retry_at;
	notify_status_text(&b, &nv, now);
	notify_status(&e->nt, buf_str(&b));
	buf_free(&b);
	free(v);
}

static int
ms_until(time_t t, time_t now)
{
	if (t <= now)
		return 0;
	return t - now > 86400 ? 86400 * 1000 : (int)(t - now) * 1000;
}

static void
shorten(int *wait, int ms)
{
	if (ms >= 0 && (*wait < 0 || ms < *wait))
		*wait = ms;
}

/* What is due now: the reload, others' changes, a new day, the digest,
 * the feed and the invites. */
static void
due(struct engine *e, time_t now)
{
	const struct config *cfg;
	int day;

	if (e->reload)
		reload(e, now);
	cfg = e->cur->cfg;
	if (e->dv_check_at != 0 && now >= e->dv_check_at)
		check_data_version(e, now);
	if (e->feed_rebuild_at != 0 && now >= e->feed_rebuild_at)
		e->dirty = true;
	if ((day = tz_day_of(now)) != e->today) {
		e->today = day;
		e->dirty = true;   /* a new day: the feed and invites move on */
	}
	if (e->invite_retry_at != 0 && now >= e->invite_retry_at) {
		e->invite_retry_at = 0;
		e->invites_wanted = mailing(e) && cfg->calendar.invites;
	}
	if (e->dirty)
		refresh(e, now);
	/* Sends wait for every account's first scan: the digest and the
	 * invites are about what the Sent folders say. One at a time. */
	if (!mailing(e) || e->job != NULL || !all_tried(e))
		return;
	if ((day = schedule_timer_due(cfg, &e->dt, now)) != DAY_NONE)
		start_job(e, MAILER_DIGEST, day);
	else if (e->invites_wanted) {
		e->invites_wanted = false;
		e->invite_retry_at = 0;
		start_job(e, MAILER_INVITES, e->today);
	}
}

static int
loop(struct engine *e)
{
	struct pollfd fds[4];

	while (!e->stopping) {
		time_t now = time(NULL), t;
		size_t n = 0;
		int wait = -1;

		due(e, now);
		now = time(NULL);
		update_status(e, now);
		if (!e->ready && (any_up(e) || all_tried(e))) {
			/* Up, or every server was tried: the status says
			 * which are down. */
			e->ready = true;
			notify_send(&e->nt, "READY=1");
		}
		notify_watchdog(&e->nt, false);

		fds[n++] = (struct pollfd){ .fd = e->sfd, .events = POLLIN };
		fds[n++] = (struct pollfd){ .fd = evq_fd(e->q), .events = POLLIN };
		fds[n++] = (struct pollfd){ .fd = e->ifd, .events = POLLIN };
		if (e->srv != NULL) {
			fds[n++] = (struct pollfd){ .fd = feedsrv_fd(e->srv), .events = POLLIN };
			shorten(&wait, feedsrv_timeout(e->srv));
		}
		if (mailing(e) && e->job == NULL &&
		    (t = schedule_timer_wake(e->cur->cfg, &e->dt, now)) != 0) {
			/* A digest due but held back by an account's first
			 * try: its state change wakes the loop (an event), or
			 * the time it stops holding it back does; never a spin. */
			if (t <= now && !all_tried(e))
				t = tried_by(e);
			shorten(&wait, ms_until(t, now));
		}
		shorten(&wait, ms_until(tz_time_of(e->today + 1, 0), now));
		if (tried_by(e) > now)
			shorten(&wait, ms_until(tried_by(e), now));
		if (e->dv_check_at != 0)
			shorten(&wait, ms_until(e->dv_check_at, now));
		if (e->invite_retry_at != 0)
			shorten(&wait, ms_until(e->invite_retry_at, now));
		if (e->feed_rebuild_at != 0)
			shorten(&wait, ms_until(e->feed_rebuild_at, now));
		shorten(&wait, notify_watchdog_wait(&e->nt));
		if (poll(fds, n, wait) < 0 && errno != EINTR) {
			log_msg(e->log, LOG_PRIO_ERR, "poll: %s", strerror(errno));
			return EX_OSERR;
		}
		now = time(NULL);
		take_signals(e);
		if (fds[2].revents & POLLIN)
			take_inotify(e, now);
		take_events(e);
		reap(e);
		if (e->srv != NULL)
			feedsrv_run(e->srv);
	}
	return 0;
}

/* SIGTERM: every worker is asked to end, and gets ENGINE_STOP_GRACE
 * seconds; one stuck in a connect is left to the process's exit (the
 * state is consistent at every commit). True when all ended. */
static bool
wind_down(struct engine *e)
{
	struct timespec end, now;

	if (e->cur != NULL)
		gen_retire(e, e->cur);
	e->cur = NULL;
	if (e->job != NULL)
		mailer_cancel(e->job);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ENGINE_STOP_GRACE;
	for (;;) {
		struct pollfd p = { .fd = evq_fd(e->q), .events = POLLIN };
		long ms;
		struct evq_ev *ev, *next;

		for (ev = evq_take(e->q); ev != NULL; ev = next) {
			next = ev->next;
			if (ev->kind == EV_MAILED) {
				struct mailer_job *j = (struct mailer_job *)(void *)ev;

				log_outcome(e, j->kind == MAILER_DIGEST ? &j->digest.o :
				    &j->invites.o);
				e->job_gen->sends--;
				e->job = NULL;
				mailer_end(j);
			} else {
				free(ev);
			}
		}
		reap(e);
		if (e->retired == NULL)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0)
			return false;
		notify_watchdog(&e->nt, false);
		poll(&p, 1, (int)ms);
	}
}

static int
open_state(struct engine *e, const struct config *cfg)
{
	char *err = NULL;

	if ((e->st = store_open(cfg->state_dir, &err)) == NULL) {
		log_msg(e->log, LOG_PRIO_ERR, "%s", err);
		free(err);
		return errno == EACCES ? EX_NOPERM : EX_TEMPFAIL;
	}
	if (store_data_version(e->st, &e->data_version, &err) < 0) {
		log_msg(e->log, LOG_PRIO_ERR, "%s", err);
		free(err);
		return EX_TEMPFAIL;
	}
	if ((e->ifd = watch_state_dir(cfg->state_dir)) < 0)
		log_msg(e->log, LOG_PRIO_WARNING, "%s: cannot watch for changes (%s): changes "
		    "made by other followupd commands show within %d s", cfg->state_dir,
		    strerror(errno), ENGINE_FEED_REBUILD);
	return 0;
}

/* The last day a digest went out, from the state. */
static int
last_digest_day(struct engine *e)
{
	struct store_stats s;
	char *err = NULL;
	int day;

	if (store_stats(e->st, &s, &err) < 0) {
		log_msg(e->log, LOG_PRIO_ERR, "%s", err);
		free(err);
		return DAY_NONE;
	}
	if (s.last_digest[0] == '\0' || day_parse(s.last_digest, &day) < 0)
		return DAY_NONE;
	return day;
}

int
engine_run(struct config *cfg, const struct engine_opts *o)
{
	struct engine e = { .o = o, .log = o->log, .sfd = -1, .ifd = -1 };
	sigset_t mask;
	int status = 0;
	bool clean = true;

	atomic_init(&e.logs_pending, 0);
	atomic_init(&e.logs_dropped, 0);
	/* glibc gives each thread an arena of its own, up to 8 per core,
	 * and keeps what each once held: measured with bench/stall.sh, the
	 * daemon idled at 28.9 MiB with 1 account and 44.5 MiB with 5, and at
	 * 22.7 and 37.6 MiB with two arenas. Its threads mostly wait. */
	mallopt(M_ARENA_MAX, ENGINE_ARENAS);
	notify_init(&e.nt);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	/* Blocked before any thread starts, so that every thread inherits
	 * the mask and the signals reach the signalfd alone. */
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	/* A feed client or a server that goes away is its connection's
	 * business. */
	signal(SIGPIPE, SIG_IGN);
	if ((e.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0 ||
	    (e.q = evq_new()) == NULL) {
		log_msg(e.log, LOG_PRIO_ERR, "cannot set up the event loop: %s", strerror(errno));
		config_free(cfg);
		status = EX_OSERR;
		goto done;
	}
	if ((status = open_state(&e, cfg)) != 0 ||
	    (status = start_server(&e, NULL, cfg, &e.srv, &e.token)) != 0) {
		config_free(cfg);
		goto done;
	}
	schedule_timer_init(&e.dt, last_digest_day(&e));
	e.today = tz_day_of(time(NULL));
	e.dirty = true;
	if (has(&e, ENGINE_MAIL) && !cfg->has_smtp)
		log_msg(e.log, LOG_PRIO_NOTICE, "%s: no [smtp] section: no digest or invite will "
		    "be sent", cfg->file);
	if (has(&e, ENGINE_MAIL))
		log_msg(e.log, LOG_PRIO_NOTICE, "started: %zu contact%s, %zu IMAP account%s, "
		    "%zu calendar%s, state in %s", cfg->ncontacts, cfg->ncontacts == 1 ? "" : "s",
		    cfg->naccounts, cfg->naccounts == 1 ? "" : "s",
		    cfg->nmeetings, cfg->nmeetings == 1 ? "" : "s", cfg->state_dir);
	e.cur = gen_start(&e, cfg);
	status = loop(&e);
	notify_send(&e.nt, "STOPPING=1");
	log_msg(e.log, LOG_PRIO_NOTICE, "stopping");
	clean = wind_down(&e);
	if (!clean) {
		/* A worker still holds pointers into this frame, the
		 * configuration and the libraries: the process ends here,
		 * without running anyone's exit handlers under it. The state
		 * is consistent at every commit. */
		log_msg(e.log, LOG_PRIO_WARNING, "a worker did not end within %d s; leaving it",
		    ENGINE_STOP_GRACE);
		fflush(NULL);
		_exit(status);
	}
done:
	if (e.srv != NULL)
		feedsrv_stop(e.srv);
	free(e.token);
	if (clean) {
		/* A worker left running may still use these. */
		if (e.cur != NULL)
			gen_retire(&e, e.cur);
		reap(&e);
		if (e.st != NULL)
			store_close(e.st);
		evq_free(e.q);
	}
	if (e.ifd >= 0)
		close(e.ifd);
	if (e.sfd >= 0)
		close(e.sfd);
	/* The mask stays: a HUP or INT that came while stopping would kill
	 * the process with its default action once unblocked. */
	notify_free(&e.nt);
	return status;
}
