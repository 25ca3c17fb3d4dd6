#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clean.h"
#include "imap.h"
#include "watch.h"

enum wstate { W_DOWN, W_IDLE, W_POLL };

struct wacct {
	const struct imap_account *a;
	char *label;
	struct imap *c;
	char *folder;
	enum wstate state;
	time_t due;            /* reconnect, poll, or IDLE renewal */
	unsigned failures;
	time_t since;          /* first of the current failures */
	time_t up_at;          /* the last successful bring-up, or 0 */
	bool final;            /* the last failure was IMAP_FINAL */
	bool up_once;
	int pfd;               /* index in the last watch_fds, or -1 */
};

struct watch {
	const struct config *cfg;
	struct store *st;
	struct watch_hooks hooks;
	struct wacct *v;
	size_t n;
	unsigned long rng;
};

long
watch_backoff(unsigned failures, unsigned long r)
{
	long d = WATCH_BACKOFF_FIRST;

	for (unsigned i = 1; i < failures && d < WATCH_BACKOFF_MAX; i++)
		d *= 2;
	if (d > WATCH_BACKOFF_MAX)
		d = WATCH_BACKOFF_MAX;
	/* "Equal jitter": half fixed, half random. */
	return d - d / 2 + (long)(r % (unsigned long)(d / 2 + 1));
}

static unsigned long
next_random(struct watch *w)
{
	/* xorshift: jitter only needs to differ between processes. */
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

static void
logf_(struct watch *w, int level, const struct wacct *ac, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
logf_(struct watch *w, int level, const struct wacct *ac, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	if (w->hooks.log == NULL)
		return;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	/* Errors and folder names quote the server: one log line each,
	 * whatever it sent. */
	if (b.data != NULL)
		clean_inplace(b.data);
	w->hooks.log(w->hooks.arg, level, ac->label, buf_str(&b));
	buf_free(&b);
}

struct watch *
watch_new(const struct config *cfg, struct store *st, const struct watch_hooks *hooks)
{
	struct watch *w = xcalloc(1, sizeof *w);

	w->cfg = cfg;
	w->st = st;
	if (hooks != NULL)
		w->hooks = *hooks;
	w->n = cfg->naccounts;
	w->v = xcalloc(w->n + 1, sizeof *w->v);
	w->rng = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16) ^ 0x9e3779b9UL;
	for (size_t i = 0; i < w->n; i++) {
		w->v[i].a = &cfg->accounts[i];
		w->v[i].label = imap_label(&cfg->accounts[i]);
		w->v[i].state = W_DOWN;
		w->v[i].due = 0;   /* connect at once */
		w->v[i].pfd = -1;
	}
	return w;
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < w->n; i++) {
		imap_free(w->v[i].c);
		free(w->v[i].label);
		free(w->v[i].folder);
	}
	free(w->v);
	free(w);
}

static void
down(struct watch *w, struct wacct *ac, time_t now, enum imap_rc rc, char *err)
{
	long delay;

	imap_free(ac->c);
	ac->c = NULL;
	ac->state = W_DOWN;
	/* A connection that failed soon after it came up does not start the
	 * delays again: a server that breaks every session is not hammered. */
	if (ac->up_at != 0 && now - ac->up_at >= WATCH_STABLE)
		ac->failures = 0;
	ac->up_at = 0;
	if (ac->failures++ == 0)
		ac->since = now;
	ac->final = rc == IMAP_FINAL;
	delay = watch_backoff(ac->failures, next_random(w));
	if (rc == IMAP_FINAL && delay < 60)
		delay = 60;   /* a wrong password will not fix itself in seconds */
	ac->due = now + delay;
	logf_(w, 0, ac, "%s; retrying in %ld s", err != NULL ? err : "failed", delay);
	free(err);
}

struct scan_ctx {
	struct watch *w;
	struct wacct *ac;
};

static void
scan_warn(void *arg, const char *msg)
{
	struct scan_ctx *sc = arg;

	logf_(sc->w, 1, sc->ac, "%s", msg);
}

static void
scan_progress(void *arg, size_t done, size_t total)
{
	struct scan_ctx *sc = arg;

	if (sc->w->hooks.progress != NULL)
		sc->w->hooks.progress(sc->w->hooks.arg, sc->ac->label, sc->ac->folder, done,
		    total);
}

static bool
scan_stop(void *arg)
{
	struct scan_ctx *sc = arg;

	return sc->w->hooks.stop != NULL && sc->w->hooks.stop(sc->w->hooks.arg);
}

static enum imap_rc
scan(struct watch *w, struct wacct *ac, time_t now, char **err)
{
	struct scan_ctx sc = { w, ac };
	struct sync_hooks h = { &sc, scan_warn, scan_progress, scan_stop };
	struct sync_stats s;
	enum imap_rc rc;

	rc = sync_folder(ac->c, w->cfg, ac->a, w->st, ac->folder, now, &h, &s, err);
	if (rc == IMAP_OK && (s.messages > 0 || s.rescanned || s.replies > 0) &&
	    w->hooks.synced != NULL)
		w->hooks.synced(w->hooks.arg, ac->label, ac->folder, &s);
	return rc;
}

