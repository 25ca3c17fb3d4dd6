/* sync: reads the new messages of an account's Sent folder into the store,
 * in batches; the touches of up to SYNC_COMMIT messages are committed in
 * one transaction together with the folder's last UID, so that an
 * interrupted scan resumes where it stopped and never records a message
 * twice. A scan of several batches fetches the next
 * batch in the calling thread while a second thread records the last one;
 * the hooks are called from that thread then. The folder is read through a
 * table of operations (mbox.h): the IMAP connection's, or a test's. */
#ifndef FOLLOWUPD_SYNC_H
#define FOLLOWUPD_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "imap.h"
#include "mbox.h"
#include "store.h"

#define SYNC_BATCH 500       /* messages per UID FETCH */
#define SYNC_COMMIT 5000     /* messages per transaction, at most (about) */
/* A transaction waiting this long for the next batch is committed: the
 * state's write lock is never held across a slow server. */
#define SYNC_IDLE_COMMIT_MS 300
#define SYNC_REPLY_MAX_AGE (14L * 86400)   /* older replies to the digest are not applied */
#define SYNC_TALLY_PERIOD (365L * 86400)   /* non-contacts are counted from messages this recent */
#define SYNC_REPLY_TRIES 3   /* syncs that fail to read a reply before it is given up */

struct sync_hooks {
	void *arg;
	/* A message skipped or read only in part; msg names the UID. */
	void (*warn)(void *arg, const char *msg);
	/* After each batch (and once with done = 0 before the first). */
	void (*progress)(void *arg, size_t done, size_t total);
	/* Asked before each batch is fetched: true ends the scan with
	 * IMAP_TEMP ("interrupted"); what was committed stays. NULL: never. */
	bool (*stop)(void *arg);
};

struct sync_stats {
	size_t messages;       /* new messages read */
	size_t touches;        /* follow-ups recorded */
	size_t skipped;        /* messages that could not be read */
	size_t bulk;           /* messages to more than max_recipients */
	bool rescanned;        /* UIDVALIDITY changed: read from the start */
	size_t checkbacks;     /* check-backs opened */
	size_t replies;        /* replies to the digest applied */
	size_t commands;       /* their commands applied */
	size_t refused;        /* their lines not understood */
	size_t received;       /* inbox: messages from contacts (or people
	                        * checked back on) recorded */
	size_t answered;       /* inbox: check-backs ended by an answer */
};

/* Scans folder through ops on conn. Store failures come back as
 * IMAP_FINAL with a "state: ..." message. */
enum imap_rc sync_folder_src(const struct mbox_ops *ops, void *conn,
    const struct config *cfg, const struct imap_account *a, struct store *st,
    const char *folder, time_t now, const struct sync_hooks *hooks,
    struct sync_stats *stats, char **err);
/* The same on the connected c. */
enum imap_rc sync_folder(struct imap *c, const struct config *cfg,
    const struct imap_account *a, struct store *st, const char *folder,
    time_t now, const struct sync_hooks *hooks, struct sync_stats *stats,
    char **err);
/* The same for an account's inbox (a->inbox): messages received, read
 * incrementally by UID like Sent, only their header fields. A message
 * from a contact (or from someone checked back on) is recorded as
 * received (never as a touch: it resets no cadence) and ends the
 * check-backs on its sender's contact that are older than it. */
enum imap_rc sync_inbox_src(const struct mbox_ops *ops, void *conn,
    const struct config *cfg, const struct imap_account *a, struct store *st,
    const char *folder, time_t now, const struct sync_hooks *hooks,
    struct sync_stats *stats, char **err);
enum imap_rc sync_inbox(struct imap *c, const struct config *cfg,
    const struct imap_account *a, struct store *st, const char *folder,
    time_t now, const struct sync_hooks *hooks, struct sync_stats *stats,
    char **err);

#endif
