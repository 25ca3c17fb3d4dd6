#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "afile.h"
#include "day.h"
#include "store.h"

struct store {
	sqlite3 *db;
	sqlite3_stmt *add_touch;   /* kept prepared: a scan adds thousands */
	sqlite3_stmt *add_correspondent, *resolve_checkbacks;
	int open_checkbacks;       /* -1 unknown; 0: no UPDATE needed */
	long long cb_version;      /* PRAGMA data_version when it was known */
	int depth;                 /* store_begin() calls not yet ended */
};

/* Each entry moves the schema from version i to i + 1. Never edit one that
 * has shipped: add the next. */
static const char *const migrations[STORE_SCHEMA_VERSION] = {
	/* 1: the first schema */
	"CREATE TABLE touches ("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL,"
	"  address TEXT NOT NULL DEFAULT '',"
	"  contact TEXT NOT NULL DEFAULT '',"
	"  at INTEGER NOT NULL,"
	"  via TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  account TEXT NOT NULL DEFAULT '',"
	"  note TEXT,"
	"  UNIQUE (key, address, contact));"
	"CREATE INDEX touches_latest ON touches (address, contact, via, at);"
	"CREATE TABLE contacts ("
	"  id TEXT PRIMARY KEY,"
	"  first_seen INTEGER NOT NULL,"
	"  snooze_until INTEGER,"
	"  paused INTEGER NOT NULL DEFAULT 0,"
	"  paused_until INTEGER);"
	"CREATE TABLE notes ("
	"  id INTEGER PRIMARY KEY,"
	"  contact TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  text TEXT NOT NULL);"
	"CREATE TABLE folders ("
	"  account TEXT NOT NULL,"
	"  folder TEXT NOT NULL,"
	"  uidvalidity INTEGER NOT NULL,"
	"  last_uid INTEGER NOT NULL,"
	"  synced_at INTEGER,"
	"  PRIMARY KEY (account, folder));"
	"CREATE TABLE digests ("
	"  day TEXT PRIMARY KEY,"
	"  message_id TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  sent_at INTEGER,"
	"  error TEXT);"
	"CREATE TABLE invites ("
	"  uid TEXT PRIMARY KEY,"
	"  sequence INTEGER NOT NULL,"
	"  method TEXT NOT NULL,"
	"  due TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  message_id TEXT,"
	"  updated_at INTEGER);"
	"CREATE TABLE replies ("
	"  message_id TEXT PRIMARY KEY,"
	"  applied_at INTEGER NOT NULL);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  source TEXT NOT NULL,"
	"  level TEXT NOT NULL,"
	"  message TEXT NOT NULL);",
	/* 2: invites name their contact and keep the message until it is sent */
	"ALTER TABLE invites ADD COLUMN contact TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE invites ADD COLUMN message TEXT;",
	/* 3: replies to the digest, check-backs, people written to who are
	 * not contacts */
	"CREATE TABLE reply_pending ("
	"  message_id TEXT PRIMARY KEY,"
	"  account TEXT NOT NULL,"
	"  folder TEXT NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE reply_lines ("
	"  id INTEGER PRIMARY KEY,"
	"  message_id TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  line TEXT NOT NULL,"
	"  applied INTEGER NOT NULL,"
	"  what TEXT NOT NULL,"
	"  digest TEXT);"
	"CREATE TABLE checkbacks ("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL,"
	"  address TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  due INTEGER NOT NULL,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  resolved_at INTEGER,"
	"  UNIQUE (key, address));"
	"CREATE INDEX checkbacks_open ON checkbacks (address) WHERE resolved_at IS NULL;"
	"CREATE TABLE correspondents ("
	"  account TEXT NOT NULL,"
	"  folder TEXT NOT NULL,"
	"  address TEXT NOT NULL,"
	"  count INTEGER NOT NULL,"
	"  first INTEGER NOT NULL,"
	"  last INTEGER NOT NULL,"
	"  PRIMARY KEY (account, folder, address)) WITHOUT ROWID;",
	/* 4: the installation's secrets (the key of the digest's Message-IDs),
	 * and every digest Message-ID that went out: a reply applies only when
	 * it answers one of them */
	"CREATE TABLE secrets ("
	"  name TEXT PRIMARY KEY,"
	"  value BLOB NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE digests_sent ("
	"  message_id TEXT PRIMARY KEY,"
	"  day TEXT NOT NULL,"
	"  sent_at INTEGER NOT NULL) WITHOUT ROWID;"
	/* The digests sent before are not in it: their ids were a hash of the
	 * public address, which anyone can compute. */
	/* and the display name a check-back's address had in the message */
	"ALTER TABLE checkbacks ADD COLUMN name TEXT NOT NULL DEFAULT '';",
};

