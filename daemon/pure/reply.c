#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "day.h"
#include "reply.h"
#include "who.h"

static bool
starts_with_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

/* The fields of the header block above a quoted or forwarded message, as
 * mail programs write it in English, German, French, Spanish, Italian,
 * Dutch, Portuguese, Polish and the Scandinavian languages. */
static const char *const quoted_fields[] = {
	"From", "Sent", "To", "Cc", "Subject", "Date",
	"Von", "Gesendet", "An", "Betreff", "Datum",
	"De", "Envoy\xc3\xa9", "Envoy\xc3\xa9 le", "\xc3\x80", "A", "Objet",
	"Enviado", "Enviado el", "Enviada", "Para", "Asunto", "Assunto", "Fecha", "Data",
	"Da", "Inviato", "Oggetto",
	"Van", "Verzonden", "Aan", "Onderwerp",
	"Od", "Wys\xc5\x82" "ano", "Do", "Temat", "DW",
	"Fr\xc3\xa5n", "Fra", "Skickat", "Sendt", "Till", "Til", "\xc3\x84mne", "Emne",
};

/* The lines that introduce a forwarded or original message. */
static const char *const forward_marks[] = {
	"Forwarded message", "Begin forwarded message", "Original Message",
	"Weitergeleitete Nachricht", "Urspr\xc3\xbcngliche Nachricht", "Original-Nachricht",
	"Message transf\xc3\xa9r\xc3\xa9", "Message d'origine", "Message original",
	"Mensaje reenviado", "Mensaje original", "Messaggio originale", "Messaggio inoltrato",
	"Oorspronkelijk bericht", "Doorgestuurd bericht", "Mensagem original",
	"Mensagem encaminhada", "Wiadomo\xc5\x9b\xc4\x87 oryginalna",
	"Ursprungligt meddelande", "Oprindelig meddelelse", "Opprinnelig melding",
};

/* The words of an attribution line ("On ..., Jane <j@x> wrote:"), which
 * ends in one of them and a colon, perhaps after the address. */
static const char *const attribution_verbs[] = {
	"wrote", "schrieb", "a \xc3\xa9" "crit", "escribi\xc3\xb3", "ha scritto", "schreef",
	"escreveu", "napisa\xc5\x82", "napisa\xc5\x82(a)", "skrev",
};

/* How attribution lines start, when they are not wrapped. */
static const char *const attribution_starts[] = {
	"On ", "Am ", "Le ", "El ", "Il ", "Op ", "Em ", "Den ", "W dniu ",
};

/* Is the line "Field: ..." with one of quoted_fields, perhaps in bold
 * ("*Von:*") or with a space before the colon ("De :")? */
static bool
header_like(const char *l, size_t n)
{
	while (n > 0 && (*l == '*' || *l == ' ' || *l == '\t')) {
		l++;
		n--;
	}
	for (size_t i = 0; i < sizeof quoted_fields / sizeof quoted_fields[0]; i++) {
		size_t k = strlen(quoted_fields[i]);

		if (n <= k || strncasecmp(l, quoted_fields[i], k) != 0)
			continue;
		while (k < n && (l[k] == ' ' || l[k] == '*'))
			k++;
		if (k < n && l[k] == ':')
			return true;
	}
	return false;
}

static bool
has_ci(const char *l, size_t n, const char *what)
{
	size_t k = strlen(what);

	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(l + i, what, k) == 0)
			return true;
	return false;
}

/* Does the line end (before white space, a colon, and perhaps a
 * "<address>" or "(address)") in an attribution verb and a colon? */
static bool
attribution_end(const char *l, size_t n)
{
	while (n > 0 && (l[n - 1] == ' ' || l[n - 1] == '\t'))
		n--;
	if (n == 0 || l[n - 1] != ':')
		return false;
	n--;
	while (n > 0 && l[n - 1] == ' ')
		n--;
	if (n > 0 && (l[n - 1] == '>' || l[n - 1] == ')')) {
		/* "schreef Jane <j@x>:": look before the name and address */
		const char *open = NULL;

		for (size_t i = 0; i < n; i++)
			if (l[i] == '<' || l[i] == '(')
				open = l + i;
		if (open == NULL)
			return false;
		for (size_t i = 0; i < sizeof attribution_verbs / sizeof attribution_verbs[0]; i++)
			if (has_ci(l, (size_t)(open - l), attribution_verbs[i]))
				return true;
		return false;
	}
	for (size_t i = 0; i < sizeof attribution_verbs / sizeof attribution_verbs[0]; i++) {
		size_t k = strlen(attribution_verbs[i]);

		if (n >= k && strncasecmp(l + n - k, attribution_verbs[i], k) == 0)
			return true;
	}
	return false;
}

