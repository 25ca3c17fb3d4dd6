/* The INI reader: syntax, quoting, line numbers, names lowercased. */
#include "testutil.h"

#include "ini.h"

static void
test_syntax(void **unused)
{
	static const char text[] =
	    "; comment\n"
	    "# another\n"
	    "[Section:One]   ; trailing comment\n"
	    "Key = value ; cut here\n"
	    "quoted = \"keeps ; and # and \\\" inside\"   ; but not this\n"
	    "single = 'it''s'\n"
	    "me = \"Doe, Jane\" <jane@example.org> ; a phrase, then more\n"
	    "empty =\n"
	    "  spaced   =   inner  words   \r\n"
	    "\n"
	    "[two]\n"
	    "hash = a#b\n";
	struct ini ini;
	struct diag d = {0};

	ini_parse(&ini, "t.ini", text, strlen(text), &d);
	assert_int_equal(d.count, 0);
	assert_int_equal(ini.count, 2);
	assert_string_equal(ini.sections[0].name, "section:one");
	assert_int_equal(ini.sections[0].line, 3);
	assert_string_equal(ini_find(&ini.sections[0], "key")->value, "value");
	assert_int_equal(ini_find(&ini.sections[0], "key")->line, 4);
	assert_string_equal(ini_find(&ini.sections[0], "quoted")->value, "keeps ; and # and \" inside");
	assert_string_equal(ini_find(&ini.sections[0], "empty")->value, "");
	assert_string_equal(ini_find(&ini.sections[0], "spaced")->value, "inner  words");
	/* text after the closing quote: the value is taken as written */
	assert_string_equal(ini_find(&ini.sections[0], "single")->value, "'it''s'");
	assert_string_equal(ini_find(&ini.sections[0], "me")->value, "\"Doe, Jane\" <jane@example.org>");
	assert_string_equal(ini_find(&ini.sections[1], "hash")->value, "a");
	ini_free(&ini);
	diag_free(&d);
}

static void
test_long_lines_and_no_final_newline(void **unused)
{
	struct buf b = {0};
	struct ini ini;
	struct diag d = {0};

	buf_puts(&b, "[s]\nlong = ");
	for (int i = 0; i < 5000; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\nlast = end");
	ini_parse(&ini, "t.ini", b.data, b.len, &d);
	assert_int_equal(d.count, 0);
	assert_int_equal(strlen(ini_find(&ini.sections[0], "long")->value), 5000);
	assert_string_equal(ini_find(&ini.sections[0], "last")->value, "end");
	assert_int_equal(ini_find(&ini.sections[0], "last")->line, 3);
	ini_free(&ini);
	buf_free(&b);
}

static void
test_errors_all_reported(void **unused)
{
	static const char text[] =
	    "[ok]\n"
	    "novalue\n"
	    "[bad name]\n"
	    "k = v\n"
	    "[ok]\n"
	    "= v\n"
	    "[x]\n"
	    "a = 1\n"
	    "A = 2\n";
	static const char nul[] = "[s]\nk = a\0b\n";
	struct ini ini;
	struct diag d = {0};

	ini_parse(&ini, "t.ini", text, strlen(text), &d);
	assert_string_equal(buf_str(&d.text),
	    "t.ini:2: expected \"key = value\" or \"[section]\"\n"
	    "t.ini:3: malformed section header\n"
	    "t.ini:5: section [ok] is already defined at line 1\n"
	    "t.ini:6: malformed key name\n"
	    "t.ini:9: duplicate key 'a' (first set at line 8)\n");
	ini_free(&ini);
	diag_free(&d);
	ini_parse(&ini, "t.ini", nul, sizeof nul - 1, &d);
	assert_string_equal(buf_str(&d.text), "t.ini:2: NUL byte in line\n");
	ini_free(&ini);
	diag_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_long_lines_and_no_final_newline),
		cmocka_unit_test(test_errors_all_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
