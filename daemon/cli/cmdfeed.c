/* followupd feed [--date D] [-o FILE] [--serve]: the feed job's text on
 * standard output or in FILE, or served by the engine (rebuilt when the
 * state changes) until SIGINT or SIGTERM. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "afile.h"
#include "cmd.h"
#include "day.h"
#include "engine.h"
#include "job.h"

#define FEED_USAGE "feed [--date YYYY-MM-DD] [-o FILE] [--serve]"

/* --serve: the engine with the feed alone. Takes cfg. */
static int
feed_serve(struct app *app, struct config *cfg)
{
	struct log log;
	struct engine_opts o = {
		.config_path = app->config_path, .parts = ENGINE_FEED, .log = &log,
		.terminal = true,
	};

	if (!cfg->calendar.listen) {
		fprintf(app->err, "followupd: %s: [calendar] has no listen: nothing to serve on\n",
		    cfg->file);
		config_free(cfg);
		return EX_CONFIG;
	}
	log_init(&log, app->err, app->verbosity);
	return engine_run(cfg, &o);
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
	if (serve)
		return feed_serve(app, cfg);
	if ((st = cmd_open_store(app, cfg, &status)) == NULL) {
		config_free(cfg);
		return status;
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
	store_close(st);
	config_free(cfg);
	return status;
}
