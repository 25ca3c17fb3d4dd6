#include <string.h>
#include <strings.h>

#include "init.h"

static const struct {
	const char *domains;         /* space-separated */
	struct init_provider p;
} providers[] = {
	{ "gmail.com googlemail.com", { "Gmail", "imaps://imap.gmail.com",
	    "smtps://smtp.gmail.com",
	    "Gmail needs an app password (Google account, Security, 2-Step "
	    "Verification, App passwords) or OAuth 2.0 (auth = oauth2 with a "
	    "token_command)." } },
	{ "fastmail.com fastmail.fm messagingengine.com", { "Fastmail",
	    "imaps://imap.fastmail.com", "smtps://smtp.fastmail.com",
	    "Fastmail needs an app password (Settings, Privacy & Security, "
	    "Integrations, App passwords) with IMAP and SMTP access." } },
	{ "outlook.com hotmail.com live.com msn.com office365.com", {
	    "Outlook / Microsoft 365", "imaps://outlook.office365.com",
	    "smtp://smtp.office365.com:587",
	    "Microsoft accounts need OAuth 2.0: auth = oauth2 and a token_command "
	    "that prints an access token (for example with oama or mutt_oauth2.py)." } },
	{ "icloud.com me.com mac.com", { "iCloud", "imaps://imap.mail.me.com",
	    "smtp://smtp.mail.me.com:587",
	    "iCloud needs an app-specific password (appleid.apple.com), and the "
	    "login is the address without @icloud.com." } },
	{ "yahoo.com ymail.com", { "Yahoo", "imaps://imap.mail.yahoo.com",
	    "smtps://smtp.mail.yahoo.com",
	    "Yahoo needs an app password (Account security, Generate app password)." } },
};

static bool
domain_in(const char *domain, const char *list)
{
	size_t n = strlen(domain);

	while (*list != '\0') {
		size_t k = strcspn(list, " ");

		if (k == n && strncasecmp(list, domain, n) == 0)
			return true;
		list += k;
		while (*list == ' ')
			list++;
	}
	return false;
}

void
init_provider(const char *address, struct init_provider *p, struct buf *imap,
    struct buf *smtp)
{
	const char *at = address != NULL ? strrchr(address, '@') : NULL;
	const char *domain = at != NULL ? at + 1 : "example.org";

	for (size_t i = 0; i < sizeof providers / sizeof providers[0]; i++) {
		if (domain_in(domain, providers[i].domains)) {
			*p = providers[i].p;
			return;
		}
	}
	buf_reset(imap);
	buf_reset(smtp);
	buf_printf(imap, "imaps://imap.%s", domain);
	buf_printf(smtp, "smtp://smtp.%s:587", domain);
	p->name = NULL;
	p->imap_url = buf_str(imap);
	p->smtp_url = buf_str(smtp);
	p->note = NULL;
}

char *
init_address(const char *me)
{
	const char *lt = strrchr(me, '<'), *gt;

	if (lt != NULL && (gt = strchr(lt, '>')) != NULL) {
		if (memchr(lt, '@', (size_t)(gt - lt)) == NULL)
			return NULL;
		return xstrndup(lt + 1, (size_t)(gt - lt - 1));
	}
	while (*me == ' ' || *me == '\t')
		me++;
	if (strchr(me, '@') == NULL)
		return NULL;
	return xstrndup(me, strcspn(me, " \t"));
}

static void
server(struct buf *out, const char *url, const char *user, const struct init_answers *a,
    const char *password_file)
{
	buf_printf(out, "url = %s\nuser = %s\n", url, user);
	if (a->oauth2) {
		buf_printf(out, "auth = oauth2\n; a command that prints a fresh OAuth 2.0 access token\n"
		    "token_command = %s\n", a->token_command != NULL ? a->token_command :
		    "CHANGE-ME: a command that prints an access token");
	} else {
		buf_printf(out, "; the first line of this file (mode 0600) is the password\n"
		    "password_file = %s\n", password_file);
	}
}

void
init_render(const struct init_answers *a, struct buf *out)
{
	buf_puts(out,
	    "; followupd.conf: written by `followupd init`. See followupd.conf(5) for\n"
	    "; every key; `followupd check` tells what is wrong, with the line.\n"
	    "\n[followupd]\n"
	    "; you: the From of the digest and where it goes\n");
	buf_printf(out, "me = %s\n", a->me);
	if (a->timezone != NULL)
		buf_printf(out, "timezone = %s\n", a->timezone);
	buf_puts(out,
	    "; the morning digest\n"
	    "digest_time = 07:30\n"
	    "digest_days = mon-fri\n"
	    "\n[imap]\n"
	    "; the account whose Sent folder counts as your follow-ups\n");
	server(out, a->imap_url, a->imap_user, a, a->imap_password_file);
	if (a->smtp_url != NULL) {
		buf_puts(out, "\n[smtp]\n; the server that sends the digest and the invites\n");
		server(out, a->smtp_url, a->smtp_user, a, a->smtp_password_file);
	}
	buf_puts(out,
	    "\n[calendar]\n"
	    "; the feed your calendar subscribes to: `followupd status` shows its URL\n"
	    "listen = 127.0.0.1:8787\n"
	    "event_time = 09:00 30m\n"
	    "\n; A group gives its members a cadence:\n"
	    ";[group:clients]\n"
	    ";cadence = quarterly\n"
	    "\n; The people who matter, one section each. `followupd suggest` proposes\n"
	    "; sections for the people you write to most, once `followupd sync` has\n"
	    "; read your Sent folder.\n"
	    ";[contact:alice]\n"
	    ";name = Alice Smith\n"
	    ";email = alice@example.com\n"
	    ";cadence = 2w\n"
	    ";reason = Ask how the rollout went\n"
	    ";birthday = 03-14\n");
}
