/* notify: what the daemon tells its service manager (sd_notify(3)): READY,
 * RELOADING, STOPPING, STATUS lines and the watchdog. Nothing is sent
 * when NOTIFY_SOCKET is not set. The status text is composed by a pure
 * function, notify_status_text(), from what the daemon is doing. */
#ifndef FOLLOWUPD_NOTIFY_H
#define FOLLOWUPD_NOTIFY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "watch.h"

struct notify {
	bool on;                   /* NOTIFY_SOCKET is set */
	uint64_t watchdog_usec;    /* 0: no watchdog */
	pthread_mutex_t mu;        /* the fields below; pings come from two threads */
	struct timespec last_ping; /* CLOCK_MONOTONIC */
	char *status;              /* the last STATUS= sent */
};

void notify_init(struct notify *n);
void notify_free(struct notify *n);
/* Sends state ("READY=1", "STOPPING=1", ...) as it is. */
void notify_send(struct notify *n, const char *state);
/* Sends STATUS=text when it differs from the last one. */
void notify_status(struct notify *n, const char *text);
/* Sends WATCHDOG=1 when half the watchdog interval has passed since the
 * last ping (or always when force). */
void notify_watchdog(struct notify *n, bool force);
/* Milliseconds until the next ping is due, -1 without a watchdog. */
int notify_watchdog_wait(struct notify *n);

/* What the status line is made of. */
struct notify_view {
	const struct watch_info *accounts;
	size_t naccounts;
	const char *scanning;      /* the label of an account scanning, or NULL */
	const char *scan_folder;
	size_t done, total;        /* of that scan */
	time_t next_digest;        /* 0: digests off */
	const char *digest_trouble;   /* the digest is waiting to be retried: why, or NULL */
	time_t digest_retry;
};

/* The STATUS= text: "scanning Sent 12000/48000", "idle; next digest Mon
 * 07:30", "imap work: unreachable since 09:12, retrying in 4m"... Times
 * are local (tz). Pure but for the zone. */
void notify_status_text(struct buf *out, const struct notify_view *v, time_t now);
/* "45s", "4m", "2h05m", "3d". */
void notify_duration(struct buf *out, long seconds);

#endif
