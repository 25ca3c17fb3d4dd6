#!/usr/bin/python3
"""The events of the calendar tests (tests/integration/meetings.sh), as
iCalendar files, all placed relative to one instant NOW so that the tests
pass on any day (and under faketime): nothing here reads the clock.

    calevents.py --now EPOCH [--out PATH] [--layout files|vdir|single] [NAME...]

NOW is in UTC seconds; the events are in Europe/Berlin (DTSTART;TZID= with
a VTIMEZONE), T below being NOW's local date there. NAMEs (default: good
and bad):

  good = alice-lunch bob-weekly carol-declined dave-cancelled erin-allday
         jane-declined q1-planning later-today
  bad  = broken nodtstart forever
  alice-lunch     T-3 12:00-13:00 "Lunch with Alice", Alice ACCEPTED
  bob-weekly      weekly 10:00-10:30 from T-34 (tomorrow's weekday), no end;
                  EXDATE T-13; the T-6 occurrence moved to 15:00-15:30 and
                  called "Bob 1:1 (moved)" (RECURRENCE-ID)
  bob-weekly:moved    the same, the override now at T-6 08:00-08:30
  bob-weekly:exdated  the same, no override, T-6 excluded too
  carol-declined  T-2 16:00-17:00, carol DECLINED (the only other person)
  dave-cancelled  T-2 11:00-12:00, STATUS:CANCELLED, dave
  erin-allday     all day on T-1 (VALUE=DATE), erin
  jane-declined   T-1 14:00-15:00, organised by frank (ACCEPTED), jane
                  (the user) DECLINED
  q1-planning     T-4 09:00-11:00 "Q1 planning", alice and Carla Client
                  <carla@client.example> (not a contact)
  later-today     30 min from the first full hour at least 1 h after NOW,
                  on T ("Meeting today"); on T+1 09:00-09:30 instead when
                  that would end after 23:30 (NOW is late: printed)
  broken          a VCALENDAR cut in the middle of a line (UID broken-1)
  nodtstart       a VEVENT without DTSTART (UID nodtstart-1), alice
  forever         FREQ=SECONDLY from 1990-01-01 10:00, no end, gus
  grace-coffee    T-2 08:00-08:30, grace (for calendars that must not be read)
  erin-timed      30 min ending a minute before NOW (to the minute), erin

Every event's UID is NAME-1 (the variants keep bob-weekly-1), its
ORGANIZER jane@example.org (but jane-declined's), DTSTAMP NOW.

Layouts (--out):
  files   PATH/NAME.ics, one VCALENDAR each (for PUT to CalDAV)
  vdir    PATH/UID.ics, one VCALENDAR each, with vdirsyncer's "displayname"
          and "color" files beside them
  single  the file PATH, one VCALENDAR with every event (not `broken`)

Always prints, as shell assignments to eval, what the test expects
(computed here with datetime and zoneinfo only):
  NOW_UTC TODAY                 NOW, and T (YYYY-MM-DD)
  ALICE_LUNCH_END_UTC ALICE_Q1_END_UTC
  ALICE_LAST_UTC                the newer of the two (the lunch)
  BOB_LAST_UTC                  the end of the newest ended occurrence
                                (the override, T-6 15:30)
  BOB_LAST_MOVED_UTC            the same with bob-weekly:moved (T-6 08:30)
  BOB_LAST_EXDATED_UTC          the same with bob-weekly:exdated (T-20 10:30)
  Q1_DAY Q1_DAY_MON             T-4 as YYYY-MM-DD and as "20 Nov"
  LATER_DAY LATER_IS_TODAY LATER_START_UTC   where later-today fell (yes/no)
  GRACE_END_UTC ERIN_TIMED_END_UTC
UTC times are YYYY-MM-DDTHH:MM:SSZ, as `followupd due --json` prints them.
"""
import argparse
import datetime as dt
import os
import shlex
import sys
from zoneinfo import ZoneInfo

ZONE = "Europe/Berlin"
TZ = ZoneInfo(ZONE)
UTC = dt.timezone.utc
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

GOOD = ["alice-lunch", "bob-weekly", "carol-declined", "dave-cancelled",
        "erin-allday", "jane-declined", "q1-planning", "later-today"]
BAD = ["broken", "nodtstart", "forever"]
OTHER = ["grace-coffee", "erin-timed"]
VARIANTS = {"bob-weekly": ["moved", "exdated"]}

VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""

JANE = "ORGANIZER;CN=Jane Doe:mailto:jane@example.org"


def local(day, hour, minute=0, second=0):
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=TZ)


