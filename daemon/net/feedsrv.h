/* feedsrv: the built-in HTTP(S) server of the calendar feed, with
 * libmicrohttpd, run from the caller's event loop (no thread of its own).
 * It answers GET and HEAD of /TOKEN/followups.ics and nothing else: 404
 * for every other path, a wrong token included (compared in constant
 * time), 405 for other methods, 400 for a GET or HEAD with a body.
 * Strong ETag from the content, Last-Modified that never goes backwards,
 * 304 on If-None-Match or If-Modified-Since. The token never reaches a
 * log. Each connection has FEEDSRV_HEAD_DEADLINE seconds for its request
 * head, however slowly the bytes trickle in. */
#ifndef FOLLOWUPD_FEEDSRV_H
#define FOLLOWUPD_FEEDSRV_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"

#define FEEDSRV_PATH "followups.ics"
#define FEEDSRV_MAX_CONNECTIONS 256
#define FEEDSRV_MAX_PER_IP 16
#define FEEDSRV_TIMEOUT 30          /* seconds a connection may stay idle */
/* Seconds from accept (or from the end of the previous response) to a
 * complete request head: every byte resets the idle timeout, so without
 * it a client sending a byte now and then holds its connection forever. */
#define FEEDSRV_HEAD_DEADLINE 10
/* Connections still waiting for their head: past this many the oldest is
 * closed, so slow clients never fill every slot and a new client's
 * connection, the newest, gets through. */
#define FEEDSRV_MAX_PENDING 128
/* TLS 1.2 and 1.3 only. */
#define FEEDSRV_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
/* libmicrohttpd's messages: at most this many a minute, then a count. */
#define FEEDSRV_LOG_PER_MINUTE 10

struct feedsrv;

/* Reads the token of path, or when the file does not exist and create is
 * set, makes one (160 random bits as 40 hex digits) and writes it with
 * mode 0600. 0 and *token (allocated); 1 when absent and !create; -1 with
 * *err allocated. */
int feedsrv_token_load(const char *path, bool create, char **token, char **err);

/* Listens on cc->listen_host:listen_port, with TLS when cc->tls_cert is
 * set. NULL with *err allocated. */
struct feedsrv *feedsrv_start(const struct calendar_conf *cc, const char *token,
    char **err);
/* Serves body from now on; mtime is when it last changed (the feed file's
 * mtime). Last-Modified moves forward when the body changes. */
void feedsrv_set(struct feedsrv *s, const char *body, size_t len, time_t mtime);
/* The descriptor to poll for input, and how long (ms, -1 forever) the
 * caller may wait before feedsrv_run() is due anyway. */
int feedsrv_fd(const struct feedsrv *s);
int feedsrv_timeout(struct feedsrv *s);
/* Does whatever is ready; never blocks. */
void feedsrv_run(struct feedsrv *s);
void feedsrv_stop(struct feedsrv *s);

/* Pure helpers, exposed for the tests. */
/* Is path exactly "/" token "/" FEEDSRV_PATH? The token's bytes are
 * compared in time independent of where they differ. */
bool feedsrv_path_ok(const char *path, const char *token);
/* Does an If-None-Match value match etag (weak comparison, "*")? */
bool feedsrv_etag_match(const char *header, const char *etag);
/* Parses an HTTP date (IMF-fixdate, RFC 850 or asctime); -1 if none. */
time_t feedsrv_http_date(const char *s);

#endif
