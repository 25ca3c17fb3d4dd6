#include <string.h>
#include <strings.h>

#include "via.h"

static const char *const names[VIA_COUNT] = {
	"email", "call", "card", "meeting", "message", "other"
};

const char *
via_name(enum via v)
{
	return (unsigned)v < VIA_COUNT ? names[v] : "other";
}

int
via_parse(const char *s, size_t len, enum via *out)
{
	for (int i = 0; i < VIA_COUNT; i++) {
		if (strlen(names[i]) == len && strncasecmp(s, names[i], len) == 0) {
			*out = (enum via)i;
			return 0;
		}
	}
	return -1;
}
