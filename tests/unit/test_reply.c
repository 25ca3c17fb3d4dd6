/* Replies to the digest: every command and WHO form, dates and durations,
 * ambiguity and unknown names, junk; the new text cut from the quoted copy
 * as Gmail, Apple Mail, Outlook and Thunderbird write it; HTML-only
 * replies. */
#include "testutil.h"

#include <time.h>

#include "reply.h"

static const char conf_text[] =
    "[followupd]\nme = Jane Doe <jane@example.org>\ntimezone = Europe/Berlin\n"
    "[contact:alice]\nname = Alice Smith\nemail = alice@example.com\ncadence = 2w\n"
    "[contact:alan]\nname = Alan Turing\nemail = alan@example.com\ncadence = 1m\n"
    "[contact:bob]\nname = Bob O'Brien\nemail = bob@obrien.example\n"
    "once = 2026-12-01 Check the proposal\n"
    "[contact:zoe]\nname = Zoë Ångström\nemail = zoe@example.se\ncadence = 3m\n";

#define TEN_WORDS "a b c d e f g h i j "
#define HUNDRED_WORDS TEN_WORDS TEN_WORDS TEN_WORDS TEN_WORDS TEN_WORDS TEN_WORDS \
    TEN_WORDS TEN_WORDS TEN_WORDS TEN_WORDS
#define TWO_HUNDRED_WORDS HUNDRED_WORDS HUNDRED_WORDS

struct line_case {
	const char *line;
	int rc;                    /* 1 command, 0 ignored, -1 refused */
	enum reply_verb verb;
	const char *who;           /* contact id */
	enum via via;
	const char *text;          /* note, or NULL */
	const char *day;           /* YYYY-MM-DD or NULL */
	const char *span;          /* "2w" described, or NULL */
	const char *why;           /* a part of the refusal */
};

