/* The calendar's pure parts: invites as libical reads them back (RFC 5546
 * restrictions, METHOD, SEQUENCE, TZID), the invite plan through every
 * transition, the feed server's path, ETag and date checks, base64. */
#include "testutil.h"

#include <libical/ical.h>

#include "cal.h"
#include "feedsrv.h"
#include "invite.h"
#include "mime.h"

static const char conf_text[] =
    "[followupd]\nme = Jane Doe <jane@example.org>\ntimezone = Europe/Berlin\n"
    "[calendar]\nevent_time = 09:00 30m\n"
    "[group:clients]\ncadence = 2w\n"
    "[contact:alice]\nname = Alice Smith\nemail = alice@example.com\ngroup = clients\n"
    "[contact:bob]\nemail = bob@example.com\ncadence = 3w\n";

#define TODAY 20780   /* 2026-11-23, a Monday */

static struct fu_history hist = { .any = true, .last_day = TODAY - 14 };

static struct fu_item
item(const struct config *cfg, size_t contact, enum fu_status st, int due)
{
	struct fu_item it;

	memset(&it, 0, sizeof it);
	it.contact = &cfg->contacts[contact];
	it.kind = FU_CADENCE;
	it.status = st;
	it.due = due;
	it.overdue = due;
	it.held_until = DAY_NONE;
	it.history = &hist;
	it.cycle = hist.last_day;
	return it;
}

/* Parses text with libical: the first VEVENT; *cal to free. */
static icalcomponent *
parse_event(const char *text, icalcomponent **cal)
{
	*cal = icalparser_parse_string(text);
	assert_non_null(*cal);
	return icalcomponent_get_first_component(*cal, ICAL_VEVENT_COMPONENT);
}

static void
test_invite_calendar(void **state)
{
	struct config *cfg = test_config(conf_text);
	struct fu_item it = item(cfg, 0, FU_DUE, TODAY);
	struct cal_event ev;
	icalcomponent *cal, *ve;
	icalproperty *p;
	char *text;

	(void)state;
	assert_int_equal(cal_event_of(cfg, &it, TODAY, &ev), 0);
	assert_string_equal(ev.uid, "cadence.alice.20261109@example.org");
	assert_string_equal(ev.summary, "Follow up: Alice Smith");
	assert_string_equal(ev.category, "clients");

	text = cal_invite(cfg, &ev, CAL_REQUEST, 3, 1795000000);
	ve = parse_event(text, &cal);
	assert_true(icalrestriction_check(cal));
	assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_REQUEST);
	assert_int_equal(icalcomponent_get_sequence(ve), 3);
	assert_string_equal(icalcomponent_get_uid(ve), ev.uid);
	p = icalcomponent_get_first_property(ve, ICAL_ORGANIZER_PROPERTY);
	assert_string_equal(icalproperty_get_organizer(p), "mailto:jane@example.org");
	p = icalcomponent_get_first_property(ve, ICAL_DTSTART_PROPERTY);
	assert_string_equal(icalparameter_get_tzid(
	    icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER)), "Europe/Berlin");
	assert_int_equal(icalproperty_get_dtstart(p).hour, 9);
	assert_non_null(icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT));
	icalcomponent_free(cal);
	free(text);

	text = cal_invite(cfg, &ev, CAL_CANCEL, 4, 1795000000);
	ve = parse_event(text, &cal);
	assert_true(icalrestriction_check(cal));
	assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_CANCEL);
	assert_int_equal(icalcomponent_get_status(ve), ICAL_STATUS_CANCELLED);
	assert_int_equal(icalcomponent_get_sequence(ve), 4);
	icalcomponent_free(cal);
	free(text);
	cal_event_free(&ev);
	config_free(cfg);
}

/* Two check-backs on one person, due the same day: two events. */
static void
test_checkback_uids(void **state)
{
	struct config *cfg = test_config(conf_text);
	struct fu_item a = item(cfg, 0, FU_DUE, TODAY), b = item(cfg, 0, FU_DUE, TODAY);
	struct cal_event ea, eb;

	(void)state;
	a.kind = b.kind = FU_CHECKBACK;
	a.title = "Proposal";
	b.title = "Invoice";
	a.cycle = b.cycle = TODAY;
	assert_int_equal(cal_event_of(cfg, &a, TODAY, &ea), 0);
	assert_int_equal(cal_event_of(cfg, &b, TODAY, &eb), 0);
	assert_string_not_equal(ea.uid, eb.uid);
	assert_int_equal(strncmp(ea.uid, "checkback.alice.20261123.", 25), 0);
	cal_event_free(&ea);
	cal_event_free(&eb);
	config_free(cfg);
}

