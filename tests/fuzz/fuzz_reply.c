/* libFuzzer: the text of a reply to the digest (reply_html_text,
 * reply_new_text, reply_parse_line on every line): the new text is a
 * prefix of the text's lines, and a command always names a contact. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "diag.h"
#include "reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct config *
fuzz_config(void)
{
	static const char text[] =
	    "[followupd]\nme = Jane <jane@example.org>\ntimezone = UTC\n"
	    "[contact:alice]\nname = Alice Smith\nemail = alice@example.com\ncadence = 2w\n"
	    "[contact:bob]\nemail = @bob.example\n";
	static const struct config_env env = { 0600, "UTC", NULL, NULL, "/tmp" };
	struct diag d = { 0 };
	struct config *cfg = config_parse("fuzz.conf", text, sizeof text - 1, &env, &d);

	diag_free(&d);
	return cfg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config *cfg;
	char *s = malloc(size + 1), *html, *text, *line, *save = NULL;

	if (cfg == NULL && (cfg = fuzz_config()) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	html = reply_html_text(s);
	free(html);
	text = reply_new_text(s);
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		struct reply_cmd cmd;
		char *why = NULL;
		int rc = reply_parse_line(cfg, line, &cmd, &why);

		if ((rc > 0 && cmd.who == NULL) || (rc < 0 && why == NULL))
			abort();
		if (rc > 0)
			reply_cmd_free(&cmd);
		free(why);
	}
	free(text);
	free(s);
	return 0;
}
