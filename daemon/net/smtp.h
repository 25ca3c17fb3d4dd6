/* smtp: submits one message with libcurl: smtps://, or smtp:// with
 * STARTTLS required; the certificate verified against the system store and
 * ca_file; AUTH PLAIN, LOGIN or XOAUTH2. Errors are classed like imap's. */
#ifndef FOLLOWUPD_SMTP_H
#define FOLLOWUPD_SMTP_H

#include <stdatomic.h>
#include <stddef.h>

#include "config.h"

enum smtp_rc {
	SMTP_OK = 0,
	SMTP_TEMP = -1,    /* network trouble or a 4xx: retry later */
	SMTP_FINAL = -2,   /* a 5xx, TLS trust, login: needs the user */
};

/* One send's whole time, at most (seconds): less than half of the
 * units' WatchdogSec, so that the daemon's ping before each send keeps
 * the watchdog fed. */
#define SMTP_SEND_MAX 120

/* Sends msg (CRLF line ends) from from to rcpt, waiting sv->timeout
 * seconds at most for the connection and for each answer. *err allocated
 * on failure, starting with what failed; *code the server's last reply
 * code (0 when none). cancel (NULL: none), when it becomes true, ends the
 * send within a second as SMTP_TEMP: the engine's way to stop a worker
 * stuck on a silent server. */
enum smtp_rc smtp_send(const struct server *sv, const char *from,
    const char *rcpt, const char *msg, size_t len, const atomic_bool *cancel,
    int *code, char **err);

#endif
