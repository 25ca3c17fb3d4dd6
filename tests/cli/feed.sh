#!/bin/sh
# `followupd feed`: the calendar read back by python3-icalendar (an
# independent parser) and checked by libical's RFC 5546 restrictions; the
# events, dates, TZIDs and the VTIMEZONE's offsets across DST for two
# zones; -o replaces the file atomically and only when it changes.
. "$SRCDIR/tests/cli/lib.sh"

/usr/bin/python3 -c 'import icalendar' 2>/dev/null || { echo "python3-icalendar missing"; exit 77; }
ICS="/usr/bin/python3 $SRCDIR/tests/cal/ics.py"
# Every feed is built for a pinned day (feed --date), never the machine's
# today, and every date below is computed from that day: the same test
# passes on any day. TODAY is in June, so that erin's card (her birthday is
# 29 February) is beyond the 90-day horizon; section 5 pins a day in
# December, when it is not.
TODAY=2026-06-15
d() { date -u -d "$TODAY $1" +%Y-%m-%d; }
compact() { echo "$1" | tr -d -; }
conf() {   # conf ZONE EVENT_TIME
	L_ALICE=$(d '-20 days')         # 2w: due 6 days ago, overdue: on today
	L_BOB=$(d '-10 days')           # 3w: due in 11 days
	L_CAROL=$(d '-10 days')         # paused: not in the feed
	L_DAN=$(d '-30 days')           # yearly: beyond the 90-day horizon
	BOB_DUE=$(d "-10 days + 21 days")
	L_MET=$(d '-2 days')            # the thank-you email is written below
	cat >"$FOLLOWUPD_CONFIG" <<CONF
[followupd]
me = Jane Doe <jane@example.org>
timezone = $1

[calendar]
event_time = $2
block = fri 16:00 60m

[group:clients]
cadence = 2w

[contact:alice]
name = Alice Smith
email = alice@example.com
group = clients
reason = Ask how the rollout went
last = $L_ALICE

[contact:bob]
name = Bob Jones
email = bob@example.com
cadence = 3w
last = $L_BOB

[contact:carol]
email = carol@example.com
cadence = 1w
last = $L_CAROL
paused = yes

[contact:dan]
email = dan@example.com
cadence = yearly
last = $L_DAN

[contact:frank]
email = frank@example.com
met = $L_MET 14:00

[contact:erin]
email = erin@example.com
cadence = yearly
last = $L_DAN
birthday = 02-29
CONF
}

# 1. Timed events in Europe/Berlin.
conf Europe/Berlin "09:00 30m"
expect 0 log frank --via email --date "$TODAY"   # done: the thank-you email after the meeting
expect 0 feed --date "$TODAY"
cp "$T/out" "$T/feed.ics"
"$ICALCHECK" "$T/feed.ics" >"$T/check" || fail "libical: $(cat "$T/check")"
$ICS feed "$T/feed.ics" >"$T/lines" || fail "python3-icalendar could not read the feed"
has "$T/lines" "NAME=Follow-ups"
has "$T/lines" "X-WR-CALNAME=Follow-ups"
has "$T/lines" "REFRESH-INTERVAL;VALUE=DURATION=PT1H"
has "$T/lines" "X-PUBLISHED-TTL=PT1H"
has "$T/lines" "VTIMEZONE=Europe/Berlin"
! grep -q freeassociation "$T/feed.ics" || fail "libical's TZID prefix leaked into the feed"
has "$T/lines" "EVENT cadence.alice.$(compact "$L_ALICE")@example.org|${TODAY}T09:00|Europe/Berlin|Follow up: Alice Smith||clients|alarm"
has "$T/lines" "EVENT cadence.bob.$(compact "$L_BOB")@example.org|${BOB_DUE}T09:00|Europe/Berlin|Follow up: Bob Jones|||alarm"
! grep -q 'carol' "$T/lines" || fail "a paused contact is in the feed"
! grep -q 'cadence.dan' "$T/lines" || fail "an item beyond the horizon is in the feed"
has "$T/lines" "EVENT birthday.erin@example.org|2000-02-29|date|Birthday: erin|BYMONTH=2;BYMONTHDAY=-1;FREQ=YEARLY||"
grep -q "^EVENT block@example.org|.*T16:00|Europe/Berlin|Follow-up hour|BYDAY=FR;FREQ=WEEKLY||alarm" "$T/lines" ||
    fail "no weekly block: $(grep block "$T/lines")"
grep -A3 '^DESCRIPTION:Who to reach out to' "$T/feed.ics" | tr -d '\r\n ' | grep -q 'AliceSmith' ||
    fail "the block does not list Alice"
