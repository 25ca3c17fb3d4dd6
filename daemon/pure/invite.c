#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "day.h"
#include "hmap.h"
#include "invite.h"
#include "mime.h"

static const struct invite_known *
find_known(const struct invite_known *known, size_t n, const char *uid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(known[mid].uid, uid);

		if (c == 0)
			return &known[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static struct invite_action *
add(struct invite_action **a, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*a = xrealloc(*a, *cap * sizeof **a);
	}
	memset(&(*a)[*n], 0, sizeof **a);
	return &(*a)[(*n)++];
}

static const struct contact *
contact_by_id(const struct config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->ncontacts; i++)
		if (strcmp(cfg->contacts[i].id, id) == 0)
			return &cfg->contacts[i];
	return NULL;
}

size_t
invite_plan(const struct config *cfg, const struct fu_item *items, size_t n,
    const struct invite_known *known, size_t nknown, int today,
    struct invite_action **out)
{
	struct invite_action *a = NULL;
	size_t na = 0, cap = 0;
	bool *live = xcalloc(nknown + 1, sizeof *live);

	for (size_t i = 0; i < n; i++) {
		const struct fu_item *it = &items[i];
		const struct invite_known *k;
		struct cal_event ev;
		struct invite_action *act;
		int day;

		if (it->status != FU_DUE && it->status != FU_OVERDUE && it->status != FU_SNOOZED)
			continue;
		if (cal_event_of(cfg, it, today, &ev) < 0)
			continue;
		k = find_known(known, nknown, ev.uid);
		if (k != NULL)
			live[k - known] = true;
		/* A snooze moves an invite that was sent; it sends none. A due or
		 * overdue item is on the day its invite goes out (never weeks in
		 * the past), and stays there: one that was sent for a date on or
		 * after its due date is not moved again (cal_feed keeps it there
		 * too). */
		if (it->status == FU_SNOOZED)
			day = ev.day;
		else if (k != NULL && !k->cancelled && !k->closed && k->day >= it->due)
			day = k->day;
		else
			day = it->due > today ? it->due : today;
		/* Closed or sent for this date: nothing new. A closed one whose
		 * item is due again on another date (after a pause) is sent
		 * again, with the next SEQUENCE. */
		if ((k == NULL && it->status == FU_SNOOZED) ||
		    (k != NULL && k->day == day && (k->closed || !k->cancelled)) ||
		    (k != NULL && k->closed && it->status == FU_SNOOZED)) {
			cal_event_free(&ev);
			continue;
		}
		ev.day = day;
		act = add(&a, &na, &cap);
		act->kind = INVITE_SEND;
		act->method = CAL_REQUEST;
		act->ev = ev;
		act->contact = xstrdup(it->contact->id);
		act->sequence = k != NULL ? k->sequence + 1 : 0;
	}
	for (size_t i = 0; i < nknown; i++) {
		const struct invite_known *k = &known[i];
		const struct contact *c;
		struct invite_action *act;

		if (live[i] || k->closed || k->cancelled)
			continue;
		act = add(&a, &na, &cap);
		act->contact = xstrdup(k->contact);
		act->sequence = k->sequence;
		act->ev.uid = xstrdup(k->uid);
		act->ev.day = k->day;
		if (k->day < today) {
			act->kind = INVITE_CLOSE;   /* past: history, not news */
			continue;
		}
		c = contact_by_id(cfg, k->contact);
		act->kind = INVITE_SEND;
		act->method = CAL_CANCEL;
		act->sequence = k->sequence + 1;
		act->ev.summary = xasprintf("Follow up: %s", c != NULL ? c->name : k->contact);
		act->ev.description = xstrdup("Done, or no longer needed: followupd has cancelled "
		    "this follow-up.");
		act->ev.category = c != NULL && c->group != NULL ? c->group->name : NULL;
	}
	free(live);
	*out = a;
	return na;
}

void
invite_actions_free(struct invite_action *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cal_event_free(&a[i].ev);
		free(a[i].contact);
	}
	free(a);
}

