/* The state store: schema from an empty file, idempotent touches, contact
 * state, files created private, and the digests' and invites' lifecycles
 * (what may follow what, and writers that keep to it, with the values on
 * disk as before). */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "testutil.h"

#include "store.h"

struct tmp {
	char dir[64];
};

static int
setup(void **state)
{
	struct tmp *t = calloc(1, sizeof *t);

	snprintf(t->dir, sizeof t->dir, "/tmp/fu-store-XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct tmp *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

struct latest {
	int rows;
	time_t alice_email;
	time_t bob_call;
};

static void
collect(void *arg, const char *address, const char *contact, enum via via, time_t at)
{
	struct latest *l = arg;

	l->rows++;
	if (strcmp(address, "alice@example.com") == 0 && via == VIA_EMAIL)
		l->alice_email = at;
	if (strcmp(contact, "bob") == 0 && via == VIA_CALL)
		l->bob_call = at;
}

static void
test_empty_file_and_modes(void **state)
{
	struct tmp *t = *state;
	char *err = NULL, sub[128], db[160];
	struct store *st;
	struct stat sb;

	snprintf(sub, sizeof sub, "%s/a/b", t->dir);
	st = store_open(sub, &err);
	if (st == NULL)
		fail_msg("%s", err);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	assert_int_equal(stat(sub, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	snprintf(db, sizeof db, "%s/followupd.db", sub);
	assert_int_equal(stat(db, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	/* opening again migrates nothing and keeps the version */
	st = store_open(sub, &err);
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
}

static void
test_newer_schema_refused(void **state)
{
	struct tmp *t = *state;
	char path[128], *err = NULL;
	sqlite3 *db;

	snprintf(path, sizeof path, "%s/new.db", t->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE schema_version (version INTEGER);"
	    "INSERT INTO schema_version VALUES (99)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open_file(path, &err));
	assert_non_null(strstr(err, "schema 99"));
	free(err);
}

/* A state of schema 1 (before invites kept their contact and message)
 * moves to the current schema keeping its touches and invites. */
static void
test_migration_from_1(void **state)
{
	struct tmp *t = *state;
	char path[128], *err = NULL;
	struct store *st;
	sqlite3 *db;
	struct store_invite inv = { "u1", "alice", 0, STORE_INVITE_REQUEST, "2026-11-23",
	    STORE_INVITE_PENDING, "msg" };

	snprintf(path, sizeof path, "%s/old.db", t->dir);
	st = store_open_file(path, &err);
	assert_non_null(st);
	store_close(st);
	/* Back to what version 1 wrote. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE secrets; DROP TABLE digests_sent;"
	    "DROP TABLE reply_pending; DROP TABLE reply_lines;"
	    "DROP TABLE checkbacks; DROP TABLE correspondents;"
	    "DROP TABLE cal_objects; DROP TABLE meetings; DROP TABLE meeting_people;"
	    "DROP TABLE cal_sources; DROP TABLE received;"
	    "ALTER TABLE touches DROP COLUMN subject;"
	    "ALTER TABLE invites DROP COLUMN message;"
	    "ALTER TABLE invites DROP COLUMN contact;"
	    "UPDATE schema_version SET version = 1;"
	    "INSERT INTO touches (key, address, at, via, source) VALUES ('<k@x>', 'a@x', 5, 'email', 'imap');"
	    "INSERT INTO invites (uid, sequence, method, due, state) VALUES ('old', 3, 'REQUEST', '2026-01-01', 'sent');"
	    "INSERT INTO digests (day, message_id, state, sent_at) VALUES ('2026-01-01', '<d1@x>', 'sent', 9),"
	    " ('2026-01-02', '<d2@x>', 'failed', NULL)",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	st = store_open_file(path, &err);
	if (st == NULL)
		fail_msg("%s", err);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(store_invite_put(st, &inv, "<id@x>", 10, &err), 0);
	/* The digests sent before the upgrade had ids that anyone could
	 * compute: a reply to one is not taken as a reply to a digest. */
	assert_int_equal(store_digest_was_sent(st, "<d1@x>", &err), 0);
	assert_int_equal(store_digest_was_sent(st, "<d2@x>", &err), 0);
	store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	{
		sqlite3_stmt *q;

		assert_int_equal(sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM touches),"
		    " (SELECT group_concat(uid || ':' || contact || ':' || sequence, ',') FROM invites)",
		    -1, &q, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(q, 0), 1);
		assert_string_equal((const char *)sqlite3_column_text(q, 1), "old::3,u1:alice:0");
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
}

/* Every digest that went out stays known, also after a --force of its
 * day; the installation's secret is made once and kept. */
static void
test_digests_sent_and_secret(void **state)
{
	struct tmp *t = *state;
	char *err = NULL;
	struct store *st = store_open(t->dir, &err);
	unsigned char k1[32], k2[32], zero[32] = { 0 };

	assert_non_null(st);
	assert_int_equal(store_digest_sending(st, "2026-11-23", "<a@x>", &err), 0);
	assert_int_equal(store_digest_was_sent(st, "<a@x>", &err), 0);
	assert_int_equal(store_digest_done(st, "2026-11-23", true, 100, NULL, &err), 0);
	assert_int_equal(store_digest_was_sent(st, "<a@x>", &err), 1);
	/* --force: the day's row names the new message; both were sent. */
	assert_int_equal(store_digest_sending(st, "2026-11-23", "<a.r2@x>", &err), 0);
	assert_int_equal(store_digest_done(st, "2026-11-23", true, 200, NULL, &err), 0);
	assert_int_equal(store_digest_was_sent(st, "<a@x>", &err), 1);
	assert_int_equal(store_digest_was_sent(st, "<a.r2@x>", &err), 1);
	/* One that failed was not sent. */
	assert_int_equal(store_digest_sending(st, "2026-11-24", "<b@x>", &err), 0);
	assert_int_equal(store_digest_done(st, "2026-11-24", false, 300, "550", &err), 0);
	assert_int_equal(store_digest_was_sent(st, "<b@x>", &err), 0);
	assert_int_equal(store_digest_was_sent(st, "<never@x>", &err), 0);

	assert_int_equal(store_secret(st, "digest", k1, sizeof k1, &err), 0);
	assert_memory_not_equal(k1, zero, sizeof k1);
	store_close(st);
	st = store_open(t->dir, &err);
	assert_non_null(st);
	assert_int_equal(store_secret(st, "digest", k2, sizeof k2, &err), 0);
	assert_memory_equal(k1, k2, sizeof k1);
	assert_int_equal(store_secret(st, "other", k2, sizeof k2, &err), 0);
	assert_memory_not_equal(k1, k2, sizeof k1);
	/* Asked for with another length: damaged, not silently cut. */
	assert_int_equal(store_secret(st, "digest", k2, 16, &err), -1);
	assert_non_null(strstr(err, "damaged"));
	free(err);
	store_close(st);
}

static int
count_open(const char *address, const char *name, int due, const char *reason, time_t created,
    void *arg)
{
	(void)address; (void)name; (void)due; (void)reason; (void)created;
	++*(int *)arg;
	return 0;
}

/* The daemon's connection learns there is no open check-back; a sync in
 * a shell opens one; the daemon's next message to that address resolves
 * it, in a transaction and outside one. */
static void
test_checkbacks_seen_across_processes(void **state)
{
	struct tmp *t = *state;
	char *err = NULL;
	struct store *daemon = store_open(t->dir, &err), *shell;
	bool added;
	int open = 0;

	assert_non_null(daemon);
	assert_int_equal(store_checkbacks_resolve(daemon, "carol@x.test", 100, "<m0@x>", &err), 0);
	shell = store_open(t->dir, &err);
	assert_non_null(shell);
	assert_int_equal(store_checkback_add(shell, "<m1@x>", "carol@x.test", "Carol", 200, 20000, "Q1",
	    &added, &err), 0);
	assert_int_equal(store_checkback_add(shell, "<m2@x>", "dan@x.test", "", 200, 20000, "Q2",
	    &added, &err), 0);
	store_close(shell);
	assert_int_equal(store_begin(daemon, &err), 0);
	assert_int_equal(store_checkbacks_resolve(daemon, "carol@x.test", 300, "<m3@x>", &err), 0);
	assert_int_equal(store_commit(daemon, &err), 0);
	assert_int_equal(store_checkbacks_resolve(daemon, "dan@x.test", 300, "<m4@x>", &err), 0);
	assert_int_equal(store_checkbacks_open(daemon, count_open, &open, &err), 0);
	assert_int_equal(open, 0);
	store_close(daemon);
}

static void
test_touches_idempotent(void **state)
{
	struct tmp *t = *state;
	char *err = NULL;
	struct store *st = store_open(t->dir, &err);
	struct store_touch a = { "<m1@example.org>", "alice@example.com", NULL, 1000,
	    VIA_EMAIL, "imap", "default", NULL };
	struct store_touch b = { "log:bob:2000:call", NULL, "bob", 2000, VIA_CALL,
	    "log", NULL, "called about the offer" };
	struct store_stats ss;
	struct latest l = {0};
	bool added;

	assert_non_null(st);
	assert_int_equal(store_add_touch(st, &a, &added, &err), 0);
	assert_true(added);
	assert_int_equal(store_add_touch(st, &a, &added, &err), 0);
	assert_false(added);   /* the same message again: nothing new */
	a.address = "alice2@example.com";   /* same message, second recipient */
	assert_int_equal(store_add_touch(st, &a, &added, &err), 0);
	assert_true(added);
	a.address = "alice@example.com";
	a.key = "<m2@example.org>";
	a.at = 5000;
	assert_int_equal(store_add_touch(st, &a, &added, &err), 0);
	assert_int_equal(store_add_touch(st, &b, &added, &err), 0);
	assert_int_equal(store_add_touch(st, &b, &added, &err), 0);
	assert_false(added);

	assert_int_equal(store_each_latest(st, 1 << 30, collect, &l, &err), 0);
	assert_int_equal(l.rows, 3);
	assert_int_equal(l.alice_email, 5000);
	assert_int_equal(l.bob_call, 2000);
	/* "as of" an earlier instant */
	memset(&l, 0, sizeof l);
	assert_int_equal(store_each_latest(st, 3000, collect, &l, &err), 0);
	assert_int_equal(l.alice_email, 1000);

	assert_int_equal(store_stats(st, &ss, &err), 0);
	assert_int_equal(ss.touches, 4);
	assert_int_equal(ss.last_touch, 5000);

	/* a rolled-back batch leaves nothing behind */
	assert_int_equal(store_begin(st, &err), 0);
	a.key = "<m3@example.org>";
	assert_int_equal(store_add_touch(st, &a, &added, &err), 0);
	store_rollback(st);
	assert_int_equal(store_stats(st, &ss, &err), 0);
	assert_int_equal(ss.touches, 4);
	store_close(st);

	/* and everything survives a reopen */
	st = store_open(t->dir, &err);
	assert_int_equal(store_stats(st, &ss, &err), 0);
	assert_int_equal(ss.touches, 4);
	store_close(st);
}

struct states {
	int n;
	struct fu_state alice, bob;
};

static void
collect_state(void *arg, const char *id, const struct fu_state *s)
{
	struct states *x = arg;

	x->n++;
	if (strcmp(id, "alice") == 0)
		x->alice = *s;
	if (strcmp(id, "bob") == 0)
		x->bob = *s;
}

static void
test_contact_state(void **state)
{
	struct tmp *t = *state;
	char *err = NULL;
	struct store *st = store_open(t->dir, &err);
	const char *ids[] = { "alice", "bob" };
	struct states x = {0};

	assert_int_equal(store_note_contacts(st, ids, 2, 100, &err), 0);
	assert_int_equal(store_note_contacts(st, ids, 2, 200, &err), 0);   /* kept: 100 */
	assert_int_equal(store_set_snooze(st, "alice", 150, 300, &err), 0);
	assert_int_equal(store_set_pause(st, "bob", PAUSE_UNTIL, 400, 300, &err), 0);
	assert_int_equal(store_set_pause(st, "carol", PAUSE_YES, DAY_NONE, 300, &err), 0);
	assert_int_equal(store_each_state(st, collect_state, &x, &err), 0);
	assert_int_equal(x.n, 3);
	assert_int_equal(x.alice.first_seen, 100);
	assert_int_equal(x.alice.snooze_until, 150);
	assert_int_equal(x.alice.paused, PAUSE_NO);
	assert_int_equal(x.bob.paused, PAUSE_UNTIL);
	assert_int_equal(x.bob.paused_until, 400);
	assert_int_equal(store_set_pause(st, "bob", PAUSE_NO, DAY_NONE, 300, &err), 0);
	assert_int_equal(store_each_state(st, collect_state, &x, &err), 0);
	assert_int_equal(x.bob.paused, PAUSE_NO);
	assert_int_equal(x.bob.paused_until, DAY_NONE);
	assert_int_equal(store_add_note(st, "bob", 10, "likes cycling", &err), 0);
	store_close(st);
}

/* The digest's lifecycle, from followupd(8): a day's digest is sending
 * from just before the SMTP transaction until the answer, then sent or
 * failed; a failed one is tried again, a sent one sent again by --force,
 * and one that was sending when followupd died is sent again. Nothing goes
 * back to having no digest. */
static void
test_digest_lifecycle(void **unused)
{
	static const struct { enum store_digest_state from, to; bool may; } t[] = {
		{ STORE_DIGEST_NONE, STORE_DIGEST_SENDING, true },
		{ STORE_DIGEST_NONE, STORE_DIGEST_SENT, false },
		{ STORE_DIGEST_NONE, STORE_DIGEST_FAILED, false },
		{ STORE_DIGEST_SENDING, STORE_DIGEST_SENDING, true },
		{ STORE_DIGEST_SENDING, STORE_DIGEST_SENT, true },
		{ STORE_DIGEST_SENDING, STORE_DIGEST_FAILED, true },
		{ STORE_DIGEST_SENDING, STORE_DIGEST_NONE, false },
		{ STORE_DIGEST_SENT, STORE_DIGEST_SENDING, true },
		{ STORE_DIGEST_SENT, STORE_DIGEST_SENT, false },
		{ STORE_DIGEST_SENT, STORE_DIGEST_FAILED, false },
		{ STORE_DIGEST_SENT, STORE_DIGEST_NONE, false },
		{ STORE_DIGEST_FAILED, STORE_DIGEST_SENDING, true },
		{ STORE_DIGEST_FAILED, STORE_DIGEST_SENT, false },
		{ STORE_DIGEST_FAILED, STORE_DIGEST_FAILED, false },
		{ STORE_DIGEST_FAILED, STORE_DIGEST_NONE, false },
	};

	(void)unused;
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (store_digest_may(t[i].from, t[i].to) != t[i].may)
			fail_msg("digest %d -> %d: want %s", t[i].from, t[i].to,
			    t[i].may ? "allowed" : "refused");
}

/* The invite's lifecycle: planned (pending) until the server answers,
 * then sent or refused; the next SEQUENCE of any invite is pending again
 * (a move, a CANCEL, due again after it was closed); an invite that was
 * recorded and is not closed yet closes when its date passes. */
static void
test_invite_lifecycle(void **unused)
{
	enum { N = STORE_INVITE_NONE, P = STORE_INVITE_PENDING, S = STORE_INVITE_SENT,
	    F = STORE_INVITE_FAILED, C = STORE_INVITE_CLOSED };
	/* may[from][to], in the order N P S F C */
	static const bool may[5][5] = {
		[N] = { [P] = true },
		[P] = { [P] = true, [S] = true, [F] = true, [C] = true },
		[S] = { [P] = true, [C] = true },
		[F] = { [P] = true, [C] = true },
		[C] = { [P] = true },
	};

	(void)unused;
	for (int from = 0; from < 5; from++)
		for (int to = 0; to < 5; to++)
			if (store_invite_may((enum store_invite_state)from,
			    (enum store_invite_state)to) != may[from][to])
				fail_msg("invite %d -> %d: want %s", from, to,
				    may[from][to] ? "allowed" : "refused");
}

/* The column's text, as other tools (and older followupds) read it. */
static char *
column(const char *dir, const char *sql)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *q;
	char *v;

	snprintf(path, sizeof path, "%s/followupd.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	v = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

static void
assert_column(const char *dir, const char *sql, const char *want)
{
	char *v = column(dir, sql);

	assert_string_equal(v, want);
	free(v);
}

/* The writers keep to the digest's lifecycle: an answer is recorded only
 * for a digest being sent, so a late one never overwrites another's. */
static void
test_digest_writers(void **state)
{
	struct tmp *t = *state;
	char *err = NULL;
	struct store *st = store_open(t->dir, &err);
	struct store_digest d;

	assert_non_null(st);
	/* An answer with nothing sending: nothing recorded. */
	assert_int_equal(store_digest_done(st, "2026-11-23", true, 100, NULL, &err), 0);
	assert_int_equal(store_digest_get(st, "2026-11-23", &d, &err), 1);
	assert_int_equal(d.state, STORE_DIGEST_NONE);

	assert_int_equal(store_digest_sending(st, "2026-11-23", "<a@x>", &err), 0);
	assert_int_equal(store_digest_get(st, "2026-11-23", &d, &err), 0);
	assert_int_equal(d.state, STORE_DIGEST_SENDING);
	assert_column(t->dir, "SELECT state FROM digests", "sending");
	assert_int_equal(store_digest_done(st, "2026-11-23", false, 100, "451 busy", &err), 0);
	assert_int_equal(store_digest_get(st, "2026-11-23", &d, &err), 0);
	assert_int_equal(d.state, STORE_DIGEST_FAILED);
	assert_string_equal(d.error, "451 busy");
	assert_column(t->dir, "SELECT state FROM digests", "failed");
	/* A second answer to the same try: the first stands. */
	assert_int_equal(store_digest_done(st, "2026-11-23", true, 150, NULL, &err), 0);
	assert_int_equal(store_digest_get(st, "2026-11-23", &d, &err), 0);
	assert_int_equal(d.state, STORE_DIGEST_FAILED);
	assert_int_equal(store_digest_was_sent(st, "<a@x>", &err), 0);

	/* Tried again: sent. */
	assert_int_equal(store_digest_sending(st, "2026-11-23", "<a@x>", &err), 0);
	assert_int_equal(store_digest_done(st, "2026-11-23", true, 200, NULL, &err), 0);
	assert_int_equal(store_digest_get(st, "2026-11-23", &d, &err), 0);
	assert_int_equal(d.state, STORE_DIGEST_SENT);
	assert_int_equal(d.attempts, 2);
	assert_int_equal(d.sent_at, 200);
	assert_true(d.ever_sent);
	assert_column(t->dir, "SELECT state FROM digests", "sent");
	/* A late failure does not unsend it. */
	assert_int_equal(store_digest_done(st, "2026-11-23", false, 300, "421", &err), 0);
	assert_int_equal(store_digest_get(st, "2026-11-23", &d, &err), 0);
	assert_int_equal(d.state, STORE_DIGEST_SENT);
	store_close(st);
}

struct invite_seen {
	int n;
	enum store_invite_state state;
	enum store_invite_method method;
	int sequence;
};

static int
see_invite(const struct store_invite *inv, void *arg)
{
	struct invite_seen *x = arg;

	x->n++;
	x->state = inv->state;
	x->method = inv->method;
	x->sequence = inv->sequence;
	return 0;
}

static struct invite_seen
invite_now(struct store *st)
{
	struct invite_seen x = { 0 };
	char *err = NULL;

	if (store_invites_each(st, see_invite, &x, &err) < 0)
		fail_msg("%s", err);
	assert_int_equal(x.n, 1);
	return x;
}

/* The writers keep to the invite's lifecycle: an answer counts for the
 * sequence that is pending only; a close needs an invite to close. */
static void
test_invite_writers(void **state)
{
	struct tmp *t = *state;
	char *err = NULL;
	struct store *st = store_open(t->dir, &err);
	struct store_invite inv = { "u1", "alice", 0, STORE_INVITE_REQUEST, "2026-11-23",
	    STORE_INVITE_CLOSED, NULL };

	assert_non_null(st);
	/* Nothing to close. */
	assert_int_equal(store_invite_put(st, &inv, NULL, 10, &err), -1);
	assert_non_null(strstr(err, "u1"));
	free(err);
	err = NULL;

	inv.state = STORE_INVITE_PENDING;
	inv.message = "msg";
	assert_int_equal(store_invite_put(st, &inv, "<i0@x>", 10, &err), 0);
	assert_column(t->dir, "SELECT state || ' ' || method FROM invites", "pending REQUEST");
	/* An answer about another sequence changes nothing. */
	assert_int_equal(store_invite_sent(st, "u1", 1, 20, &err), 0);
	assert_int_equal(invite_now(st).state, STORE_INVITE_PENDING);
	assert_int_equal(store_invite_sent(st, "u1", 0, 20, &err), 0);
	assert_int_equal(invite_now(st).state, STORE_INVITE_SENT);
	assert_column(t->dir, "SELECT state FROM invites", "sent");
	/* Refused after it was accepted (a second process): still sent. */
	assert_int_equal(store_invite_failed(st, "u1", 0, 30, &err), 0);
	assert_int_equal(invite_now(st).state, STORE_INVITE_SENT);

	/* Cancelled: the next sequence, pending, then refused. */
	inv.sequence = 1;
	inv.method = STORE_INVITE_CANCEL;
	assert_int_equal(store_invite_put(st, &inv, "<i1@x>", 40, &err), 0);
	assert_int_equal(store_invite_failed(st, "u1", 1, 50, &err), 0);
	assert_int_equal(invite_now(st).state, STORE_INVITE_FAILED);
	assert_int_equal(invite_now(st).method, STORE_INVITE_CANCEL);
	assert_column(t->dir, "SELECT state || ' ' || method FROM invites", "failed CANCEL");

	/* Its date passes: closed, once. */
	inv.state = STORE_INVITE_CLOSED;
	inv.message = NULL;
	assert_int_equal(store_invite_put(st, &inv, NULL, 60, &err), 0);
	assert_int_equal(invite_now(st).state, STORE_INVITE_CLOSED);
	assert_column(t->dir, "SELECT state FROM invites", "closed");
	assert_int_equal(store_invite_put(st, &inv, NULL, 70, &err), -1);
	free(err);
	err = NULL;
	/* Due again after a pause: the next sequence. */
	inv.sequence = 2;
	inv.method = STORE_INVITE_REQUEST;
	inv.state = STORE_INVITE_PENDING;
	inv.message = "msg2";
	assert_int_equal(store_invite_put(st, &inv, "<i2@x>", 80, &err), 0);
	assert_int_equal(invite_now(st).state, STORE_INVITE_PENDING);
	assert_int_equal(invite_now(st).sequence, 2);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_file_and_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_from_1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digests_sent_and_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkbacks_seen_across_processes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_touches_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contact_state, setup, teardown),
		cmocka_unit_test(test_digest_lifecycle),
		cmocka_unit_test(test_invite_lifecycle),
		cmocka_unit_test_setup_teardown(test_digest_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invite_writers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
