/* icsmeet: meetings read from iCalendar text. Every expected instant is
 * worked out by hand from UTC in the comments (days since 1970-01-01 times
 * 86400, plus the time of day in UTC); the process's zone is Europe/Berlin
 * (CET +1, CEST +2 from 2024-03-31 01:00 UTC to 2024-10-27 01:00 UTC). */
#include "testutil.h"

#include "icsmeet.h"

/* 2024-01-01 is day 19723 (1704067200); 2024-03-18 is day 19800,
 * 2024-03-31 day 19813, 2024-06-01 day 19875 (a Saturday). */
#define JAN1 1704067200   /* 2024-01-01T00:00:00Z */
#define Y2025 1735689600  /* 2025-01-01T00:00:00Z */
#define JUN1 1717200000   /* 2024-06-01T00:00:00Z */
#define DAY 86400

#define HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
#define TAIL "END:VCALENDAR\r\n"

struct errs {
	int n;
	char uid[8][64];
	char msg[8][256];
};

static void
on_err(void *arg, const char *uid, const char *message)
{
	struct errs *e = arg;

	if (e->n < 8) {
		snprintf(e->uid[e->n], sizeof e->uid[0], "%s", uid);
		snprintf(e->msg[e->n], sizeof e->msg[0], "%s", message);
	}
	e->n++;
}

/* Parses text over [from, to); it must succeed. */
static struct icsm_list
parse(const char *text, time_t from, time_t to, struct errs *e)
{
	struct icsm_list l = { 0 };

	memset(e, 0, sizeof *e);
	assert_int_equal(icsm_parse(text, strlen(text), from, to, &l, on_err, e), 0);
	return l;
}

static int
setup(void **state)
{
	char *err = NULL;

	(void)state;
	if (tz_use("Europe/Berlin", &err) != 0)
		fail_msg("%s", err);
	return 0;
}

static void
test_berlin_dst(void **state)
{
	/* 01:00 CET is 00:00Z on day 19813: 1711843200; 04:00 CEST (after
	 * the 02:00 -> 03:00 jump) is 02:00Z: 1711850400, two hours later. */
	static const char t[] = HEAD
	    "BEGIN:VEVENT\r\nUID:dst\r\nSUMMARY:Night shift\r\n"
	    "DTSTART;TZID=Europe/Berlin:20240331T010000\r\n"
	    "DTEND;TZID=Europe/Berlin:20240331T040000\r\nEND:VEVENT\r\n" TAIL;
	struct errs e;
	struct icsm_list l = parse(t, JAN1, Y2025, &e);

	(void)state;
	assert_int_equal(e.n, 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].uid, "dst");
	assert_string_equal(l.v[0].recur, "");
	assert_string_equal(l.v[0].title, "Night shift");
	assert_int_equal(l.v[0].start, 1711843200);
	assert_int_equal(l.v[0].end, 1711850400);
	assert_int_equal(l.v[0].npeople, 0);
	icsm_list_free(&l);
}

static void
test_vtimezone_of_text(void **state)
{
	/* The text's own zone wins: +05:30 all year, so 12:00 there is
	 * 06:30Z on 2024-06-01: 1717200000 + 23400 = 1717223400. */
	static const char t[] = HEAD
	    "BEGIN:VTIMEZONE\r\nTZID:Custom/Fixed\r\nBEGIN:STANDARD\r\n"
	    "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\n"
	    "END:STANDARD\r\nEND:VTIMEZONE\r\n"
	    "BEGIN:VEVENT\r\nUID:fixed\r\nDTSTART;TZID=Custom/Fixed:20240601T120000\r\n"
	    "END:VEVENT\r\n" TAIL;
	struct errs e;
	struct icsm_list l = parse(t, JAN1, Y2025, &e);

	(void)state;
	assert_int_equal(e.n, 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].start, 1717223400);
	assert_int_equal(l.v[0].end, 1717223400);   /* no DTEND, no DURATION */
	icsm_list_free(&l);
}

