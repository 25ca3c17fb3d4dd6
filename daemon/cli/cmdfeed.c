/* followupd feed [--date D] [-o FILE] [--serve]: the feed job's text on
 * standard output or in FILE, or served (and rebuilt every minute) until
 * SIGINT or SIGTERM. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "cmd.h"
#include "day.h"
#include "feedsrv.h"
#include "job.h"

#define FEED_USAGE "feed [--date YYYY-MM-DD] [-o FILE] [--serve]"
#define FEED_REBUILD_SECONDS 60   /* --serve reads the state again this often */

/* Builds today's feed, writes the calendar file when it changed and hands
 * the feed to the server with the file's time. 0 or -1 after saying why. */
static int
refresh(struct app *app, const struct config *cfg, struct store *st, struct feedsrv *srv)
{
	struct job_ctx ctx = { .cfg = cfg, .st = st, .now = time(NULL) };
	struct job_feed f;
	int rc = 0;

	app->now = ctx.now;
	job_feed(&ctx, DAY_NONE, true, &f);
	for (size_t i = 0; i < f.o.nnotes; i++)
		fprintf(app->err, "followupd: %s\n", f.o.notes[i].text);
	if (f.text == NULL) {
		fprintf(app->err, "followupd: %s\n", f.o.message);
		rc = -1;
	} else {
		feedsrv_set(srv, f.text, strlen(f.text), f.mtime);
	}
	job_feed_free(&f);
	return rc;
}

int
cmd_feed_serve(struct app *app, const struct config *cfg, struct store *st)
{
	const struct calendar_conf *cc = &cfg->calendar;
	struct feedsrv *srv;
	char *token = NULL, *err = NULL;
	sigset_t mask, old;
	int sfd, status = 0;
	time_t next;

	if (!cc->listen) {
		fprintf(app->err, "followupd: %s: [calendar] has no listen: nothing to serve on\n",
		    cfg->file);
		return EX_CONFIG;
	}
	if (feedsrv_token_load(cc->token_file, true, &token, &err) != 0) {
		fprintf(app->err, "followupd: %s\n", err);
		free(err);
		return EX_CANTCREAT;
	}
	/* A client that goes away mid-response is the server's business. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if ((srv = feedsrv_start(cc, token, &err)) == NULL) {
		fprintf(app->err, "followupd: %s\n", err);
		free(err);
		status = EX_UNAVAILABLE;
		goto done;
	}
	if (refresh(app, cfg, st, srv) < 0) {
		status = EX_TEMPFAIL;
		goto done;
	}
	/* The URL without its token: the token stays out of every log. */
	if (app->verbosity >= 0)
		fprintf(app->err, "followupd: serving the calendar feed on %s://%s%s%s:%d/ "
		    "(the whole URL: followupd status)\n", cc->tls_cert != NULL ? "https" : "http",
		    strchr(cc->listen_host, ':') ? "[" : "", cc->listen_host,
		    strchr(cc->listen_host, ':') ? "]" : "", cc->listen_port);
	next = time(NULL) + FEED_REBUILD_SECONDS;
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = feedsrv_fd(srv), .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
		};
		int wait = feedsrv_timeout(srv);
		time_t now = time(NULL);
		long until = next > now ? (long)(next - now) * 1000 : 0;

		if (wait < 0 || wait > until)
			wait = (int)until;
		if (poll(pfd, 2, wait) < 0 && errno != EINTR) {
			fprintf(app->err, "followupd: poll: %s\n", strerror(errno));
			status = EX_OSERR;
			break;
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
				if (si.ssi_signo != SIGHUP)
					break;
				next = 0;   /* SIGHUP: read the state again now */
			}
		}
		feedsrv_run(srv);
		if (time(NULL) >= next) {
			refresh(app, cfg, st, srv);
			next = time(NULL) + FEED_REBUILD_SECONDS;
		}
	}
done:
	feedsrv_stop(srv);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(token);
	return status;
}

int
cmd_feed(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "serve", no_argument, NULL, 's' },
		{ "date", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *date_arg = NULL;
	bool serve = false, changed;
	struct config *cfg;
	struct store *st;
	struct job_ctx ctx = { 0 };
	struct job_feed f;
	char *err = NULL;
	int c, status = 0, day = DAY_NONE;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+o:d:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'd': date_arg = optarg; break;
		case 's': serve = true; break;
		default: return cmd_usage_error(app, FEED_USAGE);
		}
	}
	if (optind != argc || (serve && date_arg != NULL))
		return cmd_usage_error(app, FEED_USAGE);
	if ((cfg = cmd_load(app, &status)) == NULL)
		return status;
	/* After loading: a date is a day in the configured zone. */
	if (date_arg != NULL && cmd_parse_date(app, "--date", date_arg, &day) < 0) {
		config_free(cfg);
		return EX_USAGE;
	}
	if ((st = cmd_open_store(app, cfg, &status)) == NULL) {
		config_free(cfg);
		return status;
	}
	if (serve) {
		status = cmd_feed_serve(app, cfg, st);
		goto done;
	}
	ctx.cfg = cfg;
	ctx.st = st;
	ctx.now = app->now;
	job_feed(&ctx, day, false, &f);
	if (f.text == NULL) {
		fprintf(app->err, "followupd: %s\n", f.o.message);
		status = job_exit_status(&f.o);
	} else if (out == NULL || strcmp(out, "-") == 0) {
		fputs(f.text, app->out);
	} else if (afile_replace(out, f.text, strlen(f.text), 0644, &changed, &err) < 0) {
		fprintf(app->err, "followupd: %s\n", err);
		free(err);
		status = EX_CANTCREAT;
	} else if (app->verbosity > 0) {
		fprintf(app->err, "followupd: %s %s\n", out, changed ? "written" : "unchanged");
	}
	job_feed_free(&f);
done:
	store_close(st);
	config_free(cfg);
	return status;
}
