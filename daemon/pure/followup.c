#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "day.h"
#include "followup.h"
#include "hmap.h"

const char *
followup_status_name(enum fu_status s)
{
	static const char *const names[] = {
		"overdue", "due", "upcoming", "snoozed", "paused", "ok"
	};

	return names[s];
}

const char *
followup_kind_name(enum fu_kind k)
{
	static const char *const names[] = {
		"cadence", "birthday", "meeting", "once", "checkback", "noreply", "waiting",
	};

	return names[k];
}

void
followup_history_add(struct fu_history *h, time_t at, int day, enum via via)
{
	if (!h->any || at > h->last_at) {
		h->any = true;
		h->last_at = at;
		h->last_day = day;
		h->last_via = via;
	}
	if (!h->has_via[via] || at > h->via_at[via]) {
		h->has_via[via] = true;
		h->via_at[via] = at;
		h->via_day[via] = day;
	}
}

void
followup_history_meeting(struct fu_history *h, time_t at, int day, int minute)
{
	if (!h->cal_met || at > h->cal_met_at) {
		h->cal_met = true;
		h->cal_met_at = at;
		h->cal_met_day = day;
		h->cal_met_minute = minute;
	}
}

/* The status on today of an item due on D and overdue after O. */
static enum fu_status
followup_status(int due, int overdue, struct span horizon, int today)
{
	if (today > overdue)
		return FU_OVERDUE;
	if (today >= due)
		return FU_DUE;
	if (today >= span_add(due, horizon, -1))
		return FU_UPCOMING;
	return FU_OK;
}

/* The first due date of a never-contacted contact, spread over its first
 * period after first_seen, stable per id. */
static int
followup_spread(const char *id, struct span due, int first_seen)
{
	int period = span_add(first_seen, due, 1) - first_seen;

	return first_seen + (int)(hmap_hash(id) % (unsigned long)period);
}

/* Not before a pause's or snooze's end: the item comes back due on that day. */
static void
hold(struct fu_item *it, int until)
{
	if (until > it->due) {
		it->overdue += until - it->due;
		it->due = until;
	}
}

static bool
paused_on(enum pause_mode mode, int until, int today)
{
	return mode == PAUSE_YES || (mode == PAUSE_UNTIL && today < until);
}

static void
finish(struct fu_item *it, const struct contact *c, const struct fu_settings *s,
    const struct fu_state *st, int today, bool resolved)
{
	bool paused = false, snoozed = false;

	it->held_until = DAY_NONE;

	if (c->paused == PAUSE_UNTIL)
		hold(it, c->paused_until);
	if (st->paused == PAUSE_UNTIL)
		hold(it, st->paused_until);
	if (st->snooze_until != DAY_NONE)
		hold(it, st->snooze_until);
	paused = paused_on(c->paused, c->paused_until, today) ||
	    paused_on(st->paused, st->paused_until, today);
	snoozed = st->snooze_until != DAY_NONE && today < st->snooze_until;

	if (snoozed)
		it->held_until = st->snooze_until;
	else if (paused && c->paused == PAUSE_UNTIL && today < c->paused_until)
		it->held_until = c->paused_until;
	else if (paused && st->paused == PAUSE_UNTIL)
		it->held_until = st->paused_until;
	it->days_late = today - it->due;
	it->resolved = resolved;
	if (resolved)
		it->status = FU_OK;
	else if (paused)
		it->status = FU_PAUSED;
	else if (snoozed)
		it->status = FU_SNOOZED;
	else
		it->status = followup_status(it->due, it->overdue, s->horizon, today);
}

void
followup_checkback(const struct contact *c, const struct fu_settings *s,
    const struct fu_state *st, const struct fu_history *h, int due, const char *title,
    int today, struct fu_item *it)
{
	memset(it, 0, sizeof *it);
	it->contact = c;
	it->kind = FU_CHECKBACK;
	it->via = VIA_EMAIL;
	it->title = title;
	it->history = h;
	it->due = it->overdue = it->cycle = due;
	finish(it, c, s, st, today, false);
}

