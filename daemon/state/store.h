/* store: followupd's state in SQLite (state_dir/followupd.db, WAL, schema
 * versioned). Every change is one transaction; a touch, a reply and a digest
 * are keyed so that the same one is never recorded twice. */
#ifndef FOLLOWUPD_STORE_H
#define FOLLOWUPD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "followup.h"

struct store;

#define STORE_SCHEMA_VERSION 6

struct store_touch {
	const char *key;           /* Message-ID, header hash, or a command's key */
	const char *address;       /* normalised recipient, or NULL */
	const char *contact;       /* contact id for touches not tied to an address */
	time_t at;
	enum via via;
	const char *source;        /* "imap", "log", "reply" */
	const char *account;       /* IMAP account, or NULL */
	const char *note;          /* or NULL */
	const char *subject;       /* a sent message's, for "No reply yet"; or NULL */
};

struct store_stats {
	long touches;
	time_t last_touch;         /* 0 when none */
	long contacts_seen;
	long folders;
	time_t last_sync;          /* 0 when never */
	char last_digest[16];      /* "YYYY-MM-DD" or "" */
	int schema;
};

/* Opens (creating dir 0700 and the database 0600 when missing) and migrates
 * the schema. Returns NULL with *err allocated on failure. */
struct store *store_open(const char *dir, char **err);
/* Opens a database file directly (tests use ":memory:" or a temp file). */
struct store *store_open_file(const char *path, char **err);
void store_close(struct store *st);
/* A number that changes when another connection (another followupd
 * process) commits a change to the database, and not on this one's own:
 * PRAGMA data_version. */
int store_data_version(struct store *st, long long *v, char **err);
int store_schema_version(struct store *st);

/* Batches several changes into one transaction. */
int store_begin(struct store *st, char **err);
int store_commit(struct store *st, char **err);
void store_rollback(struct store *st);

/* Records a touch unless the same key already recorded it for the same
 * address/contact; *added says which. 0 or -1. */
int store_add_touch(struct store *st, const struct store_touch *t, bool *added,
    char **err);
/* Calls fn once per (address or contact, channel) with the newest touch
 * before the instant before. */
int store_each_latest(struct store *st, time_t before,
    void (*fn)(void *arg, const char *address, const char *contact,
        enum via via, time_t at),
    void *arg, char **err);
/* Records first_seen = today for every id not seen before. */
int store_note_contacts(struct store *st, const char *const *ids, size_t n,
    int today, char **err);
/* Calls fn for every contact the store has state for. */
int store_each_state(struct store *st,
    void (*fn)(void *arg, const char *id, const struct fu_state *s),
    void *arg, char **err);
/* Snoozes or pauses a contact; today is its first_seen if it is new. */
int store_set_snooze(struct store *st, const char *id, int until, int today,
    char **err);
int store_set_pause(struct store *st, const char *id, enum pause_mode mode,
    int until, int today, char **err);
int store_add_note(struct store *st, const char *id, time_t at, const char *text,
    char **err);
/* The newest note on a contact: 0 with *text (allocated) and *at, 1 when
 * it has none, -1 on error. */
int store_note_latest(struct store *st, const char *id, char **text, time_t *at,
    char **err);
/* The UIDVALIDITY and last UID scanned of a folder: 0, 1 when the folder
 * was never scanned, -1 on error. */
int store_folder_get(struct store *st, const char *account, const char *folder,
    uint32_t *uidvalidity, uint32_t *last_uid, char **err);
int store_folder_set(struct store *st, const char *account, const char *folder,
    uint32_t uidvalidity, uint32_t last_uid, time_t now, char **err);
/* Makes the next sync read every folder from its first message again
 * (touches already recorded are not recorded twice). */
int store_folders_rescan(struct store *st, char **err);
/* The digest of a day ("YYYY-MM-DD"): sending from just before the SMTP
 * transaction until the server's answer is recorded, then sent or failed. */
enum store_digest_state {
	STORE_DIGEST_NONE,         /* no digest of that day yet */
	STORE_DIGEST_SENDING,      /* a crash here resends the same Message-ID */
	STORE_DIGEST_SENT,
	STORE_DIGEST_FAILED,
};
/* May a day's digest go from one state to the other? To sending from any
 * (the first try, a retry, a --force, a resend after a crash); to sent or
 * failed from sending only. Pure. */
bool store_digest_may(enum store_digest_state from, enum store_digest_state to);
struct store_digest {
	char message_id[256];
	enum store_digest_state state;
	int attempts;
	time_t sent_at;            /* 0 when not sent */
	char error[512];
	bool ever_sent;            /* a digest of that day went out, this one
	                            * or one that a later --force replaced */
};
/* 0, 1 when there is none for that day, -1 on error. */
int store_digest_get(struct store *st, const char *day, struct store_digest *out,
    char **err);
/* Marks the day's digest sending, with the Message-ID it goes out with. */
int store_digest_sending(struct store *st, const char *day, const char *message_id,
    char **err);
