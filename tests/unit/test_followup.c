/* The follow-up arithmetic of SPEC 3: statuses, due dates and days_late on a
 * table of cases worked out by hand, then the one-off kinds. */
#include <time.h>

#include "testutil.h"

#include "config.h"
#include "followup.h"
#include "tz.h"

struct due_case {
	const char *zone;
	const char *cadence;
	const char *last_utc;      /* the newest touch, "YYYY-MM-DDTHH:MM:SSZ" */
	const char *today;
	enum fu_status status;
	const char *due;
	int days_late;
};

static const struct due_case cases[] = {
	/* statuses at each boundary, horizon 7 days */
	{ "UTC", "2w", "2026-11-06T12:00:00Z", "2026-11-23", FU_OVERDUE, "2026-11-20", 3 },
	{ "UTC", "2w", "2026-11-06T12:00:00Z", "2026-11-20", FU_DUE, "2026-11-20", 0 },
	{ "UTC", "2w", "2026-11-06T12:00:00Z", "2026-11-21", FU_OVERDUE, "2026-11-20", 1 },
	{ "UTC", "2w", "2026-11-06T12:00:00Z", "2026-11-13", FU_UPCOMING, "2026-11-20", -7 },
	{ "UTC", "2w", "2026-11-06T12:00:00Z", "2026-11-12", FU_OK, "2026-11-20", -8 },
	{ "UTC", "2w..3w", "2026-11-06T12:00:00Z", "2026-11-27", FU_DUE, "2026-11-20", 7 },
	{ "UTC", "2w..3w", "2026-11-06T12:00:00Z", "2026-11-28", FU_OVERDUE, "2026-11-20", 8 },
	{ "UTC", "monthly..6w", "2026-10-01T08:00:00Z", "2026-11-12", FU_DUE, "2026-11-01", 11 },
	{ "UTC", "monthly..6w", "2026-10-01T08:00:00Z", "2026-11-13", FU_OVERDUE, "2026-11-01", 12 },
	{ "UTC", "daily", "2026-11-22T09:00:00Z", "2026-11-23", FU_DUE, "2026-11-23", 0 },
	{ "UTC", "daily", "2026-11-22T09:00:00Z", "2026-11-22", FU_UPCOMING, "2026-11-23", -1 },
	/* month ends and leap years */
	{ "UTC", "1m", "2026-01-31T10:00:00Z", "2026-02-28", FU_DUE, "2026-02-28", 0 },
	{ "UTC", "1m", "2024-01-31T10:00:00Z", "2024-03-01", FU_OVERDUE, "2024-02-29", 1 },
	{ "UTC", "1y", "2024-02-29T10:00:00Z", "2025-02-28", FU_DUE, "2025-02-28", 0 },
	{ "UTC", "1y", "2024-02-29T10:00:00Z", "2025-03-01", FU_OVERDUE, "2025-02-28", 1 },
	{ "UTC", "4y", "2024-02-29T10:00:00Z", "2028-02-29", FU_DUE, "2028-02-29", 0 },
	{ "UTC", "quarterly", "2026-11-30T10:00:00Z", "2027-02-21", FU_UPCOMING, "2027-02-28", -7 },
	{ "UTC", "quarterly", "2026-08-31T10:00:00Z", "2026-11-23", FU_UPCOMING, "2026-11-30", -7 },
	{ "UTC", "monthly", "2026-03-31T10:00:00Z", "2026-05-01", FU_OVERDUE, "2026-04-30", 1 },
	{ "UTC", "weekly", "2026-12-28T10:00:00Z", "2027-01-05", FU_OVERDUE, "2027-01-04", 1 },
	{ "UTC", "biweekly", "2026-12-25T10:00:00Z", "2027-01-01", FU_UPCOMING, "2027-01-08", -7 },
	{ "UTC", "fortnightly", "2026-12-25T10:00:00Z", "2026-12-31", FU_OK, "2027-01-08", -8 },
	{ "UTC", "yearly", "2025-12-31T10:00:00Z", "2026-12-31", FU_DUE, "2026-12-31", 0 },
	{ "UTC", "annually..13m", "2025-01-31T10:00:00Z", "2026-02-28", FU_DUE, "2026-01-31", 28 },
	{ "UTC", "annually..13m", "2025-01-31T10:00:00Z", "2026-03-01", FU_OVERDUE, "2026-01-31", 29 },
	{ "UTC", "10d", "2026-02-25T10:00:00Z", "2026-03-07", FU_DUE, "2026-03-07", 0 },
	{ "UTC", "10d", "2024-02-25T10:00:00Z", "2024-03-06", FU_DUE, "2024-03-06", 0 },
	{ "UTC", "6m", "2026-08-31T10:00:00Z", "2027-03-01", FU_OVERDUE, "2027-02-28", 1 },
	{ "UTC", "1m..2m", "2026-12-31T10:00:00Z", "2027-02-28", FU_DUE, "2027-01-31", 28 },
	{ "UTC", "3y", "2023-02-28T10:00:00Z", "2026-02-20", FU_OK, "2026-02-28", -8 },
	{ "UTC", "2000y", "2023-02-28T10:00:00Z", "2026-02-20", FU_OK, "4023-02-28", -729397 },
	/* the touch's local date decides, across DST changes */
	{ "Europe/Berlin", "1w", "2026-03-28T23:30:00Z", "2026-04-05", FU_DUE, "2026-04-05", 0 },
	{ "Europe/Berlin", "1w", "2026-03-28T22:30:00Z", "2026-04-05", FU_OVERDUE, "2026-04-04", 1 },
	{ "Europe/Berlin", "1w", "2026-10-24T22:30:00Z", "2026-11-01", FU_DUE, "2026-11-01", 0 },
	{ "Europe/Berlin", "1w", "2026-10-25T22:30:00Z", "2026-11-01", FU_DUE, "2026-11-01", 0 },
	{ "Europe/Berlin", "1w", "2026-10-25T23:30:00Z", "2026-11-01", FU_UPCOMING, "2026-11-02", -1 },
	{ "Europe/Berlin", "1m", "2026-01-30T23:30:00Z", "2026-02-28", FU_DUE, "2026-02-28", 0 },
	{ "America/New_York", "1w", "2026-03-08T04:30:00Z", "2026-03-14", FU_DUE, "2026-03-14", 0 },
	{ "America/New_York", "1w", "2026-03-08T07:30:00Z", "2026-03-14", FU_UPCOMING, "2026-03-15", -1 },
	{ "America/New_York", "2w", "2026-11-01T05:30:00Z", "2026-11-16", FU_OVERDUE, "2026-11-15", 1 },
	{ "America/New_York", "1d", "2026-11-01T04:30:00Z", "2026-11-02", FU_DUE, "2026-11-02", 0 },
	{ "America/New_York", "1d", "2026-11-01T03:30:00Z", "2026-11-02", FU_OVERDUE, "2026-11-01", 1 },
	{ "America/New_York", "1m", "2026-03-01T04:00:00Z", "2026-03-28", FU_DUE, "2026-03-28", 0 },
	{ "Pacific/Auckland", "1w", "2026-04-04T13:30:00Z", "2026-04-12", FU_DUE, "2026-04-12", 0 },
};