static void
test_utc_floating_duration(void **state)
{
	/* utc: 09:00Z on 2024-06-01 = JUN1 + 32400, DTEND an hour later.
	 * floating: 09:00 read in Berlin (CEST) is 07:00Z = JUN1 + 25200;
	 * PT45M adds 2700. */
	static const char t[] = HEAD
	    "BEGIN:VEVENT\r\nUID:utc\r\nDTSTART:20240601T090000Z\r\n"
	    "DTEND:20240601T100000Z\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:float\r\nDTSTART:20240601T090000\r\n"
	    "DURATION:PT45M\r\nEND:VEVENT\r\n" TAIL;
	struct errs e;
	struct icsm_list l = parse(t, JAN1, Y2025, &e);

	(void)state;
	assert_int_equal(e.n, 0);
	assert_int_equal(l.n, 2);
	/* Sorted by start: the floating one is earlier. */
	assert_string_equal(l.v[0].uid, "float");
	assert_int_equal(l.v[0].start, JUN1 + 25200);
	assert_int_equal(l.v[0].end, JUN1 + 25200 + 2700);
	assert_string_equal(l.v[1].uid, "utc");
	assert_int_equal(l.v[1].start, JUN1 + 32400);
	assert_int_equal(l.v[1].end, JUN1 + 36000);
	icsm_list_free(&l);
}

static void
test_weekly_count(void **state)
{
	/* Mondays at 10:00 Berlin: 2024-03-18 and 03-25 in CET (09:00Z),
	 * 04-01 in CEST (08:00Z). Day 19800 = 1710720000. */
	static const char t[] = HEAD
	    "BEGIN:VEVENT\r\nUID:weekly\r\n"
	    "DTSTART;TZID=Europe/Berlin:20240318T100000\r\n"
	    "DTEND;TZID=Europe/Berlin:20240318T110000\r\n"
	    "RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n" TAIL;
	struct errs e;
	struct icsm_list l = parse(t, JAN1, Y2025, &e);

	(void)state;
	assert_int_equal(e.n, 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].start, 1710720000 + 9 * 3600);
	assert_int_equal(l.v[1].start, 1710720000 + 7 * DAY + 9 * 3600);
	assert_int_equal(l.v[2].start, 1710720000 + 14 * DAY + 8 * 3600);
	assert_int_equal(l.v[2].end, 1710720000 + 14 * DAY + 9 * 3600);
	assert_string_equal(l.v[0].recur, "20240318T090000Z");
	assert_string_equal(l.v[1].recur, "20240325T090000Z");
	assert_string_equal(l.v[2].recur, "20240401T080000Z");
	icsm_list_free(&l);

	/* A window that holds only the third: the count still starts at
	 * DTSTART. [2024-03-28, 2025). */
	l = parse(t, 1710720000 + 10 * DAY, Y2025, &e);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].recur, "20240401T080000Z");
	icsm_list_free(&l);
}

static void
test_until_exdate(void **state)
{
	/* Daily at 09:00Z from 06-01: UNTIL 06-03T00:00Z keeps 06-01 and
	 * 06-02; COUNT=3 less the EXDATE of 06-02 keeps 06-01 and 06-03. */
	static const char t[] = HEAD
	    "BEGIN:VEVENT\r\nUID:until\r\nDTSTART:20240601T090000Z\r\n"
	    "RRULE:FREQ=DAILY;UNTIL=20240603T000000Z\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:exdate\r\nDTSTART:20240601T090000Z\r\n"
	    "RRULE:FREQ=DAILY;COUNT=3\r\nEXDATE:20240602T090000Z\r\nEND:VEVENT\r\n" TAIL;
	struct errs e;
	struct icsm_list l = parse(t, JAN1, Y2025, &e);

	(void)state;
	assert_int_equal(e.n, 0);
	assert_int_equal(l.n, 4);
	/* Sorted by start, then UID: exdate before until at equal starts. */
	assert_string_equal(l.v[0].uid, "exdate");
	assert_int_equal(l.v[0].start, JUN1 + 32400);
	assert_string_equal(l.v[1].uid, "until");
	assert_int_equal(l.v[1].start, JUN1 + 32400);
	assert_string_equal(l.v[2].uid, "until");
	assert_int_equal(l.v[2].start, JUN1 + DAY + 32400);
	assert_string_equal(l.v[3].uid, "exdate");
	assert_int_equal(l.v[3].start, JUN1 + 2 * DAY + 32400);
	assert_string_equal(l.v[3].recur, "20240603T090000Z");
	icsm_list_free(&l);
}

/* Mondays 06-03, 06-10, 06-17 at 09:00Z (06-03 is day 19877). */
#define MON1 (JUN1 + 2 * DAY + 32400)
#define WEEKLY_UTC "BEGIN:VEVENT\r\nUID:w\r\nSUMMARY:Sync\r\nDTSTART:20240603T090000Z\r\n" \
    "DTEND:20240603T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n"

