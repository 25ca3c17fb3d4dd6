/* Header blocks as an IMAP server returns them, and what a sent message
 * means: its key, its time, which recipients are contacts, the bulk rule. */
#include "testutil.h"

#include "config.h"
#include "digest.h"
#include "mailhdr.h"
#include "scan.h"

static void
test_dates(void **unused)
{
	static const struct { const char *s; long long t; } ok[] = {
		{ "Thu, 1 Jan 1970 00:00:00 +0000", 0 },
		{ "Mon, 14 May 2001 16:39:00 -0700 (PDT)", 989883540 },
		{ "14 May 2001 23:39 +0000", 989883540 },
		{ "Mon, 14 May 01 16:39:00 PDT", 989883540 },          /* obs-year, obs-zone */
		{ "  Sat, 29 Feb 2020 12:00:00 +0530", 1582957800 },
		{ "Tue, 1 Jan 2002 10:00:00 EST", 1009897200 },
		{ "Sun, 31 Dec 2023 23:59:60 +0000", 1704067200 },     /* leap second */
	};
	static const char *const bad[] = {
		"", "garbage", "Wed, 32 Jan 2001 10:00:00 +0000",
		"Thu, 29 Feb 2001 10:00:00 +0000", "Mon, 14 May 2001 25:00:00 +0000",
		"Mon, 14 May 1969 10:00:00 +0000", "Mon, 14 May 2001 10:00:00 +9900",
	};

	(void)unused;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		time_t t = -1;

		if (mailhdr_parse_date(ok[i].s, strlen(ok[i].s), &t) != 0)
			fail_msg("rejected '%s'", ok[i].s);
		if ((long long)t != ok[i].t)
			fail_msg("'%s' gave %lld, want %lld", ok[i].s, (long long)t, ok[i].t);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		time_t t;

		if (mailhdr_parse_date(bad[i], strlen(bad[i]), &t) == 0)
			fail_msg("accepted '%s'", bad[i]);
	}
}

