/* The STATUS= lines the daemon gives systemd, from what it is doing: idle
 * with the next digest, accounts connecting, down (since when, retrying
 * when), a digest waiting to be retried; and the durations in them. */
#include "testutil.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

static char *
text(const struct notify_view *v, time_t now)
{
	struct buf b = { 0 };

	notify_status_text(&b, v, now);
	return buf_take(&b);
}

static char *
dur(long s)
{
	struct buf b = { 0 };

	notify_duration(&b, s);
	return buf_take(&b);
}

#define ASSERT_DUR(s, want) do { char *_d = dur(s); assert_string_equal(_d, want); free(_d); } while (0)

static void
test_duration(void **unused)
{
	(void)unused;
	ASSERT_DUR(-5, "0s");
	ASSERT_DUR(0, "0s");
	ASSERT_DUR(59, "59s");
	ASSERT_DUR(60, "1m");
	ASSERT_DUR(240, "4m");
	ASSERT_DUR(269, "4m");
	ASSERT_DUR(270, "5m");
	ASSERT_DUR(3599, "60m");
	ASSERT_DUR(3600, "1h00m");
	ASSERT_DUR(7500, "2h05m");
	ASSERT_DUR(86400, "1d");
	ASSERT_DUR(3 * 86400 + 3600, "3d");
}

static void
test_status(void **unused)
{
	struct config *cfg = test_config("[followupd]\nme = j@example.org\ntimezone = Europe/Berlin\n");
	/* Monday 23 Nov 2026, 09:20 in Berlin (08:20 UTC). */
	time_t now = tz_time_of(D("2026-11-23"), 9 * 60 + 20);
	time_t next = tz_time_of(D("2026-11-24"), 7 * 60 + 30);
	struct watch_info acc[2] = {
		{ .label = "imap work", .folder = "Sent", .state = WATCH_IDLE },
		{ .label = "imap home", .folder = "Sent", .state = WATCH_POLL, .due = now + 60 },
	};
	struct notify_view v = { .accounts = acc, .naccounts = 2, .next_digest = next };
	char *s;

	(void)unused;
	s = text(&v, now);
	assert_string_equal(s, "idle; next digest Tue 07:30");
	free(s);
	/* Down since 09:12, the next try in 4 minutes. */
	acc[0].state = WATCH_DOWN;
	acc[0].since = now - 8 * 60;
	acc[0].due = now + 4 * 60;
	s = text(&v, now);
	assert_string_equal(s, "imap work: unreachable since 09:12, retrying in 4m; next digest Tue 07:30");
	free(s);
	/* A login or TLS failure is the user's to fix. */
	acc[0].final = true;
	acc[1].state = WATCH_CONNECTING;
	s = text(&v, now);
	assert_string_equal(s, "imap work: failing (see the log) since 09:12, retrying in 4m; "
	    "imap home: connecting; next digest Tue 07:30");
	free(s);
	/* A scan in progress, a digest to retry, digests off. */
	acc[0].state = WATCH_IDLE;
	acc[1].state = WATCH_IDLE;
	v.scanning = "imap work";
	v.scan_folder = "Sent";
	v.done = 12000;
	v.total = 48000;
	v.digest_trouble = "the server is unreachable or busy";
	v.digest_retry = now + 120;
	v.next_digest = 0;
	s = text(&v, now);
	assert_string_equal(s, "imap work: scanning Sent 12000/48000; digest not sent (the server "
	    "is unreachable or busy), retrying in 2m; digests off");
	free(s);
	/* The next digest more than a week away shows its date. */
	v.scanning = NULL;
	v.digest_trouble = NULL;
	v.next_digest = tz_time_of(D("2026-12-07"), 7 * 60 + 30);
	s = text(&v, now);
	assert_string_equal(s, "idle; next digest 2026-12-07 07:30");
	free(s);
	config_free(cfg);
}

/* What reaches systemd: a folder name from the server with an LF in it
 * makes one STATUS= assignment, not a second WATCHDOG=trigger. */
static void
test_status_sent_clean(void **unused)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct notify n;
	char got[512], dir[] = "/tmp/fu-notify.XXXXXX";
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ssize_t len;

	assert_non_null(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/sock", dir);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	notify_init(&n);
	notify_status(&n, "imap jane: scanning Sent\nWATCHDOG=trigger\nSTOPPING=1 3/9");
	len = recv(fd, got, sizeof got - 1, MSG_DONTWAIT);
	assert_true(len > 0);
	got[len] = '\0';
	assert_string_equal(got, "STATUS=imap jane: scanning Sent?WATCHDOG=trigger?STOPPING=1 3/9");
	notify_free(&n);
	unsetenv("NOTIFY_SOCKET");
	close(fd);
	unlink(sa.sun_path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_status_sent_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