static int
fail(struct store *st, char **err, const char *what)
{
	if (err != NULL)
		*err = xasprintf("state: %s: %s", what, sqlite3_errmsg(st->db));
	return -1;
}

static int
exec(struct store *st, const char *sql, char **err)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(st, err, "query failed");
	return 0;
}

/* Transactions nest: only the outermost begins and commits, so that a
 * change made of smaller ones (a reply's commands) is one transaction. */
/* Forgets what is cached about check-backs when another connection has
 * committed since it was learnt. 0 or -1. */
static int
cb_stale(struct store *st, char **err)
{
	long long v;

	if (store_data_version(st, &v, err) < 0)
		return -1;
	if (v != st->cb_version)
		st->open_checkbacks = -1;
	return 0;
}

int
store_begin(struct store *st, char **err)
{
	if (st->depth > 0) {
		st->depth++;
		return 0;
	}
	if (exec(st, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	st->depth = 1;
	if (st->open_checkbacks >= 0 && cb_stale(st, err) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

int
store_commit(struct store *st, char **err)
{
	if (st->depth > 1) {
		st->depth--;
		return 0;
	}
	if (st->depth == 0) {
		/* An inner failure rolled the whole transaction back. */
		*err = xstrdup("state: the transaction was rolled back");
		return -1;
	}
	st->depth = 0;
	if (exec(st, "COMMIT", err) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

void
store_rollback(struct store *st)
{
	st->depth = 0;
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int
store_schema_version(struct store *st)
{
	sqlite3_stmt *s;
	int v = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT version FROM schema_version", -1,
	    &s, NULL) != SQLITE_OK)
		return 0;   /* no table yet: an empty database */
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int
migrate(struct store *st, char **err)
{
	int v;

	if (store_begin(st, err) < 0)
		return -1;
	if (exec(st, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", err) < 0)
		goto bad;
	v = store_schema_version(st);
	if (v > STORE_SCHEMA_VERSION) {
		*err = xasprintf("state: the database has schema %d, newer than this followupd knows (%d)",
		    v, STORE_SCHEMA_VERSION);
		store_rollback(st);
		return -1;
	}
	for (; v < STORE_SCHEMA_VERSION; v++) {
		char set[96];

		if (exec(st, migrations[v], err) < 0)
			goto bad;
		snprintf(set, sizeof set, "DELETE FROM schema_version;"
		    "INSERT INTO schema_version VALUES (%d)", v + 1);
		if (exec(st, set, err) < 0)
			goto bad;
	}
	return store_commit(st, err);
bad:
	store_rollback(st);
	return -1;
}

struct store *
store_open_file(const char *path, char **err)
{
	struct store *st = xcalloc(1, sizeof *st);
	mode_t old = umask(077);
	int rc;

	st->open_checkbacks = -1;

	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	umask(old);
	if (rc != SQLITE_OK) {
		*err = xasprintf("state: cannot open %s: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		sqlite3_close(st->db);
		free(st);
		return NULL;
	}
	sqlite3_busy_timeout(st->db, 5000);
	if (exec(st, "PRAGMA journal_mode = WAL", err) < 0 ||
	    exec(st, "PRAGMA synchronous = FULL", err) < 0 ||
	    migrate(st, err) < 0) {
		store_close(st);
		return NULL;
	}
	return st;
}

struct store *
store_open(const char *dir, char **err)
{
	struct store *st;
	char *path;

	if (afile_mkdirs(dir, err) < 0) {
		int saved = errno;   /* EACCES is exit 77 for the caller */
		char *e = *err;

		*err = xasprintf("state: %s", e);
		free(e);
		errno = saved;
		return NULL;
	}
	path = xasprintf("%s/followupd.db", dir);
	st = store_open_file(path, err);
	free(path);
	return st;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	sqlite3_finalize(st->add_touch);
	sqlite3_finalize(st->add_correspondent);
	sqlite3_finalize(st->resolve_checkbacks);
	sqlite3_close(st->db);
	free(st);
}

static sqlite3_stmt *
prepare(struct store *st, const char *sql, char **err)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		fail(st, err, "query failed");
		return NULL;
	}
	return s;
}

static int
step_done(struct store *st, sqlite3_stmt *s, char **err)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return fail(st, err, "write failed");
	return 0;
}

/* Ends a one-row lookup: 0 when it found the row, 1 when there was none,
 * -1 on an error. */
static int
lookup_done(struct store *st, sqlite3_stmt *s, int rc, char **err)
{
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return fail(st, err, "read failed");
}

int
store_add_touch(struct store *st, const struct store_touch *t, bool *added,
    char **err)
{
	sqlite3_stmt *s = st->add_touch;
	int rc;

	if (s == NULL && (s = st->add_touch = prepare(st,
	    "INSERT OR IGNORE INTO touches (key, address, contact, at, via, source, account, note)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, t->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, t->address ? t->address : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, t->contact ? t->contact : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)t->at);
	sqlite3_bind_text(s, 5, via_name(t->via), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, t->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, t->account ? t->account : "", -1, SQLITE_STATIC);
	if (t->note != NULL)
		sqlite3_bind_text(s, 8, t->note, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 8);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return fail(st, err, "write failed");
	*added = sqlite3_changes(st->db) > 0;
	return 0;
}

int
store_each_latest(struct store *st, time_t before,
    void (*fn)(void *arg, const char *address, const char *contact,
        enum via via, time_t at),
    void *arg, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "SELECT address, contact, via, MAX(at) FROM touches WHERE at < ?"
	    " GROUP BY address, contact, via", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)before);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 2);
		enum via via;

		if (via_parse(v, strlen(v), &via) < 0)
			via = VIA_OTHER;
		fn(arg, (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1), via,
		    (time_t)sqlite3_column_int64(s, 3));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return fail(st, err, "read failed");
	return 0;
}

int
store_note_contacts(struct store *st, const char *const *ids, size_t n,
    int today, char **err)
{
	sqlite3_stmt *s;

	if (store_begin(st, err) < 0)
		return -1;
	s = prepare(st, "INSERT OR IGNORE INTO contacts (id, first_seen) VALUES (?, ?)", err);
	if (s == NULL) {
		store_rollback(st);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_text(s, 1, ids[i], -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, today);
		if (sqlite3_step(s) != SQLITE_DONE) {
			fail(st, err, "write failed");
			sqlite3_finalize(s);
			store_rollback(st);
			return -1;
		}
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return store_commit(st, err);
}

int
store_each_state(struct store *st,
    void (*fn)(void *arg, const char *id, const struct fu_state *s),
    void *arg, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "SELECT id, first_seen, snooze_until, paused, paused_until FROM contacts", err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct fu_state fs;

		fs.first_seen = sqlite3_column_int(s, 1);
		fs.snooze_until = sqlite3_column_type(s, 2) == SQLITE_NULL ?
		    DAY_NONE : sqlite3_column_int(s, 2);
		fs.paused = (enum pause_mode)sqlite3_column_int(s, 3);
		fs.paused_until = sqlite3_column_type(s, 4) == SQLITE_NULL ?
		    DAY_NONE : sqlite3_column_int(s, 4);
		fn(arg, (const char *)sqlite3_column_text(s, 0), &fs);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return fail(st, err, "read failed");
	return 0;
}

/* Makes sure a row exists for id, then runs an update of it. */
static int
update_contact(struct store *st, const char *id, const char *sql,
    int a, int b, bool b_null, int today, char **err)
{
	sqlite3_stmt *s;

	if (store_begin(st, err) < 0)
		return -1;
	s = prepare(st, "INSERT OR IGNORE INTO contacts (id, first_seen) VALUES (?, ?)", err);
	if (s == NULL)
		goto bad;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, today);
	if (step_done(st, s, err) < 0)
		goto bad;
	s = prepare(st, sql, err);
	if (s == NULL)
		goto bad;
	sqlite3_bind_int(s, 1, a);
	if (b_null)
		sqlite3_bind_null(s, 2);
	else
		sqlite3_bind_int(s, 2, b);
	sqlite3_bind_text(s, 3, id, -1, SQLITE_STATIC);
	if (step_done(st, s, err) < 0)
		goto bad;
	return store_commit(st, err);
bad:
	store_rollback(st);
	return -1;
}

int
store_set_snooze(struct store *st, const char *id, int until, int today,
    char **err)
{
	return update_contact(st, id,
	    "UPDATE contacts SET snooze_until = ?1 WHERE id = ?3",
	    until, 0, false, today, err);
}

int
store_set_pause(struct store *st, const char *id, enum pause_mode mode,
    int until, int today, char **err)
{
	return update_contact(st, id,
	    "UPDATE contacts SET paused = ?1, paused_until = ?2 WHERE id = ?3",
	    (int)mode, until, mode != PAUSE_UNTIL, today, err);
}

int
store_add_note(struct store *st, const char *id, time_t at, const char *text,
    char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "INSERT INTO notes (contact, at, text) VALUES (?, ?, ?)", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)at);
	sqlite3_bind_text(s, 3, text, -1, SQLITE_STATIC);
	return step_done(st, s, err);
}

static int
one_int64(struct store *st, const char *sql, sqlite3_int64 *out, char **err)
{
	sqlite3_stmt *s = prepare(st, sql, err);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(st, err, "read failed");
}

int
store_data_version(struct store *st, long long *v, char **err)
{
	sqlite3_int64 x;

	if (one_int64(st, "PRAGMA data_version", &x, err) < 0)
		return -1;
	*v = (long long)x;
	return 0;
}

int
store_stats(struct store *st, struct store_stats *out, char **err)
{
	sqlite3_int64 v;
	sqlite3_stmt *s;

	memset(out, 0, sizeof *out);
	out->schema = store_schema_version(st);
	if (one_int64(st, "SELECT COUNT(*) FROM touches", &v, err) < 0)
		return -1;
	out->touches = (long)v;
	if (one_int64(st, "SELECT COALESCE(MAX(at), 0) FROM touches", &v, err) < 0)
		return -1;
	out->last_touch = (time_t)v;
	if (one_int64(st, "SELECT COUNT(*) FROM contacts", &v, err) < 0)
		return -1;
	out->contacts_seen = (long)v;
	if (one_int64(st, "SELECT COUNT(*) FROM folders", &v, err) < 0)
		return -1;
	out->folders = (long)v;
	if (one_int64(st, "SELECT COALESCE(MAX(synced_at), 0) FROM folders", &v, err) < 0)
		return -1;
	out->last_sync = (time_t)v;
	s = prepare(st, "SELECT day FROM digests_sent ORDER BY day DESC LIMIT 1", err);
	if (s == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(out->last_digest, sizeof out->last_digest, "%s",
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return 0;
}

int
store_folder_get(struct store *st, const char *account, const char *folder,
    uint32_t *uidvalidity, uint32_t *last_uid, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "SELECT uidvalidity, last_uid FROM folders WHERE account = ? AND folder = ?", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, folder, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*uidvalidity = (uint32_t)sqlite3_column_int64(s, 0);
		*last_uid = (uint32_t)sqlite3_column_int64(s, 1);
	}
	return lookup_done(st, s, rc, err);
}

int
store_folder_set(struct store *st, const char *account, const char *folder,
    uint32_t uidvalidity, uint32_t last_uid, time_t now, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "INSERT INTO folders (account, folder, uidvalidity, last_uid, synced_at)"
	    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, folder) DO UPDATE SET"
	    " uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid,"
	    " synced_at = excluded.synced_at", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, folder, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)uidvalidity);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)last_uid);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)now);
	return step_done(st, s, err);
}

