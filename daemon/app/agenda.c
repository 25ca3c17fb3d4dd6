#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agenda.h"
#include "buf.h"
#include "clean.h"
#include "day.h"
#include "tz.h"

struct fill {
	const struct config *cfg;
	struct agenda *a;
	bool *known;
};

static void
add_latest(void *arg, const char *address, const char *contact, enum via via,
    time_t at)
{
	struct fill *f = arg;
	const struct contact *c = NULL;

	if (contact[0] != '\0')
		c = config_contact(f->cfg, contact);
	else if (address[0] != '\0')
		c = config_contact_by_addr(f->cfg, address);
	if (c == NULL)
		return;
	followup_history_add(&f->a->histories[c - f->cfg->contacts], at,
	    tz_day_of(at), via);
}

/* The newest meeting with an address, read from a calendar: a touch by
 * meeting, and the meeting that opens the contact's after_meeting steps. */
static void
add_met(void *arg, const char *address, time_t end)
{
	struct fill *f = arg;
	const struct contact *c = config_contact_by_addr(f->cfg, address);
	struct fu_history *h;

	if (c == NULL)
		return;
	h = &f->a->histories[c - f->cfg->contacts];
	followup_history_add(h, end, tz_day_of(end), VIA_MEETING);
	followup_history_meeting(h, end, tz_day_of(end), tz_minute_of(end));
}

static char *keep(struct agenda *a, char *s);

/* The newest message sent to or received from a contact (whichever of
 * its addresses), with the day its wait ends. */
static void
add_message(struct fill *f, const char *address, time_t at, const char *key,
    const char *subject, bool received)
{
	const struct contact *c = config_contact_by_addr(f->cfg, address);
	struct fu_message *m;
	long wait;

	if (c == NULL)
		return;
	m = received ? &f->a->histories[c - f->cfg->contacts].received :
	    &f->a->histories[c - f->cfg->contacts].sent;
	if (m->any && m->at >= at)
		return;
	wait = received ? c->answer_within : c->nudge;
	m->any = true;
	m->at = at;
	m->day = tz_day_of(at);
	m->wait_day = tz_day_of(at + wait);
	/* Kept by the agenda: a few per contact at most. */
	m->key = keep(f->a, xstrdup(key));
	m->address = keep(f->a, xstrdup(address));
	m->subject = subject != NULL ? keep(f->a, clean_dup(subject)) : NULL;
}

static void
add_sent(void *arg, const char *address, time_t at, const char *key, const char *subject)
{
	add_message(arg, address, at, key, subject, false);
}

static void
add_received(void *arg, const char *address, time_t at, const char *key,
    const char *subject)
{
	add_message(arg, address, at, key, subject, true);
}

static void
add_state(void *arg, const char *id, const struct fu_state *s)
{
	struct fill *f = arg;
	const struct contact *c = config_contact(f->cfg, id);

	if (c == NULL)
		return;
	f->a->states[c - f->cfg->contacts] = *s;
	f->known[c - f->cfg->contacts] = true;
}

static int
note_new(struct fill *f, struct store *st, int today, char **err)
{
	const struct config *cfg = f->cfg;
	const char **ids = xcalloc(cfg->ncontacts, sizeof *ids);
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < cfg->ncontacts; i++) {
		if (!f->known[i]) {
			ids[n++] = cfg->contacts[i].id;
			f->a->states[i].first_seen = today;
		}
	}
	if (n > 0)
		rc = store_note_contacts(st, ids, n, today, err);
	free(ids);
	return rc;
}

struct checkback {
	char *address, *name, *reason;   /* name "" when the message had none */
	int due;
};

struct cb_list {
	struct checkback *v;
	size_t n, cap;
};

static int
collect_checkback(const char *address, const char *name, int due, const char *reason,
    time_t created, void *arg)
{
	struct cb_list *l = arg;

	(void)created;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	/* The subject of a message: cleaned again here, since states written
	 * by earlier versions kept it raw, and due, the digest, the feed and
	 * the invites all show it. */
	l->v[l->n++] = (struct checkback){ xstrdup(address), clean_dup(name), clean_dup(reason),
	    due };
	return 0;
}

static char *
keep(struct agenda *a, char *s)
{
	a->strings = xrealloc(a->strings, (a->nstrings + 1) * sizeof *a->strings);
	a->strings[a->nstrings++] = s;
	return s;
}

/* One item per open check-back: on the contact the address belongs to, or
 * on a contact made for the address. */