static void
test_invite_message(void **state)
{
	struct config *cfg = test_config(conf_text);
	struct fu_item it = item(cfg, 0, FU_DUE, TODAY);
	struct invite_action *a;
	char *msg, *id2;
	size_t n;

	(void)state;
	n = invite_plan(cfg, &it, 1, NULL, 0, TODAY, &a);
	assert_int_equal(n, 1);
	msg = invite_message(cfg, &a[0], 1795000000);
	assert_non_null(strstr(msg, "Content-Type: multipart/mixed;"));
	assert_non_null(strstr(msg, "Content-Type: text/calendar; charset=UTF-8; method=REQUEST\r\n"));
	assert_non_null(strstr(msg, "filename=\"invite.ics\""));
	assert_non_null(strstr(msg, "Subject: Follow up: Alice Smith\r\n"));
	/* The Message-ID is the uid and sequence: a resend is the same message. */
	id2 = invite_message_id(cfg, a[0].ev.uid, 1);
	assert_null(strstr(msg, id2));
	free(id2);
	id2 = invite_message_id(cfg, a[0].ev.uid, 0);
	assert_non_null(strstr(msg, id2));
	free(id2);
	free(msg);
	invite_actions_free(a, n);
	config_free(cfg);
}

/* The plan for one item against one known invite. */
struct plan_case {
	enum fu_status status;     /* of alice's item; FU_OK: no item at all */
	int held;                  /* snooze end, or DAY_NONE */
	bool known;
	int known_day, known_seq;
	bool cancelled, closed;
	/* expected */
	size_t n;
	enum invite_action_kind kind;
	enum cal_method method;
	int seq, day;
};

static void
test_invite_plan(void **state)
{
	static const struct plan_case cases[] = {
		/* due, never sent: REQUEST 0 for its due date */
		{ FU_DUE, DAY_NONE, false, 0, 0, false, false, 1, INVITE_SEND, CAL_REQUEST, 0, TODAY },
		{ FU_OVERDUE, DAY_NONE, false, 0, 0, false, false, 1, INVITE_SEND, CAL_REQUEST, 0, TODAY },
		/* sent for that date: nothing */
		{ FU_DUE, DAY_NONE, true, TODAY, 0, false, false, 0, 0, 0, 0, 0 },
		{ FU_OVERDUE, DAY_NONE, true, TODAY, 2, false, false, 0, 0, 0, 0, 0 },
		/* snoozed after it was sent: moved, sequence up */
		{ FU_SNOOZED, TODAY + 3, true, TODAY, 0, false, false, 1, INVITE_SEND, CAL_REQUEST, 1, TODAY + 3 },
		/* snoozed, never sent: nothing to move */
		{ FU_SNOOZED, TODAY + 3, false, 0, 0, false, false, 0, 0, 0, 0, 0 },
		/* the due date itself moved (a changed cadence) */
		{ FU_DUE, DAY_NONE, true, TODAY - 2, 1, false, false, 1, INVITE_SEND, CAL_REQUEST, 2, TODAY },
		/* resolved while its date is today or later: CANCEL */
		{ FU_OK, DAY_NONE, true, TODAY, 0, false, false, 1, INVITE_SEND, CAL_CANCEL, 1, TODAY },
		{ FU_OK, DAY_NONE, true, TODAY + 3, 1, false, false, 1, INVITE_SEND, CAL_CANCEL, 2, TODAY + 3 },
		/* paused: no longer an event, so cancelled */
		{ FU_PAUSED, DAY_NONE, true, TODAY, 0, false, false, 1, INVITE_SEND, CAL_CANCEL, 1, TODAY },
		/* resolved after its date: closed quietly */
		{ FU_OK, DAY_NONE, true, TODAY - 1, 0, false, false, 1, INVITE_CLOSE, 0, 0, TODAY - 1 },
		/* cancelled or closed, still gone: nothing */
		{ FU_OK, DAY_NONE, true, TODAY, 1, true, false, 0, 0, 0, 0, 0 },
		{ FU_OK, DAY_NONE, true, TODAY - 1, 0, false, true, 0, 0, 0, 0, 0 },
		/* closed (its date passed while paused), due again later: sent again */
		{ FU_DUE, DAY_NONE, true, TODAY - 10, 0, false, true, 1, INVITE_SEND, CAL_REQUEST, 1, TODAY },
		/* cancelled, then due again (resumed): a new REQUEST */
		{ FU_DUE, DAY_NONE, true, TODAY, 1, true, false, 1, INVITE_SEND, CAL_REQUEST, 2, TODAY },
		/* upcoming is no invite yet */
		{ FU_UPCOMING, DAY_NONE, false, 0, 0, false, false, 0, 0, 0, 0, 0 },
	};
	struct config *cfg = test_config(conf_text);

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct plan_case *c = &cases[i];
		struct fu_item it = item(cfg, 0, c->status == FU_OK ? FU_DUE : c->status, TODAY);
		struct invite_known k = { "cadence.alice.20261109@example.org", "alice",
		    c->known_seq, c->known_day, c->cancelled, c->closed };
		struct invite_action *a;
		size_t n;

		it.held_until = c->held;
		n = invite_plan(cfg, &it, c->status == FU_OK ? 0 : 1, &k, c->known ? 1 : 0,
		    TODAY, &a);
		if (n != c->n)
			fail_msg("case %zu: %zu actions, expected %zu", i, n, c->n);
		if (n == 1) {
			assert_string_equal(a[0].ev.uid, k.uid);
			assert_string_equal(a[0].contact, "alice");
			if (a[0].kind != c->kind || a[0].sequence != c->seq || a[0].ev.day != c->day ||
			    (c->kind == INVITE_SEND && a[0].method != c->method))
				fail_msg("case %zu: kind %d method %d seq %d day %d", i, a[0].kind,
				    a[0].method, a[0].sequence, a[0].ev.day - TODAY);
			if (c->kind == INVITE_SEND) {
				char *text = cal_invite(cfg, &a[0].ev, a[0].method, a[0].sequence, 0);
				icalcomponent *cal = icalparser_parse_string(text);

				assert_true(icalrestriction_check(cal));
				icalcomponent_free(cal);
				free(text);
			}
		}
		invite_actions_free(a, n);
	}
	config_free(cfg);
}

