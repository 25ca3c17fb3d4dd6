#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cal.h"
#include "day.h"
#include "digest.h"
#include "hmap.h"
#include "tz.h"

#define CAL_ALARM_MINUTES 10   /* before a timed event */
#define CAL_REFRESH_MINUTES 60

const char *
cal_method_name(enum cal_method m)
{
	return m == CAL_REQUEST ? "REQUEST" : m == CAL_CANCEL ? "CANCEL" : NULL;
}

const char *
cal_domain(const struct config *cfg)
{
	const char *at = strrchr(cfg->me_addr, '@');

	return at != NULL ? at + 1 : "followupd.invalid";
}

int
cal_event_of(const struct config *cfg, const struct fu_item *it, int today,
    struct cal_event *ev)
{
	struct buf b = { 0 };
	int cyc = it->cycle;
	char ymd[DAY_STRLEN];
	const char *kind = followup_kind_name(it->kind);

	memset(ev, 0, sizeof *ev);
	if (it->resolved)
		return -1;   /* done: a card sent, a thank-you written */
	switch (it->status) {
	case FU_PAUSED:
		return -1;
	case FU_SNOOZED:
		ev->day = it->held_until != DAY_NONE ? it->held_until : it->due;
		break;
	case FU_OVERDUE:
	case FU_DUE:
		/* Still to do: on today, where the user looks. */
		ev->day = it->due > today ? it->due : today;
		break;
	default:
		ev->day = it->due;
	}
	if (ev->day > span_add(today, cfg->calendar.horizon, 1))
		return -1;

	/* cadence.alice.20261106@example.org; meeting items also name the
	 * channel; a contact never reached is "new". */
	buf_printf(&b, "%s%s%s.%s.", kind, it->kind == FU_MEETING ? "-" : "",
	    it->kind == FU_MEETING ? via_name(it->via) : "", it->contact->id);
	if (cyc == DAY_NONE)
		buf_puts(&b, "new");
	else {
		day_format(cyc, ymd);
		buf_printf(&b, "%.4s%.2s%.2s", ymd, ymd + 5, ymd + 8);
	}
	/* Two check-backs on one person due the same day differ in reason. */
	if ((it->kind == FU_CHECKBACK || it->kind == FU_NOREPLY || it->kind == FU_WAITING) &&
	    it->title != NULL)
		buf_printf(&b, ".%08lx", hmap_hash(it->title) & 0xffffffffUL);
	buf_printf(&b, "@%s", cal_domain(cfg));
	ev->uid = buf_take(&b);

	if (it->kind == FU_CADENCE)
		buf_printf(&b, "Follow up: %s", it->contact->name);
	else
		buf_printf(&b, "Follow up: %s (%s)", it->contact->name,
		    it->title != NULL ? it->title : kind);
	ev->summary = buf_take(&b);

	digest_lateness(it, &b);
	buf_puts(&b, "\n");
	if (it->contact->reason != NULL)
		buf_printf(&b, "%s\n", it->contact->reason);
	digest_last_contact(it, &b);
	buf_puts(&b, "\n");
	digest_mailto(it, &b);
	ev->description = buf_take(&b);
	ev->category = it->contact->group != NULL ? it->contact->group->name : NULL;
	return 0;
}

void
cal_event_free(struct cal_event *ev)
{
	free(ev->uid);
	free(ev->summary);
	free(ev->description);
	memset(ev, 0, sizeof *ev);
}

static struct icaltimetype
ical_date(int day)
{
	struct icaltimetype t = icaltime_null_date();

	day_to_ymd(day, &t.year, &t.month, &t.day);
	return t;
}

static struct icaltimetype
ical_local(int day, int minute)
{
	struct icaltimetype t = icaltime_null_time();

	day_to_ymd(day, &t.year, &t.month, &t.day);
	t.hour = minute / 60;
	t.minute = minute % 60;
	return t;
}

static struct icaltimetype
ical_utc(time_t at)
{
	return icaltime_from_timet_with_zone(at, 0, icaltimezone_get_utc_timezone());
}

/* The zone of timed events: NULL for UTC (times written with Z). */
static icaltimezone *
cal_zone(const struct config *cfg)
{
	icaltimezone *z;

	if (cfg->timezone == NULL || strcmp(cfg->timezone, "UTC") == 0 ||
	    strcmp(cfg->timezone, "Etc/UTC") == 0)
		return NULL;
	z = icaltimezone_get_builtin_timezone(cfg->timezone);
	if (z == NULL || icaltimezone_get_component(z) == NULL)
		return NULL;
	return z;
}

