/* followupd suggest [--limit N] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "suggest.h"

#define SUGGEST_USAGE "suggest [--limit N]"
#define SUGGEST_PERIOD (365L * 86400)   /* the year behind */

struct rows {
	char **address;
	long *count;
	time_t *first, *last;
	size_t n, cap;
};

static int
collect(const char *address, long count, time_t first, time_t last, void *arg)
{
	struct rows *r = arg;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->address = xrealloc(r->address, r->cap * sizeof *r->address);
		r->count = xrealloc(r->count, r->cap * sizeof *r->count);
		r->first = xrealloc(r->first, r->cap * sizeof *r->first);
		r->last = xrealloc(r->last, r->cap * sizeof *r->last);
	}
	r->address[r->n] = xstrdup(address);
	r->count[r->n] = count;
	r->first[r->n] = first;
	r->last[r->n] = last;
	r->n++;
	return 0;
}

int
cmd_suggestions(struct app *app, const struct config *cfg, struct store *st, size_t limit,
    struct suggestion **out, size_t *n, char **err)
{
	struct rows r = { 0 };
	int rc = store_correspondents_each(st, app->now - SUGGEST_PERIOD, collect, &r, err);

	*n = 0;
	*out = NULL;
	if (rc == 0)
		*n = suggest_pick(cfg, (const char *const *)r.address, r.count, r.first, r.last,
		    r.n, limit, out);
	for (size_t i = 0; i < r.n; i++)
		free(r.address[i]);
	free(r.address);
	free(r.count);
	free(r.first);
	free(r.last);
	return rc;
}

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
	if (cmd_suggestions(app, cfg, st, (size_t)limit, &s, &n, &err) < 0) {
		status = cmd_store_error(app, err);
	} else if (n == 0) {
		if (app->verbosity >= 0)
			fprintf(app->out, "; Nobody to suggest: everyone written to %d times or more "
			    "in the last year is a contact.\n", SUGGEST_MIN_MESSAGES);
	} else {
		struct buf b = { 0 };

		buf_printf(&b, "; Written to often, and within the last year; not in %s.\n"
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
