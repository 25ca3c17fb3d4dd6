/* Replies to the digest applied to a real store (control.h): what each
 * command does to a contact, dates not after the reply's day refused, a
 * reply applied once, one read up to REPLY_MAX_LINES lines, the lines
 * kept for the digest cut and cleaned, and a "done" answering the
 * contact's check-backs. Times are pinned. */
#include <time.h>

#include "testutil.h"

#include "agenda.h"
#include "control.h"
#include "reply.h"
#include "store.h"

#define NOW ((time_t)1795435200)   /* 2026-11-23 12:00:00 UTC */
#define AT (NOW - 3 * 3600)        /* the reply's Date: 10:00 in Berlin */

static const char conf_text[] =
    "[followupd]\nme = Jane Doe <jane@example.org>\ntimezone = Europe/Berlin\n"
    "[contact:alice]\nname = Alice Smith\nemail = alice@example.com\ncadence = 2w\n"
    "[contact:bob]\nname = Bob O'Brien\nemail = bob@obrien.example\ncadence = 1m\n";

struct fx {
	char dir[64];
	struct config *cfg;
	struct store *st;
	struct control_result res;
};

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof *x);
	char *err = NULL;

	snprintf(x->dir, sizeof x->dir, "/tmp/fu-control-XXXXXX");
	if (mkdtemp(x->dir) == NULL)
		return -1;
	x->cfg = test_config(conf_text);
	if ((x->st = store_open(x->dir, &err)) == NULL)
		fail_msg("%s", err);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;
	char cmd[128];

	store_close(x->st);
	config_free(x->cfg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", x->dir);
	if (system(cmd) != 0)
		return -1;
	free(x);
	return 0;
}

static void
apply(struct fx *x, const char *message_id, const char *body)
{
	char *err = NULL;

	if (control_apply_reply(x->cfg, x->st, message_id, AT, body, NOW, &x->res, &err) < 0)
		fail_msg("%s", err);
}

/* The lines kept for the next digest, "line | applied | what" each. */
struct lines {
	struct buf text;
	size_t n;
	char *last;
};

static int
add_line(long id, const char *line, bool applied, const char *what, void *arg)
{
	struct lines *l = arg;

	(void)id;
	buf_printf(&l->text, "%s | %d | %s\n", line, applied, what);
	free(l->last);
	l->last = xstrdup(line);
	l->n++;
	return 0;
}

static struct lines
kept(struct fx *x)
{
	struct lines l = { 0 };
	char *err = NULL;

	if (store_reply_lines_each(x->st, add_line, &l, &err) < 0)
		fail_msg("%s", err);
	if (l.text.data == NULL)
		buf_puts(&l.text, "");
	return l;
}

static void
lines_free(struct lines *l)
{
	buf_free(&l->text);
	free(l->last);
}

static void
assert_kept(struct fx *x, const char *part)
{
	struct lines l = kept(x);

	if (strstr(buf_str(&l.text), part) == NULL)
		fail_msg("no kept line with \"%s\" in:\n%s", part, buf_str(&l.text));
	lines_free(&l);
}

/* What the agenda of the 23rd knows of a contact. */
static void
contact_state(struct fx *x, const char *id, struct fu_history *h, struct fu_state *s)
{
	struct agenda a;
	char *err = NULL;
	size_t i = (size_t)(config_contact(x->cfg, id) - x->cfg->contacts);

	if (agenda_build(&a, x->cfg, x->st, D("2026-11-23"),
	    tz_time_of(D("2026-11-23"), 12 * 60), &err) < 0)
		fail_msg("%s", err);
	*h = a.histories[i];
	*s = a.states[i];
	agenda_free(&a);
}

static void
test_commands(void **state)
{
	struct fx *x = *state;
	struct fu_history h;
	struct fu_state s;

	apply(x, "<r1@example.org>", "done alice by call -- lunch, she says hi\n"
	    "snooze bob 2w\nnote alice prefers mornings\nThanks!\n");
	assert_false(x->res.again);
	assert_int_equal(x->res.applied, 3);
	assert_int_equal(x->res.refused, 1);
	contact_state(x, "alice", &h, &s);
	assert_true(h.has_via[VIA_CALL]);
	assert_int_equal(h.via_at[VIA_CALL], AT);
	contact_state(x, "bob", &h, &s);
	assert_false(h.any);
	assert_int_equal(s.snooze_until, D("2026-12-07"));
	assert_kept(x, "done alice by call -- lunch, she says hi | 1 | Alice Smith: done by call, "
	    "lunch, she says hi");
	assert_kept(x, "snooze bob 2w | 1 | Bob O'Brien: snoozed until 2026-12-07");
	assert_kept(x, "note alice prefers mornings | 1 | Alice Smith: note added");
	assert_kept(x, "Thanks! | 0 | not a command");

	/* skip: the next due date a cadence from the reply's day; pause and
	 * resume. */
	apply(x, "<r2@example.org>", "skip alice\npause bob until 2027-01-10\n");
	assert_int_equal(x->res.applied, 2);
	contact_state(x, "alice", &h, &s);
	assert_int_equal(s.snooze_until, D("2026-12-07"));
	contact_state(x, "bob", &h, &s);
	assert_int_equal(s.paused, PAUSE_UNTIL);
	assert_int_equal(s.paused_until, D("2027-01-10"));
	assert_kept(x, "Alice Smith: this cycle skipped, next due from 2026-12-07");
	apply(x, "<r3@example.org>", "resume bob\n");
	contact_state(x, "bob", &h, &s);
	assert_int_equal(s.paused, PAUSE_NO);
}

