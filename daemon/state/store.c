/* store: the SQLite side of store.h. The lifecycles' states are enums
 * everywhere else; here they meet the columns' strings (the values on
 * disk), and each writer asks the lifecycle's transition function
 * (store_digest_may, store_invite_may) before it writes. Statements are
 * prepared, bound and run through query()/run() with their parameters
 * given by BINDS(). */
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
	/* 5: meetings read from the user's calendars */
	"CREATE TABLE cal_objects ("
	"  source TEXT NOT NULL,"
	"  href TEXT NOT NULL,"
	"  etag TEXT NOT NULL DEFAULT '',"
	"  data BLOB NOT NULL,"
	"  PRIMARY KEY (source, href)) WITHOUT ROWID;"
	"CREATE TABLE meetings ("
	"  id INTEGER PRIMARY KEY,"
	"  source TEXT NOT NULL,"
	"  uid TEXT NOT NULL,"
	"  recur TEXT NOT NULL,"
	"  href TEXT NOT NULL,"
	"  start_at INTEGER NOT NULL,"
	"  end_at INTEGER NOT NULL,"
	"  title TEXT NOT NULL,"
	"  UNIQUE (source, uid, recur));"
	"CREATE INDEX meetings_end ON meetings (source, end_at);"
	"CREATE TABLE meeting_people ("
	"  meeting INTEGER NOT NULL,"
	"  address TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  PRIMARY KEY (meeting, address)) WITHOUT ROWID;"
	"CREATE INDEX meeting_people_address ON meeting_people (address);"
	"CREATE TABLE cal_sources ("
	"  source TEXT PRIMARY KEY,"
	"  tried_at INTEGER NOT NULL,"
	"  refreshed_at INTEGER,"
	"  error TEXT) WITHOUT ROWID;",
	/* 6: the inbox: messages received from people who matter; the
	 * subject of sent messages; check-backs ended by an answer */
	"ALTER TABLE touches ADD COLUMN subject TEXT;"
	"CREATE TABLE received ("
	"  key TEXT NOT NULL,"
	"  address TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  subject TEXT,"
	"  account TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (key, address)) WITHOUT ROWID;"
	"CREATE INDEX received_latest ON received (address, at);"
	"ALTER TABLE checkbacks ADD COLUMN answered_at INTEGER;",
};

/* ---- statements ------------------------------------------------------------ */

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

/* A statement's parameter: text (NULL binds NULL), an integer or bytes. */
struct bind {
	enum { BIND_T, BIND_I, BIND_B } kind;
	const void *p;
	sqlite3_int64 n;           /* the integer, or the bytes' length */
};
#define BIND_TEXT(s) ((struct bind){ BIND_T, (s), 0 })
#define BIND_INT(x) ((struct bind){ BIND_I, NULL, (sqlite3_int64)(x) })
#define BIND_BLOB(p, len) ((struct bind){ BIND_B, (p), (sqlite3_int64)(len) })
/* A statement's parameters, ?1 on: the array and its length. */
#define BINDS(...) (const struct bind[]){ __VA_ARGS__ }, \
	sizeof((const struct bind[]){ __VA_ARGS__ }) / sizeof(struct bind)
#define NO_BINDS NULL, 0

static void
bind_all(sqlite3_stmt *s, const struct bind *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int k = (int)i + 1;

		if (b[i].kind == BIND_I)
			sqlite3_bind_int64(s, k, b[i].n);
		else if (b[i].p == NULL)
			sqlite3_bind_null(s, k);
		else if (b[i].kind == BIND_T)
			sqlite3_bind_text(s, k, b[i].p, -1, SQLITE_STATIC);
		else
			sqlite3_bind_blob(s, k, b[i].p, (int)b[i].n, SQLITE_STATIC);
	}
}

/* sql prepared, its parameters bound; NULL with *err. */
static sqlite3_stmt *
query(struct store *st, const char *sql, const struct bind *b, size_t n, char **err)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		fail(st, err, "query failed");
		return NULL;
	}
	bind_all(s, b, n);
	return s;
}

/* Ends a statement read to its end (or stopped early: rc SQLITE_ROW). */
static int
rows_done(struct store *st, sqlite3_stmt *s, int rc, char **err)
{
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(st, err, "read failed");
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

/* Runs a statement that returns no rows. 0 or -1. */
static int
run(struct store *st, const char *sql, const struct bind *b, size_t n, char **err)
{
	sqlite3_stmt *s = query(st, sql, b, n, err);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return fail(st, err, "write failed");
	return 0;
}

/* Runs a statement kept prepared, and makes it ready for the next run. */
static int
run_kept(struct store *st, sqlite3_stmt *s, const struct bind *b, size_t n, char **err)
{
	int rc;

	bind_all(s, b, n);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return fail(st, err, "write failed");
	return 0;
}

/* The integer in the first column of the first row (0 when none). */
static int
one_int64(struct store *st, const char *sql, sqlite3_int64 *out, char **err)
{
	sqlite3_stmt *s = query(st, sql, NO_BINDS, err);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	return rows_done(st, s, rc, err);
}

/* Does the query, with text bound to its one parameter, give a row? 1, 0,
 * or -1. */
static int
exists(struct store *st, const char *sql, const char *text, char **err)
{
	sqlite3_stmt *s = query(st, sql, BINDS(BIND_TEXT(text)), err);
	int rc;

	if (s == NULL)
		return -1;
	rc = lookup_done(st, s, sqlite3_step(s), err);
	return rc < 0 ? -1 : rc == 0;
}

/* ---- the lifecycles: their states as the columns spell them ---------------- */

static const char *const digest_states[] = {
	[STORE_DIGEST_NONE] = "none", [STORE_DIGEST_SENDING] = "sending",
	[STORE_DIGEST_SENT] = "sent", [STORE_DIGEST_FAILED] = "failed",
};
static const char *const invite_states[] = {
	[STORE_INVITE_NONE] = "none", [STORE_INVITE_PENDING] = "pending",
	[STORE_INVITE_SENT] = "sent", [STORE_INVITE_FAILED] = "failed",
	[STORE_INVITE_CLOSED] = "closed",
};
static const char *const invite_methods[] = {
	[STORE_INVITE_REQUEST] = "REQUEST", [STORE_INVITE_CANCEL] = "CANCEL",
};

/* The index of s in names (n of them), or dflt. */
static int
name_index(const char *const *names, size_t n, const char *s, int dflt)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return dflt;
}

