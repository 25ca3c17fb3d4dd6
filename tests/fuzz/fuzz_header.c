/* libFuzzer: a header block as an IMAP server would return it, through
 * scan_message (mailhdr, mailaddr, the date parser, the bulk rule and
 * contact matching) against a small fixed configuration. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct config *cfg;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_result r;
	const char *why = NULL;

	if (cfg == NULL) {
		static const char text[] = "[followupd]\nme = Jane <jane@example.org>\n"
		    "timezone = UTC\nmax_recipients = 3\n"
		    "[contact:a]\nemail = alice@example.com, @acme.example\n";
		static const struct config_env env = { 0600, "UTC", NULL, NULL, "/tmp" };
		struct diag d = { 0 };

		cfg = config_parse("fuzz.conf", text, sizeof text - 1, &env, &d);
		if (cfg == NULL)
			abort();
	}
	if (scan_message(cfg, (const char *)data, size, 1700000000, &r, &why) == 0) {
		if (r.key == NULL || (r.bulk && r.nhits != 0) || r.nhits > r.nrcpt)
			abort();
	}
	scan_result_free(&r);
	return 0;
}
