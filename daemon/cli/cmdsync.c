/* followupd sync [--progress] [--rescan] [--watch] */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "clean.h"
#include "cmd.h"
#include "imap.h"
#include "meetsync.h"
#include "sync.h"
#include "engine.h"
#include "log.h"
#include "watch.h"

#define SYNC_USAGE "sync [--progress] [--rescan] [--watch]"

struct progress {
	struct app *app;
	const char *label;
	bool enabled, tty;
	struct timespec start;
	int last_decile;
};

static double
elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* A bar on a terminal; on anything else a line per tenth. */
static void
on_progress(void *arg, size_t done, size_t total)
{
	struct progress *p = arg;
	double secs = elapsed(&p->start);
	double rate = secs > 0 ? (double)done / secs : 0;

	if (!p->enabled)
		return;
	if (p->tty) {
		char bar[31];
		size_t fill = total ? done * 30 / total : 30;

		memset(bar, '#', fill);
		memset(bar + fill, '-', 30 - fill);
		bar[30] = '\0';
		fprintf(p->app->err, "\r%s: [%s] %zu/%zu messages, %.0f/s", p->label,
		    bar, done, total, rate);
		if (done == total)
			fputc('\n', p->app->err);
		fflush(p->app->err);
		return;
	}
	{
		int decile = total ? (int)(done * 10 / total) : 10;

		if (done > 0 && decile == p->last_decile && done != total)
			return;
		p->last_decile = decile;
		fprintf(p->app->err, "%s: %zu/%zu messages (%.0f/s)\n", p->label,
		    done, total, rate);
	}
}

static void
on_warn(void *arg, const char *msg)
{
	struct progress *p = arg;

	if (p->tty && p->enabled)
		fputc('\n', p->app->err);   /* off the bar's line */
	if (p->app->verbosity >= 0)
		fprintf(p->app->err, "followupd: %s: %s\n", p->label, msg);
}

static void
summary(struct app *app, const char *label, const char *folder,
    const struct sync_stats *s)
{
	if (app->verbosity < 0)
		return;
	fprintf(app->out, "%s: %s: %zu new message%s, %zu follow-up%s recorded",
	    label, folder, s->messages, s->messages == 1 ? "" : "s",
	    s->touches, s->touches == 1 ? "" : "s");
	if (s->bulk > 0)
		fprintf(app->out, ", %zu bulk", s->bulk);
	if (s->skipped > 0)
		fprintf(app->out, ", %zu skipped", s->skipped);
	if (s->checkbacks > 0)
		fprintf(app->out, ", %zu check-back%s", s->checkbacks, s->checkbacks == 1 ? "" : "s");
	if (s->replies > 0)
		fprintf(app->out, ", %zu repl%s to the digest (%zu command%s applied, %zu line%s "
		    "not understood)", s->replies, s->replies == 1 ? "y" : "ies", s->commands,
		    s->commands == 1 ? "" : "s", s->refused, s->refused == 1 ? "" : "s");
	if (s->rescanned)
		fprintf(app->out, " (read again: new UIDVALIDITY)");
	fputc('\n', app->out);
}

/* "imap NAME: INBOX: 12 new messages, 3 from contacts, 1 check-back
 * answered" */
static void
summary_inbox(struct app *app, const char *label, const char *folder,
    const struct sync_stats *s)
{
	if (app->verbosity < 0)
		return;
	fprintf(app->out, "%s: %s: %zu new message%s, %zu from contacts", label, folder,
	    s->messages, s->messages == 1 ? "" : "s", s->received);
	if (s->answered > 0)
		fprintf(app->out, ", %zu check-back%s answered", s->answered,
		    s->answered == 1 ? "" : "s");
	if (s->skipped > 0)
		fprintf(app->out, ", %zu skipped", s->skipped);
	if (s->rescanned)
		fprintf(app->out, " (read again: new UIDVALIDITY)");
	fputc('\n', app->out);
}

/* The account's inbox on the connection that read its Sent folder. */
static void
inbox_once(struct app *app, const struct config *cfg, const struct imap_account *a,
    struct imap *c, struct store *st, bool progress, int *status)
{
	char *label = imap_label(a), *plabel = xasprintf("%s%s", label, WATCH_INBOX_SUFFIX);
	char *err = NULL;
	struct progress p = { app, plabel, progress, isatty(fileno(app->err)) != 0,
	    { 0, 0 }, -1 };
	struct sync_hooks hooks = { .arg = &p, .warn = on_warn, .progress = on_progress };
	struct sync_stats s;
	enum imap_rc rc;

	clock_gettime(CLOCK_MONOTONIC, &p.start);
	rc = sync_inbox(c, cfg, a, st, a->inbox, app->now, &hooks, &s, &err);
	if (rc == IMAP_OK)
		summary_inbox(app, label, a->inbox, &s);
	else
		cmd_imap_failed(app, plabel, rc, err, status);
	free(err);
	free(plabel);
	free(label);
}