static const char *
step_title(enum via v)
{
	switch (v) {
	case VIA_EMAIL: return "thank-you email";
	case VIA_CARD: return "handwritten card";
	case VIA_CALL: return "follow-up call";
	case VIA_MEETING: return "follow-up meeting";
	case VIA_MESSAGE: return "follow-up message";
	case VIA_OTHER: break;
	}
	return "follow-up";
}

/* The birthday's date in year y; Feb 29 falls on Feb 28 in common years. */
static int
birthday_in(const struct contact *c, int y)
{
	int d = c->bday_day;

	if (c->bday_month == 2 && d == 29 && !day_is_leap(y))
		d = 28;
	return day_from_ymd(y, c->bday_month, d);
}

size_t
followup_items(const struct contact *c, const struct fu_settings *s,
    const struct fu_history *h, const struct fu_state *st, int today,
    struct fu_item *out)
{
	size_t n = 0;
	int y, m, d;

	if (c->has_cadence) {
		struct fu_item *it = &out[n++];

		memset(it, 0, sizeof *it);
		it->contact = c;
		it->kind = FU_CADENCE;
		it->history = h;
		it->cycle = h->any ? h->last_day : DAY_NONE;
		if (h->any) {
			it->due = span_add(h->last_day, c->cadence.due, 1);
			it->overdue = span_add(h->last_day, c->cadence.overdue, 1);
		} else {
			int fs = st->first_seen != DAY_NONE ? st->first_seen : today;
			int window = span_add(fs, c->cadence.overdue, 1) -
			    span_add(fs, c->cadence.due, 1);

			it->due = followup_spread(c->id, c->cadence.due, fs);
			it->overdue = it->due + window;
		}
		finish(it, c, s, st, today, false);
	}
	if (c->bday_month != 0) {
		struct fu_item *it = &out[n++];
		int bd;
		bool resolved;

		memset(it, 0, sizeof *it);
		it->contact = c;
		it->kind = FU_BIRTHDAY;
		it->via = VIA_CARD;
		it->title = "birthday card";
		it->history = h;
		day_to_ymd(today, &y, &m, &d);
		bd = birthday_in(c, y);
		if (bd < today)
			bd = birthday_in(c, y + 1);
		it->overdue = it->cycle = bd;
		it->due = span_add(bd, s->card_lead, -1);
		/* A card sent in this cycle's window counts for this birthday. */
		resolved = h->has_via[VIA_CARD] &&
		    h->via_day[VIA_CARD] >= span_add(it->due, s->horizon, -1) &&
		    h->via_day[VIA_CARD] <= bd;
		finish(it, c, s, st, today, resolved);
	}
	if (c->has_met || h->cal_met) {
		/* The newer of "met =" and the calendar's last meeting. */
		bool cal = h->cal_met && (!c->has_met || h->cal_met_at > c->met_at);
		time_t met_at = cal ? h->cal_met_at : c->met_at;
		int met_day = cal ? h->cal_met_day : c->met_day;
		int met_minute = cal ? h->cal_met_minute : c->met_minute;

		for (size_t i = 0; i < c->nafter_meeting; i++) {
			struct fu_item *it = &out[n];
			enum via v = c->after_meeting[i].via;
			bool resolved;
			int overdue = met_day +
			    (int)((met_minute + c->after_meeting[i].seconds / 60) / 1440);

			/* A calendar brings a meeting a week, a month: a step
			 * left undone drops out a week after it fell overdue
			 * (a line of "met =" stays until the line goes). */
			if (cal && today > overdue + FU_MEETING_STALE)
				continue;
			n++;
			memset(it, 0, sizeof *it);
			it->contact = c;
			it->kind = FU_MEETING;
			it->via = v;
			it->title = step_title(v);
			it->history = h;
			it->due = it->cycle = met_day;
			it->overdue = overdue;
			resolved = h->has_via[v] && h->via_at[v] > met_at;
			finish(it, c, s, st, today, resolved);
		}
	}
	/* No reply yet: the newest message sent to them, not answered by
	 * them (from any of their addresses) nor followed by anything of the
	 * user's, nudge after it. */
	if (c->nudge > 0 && h->sent.any && h->last_at <= h->sent.at &&
	    !(h->received.any && h->received.at > h->sent.at) &&
	    today >= h->sent.wait_day && today - h->sent.day <= FU_REPLY_WINDOW) {
		struct fu_item *it = &out[n++];

		memset(it, 0, sizeof *it);
		it->contact = c;
		it->kind = FU_NOREPLY;
		it->via = VIA_EMAIL;
		it->message = &h->sent;
		it->title = h->sent.subject != NULL && *h->sent.subject ? h->sent.subject :
		    "(no subject)";
		it->history = h;
		it->due = it->overdue = it->cycle = h->sent.wait_day;
		finish(it, c, s, st, today, false);
	}
	/* Waiting on you: the newest message from them, with nothing of the
	 * user's after it, answer_within after it. */
	if (c->answer_within > 0 && h->received.any &&
	    (!h->any || h->last_at < h->received.at) &&
	    today >= h->received.wait_day && today - h->received.day <= FU_REPLY_WINDOW) {
		struct fu_item *it = &out[n++];

		memset(it, 0, sizeof *it);
		it->contact = c;
		it->kind = FU_WAITING;
		it->via = VIA_EMAIL;
		it->message = &h->received;
		it->title = h->received.subject != NULL && *h->received.subject ?
		    h->received.subject : "(no subject)";
		it->history = h;
		it->due = it->overdue = it->cycle = h->received.wait_day;
		finish(it, c, s, st, today, false);
	}
	if (c->once_day != DAY_NONE) {
		struct fu_item *it = &out[n++];

		memset(it, 0, sizeof *it);
		it->contact = c;
		it->kind = FU_ONCE;
		it->title = c->once_text;
		it->history = h;
		it->due = it->overdue = it->cycle = c->once_day;
		finish(it, c, s, st, today, h->any && h->last_day >= c->once_day);
	}
	return n;
}

