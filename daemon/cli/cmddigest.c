/* followupd digest [--date D] [--dry-run] [--force] */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "agenda.h"
#include "buf.h"
#include "cmd.h"
#include "day.h"
#include "digest.h"
#include "smtp.h"
#include "suggest.h"
#include "tz.h"

#define DIGEST_SUGGEST 3   /* people to consider, in the week's first digest */
#define DIGEST_USAGE "digest [--date YYYY-MM-DD] [--dry-run] [--force]"
#define DIGEST_TRIES 5   /* a 4xx or a network error: 1, 2, 4, 8 s between */

struct applied_list {
	struct digest_applied *v;
	size_t n, cap;
	size_t more;               /* lines past DIGEST_MAX_APPLIED */
	long last;                 /* the id of the last line */
};

/* Every unreported line counts and is marked reported with the digest;
 * DIGEST_MAX_APPLIED of them are listed, so that no amount of replies can
 * make a digest that a server refuses for its size. */
static int
collect_applied(long id, const char *line, bool applied, const char *what, void *arg)
{
	struct applied_list *l = arg;

	l->last = id;
	if (l->n == DIGEST_MAX_APPLIED) {
		l->more++;
		return 0;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = (struct digest_applied){ xstrdup(line), applied, xstrdup(what) };
	return 0;
}

static void
applied_free(struct applied_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((char *)l->v[i].line);
		free((char *)l->v[i].what);
	}
	free(l->v);
}

/* Is day the first of digest_days in its week? */
static bool
first_of_week(const struct config *cfg, int day)
{
	int first = 0;

	while (first < 7 && !(cfg->digest_days & (1u << first)))
		first++;
	return day_weekday(day) == first;
}

/* Sends, retrying what may pass later. The result of the last try. */
static enum smtp_rc
send_with_retries(struct app *app, const struct config *cfg, const char *msg,
    int tries, char **err)
{
	enum smtp_rc rc = SMTP_TEMP;

	for (int i = 0; i < tries; i++) {
		int code;

		if (i > 0) {
			if (app->verbosity >= 0)
				fprintf(app->err, "followupd: smtp: %s; trying again in %d s\n",
				    *err, 1 << (i - 1));
			free(*err);
			*err = NULL;
			sleep(1u << (i - 1));
		}
		cmd_keepalive(app);
		rc = smtp_send(&cfg->smtp, cfg->me_addr, cfg->digest_to, msg, strlen(msg),
		    NULL, &code, err);
		if (rc != SMTP_TEMP)
			break;
	}
	return rc;
}

