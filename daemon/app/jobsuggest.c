/* The suggestions job: people written to often within the last year who
 * are not contacts, from the state's per-folder counts; and people met at
 * a meeting read from a calendar who are not contacts. */
#include <stdlib.h>

#include "buf.h"
#include "job.h"
#include "suggest.h"

#define JOB_SUGGEST_PERIOD (365L * 86400)   /* the year behind */

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
job_suggestions(const struct job_ctx *ctx, size_t limit, struct suggestion **out, size_t *n,
    char **err)
{
	struct rows r = { 0 };
	int rc = store_correspondents_each(ctx->st, ctx->now - JOB_SUGGEST_PERIOD, collect, &r,
	    err);

	*n = 0;
	*out = NULL;
	if (rc == 0)
		*n = suggest_pick(ctx->cfg, (const char *const *)r.address, r.count, r.first,
		    r.last, r.n, limit, out);
	for (size_t i = 0; i < r.n; i++)
		free(r.address[i]);
	free(r.address);
	free(r.count);
	free(r.first);
	free(r.last);
	return rc;
}

struct met {
	const struct config *cfg;
	struct suggestion **v;
	size_t *n;
	time_t since, until;
	size_t limit;
};

static int
add_met(const struct store_meeting *m, const struct store_person *p, void *arg)
{
	struct met *x = arg;

	if (m->end > x->since && m->end <= x->until && *x->n < x->limit)
		*x->n = suggest_add_met(x->cfg, x->v, *x->n, p->address, p->name, m->title,
		    m->end);
	return 0;
}

int
job_met(const struct job_ctx *ctx, time_t since, time_t until, size_t limit,
    struct suggestion **v, size_t *n, char **err)
{
	struct met x = { ctx->cfg, v, n, since, until, limit };

	return store_meetings_each(ctx->st, since, until, add_met, &x, err);
}
