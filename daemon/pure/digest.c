#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>

#include "buf.h"
#include "day.h"
#include "digest.h"
#include "mime.h"
#include "suggest.h"
#include "tz.h"

static const char *const section_title[DIGEST_NSECTIONS] = {
	"Overdue", "Due today", "Coming up", "Cards to post", "Check back",
	"No reply yet", "Waiting on you",
};
/* Accent colours of the HTML sections. */
static const char *const section_colour[DIGEST_NSECTIONS] = {
	"#c0392b", "#d35400", "#2e7d32", "#6a1b9a", "#1565c0", "#00838f", "#ad1457",
};

int
digest_section_of(const struct fu_item *it)
{
	if (it->status != FU_OVERDUE && it->status != FU_DUE && it->status != FU_UPCOMING)
		return -1;
	if (it->via == VIA_CARD && it->kind != FU_CADENCE)
		return DIGEST_CARDS;
	if (it->kind == FU_ONCE || it->kind == FU_CHECKBACK)
		return DIGEST_CHECKBACK;
	if (it->kind == FU_NOREPLY)
		return DIGEST_NOREPLY;
	if (it->kind == FU_WAITING)
		return DIGEST_WAITING;
	return it->status == FU_OVERDUE ? DIGEST_OVERDUE :
	    it->status == FU_DUE ? DIGEST_DUE : DIGEST_UPCOMING;
}

/* "Mon 23 Nov" */
static void
short_date(int day, char *out, size_t n)
{
	int y, m, d;

	day_to_ymd(day, &y, &m, &d);
	snprintf(out, n, "%s %d %s", day_weekday_abbr[day_weekday(day)], d,
	    day_month_abbr[m - 1]);
}

/* "3 days overdue, every 2 weeks" */
void
digest_lateness(const struct fu_item *it, struct buf *b)
{
	char how[64], what[96];

	if (it->kind == FU_NOREPLY || it->kind == FU_WAITING) {
		char d[DAY_STRLEN];

		/* "sent "Proposal" on 2026-11-20, no reply yet" */
		day_format(it->message->day, d);
		buf_printf(b, it->kind == FU_NOREPLY ? "sent \"%s\" on %s, no reply yet" :
		    "wrote \"%s\" on %s, not answered yet", it->title, d);
		return;
	}
	followup_describe(it, how, sizeof how);
	if (it->kind == FU_CADENCE)
		span_describe(it->contact->cadence.due, what, sizeof what);
	else
		snprintf(what, sizeof what, "%s", it->title != NULL ? it->title : "");
	buf_printf(b, "%s%s%s", how, *what ? ", " : "", what);
}

/* "last contact 2026-10-29 by email" or "no contact yet" */
void
digest_last_contact(const struct fu_item *it, struct buf *b)
{
	char d[DAY_STRLEN];

	if (it->history == NULL || !it->history->any) {
		buf_puts(b, "no contact yet");
		return;
	}
	day_format(it->history->last_day, d);
	buf_printf(b, "last contact %s by %s", d, via_name(it->history->last_via));
}

/* The contact's first exact address (not an @domain pattern), or NULL. */
/* The contact's first exact address (not an @domain pattern), or NULL. */
static const char *
digest_first_address(const struct contact *c)
{
	for (size_t i = 0; i < c->nemails; i++)
		if (c->emails[i][0] != '@')
			return c->emails[i];
	return NULL;
}

static const char *
mail_subject(const struct fu_item *it)
{
	switch (it->kind) {
	case FU_BIRTHDAY: return "Happy birthday!";
	case FU_MEETING: return "Great to meet you";
	case FU_ONCE:
	case FU_CHECKBACK: return it->title != NULL ? it->title : "Checking back";
	default: return "Following up";
	}
}

