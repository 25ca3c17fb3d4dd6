/* evq: how worker threads report to the engine's loop. A worker pushes an
 * event (any struct that starts with struct evq_ev, allocated); the loop
 * polls evq_fd() and takes them all, in order. An eventfd, a mutex and a
 * list: the loop never waits on a worker, a worker never waits on the
 * loop. */
#ifndef FOLLOWUPD_EVQ_H
#define FOLLOWUPD_EVQ_H

struct evq_ev {
	struct evq_ev *next;
	int kind;                  /* the engine's enum */
};

struct evq;

struct evq *evq_new(void);
/* Frees the queue and every event still in it with free(). */
void evq_free(struct evq *q);
/* Readable when events are waiting. */
int evq_fd(const struct evq *q);
/* Any thread: adds e (the queue owns it until taken). */
void evq_push(struct evq *q, struct evq_ev *e);
/* The loop: every waiting event, oldest first, as a list the caller frees;
 * NULL when none. */
struct evq_ev *evq_take(struct evq *q);

#endif