int
store_folders_rescan(struct store *st, char **err)
{
	return exec(st, "UPDATE folders SET last_uid = 0", err);
}

int
store_digest_get(struct store *st, const char *day, struct store_digest *out, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "SELECT message_id, state, attempts, sent_at, error,"
	    " EXISTS (SELECT 1 FROM digests_sent WHERE digests_sent.day = digests.day)"
	    " FROM digests WHERE day = ?", err);
	int rc;

	if (s == NULL)
		return -1;
	memset(out, 0, sizeof *out);
	sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *e = (const char *)sqlite3_column_text(s, 4);

		snprintf(out->message_id, sizeof out->message_id, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		snprintf(out->state, sizeof out->state, "%s",
		    (const char *)sqlite3_column_text(s, 1));
		out->attempts = sqlite3_column_int(s, 2);
		out->sent_at = (time_t)sqlite3_column_int64(s, 3);
		snprintf(out->error, sizeof out->error, "%s", e != NULL ? e : "");
		out->ever_sent = sqlite3_column_int(s, 5) != 0;
	}
	return lookup_done(st, s, rc, err);
}

int
store_digest_sending(struct store *st, const char *day, const char *message_id,
    char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "INSERT INTO digests (day, message_id, state, attempts) VALUES (?, ?, 'sending', 1)"
	    " ON CONFLICT (day) DO UPDATE SET message_id = excluded.message_id,"
	    " state = 'sending', attempts = attempts + 1, error = NULL", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, message_id, -1, SQLITE_STATIC);
	return step_done(st, s, err);
}

