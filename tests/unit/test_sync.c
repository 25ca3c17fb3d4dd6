/* sync over an in-memory Sent folder (fakembox.h) into a real store in a
 * temporary directory: messages to contacts become follow-ups at their
 * times; a second sync reads only what is new; a new UIDVALIDITY rescans
 * without counting twice; a scan that fails or is stopped keeps what it
 * committed and the next one goes on from there; a reply to a digest that
 * was sent has its commands applied once, however often it is read, and
 * one to a digest never sent not at all; what the server sends unasked,
 * or twice, is ignored; scans of more than SYNC_BATCH messages. Every
 * time is pinned: nothing depends on today's date. The cases that mean
 * the same for a source that answers the scan as one stream (as sync reads
 * IMAP) run twice, once through each of fakembox's tables; the stream's
 * own (a connection dropped mid-answer, nothing new, a stop) run on it. */
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "testutil.h"

#include "agenda.h"
#include "digest.h"
#include "fakembox.h"
#include "store.h"
#include "sync.h"

#define NOW ((time_t)1795435200)   /* 2026-11-23 12:00:00 UTC */
#define HOUR 3600L
#define DAY 86400L

static const char conf_text[] =
    "[followupd]\nme = Jane Doe <jane@example.org>\ntimezone = Europe/Berlin\n"
    "max_recipients = 5\n"
    "[contact:alice]\nname = Alice Smith\nemail = alice@example.com\ncadence = 2w\n"
    "[contact:bob]\nname = Bob O'Brien\nemail = bob@obrien.example\ncadence = 1m\n";

struct fx {
	char dir[64];
	struct config *cfg;
	struct store *st;
	struct fakembox f;
	bool stream;               /* read through fakembox_stream_ops */
	struct imap_account acct;
	char *digest_id;           /* of the digest sent on 2026-11-22 */
	struct sync_stats stats;
	char *err;
	struct buf warnings;       /* of the last sync, one a line */
	size_t progress_done, progress_total, progress_calls;
	bool progress_backwards;
	unsigned stop_at;          /* stop before the stop_at-th batch; 0: never */
	unsigned stop_asked;
};

static int
setup(void **state)
{
	static const unsigned char key[DIGEST_KEY_LEN] = { 7, 1, 8, 2, 8, 1, 8, 2, 8 };
	struct fx *x = calloc(1, sizeof *x);
	char *err = NULL;

	snprintf(x->dir, sizeof x->dir, "/tmp/fu-sync-XXXXXX");
	if (mkdtemp(x->dir) == NULL)
		return -1;
	x->cfg = test_config(conf_text);
	if ((x->st = store_open(x->dir, &err)) == NULL)
		fail_msg("%s", err);
	fakembox_init(&x->f, "Sent", 1000);
	x->acct.name = "default";
	/* The digest of the 22nd went out: replies to it are read. */
	x->digest_id = digest_message_id(x->cfg, D("2026-11-22"), key, sizeof key);
	if (store_digest_sending(x->st, "2026-11-22", x->digest_id, &err) < 0 ||
	    store_digest_done(x->st, "2026-11-22", true, NOW - DAY, NULL, &err) < 0)
		fail_msg("%s", err);
	*state = x;
	return 0;
}

static int
setup_stream(void **state)
{
	if (setup(state) < 0)
		return -1;
	((struct fx *)*state)->stream = true;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;
	char cmd[128];

	store_close(x->st);
	config_free(x->cfg);
	fakembox_free(&x->f);
	free(x->digest_id);
	free(x->err);
	buf_free(&x->warnings);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", x->dir);
	if (system(cmd) != 0)
		return -1;
	free(x);
	return 0;
}

static void
on_warn(void *arg, const char *msg)
{
	struct fx *x = arg;

	buf_printf(&x->warnings, "%s\n", msg);
}

static void
on_progress(void *arg, size_t done, size_t total)
{
	struct fx *x = arg;

	if (done < x->progress_done || (x->progress_calls > 0 && total != x->progress_total))
		x->progress_backwards = true;
	x->progress_done = done;
	x->progress_total = total;
	x->progress_calls++;
}

static bool
on_stop(void *arg)
{
	struct fx *x = arg;

	return x->stop_at != 0 && ++x->stop_asked >= x->stop_at;
}

/* One sync of "Sent" at NOW, its counts in x->stats, warnings in
 * x->warnings, the fake's counts started anew. */
static enum imap_rc
run_sync(struct fx *x)
{
	const struct sync_hooks hooks = { x, on_warn, on_progress, on_stop };

	free(x->err);
	x->err = NULL;
	buf_free(&x->warnings);
	memset(&x->warnings, 0, sizeof x->warnings);
	x->progress_done = x->progress_total = x->progress_calls = 0;
	x->progress_backwards = false;
	x->stop_asked = 0;
	fakembox_round(&x->f);
	return sync_folder_src(x->stream ? &fakembox_stream_ops : &fakembox_ops, &x->f, x->cfg,
	    &x->acct, x->st, "Sent", NOW, &hooks, &x->stats, &x->err);
}

static void
sync_ok(struct fx *x)
{
	enum imap_rc rc = run_sync(x);

	if (rc != IMAP_OK)
		fail_msg("sync: %d: %s", rc, x->err != NULL ? x->err : "(no message)");
}

/* A header block as a mail program writes it; extra: more fields, each
 * ending in CRLF. */
