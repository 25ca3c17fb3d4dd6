#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "day.h"
#include "ini.h"
#include "strdist.h"
#include "tz.h"

/* Parsing state: where diagnostics go and which file they name. */
struct pctx {
	const char *file;
	const struct config_env *env;
	struct diag *d;
	struct config *cfg;
};

#define ERR(p, line, ...) diag_add((p)->d, (p)->file, (line), EX_CONFIG, __VA_ARGS__)

/* ---- small value parsers ------------------------------------------------ */

static int
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int
parse_int(const char *v, long min, long max, long *out)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* "HH:MM" (00:00 to 23:59) at the start of s; returns the rest or NULL. */
static const char *
parse_hhmm(const char *s, int *minute)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    s[2] != ':' || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]) || isdigit((unsigned char)s[5]))
		return NULL;
	int h = (s[0] - '0') * 10 + (s[1] - '0');
	int m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return NULL;
	*minute = h * 60 + m;
	return s + 5;
}

static const char *
skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* ---- keys of each section ---------------------------------------------- */

static const char *const main_keys[] = {
	"me", "timezone", "state_dir", "digest_time", "digest_to", "digest_days",
	"digest_limit", "send_empty_digest", "horizon", "max_recipients",
	"after_meeting", "card_lead", "nudge", "answer_within",
};
static const char *const server_keys[] = {
	"url", "user", "password_command", "password_file", "password", "auth",
	"token_command", "ca_file", "tls", "timeout", "sent_folder", "poll_interval", "inbox",
};
#define SMTP_NKEYS 10  /* the first ten of server_keys */
static const char *const meetings_keys[] = {
	"url", "user", "password_command", "password_file", "password", "auth",
	"token_command", "ca_file", "tls", "timeout", "dir", "type", "refresh",
};
static const char *const calendar_keys[] = {
	"file", "listen", "token_file", "tls_cert", "tls_key", "horizon",
	"event_time", "invites", "block",
};
static const char *const group_keys[] = {
	"cadence", "reason", "paused", "after_meeting", "nudge", "answer_within",
};
static const char *const contact_keys[] = {
	"name", "email", "group", "cadence", "reason", "last", "birthday", "met",
	"once", "paused", "after_meeting", "nudge", "answer_within",
};
#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

static void
unknown_key(struct pctx *p, const char *section, const struct ini_entry *e,
    const char *const *keys, size_t n)
{
	const char *best = strdist_closest(e->key, keys, n);

	if (best != NULL)
		ERR(p, e->line, "unknown key '%s' in [%s] (did you mean '%s'?)",
		    e->key, section, best);
	else
		ERR(p, e->line, "unknown key '%s' in [%s]", e->key, section);
}

static bool
known(const char *key, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, keys[i]) == 0)
			return true;
	return false;
}

/* ---- [followupd] -------------------------------------------------------- */

static int
parse_days(const char *v, unsigned *mask)
{
	const char *p = v;

	if (strcasecmp(v, "daily") == 0 || strcasecmp(v, "every day") == 0 ||
	    strcasecmp(v, "all") == 0) {
		*mask = 0x7f;
		return 0;
	}
	*mask = 0;
	while (*p) {
		size_t n = strcspn(p, ",- \t");
		int a = day_weekday_parse(p, n), b;

		if (a < 0)
			return -1;
		p = skip_ws(p + n);
		b = a;
		if (*p == '-') {
			p = skip_ws(p + 1);
			n = strcspn(p, ", \t");
			b = day_weekday_parse(p, n);
			if (b < 0)
				return -1;
			p = skip_ws(p + n);
		}
		for (int i = a;; i = (i + 1) % 7) {
			*mask |= 1u << i;
			if (i == b)
				break;
		}
		if (*p == ',')
			p = skip_ws(p + 1);
		else if (*p != '\0')
			return -1;
	}
	return *mask ? 0 : -1;
}

/* nudge, answer_within: a duration from 1h to 1y, or "off". */
static int
parse_wait(const char *v, long *out, const char **why)
{
	if (strcasecmp(v, "off") == 0 || strcasecmp(v, "none") == 0 ||
	    strcasecmp(v, "no") == 0) {
		*out = 0;
		return 0;
	}
	if (duration_parse(v, out, why) < 0)
		return -1;
	if (*out < 3600 || *out > 366L * 86400) {
		*why = "between 1h and 1y, or off";
		return -1;
	}
	return 0;
}

/* "email 24h, card 72h", or "none" (or nothing) for no step at all. */
static int
parse_after_meeting(const char *v, struct meeting_step *steps, size_t *nsteps,
    const char **why)
{
	const char *p = skip_ws(v);

	*nsteps = 0;
	if (strcasecmp(p, "none") == 0)
		return 0;   /* as an empty value */
	while (*p) {
		size_t n = strcspn(p, " \t,");
		struct meeting_step st;
		char dur[16];

		if (via_parse(p, n, &st.via) < 0) {
			*why = "expected a list such as \"email 24h, card 72h\" (channels: email, call, card, meeting, message, other)";
			return -1;
		}
		p = skip_ws(p + n);
		n = strcspn(p, " \t,");
		if (n == 0 || n >= sizeof dur) {
			*why = "each channel needs a delay such as 24h";
			return -1;
		}
		memcpy(dur, p, n);
		dur[n] = '\0';
		if (duration_parse(dur, &st.seconds, why) < 0)
			return -1;
		for (size_t i = 0; i < *nsteps; i++) {
			if (steps[i].via == st.via) {
				*why = "a channel is listed twice";
				return -1;
			}
		}
		steps[(*nsteps)++] = st;
		p = skip_ws(p + n);
		if (*p == ',')
			p = skip_ws(p + 1);
		else if (*p != '\0') {
			*why = "expected a comma between steps";
			return -1;
		}
	}
	return 0;
}

