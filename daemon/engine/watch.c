#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "clean.h"
#include "imap.h"
#include "store.h"
#include "watch.h"

enum wstate { W_DOWN, W_IDLE, W_POLL };

struct watch;

/* One watched folder: an account's Sent folder, or its inbox on a second
 * connection of its own, so that each can sit in IDLE (RFC 2177 watches
 * the selected mailbox only). */
struct wacct {
	struct watch *w;
	const struct imap_account *a;
	bool inbox;            /* a->inbox, read by sync_inbox(); else Sent */
	char *label;
	pthread_t thread;
	bool started;
	int wake;              /* eventfd: watch_stop() writes it */
	struct imap *c;        /* the thread's own */
	struct store *st;      /* the thread's own */
	unsigned failures;
	time_t up_at;          /* the last successful bring-up, or 0 */
	unsigned long rng;
	/* Shared with the engine's thread, under mu. */
	pthread_mutex_t mu;
	int cut_fd;            /* a duplicate of the connection's socket, or -1 */
	char *folder;          /* set once (the inbox's from the start), freed by
	                        * watch_free */
	enum wstate state;
	time_t due;            /* reconnect, poll, or IDLE renewal */
	time_t since;          /* first of the current failures */
	bool final;            /* the last failure was IMAP_FINAL */
	bool up_once;
};

