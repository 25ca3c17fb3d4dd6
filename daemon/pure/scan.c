#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "day.h"
#include "clean.h"
#include "digest.h"
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

/* Is a (normalised) me's address, or me's with a "+fu-" tag? The tag's
 * text goes to *tag (NULL for me itself). */
static bool
is_me(const struct config *cfg, const char *a, const char **tag)
{
	const char *me = cfg->me_addr, *at = strrchr(me, '@'), *aat = strrchr(a, '@');
	size_t local = at != NULL ? (size_t)(at - me) : strlen(me);

	*tag = NULL;
	if (at == NULL || aat == NULL || strcasecmp(aat, at) != 0 ||
	    strncasecmp(a, me, local) != 0)
		return false;
	if (a + local == aat)
		return true;
	if (strncasecmp(a + local, "+fu-", 4) == 0) {
		*tag = a + local + 4;
		return true;
	}
	return false;
}

/* +fu-2w, +fu-fri: 0, or -1 when the tag says nothing we know. */
static int
checkback_tag(const char *tag, struct scan_result *res)
{
	const char *at = strchr(tag, '@');
	char text[32];
	const char *why;
	size_t n = at != NULL ? (size_t)(at - tag) : strlen(tag);
	int wd;

	if (n == 0 || n >= sizeof text)
		return -1;
	memcpy(text, tag, n);
	text[n] = '\0';
	if ((wd = day_weekday_parse(text, n)) >= 0) {
		res->checkback_weekday = true;
		res->checkback_wday = wd;
		return 0;
	}
	return span_parse(text, &res->checkback_span, &why);
}

/* Is the message a reply to one of our digests? Only when it answers one
 * directly (its parent is a digest's Message-ID, not just any id of its
 * References: a stranger's message can name a digest there, and the
 * user's answer to it would copy that) and goes to no one but me: a reply
 * to the digest is addressed to its sender. */
static void
digest_parent(const struct config *cfg, const struct mailhdr *h, struct scan_result *res)
{
	const char *id;
	size_t len;
	char *to = cfg->digest_to != NULL ? addr_normalize(cfg->digest_to) : NULL;

	if (mailhdr_parent(h, &id, &len) && digest_is_own_id(cfg, id, len)) {
		bool only_me = true;

		for (size_t i = 0; i < res->nothers && only_me; i++)
			only_me = to != NULL && strcmp(res->others[i], to) == 0;
		if (only_me) {
			res->digest_reply = true;
			res->digest_parent = xasprintf("<%.*s>", (int)len, id);
		} else {
			res->digest_reply_elsewhere = true;
		}
	}
	free(to);
}

/* The display names of others, as the message wrote them (cleaned), for
 * the check-backs it opens: a second parse, only for those messages,
 * since names cost. from[k] is the index of others[k] in the list. */
static void
other_names(const char *text, size_t len, const size_t *from, struct scan_result *res)
{
	struct mailhdr hn;
	const char *why;

	res->other_names = xcalloc(res->nothers + 1, sizeof *res->other_names);
	if (mailhdr_parse_named(text, len, &hn, &why) == 0)
		for (size_t k = 0; k < res->nothers; k++) {
			const char *name = from[k] < hn.rcpt.n ? hn.rcpt.v[from[k]].name : NULL;

			if (name != NULL && *name != '\0')
				res->other_names[k] = clean_dup(name);
		}
	mailhdr_free(&hn);
}