/* The newest digest before day before (NULL: of all), its day in day. */
int store_digest_latest(struct store *st, const char *before, char day[16],
    struct store_digest *out, char **err);
/* Records the answer; a digest that was sent also joins the Message-IDs
 * of every digest ever sent, kept when a later --force replaces the day's.
 * Nothing changes unless the digest is sending (another followupd may
 * have recorded its answer first). */
int store_digest_done(struct store *st, const char *day, bool sent, time_t now,
    const char *error, char **err);
/* Did a digest with this Message-ID ("<...>") go out? 1, 0, or -1. */
int store_digest_was_sent(struct store *st, const char *message_id, char **err);
/* The installation's secret called name (len bytes, at most 64): made from
 * the system's random source the first time, the same ever after. 0 or -1. */
int store_secret(struct store *st, const char *name, unsigned char *out, size_t len,
    char **err);
/* An invite's state: its last message from planned to answered, then
 * closed when its date has passed. */
enum store_invite_state {
	STORE_INVITE_NONE,         /* not recorded */
	STORE_INVITE_PENDING,      /* not yet accepted by the server */
	STORE_INVITE_SENT,
	STORE_INVITE_FAILED,       /* refused (a 5xx): not sent again */
	STORE_INVITE_CLOSED,       /* its date passed: nothing more is sent */
};
/* May an invite go from one state to the other? To pending from any (a
 * new invite, or the next SEQUENCE of one: moved, cancelled, or due again
 * after it was closed); to sent or failed from pending only; to closed
 * from a recorded one that is not closed. Pure. */
bool store_invite_may(enum store_invite_state from, enum store_invite_state to);
enum store_invite_method {
	STORE_INVITE_REQUEST,
	STORE_INVITE_CANCEL,
};
/* An invite as the state keeps it. */
struct store_invite {
	const char *uid;
	const char *contact;
	int sequence;
	enum store_invite_method method;   /* of the last message planned */
	const char *due;           /* YYYY-MM-DD */
	enum store_invite_state state;
	const char *message;       /* the whole message while pending, else NULL */
};
/* Every invite, by uid; fn returns -1 to stop. */
int store_invites_each(struct store *st, int (*fn)(const struct store_invite *, void *),
    void *arg, char **err);
/* Records an invite (replacing what was known of its uid); -1 when its
 * state may not follow the one recorded. */
int store_invite_put(struct store *st, const struct store_invite *inv,
    const char *message_id, time_t now, char **err);
/* The pending invites, oldest first, with their messages. */
int store_invites_pending(struct store *st, int (*fn)(const struct store_invite *, void *),
    void *arg, char **err);
/* Marks uid's invite of that sequence as refused by the server (a 5xx):
 * not sent again. Like store_invite_sent, nothing changes unless that
 * sequence is pending (another followupd may have recorded it first, or a
 * newer sequence replaced it). */
int store_invite_failed(struct store *st, const char *uid, int sequence, time_t now,
    char **err);
/* Marks uid's invite of that sequence as accepted by the server. */
int store_invite_sent(struct store *st, const char *uid, int sequence, time_t now,
    char **err);
int store_stats(struct store *st, struct store_stats *out, char **err);

/* Replies to the digest: seen by sync (pending: its body is still to be
 * read), then applied once per Message-ID. */
int store_reply_pending_add(struct store *st, const char *message_id, const char *account,
    const char *folder, uint32_t uid, time_t at, char **err);
int store_reply_pending_each(struct store *st, const char *account, const char *folder,
    int (*fn)(const char *message_id, uint32_t uid, time_t at, int attempts, void *arg),
    void *arg, char **err);
/* Counts an attempt to read a pending reply (sync counts it before the
 * try, so that a try that crashes counts too). */
int store_reply_failed(struct store *st, const char *message_id, char **err);
/* Records the reply as applied and no longer pending. */
int store_reply_done(struct store *st, const char *message_id, time_t now, char **err);
/* Forgets a pending reply (its message is gone). */
int store_reply_drop(struct store *st, const char *message_id, char **err);
/* 1 when the reply was applied already, 0 when not, -1 on error. */
int store_reply_seen(struct store *st, const char *message_id, char **err);
/* A line of a reply, applied or not, with what was done or why not. */
int store_reply_line_add(struct store *st, const char *message_id, time_t at,
    const char *line, bool applied, const char *what, char **err);
/* The lines no digest has reported yet, in order. */
int store_reply_lines_each(struct store *st,
    int (*fn)(long id, const char *line, bool applied, const char *what, void *arg),
    void *arg, char **err);
/* Marks those up to id upto reported by the digest of day. */
int store_reply_lines_reported(struct store *st, const char *day, long upto, char **err);
/* Forgets a folder's pending replies (it is read again from the start). */
int store_reply_pending_reset(struct store *st, const char *account, const char *folder,
    char **err);

/* Check-backs: one per (message key, address), with the address's display
 * name in that message ("" when none); open until a later message to the
 * address (not the same one) or a "done". */
