/* WHO resolution: id, address, unique prefix; the candidates on failure. */
#include "testutil.h"

#include "config.h"
#include "who.h"

static const char text[] =
    "[followupd]\nme = Jane <jane@example.org>\n"
    "[contact:alice]\nname = Alice Smith\nemail = alice@example.com, @acme.example\n"
    "[contact:alan]\nname = Alan Turing\nemail = alan@example.com\n"
    "[contact:bob]\nname = Robert Jones\nemail = bob@example.net\n"
    "[contact:al]\nname = Al Green\nemail = al@example.net\n";

static struct config *cfg;

static int
setup(void **unused)
{
	struct config_env env = { 0600, "UTC", NULL, NULL, "/tmp" };
	struct diag d = {0};

	cfg = config_parse("w.conf", text, strlen(text), &env, &d);
	return cfg == NULL;
}

static int
teardown(void **unused)
{
	config_free(cfg);
	return 0;
}

static const char *
who(const char *s, enum who_result want, struct buf *why)
{
	const struct contact *c = NULL;

	buf_reset(why);
	assert_int_equal(who_resolve(cfg, s, &c, why), want);
	return c ? c->id : NULL;
}

static void
test_found(void **unused)
{
	struct buf why = {0};

	assert_string_equal(who("alice", WHO_FOUND, &why), "alice");
	assert_string_equal(who("ALICE", WHO_FOUND, &why), "alice");
	assert_string_equal(who("al", WHO_FOUND, &why), "al");   /* an exact id wins */
	assert_string_equal(who("alan@example.com", WHO_FOUND, &why), "alan");
	assert_string_equal(who("Alice+x@Example.com", WHO_FOUND, &why), "alice");
	assert_string_equal(who("ceo@acme.example", WHO_FOUND, &why), "alice");
	assert_string_equal(who("ali", WHO_FOUND, &why), "alice");
	assert_string_equal(who("rob", WHO_FOUND, &why), "bob");    /* name prefix */
	assert_string_equal(who("alan t", WHO_FOUND, &why), "alan");
	buf_free(&why);
}

static void
test_ambiguous_and_unknown(void **unused)
{
	struct buf why = {0};

	assert_null(who("a", WHO_AMBIGUOUS, &why));
	assert_string_equal(buf_str(&why),
	    "'a' is ambiguous: alice (Alice Smith), alan (Alan Turing), al (Al Green)");
	assert_string_equal(who("ala", WHO_FOUND, &why), "alan");
	assert_null(who("zed", WHO_UNKNOWN, &why));
	assert_string_equal(buf_str(&why), "no contact matches 'zed'");
	assert_null(who("alicia", WHO_UNKNOWN, &why));
	assert_string_equal(buf_str(&why), "no contact matches 'alicia' (did you mean alice (Alice Smith)?)");
	assert_null(who("nobody@example.com", WHO_UNKNOWN, &why));
	assert_null(who("", WHO_UNKNOWN, &why));
	buf_free(&why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_ambiguous_and_unknown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
