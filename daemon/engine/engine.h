/* engine: followupd's one event loop, shared by `run` (every part),
 * `sync --watch` (the IMAP watchers alone) and `feed --serve` (the feed
 * alone). One thread waits in poll() on a signalfd (HUP reloads, INT and
 * TERM stop), an inotify watch on the state directory (changes made by
 * other followupd commands), the feed server and the workers' event
 * queue; one timer table holds the digest, midnight, the watchdog, the
 * retries and the checks for others' changes. Network work never runs on
 * this thread: each IMAP account has its own (watch.h), each send its own
 * (mailer.h); they report through the queue, and the loop logs what they
 * did with the priority it calls for. */
#ifndef FOLLOWUPD_ENGINE_H
#define FOLLOWUPD_ENGINE_H

#include <stdbool.h>

#include "config.h"
#include "log.h"
#include "sync.h"

enum engine_part {
	ENGINE_WATCH = 1,          /* the IMAP accounts' watchers */
	ENGINE_MAIL = 2,           /* the digest and the invites (with [smtp]) */
	ENGINE_FEED = 4,           /* the calendar file, and its server with listen */
};

#define ENGINE_STOP_GRACE 2        /* seconds the workers get to end on SIGTERM */
#define ENGINE_INVITE_RETRY 300    /* seconds before refused invites are tried again */
#define ENGINE_FEED_REBUILD 60     /* without inotify: seconds between feed rebuilds */
/* Seconds, past twice the longest [imap] timeout, after which an account
 * still connecting no longer holds back the digest and READY. */
#define ENGINE_TRY_GRACE 10
#define ENGINE_ARENAS 2            /* malloc arenas for all the threads */

struct engine_opts {
	const char *config_path;   /* read again on SIGHUP */
	unsigned parts;            /* enum engine_part */
	struct log *log;
	/* A terminal, not a service: the watchers' details ("watching ...")
	 * are debug lines. */
	bool terminal;
	/* Each scan's summary; NULL: a log line. */
	void (*synced)(void *arg, const char *label, const char *folder,
	    const struct sync_stats *s);
	void *arg;
};

/* Runs the parts until SIGINT or SIGTERM. Takes cfg (freed on return).
 * A sysexits(3) status: 0 after a stop, else why it could not start. */
int engine_run(struct config *cfg, const struct engine_opts *o);

#endif
