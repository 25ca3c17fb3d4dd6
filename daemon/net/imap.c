#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "day.h"
#include "capstream.h"
#include "clean.h"
#include "imap.h"
#include "imappriv.h"
#include "mimedec.h"
#include "mailhdr.h"
#include "secret.h"
#include "tcp.h"
#include "tlscheck.h"

char *
imap_label(const struct imap_account *a)
{
	if (strcmp(a->name, "default") == 0 && a->server.user != NULL)
		return xasprintf("imap %s", a->server.user);
	return xasprintf("imap %s", a->name);
}

struct imap *
imap_new(const struct imap_account *a, long timeout)
{
	struct imap *c = xcalloc(1, sizeof *c);

	c->acct = a;
	c->timeout = timeout;
	return c;
}

void
imap_set_fd_hook(struct imap *c, void (*fn)(void *arg, int fd), void *arg)
{
	c->on_fd = fn;
	c->on_fd_arg = arg;
}

void
imap_tell_fd(struct imap *c, int fd)
{
	if (c->on_fd != NULL)
		c->on_fd(c->on_fd_arg, fd);
}

static bool
is_ip_literal(const char *host)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

/* Runs before the TLS handshake: SNI (never for an IP address, RFC 6066). */
static void
tls_setup(struct mailstream_ssl_context *ctx, void *data)
{
	char *host = data;

	if (!is_ip_literal(host))
		mailstream_ssl_set_server_name(ctx, host);
}

/* The server's last response text, made printable, for error messages. */
static char *
response(const struct imap *c)
{
	const char *r = c->m != NULL ? c->m->imap_response : NULL;
	struct buf b = { 0 };

	if (r == NULL || *r == '\0')
		return xstrdup("no reason given");
	clean_append(&b, r, strnlen(r, 200));
	return buf_take(&b);
}

/* Why capstream cut the stream, or NULL. */
static char *
tripped(const struct imap *c)
{
	switch (c->m != NULL ? capstream_tripped(c->m->imap_stream) : CAPSTREAM_FINE) {
	case CAPSTREAM_BIG:
		return xasprintf("the server's response is larger than %u MiB: dropped",
		    CAPSTREAM_MAX >> 20);
	case CAPSTREAM_MANY:
		return xasprintf("the server's response has more than %u items: dropped",
		    CAPSTREAM_MAX_ITEMS);
	case CAPSTREAM_DEEP:
		return xasprintf("the server's response nests deeper than %d levels: dropped",
		    CAPSTREAM_MAX_DEPTH);
	case CAPSTREAM_LITERAL:
		return xstrdup("the server sent a literal in its greeting or a continuation, "
		    "which libetpan cannot parse: dropped");
	default:
		return NULL;
	}
}

enum imap_rc
imap_fail_net(struct imap *c, int rc, const char *what, char **err)
{
	char *why = tripped(c);

	if (why != NULL) {
		*err = xasprintf("%s: %s", what, why);
		free(why);
	} else if (rc == MAILIMAP_ERROR_STREAM || rc == MAILIMAP_ERROR_CONNECTION_REFUSED)
		*err = xasprintf("%s: connection to %s:%d lost or refused", what,
		    c->acct->server.host, c->acct->server.port);
	else if (rc == MAILIMAP_ERROR_PARSE)
		*err = xasprintf("%s: cannot parse the server's response", what);
	else {
		char *r = response(c);

		*err = xasprintf("%s failed: %s", what, r);
		free(r);
	}
	return IMAP_TEMP;
}

/* Checks the certificate chain of stream, before any IMAP is read from it. */
static enum imap_rc
verify(struct imap *c, mailstream *stream, char **err)
{
	const struct server *sv = &c->acct->server;
	carray *chain;
	struct tlscheck *tc;
	const unsigned char **der;
	size_t *len, n;
	int rc;

	if (!sv->tls_verify)
		return IMAP_OK;
	chain = mailstream_get_certificate_chain(stream);
	n = chain != NULL ? carray_count(chain) : 0;
	der = xcalloc(n + 1, sizeof *der);
	len = xcalloc(n + 1, sizeof *len);
	for (size_t i = 0; i < n; i++) {
		MMAPString *s = carray_get(chain, (unsigned)i);

		der[i] = (const unsigned char *)s->str;
		len[i] = s->len;
	}
	tc = tlscheck_new(sv->ca_file, err);
	rc = tc == NULL ? -1 : tlscheck_verify(tc, sv->host, der, len, n, err);
	tlscheck_free(tc);
	for (size_t i = 0; i < n; i++)
		mmap_string_free(carray_get(chain, (unsigned)i));
	if (chain != NULL)
		carray_free(chain);
	free(der);
	free(len);
	return rc == 0 ? IMAP_OK : IMAP_FINAL;
}

