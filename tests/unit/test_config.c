/* followupd.conf(5): what a valid file gives, and the exact "FILE:LINE:"
 * message for each kind of broken file. */
#include <sys/stat.h>
#include <sysexits.h>

#include "testutil.h"

#include "config.h"
#include "tz.h"

#define HEAD "[followupd]\nme = Jane Doe <jane@example.org>\n"

static const struct config_env env0 = { 0600, "UTC", NULL, NULL, "/home/jane" };

static struct config *
parse(const char *text, struct diag *d)
{
	return config_parse("f.conf", text, strlen(text), &env0, d);
}

struct bad {
	const char *text;
	const char *want;    /* every diagnostic, in order */
	int status;
};

static const struct bad bads[] = {
	{ "[followupd]\n", "f.conf:1: [followupd]: missing 'me' (your name and address)\n", EX_CONFIG },
	{ "", "f.conf:1: missing [followupd] section (with at least 'me = Name <address>')\n", EX_CONFIG },
	{ HEAD "digest_tme = 07:30\n",
	  "f.conf:3: unknown key 'digest_tme' in [followupd] (did you mean 'digest_time'?)\n", EX_CONFIG },
	{ HEAD "colour = blue\n", "f.conf:3: unknown key 'colour' in [followupd]\n", EX_CONFIG },
	{ HEAD "[contacts:bob]\nemail = bob@example.com\n",
	  "f.conf:3: unknown section [contacts:bob] (did you mean [contact:bob]?)\n", EX_CONFIG },
	{ HEAD "[calender]\n", "f.conf:3: unknown section [calender] (did you mean [calendar]?)\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nname = Bob\n", "f.conf:3: [contact:bob]: missing 'email'\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nemail = bob@example.com\ncadence = 2x\n",
	  "f.conf:5: cadence: '2x': unknown unit (use d, w, m or y)\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nemail = bob@example.com\ncadence = 3w..2w\n",
	  "f.conf:5: cadence: '3w..2w': the end of the window (after \"..\") is shorter than its start\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nemail = bob@example.com\ncadence = 0d\n",
	  "f.conf:5: cadence: '0d': a span must be at least 1\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nemail = bob@example.com\nlast = 2026-02-30\n",
	  "f.conf:5: last: expected a date YYYY-MM-DD, got '2026-02-30'\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nemail = bob@example.com\nbirthday = 13-01\n",
	  "f.conf:5: birthday: expected YYYY-MM-DD or MM-DD, got '13-01'\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nemail = bob@example.com\nmet = 2026-11-20 25:00\n",
	  "f.conf:5: met: expected \"YYYY-MM-DD HH:MM\" or \"YYYY-MM-DD\", got '2026-11-20 25:00'\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nemail = bob@example.com\nonce = tomorrow call\n",
	  "f.conf:5: once: expected \"YYYY-MM-DD what to do\", got 'tomorrow call'\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nemail = bob@example.com\npaused = maybe\n",
	  "f.conf:5: paused: expected yes, no or \"until YYYY-MM-DD\", got 'maybe'\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nemail = bob@example.com, not-an-address\n",
	  "f.conf:4: email: 'not-an-address' is neither an address nor \"@domain\"\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nemail = bob@example.com\ngroup = clients\n",
	  "f.conf:5: group: no [group:clients] section\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nemail = bob@example.com\n[contact:rob]\nemail = BOB@example.com\n",
	  "f.conf:5: [contact:rob]: 'BOB@example.com' already belongs to [contact:bob] (line 3)\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nemail = bob@example.com\n[contact:bob]\nemail = b@example.com\n",
	  "f.conf:5: section [contact:bob] is already defined at line 3\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nemail = bob@example.com\nemail = b@example.com\n",
	  "f.conf:5: duplicate key 'email' (first set at line 4)\n", EX_CONFIG },
	{ HEAD "[group:clients]\nemail = x@example.com\n",
	  "f.conf:4: 'email' cannot be set for a group (only cadence, reason, paused, after_meeting, nudge and answer_within)\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nemail = bob@example.com\nafter_meeting = card\n",
	  "f.conf:5: after_meeting: 'card': each channel needs a delay such as 24h\n", EX_CONFIG },
	{ HEAD "nudge = 10m\n", "f.conf:3: nudge: '10m': between 1h and 1y, or off\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nemail = bob@example.com\nanswer_within = soon\n",
	  "f.conf:5: answer_within: 'soon': expected a number and a unit (s, m, h, d)\n", EX_CONFIG },
	{ HEAD "[imap]\nurl = imaps://imap.example.org\nuser = jane\npassword_command = p\ninbox =\n",
	  "f.conf:7: inbox: a folder name, or none\n", EX_CONFIG },
	/* [meetings] */
	{ HEAD "[meetings]\nuser = jane\n",
	  "f.conf:3: [meetings]: missing 'url' (a CalDAV calendar or an .ics address) or 'dir' (a folder of .ics files)\n"
	  "f.conf:3: [meetings]: missing a password source (password_command, password_file or password)\n", EX_CONFIG },
	{ HEAD "[meetings:work]\nurl = caldav://dav.example.org/cal/\n",
	  "f.conf:4: url: 'caldav://dav.example.org/cal/': expected https://host/path (or webcal://)\n", EX_CONFIG },
	{ HEAD "[meetings:work]\nurl = https://jane:secret@dav.example.org/cal/\n",
	  "f.conf:4: url: 'https://jane:secret@dav.example.org/cal/': put the login in 'user' and a password source, not in the address\n", EX_CONFIG },
	{ HEAD "[meetings:work]\nurl = http://dav.example.org/cal/\n",
	  "f.conf:4: url: http:// is only allowed with tls = none, for 127.0.0.0/8 and ::1; use https://\n", EX_CONFIG },
	{ HEAD "[meetings:work]\nurl = https://dav.example.org/cal/\ndir = /home/jane/cal\n",
	  "f.conf:5: [meetings:work]: give either 'url' or 'dir', not both\n", EX_CONFIG },
	{ HEAD "[meetings:work]\ndir = cal\n", "f.conf:4: dir: must be an absolute path\n", EX_CONFIG },
	{ HEAD "[meetings:work]\nurl = https://dav.example.org/cal/\nuser = jane\n",
	  "f.conf:3: [meetings:work]: missing a password source (password_command, password_file or password)\n", EX_CONFIG },
	{ HEAD "[meetings:work]\nurl = https://dav.example.org/cal/\npassword_command = p\n",
	  "f.conf:3: [meetings:work]: a password source needs 'user'\n", EX_CONFIG },
	{ HEAD "[meetings:work]\nurl = https://dav.example.org/cal/\nrefresh = 8d\n",
	  "f.conf:5: refresh: between 1s and 7d\n", EX_CONFIG },
	{ HEAD "[meetings:work]\nurl = https://dav.example.org/cal/\ntype = google\n",
	  "f.conf:5: type: expected caldav or ics, got 'google'\n", EX_CONFIG },
	{ HEAD "[meetings:work]\nurl = https://dav.example.org/cal/\nsent_folder = x\n",
	  "f.conf:5: unknown key 'sent_folder' in [meetings:work]\n", EX_CONFIG },
	{ HEAD "[meeting:work]\nurl = https://dav.example.org/cal/\n",
	  "f.conf:3: unknown section [meeting:work] (did you mean [meetings:work]?)\n", EX_CONFIG },
	{ HEAD "[meetings]\ndir = /c\n[meetings:default]\ndir = /d\n",
	  "f.conf:5: [meetings:default]: calendar 'default' is already defined at line 3\n", EX_CONFIG },
	{ HEAD "[meetings:a]\ndir = /c\nuser = jane\n",
	  "f.conf:4: [meetings:a]: a 'dir' needs no login\n", EX_CONFIG },
	{ HEAD "timezone = Europe/Atlantis\n",
	  "f.conf:3: timezone: 'Europe/Atlantis': unknown time zone (not in the system zoneinfo)\n", EX_CONFIG },
	{ HEAD "digest_time = 7.30\n",
	  "f.conf:3: digest_time: expected HH:MM (24-hour) or \"off\", got '7.30'\n", EX_CONFIG },
	{ HEAD "digest_days = mon-fry\n",
	  "f.conf:3: digest_days: expected days such as \"mon-fri\" or \"mon,wed,fri\", got 'mon-fry'\n", EX_CONFIG },
	{ HEAD "digest_limit = many\n",
	  "f.conf:3: digest_limit: expected a number from 1 to 10000, got 'many'\n", EX_CONFIG },
	{ HEAD "max_recipients = 0\n",
	  "f.conf:3: max_recipients: expected a number from 1 to 100000, got '0'\n", EX_CONFIG },
	{ HEAD "after_meeting = email 24h, fax 72h\n",
	  "f.conf:3: after_meeting: 'email 24h, fax 72h': expected a list such as \"email 24h, card 72h\" (channels: email, call, card, meeting, message, other)\n", EX_CONFIG },
	{ HEAD "state_dir = var/lib\n", "f.conf:3: state_dir: must be an absolute path\n", EX_CONFIG },
	{ HEAD "me = Jane\n", "f.conf:3: duplicate key 'me' (first set at line 2)\n", EX_CONFIG },
	{ "[followupd]\nme = Jane Doe <jane>\n",
	  "f.conf:2: me: expected \"Name <address@domain>\" or an address, got 'Jane Doe <jane>'\n", EX_CONFIG },
	{ HEAD "[imap]\nurl = https://imap.example.org\nuser = jane\npassword_command = pass mail\n",
	  "f.conf:4: url: 'https://imap.example.org': expected imaps://host[:port] or imap://host[:port]\n", EX_CONFIG },
	{ HEAD "[imap]\nurl = imaps://imap.example.org:99999\nuser = jane\npassword_command = pass mail\n",
	  "f.conf:4: url: 'imaps://imap.example.org:99999': malformed host or port\n", EX_CONFIG },
	{ HEAD "[imap]\nurl = imaps://imap.example.org\nuser = jane\n",
	  "f.conf:3: [imap]: missing a password source (password_command, password_file or password)\n", EX_CONFIG },
	{ HEAD "[imap]\nurl = imaps://imap.example.org\npassword_command = pass mail\npassword_file = /run/x\n",
	  "f.conf:3: [imap]: missing 'user'\n"
	  "f.conf:3: [imap]: give only one of password_command, password_file and password\n", EX_CONFIG },
	{ HEAD "[imap]\nurl = imap://imap.example.org\nuser = jane\npassword_command = p\ntls = none\n",
	  "f.conf:7: tls = none is only allowed for 127.0.0.0/8 and ::1, not 'imap.example.org'\n", EX_CONFIG },
	{ HEAD "[imap]\nurl = imaps://imap.example.org\nuser = jane\nauth = oauth2\n",
	  "f.conf:3: [imap]: auth = oauth2 needs 'token_command'\n", EX_CONFIG },
	{ HEAD "[smtp]\nurl = smtps://smtp.example.org\nuser = jane\npassword_command = p\nsent_folder = Sent\n",
	  "f.conf:7: unknown key 'sent_folder' in [smtp]\n", EX_CONFIG },
	{ HEAD "[imap:work]\nurl = imaps://a.example\nuser = j\npassword_command = p\npoll_intervall = 5m\n",
	  "f.conf:7: unknown key 'poll_intervall' in [imap:work] (did you mean 'poll_interval'?)\n", EX_CONFIG },
	{ HEAD "[calendar]\nlisten = 8787\n",
	  "f.conf:4: listen: expected HOST:PORT such as 127.0.0.1:8787 or [::1]:8787, got '8787'\n", EX_CONFIG },
	{ HEAD "[calendar]\ntls_cert = /etc/c.pem\n",
	  "f.conf:4: tls_cert and tls_key go together: give both or neither\n", EX_CONFIG },
	{ HEAD "[calendar]\nblock = someday 16:00 60m\n",
	  "f.conf:4: block: expected \"DAY HH:MM DURATION\" such as \"fri 16:00 60m\", got 'someday 16:00 60m'\n", EX_CONFIG },
	{ HEAD "[calendar]\nevent_time = noon\n",
	  "f.conf:4: event_time: expected \"all-day\" or \"HH:MM DURATION\" such as \"09:00 30m\", got 'noon'\n", EX_CONFIG },
	/* syntax */
	{ HEAD "[contact:bob\nemail = bob@example.com\n",
	  "f.conf:3: missing ']' in section header\n", EX_CONFIG },
	{ HEAD "just some words\n", "f.conf:3: expected \"key = value\" or \"[section]\"\n", EX_CONFIG },
	{ HEAD "[contact:bob]\nemail = bob@example.com\nreason = \"unclosed\n",
	  "f.conf:5: reason: unterminated quoted value\n", EX_CONFIG },
	{ "me = Jane <jane@example.org>\n[followupd]\nme = Jane <jane@example.org>\n",
	  "f.conf:1: key 'me' outside of any section\n", EX_CONFIG },
	/* every error of the file at once, in file order */
	{ HEAD "horizon = soon\n[contact:a]\nemail = a@example.com\ncadence = often\n[contact:b]\n",
	  "f.conf:3: horizon: 'soon': expected a number and a unit (d, w, m, y) or a name such as weekly or quarterly\n"
	  "f.conf:6: cadence: 'often': expected a number and a unit (d, w, m, y) or a name such as weekly or quarterly\n"
	  "f.conf:7: [contact:b]: missing 'email'\n", EX_CONFIG },
};

