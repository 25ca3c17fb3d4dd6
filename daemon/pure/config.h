/* config: followupd.conf(5), read and validated into a struct config.
 * Every error is reported as "FILE:LINE: message", all of a file at once. */
#ifndef FOLLOWUPD_CONFIG_H
#define FOLLOWUPD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "addr.h"
#include "cadence.h"
#include "diag.h"
#include "hmap.h"
#include "via.h"

enum auth_mech { AUTH_AUTO, AUTH_PLAIN, AUTH_LOGIN, AUTH_OAUTH2 };
enum pause_mode { PAUSE_NO, PAUSE_YES, PAUSE_UNTIL };

/* A server and how to log in to it ([imap] and [smtp]). */
struct server {
	char *url;
	char *host;
	int port;
	bool implicit_tls;         /* imaps://, smtps:// (else STARTTLS) */
	bool tls_verify;           /* tls = verify (the default) */
	char *user;
	enum auth_mech auth;
	char *password_command;
	char *password_file;       /* as written; $CREDENTIALS_DIRECTORY expanded on use */
	char *password;            /* inline (only in a 0600 file) */
	char *token_command;       /* auth = oauth2 */
	char *ca_file;
	long timeout;              /* seconds for connecting and for each answer */
	int line;                  /* the section header */
};

#define SERVER_TIMEOUT 60          /* timeout's default */

struct imap_account {
	char *name;                /* "default" for [imap], else NAME of [imap:NAME] */
	struct server server;
	char *sent_folder;         /* NULL: auto */
	char *inbox;               /* the folder of received mail ("INBOX" by default
	                            * when a nudge or answer_within is set), or
	                            * NULL: not read (inbox = none) */
	bool inbox_set;            /* the key was given */
	long poll_interval;        /* seconds */
};

/* A calendar the meetings are read from ([meetings] or [meetings:NAME]). */
enum msrc_kind { MSRC_CALDAV, MSRC_ICS, MSRC_DIR };

struct meet_source {
	char *name;                /* "default" for [meetings], else NAME */
	enum msrc_kind kind;
	/* CALDAV and ICS: url (https://, webcal:// made https://), host, port,
	 * user (may be NULL for ICS: no login), the password or token sources,
	 * ca_file, tls_verify and timeout, as for [imap]. */
	struct server server;
	char *dir;                 /* DIR: a directory of .ics files */
	long refresh;              /* seconds between two reads */
};

#define MEET_REFRESH 900           /* refresh's default: 15m */

struct meeting_step {
	enum via via;
	long seconds;
};

struct group {
	char *name;
	int line;
	bool has_cadence;
	struct cadence cadence;
	char *cadence_text;
	char *reason;
	enum pause_mode paused;
	int paused_until;          /* a day, with PAUSE_UNTIL */
	bool paused_set;
	bool has_after_meeting;
	struct meeting_step after_meeting[VIA_COUNT];
	size_t nafter_meeting;
	long nudge, answer_within;     /* seconds; 0 off, -1 not set */
};

struct contact {
	char *id;                  /* from [contact:ID], lowercased */
	char *name;                /* defaults to id */
	char **emails;             /* addresses and "@domain" patterns */
	size_t nemails;
	const struct group *group;
	bool has_cadence;
	struct cadence cadence;
	const char *cadence_text;  /* as written (own or the group's) */
	const char *reason;
	int last;                  /* a day, or DAY_NONE */
	int bday_month, bday_day;  /* 0 when no birthday */
	int bday_year;             /* 0 when not given */
	bool has_met;
	int met_day, met_minute;   /* local */
	time_t met_at;             /* set by config_apply_zone() */
	/* What a meeting opens: the contact's own after_meeting, else its
	 * group's, else the global one (set by config_parse); none: 0 steps. */
	bool has_after_meeting;
	struct meeting_step after_meeting[VIA_COUNT];
	size_t nafter_meeting;
	/* "No reply yet" after this long without an answer to the newest
	 * message sent to them, and "Waiting on you" this long after the
	 * newest message from them: seconds, 0 when off (the contact's own,
	 * else its group's, else the global one). */
	long nudge, answer_within;
	int once_day;              /* DAY_NONE when none */
	char *once_text;
	enum pause_mode paused;
	int paused_until;
	int line;                  /* the section header */
	/* owned storage for what the const pointers above may point to */
	char *own_cadence_text;
	char *own_reason;
};

struct calendar_conf {
	char *file;
	bool listen;
	char *listen_host;
	int listen_port;
	char *token_file;
	char *tls_cert, *tls_key;
	struct span horizon;
	bool all_day;
	int event_minute;          /* when !all_day */
	long event_duration;       /* seconds, when !all_day */
	bool invites;
	bool has_block;
	int block_weekday;         /* 0 = Monday */
	int block_minute;
	long block_duration;
};

struct config {
	char *file;
	char *me_name;             /* may be NULL */
	char *me_addr;
	char *timezone;
	char *state_dir;
	bool digest_off;
	int digest_minute;         /* minutes after local midnight */
	char *digest_to;
	unsigned digest_days;      /* bit 0 = Monday ... bit 6 = Sunday */
	int digest_limit;
	bool send_empty_digest;
	struct span horizon;
	int max_recipients;
	struct meeting_step after_meeting[VIA_COUNT];
	size_t nafter_meeting;
	struct span card_lead;
	long nudge, answer_within;     /* seconds, 0 when off */
	struct imap_account *accounts;
	size_t naccounts;
	struct meet_source *meetings;
	size_t nmeetings;
	bool has_smtp;
	struct server smtp;
	struct calendar_conf calendar;
	struct group *groups;
	size_t ngroups;
	struct contact *contacts;
	size_t ncontacts;
	struct addr_index index;   /* address -> contact index */
	struct hmap by_id;         /* contact id -> index + 1 */
};

/* What the defaults and checks depend on outside the file. */
struct config_env {
	mode_t file_mode;          /* of the file, for the inline password rule */
	const char *system_zone;   /* default timezone */
	const char *state_directory;   /* $STATE_DIRECTORY */
	const char *xdg_state_home;
	const char *home;
};

/* Parses and validates text. Returns the configuration, or NULL when d got
 * an error (d->status says which exit status: EX_CONFIG or EX_NOPERM). */
struct config *config_parse(const char *file, const char *text, size_t len,
    const struct config_env *env, struct diag *d);
/* Reads path, fills the environment from the process, parses, then makes
 * the configured zone current (tz_use) and applies it. NULL on error. */
struct config *config_load(const char *path, struct diag *d);
/* Computes what depends on the current zone (meeting instants). */
void config_apply_zone(struct config *cfg);
/* The contact whose id is exactly id, or NULL. */
const struct contact *config_contact(const struct config *cfg, const char *id);
/* The contact an address belongs to, or NULL. */
const struct contact *config_contact_by_addr(const struct config *cfg,
    const char *addr);
/* The default configuration path: $FOLLOWUPD_CONFIG, else
 * $XDG_CONFIG_HOME/followupd/followupd.conf (or ~/.config/...) when it
 * exists, else /etc/followupd/followupd.conf. Allocated. */
char *config_default_path(void);
/* The per-user file, whether it exists or not: $FOLLOWUPD_CONFIG, else
 * under $XDG_CONFIG_HOME or $HOME (absolute paths only); NULL when none. */
char *config_user_path(void);
void config_free(struct config *cfg);

#endif