bool
imap_has_capability(struct imap *c, const char *name)
{
	struct mailimap_capability_data *caps = NULL;

	if (c->m->imap_connection_info == NULL ||
	    c->m->imap_connection_info->imap_capability == NULL) {
		if (mailimap_capability(c->m, &caps) == MAILIMAP_NO_ERROR)
			mailimap_capability_data_free(caps);
	}
	return mailimap_has_extension(c->m, (char *)name) != 0;
}

static void
forget_capabilities(struct imap *c)
{
	if (c->m->imap_connection_info != NULL &&
	    c->m->imap_connection_info->imap_capability != NULL) {
		mailimap_capability_data_free(c->m->imap_connection_info->imap_capability);
		c->m->imap_connection_info->imap_capability = NULL;
	}
}

/* TCP keepalive, so that a silent dead peer is noticed during IDLE. */
static void
keepalive(struct imap *c)
{
	int fd = imap_fd(c), on = 1, idle = 60, intvl = 15, cnt = 4;

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
}

static enum imap_rc
login(struct imap *c, char **err)
{
	const struct server *sv = &c->acct->server;
	char *secret = NULL, *serr = NULL, *r;
	const char *how;
	int rc;

	if ((rc = secret_fetch(sv, &secret, &serr)) < 0) {
		*err = serr;
		return rc == SECRET_TEMP ? IMAP_TEMP : IMAP_FINAL;
	}
	switch (sv->auth) {
	case AUTH_OAUTH2:
		how = "XOAUTH2 login";
		rc = mailimap_oauth2_authenticate(c->m, sv->user, secret);
		break;
	case AUTH_PLAIN:
		how = "PLAIN login";
		rc = mailimap_authenticate(c->m, "PLAIN", sv->host, NULL, NULL,
		    sv->user, sv->user, secret, NULL);
		break;
	default:
		how = "login";
		rc = mailimap_login(c->m, sv->user, secret);
		break;
	}
	secret_free(secret);
	if (rc == MAILIMAP_NO_ERROR)
		return IMAP_OK;
	if (rc == MAILIMAP_ERROR_STREAM || rc == MAILIMAP_ERROR_PARSE)
		return imap_fail_net(c, rc, how, err);
	r = response(c);
	*err = xasprintf("%s failed: %s", how, r);
	free(r);
	return IMAP_FINAL;
}

/* The connection as a stream with capstream's limits in place before its
 * first byte is read and, for imaps, the certificate checked before any
 * IMAP is parsed: libetpan's own connect functions read and parse the
 * greeting at once, unlimited and unverified. */
static enum imap_rc
open_stream(struct imap *c, mailstream **out, char **err)
{
	const struct server *sv = &c->acct->server;
	mailstream *s;
	char *terr = NULL;
	enum imap_rc irc;
	int fd = tcp_connect(sv->host, sv->port, c->timeout, &terr);

	*out = NULL;
	if (fd < 0) {
		*err = xasprintf("cannot connect to %s:%d (%s)", sv->host, sv->port, terr);
		free(terr);
		return IMAP_TEMP;
	}
	imap_tell_fd(c, fd);
	if (sv->implicit_tls) {
		s = mailstream_ssl_open_with_callback_timeout(fd, (time_t)c->timeout, tls_setup,
		    sv->host);
		if (s == NULL) {
			const char *why = tlscheck_handshake_error();

			imap_tell_fd(c, -1);
			close(fd);
			*err = xasprintf("cannot connect to %s:%d (TLS handshake failed%s%s)",
			    sv->host, sv->port, why != NULL ? ": " : "", why != NULL ? why : "");
			return IMAP_TEMP;
		}
		if ((irc = verify(c, s, err)) != IMAP_OK) {
			imap_tell_fd(c, -1);
			mailstream_close(s);
			return irc;
		}
	} else if ((s = mailstream_socket_open_timeout(fd, (time_t)c->timeout)) == NULL) {
		imap_tell_fd(c, -1);
		close(fd);
		*err = xstrdup("out of memory");
		return IMAP_TEMP;
	}
	if (capstream_wrap(s, CAPSTREAM_MAX) < 0) {
		imap_tell_fd(c, -1);
		mailstream_close(s);
		*err = xstrdup("out of memory");
		return IMAP_TEMP;
	}
	*out = s;
	return IMAP_OK;
}