static void
test_broken_files(void **unused)
{
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		struct diag d = {0};
		struct config *cfg = parse(bads[i].text, &d);

		if (cfg != NULL)
			fail_msg("case %zu: accepted:\n%s", i, bads[i].text);
		if (strcmp(buf_str(&d.text), bads[i].want) != 0)
			fail_msg("case %zu:\n got: %s want: %s", i, buf_str(&d.text), bads[i].want);
		assert_int_equal(d.status, bads[i].status);
		diag_free(&d);
	}
	assert_true(sizeof bads / sizeof bads[0] >= 25);
}

static void
test_inline_password_permissions(void **unused)
{
	static const char text[] = HEAD
	    "[smtp]\nurl = smtps://smtp.example.org\nuser = jane\npassword = hunter2\n";
	struct config_env env = env0;
	struct diag d = {0};
	struct config *cfg;

	/* 0600: accepted */
	cfg = config_parse("f.conf", text, strlen(text), &env, &d);
	assert_non_null(cfg);
	assert_string_equal(cfg->smtp.password, "hunter2");
	config_free(cfg);

	/* group-readable: refused with exit 77, and the password is not echoed */
	env.file_mode = 0640;
	cfg = config_parse("f.conf", text, strlen(text), &env, &d);
	assert_null(cfg);
	assert_int_equal(d.status, EX_NOPERM);
	assert_string_equal(buf_str(&d.text),
	    "f.conf:6: inline password in a file readable by group or others (chmod 600 f.conf, or use password_command or password_file)\n");
	assert_null(strstr(buf_str(&d.text), "hunter2"));
	diag_free(&d);

	/* a configuration error outranks the permission problem */
	static const char both[] = HEAD "bogus = 1\n"
	    "[smtp]\nurl = smtps://smtp.example.org\nuser = jane\npassword = hunter2\n";
	env.file_mode = 0604;
	cfg = config_parse("f.conf", both, strlen(both), &env, &d);
	assert_null(cfg);
	assert_int_equal(d.status, EX_CONFIG);
	assert_int_equal(d.count, 2);
	diag_free(&d);
}

