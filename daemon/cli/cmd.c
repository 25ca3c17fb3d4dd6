#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "agenda.h"
#include "calfetch.h"
#include "buf.h"
#include "clean.h"
#include "cmd.h"
#include "config.h"
#include "day.h"
#include "feedsrv.h"
#include "imap.h"
#include "json.h"
#include "schedule.h"
#include "store.h"
#include "tz.h"
#include "who.h"

/* ---- shared set-up -------------------------------------------------------- */

struct config *
cmd_load(struct app *app, int *status)
{
	struct diag d = {0};
	struct config *cfg = config_load(app->config_path, &d);

	if (cfg == NULL) {
		fputs(buf_str(&d.text), app->err);
		*status = d.status ? d.status : EX_CONFIG;
	}
	diag_free(&d);
	return cfg;
}

struct store *
cmd_open_store(struct app *app, const struct config *cfg, int *status)
{
	char *err = NULL;
	struct store *st = store_open(cfg->state_dir, &err);

	if (st == NULL) {
		fprintf(app->err, "followupd: %s\n", err);
		*status = errno == EACCES ? EX_NOPERM : EX_TEMPFAIL;
		free(err);
	}
	return st;
}

int
cmd_store_error(struct app *app, char *err)
{
	fprintf(app->err, "followupd: %s\n", err);
	free(err);
	return EX_TEMPFAIL;
}

int
cmd_usage_error(struct app *app, const char *usage)
{
	if (app->help) {
		fprintf(app->out, "usage: followupd %s\n", usage);
		return 0;
	}
	fprintf(app->err, "usage: followupd %s\n", usage);
	return EX_USAGE;
}

void
cmd_imap_failed(struct app *app, const char *label, int rc, char *err, int *status)
{
	if (err != NULL)
		clean_inplace(err);
	fprintf(app->err, "followupd: %s: %s\n", label, err != NULL ? err : "failed");
	if (rc == IMAP_FINAL)
		*status = EX_UNAVAILABLE;
	else if (*status == 0)
		*status = EX_TEMPFAIL;
}

int
cmd_parse_date(struct app *app, const char *opt, const char *v, int *day)
{
	if (day_parse(v, day) < 0) {
		fprintf(app->err, "followupd: %s: '%s' is not a date (YYYY-MM-DD)\n", opt, v);
		return -1;
	}
	return 0;
}

static const struct contact *
resolve(struct app *app, const struct config *cfg, const char *who, int *status)
{
	const struct contact *c = NULL;
	struct buf why = {0};

	if (who_resolve(cfg, who, &c, &why) != WHO_FOUND) {
		fprintf(app->err, "followupd: %s\n", buf_str(&why));
		*status = EX_DATAERR;
	}
	buf_free(&why);
	return c;
}

/* Options of a subcommand start after its name. */
static void
reset_getopt(void)
{
	optind = 1;   /* opterr stays: main clears it for COMMAND --help */
}

/* ---- check ---------------------------------------------------------------- */

static void
print_folder(void *arg, const char *folder, const char *verdict)
{
	struct app *app = arg;

	fprintf(app->out, "  %s: %s\n", folder, verdict);
}

/* check --imap: logs in to each account and says which folder is read,
 * with the folders considered when it is found automatically. */
static int
check_imap(struct app *app, const struct config *cfg)
{
	int status = 0;

	signal(SIGPIPE, SIG_IGN);   /* a server that closes is an error, not death */
	for (size_t i = 0; i < cfg->naccounts; i++) {
		char *label = imap_label(&cfg->accounts[i]), *folder = NULL, *note = NULL;
		char *err = NULL;
		struct imap *c = imap_new(&cfg->accounts[i], cfg->accounts[i].server.timeout);
		enum imap_rc rc;

		fprintf(app->out, "%s: folders considered for Sent:\n", label);
		imap_set_report(c, print_folder, app);
		if ((rc = imap_connect(c, &err)) == IMAP_OK)
			rc = imap_find_sent(c, &folder, &note, &err);
		if (rc == IMAP_OK) {
			if (note != NULL) {
				clean_inplace(note);
				fprintf(app->err, "followupd: %s: %s\n", label, note);
			}
			clean_inplace(folder);
			fprintf(app->out, "%s: Sent folder: %s%s\n", label, folder,
			    cfg->accounts[i].sent_folder != NULL &&
			    strcasecmp(cfg->accounts[i].sent_folder, "auto") != 0 ?
			    " (sent_folder)" : "");
		} else {
			cmd_imap_failed(app, label, rc, err, &status);
		}
		free(err);
		free(note);
		free(folder);
		free(label);
		imap_free(c);
	}
	return status;
}