static void
test_override_moves(void **state)
{
	/* The 06-10 instance moved to 06-11 14:00Z (day 19885:
	 * JUN1 + 10 days + 50400). */
	static const char t[] = HEAD WEEKLY_UTC "END:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:w\r\nRECURRENCE-ID:20240610T090000Z\r\nSUMMARY:Moved\r\n"
	    "DTSTART:20240611T140000Z\r\nDTEND:20240611T153000Z\r\nEND:VEVENT\r\n" TAIL;
	struct errs e;
	struct icsm_list l = parse(t, JAN1, Y2025, &e);

	(void)state;
	assert_int_equal(e.n, 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].start, MON1);
	assert_string_equal(l.v[0].title, "Sync");
	assert_int_equal(l.v[1].start, JUN1 + 10 * DAY + 50400);
	assert_int_equal(l.v[1].end, JUN1 + 10 * DAY + 50400 + 5400);
	assert_string_equal(l.v[1].recur, "20240610T090000Z");
	assert_string_equal(l.v[1].title, "Moved");
	assert_int_equal(l.v[2].start, MON1 + 14 * DAY);
	icsm_list_free(&l);

	/* A window [06-10T12:00Z, 06-12) that misses the original 06-10
	 * 09:00 but holds the moved one. */
	l = parse(t, JUN1 + 9 * DAY + 43200, JUN1 + 11 * DAY, &e);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].title, "Moved");
	icsm_list_free(&l);
	/* A window [06-10, 06-11) that holds the original time only: empty. */
	l = parse(t, JUN1 + 9 * DAY, JUN1 + 10 * DAY, &e);
	assert_int_equal(l.n, 0);
	icsm_list_free(&l);
}

static void
test_cancelled(void **state)
{
	static const char one[] = HEAD WEEKLY_UTC "END:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:w\r\nRECURRENCE-ID:20240610T090000Z\r\nSTATUS:CANCELLED\r\n"
	    "DTSTART:20240610T090000Z\r\nEND:VEVENT\r\n" TAIL;
	static const char all[] = HEAD WEEKLY_UTC "STATUS:CANCELLED\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:w\r\nRECURRENCE-ID:20240610T090000Z\r\n"
	    "DTSTART:20240611T090000Z\r\nEND:VEVENT\r\n" TAIL;
	struct errs e;
	struct icsm_list l = parse(one, JAN1, Y2025, &e);

	(void)state;
	assert_int_equal(e.n, 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].start, MON1);
	assert_int_equal(l.v[1].start, MON1 + 14 * DAY);
	icsm_list_free(&l);
	/* The master cancelled: its override goes too. */
	l = parse(all, JAN1, Y2025, &e);
	assert_int_equal(e.n, 0);
	assert_int_equal(l.n, 0);
	icsm_list_free(&l);
}

static void
test_skips(void **state)
{
	static const char t[] = HEAD
	    "BEGIN:VEVENT\r\nUID:allday\r\nDTSTART;VALUE=DATE:20240601\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:nodt\r\nSUMMARY:When?\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:mars\r\nDTSTART;TZID=Mars/Olympus:20240601T090000\r\n"
	    "END:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:ok\r\nDTSTART:20240601T090000Z\r\nEND:VEVENT\r\n" TAIL;
	struct errs e;
	struct icsm_list l = parse(t, JAN1, Y2025, &e);

	(void)state;
	assert_int_equal(e.n, 2);
	assert_string_equal(e.uid[0], "nodt");
	assert_string_equal(e.msg[0], "no DTSTART");
	assert_string_equal(e.uid[1], "mars");
	assert_string_equal(e.msg[1], "unknown time zone 'Mars/Olympus'");
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].uid, "ok");
	icsm_list_free(&l);
}

static void
test_not_icalendar(void **state)
{
	static const char *const bad[] = {
		"",
		"hello, world\r\n",
		/* An event, but not in a VCALENDAR. */
		"BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20240601T090000Z\r\nEND:VEVENT\r\n",
	};
	struct icsm_list l = { 0 };
	struct errs e;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		memset(&e, 0, sizeof e);
		assert_int_equal(icsm_parse(bad[i], strlen(bad[i]), JAN1, Y2025, &l, on_err,
		    &e), -1);
		assert_int_equal(e.n, 1);
		assert_string_equal(e.uid[0], "");
		assert_int_equal(l.n, 0);
	}
}