#define NAMES(a) (a), sizeof (a) / sizeof *(a)

static enum store_digest_state
digest_state_of(const unsigned char *s)
{
	/* The column's CHECK allows nothing else. */
	return (enum store_digest_state)name_index(NAMES(digest_states), (const char *)s,
	    STORE_DIGEST_FAILED);
}

static enum store_invite_state
invite_state_of(const unsigned char *s)
{
	/* Nothing else is written; an unknown one is sent no more. */
	return (enum store_invite_state)name_index(NAMES(invite_states), (const char *)s,
	    STORE_INVITE_CLOSED);
}

static enum store_invite_method
invite_method_of(const unsigned char *s)
{
	return (enum store_invite_method)name_index(NAMES(invite_methods), (const char *)s,
	    STORE_INVITE_REQUEST);
}

bool
store_digest_may(enum store_digest_state from, enum store_digest_state to)
{
	switch (to) {
	case STORE_DIGEST_SENDING:
		return true;
	case STORE_DIGEST_SENT:
	case STORE_DIGEST_FAILED:
		return from == STORE_DIGEST_SENDING;
	case STORE_DIGEST_NONE:
		break;
	}
	return false;
}

bool
store_invite_may(enum store_invite_state from, enum store_invite_state to)
{
	switch (to) {
	case STORE_INVITE_PENDING:
		return true;
	case STORE_INVITE_SENT:
	case STORE_INVITE_FAILED:
		return from == STORE_INVITE_PENDING;
	case STORE_INVITE_CLOSED:
		return from != STORE_INVITE_NONE && from != STORE_INVITE_CLOSED;
	case STORE_INVITE_NONE:
		break;
	}
	return false;
}

/* ---- transactions, opening ------------------------------------------------- */

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

/* Transactions nest: only the outermost begins and commits, so that a
 * change made of smaller ones (a reply's commands) is one transaction. */
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

int
store_data_version(struct store *st, long long *v, char **err)
{
	sqlite3_int64 x;

	if (one_int64(st, "PRAGMA data_version", &x, err) < 0)
		return -1;
	*v = (long long)x;
	return 0;
}

/* ---- touches and contacts ---------------------------------------------------- */

int
store_add_touch(struct store *st, const struct store_touch *t, bool *added,
    char **err)
{
	if (st->add_touch == NULL && (st->add_touch = query(st,
	    "INSERT OR IGNORE INTO touches (key, address, contact, at, via, source, account, note,"
	    " subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", NO_BINDS, err)) == NULL)
		return -1;
	if (run_kept(st, st->add_touch, BINDS(BIND_TEXT(t->key),
	    BIND_TEXT(t->address ? t->address : ""), BIND_TEXT(t->contact ? t->contact : ""),
	    BIND_INT(t->at), BIND_TEXT(via_name(t->via)), BIND_TEXT(t->source),
	    BIND_TEXT(t->account ? t->account : ""), BIND_TEXT(t->note),
	    BIND_TEXT(t->subject)), err) < 0)
		return -1;
	*added = sqlite3_changes(st->db) > 0;
	return 0;
}

int
store_each_latest(struct store *st, time_t before,
    void (*fn)(void *arg, const char *address, const char *contact,
        enum via via, time_t at),
    void *arg, char **err)
{
	sqlite3_stmt *s = query(st,
	    "SELECT address, contact, via, MAX(at) FROM touches WHERE at < ?"
	    " GROUP BY address, contact, via", BINDS(BIND_INT(before)), err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 2);
		enum via via;

		if (via_parse(v, strlen(v), &via) < 0)
			via = VIA_OTHER;
		fn(arg, (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1), via,
		    (time_t)sqlite3_column_int64(s, 3));
	}
	return rows_done(st, s, rc, err);
}

static const char note_contact[] =
    "INSERT OR IGNORE INTO contacts (id, first_seen) VALUES (?, ?)";

int
store_note_contacts(struct store *st, const char *const *ids, size_t n,
    int today, char **err)
{
	sqlite3_stmt *s;

	if (store_begin(st, err) < 0)
		return -1;
	if ((s = query(st, note_contact, NO_BINDS, err)) == NULL)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (run_kept(st, s, BINDS(BIND_TEXT(ids[i]), BIND_INT(today)), err) < 0) {
			sqlite3_finalize(s);
			goto bad;
		}
	}
	sqlite3_finalize(s);
	return store_commit(st, err);
