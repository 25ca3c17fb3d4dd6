/* followupd init: writes a starter configuration, asking on a terminal
 * or from options (--non-interactive), and offers the first sync and
 * `suggest`. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include "afile.h"
#include "cmd.h"
#include "init.h"
#include "tz.h"

#define INIT_USAGE "init [--non-interactive] [--force] [--me ADDRESS] [--timezone ZONE]\n" \
	"    [--imap URL] [--imap-user USER] [--smtp URL|none] [--smtp-user USER]\n" \
	"    [--password-file PATH] [--oauth2 COMMAND]"

/* One answer, with def when empty; NULL at end of input. */
static char *
ask(struct app *app, const char *question, const char *def, bool secret)
{
	struct termios old, quiet;
	bool echo_off = false;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (def != NULL && *def != '\0')
		fprintf(app->out, "%s [%s]: ", question, def);
	else
		fprintf(app->out, "%s: ", question);
	fflush(app->out);
	if (secret && tcgetattr(STDIN_FILENO, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
	}
	n = getline(&line, &cap, stdin);
	if (echo_off) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', app->out);
	}
	if (n < 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	{
		char *s = line, *e;

		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		memmove(line, s, strlen(s) + 1);
	}
	if (*line == '\0' && def != NULL) {
		free(line);
		return xstrdup(def);
	}
	return line;
}

/* Keeps a string for the life of the command. */
struct strs {
	char *v[16];
	size_t n;
};

static const char *
keep(struct strs *k, char *s)
{
	if (k->n < sizeof k->v / sizeof k->v[0])
		k->v[k->n++] = s;
	return s;
}

/* Checks the text as `followupd check` would, printing the errors. */
static int
validate(struct app *app, const char *path, const char *text)
{
	struct config_env env = { .file_mode = 0600 };
	struct diag d = { 0 };
	char *zone = tz_system_name();
	struct config *cfg;

	env.system_zone = zone;
	env.home = getenv("HOME");
	cfg = config_parse(path, text, strlen(text), &env, &d);
	free(zone);
	if (cfg == NULL) {
		fputs(buf_str(&d.text), app->err);
		diag_free(&d);
		return -1;
	}
	diag_free(&d);
	config_free(cfg);
	return 0;
}

static int
write_password(const char *file, const char *password, char **err)
{
	char *line = xasprintf("%s\n", password);
	bool changed;
	int rc = afile_replace(file, line, strlen(line), 0600, &changed, err);

	explicit_bzero(line, strlen(line));
	free(line);
	return rc;
}

int
cmd_init(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "non-interactive", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "me", required_argument, NULL, 'm' },
		{ "timezone", required_argument, NULL, 't' },
		{ "imap", required_argument, NULL, 'i' },
		{ "imap-user", required_argument, NULL, 'u' },
		{ "smtp", required_argument, NULL, 's' },
		{ "smtp-user", required_argument, NULL, 'U' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "oauth2", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct init_answers a = { 0 };
	struct init_provider prov;
	struct buf gi = { 0 }, gs = { 0 }, text = { 0 };
	struct strs k = { 0 };
	const char *smtp_arg = NULL;
	char *path = NULL, *addr = NULL, *dir, *err = NULL, *password = NULL;
	bool interactive, force = false, batch = false, changed;
	int c, status = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'n': batch = true; break;
		case 'f': force = true; break;
		case 'm': a.me = optarg; break;
		case 't': a.timezone = optarg; break;
		case 'i': a.imap_url = optarg; break;
		case 'u': a.imap_user = optarg; break;
		case 's': smtp_arg = optarg; break;
		case 'U': a.smtp_user = optarg; break;
		case 'p': a.imap_password_file = a.smtp_password_file = optarg; break;
		case 'o': a.oauth2 = true; a.token_command = optarg; break;
		default: return cmd_usage_error(app, INIT_USAGE);
		}
	}
	if (optind != argc)
		return cmd_usage_error(app, INIT_USAGE);
	interactive = !batch && isatty(STDIN_FILENO);
	if (!interactive && a.me == NULL) {
		fprintf(app->err, "followupd: init: without a terminal to ask on, --me is needed "
		    "(with --non-interactive)\n");
		return EX_USAGE;
	}
	path = app->config_given ? xstrdup(app->config_path) : config_user_path();
	if (path == NULL) {
		fprintf(app->err, "followupd: init: neither XDG_CONFIG_HOME nor HOME is an absolute "
		    "path: say where with -c FILE\n");
		return EX_USAGE;
	}
	if (access(path, F_OK) == 0 && !force) {
		fprintf(app->err, "followupd: %s exists: not overwritten (--force replaces it)\n", path);
		free(path);
		return EX_CANTCREAT;
	}
	if (interactive) {
		fprintf(app->out, "Writing a configuration for followupd to %s.\n"
		    "Press Enter to take the value in brackets.\n\n", path);
		while (a.me == NULL) {
			char *me = ask(app, "Your name and address (Jane Doe <jane@example.org>)",
			    NULL, false);

			if (me == NULL)
				goto eof;
			if ((addr = init_address(me)) == NULL) {
				fprintf(app->out, "That has no address in it: try again.\n");
				free(me);
				continue;
			}
			a.me = keep(&k, me);
		}
	}
	if (addr == NULL && (addr = init_address(a.me)) == NULL) {
		fprintf(app->err, "followupd: init: --me '%s' has no address\n", a.me);
		status = EX_USAGE;
		goto done;
	}
	init_provider(addr, &prov, &gi, &gs);
	if (interactive && prov.name != NULL)
		fprintf(app->out, "%s: %s and %s.\n%s\n\n", prov.name, prov.imap_url, prov.smtp_url,
		    prov.note != NULL ? prov.note : "");
	if (prov.name != NULL && strncmp(prov.name, "Outlook", 7) == 0 && a.token_command == NULL &&
	    a.imap_password_file == NULL)
		a.oauth2 = true;
	dir = xstrndup(path, strrchr(path, '/') != NULL ? (size_t)(strrchr(path, '/') - path) : 0);
	keep(&k, dir);
	if (interactive) {
		char *v;

		if ((v = ask(app, "IMAP server", a.imap_url ? a.imap_url : prov.imap_url, false)) == NULL)
			goto eof;
		a.imap_url = keep(&k, v);
		if ((v = ask(app, "IMAP login", a.imap_user ? a.imap_user : addr, false)) == NULL)
			goto eof;
		a.imap_user = keep(&k, v);
		if ((v = ask(app, "SMTP server for the digest ('none': no digest)",
		    smtp_arg ? smtp_arg : prov.smtp_url, false)) == NULL)
			goto eof;
		smtp_arg = keep(&k, v);
		if (strcmp(smtp_arg, "none") != 0) {
			if ((v = ask(app, "SMTP login", a.smtp_user ? a.smtp_user : a.imap_user,
			    false)) == NULL)
				goto eof;
			a.smtp_user = keep(&k, v);
		}
		if (a.oauth2) {
			if ((v = ask(app, "A command that prints an OAuth 2.0 access token "
			    "(empty: fill it in later)", a.token_command, false)) == NULL)
				goto eof;
			a.token_command = *v != '\0' ? keep(&k, v) : (free(v), NULL);
		} else if (a.imap_password_file == NULL) {
			password = ask(app, "Password (an app password where the provider "
			    "has them; empty: write it to the file later)", NULL, true);
			if (password == NULL)
				goto eof;
		}
		{
			char *zone = tz_system_name();

			if ((v = ask(app, "Time zone", a.timezone ? a.timezone : zone, false)) == NULL) {
				free(zone);
				goto eof;
			}
			free(zone);
			a.timezone = keep(&k, v);
		}
	}
	if (a.imap_url == NULL)
		a.imap_url = prov.imap_url;
	if (a.imap_user == NULL)
		a.imap_user = addr;
	a.smtp_url = smtp_arg == NULL ? prov.smtp_url : strcmp(smtp_arg, "none") == 0 ? NULL :
	    smtp_arg;
	if (a.smtp_user == NULL)
		a.smtp_user = a.imap_user;
	if (a.imap_password_file == NULL)
		a.imap_password_file = a.smtp_password_file =
		    keep(&k, xasprintf("%s/password", *dir ? dir : "."));
	init_render(&a, &text);
	if (validate(app, path, buf_str(&text)) < 0) {
		status = EX_CONFIG;
		goto done;
	}
	if (*dir != '\0' && afile_mkdirs(dir, &err) < 0) {
		fprintf(app->err, "followupd: %s\n", err);
		free(err);
		status = EX_CANTCREAT;
		goto done;
	}
	if (afile_replace(path, buf_str(&text), text.len, 0600, &changed, &err) < 0 ||
	    (password != NULL && *password != '\0' &&
	    write_password(a.imap_password_file, password, &err) < 0)) {
		fprintf(app->err, "followupd: %s\n", err);
		free(err);
		status = EX_CANTCREAT;
		goto done;
	}
	if (app->verbosity >= 0) {
		fprintf(app->out, "Wrote %s (mode 0600).\n", path);
		if (password != NULL && *password != '\0')
			fprintf(app->out, "Wrote the password to %s (mode 0600).\n", a.imap_password_file);
		fprintf(app->out, "Next:\n");
		if (a.oauth2 && a.token_command == NULL)
			fprintf(app->out, "  - set token_command in %s\n", path);
		else if (!a.oauth2 && (password == NULL || *password == '\0') &&
		    access(a.imap_password_file, F_OK) != 0)
			fprintf(app->out, "  - put the password in %s (mode 0600)\n", a.imap_password_file);
		fprintf(app->out,
		    "  - followupd check\n"
		    "  - followupd sync --progress     reads your Sent folder\n"
		    "  - followupd suggest             then proposes contacts to paste into %s\n"
		    "  - systemctl --user enable --now followupd   (see followupd(8), SYSTEMD)\n",
		    path);
	}
	if (interactive && (a.oauth2 ? a.token_command != NULL :
	    access(a.imap_password_file, R_OK) == 0)) {
		char *v = ask(app, "Read your Sent folder now, then suggest contacts? [Y/n]", "y", false);

		if (v != NULL && (*v == 'y' || *v == 'Y')) {
			char *sync_argv[] = { "sync", "--progress", NULL };
			char *sugg_argv[] = { "suggest", "--limit", "10", NULL };

			const char *saved = app->config_path;

			app->config_path = path;
			if ((status = cmd_sync(app, 2, sync_argv)) == 0)
				status = cmd_suggest(app, 3, sugg_argv);
			app->config_path = saved;
		}
		free(v);
	}
	goto done;
eof:
	fprintf(app->err, "\nfollowupd: init: end of input: nothing written\n");
	status = EX_USAGE;
done:
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	for (size_t i = 0; i < k.n; i++)
		free(k.v[i]);
	buf_free(&gi);
	buf_free(&gs);
	buf_free(&text);
	free(addr);
	free(path);
	return status;
}
