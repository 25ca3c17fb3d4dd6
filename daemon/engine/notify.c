#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "clean.h"
#include "notify.h"

void
notify_init(struct notify *n)
{
	const char *sock = getenv("NOTIFY_SOCKET");

	memset(n, 0, sizeof *n);
	pthread_mutex_init(&n->mu, NULL);
	n->on = sock != NULL && *sock != '\0';
	if (sd_watchdog_enabled(0, &n->watchdog_usec) <= 0)
		n->watchdog_usec = 0;
	clock_gettime(CLOCK_MONOTONIC, &n->last_ping);
}

void
notify_free(struct notify *n)
{
	free(n->status);
	n->status = NULL;
	pthread_mutex_destroy(&n->mu);
}

void
notify_send(struct notify *n, const char *state)
{
	if (n->on)
		sd_notify(0, state);
}

void
notify_status(struct notify *n, const char *text)
{
	char *msg;

	pthread_mutex_lock(&n->mu);
	if (n->status != NULL && strcmp(n->status, text) == 0) {
		pthread_mutex_unlock(&n->mu);
		return;
	}
	free(n->status);
	n->status = xstrdup(text);
	pthread_mutex_unlock(&n->mu);
	/* It quotes folder names and servers' words: one LF would start a
	 * second assignment (WATCHDOG=trigger, STOPPING=1). */
	msg = xasprintf("STATUS=%s", text);
	clean_inplace(msg);
	notify_send(n, msg);
	free(msg);
}

static int64_t
ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

void
notify_watchdog(struct notify *n, bool force)
{
	bool due;

	if (n->watchdog_usec == 0)
		return;
	pthread_mutex_lock(&n->mu);
	due = force || ms_since(&n->last_ping) >= (int64_t)(n->watchdog_usec / 2000);
	if (due)
		clock_gettime(CLOCK_MONOTONIC, &n->last_ping);
	pthread_mutex_unlock(&n->mu);
	if (due)
		notify_send(n, "WATCHDOG=1");
}

int
notify_watchdog_wait(struct notify *n)
{
	int64_t left;

	if (n->watchdog_usec == 0)
		return -1;
	pthread_mutex_lock(&n->mu);
	left = (int64_t)(n->watchdog_usec / 2000) - ms_since(&n->last_ping);
	pthread_mutex_unlock(&n->mu);
	return left < 0 ? 0 : left > 86400000 ? 86400000 : (int)left;
}

/* ---- the status text ---------------------------------------------------- */

void
notify_duration(struct buf *out, long s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		buf_printf(out, "%lds", s);
	else if (s < 3600)
		buf_printf(out, "%ldm", (s + 30) / 60);
	else if (s < 86400)
		buf_printf(out, "%ldh%02ldm", s / 3600, s % 3600 / 60);
	else
		buf_printf(out, "%ldd", (s + 43200) / 86400);
}

/* "09:12" today, "Mon 07:30" within a week, else "2026-11-30 07:30". */
static void
when(struct buf *out, time_t t, time_t now)
{
	struct tm tm, tn;
	char s[32];

	localtime_r(&t, &tm);
	localtime_r(&now, &tn);
	if (tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday && t <= now)
		strftime(s, sizeof s, "%H:%M", &tm);
	else if (t > now && t - now < 6 * 86400)
		strftime(s, sizeof s, "%a %H:%M", &tm);
	else
		strftime(s, sizeof s, "%Y-%m-%d %H:%M", &tm);
	buf_puts(out, s);
}

void
notify_status_text(struct buf *out, const struct notify_view *v, time_t now)
{
	size_t parts = 0;
	bool busy = false;

	if (v->scanning != NULL) {
		buf_printf(out, "%s: scanning %s %zu/%zu", v->scanning,
		    v->scan_folder != NULL ? v->scan_folder : "Sent", v->done, v->total);
		parts++;
		busy = true;
	}
	for (size_t i = 0; i < v->naccounts; i++) {
		const struct watch_info *a = &v->accounts[i];

		if (v->scanning != NULL && strcmp(a->label, v->scanning) == 0)
			continue;
		if (a->state == WATCH_CONNECTING) {
			buf_printf(out, "%s%s: connecting", parts++ ? "; " : "", a->label);
			busy = true;
		} else if (a->state == WATCH_DOWN) {
			buf_printf(out, "%s%s: %s since ", parts++ ? "; " : "", a->label,
			    a->final ? "failing (see the log)" : "unreachable");
			when(out, a->since, now);
			buf_puts(out, ", retrying in ");
			notify_duration(out, (long)(a->due - now));
		}
	}
	if (v->digest_trouble != NULL) {
		buf_printf(out, "%sdigest not sent (%s), retrying in ", parts++ ? "; " : "",
		    v->digest_trouble);
		notify_duration(out, (long)(v->digest_retry - now));
	}
	if (parts == 0 && !busy)
		buf_puts(out, "idle");
	if (v->next_digest > 0) {
		buf_puts(out, "; next digest ");
		when(out, v->next_digest, now);
	} else
		buf_puts(out, "; digests off");
}