bad:
	store_rollback(st);
	return -1;
}

int
store_each_state(struct store *st,
    void (*fn)(void *arg, const char *id, const struct fu_state *s),
    void *arg, char **err)
{
	sqlite3_stmt *s = query(st,
	    "SELECT id, first_seen, snooze_until, paused, paused_until FROM contacts", NO_BINDS,
	    err);
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
	return rows_done(st, s, rc, err);
}

/* Makes sure a row exists for id, then runs an update of it: sql with
 * ?1 a, ?2 b (NULL when b_null) and ?3 the id. */
static int
update_contact(struct store *st, const char *id, const char *sql,
    int a, int b, bool b_null, int today, char **err)
{
	struct bind second = b_null ? BIND_TEXT(NULL) : BIND_INT(b);

	if (store_begin(st, err) < 0)
		return -1;
	if (run(st, note_contact, BINDS(BIND_TEXT(id), BIND_INT(today)), err) < 0 ||
	    run(st, sql, BINDS(BIND_INT(a), second, BIND_TEXT(id)), err) < 0) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err);
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
	return run(st, "INSERT INTO notes (contact, at, text) VALUES (?, ?, ?)",
	    BINDS(BIND_TEXT(id), BIND_INT(at), BIND_TEXT(text)), err);
}

int
store_note_latest(struct store *st, const char *id, char **text, time_t *at, char **err)
{
	sqlite3_stmt *s = query(st, "SELECT text, at FROM notes WHERE contact = ?1"
	    " ORDER BY at DESC, id DESC LIMIT 1", BINDS(BIND_TEXT(id)), err);
	int rc;

	*text = NULL;
	if (s == NULL)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*text = xstrdup((const char *)sqlite3_column_text(s, 0));
		*at = (time_t)sqlite3_column_int64(s, 1);
	}
	return lookup_done(st, s, rc, err);
}

int
store_stats(struct store *st, struct store_stats *out, char **err)
{
	sqlite3_int64 v;
	sqlite3_stmt *s;
	int rc;

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
	s = query(st, "SELECT day FROM digests_sent ORDER BY day DESC LIMIT 1", NO_BINDS, err);
	if (s == NULL)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		snprintf(out->last_digest, sizeof out->last_digest, "%s",
		    (const char *)sqlite3_column_text(s, 0));
	return rows_done(st, s, rc, err);
}

/* ---- folders --------------------------------------------------------------- */

int
store_folder_get(struct store *st, const char *account, const char *folder,
    uint32_t *uidvalidity, uint32_t *last_uid, char **err)
{
	sqlite3_stmt *s = query(st,
	    "SELECT uidvalidity, last_uid FROM folders WHERE account = ? AND folder = ?",
	    BINDS(BIND_TEXT(account), BIND_TEXT(folder)), err);
	int rc;

	if (s == NULL)
		return -1;
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
	return run(st,
	    "INSERT INTO folders (account, folder, uidvalidity, last_uid, synced_at)"
	    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, folder) DO UPDATE SET"
	    /* Never backwards within a UIDVALIDITY: a scan of a configuration
	     * retired by SIGHUP may commit after its successor. */
	    " last_uid = CASE WHEN uidvalidity = excluded.uidvalidity"
	    " THEN max(last_uid, excluded.last_uid) ELSE excluded.last_uid END,"
	    " uidvalidity = excluded.uidvalidity, synced_at = excluded.synced_at", BINDS(BIND_TEXT(account), BIND_TEXT(folder),
	    BIND_INT(uidvalidity), BIND_INT(last_uid), BIND_INT(now)), err);
}

int
store_folders_rescan(struct store *st, char **err)
{
	return exec(st, "UPDATE folders SET last_uid = 0", err);
}

/* ---- digests --------------------------------------------------------------- */

int
store_digest_get(struct store *st, const char *day, struct store_digest *out, char **err)
{
	sqlite3_stmt *s = query(st,
	    "SELECT message_id, state, attempts, sent_at, error,"
	    " EXISTS (SELECT 1 FROM digests_sent WHERE digests_sent.day = digests.day)"
	    " FROM digests WHERE day = ?", BINDS(BIND_TEXT(day)), err);
	int rc;

	if (s == NULL)
		return -1;
	memset(out, 0, sizeof *out);
	out->state = STORE_DIGEST_NONE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *e = (const char *)sqlite3_column_text(s, 4);

		snprintf(out->message_id, sizeof out->message_id, "%s",
		    (const char *)sqlite3_column_text(s, 0));
		out->state = digest_state_of(sqlite3_column_text(s, 1));
		out->attempts = sqlite3_column_int(s, 2);
		out->sent_at = (time_t)sqlite3_column_int64(s, 3);
		snprintf(out->error, sizeof out->error, "%s", e != NULL ? e : "");
		out->ever_sent = sqlite3_column_int(s, 5) != 0;
	}
	return lookup_done(st, s, rc, err);
}

/* The state of the day's digest (STORE_DIGEST_NONE when it has none). */
static int
digest_state(struct store *st, const char *day, enum store_digest_state *out, char **err)
{
	sqlite3_stmt *s = query(st, "SELECT state FROM digests WHERE day = ?",
	    BINDS(BIND_TEXT(day)), err);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? digest_state_of(sqlite3_column_text(s, 0)) : STORE_DIGEST_NONE;
	return rows_done(st, s, rc, err);
}

