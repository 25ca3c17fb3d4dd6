/* icsmeet: the meetings in an iCalendar text (RFC 5545), read with libical:
 * every occurrence of every timed VEVENT that overlaps a window, with its
 * recurrences expanded (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides).
 * Pure: the text, the window and the zone for floating times come from
 * the caller; nothing is logged, errors go to a callback. Everything in
 * the results is cleaned of control characters.
 *
 * Cost (libical 3.0.16, -O2, one core): a 7.6 MB text of 10,000 events
 * with five attendees each, a tenth of them weekly, parses in 0.1 to
 * 0.2 s in libical and 0.3 to 0.45 s in all (13,787 occurrences in a
 * year). FREQ=SECONDLY from 1990 without end, with a one-year window:
 * 1 to 6 ms (the walk starts at the window). The dearest rules are those
 * libical walks period by period: a sparse SECONDLY rule or a COUNT it
 * must count from 1990 stops at ICSM_MAX_STEPS after about 0.1 s, and
 * ICSM_MAX_TEXT_STEPS bounds the text to some ten of those. Rules that
 * can never occur send libical looking up to the year 20000 (0.05 to
 * 0.8 s each); the shapes found so far (the 31st of April, a MONTHLY
 * INTERVAL that misses BYMONTH, a MONTHLY BYSETPOS past 31) are refused
 * before libical sees them, but other impossible combinations may remain.
 *
 * Threads: icsm_parse keeps no state of its own between calls, and
 * libical 3.0.16 as Debian builds it (with pthreads) keeps icalerrno and
 * its string ring per thread and locks its cache of built-in zones and
 * their expanded transitions (builtin_mutex, changes_mutex in
 * icaltimezone.c). So two threads may run icsm_parse at once, as long as
 * none calls tz_use() (setenv TZ, which floating times read through
 * mktime), icaltimezone_free_builtin_timezones(),
 * icaltimezone_set_tzid_prefix() or set_zone_directory() meanwhile. One
 * benign race stays: the first use of libical's TZID prefix and of the
 * zoneinfo directory fills a static string without a lock (every thread
 * writes the same value). */
#ifndef FOLLOWUPD_ICSMEET_H
#define FOLLOWUPD_ICSMEET_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Bounds: a recurrence yields at most ICSM_MAX_PER_EVENT occurrences in
 * the window (and stops after ICSM_MAX_STEPS steps of its rule, so that
 * FREQ=SECONDLY from 1970 ends: a step is an instance or a period of the
 * rule walked, a second for SECONDLY); the rules of one text walk at most
 * ICSM_MAX_TEXT_STEPS steps in all, then the rest of the events are read
 * without their rules (DTSTART, RDATEs and overrides only); one text
 * yields at most ICSM_MAX_OCC occurrences; an occurrence keeps at most
 * ICSM_MAX_PEOPLE people; strings are cut at ICSM_MAX_STR bytes (on a
 * character boundary). Each bound hit is an error naming the event (""
 * for the text-wide ones). */
#define ICSM_MAX_PER_EVENT 1000
#define ICSM_MAX_STEPS 100000
#define ICSM_MAX_TEXT_STEPS 1000000
#define ICSM_MAX_OCC 20000
#define ICSM_MAX_PEOPLE 200
#define ICSM_MAX_STR 512
/* What libical is given: components nested at most ICSM_MAX_DEPTH deep
 * (else the text is refused: libical frees a tree recursively); logical
 * lines of at most ICSM_MAX_LINE bytes (libical joins a line in time
 * quadratic in its length: 12 s for 12 MB), at most ICSM_MAX_LINES of
 * them, and lines within ICSM_MAX_PARSE_COST (libical may scan a
 * component's properties once per line it adds: a line costs the lines
 * before it in its component, about 8 ns each); the lines past these
 * bounds are left out, with one error. A VTIMEZONE whose rules would
 * expand to more than ICSM_MAX_TZ_COST changes or periods (libical
 * expands them from their DTSTART on: a SECONDLY one fills memory), and
 * those past ICSM_MAX_TZ in one text, are left out with an error; a
 * TZID they defined is then looked up as an IANA name. */
#define ICSM_MAX_DEPTH 32
#define ICSM_MAX_LINE 65536
#define ICSM_MAX_LINES 400000
#define ICSM_MAX_PARSE_COST 50000000
#define ICSM_MAX_TZ_COST 100000
#define ICSM_MAX_TZ 1000

struct icsm_person {
	char *addr;            /* lowercased, "mailto:" removed */
	char *name;            /* CN, or "" */
	bool organizer;        /* the ORGANIZER (also listed if an ATTENDEE) */
	bool declined;         /* PARTSTAT=DECLINED */
};

struct icsm_occ {
	char *uid;             /* the event's UID */
	char *recur;           /* "" for an event without recurrence, else the
	                        * occurrence's original start (its
	                        * RECURRENCE-ID) in UTC, "YYYYMMDDTHHMMSSZ" */
	time_t start, end;     /* end: DTEND, else DTSTART + DURATION, else start;
	                        * the occurrences of a rule last as long as
	                        * the first, in exact seconds */
	char *title;           /* SUMMARY, or "" */
	struct icsm_person *people;
	size_t npeople;
};

struct icsm_list {
	struct icsm_occ *v;
	size_t n;
};

/* Called once per skipped event, per event libical could not read whole
 * (its first X-LIC-ERROR; the event is kept when it has a DTSTART), per
 * rule that cannot be read or never occurs, and per bound hit: uid is
 * the event's UID cleaned ("" when it has none, or for the whole text),
 * message says what was wrong ("no DTSTART", "unknown time zone 'X'"),
 * cleaned. */
typedef void (*icsm_error_fn)(void *arg, const char *uid, const char *message);

/* Appends to out every occurrence of text's timed VEVENTs that overlaps
 * [from, to) (end > from and start < to): not all-day (DTSTART;VALUE=DATE),
 * not STATUS:CANCELLED (the event's or the override's; a cancelled master
 * takes its overrides with it). An override (RECURRENCE-ID) replaces the
 * occurrence it names wherever it moved; one whose master is missing is
 * an event of its own; RANGE=THISANDFUTURE is read as this instance only.
 * Floating times are in the process's zone (TZ, as tz_use() sets it); a
 * TZID the text does not define is looked up as an IANA name, and an
 * event with a TZID nothing defines is skipped. text need not end in a
 * NUL (a NUL inside ends it); several VCALENDARs one after the other are
 * all read. What is appended is sorted by start, UID and recur; out may
 * hold earlier results. Returns 0, or -1 when text is not an iCalendar
 * object at all (err called with uid "", nothing appended). Broken
 * events are skipped with a call to err; the rest is read. */
int icsm_parse(const char *text, size_t len, time_t from, time_t to,
    struct icsm_list *out, icsm_error_fn err, void *arg);
void icsm_list_free(struct icsm_list *l);
/* Frees what one occurrence holds (and zeroes it). */
void icsm_occ_free(struct icsm_occ *o);

#endif