static enum imap_rc
start_waiting(struct watch *w, struct wacct *ac, time_t now, char **err)
{
	(void)w;
	if (imap_has_idle(ac->c)) {
		enum imap_rc rc = imap_idle_start(ac->c, err);

		if (rc != IMAP_OK)
			return rc;
		ac->state = W_IDLE;
		ac->due = now + WATCH_IDLE_RENEW;
	} else {
		ac->state = W_POLL;
		ac->due = now + (ac->a->poll_interval > 0 ? ac->a->poll_interval : 300);
	}
	return IMAP_OK;
}

static void
bring_up(struct watch *w, struct wacct *ac, time_t now)
{
	char *err = NULL;
	enum imap_rc rc;

	ac->c = imap_new(ac->a, ac->a->server.timeout);
	if ((rc = imap_connect(ac->c, &err)) != IMAP_OK)
		goto bad;
	if (w->hooks.up != NULL)
		w->hooks.up(w->hooks.arg, ac->label);
	if (ac->folder == NULL) {
		char *note = NULL;

		if ((rc = imap_find_sent(ac->c, &ac->folder, &note, &err)) != IMAP_OK)
			goto bad;
		if (note != NULL)
			logf_(w, 1, ac, "%s", note);
		free(note);
	}
	if ((rc = scan(w, ac, now, &err)) != IMAP_OK)
		goto bad;
	if ((rc = start_waiting(w, ac, now, &err)) != IMAP_OK)
		goto bad;
	logf_(w, ac->failures > 0 ? 1 : 2, ac, "watching \"%s\" (%s)", ac->folder,
	    ac->state == W_IDLE ? "IDLE" : "polling");
	ac->up_at = now;
	ac->up_once = true;
	return;
bad:
	down(w, ac, now, rc, err);
}

size_t
watch_fds(struct watch *w, time_t now, struct pollfd *fds, int *timeout_ms)
{
	size_t k = 0;
	long wait = WATCH_IDLE_RENEW;

	for (size_t i = 0; i < w->n; i++) {
		struct wacct *ac = &w->v[i];
		long left = (long)(ac->due - now);

		ac->pfd = -1;
		if (ac->state == W_IDLE) {
			if (imap_pending(ac->c))
				left = 0;
			fds[k].fd = imap_fd(ac->c);
			fds[k].events = POLLIN;
			fds[k].revents = 0;
			ac->pfd = (int)k++;
		}
		if (left < wait)
			wait = left;
	}
	*timeout_ms = wait <= 0 ? 0 : (int)(wait * 1000);
	return k;
}

void
watch_step(struct watch *w, time_t now, const struct pollfd *fds, size_t nfds)
{
	for (size_t i = 0; i < w->n; i++) {
		struct wacct *ac = &w->v[i];
		char *err = NULL;
		enum imap_rc rc = IMAP_OK;
		bool woke;

		switch (ac->state) {
		case W_DOWN:
			if (now >= ac->due)
				bring_up(w, ac, now);
			break;
		case W_IDLE:
			woke = imap_pending(ac->c) || (ac->pfd >= 0 && (size_t)ac->pfd < nfds &&
			    (fds[ac->pfd].revents & (POLLIN | POLLHUP | POLLERR)) != 0);
			if (!woke && now < ac->due)
				break;
			/* New data or the renewal: end IDLE (a dead connection
			 * shows here), read what is new, and idle again. */
			if ((rc = imap_idle_done(ac->c, &err)) == IMAP_OK &&
			    (rc = scan(w, ac, now, &err)) == IMAP_OK)
				rc = start_waiting(w, ac, now, &err);
			if (rc != IMAP_OK)
				down(w, ac, now, rc, err);
			break;
		case W_POLL:
			if (now < ac->due)
				break;
			if ((rc = scan(w, ac, now, &err)) == IMAP_OK)
				rc = start_waiting(w, ac, now, &err);
			if (rc != IMAP_OK)
				down(w, ac, now, rc, err);
			break;
		}
	}
}

size_t
watch_info(const struct watch *w, struct watch_info *v, size_t max)
{
	for (size_t i = 0; i < w->n && i < max; i++) {
		const struct wacct *ac = &w->v[i];

		v[i].label = ac->label;
		v[i].folder = ac->folder;
		v[i].final = ac->final;
		v[i].since = ac->since;
		v[i].due = ac->due;
		v[i].up_once = ac->up_once;
		switch (ac->state) {
		case W_DOWN:
			v[i].state = ac->failures > 0 ? WATCH_DOWN : WATCH_CONNECTING;
			break;
		case W_IDLE: v[i].state = WATCH_IDLE; break;
		case W_POLL: v[i].state = WATCH_POLL; break;
		}
	}
	return w->n;
}