/* "mailto:alice@example.com?subject=Following%20up", or "" without an address. */
void
digest_mailto(const struct fu_item *it, struct buf *b)
{
	const char *addr = digest_first_address(it->contact);
	const struct fu_message *m = it->message;

	/* A reply in the thread: to the address of the message, "Re:" its
	 * subject, In-Reply-To its Message-ID (RFC 6068 allows any header). */
	if (m != NULL && m->address != NULL)
		addr = m->address;
	if (addr == NULL)
		return;
	buf_puts(b, "mailto:");
	/* An address stays readable: only what RFC 6068 reserves is escaped. */
	mime_url_escape(b, addr, "!$'()*+,;:@[\\]^`{|}");
	buf_puts(b, "?subject=");
	if (m != NULL) {
		if (strncasecmp(it->title, "re:", 3) != 0)
			mime_url_escape(b, "Re: ", NULL);
		mime_url_escape(b, it->title, NULL);
		if (m->key != NULL && strncmp(m->key, "hdr-", 4) != 0) {
			buf_puts(b, "&In-Reply-To=");
			mime_url_escape(b, "<", NULL);
			mime_url_escape(b, m->key, NULL);
			mime_url_escape(b, ">", NULL);
		}
		return;
	}
	mime_url_escape(b, mail_subject(it), NULL);
}

/* Days since the last contact and the cadence's length, for the bar; 0
 * when there is no bar (no cadence or no contact yet). */
static int
bar_percent(const struct fu_item *it, int day, int *since, int *span)
{
	if (it->kind != FU_CADENCE || it->history == NULL || !it->history->any)
		return 0;
	*since = day - it->history->last_day;
	*span = span_add(it->history->last_day, it->contact->cadence.due, 1) -
	    it->history->last_day;
	if (*span <= 0)
		return 0;
	return *since >= *span ? 100 : *since * 100 / *span;
}

static void
text_item(struct buf *t, const struct fu_item *it)
{
	buf_printf(t, "  * %s: ", it->contact->name);
	digest_lateness(it, t);
	buf_puts(t, "\n    ");
	digest_last_contact(it, t);
	buf_puts(t, "\n");
	if (it->contact->reason != NULL)
		buf_printf(t, "    %s\n", it->contact->reason);
	if (digest_first_address(it->contact) != NULL) {
		buf_puts(t, "    ");
		digest_mailto(it, t);
		buf_puts(t, "\n");
	}
}

static void
html_item(struct buf *h, const struct fu_item *it, int day, const char *colour)
{
	struct buf tmp = { 0 };
	int since = 0, span = 0, pct = bar_percent(it, day, &since, &span);

	buf_puts(h, "<tr><td style=\"padding:10px 0;border-top:1px solid #eee\">");
	digest_mailto(it, &tmp);
	if (tmp.len > 0) {
		buf_puts(h, "<a href=\"");
		mime_html_escape(h, buf_str(&tmp));
		buf_puts(h, "\" style=\"color:#1a1a1a;font-weight:600;text-decoration:none\">");
	} else
		buf_puts(h, "<span style=\"font-weight:600\">");
	mime_html_escape(h, it->contact->name);
	buf_puts(h, tmp.len > 0 ? "</a>" : "</span>");
	buf_reset(&tmp);
	digest_lateness(it, &tmp);
	buf_puts(h, " <span style=\"color:");
	buf_puts(h, colour);
	buf_puts(h, "\">");
	mime_html_escape(h, buf_str(&tmp));
	buf_puts(h, "</span>");
	buf_reset(&tmp);
	digest_last_contact(it, &tmp);
	buf_puts(h, "<div style=\"font-size:13px;color:#666;margin-top:2px\">");
	mime_html_escape(h, buf_str(&tmp));
	buf_puts(h, "</div>");
	if (it->contact->reason != NULL) {
		buf_puts(h, "<div style=\"font-size:14px;color:#333;margin-top:4px\">");
		mime_html_escape(h, it->contact->reason);
		buf_puts(h, "</div>");
	}
	if (span > 0) {
		buf_printf(h, "<div style=\"background:#eee;border-radius:3px;height:6px;margin-top:6px\">"
		    "<div style=\"background:%s;width:%d%%;height:6px;border-radius:3px\"></div></div>"
		    "<div style=\"font-size:11px;color:#888;margin-top:2px\">%d day%s since the last contact, of %d</div>",
		    colour, pct < 3 ? 3 : pct, since, since == 1 ? "" : "s", span);
	}
	buf_puts(h, "</td></tr>\n");
	buf_free(&tmp);
}