/* STARTTLS (required), with the certificate checked and the limits put
 * back on the TLS stream before anything more is read. */
static enum imap_rc
starttls(struct imap *c, int greeting, char **err)
{
	const struct server *sv = &c->acct->server;
	enum imap_rc irc;
	int rc;

	/* A PREAUTH greeting would put us in the authenticated state before
	 * TLS, where STARTTLS is not allowed. */
	if (greeting == MAILIMAP_NO_ERROR_AUTHENTICATED) {
		*err = xasprintf("%s:%d greeted with PREAUTH before TLS; refusing the plaintext session",
		    sv->host, sv->port);
		return IMAP_FINAL;
	}
	if (!imap_has_capability(c, "STARTTLS")) {
		if (capstream_tripped(c->m->imap_stream) != CAPSTREAM_FINE)
			return imap_fail_net(c, MAILIMAP_ERROR_STREAM, "CAPABILITY", err);
		*err = xasprintf("%s:%d does not offer STARTTLS; refusing to log in without TLS",
		    sv->host, sv->port);
		return IMAP_FINAL;
	}
	/* libetpan replaces the stream's low level (capstream with it) by a
	 * bare TLS one. */
	rc = mailimap_socket_starttls_with_callback(c->m, tls_setup, sv->host);
	if (rc != MAILIMAP_NO_ERROR) {
		const char *why = tlscheck_handshake_error();

		if (capstream_tripped(c->m->imap_stream) != CAPSTREAM_FINE)
			return imap_fail_net(c, rc, "STARTTLS", err);
		*err = xasprintf("STARTTLS with %s:%d failed%s%s%s", sv->host, sv->port,
		    why != NULL ? " (TLS handshake: " : "", why != NULL ? why : "",
		    why != NULL ? ")" : "");
		return IMAP_TEMP;
	}
	if ((irc = verify(c, c->m->imap_stream, err)) != IMAP_OK)
		return irc;
	if (capstream_wrap(c->m->imap_stream, CAPSTREAM_MAX) < 0) {
		*err = xstrdup("out of memory");
		return IMAP_TEMP;
	}
	/* What the server said before TLS is forgotten (RFC 3501 6.2.1). */
	forget_capabilities(c);
	return IMAP_OK;
}

/* ENABLE UTF8=ACCEPT (RFC 6855) where offered: names then go both ways as
 * UTF-8, and a server that has no modified UTF-7 form for a name still
 * finds it. */
static enum imap_rc
enable_utf8(struct imap *c, char **err)
{
	struct mailimap_capability_data *want, *got = NULL;
	clist *l;
	int rc;

	c->utf8 = false;
	if (!imap_has_capability(c, "ENABLE") || !imap_has_capability(c, "UTF8=ACCEPT"))
		return IMAP_OK;
	l = clist_new();
	clist_append(l, mailimap_capability_new(MAILIMAP_CAPABILITY_NAME, NULL,
	    xstrdup("UTF8=ACCEPT")));
	want = mailimap_capability_data_new(l);
	rc = mailimap_enable(c->m, want, &got);
	mailimap_capability_data_free(want);
	if (rc == MAILIMAP_ERROR_STREAM || rc == MAILIMAP_ERROR_PARSE)
		return imap_fail_net(c, rc, "ENABLE", err);
	if (rc != MAILIMAP_NO_ERROR || got == NULL)
		return IMAP_OK;   /* refused: modified UTF-7 it is */
	for (clistiter *it = clist_begin(got->cap_list); it != NULL; it = clist_next(it)) {
		struct mailimap_capability *cap = clist_content(it);

		if (cap->cap_type == MAILIMAP_CAPABILITY_NAME &&
		    strcasecmp(cap->cap_data.cap_name, "UTF8=ACCEPT") == 0)
			c->utf8 = true;
	}
	mailimap_capability_data_free(got);
	return IMAP_OK;
}