static const struct line_case cases[] = {
	/* done, with every WHO form */
	{ "done alice", 1, REPLY_DONE, "alice", VIA_OTHER, NULL, NULL, NULL, NULL },
	{ "done Alice Smith", 1, REPLY_DONE, "alice", VIA_OTHER, NULL, NULL, NULL, NULL },
	{ "done alice@example.com", 1, REPLY_DONE, "alice", VIA_OTHER, NULL, NULL, NULL, NULL },
	{ "done ALICE@Example.COM", 1, REPLY_DONE, "alice", VIA_OTHER, NULL, NULL, NULL, NULL },
	{ "done ali", 1, REPLY_DONE, "alice", VIA_OTHER, NULL, NULL, NULL, NULL },
	{ "DONE Zoë", 1, REPLY_DONE, "zoe", VIA_OTHER, NULL, NULL, NULL, NULL },
	{ "done Bob O'Brien", 1, REPLY_DONE, "bob", VIA_OTHER, NULL, NULL, NULL, NULL },
	{ "done alice by call", 1, REPLY_DONE, "alice", VIA_CALL, NULL, NULL, NULL, NULL },
	{ "Done Alice Smith by Meeting", 1, REPLY_DONE, "alice", VIA_MEETING, NULL, NULL, NULL, NULL },
	{ "done alice by message -- sent a WhatsApp", 1, REPLY_DONE, "alice", VIA_MESSAGE,
	    "sent a WhatsApp", NULL, NULL, NULL },
	{ "done bob -- lunch, he says hi", 1, REPLY_DONE, "bob", VIA_OTHER,
	    "lunch, he says hi", NULL, NULL, NULL },
	{ "done alice.", 1, REPLY_DONE, "alice", VIA_OTHER, NULL, NULL, NULL, NULL },
	{ "- done alice", 1, REPLY_DONE, "alice", VIA_OTHER, NULL, NULL, NULL, NULL },
	{ "  * done alice  ", 1, REPLY_DONE, "alice", VIA_OTHER, NULL, NULL, NULL, NULL },
	{ "\xe2\x80\xa2 done alice", 1, REPLY_DONE, "alice", VIA_OTHER, NULL, NULL, NULL, NULL },
	{ "done alice by pigeon", -1, 0, NULL, 0, NULL, NULL, NULL, "pigeon" },
	{ "done al", -1, 0, NULL, 0, NULL, NULL, NULL, "Alice Smith" },
	{ "done carol", -1, 0, NULL, 0, NULL, NULL, NULL, "carol" },
	{ "done", -1, 0, NULL, 0, NULL, NULL, NULL, "missing" },
	/* the shorthands */
	{ "called alice", 1, REPLY_DONE, "alice", VIA_CALL, NULL, NULL, NULL, NULL },
	{ "Called Alan Turing", 1, REPLY_DONE, "alan", VIA_CALL, NULL, NULL, NULL, NULL },
	{ "card zoe", 1, REPLY_DONE, "zoe", VIA_CARD, NULL, NULL, NULL, NULL },
	{ "met bob -- coffee", 1, REPLY_DONE, "bob", VIA_MEETING, "coffee", NULL, NULL, NULL },
	{ "called alice by email", -1, 0, NULL, 0, NULL, NULL, NULL, "goes with done" },
	/* snooze */
	{ "snooze alice 2w", 1, REPLY_SNOOZE, "alice", 0, NULL, NULL, "every 2 weeks", NULL },
	{ "snooze Alice Smith 3d", 1, REPLY_SNOOZE, "alice", 0, NULL, NULL, "every 3 days", NULL },
	{ "snooze alan 2027-01-15", 1, REPLY_SNOOZE, "alan", 0, NULL, "2027-01-15", NULL, NULL },
	{ "snooze alan 2027-02-30", -1, 0, NULL, 0, NULL, NULL, NULL, "2027-02-30" },
	{ "snooze alan soon", -1, 0, NULL, 0, NULL, NULL, NULL, "neither a date" },
	{ "snooze alan", -1, 0, NULL, 0, NULL, NULL, NULL, "until when" },
	/* skip */
	{ "skip alice", 1, REPLY_SKIP, "alice", 0, NULL, NULL, NULL, NULL },
	{ "skip bob", -1, 0, NULL, 0, NULL, NULL, NULL, "no cadence" },
	/* pause and resume */
	{ "pause zoe", 1, REPLY_PAUSE, "zoe", 0, NULL, NULL, NULL, NULL },
	{ "pause zoe until 2027-03-01", 1, REPLY_PAUSE, "zoe", 0, NULL, "2027-03-01", NULL, NULL },
	{ "pause Zoë Ångström until 2027-03-01", 1, REPLY_PAUSE, "zoe", 0, NULL, "2027-03-01", NULL, NULL },
	{ "pause zoe until March", -1, 0, NULL, 0, NULL, NULL, NULL, "not a date" },
	{ "resume zoe", 1, REPLY_RESUME, "zoe", 0, NULL, NULL, NULL, NULL },
	{ "Resume Zoë", 1, REPLY_RESUME, "zoe", 0, NULL, NULL, NULL, NULL },
	/* note: the longest leading words that name one contact */
	{ "note alice prefers mornings", 1, REPLY_NOTE, "alice", 0, "prefers mornings", NULL, NULL, NULL },
	{ "note Alice Smith prefers mornings", 1, REPLY_NOTE, "alice", 0, "prefers mornings", NULL, NULL, NULL },
	{ "note alan Turing award talk", 1, REPLY_NOTE, "alan", 0, "award talk", NULL, NULL, NULL },
	{ "note alice", -1, 0, NULL, 0, NULL, NULL, NULL, "note WHO TEXT" },
	{ "note al likes tea", -1, 0, NULL, 0, NULL, NULL, NULL, "Alan Turing" },
	{ "note alice -- x", -1, 0, NULL, 0, NULL, NULL, NULL, "goes with done" },
	/* junk */
	{ "", 0, 0, NULL, 0, NULL, NULL, NULL, NULL },
	{ "   ", 0, 0, NULL, 0, NULL, NULL, NULL, NULL },
	{ "Thanks!", -1, 0, NULL, 0, NULL, NULL, NULL, "not a command" },
	{ "Hi Jane,", -1, 0, NULL, 0, NULL, NULL, NULL, "not a command" },
	{ "donealice", -1, 0, NULL, 0, NULL, NULL, NULL, "not a command" },
	{ "note alice " TWO_HUNDRED_WORDS, -1, 0, NULL, 0, NULL, NULL, NULL, "too long" },
	{ "\xff\xfe garbage \x01", -1, 0, NULL, 0, NULL, NULL, NULL, "not a command" },
};