static void
test_endless_rules(void **state)
{
	/* Every second since 1990, without end: the window's first 1,000
	 * (an instant of no length at `from` does not overlap it, so from
	 * + 1 s on). Every minute since 1990 with a count too big to
	 * walk: nothing reaches the window. */
	static const char t[] = HEAD
	    "BEGIN:VEVENT\r\nUID:sec\r\nDTSTART:19900101T000000Z\r\n"
	    "RRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:min\r\nDTSTART:19900101T000000Z\r\n"
	    "RRULE:FREQ=MINUTELY;COUNT=100000000\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:sparse\r\nDTSTART:19900101T000000Z\r\n"
	    "RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30\r\nEND:VEVENT\r\n" TAIL;
	struct errs e;
	clock_t c0 = clock();
	struct icsm_list l = parse(t, JAN1, Y2025, &e);
	double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;

	(void)state;
	assert_true(secs < 1.0);
	assert_int_equal(l.n, ICSM_MAX_PER_EVENT);
	assert_int_equal(l.v[0].start, JAN1 + 1);
	assert_int_equal(l.v[999].start, JAN1 + 1000);
	assert_string_equal(l.v[0].recur, "20240101T000001Z");
	assert_int_equal(e.n, 3);
	assert_string_equal(e.uid[0], "sec");
	assert_non_null(strstr(e.msg[0], "more than 1000 occurrences"));
	assert_string_equal(e.uid[1], "min");
	/* 100,000 minutes after 1990-01-01 is 1990-03-11 10:40. */
	assert_string_equal(e.msg[1], "the recurrence takes more than 100000 steps; "
	    "it is read up to 1990-03-11");
	/* The walk starts at the window: 100,000 s later is 2024-01-02. */
	assert_string_equal(e.uid[2], "sparse");
	assert_string_equal(e.msg[2], "the recurrence takes more than 100000 steps; "
	    "it is read up to 2024-01-02");
	icsm_list_free(&l);
}

static void
test_never_occurs(void **state)
{
	/* The 31st of April: refused before libical looks for it up to the
	 * year 20000; DTSTART stays the one occurrence (RFC 5545 counts it
	 * always). */
	static const char t[] = HEAD
	    "BEGIN:VEVENT\r\nUID:april\r\nDTSTART:20240601T090000Z\r\n"
	    "RRULE:FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31\r\nEND:VEVENT\r\n" TAIL;
	struct errs e;
	clock_t c0 = clock();
	struct icsm_list l = parse(t, JAN1, Y2025, &e);

	(void)state;
	assert_true((double)(clock() - c0) / CLOCKS_PER_SEC < 0.05);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msg[0], "the recurrence rule never occurs");
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].start, JUN1 + 32400);
	assert_string_equal(l.v[0].recur, "20240601T090000Z");
	icsm_list_free(&l);
}

static void
test_people(void **state)
{
	static const char t[] = HEAD
	    "BEGIN:VEVENT\r\nUID:p\r\nDTSTART:20240601T090000Z\r\n"
	    "ORGANIZER;CN=Alice:mailto:Alice@Example.COM\r\n"
	    "ATTENDEE;CN=Alice Smith;PARTSTAT=ACCEPTED:MAILTO:alice@example.com\r\n"
	    "ATTENDEE;PARTSTAT=DECLINED;CN=Bob:mailto:bob@example.com\r\n"
	    "ATTENDEE;CN=Room:urn:uuid:1234\r\n"
	    "ATTENDEE;CN=\"Carol, C.\":MailTo:CAROL@example.com\r\n"
	    "ATTENDEE:mailto:dave@example.com\r\n"
	    "END:VEVENT\r\n" TAIL;
	struct errs e;
	struct icsm_list l = parse(t, JAN1, Y2025, &e);
	const struct icsm_person *p;

	(void)state;
	assert_int_equal(e.n, 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].npeople, 4);
	p = l.v[0].people;
	assert_string_equal(p[0].addr, "alice@example.com");
	assert_string_equal(p[0].name, "Alice");   /* the first CN stays */
	assert_true(p[0].organizer);
	assert_false(p[0].declined);
	assert_string_equal(p[1].addr, "bob@example.com");
	assert_string_equal(p[1].name, "Bob");
	assert_false(p[1].organizer);
	assert_true(p[1].declined);
	assert_string_equal(p[2].addr, "carol@example.com");
	assert_string_equal(p[2].name, "Carol, C.");
	assert_string_equal(p[3].addr, "dave@example.com");
	assert_string_equal(p[3].name, "");
	icsm_list_free(&l);
}

