/* followupd feed [--date D] [-o FILE] [--serve] */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "agenda.h"
#include "cal.h"
#include "cmd.h"
#include "day.h"
#include "feedsrv.h"
#include "tz.h"

#define FEED_USAGE "feed [--date YYYY-MM-DD] [-o FILE] [--serve]"
#define FEED_REBUILD_SECONDS 60   /* --serve reads the state again this often */

/* The feed as it stands on DAY (DAY_NONE: today). */
static char *
feed_build_on(struct app *app, const struct config *cfg, struct store *st, int day,
    char **err)
{
	struct agenda a;
	struct cal_placed *placed;
	size_t nplaced;
	int today = tz_day_of(app->now);
	char *text;

	if (day == DAY_NONE)
		day = today;
	if (cmd_invites_placed(cfg, st, &placed, &nplaced, err) < 0)
		return NULL;
	if (agenda_build(&a, cfg, st, day, today, err) < 0) {
		cmd_placed_free(placed, nplaced);
		return NULL;
	}
	text = cal_feed(cfg, a.items, a.count, day, placed, nplaced);
	cmd_placed_free(placed, nplaced);
	agenda_free(&a);
	return text;
}

char *
cmd_feed_build(struct app *app, const struct config *cfg, struct store *st, char **err)
{
	return feed_build_on(app, cfg, st, DAY_NONE, err);
}

bool
cmd_feed_publish(struct app *app, const struct config *cfg, const char *text,
    struct feedsrv *srv)
{
	bool changed = false;
	struct stat sb;
	char *err = NULL;

	if (afile_replace(cfg->calendar.file, text, strlen(text), 0644, &changed, &err) < 0) {
		/* Served all the same: the file is a copy for other readers. */
		fprintf(app->err, "followupd: %s\n", err);
		free(err);
	}
	if (srv != NULL)
		feedsrv_set(srv, text, strlen(text),
		    stat(cfg->calendar.file, &sb) == 0 ? sb.st_mtime : app->now);
	return changed;
}

/* Builds the feed, writes the calendar file when it changed and hands it
 * to the server with the file's time. 0 or -1 after saying why. */
static int
refresh(struct app *app, const struct config *cfg, struct store *st, struct feedsrv *srv)
{
	char *text, *err = NULL;

	app->now = time(NULL);
	if ((text = cmd_feed_build(app, cfg, st, &err)) == NULL) {
		fprintf(app->err, "followupd: %s\n", err);
		free(err);
		return -1;
	}
	cmd_feed_publish(app, cfg, text, srv);
	free(text);
	return 0;
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
	char *text, *err = NULL;
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
	if ((text = feed_build_on(app, cfg, st, day, &err)) == NULL) {
		status = cmd_store_error(app, err);
		goto done;
	}
	if (out == NULL || strcmp(out, "-") == 0)
		fputs(text, app->out);
	else if (afile_replace(out, text, strlen(text), 0644, &changed, &err) < 0) {
		fprintf(app->err, "followupd: %s\n", err);
		free(err);
		status = EX_CANTCREAT;
	} else if (app->verbosity > 0)
		fprintf(app->err, "followupd: %s %s\n", out, changed ? "written" : "unchanged");
	free(text);
done:
	store_close(st);
	config_free(cfg);
	return status;
}
