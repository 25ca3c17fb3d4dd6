/* watch: keeps every IMAP account's Sent folder in the store as mail is
 * sent: IDLE where the server has it (re-issued before the 29 minutes of
 * RFC 2177), polling every poll_interval where not, reconnection with
 * exponential backoff and jitter capped at 15 minutes. One connection per
 * account, all driven from one poll() loop that the caller runs. */
#ifndef FOLLOWUPD_WATCH_H
#define FOLLOWUPD_WATCH_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "store.h"
#include "sync.h"

#define WATCH_IDLE_RENEW (28 * 60)     /* seconds in one IDLE */
#define WATCH_BACKOFF_FIRST 2          /* seconds before the first retry */
#define WATCH_BACKOFF_MAX (15 * 60)
#define WATCH_STABLE 60                /* seconds up before the delays start again */

struct watch;

struct watch_hooks {
	void *arg;
	/* level: 0 error, 1 notice, 2 detail. label: "imap NAME". */
	void (*log)(void *arg, int level, const char *label, const char *msg);
	/* After each scan that read new messages. */
	void (*synced)(void *arg, const char *label, const char *folder,
	    const struct sync_stats *s);
	/* During a scan, after each batch; may be called from sync's
	 * recorder thread. NULL: none. */
	void (*progress)(void *arg, const char *label, const char *folder, size_t done,
	    size_t total);
	/* After each login, before the first scan. NULL: none. */
	void (*up)(void *arg, const char *label);
	/* Asked between batches: true ends the scan early (what is
	 * committed stays). NULL: never. */
	bool (*stop)(void *arg);
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

struct watch *watch_new(const struct config *cfg, struct store *st,
    const struct watch_hooks *hooks);
void watch_free(struct watch *w);

/* Adds the descriptors to wait on to fds (room for cfg->naccounts) and
 * returns how many, with *timeout_ms until the next timer. */
size_t watch_fds(struct watch *w, time_t now, struct pollfd *fds, int *timeout_ms);
/* Does whatever is due: connects, scans, answers what poll() saw. */
void watch_step(struct watch *w, time_t now, const struct pollfd *fds, size_t nfds);
/* The accounts' state: fills up to max entries of v (valid until the
 * next watch_step) and returns the number of accounts. */
size_t watch_info(const struct watch *w, struct watch_info *v, size_t max);

#endif