static char *
header(const char *id, const char *to, time_t date, const char *extra)
{
	char d[64];
	struct tm tm;

	gmtime_r(&date, &tm);
	strftime(d, sizeof d, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	return xasprintf("From: Jane Doe <jane@example.org>\r\nTo: %s\r\nSubject: Hello\r\n"
	    "Date: %s\r\nMessage-ID: <%s>\r\n%s\r\n", to, d, id, extra);
}

/* A message sent at date (stored a minute later); its UID. */
static uint32_t
add(struct fx *x, const char *id, const char *to, time_t date)
{
	char *h = header(id, to, date, "");
	uint32_t uid = fakembox_add(&x->f, date + 60, h, NULL, false);

	free(h);
	return uid;
}

/* A reply to the message parent, addressed to me, with text. */
static uint32_t
add_reply(struct fx *x, const char *id, const char *parent, time_t date, const char *text)
{
	char *extra = xasprintf("In-Reply-To: %s\r\nReferences: %s\r\n", parent, parent);
	char *h = header(id, "Jane Doe <jane@example.org>", date, extra);
	uint32_t uid = fakembox_add(&x->f, date + 60, h, text, false);

	free(extra);
	free(h);
	return uid;
}

/* n messages to Alice, "bulk-<i>@example.org", an hour apart, the last
 * one a day before NOW. */
static void
add_many(struct fx *x, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char id[64];

		snprintf(id, sizeof id, "bulk-%zu@example.org", i);
		add(x, id, "Alice Smith <alice@example.com>", NOW - DAY - (time_t)(n - i) * HOUR);
	}
}

/* The one number a query of the database answers. */
static long long
count(struct fx *x, const char *sql)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -1;

	snprintf(path, sizeof path, "%s/followupd.db", x->dir);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static long long
touches(struct fx *x)
{
	return count(x, "SELECT count(*) FROM touches");
}

/* The folder's last UID read, 0 when it was never read. */
static uint32_t
last_uid(struct fx *x)
{
	uint32_t validity = 0, last = 0;
	char *err = NULL;
	int rc = store_folder_get(x->st, "default", "Sent", &validity, &last, &err);

	if (rc < 0)
		fail_msg("%s", err);
	return rc == 0 ? last : 0;
}

/* What the agenda of the 23rd knows of contact id. */
struct seen {
	bool any;
	time_t last_at;
	enum via last_via;
	time_t call_at;            /* 0: no call */
	int snooze_until;
};

static struct seen
seen(struct fx *x, const char *id)
{
	struct agenda a;
	struct seen s = { 0 };
	char *err = NULL;
	const struct contact *c = config_contact(x->cfg, id);
	size_t i;

	assert_non_null(c);
	i = (size_t)(c - x->cfg->contacts);
	if (agenda_build(&a, x->cfg, x->st, D("2026-11-23"),
	    tz_time_of(D("2026-11-23"), 12 * 60), &err) < 0)
		fail_msg("%s", err);
	s.any = a.histories[i].any;
	s.last_at = a.histories[i].last_at;
	s.last_via = a.histories[i].last_via;
	s.call_at = a.histories[i].has_via[VIA_CALL] ? a.histories[i].via_at[VIA_CALL] : 0;
	s.snooze_until = a.states[i].snooze_until;
	agenda_free(&a);
	return s;
}

struct corr {
	const char *address;
	long count;
	time_t first, last;
	int found;
};

static int
find_corr(const char *address, long n, time_t first, time_t last, void *arg)
{
	struct corr *c = arg;

	if (strcmp(address, c->address) == 0) {
		c->count = n;
		c->first = first;
		c->last = last;
		c->found++;
	}
	return 0;
}

/* How many messages went to a non-contact, as followupd suggest sees it. */
static struct corr
correspondent(struct fx *x, const char *address)
{
	struct corr c = { .address = address };
	char *err = NULL;

	if (store_correspondents_each(x->st, NOW - 365 * DAY, find_corr, &c, &err) < 0)
		fail_msg("%s", err);
	return c;
}

static void
assert_warned(struct fx *x, const char *part)
{
	if (strstr(buf_str(&x->warnings), part) == NULL)
		fail_msg("no warning with \"%s\" in:\n%s", part, buf_str(&x->warnings));
}

static void
test_contacts_become_followups(void **state)
{
	struct fx *x = *state;
	char *h;
	struct seen alice, bob;
	struct corr carol;

	add(x, "m1@example.org", "Alice Smith <alice@example.com>", NOW - 3 * DAY);
	add(x, "m2@example.org", "Bob <bob@obrien.example>, Carol <carol@elsewhere.example>",
	    NOW - 2 * DAY);
	add(x, "m3@example.org", "carol@elsewhere.example", NOW - DAY);
	/* No Date: it counts at its INTERNALDATE. */
	h = xstrdup("From: jane@example.org\r\nTo: ALICE@Example.COM\r\n"
	    "Message-ID: <m4@example.org>\r\n\r\n");
	fakembox_add(&x->f, NOW - 5 * HOUR, h, NULL, false);
	free(h);
	/* To more than max_recipients: a newsletter, not a follow-up. */
	add(x, "m5@example.org", "alice@example.com, bob@obrien.example, a@x.example, "
	    "b@x.example, c@x.example, d@x.example", NOW - 4 * HOUR);

	sync_ok(x);
	assert_int_equal(x->stats.messages, 5);
	assert_int_equal(x->stats.touches, 3);
	assert_int_equal(x->stats.bulk, 1);
	assert_int_equal(x->stats.skipped, 0);
	assert_false(x->stats.rescanned);
	assert_int_equal(touches(x), 3);
	assert_int_equal(count(x, "SELECT count(*) FROM touches WHERE key LIKE '%m5@example.org%'"),
	    0);
	assert_int_equal(last_uid(x), 5);

	alice = seen(x, "alice");
	assert_true(alice.any);
	assert_int_equal(alice.last_at, NOW - 5 * HOUR);
	assert_int_equal(alice.last_via, VIA_EMAIL);
	assert_int_equal(count(x, "SELECT at FROM touches WHERE key LIKE '%m1@example.org%'"),
	    NOW - 3 * DAY);
	bob = seen(x, "bob");
	assert_true(bob.any);
	assert_int_equal(bob.last_at, NOW - 2 * DAY);
	assert_int_equal(bob.last_via, VIA_EMAIL);
	/* Carol is no contact: counted for suggestions, the newsletter not. */
	carol = correspondent(x, "carol@elsewhere.example");
	assert_int_equal(carol.found, 1);
	assert_int_equal(carol.count, 2);
	assert_int_equal(carol.first, NOW - 2 * DAY);
	assert_int_equal(carol.last, NOW - DAY);
	assert_int_equal(correspondent(x, "a@x.example").found, 0);

	/* Progress: 0 of 5 before, 5 of 5 after. */
	assert_int_equal(x->progress_done, 5);
	assert_int_equal(x->progress_total, 5);
	assert_false(x->progress_backwards);
}