static time_t
parse_utc(const char *s)
{
	struct tm tm = {0};
	int day;

	assert_non_null(strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm));
	day = day_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	return (time_t)day * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

static void
use_zone(const char *zone)
{
	char *err = NULL;

	assert_int_equal(tz_use(zone, &err), 0);
}

static const struct fu_state no_state = { DAY_NONE, DAY_NONE, PAUSE_NO, DAY_NONE };

static struct fu_settings
settings(void)
{
	struct fu_settings s = { { 7, SPAN_DAY }, { 5, SPAN_DAY } };

	return s;
}

static void
blank_contact(struct contact *c, const char *id)
{
	memset(c, 0, sizeof *c);
	c->id = (char *)id;
	c->name = (char *)id;
	c->last = DAY_NONE;
	c->once_day = DAY_NONE;
	/* The default after_meeting: email 24h, card 72h. */
	c->after_meeting[0] = (struct meeting_step){ VIA_EMAIL, 24 * 3600 };
	c->after_meeting[1] = (struct meeting_step){ VIA_CARD, 72 * 3600 };
	c->nafter_meeting = 2;
}

static void
test_due_table(void **unused)
{
	struct fu_settings s = settings();

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct due_case *tc = &cases[i];
		struct fu_history h = {0};
		struct fu_item items[FU_MAX_ITEMS];
		struct contact c;
		const char *why = NULL;
		char got[DAY_STRLEN];
		time_t at;

		use_zone(tc->zone);
		blank_contact(&c, "alice");
		assert_int_equal(cadence_parse(tc->cadence, &c.cadence, &why), 0);
		c.has_cadence = true;
		at = parse_utc(tc->last_utc);
		followup_history_add(&h, at, tz_day_of(at), VIA_EMAIL);
		assert_int_equal(followup_items(&c, &s, &h, &no_state, D(tc->today), items), 1);
		day_format(items[0].due, got);
		if (items[0].status != tc->status || strcmp(got, tc->due) != 0 ||
		    items[0].days_late != tc->days_late)
			fail_msg("case %zu (%s %s last %s on %s): got %s due %s late %d, want %s due %s late %d",
			    i, tc->zone, tc->cadence, tc->last_utc, tc->today,
			    followup_status_name(items[0].status), got, items[0].days_late,
			    followup_status_name(tc->status), tc->due, tc->days_late);
	}
	assert_true(sizeof cases / sizeof cases[0] >= 40);
}

