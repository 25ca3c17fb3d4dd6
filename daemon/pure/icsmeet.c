#include <libical/ical.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "clean.h"
#include "hmap.h"
#include "icsmeet.h"

/* One call's state: the window, the caller's list and callback. */
struct ctx {
	time_t from, to;
	struct icsm_list *out;
	size_t cap;            /* slots allocated in out->v */
	size_t added;          /* occurrences this call appended */
	bool full;             /* ICSM_MAX_OCC reached: read no further */
	int64_t walked;        /* periods the rules walked, for ICSM_MAX_TEXT_STEPS */
	icsm_error_fn err;
	void *arg;
};

/* A VEVENT as read once: what every occurrence of it shares. */
struct event {
	icalcomponent *c;
	char *uid;             /* cleaned, for errors and results */
	char *title;
	struct icsm_person *people;
	size_t npeople;
	struct icaltimetype dtstart;   /* wall time in its zone; zone NULL when floating */
	time_t start, span;    /* span: end - start, never negative */
	bool cancelled;
};

/* An instance of a recurrence: its original start, and its wall-clock
 * date (YYYYMMDD) for EXDATEs that name a whole day. */
struct inst {
	time_t t;
	long ymd;
};

struct insts {
	struct inst *v;
	size_t n, cap;
};