static const char full[] =
    "; the SPEC's example, whole\n"
    "[followupd]\n"
    "me = Jane Doe <jane@example.org>   ; the user\n"
    "timezone = Europe/Berlin\n"
    "state_dir = /var/lib/followupd\n"
    "digest_time = 07:30\n"
    "digest_to = jane@example.org\n"
    "digest_days = mon-fri\n"
    "digest_limit = 12\n"
    "send_empty_digest = no\n"
    "horizon = 7d\n"
    "max_recipients = 10\n"
    "after_meeting = email 24h, card 72h\n"
    "card_lead = 5d\n"
    "\n"
    "[imap]\n"
    "url = imaps://imap.example.org\n"
    "user = jane@example.org\n"
    "password_command = pass show mail/jane\n"
    "sent_folder = auto\n"
    "ca_file =\n"
    "tls = verify\n"
    "poll_interval = 5m\n"
    "[imap:home]\n"
    "url = imap://[::1]:1143\n"
    "user = jane\n"
    "password_file = $CREDENTIALS_DIRECTORY/imap\n"
    "tls = none\n"
    "sent_folder = \"Sent Items\"\n"
    "[smtp]\n"
    "url = smtp://smtp.example.org:587\n"
    "user = jane@example.org\n"
    "auth = oauth2\n"
    "token_command = oauth-token jane\n"
    "[calendar]\n"
    "file = /var/lib/followupd/followups.ics\n"
    "listen = 127.0.0.1:8787\n"
    "token_file =\n"
    "horizon = 90d\n"
    "event_time = 09:00 30m\n"
    "invites = yes\n"
    "block = fri 16:00 60m\n"
    "[group:clients]\n"
    "cadence = quarterly\n"
    "reason = Quarterly check-in\n"
    "paused = until 2027-01-10\n"
    "[contact:Alice]\n"
    "name = Alice Smith\n"
    "email = alice@example.com, asmith@work.example, @alice-co.example\n"
    "group = clients\n"
    "cadence = 2w..3w\n"
    "reason = \"Ask how the CRM rollout went; #1 priority\"\n"
    "last = 2026-10-01\n"
    "birthday = 1980-03-14\n"
    "met = 2026-11-20 14:00\n"
    "once = 2026-12-01 Check the proposal landed\n"
    "[contact:bob]\n"
    "email = bob@example.net\n"
    "group = clients\n"
    "birthday = 02-29\n";