static bool
attribution_start(const char *l)
{
	for (size_t i = 0; i < sizeof attribution_starts / sizeof attribution_starts[0]; i++)
		if (starts_with_ci(l, attribution_starts[i]))
			return true;
	return false;
}

/* What opens the quoted part at a line. */
enum cut {
	CUT_NO,
	CUT_HERE,          /* at this line */
	CUT_ATTRIBUTION,   /* at this line, or where its attribution began */
};

/* Does the line of length n (no line end) open what the user quoted? */
static enum cut
is_cut(const char *l, size_t n, const char *next, size_t nn)
{
	const char *p = l;
	size_t dashes = 0, unders = 0, lead = 0, trail = 0;

	while (p < l + n && (*p == ' ' || *p == '\t'))
		p++;
	if (p < l + n && *p == '>')
		return CUT_HERE;
	if ((n == 3 && strncmp(l, "-- ", 3) == 0) || (n == 2 && strncmp(l, "--", 2) == 0))
		return CUT_HERE;
	for (size_t i = 0; i < n; i++) {
		dashes += l[i] == '-';
		unders += l[i] == '_';
	}
	if (unders >= 10 && unders == n)
		return CUT_HERE;   /* Outlook's rule above the quoted message */
	/* "-----Messaggio originale-----", in any language */
	while (lead < n && l[lead] == '-')
		lead++;
	while (trail < n - lead && l[n - 1 - trail] == '-')
		trail++;
	if (lead >= 5 && trail >= 5 && lead + trail < n)
		return CUT_HERE;
	/* The digest itself, quoted without ">" */
	if (strncmp(p, "Follow-ups for ", 15) == 0)
		return CUT_HERE;
	/* Two header lines in a row: a quoted message's header block. */
	if (header_like(l, n) && next != NULL && header_like(next, nn))
		return CUT_HERE;
	for (size_t i = 0; i < sizeof forward_marks / sizeof forward_marks[0]; i++)
		if (has_ci(l, n, forward_marks[i]) &&
		    (dashes >= 2 || ends_with(l, n, ":")))
			return CUT_HERE;
	if (attribution_end(l, n))
		return CUT_ATTRIBUTION;
	if (attribution_start(l) && next != NULL && attribution_end(next, nn))
		return CUT_HERE;
	if (starts_with_ci(l, "Am ") && memmem(l, n, "schrieb", 7) != NULL)
		return CUT_HERE;
	if (starts_with_ci(l, "Le ") && memmem(l, n, "a \xc3\xa9" "crit", 8) != NULL)
		return CUT_HERE;
	if (starts_with_ci(l, "Sent from my ") || starts_with_ci(l, "Get Outlook for"))
		return CUT_HERE;
	return CUT_NO;
}

/* An attribution is found at its last line ("... wrote:"); it may have
 * been wrapped from this many lines above (a long name, a mail program
 * that folds at 72 columns), which are cut with it. */
#define REPLY_ATTRIBUTION_LINES 3

char *
reply_new_text(const char *text)
{
	struct buf out = { 0 };
	const char *l = text;
	size_t starts[REPLY_ATTRIBUTION_LINES];   /* where the paragraph's last lines are in out */
	size_t nstarts = 0;

	buf_append(&out, "", 0);
	while (*l) {
		const char *e = strchr(l, '\n'), *next = NULL;
		size_t n = e != NULL ? (size_t)(e - l) : strlen(l), nn = 0;
		enum cut cut;

		if (n > 0 && l[n - 1] == '\r')
			n--;
		if (e != NULL && e[1] != '\0') {
			const char *e2 = strchr(e + 1, '\n');

			next = e + 1;
			nn = e2 != NULL ? (size_t)(e2 - next) : strlen(next);
			if (nn > 0 && next[nn - 1] == '\r')
				nn--;
		}
		{
			char *line = xstrndup(l, n);

			cut = is_cut(line, n, next, nn);
			if (cut == CUT_ATTRIBUTION && !attribution_start(line)) {
				/* Wrapped: back to the line where it starts, if it is
				 * one of the paragraph's last few. */
				for (size_t k = nstarts; k-- > 0;)
					if (attribution_start(out.data + starts[k])) {
						out.len = starts[k];
						out.data[out.len] = '\0';
						break;
					}
			}
			free(line);
			if (cut != CUT_NO)
				break;
		}
		if (n == 0) {
			nstarts = 0;   /* a blank line ends the paragraph */
		} else {
			if (nstarts == REPLY_ATTRIBUTION_LINES) {
				memmove(starts, starts + 1, (nstarts - 1) * sizeof *starts);
				nstarts--;
			}
			starts[nstarts++] = out.len;
		}
		buf_append(&out, l, n);
		buf_putc(&out, '\n');
		if (e == NULL)
			break;
		l = e + 1;
	}
	return buf_take(&out);
}