int
store_digest_done(struct store *st, const char *day, bool sent, time_t now,
    const char *error, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "UPDATE digests SET state = ?, sent_at = CASE WHEN ? THEN ? ELSE sent_at END,"
	    " error = ? WHERE day = ?", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, sent ? "sent" : "failed", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, sent);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)now);
	if (error != NULL)
		sqlite3_bind_text(s, 4, error, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, day, -1, SQLITE_STATIC);
	if (step_done(st, s, err) < 0)
		return -1;
	if (!sent)
		return 0;
	s = prepare(st, "INSERT OR IGNORE INTO digests_sent (message_id, day, sent_at)"
	    " SELECT message_id, day, ? FROM digests WHERE day = ?", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
	return step_done(st, s, err);
}

/* Does the query, with text bound to its one parameter, give a row? 1, 0,
 * or -1. */
static int
exists(struct store *st, const char *sql, const char *text, char **err)
{
	sqlite3_stmt *s = prepare(st, sql, err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
	rc = lookup_done(st, s, sqlite3_step(s), err);
	return rc < 0 ? -1 : rc == 0;
}

int
store_digest_was_sent(struct store *st, const char *message_id, char **err)
{
	return exists(st, "SELECT 1 FROM digests_sent WHERE message_id = ?", message_id, err);
}

int
store_secret(struct store *st, const char *name, unsigned char *out, size_t len,
    char **err)
{
	unsigned char fresh[64];
	sqlite3_stmt *s;
	int rc;

	if (len > sizeof fresh || getrandom(fresh, len, 0) != (ssize_t)len) {
		*err = xasprintf("state: cannot make the secret %s: %s", name,
		    len > sizeof fresh ? "too long" : strerror(errno));
		return -1;
	}
	/* Of two processes that make one at once, the first's is kept. */
	if ((s = prepare(st, "INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)",
	    err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, fresh, (int)len, SQLITE_STATIC);
	rc = step_done(st, s, err);
	explicit_bzero(fresh, sizeof fresh);
	if (rc < 0 || (s = prepare(st, "SELECT value FROM secrets WHERE name = ?", err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW || sqlite3_column_bytes(s, 0) != (int)len) {
		sqlite3_finalize(s);
		if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
			*err = xasprintf("state: the secret %s is damaged", name);
			return -1;
		}
		return fail(st, err, "read failed");
	}
	memcpy(out, sqlite3_column_blob(s, 0), len);
	sqlite3_finalize(s);
	return 0;
}

int
store_digest_latest(struct store *st, const char *before, char day[16],
    struct store_digest *out, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "SELECT day FROM digests WHERE day < ? ORDER BY day DESC LIMIT 1", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, before != NULL ? before : "9999-99-99", -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(day, 16, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		return fail(st, err, "read failed");
	return store_digest_get(st, day, out, err);
}

int
store_invites_each(struct store *st, int (*fn)(const struct store_invite *, void *),
    void *arg, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "SELECT uid, contact, sequence, method, due, state FROM invites ORDER BY uid", err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_invite inv;

		inv.uid = (const char *)sqlite3_column_text(s, 0);
		inv.contact = (const char *)sqlite3_column_text(s, 1);
		inv.sequence = sqlite3_column_int(s, 2);
		inv.method = (const char *)sqlite3_column_text(s, 3);
		inv.due = (const char *)sqlite3_column_text(s, 4);
		inv.state = (const char *)sqlite3_column_text(s, 5);
		inv.message = NULL;
		if (fn(&inv, arg) < 0)
			break;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(st, err, "read failed");
	return 0;
}

int
store_invite_put(struct store *st, const struct store_invite *inv, const char *message_id,
    time_t now, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "INSERT OR REPLACE INTO invites (uid, contact, sequence, method, due, state,"
	    " message_id, updated_at, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, inv->uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, inv->contact, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, inv->sequence);
	sqlite3_bind_text(s, 4, inv->method, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, inv->due, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, inv->state, -1, SQLITE_STATIC);
	if (message_id != NULL)
		sqlite3_bind_text(s, 7, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)now);
	if (inv->message != NULL)
		sqlite3_bind_text(s, 9, inv->message, -1, SQLITE_STATIC);
	return step_done(st, s, err);
}

int
store_invites_pending(struct store *st, int (*fn)(const struct store_invite *, void *),
    void *arg, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "SELECT uid, contact, sequence, method, due, state, message FROM invites"
	    " WHERE state = 'pending' ORDER BY updated_at, uid", err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_invite inv;

		inv.uid = (const char *)sqlite3_column_text(s, 0);
		inv.contact = (const char *)sqlite3_column_text(s, 1);
		inv.sequence = sqlite3_column_int(s, 2);
		inv.method = (const char *)sqlite3_column_text(s, 3);
		inv.due = (const char *)sqlite3_column_text(s, 4);
		inv.state = (const char *)sqlite3_column_text(s, 5);
		inv.message = (const char *)sqlite3_column_text(s, 6);
		if (fn(&inv, arg) < 0)
			break;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(st, err, "read failed");
	return 0;
}

/* A pending invite's end: "sent" or "failed"; its message is dropped. */
static int
invite_end(struct store *st, const char *uid, int sequence, time_t now, const char *state,
    char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "UPDATE invites SET state = ?, message = NULL, updated_at = ?"
	    " WHERE uid = ? AND sequence = ? AND state = 'pending'", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	sqlite3_bind_text(s, 3, uid, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, sequence);
	return step_done(st, s, err);
}

int
store_invite_failed(struct store *st, const char *uid, int sequence, time_t now, char **err)
{
	return invite_end(st, uid, sequence, now, "failed", err);
}

int
store_invite_sent(struct store *st, const char *uid, int sequence, time_t now, char **err)
{
	return invite_end(st, uid, sequence, now, "sent", err);
}

int
store_reply_pending_add(struct store *st, const char *message_id, const char *account,
    const char *folder, uint32_t uid, time_t at, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "INSERT OR IGNORE INTO reply_pending (message_id, account, folder, uid, at)"
	    " SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS"
	    " (SELECT 1 FROM replies WHERE message_id = ?1)", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, folder, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, uid);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)at);
	return step_done(st, s, err);
}

int
store_reply_pending_each(struct store *st, const char *account, const char *folder,
    int (*fn)(const char *message_id, uint32_t uid, time_t at, int attempts, void *arg),
    void *arg, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "SELECT message_id, uid, at, attempts FROM reply_pending WHERE account = ? AND"
	    " folder = ? ORDER BY uid", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, folder, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn((const char *)sqlite3_column_text(s, 0), (uint32_t)sqlite3_column_int64(s, 1),
		    (time_t)sqlite3_column_int64(s, 2), sqlite3_column_int(s, 3), arg) < 0)
			break;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(st, err, "read failed");
	return 0;
}

