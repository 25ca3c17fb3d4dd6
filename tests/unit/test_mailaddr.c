/* RFC 5322 address parsing: the header forms a Sent folder holds: groups,
 * comments, encoded words, quoted local parts, routes, UTF-8 names.
 * (isemail's table is test_isemail.c.) */
#include "testutil.h"

#include "buf.h"
#include "mailaddr.h"

/* ---- addr-spec canonical forms -------------------------------------- */

static void
test_spec_canonical(void **unused)
{
	static const char *const pairs[][2] = {
		{ "jane@example.org", "jane@example.org" },
		{ " (home) jane @ example . org (x)", "jane@example.org" },
		{ "\"jane\"@example.org", "jane@example.org" },
		{ "\"jane\".\"doe\"@example.org", "jane.doe@example.org" },
		{ "\"jane doe\"@example.org", "\"jane doe\"@example.org" },
		{ "\"a\\\"b\"@example.org", "\"a\\\"b\"@example.org" },
		{ "jane@[192.0.2.1]", "jane@[192.0.2.1]" },
		{ "j\xc3\xb6rg@example.org", "j\xc3\xb6rg@example.org" },
		{ "jane@example.org\r\n (folded)", "jane@example.org" },
	};

	(void)unused;
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		char *out = NULL;
		const char *why = NULL;

		if (mailaddr_parse_spec(pairs[i][0], strlen(pairs[i][0]), &out, &why) != 0)
			fail_msg("%s: %s", pairs[i][0], why);
		assert_string_equal(out, pairs[i][1]);
		free(out);
	}
}

static void
test_spec_rejects(void **unused)
{
	static const char *const bad[] = {
		"", "jane", "jane@", "@example.org", "jane@@example.org",
		"jane doe@example.org", "jane@example..org", "jane@-x.org",
		"<jane@example.org>", "jane@example.org>", "jane@exa mple.org",
		"(unclosed jane@example.org", "\"unclosed@example.org",
		"jane@example.org\n", "jane@example.org\r\nx",
	};

	(void)unused;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *out = NULL;
		const char *why = NULL;

		if (mailaddr_parse_spec(bad[i], strlen(bad[i]), &out, &why) == 0)
			fail_msg("accepted '%s' as '%s'", bad[i], out);
		assert_non_null(why);
	}
	/* A NUL inside is not the end of the string. */
	{
		char *out = NULL;
		const char *why = NULL;

		assert_int_equal(mailaddr_parse_spec("jane@ex\0ample.org", 17, &out, &why), -1);
	}
}

/* ---- address lists --------------------------------------------------- */

struct want {
	const char *name;   /* NULL: no display name */
	const char *addr;
};

static void
check_list(const char *header, const struct want *w, size_t n, size_t bad)
{
	struct mailaddr_list l = { .want_names = true };

	mailaddr_parse_list(header, strlen(header), &l);
	if (l.n != n || l.bad != bad) {
		for (size_t i = 0; i < l.n; i++)
			print_message("# got [%s] <%s>\n", l.v[i].name ? l.v[i].name : "-", l.v[i].addr);
		fail_msg("'%s': %zu addresses and %zu bad (%s), want %zu and %zu",
		    header, l.n, l.bad, l.first_error ? l.first_error : "-", n, bad);
	}
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(l.v[i].addr, w[i].addr);
		if (w[i].name == NULL)
			assert_null(l.v[i].name);
		else {
			assert_non_null(l.v[i].name);
			assert_string_equal(l.v[i].name, w[i].name);
		}
	}
	assert_true(bad == 0 ? l.first_error == NULL : l.first_error != NULL);
	mailaddr_list_free(&l);
}

#define LIST(h, bad, ...) do { \
	static const struct want w_[] = { __VA_ARGS__ }; \
	check_list(h, w_, sizeof w_ / sizeof w_[0], bad); \
} while (0)