int
cmd_check(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "imap", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct config *cfg;
	bool imap = false;
	int status = 0, ch;

	reset_getopt();
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'i')
			return cmd_usage_error(app, "check [--imap]");
		imap = true;
	}
	if (optind != argc)
		return cmd_usage_error(app, "check [--imap]");
	cfg = cmd_load(app, &status);
	if (cfg == NULL)
		return status;
	if (app->verbosity >= 0)
	{
		char cals[48] = "";

		if (cfg->nmeetings > 0)
			snprintf(cals, sizeof cals, ", %zu calendar%s", cfg->nmeetings,
			    cfg->nmeetings == 1 ? "" : "s");
		fprintf(app->out, "%s: OK: %zu contact%s, %zu group%s, %zu IMAP account%s%s%s, "
		    "time zone %s\n", cfg->file, cfg->ncontacts, cfg->ncontacts == 1 ? "" : "s",
		    cfg->ngroups, cfg->ngroups == 1 ? "" : "s",
		    cfg->naccounts, cfg->naccounts == 1 ? "" : "s",
		    cfg->has_smtp ? ", SMTP" : "", cals, cfg->timezone);
	}
	if (imap)
		status = check_imap(app, cfg);
	config_free(cfg);
	return status;
}

/* ---- due ------------------------------------------------------------------ */

