#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "calfetch.h"
#include "clean.h"
#include "curlcancel.h"

/* No transfer may take longer than this, however slowly data trickles. */
#define CALFETCH_TOTAL_MAX 600
#define CALFETCH_MAX_REDIRS 3L
/* calfetch_dir_list stops with an error past this many files. */
#define CALFETCH_MAX_FILES 100000
/* A last path segment longer than this is shown as "…" in messages:
 * published calendars (iCloud) end in their secret. */
#define CALFETCH_REDACT_SEG 40

#define XML_DECL "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
#define CALDAV_NS "xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\""

char *
calfetch_url_redact(const char *url)
{
	const char *s = strstr(url, "://"), *auth, *end, *at, *p, *seg = NULL;
	size_t seglen = 0, nseg = 0;
	bool slash = false;
	struct buf b = { 0 };

	if (s == NULL || s == url || strcspn(url, "/?#") < (size_t)(s - url))
		return xstrdup("(an address that is not a URL)");
	auth = s + 3;
	end = auth + strcspn(auth, "/?#");
	/* userinfo: everything up to the last '@' of the authority */
	at = NULL;
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at != NULL)
		auth = at + 1;
	clean_append(&b, url, (size_t)(s - url) + 3);
	clean_append(&b, auth, (size_t)(end - auth));
	/* the path ends at the query or the fragment */
	p = end;
	while (*p == '/') {
		const char *q = p + 1;
		size_t l = strcspn(q, "/?#");

		if (l > 0)
			seg = q, seglen = l, nseg++, slash = false;
		else
			slash = seg != NULL;
		p = q + l;
	}
	if (seg == NULL) {
		buf_puts(&b, "/");
		return buf_take(&b);
	}
	buf_puts(&b, nseg > 1 ? "/…/" : "/");
	if (seglen > CALFETCH_REDACT_SEG)
		buf_puts(&b, "…");
	else
		clean_append(&b, seg, seglen);
	if (slash)
		buf_puts(&b, "/");
	return buf_take(&b);
}

/* One transfer's state, shared with libcurl's callbacks. */
struct xfer {
	CURL *c;
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	long timeout;              /* seconds without a byte before giving up */
	struct buf body;
	bool too_big;
	bool http_ok;              /* tls = none: http:// to loopback */
	char *etag;                /* of the last response's headers */
	const atomic_bool *cancel;
};

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;

	if (n > CALFETCH_MAX_BODY || x->body.len > CALFETCH_MAX_BODY - n) {
		x->too_big = true;
		return 0;   /* libcurl ends with CURLE_WRITE_ERROR */
	}
	buf_append(&x->body, data, n);
	return n;
}

/* Keeps the ETag of the final response: each status line (a redirect, a
 * 401 before the login) starts afresh. libcurl caps a header line. */
static size_t
header_cb(char *line, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb, l;
	const char *v;

	if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		free(x->etag);
		x->etag = NULL;
		x->body.len = 0;
		if (x->body.data != NULL)
			x->body.data[0] = '\0';
		return n;
	}
	if (n < 5 || strncasecmp(line, "etag:", 5) != 0)
		return n;
	v = line + 5;
	l = n - 5;
	while (l > 0 && (*v == ' ' || *v == '\t'))
		v++, l--;
	while (l > 0 && (v[l - 1] == '\r' || v[l - 1] == '\n' || v[l - 1] == ' ' ||
	    v[l - 1] == '\t'))
		l--;
	free(x->etag);
	x->etag = NULL;
	/* Sent back in If-None-Match: printable ASCII only, bounded. */
	if (l == 0 || l > DAVXML_MAX_STR)
		return n;
	for (size_t i = 0; i < l; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] >= 0x7f)
			return n;
	x->etag = xstrndup(v, l);
	return n;
}

/* Sets up x->c for src->server.url with everything the three requests
 * share. false when libcurl cannot start. */
