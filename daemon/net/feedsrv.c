#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "buf.h"
#include "clean.h"
#include "feedsrv.h"

#define TOKEN_BYTES 20
#define TOKEN_MIN_LEN 22   /* what a token read from a file must have: 128 bits */

/* One accepted connection, for the head deadline. */
struct feedsrv_conn {
	struct feedsrv_conn *prev, *next;
	struct MHD_Connection *c;
	long long deadline;   /* monotonic ms by which the head must be in; 0: it is */
	bool cut;             /* shut down, waiting for libmicrohttpd to see it */
};

struct feedsrv {
	struct MHD_Daemon *mhd;
	int listen_fd;
	char *token;
	char *cert, *key;                /* PEM contents, for the TLS options */
	struct MHD_Response *full;       /* 200: the body and its validators */
	struct MHD_Response *unchanged;  /* 304 */
	struct MHD_Response *not_found, *not_allowed, *bad_request;
	struct feedsrv_conn *conns;      /* every open connection */
	long long log_minute;            /* start of the current log minute (ms) */
	unsigned log_count, log_dropped;
	char etag[40];
	time_t modified;
	bool has_body;
};

/* Marks of a request in *req (on_request's per-request pointer). */
static char req_seen, req_body;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
feedsrv_token_load(const char *path, bool create, char **token, char **err)
{
	char *text;
	size_t len;
	unsigned char raw[TOKEN_BYTES];
	struct buf b = { 0 };
	char *tmp;
	int fd, rc, e;

	if (afile_read(path, 4096, &text, &len) == 0) {
		len = strcspn(text, "\r\n");
		text[len] = '\0';
		for (size_t i = 0; i < len; i++)
			if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'z') ||
			    (text[i] >= 'A' && text[i] <= 'Z') || text[i] == '-' || text[i] == '_'))
				len = 0;
		if (len < TOKEN_MIN_LEN) {
			free(text);
			*err = xasprintf("%s: not a feed token (%d or more letters, digits, - or _ "
			    "on the first line); delete it to have a new one made", path, TOKEN_MIN_LEN);
			return -1;
		}
		*token = text;
		return 0;
	}
	if (errno != ENOENT || !create) {
		if (errno == ENOENT)
			return 1;
		*err = xasprintf("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
		*err = xasprintf("cannot make a feed token: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof raw; i++)
		buf_printf(&b, "%02x", raw[i]);
	buf_putc(&b, '\n');
	/* Written whole to a temporary file, then linked into place: a crash
	 * never leaves an empty token file, and of two first starts the
	 * second reads the first's token. */
	tmp = xasprintf("%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0 || fchmod(fd, 0600) < 0 ||
	    write(fd, buf_str(&b), b.len) != (ssize_t)b.len || fsync(fd) < 0) {
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		buf_free(&b);
		return -1;
	}
	close(fd);
	rc = link(tmp, path);
	e = errno;
	unlink(tmp);
	free(tmp);
	if (rc < 0) {
		buf_free(&b);
		if (e == EEXIST)
			return feedsrv_token_load(path, false, token, err);
		*err = xasprintf("cannot write %s: %s", path, strerror(e));
		return -1;
	}
	b.data[--b.len] = '\0';
	*token = buf_take(&b);
	return 0;
}

bool
feedsrv_path_ok(const char *path, const char *token)
{
	size_t tlen = strlen(token), slen;
	const char *seg, *end;
	unsigned diff = 0;

	if (path[0] != '/')
		return false;
	seg = path + 1;
	end = strchr(seg, '/');
	if (end == NULL)
		return false;
	slen = (size_t)(end - seg);
	/* Every byte of the token is looked at, whatever the request holds. */
	diff |= slen != tlen;
	for (size_t i = 0; i < tlen; i++)
		diff |= (unsigned char)token[i] ^ (unsigned char)(i < slen ? seg[i] : 0);
	return diff == 0 && strcmp(end, "/" FEEDSRV_PATH) == 0;
}

bool
feedsrv_etag_match(const char *h, const char *etag)
{
	size_t elen = strlen(etag);

	for (;;) {
		size_t n;

		while (*h == ' ' || *h == '\t' || *h == ',')
			h++;
		if (*h == '\0')
			return false;
		if (*h == '*')
			return true;
		if (strncmp(h, "W/", 2) == 0)
			h += 2;
		if (*h != '"')
			return false;   /* not an entity-tag: no match */
		n = strcspn(h + 1, "\"");
		if (h[1 + n] != '"')
			return false;
		/* etag is the quoted form. */
		if (n + 2 == elen && strncmp(h, etag, elen) == 0)
			return true;
		h += n + 2;
	}
}

time_t
feedsrv_http_date(const char *s)
{
	static const char *const forms[] = {
		"%a, %d %b %Y %H:%M:%S GMT",     /* IMF-fixdate */
		"%A, %d-%b-%y %H:%M:%S GMT",     /* RFC 850 */
		"%a %b %e %H:%M:%S %Y",          /* asctime */
	};

	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		struct tm tm;
		const char *end;

		memset(&tm, 0, sizeof tm);
		end = strptime(s, forms[i], &tm);
		if (end != NULL && *end == '\0')
			return timegm(&tm);
	}
	return -1;
}

static void
http_date(time_t t, char out[40])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void
add_validators(struct MHD_Response *r, const struct feedsrv *s)
{
	char date[40];

	http_date(s->modified, date);
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, s->etag);
	MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, date);
	/* Clients may keep it, but ask again before using it. */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "private, no-cache");
}