static int
sync_once(struct app *app, const struct config *cfg, struct store *st, bool progress)
{
	int status = 0;

	for (size_t i = 0; i < cfg->naccounts; i++) {
		const struct imap_account *a = &cfg->accounts[i];
		char *label = imap_label(a), *folder = NULL, *err = NULL, *note = NULL;
		struct imap *c = imap_new(a, a->server.timeout);
		struct progress p = { app, label, progress, isatty(fileno(app->err)) != 0,
		    { 0, 0 }, -1 };
		struct sync_hooks hooks = { .arg = &p, .warn = on_warn, .progress = on_progress };
		struct sync_stats s;
		enum imap_rc rc;

		clock_gettime(CLOCK_MONOTONIC, &p.start);
		if ((rc = imap_connect(c, &err)) == IMAP_OK &&
		    (rc = imap_find_sent(c, &folder, &note, &err)) == IMAP_OK) {
			if (note != NULL)
				on_warn(&p, note);
			rc = sync_folder(c, cfg, a, st, folder, app->now, &hooks, &s, &err);
		}
		if (rc == IMAP_OK)
			summary(app, label, folder, &s);
		else
			cmd_imap_failed(app, label, rc, err, &status);
		/* After a failure the connection may be gone: the account's
		 * one error is said, and its inbox waits for the next sync. */
		if (rc == IMAP_OK && a->inbox != NULL)
			inbox_once(app, cfg, a, c, st, progress, &status);
		free(err);
		free(note);
		free(folder);
		free(label);
		imap_free(c);
	}
	return status;
}

struct meeting_problem {
	struct app *app;
	const char *name;
};

static void
on_meeting_problem(void *arg, const char *msg)
{
	struct meeting_problem *p = arg;

	fprintf(p->app->err, "followupd: meetings %s: %s\n", p->name, msg);
}

/* Each [meetings] source once: "meetings work: 3 read, 0 removed; 12
 * meetings in the window". A source that fails does not stop the others. */
static int
meetings_once(struct app *app, const struct config *cfg, struct store *st)
{
	int status = 0;

	for (size_t i = 0; i < cfg->nmeetings; i++) {
		const struct meet_source *m = &cfg->meetings[i];
		struct meet_stats s;
		struct meeting_problem mp = { app, m->name };
		char *err = NULL;
		enum calfetch_rc rc = meet_refresh(cfg, m, st, app->now, NULL, on_meeting_problem,
		    &mp, &s, &err);

		if (rc == CALF_OK) {
			fprintf(app->out, "meetings %s: %zu read, %zu removed; %zu meeting%s in the window",
			    m->name, s.read, s.removed, s.meetings, s.meetings == 1 ? "" : "s");
			if (s.errors > 0)
				fprintf(app->out, ", %zu event%s skipped or read in part", s.errors,
				    s.errors == 1 ? "" : "s");
			fputc('\n', app->out);
		} else {
			char *clean = clean_dup(err);

			fprintf(app->err, "followupd: meetings %s: %s\n", m->name, clean);
			free(clean);
			if (rc == CALF_FINAL)
				status = EX_UNAVAILABLE;
			else if (status == 0)
				status = EX_TEMPFAIL;
		}
		free(err);
	}
	return status;
}

/* ---- --watch: the engine with the watchers alone ---------------------- */

static void
on_synced(void *arg, const char *label, const char *folder,
    const struct sync_stats *s)
{
	struct app *app = arg;

	if (watch_is_inbox(label))
		summary_inbox(app, label, folder, s);
	else
		summary(app, label, folder, s);
	fflush(app->out);
}

/* Takes cfg. */
static int
sync_watch(struct app *app, struct config *cfg)
{
	struct log log;
	struct engine_opts o = {
		.config_path = app->config_path, .parts = ENGINE_WATCH, .log = &log,
		.terminal = true, .synced = on_synced, .arg = app,
	};

	log_init(&log, app->err, app->verbosity);
	return engine_run(cfg, &o);
}

int
cmd_sync(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "progress", no_argument, NULL, 'p' },
		{ "rescan", no_argument, NULL, 'r' },
		{ "watch", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	bool progress = false, rescan = false, watching = false;
	struct config *cfg;
	struct store *st;
	char *err = NULL;
	int c, status = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'p': progress = true; break;
		case 'r': rescan = true; break;
		case 'w': watching = true; break;
		default: return cmd_usage_error(app, SYNC_USAGE);
		}
	}
	if (optind != argc)
		return cmd_usage_error(app, SYNC_USAGE);
	if ((cfg = cmd_load(app, &status)) == NULL)
		return status;
	if (cfg->naccounts == 0 && cfg->nmeetings == 0) {
		fprintf(app->err, "followupd: %s: no [imap] account or [meetings] calendar to sync\n",
		    cfg->file);
		config_free(cfg);
		return EX_CONFIG;
	}
	if ((st = cmd_open_store(app, cfg, &status)) == NULL) {
		config_free(cfg);
		return status;
	}
	/* libetpan writes to sockets without MSG_NOSIGNAL on Linux. */
	signal(SIGPIPE, SIG_IGN);
	if (rescan && store_folders_rescan(st, &err) < 0) {
		fprintf(app->err, "followupd: %s\n", err);
		free(err);
		status = EX_IOERR;
	} else if (watching) {
		store_close(st);
		return sync_watch(app, cfg);
	} else {
		int ms;

		status = sync_once(app, cfg, st, progress);
		ms = meetings_once(app, cfg, st);
		if (status == 0)
			status = ms;
	}
	store_close(st);
	config_free(cfg);
	return status;
}