static void
parse_main(struct pctx *p, const struct ini_section *s)
{
	struct config *cfg = p->cfg;
	const char *why;
	long n;

	for (size_t i = 0; i < s->count; i++) {
		const struct ini_entry *e = &s->entries[i];
		const char *v = e->value;

		if (strcmp(e->key, "me") == 0) {
			free(cfg->me_name);
			free(cfg->me_addr);
			cfg->me_name = cfg->me_addr = NULL;
			if (addr_parse_mailbox(v, &cfg->me_name, &cfg->me_addr) < 0)
				ERR(p, e->line, "me: expected \"Name <address@domain>\" or an address, got '%s'", v);
		} else if (strcmp(e->key, "timezone") == 0) {
			if (tz_check(v, &why) < 0)
				ERR(p, e->line, "timezone: '%s': %s", v, why);
			else {
				free(cfg->timezone);
				cfg->timezone = xstrdup(v);
			}
		} else if (strcmp(e->key, "state_dir") == 0) {
			if (v[0] != '/')
				ERR(p, e->line, "state_dir: must be an absolute path");
			else {
				free(cfg->state_dir);
				cfg->state_dir = xstrdup(v);
			}
		} else if (strcmp(e->key, "digest_time") == 0) {
			const char *rest;

			if (strcasecmp(v, "off") == 0)
				cfg->digest_off = true;
			else if ((rest = parse_hhmm(v, &cfg->digest_minute)) == NULL || *rest)
				ERR(p, e->line, "digest_time: expected HH:MM (24-hour) or \"off\", got '%s'", v);
		} else if (strcmp(e->key, "digest_to") == 0) {
			if (!addr_valid(v))
				ERR(p, e->line, "digest_to: '%s' is not an e-mail address", v);
			else {
				free(cfg->digest_to);
				cfg->digest_to = xstrdup(v);
			}
		} else if (strcmp(e->key, "digest_days") == 0) {
			if (parse_days(v, &cfg->digest_days) < 0)
				ERR(p, e->line, "digest_days: expected days such as \"mon-fri\" or \"mon,wed,fri\", got '%s'", v);
		} else if (strcmp(e->key, "digest_limit") == 0) {
			if (parse_int(v, 1, 10000, &n) < 0)
				ERR(p, e->line, "digest_limit: expected a number from 1 to 10000, got '%s'", v);
			else
				cfg->digest_limit = (int)n;
		} else if (strcmp(e->key, "send_empty_digest") == 0) {
			if (parse_bool(v, &cfg->send_empty_digest) < 0)
				ERR(p, e->line, "send_empty_digest: expected yes or no, got '%s'", v);
		} else if (strcmp(e->key, "horizon") == 0) {
			if (span_parse(v, &cfg->horizon, &why) < 0)
				ERR(p, e->line, "horizon: '%s': %s", v, why);
		} else if (strcmp(e->key, "max_recipients") == 0) {
			if (parse_int(v, 1, 100000, &n) < 0)
				ERR(p, e->line, "max_recipients: expected a number from 1 to 100000, got '%s'", v);
			else
				cfg->max_recipients = (int)n;
		} else if (strcmp(e->key, "after_meeting") == 0) {
			if (parse_after_meeting(v, cfg->after_meeting, &cfg->nafter_meeting,
			    &why) < 0)
				ERR(p, e->line, "after_meeting: '%s': %s", v, why);
		} else if (strcmp(e->key, "card_lead") == 0) {
			if (span_parse(v, &cfg->card_lead, &why) < 0)
				ERR(p, e->line, "card_lead: '%s': %s", v, why);
		} else if (strcmp(e->key, "nudge") == 0 || strcmp(e->key, "answer_within") == 0) {
			if (parse_wait(v, e->key[0] == 'n' ? &cfg->nudge : &cfg->answer_within,
			    &why) < 0)
				ERR(p, e->line, "%s: '%s': %s", e->key, v, why);
		} else {
			unknown_key(p, s->name, e, main_keys, NKEYS(main_keys));
		}
	}
}

/* ---- [imap], [imap:NAME], [smtp] ---------------------------------------- */

static bool
loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

/* Splits "host", "host:port", "[v6]" or "[v6]:port"; port 0 when absent.
 * Returns -1 when malformed. */
static int
split_hostport_raw(const char *s, size_t len, char **host, int *port);

/* As split_hostport_raw(), with *host NULL after a failure. */
static int
split_hostport(const char *s, size_t len, char **host, int *port)
{
	*host = NULL;
	if (split_hostport_raw(s, len, host, port) < 0) {
		*host = NULL;
		return -1;
	}
	return 0;
}

static int
split_hostport_raw(const char *s, size_t len, char **host, int *port)
{
	const char *colon = NULL, *end = s + len;
	long n;

	if (len > 0 && s[0] == '[') {
		const char *rb = memchr(s, ']', len);

		if (rb == NULL || rb == s + 1)
			return -1;
		*host = xstrndup(s + 1, (size_t)(rb - s - 1));
		if (rb + 1 != end && rb[1] != ':') {
			free(*host);
			return -1;
		}
		colon = rb + 1 != end ? rb + 1 : NULL;
	} else {
		colon = memchr(s, ':', len);
		if ((colon ? (size_t)(colon - s) : len) == 0)
			return -1;
		*host = xstrndup(s, colon ? (size_t)(colon - s) : len);
		if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1))) {
			free(*host);
			return -1;
		}
	}
	*port = 0;
	if (colon != NULL) {
		char num[8];
		size_t nl = (size_t)(end - colon - 1);

		if (nl == 0 || nl >= sizeof num) {
			free(*host);
			return -1;
		}
		memcpy(num, colon + 1, nl);
		num[nl] = '\0';
		if (parse_int(num, 1, 65535, &n) < 0) {
			free(*host);
			return -1;
		}
		*port = (int)n;
	}
	for (const char *h = *host; *h; h++) {
		if (!isalnum((unsigned char)*h) && strchr(".-:_", *h) == NULL) {
			free(*host);
			return -1;
		}
	}
	return 0;
}

static int
parse_url(struct server *sv, const char *v, bool smtp, const char **why)
{
	const char *plain = smtp ? "smtp://" : "imap://";
	const char *tls = smtp ? "smtps://" : "imaps://";
	const char *rest;
	size_t len;

	if (strncasecmp(v, tls, strlen(tls)) == 0) {
		sv->implicit_tls = true;
		rest = v + strlen(tls);
	} else if (strncasecmp(v, plain, strlen(plain)) == 0) {
		sv->implicit_tls = false;
		rest = v + strlen(plain);
	} else {
		*why = smtp ? "expected smtps://host[:port] or smtp://host[:port]" :
		    "expected imaps://host[:port] or imap://host[:port]";
		return -1;
	}
	len = strlen(rest);
	if (len > 0 && rest[len - 1] == '/')
		len--;
	free(sv->host);
	sv->host = NULL;
	if (split_hostport(rest, len, &sv->host, &sv->port) < 0) {
		*why = "malformed host or port";
		return -1;
	}
	if (sv->port == 0)
		sv->port = smtp ? (sv->implicit_tls ? 465 : 587) :
		    (sv->implicit_tls ? 993 : 143);
	free(sv->url);
	sv->url = xstrdup(v);
	return 0;
}