/* The feed's DTSTART date of the event uid in text, or DAY_NONE. */
static int
feed_day(const char *text, const char *uid)
{
	icalcomponent *cal = icalparser_parse_string(text);
	int day = DAY_NONE;

	for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	    ev != NULL; ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		if (strcmp(icalcomponent_get_uid(ev), uid) == 0) {
			struct icaltimetype t = icalcomponent_get_dtstart(ev);
			char d[DAY_STRLEN];

			snprintf(d, sizeof d, "%04d-%02d-%02d", t.year, t.month, t.day);
			(void)day_parse(d, &day);
		}
	icalcomponent_free(cal);
	return day;
}

/* An item overdue for 20 days: its invite is for the day it goes out, not
 * its old due date; the next days it is not moved (no mail a day), and
 * the feed keeps it where the invite put it. One UID, one date. */
static void
test_overdue_one_date(void **state)
{
	struct config *cfg = test_config(conf_text);
	struct fu_item it = item(cfg, 0, FU_OVERDUE, TODAY - 20);
	struct invite_action *a;
	struct invite_known k = { NULL, "alice", 0, TODAY, false, false };
	struct cal_placed placed;
	char *text;
	size_t n;

	(void)state;
	n = invite_plan(cfg, &it, 1, NULL, 0, TODAY, &a);
	assert_int_equal(n, 1);
	assert_int_equal(a[0].ev.day, TODAY);
	k.uid = a[0].ev.uid;
	placed = (struct cal_placed){ a[0].ev.uid, TODAY };
	/* Three days later, still overdue. */
	{
		struct invite_action *b;

		assert_int_equal(invite_plan(cfg, &it, 1, &k, 1, TODAY + 3, &b), 0);
		invite_actions_free(b, 0);
	}
	text = cal_feed(cfg, &it, 1, TODAY + 3, &placed, 1);
	assert_int_equal(feed_day(text, k.uid), TODAY);
	free(text);
	/* Without an invite (invites off), the feed shows it on today. */
	text = cal_feed(cfg, &it, 1, TODAY + 3, NULL, 0);
	assert_int_equal(feed_day(text, k.uid), TODAY + 3);
	free(text);
	/* A new cycle (a later due date) is not held by an older invite. */
	it.due = TODAY + 1;
	it.status = FU_DUE;
	text = cal_feed(cfg, &it, 1, TODAY + 3, &placed, 1);
	assert_int_equal(feed_day(text, k.uid), TODAY + 3);
	free(text);
	invite_actions_free(a, n);
	config_free(cfg);
}