static void
test_block(void **unused)
{
	const char *block =
	    "Date: Mon, 14 May 2001 16:39:00 -0700\r\n"
	    "To: Jane Doe <jane@example.org>,\r\n"
	    "  bob@example.com\r\n"
	    "cc: carol@example.net\r\n"
	    "Cc: dave@example.net\r\n"          /* a second Cc (seen in real mail) */
	    "Message-ID: <abc.123@host.example>\r\n"
	    "Resent-To: erin@example.org\r\n"
	    "BCC: frank@example.org\r\n"
	    "Resent-Cc: (nobody)\r\n"
	    "\r\n";
	static const char *const want[] = {
		"jane@example.org", "bob@example.com", "carol@example.net",
		"dave@example.net", "erin@example.org", "frank@example.org",
	};
	struct mailhdr h;
	const char *why = NULL;

	(void)unused;
	assert_int_equal(mailhdr_parse(block, strlen(block), &h, &why), 0);
	assert_int_equal(h.rcpt.n, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(h.rcpt.v[i].addr, want[i]);
	assert_string_equal(h.message_id, "abc.123@host.example");
	assert_true(h.has_date);
	assert_int_equal((long long)h.date, 989883540);
	assert_int_equal(h.bad_lines, 0);
	mailhdr_free(&h);

	/* LF line ends, a folded Date, a Message-ID without brackets, a junk line. */
	block = "Date: Mon, 14 May 2001\n 16:39:00 -0700\nMessage-Id: plain@id\n"
	    "this is not a header\nTo: jane@example.org\n";
	assert_int_equal(mailhdr_parse(block, strlen(block), &h, &why), 0);
	assert_int_equal(h.rcpt.n, 1);
	assert_string_equal(h.message_id, "plain@id");
	assert_true(h.has_date);
	assert_int_equal((long long)h.date, 989883540);
	assert_int_equal(h.bad_lines, 1);
	mailhdr_free(&h);

	/* Not a header at all. */
	assert_int_equal(mailhdr_parse("a\0b", 3, &h, &why), -1);
	assert_non_null(why);
	mailhdr_free(&h);
	assert_int_equal(mailhdr_parse("no colon here\n", 14, &h, &why), -1);
	mailhdr_free(&h);
	/* An empty block (a message without these fields) is fine. */
	assert_int_equal(mailhdr_parse("\r\n", 2, &h, &why), 0);
	assert_int_equal(h.rcpt.n, 0);
	assert_null(h.message_id);
	assert_false(h.has_date);
	mailhdr_free(&h);
}

/* ---- scan ------------------------------------------------------------ */

static struct config *
config(const char *extra)
{
	char *text = xasprintf("[followupd]\nme = Jane <jane@example.org>\n"
	    "max_recipients = 3\n"
	    "[contact:alice]\nemail = alice@example.com\n"
	    "[contact:acme]\nemail = @acme.example\n%s", extra);
	struct config *cfg = test_config(text);

	free(text);
	return cfg;
}

static void
test_scan_hits(void **unused)
{
	struct config *cfg = config("");
	struct scan_result r;
	const char *why = NULL;
	const char *block =
	    "To: Alice <Alice+Lunch@Example.COM>, someone@else.example\r\n"
	    "Cc: ceo@ACME.example, alice@example.com\r\n"
	    "Date: Mon, 14 May 2001 16:39:00 -0700\r\n"
	    "Message-ID: <m1@x>\r\n\r\n";

	(void)unused;
	assert_int_equal(scan_message(cfg, block, strlen(block), 1000000000, &r, &why), 0);
	assert_string_equal(r.key, "m1@x");
	assert_int_equal(r.nrcpt, 3);       /* alice twice counts once */
	assert_false(r.bulk);
	assert_int_equal(r.nhits, 2);
	assert_string_equal(r.hits[0], "alice@example.com");
	assert_string_equal(r.hits[1], "ceo@acme.example");
	assert_false(r.date_fallback);
	assert_int_equal((long long)r.at, 989883540);
	scan_result_free(&r);
	config_free(cfg);
}

static void
test_scan_bulk(void **unused)
{
	struct config *cfg = config("");
	struct scan_result r;
	const char *why = NULL;
	const char *four = "To: alice@example.com, a@x.test, b@x.test\r\nBcc: c@x.test\r\n";
	const char *three = "To: alice@example.com, a@x.test, b@x.test\r\nBcc: A@X.test\r\n";

	(void)unused;
	assert_int_equal(scan_message(cfg, four, strlen(four), 5, &r, &why), 0);
	assert_int_equal(r.nrcpt, 4);
	assert_true(r.bulk);
	assert_int_equal(r.nhits, 0);
	scan_result_free(&r);
	assert_int_equal(scan_message(cfg, three, strlen(three), 5, &r, &why), 0);
	assert_int_equal(r.nrcpt, 3);
	assert_false(r.bulk);
	assert_int_equal(r.nhits, 1);
	scan_result_free(&r);
	config_free(cfg);
}

/* Check-back tags, replies to our digests, the subject, and the others. */
static void
test_scan_control(void **unused)
{
	static const struct {
		const char *hdr;
		bool checkback, weekday;
		int wday;
		const char *span;          /* described */
		bool reply;
		const char *others;        /* space-separated */
	} cases[] = {
		{ "To: Carol <carol@x.test>\r\nBcc: jane+fu-2w@example.org\r\n",
		  true, false, 0, "every 2 weeks", false, "carol@x.test" },
		{ "To: carol@x.test, alice@example.com\r\nCc: Jane+FU-3d@Example.ORG\r\n",
		  true, false, 0, "every 3 days", false, "carol@x.test alice@example.com" },
		{ "To: carol@x.test\r\nBcc: jane+fu-fri@example.org\r\n",
		  true, true, 4, NULL, false, "carol@x.test" },
		{ "To: carol@x.test\r\nBcc: jane+fu-monthly@example.org\r\n",
		  true, false, 0, "every month", false, "carol@x.test" },
		/* not tags: another user's, another domain's, an unknown duration */
		{ "To: carol@x.test\r\nBcc: bob+fu-2w@example.org\r\n",
		  false, false, 0, NULL, false, "carol@x.test bob@example.org" },
		{ "To: carol@x.test\r\nBcc: jane+fu-2w@example.com\r\n",
		  false, false, 0, NULL, false, "carol@x.test jane@example.com" },
		{ "To: carol@x.test\r\nBcc: jane+fu-soon@example.org\r\n",
		  false, false, 0, NULL, false, "carol@x.test" },
		/* me, plainly: neither a tag nor someone else */
		{ "To: carol@x.test\r\nBcc: jane@example.org\r\n",
		  false, false, 0, NULL, false, "carol@x.test" },
		/* replies to our digests, in In-Reply-To or References, resent too */
		{ "To: jane@example.org\r\nIn-Reply-To: <followupd.digest.2026-11-23.d6f3c1f4@example.org>\r\n",
		  false, false, 0, NULL, true, "" },
		{ "To: jane@example.org\r\nReferences: <a@b> <followupd.digest.2026-11-23.d6f3c1f4.r2@example.org>\r\n",
		  false, false, 0, NULL, true, "" },
		/* The form only: whether such a digest was sent is the state's
		 * to say (tests/integration/replies.sh sends forged ones). */
		{ "To: jane@example.org\r\nIn-Reply-To: <followupd.digest.2026-11-23.00000000@example.org>\r\n",
		  false, false, 0, NULL, true, "" },
		/* Not a reply to the digest: a digest named in References but the
		 * message answers another (a stranger's, who put it there). */
		{ "To: jane@example.org\r\nReferences: <followupd.digest.2026-11-23.d6f3c1f4@example.org> <m1@evil.example>\r\n",
		  false, false, 0, NULL, false, "" },
		{ "To: jane@example.org\r\nIn-Reply-To: <m1@evil.example>\r\nReferences: <followupd.digest.2026-11-23.d6f3c1f4@example.org> <m1@evil.example>\r\n",
		  false, false, 0, NULL, false, "" },
		/* ... nor one that answers the digest but goes to others too */
		{ "To: mallory@evil.example\r\nIn-Reply-To: <followupd.digest.2026-11-23.d6f3c1f4@example.org>\r\n",
		  false, false, 0, NULL, false, "mallory@evil.example" },
		/* another domain, not an id of ours */
		{ "To: jane@example.org\r\nIn-Reply-To: <followupd.digest.2026-11-23.d6f3c1f4@example.com>\r\n",
		  false, false, 0, NULL, false, "" },
		{ "To: jane@example.org\r\nIn-Reply-To: <followupd.digest.x@example.org>\r\n",
		  false, false, 0, NULL, false, "" },
	};
	struct config *cfg = config("");
	char hash[16];

	(void)unused;
	/* The digest ids of this installation carry a tag keyed by its secret. */
	{
		static const unsigned char key[DIGEST_KEY_LEN] = { 1, 2, 3 };
		char *id = digest_message_id(cfg, 20780, key, sizeof key);

		assert_non_null(strstr(id, ".2026-11-23."));
		snprintf(hash, sizeof hash, "%.8s", strstr(id, ".2026-11-23.") + 12);
		free(id);
	}
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct scan_result r;
		const char *why = NULL;
		char *hdr = xstrdup(cases[i].hdr), *p;
		struct buf others = { 0 };

		while ((p = strstr(hdr, "d6f3c1f4")) != NULL)
			memcpy(p, hash, 8);
		assert_int_equal(scan_message(cfg, hdr, strlen(hdr), 1700000000, &r, &why), 0);
		if (r.checkback != cases[i].checkback || r.digest_reply != cases[i].reply)
			fail_msg("case %zu: checkback %d reply %d", i, r.checkback, r.digest_reply);
		/* The digest answered, as the state keeps it, for the caller to ask. */
		if (cases[i].reply)
			assert_true(r.digest_parent != NULL && strstr(hdr, r.digest_parent) != NULL &&
			    strstr(r.digest_parent, "followupd.digest.") != NULL);
		else
			assert_null(r.digest_parent);
		assert_int_equal(r.digest_reply_elsewhere, strncmp(hdr, "To: mallory", 11) == 0);
		if (r.checkback) {
			assert_int_equal(r.checkback_weekday, cases[i].weekday);
			if (cases[i].weekday)
				assert_int_equal(r.checkback_wday, cases[i].wday);
			else {
				char d[64];

				span_describe(r.checkback_span, d, sizeof d);
				assert_string_equal(d, cases[i].span);
			}
		}
		for (size_t k = 0; k < r.nothers; k++)
			buf_printf(&others, "%s%s", k ? " " : "", r.others[k]);
		if (strcmp(buf_str(&others), cases[i].others) != 0)
			fail_msg("case %zu: others \"%s\"", i, buf_str(&others));
		buf_free(&others);
		scan_result_free(&r);
		free(hdr);
	}
	{
		struct scan_result r;
		const char *why = NULL;
		const char *hdr = "To: carol@x.test, jane+fu-1w@example.org\r\n"
		    "Subject: =?utf-8?q?Proposal_f=C3=BCr_Q1?=\r\n";

		assert_int_equal(scan_message(cfg, hdr, strlen(hdr), 1, &r, &why), 0);
		assert_string_equal(r.subject, "Proposal f\xc3\xbcr Q1");
		scan_result_free(&r);
	}
	config_free(cfg);
}

