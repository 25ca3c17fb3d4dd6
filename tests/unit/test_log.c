/* The daemon's log lines: "<N>" priorities and no "followupd: " under the
 * journal, the name elsewhere; streams that turn what the commands print
 * into log lines, a line at a time, however it is written; JOURNAL_STREAM
 * matched against the descriptor's device and inode. */
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static void
check_format(bool journal, enum log_prio prio, const char *line, bool named,
    const char *want)
{
	struct buf b = { 0 };

	log_format(&b, journal, prio, line, named);
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

static void
test_format(void **unused)
{
	(void)unused;
	check_format(true, LOG_PRIO_ERR, "imap work: refused", true, "<3>imap work: refused");
	check_format(true, LOG_PRIO_INFO, "followupd: smtp: sent", false, "<6>smtp: sent");
	check_format(true, LOG_PRIO_DEBUG, "", true, "<7>");
	check_format(false, LOG_PRIO_ERR, "imap work: refused", true, "followupd: imap work: refused");
	check_format(false, LOG_PRIO_ERR, "followupd: x", true, "followupd: x");
	/* What a command printed stays as it was off the journal. */
	check_format(false, LOG_PRIO_ERR, "f.conf:3: bad", false, "f.conf:3: bad");
	check_format(false, LOG_PRIO_WARNING, "followupd: x", false, "followupd: x");
}

/* Reads back what was written to f. */
static char *
contents(FILE *f)
{
	long n;
	char *s;

	fflush(f);
	n = ftell(f);
	s = xcalloc((size_t)n + 1, 1);
	rewind(f);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	return s;
}

static void
test_msg_and_levels(void **unused)
{
	struct log l;
	FILE *f = tmpfile();
	char *s;

	(void)unused;
	assert_non_null(f);
	log_init(&l, f, 0);
	assert_false(l.journal);   /* a temporary file is not the journal */
	l.journal = true;
	log_msg(&l, LOG_PRIO_NOTICE, "started: %d contacts", 3);
	log_msg(&l, LOG_PRIO_DEBUG, "not shown at normal verbosity");
	log_msg(&l, LOG_PRIO_ERR, "two\nlines");
	l.verbosity = -1;
	log_msg(&l, LOG_PRIO_INFO, "not shown when quiet");
	log_msg(&l, LOG_PRIO_WARNING, "shown when quiet");
	l.verbosity = 1;
	log_msg(&l, LOG_PRIO_DEBUG, "shown with -v");
	s = contents(f);
	assert_string_equal(s, "<5>started: 3 contacts\n<3>two\n<3>lines\n<4>shown when quiet\n"
	    "<7>shown with -v\n");
	free(s);
	fclose(f);
}

static void
test_is_journal(void **unused)
{
	FILE *f = tmpfile();
	struct stat sb;
	char *js, *other;

	(void)unused;
	assert_int_equal(fstat(fileno(f), &sb), 0);
	js = xasprintf("%llu:%llu", (unsigned long long)sb.st_dev, (unsigned long long)sb.st_ino);
	other = xasprintf("%llu:%llu", (unsigned long long)sb.st_dev,
	    (unsigned long long)sb.st_ino + 1);
	assert_true(log_is_journal(fileno(f), js));
	assert_false(log_is_journal(fileno(f), other));
	assert_false(log_is_journal(fileno(f), NULL));
	assert_false(log_is_journal(fileno(f), ""));
	assert_false(log_is_journal(fileno(f), "12"));
	assert_false(log_is_journal(fileno(f), "1:2x"));
	assert_false(log_is_journal(-1, js));
	free(js);
	free(other);
	fclose(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_msg_and_levels),
		cmocka_unit_test(test_is_journal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