static void
test_new_contact_spread(void **unused)
{
	struct fu_settings s = settings();
	struct fu_state st = no_state;
	struct fu_history h = {0};
	struct fu_item items[FU_MAX_ITEMS];
	struct contact c;
	const char *why;
	int first = D("2026-11-22"), hits[30] = {0}, distinct = 0;
	char id[32];

	use_zone("UTC");
	st.first_seen = first;
	for (int i = 0; i < 300; i++) {
		snprintf(id, sizeof id, "contact%d", i);
		blank_contact(&c, id);
		assert_int_equal(cadence_parse("1m..6w", &c.cadence, &why), 0);
		c.has_cadence = true;
		assert_int_equal(followup_items(&c, &s, &h, &st, first, items), 1);
		/* within the first period, and the window kept */
		assert_true(items[0].due >= first && items[0].due < D("2026-12-22"));
		assert_int_equal(items[0].overdue - items[0].due,
		    D("2027-01-03") - D("2026-12-22"));
		hits[items[0].due - first]++;
		/* the same id always gets the same date, whatever day it is asked */
		struct fu_item again[FU_MAX_ITEMS];
		followup_items(&c, &s, &h, &st, first + 40, again);
		assert_int_equal(again[0].due, items[0].due);
	}
	for (int i = 0; i < 30; i++) {
		assert_true(hits[i] < 300 / 4);   /* not everyone on one morning */
		distinct += hits[i] > 0;
	}
	assert_true(distinct >= 25);
}

static void
test_config_last_is_a_touch(void **unused)
{
	struct fu_settings s = settings();
	struct fu_history h = {0};
	struct fu_item items[FU_MAX_ITEMS];
	struct contact c;
	const char *why;

	use_zone("Europe/Berlin");
	blank_contact(&c, "diana");
	assert_int_equal(cadence_parse("quarterly", &c.cadence, &why), 0);
	c.has_cadence = true;
	followup_history_add(&h, tz_time_of(D("2026-08-28"), 0), D("2026-08-28"), VIA_OTHER);
	/* a newer e-mail wins over the older date */
	followup_history_add(&h, tz_time_of(D("2026-09-10"), 600), D("2026-09-10"), VIA_EMAIL);
	followup_history_add(&h, tz_time_of(D("2026-09-01"), 600), D("2026-09-01"), VIA_CALL);
	assert_int_equal(h.last_via, VIA_EMAIL);
	assert_int_equal(h.last_day, D("2026-09-10"));
	assert_true(h.has_via[VIA_CALL]);
	assert_int_equal(h.via_day[VIA_CALL], D("2026-09-01"));
	followup_items(&c, &s, &h, &no_state, D("2026-12-10"), items);
	assert_int_equal(items[0].due, D("2026-12-10"));
	assert_int_equal(items[0].status, FU_DUE);
}