static void
test_second_sync_reads_only_new(void **state)
{
	struct fx *x = *state;

	add(x, "a1@example.org", "alice@example.com", NOW - 3 * DAY);
	add(x, "a2@example.org", "bob@obrien.example", NOW - 3 * DAY);
	add(x, "a3@example.org", "carol@elsewhere.example", NOW - 3 * DAY);
	sync_ok(x);
	assert_int_equal(x->stats.messages, 3);
	assert_int_equal(x->stats.touches, 2);

	add(x, "a4@example.org", "alice@example.com", NOW - DAY);
	add(x, "a5@example.org", "carol@elsewhere.example", NOW - DAY);
	sync_ok(x);
	assert_int_equal(x->stats.messages, 2);
	assert_int_equal(x->stats.touches, 1);
	assert_int_equal(x->f.fetched, 2);
	assert_int_equal(x->f.first_fetched, 4);
	assert_int_equal(touches(x), 3);
	assert_int_equal(seen(x, "alice").last_at, NOW - DAY);
	assert_int_equal(correspondent(x, "carol@elsewhere.example").count, 2);
	assert_int_equal(last_uid(x), 5);

	/* Nothing new: nothing fetched, nothing recorded (a stream of 6:*
	 * answers UID 5 again, RFC 3501 6.4.8: not read twice). */
	sync_ok(x);
	assert_int_equal(x->stats.messages, 0);
	assert_int_equal(x->f.calls[FAKEMBOX_FETCH_BATCH], 0);
	assert_int_equal(x->f.fetched, 0);
	assert_int_equal(touches(x), 3);
	assert_int_equal(last_uid(x), 5);
}

static void
test_uidvalidity_change_rescans_once(void **state)
{
	struct fx *x = *state;
	char *err = NULL;

	add(x, "v1@example.org", "alice@example.com", NOW - 3 * DAY);
	add(x, "v2@example.org", "carol@elsewhere.example", NOW - 2 * DAY);
	add(x, "v3@example.org", "bob@obrien.example, carol@elsewhere.example", NOW - DAY);
	sync_ok(x);
	assert_int_equal(touches(x), 2);
	assert_int_equal(correspondent(x, "carol@elsewhere.example").count, 2);

	/* The server rebuilt its index: the same messages, new UIDs. */
	fakembox_renumber(&x->f, 2000, 100);
	sync_ok(x);
	assert_true(x->stats.rescanned);
	assert_warned(x, "new UIDVALIDITY (2000, was 1000)");
	assert_int_equal(x->stats.messages, 3);
	assert_int_equal(x->stats.touches, 0);
	assert_int_equal(touches(x), 2);
	assert_int_equal(correspondent(x, "carol@elsewhere.example").count, 2);
	assert_int_equal(last_uid(x), 102);

	/* And then it goes on from the new numbers. */
	add(x, "v4@example.org", "carol@elsewhere.example", NOW - HOUR);
	sync_ok(x);
	assert_false(x->stats.rescanned);
	assert_int_equal(x->stats.messages, 1);
	assert_int_equal(x->f.first_fetched, 103);
	assert_int_equal(correspondent(x, "carol@elsewhere.example").count, 3);

	/* followupd sync --rescan reads everything again, recording nothing
	 * twice. */
	assert_int_equal(store_folders_rescan(x->st, &err), 0);
	sync_ok(x);
	assert_int_equal(x->stats.messages, 4);
	assert_int_equal(x->stats.touches, 0);
	assert_int_equal(touches(x), 2);
	assert_int_equal(correspondent(x, "carol@elsewhere.example").count, 3);
}

