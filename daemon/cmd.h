/* cmd: the offline subcommands of followupd(8): check, due, log, snooze,
 * pause, resume, status. Each returns a sysexits(3) status. */
#ifndef FOLLOWUPD_CMD_H
#define FOLLOWUPD_CMD_H

#include <stdio.h>
#include <time.h>

/* What every command gets from the command line. */
struct app {
	const char *config_path;
	int verbosity;             /* -1 quiet, 0 normal, 1+ verbose */
	time_t now;
	FILE *out;                 /* results */
	FILE *err;                 /* diagnostics */
};

int cmd_check(struct app *app, int argc, char **argv);
int cmd_due(struct app *app, int argc, char **argv);
int cmd_log(struct app *app, int argc, char **argv);
int cmd_snooze(struct app *app, int argc, char **argv);
int cmd_pause(struct app *app, int argc, char **argv);
int cmd_resume(struct app *app, int argc, char **argv);
int cmd_status(struct app *app, int argc, char **argv);

#endif
