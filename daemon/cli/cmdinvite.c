/* The invites of followupd(8), sent by "digest" (and by "run"): planned
 * from the agenda, recorded as pending in one transaction, then sent; an
 * invite is marked sent only once the server has accepted it, so a crash
 * loses none and resends at most the one in flight, with its Message-ID. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "cal.h"
#include "cmd.h"
#include "day.h"
#include "invite.h"
#include "smtp.h"

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
	k->cancelled = strcmp(inv->method, "CANCEL") == 0;
	k->closed = strcmp(inv->state, "closed") == 0;
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
cmd_invites_placed(const struct config *cfg, struct store *st, struct cal_placed **out,
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
cmd_placed_free(struct cal_placed *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)p[i].uid);
	free(p);
}

/* Records the plan: every action in one transaction. */
static int
record(struct app *app, const struct config *cfg, struct store *st,
    const struct invite_action *a, size_t n, const struct known_list *known, char **err)
{
	if (store_begin(st, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char due[DAY_STRLEN], *msg = NULL, *id = NULL;
		struct store_invite inv = { a[i].ev.uid, a[i].contact, a[i].sequence, NULL, due,
		    NULL, NULL };
		int rc;

		day_format(a[i].ev.day, due);
		if (a[i].kind == INVITE_SEND) {
			inv.method = cal_method_name(a[i].method);
			inv.state = "pending";
			inv.message = msg = invite_message(cfg, &a[i], app->now);
			id = invite_message_id(cfg, a[i].ev.uid, a[i].sequence);
		} else {
			inv.method = "REQUEST";
			for (size_t j = 0; j < known->n; j++)
				if (strcmp(known->k[j].uid, a[i].ev.uid) == 0 && known->k[j].cancelled)
					inv.method = "CANCEL";
			inv.state = "closed";
		}
		rc = store_invite_put(st, &inv, id, app->now, err);
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
	char *uid, *method, *message, *due;
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
	p->method = xstrdup(inv->method);
	p->message = xstrdup(inv->message);
	p->due = xstrdup(inv->due);
	p->sequence = inv->sequence;
	return 0;
}

int
cmd_invites(struct app *app, const struct config *cfg, struct store *st,
    const struct fu_item *items, size_t n, int today)
{
	struct known_list known = { 0 };
	struct pending_list pend = { 0 };
	struct invite_action *acts = NULL;
	size_t nacts = 0;
	char *err = NULL;
	int status = 0;

	if (store_invites_each(st, collect_known, &known, &err) < 0)
		goto store_failed;
	nacts = invite_plan(cfg, items, n, known.k, known.n, today, &acts);
	if (record(app, cfg, st, acts, nacts, &known, &err) < 0)
		goto store_failed;
	if (store_invites_pending(st, collect_pending, &pend, &err) < 0)
		goto store_failed;
	for (size_t i = 0; i < pend.n; i++) {
		struct pending *p = &pend.p[i];
		enum smtp_rc rc;
		int code;

		cmd_keepalive(app);
		rc = smtp_send(&cfg->smtp, cfg->me_addr, cfg->me_addr, p->message,
		    strlen(p->message), NULL, &code, &err);
		if (rc != SMTP_OK) {
			fprintf(app->err, "followupd: smtp %s: invite %s not sent: %s\n",
			    cfg->smtp.user != NULL ? cfg->smtp.user : cfg->smtp.host, p->uid, err);
			free(err);
			err = NULL;
			if (rc == SMTP_TEMP) {
				status = EX_TEMPFAIL;   /* still pending: the next run sends it */
				break;
			}
			/* Refused: given up, so that it holds up no other. */
			status = EX_UNAVAILABLE;
			if (store_invite_failed(st, p->uid, p->sequence, app->now, &err) < 0)
				goto store_failed;
			continue;
		}
		if (store_invite_sent(st, p->uid, p->sequence, app->now, &err) < 0)
			goto store_failed;
		if (app->verbosity >= 0)
			fprintf(app->out, "Sent the invite %s %s for %s (sequence %d)\n", p->method,
			    p->uid, p->due, p->sequence);
	}
	goto done;
store_failed:
	status = cmd_store_error(app, err);
done:
	for (size_t i = 0; i < pend.n; i++) {
		free(pend.p[i].uid);
		free(pend.p[i].method);
		free(pend.p[i].message);
		free(pend.p[i].due);
	}
	free(pend.p);
	invite_actions_free(acts, nacts);
	known_free(&known);
	return status;
}
