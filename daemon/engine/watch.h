/* watch: keeps every IMAP account's Sent folder in the store as mail is
 * sent: IDLE where the server has it (re-issued before the 29 minutes of
 * RFC 2177), polling every poll_interval where not, reconnection with
 * exponential backoff and jitter capped at 15 minutes. Each account has a
 * thread of its own, with its own connection and its own store connection
 * (SQLite's locking orders the writers), so that libetpan's blocking
 * calls never hold up the engine's loop or another account. The engine
 * hears of it through the hooks and stops it with watch_stop(), which
 * cuts a connection that is stuck in a read. */
#ifndef FOLLOWUPD_WATCH_H
#define FOLLOWUPD_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "sync.h"

#define WATCH_IDLE_RENEW (28 * 60)     /* seconds in one IDLE */
#define WATCH_BACKOFF_FIRST 2          /* seconds before the first retry */
#define WATCH_BACKOFF_MAX (15 * 60)
#define WATCH_STABLE 60                /* seconds up before the delays start again */

struct watch;

/* Every hook is called from an account's thread: it must be safe to call
 * from any thread (the engine's hooks push to its event queue). */
struct watch_hooks {
	void *arg;
	/* level: 0 error, 1 notice, 2 detail. label: "imap NAME". msg is
	 * cleaned: one line, whatever the server sent. */
	void (*log)(void *arg, int level, const char *label, const char *msg);
	/* After each scan that read new messages. */
	void (*synced)(void *arg, const char *label, const char *folder,
	    const struct sync_stats *s);
	/* During a scan, after each batch. NULL: none. */
	void (*progress)(void *arg, const char *label, const char *folder, size_t done,
	    size_t total);
	/* The account's state changed (watch_info tells how). NULL: none. */
	void (*changed)(void *arg);
	/* The account's thread ends; its last call. NULL: none. */
	void (*exited)(void *arg);
};
enum watch_state {
	WATCH_CONNECTING,     /* not connected yet */
	WATCH_DOWN,           /* failed; retrying at due */
	WATCH_IDLE,           /* waiting in IDLE */
	WATCH_POLL,           /* waiting to poll at due */
};

/* What an account is doing, for status lines. */
struct watch_info {
	const char *label;     /* "imap NAME" */
	const char *folder;    /* NULL until found */
	enum watch_state state;
	bool final;            /* WATCH_DOWN: the last failure needs the user (login, TLS) */
	time_t since;          /* WATCH_DOWN: first failure of this run of them */
	time_t due;            /* WATCH_DOWN: next try; WATCH_POLL: next poll */
	bool up_once;          /* has logged in at least once */
};

/* The delay before retry number `failures` (1 for the first): doubling from
 * WATCH_BACKOFF_FIRST, capped at WATCH_BACKOFF_MAX, and drawn from its upper
 * half by r so that many clients do not retry in step. Pure. */
long watch_backoff(unsigned failures, unsigned long r);

/* Starts a thread per account of cfg, which must outlive the watch. An
 * account whose thread cannot be started is shown as failed for good,
 * and *err (left NULL otherwise) says why. */
struct watch *watch_new(const struct config *cfg, const struct watch_hooks *hooks,
    char **err);
/* Asks every thread to end: waits end at once, a scan ends after its
 * batch, and a connection stuck in a read is shut down. Returns at once. */
void watch_stop(struct watch *w);
/* How many threads have not ended yet. */
size_t watch_running(const struct watch *w);
/* Joins the threads (after watch_stop: at once when watch_running() is 0)
 * and frees. */
void watch_free(struct watch *w);
/* The accounts' state: fills up to max entries of v (label and folder
 * valid until watch_free) and returns the number of accounts. */
size_t watch_info(struct watch *w, struct watch_info *v, size_t max);

#endif
