/* imap: one connection to an IMAP account, through libetpan, with the
 * certificate checked by tlscheck before any credential is sent. Errors
 * come back as a class and an allocated message without the account name
 * (the caller adds "imap LABEL: "). */
#ifndef FOLLOWUPD_IMAP_H
#define FOLLOWUPD_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"

enum imap_rc {
	IMAP_OK = 0,
	IMAP_TEMP = -1,    /* network or server trouble: retry later */
	IMAP_FINAL = -2,   /* needs the user: TLS trust, login, no Sent folder */
};

struct imap;

struct imap_folder {
	uint32_t uidvalidity;
	uint32_t uidnext;      /* 0 when the server did not say */
	uint32_t exists;
};

/* Called for each fetched message; hdr is the raw header block. */
typedef void (*imap_msg_fn)(void *arg, uint32_t uid, time_t internaldate,
    const char *hdr, size_t len);

/* "imap jane@example.org" for [imap], "imap NAME" for [imap:NAME]. */
char *imap_label(const struct imap_account *a);

/* timeout: seconds for connecting and for each server response. */
struct imap *imap_new(const struct imap_account *a, long timeout);
/* Connects (imaps, or STARTTLS, which is required), verifies the
 * certificate, and logs in. */
enum imap_rc imap_connect(struct imap *c, char **err);
/* The Sent folder: sent_folder when configured, else SPECIAL-USE \Sent,
 * then XLIST, then the names mail programs give it (sentname.h). Folder
 * names here are as the mail program shows them, in UTF-8; imap.c turns
 * them into modified UTF-7 (or keeps UTF-8 where UTF8=ACCEPT is enabled)
 * on the wire. *folder allocated; *note, allocated or NULL: a warning that
 * another folder looks like Sent too, and how to choose it. */
enum imap_rc imap_find_sent(struct imap *c, char **folder, char **note, char **err);
/* For followupd check --imap: imap_find_sent calls fn with each folder
 * it considers (cleaned for printing) and its verdict. */
typedef void (*imap_folder_fn)(void *arg, const char *folder, const char *verdict);
void imap_set_report(struct imap *c, imap_folder_fn fn, void *arg);
/* EXAMINEs (read-only) a folder. */
enum imap_rc imap_examine(struct imap *c, const char *folder,
    struct imap_folder *out, char **err);
/* The UIDs >= first in the selected folder, ascending. *uids allocated. */
enum imap_rc imap_search_from(struct imap *c, uint32_t first, uint32_t **uids,
    size_t *n, char **err);
/* The same read with UID FETCH first:* (UID), for a server whose SEARCH
 * answers less than the folder holds (GNU imap4d). */
enum imap_rc imap_fetch_uids_from(struct imap *c, uint32_t first, uint32_t **uids,
    size_t *n, char **err);
/* Fetches UID, INTERNALDATE and the header fields mailhdr reads for these
 * UIDs, in one command, as a batch that owns the server's answer (so that
 * one thread can fetch the next batch while another reads this one). A
 * message the server sends unasked is ignored. */
struct imap_batch;
enum imap_rc imap_fetch_batch(struct imap *c, const uint32_t *uids, size_t n,
    struct imap_batch **out, char **err);
/* The text of a message for reading its words: the first text/plain part
 * (else the first text/html, *html set) found in its BODYSTRUCTURE, not an
 * attachment, decoded to UTF-8 (at most its first 256 KiB). *text is NULL
 * when the message is gone or has no such part. */
enum imap_rc imap_fetch_text(struct imap *c, uint32_t uid, char **text, bool *html,
    char **err);
void imap_batch_each(const struct imap_batch *b, imap_msg_fn fn, void *arg);
/* The same fields of every message with a UID >= first, as one UID FETCH
 * whose answer fn gets a message at a time as it arrives, parsed without
 * libetpan (imapstream.c). Memory stays the same whatever the folder
 * holds; each message is bounded as fetchscan.h says. */
enum imap_rc imap_fetch_stream(struct imap *c, uint32_t first, imap_msg_fn fn, void *arg,
    char **err);
void imap_batch_free(struct imap_batch *b);

/* These operations as a table, for sync (mbox.h): conn is a struct imap. */
struct mbox_ops;
extern const struct mbox_ops imap_mbox_ops;

bool imap_has_idle(const struct imap *c);
/* Starts IDLE; then wait for imap_fd() to be readable (or for
 * imap_pending() to say data is already buffered) and call imap_idle_done. */
enum imap_rc imap_idle_start(struct imap *c, char **err);
enum imap_rc imap_idle_done(struct imap *c, char **err);
int imap_fd(const struct imap *c);
bool imap_pending(const struct imap *c);

/* fn(arg, fd) is called with the connection's socket as soon as it is
 * connected (before TLS, the greeting, STARTTLS and the login, any of
 * which may stall), and with -1 just before it is closed: another thread
 * may shutdown(2) the socket between the two to end a stalled read. */
void imap_set_fd_hook(struct imap *c, void (*fn)(void *arg, int fd), void *arg);
/* Logs out when connected, and frees. */
void imap_free(struct imap *c);

#endif