static void
test_cleaned(void **state)
{
	/* An ESC and a BEL in the raw text, an escaped newline, and a CN
	 * with a control character: each becomes '?'. */
	static const char t[] = HEAD
	    "BEGIN:VEVENT\r\nUID:evil\x1b]0;x\r\nDTSTART:20240601T090000Z\r\n"
	    "SUMMARY:Hello\x1b[31mWorld\\nNext\x07\r\n"
	    "ATTENDEE;CN=Eve\x01:mailto:eve@example.com\r\nEND:VEVENT\r\n" TAIL;
	struct errs e;
	struct icsm_list l = parse(t, JAN1, Y2025, &e);

	(void)state;
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].uid, "evil?]0;x");
	assert_string_equal(l.v[0].title, "Hello?[31mWorld?Next?");
	assert_int_equal(l.v[0].npeople, 1);
	assert_string_equal(l.v[0].people[0].name, "Eve?");
	icsm_list_free(&l);
}

static void
test_window_edges(void **state)
{
	/* 10:00Z to 11:00Z on 2024-06-01: JUN1 + 36000 to JUN1 + 39600. */
	static const char t[] = HEAD
	    "BEGIN:VEVENT\r\nUID:edge\r\nDTSTART:20240601T100000Z\r\n"
	    "DTEND:20240601T110000Z\r\nEND:VEVENT\r\n" TAIL;
	struct errs e;
	struct icsm_list l;

	(void)state;
	l = parse(t, JUN1 + 39600, Y2025, &e);    /* ends at from: out */
	assert_int_equal(l.n, 0);
	l = parse(t, JAN1, JUN1 + 36000, &e);     /* starts at to: out */
	assert_int_equal(l.n, 0);
	l = parse(t, JUN1 + 39599, JUN1 + 36001, &e);   /* a second of overlap */
	assert_int_equal(l.n, 1);
	icsm_list_free(&l);
	/* A weekly rule whose instance ends exactly at from is out too. */
	l = parse(HEAD WEEKLY_UTC "END:VEVENT\r\n" TAIL, MON1 + 3600, MON1 + 7 * DAY + 1, &e);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].start, MON1 + 7 * DAY);
	icsm_list_free(&l);
}

static void
test_parse_errors_kept(void **state)
{
	/* A property libical cannot read: reported once, the event kept. */
	static const char t[] = HEAD
	    "BEGIN:VEVENT\r\nUID:damaged\r\nDTSTART:20240601T090000Z\r\n"
	    "DTEND:not-a-time\r\nEND:VEVENT\r\n" TAIL;
	struct errs e;
	struct icsm_list l = parse(t, JAN1, Y2025, &e);

	(void)state;
	assert_int_equal(e.n, 1);
	assert_string_equal(e.uid[0], "damaged");
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].start, JUN1 + 32400);
	icsm_list_free(&l);
}

static void
test_appends(void **state)
{
	/* A second call appends to what the list holds. */
	static const char t[] = HEAD
	    "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240601T090000Z\r\nEND:VEVENT\r\n" TAIL;
	struct icsm_list l = { 0 };
	struct errs e = { 0 };

	(void)state;
	assert_int_equal(icsm_parse(t, strlen(t), JAN1, Y2025, &l, on_err, &e), 0);
	assert_int_equal(icsm_parse(t, strlen(t), JAN1, Y2025, &l, on_err, &e), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1].uid, "a");
	icsm_list_free(&l);
	assert_null(l.v);
}

/* Appends s n times to b. */
static void
repeat(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_puts(b, s);
}

