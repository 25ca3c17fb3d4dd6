/* The digest and invites jobs against a real store (in a temporary
 * directory) and an in-memory mail server that keeps what it was given and
 * answers as each test tells it: what goes out, to whom, with which
 * Message-ID, what is tried again and what is not. The day is pinned:
 * Monday 2026-11-23, 07:00 UTC. */
#include <stdatomic.h>
#include <sysexits.h>

#include "testutil.h"

#include "agenda.h"
#include "job.h"
#include "store.h"

#define MAX_TRIES 16

/* What the stand-in server was handed, try by try. */
struct attempt {
	char *from, *rcpt, *msg;
	enum smtp_rc answer;
};

struct server_standin {
	enum smtp_rc answers[MAX_TRIES];   /* then SMTP_OK */
	size_t nanswers;
	const char *why;                   /* the text of a refusal */
	struct attempt tries[MAX_TRIES];
	size_t ntries;
};

struct fixture {
	char dir[64];
	struct config *cfg;
	struct store *st;
	struct server_standin srv;
	atomic_bool cancel;
	struct job_ctx ctx;
};

static enum smtp_rc
standin_send(void *arg, const struct server *sv, const char *from, const char *rcpt,
    const char *msg, size_t len, const atomic_bool *cancel, int *code, char **err)
{
	struct server_standin *s = arg;
	enum smtp_rc rc = s->ntries < s->nanswers ? s->answers[s->ntries] : SMTP_OK;
	struct attempt *a;

	(void)sv;
	(void)cancel;
	assert_true(s->ntries < MAX_TRIES);
	a = &s->tries[s->ntries++];
	a->from = xstrdup(from);
	a->rcpt = xstrdup(rcpt);
	a->msg = xstrndup(msg, len);
	a->answer = rc;
	*code = rc == SMTP_OK ? 250 : rc == SMTP_TEMP ? 451 : 550;
	if (rc != SMTP_OK)
		*err = xstrdup(s->why != NULL ? s->why : rc == SMTP_TEMP ?
		    "the server is busy (reply 451)" : "the server refused the message (reply 550)");
	return rc;
}