static void
test_failure_mid_scan_resumes(void **state)
{
	struct fx *x = *state;

	/* Three batches; the third cannot be fetched, after a while (the
	 * second is recorded meanwhile, its transaction left open). */
	add_many(x, 2 * SYNC_BATCH + 300);
	fakembox_fail(&x->f, FAKEMBOX_FETCH_BATCH, 3, 1, IMAP_TEMP);
	x->f.fail_wait_ms = 200;
	assert_int_equal(run_sync(x), IMAP_TEMP);
	assert_non_null(x->err);
	assert_non_null(strstr(x->err, "UID FETCH"));
	assert_int_equal(last_uid(x), 2 * SYNC_BATCH);
	assert_int_equal(touches(x), 2 * SYNC_BATCH);
	assert_int_equal(x->stats.messages, 2 * SYNC_BATCH);

	/* The next sync reads the rest, and only that. */
	sync_ok(x);
	assert_int_equal(x->stats.messages, 300);
	assert_int_equal(x->f.first_fetched, 2 * SYNC_BATCH + 1);
	assert_int_equal(touches(x), 2 * SYNC_BATCH + 300);
	assert_int_equal(last_uid(x), 2 * SYNC_BATCH + 300);
	assert_int_equal(seen(x, "alice").last_at, NOW - DAY - HOUR);
}

static void
test_failure_in_one_batch_keeps_nothing_half(void **state)
{
	struct fx *x = *state;

	add(x, "f1@example.org", "alice@example.com", NOW - 2 * DAY);
	add(x, "f2@example.org", "bob@obrien.example", NOW - DAY);
	/* The folder cannot be opened, then listed, then fetched. */
	fakembox_fail(&x->f, FAKEMBOX_EXAMINE, 1, 1, IMAP_FINAL);
	assert_int_equal(run_sync(x), IMAP_FINAL);
	fakembox_fail(&x->f, FAKEMBOX_SEARCH, 1, 1, IMAP_TEMP);
	assert_int_equal(run_sync(x), IMAP_TEMP);
	assert_int_equal(x->f.calls[FAKEMBOX_FETCH_BATCH], 0);
	fakembox_fail(&x->f, FAKEMBOX_FETCH_BATCH, 1, 1, IMAP_TEMP);
	assert_int_equal(run_sync(x), IMAP_TEMP);
	assert_int_equal(touches(x), 0);
	assert_int_equal(last_uid(x), 0);

	sync_ok(x);
	assert_int_equal(x->stats.messages, 2);
	assert_int_equal(touches(x), 2);
	assert_int_equal(last_uid(x), 2);
}

static void
test_stop_keeps_what_was_read(void **state)
{
	struct fx *x = *state;

	add_many(x, 3 * SYNC_BATCH);
	x->stop_at = 2;   /* the engine stops while the first batch is read */
	assert_int_equal(run_sync(x), IMAP_TEMP);
	assert_non_null(strstr(x->err, "interrupted"));
	assert_int_equal(x->f.calls[FAKEMBOX_FETCH_BATCH], 1);
	assert_int_equal(last_uid(x), SYNC_BATCH);
	assert_int_equal(touches(x), SYNC_BATCH);

	x->stop_at = 0;
	sync_ok(x);
	assert_int_equal(x->stats.messages, 2 * SYNC_BATCH);
	assert_int_equal(touches(x), 3 * SYNC_BATCH);
}

static void
test_reply_applied_once(void **state)
{
	struct fx *x = *state;
	const char *text = "called alice\r\nsnooze bob 2w\r\nThanks for the reminders!\r\n"
	    "\r\nOn Sun, 22 Nov 2026, Jane Doe <jane@example.org> wrote:\r\n> done bob\r\n";
	struct seen alice, bob;

	add(x, "r0@example.org", "alice@example.com", NOW - 3 * DAY);
	add_reply(x, "reply-1@example.org", x->digest_id, NOW - 3 * HOUR, text);
	/* The same reply twice in the folder (a second copy saved). */
	add_reply(x, "reply-1@example.org", x->digest_id, NOW - 3 * HOUR, text);
	sync_ok(x);
	assert_int_equal(x->stats.replies, 1);
	assert_int_equal(x->stats.commands, 2);
	assert_int_equal(x->stats.refused, 1);
	assert_int_equal(x->f.calls[FAKEMBOX_FETCH_TEXT], 1);
	alice = seen(x, "alice");
	assert_int_equal(alice.call_at, NOW - 3 * HOUR);
	bob = seen(x, "bob");
	assert_int_equal(bob.snooze_until, D("2026-12-07"));
	assert_int_equal(count(x, "SELECT count(*) FROM reply_lines"), 3);
	assert_int_equal(count(x, "SELECT count(*) FROM reply_lines WHERE line LIKE '%done bob%'"),
	    0);
	assert_int_equal(count(x, "SELECT count(*) FROM touches WHERE source = 'reply'"), 1);

	/* A third copy later, and the folder read again from the start:
	 * nothing is applied again, nothing even fetched. */
	add_reply(x, "reply-1@example.org", x->digest_id, NOW - 3 * HOUR, text);
	sync_ok(x);
	assert_int_equal(x->stats.messages, 1);
	assert_int_equal(x->stats.replies, 0);
	assert_int_equal(x->f.calls[FAKEMBOX_FETCH_TEXT], 0);
	fakembox_renumber(&x->f, 3000, 1);
	sync_ok(x);
	assert_true(x->stats.rescanned);
	assert_int_equal(x->stats.replies, 0);
	assert_int_equal(x->stats.commands, 0);
	assert_int_equal(x->f.calls[FAKEMBOX_FETCH_TEXT], 0);
	assert_int_equal(count(x, "SELECT count(*) FROM reply_lines"), 3);
	assert_int_equal(count(x, "SELECT count(*) FROM touches WHERE source = 'reply'"), 1);
	assert_int_equal(count(x, "SELECT count(*) FROM reply_pending"), 0);
}