static void
iso_utc(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
item_json(struct buf *b, const struct fu_item *it)
{
	const struct contact *c = it->contact;
	const struct fu_history *h = it->history;
	char date[DAY_STRLEN], iso[32];

	day_format(it->due, date);
	buf_puts(b, "{\"id\":");
	json_string(b, c->id);
	buf_puts(b, ",\"name\":");
	json_string(b, c->name);
	buf_printf(b, ",\"kind\":\"%s\",\"status\":\"%s\",\"due\":\"%s\",\"days_late\":%d",
	    followup_kind_name(it->kind), followup_status_name(it->status), date,
	    it->days_late);
	buf_puts(b, ",\"last_contact\":");
	if (h->any) {
		iso_utc(h->last_at, iso);
		json_string(b, iso);
		buf_printf(b, ",\"last_via\":\"%s\"", via_name(h->last_via));
	} else {
		buf_puts(b, "null,\"last_via\":null");
	}
	buf_puts(b, ",\"cadence\":");
	json_string(b, it->kind == FU_CADENCE ? c->cadence_text : NULL);
	buf_puts(b, ",\"reason\":");
	json_string(b, c->reason);
	buf_puts(b, ",\"title\":");
	json_string(b, it->title);
	buf_puts(b, ",\"group\":");
	json_string(b, c->group ? c->group->name : NULL);
	buf_putc(b, '}');
}

static void
item_text(struct buf *b, const struct fu_item *it)
{
	const struct contact *c = it->contact;
	const struct fu_history *h = it->history;
	char date[DAY_STRLEN], how[64], what[128], last[64];

	day_format(it->due, date);
	followup_describe(it, how, sizeof how);
	if (it->kind == FU_CADENCE)
		span_describe(c->cadence.due, what, sizeof what);
	else
		snprintf(what, sizeof what, "%s", it->title ? it->title : "");
	if (h->any) {
		char d[DAY_STRLEN];

		day_format(h->last_day, d);
		snprintf(last, sizeof last, "last %s by %s", d, via_name(h->last_via));
	} else {
		snprintf(last, sizeof last, "no contact yet");
	}
	buf_printf(b, "%-8s %s  %-22s %-18s %-22s %s", followup_status_name(it->status),
	    date, c->name, how, what, last);
	if (c->reason != NULL)
		buf_printf(b, "  \"%s\"", c->reason);
	buf_putc(b, '\n');
}

int
cmd_due(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, all = false, first = true;
	struct config *cfg;
	struct store *st;
	struct agenda a;
	struct buf b = {0};
	char *err = NULL;
	int status = 0, day = DAY_NONE, today, c;
	const char *date_arg = NULL;

	reset_getopt();
	while ((c = getopt_long(argc, argv, "d:ja", opts, NULL)) != -1) {
		switch (c) {
		case 'd': date_arg = optarg; break;
		case 'j': json = true; break;
		case 'a': all = true; break;
		default: return cmd_usage_error(app, "due [--date YYYY-MM-DD] [--json] [--all]");
		}
	}
	if (optind != argc)
		return cmd_usage_error(app, "due [--date YYYY-MM-DD] [--json] [--all]");
	cfg = cmd_load(app, &status);
	if (cfg == NULL)
		return status;
	today = tz_day_of(app->now);
	day = today;
	if (date_arg != NULL && cmd_parse_date(app, "--date", date_arg, &day) < 0) {
		config_free(cfg);
		return EX_USAGE;
	}
	st = cmd_open_store(app, cfg, &status);
	if (st == NULL) {
		config_free(cfg);
		return status;
	}
	if (agenda_build(&a, cfg, st, day, app->now, &err) < 0) {
		store_close(st);
		config_free(cfg);
		return cmd_store_error(app, err);
	}
	if (json)
		buf_putc(&b, '[');
	for (size_t i = 0; i < a.count; i++) {
		if (a.items[i].status == FU_OK && !all)
			continue;
		if (json) {
			buf_puts(&b, first ? "\n" : ",\n");
			item_json(&b, &a.items[i]);
		} else {
			item_text(&b, &a.items[i]);
		}
		first = false;
	}
	if (json)
		buf_puts(&b, first ? "]\n" : "\n]\n");
	else if (first && app->verbosity >= 0)
		buf_puts(&b, "Nothing due: everyone is up to date.\n");
	fputs(buf_str(&b), app->out);
	buf_free(&b);
	agenda_free(&a);
	store_close(st);
	config_free(cfg);
	return 0;
}

/* ---- log, snooze, pause, resume -------------------------------------------- */

int
cmd_log(struct app *app, int argc, char **argv)
{
	static const char *usage =
	    "log WHO [--via email|call|card|meeting|message|other] [--date YYYY-MM-DD] [--note TEXT]";
	static const struct option opts[] = {
		{ "via", required_argument, NULL, 'v' },
		{ "date", required_argument, NULL, 'd' },
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *via_arg = "other", *date_arg = NULL, *note = NULL;
	struct store_touch t = {0};
	const struct contact *who;
	struct config *cfg;
	struct store *st;
	char *err = NULL, *key;
	int status = 0, c, day, today;
	bool added;
	enum via via;

	const char *who_arg = NULL;

	/* WHO may come before, between or after the options. */
	reset_getopt();
	while (optind < argc) {
		c = getopt_long(argc, argv, "+v:d:n:", opts, NULL);
		if (c == -1) {
			if (who_arg != NULL)
				return cmd_usage_error(app, usage);
			who_arg = argv[optind++];
			continue;
		}
		switch (c) {
		case 'v': via_arg = optarg; break;
		case 'd': date_arg = optarg; break;
		case 'n': note = optarg; break;
		default: return cmd_usage_error(app, usage);
		}
	}
	if (who_arg == NULL)
		return cmd_usage_error(app, usage);
	if (via_parse(via_arg, strlen(via_arg), &via) < 0) {
		fprintf(app->err, "followupd: --via: '%s' is not one of email, call, card, meeting, message, other\n", via_arg);
		return EX_USAGE;
	}
	cfg = cmd_load(app, &status);
	if (cfg == NULL)
		return status;
	today = tz_day_of(app->now);
	day = today;
	if ((date_arg != NULL && cmd_parse_date(app, "--date", date_arg, &day) < 0) ||
	    (who = resolve(app, cfg, who_arg, &status)) == NULL) {
		config_free(cfg);
		return status ? status : EX_USAGE;
	}
	if (day > today) {
		fprintf(app->err, "followupd: --date %s is in the future\n", date_arg);
		config_free(cfg);
		return EX_DATAERR;
	}
	st = cmd_open_store(app, cfg, &status);
	if (st == NULL) {
		config_free(cfg);
		return status;
	}
	/* Today's entry is stamped now; an earlier day's at local noon. */
	t.at = day == today ? app->now : tz_time_of(day, 12 * 60);
	key = xasprintf("log:%s:%lld:%s", who->id, (long long)t.at, via_name(via));
	t.key = key;
	t.contact = who->id;
	t.via = via;
	t.source = "log";
	t.note = note;
	if (store_begin(st, &err) < 0 ||
	    store_add_touch(st, &t, &added, &err) < 0 ||
	    (note != NULL && store_add_note(st, who->id, t.at, note, &err) < 0) ||
	    store_commit(st, &err) < 0) {
		store_rollback(st);
		free(key);
		store_close(st);
		config_free(cfg);
		return cmd_store_error(app, err);
	}
	if (app->verbosity >= 0) {
		char d[DAY_STRLEN];

		day_format(day, d);
		fprintf(app->out, "Logged %s with %s on %s.\n", via_name(via), who->name, d);
	}
	free(key);
	store_close(st);
	config_free(cfg);
	return 0;
}

int
cmd_snooze(struct app *app, int argc, char **argv)
{
	const struct contact *who;
	struct config *cfg;
	struct store *st;
	struct span span;
	const char *why;
	char *err = NULL, d[DAY_STRLEN];
	int status = 0, today, until;

	if (argc != 3)
		return cmd_usage_error(app, "snooze WHO DURATION|YYYY-MM-DD");
	cfg = cmd_load(app, &status);
	if (cfg == NULL)
		return status;
	today = tz_day_of(app->now);
	if (day_parse(argv[2], &until) < 0) {
		if (span_parse(argv[2], &span, &why) < 0) {
			fprintf(app->err, "followupd: snooze: '%s' is neither a date (YYYY-MM-DD) nor a duration such as 2w: %s\n",
			    argv[2], why);
			config_free(cfg);
			return EX_USAGE;
		}
		until = span_add(today, span, 1);
	}
	if (until <= today) {
		fprintf(app->err, "followupd: snooze: %s is not in the future\n", argv[2]);
		config_free(cfg);
		return EX_DATAERR;
	}
	if ((who = resolve(app, cfg, argv[1], &status)) == NULL ||
	    (st = cmd_open_store(app, cfg, &status)) == NULL) {
		config_free(cfg);
		return status;
	}
	if (store_set_snooze(st, who->id, until, today, &err) < 0) {
		store_close(st);
		config_free(cfg);
		return cmd_store_error(app, err);
	}
	day_format(until, d);
	if (app->verbosity >= 0)
		fprintf(app->out, "Snoozed %s until %s.\n", who->name, d);
	store_close(st);
	config_free(cfg);
	return 0;
}

static int
set_pause(struct app *app, const char *who_arg, enum pause_mode mode, int until)
{
	const struct contact *who;
	struct config *cfg;
	struct store *st;
	char *err = NULL, d[DAY_STRLEN];
	int status = 0, today;

	cfg = cmd_load(app, &status);
	if (cfg == NULL)
		return status;
	today = tz_day_of(app->now);
	if (mode == PAUSE_UNTIL && until <= today) {
		day_format(until, d);
		fprintf(app->err, "followupd: pause: --until %s is not in the future\n", d);
		config_free(cfg);
		return EX_DATAERR;
	}
	if ((who = resolve(app, cfg, who_arg, &status)) == NULL ||
	    (st = cmd_open_store(app, cfg, &status)) == NULL) {
		config_free(cfg);
		return status;
	}
	if (store_set_pause(st, who->id, mode, until, today, &err) < 0) {
		store_close(st);
		config_free(cfg);
		return cmd_store_error(app, err);
	}
	if (app->verbosity >= 0) {
		if (mode == PAUSE_NO)
			fprintf(app->out, "Resumed %s.\n", who->name);
		else if (mode == PAUSE_YES)
			fprintf(app->out, "Paused %s.\n", who->name);
		else {
			day_format(until, d);
			fprintf(app->out, "Paused %s until %s.\n", who->name, d);
		}
		if (mode == PAUSE_NO && who->paused != PAUSE_NO)
			fprintf(app->err, "followupd: note: %s is also paused in %s (line %d); edit it there\n",
			    who->name, cfg->file, who->line);
	}
	store_close(st);
	config_free(cfg);
	return 0;
}

int
cmd_pause(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "until", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *until_arg = NULL, *who = NULL;
	int c, until = DAY_NONE;

	reset_getopt();
	while (optind < argc) {
		if ((c = getopt_long(argc, argv, "+u:", opts, NULL)) == -1) {
			if (who != NULL)
				return cmd_usage_error(app, "pause WHO [--until YYYY-MM-DD]");
			who = argv[optind++];
			continue;
		}
		if (c != 'u')
			return cmd_usage_error(app, "pause WHO [--until YYYY-MM-DD]");
		until_arg = optarg;
	}
	if (who == NULL)
		return cmd_usage_error(app, "pause WHO [--until YYYY-MM-DD]");
	if (until_arg != NULL && cmd_parse_date(app, "--until", until_arg, &until) < 0)
		return EX_USAGE;
	return set_pause(app, who, until_arg ? PAUSE_UNTIL : PAUSE_YES, until);
}

int
cmd_resume(struct app *app, int argc, char **argv)
{
	if (argc != 2 || app->help)   /* its WHO would be "--help" */
		return cmd_usage_error(app, "resume WHO");
	return set_pause(app, argv[1], PAUSE_NO, DAY_NONE);
}

/* ---- status ------------------------------------------------------------------ */

static void
print_time(FILE *f, const char *label, time_t t)
{
	char s[64];
	struct tm tm;

	if (t == 0) {
		fprintf(f, "%s never\n", label);
		return;
	}
	localtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%d %H:%M %Z", &tm);
	fprintf(f, "%s %s\n", label, s);
}

static void
print_feed(FILE *f, const struct config *cfg)
{
	const struct calendar_conf *cal = &cfg->calendar;
	char *token = NULL, *err = NULL;
	const char *lb, *rb;
	int rc;

	fprintf(f, "calendar file:  %s\n", cal->file);
	if (!cal->listen) {
		fprintf(f, "feed server:    off (set [calendar] listen)\n");
		return;
	}
	rc = feedsrv_token_load(cal->token_file, false, &token, &err);
	if (rc != 0) {
		fprintf(f, "feed server:    %s:%d (%s)\n", cal->listen_host, cal->listen_port,
		    rc > 0 ? "the token is made when the server first starts" : err);
		free(err);
		return;
	}
	lb = strchr(cal->listen_host, ':') != NULL ? "[" : "";
	rb = *lb ? "]" : "";
	fprintf(f, "feed URL:       %s://%s%s%s:%d/%s/" FEEDSRV_PATH "\n",
	    cal->tls_cert ? "https" : "http", lb, cal->listen_host, rb,
	    cal->listen_port, token);
	fprintf(f, "                webcal://%s%s%s:%d/%s/" FEEDSRV_PATH "\n",
	    lb, cal->listen_host, rb, cal->listen_port, token);
	free(token);
}

struct calsrc_row {
	const struct meet_source *m;
	FILE *f;
	bool seen;
};

static int
print_calsource(const struct store_calsource *c, void *arg)
{
	struct calsrc_row *r = arg;
	char label[80];

	if (strcmp(c->source, r->m->name) != 0)
		return 0;
	r->seen = true;
	snprintf(label, sizeof label, "  last refresh:");
	print_time(r->f, label, c->refreshed_at);
	fprintf(r->f, "  kept:         %ld calendar object%s, %ld meeting%s with others\n",
	    c->objects, c->objects == 1 ? "" : "s", c->meetings, c->meetings == 1 ? "" : "s");
	if (c->error != NULL) {
		char *e = clean_dup(c->error);

		print_time(r->f, "  last try:    ", c->tried_at);
		fprintf(r->f, "  error:        %s\n", e);
		free(e);
	}
	return 0;
}

static void
print_meetings(FILE *f, const struct config *cfg, struct store *st)
{
	static const char *const kinds[] = {
		[MSRC_CALDAV] = "CalDAV", [MSRC_ICS] = "iCalendar address", [MSRC_DIR] = "folder",
	};

	for (size_t i = 0; i < cfg->nmeetings; i++) {
		const struct meet_source *m = &cfg->meetings[i];
		struct calsrc_row r = { m, f, false };
		char *err = NULL;

		if (m->kind == MSRC_DIR) {
			fprintf(f, "meetings %-5s  %s %s, every %lds\n", m->name, kinds[m->kind],
			    m->dir, m->refresh);
		} else {
			char *where = calfetch_url_redact(m->server.url);

			fprintf(f, "meetings %-5s  %s %s%s%s, every %lds\n", m->name, kinds[m->kind],
			    where, m->server.user ? " as " : "", m->server.user ? m->server.user : "",
			    m->refresh);
			free(where);
		}
		if (store_calsources_each(st, print_calsource, &r, &err) < 0) {
			fprintf(f, "  state:        %s\n", err);
			free(err);
		} else if (!r.seen) {
			fprintf(f, "  last refresh: never\n");
		}
	}
}

int
cmd_status(struct app *app, int argc, char **argv)
{
	struct store_stats ss;
	struct config *cfg;
	struct store *st;
	char *err = NULL;
	int status = 0;
	FILE *f = app->out;

	if (argc != 1)
		return cmd_usage_error(app, "status");
	cfg = cmd_load(app, &status);
	if (cfg == NULL)
		return status;
	st = cmd_open_store(app, cfg, &status);
	if (st == NULL) {
		config_free(cfg);
		return status;
	}
	if (store_stats(st, &ss, &err) < 0) {
		store_close(st);
		config_free(cfg);
		return cmd_store_error(app, err);
	}
	fprintf(f, "config:         %s (%zu contacts, time zone %s)\n", cfg->file,
	    cfg->ncontacts, cfg->timezone);
	fprintf(f, "state:          %s/followupd.db (schema %d, %ld touches)\n",
	    cfg->state_dir, ss.schema, ss.touches);
	for (size_t i = 0; i < cfg->naccounts; i++) {
		const struct imap_account *a = &cfg->accounts[i];

		fprintf(f, "imap %-9s  %s as %s, Sent folder %s\n", a->name,
		    a->server.url, a->server.user,
		    a->sent_folder ? a->sent_folder : "found automatically");
	}
	if (cfg->naccounts == 0)
		fprintf(f, "imap:           none configured\n");
	if (cfg->has_smtp)
		fprintf(f, "smtp:           %s as %s\n", cfg->smtp.url, cfg->smtp.user);
	else
		fprintf(f, "smtp:           none configured\n");
	print_meetings(f, cfg, st);
	print_time(f, "last sync:     ", ss.last_sync);
	print_time(f, "last touch:    ", ss.last_touch);
	fprintf(f, "last digest:    %s\n", ss.last_digest[0] ? ss.last_digest : "never");
	{
		struct store_digest dg;
		char dday[16];

		if (store_digest_latest(st, NULL, dday, &dg, &err) == 0 &&
		    dg.state != STORE_DIGEST_SENT && !dg.ever_sent)
			fprintf(f, "digest problem: %s %s after %d attempt%s%s%s\n", dday,
			    dg.state == STORE_DIGEST_FAILED ? "not sent" : "interrupted while sending",
			    dg.attempts, dg.attempts == 1 ? "" : "s", dg.error[0] ? ": " : "", dg.error);
		free(err);
		err = NULL;
	}
	if (cfg->digest_off)
		fprintf(f, "next digest:    off\n");
	else
	{
		int done = DAY_NONE;

		if (ss.last_digest[0] != '\0')
			(void)day_parse(ss.last_digest, &done);
		print_time(f, "next digest:   ", schedule_next_digest(cfg, app->now, done));
	}
	print_feed(f, cfg);
	store_close(st);
	config_free(cfg);
	return 0;
}