int
store_reply_done(struct store *st, const char *message_id, time_t now, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "INSERT OR IGNORE INTO replies (message_id, applied_at) VALUES (?, ?)", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	if (step_done(st, s, err) < 0)
		return -1;
	return store_reply_drop(st, message_id, err);
}

int
store_reply_drop(struct store *st, const char *message_id, char **err)
{
	sqlite3_stmt *s = prepare(st, "DELETE FROM reply_pending WHERE message_id = ?", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, message_id, -1, SQLITE_STATIC);
	return step_done(st, s, err);
}

int
store_reply_pending_reset(struct store *st, const char *account, const char *folder,
    char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "DELETE FROM reply_pending WHERE account = ? AND folder = ?", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, folder, -1, SQLITE_STATIC);
	return step_done(st, s, err);
}

int
store_reply_failed(struct store *st, const char *message_id, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "UPDATE reply_pending SET attempts = attempts + 1 WHERE message_id = ?", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, message_id, -1, SQLITE_STATIC);
	return step_done(st, s, err);
}

int
store_reply_seen(struct store *st, const char *message_id, char **err)
{
	return exists(st, "SELECT 1 FROM replies WHERE message_id = ?", message_id, err);
}

int
store_reply_line_add(struct store *st, const char *message_id, time_t at, const char *line,
    bool applied, const char *what, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "INSERT INTO reply_lines (message_id, at, line, applied, what) VALUES (?, ?, ?, ?, ?)",
	    err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)at);
	sqlite3_bind_text(s, 3, line, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, applied);
	sqlite3_bind_text(s, 5, what, -1, SQLITE_STATIC);
	return step_done(st, s, err);
}