static bool
xfer_init(struct xfer *x, const struct meet_source *src, const char *secret,
    const atomic_bool *cancel)
{
	const struct server *sv = &src->server;
	long timeout = sv->timeout > 0 ? sv->timeout : SERVER_TIMEOUT;
	const char *protos = sv->tls_verify ? "https" : "https,http";

	memset(x, 0, sizeof *x);
	x->cancel = cancel;
	x->timeout = timeout;
	x->http_ok = !sv->tls_verify;
	if ((x->c = curl_easy_init()) == NULL)
		return false;
	curl_easy_setopt(x->c, CURLOPT_URL, sv->url);
	curl_easy_setopt(x->c, CURLOPT_PROTOCOLS_STR, protos);
	curl_easy_setopt(x->c, CURLOPT_REDIR_PROTOCOLS_STR, protos);
	/* libcurl's default keeps the login from a host redirected to;
	 * CURLOPT_UNRESTRICTED_AUTH stays off. Without verification (tls =
	 * none, loopback only) no redirect is followed: it could lead off
	 * the machine, where nothing would be checked. */
	curl_easy_setopt(x->c, CURLOPT_FOLLOWLOCATION, sv->tls_verify ? 1L : 0L);
	curl_easy_setopt(x->c, CURLOPT_MAXREDIRS, CALFETCH_MAX_REDIRS);
	curl_easy_setopt(x->c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->c, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->c, CURLOPT_CONNECTTIMEOUT, timeout);
	curl_easy_setopt(x->c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(x->c, CURLOPT_LOW_SPEED_TIME, timeout);
	curl_easy_setopt(x->c, CURLOPT_TIMEOUT, (long)CALFETCH_TOTAL_MAX);
	curl_easy_setopt(x->c, CURLOPT_USERAGENT, "followupd/" PACKAGE_VERSION);
	/* The announced size is checked before the body is read; the write
	 * callback checks what actually comes (chunked answers). */
	curl_easy_setopt(x->c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)CALFETCH_MAX_BODY);
	curl_easy_setopt(x->c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(x->c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(x->c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->c, CURLOPT_ACCEPT_ENCODING, "");
	curlcancel_set(x->c, cancel);
	if (sv->tls_verify) {
		curl_easy_setopt(x->c, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(x->c, CURLOPT_SSL_VERIFYHOST, 2L);
		if (sv->ca_file != NULL && *sv->ca_file != '\0') {
			/* CAINFO replaces the bundle; the system store stays as CAPATH. */
			curl_easy_setopt(x->c, CURLOPT_CAINFO, sv->ca_file);
			curl_easy_setopt(x->c, CURLOPT_CAPATH, "/etc/ssl/certs");
		}
	} else {
		curl_easy_setopt(x->c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(x->c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (secret != NULL) {
		if (sv->auth == AUTH_OAUTH2) {
			curl_easy_setopt(x->c, CURLOPT_XOAUTH2_BEARER, secret);
			curl_easy_setopt(x->c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		} else {
			curl_easy_setopt(x->c, CURLOPT_USERNAME, sv->user != NULL ? sv->user : "");
			curl_easy_setopt(x->c, CURLOPT_PASSWORD, secret);
			curl_easy_setopt(x->c, CURLOPT_HTTPAUTH,
			    (long)(CURLAUTH_BASIC | CURLAUTH_DIGEST));
		}
	}
	/* A multiget body passes libcurl's Expect: 100-continue threshold;
	 * waiting a second for a 100 per batch is for nothing. */
	x->headers = curl_slist_append(x->headers, "Expect:");
	return true;
}

static void
xfer_free(struct xfer *x)
{
	if (x->c != NULL)
		curl_easy_cleanup(x->c);
	curl_slist_free_all(x->headers);
	buf_free(&x->body);
	free(x->etag);
	memset(x, 0, sizeof *x);
}

/* libcurl's reason, printable and short. */
static char *
curl_reason(const struct xfer *x, CURLcode rc)
{
	const char *s = x->errbuf[0] != '\0' ? x->errbuf : curl_easy_strerror(rc);
	struct buf b = { 0 };

	clean_append(&b, s, strnlen(s, 200));
	return buf_take(&b);
}

/* Performs the transfer and classes its failures. On CALF_OK, *code is
 * the final HTTP status, which the caller judges; 401 and 403, other 4xx
 * and 5xx are judged here. */
static enum calfetch_rc
xfer_run(struct xfer *x, const char *url, long *code, char **err)
{
	enum calfetch_rc result = CALF_TEMP;
	char *where = calfetch_url_redact(url), *why = NULL;
	CURLcode rc;

	curl_easy_setopt(x->c, CURLOPT_HTTPHEADER, x->headers);
	rc = curl_easy_perform(x->c);
	*code = 0;
	curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, code);
	if (rc != CURLE_OK)
		why = curl_reason(x, rc);
	switch (rc) {
	case CURLE_OK:
		result = CALF_OK;
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		*err = xasprintf("%s: the TLS certificate is not trusted (%s)", where, why);
		result = CALF_FINAL;
		break;
	case CURLE_FILESIZE_EXCEEDED:
		*err = xasprintf("%s: the answer is larger than 16 MiB", where);
		result = CALF_FINAL;
		break;
	case CURLE_WRITE_ERROR:
		if (x->too_big) {
			*err = xasprintf("%s: the answer is larger than 16 MiB", where);
			result = CALF_FINAL;
		} else {
			*err = xasprintf("%s: %s", where, why);
		}
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		*err = xasprintf("%s: %s (only %s, redirects too)", where, why,
		    x->http_ok ? "https and http are allowed" : "https is allowed");
		result = CALF_FINAL;
		break;
	case CURLE_URL_MALFORMAT:
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_LOGIN_DENIED:
	case CURLE_NOT_BUILT_IN:
		*err = xasprintf("%s: %s", where, why);
		result = CALF_FINAL;
		break;
	case CURLE_ABORTED_BY_CALLBACK:
		*err = xasprintf("%s: stopped", where);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		/* libcurl's words ("Operation too slow. Less than 1
		 * bytes/sec ...") as a user would say it. */
		*err = xasprintf("%s: no answer for %ld seconds (timeout)", where, x->timeout);
		break;
	default:
		/* Name resolution, connection, timeouts, a broken TLS
		 * handshake or connection: later. */
		*err = xasprintf("%s: %s", where, why);
		break;
	}
	if (result == CALF_OK && (*code == 401 || *code == 403)) {
		*err = xasprintf("%s: login refused (HTTP %ld)", where, *code);
		result = CALF_FINAL;
	} else if (result == CALF_OK && (*code == 408 || *code == 429 || *code >= 500)) {
		/* the server is busy or down: later */
		*err = xasprintf("%s: HTTP %ld", where, *code);
		result = CALF_TEMP;
	} else if (result == CALF_OK && *code >= 400) {
		*err = xasprintf("%s: HTTP %ld", where, *code);
		result = CALF_FINAL;
	}
	free(why);
	free(where);
	return result;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The path of a URL or of an href (an absolute path or a whole URL),
 * percent-decoded, without trailing slashes: what makes two spellings of
 * one collection compare equal. Allocated. */
static char *
norm_path(const char *s)
{
	const char *p = strstr(s, "://"), *end;
	struct buf b = { 0 };

	if (p != NULL && strcspn(s, "/?#") >= (size_t)(p - s))
		s = p + 3 + strcspn(p + 3, "/?#");
	end = s + strcspn(s, "?#");
	for (p = s; p < end; p++) {
		int hi, lo;

		if (*p == '%' && end - p >= 3) {
			hi = hexval(p[1]);
			lo = hexval(p[2]);
			if (hi >= 0 && lo >= 0) {
				buf_putc(&b, (char)(hi * 16 + lo));
				p += 2;
				continue;
			}
		}
		buf_putc(&b, *p);
	}
	while (b.len > 0 && b.data[b.len - 1] == '/')
		b.data[--b.len] = '\0';
	return buf_take(&b);
}

/* Whether href names the collection at url itself (or another
 * collection: a calendar object resource never ends in '/'). */
static bool
is_collection(const char *url, const char *href)
{
	char *a, *b;
	bool same;

	if (href[strlen(href) - 1] == '/')
		return true;
	a = norm_path(url);
	b = norm_path(href);
	same = strcmp(a, b) == 0;
	free(a);
	free(b);
	return same;
}

/* Appends s with the five XML special characters escaped. */
static void
xml_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&apos;"); break;
		default: buf_putc(b, *s); break;
		}
	}
}

/* A REPORT with body to the collection, its 207 answer parsed into out. */
static enum calfetch_rc
report(const struct meet_source *src, const char *secret, const struct buf *body,
    const atomic_bool *cancel, struct dav_list *out, char **err)
{
	enum calfetch_rc rc;
	struct xfer x;
	char *perr = NULL, *where;
	long code;

	out->v = NULL;
	out->n = 0;
	if (!xfer_init(&x, src, secret, cancel)) {
		*err = xstrdup("cannot start libcurl");
		return CALF_TEMP;
	}
	x.headers = curl_slist_append(x.headers, "Depth: 1");
	x.headers = curl_slist_append(x.headers, "Content-Type: application/xml; charset=utf-8");
	curl_easy_setopt(x.c, CURLOPT_CUSTOMREQUEST, "REPORT");
	curl_easy_setopt(x.c, CURLOPT_POSTFIELDS, buf_str(body));
	curl_easy_setopt(x.c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	/* A redirected REPORT stays a REPORT with its body. */
	curl_easy_setopt(x.c, CURLOPT_POSTREDIR, (long)CURL_REDIR_POST_ALL);
	rc = xfer_run(&x, src->server.url, &code, err);
	if (rc != CALF_OK) {
		xfer_free(&x);
		return rc;
	}
	where = calfetch_url_redact(src->server.url);
	if (code != 207) {
		*err = xasprintf("%s: HTTP %ld instead of a WebDAV multistatus (207): "
		    "not a CalDAV calendar?", where, code);
		rc = CALF_FINAL;
	} else if (davxml_parse(x.body.data != NULL ? x.body.data : "", x.body.len, out,
	    &perr) != 0) {
		*err = xasprintf("%s: %s", where, perr);
		rc = CALF_FINAL;
	}
	free(perr);
	free(where);
	xfer_free(&x);
	return rc;
}

static void
put_utc(struct buf *b, time_t t)
{
	struct tm tm;
	char s[32];

	if (gmtime_r(&t, &tm) == NULL || strftime(s, sizeof s, "%Y%m%dT%H%M%SZ", &tm) == 0)
		strcpy(s, t < 0 ? "19700101T000000Z" : "99991231T235959Z");
	buf_puts(b, s);
}

enum calfetch_rc
calfetch_dav_list(const struct meet_source *src, const char *secret, time_t from,
    time_t to, const atomic_bool *cancel, struct dav_list *out, char **err)
{
	struct buf q = { 0 };
	struct dav_list all;
	enum calfetch_rc rc;

	out->v = NULL;
	out->n = 0;
	buf_puts(&q, XML_DECL "<C:calendar-query " CALDAV_NS ">\n"
	    " <D:prop><D:getetag/></D:prop>\n"
	    " <C:filter>\n"
	    "  <C:comp-filter name=\"VCALENDAR\">\n"
	    "   <C:comp-filter name=\"VEVENT\">\n"
	    "    <C:time-range start=\"");
	put_utc(&q, from);
	buf_puts(&q, "\" end=\"");
	put_utc(&q, to);
	buf_puts(&q, "\"/>\n"
	    "   </C:comp-filter>\n"
	    "  </C:comp-filter>\n"
	    " </C:filter>\n"
	    "</C:calendar-query>\n");
	rc = report(src, secret, &q, cancel, &all, err);
	buf_free(&q);
	if (rc != CALF_OK)
		return rc;
	/* Keep what is there and is a resource of the collection; move the
	 * strings over rather than copy them. */
	out->v = xcalloc(all.n > 0 ? all.n : 1, sizeof *out->v);
	for (size_t i = 0; i < all.n; i++) {
		struct dav_item *it = &all.v[i];

		if (it->status != 200 || is_collection(src->server.url, it->href))
			continue;
		out->v[out->n++] = *it;
		memset(it, 0, sizeof *it);
	}
	dav_list_free(&all);
	return CALF_OK;
}

enum calfetch_rc
calfetch_dav_get(const struct meet_source *src, const char *secret,
    const char *const *hrefs, size_t n, const atomic_bool *cancel,
    struct dav_list *out, char **err)
{
	size_t n0 = out->n;

	for (size_t i = 0; i < n; i += CALFETCH_BATCH) {
		size_t k = n - i < CALFETCH_BATCH ? n - i : CALFETCH_BATCH;
		struct buf q = { 0 };
		struct dav_list got;
		enum calfetch_rc rc;

		buf_puts(&q, XML_DECL "<C:calendar-multiget " CALDAV_NS ">\n"
		    " <D:prop><D:getetag/><C:calendar-data/></D:prop>\n");
		for (size_t j = i; j < i + k; j++) {
			buf_puts(&q, " <D:href>");
			xml_escape(&q, hrefs[j]);
			buf_puts(&q, "</D:href>\n");
		}
		buf_puts(&q, "</C:calendar-multiget>\n");
		rc = report(src, secret, &q, cancel, &got, err);
		buf_free(&q);
		if (rc != CALF_OK) {
			/* Take back what the earlier batches added. */
			struct dav_list mine = { out->v + n0, out->n - n0 };

			for (size_t j = 0; j < mine.n; j++) {
				free(mine.v[j].href);
				free(mine.v[j].etag);
				free(mine.v[j].data);
			}
			out->n = n0;
			return rc;
		}
		out->v = xrealloc(out->v, (out->n + got.n + 1) * sizeof *out->v);
		for (size_t j = 0; j < got.n; j++) {
			struct dav_item *it = &got.v[j];

			if (it->status == 404) {
				free(it->data);
				it->data = NULL;
				it->len = 0;
			} else if (it->status != 200 || it->data == NULL) {
				continue;
			}
			out->v[out->n++] = *it;
			memset(it, 0, sizeof *it);
		}
		dav_list_free(&got);
	}
	return CALF_OK;
}

enum calfetch_rc
calfetch_ics(const struct meet_source *src, const char *secret, const char *etag,
    const atomic_bool *cancel, char **body, size_t *len, char **new_etag, char **err)
{
	enum calfetch_rc rc;
	struct xfer x;
	long code;

	*body = NULL;
	*len = 0;
	*new_etag = NULL;
	if (!xfer_init(&x, src, secret, cancel)) {
		*err = xstrdup("cannot start libcurl");
		return CALF_TEMP;
	}
	/* An ETag goes back only as it came: printable, no line end. */
	if (etag != NULL && *etag != '\0' && strlen(etag) <= DAVXML_MAX_STR &&
	    clean_is_clean(etag) && strpbrk(etag, "\r\n") == NULL) {
		char *h = xasprintf("If-None-Match: %s", etag);

		x.headers = curl_slist_append(x.headers, h);
		free(h);
	}
	rc = xfer_run(&x, src->server.url, &code, err);
	if (rc == CALF_OK && code == 304) {
		rc = CALF_NOT_MODIFIED;
	} else if (rc == CALF_OK && code != 200) {
		char *where = calfetch_url_redact(src->server.url);

		*err = xasprintf("%s: HTTP %ld instead of a calendar", where, code);
		free(where);
		rc = CALF_FINAL;
	} else if (rc == CALF_OK) {
		*len = x.body.len;
		*body = buf_take(&x.body);
		*new_etag = x.etag;
		x.etag = NULL;
	}
	xfer_free(&x);
	return rc;
}

/* "DIR/NAME: what", printable. */
static char *
path_msg(const char *dir, const char *name, const char *what)
{
	struct buf b = { 0 };

	clean_append(&b, dir, strlen(dir));
	if (name != NULL) {
		if (b.len > 0 && b.data[b.len - 1] != '/')
			buf_putc(&b, '/');
		clean_append(&b, name, strlen(name));
	}
	buf_puts(&b, ": ");
	buf_puts(&b, what);
	return buf_take(&b);
}

/* A system call's failure on dir/name: what the user must mend is final
 * (missing, not a directory, no permission, a link), the rest temporary. */
static enum calfetch_rc
sys_fail(const char *dir, const char *name, int e, char **err)
{
	*err = path_msg(dir, name, strerror(e));
	return e == ENOENT || e == ENOTDIR || e == EACCES || e == EPERM || e == ELOOP ?
	    CALF_FINAL : CALF_TEMP;
}

static bool
ends_ics(const char *name)
{
	size_t l = strlen(name);

	return l > 4 && strcasecmp(name + l - 4, ".ics") == 0;
}

struct dirscan {
	const struct meet_source *src;
	struct dav_list *out;
	size_t cap;
};

/* Lists the directory open at fd (which it closes): .ics files, and with
 * depth 0 the subdirectories too. prefix is "" or "SUB/". */
static enum calfetch_rc
scan(struct dirscan *s, int fd, const char *prefix, int depth, char **err)
{
	enum calfetch_rc rc = CALF_OK;
	const struct dirent *de;
	DIR *d = fdopendir(fd);

	if (d == NULL) {
		int e = errno;

		close(fd);
		return sys_fail(s->src->dir, *prefix != '\0' ? prefix : NULL, e, err);
	}
	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		struct stat st;
		char *href;

		if (de->d_name[0] == '.')
			continue;   /* ., .., hidden files, vdirsyncer's temporaries */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno == ENOENT)
				continue;   /* gone since readdir */
			href = xasprintf("%s%s", prefix, de->d_name);
			rc = sys_fail(s->src->dir, href, errno, err);
			free(href);
			break;
		}
		if (S_ISDIR(st.st_mode) && depth == 0) {
			int sub = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0) {
				if (errno == ENOENT)
					continue;
				rc = sys_fail(s->src->dir, de->d_name, errno, err);
				break;
			}
			href = xasprintf("%s/", de->d_name);
			rc = scan(s, sub, href, depth + 1, err);
			free(href);
			if (rc != CALF_OK)
				break;
			continue;
		}
		/* Symbolic links, devices, FIFOs and other names are not ours. */
		if (!S_ISREG(st.st_mode) || !ends_ics(de->d_name))
			continue;
		if (s->out->n == CALFETCH_MAX_FILES) {
			*err = path_msg(s->src->dir, NULL, "more than 100000 .ics files");
			rc = CALF_FINAL;
			break;
		}
		if (s->out->n == s->cap) {
			s->cap = s->cap == 0 ? 64 : s->cap * 2;
			s->out->v = xrealloc(s->out->v, s->cap * sizeof *s->out->v);
		}
		s->out->v[s->out->n++] = (struct dav_item){
			.href = xasprintf("%s%s", prefix, de->d_name),
			.etag = xasprintf("%jd-%jd-%ju", (intmax_t)st.st_size,
			    (intmax_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
			    (uintmax_t)st.st_ino),
			.status = 200,
		};
	}
	if (rc == CALF_OK && errno != 0)
		rc = sys_fail(s->src->dir, *prefix != '\0' ? prefix : NULL, errno, err);
	closedir(d);
	return rc;
}

static int
by_href(const void *a, const void *b)
{
	return strcmp(((const struct dav_item *)a)->href, ((const struct dav_item *)b)->href);
}

enum calfetch_rc
calfetch_dir_list(const struct meet_source *src, struct dav_list *out, char **err)
{
	struct dirscan s = { src, out, 0 };
	enum calfetch_rc rc;
	int fd;

	out->v = NULL;
	out->n = 0;
	/* The directory itself may be a link (a mount, a home layout); what
	 * is inside may not. */
	if ((fd = open(src->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return sys_fail(src->dir, NULL, errno, err);
	rc = scan(&s, fd, "", 0, err);
	if (rc != CALF_OK) {
		dav_list_free(out);
		return rc;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, by_href);
	return CALF_OK;
}

/* Whether href is NAME.ics or SUB/NAME.ics as calfetch_dir_list makes
 * them: nothing absolute, no "..", no hidden part. */
static bool
href_ok(const char *href)
{
	const char *slash = strchr(href, '/');

	if (href[0] == '\0' || href[0] == '.' || !ends_ics(href))
		return false;
	if (slash == NULL)
		return true;
	return slash > href && slash[1] != '.' && slash[1] != '\0' &&
	    strchr(slash + 1, '/') == NULL;
}

enum calfetch_rc
calfetch_dir_read(const struct meet_source *src, const char *href, char **data,
    size_t *len, char **err)
{
	const char *slash = strchr(href, '/'), *name = href;
	enum calfetch_rc rc = CALF_OK;
	struct buf b = { 0 };
	int dfd, fd;
	struct stat st;

	*data = NULL;
	*len = 0;
	if (!href_ok(href)) {
		*err = path_msg(src->dir, href, "not an .ics file of the directory");
		return CALF_FINAL;
	}
	if ((dfd = open(src->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return sys_fail(src->dir, NULL, errno, err);
	if (slash != NULL) {
		char *sub = xstrndup(href, (size_t)(slash - href));
		int sfd = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (sfd < 0)
			rc = sys_fail(src->dir, sub, errno, err);
		free(sub);
		close(dfd);
		if (rc != CALF_OK)
			return rc;
		dfd = sfd;
		name = slash + 1;
	}
	/* O_NONBLOCK: a FIFO put in place of the file cannot hang us. */
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		int e = errno;

		close(dfd);
		if (e == ELOOP) {
			*err = path_msg(src->dir, href, "a symbolic link, not read");
			return CALF_FINAL;
		}
		/* A file gone since the listing: the next listing knows. */
		*err = path_msg(src->dir, href, strerror(e));
		return e == EACCES || e == EPERM ? CALF_FINAL : CALF_TEMP;
	}
	close(dfd);
	if (fstat(fd, &st) != 0) {
		rc = sys_fail(src->dir, href, errno, err);
	} else if (!S_ISREG(st.st_mode)) {
		*err = path_msg(src->dir, href, "not a regular file");
		rc = CALF_FINAL;
	} else if (st.st_size > CALFETCH_MAX_BODY) {
		*err = path_msg(src->dir, href, "the file is larger than 16 MiB");
		rc = CALF_FINAL;
	} else {
		char chunk[65536];
		ssize_t r;

		buf_reserve(&b, (size_t)st.st_size + 1);
		while ((r = read(fd, chunk, sizeof chunk)) != 0) {
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				rc = sys_fail(src->dir, href, errno, err);
				break;
			}
			if (b.len + (size_t)r > CALFETCH_MAX_BODY) {
				*err = path_msg(src->dir, href, "the file is larger than 16 MiB");
				rc = CALF_FINAL;
				break;
			}
			buf_append(&b, chunk, (size_t)r);
		}
	}
	close(fd);
	if (rc != CALF_OK) {
		buf_free(&b);
		return rc;
	}
	*len = b.len;
	*data = buf_take(&b);
	return CALF_OK;
}
