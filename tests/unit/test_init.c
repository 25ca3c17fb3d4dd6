/* followupd init's starter configuration: the servers guessed from the
 * address for the common providers (and imap./smtp. of the domain for
 * others), the address taken from "Name <address>", and a rendered file
 * that the configuration reader takes with the values given. */
#include "testutil.h"

#include "init.h"

static void
check_provider(const char *addr, const char *name, const char *imap, const char *smtp)
{
	struct buf gi = { 0 }, gs = { 0 };
	struct init_provider p;

	init_provider(addr, &p, &gi, &gs);
	if (name == NULL)
		assert_null(p.name);
	else
		assert_string_equal(p.name, name);
	assert_string_equal(p.imap_url, imap);
	assert_string_equal(p.smtp_url, smtp);
	buf_free(&gi);
	buf_free(&gs);
}

static void
test_providers(void **unused)
{
	(void)unused;
	check_provider("jane@gmail.com", "Gmail", "imaps://imap.gmail.com", "smtps://smtp.gmail.com");
	check_provider("Jane@GoogleMail.COM", "Gmail", "imaps://imap.gmail.com", "smtps://smtp.gmail.com");
	check_provider("j@fastmail.fm", "Fastmail", "imaps://imap.fastmail.com", "smtps://smtp.fastmail.com");
	check_provider("j@hotmail.com", "Outlook / Microsoft 365", "imaps://outlook.office365.com",
	    "smtp://smtp.office365.com:587");
	check_provider("j@icloud.com", "iCloud", "imaps://imap.mail.me.com", "smtp://smtp.mail.me.com:587");
	check_provider("j@yahoo.com", "Yahoo", "imaps://imap.mail.yahoo.com", "smtps://smtp.mail.yahoo.com");
	/* Not a provider: the usual names under the domain. */
	check_provider("jane@example.org", NULL, "imaps://imap.example.org", "smtp://smtp.example.org:587");
	/* A subdomain of a provider is not the provider. */
	check_provider("jane@mail.gmail.com", NULL, "imaps://imap.mail.gmail.com",
	    "smtp://smtp.mail.gmail.com:587");
	/* The last '@' decides. */
	check_provider("\"a@b\"@fastmail.com", "Fastmail", "imaps://imap.fastmail.com",
	    "smtps://smtp.fastmail.com");
}

static void
check_addr(const char *me, const char *want)
{
	char *a = init_address(me);

	if (want == NULL)
		assert_null(a);
	else
		assert_string_equal(a, want);
	free(a);
}

static void
test_address(void **unused)
{
	(void)unused;
	check_addr("Jane Doe <jane@example.org>", "jane@example.org");
	check_addr("  jane@example.org", "jane@example.org");
	check_addr("jane@example.org (Jane)", "jane@example.org");
	check_addr("Jane Doe", NULL);
	check_addr("Jane <jane>", NULL);
	check_addr("", NULL);
}

static void
test_render(void **unused)
{
	static const struct config_env env = { 0600, "UTC", NULL, NULL, "/home/jane" };
	struct init_answers a = {
		.me = "Jane Doe <jane@example.org>", .timezone = "Europe/Berlin",
		.imap_url = "imaps://mail.example.org:1993", .imap_user = "jane",
		.smtp_url = "smtp://mail.example.org:2587", .smtp_user = "jane2",
		.imap_password_file = "/home/jane/.config/followupd/password",
		.smtp_password_file = "/home/jane/.config/followupd/password",
	};
	struct buf b = { 0 };
	struct diag d = { 0 };
	struct config *cfg;

	(void)unused;
	init_render(&a, &b);
	cfg = config_parse("init.conf", buf_str(&b), b.len, &env, &d);
	if (cfg == NULL)
		fail_msg("%s\n%s", buf_str(&d.text), buf_str(&b));
	assert_string_equal(cfg->timezone, "Europe/Berlin");
	assert_int_equal(cfg->naccounts, 1);
	assert_string_equal(cfg->accounts[0].server.host, "mail.example.org");
	assert_int_equal(cfg->accounts[0].server.port, 1993);
	assert_true(cfg->accounts[0].server.implicit_tls);
	assert_string_equal(cfg->accounts[0].server.user, "jane");
	assert_string_equal(cfg->accounts[0].server.password_file, a.imap_password_file);
	assert_true(cfg->has_smtp);
	assert_int_equal(cfg->smtp.port, 2587);
	assert_false(cfg->smtp.implicit_tls);
	assert_string_equal(cfg->smtp.user, "jane2");
	assert_true(cfg->calendar.listen);
	assert_int_equal(cfg->ncontacts, 0);
	config_free(cfg);
	buf_free(&b);

	/* OAuth 2.0 and no SMTP: no [smtp], a token_command, no password. */
	a.oauth2 = true;
	a.token_command = "oama access jane@example.org";
	a.smtp_url = NULL;
	a.timezone = NULL;
	init_render(&a, &b);
	cfg = config_parse("init.conf", buf_str(&b), b.len, &env, &d);
	if (cfg == NULL)
		fail_msg("%s\n%s", buf_str(&d.text), buf_str(&b));
	assert_false(cfg->has_smtp);
	assert_int_equal(cfg->accounts[0].server.auth, AUTH_OAUTH2);
	assert_string_equal(cfg->accounts[0].server.token_command, "oama access jane@example.org");
	assert_null(cfg->accounts[0].server.password_file);
	assert_string_equal(cfg->timezone, "UTC");   /* the system's */
	config_free(cfg);
	buf_free(&b);
	diag_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_providers),
		cmocka_unit_test(test_address),
		cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