int
store_digest_sending(struct store *st, const char *day, const char *message_id,
    char **err)
{
	enum store_digest_state from;

	if (store_begin(st, err) < 0)
		return -1;
	if (digest_state(st, day, &from, err) < 0)
		goto bad;
	if (!store_digest_may(from, STORE_DIGEST_SENDING)) {
		*err = xasprintf("state: the digest of %s is %s: it cannot be sent", day,
		    digest_states[from]);
		goto bad;
	}
	if (run(st, "INSERT INTO digests (day, message_id, state, attempts) VALUES (?1, ?2, ?3, 1)"
	    " ON CONFLICT (day) DO UPDATE SET message_id = excluded.message_id,"
	    " state = ?3, attempts = attempts + 1, error = NULL", BINDS(BIND_TEXT(day),
	    BIND_TEXT(message_id), BIND_TEXT(digest_states[STORE_DIGEST_SENDING])), err) < 0)
		goto bad;
	return store_commit(st, err);
bad:
	store_rollback(st);
	return -1;
}

int
store_digest_done(struct store *st, const char *day, bool sent, time_t now,
    const char *error, char **err)
{
	enum store_digest_state from, to = sent ? STORE_DIGEST_SENT : STORE_DIGEST_FAILED;

	if (store_begin(st, err) < 0)
		return -1;
	if (digest_state(st, day, &from, err) < 0)
		goto bad;
	if (!store_digest_may(from, to))
		return store_commit(st, err);
	if (run(st, "UPDATE digests SET state = ?1, sent_at = CASE WHEN ?2 THEN ?3 ELSE sent_at END,"
	    " error = ?4 WHERE day = ?5", BINDS(BIND_TEXT(digest_states[to]), BIND_INT(sent),
	    BIND_INT(now), BIND_TEXT(error), BIND_TEXT(day)), err) < 0)
		goto bad;
	if (sent && run(st, "INSERT OR IGNORE INTO digests_sent (message_id, day, sent_at)"
	    " SELECT message_id, day, ? FROM digests WHERE day = ?",
	    BINDS(BIND_INT(now), BIND_TEXT(day)), err) < 0)
		goto bad;
	return store_commit(st, err);
bad:
	store_rollback(st);
	return -1;
}

int
store_digest_was_sent(struct store *st, const char *message_id, char **err)
{
	return exists(st, "SELECT 1 FROM digests_sent WHERE message_id = ?", message_id, err);
}

int
store_digest_latest(struct store *st, const char *before, char day[16],
    struct store_digest *out, char **err)
{
	sqlite3_stmt *s = query(st,
	    "SELECT day FROM digests WHERE day < ? ORDER BY day DESC LIMIT 1",
	    BINDS(BIND_TEXT(before != NULL ? before : "9999-99-99")), err);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(day, 16, "%s", (const char *)sqlite3_column_text(s, 0));
	if ((rc = lookup_done(st, s, rc, err)) != 0)
		return rc;
	return store_digest_get(st, day, out, err);
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
	rc = run(st, "INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)",
	    BINDS(BIND_TEXT(name), BIND_BLOB(fresh, len)), err);
	explicit_bzero(fresh, sizeof fresh);
	if (rc < 0 || (s = query(st, "SELECT value FROM secrets WHERE name = ?",
	    BINDS(BIND_TEXT(name)), err)) == NULL)
		return -1;
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

/* ---- invites --------------------------------------------------------------- */

/* Calls fn for each row of sql (uid, contact, sequence, method, due,
 * state[, message]). */
static int
invite_rows(struct store *st, const char *sql, int (*fn)(const struct store_invite *, void *),
    void *arg, char **err)
{
	sqlite3_stmt *s = query(st, sql, NO_BINDS, err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_invite inv;

		inv.uid = (const char *)sqlite3_column_text(s, 0);
		inv.contact = (const char *)sqlite3_column_text(s, 1);
		inv.sequence = sqlite3_column_int(s, 2);
		inv.method = invite_method_of(sqlite3_column_text(s, 3));
		inv.due = (const char *)sqlite3_column_text(s, 4);
		inv.state = invite_state_of(sqlite3_column_text(s, 5));
		inv.message = sqlite3_column_count(s) > 6 ?
		    (const char *)sqlite3_column_text(s, 6) : NULL;
		if (fn(&inv, arg) < 0)
			break;
	}
	return rows_done(st, s, rc, err);
}

int
store_invites_each(struct store *st, int (*fn)(const struct store_invite *, void *),
    void *arg, char **err)
{
	return invite_rows(st,
	    "SELECT uid, contact, sequence, method, due, state FROM invites ORDER BY uid",
	    fn, arg, err);
}

int
store_invites_pending(struct store *st, int (*fn)(const struct store_invite *, void *),
    void *arg, char **err)
{
	return invite_rows(st,
	    "SELECT uid, contact, sequence, method, due, state, message FROM invites"
	    " WHERE state = 'pending' ORDER BY updated_at, uid", fn, arg, err);
}

/* The state and sequence of uid's invite (STORE_INVITE_NONE when none). */
static int
invite_state(struct store *st, const char *uid, enum store_invite_state *state,
    int *sequence, char **err)
{
	sqlite3_stmt *s = query(st, "SELECT state, sequence FROM invites WHERE uid = ?",
	    BINDS(BIND_TEXT(uid)), err);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	*state = rc == SQLITE_ROW ? invite_state_of(sqlite3_column_text(s, 0)) :
	    STORE_INVITE_NONE;
	*sequence = rc == SQLITE_ROW ? sqlite3_column_int(s, 1) : -1;
	return rows_done(st, s, rc, err);
}

int
store_invite_put(struct store *st, const struct store_invite *inv, const char *message_id,
    time_t now, char **err)
{
	enum store_invite_state from;
	int sequence;

	if (store_begin(st, err) < 0)
		return -1;
	if (invite_state(st, inv->uid, &from, &sequence, err) < 0)
		goto bad;
	if (!store_invite_may(from, inv->state)) {
		*err = xasprintf("state: the invite %s is %s: it cannot become %s", inv->uid,
		    invite_states[from], invite_states[inv->state]);
		goto bad;
	}
	if (run(st, "INSERT OR REPLACE INTO invites (uid, contact, sequence, method, due, state,"
	    " message_id, updated_at, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    BINDS(BIND_TEXT(inv->uid), BIND_TEXT(inv->contact), BIND_INT(inv->sequence),
	    BIND_TEXT(invite_methods[inv->method]), BIND_TEXT(inv->due),
	    BIND_TEXT(invite_states[inv->state]), BIND_TEXT(message_id), BIND_INT(now),
	    BIND_TEXT(inv->message)), err) < 0)
		goto bad;
	return store_commit(st, err);
bad:
	store_rollback(st);
	return -1;
}