static struct MHD_Response *
static_response(const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text),
	    (void *)text, MHD_RESPMEM_PERSISTENT);

	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	return r;
}

void
feedsrv_set(struct feedsrv *s, const char *body, size_t len, time_t mtime)
{
	unsigned char digest[32];
	char etag[40];

	gnutls_hash_fast(GNUTLS_DIG_SHA256, body, len, digest);
	snprintf(etag, sizeof etag, "\"");
	for (int i = 0; i < 16; i++)
		snprintf(etag + 1 + 2 * i, sizeof etag - 1 - 2 * i, "%02x", digest[i]);
	strcat(etag, "\"");
	if (s->has_body && strcmp(etag, s->etag) == 0)
		return;
	/* A client that saw the old body at s->modified must see a later
	 * date for the new one, whatever the file's clock says. */
	if (s->has_body && mtime <= s->modified)
		mtime = s->modified + 1;
	s->modified = mtime;
	memcpy(s->etag, etag, sizeof etag);
	/* Connections still sending the old response keep it alive: MHD
	 * counts its references. */
	if (s->full != NULL)
		MHD_destroy_response(s->full);
	if (s->unchanged != NULL)
		MHD_destroy_response(s->unchanged);
	s->full = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(s->full, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/calendar; charset=utf-8");
	add_validators(s->full, s);
	s->unchanged = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	add_validators(s->unchanged, s);
	s->has_body = true;
}

/* RFC 9110 13.2.2: If-None-Match decides when present; If-Modified-Since
 * only without it. */
static bool
not_modified(struct MHD_Connection *c, const struct feedsrv *s)
{
	const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *ims;
	time_t t;

	if (inm != NULL)
		return feedsrv_etag_match(inm, s->etag);
	ims = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	if (ims == NULL || (t = feedsrv_http_date(ims)) < 0)
		return false;
	return s->modified <= t;
}

static struct feedsrv_conn *
conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

/* Does the request announce a body? libmicrohttpd reads one exactly when
 * it has Content-Length (other than 0) or Transfer-Encoding. */
static bool
has_request_body(struct MHD_Connection *c)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);

	if (MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL)
		return true;
	if (cl == NULL)
		return false;
	cl += strspn(cl, " \t0");
	return *cl != '\0';
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **req)
{
	struct feedsrv *s = cls;
	bool head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	struct feedsrv_conn *fc;

	(void)version;
	(void)upload;
	if (*req == NULL && (fc = conn_of(c)) != NULL)
		fc->deadline = 0;   /* the head is in */
	/* Other methods are answered at once, before any body is read (the
	 * connection then closes). GET and HEAD are answered in the second
	 * call: answering in the first makes libmicrohttpd 0.9.75 close the
	 * connection, and clients that keep it alive are faster. */
	if (!head && strcmp(method, MHD_HTTP_METHOD_GET) != 0)
		return MHD_queue_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, s->not_allowed);
	/* A body must be refused in the first call too: once its bytes are
	 * being read libmicrohttpd 0.9.75 takes no response until the end,
	 * and a response refused is an "internal error" logged per request. */
	if (*req == NULL && has_request_body(c))
		return MHD_queue_response(c, MHD_HTTP_BAD_REQUEST, s->bad_request);
	if (*req == NULL) {
		*req = &req_seen;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		/* Not announced but there (cannot happen with 0.9.75): drop
		 * it, answer once it is all read. */
		*upload_size = 0;
		*req = &req_body;
		return MHD_YES;
	}
	if (*req == &req_body)
		return MHD_queue_response(c, MHD_HTTP_BAD_REQUEST, s->bad_request);
	if (!feedsrv_path_ok(url, s->token) || !s->has_body)
		return MHD_queue_response(c, MHD_HTTP_NOT_FOUND, s->not_found);
	if (not_modified(c, s))
		return MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, s->unchanged);
	return MHD_queue_response(c, MHD_HTTP_OK, s->full);
}