enum imap_rc
imap_connect(struct imap *c, char **err)
{
	const struct server *sv = &c->acct->server;
	mailstream *s;
	enum imap_rc irc;
	int rc;

	if (c->m != NULL) {
		imap_tell_fd(c, -1);
		mailimap_free(c->m);
	}
	c->idling = false;
	c->m = mailimap_new(0, NULL);
	if (c->m == NULL) {
		*err = xstrdup("out of memory");
		return IMAP_TEMP;
	}
	mailimap_set_timeout(c->m, (time_t)c->timeout);
	if ((irc = open_stream(c, &s, err)) != IMAP_OK)
		return irc;
	/* From here the session owns the stream, even when this fails. */
	rc = mailimap_connect(c->m, s);
	if (rc != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    rc != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		char *why = tripped(c);

		*err = xasprintf("cannot connect to %s:%d%s%s%s", sv->host, sv->port,
		    why != NULL ? " (" : "", why != NULL ? why : "", why != NULL ? ")" :
		    rc == MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION ? " (the server refused us)" :
		    rc == MAILIMAP_ERROR_PARSE ? " (its greeting is not IMAP)" : "");
		free(why);
		return IMAP_TEMP;
	}
	if (!sv->implicit_tls && sv->tls_verify && (irc = starttls(c, rc, err)) != IMAP_OK)
		return irc;
	keepalive(c);
	if (rc == MAILIMAP_NO_ERROR_AUTHENTICATED)
		return enable_utf8(c, err);
	/* Only in plain text (tls = none): after TLS, what was said before
	 * is forgotten. The server would refuse LOGIN (RFC 3501 6.2.3), but
	 * only once the password has crossed the network in the clear. */
	if (imap_has_capability(c, "LOGINDISABLED")) {
		*err = xasprintf("%s:%d refuses to log in without TLS (LOGINDISABLED); "
		    "use imaps:// or STARTTLS (remove tls = none)", sv->host, sv->port);
		return IMAP_FINAL;
	}
	if ((irc = login(c, err)) != IMAP_OK)
		return irc;
	/* Capabilities can change after login (IDLE is often only listed then). */
	forget_capabilities(c);
	(void)imap_has_capability(c, "IDLE");
	return enable_utf8(c, err);
}

enum imap_rc
imap_examine(struct imap *c, const char *folder, struct imap_folder *out, char **err)
{
	char *wire = imap_wire_name(c, folder, err);
	struct mailimap_selection_info *si;
	int rc;

	if (wire == NULL) {
		char *why = *err;

		*err = xasprintf("folder name \"%s\": %s", folder, why);
		free(why);
		return IMAP_FINAL;
	}
	rc = mailimap_examine(c->m, wire);
	free(wire);

	if (rc != MAILIMAP_NO_ERROR) {
		enum imap_rc irc = imap_fail_net(c, rc, "EXAMINE", err);

		if (rc == MAILIMAP_ERROR_EXAMINE) {
			char *r = response(c);

			free(*err);
			*err = xasprintf("cannot open folder \"%s\": %s", folder, r);
			free(r);
			return IMAP_FINAL;
		}
		return irc;
	}
	si = c->m->imap_selection_info;
	memset(out, 0, sizeof *out);
	if (si != NULL) {
		out->uidvalidity = si->sel_uidvalidity;
		out->uidnext = si->sel_uidnext;
		out->exists = si->sel_exists;
	}
	if (out->uidvalidity == 0) {
		*err = xasprintf("folder \"%s\" has no UIDVALIDITY", folder);
		return IMAP_FINAL;
	}
	return IMAP_OK;
}

static int
cmp_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

enum imap_rc
imap_search_from(struct imap *c, uint32_t first, uint32_t **uids, size_t *n,
    char **err)
{
	struct mailimap_search_key *key;
	clist *result = NULL;
	size_t count = 0;
	uint32_t *v;
	int rc;

	if (first == 0)
		first = 1;
	key = mailimap_search_key_new_uid(mailimap_set_new_interval(first, 0));
	rc = mailimap_uid_search(c->m, NULL, key, &result);
	mailimap_search_key_free(key);
	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail_net(c, rc, "UID SEARCH", err);
	v = xcalloc((size_t)clist_count(result) + 1, sizeof *v);
	for (clistiter *it = clist_begin(result); it != NULL; it = clist_next(it)) {
		uint32_t uid = *(uint32_t *)clist_content(it);

		/* "n:*" always matches the last message, even below n. */
		if (uid >= first)
			v[count++] = uid;
	}
	mailimap_search_result_free(result);
	qsort(v, count, sizeof *v, cmp_uid);
	*uids = v;
	*n = count;
	return IMAP_OK;
}

