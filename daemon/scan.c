#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "hmap.h"
#include "mailhdr.h"
#include "scan.h"

/* FNV-1a, 64 bits: a stable key for a message without a Message-ID. */
static char *
header_key(const char *text, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)text[i];
		h *= 0x100000001b3ULL;
	}
	return xasprintf("hdr-%016llx", (unsigned long long)h);
}

int
scan_message(const struct config *cfg, const char *text, size_t len,
    time_t internaldate, struct scan_result *res, const char **why)
{
	struct mailhdr h;
	struct hmap seen = { 0 };
	char **norm;
	int rc = -1;

	memset(res, 0, sizeof *res);
	if (mailhdr_parse(text, len, &h, why) < 0)
		goto done;
	res->key = h.message_id != NULL ? xstrdup(h.message_id) :
	    header_key(text, len);
	res->date_fallback = !h.has_date || h.date > internaldate + 86400;
	res->at = res->date_fallback ? internaldate : h.date;
	res->bad_addresses = h.rcpt.bad;
	if (h.rcpt.first_error != NULL)
		res->warning = xstrdup(h.rcpt.first_error);

	/* Normalised in place; distinct ones first. A message has a handful
	 * of recipients, so a linear search beats hashing (and allocating). */
	norm = xcalloc(h.rcpt.n + 1, sizeof *norm);
	for (size_t i = 0; i < h.rcpt.n; i++) {
		char *a = h.rcpt.v[i].addr;
		bool dup = false;

		addr_normalize_in_place(a);
		if (h.rcpt.n > 64) {
			dup = hmap_put(&seen, a, a) != a;
		} else {
			for (size_t j = 0; j < res->nrcpt && !dup; j++)
				dup = strcmp(norm[j], a) == 0;
		}
		if (!dup)
			norm[res->nrcpt++] = a;
	}
	res->bulk = cfg->max_recipients > 0 && res->nrcpt > (size_t)cfg->max_recipients;
	if (!res->bulk) {
		res->hits = xcalloc(res->nrcpt + 1, sizeof *res->hits);
		for (size_t i = 0; i < res->nrcpt; i++) {
			size_t owner;

			if (addr_index_find(&cfg->index, norm[i], &owner) == 0)
				res->hits[res->nhits++] = xstrdup(norm[i]);
		}
	}
	hmap_free(&seen);
	free(norm);
	rc = 0;
done:
	mailhdr_free(&h);
	return rc;
}

void
scan_result_free(struct scan_result *res)
{
	free(res->key);
	for (size_t i = 0; i < res->nhits; i++)
		free(res->hits[i]);
	free(res->hits);
	free(res->warning);
	memset(res, 0, sizeof *res);
}