/* libmicrohttpd's messages, without the token should one carry it, and
 * at most FEEDSRV_LOG_PER_MINUTE a minute: it has one for each connection
 * turned away, which a flood of connections would turn into a flood of
 * lines. */
static void
log_mhd(void *cls, const char *fmt, va_list ap)
{
	struct feedsrv *s = cls;
	char msg[512], *p;
	long long now = now_ms();
	bool cut;

	if (now - s->log_minute >= 60000) {
		if (s->log_dropped != 0)
			fprintf(stderr, "followupd: feed server: %u more messages in the last "
			    "minute not shown\n", s->log_dropped);
		s->log_minute = now;
		s->log_count = s->log_dropped = 0;
	}
	if (s->log_count >= FEEDSRV_LOG_PER_MINUTE) {
		s->log_dropped++;
		return;
	}
	s->log_count++;
	cut = vsnprintf(msg, sizeof msg, fmt, ap) >= (int)sizeof msg;
	msg[strcspn(msg, "\n")] = '\0';
	if (s->token != NULL) {
		size_t tl = strlen(s->token), ml = strlen(msg);

		while ((p = strstr(msg, s->token)) != NULL)
			memset(p, '*', tl);
		/* Nor the start of one that the message's end cut. */
		for (size_t k = tl - 1; cut && k > 0; k--)
			if (k <= ml && strncmp(msg + ml - k, s->token, k) == 0) {
				memset(msg + ml - k, '*', k);
				break;
			}
	}
	/* It quotes the request line: a client's escape sequences stay out. */
	clean_inplace(msg);
	fprintf(stderr, "followupd: feed server: %s\n", msg);
}

/* The path as sent: "%2f" or "%2e%2e" is never read as "/" or "..", so
 * only the exact path reaches the feed. */
static size_t
no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

/* libmicrohttpd 0.9.75 has no call to close a connection, and its
 * timeout restarts with every byte; shutting the socket down makes it see
 * the end of the stream at once and close the connection itself. */
static void
cut(struct feedsrv_conn *fc)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(fc->c,
	    MHD_CONNECTION_INFO_CONNECTION_FD);

	if (ci != NULL)
		shutdown(ci->connect_fd, SHUT_RDWR);
	fc->cut = true;
}

/* Past FEEDSRV_MAX_PENDING connections without their head, closes the
 * oldest of them (the list is newest first). */
static void
limit_pending(struct feedsrv *s)
{
	struct feedsrv_conn *oldest = NULL;
	unsigned n = 0;

	for (struct feedsrv_conn *fc = s->conns; fc != NULL; fc = fc->next)
		if (!fc->cut && fc->deadline != 0) {
			n++;
			oldest = fc;
		}
	if (n > FEEDSRV_MAX_PENDING)
		cut(oldest);
}

/* Keeps the list of open connections, each with its head deadline. */
static void
on_connection(void *cls, struct MHD_Connection *c, void **ctx,
    enum MHD_ConnectionNotificationCode what)
{
	struct feedsrv *s = cls;
	struct feedsrv_conn *fc = *ctx;

	if (what == MHD_CONNECTION_NOTIFY_STARTED) {
		fc = xcalloc(1, sizeof *fc);
		fc->c = c;
		fc->deadline = now_ms() + FEEDSRV_HEAD_DEADLINE * 1000LL;
		fc->next = s->conns;
		if (s->conns != NULL)
			s->conns->prev = fc;
		s->conns = fc;
		*ctx = fc;
		limit_pending(s);
	} else if (what == MHD_CONNECTION_NOTIFY_CLOSED && fc != NULL) {
		if (fc->prev != NULL)
			fc->prev->next = fc->next;
		else
			s->conns = fc->next;
		if (fc->next != NULL)
			fc->next->prev = fc->prev;
		free(fc);
		*ctx = NULL;
	}
}

/* A response is done: a connection kept alive has the deadline again
 * for its next request. */
static void
on_completed(void *cls, struct MHD_Connection *c, void **req,
    enum MHD_RequestTerminationCode why)
{
	struct feedsrv_conn *fc = conn_of(c);

	(void)cls;
	(void)req;
	(void)why;
	if (fc != NULL)
		fc->deadline = now_ms() + FEEDSRV_HEAD_DEADLINE * 1000LL;
}

/* Ends the connections past their deadline. */
static void
sweep(struct feedsrv *s, long long now)
{
	for (struct feedsrv_conn *fc = s->conns; fc != NULL; fc = fc->next)
		if (!fc->cut && fc->deadline != 0 && fc->deadline <= now)
			cut(fc);
}