static void
error(struct ctx *x, const char *uid, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
error(struct ctx *x, const char *uid, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	x->err(x->arg, uid, buf_str(&b));
	buf_free(&b);
}

/* A cleaned copy of s cut at ICSM_MAX_STR bytes, on a character boundary
 * so that the cut does not leave half a character; "" for NULL. */
static char *
cut_dup(const char *s)
{
	struct buf b = { 0 };
	size_t n;

	if (s == NULL)
		return xstrdup("");
	n = strlen(s);
	if (n > ICSM_MAX_STR) {
		n = ICSM_MAX_STR;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	clean_append(&b, s, n);
	return buf_take(&b);
}


/* The fields of t as a struct tm (a DATE at its midnight). */
static struct tm
wall_tm(struct icaltimetype t)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = t.year - 1900;
	tm.tm_mon = t.month - 1;
	tm.tm_mday = t.day;
	if (!t.is_date) {
		tm.tm_hour = t.hour;
		tm.tm_min = t.minute;
		tm.tm_sec = t.second;
	}
	return tm;
}

/* The wall-clock reading of t as seconds, counted as if it were UTC: the
 * scale libical's iterator steps on. */
static int64_t
wall_secs(struct icaltimetype t)
{
	struct tm tm = wall_tm(t);

	return (int64_t)timegm(&tm);
}

/* The wall time of s (as wall_secs counts) in zone. */
static struct icaltimetype
wall_time(int64_t s, const icaltimezone *zone)
{
	struct icaltimetype t = icaltime_null_time();
	time_t tt = (time_t)s;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		return t;
	t.year = tm.tm_year + 1900;
	t.month = tm.tm_mon + 1;
	t.day = tm.tm_mday;
	t.hour = tm.tm_hour;
	t.minute = tm.tm_min;
	t.second = tm.tm_sec;
	t.zone = zone;
	return t;
}

/* The wall time of instant at in zone (NULL: the process's zone, for
 * floating times). */
static struct icaltimetype
wall_of(time_t at, const icaltimezone *zone)
{
	struct tm tm;

	if (zone != NULL)
		return icaltime_from_timet_with_zone(at, 0, zone);
	if (localtime_r(&at, &tm) == NULL)
		return icaltime_null_time();
	return wall_time((int64_t)timegm(&tm), NULL);
}

/* The instant of t: in its zone (icaltime_as_timet_with_zone reads t in
 * the zone it is given, not in t.zone), or in the process's zone when
 * floating. A DATE counts from its midnight. */
static time_t
instant(struct icaltimetype t)
{
	struct tm tm;

	if (t.zone != NULL)
		return icaltime_as_timet_with_zone(t, t.zone);
	tm = wall_tm(t);
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* Whether a TZID may be looked up as a file name under libical's zone
 * directory: no "." or ".." segment, no control characters. */
static bool
tzid_ok(const char *tzid)
{
	const char *seg = tzid;

	if (*tzid == '\0' || strlen(tzid) > ICSM_MAX_STR)
		return false;
	for (const char *p = tzid;; p++) {
		if (*p == '/' || *p == '\0') {
			size_t l = (size_t)(p - seg);

			if ((l == 1 && seg[0] == '.') || (l == 2 && seg[0] == '.' && seg[1] == '.'))
				return false;
			if (*p == '\0')
				return true;
			seg = p + 1;
		} else if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\') {
			return false;
		}
	}
}

/* The zone a TZID names for component c: a VTIMEZONE of the text first
 * (searched up to the root), then libical's zones by TZID and by IANA
 * name, as libical itself resolves DTSTART. */
static icaltimezone *
find_zone(icalcomponent *c, const char *tzid)
{
	icaltimezone *z = NULL;

	for (icalcomponent *p = c; p != NULL && z == NULL; p = icalcomponent_get_parent(p))
		z = icalcomponent_get_timezone(p, tzid);
	/* libical opens its zone directory + the name as it is:
	 * "../../../dev/stdin" would be read (and block). */
	if (z == NULL && !tzid_ok(tzid))
		return NULL;
	if (z == NULL)
		z = icaltimezone_get_builtin_timezone_from_tzid(tzid);
	if (z == NULL)
		z = icaltimezone_get_builtin_timezone(tzid);
	return z;
}

/* Gives *t (a property's raw value) its zone: UTC as it is, TZID through
 * find_zone, floating otherwise. Returns -1 for a TZID nothing defines,
 * with the error reported. */
static int
zoned(struct ctx *x, const struct event *ev, icalproperty *p, struct icaltimetype *t)
{
	icalparameter *tp;
	const char *tzid;
	icaltimezone *z;
	char *name;

	if (icaltime_is_utc(*t) || t->is_date) {
		if (t->is_date)
			t->zone = NULL;
		return 0;
	}
	tp = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	if (tp == NULL || (tzid = icalparameter_get_tzid(tp)) == NULL) {
		t->zone = NULL;
		return 0;
	}
	if ((z = find_zone(ev->c, tzid)) == NULL) {
		name = cut_dup(tzid);
		error(x, ev->uid, "unknown time zone '%s'", name);
		free(name);
		return -1;
	}
	t->zone = z;
	return 0;
}

static bool
valid_time(struct icaltimetype t)
{
	return !icaltime_is_null_time(t) && icaltime_is_valid_time(t) &&
	    t.year >= 1 && t.year <= 9999 && t.month >= 1 && t.month <= 12 &&
	    t.day >= 1 && t.day <= icaltime_days_in_month(t.month, t.year) &&
	    t.hour >= 0 && t.hour <= 23 && t.minute >= 0 && t.minute <= 59 &&
	    t.second >= 0 && t.second <= 60;
}

static bool
mailto(const char *v, const char **addr)
{
	if (v == NULL || strncasecmp(v, "mailto:", 7) != 0 || v[7] == '\0')
		return false;
	*addr = v + 7;
	return true;
}

/* Adds or merges one person; false when the list is full. */
static bool
add_person(struct event *ev, const char *value, icalproperty *p, bool organizer)
{
	icalparameter *cn = icalproperty_get_first_parameter(p, ICAL_CN_PARAMETER);
	icalparameter *ps = icalproperty_get_first_parameter(p, ICAL_PARTSTAT_PARAMETER);
	bool declined = ps != NULL && icalparameter_get_partstat(ps) == ICAL_PARTSTAT_DECLINED;
	struct icsm_person *who;
	char *addr = cut_dup(value);

	for (char *s = addr; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	for (size_t i = 0; i < ev->npeople; i++) {
		who = &ev->people[i];
		if (strcmp(who->addr, addr) != 0)
			continue;
		who->organizer |= organizer;
		who->declined |= declined;
		if (who->name[0] == '\0' && cn != NULL) {
			free(who->name);
			who->name = cut_dup(icalparameter_get_cn(cn));
		}
		free(addr);
		return true;
	}
	if (ev->npeople == ICSM_MAX_PEOPLE) {
		free(addr);
		return false;
	}
	who = &ev->people[ev->npeople++];
	who->addr = addr;
	who->name = cut_dup(cn != NULL ? icalparameter_get_cn(cn) : NULL);
	who->organizer = organizer;
	who->declined = declined;
	return true;
}

/* ORGANIZER first, then every ATTENDEE; mailto: addresses only. */
static void
read_people(struct ctx *x, struct event *ev)
{
	icalproperty *p;
	const char *addr;
	bool room = true;

	ev->people = xcalloc(ICSM_MAX_PEOPLE, sizeof *ev->people);
	for (p = icalcomponent_get_first_property(ev->c, ICAL_ORGANIZER_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(ev->c, ICAL_ORGANIZER_PROPERTY))
		if (room && mailto(icalproperty_get_organizer(p), &addr))
			room = add_person(ev, addr, p, true);
	for (p = icalcomponent_get_first_property(ev->c, ICAL_ATTENDEE_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(ev->c, ICAL_ATTENDEE_PROPERTY))
		if (room && mailto(icalproperty_get_attendee(p), &addr))
			room = add_person(ev, addr, p, false);
	if (!room)
		error(x, ev->uid, "more than %d people; the rest are not read", ICSM_MAX_PEOPLE);
}

static void
event_free(struct event *ev)
{
	free(ev->uid);
	free(ev->title);
	for (size_t i = 0; i < ev->npeople; i++) {
		free(ev->people[i].addr);
		free(ev->people[i].name);
	}
	free(ev->people);
	memset(ev, 0, sizeof *ev);
}

/* Reads what the occurrences of c share. Returns -1 (ev freed) for an
 * event to skip: reported when broken, silent when all-day. */
static int
event_read(struct ctx *x, icalcomponent *c, struct event *ev)
{
	icalproperty *p;
	struct icaltimetype end;
	time_t e;

	memset(ev, 0, sizeof *ev);
	ev->c = c;
	ev->uid = cut_dup(icalcomponent_get_uid(c));
	/* libical's parser leaves what it could not read as X-LIC-ERROR;
	 * the first says enough. */
	if ((p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY)) != NULL) {
		char *why = cut_dup(icalproperty_get_xlicerror(p));

		error(x, ev->uid, "%s", why);
		free(why);
	}
	p = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
	if (p != NULL)
		ev->dtstart = icalproperty_get_dtstart(p);
	if (p == NULL || !valid_time(ev->dtstart)) {
		error(x, ev->uid, "no DTSTART");
		goto skip;
	}
	if (ev->dtstart.is_date)
		goto skip;
	if (zoned(x, ev, p, &ev->dtstart) < 0)
		goto skip;
	ev->start = instant(ev->dtstart);
	e = ev->start;
	if ((p = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY)) != NULL) {
		end = icalproperty_get_dtend(p);
		if (valid_time(end)) {
			if (zoned(x, ev, p, &end) < 0)
				goto skip;
			e = instant(end);
		}
	} else if ((p = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY)) != NULL &&
	    icalproperty_get_value(p) != NULL) {
		/* Exact seconds: a P1D across a DST change lasts 23 or 25
		 * hours here, not until the same wall-clock time. */
		e = ev->start + icaldurationtype_as_int(icalproperty_get_duration(p));
	}
	ev->span = e > ev->start ? e - ev->start : 0;
	ev->cancelled = icalcomponent_get_status(c) == ICAL_STATUS_CANCELLED;
	ev->title = cut_dup(icalcomponent_get_summary(c));
	read_people(x, ev);
	return 0;
skip:
	event_free(ev);
	return -1;
}

/* "YYYYMMDDTHHMMSSZ" */
static char *
utc_stamp(time_t t)
{
	struct tm tm;
	char s[64];

	if (gmtime_r(&t, &tm) == NULL)
		return xstrdup("");
	snprintf(s, sizeof s, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return xstrdup(s);
}

static void
emit(struct ctx *x, const struct event *ev, time_t start, const char *recur)
{
	struct icsm_occ *o;

	if (x->full || !(start + ev->span > x->from && start < x->to))
		return;
	if (x->added == ICSM_MAX_OCC) {
		error(x, "", "more than %d occurrences; the rest is not read", ICSM_MAX_OCC);
		x->full = true;
		return;
	}
	if (x->out->n == x->cap) {
		x->cap = x->cap < 16 ? 16 : 2 * x->cap;
		x->out->v = xrealloc(x->out->v, x->cap * sizeof *x->out->v);
	}
	o = &x->out->v[x->out->n++];
	x->added++;
	o->uid = xstrdup(ev->uid);
	o->recur = recur != NULL ? xstrdup(recur) : utc_stamp(start);
	o->start = start;
	o->end = start + ev->span;
	o->title = xstrdup(ev->title);
	o->npeople = ev->npeople;
	o->people = xcalloc(ev->npeople > 0 ? ev->npeople : 1, sizeof *o->people);
	for (size_t i = 0; i < ev->npeople; i++) {
		o->people[i] = ev->people[i];
		o->people[i].addr = xstrdup(ev->people[i].addr);
		o->people[i].name = xstrdup(ev->people[i].name);
	}
}

static long
ymd_of(struct icaltimetype t)
{
	return t.year * 10000L + t.month * 100L + t.day;
}

static void
inst_add(struct insts *v, time_t t, struct icaltimetype wall)
{
	if (v->n == v->cap) {
		v->cap = v->cap < 16 ? 16 : 2 * v->cap;
		v->v = xrealloc(v->v, v->cap * sizeof *v->v);
	}
	v->v[v->n].t = t;
	v->v[v->n].ymd = ymd_of(wall);
	v->n++;
}

static int
inst_cmp(const void *a, const void *b)
{
	time_t x = ((const struct inst *)a)->t, y = ((const struct inst *)b)->t;

	return x < y ? -1 : x > y;
}

/* The rule's step in seconds of wall time, where libical walks one step
 * per period (to find the next match of a sparse rule it may walk many);
 * 0 for weeks and longer, whose walk libical bounds itself. */
static int64_t
rule_period(const struct icalrecurrencetype *r)
{
	int64_t n = r->interval > 0 ? r->interval : 1;

	switch (r->freq) {
	case ICAL_SECONDLY_RECURRENCE:
		return n;
	case ICAL_MINUTELY_RECURRENCE:
		return 60 * n;
	case ICAL_HOURLY_RECURRENCE:
		return 3600 * n;
	case ICAL_DAILY_RECURRENCE:
		return 86400 * n;
	default:
		return 0;
	}
}

/* The greatest common divisor of n and 12: a MONTHLY rule of INTERVAL n
 * visits the months that many apart around the year. */
static int
gcd12(int n)
{
	int a = 12, b = n % 12, t;

	while (b != 0) {
		t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Whether r can never occur because its BYMONTHDAYs fit none of its
 * months (the 31st of April), a MONTHLY INTERVAL never lands on a
 * BYMONTH from DTSTART's month, or a MONTHLY BYSETPOS is past what a
 * month holds. libical looks for the first instance of
 * such a rule up to the year 20000, 0.1 to 0.2 s each. */
static bool
never_occurs(const struct icalrecurrencetype *r, struct icaltimetype dtstart)
{
	static const int mdays[13] = { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const short *bm = r->by_month, *bd = r->by_month_day;
	int step = r->interval > 0 ? r->interval : 1;
	bool fits = false;

	if (r->freq != ICAL_MONTHLY_RECURRENCE && r->freq != ICAL_YEARLY_RECURRENCE)
		return false;
	/* A month has at most 31 instances when no time part expands. */
	if (r->freq == ICAL_MONTHLY_RECURRENCE && r->by_set_pos[0] != ICAL_RECURRENCE_ARRAY_MAX &&
	    r->by_hour[1] == ICAL_RECURRENCE_ARRAY_MAX && r->by_minute[1] == ICAL_RECURRENCE_ARRAY_MAX &&
	    r->by_second[1] == ICAL_RECURRENCE_ARRAY_MAX) {
		bool any = false;

		for (int i = 0; i < ICAL_BY_SETPOS_SIZE && r->by_set_pos[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
			any |= r->by_set_pos[i] >= -31 && r->by_set_pos[i] <= 31;
		if (!any)
			return true;
	}
	if (bm[0] == ICAL_RECURRENCE_ARRAY_MAX)
		return false;
	for (int i = 0; i < ICAL_BY_MONTH_SIZE && bm[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		bool day_ok = bd[0] == ICAL_RECURRENCE_ARRAY_MAX, month_ok = true;

		if (bm[i] < 1 || bm[i] > 12)
			return false;   /* RSCALE leap months: not judged here */
		for (int j = 0; j < ICAL_BY_MONTHDAY_SIZE && bd[j] != ICAL_RECURRENCE_ARRAY_MAX; j++)
			day_ok |= bd[j] != 0 && bd[j] <= mdays[bm[i]] && -bd[j] <= mdays[bm[i]];
		if (r->freq == ICAL_MONTHLY_RECURRENCE)
			month_ok = (((bm[i] - dtstart.month) % 12 + 12) % 12) % gcd12(step) == 0;
		fits |= day_ok && month_ok;
	}
	return !fits;
}

/* Adds the instances of rule r that can overlap the window. One call of
 * icalrecur_iterator_next may walk any number of periods (a SECONDLY
 * rule with BYMONTH=2 walks a year of seconds), so the rule's UNTIL is
 * cut to the window's end and, for rules of days or shorter, to
 * ICSM_MAX_STEPS periods after where the walk starts: that bounds the
 * walk. Without COUNT the walk starts at the window: libical's
 * icalrecur_iterator_set_start for days and longer; for shorter periods
 * its set_start keeps the phase of INTERVAL only within the minute (or
 * hour, or day), so the rule is restarted at the last instance before
 * the window instead, which for those frequencies changes nothing else. */
static void
rule_instances(struct ctx *x, const struct event *ev, struct icalrecurrencetype r,
    struct insts *v, size_t *inwin)
{
	const icaltimezone *zone = ev->dtstart.zone;
	int64_t period = rule_period(&r), dt = wall_secs(ev->dtstart);
	int64_t lo = wall_secs(wall_of(x->from - ev->span, zone));
	/* A DST change moves wall time by an hour or two against the
	 * window's instants: a margin, cut again below by instant. */
	int64_t hi = wall_secs(wall_of(x->to, zone)) + 7200, cap = hi, reached;
	struct icaltimetype begin = ev->dtstart, t = icaltime_null_time();
	struct icalrecurrencetype orig = r;
	icalrecur_iterator *it;
	bool jump = r.count == 0 && lo > dt, by_cap, walked_out = false;
	size_t steps = 0;
	time_t s;

	if (jump && period > 0)
		begin = wall_time(dt + (lo - dt) / period * period, zone);
	if (period > 0 && wall_secs(begin) + period * (int64_t)ICSM_MAX_STEPS < hi)
		cap = wall_secs(begin) + period * (int64_t)ICSM_MAX_STEPS;
	r.until = wall_time(cap, zone);
	if (!icaltime_is_null_time(orig.until) && icaltime_compare(orig.until, r.until) < 0)
		r.until = orig.until;
	by_cap = cap < hi && r.until.zone == zone && icaltime_compare(r.until,
	    wall_time(cap, zone)) == 0;
	if (x->walked > ICSM_MAX_TEXT_STEPS)
		return;
	if (never_occurs(&r, ev->dtstart)) {
		error(x, ev->uid, "the recurrence rule never occurs");
		return;
	}
	it = icalrecur_iterator_new(r, begin);
	if (it != NULL && jump && period == 0 &&
	    !icalrecur_iterator_set_start(it, wall_time(lo, zone))) {
		icalrecur_iterator_free(it);
		it = NULL;
	}
	if (it == NULL) {
		error(x, ev->uid, "the recurrence rule cannot be read");
		return;
	}
	reached = wall_secs(begin);
	for (;;) {
		t = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(t)) {
			/* The rule ended, or the walk reached its cap: which
			 * one matters only when the cap came first. */
			if (r.count == 0 || (int64_t)steps < r.count) {
				walked_out = by_cap;
				reached = wall_secs(r.until);
			}
			t = wall_time(cap, zone);
			break;
		}
		reached = wall_secs(t);
		if (++steps > ICSM_MAX_STEPS) {
			walked_out = true;
			break;
		}
		t.zone = zone;
		t.is_date = 0;
		if ((s = instant(t)) >= x->to)
			break;
		if (s + ev->span <= x->from)
			continue;
		if (*inwin == ICSM_MAX_PER_EVENT) {
			error(x, ev->uid, "more than %d occurrences in the window; the rest is not read",
			    ICSM_MAX_PER_EVENT);
			break;
		}
		inst_add(v, s, t);
		++*inwin;
	}
	if (walked_out)
		error(x, ev->uid, "the recurrence takes more than %d steps; it is read up to "
		    "%04d-%02d-%02d", ICSM_MAX_STEPS, t.year, t.month, t.day);
	icalrecur_iterator_free(it);
	/* What libical walked: one step per instance, and at least one per
	 * period between where it started and where it stopped. */
	if (period > 0 && reached > wall_secs(begin))
		x->walked += (reached - wall_secs(begin)) / period;
	x->walked += (int64_t)steps;
	if (x->walked > ICSM_MAX_TEXT_STEPS)
		error(x, "", "the recurrences take more than %d steps in all; the rest are read "
		    "without their rules", ICSM_MAX_TEXT_STEPS);
}

/* Whether an EXDATE of ev names the instance. */
static bool
excluded(struct ctx *x, const struct event *ev, const struct inst *in)
{
	icalproperty *p;
	struct icaltimetype t;

	for (p = icalcomponent_get_first_property(ev->c, ICAL_EXDATE_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(ev->c, ICAL_EXDATE_PROPERTY)) {
		t = icalproperty_get_exdate(p);
		if (!valid_time(t))
			continue;
		if (t.is_date ? ymd_of(t) == in->ymd :
		    zoned(x, ev, p, &t) == 0 && instant(t) == in->t)
			return true;
	}
	return false;
}

/* The original start an override names, in *t; -1 when it names none. */
static int
recurrence_id(struct ctx *x, const struct event *ev, time_t *t)
{
	icalproperty *p = icalcomponent_get_first_property(ev->c, ICAL_RECURRENCEID_PROPERTY);
	struct icaltimetype rid;

	if (p == NULL)
		return -1;
	rid = icalproperty_get_recurrenceid(p);
	if (!valid_time(rid) || zoned(x, ev, p, &rid) < 0)
		return -1;
	*t = instant(rid);
	return 0;
}

/* A VEVENT and, when it is a master, the overrides of its occurrences. */
struct item {
	icalcomponent *c;
	const char *uid;       /* libical's, for grouping */
	bool override;
	bool taken;            /* an override tied to its master */
	size_t next;           /* the master's next override + 1, or 0 */
};

/* An override alone, or whose master is not read: one occurrence. */
static void
lone_override(struct ctx *x, icalcomponent *c)
{
	struct event ev;
	time_t rid;
	char *recur;

	if (event_read(x, c, &ev) < 0)
		return;
	if (!ev.cancelled) {
		recur = recurrence_id(x, &ev, &rid) == 0 ? utc_stamp(rid) : xstrdup("");
		emit(x, &ev, ev.start, recur);
		free(recur);
	}
	event_free(&ev);
}

/* Every occurrence of the master items[i]: DTSTART, the RRULEs and
 * RDATEs but the EXDATEs, each replaced by its override when one names
 * it; then the overrides, wherever they moved to. */
static void
expand(struct ctx *x, const struct item *items, size_t i)
{
	struct insts v = { 0 };
	struct event ev;
	icalproperty *p;
	size_t inwin = 0, nrid = 0, k;
	time_t *rids = NULL;
	bool recurs = false;

	if (event_read(x, items[i].c, &ev) < 0) {
		for (k = items[i].next; k != 0; k = items[k - 1].next)
			lone_override(x, items[k - 1].c);
		return;
	}
	if (ev.cancelled)
		goto done;   /* and every override with it */
	if (ev.start + ev.span > x->from && ev.start < x->to) {
		inst_add(&v, ev.start, ev.dtstart);
		inwin++;
	}
	for (p = icalcomponent_get_first_property(ev.c, ICAL_RRULE_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(ev.c, ICAL_RRULE_PROPERTY)) {
		recurs = true;
		rule_instances(x, &ev, icalproperty_get_rrule(p), &v, &inwin);
	}
	for (p = icalcomponent_get_first_property(ev.c, ICAL_RDATE_PROPERTY); p != NULL;
	    p = icalcomponent_get_next_property(ev.c, ICAL_RDATE_PROPERTY)) {
		struct icaldatetimeperiodtype rd = icalproperty_get_rdate(p);
		struct icaltimetype t = icaltime_is_null_time(rd.time) ? rd.period.start : rd.time;
		time_t s;

		recurs = true;
		if (!valid_time(t) || t.is_date || zoned(x, &ev, p, &t) < 0)
			continue;
		s = instant(t);
		if (s + ev.span <= x->from || s >= x->to)
			continue;
		if (inwin == ICSM_MAX_PER_EVENT) {
			error(x, ev.uid, "more than %d occurrences in the window; the rest is not read",
			    ICSM_MAX_PER_EVENT);
			break;
		}
		inst_add(&v, s, t);
		inwin++;
	}
	for (k = items[i].next; k != 0; k = items[k - 1].next)
		nrid++;
	rids = xcalloc(nrid > 0 ? nrid : 1, sizeof *rids);
	nrid = 0;
	for (k = items[i].next; k != 0; k = items[k - 1].next) {
		struct event o = { .c = items[k - 1].c, .uid = ev.uid };

		if (recurrence_id(x, &o, &rids[nrid]) == 0)
			nrid++;
	}
	if (v.n > 1)
		qsort(v.v, v.n, sizeof *v.v, inst_cmp);
	for (size_t j = 0; j < v.n; j++) {
		char *recur;
		bool replaced = false;

		if (j > 0 && v.v[j].t == v.v[j - 1].t)
			continue;   /* DTSTART is the rule's first instance too */
		for (size_t r = 0; r < nrid && !replaced; r++)
			replaced = rids[r] == v.v[j].t;
		if (replaced || excluded(x, &ev, &v.v[j]))
			continue;
		recur = recurs ? utc_stamp(v.v[j].t) : xstrdup("");
		emit(x, &ev, v.v[j].t, recur);
		free(recur);
	}
	for (k = items[i].next; k != 0; k = items[k - 1].next)
		lone_override(x, items[k - 1].c);
done:
	free(rids);
	free(v.v);
	event_free(&ev);
}

static int
occ_cmp(const void *a, const void *b)
{
	const struct icsm_occ *x = a, *y = b;
	int c;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if ((c = strcmp(x->uid, y->uid)) != 0)
		return c;
	return strcmp(x->recur, y->recur);
}

/* The VEVENTs of one VCALENDAR, overrides tied to their masters. */
static void
read_calendar(struct ctx *x, icalcomponent *cal)
{
	struct hmap masters = { 0 };
	struct item *items = NULL;
	size_t n = 0, cap = 0;
	icalcomponent *c;

	for (c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); c != NULL;
	    c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		const char *uid = icalcomponent_get_uid(c);

		if (n == cap) {
			cap = cap < 16 ? 16 : 2 * cap;
			items = xrealloc(items, cap * sizeof *items);
		}
		items[n].c = c;
		items[n].uid = uid;
		items[n].override = icalcomponent_get_first_property(c,
		    ICAL_RECURRENCEID_PROPERTY) != NULL;
		items[n].taken = false;
		items[n].next = 0;
		if (!items[n].override && uid != NULL)
			hmap_put(&masters, uid, (void *)(uintptr_t)(n + 1));
		n++;
	}
	/* Each override joins the first master of its UID; chained in
	 * reverse, which the final sort makes invisible. */
	for (size_t i = 0; i < n; i++) {
		uintptr_t m;

		if (!items[i].override || items[i].uid == NULL ||
		    (m = (uintptr_t)hmap_get(&masters, items[i].uid)) == 0)
			continue;
		items[i].next = items[m - 1].next;
		items[m - 1].next = i + 1;
		items[i].taken = true;
	}
	for (size_t i = 0; i < n && !x->full; i++) {
		if (!items[i].override)
			expand(x, items, i);
		else if (!items[i].taken)
			lone_override(x, items[i].c);
	}
	hmap_free(&masters);
	free(items);
}

/* Whether the logical line l (n bytes, folds included) starts a
 * component. Lenient (folds and blanks inside "BEGIN" are skipped), so
 * that a nesting libical sees is never missed. */
static bool
is_begin(const char *l, size_t n)
{
	static const char want[] = "begin";
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char c = l[i];

		if (c == '\r' || c == '\n' || c == ' ' || c == '\t')
			continue;
		if (k == 5)
			return c == ':' || c == ';';
		if ((c | 0x20) != want[k++])
			return false;
	}
	return false;
}

/* Whether l ends a component. Strict (the line itself starts with
 * "END:" or "END;"), so that libical never ends fewer than counted. */
static bool
is_end(const char *l, size_t n)
{
	return n >= 4 && (l[0] | 0x20) == 'e' && (l[1] | 0x20) == 'n' &&
	    (l[2] | 0x20) == 'd' && (l[3] == ':' || l[3] == ';');
}

/* A copy of text (up to a NUL) for libical, NUL-terminated, with what
 * would make libical slow or large left out: logical lines longer than
 * ICSM_MAX_LINE (it joins a line in time quadratic in its length), lines
 * past ICSM_MAX_LINES, and lines once ICSM_MAX_PARSE_COST is spent (it
 * may scan a component's properties once per line: a line costs the
 * lines before it in its component). NULL when components nest deeper
 * than ICSM_MAX_DEPTH (libical frees a tree recursively). *dropped
 * counts the lines left out. */
static char *
prepare(const char *text, size_t len, size_t *dropped)
{
	size_t n = strnlen(text, len), i = 0, o = 0, lines = 0;
	size_t count[ICSM_MAX_DEPTH + 2] = { 0 };
	int64_t cost = 0;
	int depth = 0;
	char *out = xmalloc(n + 1);

	*dropped = 0;
	while (i < n) {
		size_t j = i, l;
		const char *nl;
		bool keep;

		/* A logical line: physical lines while the next starts with a
		 * blank (a fold), as libical's icalparser_get_line joins them. */
		for (;;) {
			if ((nl = memchr(text + j, '\n', n - j)) == NULL) {
				j = n;
				break;
			}
			j = (size_t)(nl - text) + 1;
			if (j < n && (text[j] == ' ' || text[j] == '\t'))
				continue;
			break;
		}
		l = j - i;
		if (l > ICSM_MAX_LINE) {
			keep = false;
		} else if (is_end(text + i, l)) {
			/* At 0, libical's level is 0 too (it counts no BEGIN
			 * this does not): an END there only makes it warn. */
			keep = depth > 0;
			if (depth > 0)
				depth--;
		} else if (lines >= ICSM_MAX_LINES) {
			keep = false;
		} else if (is_begin(text + i, l)) {
			if (++depth > ICSM_MAX_DEPTH) {
				free(out);
				return NULL;
			}
			count[depth] = 0;
			keep = true;
		} else {
			keep = cost + (int64_t)count[depth] + 1 <= ICSM_MAX_PARSE_COST;
			if (keep)
				cost += (int64_t)count[depth]++ + 1;
		}
		if (keep) {
			memcpy(out + o, text + i, l);
			o += l;
			lines++;
		} else {
			++*dropped;
		}
		i = j;
	}
	out[o] = '\0';
	return out;
}

/* Whether the STANDARD and DAYLIGHT parts of the VTIMEZONE z are cheap to
 * expand: libical expands every rule from its DTSTART (1601 for
 * Outlook) to the year it needs, one change per instance, walking
 * every period of the rule (a SECONDLY rule: every second of 400 years,
 * tens of GB). Counts at most ICSM_MAX_TZ_COST changes or periods. */
static bool
tz_cheap(icalcomponent *z)
{
	int64_t cost = 0;

	for (icalcomponent *c = icalcomponent_get_first_component(z, ICAL_ANY_COMPONENT);
	    c != NULL; c = icalcomponent_get_next_component(z, ICAL_ANY_COMPONENT)) {
		icalproperty *p = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
		int year = p != NULL ? icalproperty_get_dtstart(p).year : 1;
		int64_t years = year < 2040 ? 2040 - (int64_t)(year > 0 ? year : 0) : 1;

		cost++;
		for (p = icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY); p != NULL;
		    p = icalcomponent_get_next_property(c, ICAL_RDATE_PROPERTY))
			cost++;
		for (p = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY); p != NULL;
		    p = icalcomponent_get_next_property(c, ICAL_RRULE_PROPERTY)) {
			struct icalrecurrencetype r = icalproperty_get_rrule(p);
			int64_t per_year, each = 1;
			int nd = 0, nmd = 0, nm = 0, nh = 0, nmi = 0, ns = 0;

			switch (r.freq) {
			case ICAL_YEARLY_RECURRENCE: per_year = 1; break;
			case ICAL_MONTHLY_RECURRENCE: per_year = 12; break;
			case ICAL_WEEKLY_RECURRENCE: per_year = 53; break;
			case ICAL_DAILY_RECURRENCE: per_year = 366; break;
			default: return false;   /* hours or shorter, or none */
			}
			while (nd < ICAL_BY_DAY_SIZE && r.by_day[nd] != ICAL_RECURRENCE_ARRAY_MAX)
				nd++;
			while (nmd < ICAL_BY_MONTHDAY_SIZE &&
			    r.by_month_day[nmd] != ICAL_RECURRENCE_ARRAY_MAX)
				nmd++;
			while (nm < ICAL_BY_MONTH_SIZE && r.by_month[nm] != ICAL_RECURRENCE_ARRAY_MAX)
				nm++;
			while (nh < ICAL_BY_HOUR_SIZE && r.by_hour[nh] != ICAL_RECURRENCE_ARRAY_MAX)
				nh++;
			while (nmi < ICAL_BY_MINUTE_SIZE && r.by_minute[nmi] != ICAL_RECURRENCE_ARRAY_MAX)
				nmi++;
			while (ns < ICAL_BY_SECOND_SIZE && r.by_second[ns] != ICAL_RECURRENCE_ARRAY_MAX)
				ns++;
			if (r.by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
			    r.by_week_no[0] != ICAL_RECURRENCE_ARRAY_MAX)
				each = 366;
			/* Instances in a period: at most 5 a month per BYDAY, one a
			 * month per BYMONTHDAY, times the times of day. */
			if (nd > 0 || nmd > 0) {
				int64_t days = nd > 0 ? 5 * (int64_t)nd : 31;

				if (nmd > 0 && nmd < days)
					days = nmd;
				each = days * (r.freq == ICAL_YEARLY_RECURRENCE ? (nm > 0 ? nm : 12) : 1);
			}
			each *= (nh > 0 ? nh : 1) * (nmi > 0 ? nmi : 1) * (int64_t)(ns > 0 ? ns : 1);
			cost += years * per_year * each;
			if (cost > ICSM_MAX_TZ_COST)
				return false;
		}
		if (cost > ICSM_MAX_TZ_COST)
			return false;
	}
	return true;
}

/* Removes the VTIMEZONEs of c and below that tz_cheap refuses (a TZID
 * they defined is then looked up among libical's own zones), and those
 * past ICSM_MAX_TZ per text. depth is bounded by prepare. */
static void
tz_prune(struct ctx *x, icalcomponent *c, size_t *seen)
{
	icalcomponent **bad = NULL;
	size_t nbad = 0;

	for (icalcomponent *k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	    k != NULL; k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
		icalproperty *p;
		char *name;

		if (icalcomponent_isa(k) != ICAL_VTIMEZONE_COMPONENT) {
			tz_prune(x, k, seen);
			continue;
		}
		if (++*seen <= ICSM_MAX_TZ && tz_cheap(k))
			continue;
		p = icalcomponent_get_first_property(k, ICAL_TZID_PROPERTY);
		name = cut_dup(p != NULL ? icalproperty_get_tzid(p) : NULL);
		if (*seen > ICSM_MAX_TZ)
			error(x, "", "more than %d time zones; '%s' is not read", ICSM_MAX_TZ, name);
		else
			error(x, "", "the time zone '%s' has rules too costly to expand; "
			    "it is not read", name);
		free(name);
		bad = xrealloc(bad, (nbad + 1) * sizeof *bad);
		bad[nbad++] = k;
	}
	for (size_t i = 0; i < nbad; i++) {
		icalcomponent_remove_component(c, bad[i]);
		icalcomponent_free(bad[i]);
	}
	free(bad);
}

int
icsm_parse(const char *text, size_t len, time_t from, time_t to,
    struct icsm_list *out, icsm_error_fn err, void *arg)
{
	struct ctx x = { from, to, out, out->n, 0, false, 0, err, arg };
	icalcomponent *root, *c;
	size_t first = out->n, ncal = 0, dropped, ntz = 0;
	/* The parser wants a C string; a NUL inside ends the text there. */
	char *copy = prepare(text, len, &dropped);

	if (copy == NULL) {
		error(&x, "", "components nested more than %d deep", ICSM_MAX_DEPTH);
		return -1;
	}
	root = icalparser_parse_string(copy);
	free(copy);
	if (root == NULL) {
		err(arg, "", "not an iCalendar object");
		return -1;
	}
	if (dropped > 0)
		error(&x, "", "%zu lines too long or too many are left out", dropped);
	tz_prune(&x, root, &ntz);
	if (out->n > 0)   /* its size now known exactly */
		out->v = xrealloc(out->v, out->n * sizeof *out->v);
	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
		ncal = 1;
		read_calendar(&x, root);
	} else if (icalcomponent_isa(root) == ICAL_XROOT_COMPONENT) {
		/* Several objects one after the other. */
		for (c = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
		    c != NULL; c = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT)) {
			ncal++;
			read_calendar(&x, c);
		}
	}
	icalcomponent_free(root);
	if (ncal == 0) {
		err(arg, "", "not an iCalendar object");
		return -1;
	}
	if (out->n - first > 1)
		qsort(out->v + first, out->n - first, sizeof *out->v, occ_cmp);
	return 0;
}

void
icsm_occ_free(struct icsm_occ *o)
{
	free(o->uid);
	free(o->recur);
	free(o->title);
	for (size_t j = 0; j < o->npeople; j++) {
		free(o->people[j].addr);
		free(o->people[j].name);
	}
	free(o->people);
	memset(o, 0, sizeof *o);
}

void
icsm_list_free(struct icsm_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		icsm_occ_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
