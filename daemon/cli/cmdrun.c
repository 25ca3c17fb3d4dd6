/* followupd run: the daemon. One thread, one poll() loop over the IMAP
 * watchers, the feed server, a signalfd, an inotify watch on the state
 * directory (changes made by other followupd commands) and the timers:
 * the digest, midnight, the watchdog and retries. Between events it
 * sleeps. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sysexits.h>
#include <unistd.h>

#include "agenda.h"
#include "cal.h"
#include "cmd.h"
#include "day.h"
#include "feedsrv.h"
#include "log.h"
#include "notify.h"
#include "schedule.h"
#include "tz.h"
#include "watch.h"

#define RUN_USAGE "run"
#define RUN_INVITE_RETRY 300       /* seconds before invites the server refused are tried again */
#define RUN_DV_INTERVAL 1          /* seconds between checks for others' changes, at most */

struct run {
	struct app *app;
	struct log *log;
	struct notify nt;
	struct config *cfg;
	struct store *st;
	struct watch *w;
	struct feedsrv *srv;
	char *token;
	int sfd;                   /* signalfd: HUP, INT, TERM */
	int ifd;                   /* inotify on the state directory, or -1 */
	struct schedule_timer dt;
	long long data_version;
	time_t dv_check_at;        /* 0: no check pending */
	time_t last_dv_check;
	time_t invite_retry_at;    /* 0: none */
	int today;
	bool dirty;                /* the feed and the invites need a refresh */
	bool invites_deferred;     /* a refresh before the first scans sent none */
	bool stopping, reload;
	bool ready;
	const char *digest_trouble;
};

/* ---- signals --------------------------------------------------------------- */

