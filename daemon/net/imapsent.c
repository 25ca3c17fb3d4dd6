/* imap: finding the Sent folder, and folder names between the mail
 * program's UTF-8 and the wire's modified UTF-7 (or UTF-8 under
 * UTF8=ACCEPT). Part of imap.c's module, in a file of its own. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "clean.h"
#include "imap.h"
#include "imappriv.h"
#include "mutf7.h"
#include "sentname.h"

/* A name as the server wants it: UTF-8 once UTF8=ACCEPT is enabled, else
 * modified UTF-7. NULL with *err for a name that is not UTF-8. */
char *
imap_wire_name(const struct imap *c, const char *name, char **err)
{
	return c->utf8 ? xstrdup(name) : mutf7_encode(name, err);
}

/* A name from the server as the mail program shows it, or NULL (with
 * *err) for one that is malformed or has control characters: an LF would
 * forge log lines and sd_notify assignments, and IMAP names are printable. */
static char *
shown_name(const struct imap *c, const char *name, char **err)
{
	char *s = c->utf8 ? xstrdup(name) : mutf7_decode(name, err);

	if (s != NULL && !clean_is_clean(s)) {
		free(s);
		*err = xstrdup("control characters or bytes that are not UTF-8");
		return NULL;
	}
	return s;
}

static void
report(struct imap *c, const char *folder, const char *verdict)
{
	char *shown = clean_dup(folder);

	if (c->report != NULL)
		c->report(c->report_arg, shown, verdict);
	free(shown);
}

void
imap_set_report(struct imap *c, imap_folder_fn fn, void *arg)
{
	c->report = fn;
	c->report_arg = arg;
}

/* The folder flagged \Sent in a LIST or XLIST answer, shown, or NULL. */
static char *
flagged_sent(struct imap *c, clist *list, const char *how)
{
	for (clistiter *it = clist_begin(list); it != NULL; it = clist_next(it)) {
		struct mailimap_mailbox_list *mb = clist_content(it);

		if (mb->mb_flag == NULL || mb->mb_flag->mbf_oflags == NULL || mb->mb_name == NULL)
			continue;
		for (clistiter *f = clist_begin(mb->mb_flag->mbf_oflags); f != NULL;
		    f = clist_next(f)) {
			struct mailimap_mbx_list_oflag *o = clist_content(f);
			char *shown, *why = NULL, *verdict;

			if (o->of_type != MAILIMAP_MBX_LIST_OFLAG_FLAG_EXT ||
			    o->of_flag_ext == NULL || strcasecmp(o->of_flag_ext, "Sent") != 0)
				continue;
			if ((shown = shown_name(c, mb->mb_name, &why)) != NULL) {
				verdict = xasprintf("flagged \\Sent (%s): chosen", how);
				report(c, shown, verdict);
				free(verdict);
				return shown;
			}
			verdict = xasprintf("flagged \\Sent (%s), but its name is unusable: %s", how, why);
			report(c, mb->mb_name, verdict);
			free(verdict);
			free(why);
		}
	}
	return NULL;
}

/* The personal namespace's prefix ("INBOX." on Courier and Cyrus), or NULL. */
static char *
personal_prefix(struct imap *c)
{
	struct mailimap_namespace_data *ns = NULL;
	struct mailimap_namespace_info *info;
	char *prefix = NULL, *why = NULL;

	if (!imap_has_capability(c, "NAMESPACE") || mailimap_namespace(c->m, &ns) != MAILIMAP_NO_ERROR)
		return NULL;
	if (ns != NULL && ns->ns_personal != NULL &&
	    (info = clist_content(clist_begin(ns->ns_personal->ns_data_list))) != NULL &&
	    info->ns_prefix != NULL)
		prefix = shown_name(c, info->ns_prefix, &why);
	free(why);
	if (ns != NULL)
		mailimap_namespace_data_free(ns);
	return prefix;
}

/* The Sent folder by its name; *note says so when another one could be it. */
static char *
named_sent(struct imap *c, clist *list, char **note)
{
	size_t n = 0, best, other;
	struct sentname_folder *v = xcalloc((size_t)clist_count(list) + 1, sizeof *v);
	char *prefix = personal_prefix(c), *found = NULL;

	for (clistiter *it = clist_begin(list); it != NULL; it = clist_next(it), n++) {
		struct mailimap_mailbox_list *mb = clist_content(it);
		char *why = NULL;

		v[n].sep = mb->mb_delimiter;
		if (mb->mb_name == NULL)
			continue;
		if ((v[n].name = shown_name(c, mb->mb_name, &why)) == NULL) {
			report(c, mb->mb_name, why);
			free(why);
		}
	}
	best = sentname_pick(v, n, prefix, &other);
	for (size_t i = 0; c->report != NULL && i < n; i++)
		if (v[i].name != NULL)
			report(c, v[i].name, i == best ? "named like Sent: chosen" :
			    i == other ? "named like Sent, but less likely" :
			    sentname_rank(v[i].name, v[i].sep, prefix) > 0 ? "named like Sent" :
			    "not Sent");
	if (best != (size_t)-1) {
		found = xstrdup(v[best].name);
		if (other != (size_t)-1)
			*note = xasprintf("both \"%s\" and \"%s\" look like the Sent folder: reading "
			    "\"%s\"; to read the other, set sent_folder = %s", v[best].name,
			    v[other].name, v[best].name, v[other].name);
	}
	for (size_t i = 0; i < n; i++)
		free((char *)v[i].name);
	free(v);
	free(prefix);
	return found;
}

static bool
ascii_only(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

enum imap_rc
imap_find_sent(struct imap *c, char **folder, char **note, char **err)
{
	const char *want = c->acct->sent_folder;
	clist *list = NULL;
	char *found = NULL, *why = NULL;
	int rc;

	*note = NULL;
	if (want != NULL && strcasecmp(want, "auto") != 0) {
		/* Written as the server sends it ("Envoy&AOk-s"), as one had to
		 * before followupd converted names: taken as meant. */
		found = strchr(want, '&') != NULL ? mutf7_decode(want, &why) : NULL;
		if (found != NULL && strcmp(found, want) != 0 && clean_is_clean(found) &&
		    !ascii_only(found)) {
			*folder = found;
			return IMAP_OK;
		}
		free(found);
		free(why);
		*folder = xstrdup(want);
		return IMAP_OK;
	}
	rc = mailimap_list(c->m, "", "*", &list);
	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail_net(c, rc, "LIST", err);
	found = flagged_sent(c, list, "SPECIAL-USE");
	if (found == NULL && imap_has_capability(c, "XLIST")) {
		clist *x = NULL;

		if (mailimap_xlist(c->m, "", "*", &x) == MAILIMAP_NO_ERROR) {
			found = flagged_sent(c, x, "XLIST");
			mailimap_list_result_free(x);
		}
	}
	if (found == NULL)
		found = named_sent(c, list, note);
	mailimap_list_result_free(list);
	if (found == NULL) {
		*err = xstrdup("no Sent folder found (none flagged \\Sent by SPECIAL-USE or XLIST, "
		    "none named Sent, Sent Items, Gesendet, Envoyés... in any case, under the "
		    "personal namespace or not); set sent_folder to its name as your mail program "
		    "shows it (followupd check --imap lists the folders)");
		return IMAP_FINAL;
	}
	*folder = found;
	return IMAP_OK;
}
