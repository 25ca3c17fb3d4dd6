/* libFuzzer: followupd.conf(5) text through config_parse: either a
 * configuration or diagnostics, never a crash or a leak. */
#include <stdint.h>
#include <stdlib.h>

#include "config.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct config_env env = { 0600, "UTC", NULL, "/tmp/state", "/tmp" };
	struct diag d = { 0 };
	struct config *cfg = config_parse("fuzz.conf", (const char *)data, size, &env, &d);

	if (cfg == NULL && d.status == 0)
		abort();   /* refused without saying why */
	config_free(cfg);
	diag_free(&d);
	return 0;
}
