/* job: outcomes (notes, failure class and message) and the send that
 * every job shares. Text put in an outcome is cleaned here, once, so that
 * a server's answer can reach a terminal or a log line as it is. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "clean.h"
#include "job.h"

static char *
clean_vformat(const char *fmt, va_list ap)
{
	struct buf b = { 0 };
	char *s;

	buf_vprintf(&b, fmt, ap);
	s = buf_take(&b);
	clean_inplace(s);
	return s;
}

void
job_note(struct job_outcome *o, enum job_prio prio, const char *fmt, ...)
{
	va_list ap;

	o->notes = xrealloc(o->notes, (o->nnotes + 1) * sizeof *o->notes);
	va_start(ap, fmt);
	o->notes[o->nnotes].text = clean_vformat(fmt, ap);
	va_end(ap);
	o->notes[o->nnotes].prio = prio;
	o->nnotes++;
}

void
job_fail(struct job_outcome *o, enum job_class cls, const char *fmt, ...)
{
	va_list ap;

	if (cls > o->cls)
		o->cls = cls;
	if (o->message != NULL)
		return;
	va_start(ap, fmt);
	o->message = clean_vformat(fmt, ap);
	va_end(ap);
}

int
job_exit_status(const struct job_outcome *o)
{
	switch (o->cls) {
	case JOB_OK: return 0;
	case JOB_FINAL: return EX_UNAVAILABLE;
	case JOB_TEMP:
	case JOB_STATE: break;
	}
	return EX_TEMPFAIL;
}

void
job_outcome_free(struct job_outcome *o)
{
	for (size_t i = 0; i < o->nnotes; i++)
		free(o->notes[i].text);
	free(o->notes);
	free(o->message);
	*o = (struct job_outcome){ 0 };
}

enum smtp_rc
job_send(const struct job_ctx *ctx, const char *rcpt, const char *msg, char **err)
{
	const struct config *cfg = ctx->cfg;
	int code;

	if (ctx->cancel != NULL && atomic_load(ctx->cancel)) {
		*err = xstrdup("stopped before sending");
		return SMTP_TEMP;
	}
	if (ctx->send != NULL)
		return ctx->send(ctx->send_arg, &cfg->smtp, cfg->me_addr, rcpt, msg, strlen(msg),
		    ctx->cancel, &code, err);
	return smtp_send(&cfg->smtp, cfg->me_addr, rcpt, msg, strlen(msg), ctx->cancel, &code,
	    err);
}