static void
test_reply_read_after_a_failure(void **state)
{
	struct fx *x = *state;

	add(x, "p0@example.org", "bob@obrien.example", NOW - 2 * DAY);
	add_reply(x, "reply-2@example.org", x->digest_id, NOW - 2 * HOUR, "called alice\n");
	fakembox_fail(&x->f, FAKEMBOX_FETCH_TEXT, 1, 1, IMAP_TEMP);
	assert_int_equal(run_sync(x), IMAP_TEMP);
	/* The scan is kept; the reply waits. */
	assert_int_equal(last_uid(x), 2);
	assert_int_equal(touches(x), 1);
	assert_int_equal(count(x, "SELECT attempts FROM reply_pending"), 1);
	assert_int_equal(seen(x, "alice").call_at, 0);

	sync_ok(x);
	assert_int_equal(x->stats.messages, 0);
	assert_int_equal(x->stats.replies, 1);
	assert_int_equal(x->stats.commands, 1);
	assert_int_equal(seen(x, "alice").call_at, NOW - 2 * HOUR);

	sync_ok(x);
	assert_int_equal(x->stats.replies, 0);
	assert_int_equal(x->f.calls[FAKEMBOX_FETCH_TEXT], 0);
	assert_int_equal(count(x, "SELECT count(*) FROM touches WHERE source = 'reply'"), 1);
}

static void
test_reply_given_up_after_tries(void **state)
{
	struct fx *x = *state;

	add_reply(x, "reply-3@example.org", x->digest_id, NOW - 2 * HOUR, "called alice\n");
	fakembox_fail(&x->f, FAKEMBOX_FETCH_TEXT, 1, 0, IMAP_TEMP);
	for (int i = 0; i < SYNC_REPLY_TRIES; i++)
		assert_int_equal(run_sync(x), IMAP_TEMP);
	/* The next sync gives it up, says so, and is not held up by it. */
	sync_ok(x);
	assert_int_equal(x->f.calls[FAKEMBOX_FETCH_TEXT], 0);
	assert_warned(x, "could not be read in 3 tries: given up");
	assert_int_equal(count(x, "SELECT count(*) FROM reply_pending"), 0);
	assert_int_equal(count(x, "SELECT count(*) FROM reply_lines WHERE applied = 0 AND "
	    "what LIKE 'could not be read%'"), 1);
	assert_int_equal(seen(x, "alice").call_at, 0);
	sync_ok(x);
	assert_int_equal(x->stats.replies, 0);
}

static void
test_replies_not_applied(void **state)
{
	struct fx *x = *state;
	static const unsigned char other_key[DIGEST_KEY_LEN] = { 9 };
	char *forged = digest_message_id(x->cfg, D("2026-11-22"), other_key, sizeof other_key);
	char *h, *extra;

	/* Its parent looks like a digest's Message-ID, but no such digest
	 * went out. */
	add_reply(x, "forged@example.org", forged, NOW - HOUR, "called alice\n");
	/* A reply from a month ago, read for the first time. */
	add_reply(x, "old@example.org", x->digest_id, NOW - 30 * DAY, "called alice\n");
	/* It answers the digest, but to someone else too. */
	extra = xasprintf("In-Reply-To: %s\r\n", x->digest_id);
	h = header("fwd@example.org", "jane@example.org, carol@elsewhere.example", NOW - HOUR,
	    extra);
	fakembox_add(&x->f, NOW - HOUR, h, "called alice\n", false);
	free(h);
	free(extra);

	sync_ok(x);
	assert_int_equal(x->stats.messages, 3);
	assert_int_equal(x->stats.replies, 0);
	assert_int_equal(x->f.calls[FAKEMBOX_FETCH_TEXT], 0);
	assert_warned(x, "a digest that was never sent: not applied");
	assert_warned(x, "is more than 14 days old: not applied");
	assert_warned(x, "addressed to others too");
	assert_int_equal(seen(x, "alice").call_at, 0);
	assert_int_equal(count(x, "SELECT count(*) FROM reply_lines"), 0);
	free(forged);
}

static void
test_reply_gone_or_html(void **state)
{
	struct fx *x = *state;
	uint32_t gone;

	gone = add_reply(x, "reply-4@example.org", x->digest_id, NOW - 2 * HOUR,
	    "called alice\n");
	fakembox_fail(&x->f, FAKEMBOX_FETCH_TEXT, 1, 1, IMAP_TEMP);
	assert_int_equal(run_sync(x), IMAP_TEMP);
	/* Deleted before the next sync could read it. */
	fakembox_remove(&x->f, gone);
	sync_ok(x);
	assert_warned(x, "has no text to read: skipped");
	assert_int_equal(count(x, "SELECT count(*) FROM reply_pending"), 0);
	assert_int_equal(x->stats.replies, 0);

	/* An HTML-only reply, as some phones send it. */
	{
		char *extra = xasprintf("In-Reply-To: %s\r\n", x->digest_id);
		char *h = header("reply-5@example.org", "jane@example.org", NOW - HOUR, extra);

		fakembox_add(&x->f, NOW - HOUR, h, "<div>met bob</div><blockquote>done alice"
		    "</blockquote>", true);
		free(h);
		free(extra);
	}
	sync_ok(x);
	assert_int_equal(x->stats.replies, 1);
	assert_int_equal(x->stats.commands, 1);
	assert_int_equal(seen(x, "bob").last_via, VIA_MEETING);
	assert_int_equal(seen(x, "alice").call_at, 0);
}

