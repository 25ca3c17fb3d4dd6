#!/usr/bin/python3
"""An independent reader of what followupd writes, with python3-icalendar
and the email package: the tests compare its plain lines with what they
expect.

  ics.py feed FILE        one line per calendar property and per VEVENT
  ics.py offsets FILE WHEN...
                          the UTC offset of the VTIMEZONE at local times
  ics.py mail FILE.eml    checks the iMIP layout (RFC 6047), writes the
                          calendar part next to it as FILE.ics, prints
                          METHOD|UID|SEQUENCE|DTSTART|TZID|SUMMARY|Message-ID
Exits 1 with a message on anything malformed.
"""
import datetime
import email
import email.policy
import sys

import icalendar


def die(msg):
    print("ics.py: " + msg, file=sys.stderr)
    sys.exit(1)


def when(prop):
    dt = prop.dt
    tzid = prop.params.get("TZID", "")
    if isinstance(dt, datetime.datetime):
        if dt.tzinfo is not None and not tzid:
            tzid = "UTC" if dt.utcoffset() == datetime.timedelta(0) else "?"
        return dt.strftime("%Y-%m-%dT%H:%M"), tzid
    return dt.strftime("%Y-%m-%d"), "date"


def event_line(ev):
    start, tzid = when(ev["DTSTART"])
    rrule = ev.get("RRULE")
    # parts sorted: the order of an RRULE's parts carries no meaning
    rrule = ";".join(sorted(rrule.to_ical().decode().split(";"))) if rrule is not None else ""
    cats = ev.get("CATEGORIES")
    cats = cats.to_ical().decode() if cats is not None else ""
    alarm = "alarm" if any(True for _ in ev.walk("VALARM")) else ""
    return "|".join([str(ev["UID"]), start, tzid, str(ev["SUMMARY"]), rrule, cats, alarm])


def read_cal(path):
    try:
        with open(path, "rb") as f:
            return icalendar.Calendar.from_ical(f.read())
    except Exception as e:  # the parser's own words
        die("%s: %s" % (path, e))


def feed(path):
    cal = read_cal(path)
    for key in ("VERSION", "PRODID", "CALSCALE", "NAME", "X-WR-CALNAME",
                "REFRESH-INTERVAL", "X-PUBLISHED-TTL", "METHOD"):
        if key in cal:
            v = cal[key]
            v = v.to_ical().decode() if hasattr(v, "to_ical") else str(v)
            params = getattr(cal[key], "params", {})
            extra = ";VALUE=" + params["VALUE"] if "VALUE" in params else ""
            print("%s%s=%s" % (key, extra, v))
    for tz in cal.walk("VTIMEZONE"):
        print("VTIMEZONE=%s" % tz["TZID"])
    for ev in cal.walk("VEVENT"):
        print("EVENT " + event_line(ev))


def transitions(zone):
    """(local onset, offset after) of every STANDARD/DAYLIGHT onset, from
    the VTIMEZONE's own DTSTART, RDATE and RRULE (expanded with dateutil on
    naive local times; UNTIL, in UTC, moved to local time)."""
    import dateutil.rrule
    out = []
    for sub in zone.subcomponents:
        start = sub["DTSTART"].dt.replace(tzinfo=None)
        before = sub["TZOFFSETFROM"].td
        after = sub["TZOFFSETTO"].td
        out.append((start, after))
        if "RRULE" in sub:
            rule = dict(sub["RRULE"])
            until = rule.pop("UNTIL", None)
            text = icalendar.vRecur(rule).to_ical().decode()
            limit = datetime.datetime(2100, 1, 1)
            if until:
                u = until[0]
                u = u.replace(tzinfo=None) if isinstance(u, datetime.datetime) else \
                    datetime.datetime.combine(u, datetime.time())
                limit = u + before
            rr = dateutil.rrule.rrulestr(text, dtstart=start)
            for t in rr.between(start, limit, inc=True):
                out.append((t, after))
        for rd in sub.get("RDATE", []) if isinstance(sub.get("RDATE"), list) else \
                ([sub["RDATE"]] if "RDATE" in sub else []):
            for d in rd.dts:
                out.append((d.dt.replace(tzinfo=None), after))
    return sorted(out)


def offsets(path, whens):
    cal = read_cal(path)
    zones = list(cal.walk("VTIMEZONE"))
    if len(zones) != 1:
        die("%d VTIMEZONE components" % len(zones))
    trans = transitions(zones[0])
    for w in whens:
        local = datetime.datetime.strptime(w, "%Y-%m-%dT%H:%M")
        past = [off for t, off in trans if t <= local]
        if not past:
            die("%s is before the VTIMEZONE's first onset" % w)
        mins = int(past[-1].total_seconds() // 60)
        print("%s %s%02d%02d" % (w, "+" if mins >= 0 else "-", abs(mins) // 60, abs(mins) % 60))


def mail(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    if msg.get_content_type() != "multipart/mixed":
        die("top level is %s" % msg.get_content_type())
    parts = msg.get_payload()
    if len(parts) != 2 or parts[0].get_content_type() != "multipart/alternative":
        die("multipart/mixed does not hold an alternative and an attachment")
    alt = [p.get_content_type() for p in parts[0].get_payload()]
    if alt != ["text/plain", "text/html", "text/calendar"]:
        die("the alternatives are %s" % alt)
    calpart = parts[0].get_payload()[2]
    att = parts[1]
    if att.get_filename() != "invite.ics" or att.get_content_disposition() != "attachment":
        die("the second part is not the invite.ics attachment")
    body = calpart.get_payload(decode=True)
    if att.get_payload(decode=True) != body:
        die("invite.ics differs from the text/calendar part")
    if (calpart.get_param("charset") or "").upper() != "UTF-8":
        die("text/calendar charset is %s" % calpart.get_param("charset"))
    cal = icalendar.Calendar.from_ical(body)
    method = str(cal.get("METHOD", ""))
    if (calpart.get_param("method") or "") != method:
        die("Content-Type method=%s but METHOD:%s" % (calpart.get_param("method"), method))
    events = list(cal.walk("VEVENT"))
    if len(events) != 1:
        die("%d VEVENTs" % len(events))
    ev = events[0]
    for need in ("ORGANIZER", "ATTENDEE", "DTSTAMP", "SEQUENCE", "UID"):
        if need not in ev:
            die("no %s" % need)
    with open(path[:-4] + ".ics" if path.endswith(".eml") else path + ".ics", "wb") as f:
        f.write(body)
    start, tzid = when(ev["DTSTART"])
    print("|".join([method, str(ev["UID"]), str(int(ev["SEQUENCE"])), start, tzid,
                    str(ev["SUMMARY"]), msg["Message-ID"]]))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "feed":
        feed(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "offsets":
        offsets(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "mail":
        for p in sys.argv[2:]:
            mail(p)
    else:
        die("usage: ics.py feed FILE | offsets FILE WHEN... | mail FILE.eml...")


main()
