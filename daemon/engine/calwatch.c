#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "calwatch.h"
#include "clean.h"
#include "meetsync.h"
#include "store.h"
#include "watch.h"

struct calsrc {
	struct calwatch *w;
	const struct meet_source *m;
	char *label;               /* "meetings NAME" */
	pthread_t thread;
	bool started;
	atomic_bool tried;
	unsigned failures;
	unsigned long rng;
};

struct calwatch {
	const struct config *cfg;
	struct calwatch_hooks hooks;
	struct calsrc *v;
	size_t n;
	atomic_bool stop;
	atomic_size_t running;
	pthread_mutex_t mu;        /* with wake: the threads' waits */
	pthread_cond_t wake;
};

static void
say(struct calsrc *s, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct calsrc *s, int level, const char *fmt, ...)
{
	struct buf b = { 0 };
	char *clean;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	clean = clean_dup(buf_str(&b));
	s->w->hooks.log(s->w->hooks.arg, level, s->label, clean);
	free(clean);
	buf_free(&b);
}

static void
on_problem(void *arg, const char *msg)
{
	say(arg, 0, "%s", msg);
}

static unsigned long
next_random(struct calsrc *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

/* Waits seconds, or until calwatch_stop(). */
static void
nap(struct calwatch *w, long seconds)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&w->mu);
	while (!atomic_load(&w->stop) &&
	    pthread_cond_timedwait(&w->wake, &w->mu, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&w->mu);
}

/* One refresh; returns the seconds until the next. */
static long
refresh_once(struct calsrc *s, struct store *st)
{
	struct calwatch *w = s->w;
	struct meet_stats ms;
	char *err = NULL;
	enum calfetch_rc rc = meet_refresh(w->cfg, s->m, st, time(NULL), &w->stop, on_problem,
	    s, &ms, &err);
	long next = s->m->refresh;

	if (atomic_load(&w->stop)) {
		free(err);
		return 0;
	}
	if (rc == CALF_OK) {
		s->failures = 0;
		say(s, ms.read > 0 || ms.removed > 0 ? 1 : 2,
		    "%zu read, %zu removed; %zu meeting%s in the window", ms.read, ms.removed,
		    ms.meetings, ms.meetings == 1 ? "" : "s");
		if (w->hooks.refreshed != NULL)
			w->hooks.refreshed(w->hooks.arg);
	} else {
		long b = watch_backoff(++s->failures, next_random(s));

		say(s, 0, "%s%s", err ? err : "failed", rc == CALF_TEMP ? " (will retry)" : "");
		if (b < next)
			next = b;
	}
	free(err);
	return next;
}

static void *
run(void *arg)
{
	struct calsrc *s = arg;
	struct calwatch *w = s->w;
	struct store *st = NULL;

	while (!atomic_load(&w->stop)) {
		char *err = NULL;
		long next;

		if (st == NULL && (st = store_open(w->cfg->state_dir, &err)) == NULL) {
			say(s, 0, "%s", err);
			free(err);
			next = watch_backoff(++s->failures, next_random(s));
		} else {
			next = refresh_once(s, st);
		}
		atomic_store(&s->tried, true);
		if (w->hooks.changed != NULL)
			w->hooks.changed(w->hooks.arg);
		if (next > 0)
			nap(w, next);
	}
	store_close(st);
	atomic_fetch_sub(&w->running, 1);
	if (w->hooks.exited != NULL)
		w->hooks.exited(w->hooks.arg);
	return NULL;
}

struct calwatch *
calwatch_new(const struct config *cfg, const struct calwatch_hooks *hooks, char **err)
{
	struct calwatch *w = xcalloc(1, sizeof *w);
	pthread_condattr_t ca;

	w->cfg = cfg;
	w->hooks = *hooks;
	w->n = cfg->nmeetings;
	w->v = xcalloc(w->n + 1, sizeof *w->v);
	pthread_mutex_init(&w->mu, NULL);
	/* A change of the wall clock does not move the naps. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &ca);
	pthread_condattr_destroy(&ca);
	for (size_t i = 0; i < w->n; i++) {
		struct calsrc *s = &w->v[i];
		int rc;

		s->w = w;
		s->m = &cfg->meetings[i];
		s->label = xasprintf("meetings %s", s->m->name);
		s->rng = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16) ^ (i + 1);
		atomic_fetch_add(&w->running, 1);
		if ((rc = pthread_create(&s->thread, NULL, run, s)) != 0) {
			atomic_fetch_sub(&w->running, 1);
			atomic_store(&s->tried, true);
			if (*err == NULL)
				*err = xasprintf("%s: cannot start its thread: %s", s->label,
				    strerror(rc));
		} else {
			s->started = true;
		}
	}
	return w;
}

void
calwatch_stop(struct calwatch *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	atomic_store(&w->stop, true);
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->mu);
}

size_t
calwatch_running(const struct calwatch *w)
{
	return w == NULL ? 0 : atomic_load(&w->running);
}

bool
calwatch_all_tried(const struct calwatch *w)
{
	for (size_t i = 0; w != NULL && i < w->n; i++)
		if (!atomic_load(&w->v[i].tried))
			return false;
	return true;
}

void
calwatch_free(struct calwatch *w)
{
	if (w == NULL)
		return;
	calwatch_stop(w);
	for (size_t i = 0; i < w->n; i++) {
		if (w->v[i].started)
			pthread_join(w->v[i].thread, NULL);
		free(w->v[i].label);
	}
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->mu);
	free(w->v);
	free(w);
}