static void
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/* A calendar's address: https://host[:port]/path, webcal:// (Apple's and
 * Outlook's name for the same, made https://), or http:// (allowed with
 * tls = none on loopback only, checked by the caller). */
static int
parse_cal_url(struct server *sv, const char *v, const char **why)
{
	const char *rest;
	size_t hl;

	if (strncasecmp(v, "https://", 8) == 0) {
		rest = v + 8;
		sv->implicit_tls = true;
	} else if (strncasecmp(v, "webcal://", 9) == 0) {
		rest = v + 9;
		sv->implicit_tls = true;
	} else if (strncasecmp(v, "http://", 7) == 0) {
		rest = v + 7;
		sv->implicit_tls = false;
	} else {
		*why = "expected https://host/path (or webcal://)";
		return -1;
	}
	hl = strcspn(rest, "/?#");
	if (memchr(rest, '@', hl) != NULL) {
		*why = "put the login in 'user' and a password source, not in the address";
		return -1;
	}
	free(sv->host);
	sv->host = NULL;
	if (split_hostport(rest, hl, &sv->host, &sv->port) < 0) {
		*why = "malformed host or port";
		return -1;
	}
	if (sv->port == 0)
		sv->port = sv->implicit_tls ? 443 : 80;
	free(sv->url);
	sv->url = xasprintf("%s://%s", sv->implicit_tls ? "https" : "http", rest);
	if (rest[hl] == '\0') {
		/* "https://host" is the root collection: "https://host/". */
		free(sv->url);
		sv->url = xasprintf("%s://%s/", sv->implicit_tls ? "https" : "http", rest);
	}
	return 0;
}

/* [imap] (acct set), [meetings] (ms set) or [smtp] (neither). */
static void
parse_server(struct pctx *p, const struct ini_section *s, struct server *sv,
    struct imap_account *acct, struct meet_source *ms)
{
	bool smtp = acct == NULL && ms == NULL;
	const char *const *keys = ms ? meetings_keys : server_keys;
	size_t nkeys = ms ? NKEYS(meetings_keys) : smtp ? SMTP_NKEYS : NKEYS(server_keys);
	const char *why;
	int url_line = 0, pw_line = 0, tls_line = 0, dir_line = 0, type_line = 0;
	int nsources = 0;
	bool ics = false;

	sv->line = s->line;
	sv->tls_verify = true;
	sv->timeout = SERVER_TIMEOUT;
	for (size_t i = 0; i < s->count; i++) {
		const struct ini_entry *e = &s->entries[i];
		const char *v = e->value;

		if (!known(e->key, keys, nkeys)) {
			unknown_key(p, s->name, e, keys, nkeys);
		} else if (strcmp(e->key, "url") == 0) {
			url_line = e->line;
			if (ms != NULL ? parse_cal_url(sv, v, &why) < 0 :
			    parse_url(sv, v, smtp, &why) < 0)
				ERR(p, e->line, "url: '%s': %s", v, why);
			else if (ms != NULL)
				ics = strncasecmp(v, "webcal://", 9) == 0 ||
				    (strlen(sv->url) > 4 &&
				    strcasecmp(sv->url + strlen(sv->url) - 4, ".ics") == 0);
		} else if (strcmp(e->key, "dir") == 0) {
			dir_line = e->line;
			if (v[0] != '/')
				ERR(p, e->line, "dir: must be an absolute path");
			else
				set_str(&ms->dir, v);
		} else if (strcmp(e->key, "type") == 0) {
			type_line = e->line;
			if (strcasecmp(v, "caldav") == 0)
				ms->kind = MSRC_CALDAV;
			else if (strcasecmp(v, "ics") == 0)
				ms->kind = MSRC_ICS;
			else
				ERR(p, e->line, "type: expected caldav or ics, got '%s'", v);
		} else if (strcmp(e->key, "refresh") == 0) {
			if (duration_parse(v, &ms->refresh, &why) < 0)
				ERR(p, e->line, "refresh: '%s': %s", v, why);
			else if (ms->refresh < 1 || ms->refresh > 7 * 86400)
				ERR(p, e->line, "refresh: between 1s and 7d");
		} else if (strcmp(e->key, "user") == 0) {
			set_str(&sv->user, v);
		} else if (strcmp(e->key, "password_command") == 0) {
			set_str(&sv->password_command, v);
			nsources++;
		} else if (strcmp(e->key, "password_file") == 0) {
			set_str(&sv->password_file, v);
			nsources++;
		} else if (strcmp(e->key, "password") == 0) {
			set_str(&sv->password, v);
			pw_line = e->line;
			nsources++;
		} else if (strcmp(e->key, "auth") == 0) {
			if (strcasecmp(v, "plain") == 0)
				sv->auth = AUTH_PLAIN;
			else if (strcasecmp(v, "login") == 0)
				sv->auth = AUTH_LOGIN;
			else if (strcasecmp(v, "oauth2") == 0 || strcasecmp(v, "xoauth2") == 0)
				sv->auth = AUTH_OAUTH2;
			else if (strcasecmp(v, "auto") == 0)
				sv->auth = AUTH_AUTO;
			else
				ERR(p, e->line, "auth: expected auto, plain, login or oauth2, got '%s'", v);
		} else if (strcmp(e->key, "token_command") == 0) {
			set_str(&sv->token_command, v);
		} else if (strcmp(e->key, "ca_file") == 0) {
			if (v[0] != '\0')
				set_str(&sv->ca_file, v);
		} else if (strcmp(e->key, "tls") == 0) {
			tls_line = e->line;
			if (strcasecmp(v, "verify") == 0)
				sv->tls_verify = true;
			else if (strcasecmp(v, "none") == 0)
				sv->tls_verify = false;
			else
				ERR(p, e->line, "tls: expected verify or none, got '%s'", v);
		} else if (strcmp(e->key, "timeout") == 0) {
			if (duration_parse(v, &sv->timeout, &why) < 0)
				ERR(p, e->line, "timeout: '%s': %s", v, why);
			else if (sv->timeout < 1 || sv->timeout > 600)
				ERR(p, e->line, "timeout: between 1s and 10m");
		} else if (strcmp(e->key, "sent_folder") == 0) {
			if (strcasecmp(v, "auto") != 0 && v[0] != '\0')
				set_str(&acct->sent_folder, v);
		} else if (strcmp(e->key, "inbox") == 0) {
			acct->inbox_set = true;
			free(acct->inbox);
			acct->inbox = NULL;
			if (v[0] == '\0')
				ERR(p, e->line, "inbox: a folder name, or none");
			else if (strcasecmp(v, "none") != 0 && strcasecmp(v, "off") != 0)
				acct->inbox = xstrdup(v);
		} else if (strcmp(e->key, "poll_interval") == 0) {
			if (duration_parse(v, &acct->poll_interval, &why) < 0)
				ERR(p, e->line, "poll_interval: '%s': %s", v, why);
			else if (acct->poll_interval < 10)
				ERR(p, e->line, "poll_interval: at least 10s");
		}
	}
	if (ms != NULL) {
		if (url_line == 0 && dir_line == 0)
			ERR(p, s->line, "[%s]: missing 'url' (a CalDAV calendar or an .ics address) or 'dir' (a folder of .ics files)", s->name);
		else if (url_line != 0 && dir_line != 0)
			ERR(p, dir_line, "[%s]: give either 'url' or 'dir', not both", s->name);
		else if (dir_line != 0)
			ms->kind = MSRC_DIR;
		else if (type_line == 0)
			ms->kind = ics ? MSRC_ICS : MSRC_CALDAV;
		if (dir_line != 0 && (sv->user || nsources > 0 || sv->token_command))
			ERR(p, dir_line, "[%s]: a 'dir' needs no login", s->name);
		if (sv->host != NULL && !sv->implicit_tls && sv->tls_verify)
			ERR(p, url_line, "url: http:// is only allowed with tls = none, for 127.0.0.0/8 and ::1; use https://");
	} else {
		if (url_line == 0)
			ERR(p, s->line, "[%s]: missing 'url'", s->name);
		if (sv->user == NULL)
			ERR(p, s->line, "[%s]: missing 'user'", s->name);
	}
	if (ms != NULL && sv->user == NULL && sv->auth != AUTH_OAUTH2) {
		/* No login: an .ics secret address, or a public calendar. */
		if (nsources > 0)
			ERR(p, s->line, "[%s]: a password source needs 'user'", s->name);
	} else if (ms != NULL && dir_line != 0) {
		/* reported above */
	} else if (sv->auth == AUTH_OAUTH2) {
		if (sv->token_command == NULL)
			ERR(p, s->line, "[%s]: auth = oauth2 needs 'token_command'", s->name);
	} else if (nsources == 0) {
		ERR(p, s->line, "[%s]: missing a password source (password_command, password_file or password)", s->name);
	} else if (nsources > 1) {
		ERR(p, s->line, "[%s]: give only one of password_command, password_file and password", s->name);
	}
	if (!sv->tls_verify && sv->host != NULL && !loopback(sv->host))
		ERR(p, tls_line, "tls = none is only allowed for 127.0.0.0/8 and ::1, not '%s'", sv->host);
	if (pw_line != 0 && (p->env->file_mode & 077) != 0)
		diag_add(p->d, p->file, pw_line, EX_NOPERM,
		    "inline password in a file readable by group or others (chmod 600 %s, or use password_command or password_file)",
		    p->file);
}

