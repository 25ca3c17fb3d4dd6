/* The digest's content: which section each item goes to, the limit and
 * its "and N more", the subject's counts, an empty day, health lines,
 * HTML escaping, and the message's headers. */
#include "testutil.h"

#include "config.h"
#include "digest.h"
#include "followup.h"
#include "tz.h"

static struct config *
config(const char *extra)
{
	char *text = xasprintf("[followupd]\nme = Jane Doe <jane@example.org>\n"
	    "timezone = UTC\n%s"
	    "[contact:a]\nname = Ann <A&B>\nemail = ann@example.org\ncadence = 2w\n"
	    "[contact:b]\nname = Bo\nemail = @bo.example\ncadence = 2w\n", extra);
	struct config *cfg = test_config(text);

	free(text);
	return cfg;
}

static struct fu_history hist;

static struct fu_item
item(const struct contact *c, enum fu_kind kind, enum fu_status st, enum via via, int late)
{
	struct fu_item it = { 0 };

	it.contact = c;
	it.kind = kind;
	it.status = st;
	it.via = via;
	it.days_late = late;
	it.due = D("2026-11-23") - late;
	it.overdue = it.due;
	it.held_until = DAY_NONE;
	it.title = kind == FU_BIRTHDAY ? "birthday card" : kind == FU_ONCE ? "Check the proposal" : NULL;
	it.history = &hist;
	return it;
}

static void
test_sections(void **unused)
{
	struct config *cfg = config("");
	const struct contact *a = &cfg->contacts[0];
	struct fu_item it;

	(void)unused;
	it = item(a, FU_CADENCE, FU_OVERDUE, VIA_EMAIL, 3);
	assert_int_equal(digest_section_of(&it), DIGEST_OVERDUE);
	it = item(a, FU_CADENCE, FU_DUE, VIA_EMAIL, 0);
	assert_int_equal(digest_section_of(&it), DIGEST_DUE);
	it = item(a, FU_CADENCE, FU_UPCOMING, VIA_EMAIL, -2);
	assert_int_equal(digest_section_of(&it), DIGEST_UPCOMING);
	it = item(a, FU_BIRTHDAY, FU_OVERDUE, VIA_CARD, 1);
	assert_int_equal(digest_section_of(&it), DIGEST_CARDS);
	it = item(a, FU_MEETING, FU_DUE, VIA_CARD, 0);
	assert_int_equal(digest_section_of(&it), DIGEST_CARDS);
	it = item(a, FU_MEETING, FU_DUE, VIA_EMAIL, 0);
	assert_int_equal(digest_section_of(&it), DIGEST_DUE);
	it = item(a, FU_ONCE, FU_UPCOMING, VIA_OTHER, -1);
	assert_int_equal(digest_section_of(&it), DIGEST_CHECKBACK);
	it = item(a, FU_CADENCE, FU_OK, VIA_EMAIL, -20);
	assert_int_equal(digest_section_of(&it), -1);
	it = item(a, FU_CADENCE, FU_SNOOZED, VIA_EMAIL, 3);
	assert_int_equal(digest_section_of(&it), -1);
	it = item(a, FU_CADENCE, FU_PAUSED, VIA_EMAIL, 3);
	assert_int_equal(digest_section_of(&it), -1);
	config_free(cfg);
}