enum imap_rc
imap_fetch_uids_from(struct imap *c, uint32_t first, uint32_t **uids, size_t *n,
    char **err)
{
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	struct mailimap_set *set;
	clist *result = NULL;
	size_t count = 0;
	uint32_t *v;
	int rc;

	if (first == 0)
		first = 1;
	set = mailimap_set_new_interval(first, 0);
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	rc = mailimap_uid_fetch(c->m, set, ft, &result);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail_net(c, rc, "UID FETCH (UID)", err);
	v = xcalloc((size_t)clist_count(result) + 1, sizeof *v);
	for (clistiter *it = clist_begin(result); it != NULL; it = clist_next(it)) {
		struct mailimap_msg_att *ma = clist_content(it);

		for (clistiter *a = clist_begin(ma->att_list); a != NULL; a = clist_next(a)) {
			struct mailimap_msg_att_item *item = clist_content(a);

			if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
			    item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_UID &&
			    item->att_data.att_static->att_data.att_uid >= first)
				v[count++] = item->att_data.att_static->att_data.att_uid;
		}
	}
	mailimap_fetch_list_free(result);
	qsort(v, count, sizeof *v, cmp_uid);
	*n = 0;
	for (size_t i = 0; i < count; i++)   /* a flag change may repeat a UID */
		if (*n == 0 || v[*n - 1] != v[i])
			v[(*n)++] = v[i];
	*uids = v;
	return IMAP_OK;
}

static time_t
internaldate(const struct mailimap_date_time *d)
{
	if (d == NULL || !day_valid_ymd(d->dt_year, d->dt_month, d->dt_day))
		return 0;
	return (time_t)day_instant(day_from_ymd(d->dt_year, d->dt_month, d->dt_day),
	    d->dt_hour, d->dt_min, d->dt_sec, d->dt_zone);
}

/* A set of UIDs as ranges: "3:7,9,12:13". */
static struct mailimap_set *
uid_set(const uint32_t *uids, size_t n)
{
	struct mailimap_set *set = mailimap_set_new_empty();

	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j + 1 < n && uids[j + 1] == uids[j] + 1)
			j++;
		mailimap_set_add_interval(set, uids[i], uids[j]);
		i = j + 1;
	}
	return set;
}

struct imap_batch {
	clist *result;
	uint32_t first, last;   /* the UIDs asked for */
};

enum imap_rc
imap_fetch_batch(struct imap *c, const uint32_t *uids, size_t n,
    struct imap_batch **out, char **err)
{
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set;
	clist *names, *result = NULL;
	int rc;

	*out = NULL;
	if (n == 0)
		return IMAP_OK;
	names = clist_new();
	for (size_t i = 0; i < MAILHDR_NFIELDS; i++)
		clist_append(names, xstrdup(mailhdr_fields[i]));
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_internaldate());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_body_peek_section(
	    mailimap_section_new_header_fields(mailimap_header_list_new(names))));
	set = uid_set(uids, n);
	rc = mailimap_uid_fetch(c->m, set, ft, &result);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail_net(c, rc, "UID FETCH", err);
	*out = xcalloc(1, sizeof **out);
	(*out)->result = result;
	(*out)->first = uids[0];
	(*out)->last = uids[n - 1];
	return IMAP_OK;
}

void
imap_batch_each(const struct imap_batch *b, imap_msg_fn fn, void *arg)
{
	if (b == NULL)
		return;
	for (clistiter *it = clist_begin(b->result); it != NULL; it = clist_next(it)) {
		struct mailimap_msg_att *ma = clist_content(it);
		uint32_t uid = 0;
		time_t when = 0;
		const char *hdr = NULL;
		size_t len = 0;

		for (clistiter *a = clist_begin(ma->att_list); a != NULL; a = clist_next(a)) {
			struct mailimap_msg_att_item *item = clist_content(a);
			struct mailimap_msg_att_static *st;

			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
				continue;
			st = item->att_data.att_static;
			if (st->att_type == MAILIMAP_MSG_ATT_UID)
				uid = st->att_data.att_uid;
			else if (st->att_type == MAILIMAP_MSG_ATT_INTERNALDATE)
				when = internaldate(st->att_data.att_internal_date);
			else if (st->att_type == MAILIMAP_MSG_ATT_BODY_SECTION &&
			    st->att_data.att_body_section != NULL) {
				hdr = st->att_data.att_body_section->sec_body_part;
				len = st->att_data.att_body_section->sec_length;
			}
		}
		/* Unasked FETCH responses (flag changes) carry no header. */
		if (uid == 0 || (hdr == NULL && when == 0) || uid < b->first ||
		    uid > b->last)
			continue;
		fn(arg, uid, when, hdr != NULL ? hdr : "", hdr != NULL ? len : 0);
	}
}