static void
test_lines(void **state)
{
	struct config *cfg = test_config(conf_text);

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct line_case *c = &cases[i];
		struct reply_cmd cmd;
		char *why = NULL;
		int rc = reply_parse_line(cfg, c->line, &cmd, &why);

		if (rc != c->rc)
			fail_msg("\"%s\": %d, expected %d (%s)", c->line, rc, c->rc, why ? why : "");
		if (rc < 0) {
			if (why == NULL || strstr(why, c->why) == NULL)
				fail_msg("\"%s\": why is \"%s\", expected it to name \"%s\"", c->line,
				    why ? why : "(null)", c->why);
			free(why);
			continue;
		}
		assert_null(why);
		if (rc == 0)
			continue;
		if (cmd.verb != c->verb || strcmp(cmd.who->id, c->who) != 0)
			fail_msg("\"%s\": verb %d who %s", c->line, cmd.verb, cmd.who->id);
		if (c->verb == REPLY_DONE && cmd.via != c->via)
			fail_msg("\"%s\": via %s", c->line, via_name(cmd.via));
		if ((c->text == NULL) != (cmd.text == NULL) ||
		    (c->text != NULL && strcmp(c->text, cmd.text) != 0))
			fail_msg("\"%s\": text \"%s\"", c->line, cmd.text ? cmd.text : "(null)");
		if (c->day != NULL) {
			char d[DAY_STRLEN];

			assert_int_not_equal(cmd.day, DAY_NONE);
			day_format(cmd.day, d);
			assert_string_equal(d, c->day);
		} else
			assert_int_equal(cmd.day, DAY_NONE);
		if (c->span != NULL) {
			char d[64];

			assert_true(cmd.has_span);
			span_describe(cmd.span, d, sizeof d);
			assert_string_equal(d, c->span);
		} else
			assert_false(cmd.has_span);
		reply_cmd_free(&cmd);
	}
	config_free(cfg);
}