static void
counts_line(const size_t *c, struct buf *b)
{
	size_t up = c[DIGEST_UPCOMING];
	size_t over = c[DIGEST_OVERDUE], due = c[DIGEST_DUE];
	size_t other = c[DIGEST_CARDS] + c[DIGEST_CHECKBACK] + c[DIGEST_NOREPLY] +
	    c[DIGEST_WAITING];

	if (over + due + up + other == 0) {
		buf_puts(b, "nothing due");
		return;
	}
	buf_printf(b, "%zu overdue, %zu due, %zu coming up", over, due, up);
	if (c[DIGEST_CARDS] > 0)
		buf_printf(b, ", %zu card%s", c[DIGEST_CARDS], c[DIGEST_CARDS] == 1 ? "" : "s");
	if (c[DIGEST_CHECKBACK] > 0)
		buf_printf(b, ", %zu to check back", c[DIGEST_CHECKBACK]);
	if (c[DIGEST_NOREPLY] > 0)
		buf_printf(b, ", %zu without reply", c[DIGEST_NOREPLY]);
	if (c[DIGEST_WAITING] > 0)
		buf_printf(b, ", %zu waiting on you", c[DIGEST_WAITING]);
}

static void
section_head(struct buf *t, struct buf *h, const char *title, const char *colour)
{
	buf_printf(t, "\n%s\n", title);
	buf_printf(h, "<h2 style=\"font-size:15px;margin:18px 0 2px 0;color:%s;"
	    "text-transform:uppercase;letter-spacing:0.04em\">%s</h2>\n<ul style=\"margin:4px 0;"
	    "padding-left:20px\">\n", colour, title);
}

/* What the commands of the user's replies did, and the lines not understood. */
static void
replies_section(const struct digest_input *in, struct buf *t, struct buf *h)
{
	if (in->napplied == 0)
		return;
	section_head(t, h, "Applied from your replies", "#455a64");
	for (size_t i = 0; i < in->napplied; i++) {
		const struct digest_applied *a = &in->applied[i];

		buf_printf(t, "  %c \"%s\": %s%s\n", a->applied ? '*' : '?', a->line,
		    a->applied ? "" : "not understood: ", a->what);
		buf_puts(h, "<li style=\"margin:4px 0\"><code>");
		mime_html_escape(h, a->line);
		buf_puts(h, a->applied ? "</code>: " : "</code>: <span style=\"color:#c0392b\">"
		    "not understood</span>: ");
		mime_html_escape(h, a->what);
		buf_puts(h, "</li>\n");
	}
	if (in->napplied_more > 0) {
		buf_printf(t, "  and %zu more line%s, not listed\n", in->napplied_more,
		    in->napplied_more == 1 ? "" : "s");
		buf_printf(h, "<li style=\"margin:4px 0\">and %zu more line%s, not listed</li>\n",
		    in->napplied_more, in->napplied_more == 1 ? "" : "s");
	}
	buf_puts(h, "</ul>\n");
}

/* "Meeting today": each meeting of the day with contacts, and for each
 * contact why they matter, the newest note and the last contact, so that
 * the user walks in prepared. */
static void
meetings_section(const struct digest_input *in, struct buf *t, struct buf *h)
{
	struct buf tmp = { 0 };

	if (in->nmeetings == 0)
		return;
	section_head(t, h, "Meeting today", "#00695c");
	for (size_t i = 0; i < in->nmeetings; i++) {
		const struct digest_meeting *m = &in->meetings[i];
		struct fu_item it = { .contact = m->contact, .history = m->history };
		bool first = i == 0 || m->start != in->meetings[i - 1].start ||
		    strcmp(m->title, in->meetings[i - 1].title) != 0;
		int from = tz_minute_of(m->start), to = tz_minute_of(m->end);

		if (first) {
			buf_printf(t, "  * %02d:%02d-%02d:%02d %s\n", from / 60, from % 60, to / 60,
			    to % 60, *m->title ? m->title : "(no title)");
			if (i > 0)
				buf_puts(h, "</ul></li>\n");
			buf_printf(h, "<li style=\"margin:4px 0\"><b>%02d:%02d&ndash;%02d:%02d</b> ",
			    from / 60, from % 60, to / 60, to % 60);
			mime_html_escape(h, *m->title ? m->title : "(no title)");
			buf_puts(h, "<ul style=\"margin:2px 0;padding-left:18px\">\n");
		}
		buf_reset(&tmp);
		digest_last_contact(&it, &tmp);
		buf_printf(t, "      %s: %s", m->contact->name, buf_str(&tmp));
		buf_puts(h, "<li>");
		mime_html_escape(h, m->contact->name);
		buf_puts(h, ": ");
		mime_html_escape(h, buf_str(&tmp));
		if (m->contact->reason != NULL) {
			buf_printf(t, "; why: %s", m->contact->reason);
			buf_puts(h, "; why: ");
			mime_html_escape(h, m->contact->reason);
		}
		if (m->note != NULL) {
			buf_printf(t, "; note: %s", m->note);
			buf_puts(h, "; note: ");
			mime_html_escape(h, m->note);
		}
		buf_putc(t, '\n');
		buf_puts(h, "</li>\n");
	}
	buf_puts(h, "</ul></li>\n</ul>\n");
	buf_free(&tmp);
}

