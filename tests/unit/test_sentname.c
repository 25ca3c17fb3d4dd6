/* sentname: a Sent folder recognised by its name. */
#include "testutil.h"

#include "sentname.h"

static void
test_names(void **unused)
{
	(void)unused;
	assert_int_equal(sentname_rank("Sent", '/', NULL), 1);
	assert_int_equal(sentname_rank("sent", '/', NULL), 1);
	assert_int_equal(sentname_rank("SENT ITEMS", '.', ""), 2);
	assert_true(sentname_rank("Sent Messages", '/', NULL) > 2);
	assert_true(sentname_rank("Gesendete Elemente", '/', NULL) > 0);
	assert_true(sentname_rank("gesendete objekte", '/', NULL) > 0);
	assert_true(sentname_rank("Éléments envoyés", '/', NULL) > 0);
	assert_true(sentname_rank("éléments ENVOYÉS", '/', NULL) > 0);
	assert_true(sentname_rank("Envoyés", '/', NULL) > 0);
	assert_true(sentname_rank("Elementos enviados", '/', NULL) > 0);
	assert_true(sentname_rank("Posta inviata", '/', NULL) > 0);
	assert_true(sentname_rank("Inviati", '/', NULL) > 0);
	assert_true(sentname_rank("Verzonden items", '/', NULL) > 0);
	assert_true(sentname_rank("Skickat", '/', NULL) > 0);
	assert_true(sentname_rank("Sendt", '/', NULL) > 0);
	assert_true(sentname_rank("LÄHETETYT", '/', NULL) > 0);
	assert_true(sentname_rank("WYSŁANE", '/', NULL) > 0);
	assert_true(sentname_rank("Odeslaná pošta", '/', NULL) > 0);
	assert_true(sentname_rank("ОТПРАВЛЕННЫЕ", '/', NULL) > 0);
	assert_true(sentname_rank("ΑΠΕΣΤΑΛΜΈΝΑ", '/', NULL) > 0);
	assert_true(sentname_rank("送信済み", '/', NULL) > 0);
	/* Not Sent. */
	assert_int_equal(sentname_rank("INBOX", '/', NULL), 0);
	assert_int_equal(sentname_rank("Sent2", '/', NULL), 0);
	assert_int_equal(sentname_rank("Unsent", '/', NULL), 0);
	assert_int_equal(sentname_rank("Sent Items old", '/', NULL), 0);
	assert_int_equal(sentname_rank("Drafts", '/', NULL), 0);
	assert_int_equal(sentname_rank("", '/', NULL), 0);
	assert_int_equal(sentname_rank("Sen\xff", '/', NULL), 0);
}

static void
test_prefix(void **unused)
{
	(void)unused;
	/* Courier and Cyrus: everything under "INBOX.". */
	assert_int_equal(sentname_rank("INBOX.Sent Items", '.', "INBOX."), 2);
	assert_int_equal(sentname_rank("inbox.sent items", '.', "INBOX."), 2);
	assert_true(sentname_rank("INBOX.Sent Messages", '.', "INBOX.") > 0);
	/* Without NAMESPACE: INBOX as a parent with any separator. */
	assert_int_equal(sentname_rank("INBOX.Sent Items", '.', NULL), 2);
	assert_int_equal(sentname_rank("INBOX/Sent", '/', ""), 1);
	assert_int_equal(sentname_rank("Inbox/Gesendet", '/', NULL),
	    sentname_rank("Gesendet", '/', NULL));
	assert_true(sentname_rank("[Gmail]/Sent Mail", '/', NULL) > 0);
	assert_true(sentname_rank("[Google Mail]/Gesendet", '/', NULL) > 0);
	/* The separator must be the folder's own. */
	assert_int_equal(sentname_rank("INBOX/Sent", '.', NULL), 0);
	assert_int_equal(sentname_rank("INBOX.Sent", '\0', NULL), 0);
	/* Further down is an archive, not Sent. */
	assert_int_equal(sentname_rank("Archive/Sent", '/', NULL), 0);
	assert_int_equal(sentname_rank("INBOX.Archive.Sent", '.', "INBOX."), 0);
	assert_int_equal(sentname_rank("INBOX.", '.', "INBOX."), 0);
}

static void
test_pick(void **unused)
{
	const struct sentname_folder none[] = { { "INBOX", '/' }, { "Drafts", '/' } };
	const struct sentname_folder one[] = {
		{ "INBOX", '.' }, { "INBOX.Drafts", '.' }, { "INBOX.Sent Items", '.' },
	};
	const struct sentname_folder two[] = {
		{ "INBOX", '.' }, { "INBOX.Sent Messages", '.' }, { "INBOX.Trash", '.' },
		{ "INBOX.Sent", '.' }, { "INBOX.Gesendet", '.' },
	};
	const struct sentname_folder tie[] = { { "Sent", '/' }, { "INBOX/sent", '/' } };
	size_t other;

	(void)unused;
	assert_int_equal(sentname_pick(none, 2, NULL, &other), (size_t)-1);
	assert_int_equal(other, (size_t)-1);
	assert_int_equal(sentname_pick(NULL, 0, NULL, &other), (size_t)-1);
	assert_int_equal(sentname_pick(one, 3, "INBOX.", &other), 2);
	assert_int_equal(other, (size_t)-1);
	assert_int_equal(sentname_pick(two, 5, "INBOX.", &other), 3);
	assert_int_equal(other, 1);
	/* The same rank: the first listed; the other is named. */
	assert_int_equal(sentname_pick(tie, 2, "", &other), 0);
	assert_int_equal(other, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_pick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