static void
test_birthday(void **unused)
{
	struct fu_settings s = settings();
	struct fu_history h = {0};
	struct fu_item it[FU_MAX_ITEMS];
	struct contact c;

	use_zone("UTC");
	blank_contact(&c, "mum");
	c.bday_month = 4;
	c.bday_day = 2;
	/* card due 5 days before, "coming up" 7 days before that */
	assert_int_equal(followup_items(&c, &s, &h, &no_state, D("2026-03-20"), it), 1);
	assert_int_equal(it[0].kind, FU_BIRTHDAY);
	assert_int_equal(it[0].due, D("2026-03-28"));
	assert_int_equal(it[0].status, FU_OK);
	followup_items(&c, &s, &h, &no_state, D("2026-03-21"), it);
	assert_int_equal(it[0].status, FU_UPCOMING);
	followup_items(&c, &s, &h, &no_state, D("2026-03-28"), it);
	assert_int_equal(it[0].status, FU_DUE);
	followup_items(&c, &s, &h, &no_state, D("2026-04-02"), it);
	assert_int_equal(it[0].status, FU_DUE);
	assert_int_equal(it[0].days_late, 5);
	/* the day after, next year's card */
	followup_items(&c, &s, &h, &no_state, D("2026-04-03"), it);
	assert_int_equal(it[0].due, D("2027-03-28"));
	assert_int_equal(it[0].status, FU_OK);
	/* a card sent in the window settles it; one from last year does not */
	followup_history_add(&h, tz_time_of(D("2025-03-29"), 600), D("2025-03-29"), VIA_CARD);
	followup_items(&c, &s, &h, &no_state, D("2026-03-30"), it);
	assert_int_equal(it[0].status, FU_DUE);
	followup_history_add(&h, tz_time_of(D("2026-03-29"), 600), D("2026-03-29"), VIA_CARD);
	followup_items(&c, &s, &h, &no_state, D("2026-03-30"), it);
	assert_int_equal(it[0].status, FU_OK);
	/* an e-mail is not a card */
	struct fu_history h2 = {0};
	followup_history_add(&h2, tz_time_of(D("2026-03-29"), 600), D("2026-03-29"), VIA_EMAIL);
	followup_items(&c, &s, &h2, &no_state, D("2026-03-30"), it);
	assert_int_equal(it[0].status, FU_DUE);
}

static void
test_birthday_feb29(void **unused)
{
	struct fu_settings s = settings();
	struct fu_history h = {0};
	struct fu_item it[FU_MAX_ITEMS];
	struct contact c;

	use_zone("UTC");
	blank_contact(&c, "tom");
	c.bday_month = 2;
	c.bday_day = 29;
	followup_items(&c, &s, &h, &no_state, D("2027-02-01"), it);
	assert_int_equal(it[0].overdue, D("2027-02-28"));
	assert_int_equal(it[0].due, D("2027-02-23"));
	followup_items(&c, &s, &h, &no_state, D("2028-02-01"), it);
	assert_int_equal(it[0].overdue, D("2028-02-29"));
	assert_int_equal(it[0].due, D("2028-02-24"));
}