char *
invite_message_id(const struct config *cfg, const char *uid, int sequence)
{
	return xasprintf("<followupd.invite.%016llx.%d@%s>",
	    (unsigned long long)hmap_hash(uid), sequence, cal_domain(cfg));
}

/* "Mon 23 Nov 2026" */
static void
long_date(int day, struct buf *b)
{
	int y, m, d;

	day_to_ymd(day, &y, &m, &d);
	buf_printf(b, "%s %d %s %d", day_weekday_abbr[day_weekday(day)], d,
	    day_month_abbr[m - 1], y);
}

char *
invite_message(const struct config *cfg, const struct invite_action *a, time_t now)
{
	const char *method = cal_method_name(a->method);
	char *id = invite_message_id(cfg, a->ev.uid, a->sequence);
	char *ics = cal_invite(cfg, &a->ev, a->method, a->sequence, now);
	struct buf m = { 0 }, v = { 0 }, text = { 0 }, html = { 0 };
	char mixed[64], alt[64];
	unsigned long h = hmap_hash(id) & 0xffffffffUL;

	snprintf(mixed, sizeof mixed, "=_followupd_m%08lx", h);
	snprintf(alt, sizeof alt, "=_followupd_a%08lx", h);

	if (a->method == CAL_CANCEL)
		buf_printf(&v, "Cancelled: %s", a->ev.summary);
	else if (a->sequence > 0)
		buf_printf(&v, "Moved: %s", a->ev.summary);
	else
		buf_puts(&v, a->ev.summary);
	buf_printf(&text, "%s\non ", buf_str(&v));
	long_date(a->ev.day, &text);
	buf_printf(&text, "\n\n%s\n", a->ev.description != NULL ? a->ev.description : "");
	buf_puts(&html, "<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><p><b>");
	mime_html_escape(&html, buf_str(&v));
	buf_puts(&html, "</b><br>");
	{
		struct buf d = { 0 };

		long_date(a->ev.day, &d);
		mime_html_escape(&html, buf_str(&d));
		buf_free(&d);
	}
	buf_puts(&html, "</p><p style=\"white-space:pre-line\">");
	mime_html_escape(&html, a->ev.description != NULL ? a->ev.description : "");
	buf_puts(&html, "</p></body></html>\n");

	mime_header(&m, "Subject", buf_str(&v));
	buf_reset(&v);
	mime_mailbox(&v, cfg->me_name, cfg->me_addr);
	buf_printf(&m, "From: %s\r\nTo: %s\r\n", buf_str(&v), buf_str(&v));
	mime_auto_fields(&m, id, now);
	buf_printf(&m, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", mixed);
	buf_puts(&m, "This is a MIME message with a calendar invitation.\r\n");
	buf_printf(&m, "\r\n--%s\r\n", mixed);
	buf_printf(&m, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n", alt);
	buf_printf(&m, "\r\n--%s\r\n", alt);
	buf_puts(&m, "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	mime_qp(&m, buf_str(&text));
	buf_printf(&m, "\r\n--%s\r\n", alt);
	buf_puts(&m, "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	mime_qp(&m, buf_str(&html));
	buf_printf(&m, "\r\n--%s\r\n", alt);
	/* RFC 6047 2.4: the method parameter matches the METHOD property. */
	buf_printf(&m, "Content-Type: text/calendar; charset=UTF-8; method=%s\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", method);
	mime_base64(&m, ics, strlen(ics));
	buf_printf(&m, "\r\n--%s--\r\n", alt);
	buf_printf(&m, "\r\n--%s\r\n", mixed);
	buf_printf(&m, "Content-Type: application/ics; name=\"invite.ics\"\r\n"
	    "Content-Disposition: attachment; filename=\"invite.ics\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n");
	mime_base64(&m, ics, strlen(ics));
	buf_printf(&m, "\r\n--%s--\r\n", mixed);

	buf_free(&v);
	buf_free(&text);
	buf_free(&html);
	free(ics);
	free(id);
	return buf_take(&m);
}