void
imap_batch_free(struct imap_batch *b)
{
	if (b == NULL)
		return;
	mailimap_fetch_list_free(b->result);
	free(b);
}

bool
imap_has_idle(const struct imap *c)
{
	return c->m != NULL && mailimap_has_idle(c->m);
}

enum imap_rc
imap_idle_start(struct imap *c, char **err)
{
	int rc = mailimap_idle(c->m);

	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail_net(c, rc, "IDLE", err);
	c->idling = true;
	return IMAP_OK;
}

enum imap_rc
imap_idle_done(struct imap *c, char **err)
{
	int rc;

	c->idling = false;
	rc = mailimap_idle_done(c->m);
	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail_net(c, rc, "IDLE DONE", err);
	return IMAP_OK;
}

int
imap_fd(const struct imap *c)
{
	mailstream_low *low;

	if (c->m == NULL || c->m->imap_stream == NULL)
		return -1;
	low = mailstream_get_low(c->m->imap_stream);
	return low != NULL ? mailstream_low_get_fd(low) : -1;
}

bool
imap_pending(const struct imap *c)
{
	return c->m != NULL && c->m->imap_stream != NULL &&
	    c->m->imap_stream->read_buffer_len > 0;
}

void
imap_free(struct imap *c)
{
	if (c == NULL)
		return;
	if (c->m != NULL) {
		if (c->m->imap_stream != NULL) {
			/* A polite LOGOUT, but never a long wait for it. */
			mailimap_set_timeout(c->m, 5);
			if (c->idling)
				mailimap_idle_done(c->m);
			mailimap_logout(c->m);
		}
		imap_tell_fd(c, -1);
		mailimap_free(c->m);
	}
	free(c);
}

/* The text part of a reply, found in its BODYSTRUCTURE. */
struct text_part {
	bool found;
	uint32_t path[8];
	size_t depth;
	int encoding;              /* MAILIMAP_BODY_FLD_ENC_* */
	char charset[64];
};

static void
find_text(struct mailimap_body *b, uint32_t *path, size_t depth, struct text_part *plain,
    struct text_part *html)
{
	struct mailimap_body_type_1part *one;
	struct mailimap_body_type_text *t;
	struct text_part *slot;

	if (b->bd_type == MAILIMAP_BODY_MPART) {
		uint32_t i = 1;

		for (clistiter *it = clist_begin(b->bd_data.bd_body_mpart->bd_list);
		    it != NULL && depth < 8; it = clist_next(it), i++) {
			path[depth] = i;
			find_text(clist_content(it), path, depth + 1, plain, html);
		}
		return;
	}
	one = b->bd_data.bd_body_1part;
	if (one == NULL || one->bd_type != MAILIMAP_BODY_TYPE_1PART_TEXT ||
	    (t = one->bd_data.bd_type_text) == NULL)
		return;   /* an attachment, a forwarded message: not the user's words */
	if (one->bd_ext_1part != NULL && one->bd_ext_1part->bd_disposition != NULL &&
	    strcasecmp(one->bd_ext_1part->bd_disposition->dsp_type, "attachment") == 0)
		return;
	slot = strcasecmp(t->bd_media_text, "plain") == 0 ? plain :
	    strcasecmp(t->bd_media_text, "html") == 0 ? html : NULL;
	if (slot == NULL || slot->found)
		return;
	slot->found = true;
	if (depth == 0) {
		slot->path[0] = 1;   /* a single-part message: its body is part 1 */
		slot->depth = 1;
	} else {
		memcpy(slot->path, path, depth * sizeof *path);
		slot->depth = depth;
	}
	slot->encoding = t->bd_fields->bd_encoding != NULL ?
	    t->bd_fields->bd_encoding->enc_type : MAILIMAP_BODY_FLD_ENC_7BIT;
	snprintf(slot->charset, sizeof slot->charset, "utf-8");
	if (t->bd_fields->bd_parameter != NULL)
		for (clistiter *it = clist_begin(t->bd_fields->bd_parameter->pa_list); it != NULL;
		    it = clist_next(it)) {
			struct mailimap_single_body_fld_param *p = clist_content(it);

			if (strcasecmp(p->pa_name, "charset") == 0)
				snprintf(slot->charset, sizeof slot->charset, "%s", p->pa_value);
		}
}

