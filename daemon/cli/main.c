/* followupd: follow-up reminders from your Sent folder. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"

static const char usage[] =
    "usage: followupd [-c FILE] [-v|-q] COMMAND [ARGS]\n"
    "  check [--imap]             validate the configuration (--imap: log in, show the Sent folder)\n"
    "  due [--date D] [--json] [--all]\n"
    "                             who is overdue / due / coming up\n"
    "  log WHO [--via V] [--date D] [--note TEXT]\n"
    "                             record an offline follow-up\n"
    "  snooze WHO DURATION|DATE   hide WHO's follow-ups until then\n"
    "  pause WHO [--until DATE]   pause WHO (indefinitely or until DATE)\n"
    "  resume WHO                 undo pause\n"
    "  status                     configuration, state, next digest, feed URL\n"
    "  sync [--progress] [--rescan] [--watch]\n"
    "                             read the Sent folder(s) and record follow-ups\n"
    "  digest [--date D] [--dry-run] [--force]\n"
    "                             build and send the digest of day D (today)\n"
    "  feed [--date D] [-o FILE] [--serve]\n"
    "                             write the calendar feed of day D (today), or serve it\n"
    "  suggest [--limit N]        people you write to often who are not contacts\n"
    "  run                        the daemon: watch, digest, invites, feed\n"
    "  init [--non-interactive] [--me ADDRESS] [--imap URL] [--smtp URL|none] ...\n"
    "                             write a starter configuration\n"
    "followupd --version | --help\n";

struct command {
	const char *name;
	int (*fn)(struct app *, int, char **);
};

static const struct command commands[] = {
	{ "check", cmd_check },
	{ "due", cmd_due },
	{ "log", cmd_log },
	{ "snooze", cmd_snooze },
	{ "pause", cmd_pause },
	{ "resume", cmd_resume },
	{ "status", cmd_status },
	{ "sync", cmd_sync },
	{ "digest", cmd_digest },
	{ "feed", cmd_feed },
	{ "suggest", cmd_suggest },
	{ "run", cmd_run },
	{ "init", cmd_init },
};

/* COMMAND -h, or --help anywhere among its arguments before "--". */
static bool
wants_help(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "-h") == 0)
		return true;
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0)
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct app app = { .out = stdout, .err = stderr };
	char *path = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+c:vqhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': app.config_path = optarg; app.config_given = true; break;
		case 'v': app.verbosity++; break;
		case 'q': app.verbosity = -1; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': printf("followupd %s\n", PACKAGE_VERSION); return 0;
		default: fputs(usage, stderr); return EX_USAGE;
		}
	}
	if (optind == argc) {
		fputs(usage, stderr);
		return EX_USAGE;
	}
	if (app.config_path == NULL)
		app.config_path = path = config_default_path();
	app.now = time(NULL);
	/* The libraries' process-wide set-up, before any thread: libcurl's
	 * (the mailer's and the calendars' transfers) and libxml2's (CalDAV
	 * answers). Never undone: the process ends. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	xmlInitParser();
	argc -= optind;
	argv += optind;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[0], commands[i].name) == 0) {
			char *help[] = { argv[0], "--help", NULL };

			if (wants_help(argc, argv)) {
				/* As git and systemctl: the command's usage, exit 0. */
				app.help = true;
				opterr = 0;
				argc = 2;
				argv = help;
			}
			rc = commands[i].fn(&app, argc, argv);
			free(path);
			fflush(stdout);
			return rc;
		}
	}
	free(path);
	fprintf(stderr, "followupd: unknown command '%s'\n%s", argv[0], usage);
	return EX_USAGE;
}
