#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "buf.h"
#include "evq.h"

struct evq {
	pthread_mutex_t mu;
	struct evq_ev *head, **tail;
	int fd;
};

struct evq *
evq_new(void)
{
	struct evq *q = xcalloc(1, sizeof *q);

	pthread_mutex_init(&q->mu, NULL);
	q->tail = &q->head;
	if ((q->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		pthread_mutex_destroy(&q->mu);
		free(q);
		return NULL;
	}
	return q;
}

void
evq_free(struct evq *q)
{
	struct evq_ev *e, *next;

	if (q == NULL)
		return;
	for (e = q->head; e != NULL; e = next) {
		next = e->next;
		free(e);
	}
	close(q->fd);
	pthread_mutex_destroy(&q->mu);
	free(q);
}

int
evq_fd(const struct evq *q)
{
	return q->fd;
}

void
evq_push(struct evq *q, struct evq_ev *e)
{
	uint64_t one = 1;

	e->next = NULL;
	pthread_mutex_lock(&q->mu);
	*q->tail = e;
	q->tail = &e->next;
	pthread_mutex_unlock(&q->mu);
	/* Cannot fail short of the counter's 2^64 - 2: it is read at every
	 * turn of the loop. */
	if (write(q->fd, &one, sizeof one) < 0) {
		/* the loop is woken by the events already counted */
	}
}

struct evq_ev *
evq_take(struct evq *q)
{
	struct evq_ev *list;
	uint64_t n;

	if (read(q->fd, &n, sizeof n) < 0) {
		/* EAGAIN: nothing counted; the list may still hold events
		 * pushed between a take and its read */
	}
	pthread_mutex_lock(&q->mu);
	list = q->head;
	q->head = NULL;
	q->tail = &q->head;
	pthread_mutex_unlock(&q->mu);
	return list;
}
