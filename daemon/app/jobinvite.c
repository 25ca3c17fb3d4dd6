/* The invites job: planned from the agenda, recorded as pending in one
 * transaction, then sent; an invite is marked sent only once the server
 * has accepted it, so a crash loses none and resends at most the one in
 * flight, with its Message-ID. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cal.h"
#include "day.h"
#include "invite.h"
#include "job.h"

struct known_list {
	struct invite_known *k;
	size_t n, cap;
};

static int
collect_known(const struct store_invite *inv, void *arg)
{
	struct known_list *l = arg;
	struct invite_known *k;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->k = xrealloc(l->k, l->cap * sizeof *l->k);
	}
	k = &l->k[l->n++];
	k->uid = xstrdup(inv->uid);
	k->contact = xstrdup(inv->contact);
	k->sequence = inv->sequence;
	if (day_parse(inv->due, &k->day) < 0)
		k->day = 0;
	k->cancelled = inv->method == STORE_INVITE_CANCEL;
	k->closed = inv->state == STORE_INVITE_CLOSED;
	return 0;
}

static void
known_free(struct known_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((char *)l->k[i].uid);
		free((char *)l->k[i].contact);
	}
	free(l->k);
}

int
job_invites_placed(const struct config *cfg, struct store *st, struct cal_placed **out,
    size_t *n, char **err)
{
	struct known_list known = { 0 };
	size_t m = 0;

	*out = NULL;
	*n = 0;
	if (!cfg->calendar.invites)
		return 0;
	if (store_invites_each(st, collect_known, &known, err) < 0) {
		known_free(&known);
		return -1;
	}
	*out = xcalloc(known.n + 1, sizeof **out);
	for (size_t i = 0; i < known.n; i++)
		if (!known.k[i].cancelled && !known.k[i].closed)
			(*out)[m++] = (struct cal_placed){ xstrdup(known.k[i].uid), known.k[i].day };
	*n = m;
	known_free(&known);
	return 0;
}

void
job_placed_free(struct cal_placed *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)p[i].uid);
	free(p);
}

/* Records the plan: every action in one transaction. */
static int
record(const struct job_ctx *ctx, const struct invite_action *a, size_t n,
    const struct known_list *known, char **err)
{
	struct store *st = ctx->st;

	if (store_begin(st, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char due[DAY_STRLEN], *msg = NULL, *id = NULL;
		struct store_invite inv = { a[i].ev.uid, a[i].contact, a[i].sequence,
		    STORE_INVITE_REQUEST, due, STORE_INVITE_CLOSED, NULL };
		int rc;

		day_format(a[i].ev.day, due);
		if (a[i].kind == INVITE_SEND) {
			inv.method = a[i].method == CAL_CANCEL ? STORE_INVITE_CANCEL :
			    STORE_INVITE_REQUEST;
			inv.state = STORE_INVITE_PENDING;
			inv.message = msg = invite_message(ctx->cfg, &a[i], ctx->now);
			id = invite_message_id(ctx->cfg, a[i].ev.uid, a[i].sequence);
		} else {
			/* Closed: its date passed. It keeps the method it
			 * was last sent with. */
			for (size_t j = 0; j < known->n; j++)
				if (strcmp(known->k[j].uid, a[i].ev.uid) == 0 && known->k[j].cancelled)
					inv.method = STORE_INVITE_CANCEL;
		}
		rc = store_invite_put(st, &inv, id, ctx->now, err);
		free(msg);
		free(id);
		if (rc < 0) {
			store_rollback(st);
			return -1;
		}
	}
	return store_commit(st, err);
}

struct pending {
	char *uid, *message, *due;
	enum cal_method method;
	int sequence;
};

struct pending_list {
	struct pending *p;
	size_t n, cap;
};

static int
collect_pending(const struct store_invite *inv, void *arg)
{
	struct pending_list *l = arg;
	struct pending *p;

	if (inv->message == NULL)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->p = xrealloc(l->p, l->cap * sizeof *l->p);
	}
	p = &l->p[l->n++];
	p->uid = xstrdup(inv->uid);
	p->method = inv->method == STORE_INVITE_CANCEL ? CAL_CANCEL : CAL_REQUEST;
	p->message = xstrdup(inv->message);
	p->due = xstrdup(inv->due);
	p->sequence = inv->sequence;
	return 0;
}

