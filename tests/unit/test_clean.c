/* clean: what reaches a log, a terminal, STATUS= or the feed from outside. */
#include "testutil.h"

#include "clean.h"

static void
check(const char *in, const char *want)
{
	char *got = clean_dup(in), *copy = xstrdup(in);

	assert_string_equal(got, want);
	clean_inplace(copy);
	assert_string_equal(copy, want);
	assert_true(clean_is_clean(want));
	assert_int_equal(clean_is_clean(in), strcmp(in, want) == 0);
	free(got);
	free(copy);
}

static void
test_controls(void **unused)
{
	check("", "");
	check("Plain subject: Q1 plan", "Plain subject: Q1 plan");
	check("Jürgen 日本 😀", "Jürgen 日本 😀");
	/* A terminal title and colour: no ESC or BEL gets through. */
	check("\x1b]0;pwned\x07\x1b[31mred", "?]0;pwned??[31mred");
	/* A forged log line and a second sd_notify assignment. */
	check("Sent\nWATCHDOG=trigger\r\nSTOPPING=1", "Sent?WATCHDOG=trigger??STOPPING=1");
	check("tab\there", "tab here");
	check("del\x7f", "del?");
	/* C1 controls (CSI as U+009B), separators and bidi overrides. */
	check("c1 \xc2\x9b" "31m", "c1 ?31m");
	check("nbsp\xc2\xa0ok", "nbsp\xc2\xa0ok");
	check("line\xe2\x80\xa8sep", "line?sep");
	check("rlo \xe2\x80\xae" "cod.exe", "rlo ?cod.exe");
	check("iso \xe2\x81\xa6x\xe2\x81\xa9", "iso ?x?");
	check("marks \xe2\x80\x8e\xe2\x80\x8f\xd8\x9c.", "marks ???.");
	check("arabic \xd8\xa7 ok", "arabic \xd8\xa7 ok");
	check("dash \xe2\x80\x94 ok", "dash \xe2\x80\x94 ok");
	/* Invalid UTF-8: each bad byte once. */
	check("bad \xff byte", "bad ? byte");
	check("overlong \xc0\xaf", "overlong ??");
	check("surrogate \xed\xa0\x80", "surrogate ???");
	check("cut \xe6\x97", "cut ??");
	assert_null(clean_dup(NULL));
}

static void
test_append_bounded(void **unused)
{
	struct buf b = {0};

	/* Only n bytes, and a sequence cut by n is invalid. */
	clean_append(&b, "ab\ncd", 3);
	assert_string_equal(buf_str(&b), "ab?");
	buf_reset(&b);
	clean_append(&b, "x\xc3\xa9y", 2);
	assert_string_equal(buf_str(&b), "x?");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_append_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