int
store_reply_lines_each(struct store *st,
    int (*fn)(long id, const char *line, bool applied, const char *what, void *arg),
    void *arg, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "SELECT id, line, applied, what FROM reply_lines WHERE digest IS NULL ORDER BY id", err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn((long)sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
		    sqlite3_column_int(s, 2) != 0, (const char *)sqlite3_column_text(s, 3), arg) < 0)
			break;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(st, err, "read failed");
	return 0;
}

int
store_reply_lines_reported(struct store *st, const char *day, long upto, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "UPDATE reply_lines SET digest = ? WHERE digest IS NULL AND id <= ?", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, upto);
	return step_done(st, s, err);
}

int
store_checkback_add(struct store *st, const char *key, const char *address,
    const char *name, time_t created, int due, const char *reason, bool *added, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "INSERT OR IGNORE INTO checkbacks (key, address, created_at, due, reason, name)"
	    " VALUES (?, ?, ?, ?, ?, ?)", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)created);
	sqlite3_bind_int(s, 4, due);
	sqlite3_bind_text(s, 5, reason != NULL ? reason : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, name != NULL ? name : "", -1, SQLITE_STATIC);
	st->open_checkbacks = 1;
	if (step_done(st, s, err) < 0)
		return -1;
	*added = sqlite3_changes(st->db) > 0;
	return 0;
}