/* The zone's VTIMEZONE with the plain IANA name as TZID (libical's own
 * TZIDs carry a prefix some clients reject), cut to the years around
 * today. */
static icalcomponent *
cal_vtimezone(const struct config *cfg, icaltimezone *z, int today)
{
	icalcomponent *vtz = icalcomponent_new_clone(icaltimezone_get_component(z));
	icalproperty *p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
	struct icaltimetype start = ical_date(day_add_months(today, -12));

	if (p != NULL)
		icalproperty_set_tzid(p, cfg->timezone);
	start.is_date = 0;
	start = icaltime_set_timezone(&start, icaltimezone_get_utc_timezone());
	icaltimezone_truncate_vtimezone(vtz, start, icaltime_null_time(), 0);
	return vtz;
}

/* DTSTART or DTEND at a local time: TZID=plain name, or UTC. */
static icalproperty *
local_time_prop(icalproperty_kind kind, const struct config *cfg, icaltimezone *z,
    int day, int minute)
{
	struct icaltimetype t = ical_local(day, minute);
	icalproperty *p;

	if (z == NULL) {
		t = icaltime_set_timezone(&t, icaltimezone_get_utc_timezone());
		return kind == ICAL_DTSTART_PROPERTY ? icalproperty_new_dtstart(t) :
		    icalproperty_new_dtend(t);
	}
	p = kind == ICAL_DTSTART_PROPERTY ? icalproperty_new_dtstart(t) :
	    icalproperty_new_dtend(t);
	icalproperty_add_parameter(p, icalparameter_new_tzid(cfg->timezone));
	return p;
}

static void
add_alarm(icalcomponent *ve, const char *summary)
{
	icalcomponent *al = icalcomponent_new_valarm();
	struct icaltriggertype trig;

	memset(&trig, 0, sizeof trig);
	trig.time = icaltime_null_time();
	trig.duration = icaldurationtype_from_int(-CAL_ALARM_MINUTES * 60);
	icalcomponent_add_property(al, icalproperty_new_action(ICAL_ACTION_DISPLAY));
	icalcomponent_add_property(al, icalproperty_new_trigger(trig));
	icalcomponent_add_property(al, icalproperty_new_description(summary));
	icalcomponent_add_component(ve, al);
}

/* DTSTART/DTEND of an event on day: all-day, or event_time. */
static void
add_when(icalcomponent *ve, const struct config *cfg, icaltimezone *z, int day,
    const char *summary, bool alarm)
{
	const struct calendar_conf *cc = &cfg->calendar;

	if (cc->all_day) {
		icalcomponent_add_property(ve, icalproperty_new_dtstart(ical_date(day)));
		icalcomponent_add_property(ve, icalproperty_new_dtend(ical_date(day + 1)));
		return;
	}
	icalcomponent_add_property(ve, local_time_prop(ICAL_DTSTART_PROPERTY, cfg, z, day,
	    cc->event_minute));
	icalcomponent_add_property(ve, icalproperty_new_duration(
	    icaldurationtype_from_int((int)cc->event_duration)));
	if (alarm)
		add_alarm(ve, summary);
}

static icalcomponent *
new_event(const char *uid, const char *summary, const char *description,
    struct icaltimetype dtstamp)
{
	icalcomponent *ve = icalcomponent_new_vevent();

	icalcomponent_add_property(ve, icalproperty_new_uid(uid));
	icalcomponent_add_property(ve, icalproperty_new_dtstamp(dtstamp));
	icalcomponent_add_property(ve, icalproperty_new_summary(summary));
	if (description != NULL && *description)
		icalcomponent_add_property(ve, icalproperty_new_description(description));
	/* A reminder, not a meeting: it does not make the user busy. */
	icalcomponent_add_property(ve, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	return ve;
}

static icalcomponent *
item_event(const struct config *cfg, icaltimezone *z, const struct cal_event *ev,
    struct icaltimetype dtstamp, bool alarm)
{
	icalcomponent *ve = new_event(ev->uid, ev->summary, ev->description, dtstamp);