static void
test_dates_not_after_the_reply(void **state)
{
	struct fx *x = *state;
	struct fu_history h;
	struct fu_state s;

	/* The 23rd is the reply's day (10:00 in Berlin). */
	apply(x, "<d1@example.org>", "snooze alice 2026-11-23\npause bob until 2026-11-20\n"
	    "snooze alice 2026-11-24\n");
	assert_int_equal(x->res.applied, 1);
	assert_int_equal(x->res.refused, 2);
	assert_kept(x, "snooze alice 2026-11-23 | 0 | 2026-11-23 is not after the day of the reply");
	assert_kept(x, "pause bob until 2026-11-20 | 0 | 2026-11-20 is not after the day of the "
	    "reply");
	contact_state(x, "alice", &h, &s);
	assert_int_equal(s.snooze_until, D("2026-11-24"));
	contact_state(x, "bob", &h, &s);
	assert_int_equal(s.paused, PAUSE_NO);
}

static void
test_applied_once(void **state)
{
	struct fx *x = *state;
	struct lines l;

	apply(x, "<once@example.org>", "note alice likes tea\n");
	assert_int_equal(x->res.applied, 1);
	apply(x, "<once@example.org>", "note alice likes tea\n");
	assert_true(x->res.again);
	assert_int_equal(x->res.applied, 0);
	assert_int_equal(x->res.refused, 0);
	l = kept(x);
	assert_int_equal(l.n, 1);
	lines_free(&l);
}

static void
test_read_up_to_max_lines(void **state)
{
	struct fx *x = *state;
	struct buf body = { 0 };
	struct lines l;
	char more[64];

	/* Blank lines are no lines to count. */
	for (int i = 0; i < REPLY_MAX_LINES + 10; i++)
		buf_printf(&body, "note alice fact %d\n\n", i);
	apply(x, "<long@example.org>", buf_str(&body));
	assert_int_equal(x->res.applied, REPLY_MAX_LINES);
	assert_int_equal(x->res.refused, 1);
	l = kept(x);
	assert_int_equal(l.n, REPLY_MAX_LINES + 1);
	snprintf(more, sizeof more, "(%d more lines)", 10);
	assert_string_equal(l.last, more);
	assert_non_null(strstr(buf_str(&l.text), "not read: a reply is read up to its first 50 "
	    "lines"));
	lines_free(&l);
	buf_free(&body);
}

static void
test_kept_lines_cut_and_cleaned(void **state)
{
	struct fx *x = *state;
	struct buf body = { 0 };
	struct lines l;
	const char *p;
	size_t len;

	/* 3 + 2 * 200 bytes: cut before the 300th, where a character starts. */
	buf_puts(&body, "Hi!");
	for (int i = 0; i < 200; i++)
		buf_puts(&body, "\xc3\xa9");
	buf_puts(&body, "\nThanks \x1b[31mred\x1b[0m and \xe2\x80\xae" "evil\n");
	apply(x, "<cut@example.org>", buf_str(&body));
	assert_int_equal(x->res.refused, 2);
	l = kept(x);
	assert_int_equal(l.n, 2);
	p = buf_str(&l.text);
	len = strcspn(p, " ");   /* the first line, up to " | " */
	assert_true(len <= REPLY_LINE_KEEP + 3);
	assert_memory_equal(p + len - 3, "...", 3);
	/* Whole characters only: the cut is after an é, not inside one. */
	assert_int_equal(len, 3 + 2 * 148 + 3);
	assert_int_equal((unsigned char)p[len - 4], 0xa9);
	/* No escape sequence, no bidi override reaches the digest. */
	assert_null(strchr(p, '\x1b'));
	assert_null(strstr(p, "\xe2\x80\xae"));
	assert_non_null(strstr(p, "Thanks"));
	lines_free(&l);
	buf_free(&body);
}

static int
count_open(const char *address, const char *name, int due, const char *reason,
    time_t created, void *arg)
{
	(void)name;
	(void)due;
	(void)reason;
	(void)created;
	if (strcmp(address, "alice@example.com") == 0)
		(*(int *)arg)++;
	return 0;
}

static void
test_done_answers_checkbacks(void **state)
{
	struct fx *x = *state;
	char *err = NULL;
	bool added = false;
	int open = 0;

	assert_int_equal(store_checkback_add(x->st, "<asked@example.org>", "alice@example.com",
	    "Alice", NOW - 5 * 86400, D("2026-11-20"), "Did the parcel arrive?", &added, &err), 0);
	assert_true(added);
	assert_int_equal(store_checkbacks_open(x->st, count_open, &open, &err), 0);
	assert_int_equal(open, 1);
	apply(x, "<answered@example.org>", "done alice by call\n");
	open = 0;
	assert_int_equal(store_checkbacks_open(x->st, count_open, &open, &err), 0);
	assert_int_equal(open, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dates_not_after_the_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_applied_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_up_to_max_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_lines_cut_and_cleaned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_done_answers_checkbacks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