static void
test_limit_and_subject(void **unused)
{
	struct config *cfg = config("digest_limit = 2\n");
	const struct contact *a = &cfg->contacts[0], *b = &cfg->contacts[1];
	struct fu_item items[4];
	struct digest_input in = { 0 };
	struct digest d;

	(void)unused;
	items[0] = item(a, FU_CADENCE, FU_OVERDUE, VIA_EMAIL, 5);
	items[1] = item(b, FU_CADENCE, FU_DUE, VIA_EMAIL, 0);
	items[2] = item(a, FU_BIRTHDAY, FU_UPCOMING, VIA_CARD, -1);
	items[3] = item(b, FU_CADENCE, FU_OK, VIA_EMAIL, -9);
	in.cfg = cfg;
	in.items = items;
	in.nitems = 4;
	in.day = D("2026-11-23");
	digest_render(&in, &d);
	assert_string_equal(d.subject, "Follow-ups Mon 23 Nov: 1 overdue, 1 due, 0 coming up, 1 card");
	assert_int_equal(d.total, 3);
	assert_int_equal(d.listed, 2);
	assert_non_null(strstr(d.text, "... and 1 more"));
	assert_null(strstr(d.text, "birthday card"));   /* cut by the limit */
	/* The name is escaped in HTML, kept as is in text. */
	assert_non_null(strstr(d.html, "Ann &lt;A&amp;B&gt;"));
	assert_non_null(strstr(d.text, "Ann <A&B>: 5 days overdue, every 2 weeks"));
	/* A contact known only by @domain has no mailto: link. */
	assert_non_null(strstr(d.text, "mailto:ann@example.org?subject=Following%20up"));
	assert_null(strstr(d.text, "mailto:@bo"));
	digest_free(&d);
	config_free(cfg);
}

static void
test_empty_and_health(void **unused)
{
	struct config *cfg = config("");
	const char *health[] = { "Sent folder unreachable since 2026-11-21 08:00" };
	struct digest_input in = { 0 };
	struct digest d;
	char *id, *msg;

	(void)unused;
	in.cfg = cfg;
	in.day = D("2026-11-23");
	in.health = health;
	in.nhealth = 1;
	digest_render(&in, &d);
	assert_string_equal(d.subject, "Follow-ups Mon 23 Nov: nothing due");
	assert_non_null(strstr(d.text, "! Sent folder unreachable since 2026-11-21 08:00"));
	assert_non_null(strstr(d.text, "Everyone is up to date."));
	assert_int_equal(d.total, 0);
	{
		/* 20 hex digits of an HMAC of the day under the key: the same
		 * for the same key and day, another for another key or day. */
		static const unsigned char k1[DIGEST_KEY_LEN] = { 1 }, k2[DIGEST_KEY_LEN] = { 2 };
		char *again = digest_message_id(cfg, D("2026-11-23"), k1, sizeof k1);
		char *other = digest_message_id(cfg, D("2026-11-23"), k2, sizeof k2);
		char *next = digest_message_id(cfg, D("2026-11-24"), k1, sizeof k1);

		id = digest_message_id(cfg, D("2026-11-23"), k1, sizeof k1);
		assert_int_equal(strlen(id), strlen("<followupd.digest.2026-11-23.") + 20 +
		    strlen("@example.org>"));
		assert_true(strncmp(id, "<followupd.digest.2026-11-23.", 29) == 0);
		assert_int_equal(strspn(id + 29, "0123456789abcdef"), 20);
		assert_non_null(strstr(id, "@example.org>"));
		assert_string_equal(id, again);
		assert_string_not_equal(id + 29, other + 29);
		assert_string_not_equal(id + 29, next + 29);
		assert_true(digest_is_own_id(cfg, id + 1, strlen(id) - 2));
		free(again);
		free(other);
		free(next);
	}
	msg = digest_message(cfg, &d, id, (time_t)D("2026-11-23") * 86400 + 7 * 3600);
	assert_non_null(strstr(msg, "From: \"Jane Doe\" <jane@example.org>\r\n"));
	assert_non_null(strstr(msg, "Date: Mon, 23 Nov 2026 07:00:00 +0000\r\n"));
	assert_non_null(strstr(msg, "Auto-Submitted: auto-generated\r\n"));
	assert_non_null(strstr(msg, "Content-Type: multipart/alternative; boundary="));
	free(msg);
	free(id);
	digest_free(&d);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_limit_and_subject),
		cmocka_unit_test(test_empty_and_health),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
