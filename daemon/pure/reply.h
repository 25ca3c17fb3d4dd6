/* reply: the commands of a reply to the digest (followupd(8), REPLIES):
 * the new text of the reply (up to the first quoted line, attribution or
 * signature), an HTML part as text, and each line as a command. Pure. */
#ifndef FOLLOWUPD_REPLY_H
#define FOLLOWUPD_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "cadence.h"
#include "config.h"
#include "via.h"

/* The words of a contact's name in "note WHO TEXT", at most. */
#define REPLY_NAME_WORDS 6
/* Lines of one reply read as commands, at most; and the bytes of a line
 * kept to show in the digest. */
#define REPLY_MAX_LINES 50
#define REPLY_LINE_KEEP 300

enum reply_verb {
	REPLY_DONE,      /* done WHO [by VIA] [-- NOTE]; called, card, met */
	REPLY_SNOOZE,    /* snooze WHO 2w|DATE */
	REPLY_SKIP,      /* skip WHO: this cycle */
	REPLY_PAUSE,     /* pause WHO [until DATE] */
	REPLY_RESUME,    /* resume WHO */
	REPLY_NOTE,      /* note WHO TEXT */
};

struct reply_cmd {
	enum reply_verb verb;
	const struct contact *who;
	enum via via;              /* REPLY_DONE */
	char *text;                /* the note of done, or of note; NULL */
	bool has_span;             /* snooze 2w */
	struct span span;
	int day;                   /* snooze DATE, pause until DATE; DAY_NONE */
};

/* The lines the user wrote: text cut at the first quoted line (">"), an
 * attribution ("On ... wrote:", "Am ... schrieb", "Le ... a écrit"),
 * Outlook's "-----Original Message-----" or "From:" block, a signature
 * separator ("-- ") or a "Sent from my ..." line. Line ends are "\n". */
char *reply_new_text(const char *text);
/* An HTML part as plain text: tags dropped (a line break for <br>; <p>,
 * <div>, <li>, <tr> start a line), blockquotes, comments, <style> and
 * <script> dropped, the common entities and numeric references decoded. */
char *reply_html_text(const char *html);

/* Parses one line. 1 with *cmd filled, 0 for a line to ignore (empty),
 * -1 with *why (allocated) saying what is wrong. */
int reply_parse_line(const struct config *cfg, const char *line,
    struct reply_cmd *cmd, char **why);
void reply_cmd_free(struct reply_cmd *cmd);

#endif
