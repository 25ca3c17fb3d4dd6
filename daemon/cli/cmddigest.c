/* followupd digest [--date D] [--dry-run] [--force]: runs the digest job
 * and, for the real today, the invites job (app/job.h), and says what
 * came of them. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "agenda.h"
#include "cmd.h"
#include "job.h"
#include "tz.h"

#define DIGEST_USAGE "digest [--date YYYY-MM-DD] [--dry-run] [--force]"
#define DIGEST_TRIES 5   /* a 4xx or a network error: 1, 2, 4, 8 s between */

/* The tries that failed (its only notes) unless quiet, then the result.
 * The exit status. */
static int
say_digest(struct app *app, const struct config *cfg, const struct job_digest *d)
{
	for (size_t i = 0; i < d->o.nnotes && app->verbosity >= 0; i++)
		fprintf(app->err, "followupd: %s\n", d->o.notes[i].text);
	switch (d->result) {
	case JOB_DIGEST_PRINTED:
		fputs(d->text, app->out);
		break;
	case JOB_DIGEST_SENT:
		if (app->verbosity >= 0)
			fprintf(app->out, "Sent the digest for %s to %s: %s\n", d->date,
			    cfg->digest_to, d->subject);
		break;
	case JOB_DIGEST_ALREADY:
		if (app->verbosity >= 0)
			fprintf(app->out, "The digest for %s was already sent (%s); --force sends it "
			    "again.\n", d->date, d->message_id);
		break;
	case JOB_DIGEST_EMPTY:
		if (app->verbosity >= 0)
			fprintf(app->out, "Nothing due on %s: no digest (send_empty_digest = no).\n",
			    d->date);
		break;
	case JOB_DIGEST_NOT_SENT:
		fprintf(app->err, "followupd: %s\n", d->o.message != NULL ? d->o.message : "failed");
		break;
	}
	return job_exit_status(&d->o);
}

/* Each invite sent (unless quiet) and each not sent; the state's failure.
 * The job's message is not said: it sums up the notes, for a log. */
static int
say_invites(struct app *app, const struct job_invites *inv)
{
	for (size_t i = 0; i < inv->o.nnotes; i++) {
		const struct job_note *n = &inv->o.notes[i];

		if (n->prio != JOB_INFO)
			fprintf(app->err, "followupd: %s\n", n->text);
		else if (app->verbosity >= 0)
			fprintf(app->out, "%s\n", n->text);
	}
	if (inv->o.cls == JOB_STATE)
		fprintf(app->err, "followupd: %s\n", inv->o.message);
	return job_exit_status(&inv->o);
}

/* The invites that today's agenda calls for. */
static int
send_invites(struct app *app, const struct job_ctx *ctx, int today)
{
	struct job_invites inv;
	struct agenda a;
	char *err = NULL;
	int status;

	if (agenda_build(&a, ctx->cfg, ctx->st, today, ctx->now, &err) < 0)
		return cmd_store_error(app, err);
	job_invites(ctx, a.items, a.count, today, &inv);
	status = say_invites(app, &inv);
	job_outcome_free(&inv.o);
	agenda_free(&a);
	return status;
}

int
cmd_digest(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct job_digest_opts opt = { .tries = DIGEST_TRIES };
	const char *date_arg = NULL;
	struct job_digest d;
	struct job_ctx ctx = { 0 };
	struct config *cfg;
	struct store *st;
	int status = 0, day, c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'd': date_arg = optarg; break;
		case 'n': opt.dry = true; break;
		case 'f': opt.force = true; break;
		default: return cmd_usage_error(app, DIGEST_USAGE);
		}
	}
	if (optind != argc)
		return cmd_usage_error(app, DIGEST_USAGE);
	if ((cfg = cmd_load(app, &status)) == NULL)
		return status;
	day = tz_day_of(app->now);
	if (date_arg != NULL && cmd_parse_date(app, "--date", date_arg, &day) < 0) {
		config_free(cfg);
		return EX_USAGE;
	}
	if (!opt.dry && !cfg->has_smtp) {
		fprintf(app->err, "followupd: %s: no [smtp] section: the digest cannot be sent "
		    "(--dry-run prints it)\n", cfg->file);
		config_free(cfg);
		return EX_CONFIG;
	}
	if ((st = cmd_open_store(app, cfg, &status)) == NULL) {
		config_free(cfg);
		return status;
	}
	ctx.cfg = cfg;
	ctx.st = st;
	ctx.now = app->now;
	job_digest(&ctx, day, &opt, &d);
	status = say_digest(app, cfg, &d);
	/* Invites go out with the digest, about the real today only. */
	if (date_arg == NULL && !opt.dry && status == 0 && cfg->calendar.invites)
		status = send_invites(app, &ctx, day);
	job_digest_free(&d);
	store_close(st);
	config_free(cfg);
	return status;
}
