/* Meetings read from a calendar, through a folder of .ics files (no
 * network): who a meeting counts for (meetpick), what a refresh keeps
 * (meetsync and the store), and what the agenda and the suggestions make
 * of it. Every instant is computed from a pinned clock, NOW. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "agenda.h"
#include "icsmeet.h"
#include "job.h"
#include "meetpick.h"
#include "meetsync.h"
#include "store.h"
#include "suggest.h"

/* 2026-11-25 12:00 UTC, a Wednesday; 13:00 in Berlin. */
#define NOW ((time_t)1795608000)
#define H 3600

struct fix {
	char dir[64];
	char cal[96];
	char *text;
	struct config *cfg;
	struct store *st;
	char log[4096];
};

static void
on_log(void *arg, const char *msg)
{
	struct fix *f = arg;
	size_t n = strlen(f->log);

	snprintf(f->log + n, sizeof f->log - n, "%s\n", msg);
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);
	char *err = NULL;

	snprintf(f->dir, sizeof f->dir, "/tmp/fu-meet-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->cal, sizeof f->cal, "%s/cal", f->dir);
	mkdir(f->cal, 0700);
	f->text = xasprintf("[followupd]\nme = Jane Doe <jane@example.org>\n"
	    "timezone = Europe/Berlin\nstate_dir = %s\n"
	    "[meetings:local]\ndir = %s\n"
	    "[group:team]\nafter_meeting = none\n"
	    "[contact:alice]\nname = Alice Smith\nemail = alice@example.com\ncadence = 2w\n"
	    "[contact:bob]\nemail = bob@example.com\ncadence = 1w\ngroup = team\n"
	    "[contact:carol]\nemail = carol@example.com\ncadence = 2w\n",
	    f->dir, f->cal);
	f->cfg = test_config(f->text);
	f->st = store_open(f->dir, &err);
	if (f->st == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];

	store_close(f->st);
	config_free(f->cfg);
	free(f->text);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* "YYYYMMDDTHHMMSSZ" of t. */
static void
utc(time_t t, char out[17])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static void
put(struct fix *f, const char *name, const char *body)
{
	char path[160];
	struct buf b = { 0 };
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", f->cal, name);
	buf_printf(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n%s"
	    "END:VCALENDAR\r\n", body);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(buf_str(&b), fp);
	fclose(fp);
	buf_free(&b);
}

/* A timed event from start to end (UTC) with people ("PARTSTAT:addr"). */
static char *
event(const char *uid, time_t start, time_t end, const char *extra, const char *title)
{
	char s[17], e[17];

	utc(start, s);
	utc(end, e);
	return xasprintf("BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20261101T000000Z\r\n"
	    "DTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s\r\nORGANIZER:mailto:jane@example.org\r\n"
	    "%sEND:VEVENT\r\n", uid, s, e, title, extra);
}

static enum calfetch_rc
refresh(struct fix *f, time_t now, struct meet_stats *ms)
{
	char *err = NULL;
	enum calfetch_rc rc = meet_refresh(f->cfg, &f->cfg->meetings[0], f->st, now, NULL,
	    on_log, f, ms, &err);

	if (rc != CALF_OK)
		fail_msg("refresh: %s", err);
	return rc;
}

/* A contact's newest touch by meeting, as the agenda sees it on day at NOW. */
static time_t
last_meeting(struct fix *f, const char *id, int day)
{
	struct agenda a;
	char *err = NULL;
	const struct contact *c = config_contact(f->cfg, id);
	time_t t;

	assert_int_equal(agenda_build(&a, f->cfg, f->st, day, NOW, &err), 0);
	t = a.histories[c - f->cfg->contacts].has_via[VIA_MEETING] ?
	    a.histories[c - f->cfg->contacts].via_at[VIA_MEETING] : 0;
	agenda_free(&a);
	return t;
}

static size_t
meeting_items(struct fix *f, const char *id, int day)
{
	struct agenda a;
	char *err = NULL;
	size_t n = 0;

	assert_int_equal(agenda_build(&a, f->cfg, f->st, day, NOW, &err), 0);
	for (size_t i = 0; i < a.count; i++)
		n += a.items[i].kind == FU_MEETING && strcmp(a.items[i].contact->id, id) == 0;
	agenda_free(&a);
	return n;
}

static void
test_who_counts(void **state)
{
	struct fix *f = *state;
	struct icsm_person p[] = {
		{ "jane+work@example.org", "Jane", true, false },
		{ "alice@example.com", "Alice", false, false },
		{ "carol@example.com", "Carol", false, true },
		{ "not an address", "", false, false },
	};
	struct icsm_occ o = { "u", "", 0, 0, "t", p, 4 };
	size_t idx[4];
	bool declined;

	assert_int_equal(meet_people(f->cfg, &o, idx, &declined), 1);
	assert_false(declined);
	assert_int_equal(idx[0], 1);
	/* the user declined: nobody counts */
	p[0].declined = true;
	assert_int_equal(meet_people(f->cfg, &o, idx, &declined), 0);
	assert_true(declined);
	assert_true(meet_is_me(f->cfg, "JANE@example.org"));
	assert_false(meet_is_me(f->cfg, "jane@example.com"));
}

static void
test_refresh(void **state)
{
	struct fix *f = *state;
	struct meet_stats ms;
	char *lunch = event("lunch-1", NOW - 49 * H, NOW - 48 * H,
	    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
	    "ATTENDEE;CN=Carla Client:mailto:carla@client.example\r\n", "Lunch");
	char *declined = event("dec-1", NOW - 30 * H, NOW - 29 * H,
	    "ATTENDEE;PARTSTAT=DECLINED:mailto:carol@example.com\r\n", "Declined");
	char *later = event("later-1", NOW + 2 * H, NOW + 3 * H,
	    "ATTENDEE:mailto:alice@example.com\r\n", "Later today");
	char *both = xasprintf("%s%s", declined, later);
	char s0[17], s1[17], rid[17], moved_s[17], moved_e[17];
	char *weekly, *moved;
	int today = tz_day_of(NOW);

	/* A weekly 1:1 with bob, the week before's moved 2 hours later. */
	utc(NOW - 3 * 7 * 86400 - 2 * H, s0);
	utc(NOW - 3 * 7 * 86400 - H, s1);
	utc(NOW - 7 * 86400 - 2 * H, rid);
	utc(NOW - 7 * 86400, moved_s);
	utc(NOW - 7 * 86400 + H, moved_e);
	weekly = xasprintf("BEGIN:VEVENT\r\nUID:bob-w\r\nDTSTAMP:20261101T000000Z\r\n"
	    "DTSTART:%s\r\nDTEND:%s\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:1:1\r\n"
	    "ATTENDEE:mailto:bob@example.com\r\nEND:VEVENT\r\n", s0, s1);
	moved = xasprintf("%sBEGIN:VEVENT\r\nUID:bob-w\r\nDTSTAMP:20261101T000000Z\r\n"
	    "RECURRENCE-ID:%s\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:1:1 moved\r\n"
	    "ATTENDEE:mailto:bob@example.com\r\nEND:VEVENT\r\n", weekly, rid, moved_s, moved_e);

	put(f, "lunch.ics", lunch);
	put(f, "other.ics", both);
	put(f, "bob.ics", weekly);
	put(f, "broken.ics", "BEGIN:VEVENT\r\nUID:nodt-1\r\nSUMMARY:x\r\nEND:VEVENT\r\n");
	refresh(f, NOW, &ms);
	assert_int_equal(ms.read, 4);
	assert_int_equal(ms.removed, 0);
	/* lunch, later today, bob's 4 (3 weeks ago to this week's) and one
	 * a week ahead; the declined one has nobody */
	assert_int_equal(ms.meetings, 2 + 5);
	assert_int_equal(ms.errors, 1);
	assert_non_null(strstr(f->log, "broken.ics: event 'nodt-1': no DTSTART"));

	/* alice: the lunch, not the meeting later today */
	assert_int_equal(last_meeting(f, "alice", today), NOW - 48 * H);
	assert_int_equal(meeting_items(f, "alice", today), 2);
	/* bob: the occurrence this week ended an hour before NOW; and his
	 * group asks for no step */
	assert_int_equal(last_meeting(f, "bob", today), NOW - H);
	assert_int_equal(meeting_items(f, "bob", today), 0);
	/* carol declined */
	assert_int_equal(last_meeting(f, "carol", today), 0);
	/* a day gone by sees what had ended by its end: last week's */
	assert_int_equal(last_meeting(f, "bob", today - 1), NOW - 7 * 86400 - H);

	/* Read again: nothing fetched, nothing said twice, the same meetings. */
	f->log[0] = '\0';
	refresh(f, NOW + 60, &ms);
	assert_int_equal(ms.read, 0);
	assert_int_equal(ms.errors, 0);
	assert_string_equal(f->log, "");
	assert_int_equal(last_meeting(f, "alice", today), NOW - 48 * H);

	/* Last week's moved two hours later: bob's one occurrence that day
	 * moves, none is added (the file's size changed: it is read again). */
	put(f, "bob.ics", moved);
	refresh(f, NOW + 120, &ms);
	assert_int_equal(ms.read, 1);
	assert_int_equal(last_meeting(f, "bob", today - 1), NOW - 7 * 86400 + H);
	assert_int_equal(ms.meetings, 2 + 5);

	/* The lunch deleted: alice has no meeting left. */
	{
		char path[160];

		snprintf(path, sizeof path, "%s/lunch.ics", f->cal);
		assert_int_equal(unlink(path), 0);
	}
	refresh(f, NOW + 180, &ms);
	assert_int_equal(ms.removed, 1);
	assert_int_equal(last_meeting(f, "alice", today), 0);

	free(lunch);
	free(declined);
	free(later);
	free(both);
	free(weekly);
	free(moved);
}

/* People met who are not contacts become suggestions with the title. */
static void
test_met_suggestions(void **state)
{
	struct fix *f = *state;
	struct meet_stats ms;
	char *q1 = event("q1", NOW - 4 * 86400, NOW - 4 * 86400 + 2 * H,
	    "ATTENDEE:mailto:alice@example.com\r\n"
	    "ATTENDEE;CN=Carla Client:mailto:carla@client.example\r\n", "Q1 planning; budget");
	struct job_ctx ctx = { .cfg = f->cfg, .st = f->st, .now = NOW };
	struct suggestion *s = NULL;
	size_t n = 0;
	struct buf b = { 0 };
	char *err = NULL;

	put(f, "q1.ics", q1);
	refresh(f, NOW, &ms);
	assert_int_equal(job_met(&ctx, NOW - JOB_MET_PERIOD, NOW, 10, &s, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(s[0].address, "carla@client.example");
	suggest_ini(&s[0], &b);
	/* 2026-11-21 in Berlin; the ';' quoted so that the INI keeps it */
	assert_string_equal(buf_str(&b), "[contact:carla]\nname = Carla Client\n"
	    "email = carla@client.example\ncadence = 1m   ; met at 'Q1 planning; budget' on 21 Nov\n"
	    "reason = \"Q1 planning; budget\"\n");
	suggest_free(s, n);
	s = NULL;
	n = 0;
	/* not before the meeting ended */
	assert_int_equal(job_met(&ctx, NOW - JOB_MET_PERIOD, NOW - 4 * 86400 + H, 10, &s, &n,
	    &err), 0);
	assert_int_equal(n, 0);
	suggest_free(s, n);
	buf_free(&b);
	free(q1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_who_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_met_suggestions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