static void
test_full_example(void **unused)
{
	struct diag d = {0};
	struct config *cfg = parse(full, &d);
	const struct contact *a, *b;
	char *err = NULL;

	if (cfg == NULL)
		fail_msg("%s", buf_str(&d.text));
	assert_string_equal(cfg->me_name, "Jane Doe");
	assert_string_equal(cfg->me_addr, "jane@example.org");
	assert_string_equal(cfg->timezone, "Europe/Berlin");
	assert_int_equal(cfg->digest_minute, 7 * 60 + 30);
	assert_int_equal(cfg->digest_days, 0x1f);
	assert_int_equal(cfg->nafter_meeting, 2);
	assert_int_equal(cfg->after_meeting[1].via, VIA_CARD);
	assert_int_equal(cfg->after_meeting[1].seconds, 72 * 3600);
	assert_int_equal(cfg->naccounts, 2);
	assert_string_equal(cfg->accounts[0].name, "default");
	assert_int_equal(cfg->accounts[0].server.port, 993);
	assert_true(cfg->accounts[0].server.implicit_tls);
	assert_null(cfg->accounts[0].sent_folder);
	assert_int_equal(cfg->accounts[0].poll_interval, 300);
	assert_string_equal(cfg->accounts[1].name, "home");
	assert_string_equal(cfg->accounts[1].server.host, "::1");
	assert_int_equal(cfg->accounts[1].server.port, 1143);
	assert_false(cfg->accounts[1].server.tls_verify);
	assert_string_equal(cfg->accounts[1].sent_folder, "Sent Items");
	assert_int_equal(cfg->smtp.auth, AUTH_OAUTH2);
	assert_int_equal(cfg->smtp.port, 587);
	assert_true(cfg->calendar.listen);
	assert_string_equal(cfg->calendar.listen_host, "127.0.0.1");
	assert_int_equal(cfg->calendar.listen_port, 8787);
	assert_string_equal(cfg->calendar.token_file, "/var/lib/followupd/feed.token");
	assert_false(cfg->calendar.all_day);
	assert_int_equal(cfg->calendar.event_minute, 9 * 60);
	assert_int_equal(cfg->calendar.event_duration, 1800);
	assert_int_equal(cfg->calendar.block_weekday, 4);
	assert_int_equal(cfg->calendar.block_duration, 3600);

	/* section names are lowercased; quoted values keep ';' and '#' */
	a = config_contact(cfg, "alice");
	assert_non_null(a);
	assert_string_equal(a->name, "Alice Smith");
	assert_int_equal(a->nemails, 3);
	assert_string_equal(a->reason, "Ask how the CRM rollout went; #1 priority");
	assert_string_equal(a->cadence_text, "2w..3w");
	assert_int_equal(a->cadence.overdue.n, 3);
	assert_int_equal(a->last, D("2026-10-01"));
	assert_int_equal(a->bday_year, 1980);
	assert_int_equal(a->met_minute, 14 * 60);
	assert_string_equal(a->once_text, "Check the proposal landed");
	assert_int_equal(a->paused, PAUSE_UNTIL);   /* inherited */

	/* b inherits cadence and reason from its group */
	b = config_contact(cfg, "bob");
	assert_string_equal(b->name, "bob");
	assert_string_equal(b->cadence_text, "quarterly");
	assert_string_equal(b->reason, "Quarterly check-in");
	assert_int_equal(b->bday_month, 2);
	assert_int_equal(b->bday_day, 29);
	assert_string_equal(b->group->name, "clients");

	/* addresses: exact, case and +tag insensitive, then @domain */
	assert_ptr_equal(config_contact_by_addr(cfg, "Alice+news@Example.COM"), a);
	assert_ptr_equal(config_contact_by_addr(cfg, "ceo@alice-co.example"), a);
	assert_null(config_contact_by_addr(cfg, "ceo@sub.alice-co.example"));
	assert_ptr_equal(config_contact_by_addr(cfg, "bob@example.net"), b);

	/* the meeting instant follows the zone */
	assert_int_equal(tz_use(cfg->timezone, &err), 0);
	config_apply_zone(cfg);
	assert_int_equal((long long)a->met_at, 1795179600LL);   /* 13:00 UTC */
	config_free(cfg);
	diag_free(&d);
}