static int
add_checkbacks(struct agenda *a, const struct config *cfg, const struct fu_settings *s,
    struct store *st, int day, char **err)
{
	static const struct fu_state free_state = { DAY_NONE, DAY_NONE, PAUSE_NO, DAY_NONE };
	struct cb_list l = { 0 };
	size_t nothers = 0;

	if (store_checkbacks_open(st, collect_checkback, &l, err) < 0) {
		for (size_t i = 0; i < l.n; i++) {
			free(l.v[i].address);
			free(l.v[i].name);
			free(l.v[i].reason);
		}
		free(l.v);
		return -1;
	}
	for (size_t i = 0; i < l.n; i++)
		nothers += config_contact_by_addr(cfg, l.v[i].address) == NULL;
	a->extra = xcalloc(nothers + 1, sizeof *a->extra);
	a->items = xrealloc(a->items, (a->count + l.n + 1) * sizeof *a->items);
	for (size_t i = 0; i < l.n; i++) {
		const struct contact *c = config_contact_by_addr(cfg, l.v[i].address);
		struct fu_item *it = &a->items[a->count++];
		char *address = keep(a, l.v[i].address);
		bool known = c != NULL;
		const char *title = "check back";

		if (c == NULL) {
			struct contact *x = &a->extra[a->nextra++];

			/* Named as the message named them: "Carla Client". */
			x->id = address;
			x->name = *l.v[i].name ? keep(a, l.v[i].name) : address;
			/* The one-address list is freed with the strings. */
			x->emails = (char **)keep(a, (char *)xcalloc(2, sizeof(char *)));
			x->emails[0] = address;
			x->nemails = 1;
			x->last = x->once_day = DAY_NONE;
			c = x;
		}
		if (known || !*l.v[i].name)
			free(l.v[i].name);   /* not kept as the name */
		if (*l.v[i].reason)
			title = keep(a, l.v[i].reason);
		else
			free(l.v[i].reason);
		/* A contact's pause or snooze holds it as it holds the rest. */
		followup_checkback(c, s, known ? &a->states[c - cfg->contacts] : &free_state,
		    known ? &a->histories[c - cfg->contacts] : &a->none, l.v[i].due, title,
		    day, it);
	}
	free(l.v);
	return 0;
}

int
agenda_build(struct agenda *a, const struct config *cfg, struct store *st,
    int day, time_t now, char **err)
{
	struct fill f = { cfg, a, NULL };
	struct fu_settings s = {
		cfg->horizon, cfg->card_lead
	};
	size_t n = cfg->ncontacts;
	int today = tz_day_of(now);
	time_t met_before;

	memset(a, 0, sizeof *a);
	a->histories = xcalloc(n, sizeof *a->histories);
	a->states = xcalloc(n, sizeof *a->states);
	a->items = xcalloc(n * FU_MAX_ITEMS, sizeof *a->items);
	f.known = xcalloc(n, sizeof *f.known);
	for (size_t i = 0; i < n; i++) {
		a->states[i] = (struct fu_state){ DAY_NONE, DAY_NONE, PAUSE_NO, DAY_NONE };
		if (cfg->contacts[i].last != DAY_NONE)
			followup_history_add(&a->histories[i],
			    tz_time_of(cfg->contacts[i].last, 0),
			    cfg->contacts[i].last, VIA_OTHER);
	}
	/* A meeting counts once it has ended: by the end of a day gone by,
	 * by now today. */
	met_before = tz_time_of(day + 1, 0);
	if (now < met_before)
		met_before = now;
	if (store_each_latest(st, tz_time_of(day + 1, 0), add_latest, &f, err) < 0 ||
	    store_each_met(st, met_before, add_met, &f, err) < 0 ||
	    store_each_sent(st, tz_time_of(day + 1, 0), add_sent, &f, err) < 0 ||
	    store_each_received(st, tz_time_of(day + 1, 0), add_received, &f, err) < 0 ||
	    store_each_state(st, add_state, &f, err) < 0 ||
	    note_new(&f, st, today, err) < 0) {
		free(f.known);
		agenda_free(a);
		return -1;
	}
	free(f.known);
	for (size_t i = 0; i < n; i++)
		a->count += followup_items(&cfg->contacts[i], &s, &a->histories[i],
		    &a->states[i], day, a->items + a->count);
	if (add_checkbacks(a, cfg, &s, st, day, err) < 0) {
		agenda_free(a);
		return -1;
	}
	followup_sort(a->items, a->count);
	return 0;
}

void
agenda_free(struct agenda *a)
{
	free(a->items);
	free(a->histories);
	free(a->states);
	free(a->extra);
	for (size_t i = 0; i < a->nstrings; i++)
		free(a->strings[i]);
	free(a->strings);
	memset(a, 0, sizeof *a);
}