/* The first static item of type type in a FETCH result for uid. */
static struct mailimap_msg_att_static *
fetched(clist *result, uint32_t uid, int type)
{
	for (clistiter *it = clist_begin(result); it != NULL; it = clist_next(it)) {
		struct mailimap_msg_att *ma = clist_content(it);
		struct mailimap_msg_att_static *found = NULL;
		uint32_t got = 0;

		for (clistiter *a = clist_begin(ma->att_list); a != NULL; a = clist_next(a)) {
			struct mailimap_msg_att_item *item = clist_content(a);

			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
				continue;
			if (item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_UID)
				got = item->att_data.att_static->att_data.att_uid;
			else if (item->att_data.att_static->att_type == type)
				found = item->att_data.att_static;
		}
		if (got == uid && found != NULL)
			return found;
	}
	return NULL;
}

/* Decodes the transfer encoding and the charset into UTF-8 text. */
static char *
decode_part(const char *raw, size_t len, const struct text_part *tp)
{
	enum mimedec_encoding enc = tp->encoding == MAILIMAP_BODY_FLD_ENC_BASE64 ?
	    MIMEDEC_BASE64 : tp->encoding == MAILIMAP_BODY_FLD_ENC_QUOTED_PRINTABLE ?
	    MIMEDEC_QUOTED_PRINTABLE : MIMEDEC_IDENTITY;

	return mimedec_text(raw, len, enc, tp->charset);
}

enum imap_rc
imap_fetch_text(struct imap *c, uint32_t uid, char **text, bool *html, char **err)
{
	struct mailimap_set *set = mailimap_set_new_single(uid);
	struct mailimap_fetch_type *ft;
	struct mailimap_msg_att_static *st;
	struct text_part plain = { 0 }, hpart = { 0 }, *tp;
	clist *result = NULL, *ids;
	uint32_t path[8];
	int rc;

	*text = NULL;
	*html = false;
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_bodystructure());
	rc = mailimap_uid_fetch(c->m, set, ft, &result);
	mailimap_fetch_type_free(ft);
	if (rc != MAILIMAP_NO_ERROR) {
		mailimap_set_free(set);
		return imap_fail_net(c, rc, "UID FETCH BODYSTRUCTURE", err);
	}
	st = fetched(result, uid, MAILIMAP_MSG_ATT_BODYSTRUCTURE);
	if (st != NULL && st->att_data.att_bodystructure != NULL)
		find_text(st->att_data.att_bodystructure, path, 0, &plain, &hpart);
	mailimap_fetch_list_free(result);
	tp = plain.found ? &plain : hpart.found ? &hpart : NULL;
	if (tp == NULL) {
		mailimap_set_free(set);
		return IMAP_OK;   /* gone, or no text at all */
	}
	*html = tp == &hpart;
	ids = clist_new();
	for (size_t i = 0; i < tp->depth; i++) {
		uint32_t *n = xmalloc(sizeof *n);

		*n = tp->path[i];
		clist_append(ids, n);
	}
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	/* The commands are at the top: the first 256 KiB are plenty. */
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_body_peek_section_partial(
	    mailimap_section_new_part(mailimap_section_part_new(ids)), 0, 262144));
	result = NULL;
	rc = mailimap_uid_fetch(c->m, set, ft, &result);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail_net(c, rc, "UID FETCH BODY.PEEK", err);
	st = fetched(result, uid, MAILIMAP_MSG_ATT_BODY_SECTION);
	if (st != NULL && st->att_data.att_body_section != NULL &&
	    st->att_data.att_body_section->sec_body_part != NULL)
		*text = decode_part(st->att_data.att_body_section->sec_body_part,
		    st->att_data.att_body_section->sec_length, tp);
	mailimap_fetch_list_free(result);
	return IMAP_OK;
}