/* A pending invite's end: sent or failed; its message is dropped. */
static int
invite_end(struct store *st, const char *uid, int sequence, time_t now,
    enum store_invite_state to, char **err)
{
	enum store_invite_state from;
	int known;

	if (store_begin(st, err) < 0)
		return -1;
	if (invite_state(st, uid, &from, &known, err) < 0)
		goto bad;
	if (known == sequence && store_invite_may(from, to) &&
	    run(st, "UPDATE invites SET state = ?, message = NULL, updated_at = ? WHERE uid = ?",
	    BINDS(BIND_TEXT(invite_states[to]), BIND_INT(now), BIND_TEXT(uid)), err) < 0)
		goto bad;
	return store_commit(st, err);
bad:
	store_rollback(st);
	return -1;
}

int
store_invite_failed(struct store *st, const char *uid, int sequence, time_t now, char **err)
{
	return invite_end(st, uid, sequence, now, STORE_INVITE_FAILED, err);
}

int
store_invite_sent(struct store *st, const char *uid, int sequence, time_t now, char **err)
{
	return invite_end(st, uid, sequence, now, STORE_INVITE_SENT, err);
}

/* ---- replies to the digest ------------------------------------------------- */

int
store_reply_pending_add(struct store *st, const char *message_id, const char *account,
    const char *folder, uint32_t uid, time_t at, char **err)
{
	return run(st,
	    "INSERT OR IGNORE INTO reply_pending (message_id, account, folder, uid, at)"
	    " SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS"
	    " (SELECT 1 FROM replies WHERE message_id = ?1)", BINDS(BIND_TEXT(message_id),
	    BIND_TEXT(account), BIND_TEXT(folder), BIND_INT(uid), BIND_INT(at)), err);
}

int
store_reply_pending_each(struct store *st, const char *account, const char *folder,
    int (*fn)(const char *message_id, uint32_t uid, time_t at, int attempts, void *arg),
    void *arg, char **err)
{
	sqlite3_stmt *s = query(st,
	    "SELECT message_id, uid, at, attempts FROM reply_pending WHERE account = ? AND"
	    " folder = ? ORDER BY uid", BINDS(BIND_TEXT(account), BIND_TEXT(folder)), err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn((const char *)sqlite3_column_text(s, 0), (uint32_t)sqlite3_column_int64(s, 1),
		    (time_t)sqlite3_column_int64(s, 2), sqlite3_column_int(s, 3), arg) < 0)
			break;
	return rows_done(st, s, rc, err);
}

int
store_reply_done(struct store *st, const char *message_id, time_t now, char **err)
{
	if (run(st, "INSERT OR IGNORE INTO replies (message_id, applied_at) VALUES (?, ?)",
	    BINDS(BIND_TEXT(message_id), BIND_INT(now)), err) < 0)
		return -1;
	return store_reply_drop(st, message_id, err);
}

int
store_reply_drop(struct store *st, const char *message_id, char **err)
{
	return run(st, "DELETE FROM reply_pending WHERE message_id = ?",
	    BINDS(BIND_TEXT(message_id)), err);
}

int
store_reply_pending_reset(struct store *st, const char *account, const char *folder,
    char **err)
{
	return run(st, "DELETE FROM reply_pending WHERE account = ? AND folder = ?",
	    BINDS(BIND_TEXT(account), BIND_TEXT(folder)), err);
}

