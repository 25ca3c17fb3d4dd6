/* How fast fetchscan reads a sync's UID FETCH answer: N (default 100,000)
 * generated messages, headers of about 600 bytes (Date, Message-ID, To
 * with 1 to 5 recipients, Cc now and then, Subject, In-Reply-To and
 * References), as Dovecot writes them, held in memory and fed in chunks
 * of 64 KiB (reads from a socket), 4 KiB, and whole. The floor is
 * memchr counting the line ends of the same bytes. Best of RUNS (5).
 *
 * bench/fetchscan.sh builds and runs it; by hand:
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Idaemon/lib -Idaemon/pure -o /tmp/fsb \
 *       bench/fetchscan.c daemon/pure/fetchscan.c daemon/pure/day.c daemon/lib/buf.c
 *   /tmp/fsb [N] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "fetchscan.h"

static uint32_t seed = 7;
static size_t hdr_bytes;   /* of all the headers generated */

static uint32_t
rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

static void
address(struct buf *b)
{
	static const char *const first[] = { "Alice", "Bob", "Carol", "Dmitri", "Eve", "Fumiko",
	    "Gunnar", "Hélène" };
	static const char *const dom[] = { "example.com", "mail.example.org", "acme.example",
	    "uni-heidelberg.example.de" };
	unsigned f = rnd() % 8, d = rnd() % 4, k = rnd() % 3000;

	buf_printf(b, "%s Person%u <%s.person%u@%s>", first[f], k, first[f], k, dom[d]);
}

static void
message(struct buf *out, uint32_t uid)
{
	struct buf h = { 0 };
	unsigned nto = 1 + rnd() % 6;

	buf_printf(&h, "Date: Tue, %u Mar 2024 %02u:%02u:00 +0100\r\n", 1 + uid % 28,
	    uid % 24, uid % 60);
	buf_printf(&h, "Message-ID: <%08" PRIx32 ".%u@mail.example.org>\r\n", uid, rnd());
	buf_puts(&h, "To: ");
	for (unsigned i = 0; i < nto; i++) {
		if (i > 0)
			buf_puts(&h, ",\r\n ");
		address(&h);
	}
	buf_puts(&h, "\r\n");
	if (rnd() % 4 == 0) {
		buf_puts(&h, "Cc: ");
		address(&h);
		buf_puts(&h, "\r\n");
	}
	buf_printf(&h, "Subject: Re: the quarterly figures, part %u of the plan for next "
	    "year, with the\r\n corrections from the meeting on Tuesday\r\n", rnd() % 1000);
	buf_printf(&h, "In-Reply-To: <%u.%u@example.com>\r\n", rnd(), rnd());
	buf_printf(&h, "References: <%u.%u@example.com> <%u.%u@example.com>\r\n"
	    " <%u.%u@mail.example.org> <%u@x.example>\r\n", rnd(), rnd(), rnd(), rnd(), rnd(),
	    rnd(), rnd());
	buf_puts(&h, "\r\n");
	buf_printf(out, "* %" PRIu32 " FETCH (UID %" PRIu32 " INTERNALDATE \"%2u-Mar-2024 "
	    "%02u:%02u:07 +0100\" BODY[HEADER.FIELDS (DATE MESSAGE-ID TO CC BCC RESENT-TO "
	    "RESENT-CC SUBJECT IN-REPLY-TO REFERENCES)] {%zu}\r\n", uid, uid, 1 + uid % 28,
	    uid % 24, uid % 60, h.len);
	buf_append(out, h.data, h.len);
	hdr_bytes += h.len;
	buf_puts(out, ")\r\n");
	buf_free(&h);
}

struct sink {
	uint64_t uids, bytes;
	size_t dated;
};

static void
on_msg(void *arg, const struct fetchscan_msg *m)
{
	struct sink *k = arg;

	k->uids += m->uid;
	k->bytes += m->hdrlen;
	k->dated += m->has_date;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One pass in chunks of size chunk (0: whole); seconds. */
static double
pass(const struct buf *text, size_t chunk, size_t n)
{
	struct sink k = { 0 };
	struct fetchscan *s = fetchscan_new("A1", on_msg, &k);
	size_t off = 0, used;
	enum fetchscan_rc rc = FETCHSCAN_MORE;
	double t0 = now(), t;

	while (rc == FETCHSCAN_MORE && off < text->len) {
		size_t len = chunk == 0 || text->len - off < chunk ? text->len - off : chunk;

		rc = fetchscan_feed(s, text->data + off, len, &used);
		off += used;
	}
	t = now() - t0;
	if (rc != FETCHSCAN_OK || fetchscan_count(s) != n || k.dated != n ||
	    k.uids != (uint64_t)n * (n + 1) / 2) {
		fprintf(stderr, "fetchscan bench: wrong result (%d, %zu messages): %s\n", (int)rc,
		    fetchscan_count(s), fetchscan_text(s));
		exit(1);
	}
	fetchscan_free(s);
	return t;
}

static double
floor_pass(const struct buf *text)
{
	double t0 = now();
	const char *p = text->data, *e = p + text->len;
	volatile size_t lines = 0;

	while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		lines++;
		p++;
	}
	return now() - t0;
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	int runs = getenv("RUNS") != NULL ? atoi(getenv("RUNS")) : 5;
	static const size_t chunks[] = { 65536, 4096, 0 };
	struct buf text = { 0 };
	double best;

	for (uint32_t uid = 1; uid <= n; uid++)
		message(&text, uid);
	buf_puts(&text, "A1 OK Fetch completed (0.001 + 0.000 secs).\r\n");
	printf("%zu messages, %.1f MB, headers of %.0f bytes on average; best of %d\n", n,
	    (double)text.len / 1e6, (double)hdr_bytes / (double)n, runs);
	best = 1e9;
	for (int r = 0; r < runs; r++) {
		double t = floor_pass(&text);

		best = t < best ? t : best;
	}
	printf("  floor (memchr for line ends)  %8.2f ms  %7.0f MB/s\n", best * 1e3,
	    (double)text.len / best / 1e6);
	for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
		best = 1e9;
		for (int r = 0; r < runs; r++) {
			double t = pass(&text, chunks[c], n);

			best = t < best ? t : best;
		}
		printf("  fetchscan, chunks of %-6s   %8.2f ms  %7.0f MB/s  %9.0f messages/s\n",
		    chunks[c] == 0 ? "all" : chunks[c] == 65536 ? "64 KiB" : "4 KiB", best * 1e3,
		    (double)text.len / best / 1e6, (double)n / best);
	}
	buf_free(&text);
	return 0;
}