static void
parse_imap(struct pctx *p, const struct ini_section *s, const char *name)
{
	struct config *cfg = p->cfg;
	struct imap_account *a;

	for (size_t i = 0; i < cfg->naccounts; i++) {
		if (strcmp(cfg->accounts[i].name, name) == 0) {
			ERR(p, s->line, "[%s]: account '%s' is already defined at line %d",
			    s->name, name, cfg->accounts[i].server.line);
			return;
		}
	}
	cfg->accounts = xrealloc(cfg->accounts, (cfg->naccounts + 1) * sizeof *cfg->accounts);
	a = &cfg->accounts[cfg->naccounts++];
	memset(a, 0, sizeof *a);
	a->name = xstrdup(name);
	a->poll_interval = 300;
	parse_server(p, s, &a->server, a, NULL);
}

static void
parse_meetings(struct pctx *p, const struct ini_section *s, const char *name)
{
	struct config *cfg = p->cfg;
	struct meet_source *m;

	for (size_t i = 0; i < cfg->nmeetings; i++) {
		if (strcmp(cfg->meetings[i].name, name) == 0) {
			ERR(p, s->line, "[%s]: calendar '%s' is already defined at line %d",
			    s->name, name, cfg->meetings[i].server.line);
			return;
		}
	}
	cfg->meetings = xrealloc(cfg->meetings, (cfg->nmeetings + 1) * sizeof *cfg->meetings);
	m = &cfg->meetings[cfg->nmeetings++];
	memset(m, 0, sizeof *m);
	m->name = xstrdup(name);
	m->refresh = MEET_REFRESH;
	parse_server(p, s, &m->server, NULL, m);
}

/* ---- [calendar] ----------------------------------------------------------- */

static void
parse_calendar(struct pctx *p, const struct ini_section *s)
{
	struct calendar_conf *c = &p->cfg->calendar;
	int cert_line = 0, key_line = 0;
	const char *why, *rest;
	char dur[16];

	for (size_t i = 0; i < s->count; i++) {
		const struct ini_entry *e = &s->entries[i];
		const char *v = e->value;

		if (strcmp(e->key, "file") == 0) {
			if (v[0] != '/')
				ERR(p, e->line, "file: must be an absolute path");
			else
				set_str(&c->file, v);
		} else if (strcmp(e->key, "listen") == 0) {
			free(c->listen_host);
			c->listen_host = NULL;
			if (split_hostport(v, strlen(v), &c->listen_host, &c->listen_port) < 0 ||
			    c->listen_port == 0)
				ERR(p, e->line, "listen: expected HOST:PORT such as 127.0.0.1:8787 or [::1]:8787, got '%s'", v);
			else
				c->listen = true;
		} else if (strcmp(e->key, "token_file") == 0) {
			if (v[0] != '\0' && v[0] != '/')
				ERR(p, e->line, "token_file: must be an absolute path");
			else if (v[0] != '\0')
				set_str(&c->token_file, v);
		} else if (strcmp(e->key, "tls_cert") == 0) {
			if (v[0] != '\0') {
				set_str(&c->tls_cert, v);
				cert_line = e->line;
			}
		} else if (strcmp(e->key, "tls_key") == 0) {
			if (v[0] != '\0') {
				set_str(&c->tls_key, v);
				key_line = e->line;
			}
		} else if (strcmp(e->key, "horizon") == 0) {
			if (span_parse(v, &c->horizon, &why) < 0)
				ERR(p, e->line, "horizon: '%s': %s", v, why);
		} else if (strcmp(e->key, "event_time") == 0) {
			if (strcasecmp(v, "all-day") == 0) {
				c->all_day = true;
			} else if ((rest = parse_hhmm(v, &c->event_minute)) == NULL ||
			    (rest = skip_ws(rest), strlen(rest) >= sizeof dur) ||
			    duration_parse(rest, &c->event_duration, &why) < 0) {
				ERR(p, e->line, "event_time: expected \"all-day\" or \"HH:MM DURATION\" such as \"09:00 30m\", got '%s'", v);
			} else {
				c->all_day = false;
			}
		} else if (strcmp(e->key, "invites") == 0) {
			if (parse_bool(v, &c->invites) < 0)
				ERR(p, e->line, "invites: expected yes or no, got '%s'", v);
		} else if (strcmp(e->key, "block") == 0) {
			size_t n = strcspn(v, " \t");
			int wd = day_weekday_parse(v, n);

			rest = wd < 0 ? NULL : parse_hhmm(skip_ws(v + n), &c->block_minute);
			if (rest == NULL || duration_parse(skip_ws(rest), &c->block_duration, &why) < 0)
				ERR(p, e->line, "block: expected \"DAY HH:MM DURATION\" such as \"fri 16:00 60m\", got '%s'", v);
			else {
				c->has_block = true;
				c->block_weekday = wd;
			}
		} else {
			unknown_key(p, s->name, e, calendar_keys, NKEYS(calendar_keys));
		}
	}
	if ((cert_line != 0) != (key_line != 0))
		ERR(p, cert_line ? cert_line : key_line,
		    "tls_cert and tls_key go together: give both or neither");
}