static int
listen_on(const struct calendar_conf *cc, char **err)
{
	struct addrinfo hints, *res, *ai;
	char port[16];
	int fd = -1, rc, e = 0, one = 1;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(port, sizeof port, "%d", cc->listen_port);
	if ((rc = getaddrinfo(cc->listen_host, port, &hints, &res)) != 0) {
		*err = xasprintf("feed server: %s: %s", cc->listen_host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		*err = xasprintf("feed server: cannot listen on %s port %d: %s",
		    cc->listen_host, cc->listen_port, strerror(e));
	return fd;
}

struct feedsrv *
feedsrv_start(const struct calendar_conf *cc, const char *token, char **err)
{
	struct feedsrv *s = xcalloc(1, sizeof *s);
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	size_t len;

	s->listen_fd = -1;
	s->token = xstrdup(token);
	if (cc->tls_cert != NULL) {
		if (afile_read(cc->tls_cert, 1 << 20, &s->cert, &len) < 0) {
			*err = xasprintf("feed server: cannot read tls_cert %s: %s", cc->tls_cert,
			    strerror(errno));
			goto fail;
		}
		if (afile_read(cc->tls_key, 1 << 20, &s->key, &len) < 0) {
			*err = xasprintf("feed server: cannot read tls_key %s: %s", cc->tls_key,
			    strerror(errno));
			goto fail;
		}
		flags |= MHD_USE_TLS;
	}
	if ((s->listen_fd = listen_on(cc, err)) < 0)
		goto fail;
	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
	    MHD_OPTION_EXTERNAL_LOGGER, log_mhd, s,   /* first, or MHD logs before it */
	    MHD_OPTION_LISTEN_SOCKET, s->listen_fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)FEEDSRV_MAX_CONNECTIONS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)FEEDSRV_MAX_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)FEEDSRV_TIMEOUT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
	    MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    cc->tls_cert != NULL ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, s->cert,
	    MHD_OPTION_HTTPS_MEM_KEY, s->key,
	    MHD_OPTION_HTTPS_PRIORITIES, FEEDSRV_TLS_PRIORITIES,
	    MHD_OPTION_END);
	if (s->mhd != NULL)
		s->listen_fd = -1;   /* closed by MHD_stop_daemon() */
	if (s->mhd == NULL) {
		*err = xasprintf("feed server: cannot start on %s port %d%s", cc->listen_host,
		    cc->listen_port, cc->tls_cert != NULL ?
		    " (is tls_key the private key of tls_cert, both PEM?)" : "");
		goto fail;
	}
	s->not_found = static_response("Not found\n");
	s->not_allowed = static_response("Only GET and HEAD\n");
	s->bad_request = static_response("No body with GET or HEAD\n");
	MHD_add_response_header(s->not_allowed, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	return s;
fail:
	feedsrv_stop(s);
	return NULL;
}

int
feedsrv_fd(const struct feedsrv *s)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->mhd,
	    MHD_DAEMON_INFO_EPOLL_FD);

	return info != NULL ? info->epoll_fd : -1;
}

int
feedsrv_timeout(struct feedsrv *s)
{
	MHD_UNSIGNED_LONG_LONG ms;
	long long now = now_ms(), wait = 60000;

	if (MHD_get_timeout(s->mhd, &ms) == MHD_YES && ms < (MHD_UNSIGNED_LONG_LONG)wait)
		wait = (long long)ms;
	for (const struct feedsrv_conn *fc = s->conns; fc != NULL; fc = fc->next)
		if (!fc->cut && fc->deadline != 0 && fc->deadline - now < wait)
			wait = fc->deadline > now ? fc->deadline - now : 0;
	return (int)wait;
}

void
feedsrv_run(struct feedsrv *s)
{
	sweep(s, now_ms());
	MHD_run(s->mhd);
}

void
feedsrv_stop(struct feedsrv *s)
{
	if (s == NULL)
		return;
	if (s->mhd != NULL)
		MHD_stop_daemon(s->mhd);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->full != NULL)
		MHD_destroy_response(s->full);
	if (s->unchanged != NULL)
		MHD_destroy_response(s->unchanged);
	if (s->not_found != NULL)
		MHD_destroy_response(s->not_found);
	if (s->not_allowed != NULL)
		MHD_destroy_response(s->not_allowed);
	if (s->bad_request != NULL)
		MHD_destroy_response(s->bad_request);
	if (s->key != NULL)
		gnutls_memset(s->key, 0, strlen(s->key));
	free(s->key);
	free(s->cert);
	free(s->token);
	free(s);
}