int
store_reply_failed(struct store *st, const char *message_id, char **err)
{
	return run(st, "UPDATE reply_pending SET attempts = attempts + 1 WHERE message_id = ?",
	    BINDS(BIND_TEXT(message_id)), err);
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
	return run(st,
	    "INSERT INTO reply_lines (message_id, at, line, applied, what) VALUES (?, ?, ?, ?, ?)",
	    BINDS(BIND_TEXT(message_id), BIND_INT(at), BIND_TEXT(line), BIND_INT(applied),
	    BIND_TEXT(what)), err);
}

int
store_reply_lines_each(struct store *st,
    int (*fn)(long id, const char *line, bool applied, const char *what, void *arg),
    void *arg, char **err)
{
	sqlite3_stmt *s = query(st,
	    "SELECT id, line, applied, what FROM reply_lines WHERE digest IS NULL ORDER BY id",
	    NO_BINDS, err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn((long)sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
		    sqlite3_column_int(s, 2) != 0, (const char *)sqlite3_column_text(s, 3), arg) < 0)
			break;
	return rows_done(st, s, rc, err);
}

int
store_reply_lines_reported(struct store *st, const char *day, long upto, char **err)
{
	return run(st, "UPDATE reply_lines SET digest = ? WHERE digest IS NULL AND id <= ?",
	    BINDS(BIND_TEXT(day), BIND_INT(upto)), err);
}

/* ---- check-backs ----------------------------------------------------------- */

int
store_checkback_add(struct store *st, const char *key, const char *address,
    const char *name, time_t created, int due, const char *reason, bool *added, char **err)
{
	st->open_checkbacks = 1;
	if (run(st, "INSERT OR IGNORE INTO checkbacks (key, address, created_at, due, reason, name)"
	    " VALUES (?, ?, ?, ?, ?, ?)", BINDS(BIND_TEXT(key), BIND_TEXT(address),
	    BIND_INT(created), BIND_INT(due), BIND_TEXT(reason != NULL ? reason : ""),
	    BIND_TEXT(name != NULL ? name : "")), err) < 0)
		return -1;
	*added = sqlite3_changes(st->db) > 0;
	return 0;
}

int
store_checkbacks_resolve(struct store *st, const char *address, time_t at,
    const char *key, char **err)
{
	/* Every recipient of every message asks: most mailboxes have no open
	 * check-back at all, and then no statement runs but, outside a
	 * transaction, PRAGMA data_version: another process (followupd sync
	 * in a shell while the daemon runs) may have opened one since. Inside
	 * one, store_begin has looked already and nobody else can write. */
	if (st->open_checkbacks >= 0 && st->depth == 0 && cb_stale(st, err) < 0)
		return -1;
	if (st->open_checkbacks < 0) {
		long long v;
		sqlite3_int64 open;

		if (store_data_version(st, &v, err) < 0)
			return -1;
		st->cb_version = v;
		if (one_int64(st, "SELECT EXISTS (SELECT 1 FROM checkbacks WHERE resolved_at IS NULL)",
		    &open, err) < 0)
			return -1;
		st->open_checkbacks = open != 0;
	}
	if (st->open_checkbacks == 0)
		return 0;
	if (st->resolve_checkbacks == NULL && (st->resolve_checkbacks = query(st,
	    "UPDATE checkbacks SET resolved_at = ?1 WHERE address = ?2 AND resolved_at IS NULL"
	    " AND created_at < ?1 AND key != ?3", NO_BINDS, err)) == NULL)
		return -1;
	return run_kept(st, st->resolve_checkbacks, BINDS(BIND_INT(at), BIND_TEXT(address),
	    BIND_TEXT(key != NULL ? key : "")), err);
}

int
store_checkbacks_open(struct store *st,
    int (*fn)(const char *address, const char *name, int due, const char *reason,
    time_t created, void *arg),
    void *arg, char **err)
{
	sqlite3_stmt *s = query(st,
	    "SELECT address, due, reason, created_at, name FROM checkbacks"
	    " WHERE resolved_at IS NULL ORDER BY due, address", NO_BINDS, err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn((const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 4), sqlite3_column_int(s, 1),
		    (const char *)sqlite3_column_text(s, 2), (time_t)sqlite3_column_int64(s, 3),
		    arg) < 0)
			break;
	return rows_done(st, s, rc, err);
}

/* ---- meetings ---------------------------------------------------------------- */

int
store_calobj_each(struct store *st, const char *source,
    int (*fn)(const struct store_calobj *, void *), void *arg, char **err)
{
	sqlite3_stmt *s = query(st, "SELECT href, etag, data FROM cal_objects WHERE source = ?1"
	    " ORDER BY href", BINDS(BIND_TEXT(source)), err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_calobj o = {
			(const char *)sqlite3_column_text(s, 0),
			(const char *)sqlite3_column_text(s, 1),
			sqlite3_column_blob(s, 2), (size_t)sqlite3_column_bytes(s, 2),
		};

		if (o.data == NULL)
			o.data = "";
		if (fn(&o, arg) < 0)
			break;
	}
	return rows_done(st, s, rc, err);
}

int
store_calobj_put(struct store *st, const char *source, const struct store_calobj *o,
    char **err)
{
	return run(st, "INSERT OR REPLACE INTO cal_objects (source, href, etag, data)"
	    " VALUES (?1, ?2, ?3, ?4)", BINDS(BIND_TEXT(source), BIND_TEXT(o->href),
	    BIND_TEXT(o->etag ? o->etag : ""), BIND_BLOB(o->data, o->len)), err);
}