/* ---- [group:NAME] and [contact:ID] -------------------------------------- */

static int
parse_paused(const char *v, enum pause_mode *mode, int *until)
{
	bool b;

	if (parse_bool(v, &b) == 0) {
		*mode = b ? PAUSE_YES : PAUSE_NO;
		return 0;
	}
	if (strncasecmp(v, "until", 5) == 0 && (v[5] == ' ' || v[5] == '\t') &&
	    day_parse(skip_ws(v + 5), until) == 0) {
		*mode = PAUSE_UNTIL;
		return 0;
	}
	return -1;
}

static void
parse_group(struct pctx *p, const struct ini_section *s, struct group *g)
{
	const char *why;

	memset(g, 0, sizeof *g);
	g->nudge = g->answer_within = -1;
	g->name = xstrdup(s->name + strlen("group:"));
	g->line = s->line;
	for (size_t i = 0; i < s->count; i++) {
		const struct ini_entry *e = &s->entries[i];

		if (strcmp(e->key, "cadence") == 0) {
			if (cadence_parse(e->value, &g->cadence, &why) < 0)
				ERR(p, e->line, "cadence: '%s': %s", e->value, why);
			else {
				g->has_cadence = true;
				set_str(&g->cadence_text, e->value);
			}
		} else if (strcmp(e->key, "reason") == 0) {
			set_str(&g->reason, e->value);
		} else if (strcmp(e->key, "paused") == 0) {
			if (parse_paused(e->value, &g->paused, &g->paused_until) < 0)
				ERR(p, e->line, "paused: expected yes, no or \"until YYYY-MM-DD\", got '%s'", e->value);
			else
				g->paused_set = true;
		} else if (strcmp(e->key, "after_meeting") == 0) {
			if (parse_after_meeting(e->value, g->after_meeting, &g->nafter_meeting,
			    &why) < 0)
				ERR(p, e->line, "after_meeting: '%s': %s", e->value, why);
			else
				g->has_after_meeting = true;
		} else if (strcmp(e->key, "nudge") == 0 || strcmp(e->key, "answer_within") == 0) {
			if (parse_wait(e->value, e->key[0] == 'n' ? &g->nudge : &g->answer_within,
			    &why) < 0)
				ERR(p, e->line, "%s: '%s': %s", e->key, e->value, why);
		} else if (known(e->key, contact_keys, NKEYS(contact_keys))) {
			ERR(p, e->line, "'%s' cannot be set for a group (only cadence, reason, paused, after_meeting, nudge and answer_within)", e->key);
		} else {
			unknown_key(p, s->name, e, group_keys, NKEYS(group_keys));
		}
	}
}

static const struct group *
find_group(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->ngroups; i++)
		if (strcmp(cfg->groups[i].name, name) == 0)
			return &cfg->groups[i];
	return NULL;
}

static void
parse_emails(struct pctx *p, struct contact *c, const struct ini_entry *e)
{
	const char *v = e->value;

	while (*v) {
		size_t n;
		char *one;

		v = skip_ws(v);
		n = strcspn(v, ",");
		while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			n--;
		one = xstrndup(v, n);
		if (one[0] == '\0') {
			ERR(p, e->line, "email: empty entry in the list");
			free(one);
		} else if (one[0] == '@' ? !addr_domain_valid(one + 1) : !addr_valid(one)) {
			ERR(p, e->line, "email: '%s' is neither an address nor \"@domain\"", one);
			free(one);
		} else {
			c->emails = xrealloc(c->emails, (c->nemails + 1) * sizeof *c->emails);
			c->emails[c->nemails++] = one;
		}
		v += strcspn(v, ",");
		if (*v == ',')
			v++;
	}
}

static void
parse_birthday(struct pctx *p, struct contact *c, const struct ini_entry *e)
{
	const char *v = e->value;
	int day, y, m, d;

	if (day_parse(v, &day) == 0) {
		day_to_ymd(day, &y, &m, &d);
		c->bday_year = y;
		c->bday_month = m;
		c->bday_day = d;
		return;
	}
	if (strlen(v) == 5 && isdigit((unsigned char)v[0]) && isdigit((unsigned char)v[1]) &&
	    v[2] == '-' && isdigit((unsigned char)v[3]) && isdigit((unsigned char)v[4])) {
		m = (v[0] - '0') * 10 + (v[1] - '0');
		d = (v[3] - '0') * 10 + (v[4] - '0');
		if (day_valid_ymd(2000, m, d)) {   /* a leap year: 02-29 is valid */
			c->bday_year = 0;
			c->bday_month = m;
			c->bday_day = d;
			return;
		}
	}
	ERR(p, e->line, "birthday: expected YYYY-MM-DD or MM-DD, got '%s'", v);
}