static int
cmp_items(const void *pa, const void *pb)
{
	const struct fu_item *a = pa, *b = pb;
	int r;

	if (a->status != b->status)
		return a->status < b->status ? -1 : 1;
	if (a->days_late != b->days_late)
		return a->days_late > b->days_late ? -1 : 1;
	r = strcmp(a->contact->name, b->contact->name);
	if (r != 0)
		return r;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return a->via < b->via ? -1 : a->via > b->via;
}

void
followup_sort(struct fu_item *items, size_t n)
{
	qsort(items, n, sizeof *items, cmp_items);
}

static const char *
plural(int n)
{
	return n == 1 || n == -1 ? "" : "s";
}

void
followup_describe(const struct fu_item *it, char *out, size_t outlen)
{
	char date[DAY_STRLEN];
	int late = it->days_late;

	day_format(it->due, date);
	switch (it->status) {
	case FU_OVERDUE:
		snprintf(out, outlen, "%d day%s overdue", late, plural(late));
		break;
	case FU_DUE:
		if (late == 0)
			snprintf(out, outlen, "due today");
		else
			snprintf(out, outlen, "due %d day%s ago", late, plural(late));
		break;
	case FU_UPCOMING:
		if (late == -1)
			snprintf(out, outlen, "due tomorrow");
		else
			snprintf(out, outlen, "due in %d days", -late);
		break;
	case FU_SNOOZED:
		day_format(it->held_until, date);
		snprintf(out, outlen, "snoozed until %s", date);
		break;
	case FU_PAUSED:
		if (it->held_until != DAY_NONE) {
			day_format(it->held_until, date);
			snprintf(out, outlen, "paused until %s", date);
		} else {
			snprintf(out, outlen, "paused");
		}
		break;
	case FU_OK:
		/* ok and still ahead: not yet due; ok and past: settled */
		if (late < 0 || it->kind == FU_CADENCE || it->kind == FU_BIRTHDAY)
			snprintf(out, outlen, "next due %s", date);
		else
			snprintf(out, outlen, "done");
		break;
	}
}