/* Appends code point cp as UTF-8. */
static void
put_utf8(struct buf *b, unsigned long cp)
{
	char u[4];

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 4);
	}
}

/* Decodes the entity at s ("&amp;" ...); returns its length, 0 if none. */
static size_t
entity(const char *s, struct buf *out)
{
	static const struct { const char *name; unsigned long cp; } named[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
		{ "apos", '\'' }, { "nbsp", ' ' },
	};
	/* "&#x10ffff;" is the longest we know: look no further. */
	const char *semi = memchr(s, ';', strnlen(s, 12));
	size_t n;

	if (semi == NULL || (n = (size_t)(semi - s)) < 2 || n > 10)
		return 0;
	if (s[1] == '#') {
		char *end;
		unsigned long cp = s[2] == 'x' || s[2] == 'X' ? strtoul(s + 3, &end, 16) :
		    strtoul(s + 2, &end, 10);

		if (end != semi)
			return 0;
		/* A no-break space is a space; a control character (&#27;,
		 * &#10;) is one too, never an escape or a line of its own. */
		put_utf8(out, cp == 0xa0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? ' ' : cp);
		return n + 1;
	}
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strlen(named[i].name) == n - 1 && strncmp(s + 1, named[i].name, n - 1) == 0) {
			buf_putc(out, (char)named[i].cp);
			return n + 1;
		}
	return 0;
}

/* The tag's name, lower case, without "/"; *closing says if it was "</". */
static size_t
tag_name(const char *s, char *name, size_t cap, bool *closing)
{
	size_t i = 1, k = 0;

	*closing = s[i] == '/';
	if (*closing)
		i++;
	while (isalnum((unsigned char)s[i]) && k + 1 < cap)
		name[k++] = (char)tolower((unsigned char)s[i++]);
	name[k] = '\0';
	return k;
}

/* The ">" that ends the tag at p, past quoted attribute values
 * (alt="a > b"); NULL when the text ends first. */
static const char *
tag_end(const char *p)
{
	char quote = 0;

	for (p++; *p; p++) {
		if (quote != 0) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '>') {
			return p;
		}
	}
	return NULL;
}

char *
reply_html_text(const char *html)
{
	struct buf out = { 0 };
	const char *p = html;
	int skip = 0;                /* inside a blockquote, style, script, head */

	buf_append(&out, "", 0);
	while (*p) {
		if (*p == '<') {
			const char *gt = tag_end(p);
			char name[16];
			bool closing;

			if (gt == NULL)
				break;
			if (strncmp(p, "<!--", 4) == 0) {
				const char *end = strstr(p + 4, "-->");

				p = end != NULL ? end + 3 : p + strlen(p);
				continue;
			}
			tag_name(p, name, sizeof name, &closing);
			/* Everything from the first quote on is quoted: a closing
			 * tag hidden in the quoted message cannot end it early. */
			if (!strcmp(name, "blockquote") && !closing && skip == 0)
				break;
			if (!strcmp(name, "blockquote") || !strcmp(name, "style") ||
			    !strcmp(name, "script") || !strcmp(name, "head"))
				skip += closing ? (skip > 0 ? -1 : 0) : 1;
			else if (skip == 0 && !strcmp(name, "br"))
				buf_putc(&out, '\n');
			else if (skip == 0 && (!strcmp(name, "p") || !strcmp(name, "div") ||
			    !strcmp(name, "li") || !strcmp(name, "tr")) &&
			    out.len > 0 && out.data[out.len - 1] != '\n')
				buf_putc(&out, '\n');   /* a block starts a line */
			p = gt + 1;
			continue;
		}
		if (skip > 0) {
			p++;
			continue;
		}
		if (*p == '&') {
			size_t n = entity(p, &out);

			if (n > 0) {
				p += n;
				continue;
			}
		}
		if (*p == '\r' || *p == '\n') {
			buf_putc(&out, ' ');   /* HTML line breaks are spaces */
			p++;
			continue;
		}
		buf_putc(&out, *p++);
	}
	return buf_take(&out);
}

