/* The engine's event queue: what workers push reaches the loop, each
 * event once, in each worker's order, and the descriptor says when. */
#include <poll.h>
#include <pthread.h>

#include "testutil.h"

#include "evq.h"

#define PUSHERS 4
#define PER_PUSHER 5000

struct num {
	struct evq_ev ev;
	int who, seq;
};

struct pusher {
	struct evq *q;
	int who;
};

static void *
push_many(void *arg)
{
	struct pusher *p = arg;

	for (int i = 0; i < PER_PUSHER; i++) {
		struct num *n = xcalloc(1, sizeof *n);

		n->who = p->who;
		n->seq = i;
		evq_push(p->q, &n->ev);
	}
	return NULL;
}

static bool
readable(struct evq *q, int ms)
{
	struct pollfd p = { .fd = evq_fd(q), .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static void
test_empty_is_quiet(void **unused)
{
	struct evq *q = evq_new();

	(void)unused;
	assert_non_null(q);
	assert_false(readable(q, 0));
	assert_null(evq_take(q));
	evq_free(q);
}

static void
test_threads_in_order_once(void **unused)
{
	struct evq *q = evq_new();
	struct pusher p[PUSHERS];
	pthread_t t[PUSHERS];
	int next[PUSHERS] = { 0 }, total = 0;

	(void)unused;
	for (int i = 0; i < PUSHERS; i++) {
		p[i] = (struct pusher){ q, i };
		assert_int_equal(pthread_create(&t[i], NULL, push_many, &p[i]), 0);
	}
	/* Taken while they push, as the loop does. */
	while (total < PUSHERS * PER_PUSHER) {
		struct evq_ev *e, *nx;

		assert_true(readable(q, 5000));
		for (e = evq_take(q); e != NULL; e = nx) {
			struct num *n = (struct num *)e;

			nx = e->next;
			assert_int_equal(n->seq, next[n->who]);
			next[n->who]++;
			total++;
			free(n);
		}
	}
	for (int i = 0; i < PUSHERS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < PUSHERS; i++)
		assert_int_equal(next[i], PER_PUSHER);
	/* Everything was taken: nothing left to wake the loop for. */
	assert_null(evq_take(q));
	assert_false(readable(q, 0));
	evq_free(q);
}

static void
test_free_with_events_left(void **unused)
{
	struct evq *q = evq_new();

	(void)unused;
	for (int i = 0; i < 3; i++) {
		struct num *n = xcalloc(1, sizeof *n);

		evq_push(q, &n->ev);
	}
	assert_true(readable(q, 0));
	evq_free(q);   /* the sanitizer and valgrind runs see any leak */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_quiet),
		cmocka_unit_test(test_threads_in_order_once),
		cmocka_unit_test(test_free_with_events_left),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