static void
test_unasked_ignored(void **state)
{
	struct fx *x = *state;
	char *h;
	uint32_t late;

	add(x, "u1@example.org", "carol@elsewhere.example", NOW - 3 * DAY);
	add(x, "u2@example.org", "alice@example.com", NOW - 3 * DAY);
	add(x, "u3@example.org", "alice@example.com", NOW - 3 * DAY);
	sync_ok(x);
	add(x, "u4@example.org", "carol@elsewhere.example", NOW - DAY);
	add(x, "u5@example.org", "alice@example.com", NOW - DAY);
	/* Every FETCH also answers an old message (a flag change) and one
	 * that arrived after the SEARCH. */
	h = header("u1@example.org", "carol@elsewhere.example", NOW - 3 * DAY, "");
	fakembox_unasked(&x->f, 1, NOW - 3 * DAY, h);
	free(h);
	h = header("late@example.org", "bob@obrien.example", NOW - HOUR, "");
	/* A stream asks for 4:*, the late one among them: nothing unasked
	 * about it, it would be read at once. */
	if (!x->stream)
		fakembox_unasked(&x->f, x->f.uidnext, NOW - HOUR, h);
	sync_ok(x);
	assert_int_equal(x->stats.messages, 2);
	assert_int_equal(x->stats.touches, 1);
	assert_int_equal(correspondent(x, "carol@elsewhere.example").count, 2);
	assert_false(seen(x, "bob").any);
	assert_int_equal(last_uid(x), 5);

	/* The late one is read by the next sync. */
	fakembox_unasked_clear(&x->f);
	late = fakembox_add(&x->f, NOW - HOUR, h, NULL, false);
	free(h);
	assert_int_equal(late, 6);
	sync_ok(x);
	assert_int_equal(x->stats.messages, 1);
	assert_int_equal(seen(x, "bob").last_at, NOW - HOUR);
}

static void
test_answered_twice_counts_once(void **state)
{
	struct fx *x = *state;

	add(x, "t1@example.org", "carol@elsewhere.example", NOW - 3 * DAY);
	add(x, "t2@example.org", "alice@example.com", NOW - 2 * DAY);
	x->f.twice = true;
	sync_ok(x);
	assert_int_equal(x->stats.messages, 2);
	assert_int_equal(correspondent(x, "carol@elsewhere.example").count, 1);
}

static void
test_many_batches(void **state)
{
	struct fx *x = *state;
	char *h;
	size_t n = 2 * SYNC_BATCH + 234;

	add_many(x, n);
	add_reply(x, "reply-6@example.org", x->digest_id, NOW - HOUR, "snooze alice 3d\n");
	/* Across the recorder thread too: answers unasked and twice. A stream
	 * of 1:* asks for every UID: its stray is UID 1 again, at the end of
	 * the answer, batches after UID 1 was handed over. */
	h = header("stray@example.org", "bob@obrien.example", NOW - HOUR, "");
	fakembox_unasked(&x->f, x->stream ? 1 : 99999, NOW - HOUR, h);
	free(h);
	x->f.twice = true;
	sync_ok(x);
	assert_int_equal(x->stats.messages, n + 1);
	assert_int_equal(x->stats.touches, n);
	assert_int_equal(x->stats.replies, 1);
	if (x->stream) {
		assert_int_equal(x->f.calls[FAKEMBOX_FETCH_STREAM], 1);
	} else {
		assert_int_equal(x->f.calls[FAKEMBOX_FETCH_BATCH], 3);
		assert_int_equal(x->f.largest_fetch, SYNC_BATCH);
	}
	assert_int_equal(touches(x), n);
	assert_false(seen(x, "bob").any);
	assert_int_equal(seen(x, "alice").snooze_until, D("2026-11-26"));
	assert_int_equal(last_uid(x), n + 1);
	assert_int_equal(x->progress_done, n + 1);
	assert_int_equal(x->progress_total, n + 1);
	assert_false(x->progress_backwards);
	assert_true(x->progress_calls >= 4);
}

static void
test_search_lists_nothing(void **state)
{
	struct fx *x = *state;

	add(x, "s1@example.org", "alice@example.com", NOW - 2 * DAY);
	add(x, "s2@example.org", "bob@obrien.example", NOW - DAY);
	x->f.search_blind = true;
	sync_ok(x);
	assert_int_equal(x->f.calls[FAKEMBOX_FETCH_UIDS], 1);
	assert_int_equal(x->stats.messages, 2);
	assert_int_equal(touches(x), 2);
}

/* The stream, cut off after 1,100 messages (a connection dropped in the
 * middle of the answer, after a while): the two whole batches before the
 * drop are kept, the 100 after them read again by the next sync, which
 * asks from the first UID it lacks. */
static void
test_stream_failure_resumes(void **state)
{
	struct fx *x = *state;

	add_many(x, 2 * SYNC_BATCH + 300);
	fakembox_fail(&x->f, FAKEMBOX_FETCH_STREAM, 1, 1, IMAP_TEMP);
	x->f.stream_fail_after = 2 * SYNC_BATCH + 100;
	x->f.fail_wait_ms = 200;
	assert_int_equal(run_sync(x), IMAP_TEMP);
	assert_non_null(x->err);
	assert_non_null(strstr(x->err, "UID FETCH"));
	assert_int_equal(x->stats.messages, 2 * SYNC_BATCH);
	assert_int_equal(touches(x), 2 * SYNC_BATCH);
	assert_int_equal(last_uid(x), 2 * SYNC_BATCH);
	assert_int_equal(seen(x, "alice").last_at, NOW - DAY - 301 * HOUR);

	sync_ok(x);
	assert_int_equal(x->f.first_fetched, 2 * SYNC_BATCH + 1);
	assert_int_equal(x->stats.messages, 300);
	assert_int_equal(x->stats.touches, 300);
	assert_int_equal(touches(x), 2 * SYNC_BATCH + 300);
	assert_int_equal(last_uid(x), 2 * SYNC_BATCH + 300);
	assert_int_equal(seen(x, "alice").last_at, NOW - DAY - HOUR);
}