static void
test_defaults(void **unused)
{
	struct config_env env = env0;
	struct diag d = {0};
	struct config *cfg;

	cfg = parse(HEAD, &d);
	assert_non_null(cfg);
	assert_string_equal(cfg->timezone, "UTC");
	assert_string_equal(cfg->digest_to, "jane@example.org");
	assert_int_equal(cfg->digest_days, 0x7f);
	assert_int_equal(cfg->digest_limit, 12);
	assert_false(cfg->send_empty_digest);
	assert_int_equal(cfg->horizon.n, 7);
	assert_int_equal(cfg->max_recipients, 10);
	assert_int_equal(cfg->card_lead.n, 5);
	assert_string_equal(cfg->state_dir, "/home/jane/.local/state/followupd");
	assert_string_equal(cfg->calendar.file, "/home/jane/.local/state/followupd/followups.ics");
	assert_true(cfg->calendar.all_day);
	assert_false(cfg->calendar.listen);
	assert_int_equal(cfg->ncontacts, 0);
	config_free(cfg);

	env.xdg_state_home = "/x/state";
	cfg = config_parse("f", HEAD, strlen(HEAD), &env, &d);
	assert_string_equal(cfg->state_dir, "/x/state/followupd");
	config_free(cfg);
	env.state_directory = "/var/lib/followupd:/var/lib/other";
	cfg = config_parse("f", HEAD, strlen(HEAD), &env, &d);
	assert_string_equal(cfg->state_dir, "/var/lib/followupd");
	config_free(cfg);
	assert_int_equal(d.count, 0);
}