/* The words of a line, split at white space; the line is modified. */
#define REPLY_MAX_WORDS 200

struct words {
	char *v[REPLY_MAX_WORDS];
	size_t n;
};

/* -1 when the line has more words than that. */
static int
split(char *s, struct words *w)
{
	w->n = 0;
	for (char *t = strtok(s, " \t"); t != NULL; t = strtok(NULL, " \t")) {
		if (w->n == REPLY_MAX_WORDS)
			return -1;
		w->v[w->n++] = t;
	}
	return 0;
}

static char *
join(char *const *v, size_t n)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&b, ' ');
		buf_puts(&b, v[i]);
	}
	return buf_take(&b);
}

/* Resolves WHO from words [0, n). */
static int
resolve(const struct config *cfg, char *const *v, size_t n, const struct contact **c,
    char **why)
{
	struct buf msg = { 0 };
	char *who;
	enum who_result r;

	if (n == 0) {
		*why = xstrdup("whom? a contact's id, address or name is missing");
		return -1;
	}
	who = join(v, n);
	r = who_resolve(cfg, who, c, &msg);
	free(who);
	if (r != WHO_FOUND) {
		*why = buf_take(&msg);
		return -1;
	}
	buf_free(&msg);
	return 0;
}

/* note WHO TEXT: the longest run of leading words, REPLY_NAME_WORDS at
 * most, that names one contact. Bounded so that a long note costs a few
 * lookups, not one per word: 650 notes of 200 words took 211 s with
 * 10,000 contacts when every prefix was tried. */
static int
resolve_prefix(const struct config *cfg, char *const *v, size_t n, const struct contact **c,
    size_t *used, char **why)
{
	size_t k = n - 1 < REPLY_NAME_WORDS ? n - 1 : REPLY_NAME_WORDS;

	for (; k >= 1; k--) {
		char *who = join(v, k);
		enum who_result r = who_resolve(cfg, who, c, NULL);

		free(who);
		if (r == WHO_FOUND) {
			*used = k;
			return 0;
		}
	}
	/* None: say why about the first word, near misses included. */
	if (n > 1) {
		struct buf msg = { 0 };

		(void)who_resolve(cfg, v[0], c, &msg);
		*why = buf_take(&msg);
		return -1;
	}
	*why = xstrdup("whom? a contact and a note are needed");
	return -1;
}

static const struct {
	const char *word;
	enum reply_verb verb;
	enum via via;
} verbs[] = {
	{ "done", REPLY_DONE, VIA_OTHER },
	{ "called", REPLY_DONE, VIA_CALL },
	{ "card", REPLY_DONE, VIA_CARD },
	{ "met", REPLY_DONE, VIA_MEETING },
	{ "snooze", REPLY_SNOOZE, VIA_OTHER },
	{ "skip", REPLY_SKIP, VIA_OTHER },
	{ "pause", REPLY_PAUSE, VIA_OTHER },
	{ "resume", REPLY_RESUME, VIA_OTHER },
	{ "note", REPLY_NOTE, VIA_OTHER },
};

