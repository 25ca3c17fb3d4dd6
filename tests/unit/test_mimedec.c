/* The body of a reply as the user wrote it: base64 and quoted-printable
 * undone, Latin-1, Windows-1252 and Shift_JIS turned into UTF-8, an
 * unknown charset left as it is, and libetpan's over-read on a final
 * "=X" (tests/fuzz/crashes/mime-qp-overread-past-end) kept inside the
 * buffer: the sanitizer build of this test fails if it is not. */
#include "testutil.h"

#include "mimedec.h"

static void
check(const char *raw, size_t len, enum mimedec_encoding enc, const char *charset,
    const char *want)
{
	char *got = mimedec_text(raw, len, enc, charset);

	assert_string_equal(got, want);
	free(got);
}

static void
test_encodings(void **unused)
{
	(void)unused;
	check("SGVsbG8sIHdvcmxkIQ==", 20, MIMEDEC_BASE64, "utf-8", "Hello, world!");
	/* base64 across lines */
	check("SGVs\r\nbG8=\r\n", 12, MIMEDEC_BASE64, NULL, "Hello");
	check("called alice=\r\n and bob=3D=3D", 30, MIMEDEC_QUOTED_PRINTABLE, "us-ascii",
	    "called alice and bob==");
	check("Gr=C3=BC=C3=9Fe", 15, MIMEDEC_QUOTED_PRINTABLE, "UTF-8", "Grüße");
	check("plain\r\ntext", 11, MIMEDEC_IDENTITY, NULL, "plain\r\ntext");
	/* Only len bytes count. */
	check("abcdef", 3, MIMEDEC_IDENTITY, "utf-8", "abc");
}

static void
test_charsets(void **unused)
{
	(void)unused;
	check("Z=FCrich, d=E9j=E0", 18, MIMEDEC_QUOTED_PRINTABLE, "iso-8859-1", "Zürich, déjà");
	check("\x93quoted\x94 \x80", 11, MIMEDEC_IDENTITY, "windows-1252", "\u201cquoted\u201d \u20ac");
	check("\x93\xfa\x96\x7b", 4, MIMEDEC_IDENTITY, "shift_jis", "日本");
	/* An unknown charset: the bytes as they are. */
	check("caf\xe9", 4, MIMEDEC_IDENTITY, "x-no-such-charset", "caf\xe9");
}

static void
test_overread(void **unused)
{
	/* The fuzzer's input, without a NUL after it: on the heap, so that
	 * ASan sees a read past the end. */
	static const char input[] = "Gr=C3=BC=C3==Fet bre=k";
	size_t n = sizeof input - 1;
	char *raw = xmalloc(n);
	char *got;

	(void)unused;
	memcpy(raw, input, n);
	got = mimedec_text(raw, n, MIMEDEC_QUOTED_PRINTABLE, "utf-8");
	assert_non_null(got);
	assert_int_equal(strncmp(got, "Grü", 4), 0);
	free(got);
	free(raw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_charsets),
		cmocka_unit_test(test_overread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