int store_checkback_add(struct store *st, const char *key, const char *address,
    const char *name, time_t created, int due, const char *reason, bool *added, char **err);
int store_checkbacks_resolve(struct store *st, const char *address, time_t at,
    const char *key, char **err);
int store_checkbacks_open(struct store *st,
    int (*fn)(const char *address, const char *name, int due, const char *reason,
    time_t created, void *arg),
    void *arg, char **err);

/* Received mail (the inbox): one row per (message, sender), kept only
 * for senders that matter (contacts, people checked back on). Never a
 * touch. */
int store_received_add(struct store *st, const char *key, const char *address,
    time_t at, const char *subject, const char *account, bool *added, char **err);
/* A message, newest per address, dated before before: received ones
 * (store_each_received) or sent ones by e-mail (store_each_sent, from the
 * touches). Its key is the Message-ID (or a header hash), subject NULL
 * when unknown. */
typedef void (*store_msg_fn)(void *arg, const char *address, time_t at, const char *key,
    const char *subject);
int store_each_received(struct store *st, time_t before, store_msg_fn fn, void *arg,
    char **err);
int store_each_sent(struct store *st, time_t before, store_msg_fn fn, void *arg,
    char **err);
/* Ends the open check-backs on address made before at: answered at at.
 * How many it ended, or -1. */
int store_checkbacks_answer(struct store *st, const char *address, time_t at, char **err);
/* The check-backs answered in (since, until], oldest answer first. */
int store_checkbacks_answered(struct store *st, time_t since, time_t until,
    int (*fn)(const char *address, const char *name, const char *reason, time_t answered,
    void *arg),
    void *arg, char **err);

/* People written to who are not contacts, per folder: how many messages,
 * the first and the last. add adds to what is known; reset forgets a
 * folder's (before it is read again from the start). */
int store_correspondent_add(struct store *st, const char *account, const char *folder,
    const char *address, long count, time_t first, time_t last, char **err);
int store_correspondents_reset(struct store *st, const char *account, const char *folder,
    char **err);
/* Per address, for those written to since since: how many messages in
 * all, the first and the last; most written to first. */
int store_correspondents_each(struct store *st, time_t since,
    int (*fn)(const char *address, long count, time_t first, time_t last, void *arg),
    void *arg, char **err);

/* ---- meetings read from calendars ([meetings] sources) ----------------
 * A source's calendar objects (an href, its ETag and its iCalendar text)
 * are kept, so that a refresh fetches only what changed and re-reads the
 * rest as its window moves; the meetings are what the last read made of
 * them: one row per occurrence (source, UID, RECURRENCE-ID), with the
 * people who took part (not the user, not those who declined). */
struct store_calobj {
	const char *href;
	const char *etag;          /* "" when none */
	const char *data;          /* the iCalendar text */
	size_t len;
};
/* Every object of source, in href order; fn returns -1 to stop. */
int store_calobj_each(struct store *st, const char *source,
    int (*fn)(const struct store_calobj *, void *), void *arg, char **err);
int store_calobj_put(struct store *st, const char *source, const struct store_calobj *o,
    char **err);
int store_calobj_drop(struct store *st, const char *source, const char *href, char **err);
/* Forgets source's meetings that end after from (a read of the window
 * [from, ...) puts back those still there); those that ended before stay. */
int store_meetings_clear(struct store *st, const char *source, time_t from, char **err);
/* Forgets everything of a source (no longer configured). */
int store_calsource_forget(struct store *st, const char *source, char **err);
struct store_meeting {
	const char *uid, *recur;   /* recur "" for a single event */
	const char *href;          /* the object it came from */
	const char *title;
	time_t start, end;
};
struct store_person {
	const char *address;       /* lowercased */
	const char *name;          /* "" when none */
};
int store_meeting_add(struct store *st, const char *source, const struct store_meeting *m,
    const struct store_person *people, size_t n, char **err);
/* The newest meeting per address among those that ended at or before
 * before. */
int store_each_met(struct store *st, time_t before,
    void (*fn)(void *arg, const char *address, time_t end), void *arg, char **err);
/* Each (meeting, person) of the meetings that overlap [from, to), in the
 * order of their start; an occurrence read from two sources is given
 * once. fn returns -1 to stop. */
int store_meetings_each(struct store *st, time_t from, time_t to,
    int (*fn)(const struct store_meeting *m, const struct store_person *p, void *arg),
    void *arg, char **err);
/* A source's last refresh: tried at tried; ok, or failed with error. */
int store_calsource_set(struct store *st, const char *source, time_t tried, bool ok,
    const char *error, char **err);
struct store_calsource {
	const char *source;
	time_t tried_at, refreshed_at;   /* 0 when never */
	const char *error;         /* of the last try, or NULL */
	long objects, meetings;
};
int store_calsources_each(struct store *st,
    int (*fn)(const struct store_calsource *, void *), void *arg, char **err);

#endif