int
store_checkbacks_resolve(struct store *st, const char *address, time_t at,
    const char *key, char **err)
{
	sqlite3_stmt *s;
	int rc;

	/* Every recipient of every message asks: most mailboxes have no open
	 * check-back at all, and then no statement runs but, outside a
	 * transaction, PRAGMA data_version: another process (followupd sync
	 * in a shell while the daemon runs) may have opened one since. Inside
	 * one, store_begin has looked already and nobody else can write. */
	if (st->open_checkbacks >= 0 && st->depth == 0 && cb_stale(st, err) < 0)
		return -1;
	if (st->open_checkbacks < 0) {
		long long v;

		if (store_data_version(st, &v, err) < 0)
			return -1;
		st->cb_version = v;
		s = prepare(st, "SELECT EXISTS (SELECT 1 FROM checkbacks WHERE resolved_at IS NULL)",
		    err);
		if (s == NULL)
			return -1;
		st->open_checkbacks = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 1;
		sqlite3_finalize(s);
	}
	if (st->open_checkbacks == 0)
		return 0;
	s = st->resolve_checkbacks;
	if (s == NULL && (s = st->resolve_checkbacks = prepare(st,
	    "UPDATE checkbacks SET resolved_at = ?1 WHERE address = ?2 AND resolved_at IS NULL"
	    " AND created_at < ?1 AND key != ?3", err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)at);
	sqlite3_bind_text(s, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, key != NULL ? key : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return fail(st, err, "write failed");
	return 0;
}

int
store_checkbacks_open(struct store *st,
    int (*fn)(const char *address, const char *name, int due, const char *reason,
    time_t created, void *arg),
    void *arg, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "SELECT address, due, reason, created_at, name FROM checkbacks"
	    " WHERE resolved_at IS NULL ORDER BY due, address", err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn((const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 4), sqlite3_column_int(s, 1),
		    (const char *)sqlite3_column_text(s, 2), (time_t)sqlite3_column_int64(s, 3),
		    arg) < 0)
			break;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(st, err, "read failed");
	return 0;
}

int
store_correspondent_add(struct store *st, const char *account, const char *folder,
    const char *address, long count, time_t first, time_t last, char **err)
{
	sqlite3_stmt *s = st->add_correspondent;
	int rc;

	if (s == NULL && (s = st->add_correspondent = prepare(st,
	    "INSERT INTO correspondents (account, folder, address, count, first, last)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (account, folder, address) DO UPDATE"
	    " SET count = count + ?4, first = min(first, ?5), last = max(last, ?6)", err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, folder, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, count);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)first);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)last);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return fail(st, err, "write failed");
	return 0;
}

int
store_correspondents_reset(struct store *st, const char *account, const char *folder,
    char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "DELETE FROM correspondents WHERE account = ? AND folder = ?", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, folder, -1, SQLITE_STATIC);
	return step_done(st, s, err);
}

int
store_correspondents_each(struct store *st, time_t since,
    int (*fn)(const char *address, long count, time_t first, time_t last, void *arg),
    void *arg, char **err)
{
	sqlite3_stmt *s = prepare(st,
	    "SELECT address, sum(count), min(first), max(last) FROM correspondents"
	    " GROUP BY address HAVING max(last) >= ? ORDER BY 2 DESC, 4 DESC", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn((const char *)sqlite3_column_text(s, 0), (long)sqlite3_column_int64(s, 1),
		    (time_t)sqlite3_column_int64(s, 2), (time_t)sqlite3_column_int64(s, 3), arg) < 0)
			break;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(st, err, "read failed");
	return 0;
}