/* The new text of replies as mail programs write them. */
static void
test_new_text(void **state)
{
	static const char *const replies[][2] = {
		/* Gmail: attribution on one line, quoted copy */
		{ "called alice\r\ncard zoe\r\n\r\nOn Mon, 23 Nov 2026 at 07:30, Jane Doe "
		  "<jane@example.org> wrote:\r\n> Follow-ups Mon 23 Nov\r\n> done bob\r\n",
		  "called alice\ncard zoe\n\n" },
		/* Gmail, the attribution wrapped over two lines */
		{ "done alice\n\nOn Mon, 23 Nov 2026 at 07:30, Jane Doe <\njane@example.org> wrote:\n"
		  "> done bob\n", "done alice\n\n" },
		/* Apple Mail */
		{ "met bob\n\nSent from my iPhone\n\n> On 23 Nov 2026, at 07:30, Jane wrote:\n",
		  "met bob\n\n" },
		/* Outlook: the rule and a From/Sent block, no quoting */
		{ "done alice by call\r\n\r\n________________________________\r\nFrom: Jane Doe "
		  "<jane@example.org>\r\nSent: Monday, November 23, 2026 7:30 AM\r\ndone bob\r\n",
		  "done alice by call\n\n" },
		{ "snooze alan 2w\n\n-----Original Message-----\nFrom: Jane\nSent: Monday\n"
		  "done bob\n", "snooze alan 2w\n\n" },
		{ "done alice\nFrom: Jane Doe\nDate: Mon, 23 Nov 2026\n\ndone bob\n", "done alice\n" },
		/* Thunderbird, German and French attributions */
		{ "done alice\n\nAm 23.11.26 um 07:30 schrieb Jane Doe:\n> done bob\n", "done alice\n\n" },
		{ "done alice\nLe 23/11/2026 \xc3\xa0 07:30, Jane a \xc3\xa9" "crit :\n> x\n", "done alice\n" },
		/* a signature */
		{ "done alice\n-- \nJane Doe\nAcme Ltd\n", "done alice\n" },
		/* quoted text at once (bottom posting is cut too) */
		{ "> done bob\ndone alice\n", "" },
		/* no end of line at the end */
		{ "done alice", "done alice\n" },
		/* A stranger's message quoted German-Outlook style, no ">": the
		 * header block cuts it, whatever commands it holds. */
		{ "Danke!\r\n\r\nVon: Mallory <m@evil.example>\r\nGesendet: Montag, 23. November "
		  "2026 09:00\r\nAn: Jane Doe\r\nBetreff: Rechnung\r\n\r\ndone alice by call -- paid "
		  "in full\r\nnote bob owes nothing\r\n", "Danke!\n\n" },
		/* French and Spanish Outlook, bold fields from HTML, lower case */
		{ "done alice\nDe : Mallory\nEnvoy\xc3\xa9 : lundi 23 novembre\n\xc3\x80 : Jane\n"
		  "done bob\n", "done alice\n" },
		{ "done alice\nDe: Mallory\nEnviado el: lunes, 23 de noviembre\nPara: Jane\n"
		  "done bob\n", "done alice\n" },
		{ "done alice\n*From:* Mallory\n*Sent:* Monday\ndone bob\n", "done alice\n" },
		{ "done alice\nfrom: mallory\nsubject: x\ndone bob\n", "done alice\n" },
		/* forwards, in four languages */
		{ "done alice\n---------- Forwarded message ---------\nFrom: M\ndone bob\n",
		  "done alice\n" },
		{ "done alice\n-------- Weitergeleitete Nachricht --------\ndone bob\n", "done alice\n" },
		{ "done alice\n-------- Message transf\xc3\xa9r\xc3\xa9 --------\ndone bob\n",
		  "done alice\n" },
		{ "done alice\n---------- Mensaje reenviado ----------\ndone bob\n", "done alice\n" },
		{ "done alice\nBegin forwarded message:\ndone bob\n", "done alice\n" },
		{ "done alice\n-----Urspr\xc3\xbcngliche Nachricht-----\ndone bob\n", "done alice\n" },
		/* a Spanish attribution */
		{ "done alice\nEl lun, 23 nov 2026 a las 7:30, Jane (<jane@example.org>) "
		  "escribi\xc3\xb3:\n> done bob\n", "done alice\n" },
		/* Outlook in Italian, Dutch, Portuguese and Polish */
		{ "done alice\n-----Messaggio originale-----\nDa: M\nInviato: luned\xc3\xac\nA: Jane\n"
		  "Oggetto: x\npause alice\n", "done alice\n" },
		{ "done alice\nDa: M\nInviato: luned\xc3\xac\nA: Jane\nOggetto: x\npause alice\n",
		  "done alice\n" },
		{ "done alice\nVan: M\nVerzonden: maandag\nAan: Jane\nOnderwerp: x\npause alice\n",
		  "done alice\n" },
		{ "done alice\nDe: M\nEnviada: segunda-feira\nPara: Jane\nAssunto: x\npause alice\n",
		  "done alice\n" },
		{ "done alice\nOd: M\nWys\xc5\x82" "ano: poniedzia\xc5\x82" "ek\nDo: Jane\nTemat: x\n"
		  "pause alice\n", "done alice\n" },
		/* any "-----Something-----" rule */
		{ "done alice\n-----Alkuper\xc3\xa4inen viesti-----\npause alice\n", "done alice\n" },
		/* attributions in more languages, one line or two */
		{ "done alice\nIl giorno lun 23 nov 2026, Mallory <m@evil.example> ha scritto:\n"
		  "pause alice\n", "done alice\n" },
		{ "done alice\nOp 23 nov. 2026 om 07:30 schreef Mallory <m@evil.example>:\npause alice\n",
		  "done alice\n" },
		{ "done alice\nEm seg., 23 de nov. de 2026, Mallory escreveu:\npause alice\n",
		  "done alice\n" },
		/* An attribution wrapped over three lines, a stranger's display
		 * name bringing a command onto a line of its own: cut where the
		 * attribution starts. */
		{ "done alice\n\nOn Mon, 23 Nov 2026 at 07:30, PPPPPPPPPPPPPPPPPPPPPP\npause alice\n"
		  "QQQQQQQQQQQQ <m@evil.example> wrote:\npause bob\n", "done alice\n\n" },
		/* The digest quoted with no ">" at all */
		{ "done alice\n\nFollow-ups for Mon 23 Nov: 1 overdue\n  * done bob -- ok: 2 days overdue\n",
		  "done alice\n\n" },
		/* One field-like line alone is the user's text, not a quote. */
		{ "done alice\nTo: do today\ndone bob\n", "done alice\nTo: do today\ndone bob\n" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof replies / sizeof replies[0]; i++) {
		char *t = reply_new_text(replies[i][0]);

		if (strcmp(t, replies[i][1]) != 0)
			fail_msg("reply %zu: \"%s\"", i, t);
		free(t);
	}
}

static void
test_html(void **state)
{
	static const char *const html[][2] = {
		{ "<html><head><style>p{color:red}</style></head><body><div>called alice</div>"
		  "<div>card zo&euml;x</div><div><br></div><div class=\"gmail_quote\">On Mon, Jane "
		  "wrote:<blockquote>done bob<blockquote>nested</blockquote>still quoted"
		  "</blockquote></div></body></html>",
		  "called alice\ncard zo&euml;x\n\nOn Mon, Jane wrote:" },
		{ "done alice&nbsp;by&nbsp;call<br>note alice likes &lt;b&gt; &amp; &#233;&#xe9;",
		  "done alice by call\nnote alice likes <b> & \xc3\xa9\xc3\xa9" },
		{ "<p>done\nalice</p><!-- <p>done bob</p> --><script>done bob</script>",
		  "done alice\n" },
		{ "unterminated <b", "unterminated " },
		/* A quote cannot be closed from inside: not by a ">" in an
		 * attribute, nor by extra closing tags. */
		{ "done alice<blockquote><img alt=\"x></blockquote>\">pause alice</blockquote>",
		  "done alice" },
		{ "done alice<blockquote>x</blockquote></blockquote></blockquote>pause alice",
		  "done alice" },
		{ "<p title='a > b'>done alice</p>", "done alice\n" },
		/* Control characters by reference are spaces. */
		{ "done&#27;[31m alice&#10;x&#x9b;y", "done [31m alice x y" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof html / sizeof html[0]; i++) {
		char *t = reply_html_text(html[i][0]);

		if (strcmp(t, html[i][1]) != 0)
			fail_msg("html %zu: \"%s\"", i, t);
		free(t);
	}
	/* An HTML reply read end to end: its commands, without the quote. */
	{
		char *t = reply_html_text("<div dir=\"ltr\">done alice<div>snooze alan 3d</div></div>"
		    "<br><div class=\"gmail_quote\"><div class=\"gmail_attr\">On Mon, 23 Nov 2026 at "
		    "07:30 Jane Doe &lt;jane@example.org&gt; wrote:<br></div><blockquote>done bob"
		    "</blockquote></div>");
		char *n = reply_new_text(t);

		assert_string_equal(n, "done alice\nsnooze alan 3d\n\n");
		free(n);
		free(t);
	}
}

/* note WHO TEXT looks at the first REPLY_NAME_WORDS words for a name:
 * a long note costs a few lookups, whatever the number of contacts. The
 * time is printed for SECURITY.md, not asserted. */
static void
test_note_bounded(void **state)
{
	struct buf conf = { 0 }, line = { 0 };
	struct config *cfg;
	struct timespec t0, t1;
	size_t applied = 0;

	(void)state;
	buf_puts(&conf, "[followupd]\nme = Jane Doe <jane@example.org>\ntimezone = UTC\n");
	for (int i = 0; i < 10000; i++)
		buf_printf(&conf, "[contact:c%05d]\nname = Person Number%05d\n"
		    "email = c%05d@example.com\ncadence = 1m\n", i, i, i);
	buf_puts(&conf, "[contact:alice]\nname = Alice Smith\nemail = alice@example.com\n");
	cfg = test_config(buf_str(&conf));
	buf_puts(&line, "note Alice Smith");
	for (int i = 0; i < 197; i++)
		buf_puts(&line, " word");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 650; i++) {
		struct reply_cmd cmd;
		char *why = NULL;

		if (reply_parse_line(cfg, buf_str(&line), &cmd, &why) == 1 &&
		    strcmp(cmd.who->id, "alice") == 0 && strncmp(cmd.text, "word word", 9) == 0)
			applied++;
		reply_cmd_free(&cmd);
		free(why);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(applied, 650);
	print_message("650 notes of 199 words with 10,001 contacts: %.0f ms\n",
	    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	/* A name longer than that is not looked for. */
	{
		struct reply_cmd cmd;
		char *why = NULL;

		assert_int_equal(reply_parse_line(cfg, "note Person Number00042 likes tea", &cmd,
		    &why), 1);
		assert_string_equal(cmd.who->id, "c00042");
		assert_string_equal(cmd.text, "likes tea");
		reply_cmd_free(&cmd);
	}
	buf_free(&conf);
	buf_free(&line);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_new_text),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_note_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