int
store_calobj_drop(struct store *st, const char *source, const char *href, char **err)
{
	return run(st, "DELETE FROM cal_objects WHERE source = ?1 AND href = ?2",
	    BINDS(BIND_TEXT(source), BIND_TEXT(href)), err);
}

int
store_meetings_clear(struct store *st, const char *source, time_t from, char **err)
{
	if (run(st, "DELETE FROM meeting_people WHERE meeting IN"
	    " (SELECT id FROM meetings WHERE source = ?1 AND end_at > ?2)",
	    BINDS(BIND_TEXT(source), BIND_INT(from)), err) < 0)
		return -1;
	return run(st, "DELETE FROM meetings WHERE source = ?1 AND end_at > ?2",
	    BINDS(BIND_TEXT(source), BIND_INT(from)), err);
}

int
store_calsource_forget(struct store *st, const char *source, char **err)
{
	if (store_meetings_clear(st, source, INT64_MIN, err) < 0 ||
	    run(st, "DELETE FROM cal_objects WHERE source = ?1", BINDS(BIND_TEXT(source)),
	    err) < 0)
		return -1;
	return run(st, "DELETE FROM cal_sources WHERE source = ?1", BINDS(BIND_TEXT(source)),
	    err);
}

int
store_meeting_add(struct store *st, const char *source, const struct store_meeting *m,
    const struct store_person *people, size_t n, char **err)
{
	sqlite3_int64 id;

	/* An occurrence kept from an earlier read (it ended before the
	 * window) is replaced with its people. */
	if (run(st, "DELETE FROM meeting_people WHERE meeting IN (SELECT id FROM meetings"
	    " WHERE source = ?1 AND uid = ?2 AND recur = ?3)",
	    BINDS(BIND_TEXT(source), BIND_TEXT(m->uid), BIND_TEXT(m->recur)), err) < 0 ||
	    run(st, "INSERT OR REPLACE INTO meetings (source, uid, recur, href, start_at, end_at, title)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", BINDS(BIND_TEXT(source), BIND_TEXT(m->uid),
	    BIND_TEXT(m->recur), BIND_TEXT(m->href), BIND_INT(m->start), BIND_INT(m->end),
	    BIND_TEXT(m->title)), err) < 0)
		return -1;
	id = sqlite3_last_insert_rowid(st->db);
	for (size_t i = 0; i < n; i++)
		if (run(st, "INSERT OR IGNORE INTO meeting_people (meeting, address, name)"
		    " VALUES (?1, ?2, ?3)", BINDS(BIND_INT(id), BIND_TEXT(people[i].address),
		    BIND_TEXT(people[i].name)), err) < 0)
			return -1;
	return 0;
}

int
store_each_met(struct store *st, time_t before,
    void (*fn)(void *arg, const char *address, time_t end), void *arg, char **err)
{
	sqlite3_stmt *s = query(st, "SELECT p.address, max(m.end_at) FROM meeting_people p"
	    " JOIN meetings m ON m.id = p.meeting WHERE m.end_at <= ?1 GROUP BY p.address",
	    BINDS(BIND_INT(before)), err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(s, 0), (time_t)sqlite3_column_int64(s, 1));
	return rows_done(st, s, rc, err);
}

int
store_meetings_each(struct store *st, time_t from, time_t to,
    int (*fn)(const struct store_meeting *m, const struct store_person *p, void *arg),
    void *arg, char **err)
{
	/* One row per (uid, recur, address): the same invitation read from
	 * two calendars is one meeting. */
	sqlite3_stmt *s = query(st, "SELECT m.uid, m.recur, min(m.href), min(m.title),"
	    " min(m.start_at), min(m.end_at), p.address, max(p.name) FROM meetings m"
	    " JOIN meeting_people p ON p.meeting = m.id WHERE m.end_at > ?1 AND m.start_at < ?2"
	    " GROUP BY m.uid, m.recur, p.address ORDER BY 5, 1, 2, 7",
	    BINDS(BIND_INT(from), BIND_INT(to)), err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_meeting m = {
			(const char *)sqlite3_column_text(s, 0),
			(const char *)sqlite3_column_text(s, 1),
			(const char *)sqlite3_column_text(s, 2),
			(const char *)sqlite3_column_text(s, 3),
			(time_t)sqlite3_column_int64(s, 4), (time_t)sqlite3_column_int64(s, 5),
		};
		struct store_person p = {
			(const char *)sqlite3_column_text(s, 6),
			(const char *)sqlite3_column_text(s, 7),
		};

		if (fn(&m, &p, arg) < 0)
			break;
	}
	return rows_done(st, s, rc, err);
}

int
store_calsource_set(struct store *st, const char *source, time_t tried, bool ok,
    const char *error, char **err)
{
	return run(st, "INSERT INTO cal_sources (source, tried_at, refreshed_at, error)"
	    " VALUES (?1, ?2, CASE WHEN ?3 THEN ?2 END, ?4) ON CONFLICT (source) DO UPDATE"
	    " SET tried_at = ?2, refreshed_at = CASE WHEN ?3 THEN ?2 ELSE refreshed_at END,"
	    " error = ?4", BINDS(BIND_TEXT(source), BIND_INT(tried), BIND_INT(ok),
	    BIND_TEXT(ok ? NULL : error)), err);
}