/* after_meeting: the contact's own, else its group's, else the global
 * one; none is no step. */
static void
test_after_meeting(void **unused)
{
	static const char text[] = HEAD "after_meeting = email 48h\n"
	    "[group:team]\nafter_meeting = none\n"
	    "[group:clients]\ncadence = 1m\n"
	    "[group:quiet]\nafter_meeting =\n"
	    "[contact:e]\nemail = e@example.com\ngroup = quiet\n"
	    "[contact:a]\nemail = a@example.com\n"
	    "[contact:b]\nemail = b@example.com\ngroup = team\n"
	    "[contact:c]\nemail = c@example.com\ngroup = team\nafter_meeting = card 72h, call 1d\n"
	    "[contact:d]\nemail = d@example.com\ngroup = clients\n";
	struct diag d = {0};
	struct config *cfg = parse(text, &d);
	const struct contact *c;

	assert_non_null(cfg);
	c = config_contact(cfg, "a");
	assert_int_equal(c->nafter_meeting, 1);
	assert_int_equal(c->after_meeting[0].via, VIA_EMAIL);
	assert_int_equal(c->after_meeting[0].seconds, 48 * 3600);
	assert_int_equal(config_contact(cfg, "b")->nafter_meeting, 0);
	assert_int_equal(config_contact(cfg, "e")->nafter_meeting, 0);   /* empty: none */
	c = config_contact(cfg, "c");
	assert_int_equal(c->nafter_meeting, 2);
	assert_int_equal(c->after_meeting[0].via, VIA_CARD);
	assert_int_equal(c->after_meeting[1].via, VIA_CALL);
	assert_int_equal(c->after_meeting[1].seconds, 86400);
	c = config_contact(cfg, "d");   /* a group without after_meeting: the global */
	assert_int_equal(c->nafter_meeting, 1);
	assert_int_equal(c->after_meeting[0].seconds, 48 * 3600);
	config_free(cfg);
}