static void
test_path(void **state)
{
	const char *tok = "0123456789abcdef0123456789abcdef01234567";

	(void)state;
	assert_true(feedsrv_path_ok("/0123456789abcdef0123456789abcdef01234567/followups.ics", tok));
	assert_false(feedsrv_path_ok("/0123456789abcdef0123456789abcdef01234568/followups.ics", tok));
	assert_false(feedsrv_path_ok("/123456789abcdef0123456789abcdef01234567/followups.ics", tok));
	assert_false(feedsrv_path_ok("/0123456789abcdef0123456789abcdef012345678/followups.ics", tok));
	assert_false(feedsrv_path_ok("/0123456789abcdef0123456789abcdef01234567/followups.ic", tok));
	assert_false(feedsrv_path_ok("/0123456789abcdef0123456789abcdef01234567/followups.ics/", tok));
	assert_false(feedsrv_path_ok("/0123456789abcdef0123456789abcdef01234567/../followups.ics", tok));
	assert_false(feedsrv_path_ok("/0123456789abcdef0123456789abcdef01234567", tok));
	assert_false(feedsrv_path_ok("//followups.ics", tok));
	assert_false(feedsrv_path_ok("/followups.ics", tok));
	assert_false(feedsrv_path_ok("", tok));
	assert_false(feedsrv_path_ok("0123456789abcdef0123456789abcdef01234567/followups.ics", tok));
}

static void
test_etag(void **state)
{
	(void)state;
	assert_true(feedsrv_etag_match("\"abc\"", "\"abc\""));
	assert_true(feedsrv_etag_match("W/\"abc\"", "\"abc\""));
	assert_true(feedsrv_etag_match("\"x\", \"abc\"", "\"abc\""));
	assert_true(feedsrv_etag_match("*", "\"abc\""));
	assert_false(feedsrv_etag_match("\"abcd\"", "\"abc\""));
	assert_false(feedsrv_etag_match("\"ab\"", "\"abc\""));
	assert_false(feedsrv_etag_match("abc", "\"abc\""));
	assert_false(feedsrv_etag_match("\"abc", "\"abc\""));
	assert_false(feedsrv_etag_match("", "\"abc\""));
}

static void
test_http_date(void **state)
{
	(void)state;
	/* RFC 9110 5.6.7's example, in its three forms: 784111777. */
	assert_int_equal(feedsrv_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
	assert_int_equal(feedsrv_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
	assert_int_equal(feedsrv_http_date("Sun Nov  6 08:49:37 1994"), 784111777);
	assert_int_equal(feedsrv_http_date("yesterday"), -1);
	assert_int_equal(feedsrv_http_date("Sun, 06 Nov 1994 08:49:37 GMT junk"), -1);
	assert_int_equal(feedsrv_http_date(""), -1);
}

static void
test_base64(void **state)
{
	/* RFC 4648 section 10. */
	static const char *const vec[][2] = {
		{ "", "" }, { "f", "Zg==\r\n" }, { "fo", "Zm8=\r\n" }, { "foo", "Zm9v\r\n" },
		{ "foob", "Zm9vYg==\r\n" }, { "fooba", "Zm9vYmE=\r\n" }, { "foobar", "Zm9vYmFy\r\n" },
	};
	struct buf b = { 0 };
	char in[58];

	(void)state;
	for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		buf_reset(&b);
		mime_base64(&b, vec[i][0], strlen(vec[i][0]));
		assert_string_equal(buf_str(&b), vec[i][1]);
	}
	/* 57 bytes make one full line of 76; the 58th starts another. */
	memset(in, 'a', sizeof in);
	buf_reset(&b);
	mime_base64(&b, in, 57);
	assert_int_equal(b.len, 78);
	buf_reset(&b);
	mime_base64(&b, in, 58);
	assert_int_equal(strcspn(buf_str(&b), "\r"), 76);
	assert_string_equal(buf_str(&b) + 78, "YQ==\r\n");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invite_calendar),
		cmocka_unit_test(test_invite_message),
		cmocka_unit_test(test_checkback_uids),
		cmocka_unit_test(test_invite_plan),
		cmocka_unit_test(test_overdue_one_date),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_etag),
		cmocka_unit_test(test_http_date),
		cmocka_unit_test(test_base64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