has "$T/lines" "EVENT meeting-card.frank.$(compact "$L_MET")@example.org|${TODAY}T09:00|Europe/Berlin|Follow up: frank (handwritten card)"
! grep -q 'meeting-email.frank' "$T/lines" || fail "a done thank-you email is in the feed"
[ "$(grep -c '^EVENT' "$T/lines")" = 5 ] || fail "expected 5 events: $(cat "$T/lines")"
# The zone's rules as a client reads them from the VTIMEZONE.
$ICS offsets "$T/feed.ics" 2027-01-15T09:00 2027-07-01T09:00 2027-03-28T01:30 2027-03-28T03:30 >"$T/off"
has "$T/off" "2027-01-15T09:00 +0100"
has "$T/off" "2027-07-01T09:00 +0200"
has "$T/off" "2027-03-28T01:30 +0100"
has "$T/off" "2027-03-28T03:30 +0200"
# Same day, same state: the same bytes (DTSTAMP is the start of the day).
expect 0 feed --date "$TODAY"
cmp -s "$T/out" "$T/feed.ics" || fail "two builds of the same feed differ"

# 2. America/New_York, all-day events.
conf America/New_York all-day
expect 0 feed --date "$TODAY"
cp "$T/out" "$T/ny.ics"
"$ICALCHECK" "$T/ny.ics" >"$T/check" || fail "libical: $(cat "$T/check")"
$ICS feed "$T/ny.ics" >"$T/lines" || fail "python3-icalendar could not read the feed"
has "$T/lines" "VTIMEZONE=America/New_York"
has "$T/lines" "EVENT cadence.alice.$(compact "$L_ALICE")@example.org|$TODAY|date|Follow up: Alice Smith||clients|"
has "$T/lines" "EVENT cadence.bob.$(compact "$L_BOB")@example.org|$BOB_DUE|date|Follow up: Bob Jones|||"
$ICS offsets "$T/ny.ics" 2027-01-15T09:00 2027-07-01T09:00 >"$T/off"
has "$T/off" "2027-01-15T09:00 -0500"
has "$T/off" "2027-07-01T09:00 -0400"

# 3. UTC: no VTIMEZONE, times in UTC.
conf UTC "09:00 30m"
expect 0 feed --date "$TODAY"
$ICS feed "$T/out" >"$T/lines" || fail "python3-icalendar could not read the UTC feed"
! grep -q '^VTIMEZONE' "$T/lines" || fail "a VTIMEZONE for UTC"
has "$T/lines" "EVENT cadence.alice.$(compact "$L_ALICE")@example.org|${TODAY}T09:00|UTC|"

# 4. -o: written atomically, and only when it changes.
conf Europe/Berlin "09:00 30m"
expect 0 feed --date "$TODAY" -o "$T/cal.ics"
cmp -s "$T/cal.ics" "$T/feed.ics" || fail "-o wrote something else than stdout"
before=$(stat -c '%i %Y' "$T/cal.ics")
sleep 1.1
expect 0 -v feed --date "$TODAY" -o "$T/cal.ics"
has "$T/err" "unchanged"
[ "$(stat -c '%i %Y' "$T/cal.ics")" = "$before" ] || fail "an unchanged feed was rewritten"
sed -i 's/^reason = Ask how the rollout went/reason = Ask about the pilot/' "$FOLLOWUPD_CONFIG"
expect 0 feed --date "$TODAY" -o "$T/cal.ics"
has "$T/cal.ics" "Ask about the pilot"
[ "$(stat -c '%i' "$T/cal.ics")" != "${before% *}" ] || fail "the new feed did not replace the file by rename"
[ -z "$(ls "$T" | grep 'cal.ics.tmp')" ] || fail "a temporary file was left behind"
expect 73 feed --date "$TODAY" -o "$T/no/such/dir/cal.ics"
has "$T/err" "cannot create $T/no/such/dir/cal.ics"
# 5. In winter erin's card (birthday 02-29, card_lead 5d) is inside the
# horizon: on 28 February in a common year, on the 29th in a leap year.
TODAY=2026-12-15
conf Europe/Berlin "09:00 30m"
expect 0 feed --date "$TODAY"
$ICS feed "$T/out" >"$T/lines" || fail "python3-icalendar could not read the winter feed"
grep -q '^EVENT birthday.erin.20270228@example.org|2027-02-23T09:00|Europe/Berlin|' "$T/lines" ||
    fail "no card for erin 5 days before 28 Feb 2027: $(grep erin "$T/lines")"
# Alice, Bob, the block, erin's birthday and card, and frank's thank-you
# email and card: the meeting moved with TODAY and the email logged in
# June is before it.
[ "$(grep -c '^EVENT' "$T/lines")" = 7 ] || fail "expected 7 events on $TODAY: $(cat "$T/lines")"
has "$T/lines" "EVENT meeting-email.frank.$(compact "$L_MET")@example.org|${TODAY}T09:00|"
TODAY=2027-12-15
conf Europe/Berlin "09:00 30m"
expect 0 feed --date "$TODAY"
$ICS feed "$T/out" >"$T/lines" || fail "python3-icalendar could not read the leap-year feed"
grep -q '^EVENT birthday.erin.20280229@example.org|2028-02-24T09:00|Europe/Berlin|' "$T/lines" ||
    fail "no card for erin 5 days before 29 Feb 2028: $(grep erin "$T/lines")"

# 6. A date that is not one, and --date with --serve, are usage errors.
expect 64 feed --date 2026-02-30
has "$T/err" "--date: '2026-02-30' is not a date"
expect 64 feed --serve --date "$TODAY"
has "$T/err" "usage: followupd feed [--date YYYY-MM-DD]"

done_tests