/* nudge and answer_within: the contact's, its group's, the global one;
 * the inbox read (INBOX) where one is set, unless an account says. */
static void
test_answers(void **unused)
{
	static const char text[] = HEAD "nudge = 3d\n"
	    "[imap:a]\nurl = imaps://a.example\nuser = j\npassword_command = p\n"
	    "[imap:b]\nurl = imaps://b.example\nuser = j\npassword_command = p\ninbox = none\n"
	    "[imap:c]\nurl = imaps://c.example\nuser = j\npassword_command = p\ninbox = Archive/In\n"
	    "[group:quiet]\nnudge = off\nanswer_within = 1d\n"
	    "[contact:a]\nemail = a@example.com\n"
	    "[contact:b]\nemail = b@example.com\ngroup = quiet\n"
	    "[contact:c]\nemail = c@example.com\ngroup = quiet\nnudge = 7d\n";
	static const char plain[] = HEAD
	    "[imap]\nurl = imaps://a.example\nuser = j\npassword_command = p\n";
	struct diag d = {0};
	struct config *cfg = parse(text, &d);

	if (cfg == NULL)
		fail_msg("%s", buf_str(&d.text));
	assert_int_equal(config_contact(cfg, "a")->nudge, 3 * 86400);
	assert_int_equal(config_contact(cfg, "a")->answer_within, 0);
	assert_int_equal(config_contact(cfg, "b")->nudge, 0);
	assert_int_equal(config_contact(cfg, "b")->answer_within, 86400);
	assert_int_equal(config_contact(cfg, "c")->nudge, 7 * 86400);
	assert_string_equal(cfg->accounts[0].inbox, "INBOX");
	assert_null(cfg->accounts[1].inbox);
	assert_string_equal(cfg->accounts[2].inbox, "Archive/In");
	config_free(cfg);
	/* nothing asks for the inbox: not read */
	cfg = parse(plain, &d);
	assert_non_null(cfg);
	assert_null(cfg->accounts[0].inbox);
	config_free(cfg);
}

