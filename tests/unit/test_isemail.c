/* isemail's table of 164 addresses (../shared/corpora/isemail/tests.xml):
 * every one that is not an error must be accepted, every error rejected,
 * and what comes out must parse again to itself. Plain TAP, so that a
 * missing corpus skips the file ("1..0 # SKIP"). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mailaddr.h"

static void
put_utf8(struct buf *b, unsigned long cp)
{
	if (cp >= 0x2400 && cp < 0x2420) {   /* the table's stand-ins for controls */
		buf_putc(b, (char)(cp - 0x2400));
	} else if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		buf_putc(b, (char)(0xc0 | (cp >> 6)));
		buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_putc(b, (char)(0xe0 | (cp >> 12)));
		buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_putc(b, (char)(0xf0 | (cp >> 18)));
		buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/* XML character data with entities decoded. */
static void
xml_text(const char *s, const char *e, struct buf *out)
{
	static const struct { const char *name; char c; } named[] = {
		{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
		{ "&quot;", '"' }, { "&apos;", '\'' },
	};

	buf_reset(out);
	while (s < e) {
		size_t i;

		if (*s != '&') {
			buf_putc(out, *s++);
			continue;
		}
		if (s[1] == '#') {
			char *end;
			unsigned long cp = s[2] == 'x' ? strtoul(s + 3, &end, 16) :
			    strtoul(s + 2, &end, 10);

			if (*end != ';')
				abort();
			put_utf8(out, cp);
			s = end + 1;
			continue;
		}
		for (i = 0; i < sizeof named / sizeof named[0]; i++)
			if (strncmp(s, named[i].name, strlen(named[i].name)) == 0)
				break;
		if (i == sizeof named / sizeof named[0])
			abort();
		buf_putc(out, named[i].c);
		s += strlen(named[i].name);
	}
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_take(&b);
}

static int
run(void)
{
	const char *dir = getenv("FOLLOWUPD_CORPORA");
	char *path, *xml, *p;
	size_t len, tests = 0, rejected = 0, wrong = 0;
	struct buf addr = { 0 }, cat = { 0 };

	if (dir == NULL)
		dir = "../shared/corpora";
	path = xasprintf("%s/isemail/tests.xml", dir);
	xml = slurp(path, &len);
	if (xml == NULL) {
		/* TAP's way of skipping a whole file. */
		printf("1..0 # SKIP %s is absent\n", path);
		free(path);
		return 0;
	}
	free(path);
	for (p = strstr(xml, "<test id=\""); p != NULL; p = strstr(p + 1, "<test id=\"")) {
		char *end = strstr(p, "</test>"), *a, *c, *out = NULL;
		const char *why = NULL;
		bool must_accept, accepted;

		if (end == NULL)
			abort();
		*end = '\0';
		a = strstr(p, "<address>");
		if (a != NULL)
			xml_text(a + 9, strstr(a, "</address>"), &addr);
		else {
			if (strstr(p, "<address/>") == NULL)
				abort();
			buf_reset(&addr);
		}
		c = strstr(p, "<category>");
		if (c == NULL)
			abort();
		xml_text(c + 10, strstr(c, "</category>"), &cat);
		must_accept = strcmp(buf_str(&cat), "ISEMAIL_ERR") != 0;
		accepted = mailaddr_parse_spec(buf_str(&addr), addr.len, &out, &why) == 0;
		if (accepted != must_accept) {
			printf("# test %d (%s) %s: %s\n", atoi(p + 10),
			    buf_str(&cat), accepted ? "accepted" : "rejected",
			    accepted ? out : why);
			wrong++;
		}
		if (accepted) {
			/* What comes out is itself a clean address. */
			char *again = NULL;

			if (mailaddr_parse_spec(out, strlen(out), &again, &why) != 0 ||
			    strcmp(again, out) != 0) {
				printf("# test %d: '%s' does not come out the same when parsed again\n",
				    atoi(p + 10), out);
				wrong++;
			}
			free(again);
		}
		rejected += !accepted;
		tests++;
		free(out);
		*end = '<';
		p = end;
	}
	printf("1..2\n# isemail: %zu addresses, %zu rejected, %zu misjudged\n",
	    tests, rejected, wrong);
	printf("%s 1 - the whole table was read (%zu of 164 addresses)\n",
	    tests == 164 ? "ok" : "not ok", tests);
	printf("%s 2 - every address accepted or rejected as the table says\n",
	    wrong == 0 ? "ok" : "not ok");
	buf_free(&addr);
	buf_free(&cat);
	free(xml);
	return 0;
}

int
main(void)
{
	return run();
}