static void
test_hostile_shapes(void **state)
{
	/* Each of these took libical minutes, gigabytes or the stack: a
	 * nesting a million deep (freed recursively), a 1 MB line (joined in
	 * quadratic time), 200,000 empty properties in one event (each
	 * removed by a scan of the event's properties). */
	static const char ev[] = "BEGIN:VEVENT\r\nUID:ok\r\nDTSTART:20240601T090000Z\r\n"
	    "ORGANIZER:mailto:a@example.org\r\n";
	struct icsm_list l = { 0 };
	struct errs e = { 0 };
	struct buf b = { 0 };

	(void)state;
	buf_puts(&b, HEAD);
	repeat(&b, "BEGIN:X-DEEP\r\n", 200000);
	repeat(&b, "END:X-DEEP\r\n", 200000);
	buf_puts(&b, TAIL);
	assert_int_equal(icsm_parse(b.data, b.len, JAN1, Y2025, &l, on_err, &e), -1);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msg[0], "components nested more than 32 deep");
	/* Folded, lower case, with parameters: still a BEGIN. */
	b.len = 0;
	buf_puts(&b, HEAD);
	repeat(&b, "beg\r\n in;X=1:X-DEEP\r\n", 40);
	buf_puts(&b, TAIL);
	memset(&e, 0, sizeof e);
	assert_int_equal(icsm_parse(b.data, b.len, JAN1, Y2025, &l, on_err, &e), -1);

	b.len = 0;
	buf_puts(&b, HEAD);
	buf_puts(&b, ev);
	buf_puts(&b, "DESCRIPTION:");
	repeat(&b, "x", 1000000);
	buf_puts(&b, "\r\nSUMMARY:kept\r\n");
	repeat(&b, "X-EMPTY:\r\n", 200000);
	buf_puts(&b, "END:VEVENT\r\n" TAIL);
	memset(&e, 0, sizeof e);
	assert_int_equal(icsm_parse(b.data, b.len, JAN1, Y2025, &l, on_err, &e), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].title, "kept");
	assert_int_equal(l.v[0].npeople, 1);
	assert_true(e.n >= 1);
	assert_non_null(strstr(e.msg[0], "lines too long or too many are left out"));
	icsm_list_free(&l);
	buf_free(&b);
}

static void
test_hostile_zones(void **state)
{
	/* A SECONDLY rule in a VTIMEZONE: libical would expand every second
	 * since 1601 (gigabytes in seconds). The zone is left out, and the
	 * TZID, which names no IANA zone, skips the event. A TZID that
	 * climbs out of the zone directory is never opened (libical would
	 * read /dev/stdin and wait). An ordinary yearly zone stays. */
	static const char t[] = HEAD
	    "BEGIN:VTIMEZONE\r\nTZID:Evil\r\nBEGIN:STANDARD\r\n"
	    "DTSTART:16010101T000000\r\nRRULE:FREQ=SECONDLY\r\n"
	    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
	    "BEGIN:VTIMEZONE\r\nTZID:Yearly\r\nBEGIN:STANDARD\r\n"
	    "DTSTART:16011028T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
	    "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
	    "BEGIN:DAYLIGHT\r\nDTSTART:16010325T020000\r\n"
	    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
	    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
	    "BEGIN:VEVENT\r\nUID:evil\r\nDTSTART;TZID=Evil:20240601T120000\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:path\r\n"
	    "DTSTART;TZID=../../../../../../dev/stdin:20240601T120000\r\nEND:VEVENT\r\n"
	    "BEGIN:VEVENT\r\nUID:yearly\r\nDTSTART;TZID=Yearly:20240601T120000\r\nEND:VEVENT\r\n"
	    TAIL;
	struct errs e;
	struct icsm_list l = parse(t, JAN1, Y2025, &e);

	(void)state;
	assert_int_equal(e.n, 3);
	assert_string_equal(e.uid[0], "");
	assert_string_equal(e.msg[0], "the time zone 'Evil' has rules too costly to expand; "
	    "it is not read");
	assert_string_equal(e.uid[1], "evil");
	assert_string_equal(e.msg[1], "unknown time zone 'Evil'");
	assert_string_equal(e.uid[2], "path");
	assert_string_equal(e.msg[2], "unknown time zone '../../../../../../dev/stdin'");
	/* 12:00 CEST is 10:00Z: 1717200000 + 36000. */
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].uid, "yearly");
	assert_int_equal(l.v[0].start, 1717236000);
	icsm_list_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_berlin_dst),
		cmocka_unit_test(test_vtimezone_of_text),
		cmocka_unit_test(test_utc_floating_duration),
		cmocka_unit_test(test_weekly_count),
		cmocka_unit_test(test_until_exdate),
		cmocka_unit_test(test_override_moves),
		cmocka_unit_test(test_cancelled),
		cmocka_unit_test(test_skips),
		cmocka_unit_test(test_not_icalendar),
		cmocka_unit_test(test_endless_rules),
		cmocka_unit_test(test_never_occurs),
		cmocka_unit_test(test_people),
		cmocka_unit_test(test_cleaned),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_parse_errors_kept),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_hostile_shapes),
		cmocka_unit_test(test_hostile_zones),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