/* Cut off before a whole batch arrived: nothing is kept, not even the
 * folder; the next sync reads it all. */
static void
test_stream_failure_keeps_no_half_batch(void **state)
{
	struct fx *x = *state;

	add_many(x, SYNC_BATCH + 10);
	fakembox_fail(&x->f, FAKEMBOX_FETCH_STREAM, 1, 2, IMAP_TEMP);
	x->f.stream_fail_after = 0;
	assert_int_equal(run_sync(x), IMAP_TEMP);
	assert_int_equal(touches(x), 0);
	assert_int_equal(last_uid(x), 0);
	x->f.stream_fail_after = SYNC_BATCH - 1;
	assert_int_equal(run_sync(x), IMAP_TEMP);
	assert_int_equal(x->stats.messages, 0);
	assert_int_equal(touches(x), 0);
	assert_int_equal(last_uid(x), 0);
	assert_int_equal(count(x, "SELECT count(*) FROM folders"), 0);

	sync_ok(x);
	assert_int_equal(x->f.first_fetched, 1);
	assert_int_equal(x->stats.messages, SYNC_BATCH + 10);
	assert_int_equal(touches(x), SYNC_BATCH + 10);
	assert_int_equal(last_uid(x), SYNC_BATCH + 10);
}

/* A stream with nothing new still records the folder's UIDVALIDITY and
 * the time: a later change of UIDVALIDITY is noticed as one. And what it
 * answers of what was read before is not read again. */
static void
test_stream_nothing_new_records_folder(void **state)
{
	struct fx *x = *state;
	char *h;

	sync_ok(x);   /* an empty folder */
	assert_int_equal(x->stats.messages, 0);
	assert_int_equal(count(x, "SELECT synced_at FROM folders WHERE uidvalidity = 1000"), NOW);

	fakembox_renumber(&x->f, 2000, 1);
	add(x, "n1@example.org", "carol@elsewhere.example", NOW - DAY);
	sync_ok(x);
	assert_true(x->stats.rescanned);
	assert_warned(x, "new UIDVALIDITY (2000, was 1000)");
	assert_int_equal(x->stats.messages, 1);
	assert_int_equal(last_uid(x), 1);

	/* Nothing new: the answer to 2:* is UID 1 (RFC 3501 6.4.8), and an
	 * old message's flag change, UID 1 again. */
	h = header("n1@example.org", "carol@elsewhere.example", NOW - DAY, "");
	fakembox_unasked(&x->f, 1, NOW - DAY, h);
	free(h);
	sync_ok(x);
	assert_false(x->stats.rescanned);
	assert_int_equal(x->stats.messages, 0);
	assert_int_equal(correspondent(x, "carol@elsewhere.example").count, 1);
	assert_int_equal(last_uid(x), 1);
	assert_int_equal(count(x, "SELECT synced_at FROM folders WHERE uidvalidity = 2000"), NOW);
}

/* A stop asked for while a long stream arrives: the scan ends as
 * interrupted, with whole batches kept; the next sync reads the rest. */
static void
test_stream_stop_keeps_whole_batches(void **state)
{
	struct fx *x = *state;
	size_t n = 3 * SYNC_BATCH + 200;
	uint32_t kept;

	add_many(x, n);
	x->stop_at = 2;
	assert_int_equal(run_sync(x), IMAP_TEMP);
	assert_string_equal(x->err, "scan interrupted");
	kept = last_uid(x);
	assert_true(kept > 0 && kept < n);
	assert_int_equal(kept % SYNC_BATCH, 0);
	assert_int_equal(touches(x), kept);
	assert_int_equal(x->stats.messages, kept);

	x->stop_at = 0;
	sync_ok(x);
	assert_int_equal(x->f.first_fetched, kept + 1);
	assert_int_equal(x->stats.messages, n - kept);
	assert_int_equal(touches(x), n);
	assert_int_equal(last_uid(x), n);
}

/* A case run through fakembox_stream_ops. */
struct latest_recv {
	const char *address;
	time_t at;
	char subject[64];
	int found;
};

static void
find_recv(void *arg, const char *address, time_t at, const char *key, const char *subject)
{
	struct latest_recv *l = arg;

	(void)key;
	if (strcmp(address, l->address) == 0) {
		l->at = at;
		snprintf(l->subject, sizeof l->subject, "%s", subject ? subject : "");
		l->found++;
	}
}

static struct latest_recv
received(struct fx *x, const char *address)
{
	struct latest_recv l = { address, 0, "", 0 };
	char *err = NULL;

	if (store_each_received(x->st, NOW + DAY, find_recv, &l, &err) < 0)
		fail_msg("%s", err);
	return l;
}