struct watch {
	const struct config *cfg;
	struct watch_hooks hooks;
	struct wacct *v;
	size_t n;
	atomic_bool stop;
	atomic_size_t running;
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
next_random(struct wacct *ac)
{
	/* xorshift: jitter only needs to differ between processes. */
	ac->rng ^= ac->rng << 13;
	ac->rng ^= ac->rng >> 7;
	ac->rng ^= ac->rng << 17;
	return ac->rng;
}

static void
say(const struct wacct *ac, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
say(const struct wacct *ac, int level, const char *fmt, ...)
{
	const struct watch *w = ac->w;
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

static void
changed(const struct wacct *ac)
{
	if (ac->w->hooks.changed != NULL)
		ac->w->hooks.changed(ac->w->hooks.arg);
}

static bool
stopping(const struct wacct *ac)
{
	return atomic_load(&ac->w->stop);
}

/* imap's fd hook: the socket as soon as it is connected, -1 before it is
 * closed. watch_stop() shuts down a duplicate of it: a duplicate keeps
 * the socket alive, so that the descriptor it holds can never be one
 * that libetpan closed and another thread reused. */
static void
publish(void *arg, int fd)
{
	struct wacct *ac = arg;

	pthread_mutex_lock(&ac->mu);
	if (ac->cut_fd >= 0)
		close(ac->cut_fd);
	ac->cut_fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
	if (ac->cut_fd >= 0 && atomic_load(&ac->w->stop))
		shutdown(ac->cut_fd, SHUT_RDWR);
	pthread_mutex_unlock(&ac->mu);
}

static void
drop_connection(struct wacct *ac)
{
	imap_free(ac->c);
	ac->c = NULL;
	publish(ac, -1);
}

static void
down(struct wacct *ac, time_t now, enum imap_rc rc, char *err)
{
	long delay;

	/* A failed connection gets no LOGOUT: on a dead one it would wait
	 * the whole timeout again. */
	pthread_mutex_lock(&ac->mu);
	if (ac->cut_fd >= 0)
		shutdown(ac->cut_fd, SHUT_RDWR);
	pthread_mutex_unlock(&ac->mu);
	drop_connection(ac);
	if (stopping(ac)) {
		/* A read cut by watch_stop(): not a failure of the server. */
		free(err);
		return;
	}
	/* A connection that failed soon after it came up does not start the
	 * delays again: a server that breaks every session is not hammered. */
	if (ac->up_at != 0 && now - ac->up_at >= WATCH_STABLE)
		ac->failures = 0;
	ac->up_at = 0;
	delay = watch_backoff(ac->failures + 1, next_random(ac));
	if (rc == IMAP_FINAL && delay < 60)
		delay = 60;   /* a wrong password will not fix itself in seconds */
	pthread_mutex_lock(&ac->mu);
	if (ac->failures++ == 0)
		ac->since = now;
	ac->state = W_DOWN;
	ac->final = rc == IMAP_FINAL;
	ac->due = now + delay;
	pthread_mutex_unlock(&ac->mu);
	say(ac, 0, "%s; retrying in %ld s", err != NULL ? err : "failed", delay);
	free(err);
	changed(ac);
}

static void
scan_warn(void *arg, const char *msg)
{
	say(arg, 1, "%s", msg);
}

static void
scan_progress(void *arg, size_t done, size_t total)
{
	struct wacct *ac = arg;

	if (ac->w->hooks.progress != NULL)
		ac->w->hooks.progress(ac->w->hooks.arg, ac->label, ac->folder, done, total);
}

static bool
scan_stop(void *arg)
{
	return stopping(arg);
}

static enum imap_rc
scan(struct wacct *ac, char **err)
{
	struct sync_hooks h = { ac, scan_warn, scan_progress, scan_stop };
	struct sync_stats s;
	enum imap_rc rc;

	if (ac->inbox)
		rc = sync_inbox(ac->c, ac->w->cfg, ac->a, ac->st, ac->folder, time(NULL), &h,
		    &s, err);
	else
		rc = sync_folder(ac->c, ac->w->cfg, ac->a, ac->st, ac->folder, time(NULL), &h,
		    &s, err);
	if (rc == IMAP_OK && (s.messages > 0 || s.rescanned || s.replies > 0) &&
	    ac->w->hooks.synced != NULL)
		ac->w->hooks.synced(ac->w->hooks.arg, ac->label, ac->folder, &s);
	return rc;
}

static enum imap_rc
start_waiting(struct wacct *ac, char **err)
{
	time_t now = time(NULL);
	enum wstate state = W_POLL;
	time_t due = now + (ac->a->poll_interval > 0 ? ac->a->poll_interval : 300);

	if (imap_has_idle(ac->c)) {
		enum imap_rc rc = imap_idle_start(ac->c, err);

		if (rc != IMAP_OK)
			return rc;
		state = W_IDLE;
		due = now + WATCH_IDLE_RENEW;
	}
	pthread_mutex_lock(&ac->mu);
	ac->state = state;
	ac->due = due;
	pthread_mutex_unlock(&ac->mu);
	return IMAP_OK;
}

static void
bring_up(struct wacct *ac)
{
	char *err = NULL, *folder = NULL;
	enum imap_rc rc;

	ac->c = imap_new(ac->a, ac->a->server.timeout);
	/* From the TCP connection on, watch_stop() can cut a stalled TLS
	 * handshake, greeting, STARTTLS or login. */
	imap_set_fd_hook(ac->c, publish, ac);
	if ((rc = imap_connect(ac->c, &err)) != IMAP_OK)
		goto bad;
	if (stopping(ac)) {
		rc = IMAP_TEMP;
		goto bad;
	}
	/* The inbox is named by the configuration; Sent is looked for once. */
	if (ac->folder == NULL) {
		char *note = NULL;

		if ((rc = imap_find_sent(ac->c, &folder, &note, &err)) != IMAP_OK)
			goto bad;
		if (note != NULL)
			say(ac, 1, "%s", note);
		free(note);
		pthread_mutex_lock(&ac->mu);
		ac->folder = folder;
		pthread_mutex_unlock(&ac->mu);
	}
	pthread_mutex_lock(&ac->mu);
	ac->up_once = true;
	pthread_mutex_unlock(&ac->mu);
	changed(ac);
	if ((rc = scan(ac, &err)) != IMAP_OK)
		goto bad;
	if ((rc = start_waiting(ac, &err)) != IMAP_OK)
		goto bad;
	say(ac, ac->failures > 0 ? 1 : 2, "watching \"%s\" (%s)", ac->folder,
	    ac->state == W_IDLE ? "IDLE" : "polling");
	ac->up_at = time(NULL);
	changed(ac);
	return;
bad:
	down(ac, time(NULL), rc, err);
}

/* Sleeps until due, watch_stop(), or (fd >= 0) fd is readable; true for
 * the last. */
static bool
wait_for(struct wacct *ac, time_t due, int fd)
{
	struct pollfd p[2] = {
		{ .fd = ac->wake, .events = POLLIN },
		{ .fd = fd, .events = POLLIN },
	};
	time_t now = time(NULL);
	long left = due > now ? (long)(due - now) : 0;

	if (left > WATCH_IDLE_RENEW)
		left = WATCH_IDLE_RENEW;
	if (poll(p, fd >= 0 ? 2 : 1, (int)left * 1000) < 0)
		return false;
	return fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

static void
step(struct wacct *ac)
{
	char *err = NULL;
	enum imap_rc rc = IMAP_OK;
	bool woke;

	switch (ac->state) {
	case W_DOWN:
		if (time(NULL) < ac->due)
			wait_for(ac, ac->due, -1);
		else
			bring_up(ac);
		break;
	case W_IDLE:
		woke = imap_pending(ac->c) || wait_for(ac, ac->due, imap_fd(ac->c));
		if (stopping(ac) || (!woke && time(NULL) < ac->due))
			break;
		/* New data or the renewal: end IDLE (a dead connection shows
		 * here), read what is new, and idle again. */
		if ((rc = imap_idle_done(ac->c, &err)) == IMAP_OK &&
		    (rc = scan(ac, &err)) == IMAP_OK)
			rc = start_waiting(ac, &err);
		if (rc != IMAP_OK)
			down(ac, time(NULL), rc, err);
		break;
	case W_POLL:
		if (time(NULL) < ac->due) {
			wait_for(ac, ac->due, -1);
			break;
		}
		if ((rc = scan(ac, &err)) == IMAP_OK)
			rc = start_waiting(ac, &err);
		if (rc != IMAP_OK)
			down(ac, time(NULL), rc, err);
		break;
	}
}

static void *
account_main(void *arg)
{
	struct wacct *ac = arg;
	struct watch *w = ac->w;
	char *err = NULL;

	while (!stopping(ac)) {
		/* The state first, tried again like a server: another
		 * process may hold it locked for a while. */
		if (ac->st == NULL) {
			if (time(NULL) < ac->due) {
				wait_for(ac, ac->due, -1);
				continue;
			}
			if ((ac->st = store_open(w->cfg->state_dir, &err)) == NULL) {
				down(ac, time(NULL), IMAP_TEMP, err);
				err = NULL;
				continue;
			}
		}
		step(ac);
	}
	if (ac->c != NULL) {
		/* Asked to stop while up: the connection was cut, so the
		 * LOGOUT fails at once. */
		drop_connection(ac);
	}
	if (ac->st != NULL)
		store_close(ac->st);
	ac->st = NULL;
	atomic_fetch_sub(&w->running, 1);
	if (w->hooks.exited != NULL)
		w->hooks.exited(w->hooks.arg);
	return NULL;
}

size_t
watch_folders(const struct config *cfg)
{
	size_t n = cfg->naccounts;

	for (size_t i = 0; i < cfg->naccounts; i++)
		if (cfg->accounts[i].inbox != NULL)
			n++;
	return n;
}

bool
watch_is_inbox(const char *label)
{
	size_t n = strlen(label), k = strlen(WATCH_INBOX_SUFFIX);

	return n >= k && strcmp(label + n - k, WATCH_INBOX_SUFFIX) == 0;
}

struct watch *
watch_new(const struct config *cfg, const struct watch_hooks *hooks, char **err)
{
	struct watch *w = xcalloc(1, sizeof *w);
	unsigned long seed = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16) ^
	    0x9e3779b9UL;
	size_t k = 0;

	w->cfg = cfg;
	if (hooks != NULL)
		w->hooks = *hooks;
	atomic_init(&w->stop, false);
	atomic_init(&w->running, 0);
	w->n = watch_folders(cfg);
	w->v = xcalloc(w->n + 1, sizeof *w->v);
	/* An account's inbox right after its Sent folder: their status
	 * lines side by side. */
	for (size_t i = 0; i < cfg->naccounts; i++) {
		const struct imap_account *a = &cfg->accounts[i];

		w->v[k].a = a;
		w->v[k++].label = imap_label(a);
		if (a->inbox != NULL) {
			char *base = imap_label(a);

			w->v[k].a = a;
			w->v[k].inbox = true;
			w->v[k].label = xasprintf("%s%s", base, WATCH_INBOX_SUFFIX);
			w->v[k++].folder = xstrdup(a->inbox);
			free(base);
		}
	}
	for (size_t i = 0; i < w->n; i++) {
		struct wacct *ac = &w->v[i];

		ac->w = w;
		ac->state = W_DOWN;
		ac->due = 0;   /* connect at once */
		ac->cut_fd = -1;
		ac->rng = seed ^ (i * 2654435761UL);
		pthread_mutex_init(&ac->mu, NULL);
		ac->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	}
	*err = NULL;
	for (size_t i = 0; i < w->n; i++) {
		struct wacct *ac = &w->v[i];
		int rc = errno;

		if (ac->wake >= 0) {
			atomic_fetch_add(&w->running, 1);
			if ((rc = pthread_create(&ac->thread, NULL, account_main, ac)) != 0)
				atomic_fetch_sub(&w->running, 1);
			else
				ac->started = true;
		}
		if (!ac->started) {
			/* Shown as failed for good; the others are watched. Never
			 * a join here: a thread started may be stuck connecting. */
			ac->since = time(NULL);
			ac->final = true;
			ac->due = ac->since + WATCH_BACKOFF_MAX;
			if (*err == NULL)
				*err = xasprintf("%s: cannot start its thread: %s", ac->label,
				    strerror(rc));
		}
	}
	return w;
}

void
watch_stop(struct watch *w)
{
	uint64_t one = 1;

	if (w == NULL)
		return;
	atomic_store(&w->stop, true);
	for (size_t i = 0; i < w->n; i++) {
		struct wacct *ac = &w->v[i];

		if (ac->wake >= 0 && write(ac->wake, &one, sizeof one) < 0) {
			/* the counter is already non-zero: the thread wakes */
		}
		pthread_mutex_lock(&ac->mu);
		if (ac->cut_fd >= 0)
			shutdown(ac->cut_fd, SHUT_RDWR);
		pthread_mutex_unlock(&ac->mu);
	}
}

size_t
watch_running(const struct watch *w)
{
	return w != NULL ? atomic_load(&w->running) : 0;
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < w->n; i++) {
		struct wacct *ac = &w->v[i];

		if (ac->started)
			pthread_join(ac->thread, NULL);
		if (ac->wake >= 0)
			close(ac->wake);
		if (ac->cut_fd >= 0)
			close(ac->cut_fd);
		pthread_mutex_destroy(&ac->mu);
		free(ac->label);
		free(ac->folder);
	}
	free(w->v);
	free(w);
}

size_t
watch_info(struct watch *w, struct watch_info *v, size_t max)
{
	for (size_t i = 0; i < w->n && i < max; i++) {
		struct wacct *ac = &w->v[i];

		pthread_mutex_lock(&ac->mu);
		v[i].label = ac->label;
		v[i].folder = ac->folder;
		v[i].final = ac->final;
		v[i].since = ac->since;
		v[i].due = ac->due;
		v[i].up_once = ac->up_once;
		switch (ac->state) {
		case W_DOWN:
			v[i].state = ac->since != 0 ? WATCH_DOWN : WATCH_CONNECTING;
			break;
		case W_IDLE: v[i].state = WATCH_IDLE; break;
		case W_POLL: v[i].state = WATCH_POLL; break;
		}
		pthread_mutex_unlock(&ac->mu);
	}
	return w->n;
}
