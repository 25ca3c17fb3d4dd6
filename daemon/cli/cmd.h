/* cmd: the subcommands of followupd(8): check, due, log, snooze, pause,
 * resume, status (cmd.c), sync (cmdsync.c) and digest (cmddigest.c). Each returns a sysexits(3)
 * status. */
#ifndef FOLLOWUPD_CMD_H
#define FOLLOWUPD_CMD_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "config.h"
#include "store.h"

/* What every command gets from the command line. */
struct app {
	const char *config_path;
	bool config_given;         /* by -c */
	int verbosity;             /* -1 quiet, 0 normal, 1+ verbose */
	time_t now;
	FILE *out;                 /* results */
	FILE *err;                 /* diagnostics */
	/* Called before each blocking network operation (an SMTP send may
	 * take SMTP_SEND_MAX seconds): the daemon pings systemd's watchdog
	 * there, so that a digest and several invites sent back to back never
	 * starve it. NULL: nothing to do. */
	void (*keepalive)(void *arg);
	void *keepalive_arg;
	/* COMMAND --help was asked for: the command is run with "--help"
	 * alone, and cmd_usage_error prints its usage as the answer. */
	bool help;
};

/* Calls app->keepalive, if any. */
void cmd_keepalive(struct app *app);

int cmd_check(struct app *app, int argc, char **argv);
int cmd_due(struct app *app, int argc, char **argv);
int cmd_log(struct app *app, int argc, char **argv);
int cmd_snooze(struct app *app, int argc, char **argv);
int cmd_pause(struct app *app, int argc, char **argv);
int cmd_resume(struct app *app, int argc, char **argv);
int cmd_status(struct app *app, int argc, char **argv);
int cmd_sync(struct app *app, int argc, char **argv);
int cmd_digest(struct app *app, int argc, char **argv);
int cmd_feed(struct app *app, int argc, char **argv);
int cmd_suggest(struct app *app, int argc, char **argv);
int cmd_run(struct app *app, int argc, char **argv);
int cmd_init(struct app *app, int argc, char **argv);

struct suggestion;
/* Up to limit suggestions from the last year's correspondents
 * (cmdsuggest.c); 0 or -1 with *err. */
int cmd_suggestions(struct app *app, const struct config *cfg, struct store *st,
    size_t limit, struct suggestion **out, size_t *n, char **err);

/* The calendar feed of today from the state (cmdfeed.c); NULL with *err. */
char *cmd_feed_build(struct app *app, const struct config *cfg, struct store *st,
    char **err);
struct feedsrv;
/* Writes text to [calendar] file when it changed and hands it to srv
 * (NULL: none) with the file's time; a file that cannot be written is
 * reported and the feed served all the same. Whether the file changed
 * (cmdfeed.c). */
bool cmd_feed_publish(struct app *app, const struct config *cfg, const char *text,
    struct feedsrv *srv);
/* Plans today's invites, records them and sends those pending
 * (cmdinvite.c). 0 or a sysexits(3) status after saying why. */
int cmd_invites(struct app *app, const struct config *cfg, struct store *st,
    const struct fu_item *items, size_t n, int today);
/* The dates the state's live invites were sent for, for cal_feed; none
 * when invites are off. 0 or -1 with *err. */
struct cal_placed;
int cmd_invites_placed(const struct config *cfg, struct store *st, struct cal_placed **out,
    size_t *n, char **err);
void cmd_placed_free(struct cal_placed *p, size_t n);
/* The digest of day, built from the state and sent (cmddigest.c). */
enum digest_outcome {
	DIGEST_SENT,       /* sent now (or printed, with dry) */
	DIGEST_ALREADY,    /* sent before */
	DIGEST_EMPTY,      /* nothing due and send_empty_digest = no */
	DIGEST_TEMP,       /* not sent; may pass (network, 4xx) */
	DIGEST_FAILED,     /* not sent; needs the user (5xx, login, TLS, state) */
};
struct digest_opts {
	bool dry;          /* print instead of sending */
	bool force;        /* send again even if sent */
	bool invites;      /* then send the day's invites */
	int tries;         /* SMTP tries, 1 s, 2 s... apart */
};
int cmd_digest_day(struct app *app, const struct config *cfg, struct store *st, int day,
    const struct digest_opts *opt, enum digest_outcome *outcome);
/* Serves the feed until SIGINT or SIGTERM (cmdfeed.c). */
int cmd_feed_serve(struct app *app, const struct config *cfg, struct store *st);

/* Shared by the commands: load the configuration, open the state. On
 * failure they print why and set *status. */
struct config *cmd_load(struct app *app, int *status);
struct store *cmd_open_store(struct app *app, const struct config *cfg, int *status);
/* Print the error, free it, return EX_TEMPFAIL (or EX_NOPERM). */
int cmd_store_error(struct app *app, char *err);
/* Says "followupd: LABEL: ERR" (err cleaned: it may quote the server) for
 * an account that failed with rc (an enum imap_rc), and folds the failure
 * into *status: 69 for a final one, else 75 unless a worse one is there. */
void cmd_imap_failed(struct app *app, const char *label, int rc, char *err, int *status);
/* Print "usage: followupd USAGE", return EX_USAGE. */
int cmd_usage_error(struct app *app, const char *usage);
/* A YYYY-MM-DD argument; -1 after printing why. */
int cmd_parse_date(struct app *app, const char *opt, const char *v, int *day);

#endif