static void
test_scan_dates_and_keys(void **unused)
{
	struct config *cfg = config("");
	struct scan_result r, r2;
	const char *why = NULL;
	const char *nodate = "To: alice@example.com\r\n";
	const char *broken = "To: alice@example.com\r\nDate: yesterday-ish\r\n";
	const char *future = "To: alice@example.com\r\nDate: Fri, 1 Jan 2100 00:00:00 +0000\r\n";
	const char *other = "To: alice@example.com\r\nCc: a@x.test\r\n";

	(void)unused;
	assert_int_equal(scan_message(cfg, nodate, strlen(nodate), 1700000000, &r, &why), 0);
	assert_true(r.date_fallback);
	assert_int_equal((long long)r.at, 1700000000);
	assert_true(strncmp(r.key, "hdr-", 4) == 0);
	/* The same header gives the same key; another header another one. */
	assert_int_equal(scan_message(cfg, nodate, strlen(nodate), 1, &r2, &why), 0);
	assert_string_equal(r.key, r2.key);
	scan_result_free(&r2);
	assert_int_equal(scan_message(cfg, other, strlen(other), 1, &r2, &why), 0);
	assert_string_not_equal(r.key, r2.key);
	scan_result_free(&r2);
	scan_result_free(&r);
	assert_int_equal(scan_message(cfg, broken, strlen(broken), 1700000000, &r, &why), 0);
	assert_true(r.date_fallback);
	assert_int_equal((long long)r.at, 1700000000);
	scan_result_free(&r);
	assert_int_equal(scan_message(cfg, future, strlen(future), 1700000000, &r, &why), 0);
	assert_true(r.date_fallback);
	assert_int_equal((long long)r.at, 1700000000);
	scan_result_free(&r);
	config_free(cfg);
}

static void
test_scan_bad_addresses(void **unused)
{
	struct config *cfg = config("");
	struct scan_result r;
	const char *why = NULL;
	const char *block = "To: Phillip K Allen/HOU/ECT@ECT, alice@example.com\r\n";

	(void)unused;
	assert_int_equal(scan_message(cfg, block, strlen(block), 1, &r, &why), 0);
	assert_int_equal(r.bad_addresses, 1);
	assert_non_null(r.warning);
	assert_non_null(strstr(r.warning, "Allen/HOU/ECT"));
	assert_int_equal(r.nhits, 1);
	scan_result_free(&r);
	assert_int_equal(scan_message(cfg, "\0", 1, 1, &r, &why), -1);
	scan_result_free(&r);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_block),
		cmocka_unit_test(test_scan_hits),
		cmocka_unit_test(test_scan_bulk),
		cmocka_unit_test(test_scan_control),
		cmocka_unit_test(test_scan_dates_and_keys),
		cmocka_unit_test(test_scan_bad_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