static const char *const CONFIG =
    "[followupd]\n"
    "me = Jane Doe <jane@example.org>\n"
    "timezone = UTC\n"
    "\n"
    "[smtp]\n"
    "url = smtps://smtp.example.org\n"
    "user = jane\n"
    "password = hunter2\n"
    "\n"
    "[calendar]\n"
    "event_time = 09:00 30m\n"
    "\n"
    "[contact:alice]\n"
    "name = Alice Smith\n"
    "email = alice@example.com\n"
    "cadence = 2w\n"
    "last = 2026-11-02\n"
    "\n"
    "[contact:bob]\n"
    "name = Bob Jones\n"
    "email = bob@example.com\n"
    "cadence = 1w\n"
    "last = 2026-11-10\n";

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char *err = NULL;

	snprintf(f->dir, sizeof f->dir, "/tmp/fu-jobs-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->cfg = test_config(CONFIG);
	if ((f->st = store_open(f->dir, &err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	atomic_init(&f->cancel, false);
	f->ctx = (struct job_ctx){
		.cfg = f->cfg, .st = f->st, .now = tz_time_of(D("2026-11-23"), 7 * 60),
		.cancel = &f->cancel, .send = standin_send, .send_arg = &f->srv,
	};
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	for (size_t i = 0; i < f->srv.ntries; i++) {
		free(f->srv.tries[i].from);
		free(f->srv.tries[i].rcpt);
		free(f->srv.tries[i].msg);
	}
	store_close(f->st);
	config_free(f->cfg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* The value of a header of a message, allocated ("" when absent). */
static char *
header(const char *msg, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = msg; p != NULL && *p != '\0' && strncmp(p, "\r\n", 2) != 0;
	    p = strstr(p, "\r\n") ? strstr(p, "\r\n") + 2 : NULL) {
		if (strncmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1, *end = strstr(v, "\r\n");

			while (*v == ' ')
				v++;
			return xstrndup(v, end != NULL ? (size_t)(end - v) : strlen(v));
		}
	}
	return xstrdup("");
}

static void
assert_header(const char *msg, const char *name, const char *want)
{
	char *v = header(msg, name);

	assert_string_equal(v, want);
	free(v);
}

static void
assert_same_message_id(const struct attempt *a, const struct attempt *b)
{
	char *x = header(a->msg, "Message-ID"), *y = header(b->msg, "Message-ID");

	assert_true(x[0] == '<');
	assert_string_equal(x, y);
	free(x);
	free(y);
}

static bool
has_control_chars(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static void
run_digest(struct fixture *f, const char *day, bool dry, int tries, struct job_digest *d)
{
	struct job_digest_opts opt = { .dry = dry, .tries = tries };

	job_digest(&f->ctx, D(day), &opt, d);
}

static void
run_invites(struct fixture *f, struct job_invites *inv)
{
	struct agenda a;
	char *err = NULL;
	int today = D("2026-11-23");

	if (agenda_build(&a, f->cfg, f->st, today, tz_time_of(today, 12 * 60), &err) < 0)
		fail_msg("%s", err);
	job_invites(&f->ctx, a.items, a.count, today, inv);
	agenda_free(&a);
}

/* The server accepts it: one message, from me to me, about the day and the
 * people due; the same day again sends nothing and names what was sent. */
static void
test_digest_sent_once(void **state)
{
	struct fixture *f = *state;
	struct job_digest d;
	char *id;

	run_digest(f, "2026-11-23", false, 1, &d);
	assert_int_equal(d.result, JOB_DIGEST_SENT);
	assert_int_equal(d.o.cls, JOB_OK);
	assert_int_equal(job_exit_status(&d.o), 0);
	assert_int_equal(f->srv.ntries, 1);
	assert_string_equal(f->srv.tries[0].from, "jane@example.org");
	assert_string_equal(f->srv.tries[0].rcpt, "jane@example.org");
	assert_non_null(strstr(f->srv.tries[0].msg, "Alice Smith"));
	assert_non_null(strstr(f->srv.tries[0].msg, "Bob Jones"));
	id = header(f->srv.tries[0].msg, "Message-ID");
	assert_non_null(strstr(id, "2026-11-23"));
	job_digest_free(&d);

	run_digest(f, "2026-11-23", false, 1, &d);
	assert_int_equal(d.result, JOB_DIGEST_ALREADY);
	assert_int_equal(d.o.cls, JOB_OK);
	assert_int_equal(f->srv.ntries, 1);
	assert_string_equal(d.message_id, id);
	job_digest_free(&d);
	free(id);
}

/* A 4xx: not sent, to be tried again; the next call sends the very same
 * message id, so that a receiver that took the first after all sees one. */
static void
test_digest_temp_then_same_id(void **state)
{
	struct fixture *f = *state;
	struct job_digest d;

	f->srv.answers[0] = SMTP_TEMP;
	f->srv.nanswers = 1;
	run_digest(f, "2026-11-23", false, 1, &d);
	assert_int_equal(d.result, JOB_DIGEST_NOT_SENT);
	assert_int_equal(d.o.cls, JOB_TEMP);
	assert_int_equal(job_exit_status(&d.o), EX_TEMPFAIL);
	assert_non_null(strstr(d.o.message, "the server is busy (reply 451)"));
	assert_int_equal(f->srv.ntries, 1);
	job_digest_free(&d);

	run_digest(f, "2026-11-23", false, 1, &d);
	assert_int_equal(d.result, JOB_DIGEST_SENT);
	assert_int_equal(f->srv.ntries, 2);
	assert_int_equal(f->srv.tries[1].answer, SMTP_OK);
	assert_same_message_id(&f->srv.tries[0], &f->srv.tries[1]);
	job_digest_free(&d);
}

/* With two tries a 4xx is tried again within the call (a second later),
 * with the same Message-ID, and the failed try is a note that quotes the
 * server. */
static void
test_digest_retried_within_call(void **state)
{
	struct fixture *f = *state;
	struct job_digest d;

	f->srv.answers[0] = SMTP_TEMP;
	f->srv.nanswers = 1;
	run_digest(f, "2026-11-23", false, 2, &d);
	assert_int_equal(d.result, JOB_DIGEST_SENT);
	assert_int_equal(d.o.cls, JOB_OK);
	assert_int_equal(f->srv.ntries, 2);
	assert_same_message_id(&f->srv.tries[0], &f->srv.tries[1]);
	assert_int_equal(d.o.nnotes, 1);
	assert_non_null(strstr(d.o.notes[0].text, "the server is busy (reply 451)"));
	job_digest_free(&d);
}

/* A 5xx is final: not tried again however many tries are allowed, and
 * the next day's digest says that this one was not sent. */
static void
test_digest_final(void **state)
{
	struct fixture *f = *state;
	struct job_digest d;

	f->srv.answers[0] = SMTP_FINAL;
	f->srv.nanswers = 1;
	run_digest(f, "2026-11-23", false, 5, &d);
	assert_int_equal(d.result, JOB_DIGEST_NOT_SENT);
	assert_int_equal(d.o.cls, JOB_FINAL);
	assert_int_equal(job_exit_status(&d.o), EX_UNAVAILABLE);
	assert_int_equal(f->srv.ntries, 1);
	assert_int_equal(d.o.nnotes, 0);
	job_digest_free(&d);

	run_digest(f, "2026-11-24", true, 1, &d);
	assert_int_equal(d.result, JOB_DIGEST_PRINTED);
	assert_non_null(strstr(d.text, "The digest of 2026-11-23 was not sent"));
	assert_int_equal(f->srv.ntries, 1);
	job_digest_free(&d);
}

/* A dry run renders the whole message and sends nothing; it is no send
 * either: the real one goes out after it. */
static void
test_digest_dry(void **state)
{
	struct fixture *f = *state;
	struct job_digest d;

	run_digest(f, "2026-11-23", true, 1, &d);
	assert_int_equal(d.result, JOB_DIGEST_PRINTED);
	assert_int_equal(d.o.cls, JOB_OK);
	assert_non_null(d.text);
	assert_header(d.text, "To", "\"Jane Doe\" <jane@example.org>");
	assert_non_null(strstr(d.text, "Alice Smith"));
	assert_int_equal(f->srv.ntries, 0);
	job_digest_free(&d);

	run_digest(f, "2026-11-23", false, 1, &d);
	assert_int_equal(d.result, JOB_DIGEST_SENT);
	assert_int_equal(f->srv.ntries, 1);
	job_digest_free(&d);
}

/* Stopping before the send: nothing goes out, and it is for later. */
static void
test_digest_cancelled(void **state)
{
	struct fixture *f = *state;
	struct job_digest d;

	atomic_store(&f->cancel, true);
	run_digest(f, "2026-11-23", false, 5, &d);
	assert_int_equal(d.result, JOB_DIGEST_NOT_SENT);
	assert_int_equal(d.o.cls, JOB_TEMP);
	assert_int_equal(f->srv.ntries, 0);
	job_digest_free(&d);

	atomic_store(&f->cancel, false);
	run_digest(f, "2026-11-23", false, 1, &d);
	assert_int_equal(d.result, JOB_DIGEST_SENT);
	assert_int_equal(f->srv.ntries, 1);
	job_digest_free(&d);
}

/* What the server says reaches a terminal or a log line: no escape
 * sequence, no line break of its own. */
static void
test_server_text_cleaned(void **state)
{
	struct fixture *f = *state;
	struct job_digest d;

	f->srv.answers[0] = SMTP_TEMP;
	f->srv.answers[1] = SMTP_TEMP;
	f->srv.nanswers = 2;
	f->srv.why = "451 busy\r\n\033[2J\033]0;owned\007 now";
	run_digest(f, "2026-11-23", false, 2, &d);
	assert_int_equal(d.result, JOB_DIGEST_NOT_SENT);
	assert_non_null(d.o.message);
	assert_false(has_control_chars(d.o.message));
	assert_non_null(strstr(d.o.message, "451 busy"));
	assert_int_equal(d.o.nnotes, 1);
	assert_false(has_control_chars(d.o.notes[0].text));
	job_digest_free(&d);
}

/* Alice and Bob are overdue: an invite each, to me. The server turns the
 * first away for now: both stay pending, and the next call sends both,
 * the first with the Message-ID it was tried with. Then nothing more. */
static void
test_invites_temp_stay_pending(void **state)
{
	struct fixture *f = *state;
	struct job_invites inv;
	const struct attempt *refused;

	f->srv.answers[0] = SMTP_TEMP;
	f->srv.nanswers = 1;
	run_invites(f, &inv);
	assert_int_equal(inv.o.cls, JOB_TEMP);
	assert_int_equal(job_exit_status(&inv.o), EX_TEMPFAIL);
	assert_int_equal(inv.pending, 2);
	assert_int_equal(inv.sent, 0);
	assert_int_equal(f->srv.ntries, 1);
	refused = &f->srv.tries[0];
	assert_string_equal(refused->rcpt, "jane@example.org");
	job_outcome_free(&inv.o);

	run_invites(f, &inv);
	assert_int_equal(inv.o.cls, JOB_OK);
	assert_int_equal(inv.sent, 2);
	assert_int_equal(inv.pending, 0);
	assert_int_equal(f->srv.ntries, 3);
	for (size_t i = 1; i < 3; i++) {
		assert_string_equal(f->srv.tries[i].rcpt, "jane@example.org");
		assert_header(f->srv.tries[i].msg, "To", "\"Jane Doe\" <jane@example.org>");
		assert_non_null(strstr(f->srv.tries[i].msg, "text/calendar; charset=UTF-8; method=REQUEST"));
	}
	/* The refused one went out again, unchanged in its Message-ID. */
	{
		char *x = header(refused->msg, "Message-ID");
		char *y = header(f->srv.tries[1].msg, "Message-ID");
		char *z = header(f->srv.tries[2].msg, "Message-ID");

		assert_true(strcmp(x, y) == 0 || strcmp(x, z) == 0);
		assert_string_not_equal(y, z);
		free(x);
		free(y);
		free(z);
	}
	job_outcome_free(&inv.o);

	run_invites(f, &inv);
	assert_int_equal(inv.o.cls, JOB_OK);
	assert_int_equal(inv.sent, 0);
	assert_int_equal(f->srv.ntries, 3);
	job_outcome_free(&inv.o);
}

/* A refused invite is given up and holds up no other; it is not tried
 * again by the next call. */
static void
test_invites_final_given_up(void **state)
{
	struct fixture *f = *state;
	struct job_invites inv;

	f->srv.answers[0] = SMTP_FINAL;
	f->srv.nanswers = 1;
	run_invites(f, &inv);
	assert_int_equal(inv.o.cls, JOB_FINAL);
	assert_int_equal(job_exit_status(&inv.o), EX_UNAVAILABLE);
	assert_int_equal(inv.failed, 1);
	assert_int_equal(inv.sent, 1);
	assert_int_equal(inv.pending, 0);
	assert_int_equal(f->srv.ntries, 2);
	job_outcome_free(&inv.o);

	run_invites(f, &inv);
	assert_int_equal(inv.o.cls, JOB_OK);
	assert_int_equal(f->srv.ntries, 2);
	job_outcome_free(&inv.o);
}

/* Stopping: no invite goes out; they wait, pending, for the next call. */
static void
test_invites_cancelled(void **state)
{
	struct fixture *f = *state;
	struct job_invites inv;

	atomic_store(&f->cancel, true);
	run_invites(f, &inv);
	assert_int_equal(inv.o.cls, JOB_TEMP);
	assert_int_equal(inv.pending, 2);
	assert_int_equal(f->srv.ntries, 0);
	job_outcome_free(&inv.o);

	atomic_store(&f->cancel, false);
	run_invites(f, &inv);
	assert_int_equal(inv.o.cls, JOB_OK);
	assert_int_equal(inv.sent, 2);
	assert_int_equal(f->srv.ntries, 2);
	job_outcome_free(&inv.o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_digest_sent_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_temp_then_same_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_retried_within_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_final, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_dry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_cancelled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_text_cleaned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invites_temp_stay_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invites_final_given_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invites_cancelled, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