def utc(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ical_local(t):
    return t.strftime("%Y%m%dT%H%M%S")


def att(cn, addr, partstat="ACCEPTED"):
    cnp = ";CN=%s" % (('"%s"' % cn) if " " in cn else cn) if cn else ""
    return "ATTENDEE%s;ROLE=REQ-PARTICIPANT;PARTSTAT=%s:mailto:%s" % (cnp, partstat, addr)


class Events:
    def __init__(self, now):
        self.now = dt.datetime.fromtimestamp(now, UTC)
        self.stamp = self.now.strftime("%Y%m%dT%H%M%SZ")
        self.today = self.now.astimezone(TZ).date()

    def day(self, n):
        return self.today + dt.timedelta(days=n)

    def vevent(self, uid, start, end, summary, lines, extra=()):
        out = ["BEGIN:VEVENT", "UID:%s" % uid, "DTSTAMP:%s" % self.stamp]
        if start is not None:
            out.append("DTSTART;TZID=%s:%s" % (ZONE, ical_local(start)))
            out.append("DTEND;TZID=%s:%s" % (ZONE, ical_local(end)))
        out += list(extra)
        out.append("SUMMARY:%s" % summary)
        out += lines
        out.append("END:VEVENT")
        return "\n".join(out) + "\n"

    # ---- the times, shared by the events and the expectations ----------

    def bob_series(self):
        first = self.day(-34)          # tomorrow's weekday, 5 weeks ago
        return first, self.day(-13), self.day(-6)

    def later(self):
        # the next full hour at least an hour from now (Berlin's offsets are
        # whole hours: a full hour in UTC is one on the wall clock)
        t = self.now + dt.timedelta(hours=1)
        if t.minute or t.second or t.microsecond:
            t = t.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        start = t.astimezone(TZ)
        end = start + dt.timedelta(minutes=30)
        if start.date() != self.today or end > local(self.today, 23, 30):
            start = local(self.day(1), 9)
            end = start + dt.timedelta(minutes=30)
        return start, end

    def erin_timed(self):
        end = self.now.replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
        end = end.astimezone(TZ)
        return end - dt.timedelta(minutes=30), end

    # ---- the events (VEVENTs, without the VCALENDAR) -----------------------

    def event(self, name):
        base, _, variant = name.partition(":")
        uid = base + "-1"
        if base == "alice-lunch":
            d = self.day(-3)
            return self.vevent(uid, local(d, 12), local(d, 13), "Lunch with Alice",
                               [JANE, att("Alice", "alice@example.com"),
                                att("Jane Doe", "jane@example.org")])
        if base == "bob-weekly":
            first, exd, moved = self.bob_series()
            people = [JANE, att("Bob Jones", "bob@example.com"),
                      att("Jane Doe", "jane@example.org")]
            exdates = [exd] + ([moved] if variant == "exdated" else [])
            series = self.vevent(
                uid, local(first, 10), local(first, 10, 30), "Bob 1:1", people,
                ["RRULE:FREQ=WEEKLY"] +
                ["EXDATE;TZID=%s:%s" % (ZONE, ical_local(local(d, 10))) for d in exdates])
            if variant == "exdated":
                return series
            h = 8 if variant == "moved" else 15
            override = self.vevent(
                uid, local(moved, h), local(moved, h, 30), "Bob 1:1 (moved)", people,
                ["RECURRENCE-ID;TZID=%s:%s" % (ZONE, ical_local(local(moved, 10)))])
            return series + override
        if base == "carol-declined":
            d = self.day(-2)
            return self.vevent(uid, local(d, 16), local(d, 17), "Coffee with Carol",
                               [JANE, att("Carol King", "carol@example.com", "DECLINED")])
        if base == "dave-cancelled":
            d = self.day(-2)
            return self.vevent(uid, local(d, 11), local(d, 12), "Review with Dave",
                               [JANE, att("Dave", "dave@example.com")],
                               ["STATUS:CANCELLED"])
        if base == "erin-allday":
            d = self.day(-1)
            return ("BEGIN:VEVENT\nUID:%s\nDTSTAMP:%s\n"
                    "DTSTART;VALUE=DATE:%s\nDTEND;VALUE=DATE:%s\n"
                    "SUMMARY:Offsite with Erin\n%s\n%s\nEND:VEVENT\n" % (
                        uid, self.stamp, d.strftime("%Y%m%d"),
                        self.today.strftime("%Y%m%d"), JANE,
                        att("Erin", "erin@example.com")))
        if base == "jane-declined":
            d = self.day(-1)
            return self.vevent(uid, local(d, 14), local(d, 15), "Frank's demo",
                               ["ORGANIZER;CN=Frank:mailto:frank@example.com",
                                att("Frank", "frank@example.com"),
                                att("Jane Doe", "jane@example.org", "DECLINED")])
        if base == "q1-planning":
            d = self.day(-4)
            return self.vevent(uid, local(d, 9), local(d, 11), "Q1 planning",
                               [JANE, att("Alice Smith", "alice@example.com"),
                                att("Carla Client", "carla@client.example")])
        if base == "later-today":
            start, end = self.later()
            return self.vevent(uid, start, end, "Meeting today",
                               [JANE, att("Alice Smith", "alice@example.com")])
        if base == "nodtstart":
            return self.vevent(uid, None, None, "No start",
                               [JANE, att("Alice Smith", "alice@example.com")])
        if base == "forever":
            start = dt.datetime(1990, 1, 1, 10, 0, 0, tzinfo=TZ)
            return self.vevent(uid, start, start + dt.timedelta(seconds=1), "Every second",
                               [JANE, att("Gus", "gus@example.com")],
                               ["RRULE:FREQ=SECONDLY"])
        if base == "grace-coffee":
            d = self.day(-2)
            return self.vevent(uid, local(d, 8), local(d, 8, 30), "Coffee with Grace",
                               [JANE, att("Grace", "grace@example.com")])
        if base == "erin-timed":
            start, end = self.erin_timed()
            return self.vevent(uid, start, end, "Call with Erin",
                               [JANE, att("Erin", "erin@example.com")])
        raise KeyError(name)

    def calendar(self, names):
        body = "".join(self.event(n) for n in names)
        return ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//followupd tests//calevents//EN\n"
                "CALSCALE:GREGORIAN\n" + VTIMEZONE + body + "END:VCALENDAR\n")

    def file(self, name):
        if name == "broken":
            whole = self.calendar(["alice-lunch"]).replace("alice-lunch-1", "broken-1")
            cut = whole.index("SUMMARY:") + len("SUMMARY:Lun")
            return whole[:cut]                  # no newline, no END lines
        return self.calendar([name])

    # ---- the expectations ---------------------------------------------------

    def expected(self):
        first, exd, moved = self.bob_series()
        lunch_end = local(self.day(-3), 13)
        q1_end = local(self.day(-4), 11)
        later_start, _ = self.later()
        q1 = self.day(-4)
        _, erin_end = self.erin_timed()
        return [
            ("NOW_UTC", utc(self.now)),
            ("TODAY", self.today.isoformat()),
            ("ALICE_LUNCH_END_UTC", utc(lunch_end)),
            ("ALICE_Q1_END_UTC", utc(q1_end)),
            ("ALICE_LAST_UTC", utc(max(lunch_end, q1_end))),
            ("BOB_LAST_UTC", utc(local(moved, 15, 30))),
            ("BOB_LAST_MOVED_UTC", utc(local(moved, 8, 30))),
            ("BOB_LAST_EXDATED_UTC", utc(local(self.day(-20), 10, 30))),
            ("Q1_DAY", q1.isoformat()),
            ("Q1_DAY_MON", "%d %s" % (q1.day, MONTHS[q1.month - 1])),
            ("LATER_DAY", later_start.date().isoformat()),
            ("LATER_IS_TODAY", "yes" if later_start.date() == self.today else "no"),
            ("LATER_START_UTC", utc(later_start)),
            ("GRACE_END_UTC", utc(local(self.day(-2), 8, 30))),
            ("ERIN_TIMED_END_UTC", utc(erin_end)),
        ]