static void
test_list_forms(void **unused)
{
	(void)unused;
	LIST("jane@example.org", 0, { NULL, "jane@example.org" });
	LIST("Jane Doe <jane@example.org>, bob@example.com", 0,
	    { "Jane Doe", "jane@example.org" }, { NULL, "bob@example.com" });
	LIST("\"Doe, Jane\" <jane@example.org>", 0, { "Doe, Jane", "jane@example.org" });
	/* Comments anywhere, and the obsolete "name" in a comment. */
	LIST("jane@example.org (Jane Doe), (c) <bob@example.com> (x)", 0,
	    { NULL, "jane@example.org" }, { NULL, "bob@example.com" });
	LIST("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", 0,
	    { "Pete", "pete@silly.test" });
	/* Groups, empty ones, and one without its closing ';'. */
	LIST("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;", 0,
	    { "Ed Jones", "c@a.test" }, { NULL, "joe@where.test" },
	    { "John", "jdoe@one.test" });
	LIST("undisclosed-recipients:;, jane@example.org", 0, { NULL, "jane@example.org" });
	LIST("friends: jane@example.org, bob@example.com", 0,
	    { NULL, "jane@example.org" }, { NULL, "bob@example.com" });
	/* obs-phrase with a dot, obs-route, empty list elements. */
	LIST("John Q. Public <jqp@example.org>", 0, { "John Q. Public", "jqp@example.org" });
	LIST("<@route.test,@other.test:jane@example.org>", 0, { NULL, "jane@example.org" });
	LIST(", ,jane@example.org,, ,", 0, { NULL, "jane@example.org" });
	/* Quoted and dotted local parts, folded lines. */
	LIST("\"jane\" . doe @ example.org", 0, { NULL, "jane.doe@example.org" });
	LIST("Jane\r\n Doe <jane@example.org>,\r\n\tbob@example.com", 0,
	    { "Jane Doe", "jane@example.org" }, { NULL, "bob@example.com" });
}

static void
test_list_names(void **unused)
{
	(void)unused;
	/* RFC 2047: Q and B encodings, adjacent words joined without the space. */
	LIST("=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <jm@example.de>", 0,
	    { "J\xc3\xb6rg M\xc3\xbcller", "jm@example.de" });
	LIST("=?utf-8?b?w4lsb2TDrWU=?= <e@example.fr>", 0,
	    { "\xc3\x89lod\xc3\xad" "e", "e@example.fr" });
	LIST("=?ISO-8859-1?Q?Andr=E9?= =?ISO-8859-1?Q?_Pirard?= <pirard@vm1.test>", 0,
	    { "Andr\xc3\xa9 Pirard", "pirard@vm1.test" });
	/* Raw UTF-8 in a name and in a quoted name. */
	LIST("J\xc3\xb6rg <j@example.de>, \"Zo\xc3\xab Q.\" <z@example.de>", 0,
	    { "J\xc3\xb6rg", "j@example.de" }, { "Zo\xc3\xab Q.", "z@example.de" });
	/* An encoded word whose text holds a comma is one name. */
	LIST("=?utf-8?q?Doe=2C_Jane?= <jane@example.org>", 0,
	    { "Doe, Jane", "jane@example.org" });
}

static void
test_list_without_names(void **unused)
{
	struct mailaddr_list l = { 0 };
	const char *h = "=?utf-8?q?Doe=2C_Jane?= <jane@example.org>";

	(void)unused;
	mailaddr_parse_list(h, strlen(h), &l);
	assert_int_equal(l.n, 1);
	assert_null(l.v[0].name);   /* names were not asked for */
	assert_string_equal(l.v[0].addr, "jane@example.org");
	mailaddr_list_free(&l);
}

static void
test_list_recovers(void **unused)
{
	(void)unused;
	/* A broken element is skipped; the ones around it are kept. */
	LIST("jane@example.org, Phillip K Allen/HOU/ECT@ECT, bob@example.com", 1,
	    { NULL, "jane@example.org" }, { NULL, "bob@example.com" });
	LIST("<>, jane@example.org", 1, { NULL, "jane@example.org" });
	check_list("\"unterminated <a@b.test>, bob@example.com", NULL, 0, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_canonical),
		cmocka_unit_test(test_spec_rejects),
		cmocka_unit_test(test_list_forms),
		cmocka_unit_test(test_list_names),
		cmocka_unit_test(test_list_without_names),
		cmocka_unit_test(test_list_recovers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
