/* imap: the hot path of a sync, UID FETCH first:* of the header fields, as
 * one command whose answer is read as it arrives and parsed by fetchscan
 * (a message at a time, no allocation per message) instead of libetpan's
 * generic parser, which builds a tree of allocations per message: on
 * 100,000 messages that parse cost more CPU than the whole wire (a
 * profile: libc's malloc and free 46 %, libetpan's parser 22 %).
 * libetpan still writes the command and reads the bytes: its stream keeps
 * the TLS session, the timeout and capstream below. Part of imap.c's
 * module, in a file of its own. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "capstream.h"
#include "clean.h"
#include "fetchscan.h"
#include "imappriv.h"
#include "mailhdr.h"

#define STREAM_CHUNK (64 * 1024)   /* bytes asked of the stream per read */

struct stream_ctx {
	uint32_t first;
	imap_msg_fn fn;
	void *arg;
};

static void
one(void *arg, const struct fetchscan_msg *m)
{
	struct stream_ctx *sc = arg;

	/* "first:*" names the last message too when its UID is below first
	 * (RFC 3501 6.4.8): that one was read before. */
	if (m->uid < sc->first)
		return;
	sc->fn(sc->arg, m->uid, m->has_date ? m->internaldate : 0, m->hdr, m->hdrlen);
}

static char *
command(const char *tag, uint32_t first)
{
	struct buf b = { 0 };

	buf_printf(&b, "%s UID FETCH %lu:* (UID INTERNALDATE BODY.PEEK[HEADER.FIELDS (", tag,
	    (unsigned long)first);
	for (size_t i = 0; i < MAILHDR_NFIELDS; i++)
		buf_printf(&b, "%s%s", i > 0 ? " " : "", mailhdr_fields[i]);
	buf_puts(&b, ")])\r\n");
	return buf_take(&b);
}

enum imap_rc
imap_fetch_stream(struct imap *c, uint32_t first, imap_msg_fn fn, void *arg, char **err)
{
	struct stream_ctx sc = { first, fn, arg };
	mailstream *s = c->m != NULL ? c->m->imap_stream : NULL;
	struct fetchscan *fs;
	enum fetchscan_rc frc = FETCHSCAN_MORE;
	enum imap_rc rc = IMAP_OK;
	char *cmd, *buf;
	size_t len;

	if (s == NULL) {
		*err = xstrdup("UID FETCH: not connected");
		return IMAP_TEMP;
	}
	/* A tag of our own: libetpan's are numbers, and it never sees this
	 * command or its answer. */
	fs = fetchscan_new("fu1", one, &sc);
	cmd = command("fu1", first);
	len = strlen(cmd);
	if (mailstream_write(s, cmd, len) != (ssize_t)len || mailstream_flush(s) < 0) {
		free(cmd);
		fetchscan_free(fs);
		*err = xasprintf("UID FETCH: connection to %s:%d lost", c->acct->server.host,
		    c->acct->server.port);
		return IMAP_TEMP;
	}
	free(cmd);
	/* fetchscan bounds each message (line, header, depth) itself: the
	 * answer as a whole may be as long as the folder. */
	capstream_unbounded(s, true);
	buf = xmalloc(STREAM_CHUNK);
	while (frc == FETCHSCAN_MORE) {
		ssize_t n = mailstream_read(s, buf, STREAM_CHUNK);
		size_t used = 0;

		if (n <= 0) {
			*err = xasprintf("UID FETCH: connection to %s:%d lost or timed out "
			    "after %zu messages", c->acct->server.host, c->acct->server.port,
			    fetchscan_count(fs));
			rc = IMAP_TEMP;
			break;
		}
		frc = fetchscan_feed(fs, buf, (size_t)n, &used);
		if ((frc == FETCHSCAN_OK || frc == FETCHSCAN_NO || frc == FETCHSCAN_BAD) &&
		    used < (size_t)n) {
			/* Bytes after the tagged line, which answered no
			 * command: libetpan would read the rest of them as the
			 * start of its next answer. Start again instead. */
			*err = xstrdup("UID FETCH: the server sent more than its answer");
			rc = IMAP_TEMP;
			break;
		}
	}
	free(buf);
	if (rc == IMAP_OK && frc != FETCHSCAN_OK) {
		struct buf why = { 0 };

		clean_append(&why, fetchscan_text(fs), strnlen(fetchscan_text(fs), 200));
		*err = xasprintf("UID FETCH: %s: %s", frc == FETCHSCAN_NO ? "refused" :
		    frc == FETCHSCAN_BAD ? "not understood" : frc == FETCHSCAN_BYE ?
		    "the server closed the connection" : "the server's answer was dropped",
		    buf_str(&why));
		buf_free(&why);
		rc = IMAP_TEMP;
	}
	capstream_unbounded(s, false);
	fetchscan_free(fs);
	return rc;
}