static void
test_meeting(void **unused)
{
	struct fu_settings s = settings();
	struct fu_history h = {0};
	struct fu_item it[FU_MAX_ITEMS];
	struct contact c;

	use_zone("Europe/Berlin");
	blank_contact(&c, "chen");
	c.has_met = true;
	c.met_day = D("2026-11-20");
	c.met_minute = 14 * 60;
	c.met_at = tz_time_of(c.met_day, c.met_minute);
	assert_int_equal(followup_items(&c, &s, &h, &no_state, D("2026-11-20"), it), 2);
	assert_string_equal(it[0].title, "thank-you email");
	assert_int_equal(it[0].status, FU_DUE);
	assert_int_equal(it[0].overdue, D("2026-11-21"));
	assert_string_equal(it[1].title, "handwritten card");
	assert_int_equal(it[1].overdue, D("2026-11-23"));
	followup_items(&c, &s, &h, &no_state, D("2026-11-22"), it);
	assert_int_equal(it[0].status, FU_OVERDUE);
	assert_int_equal(it[1].status, FU_DUE);
	followup_items(&c, &s, &h, &no_state, D("2026-11-24"), it);
	assert_int_equal(it[1].status, FU_OVERDUE);
	/* an e-mail before the meeting does not count, one after does */
	followup_history_add(&h, c.met_at - 3600, D("2026-11-20"), VIA_EMAIL);
	followup_items(&c, &s, &h, &no_state, D("2026-11-21"), it);
	assert_int_equal(it[0].status, FU_DUE);
	followup_history_add(&h, c.met_at + 3600, D("2026-11-20"), VIA_EMAIL);
	followup_items(&c, &s, &h, &no_state, D("2026-11-21"), it);
	assert_int_equal(it[0].status, FU_OK);
	assert_int_equal(it[1].status, FU_DUE);   /* the card is still owed */
	followup_history_add(&h, c.met_at + 86400, D("2026-11-21"), VIA_CARD);
	followup_items(&c, &s, &h, &no_state, D("2026-11-21"), it);
	assert_int_equal(it[1].status, FU_OK);
}

/* A meeting read from a calendar opens the contact's steps from its end,
 * the newer of it and "met =" wins, none opens nothing, and its steps drop
 * out a week after they fell overdue. */
static void
test_calendar_meeting(void **unused)
{
	struct fu_settings s = settings();
	struct fu_history h = {0};
	struct fu_item it[FU_MAX_ITEMS];
	struct contact c;
	/* 2026-11-24 15:30 Berlin (UTC+1) is 14:30 UTC */
	time_t end = 1795530600;   /* by Python's zoneinfo */

	use_zone("Europe/Berlin");
	blank_contact(&c, "dana");
	assert_int_equal(tz_day_of(end), D("2026-11-24"));
	assert_int_equal(tz_minute_of(end), 15 * 60 + 30);
	followup_history_add(&h, end, D("2026-11-24"), VIA_MEETING);
	followup_history_meeting(&h, end, D("2026-11-24"), 15 * 60 + 30);
	/* an older one changes nothing */
	followup_history_meeting(&h, end - 7 * 86400, D("2026-11-17"), 15 * 60 + 30);
	assert_int_equal(followup_items(&c, &s, &h, &no_state, D("2026-11-24"), it), 2);
	assert_string_equal(it[0].title, "thank-you email");
	assert_int_equal(it[0].due, D("2026-11-24"));
	/* 15:30 + 24 h is the 25th, + 72 h the 27th */
	assert_int_equal(it[0].overdue, D("2026-11-25"));
	assert_int_equal(it[1].overdue, D("2026-11-27"));
	assert_int_equal(it[0].status, FU_DUE);
	/* a "met =" older than the calendar's meeting does not move them */
	c.has_met = true;
	c.met_day = D("2026-11-10");
	c.met_minute = 9 * 60;
	c.met_at = tz_time_of(c.met_day, c.met_minute);
	followup_items(&c, &s, &h, &no_state, D("2026-11-24"), it);
	assert_int_equal(it[0].due, D("2026-11-24"));
	/* a newer one does */
	c.met_day = D("2026-11-26");
	c.met_at = tz_time_of(c.met_day, c.met_minute);
	followup_items(&c, &s, &h, &no_state, D("2026-11-26"), it);
	assert_int_equal(it[0].due, D("2026-11-26"));
	c.has_met = false;
	/* the card's step is shown until 7 days after it fell overdue, the
	 * 27th: the 4th of December is its last day */
	assert_int_equal(followup_items(&c, &s, &h, &no_state, D("2026-12-04"), it), 1);
	assert_string_equal(it[0].title, "handwritten card");
	assert_int_equal(it[0].status, FU_OVERDUE);
	assert_int_equal(followup_items(&c, &s, &h, &no_state, D("2026-12-05"), it), 0);
	/* after_meeting = none */
	c.nafter_meeting = 0;
	assert_int_equal(followup_items(&c, &s, &h, &no_state, D("2026-11-24"), it), 0);
}

