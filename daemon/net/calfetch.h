/* calfetch: reads a meeting source's calendar data: a CalDAV collection
 * (RFC 4791) with libcurl, an https .ics address with libcurl, or a
 * directory of .ics files. TLS is verified as for IMAP (the system store
 * plus ca_file, host name checked); https only, except http:// to a
 * loopback address with tls = none. Every answer is capped. */
#ifndef FOLLOWUPD_CALFETCH_H
#define FOLLOWUPD_CALFETCH_H

#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "davxml.h"

/* The most one answer (or one file) may hold; more is an error. */
#define CALFETCH_MAX_BODY (16 * 1024 * 1024)
/* calendar-multiget asks for at most this many hrefs at once. */
#define CALFETCH_BATCH 100

enum calfetch_rc {
	CALF_OK = 0,
	CALF_NOT_MODIFIED = 1,    /* calfetch_ics: the ETag still matches */
	CALF_TEMP = -1,           /* network trouble, a 5xx, a timeout: retry later */
	CALF_FINAL = -2,          /* TLS trust, 401/403/404, too large, not a
	                           * calendar: needs the user */
};

/* In every network function: secret is the password (or the OAuth token
 * with auth = oauth2, sent as a Bearer token), or NULL for no login;
 * cancel (NULL: none), once true, ends a transfer within a second as
 * CALF_TEMP; *err is allocated on failure and names what failed
 * ("https://host/…/cal/: login refused (HTTP 401)", the address as
 * calfetch_url_redact shows it), never the secret. main should call
 * curl_global_init(CURL_GLOBAL_DEFAULT) once before threads start (else
 * the first curl_easy_init does it). */

/* Redirects: at most 3, to https only (or http with tls = none); a login
 * is never sent to another host. Timeouts: src->server.timeout (default
 * SERVER_TIMEOUT) to connect and without a byte, ten minutes in all.
 * Answers: 401 and 403 are final ("login refused (HTTP 401)"), other 4xx
 * final, 408, 429 and 5xx temporary; connection failures and timeouts
 * temporary; an untrusted certificate final. */

/* CalDAV: the href and ETag of every VEVENT resource of the collection
 * src->server.url with an occurrence in [from, to) (a calendar-query
 * REPORT with a time-range, Depth: 1, asking for getetag only). */
enum calfetch_rc calfetch_dav_list(const struct meet_source *src,
    const char *secret, time_t from, time_t to, const atomic_bool *cancel,
    struct dav_list *out, char **err);
/* CalDAV: the calendar-data and ETag of the n resources hrefs (as
 * calfetch_dav_list gave them), with calendar-multiget REPORTs of at most
 * CALFETCH_BATCH hrefs. Appends to out (on failure, out is as it was):
 * items with status 200 and data, and items with status 404 and data NULL
 * (deleted since the listing); the server's other answers are left out. */
enum calfetch_rc calfetch_dav_get(const struct meet_source *src,
    const char *secret, const char *const *hrefs, size_t n,
    const atomic_bool *cancel, struct dav_list *out, char **err);
/* An .ics address: GET with If-None-Match: etag (when not NULL).
 * CALF_OK with *body, *len and *new_etag (NULL when the server sent none),
 * or CALF_NOT_MODIFIED. */
enum calfetch_rc calfetch_ics(const struct meet_source *src, const char *secret,
    const char *etag, const atomic_bool *cancel, char **body, size_t *len,
    char **new_etag, char **err);
/* A directory: its regular files whose name ends in ".ics", and those of
 * its subdirectories one level down (vdirsyncer's layout: a folder per
 * calendar). Names starting with '.' and symbolic links (files and
 * folders) are skipped; src->dir itself may be a link. Each dav_item has
 * href the path relative to src->dir ("NAME.ics" or "SUB/NAME.ics"),
 * etag "SIZE-MTIME_NS-INODE", status 200 and no data; sorted by href.
 * More than 100000 files is CALF_FINAL. A file too large to read is
 * listed; calfetch_dir_read refuses it. */
enum calfetch_rc calfetch_dir_list(const struct meet_source *src,
    struct dav_list *out, char **err);
/* Reads one file of calfetch_dir_list (at most CALFETCH_MAX_BODY bytes;
 * a symbolic link is not followed out of the directory: an href of
 * another shape than calfetch_dir_list's is refused). *data is
 * NUL-terminated. A file gone since the listing is CALF_TEMP. */
enum calfetch_rc calfetch_dir_read(const struct meet_source *src,
    const char *href, char **data, size_t *len, char **err);

/* A URL as messages show it: "scheme://host[:port]/…/LAST" with the
 * userinfo, the middle of the path, the query and the fragment left out
 * (a secret iCal address keeps its secret in the path), LAST the last
 * path segment (with its trailing '/'), itself "…" when longer than 40
 * bytes. Allocated. */
char *calfetch_url_redact(const char *url);

#endif