/* A message received from from at date. */
static void
add_received(struct fakembox *f, const char *id, const char *from, time_t date,
    const char *subject)
{
	char d[64], *h;
	struct tm tm;

	gmtime_r(&date, &tm);
	strftime(d, sizeof d, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	h = xasprintf("From: %s\r\nTo: Jane Doe <jane@example.org>\r\nSubject: %s\r\n"
	    "Date: %s\r\nMessage-ID: <%s>\r\n\r\n", from, subject, d, id);
	fakembox_add(f, date + 60, h, NULL, false);
	free(h);
}

/* The inbox: who wrote is recorded when it matters (a contact, someone
 * checked back on), never as a touch; an answer ends the check-backs of
 * every address of its sender's contact; the user's own mail (the
 * digest) and strangers' are not kept; a second read reads nothing. */
static void
test_inbox(void **state)
{
	struct fx *x = *state;
	const struct sync_hooks hooks = { x, on_warn, NULL, NULL };
	struct fakembox in;
	struct sync_stats st;
	char *h, *err = NULL;
	struct seen before;

	/* Sent: to alice three days ago; to carol (not a contact) and bob,
	 * checking back in two weeks, two days ago. */
	add(x, "s1@example.org", "Alice Smith <alice@example.com>", NOW - 3 * DAY);
	h = header("s2@example.org", "carol@client.example, bob@obrien.example", NOW - 2 * DAY,
	    "Bcc: jane+fu-2w@example.org\r\n");
	fakembox_add(&x->f, NOW - 2 * DAY + 60, h, NULL, false);
	free(h);
	sync_ok(x);
	assert_int_equal(x->stats.checkbacks, 2);
	before = seen(x, "alice");

	fakembox_init(&in, "INBOX", 77);
	add_received(&in, "r1@example.com", "Alice <Alice+lists@Example.com>", NOW - DAY,
	    "Re: Hello");
	add_received(&in, "r2@example.net", "Carla <carol@client.example>", NOW - 2 * HOUR,
	    "=?UTF-8?Q?Caf=C3=A9?=");
	add_received(&in, "r3@example.org", "Jane Doe <jane@example.org>", NOW - HOUR,
	    "Follow-ups");
	add_received(&in, "r4@spam.example", "someone@spam.example", NOW - HOUR, "Buy");
	/* one that came before the check-back was asked for does not answer it */
	add_received(&in, "r0@example.net", "bob@obrien.example", NOW - 3 * DAY, "Old");
	fakembox_round(&in);
	if (sync_inbox_src(x->stream ? &fakembox_stream_ops : &fakembox_ops, &in, x->cfg,
	    &x->acct, x->st, "INBOX", NOW, &hooks, &st, &err) != IMAP_OK)
		fail_msg("%s", err);
	assert_int_equal(st.messages, 5);
	/* alice (a contact, +tag), carol (checked back on), bob (a contact) */
	assert_int_equal(st.received, 3);
	assert_int_equal(st.answered, 1);
	assert_int_equal(touches(x), 2);   /* alice and bob from Sent; none added */
	assert_int_equal(seen(x, "alice").last_at, before.last_at);
	assert_int_equal(received(x, "alice@example.com").at, NOW - DAY);
	assert_string_equal(received(x, "carol@client.example").subject, "Café");
	assert_int_equal(received(x, "jane@example.org").found, 0);
	assert_int_equal(received(x, "someone@spam.example").found, 0);
	/* carol's check-back ended; bob's is still open */
	assert_int_equal(count(x, "SELECT count(*) FROM checkbacks WHERE resolved_at IS NULL"), 1);
	assert_int_equal(count(x, "SELECT count(*) FROM checkbacks WHERE answered_at ="
	    " 1795428000"), 1);   /* NOW - 2 h */

	/* bob answers from the same contact: his ends too; nothing read twice */
	add_received(&in, "r5@example.net", "bob@obrien.example", NOW - HOUR, "Re: Hello");
	fakembox_round(&in);
	if (sync_inbox_src(x->stream ? &fakembox_stream_ops : &fakembox_ops, &in, x->cfg,
	    &x->acct, x->st, "INBOX", NOW, &hooks, &st, &err) != IMAP_OK)
		fail_msg("%s", err);
	assert_int_equal(st.messages, 1);
	assert_int_equal(st.answered, 1);
	assert_int_equal(count(x, "SELECT count(*) FROM checkbacks WHERE resolved_at IS NULL"), 0);
	fakembox_free(&in);
}

#define STREAM_TEST(f) \
	{ .name = #f " (stream)", .test_func = f, .setup_func = setup_stream, \
	  .teardown_func = teardown }

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_contacts_become_followups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_sync_reads_only_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uidvalidity_change_rescans_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_failure_mid_scan_resumes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_in_one_batch_keeps_nothing_half,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_keeps_what_was_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_applied_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_read_after_a_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_given_up_after_tries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replies_not_applied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_gone_or_html, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unasked_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answered_twice_counts_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_lists_nothing, setup, teardown),
		/* The same through a stream, where they mean the same. */
		STREAM_TEST(test_contacts_become_followups),
		STREAM_TEST(test_second_sync_reads_only_new),
		STREAM_TEST(test_uidvalidity_change_rescans_once),
		STREAM_TEST(test_reply_applied_once),
		STREAM_TEST(test_reply_read_after_a_failure),
		STREAM_TEST(test_reply_given_up_after_tries),
		STREAM_TEST(test_replies_not_applied),
		STREAM_TEST(test_reply_gone_or_html),
		STREAM_TEST(test_unasked_ignored),
		STREAM_TEST(test_answered_twice_counts_once),
		STREAM_TEST(test_many_batches),
		cmocka_unit_test_setup_teardown(test_inbox, setup, teardown),
		STREAM_TEST(test_inbox),
		/* The stream's own. */
		STREAM_TEST(test_stream_failure_resumes),
		STREAM_TEST(test_stream_failure_keeps_no_half_batch),
		STREAM_TEST(test_stream_nothing_new_records_folder),
		STREAM_TEST(test_stream_stop_keeps_whole_batches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