/* A message of day (at noon), its wait ending wait days later. */
static struct fu_message
msg(int day, int wait, const char *subject)
{
	struct fu_message m = { true, tz_time_of(day, 12 * 60), day, day + wait, "id@x",
		subject, "erin@example.com" };

	return m;
}

static size_t
count_kind(const struct fu_item *it, size_t n, enum fu_kind k)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += it[i].kind == k;
	return c;
}

/* No reply yet and Waiting on you: from the day the wait ends, until an
 * answer, or anything of the user's; never for a message of more than
 * FU_REPLY_WINDOW days ago. */
static void
test_replies(void **unused)
{
	struct fu_settings s = settings();
	struct fu_history h = {0};
	struct fu_item it[FU_MAX_ITEMS];
	struct contact c;
	int d0 = D("2026-11-20");
	size_t n;

	use_zone("Europe/Berlin");
	blank_contact(&c, "erin");
	c.nudge = 3 * 86400;
	h.sent = msg(d0, 3, "Proposal");
	followup_history_add(&h, h.sent.at, d0, VIA_EMAIL);
	/* nothing before the nudge's day */
	n = followup_items(&c, &s, &h, &no_state, d0 + 2, it);
	assert_int_equal(count_kind(it, n, FU_NOREPLY), 0);
	n = followup_items(&c, &s, &h, &no_state, d0 + 3, it);
	assert_int_equal(n, 1);
	assert_int_equal(it[0].kind, FU_NOREPLY);
	assert_int_equal(it[0].status, FU_DUE);
	assert_string_equal(it[0].title, "Proposal");
	assert_ptr_equal(it[0].message, &h.sent);
	followup_items(&c, &s, &h, &no_state, d0 + 4, it);
	assert_int_equal(it[0].status, FU_OVERDUE);
	/* too old */
	assert_int_equal(followup_items(&c, &s, &h, &no_state, d0 + FU_REPLY_WINDOW + 1, it), 0);
	/* an answer after it ends it; one before it does not */
	h.received = msg(d0 - 1, 0, "Earlier");
	assert_int_equal(followup_items(&c, &s, &h, &no_state, d0 + 3, it), 1);
	h.received = msg(d0 + 1, 0, "Re: Proposal");
	assert_int_equal(followup_items(&c, &s, &h, &no_state, d0 + 3, it), 0);
	/* anything of the user's after the message ends it: a call */
	h.received.any = false;
	followup_history_add(&h, h.sent.at + 3600, d0, VIA_CALL);
	assert_int_equal(followup_items(&c, &s, &h, &no_state, d0 + 3, it), 0);
	/* off */
	memset(&h, 0, sizeof h);
	h.sent = msg(d0, 3, NULL);
	followup_history_add(&h, h.sent.at, d0, VIA_EMAIL);
	n = followup_items(&c, &s, &h, &no_state, d0 + 3, it);
	assert_string_equal(it[0].title, "(no subject)");
	c.nudge = 0;
	assert_int_equal(followup_items(&c, &s, &h, &no_state, d0 + 3, it), 0);

	/* Waiting on you: their message, 2 days, nothing of the user's since */
	memset(&h, 0, sizeof h);
	c.answer_within = 2 * 86400;
	h.received = msg(d0, 2, "Question");
	assert_int_equal(followup_items(&c, &s, &h, &no_state, d0 + 1, it), 0);
	n = followup_items(&c, &s, &h, &no_state, d0 + 2, it);
	assert_int_equal(n, 1);
	assert_int_equal(it[0].kind, FU_WAITING);
	assert_string_equal(it[0].title, "Question");
	/* an older touch does not answer it, a newer one does */
	followup_history_add(&h, h.received.at - 60, d0, VIA_EMAIL);
	assert_int_equal(followup_items(&c, &s, &h, &no_state, d0 + 2, it), 1);
	followup_history_add(&h, h.received.at + 60, d0, VIA_EMAIL);
	assert_int_equal(followup_items(&c, &s, &h, &no_state, d0 + 2, it), 0);
	assert_string_equal(followup_kind_name(FU_NOREPLY), "noreply");
	assert_string_equal(followup_kind_name(FU_WAITING), "waiting");
}