static void
parse_contact(struct pctx *p, const struct ini_section *s, struct contact *c)
{
	const struct ini_entry *email = NULL, *group = NULL;
	bool paused_set = false;
	const char *why, *rest;

	memset(c, 0, sizeof *c);
	c->nudge = c->answer_within = -1;
	c->id = xstrdup(s->name + strlen("contact:"));
	c->line = s->line;
	c->last = DAY_NONE;
	c->once_day = DAY_NONE;
	for (size_t i = 0; i < s->count; i++) {
		const struct ini_entry *e = &s->entries[i];
		const char *v = e->value;

		if (strcmp(e->key, "name") == 0) {
			if (v[0] == '\0')
				ERR(p, e->line, "name: empty");
			else
				set_str(&c->name, v);
		} else if (strcmp(e->key, "email") == 0) {
			email = e;
			parse_emails(p, c, e);
		} else if (strcmp(e->key, "group") == 0) {
			group = e;
		} else if (strcmp(e->key, "cadence") == 0) {
			if (cadence_parse(v, &c->cadence, &why) < 0)
				ERR(p, e->line, "cadence: '%s': %s", v, why);
			else {
				c->has_cadence = true;
				set_str(&c->own_cadence_text, v);
				c->cadence_text = c->own_cadence_text;
			}
		} else if (strcmp(e->key, "reason") == 0) {
			set_str(&c->own_reason, v);
			c->reason = c->own_reason;
		} else if (strcmp(e->key, "last") == 0) {
			if (day_parse(v, &c->last) < 0)
				ERR(p, e->line, "last: expected a date YYYY-MM-DD, got '%s'", v);
		} else if (strcmp(e->key, "birthday") == 0) {
			parse_birthday(p, c, e);
		} else if (strcmp(e->key, "met") == 0) {
			rest = day_parse_prefix(v, &c->met_day);
			c->met_minute = 0;
			if (rest != NULL && *rest != '\0')
				rest = parse_hhmm(skip_ws(rest), &c->met_minute);
			if (rest == NULL || *rest != '\0')
				ERR(p, e->line, "met: expected \"YYYY-MM-DD HH:MM\" or \"YYYY-MM-DD\", got '%s'", v);
			else
				c->has_met = true;
		} else if (strcmp(e->key, "once") == 0) {
			rest = day_parse_prefix(v, &c->once_day);
			if (rest == NULL || (*rest != '\0' && *rest != ' ' && *rest != '\t')) {
				ERR(p, e->line, "once: expected \"YYYY-MM-DD what to do\", got '%s'", v);
				c->once_day = DAY_NONE;
			} else {
				rest = skip_ws(rest);
				set_str(&c->once_text, *rest ? rest : "Follow up");
			}
		} else if (strcmp(e->key, "paused") == 0) {
			if (parse_paused(v, &c->paused, &c->paused_until) < 0)
				ERR(p, e->line, "paused: expected yes, no or \"until YYYY-MM-DD\", got '%s'", v);
			paused_set = true;
		} else if (strcmp(e->key, "after_meeting") == 0) {
			if (parse_after_meeting(v, c->after_meeting, &c->nafter_meeting, &why) < 0)
				ERR(p, e->line, "after_meeting: '%s': %s", v, why);
			else
				c->has_after_meeting = true;
		} else if (strcmp(e->key, "nudge") == 0 || strcmp(e->key, "answer_within") == 0) {
			if (parse_wait(v, e->key[0] == 'n' ? &c->nudge : &c->answer_within, &why) < 0)
				ERR(p, e->line, "%s: '%s': %s", e->key, v, why);
		} else {
			unknown_key(p, s->name, e, contact_keys, NKEYS(contact_keys));
		}
	}
	if (c->name == NULL)
		c->name = xstrdup(c->id);
	if (email == NULL)
		ERR(p, s->line, "[%s]: missing 'email'", s->name);
	if (group != NULL) {
		const struct group *g = find_group(p->cfg, group->value);

		if (g == NULL) {
			ERR(p, group->line, "group: no [group:%s] section", group->value);
		} else {
			c->group = g;
			if (!c->has_cadence && g->has_cadence) {
				c->has_cadence = true;
				c->cadence = g->cadence;
				c->cadence_text = g->cadence_text;
			}
			if (c->reason == NULL)
				c->reason = g->reason;
			if (!paused_set && g->paused_set) {
				c->paused = g->paused;
				c->paused_until = g->paused_until;
			}
			if (c->nudge < 0)
				c->nudge = g->nudge;
			if (c->answer_within < 0)
				c->answer_within = g->answer_within;
			if (!c->has_after_meeting && g->has_after_meeting) {
				c->has_after_meeting = true;
				memcpy(c->after_meeting, g->after_meeting, sizeof c->after_meeting);
				c->nafter_meeting = g->nafter_meeting;
			}
		}
	}
}

/* ---- the file ------------------------------------------------------------ */

static const char *const section_types[] = {
	"followupd", "imap", "smtp", "calendar", "group:", "contact:", "imap:",
	"meetings:", "meetings",
};

static void
unknown_section(struct pctx *p, const struct ini_section *s)
{
	const char *colon = strchr(s->name, ':');
	char type[64];
	const char *best;

	snprintf(type, sizeof type, "%.*s", colon ? (int)(colon - s->name + 1) :
	    (int)strlen(s->name), s->name);
	best = strdist_closest(type, section_types, NKEYS(section_types));
	if (best != NULL)
		ERR(p, s->line, "unknown section [%s] (did you mean [%s%s]?)", s->name,
		    best, colon && strchr(best, ':') ? colon + 1 : "");
	else
		ERR(p, s->line, "unknown section [%s]", s->name);
}

static bool
valid_id(const char *id)
{
	if (*id == '\0')
		return false;
	for (; *id; id++)
		if (!isalnum((unsigned char)*id) && strchr("_-.", *id) == NULL)
			return false;
	return true;
}

static void
set_defaults(struct config *cfg, const struct config_env *env)
{
	cfg->timezone = xstrdup(env->system_zone ? env->system_zone : "UTC");
	cfg->digest_minute = 7 * 60 + 30;
	cfg->digest_days = 0x7f;
	cfg->digest_limit = 12;
	cfg->horizon = (struct span){ 7, SPAN_DAY };
	cfg->max_recipients = 10;
	cfg->after_meeting[0] = (struct meeting_step){ VIA_EMAIL, 24 * 3600 };
	cfg->after_meeting[1] = (struct meeting_step){ VIA_CARD, 72 * 3600 };
	cfg->nafter_meeting = 2;
	cfg->card_lead = (struct span){ 5, SPAN_DAY };
	cfg->calendar.horizon = (struct span){ 90, SPAN_DAY };
	cfg->calendar.all_day = true;
	cfg->calendar.invites = true;
}