/* Check-backs ended by an answer since the last digest, and why. */
static void
answers_section(const struct digest_input *in, struct buf *t, struct buf *h)
{
	char d[DAY_STRLEN];

	if (in->nanswers == 0)
		return;
	section_head(t, h, "Answered", "#2e7d32");
	for (size_t i = 0; i < in->nanswers; i++) {
		const struct digest_answer *a = &in->answers[i];
		struct buf line = { 0 };

		day_format(tz_day_of(a->at), d);
		buf_printf(&line, "%s wrote back on %s: no need to check back", a->who, d);
		if (*a->reason)
			buf_printf(&line, " (%s)", a->reason);
		buf_printf(t, "  * %s\n", buf_str(&line));
		buf_puts(h, "<li style=\"margin:4px 0\">");
		mime_html_escape(h, buf_str(&line));
		buf_puts(h, "</li>\n");
		buf_free(&line);
	}
	buf_puts(h, "</ul>\n");
}

/* People met since the last digest who are not contacts, with the
 * meeting's title as the reason to keep. */
static void
met_section(const struct digest_input *in, struct buf *t, struct buf *h)
{
	struct buf tmp = { 0 };

	if (in->nmet == 0)
		return;
	section_head(t, h, "People you met", "#455a64");
	for (size_t i = 0; i < in->nmet; i++) {
		const struct suggestion *s = &in->met[i];

		buf_reset(&tmp);
		if (s->name != NULL && *s->name)
			buf_printf(&tmp, "%s <%s>", s->name, s->address);
		else
			buf_puts(&tmp, s->address);
		buf_printf(t, "  * %s: ", buf_str(&tmp));
		buf_puts(h, "<li style=\"margin:4px 0\">");
		mime_html_escape(h, buf_str(&tmp));
		buf_puts(h, ": ");
		buf_reset(&tmp);
		suggest_describe(s, &tmp);
		buf_printf(t, "%s\n", buf_str(&tmp));
		mime_html_escape(h, buf_str(&tmp));
		buf_puts(h, "</li>\n");
	}
	buf_puts(t, "  (not contacts yet: \"followupd suggest\" writes their sections, "
	    "the meeting as the reason)\n");
	buf_puts(h, "</ul>\n<p style=\"margin:2px 0;color:#555;font-size:13px\">Not contacts yet: "
	    "<code>followupd suggest</code> writes their sections, the meeting as the reason.</p>\n");
	buf_free(&tmp);
}

/* Once a week: people written to often who are not contacts. */
static void
suggest_section(const struct digest_input *in, struct buf *t, struct buf *h)
{
	struct buf tmp = { 0 };

	if (in->nsuggest == 0)
		return;
	section_head(t, h, "People you write to often", "#455a64");
	for (size_t i = 0; i < in->nsuggest; i++) {
		buf_reset(&tmp);
		suggest_describe(&in->suggest[i], &tmp);
		buf_printf(t, "  * %s: %s\n", in->suggest[i].address, buf_str(&tmp));
		buf_puts(h, "<li style=\"margin:4px 0\">");
		mime_html_escape(h, in->suggest[i].address);
		buf_puts(h, ": ");
		mime_html_escape(h, buf_str(&tmp));
		buf_puts(h, "</li>\n");
	}
	buf_puts(t, "  (not contacts yet: \"followupd suggest\" writes their sections)\n");
	buf_puts(h, "</ul>\n<p style=\"margin:2px 0;color:#555;font-size:13px\">Not contacts yet: "
	    "<code>followupd suggest</code> writes their sections.</p>\n");
	buf_free(&tmp);
}