static void
test_once(void **unused)
{
	struct fu_settings s = settings();
	struct fu_history h = {0};
	struct fu_item it[FU_MAX_ITEMS];
	struct contact c;

	use_zone("UTC");
	blank_contact(&c, "farah");
	c.once_day = D("2026-12-01");
	c.once_text = (char *)"Check the proposal landed";
	followup_items(&c, &s, &h, &no_state, D("2026-11-23"), it);
	assert_int_equal(it[0].kind, FU_ONCE);
	assert_int_equal(it[0].status, FU_OK);
	char how[64];
	followup_describe(&it[0], how, sizeof how);
	assert_string_equal(how, "next due 2026-12-01");   /* ahead, not "done" */
	followup_items(&c, &s, &h, &no_state, D("2026-11-24"), it);
	assert_int_equal(it[0].status, FU_UPCOMING);
	followup_items(&c, &s, &h, &no_state, D("2026-12-01"), it);
	assert_int_equal(it[0].status, FU_DUE);
	followup_items(&c, &s, &h, &no_state, D("2026-12-02"), it);
	assert_int_equal(it[0].status, FU_OVERDUE);
	/* a touch before the day does not settle it, one on the day does */
	followup_history_add(&h, tz_time_of(D("2026-11-30"), 600), D("2026-11-30"), VIA_EMAIL);
	followup_items(&c, &s, &h, &no_state, D("2026-12-02"), it);
	assert_int_equal(it[0].status, FU_OVERDUE);
	followup_history_add(&h, tz_time_of(D("2026-12-01"), 600), D("2026-12-01"), VIA_CALL);
	followup_items(&c, &s, &h, &no_state, D("2026-12-02"), it);
	assert_int_equal(it[0].status, FU_OK);
}