	add_when(ve, cfg, z, ev->day, ev->summary, alarm);
	if (ev->category != NULL)
		icalcomponent_add_property(ve, icalproperty_new_categories(ev->category));
	return ve;
}

/* A yearly all-day event on the contact's birthday; Feb 29 falls on the
 * month's last day in common years. */
static icalcomponent *
birthday_event(const struct config *cfg, const struct contact *c,
    struct icaltimetype dtstamp)
{
	struct buf b = { 0 };
	icalcomponent *ve;
	struct icalrecurrencetype r;
	int year = c->bday_year > 0 ? c->bday_year : 2000;   /* a leap year */
	int day = day_from_ymd(year, c->bday_month, c->bday_day);
	char *uid = xasprintf("birthday.%s@%s", c->id, cal_domain(cfg));

	buf_printf(&b, "Birthday: %s", c->name);
	ve = new_event(uid, buf_str(&b), NULL, dtstamp);
	icalcomponent_add_property(ve, icalproperty_new_dtstart(ical_date(day)));
	icalcomponent_add_property(ve, icalproperty_new_dtend(ical_date(day + 1)));
	r = icalrecurrencetype_from_string(c->bday_month == 2 && c->bday_day == 29 ?
	    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1" : "FREQ=YEARLY");
	icalcomponent_add_property(ve, icalproperty_new_rrule(r));
	if (c->group != NULL)
		icalcomponent_add_property(ve, icalproperty_new_categories(c->group->name));
	buf_free(&b);
	free(uid);
	return ve;
}

/* The weekly follow-up hour, from its most recent occurrence, with who is
 * overdue or due today in its description. */
static icalcomponent *
block_event(const struct config *cfg, icaltimezone *z, const struct fu_item *items,
    size_t n, int today, struct icaltimetype dtstamp)
{
	static const char *const byday[7] = { "MO", "TU", "WE", "TH", "FR", "SA", "SU" };
	const struct calendar_conf *cc = &cfg->calendar;
	struct buf d = { 0 }, tmp = { 0 };
	icalcomponent *ve;
	char *uid = xasprintf("block@%s", cal_domain(cfg)), rule[32];
	int start = today - ((day_weekday(today) - cc->block_weekday + 7) % 7);
	size_t listed = 0;

	buf_puts(&d, "Who to reach out to:\n");
	for (size_t i = 0; i < n; i++) {
		if (items[i].status != FU_OVERDUE && items[i].status != FU_DUE)
			continue;
		buf_reset(&tmp);
		digest_lateness(&items[i], &tmp);
		buf_printf(&d, "- %s: %s\n", items[i].contact->name, buf_str(&tmp));
		listed++;
	}
	if (listed == 0)
		buf_puts(&d, "nobody is due: a good hour to get ahead\n");
	ve = new_event(uid, "Follow-up hour", buf_str(&d), dtstamp);
	icalcomponent_add_property(ve, local_time_prop(ICAL_DTSTART_PROPERTY, cfg, z, start,
	    cc->block_minute));
	icalcomponent_add_property(ve, icalproperty_new_duration(
	    icaldurationtype_from_int((int)cc->block_duration)));
	snprintf(rule, sizeof rule, "FREQ=WEEKLY;BYDAY=%s", byday[cc->block_weekday]);
	icalcomponent_add_property(ve, icalproperty_new_rrule(icalrecurrencetype_from_string(rule)));
	add_alarm(ve, "Follow-up hour");
	buf_free(&d);
	buf_free(&tmp);
	free(uid);
	return ve;
}

static icalcomponent *
new_calendar(const struct config *cfg, enum cal_method m)
{
	icalcomponent *cal = icalcomponent_new_vcalendar();

	icalcomponent_add_property(cal, icalproperty_new_prodid(
	    "-//followupd//followupd " PACKAGE_VERSION "//EN"));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	if (m == CAL_REQUEST)
		icalcomponent_add_property(cal, icalproperty_new_method(ICAL_METHOD_REQUEST));
	else if (m == CAL_CANCEL)
		icalcomponent_add_property(cal, icalproperty_new_method(ICAL_METHOD_CANCEL));
	(void)cfg;
	return cal;
}

static char *
finish(icalcomponent *cal)
{
	char *s = icalcomponent_as_ical_string_r(cal);
	char *out = xstrdup(s != NULL ? s : "");

	free(s);
	icalcomponent_free(cal);
	return out;
}

/* Appends a component's text and frees it. */
static void
append_event(struct buf *out, icalcomponent *c)
{
	char *s = icalcomponent_as_ical_string_r(c);

	if (s != NULL)
		buf_puts(out, s);
	free(s);
	icalcomponent_free(c);
}

char *
cal_feed(const struct config *cfg, const struct fu_item *items, size_t n, int today,
    const struct cal_placed *placed, size_t nplaced)
{
	struct hmap where = { 0 };
	icalcomponent *cal = new_calendar(cfg, CAL_PUBLISH_FEED);
	icaltimezone *z = cal_zone(cfg);
	struct icaltimetype dtstamp = ical_utc(tz_time_of(today, 0));
	icalproperty *p;
	struct cal_event ev;
	struct buf out = { 0 };
	char *text, *end;

	icalcomponent_add_property(cal, icalproperty_new_name("Follow-ups"));
	p = icalproperty_new_x("Follow-ups");
	icalproperty_set_x_name(p, "X-WR-CALNAME");
	icalcomponent_add_property(cal, p);
	p = icalproperty_new_refreshinterval(icaldurationtype_from_int(CAL_REFRESH_MINUTES * 60));
	icalproperty_add_parameter(p, icalparameter_new_value(ICAL_VALUE_DURATION));
	icalcomponent_add_property(cal, p);
	p = icalproperty_new_x("PT1H");
	icalproperty_set_x_name(p, "X-PUBLISHED-TTL");
	icalcomponent_add_property(cal, p);
	if (z != NULL)
		icalcomponent_add_component(cal, cal_vtimezone(cfg, z, today));

	/* Each event is written and freed as soon as it is built: the same
	 * text as one tree written at once, in a third less time for 10,000
	 * contacts (no huge tree to free at the end). */
	text = finish(cal);
	end = strstr(text, "END:VCALENDAR\r\n");
	buf_append(&out, text, end != NULL ? (size_t)(end - text) : strlen(text));
	free(text);
	for (size_t i = 0; i < nplaced; i++)
		hmap_put(&where, placed[i].uid, (void *)&placed[i]);
	for (size_t i = 0; i < n; i++) {
		const struct cal_placed *at;

		if (cal_event_of(cfg, &items[i], today, &ev) < 0)
			continue;
		if ((items[i].status == FU_DUE || items[i].status == FU_OVERDUE) &&
		    (at = hmap_get(&where, ev.uid)) != NULL && at->day >= items[i].due)
			ev.day = at->day;
		append_event(&out, item_event(cfg, z, &ev, dtstamp, true));
		cal_event_free(&ev);
	}
	hmap_free(&where);
	for (size_t i = 0; i < cfg->ncontacts; i++)
		if (cfg->contacts[i].bday_month > 0)
			append_event(&out, birthday_event(cfg, &cfg->contacts[i], dtstamp));
	if (cfg->calendar.has_block)
		append_event(&out, block_event(cfg, z, items, n, today, dtstamp));
	buf_puts(&out, "END:VCALENDAR\r\n");
	return buf_take(&out);
}

/* "mailto:jane@example.org" with CN when me has a name. */
static icalproperty *
with_me(icalproperty *p, const struct config *cfg)
{
	if (cfg->me_name != NULL)
		icalproperty_add_parameter(p, icalparameter_new_cn(cfg->me_name));
	return p;
}

char *
cal_invite(const struct config *cfg, const struct cal_event *ev,
    enum cal_method method, int sequence, time_t dtstamp)
{
	icalcomponent *cal = new_calendar(cfg, method);
	icaltimezone *z = cal_zone(cfg);
	icalcomponent *ve;
	icalproperty *att;
	char *mailto = xasprintf("mailto:%s", cfg->me_addr);

	if (z != NULL && !cfg->calendar.all_day)
		icalcomponent_add_component(cal, cal_vtimezone(cfg, z, ev->day));
	/* RFC 5546 3.2.5: a CANCEL carries no VALARM. */
	ve = item_event(cfg, z, ev, ical_utc(dtstamp), method != CAL_CANCEL);
	icalcomponent_add_property(ve, icalproperty_new_sequence(sequence));
	icalcomponent_add_property(ve, with_me(icalproperty_new_organizer(mailto), cfg));
	att = with_me(icalproperty_new_attendee(mailto), cfg);
	icalproperty_add_parameter(att, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
	if (method == CAL_REQUEST)
		icalproperty_add_parameter(att, icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
	icalproperty_add_parameter(att, icalparameter_new_rsvp(ICAL_RSVP_FALSE));
	icalcomponent_add_property(ve, att);
	icalcomponent_add_property(ve, icalproperty_new_status(
	    method == CAL_CANCEL ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
	icalcomponent_add_component(cal, ve);
	free(mailto);
	return finish(cal);
}