static char *
default_state_dir(const struct config_env *env)
{
	if (env->state_directory && env->state_directory[0] == '/')
		return xstrndup(env->state_directory, strcspn(env->state_directory, ":"));
	if (env->xdg_state_home && env->xdg_state_home[0] == '/')
		return xasprintf("%s/followupd", env->xdg_state_home);
	if (env->home && env->home[0] == '/')
		return xasprintf("%s/.local/state/followupd", env->home);
	return xstrdup("/var/lib/followupd");
}

static void
index_contacts(struct pctx *p)
{
	struct config *cfg = p->cfg;

	for (size_t i = 0; i < cfg->ncontacts; i++) {
		struct contact *c = &cfg->contacts[i];
		/* ids are unique: the INI reader refuses a section defined twice */
		hmap_put(&cfg->by_id, c->id, (void *)(uintptr_t)(i + 1));
		for (size_t j = 0; j < c->nemails; j++) {
			size_t other;

			if (addr_index_add(&cfg->index, c->emails[j], i, &other) < 0) {
				const struct contact *o = &cfg->contacts[other];

				if (other == i)
					ERR(p, c->line, "[contact:%s]: '%s' is listed twice",
					    c->id, c->emails[j]);
				else
					ERR(p, c->line, "[contact:%s]: '%s' already belongs to [contact:%s] (line %d)",
					    c->id, c->emails[j], o->id, o->line);
			}
		}
	}
}

struct config *
config_parse(const char *file, const char *text, size_t len,
    const struct config_env *env, struct diag *d)
{
	struct config *cfg = xcalloc(1, sizeof *cfg);
	struct pctx p = { file, env, d, cfg };
	const struct ini_section *main_sec = NULL;
	struct ini ini;
	size_t ncontacts = 0, ngroups = 0;
	bool any_wait;
	int before = d->count;

	cfg->file = xstrdup(file);
	set_defaults(cfg, env);
	ini_parse(&ini, file, text, len, d);

	for (size_t i = 0; i < ini.count; i++) {
		const char *n = ini.sections[i].name;

		if (strncmp(n, "contact:", 8) == 0)
			ncontacts++;
		else if (strncmp(n, "group:", 6) == 0)
			ngroups++;
	}
	cfg->contacts = xcalloc(ncontacts, sizeof *cfg->contacts);
	cfg->groups = xcalloc(ngroups, sizeof *cfg->groups);

	/* Groups first: a contact may name a group defined further down. */
	for (size_t i = 0; i < ini.count; i++) {
		const struct ini_section *s = &ini.sections[i];

		if (strncmp(s->name, "group:", 6) == 0) {
			if (!valid_id(s->name + 6))
				ERR(&p, s->line, "[%s]: a group name is letters, digits, '_', '-' and '.'", s->name);
			else
				parse_group(&p, s, &cfg->groups[cfg->ngroups++]);
		}
	}
	for (size_t i = 0; i < ini.count; i++) {
		const struct ini_section *s = &ini.sections[i];
		const char *n = s->name;

		if (strcmp(n, "followupd") == 0) {
			main_sec = s;
			parse_main(&p, s);
		} else if (strcmp(n, "imap") == 0) {
			parse_imap(&p, s, "default");
		} else if (strncmp(n, "imap:", 5) == 0) {
			if (!valid_id(n + 5))
				ERR(&p, s->line, "[%s]: an account name is letters, digits, '_', '-' and '.'", n);
			else
				parse_imap(&p, s, n + 5);
		} else if (strcmp(n, "smtp") == 0) {
			cfg->has_smtp = true;
			parse_server(&p, s, &cfg->smtp, NULL, NULL);
		} else if (strcmp(n, "calendar") == 0) {
			parse_calendar(&p, s);
		} else if (strcmp(n, "meetings") == 0) {
			parse_meetings(&p, s, "default");
		} else if (strncmp(n, "meetings:", 9) == 0) {
			if (!valid_id(n + 9))
				ERR(&p, s->line, "[%s]: a calendar name is letters, digits, '_', '-' and '.'", n);
			else
				parse_meetings(&p, s, n + 9);
		} else if (strncmp(n, "contact:", 8) == 0) {
			if (!valid_id(n + 8))
				ERR(&p, s->line, "[%s]: a contact id is letters, digits, '_', '-' and '.'", n);
			else
				parse_contact(&p, s, &cfg->contacts[cfg->ncontacts++]);
		} else if (strncmp(n, "group:", 6) != 0) {
			unknown_section(&p, s);
		}
	}
	if (main_sec == NULL)
		ERR(&p, 1, "missing [followupd] section (with at least 'me = Name <address>')");
	else if (cfg->me_addr == NULL && ini_find(main_sec, "me") == NULL)
		ERR(&p, main_sec->line, "[followupd]: missing 'me' (your name and address)");
	index_contacts(&p);
	any_wait = cfg->nudge > 0 || cfg->answer_within > 0;
	for (size_t i = 0; i < cfg->ncontacts; i++) {
		struct contact *c = &cfg->contacts[i];

		if (!c->has_after_meeting) {
			memcpy(c->after_meeting, cfg->after_meeting, sizeof c->after_meeting);
			c->nafter_meeting = cfg->nafter_meeting;
		}
		if (c->nudge < 0)
			c->nudge = cfg->nudge;
		if (c->answer_within < 0)
			c->answer_within = cfg->answer_within;
		any_wait = any_wait || c->nudge > 0 || c->answer_within > 0;
	}
	/* The inbox is read where something needs it, unless said otherwise. */
	for (size_t i = 0; i < cfg->naccounts; i++)
		if (!cfg->accounts[i].inbox_set && any_wait)
			cfg->accounts[i].inbox = xstrdup("INBOX");
	ini_free(&ini);

	if (d->count > before) {
		config_free(cfg);
		return NULL;
	}
	if (cfg->digest_to == NULL)
		cfg->digest_to = xstrdup(cfg->me_addr);
	if (cfg->state_dir == NULL)
		cfg->state_dir = default_state_dir(env);
	if (cfg->calendar.file == NULL)
		cfg->calendar.file = xasprintf("%s/followups.ics", cfg->state_dir);
	if (cfg->calendar.token_file == NULL)
		cfg->calendar.token_file = xasprintf("%s/feed.token", cfg->state_dir);
	return cfg;
}

void
config_apply_zone(struct config *cfg)
{
	for (size_t i = 0; i < cfg->ncontacts; i++) {
		struct contact *c = &cfg->contacts[i];

		if (c->has_met)
			c->met_at = tz_time_of(c->met_day, c->met_minute);
	}
}

