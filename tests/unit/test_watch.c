/* The reconnection schedule: doubling, jittered, capped at 15 minutes. */
#include "testutil.h"

#include "watch.h"

static void
test_backoff_grows_and_caps(void **unused)
{
	long prev_max = 0;

	(void)unused;
	for (unsigned f = 1; f <= 40; f++) {
		long lo = watch_backoff(f, 0), hi = watch_backoff(f, ~0UL);
		long full = WATCH_BACKOFF_FIRST;

		for (unsigned i = 1; i < f && full < WATCH_BACKOFF_MAX; i++)
			full *= 2;
		if (full > WATCH_BACKOFF_MAX)
			full = WATCH_BACKOFF_MAX;
		/* Every draw lies in the upper half of the full delay. */
		for (unsigned long r = 0; r < 2000; r += 7) {
			long d = watch_backoff(f, r);

			assert_true(d >= full - full / 2);
			assert_true(d <= full);
			assert_true(d <= 15 * 60);
		}
		assert_true(lo >= prev_max / 2);
		assert_true(hi <= WATCH_BACKOFF_MAX);
		prev_max = full;
	}
	/* The first retry comes within seconds, the cap is reached, and it
	 * is 15 minutes. */
	assert_true(watch_backoff(1, 12345) <= 2);
	assert_int_equal(watch_backoff(30, 900 / 2), 15 * 60);
}

static void
test_backoff_jitter_spreads(void **unused)
{
	bool seen[WATCH_BACKOFF_MAX + 1] = { false };
	size_t distinct = 0;

	(void)unused;
	/* Many clients failing together retry at many different moments. */
	for (unsigned long r = 0; r < 10000; r++) {
		long d = watch_backoff(12, r * 2654435761UL);

		if (!seen[d]) {
			seen[d] = true;
			distinct++;
		}
	}
	assert_true(distinct > 300);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_grows_and_caps),
		cmocka_unit_test(test_backoff_jitter_spreads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