/* Reads what signals arrived; true when there was one. */
static bool
take_signals(struct run *r)
{
	struct signalfd_siginfo si;
	bool any = false;

	while (read(r->sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		any = true;
		if (si.ssi_signo == SIGHUP)
			r->reload = true;
		else
			r->stopping = true;
	}
	return any;
}

/* ---- the watcher's hooks -------------------------------------------------- */

static void
on_log(void *arg, int level, const char *label, const char *msg)
{
	struct run *r = arg;

	log_msg(r->log, level == 0 ? LOG_PRIO_WARNING : level == 1 ? LOG_PRIO_NOTICE :
	    LOG_PRIO_INFO, "%s: %s", label, msg);
}

static void
on_up(void *arg, const char *label)
{
	struct run *r = arg;

	(void)label;
	if (!r->ready) {
		r->ready = true;
		notify_send(&r->nt, "READY=1");
	}
}

static void
on_synced(void *arg, const char *label, const char *folder, const struct sync_stats *s)
{
	struct run *r = arg;

	log_msg(r->log, LOG_PRIO_INFO, "%s: \"%s\": %zu new message%s, %zu follow-up%s recorded"
	    "%s%s", label, folder, s->messages, s->messages == 1 ? "" : "s",
	    s->touches, s->touches == 1 ? "" : "s",
	    s->replies > 0 ? ", replies to the digest applied" : "",
	    s->skipped > 0 ? " (some skipped: see above)" : "");
	if (s->touches > 0 || s->commands > 0 || s->checkbacks > 0 || s->replies > 0 ||
	    s->rescanned)
		r->dirty = true;
}

/* May run in sync's recorder thread: it touches only the notifier. */
static void
on_progress(void *arg, const char *label, const char *folder, size_t done, size_t total)
{
	struct run *r = arg;
	char *text;

	if (total < 2 * SYNC_BATCH)
		return;   /* a small scan is over before anyone could read it */
	text = xasprintf("%s: scanning %s %zu/%zu", label, folder, done, total);
	notify_status(&r->nt, text);
	free(text);
	notify_watchdog(&r->nt, false);
}

/* Before each SMTP send (app->keepalive): a send may take the whole
 * SMTP_SEND_MAX, and the watchdog must hear from us between two. */
static void
on_keepalive(void *arg)
{
	struct run *r = arg;

	notify_watchdog(&r->nt, true);
}

/* Asked by a scan before each batch, in this thread. */
static bool
on_stop(void *arg)
{
	struct run *r = arg;

	take_signals(r);
	return r->stopping;
}

/* ---- what the loop does ---------------------------------------------------- */

static void
update_status(struct run *r, time_t now)
{
	struct watch_info *v = xcalloc(r->cfg->naccounts + 1, sizeof *v);
	struct notify_view nv = { 0 };
	struct buf b = { 0 };

	nv.naccounts = r->w != NULL ? watch_info(r->w, v, r->cfg->naccounts) : 0;
	nv.accounts = v;
	nv.next_digest = r->cfg->has_smtp ? schedule_next_digest(r->cfg, now, r->dt.done_day) : 0;
	nv.digest_trouble = r->digest_trouble;
	nv.digest_retry = r->dt.retry_at;
	notify_status_text(&b, &nv, now);
	notify_status(&r->nt, buf_str(&b));
	buf_free(&b);
	free(v);
}

/* Has every account been tried at least once? */
static bool
all_tried(struct run *r)
{
	struct watch_info *v = xcalloc(r->cfg->naccounts + 1, sizeof *v);
	size_t n = watch_info(r->w, v, r->cfg->naccounts);
	bool all = true;

	for (size_t i = 0; i < n; i++)
		if (v[i].state == WATCH_CONNECTING)
			all = false;
	free(v);
	return all;
}

/* Today's feed to the file and the server; the invites it calls for. */
static void
refresh(struct run *r, time_t now)
{
	const struct config *cfg = r->cfg;
	struct agenda a;
	char *text, *err = NULL;

	r->dirty = false;
	r->app->now = now;
	if (agenda_build(&a, cfg, r->st, r->today, r->today, &err) < 0) {
		log_msg(r->log, LOG_PRIO_ERR, "%s", err);
		free(err);
		return;
	}
	{
		struct cal_placed *placed;
		size_t nplaced;

		if (cmd_invites_placed(cfg, r->st, &placed, &nplaced, &err) < 0) {
			log_msg(r->log, LOG_PRIO_ERR, "%s", err);
			free(err);
			err = NULL;
		}
		text = cal_feed(cfg, a.items, a.count, r->today, placed, nplaced);
		cmd_placed_free(placed, nplaced);
	}
	if (cmd_feed_publish(r->app, cfg, text, r->srv))
		log_msg(r->log, LOG_PRIO_INFO, "calendar feed %s updated", cfg->calendar.file);
	free(text);
	r->invite_retry_at = 0;
	/* Invites are about what the Sent folders say: not before every
	 * account has had its first scan. */
	r->invites_deferred = !all_tried(r);
	if (cfg->calendar.invites && cfg->has_smtp && !r->invites_deferred &&
	    cmd_invites(r->app, cfg, r->st, a.items, a.count, r->today) != 0)
		r->invite_retry_at = now + RUN_INVITE_RETRY;
	agenda_free(&a);
}

static void
digest(struct run *r, time_t now, int day)
{
	struct digest_opts opt = { .tries = 1 };
	enum digest_outcome out;

	r->app->now = now;
	notify_status(&r->nt, "sending the digest");
	cmd_digest_day(r->app, r->cfg, r->st, day, &opt, &out);
	switch (out) {
	case DIGEST_SENT:
	case DIGEST_ALREADY:
	case DIGEST_EMPTY:
		r->digest_trouble = NULL;
		schedule_timer_done(&r->dt, day);
		break;
	case DIGEST_TEMP:
		schedule_timer_failed(&r->dt, day, now);
		r->digest_trouble = "the server is unreachable or busy";
		log_msg(r->log, LOG_PRIO_WARNING, "the digest will be tried again in %ld s",
		    (long)(r->dt.retry_at - now));
		break;
	case DIGEST_FAILED:
		/* A 5xx, a login or TLS failure: not retried today, reported
		 * in tomorrow's digest. */
		r->digest_trouble = NULL;
		schedule_timer_done(&r->dt, day);
		break;
	}
}

/* Has another process changed the state? */
static void
check_data_version(struct run *r, time_t now)
{
	long long v;
	char *err = NULL;

	r->dv_check_at = 0;
	r->last_dv_check = now;
	if (store_data_version(r->st, &v, &err) < 0) {
		log_msg(r->log, LOG_PRIO_ERR, "%s", err);
		free(err);
		return;
	}
	if (v != r->data_version) {
		r->data_version = v;
		r->dirty = true;
		log_msg(r->log, LOG_PRIO_DEBUG, "the state was changed by another command");
	}
}

static void
take_inotify(struct run *r, time_t now)
{
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	bool db = false;

	while ((n = read(r->ifd, ev, sizeof ev)) > 0) {
		for (char *p = ev; p < ev + n;) {
			const struct inotify_event *e = (const struct inotify_event *)(void *)p;

			if (e->len > 0 && strncmp(e->name, "followupd.db", 12) == 0)
				db = true;
			p += sizeof *e + e->len;
		}
	}
	if (db && r->dv_check_at == 0) {
		r->dv_check_at = r->last_dv_check + RUN_DV_INTERVAL > now ?
		    r->last_dv_check + RUN_DV_INTERVAL : now;
	}
}

static int
watch_state_dir(struct run *r)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return -1;
	if (inotify_add_watch(fd, r->cfg->state_dir,
	    IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct watch *
start_watch(struct run *r)
{
	struct watch_hooks h = {
		.arg = r, .log = on_log, .synced = on_synced, .progress = on_progress,
		.stop = on_stop, .up = on_up,
	};

	return watch_new(r->cfg, r->st, &h);
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Starts the feed server for cfg when it has one, reusing the running
 * one when its settings did not change. 0, or -1 after saying why. */
static int
start_server(struct run *r, const struct config *old, const struct config *cfg,
    struct feedsrv **srv, char **token)
{
	const struct calendar_conf *cc = &cfg->calendar;
	char *err = NULL;

	*srv = NULL;
	*token = NULL;
	if (!cc->listen)
		return 0;
	if (old != NULL && r->srv != NULL && old->calendar.listen &&
	    same_str(old->calendar.listen_host, cc->listen_host) &&
	    old->calendar.listen_port == cc->listen_port &&
	    same_str(old->calendar.token_file, cc->token_file) &&
	    same_str(old->calendar.tls_cert, cc->tls_cert) &&
	    same_str(old->calendar.tls_key, cc->tls_key)) {
		*srv = r->srv;
		*token = r->token;
		return 0;
	}
	if (feedsrv_token_load(cc->token_file, true, token, &err) != 0 ||
	    (*srv = feedsrv_start(cc, *token, &err)) == NULL) {
		log_msg(r->log, LOG_PRIO_ERR, "%s", err);
		free(err);
		free(*token);
		*token = NULL;
		return -1;
	}
	/* The URL without its token: the token stays out of every log. */
	log_msg(r->log, LOG_PRIO_INFO, "serving the calendar feed on %s://%s%s%s:%d/ "
	    "(the whole URL: followupd status)", cc->tls_cert != NULL ? "https" : "http",
	    strchr(cc->listen_host, ':') ? "[" : "", cc->listen_host,
	    strchr(cc->listen_host, ':') ? "]" : "", cc->listen_port);
	return 0;
}

/* SIGHUP: the new configuration replaces the old one only when all of it
 * is good; otherwise the old one stays in force. */
static void
reload(struct run *r, time_t now)
{
	struct config *cfg, *old = r->cfg;
	struct store *st = r->st;
	struct feedsrv *srv;
	char *token, *err = NULL;
	int status = 0;

	r->reload = false;
	notify_send(&r->nt, "RELOADING=1");
	log_msg(r->log, LOG_PRIO_NOTICE, "reloading %s", old->file);
	if ((cfg = cmd_load(r->app, &status)) == NULL)
		goto keep;
	if (strcmp(cfg->state_dir, old->state_dir) != 0 &&
	    (st = store_open(cfg->state_dir, &err)) == NULL) {
		log_msg(r->log, LOG_PRIO_ERR, "%s", err);
		free(err);
		goto keep;
	}
	if (start_server(r, old, cfg, &srv, &token) < 0) {
		if (st != r->st)
			store_close(st);
		goto keep;
	}
	if (srv != r->srv) {
		if (r->srv != NULL)
			feedsrv_stop(r->srv);
		free(r->token);
	}
	r->srv = srv;
	r->token = token;
	watch_free(r->w);
	r->w = NULL;
	if (st != r->st) {
		store_close(r->st);
		r->st = st;
		if (r->ifd >= 0)
			close(r->ifd);
		r->ifd = -1;
	}
	r->cfg = cfg;
	config_free(old);
	if (r->ifd < 0)
		r->ifd = watch_state_dir(r);
	r->w = start_watch(r);
	r->today = tz_day_of(now);
	r->dirty = true;
	log_msg(r->log, LOG_PRIO_NOTICE, "%s: reloaded: %zu contact%s, %zu IMAP account%s",
	    cfg->file, cfg->ncontacts, cfg->ncontacts == 1 ? "" : "s",
	    cfg->naccounts, cfg->naccounts == 1 ? "" : "s");
	notify_send(&r->nt, "READY=1");
	return;
keep:
	if (cfg != NULL)
		config_free(cfg);
	/* Loading a good file switches the zone: put the old one back. */
	if (tz_use(old->timezone, &err) < 0) {
		log_msg(r->log, LOG_PRIO_ERR, "%s", err);
		free(err);
	}
	log_msg(r->log, LOG_PRIO_ERR, "%s: not reloaded: the configuration in force is unchanged",
	    old->file);
	notify_send(&r->nt, "READY=1");
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

static int
loop(struct run *r)
{
	size_t cap = 0;
	struct pollfd *fds = NULL;

	while (!r->stopping) {
		time_t now = time(NULL), t;
		size_t n, nw;
		int wait = -1, day;

		if (take_signals(r) && r->stopping)
			break;
		if (r->reload)
			reload(r, now);
		if (r->dv_check_at != 0 && now >= r->dv_check_at)
			check_data_version(r, now);
		if ((day = tz_day_of(now)) != r->today) {
			r->today = day;
			r->dirty = true;   /* a new day: the feed and invites move on */
		}
		if ((r->invite_retry_at != 0 && now >= r->invite_retry_at) ||
		    (r->invites_deferred && all_tried(r)))
			r->dirty = true;
		/* Not before every account has had its first scan: the
		 * digest is about what the Sent folders say. */
		if (r->cfg->has_smtp && all_tried(r) &&
		    (day = schedule_timer_due(r->cfg, &r->dt, now)) != DAY_NONE)
			digest(r, now, day);
		if (r->dirty)
			refresh(r, time(NULL));
		now = time(NULL);
		update_status(r, now);
		if (!r->ready && all_tried(r)) {
			/* No login yet, but every server was tried: the status
			 * says which are down. */
			r->ready = true;
			notify_send(&r->nt, "READY=1");
		}
		notify_watchdog(&r->nt, false);

		if (cap < r->cfg->naccounts + 3) {
			cap = r->cfg->naccounts + 3;
			fds = xrealloc(fds, cap * sizeof *fds);
		}
		nw = watch_fds(r->w, now, fds, &wait);
		n = nw;
		fds[n++] = (struct pollfd){ .fd = r->sfd, .events = POLLIN };
		fds[n++] = (struct pollfd){ .fd = r->ifd, .events = POLLIN };
		if (r->srv != NULL) {
			fds[n++] = (struct pollfd){ .fd = feedsrv_fd(r->srv), .events = POLLIN };
			shorten(&wait, feedsrv_timeout(r->srv));
		}
		if (r->cfg->has_smtp && (t = schedule_timer_wake(r->cfg, &r->dt, now)) != 0)
			shorten(&wait, ms_until(t, now));
		shorten(&wait, ms_until(tz_time_of(r->today + 1, 0), now));
		if (r->dv_check_at != 0)
			shorten(&wait, ms_until(r->dv_check_at, now));
		if (r->invite_retry_at != 0)
			shorten(&wait, ms_until(r->invite_retry_at, now));
		shorten(&wait, notify_watchdog_wait(&r->nt));
		if (poll(fds, n, wait) < 0 && errno != EINTR) {
			log_msg(r->log, LOG_PRIO_ERR, "poll: %s", strerror(errno));
			free(fds);
			return EX_OSERR;
		}
		now = time(NULL);
		if (fds[nw + 1].revents & POLLIN)
			take_inotify(r, now);
		if (take_signals(r) && r->stopping)
			break;
		watch_step(r->w, now, fds, nw);
		if (r->srv != NULL)
			feedsrv_run(r->srv);
		/* A scan the stop hook cut short: its signal was taken there. */
	}
	free(fds);
	return 0;
}

/* The last day a digest went out, from the state. */
static int
last_digest_day(struct run *r)
{
	struct store_stats s;
	char *err = NULL;
	int day;

	if (store_stats(r->st, &s, &err) < 0) {
		log_msg(r->log, LOG_PRIO_ERR, "%s", err);
		free(err);
		return DAY_NONE;
	}
	if (s.last_digest[0] == '\0' || day_parse(s.last_digest, &day) < 0)
		return DAY_NONE;
	return day;
}

int
cmd_run(struct app *app, int argc, char **argv)
{
	struct run r = { .app = app, .sfd = -1, .ifd = -1 };
	struct log log;
	FILE *out, *errf, *saved_out = app->out, *saved_err = app->err;
	sigset_t mask, old;
	char *err = NULL;
	int status = 0;

	if (argc != 1)
		return cmd_usage_error(app, RUN_USAGE);
	log_init(&log, app->err, app->verbosity);
	r.log = &log;
	/* What the commands print goes to the log: results as information,
	 * diagnostics as errors. */
	out = log_stream(&log, LOG_PRIO_INFO);
	errf = log_stream(&log, LOG_PRIO_ERR);
	if (out == NULL || errf == NULL) {
		fprintf(app->err, "followupd: cannot set up logging\n");
		return EX_OSERR;
	}
	app->out = out;
	app->err = errf;
	app->keepalive = on_keepalive;
	app->keepalive_arg = &r;
	notify_init(&r.nt);

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &old);
	/* A feed client or server that goes away is its connection's business. */
	signal(SIGPIPE, SIG_IGN);
	if ((r.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		log_msg(&log, LOG_PRIO_ERR, "signalfd: %s", strerror(errno));
		status = EX_OSERR;
		goto done;
	}
	if ((r.cfg = cmd_load(app, &status)) == NULL)
		goto done;
	if ((r.st = cmd_open_store(app, r.cfg, &status)) == NULL)
		goto done;
	if (store_data_version(r.st, &r.data_version, &err) < 0) {
		status = cmd_store_error(app, err);
		goto done;
	}
	if ((r.ifd = watch_state_dir(&r)) < 0)
		log_msg(&log, LOG_PRIO_WARNING, "%s: cannot watch for changes (%s): changes made "
		    "by other followupd commands show at the next sync or day",
		    r.cfg->state_dir, strerror(errno));
	if (start_server(&r, NULL, r.cfg, &r.srv, &r.token) < 0) {
		status = EX_UNAVAILABLE;
		goto done;
	}
	schedule_timer_init(&r.dt, last_digest_day(&r));
	r.today = tz_day_of(time(NULL));
	r.dirty = true;
	if (!r.cfg->has_smtp)
		log_msg(&log, LOG_PRIO_NOTICE, "%s: no [smtp] section: no digest or invite will be sent",
		    r.cfg->file);
	log_msg(&log, LOG_PRIO_NOTICE, "started: %zu contact%s, %zu IMAP account%s, state in %s",
	    r.cfg->ncontacts, r.cfg->ncontacts == 1 ? "" : "s", r.cfg->naccounts,
	    r.cfg->naccounts == 1 ? "" : "s", r.cfg->state_dir);
	r.w = start_watch(&r);
	status = loop(&r);
	notify_send(&r.nt, "STOPPING=1");
	log_msg(&log, LOG_PRIO_NOTICE, "stopping");
done:
	watch_free(r.w);
	if (r.srv != NULL)
		feedsrv_stop(r.srv);
	free(r.token);
	if (r.st != NULL)
		store_close(r.st);
	config_free(r.cfg);
	if (r.ifd >= 0)
		close(r.ifd);
	if (r.sfd >= 0)
		close(r.sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	notify_free(&r.nt);
	fclose(out);
	fclose(errf);
	app->keepalive = NULL;
	app->out = saved_out;
	app->err = saved_err;
	return status;
}