static void
test_pause_and_snooze(void **unused)
{
	struct fu_settings s = settings();
	struct fu_history h = {0};
	struct fu_item it[FU_MAX_ITEMS];
	struct fu_state st = no_state;
	struct contact c;
	const char *why;

	use_zone("UTC");
	blank_contact(&c, "emeka");
	assert_int_equal(cadence_parse("2w", &c.cadence, &why), 0);
	c.has_cadence = true;
	followup_history_add(&h, tz_time_of(D("2026-10-01"), 600), D("2026-10-01"), VIA_EMAIL);

	c.paused = PAUSE_YES;
	followup_items(&c, &s, &h, &st, D("2026-11-23"), it);
	assert_int_equal(it[0].status, FU_PAUSED);
	assert_int_equal(it[0].due, D("2026-10-15"));

	/* paused until a date: hidden before, due on that day, late after */
	c.paused = PAUSE_UNTIL;
	c.paused_until = D("2027-01-10");
	followup_items(&c, &s, &h, &st, D("2027-01-09"), it);
	assert_int_equal(it[0].status, FU_PAUSED);
	char how[64];
	followup_describe(&it[0], how, sizeof how);
	assert_string_equal(how, "paused until 2027-01-10");
	followup_items(&c, &s, &h, &st, D("2027-01-10"), it);
	assert_int_equal(it[0].status, FU_DUE);
	assert_int_equal(it[0].due, D("2027-01-10"));
	followup_items(&c, &s, &h, &st, D("2027-01-12"), it);
	assert_int_equal(it[0].status, FU_OVERDUE);
	assert_int_equal(it[0].days_late, 2);

	/* snoozed from the state */
	c.paused = PAUSE_NO;
	st.snooze_until = D("2026-12-01");
	followup_items(&c, &s, &h, &st, D("2026-11-23"), it);
	assert_int_equal(it[0].status, FU_SNOOZED);
	assert_int_equal(it[0].due, D("2026-12-01"));
	followup_describe(&it[0], how, sizeof how);
	assert_string_equal(how, "snoozed until 2026-12-01");
	followup_items(&c, &s, &h, &st, D("2026-12-01"), it);
	assert_int_equal(it[0].status, FU_DUE);
	/* a touch after the snooze makes it moot */
	followup_history_add(&h, tz_time_of(D("2026-11-30"), 600), D("2026-11-30"), VIA_EMAIL);
	followup_items(&c, &s, &h, &st, D("2026-12-01"), it);
	assert_int_equal(it[0].status, FU_OK);
	assert_int_equal(it[0].due, D("2026-12-14"));
	followup_items(&c, &s, &h, &st, D("2026-12-07"), it);
	assert_int_equal(it[0].status, FU_UPCOMING);

	/* paused in the state, then resumed */
	st.snooze_until = DAY_NONE;
	st.paused = PAUSE_YES;
	followup_items(&c, &s, &h, &st, D("2026-12-20"), it);
	assert_int_equal(it[0].status, FU_PAUSED);
	st.paused = PAUSE_NO;
	followup_items(&c, &s, &h, &st, D("2026-12-20"), it);
	assert_int_equal(it[0].status, FU_OVERDUE);
}

static void
test_sort_and_describe(void **unused)
{
	struct contact a, b;
	struct fu_history h = {0};
	struct fu_item it[4];
	char s[64];

	blank_contact(&a, "a");
	a.name = (char *)"Alice";
	blank_contact(&b, "b");
	b.name = (char *)"Bob";
	memset(it, 0, sizeof it);
	it[0] = (struct fu_item){ .contact = &a, .kind = FU_CADENCE, .status = FU_UPCOMING, .days_late = -2, .held_until = DAY_NONE, .history = &h };
	it[1] = (struct fu_item){ .contact = &b, .kind = FU_CADENCE, .status = FU_OVERDUE, .days_late = 1, .held_until = DAY_NONE, .history = &h };
	it[2] = (struct fu_item){ .contact = &a, .kind = FU_CADENCE, .status = FU_OVERDUE, .days_late = 9, .held_until = DAY_NONE, .history = &h };
	it[3] = (struct fu_item){ .contact = &b, .kind = FU_CADENCE, .status = FU_UPCOMING, .days_late = -1, .held_until = DAY_NONE, .history = &h };
	followup_sort(it, 4);
	assert_int_equal(it[0].days_late, 9);
	assert_int_equal(it[1].days_late, 1);
	assert_int_equal(it[2].days_late, -1);
	assert_int_equal(it[3].days_late, -2);
	followup_describe(&it[0], s, sizeof s);
	assert_string_equal(s, "9 days overdue");
	it[1].days_late = 1;
	followup_describe(&it[1], s, sizeof s);
	assert_string_equal(s, "1 day overdue");
	followup_describe(&it[2], s, sizeof s);
	assert_string_equal(s, "due tomorrow");
	followup_describe(&it[3], s, sizeof s);
	assert_string_equal(s, "due in 2 days");
	it[3].status = FU_DUE;
	it[3].days_late = 0;
	followup_describe(&it[3], s, sizeof s);
	assert_string_equal(s, "due today");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due_table),
		cmocka_unit_test(test_new_contact_spread),
		cmocka_unit_test(test_config_last_is_a_touch),
		cmocka_unit_test(test_birthday),
		cmocka_unit_test(test_birthday_feb29),
		cmocka_unit_test(test_meeting),
		cmocka_unit_test(test_once),
		cmocka_unit_test(test_calendar_meeting),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_pause_and_snooze),
		cmocka_unit_test(test_sort_and_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
