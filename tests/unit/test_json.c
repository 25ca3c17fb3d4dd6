/* JSON strings: escapes, control characters, invalid UTF-8. */
#include "testutil.h"

#include "json.h"

static void
check(const char *in, const char *want)
{
	struct buf b = {0};

	json_string(&b, in);
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

static void
test_strings(void **unused)
{
	check(NULL, "null");
	check("", "\"\"");
	check("plain", "\"plain\"");
	check("a\"b\\c", "\"a\\\"b\\\\c\"");
	check("l1\nl2\tx\r", "\"l1\\nl2\\tx\\r\"");
	check("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	check("Jürgen 日本 😀", "\"Jürgen 日本 😀\"");
	check("bad \xff byte", "\"bad \\ufffd byte\"");
	check("overlong \xc0\xaf", "\"overlong \\ufffd\\ufffd\"");
	check("surrogate \xed\xa0\x80", "\"surrogate \\ufffd\\ufffd\\ufffd\"");
	check("cut \xe6\x97", "\"cut \\ufffd\\ufffd\"");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
