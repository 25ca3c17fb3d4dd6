/* Address normalisation, validation and the address -> contact index. */
#include "testutil.h"

#include "addr.h"

static void
test_normalize(void **unused)
{
	static const char *const pairs[][2] = {
		{ "Jane+News@Example.ORG", "jane@example.org" },
		{ "jane@example.org", "jane@example.org" },
		{ "+only@example.org", "+only@example.org" },   /* no base address */
		{ "a+b+c@x.example", "a@x.example" },
		{ "noat", "noat" },
	};

	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		char *n = addr_normalize(pairs[i][0]);

		assert_string_equal(n, pairs[i][1]);
		free(n);
	}
}

static void
test_valid(void **unused)
{
	assert_true(addr_valid("jane@example.org"));
	assert_true(addr_valid("j.doe+tag@sub.example.co.uk"));
	assert_true(addr_valid("x@localhost"));
	assert_false(addr_valid("jane"));
	assert_false(addr_valid("@example.org"));
	assert_false(addr_valid("jane@"));
	assert_false(addr_valid("ja ne@example.org"));
	assert_false(addr_valid("a@b@c"));
	assert_false(addr_valid("jane@exa mple.org"));
	assert_false(addr_valid("jane@.example.org"));
	assert_false(addr_valid("jane@example..org"));
	assert_false(addr_valid("<jane@example.org>"));
}

static void
test_mailbox(void **unused)
{
	char *name, *addr;

	assert_int_equal(addr_parse_mailbox("Jane Doe <jane@example.org>", &name, &addr), 0);
	assert_string_equal(name, "Jane Doe");
	assert_string_equal(addr, "jane@example.org");
	free(name);
	free(addr);
	assert_int_equal(addr_parse_mailbox("\"Doe, Jane\" <jane@example.org>", &name, &addr), 0);
	assert_string_equal(name, "Doe, Jane");
	free(name);
	free(addr);
	assert_int_equal(addr_parse_mailbox("  jane@example.org ", &name, &addr), 0);
	assert_null(name);
	assert_string_equal(addr, "jane@example.org");
	free(addr);
	assert_int_equal(addr_parse_mailbox("<jane@example.org>", &name, &addr), 0);
	assert_null(name);
	free(addr);
	assert_int_equal(addr_parse_mailbox("Jane <jane@example.org", &name, &addr), -1);
	assert_int_equal(addr_parse_mailbox("Jane <jane@example.org> x", &name, &addr), -1);
	assert_int_equal(addr_parse_mailbox("Jane Doe", &name, &addr), -1);
}

static void
test_index(void **unused)
{
	struct addr_index ix = {0};
	size_t owner, other;

	assert_int_equal(addr_index_add(&ix, "alice@example.com", 0, &other), 0);
	assert_int_equal(addr_index_add(&ix, "@acme.example", 1, &other), 0);
	assert_int_equal(addr_index_add(&ix, "boss@acme.example", 2, &other), 0);
	assert_int_equal(addr_index_add(&ix, "Alice+x@EXAMPLE.com", 3, &other), -1);
	assert_int_equal(other, 0);
	assert_int_equal(addr_index_add(&ix, "@ACME.example", 3, &other), -1);
	assert_int_equal(other, 1);

	assert_int_equal(addr_index_find(&ix, "ALICE+news@example.com", &owner), 0);
	assert_int_equal(owner, 0);
	assert_int_equal(addr_index_find(&ix, "anyone@acme.example", &owner), 0);
	assert_int_equal(owner, 1);
	/* an exact address beats its domain */
	assert_int_equal(addr_index_find(&ix, "boss@acme.example", &owner), 0);
	assert_int_equal(owner, 2);
	assert_int_equal(addr_index_find(&ix, "x@sub.acme.example", &owner), -1);
	assert_int_equal(addr_index_find(&ix, "nobody@example.com", &owner), -1);
	addr_index_free(&ix);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_mailbox),
		cmocka_unit_test(test_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