/* Who may change what followupd reads, and so the commands it runs
 * (password_command, token_command): only the user running it and root.
 * A file or directory writable by group or others, or owned by someone
 * else, is refused; a directory with the sticky bit (/tmp) is not, as
 * others cannot replace a file in it. */
static bool
owner_ok(const char *path, const char *what, const struct stat *st, bool sticky_ok,
    struct diag *d)
{
	uid_t me = geteuid();

	if (st->st_uid != me && st->st_uid != 0) {
		diag_add(d, path, 0, EX_NOPERM,
		    "%s is owned by uid %lu, not by the user running followupd (uid %lu) "
		    "or root; its owner could make followupd run commands",
		    what, (unsigned long)st->st_uid, (unsigned long)me);
		return false;
	}
	if ((st->st_mode & 022) != 0 && !(sticky_ok && (st->st_mode & S_ISVTX) != 0)) {
		diag_add(d, path, 0, EX_NOPERM,
		    "%s is writable by group or others (mode %04o), who could make "
		    "followupd run commands (chmod go-w)",
		    what, (unsigned)(st->st_mode & 07777));
		return false;
	}
	return true;
}

static bool
file_safe(const char *path, const struct stat *st, struct diag *d)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	struct stat dst;
	bool ok;

	if (!owner_ok(path, "the configuration", st, false, d))
		return false;
	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, (size_t)(slash - path));
	if (stat(dir, &dst) < 0) {
		diag_add(d, path, 0, EX_CONFIG, "cannot check its directory %s: %s", dir,
		    strerror(errno));
		free(dir);
		return false;
	}
	ok = owner_ok(path, "its directory", &dst, true, d);
	free(dir);
	return ok;
}

struct config *
config_load(const char *path, struct diag *d)
{
	struct config_env env = {0};
	struct config *cfg;
	struct buf text = {0};
	char chunk[65536], *err = NULL;
	struct stat st;
	size_t n;
	FILE *f;

	f = fopen(path, "re");
	if (f == NULL) {
		diag_add(d, path, 0, EX_CONFIG, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) < 0) {
		diag_add(d, path, 0, EX_CONFIG, "cannot stat: %s", strerror(errno));
		fclose(f);
		return NULL;
	}
	if (!file_safe(path, &st, d)) {
		fclose(f);
		return NULL;
	}
	env.file_mode = st.st_mode;
	/* One allocation of the right size: growing by doubling would hold
	 * the old and the new copy at once, which for a large file is most of
	 * the peak memory. */
	if (S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size < (off_t)1 << 30)
		buf_reserve(&text, (size_t)st.st_size + 1);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&text, chunk, n);
	if (ferror(f)) {
		diag_add(d, path, 0, EX_CONFIG, "cannot read: %s", strerror(errno));
		fclose(f);
		buf_free(&text);
		return NULL;
	}
	fclose(f);
	char *zone = tz_system_name();
	env.system_zone = zone;
	env.state_directory = getenv("STATE_DIRECTORY");
	env.xdg_state_home = getenv("XDG_STATE_HOME");
	env.home = getenv("HOME");
	cfg = config_parse(path, buf_str(&text), text.len, &env, d);
	buf_free(&text);
	free(zone);
	if (cfg == NULL)
		return NULL;
	if (tz_use(cfg->timezone, &err) < 0) {
		diag_add(d, path, 0, EX_CONFIG, "%s", err);
		free(err);
		config_free(cfg);
		return NULL;
	}
	config_apply_zone(cfg);
	return cfg;
}

const struct contact *
config_contact(const struct config *cfg, const char *id)
{
	void *v = hmap_get(&cfg->by_id, id);

	return v ? &cfg->contacts[(uintptr_t)v - 1] : NULL;
}

const struct contact *
config_contact_by_addr(const struct config *cfg, const char *addr)
{
	size_t i;

	return addr_index_find(&cfg->index, addr, &i) == 0 ? &cfg->contacts[i] : NULL;
}

char *
config_user_path(void)
{
	const char *env = getenv("FOLLOWUPD_CONFIG");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/followupd/followupd.conf", xdg);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.config/followupd/followupd.conf", home);
	return NULL;
}

char *
config_default_path(void)
{
	const char *env = getenv("FOLLOWUPD_CONFIG");
	char *p = config_user_path();

	/* $FOLLOWUPD_CONFIG whether it exists or not; the per-user file
	 * only when it exists. */
	if (p != NULL && ((env != NULL && *env != '\0') || access(p, F_OK) == 0))
		return p;
	free(p);
	return xstrdup("/etc/followupd/followupd.conf");
}

static void
server_free(struct server *s)
{
	free(s->url);
	free(s->host);
	free(s->user);
	free(s->password_command);
	free(s->password_file);
	if (s->password != NULL) {
		explicit_bzero(s->password, strlen(s->password));
		free(s->password);
	}
	free(s->token_command);
	free(s->ca_file);
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->ncontacts; i++) {
		struct contact *c = &cfg->contacts[i];

		free(c->id);
		free(c->name);
		for (size_t j = 0; j < c->nemails; j++)
			free(c->emails[j]);
		free(c->emails);
		free(c->once_text);
		free(c->own_cadence_text);
		free(c->own_reason);
	}
	free(cfg->contacts);
	for (size_t i = 0; i < cfg->ngroups; i++) {
		free(cfg->groups[i].name);
		free(cfg->groups[i].cadence_text);
		free(cfg->groups[i].reason);
	}
	free(cfg->groups);
	for (size_t i = 0; i < cfg->naccounts; i++) {
		free(cfg->accounts[i].name);
		free(cfg->accounts[i].sent_folder);
		free(cfg->accounts[i].inbox);
		server_free(&cfg->accounts[i].server);
	}
	free(cfg->accounts);
	for (size_t i = 0; i < cfg->nmeetings; i++) {
		free(cfg->meetings[i].name);
		free(cfg->meetings[i].dir);
		server_free(&cfg->meetings[i].server);
	}
	free(cfg->meetings);
	server_free(&cfg->smtp);
	free(cfg->calendar.file);
	free(cfg->calendar.listen_host);
	free(cfg->calendar.token_file);
	free(cfg->calendar.tls_cert);
	free(cfg->calendar.tls_key);
	addr_index_free(&cfg->index);
	hmap_free(&cfg->by_id);
	free(cfg->file);
	free(cfg->me_name);
	free(cfg->me_addr);
	free(cfg->timezone);
	free(cfg->state_dir);
	free(cfg->digest_to);
	free(cfg);
}
