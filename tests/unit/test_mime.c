/* The MIME pieces of the digest: quoted-printable, encoded words, folding,
 * addresses, dates. Decoded by hand here, independently of the encoder. */
#include "testutil.h"

#include "buf.h"
#include "mime.h"
#include "tz.h"

/* Undoes quoted-printable: soft breaks dropped, =XX decoded, CRLF -> LF. */
static char *
qp_decode(const char *s)
{
	struct buf b = { 0 };

	while (*s) {
		if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
			s += 3;
		} else if (s[0] == '=') {
			char hx[3] = { s[1], s[2], 0 };

			buf_putc(&b, (char)strtol(hx, NULL, 16));
			s += 3;
		} else if (s[0] == '\r' && s[1] == '\n') {
			buf_putc(&b, '\n');
			s += 2;
		} else
			buf_putc(&b, *s++);
	}
	return buf_take(&b);
}

static void
check_lines(const char *s, size_t max)
{
	const char *line = s;

	for (const char *p = s; *p; p++) {
		if (*p == '\n') {
			assert_true(p > s && p[-1] == '\r');
			assert_true((size_t)(p - line - 1) <= max);
			line = p + 1;
		} else if (*p == '\r')
			assert_int_equal(p[1], '\n');
	}
	assert_true(strlen(line) <= max);
}

static void
test_qp_round_trip(void **unused)
{
	static const char *const texts[] = {
		"plain\n",
		"Zoë Ångström — café\n",
		"trailing space \nand tab\t\n",
		"a=b and =?x?= stay\n",
		"a very long line of text that goes on and on and on well past the seventy-six octets of a quoted-printable line, ending with ü\n",
		"Ünïcödé everywhere: ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿ\n",
		"",
	};

	(void)unused;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct buf b = { 0 };
		char *back;

		mime_qp(&b, texts[i]);
		check_lines(buf_str(&b), 76);
		/* No line may end in white space. */
		assert_null(strstr(buf_str(&b), " \r\n"));
		assert_null(strstr(buf_str(&b), "\t\r\n"));
		back = qp_decode(buf_str(&b));
		assert_string_equal(back, texts[i]);
		free(back);
		buf_free(&b);
	}
}

static void
test_headers(void **unused)
{
	struct buf b = { 0 };

	(void)unused;
	mime_header(&b, "Subject", "Follow-ups Mon 23 Nov: 2 overdue");
	assert_string_equal(buf_str(&b), "Subject: Follow-ups Mon 23 Nov: 2 overdue\r\n");
	buf_reset(&b);
	mime_header(&b, "Subject", "Café with Zoë");
	assert_string_equal(buf_str(&b), "Subject: =?UTF-8?Q?Caf=C3=A9_with_Zo=C3=AB?=\r\n");
	buf_reset(&b);
	/* Long: folded into several words, no character split, lines < 78. */
	mime_header(&b, "Subject", "Ünïcödé ünïcödé ünïcödé ünïcödé ünïcödé ünïcödé ünïcödé ünïcödé ünïcödé");
	check_lines(buf_str(&b), 78);
	assert_non_null(strstr(buf_str(&b), "?=\r\n =?UTF-8?Q?"));
	assert_null(strstr(buf_str(&b), "=C3?="));   /* a split character */
	buf_reset(&b);
	/* Text that looks like an encoded word is encoded itself. */
	mime_header(&b, "Subject", "=?utf-8?q?x?=");
	assert_true(strncmp(buf_str(&b), "Subject: =?UTF-8?Q?=3D=3F", 25) == 0);
	buf_reset(&b);
	mime_mailbox(&b, "Doe, Jane", "jane@example.org");
	assert_string_equal(buf_str(&b), "\"Doe, Jane\" <jane@example.org>");
	buf_reset(&b);
	mime_mailbox(&b, "Jörg", "j@example.de");
	assert_string_equal(buf_str(&b), "=?UTF-8?Q?J=C3=B6rg?= <j@example.de>");
	buf_reset(&b);
	mime_mailbox(&b, NULL, "j@example.de");
	assert_string_equal(buf_str(&b), "j@example.de");
	buf_free(&b);
}

static void
test_date_and_escapes(void **unused)
{
	struct buf b = { 0 };
	char *err = NULL;

	(void)unused;
	assert_int_equal(tz_use("Europe/Berlin", &err), 0);
	mime_date(&b, (time_t)D("2026-11-23") * 86400 + 6 * 3600 + 30 * 60);
	assert_string_equal(buf_str(&b), "Mon, 23 Nov 2026 07:30:00 +0100");
	buf_reset(&b);
	mime_date(&b, (time_t)D("2026-07-01") * 86400);
	assert_string_equal(buf_str(&b), "Wed, 1 Jul 2026 02:00:00 +0200");
	buf_reset(&b);
	mime_url_escape(&b, "Happy birthday! 50% & more", NULL);
	assert_string_equal(buf_str(&b), "Happy%20birthday%21%2050%25%20%26%20more");
	buf_reset(&b);
	mime_html_escape(&b, "<b>\"A&B\"</b>");
	assert_string_equal(buf_str(&b), "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qp_round_trip),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_date_and_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