static void
pending_free(struct pending_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->p[i].uid);
		free(l->p[i].message);
		free(l->p[i].due);
	}
	free(l->p);
}

/* Sends the pending invites in order. A temporary failure stops: the
 * rest wait for the next call, in order; a refusal is given up, so that
 * it holds up no other. -1 when the state failed (out->o says why). */
static int
send_pending(const struct job_ctx *ctx, const struct pending_list *pend,
    struct job_invites *out)
{
	const struct server *sv = &ctx->cfg->smtp;
	const char *who = sv->user != NULL ? sv->user : sv->host;
	char *err = NULL;

	for (size_t i = 0; i < pend->n; i++) {
		const struct pending *p = &pend->p[i];
		enum smtp_rc rc = job_send(ctx, ctx->cfg->me_addr, p->message, &err);

		if (rc == SMTP_TEMP) {
			job_note(&out->o, JOB_WARN, "smtp %s: invite %s not sent: %s", who, p->uid,
			    err != NULL ? err : "failed");
			free(err);
			out->pending = pend->n - i;
			return 0;
		}
		if (rc == SMTP_FINAL) {
			job_note(&out->o, JOB_ERR, "smtp %s: invite %s not sent: %s", who, p->uid,
			    err != NULL ? err : "failed");
			free(err);
			err = NULL;
			out->failed++;
			if (store_invite_failed(ctx->st, p->uid, p->sequence, ctx->now, &err) < 0)
				goto state_failed;
			continue;
		}
		if (store_invite_sent(ctx->st, p->uid, p->sequence, ctx->now, &err) < 0)
			goto state_failed;
		if (p->method == CAL_CANCEL)
			out->cancelled++;
		else
			out->sent++;
		job_note(&out->o, JOB_INFO, "Sent the invite %s %s for %s (sequence %d)",
		    cal_method_name(p->method), p->uid, p->due, p->sequence);
	}
	return 0;
state_failed:
	job_fail(&out->o, JOB_STATE, "%s", err);
	free(err);
	return -1;
}

void
job_invites(const struct job_ctx *ctx, const struct fu_item *items, size_t n,
    int today, struct job_invites *out)
{
	const struct server *sv = &ctx->cfg->smtp;
	const char *who = sv->user != NULL ? sv->user : sv->host;
	struct known_list known = { 0 };
	struct pending_list pend = { 0 };
	struct invite_action *acts = NULL;
	size_t nacts = 0;
	char *err = NULL;

	*out = (struct job_invites){ 0 };
	if (store_invites_each(ctx->st, collect_known, &known, &err) < 0)
		goto state_failed;
	nacts = invite_plan(ctx->cfg, items, n, known.k, known.n, today, &acts);
	if (record(ctx, acts, nacts, &known, &err) < 0 ||
	    store_invites_pending(ctx->st, collect_pending, &pend, &err) < 0)
		goto state_failed;
	if (send_pending(ctx, &pend, out) < 0)
		goto done;
	if (out->failed > 0)
		job_fail(&out->o, JOB_FINAL, "smtp %s: the server refused %zu invite%s", who,
		    out->failed, out->failed == 1 ? "" : "s");
	if (out->pending > 0)
		job_fail(&out->o, JOB_TEMP, "smtp %s: %zu invite%s not sent yet", who,
		    out->pending, out->pending == 1 ? "" : "s");
	goto done;
state_failed:
	job_fail(&out->o, JOB_STATE, "%s", err);
	free(err);
done:
	pending_free(&pend);
	invite_actions_free(acts, nacts);
	known_free(&known);
}