/* [meetings] sources: the kind from the address, webcal:// as https://. */
static void
test_meetings_sources(void **unused)
{
	static const char text[] = HEAD
	    "[meetings]\nurl = https://dav.example.org/remote.php/dav/calendars/jane/personal/\n"
	    "user = jane\npassword_command = pass dav\nrefresh = 5m\n"
	    "[meetings:google]\nurl = https://calendar.google.com/calendar/ical/x/private-y/basic.ics\n"
	    "[meetings:apple]\nurl = webcal://p01-calendars.icloud.com/published/2/abc\n"
	    "[meetings:forced]\nurl = https://example.org/feed\ntype = ics\n"
	    "[meetings:local]\ndir = /home/jane/.calendars/work\n"
	    "[meetings:lo]\nurl = http://127.0.0.1:5232/jane/cal/\ntls = none\n";
	struct diag d = {0};
	struct config *cfg = parse(text, &d);

	if (cfg == NULL)
		fail_msg("%s", buf_str(&d.text));
	assert_int_equal(cfg->nmeetings, 6);
	assert_string_equal(cfg->meetings[0].name, "default");
	assert_int_equal(cfg->meetings[0].kind, MSRC_CALDAV);
	assert_int_equal(cfg->meetings[0].refresh, 300);
	assert_int_equal(cfg->meetings[0].server.port, 443);
	assert_string_equal(cfg->meetings[0].server.host, "dav.example.org");
	assert_int_equal(cfg->meetings[1].kind, MSRC_ICS);
	assert_int_equal(cfg->meetings[1].refresh, MEET_REFRESH);
	assert_null(cfg->meetings[1].server.user);
	assert_int_equal(cfg->meetings[2].kind, MSRC_ICS);
	assert_string_equal(cfg->meetings[2].server.url,
	    "https://p01-calendars.icloud.com/published/2/abc");
	assert_int_equal(cfg->meetings[3].kind, MSRC_ICS);
	assert_int_equal(cfg->meetings[4].kind, MSRC_DIR);
	assert_string_equal(cfg->meetings[4].dir, "/home/jane/.calendars/work");
	assert_int_equal(cfg->meetings[5].server.port, 5232);
	assert_false(cfg->meetings[5].server.tls_verify);
	assert_false(cfg->meetings[5].server.implicit_tls);
	config_free(cfg);
}

static void
test_many_contacts(void **unused)
{
	struct buf b = {0};
	struct diag d = {0};
	struct config *cfg;

	buf_puts(&b, HEAD);
	for (int i = 0; i < 10000; i++)
		buf_printf(&b, "[contact:c%d]\nname = Contact %d\nemail = c%d@example.com\ncadence = 2w\n",
		    i, i, i);
	cfg = config_parse("big.conf", buf_str(&b), b.len, &env0, &d);
	assert_non_null(cfg);
	assert_int_equal(cfg->ncontacts, 10000);
	assert_string_equal(config_contact_by_addr(cfg, "c9999@example.com")->name, "Contact 9999");
	assert_string_equal(config_contact(cfg, "c4242")->name, "Contact 4242");
	config_free(cfg);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_broken_files),
		cmocka_unit_test(test_inline_password_permissions),
		cmocka_unit_test(test_full_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_many_contacts),
		cmocka_unit_test(test_after_meeting),
		cmocka_unit_test(test_meetings_sources),
		cmocka_unit_test(test_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
