#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "clean.h"
#include "control.h"
#include "day.h"
#include "reply.h"
#include "tz.h"

/* Carries out one command; *what says what was done (0) or why not (1);
 * -1 on a store error. */
static int
apply(struct store *st, const char *message_id, size_t lineno,
    time_t at, const struct reply_cmd *cmd, char **what, char **err)
{
	const struct contact *c = cmd->who;
	int today = tz_day_of(at), until;
	char d[DAY_STRLEN];

	switch (cmd->verb) {
	case REPLY_DONE: {
		char *key = xasprintf("reply:%s:%zu", message_id, lineno);
		struct store_touch t = { .key = key, .contact = c->id, .at = at, .via = cmd->via,
		    .source = "reply", .note = cmd->text };
		bool added;
		int rc = store_add_touch(st, &t, &added, err);

		free(key);
		/* A check-back on one of the contact's addresses is answered. */
		for (size_t i = 0; rc == 0 && i < c->nemails; i++)
			if (c->emails[i][0] != '@') {
				char *a = addr_normalize(c->emails[i]);   /* as stored */

				rc = store_checkbacks_resolve(st, a, at + 1, "", err);
				free(a);
			}
		if (rc < 0)
			return -1;
		*what = xasprintf("%s: done by %s%s%s", c->name, via_name(cmd->via),
		    cmd->text != NULL ? ", " : "", cmd->text != NULL ? cmd->text : "");
		return 0;
	}
	case REPLY_SNOOZE:
	case REPLY_SKIP:
		until = cmd->verb == REPLY_SKIP ? span_add(today, c->cadence.due, 1) :
		    cmd->has_span ? span_add(today, cmd->span, 1) : cmd->day;
		if (until <= today) {
			day_format(until, d);
			*what = xasprintf("%s is not after the day of the reply", d);
			return 1;
		}
		if (store_set_snooze(st, c->id, until, today, err) < 0)
			return -1;
		day_format(until, d);
		*what = xasprintf(cmd->verb == REPLY_SKIP ? "%s: this cycle skipped, next due "
		    "from %s" : "%s: snoozed until %s", c->name, d);
		return 0;
	case REPLY_PAUSE:
		if (cmd->day != DAY_NONE && cmd->day <= today) {
			day_format(cmd->day, d);
			*what = xasprintf("%s is not after the day of the reply", d);
			return 1;
		}
		if (store_set_pause(st, c->id, cmd->day != DAY_NONE ? PAUSE_UNTIL : PAUSE_YES,
		    cmd->day, today, err) < 0)
			return -1;
		if (cmd->day != DAY_NONE) {
			day_format(cmd->day, d);
			*what = xasprintf("%s: paused until %s", c->name, d);
		} else
			*what = xasprintf("%s: paused", c->name);
		return 0;
	case REPLY_RESUME:
		if (store_set_pause(st, c->id, PAUSE_NO, DAY_NONE, today, err) < 0)
			return -1;
		*what = xasprintf("%s: resumed", c->name);
		return 0;
	case REPLY_NOTE:
		if (store_add_note(st, c->id, at, cmd->text, err) < 0)
			return -1;
		*what = xasprintf("%s: note added", c->name);
		return 0;
	}
	return 0;
}

/* Stores a line of the reply and what came of it, cleaned (clean.h) and
 * cut to REPLY_LINE_KEEP bytes: the digest shows both. */
static int
keep_line(struct store *st, const char *message_id, time_t at, const char *line,
    bool applied, const char *what, char **err)
{
	struct buf l = { 0 };
	char *w = clean_dup(what != NULL ? what : "");
	size_t n = strlen(line);
	int rc;

	if (n > REPLY_LINE_KEEP) {
		/* Cut where a UTF-8 sequence starts. */
		n = REPLY_LINE_KEEP;
		while (n > 0 && ((unsigned char)line[n] & 0xc0) == 0x80)
			n--;
	}
	clean_append(&l, line, n);
	if (n < strlen(line))
		buf_puts(&l, "...");
	if (strlen(w) > REPLY_LINE_KEEP)
		strcpy(w + REPLY_LINE_KEEP - 3, "...");
	rc = store_reply_line_add(st, message_id, at, buf_str(&l), applied, w, err);
	buf_free(&l);
	free(w);
	return rc;
}

/* The line kept for what was not read: line and the lines of rest
 * (strtok_r's place after it). */
static int
more_lines(struct store *st, const char *message_id, time_t at, const char *rest,
    char **err)
{
	size_t more = 1;
	char *l, *why;
	int rc;

	for (const char *p = rest != NULL ? rest : ""; *p; p++)
		more += (p == rest || p[-1] == '\n') && *p != '\n';
	l = xasprintf("(%zu more line%s)", more, more == 1 ? "" : "s");
	why = xasprintf("not read: a reply is read up to its first %d lines", REPLY_MAX_LINES);
	rc = keep_line(st, message_id, at, l, false, why, err);
	free(l);
	free(why);
	return rc;
}

int
control_apply_reply(const struct config *cfg, struct store *st, const char *message_id,
    time_t at, const char *body, time_t now, struct control_result *res, char **err)
{
	char *text, *line, *save = NULL;
	size_t lineno = 0;
	int seen;

	memset(res, 0, sizeof *res);
	if (store_begin(st, err) < 0)
		return -1;
	if ((seen = store_reply_seen(st, message_id, err)) < 0)
		goto bad;
	if (seen) {
		res->again = true;
		if (store_reply_drop(st, message_id, err) < 0)
			goto bad;
		return store_commit(st, err);
	}
	text = reply_new_text(body);
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		struct reply_cmd cmd;
		char *why = NULL, *what = NULL;
		int rc;
		bool parsed;

		lineno++;
		if (res->applied + res->refused == REPLY_MAX_LINES) {
			/* The rest is not read: one reply cannot fill the state, or
			 * the next digest, with lines. */
			if (more_lines(st, message_id, at, save, err) < 0) {
				free(text);
				goto bad;
			}
			res->refused++;
			break;
		}
		rc = reply_parse_line(cfg, line, &cmd, &why);
		parsed = rc > 0;
		if (rc == 0)
			continue;
		if (rc > 0) {
			int a = apply(st, message_id, lineno, at, &cmd, &what, err);

			if (a < 0) {
				reply_cmd_free(&cmd);
				free(text);
				goto bad;
			}
			if (a > 0) {   /* understood, but not to be done */
				why = what;
				what = NULL;
				rc = -1;
			}
		}
		/* The line as the user wrote it, with what came of it. */
		if (keep_line(st, message_id, at, line, rc > 0, rc > 0 ? what : why, err) < 0) {
			free(what);
			free(why);
			reply_cmd_free(&cmd);
			free(text);
			goto bad;
		}
		if (rc > 0)
			res->applied++;
		else
			res->refused++;
		free(what);
		free(why);
		if (parsed)
			reply_cmd_free(&cmd);
	}
	free(text);
	if (store_reply_done(st, message_id, now, err) < 0)
		goto bad;
	return store_commit(st, err);
bad:
	store_rollback(st);
	return -1;
}
