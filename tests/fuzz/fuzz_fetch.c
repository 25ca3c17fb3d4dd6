/* libFuzzer: the answer to a sync's UID FETCH through fetchscan, fed whole
 * and again in chunks whose sizes the input's first bytes give (the first
 * byte: how many sizes follow, 0 to 7; each size byte: 1 to 256 bytes,
 * used in turn). Both must give the same code, text and messages (a hash
 * of them); every message has a UID and a header within the bound, and
 * the scanner's memory stays within its bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetchscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct sum {
	uint64_t hash;
	size_t n;
};

static void
mix(struct sum *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h->hash = (h->hash ^ b[i]) * 0x100000001b3ull;
}

static void
on_msg(void *arg, const struct fetchscan_msg *m)
{
	struct sum *h = arg;
	int64_t t = m->has_date ? (int64_t)m->internaldate : 0;

	if (m->uid == 0 || m->hdr == NULL || m->hdrlen > FETCHSCAN_MAX_HDR)
		abort();
	h->n++;
	mix(h, &m->uid, sizeof m->uid);
	mix(h, &m->has_date, sizeof m->has_date);
	mix(h, &t, sizeof t);
	mix(h, &m->hdrlen, sizeof m->hdrlen);
	mix(h, m->hdr, m->hdrlen);
}

/* Feeds text (n bytes) in chunks of the given sizes (none: whole), each
 * in a heap block of its own size so that a read past it is caught. */
static enum fetchscan_rc
feed(const uint8_t *text, size_t n, const uint8_t *sizes, size_t nsizes, struct sum *h,
    size_t *used, char *why, size_t whylen)
{
	struct fetchscan *s = fetchscan_new("A1", on_msg, h);
	enum fetchscan_rc rc = FETCHSCAN_MORE;
	size_t off = 0, k = 0;

	if (s == NULL)
		abort();
	while (off < n && rc == FETCHSCAN_MORE) {
		size_t len = nsizes == 0 ? n - off : (size_t)sizes[k++ % nsizes] + 1, u;
		char *chunk;

		if (len > n - off)
			len = n - off;
		chunk = malloc(len);
		if (chunk == NULL)
			abort();
		memcpy(chunk, text + off, len);
		rc = fetchscan_feed(s, chunk, len, &u);
		free(chunk);
		if (u > len || (rc == FETCHSCAN_MORE && u != len))
			abort();
		off += u;
		if (fetchscan_footprint(s) > 2 * FETCHSCAN_MAX_LINE + FETCHSCAN_MAX_HDR + 4096)
			abort();
	}
	if (fetchscan_count(s) != h->n)
		abort();
	*used = off;
	strncpy(why, fetchscan_text(s), whylen - 1);
	why[whylen - 1] = '\0';
	fetchscan_free(s);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sum a = { 0xcbf29ce484222325ull, 0 }, b = a;
	size_t nsizes, ua, ub;
	char wa[FETCHSCAN_TEXT_MAX], wb[FETCHSCAN_TEXT_MAX];
	enum fetchscan_rc ra, rb;

	if (size == 0)
		return 0;
	nsizes = data[0] % 8;
	if (size < 1 + nsizes)
		return 0;
	ra = feed(data + 1 + nsizes, size - 1 - nsizes, NULL, 0, &a, &ua, wa, sizeof wa);
	rb = feed(data + 1 + nsizes, size - 1 - nsizes, data + 1, nsizes, &b, &ub, wb, sizeof wb);
	if (ra != rb || a.n != b.n || a.hash != b.hash || strcmp(wa, wb) != 0 ||
	    (ra != FETCHSCAN_ERROR && ua != ub))
		abort();
	return 0;
}
