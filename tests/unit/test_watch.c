/* The reconnection schedule: doubling, jittered, capped at 15 minutes;
 * one watcher per folder, the inbox's apart. */
#include "testutil.h"

#include <unistd.h>

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

/* An account's inbox has a watcher of its own, listed right after the
 * account's Sent folder, with a label that tells the two apart. */
static void
test_one_entry_per_folder(void **unused)
{
	char dir[] = "/tmp/test_watch.XXXXXX";
	char *text, *err = NULL, cmd[64];
	struct config *cfg;
	struct watch *w;
	struct watch_info v[4];
	size_t n;

	(void)unused;
	assert_non_null(mkdtemp(dir));
	/* Port 1 of loopback: refused at once, the threads only back off. */
	text = xasprintf("[followupd]\nme = j@example.org\ntimezone = UTC\nstate_dir = %s\n\n"
	    "[imap:work]\nurl = imap://127.0.0.1:1\nuser = jane\npassword = x\n\n"
	    "[imap:home]\nurl = imap://127.0.0.1:1\nuser = jane\npassword = x\n", dir);
	cfg = test_config(text);
	free(text);
	assert_int_equal(cfg->naccounts, 2);
	/* Set by hand: whatever the configuration's defaults, work's inbox
	 * is read and home's is not. */
	free(cfg->accounts[0].inbox);
	cfg->accounts[0].inbox = xstrdup("Received");
	free(cfg->accounts[1].inbox);
	cfg->accounts[1].inbox = NULL;
	assert_int_equal(watch_folders(cfg), 3);

	w = watch_new(cfg, NULL, &err);
	assert_null(err);
	n = watch_info(w, v, 4);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].label, "imap work");
	assert_string_equal(v[1].label, "imap work (inbox)");
	assert_string_equal(v[2].label, "imap home");
	/* The inbox is named, never looked for. */
	assert_non_null(v[1].folder);
	assert_string_equal(v[1].folder, "Received");
	assert_false(watch_is_inbox(v[0].label));
	assert_true(watch_is_inbox(v[1].label));
	assert_false(watch_is_inbox(v[2].label));
	/* Fewer slots than folders: those filled, and the count. */
	assert_int_equal(watch_info(w, v, 1), 3);
	assert_string_equal(v[0].label, "imap work");

	/* Every thread ends, the inbox's too. */
	watch_stop(w);
	for (int i = 0; i < 500 && watch_running(w) > 0; i++)
		usleep(10 * 1000);
	assert_int_equal(watch_running(w), 0);
	watch_free(w);
	config_free(cfg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_grows_and_caps),
		cmocka_unit_test(test_backoff_jitter_spreads),
		cmocka_unit_test(test_one_entry_per_folder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
