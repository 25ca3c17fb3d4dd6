/* imappriv: what imap.c and imapsent.c, the two files of the imap module,
 * share. Not for other modules. */
#ifndef FOLLOWUPD_IMAPPRIV_H
#define FOLLOWUPD_IMAPPRIV_H

#include <stdbool.h>

#include <libetpan/libetpan.h>

#include "imap.h"

struct imap {
	const struct imap_account *acct;
	long timeout;
	mailimap *m;
	bool idling;
	bool utf8;             /* UTF8=ACCEPT enabled: names go as UTF-8 */
	imap_folder_fn report;
	void *report_arg;
	void (*on_fd)(void *arg, int fd);   /* imap_set_fd_hook */
	void *on_fd_arg;
};

/* Tells the fd hook of the connection's socket (-1: about to be closed). */
void imap_tell_fd(struct imap *c, int fd);

/* Whether the server lists capability name (asked for when not known). */
bool imap_has_capability(struct imap *c, const char *name);
/* *err for a failed command what, classed: IMAP_TEMP. */
enum imap_rc imap_fail_net(struct imap *c, int rc, const char *what, char **err);
/* A folder name as the server wants it: UTF-8 once UTF8=ACCEPT is
 * enabled, else modified UTF-7. NULL with *err for a name not in UTF-8. */
char *imap_wire_name(const struct imap *c, const char *name, char **err);

#endif
