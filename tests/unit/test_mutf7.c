/* mutf7: folder names between UTF-8 and IMAP's modified UTF-7. */
#include "testutil.h"

#include "mutf7.h"

/* Both ways: utf8 encodes to wire, and wire decodes to utf8. */
static void
both(const char *utf8, const char *wire)
{
	char *err = NULL, *got = mutf7_encode(utf8, &err);

	assert_non_null(got);
	assert_string_equal(got, wire);
	free(got);
	got = mutf7_decode(wire, &err);
	assert_non_null(got);
	assert_string_equal(got, utf8);
	free(got);
	assert_null(err);
}

/* decode refuses wire with a message that contains why. */
static void
refused(const char *wire, const char *why)
{
	char *err = NULL, *got = mutf7_decode(wire, &err);

	if (got != NULL)
		fail_msg("\"%s\" decoded to \"%s\"", wire, got);
	assert_non_null(err);
	if (strstr(err, why) == NULL)
		fail_msg("\"%s\": \"%s\" does not say \"%s\"", wire, err, why);
	free(err);
}

static void
test_roundtrip(void **unused)
{
	(void)unused;
	both("", "");
	both("Sent", "Sent");
	both("INBOX.Sent Items", "INBOX.Sent Items");
	both("Éléments envoyés", "&AMk-l&AOk-ments envoy&AOk-s");
	both("Envoyés", "Envoy&AOk-s");
	both("Gesendete Objekte", "Gesendete Objekte");
	both("Wysłane", "Wys&AUI-ane");
	both("Odeslaná pošta", "Odeslan&AOE- po&AWE-ta");
	both("Отправленные", "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-");
	/* RFC 3501's own example. */
	both("~peter/mail/日本語/台北", "~peter/mail/&ZeVnLIqe-/&U,BTFw-");
	both("A&B", "A&-B");
	both("&", "&-");
	both("&&x&", "&-&-x&-");
	/* Outside the BMP: a surrogate pair. */
	both("Sent 😀", "Sent &2D3eAA-");
	/* Controls are not printable: encoded too. */
	both("a\tb", "a&AAk-b");
	both("\x7f", "&AH8-");
}

static void
test_encode_refuses(void **unused)
{
	char *err = NULL;

	(void)unused;
	assert_null(mutf7_encode("bad \xff", &err));
	assert_non_null(strstr(err, "byte 5 (0xff) is not valid UTF-8"));
	free(err);
	err = NULL;
	assert_null(mutf7_encode("\xc3", &err));   /* cut short */
	assert_non_null(err);
	free(err);
	err = NULL;
	assert_null(mutf7_encode("\xed\xa0\x80", &err));   /* a surrogate in UTF-8 */
	assert_non_null(err);
	free(err);
}

static void
test_decode_refuses(void **unused)
{
	(void)unused;
	refused("Envoy\xc3\xa9s", "not printable US-ASCII");
	refused("a\tb", "not printable US-ASCII");
	refused("A&B", "does not end in '-'");
	refused("A&", "an '&' that starts no shift");
	refused("A& B", "an '&' that starts no shift");
	refused("&AMk", "does not end in '-'");
	refused("&AM.-", "outside modified base64");
	refused("&AM/-", "outside modified base64");   /* '/' is ',' here */
	refused("&AMk=-", "outside modified base64");  /* no padding */
	/* Not the only encoding. */
	refused("&AEE-", "printable US-ASCII inside a shift");   /* "A" */
	refused("&ACY-", "printable US-ASCII inside a shift");   /* "&" */
	refused("&AMk-&AOk-", "a shift right after another");
	refused("&AMkA-", "extra base64 characters");
	refused("&AMl-", "padding bits that are not zero");
	refused("&AA-", "extra base64 characters");
	refused("&A-", "extra base64 characters");
	/* UTF-16 that is not. */
	refused("&2D0-", "a high surrogate without its low one");
	refused("&2D3YPQ-", "a high surrogate without its low one");
	refused("&3gA-", "a low surrogate without its high one");
	refused("&AAA-", "U+0000");
}

static void
test_position(void **unused)
{
	char *err = NULL;

	(void)unused;
	assert_null(mutf7_decode("Sent &AEE-", &err));
	assert_string_equal(err, "not modified UTF-7 at byte 9: "
	    "printable US-ASCII inside a shift (it must stand for itself)");
	free(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_decode_refuses),
		cmocka_unit_test(test_position),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