int
store_calsources_each(struct store *st,
    int (*fn)(const struct store_calsource *, void *), void *arg, char **err)
{
	sqlite3_stmt *s = query(st, "SELECT c.source, c.tried_at, c.refreshed_at, c.error,"
	    " (SELECT count(*) FROM cal_objects o WHERE o.source = c.source),"
	    " (SELECT count(*) FROM meetings m WHERE m.source = c.source)"
	    " FROM cal_sources c ORDER BY c.source", NO_BINDS, err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_calsource c = {
			(const char *)sqlite3_column_text(s, 0),
			(time_t)sqlite3_column_int64(s, 1), (time_t)sqlite3_column_int64(s, 2),
			(const char *)sqlite3_column_text(s, 3),
			(long)sqlite3_column_int64(s, 4), (long)sqlite3_column_int64(s, 5),
		};

		if (fn(&c, arg) < 0)
			break;
	}
	return rows_done(st, s, rc, err);
}

/* ---- the inbox ---------------------------------------------------------------- */

int
store_received_add(struct store *st, const char *key, const char *address, time_t at,
    const char *subject, const char *account, bool *added, char **err)
{
	if (run(st, "INSERT OR IGNORE INTO received (key, address, at, subject, account)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)", BINDS(BIND_TEXT(key), BIND_TEXT(address),
	    BIND_INT(at), BIND_TEXT(subject), BIND_TEXT(account ? account : "")), err) < 0)
		return -1;
	*added = sqlite3_changes(st->db) > 0;
	return 0;
}

static int
each_msg(struct store *st, const char *sql, time_t before, store_msg_fn fn, void *arg,
    char **err)
{
	sqlite3_stmt *s = query(st, sql, BINDS(BIND_INT(before)), err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(s, 0), (time_t)sqlite3_column_int64(s, 1),
		    (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3));
	return rows_done(st, s, rc, err);
}

int
store_each_received(struct store *st, time_t before, store_msg_fn fn, void *arg, char **err)
{
	/* SQLite gives the other columns of the row with the max. */
	return each_msg(st, "SELECT address, max(at), key, subject FROM received"
	    " WHERE at < ?1 GROUP BY address", before, fn, arg, err);
}

int
store_each_sent(struct store *st, time_t before, store_msg_fn fn, void *arg, char **err)
{
	return each_msg(st, "SELECT address, max(at), key, subject FROM touches"
	    " WHERE at < ?1 AND via = 'email' AND source = 'imap' AND address != ''"
	    " GROUP BY address", before, fn, arg, err);
}

int
store_checkbacks_answer(struct store *st, const char *address, time_t at, char **err)
{
	if (run(st, "UPDATE checkbacks SET resolved_at = ?1, answered_at = ?1"
	    " WHERE address = ?2 AND resolved_at IS NULL AND created_at < ?1",
	    BINDS(BIND_INT(at), BIND_TEXT(address)), err) < 0)
		return -1;
	return sqlite3_changes(st->db);
}

int
store_checkbacks_answered(struct store *st, time_t since, time_t until,
    int (*fn)(const char *address, const char *name, const char *reason, time_t answered,
    void *arg),
    void *arg, char **err)
{
	sqlite3_stmt *s = query(st, "SELECT address, name, reason, answered_at FROM checkbacks"
	    " WHERE answered_at > ?1 AND answered_at <= ?2 ORDER BY answered_at, address",
	    BINDS(BIND_INT(since), BIND_INT(until)), err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn((const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
		    (const char *)sqlite3_column_text(s, 2), (time_t)sqlite3_column_int64(s, 3),
		    arg) < 0)
			break;
	return rows_done(st, s, rc, err);
}

/* ---- correspondents -------------------------------------------------------- */

int
store_correspondent_add(struct store *st, const char *account, const char *folder,
    const char *address, long count, time_t first, time_t last, char **err)
{
	if (st->add_correspondent == NULL && (st->add_correspondent = query(st,
	    "INSERT INTO correspondents (account, folder, address, count, first, last)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (account, folder, address) DO UPDATE"
	    " SET count = count + ?4, first = min(first, ?5), last = max(last, ?6)", NO_BINDS,
	    err)) == NULL)
		return -1;
	return run_kept(st, st->add_correspondent, BINDS(BIND_TEXT(account), BIND_TEXT(folder),
	    BIND_TEXT(address), BIND_INT(count), BIND_INT(first), BIND_INT(last)), err);
}

int
store_correspondents_reset(struct store *st, const char *account, const char *folder,
    char **err)
{
	return run(st, "DELETE FROM correspondents WHERE account = ? AND folder = ?",
	    BINDS(BIND_TEXT(account), BIND_TEXT(folder)), err);
}

int
store_correspondents_each(struct store *st, time_t since,
    int (*fn)(const char *address, long count, time_t first, time_t last, void *arg),
    void *arg, char **err)
{
	sqlite3_stmt *s = query(st,
	    "SELECT address, sum(count), min(first), max(last) FROM correspondents"
	    " GROUP BY address HAVING max(last) >= ? ORDER BY 2 DESC, 4 DESC",
	    BINDS(BIND_INT(since)), err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn((const char *)sqlite3_column_text(s, 0), (long)sqlite3_column_int64(s, 1),
		    (time_t)sqlite3_column_int64(s, 2), (time_t)sqlite3_column_int64(s, 3), arg) < 0)
			break;
	return rows_done(st, s, rc, err);
}
