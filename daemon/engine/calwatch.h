/* calwatch: keeps the meetings of every [meetings] source in the store:
 * a refresh at the start, then every `refresh`, with exponential backoff
 * (watch_backoff) after a failure, never waiting longer than `refresh`.
 * Each source has a thread of its own with its own store connection, so
 * that a slow calendar server never holds up the engine's loop;
 * calwatch_stop() cuts a transfer within a second. */
#ifndef FOLLOWUPD_CALWATCH_H
#define FOLLOWUPD_CALWATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct calwatch;

/* Called from a source's thread: each must be safe from any thread. */
struct calwatch_hooks {
	void *arg;
	/* level: 0 error, 1 notice, 2 detail; label "meetings NAME"; msg cleaned. */
	void (*log)(void *arg, int level, const char *label, const char *msg);
	/* After each refresh that succeeded. */
	void (*refreshed)(void *arg);
	/* After each try, successful or not (the first try counts for the
	 * digest's wait). NULL: none. */
	void (*changed)(void *arg);
	/* The source's thread ends; its last call. NULL: none. */
	void (*exited)(void *arg);
};

/* Starts a thread per source of cfg (which must outlive it). *err (left
 * NULL otherwise) says which could not be started. */
struct calwatch *calwatch_new(const struct config *cfg, const struct calwatch_hooks *hooks,
    char **err);
/* Asks every thread to end (a wait ends at once, a transfer within a
 * second). Returns at once. NULL: nothing. */
void calwatch_stop(struct calwatch *w);
/* How many threads have not ended yet (0 for NULL). */
size_t calwatch_running(const struct calwatch *w);
/* Has every source been tried at least once? (true for NULL) */
bool calwatch_all_tried(const struct calwatch *w);
/* Joins the threads and frees. NULL: nothing. */
void calwatch_free(struct calwatch *w);

#endif