def expand(names):
    out = []
    for n in names or ["good", "bad"]:
        if n == "good":
            out += GOOD
        elif n == "bad":
            out += BAD
        else:
            base, _, variant = n.partition(":")
            if base not in GOOD + BAD + OTHER or (variant and variant not in VARIANTS.get(base, [])):
                sys.exit("calevents.py: unknown event %r" % n)
            out.append(n)
    return out


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def main():
    p = argparse.ArgumentParser(description="the meetings test's events")
    p.add_argument("--now", type=int, required=True, help="UTC epoch seconds")
    p.add_argument("--out", help="directory (files, vdir) or file (single)")
    p.add_argument("--layout", choices=["files", "vdir", "single"], default="files")
    p.add_argument("names", nargs="*")
    a = p.parse_args()
    ev = Events(a.now)
    names = expand(a.names)
    if a.out:
        if a.layout == "single":
            if "broken" in names:
                sys.exit("calevents.py: `broken` cannot be part of a single VCALENDAR")
            with open(a.out, "wb") as f:
                f.write(crlf(ev.calendar(names)))
        else:
            os.makedirs(a.out, exist_ok=True)
            for n in names:
                base = n.partition(":")[0]
                fname = base + ("-1.ics" if a.layout == "vdir" else ".ics")
                tmp = os.path.join(a.out, "." + fname + ".tmp")
                with open(tmp, "wb") as f:
                    f.write(crlf(ev.file(n)))
                os.rename(tmp, os.path.join(a.out, fname))
            if a.layout == "vdir":
                for meta, value in (("displayname", "Jane (vdir)"), ("color", "#3465a4")):
                    with open(os.path.join(a.out, meta), "w") as f:
                        f.write(value)
    start, _ = ev.later()
    print("# NOW %s = %s local; later-today on %s (%s)" % (
        utc(ev.now), ev.now.astimezone(TZ).strftime("%Y-%m-%d %H:%M %Z"),
        start.strftime("%Y-%m-%d %H:%M %Z"),
        "today" if start.date() == ev.today else "the next day: NOW is late"))
    for k, v in ev.expected():
        print("%s=%s" % (k, shlex.quote(v)))


if __name__ == "__main__":
    main()