void
digest_render(const struct digest_input *in, struct digest *d)
{
	const struct config *cfg = in->cfg;
	struct buf t = { 0 }, h = { 0 }, s = { 0 }, counts = { 0 };
	size_t limit = cfg->digest_limit > 0 ? (size_t)cfg->digest_limit : SIZE_MAX;
	char date[32];
	int *sec = xcalloc(in->nitems + 1, sizeof *sec);

	memset(d, 0, sizeof *d);
	/* Most urgent first, up to digest_limit; then grouped by section. */
	for (size_t i = 0; i < in->nitems; i++) {
		sec[i] = digest_section_of(&in->items[i]);
		if (sec[i] < 0)
			continue;
		d->counts[sec[i]]++;
		if (d->total++ >= limit)
			sec[i] = -2;   /* counted, not listed */
		else
			d->listed++;
	}
	short_date(in->day, date, sizeof date);
	counts_line(d->counts, &counts);
	buf_printf(&s, "Follow-ups %s: %s", date, buf_str(&counts));
	d->subject = buf_take(&s);

	buf_printf(&t, "Follow-ups for %s: %s.\n", date, buf_str(&counts));
	buf_puts(&h, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
	mime_html_escape(&h, d->subject);
	buf_puts(&h, "</title></head>\n<body style=\"margin:0;padding:12px;background:#f3f3f5;"
	    "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1a1a1a\">\n"
	    "<div style=\"max-width:600px;margin:0 auto;background:#ffffff;border-radius:8px;padding:16px 20px\">\n");
	buf_printf(&h, "<h1 style=\"font-size:20px;margin:0 0 4px 0\">Follow-ups for %s</h1>\n", date);
	buf_puts(&h, "<p style=\"margin:0 0 8px 0;color:#555\">");
	mime_html_escape(&h, buf_str(&counts));
	buf_puts(&h, "</p>\n");

	for (size_t k = 0; k < in->nhealth; k++) {
		buf_printf(&t, "\n! %s\n", in->health[k]);
		buf_puts(&h, "<p style=\"margin:8px 0;padding:8px;background:#fdecea;color:#8a1c12;border-radius:4px\">");
		mime_html_escape(&h, in->health[k]);
		buf_puts(&h, "</p>\n");
	}
	meetings_section(in, &t, &h);
	for (int sc = 0; sc < DIGEST_NSECTIONS; sc++) {
		bool any = false;

		for (size_t i = 0; i < in->nitems; i++) {
			if (sec[i] != sc)
				continue;
			if (!any) {
				char title[64];

				snprintf(title, sizeof title, "%s", section_title[sc]);
				if (sc == DIGEST_UPCOMING)
					buf_printf(&t, "\n%s (the next %d days)\n", title,
					    span_approx_days(cfg->horizon));
				else
					buf_printf(&t, "\n%s\n", title);
				buf_printf(&h, "<h2 style=\"font-size:15px;margin:18px 0 2px 0;color:%s;"
				    "text-transform:uppercase;letter-spacing:0.04em\">%s</h2>\n"
				    "<table role=\"presentation\" width=\"100%%\" cellspacing=\"0\" cellpadding=\"0\" "
				    "style=\"border-collapse:collapse\">\n", section_colour[sc], title);
				any = true;
			}
			text_item(&t, &in->items[i]);
			html_item(&h, &in->items[i], in->day, section_colour[sc]);
		}
		if (any)
			buf_puts(&h, "</table>\n");
	}
	answers_section(in, &t, &h);
	replies_section(in, &t, &h);
	met_section(in, &t, &h);
	suggest_section(in, &t, &h);
	if (d->total > d->listed) {
		size_t more = d->total - d->listed;

		buf_printf(&t, "\n... and %zu more: \"followupd due\" lists them all.\n", more);
		buf_printf(&h, "<p style=\"margin:16px 0 0 0;color:#555\">&hellip; and %zu more: "
		    "<code>followupd due</code> lists them all.</p>\n", more);
	}
	if (d->total == 0) {
		buf_puts(&t, "\nEveryone is up to date.\n");
		buf_puts(&h, "<p style=\"margin:16px 0 0 0\">Everyone is up to date.</p>\n");
	}
	buf_puts(&t, "\n-- \nfollowupd, for ");
	buf_puts(&h, "<p style=\"margin:20px 0 0 0;font-size:12px;color:#888\">followupd, for ");
	if (cfg->me_name != NULL) {
		buf_printf(&t, "%s <%s>\n", cfg->me_name, cfg->me_addr);
		mime_html_escape(&h, cfg->me_name);
	} else {
		buf_printf(&t, "%s\n", cfg->me_addr);
		mime_html_escape(&h, cfg->me_addr);
	}
	buf_puts(&h, "</p>\n</div>\n</body></html>\n");
	d->text = buf_take(&t);
	d->html = buf_take(&h);
	buf_free(&counts);
	free(sec);
}

void
digest_free(struct digest *d)
{
	free(d->subject);
	free(d->text);
	free(d->html);
	memset(d, 0, sizeof *d);
}

static uint32_t
fnv32(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

char *
digest_message_id(const struct config *cfg, int day, const unsigned char *key,
    size_t keylen)
{
	char date[DAY_STRLEN], tag[21], *text;
	const char *at = strrchr(cfg->me_addr, '@');
	unsigned char mac[32];

	day_format(day, date);
	text = xasprintf("followupd digest %s %s", cfg->me_addr, date);
	if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, keylen, text, strlen(text), mac) < 0)
		abort();   /* SHA-256 is always there: nothing sane can go on */
	free(text);
	for (size_t i = 0; i < 10; i++)
		snprintf(tag + 2 * i, 3, "%02x", mac[i]);
	return xasprintf("<followupd.digest.%s.%s@%s>", date, tag,
	    at != NULL ? at + 1 : "followupd.invalid");
}

