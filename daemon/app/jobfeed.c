/* The calendar feed job: the feed of a day from the state (the agenda and
 * the dates the live invites were sent for), and with write [calendar]
 * file, replaced atomically and only when it changed. Handing the text to
 * the feed server is the caller's: it has the server. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "afile.h"
#include "agenda.h"
#include "cal.h"
#include "day.h"
#include "job.h"
#include "tz.h"

void
job_feed(const struct job_ctx *ctx, int day, bool write, struct job_feed *out)
{
	const struct config *cfg = ctx->cfg;
	struct agenda a;
	struct cal_placed *placed;
	size_t nplaced;
	struct stat sb;
	int today = tz_day_of(ctx->now);
	char *err = NULL;

	*out = (struct job_feed){ .mtime = ctx->now };
	if (day == DAY_NONE)
		day = today;
	if (job_invites_placed(cfg, ctx->st, &placed, &nplaced, &err) < 0)
		goto state_failed;
	if (agenda_build(&a, cfg, ctx->st, day, ctx->now, &err) < 0) {
		job_placed_free(placed, nplaced);
		goto state_failed;
	}
	out->text = cal_feed(cfg, a.items, a.count, day, placed, nplaced);
	job_placed_free(placed, nplaced);
	agenda_free(&a);
	if (!write)
		return;
	if (afile_replace(cfg->calendar.file, out->text, strlen(out->text), 0644, &out->changed,
	    &err) < 0) {
		/* Served all the same: the file is a copy for other readers. */
		job_note(&out->o, JOB_WARN, "%s", err);
		free(err);
	}
	if (stat(cfg->calendar.file, &sb) == 0)
		out->mtime = sb.st_mtime;
	return;
state_failed:
	job_fail(&out->o, JOB_STATE, "%s", err);
	free(err);
}

void
job_feed_free(struct job_feed *f)
{
	job_outcome_free(&f->o);
	free(f->text);
	*f = (struct job_feed){ 0 };
}