int
reply_parse_line(const struct config *cfg, const char *line, struct reply_cmd *cmd,
    char **why)
{
	char *s, *note = NULL, *dd;
	struct words w;
	size_t i, k, len;
	int rc = -1;

	memset(cmd, 0, sizeof *cmd);
	cmd->day = DAY_NONE;
	*why = NULL;
	/* A bullet or white space before, punctuation after, are not ours. */
	while (*line == ' ' || *line == '\t' || *line == '*' || *line == '-' ||
	    strncmp(line, "\xe2\x80\xa2", 3) == 0)
		line += *line == '\xe2' ? 3 : 1;
	s = xstrdup(line);
	len = strlen(s);
	while (len > 0 && strchr(" \t\r.!,;", s[len - 1]) != NULL)
		s[--len] = '\0';
	if (len == 0) {
		free(s);
		return 0;
	}
	/* done WHO -- NOTE: the note is everything after " -- ". */
	if ((dd = strstr(s, " -- ")) != NULL) {
		*dd = '\0';
		note = dd + 4;
	}
	if (split(s, &w) < 0) {
		*why = xasprintf("too long: a command has %d words at most", REPLY_MAX_WORDS);
		goto out;
	}
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcasecmp(w.v[0], verbs[i].word) == 0)
			break;
	if (i == sizeof verbs / sizeof verbs[0]) {
		*why = xasprintf("not a command: a line starts with done, called, card, met, "
		    "snooze, skip, pause, resume or note");
		goto out;
	}
	cmd->verb = verbs[i].verb;
	cmd->via = verbs[i].via;
	if (note != NULL && cmd->verb != REPLY_DONE) {
		*why = xstrdup("\" -- note\" goes with done, called, card and met only");
		goto out;
	}
	k = w.n - 1;   /* the words after the verb: w.v + 1 */
	switch (cmd->verb) {
	case REPLY_DONE:
		/* done WHO by VIA */
		if (k >= 3 && strcasecmp(w.v[w.n - 2], "by") == 0) {
			enum via v;

			if (i != 0) {
				*why = xasprintf("%s already says how; \"by\" goes with done", w.v[0]);
				goto out;
			}
			if (via_parse(w.v[w.n - 1], strlen(w.v[w.n - 1]), &v) < 0) {
				*why = xasprintf("by what? \"%s\" is not email, call, card, meeting, "
				    "message or other", w.v[w.n - 1]);
				goto out;
			}
			cmd->via = v;
			k -= 2;
		}
		if (resolve(cfg, w.v + 1, k, &cmd->who, why) < 0)
			goto out;
		if (note != NULL && *note)
			cmd->text = xstrdup(note);
		break;
	case REPLY_SKIP:
	case REPLY_RESUME:
		if (resolve(cfg, w.v + 1, k, &cmd->who, why) < 0)
			goto out;
		if (cmd->verb == REPLY_SKIP && !cmd->who->has_cadence) {
			*why = xasprintf("%s has no cadence to skip a cycle of; snooze instead",
			    cmd->who->name);
			goto out;
		}
		break;
	case REPLY_SNOOZE: {
		const char *until = k >= 2 ? w.v[w.n - 1] : "", *serr;

		if (k < 2) {
			*why = xstrdup("snooze whom until when? snooze WHO 2w, or snooze WHO YYYY-MM-DD");
			goto out;
		}
		if (day_parse(until, &cmd->day) < 0) {
			if (span_parse(until, &cmd->span, &serr) < 0) {
				*why = xasprintf("\"%s\" is neither a date (YYYY-MM-DD) nor a duration "
				    "(3d, 2w, 1m): %s", until, serr);
				goto out;
			}
			cmd->has_span = true;
		}
		if (resolve(cfg, w.v + 1, k - 1, &cmd->who, why) < 0)
			goto out;
		break;
	}
	case REPLY_PAUSE:
		if (k >= 3 && strcasecmp(w.v[w.n - 2], "until") == 0) {
			if (day_parse(w.v[w.n - 1], &cmd->day) < 0) {
				*why = xasprintf("\"%s\" is not a date (YYYY-MM-DD)", w.v[w.n - 1]);
				goto out;
			}
			k -= 2;
		}
		if (resolve(cfg, w.v + 1, k, &cmd->who, why) < 0)
			goto out;
		break;
	case REPLY_NOTE: {
		size_t used;

		if (k < 2) {
			*why = xstrdup("a note needs a contact and a text: note WHO TEXT");
			goto out;
		}
		if (resolve_prefix(cfg, w.v + 1, k, &cmd->who, &used, why) < 0)
			goto out;
		cmd->text = join(w.v + 1 + used, k - used);
		break;
	}
	}
	rc = 1;
out:
	free(s);
	if (rc < 0)
		reply_cmd_free(cmd);
	return rc;
}

void
reply_cmd_free(struct reply_cmd *cmd)
{
	free(cmd->text);
	cmd->text = NULL;
}