int
scan_message(const struct config *cfg, const char *text, size_t len,
    time_t internaldate, struct scan_result *res, const char **why)
{
	struct mailhdr h;
	struct hmap seen = { 0 };
	char **norm;
	size_t *from;
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
	from = xcalloc(h.rcpt.n + 1, sizeof *from);
	for (size_t i = 0; i < h.rcpt.n; i++) {
		char *a = h.rcpt.v[i].addr;
		bool dup = false;
		const char *tag;

		/* The tag goes with normalising: read it first. */
		if (!res->checkback && is_me(cfg, a, &tag) && tag != NULL) {
			if (checkback_tag(tag, res) == 0)
				res->checkback = true;
			else if (res->warning == NULL)
				res->warning = xasprintf("%s: not a check-back tag (+fu-2w, +fu-fri)", a);
		}
		addr_normalize_in_place(a);
		if (h.rcpt.n > 64) {
			dup = hmap_put(&seen, a, a) != a;
		} else {
			for (size_t j = 0; j < res->nrcpt && !dup; j++)
				dup = strcmp(norm[j], a) == 0;
		}
		if (!dup) {
			from[res->nrcpt] = i;
			norm[res->nrcpt++] = a;
		}
	}
	res->bulk = cfg->max_recipients > 0 && res->nrcpt > (size_t)cfg->max_recipients;
	/* The addresses move from the header to the result: no copies. */
	res->others = xcalloc(res->nrcpt + 1, sizeof *res->others);
	for (size_t i = 0; i < res->nrcpt; i++) {
		const char *tag;

		if (!is_me(cfg, norm[i], &tag)) {
			from[res->nothers] = from[i];   /* from[k] <= from[i]: never read again */
			res->others[res->nothers++] = norm[i];
			h.rcpt.v[from[i]].addr = NULL;
		}
	}
	if (res->checkback)
		other_names(text, len, from, res);
	digest_parent(cfg, &h, res);
	if (!res->bulk) {
		res->hits = xcalloc(res->nothers + 1, sizeof *res->hits);
		for (size_t i = 0; i < res->nothers; i++) {
			size_t owner;

			if (addr_index_find(&cfg->index, res->others[i], &owner) == 0)
				res->hits[res->nhits++] = res->others[i];
		}
	}
	/* Kept for a check-back (its reason) and for a message to contacts
	 * (the subject of "No reply yet"): decoding costs, so not for others. */
	if (res->checkback || res->nhits > 0)
		res->subject = scan_subject(h.subject);
	hmap_free(&seen);
	free(norm);
	free(from);
	rc = 0;
done:
	mailhdr_free(&h);
	return rc;
}

char *
scan_subject(const char *raw)
{
	char *s;

	if (raw == NULL)
		return NULL;
	/* Shown by due, the digest, the feed and invites: no escape sequence
	 * or line break of a stranger's gets that far. */
	s = mailaddr_decode_words(raw);
	if (s != NULL)
		clean_inplace(s);
	return s;
}

int
scan_received(const char *text, size_t len, time_t internaldate,
    struct scan_received *res, const char **why)
{
	struct mailhdr h;
	int rc = -1;

	memset(res, 0, sizeof *res);
	if (mailhdr_parse(text, len, &h, why) < 0)
		goto done;
	res->key = h.message_id != NULL ? xstrdup(h.message_id) : header_key(text, len);
	res->at = !h.has_date || h.date > internaldate + 86400 ? internaldate : h.date;
	if (h.from.n > 0 && h.from.v[0].addr != NULL) {
		res->from = h.from.v[0].addr;
		h.from.v[0].addr = NULL;
		addr_normalize_in_place(res->from);
	}
	/* Decoded by the caller for the few it keeps: most mail is not. */
	res->subject = h.subject;
	h.subject = NULL;
	rc = 0;
done:
	mailhdr_free(&h);
	return rc;
}

void
scan_received_free(struct scan_received *res)
{
	free(res->key);
	free(res->from);
	free(res->subject);
	memset(res, 0, sizeof *res);
}

void
scan_result_free(struct scan_result *res)
{
	free(res->key);
	free(res->hits);   /* its strings are others' */
	free(res->warning);
	free(res->subject);
	free(res->digest_parent);
	for (size_t i = 0; res->other_names != NULL && i < res->nothers; i++)
		free(res->other_names[i]);
	free(res->other_names);
	for (size_t i = 0; i < res->nothers; i++)
		free(res->others[i]);
	free(res->others);
	memset(res, 0, sizeof *res);
}