int
cmd_digest_day(struct app *app, const struct config *cfg, struct store *st, int day,
    const struct digest_opts *opt, enum digest_outcome *outcome)
{
	struct agenda a;
	struct digest d;
	struct store_digest prev;
	struct digest_input in = { 0 };
	struct applied_list applied = { 0 };
	struct suggestion *sugg = NULL;
	size_t nsugg = 0;
	char *err = NULL, *id = NULL, *msg = NULL, *health = NULL, date[DAY_STRLEN];
	int status = 0, known;
	enum smtp_rc rc;

	*outcome = DIGEST_FAILED;
	day_format(day, date);
	if (agenda_build(&a, cfg, st, day, tz_day_of(app->now), &err) < 0)
		return cmd_store_error(app, err);
	in.cfg = cfg;
	in.items = a.items;
	in.nitems = a.count;
	in.day = day;
	{
		/* A digest that did not go out is news for the next one. */
		struct store_digest last;
		char lday[16];

		if (store_digest_latest(st, date, lday, &last, &err) == 0 &&
		    strcmp(last.state, "sent") != 0 && !last.ever_sent) {
			health = xasprintf("The digest of %s was not sent: %s", lday,
			    last.error[0] ? last.error : "interrupted while sending");
			in.health = (const char *const *)&health;
			in.nhealth = 1;
		}
		free(err);
		err = NULL;
	}
	/* The replies' lines no digest has reported; suggestions once a week. */
	if (store_reply_lines_each(st, collect_applied, &applied, &err) < 0 ||
	    (first_of_week(cfg, day) &&
	    cmd_suggestions(app, cfg, st, DIGEST_SUGGEST, &sugg, &nsugg, &err) < 0)) {
		status = cmd_store_error(app, err);
		free(health);
		applied_free(&applied);
		agenda_free(&a);
		return status;
	}
	in.applied = applied.v;
	in.napplied = applied.n;
	in.napplied_more = applied.more;
	in.suggest = sugg;
	in.nsuggest = nsugg;
	digest_render(&in, &d);

	known = store_digest_get(st, date, &prev, &err);
	if (known < 0) {
		status = cmd_store_error(app, err);
		goto done;
	}
	if (known == 0 && (strcmp(prev.state, "sending") == 0 || !opt->force)) {
		/* The same Message-ID again: a resend after a crash is the
		 * same message to the receiving side. */
		id = xstrdup(prev.message_id);
	} else if (known == 0) {
		/* --force of a digest that was sent: a new message, "<x.rN@d>"
		 * for its Nth attempt, in place of an earlier ".rM". */
		char *at = strrchr(prev.message_id, '@');
		size_t n = at != NULL ? (size_t)(at - prev.message_id) : strlen(prev.message_id);
		size_t k = n;
		char *stem;

		while (k > 0 && isdigit((unsigned char)prev.message_id[k - 1]))
			k--;
		if (k < n && k >= 2 && strncmp(prev.message_id + k - 2, ".r", 2) == 0)
			n = k - 2;
		stem = xstrndup(prev.message_id, n);
		id = xasprintf("%s.r%d%s", stem, prev.attempts + 1, at != NULL ? at : ">");
		free(stem);
	} else {
		unsigned char key[DIGEST_KEY_LEN];

		if (store_secret(st, "digest", key, sizeof key, &err) < 0) {
			status = cmd_store_error(app, err);
			goto done;
		}
		id = digest_message_id(cfg, day, key, sizeof key);
		explicit_bzero(key, sizeof key);
	}
	msg = digest_message(cfg, &d, id, app->now);
	if (opt->dry) {
		fputs(msg, app->out);
		*outcome = DIGEST_SENT;
		goto done;
	}
	if (known == 0 && (strcmp(prev.state, "sent") == 0 || prev.ever_sent) && !opt->force) {
		if (app->verbosity >= 0)
			fprintf(app->out, "The digest for %s was already sent (%s); --force sends it again.\n",
			    date, prev.message_id);
		*outcome = DIGEST_ALREADY;
		goto done;
	}
	if (d.total == 0 && !cfg->send_empty_digest && !opt->force) {
		if (app->verbosity >= 0)
			fprintf(app->out, "Nothing due on %s: no digest (send_empty_digest = no).\n", date);
		*outcome = DIGEST_EMPTY;
		goto done;
	}
	/* "sending" is committed before the first byte goes out: a crash
	 * after the server accepted and before "sent" is recorded resends
	 * with the same Message-ID, never with another. */
	if (store_digest_sending(st, date, id, &err) < 0) {
		status = cmd_store_error(app, err);
		goto done;
	}
	rc = send_with_retries(app, cfg, msg, opt->tries, &err);
	{
		char *serr = NULL;

		/* "sent" and the reply lines it reported, together. */
		if (store_begin(st, &serr) < 0 ||
		    store_digest_done(st, date, rc == SMTP_OK, app->now,
		    rc == SMTP_OK ? NULL : err, &serr) < 0 ||
		    (rc == SMTP_OK && applied.last > 0 &&
		    store_reply_lines_reported(st, date, applied.last, &serr) < 0) ||
		    store_commit(st, &serr) < 0) {
			store_rollback(st);
			free(err);
			status = cmd_store_error(app, serr);
			goto done;
		}
	}
	if (rc != SMTP_OK) {
		fprintf(app->err, "followupd: smtp %s: %s\n", cfg->smtp.user, err);
		free(err);
		status = rc == SMTP_TEMP ? EX_TEMPFAIL : EX_UNAVAILABLE;
		*outcome = rc == SMTP_TEMP ? DIGEST_TEMP : DIGEST_FAILED;
		goto done;
	}
	*outcome = DIGEST_SENT;
	if (app->verbosity >= 0)
		fprintf(app->out, "Sent the digest for %s to %s: %s\n", date, cfg->digest_to, d.subject);
done:
	/* Invites go out with the digest, about the real today only. */
	if (opt->invites && !opt->dry && status == 0 && cfg->calendar.invites)
		status = cmd_invites(app, cfg, st, a.items, a.count, day);
	free(health);
	applied_free(&applied);
	suggest_free(sugg, nsugg);
	free(msg);
	free(id);
	digest_free(&d);
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
	struct digest_opts opt = { .tries = DIGEST_TRIES };
	const char *date_arg = NULL;
	enum digest_outcome outcome;
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
	opt.invites = date_arg == NULL;
	status = cmd_digest_day(app, cfg, st, day, &opt, &outcome);
	store_close(st);
	config_free(cfg);
	return status;
}