bool
digest_is_own_id(const struct config *cfg, const char *id, size_t len)
{
	static const char prefix[] = "followupd.digest.";
	const char *at = strrchr(cfg->me_addr, '@');
	const char *domain = at != NULL ? at + 1 : "followupd.invalid";
	size_t dlen = strlen(domain), plen = sizeof prefix - 1;

	/* followupd.digest.DATE.TAG@DOMAIN, or ...TAG.rN@DOMAIN after --force */
	if (len <= plen + DAY_STRLEN + dlen + 1 || strncmp(id, prefix, plen) != 0 ||
	    id[plen + DAY_STRLEN - 1] != '.' || id[len - dlen - 1] != '@' ||
	    strncasecmp(id + len - dlen, domain, dlen) != 0)
		return false;
	for (size_t i = 0; i < DAY_STRLEN - 1; i++)
		if (!(i == 4 || i == 7 ? id[plen + i] == '-' : isdigit((unsigned char)id[plen + i])))
			return false;
	return true;
}

char *
digest_message(const struct config *cfg, const struct digest *d,
    const char *message_id, time_t now)
{
	struct buf m = { 0 }, v = { 0 };
	char boundary[64];

	snprintf(boundary, sizeof boundary, "=_followupd_%08lx",
	    (unsigned long)fnv32(message_id));
	mime_mailbox(&v, cfg->me_name, cfg->me_addr);
	buf_printf(&m, "From: %s\r\n", buf_str(&v));
	buf_reset(&v);
	mime_mailbox(&v, cfg->me_name, cfg->digest_to);
	buf_printf(&m, "To: %s\r\n", buf_str(&v));
	mime_header(&m, "Subject", d->subject);
	mime_auto_fields(&m, message_id, now);
	buf_printf(&m, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
	buf_puts(&m, "This is a MIME message: a plain-text and an HTML part.\r\n");
	buf_printf(&m, "\r\n--%s\r\n", boundary);
	buf_puts(&m, "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	mime_qp(&m, d->text);
	buf_printf(&m, "\r\n--%s\r\n", boundary);
	buf_puts(&m, "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	mime_qp(&m, d->html);
	buf_printf(&m, "\r\n--%s--\r\n", boundary);
	buf_free(&v);
	return buf_take(&m);
}
