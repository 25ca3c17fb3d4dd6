/* cmd: the subcommands of followupd(8): check, due, log, snooze, pause,
 * resume, status (cmd.c), sync (cmdsync.c), digest (cmddigest.c), feed
 * (cmdfeed.c), suggest (cmdsuggest.c), init (cmdinit.c) and run
 * (cmdrun.c). Each returns a sysexits(3) status. The work behind digest,
 * feed and suggest is app/'s jobs: these print what came of it. */
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
	/* COMMAND --help was asked for: the command is run with "--help"
	 * alone, and cmd_usage_error prints its usage as the answer. */
	bool help;
};

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
