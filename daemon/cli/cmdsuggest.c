/* followupd suggest [--limit N]: the suggestions job's people as INI
 * sections to paste into the configuration. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "job.h"
#include "suggest.h"

#define SUGGEST_USAGE "suggest [--limit N]"

int
cmd_suggest(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct config *cfg;
	struct store *st;
	struct suggestion *s;
	struct job_ctx ctx = { 0 };
	size_t n;
	long limit = 10;
	char *err = NULL, *end;
	int c, status = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			limit = strtol(optarg, &end, 10);
			if (*end != '\0' || limit < 1 || limit > 10000) {
				fprintf(app->err, "followupd: --limit: \"%s\" is not a number from 1 "
				    "to 10000\n", optarg);
				return EX_USAGE;
			}
			break;
		default: return cmd_usage_error(app, SUGGEST_USAGE);
		}
	}
	if (optind != argc)
		return cmd_usage_error(app, SUGGEST_USAGE);
	if ((cfg = cmd_load(app, &status)) == NULL)
		return status;
	if ((st = cmd_open_store(app, cfg, &status)) == NULL) {
		config_free(cfg);
		return status;
	}
	ctx.cfg = cfg;
	ctx.st = st;
	ctx.now = app->now;
	if (job_suggestions(&ctx, (size_t)limit, &s, &n, &err) < 0 ||
	    job_met(&ctx, ctx.now - JOB_MET_PERIOD, ctx.now, (size_t)limit, &s, &n, &err) < 0) {
		status = cmd_store_error(app, err);
	} else if (n == 0) {
		if (app->verbosity >= 0)
			fprintf(app->out, "; Nobody to suggest: everyone written to %d times or more "
			    "in the last year, and everyone met in the last %ld days, is a contact.\n",
			    SUGGEST_MIN_MESSAGES, JOB_MET_PERIOD / 86400);
	} else {
		struct buf b = { 0 };

		buf_printf(&b, "; Written to often within the last year, or met lately; not in %s.\n"
		    "; Paste what you want to keep in touch with into it.\n", cfg->file);
		for (size_t i = 0; i < n; i++) {
			buf_putc(&b, '\n');
			suggest_ini(&s[i], &b);
		}
		fputs(buf_str(&b), app->out);
		buf_free(&b);
	}
	suggest_free(s, n);
	store_close(st);
	config_free(cfg);
	return status;
}
