/* watch: keeps every IMAP account's Sent folder, and its inbox where one
 * is read (a->inbox), in the store as mail is sent and received: IDLE where the server has it (re-issued before the 29 minutes of
 * RFC 2177), polling every poll_interval where not, reconnection with
 * exponential backoff and jitter capped at 15 minutes. Each watched folder
 * has a thread of its own, with its own connection (IDLE watches only the
 * selected mailbox: an account with an inbox has two) and its own store
 * connection (SQLite's locking orders the writers), so that libetpan's
 * blocking calls never hold up the engine's loop, another account, or the
 * account's other folder. The engine
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
#define WATCH_INBOX_SUFFIX " (inbox)"  /* "imap NAME (inbox)": the inbox's watcher */

struct watch;

/* Every hook is called from a folder's thread: it must be safe to call
 * from any thread (the engine's hooks push to its event queue). */
struct watch_hooks {
	void *arg;
	/* level: 0 error, 1 notice, 2 detail. label: "imap NAME" for the
	 * Sent folder, "imap NAME (inbox)" for the inbox. msg is cleaned: one
	 * line, whatever the server sent. */
	void (*log)(void *arg, int level, const char *label, const char *msg);
	/* After each scan that read new messages: sync_folder()'s stats, or
	 * sync_inbox()'s when watch_is_inbox(label). */
	void (*synced)(void *arg, const char *label, const char *folder,
	    const struct sync_stats *s);
	/* During a scan, after each batch. NULL: none. */
	void (*progress)(void *arg, const char *label, const char *folder, size_t done,
	    size_t total);
	/* A folder's state changed (watch_info tells how). NULL: none. */
	void (*changed)(void *arg);
	/* A folder's thread ends; its last call for it. NULL: none. */
	void (*exited)(void *arg);
};
enum watch_state {
	WATCH_CONNECTING,     /* not connected yet */
	WATCH_DOWN,           /* failed; retrying at due */
	WATCH_IDLE,           /* waiting in IDLE */
	WATCH_POLL,           /* waiting to poll at due */
};

/* What a watched folder's connection is doing, for status lines. */
struct watch_info {
	const char *label;     /* "imap NAME", or "imap NAME (inbox)" */
	const char *folder;    /* NULL until found (the inbox's: from the start) */
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

/* How many folders a watch of cfg watches: one per account, and one more
 * per account whose inbox is read. Pure. */
size_t watch_folders(const struct config *cfg);
/* Whether a hook's label is an inbox watcher's. Pure. */
bool watch_is_inbox(const char *label);

/* Starts a thread per watched folder of cfg (watch_folders(cfg) of them),
 * each with its own connection; cfg must outlive the watch. The inbox is
 * the folder a->inbox names, never looked for. A folder whose thread
 * cannot be started is shown as failed for good, and *err (left NULL
 * otherwise) says why. */
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
/* The watched folders' state, an account's Sent folder before its inbox:
 * fills up to max entries of v (label and folder valid until watch_free)
 * and returns the number of folders, watch_folders() of the config. */
size_t watch_info(struct watch *w, struct watch_info *v, size_t max);

#endif
