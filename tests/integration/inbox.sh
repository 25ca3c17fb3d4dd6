#!/bin/sh
# Replies from the inbox (issue 21), against a real Dovecot: messages are
# APPENDed to Sent and INBOX in the orders that matter, every one with a
# Date header at a fixed instant of November 2026 (Europe/Berlin, CET), and
# `due`, `digest` and `feed` are asked about fixed dates, so that nothing
# depends on the day the test runs.
#   1. sent, no reply: no item two days on, `noreply` on the day of the
#      nudge (due), overdue after it, none 30 days later; `log` ends it;
#      the digest's "No reply yet" with a mailto: that replies in-thread,
#      and the feed;
#   2. a reply before the nudge is due: no item on any day;
#   3. a reply after it is due: the item on its due day (also once the
#      reply is read: it is dated after that day), gone on the reply's;
#   4. a reply from another address of the same contact ends it;
#   5. a reply APPENDed while `followupd run` watches (polling set to an
#      hour, so only IDLE on the inbox can see it) ends it within seconds;
#   6. check-backs answered, by a contact (from another of its addresses)
#      and by a non-contact; a message from one of them dated before the
#      tagged message ends nothing; the digest's "Answered";
#   7. waiting on you: a contact with answer_within = 2d, `waiting` two
#      days after their message, in the digest and the feed, gone once the
#      user writes to them;
#   8. `inbox = none` reads no reply (the items stay); `inbox = Replies`
#      reads that folder and not INBOX;
#   9. received mail never changes a contact's last_contact;
#  10. a contact's own nudge overrides the global one, `nudge = off` on a
#      group silences its members, and a member's own nudge wins over it;
#      a second message to the same person replaces the first.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/timing.sh"

# ---- expected texts not settled yet (FORMAT-TBD): adjust them here --------------
FMT_SYNC_INBOX='INBOX: '             # sync's line about the inbox names its folder...
FMT_SYNC_FROM_CONTACTS='from contacts'   # ... and says how many came from contacts
FMT_SYNC_ANSWERED='2 check-backs answered'   # ... and how many check-backs ended
FMT_SYNC_OTHER='Replies: '           # the same line for `inbox = Replies`
FMT_SEC_NOREPLY='No reply yet'       # the digest's sections (text part): a line
FMT_SEC_WAITING='Waiting on you'     # that starts with this, items indented
FMT_SEC_ANSWERED='Answered'          #   below it
FMT_WROTE_BACK='wrote back on %s'    # %s: the local date of their message
FMT_FEED_NOREPLY='%s'                # %s: the subject; in the SUMMARY or the
FMT_FEED_WAITING='%s'                #   DESCRIPTION of one VEVENT of the feed
FMT_WATCH_INBOX='watching "INBOX" (IDLE)'   # `run -v` once it IDLEs on the inbox

it_certs >/dev/null
it_dovecot_start
D_PID=
trap '[ -n "$D_PID" ] && kill "$D_PID" 2>/dev/null; it_cleanup' EXIT

# ---- the configuration ------------------------------------------------------------
it_config \
    '[group:quiet]' 'nudge = off' '' \
    '[contact:alice]' 'name = Alice Smith' 'email = alice@example.com' '' \
    '[contact:bob]' 'name = Bob Stone' 'email = bob@example.com' '' \
    '[contact:carol]' 'name = Carol White' 'email = carol@example.com' 'cadence = 1y' '' \
    '[contact:dave]' 'name = Dave Jones' 'email = dave@example.net, d.jones@home.example' '' \
    '[contact:erin]' 'name = Erin Blake' 'email = erin@example.com' '' \
    '[contact:frank]' 'name = Frank Moss' 'email = frank@example.com, frank@lab.example' '' \
    '[contact:gina]' 'name = Gina Park' 'email = gina@example.com' 'cadence = 1y' \
    'answer_within = 2d' '' \
    '[contact:hank]' 'name = Hank Olsen' 'email = hank@example.com' 'nudge = 5d' '' \
    '[contact:ivy]' 'name = Ivy Chen' 'email = ivy@example.com' 'group = quiet' '' \
    '[contact:jack]' 'name = Jack Hill' 'email = jack@example.com' 'group = quiet' \
    'nudge = 2d' '' \
    '[contact:kate]' 'name = Kate Noor' 'email = kate@example.com'
sed -i 's|^timezone = UTC$|timezone = Europe/Berlin|' "$FOLLOWUPD_CONFIG"
it_config_set nudge 3d
it_config_set digest_time off
it_config_set digest_limit 50
# only IDLE can see a message appended while the daemon runs
sed -i '/^ca_file = /a poll_interval = 1h' "$FOLLOWUPD_CONFIG"
expect 0 check
imapctl status Sent >/dev/null || fail "no Sent folder"
imapctl status INBOX >/dev/null || fail "no INBOX"

# ---- helpers ------------------------------------------------------------------------
mkdir -p "$IT/msg"
# rfcdate "YYYY-MM-DD HH:MM[ ZONE]": an RFC 5322 date, in Berlin time unless ZONE
rfcdate() { TZ=Europe/Berlin date -R -d "$1"; }
# mail FILE FROM TO DATE MESSAGE-ID SUBJECT [IN-REPLY-TO] [BCC]
mail() {
	{
		printf 'From: %s\r\nTo: %s\r\n' "$2" "$3"
		[ -n "${8:-}" ] && printf 'Bcc: %s\r\n' "$8"
		printf 'Date: %s\r\nMessage-ID: <%s>\r\nSubject: %s\r\n' "$(rfcdate "$4")" "$5" "$6"
		[ -n "${7:-}" ] && printf 'In-Reply-To: <%s>\r\nReferences: <%s>\r\n' "$7" "$7"
		printf 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello.\r\n'
	} >"$1"
}
# sent ID DATE TO SUBJECT [IN-REPLY-TO] [BCC]: jane's message <ID@example.org>
# in Sent
sent() {
	mail "$IT/msg/$1.eml" 'Jane <jane@example.org>' "$3" "$2" "$1@example.org" "$4" \
	    "${5:-}" "${6:-}"
	imapctl append Sent "$IT/msg/$1.eml" || fail "append $1 to Sent"
}
# recv ID DATE FROM SUBJECT [IN-REPLY-TO] [FOLDER]: a message
# <ID@mail.example> to jane, in FOLDER (INBOX)
recv() {
	mail "$IT/msg/$1.eml" "$3" 'Jane <jane@example.org>' "$2" "$1@mail.example" "$4" \
	    "${5:-}"
	imapctl append "${6:-INBOX}" "$IT/msg/$1.eml" || fail "append $1 to ${6:-INBOX}"
}

cat >"$IT/q.py" <<'PY'
import email, email.policy, json, re, sys

def load_json(path):
    text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    try:
        items = json.loads(text)
    except ValueError as e:
        sys.exit("not JSON (%s): %r" % (e, text[:300]))
    if not isinstance(items, list):
        sys.exit("not a JSON array: %r" % text[:300])
    return items

def text_part(path):
    m = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
    body = m.get_body(("plain",))
    if body is None:
        sys.exit("no text/plain part")
    return body.get_content()

def blocks(text, heading):
    """The items of the section whose heading line starts with heading: a
    list of texts, one per "* " line and the indented lines after it."""
    out, inside = [], False
    for line in text.splitlines():
        if not inside:
            inside = line.startswith(heading)
            continue
        if line.strip() == "":
            continue
        if not line[0].isspace():
            break
        if line.lstrip().startswith(("* ", "- ")) or not out:
            out.append(line)
        else:
            out[-1] += "\n" + line
    return out

def vevents(path):
    text = open(path, encoding="utf-8").read().replace("\r\n", "\n")
    text = re.sub(r"\n[ \t]", "", text)
    events, cur = [], None
    for line in text.split("\n"):
        if line == "BEGIN:VEVENT":
            cur = {}
        elif line == "END:VEVENT" and cur is not None:
            events.append(cur)
            cur = None
        elif cur is not None and ":" in line:
            name, value = line.split(":", 1)
            name = name.split(";", 1)[0].upper()
            value = re.sub(r"\\([\\;,])", r"\1", value).replace("\\n", "\n").replace("\\N", "\n")
            cur[name] = cur.get(name, "") + value
    return events

cmd = sys.argv[1]
if cmd == "item":            # item FILE KIND ID: "STATUS DUE TITLE", one a match
    for i in load_json(sys.argv[2]):
        if i.get("kind") == sys.argv[3] and i.get("id") == sys.argv[4]:
            print("%s %s %s" % (i.get("status"), i.get("due"), i.get("title")))
elif cmd == "last":          # last FILE ID: last_contact of ID's cadence item
    for i in load_json(sys.argv[2]):
        if i.get("kind") == "cadence" and i.get("id") == sys.argv[3]:
            print(i.get("last_contact") or "null")
elif cmd == "text":          # text FILE: the digest's text part
    sys.stdout.write(text_part(sys.argv[2]))
elif cmd == "section":       # section FILE HEADING NEEDLE...: an item has them all
    text = open(sys.argv[2], encoding="utf-8").read()
    found = blocks(text, sys.argv[3])
    if any(all(n in b for n in sys.argv[4:]) for b in found):
        sys.exit(0)
    print("\n".join(found) if found else "(no section %r)" % sys.argv[3])
    sys.exit(1)
elif cmd == "feed":          # feed FILE NEEDLE: in a VEVENT's SUMMARY or DESCRIPTION
    events = vevents(sys.argv[2])
    if any(sys.argv[3] in e.get("SUMMARY", "") + "\n" + e.get("DESCRIPTION", "")
           for e in events):
        sys.exit(0)
    print("; ".join(e.get("SUMMARY", "?") for e in events) or "(no VEVENT)")
    sys.exit(1)
else:
    sys.exit("q.py: " + cmd)
PY
q() { "$IT_PYTHON" "$IT/q.py" "$@"; }

# due_json DATE [--all]: `due --json` for DATE in $T/due.json
due_json() {
	expect 0 due --json ${2:+"$2"} --date "$1"
	cp "$T/out" "$T/due.json"
}
# item DATE KIND ID [--all]: the items of KIND for ID on DATE, as
# "STATUS DUE TITLE" in $ITEM (empty: none)
item() {
	due_json "$1" "${4:-}"
	ITEM=$(q item "$T/due.json" "$2" "$3") || fail "due --json --date $1: $ITEM"
}
# is DATE KIND ID "STATUS DUE TITLE" [--all]: that one item
is() {
	item "$1" "$2" "$3" "${5:-}"
	[ "$ITEM" = "$4" ] ||
	    fail "$1: the $2 item of $3 is '$ITEM', want '$4'"
}
# none DATE KIND ID [--all]: no such item
none() {
	item "$1" "$2" "$3" "${4:-}"
	[ -z "$ITEM" ] || fail "$1: $3 has a $2 item: '$ITEM'"
}
# last_is DATE ID WANT: the last_contact of ID's cadence item (--all)
last_is() {
	due_json "$1" --all
	got=$(q last "$T/due.json" "$2")
	[ "$got" = "$3" ] || fail "$1: the last_contact of $2 is '$got', want '$3'"
}
# digest DATE: the text part of `digest --dry-run --date DATE` in $T/digest
digest() {
	expect 0 digest --dry-run --date "$1"
	q text "$T/out" >"$T/digest" || fail "digest --date $1: no text part"
}
# in_section HEADING NEEDLE...: an item of that section of $T/digest has them all
in_section() {
	out=$(q section "$T/digest" "$@") ||
	    fail "the digest's section '$1' has no item with: $(shift; printf '[%s] ' "$@"); it has: $out"
}
# not_in_section HEADING NEEDLE: no item of that section has it
not_in_section() {
	! q section "$T/digest" "$@" >/dev/null || fail "the digest's section '$1' lists $2"
}
# in_feed DATE TEXT: a VEVENT of `feed --date DATE` mentions TEXT
in_feed() {
	expect 0 feed --date "$1"
	cp "$T/out" "$T/feed.ics"
	out=$(q feed "$T/feed.ics" "$2") || fail "feed --date $1: no VEVENT mentions '$2'; its SUMMARYs: $out"
}
# synced_line A B: a line of sync's stdout has both
synced_line() {
	grep -F -- "$1" "$T/out" | grep -qF -- "$2" ||
	    fail "sync says nothing with '$1' and '$2': $(cat "$T/out")"
}

# ---- A. what was sent, and the first replies ------------------------------------------------
# (1) alice: at 23:30 UTC, 00:30 on Nov 3 in Berlin: due on Nov 6 there
sent s-alice '2026-11-02 23:30 UTC' 'Alice Smith <alice@example.com>' 'Proposal for Q1'
# (2) bob answers the next day
sent s-bob '2026-11-02 10:00' 'Bob Stone <bob@example.com>' 'Lunch next week?'
recv r-bob '2026-11-03 09:00' 'Bob Stone <bob@example.com>' 'Re: Lunch next week?' s-bob@example.org
# (3) carol, (4) dave, (5) erin: their answers come later
sent s-carol '2026-11-02 10:00' 'Carol White <carol@example.com>' 'Contract draft'
sent s-dave '2026-11-02 10:00' 'Dave Jones <dave@example.net>' 'Invoice 1042'
sent s-erin '2026-11-02 10:00' 'Erin Blake <erin@example.com>' 'Workshop dates'
# (6) a check-back on a contact and two non-contacts; ross wrote the day
# before (that ends nothing)
sent s-tag '2026-11-02 10:00' \
    'Frank Moss <frank@example.com>, Quinn Lee <quinn@other.example>, Ross Kim <ross@other.example>' \
    'Draft agenda' '' 'jane+fu-2w@example.org'
recv r-ross '2026-11-01 18:00' 'Ross Kim <ross@other.example>' 'Agenda ideas'
# (7) gina asks; nobody's answered yet
recv r-gina '2026-11-02 10:00' 'Gina Park <gina@example.com>' 'Question about pricing'
# (10) hank's own 5d; ivy's group is silent; jack's own 2d wins over it;
# kate gets a second message, which replaces the first
sent s-hank '2026-11-02 10:00' 'hank@example.com' 'Quarterly numbers'
sent s-ivy '2026-11-02 10:00' 'ivy@example.com' 'Holiday plans'
sent s-jack '2026-11-02 10:00' 'jack@example.com' 'Slides'
sent s-kate1 '2026-11-02 10:00' 'kate@example.com' 'Intro to Sam'
sent s-kate2 '2026-11-04 09:00' 'kate@example.com' 'Following up on the intro'
# a stranger's newsletter
recv r-zed '2026-11-03 08:00' 'Zed News <zed@other.example>' 'Newsletter'

expect 0 sync
cp "$T/out" "$IT/sync1.out"
synced_line "$FMT_SYNC_INBOX" "$FMT_SYNC_FROM_CONTACTS"

# (1) no reply yet: nothing two days on, due on the day, overdue after, none
# 30 days later
none 2026-11-05 noreply alice
is 2026-11-06 noreply alice 'due 2026-11-06 Proposal for Q1'
is 2026-11-07 noreply alice 'overdue 2026-11-06 Proposal for Q1'
is 2026-11-10 noreply alice 'overdue 2026-11-06 Proposal for Q1'
none 2026-12-10 noreply alice --all
# (2) bob answered before the nudge: never an item
for day in 2026-11-04 2026-11-05 2026-11-06 2026-11-10; do
	none "$day" noreply bob --all
done
# (3), (4), (5) before their answers
is 2026-11-05 noreply carol 'due 2026-11-05 Contract draft'
is 2026-11-05 noreply dave 'due 2026-11-05 Invoice 1042'
is 2026-11-07 noreply erin 'overdue 2026-11-05 Workshop dates'
# (6) the check-backs, due two weeks on
for who in frank quinn@other.example ross@other.example; do
	item 2026-11-10 checkback "$who" --all
	case $ITEM in
	*' 2026-11-16 Draft agenda') ;;
	*) fail "the check-back of $who: '$ITEM', want one due 2026-11-16 'Draft agenda'" ;;
	esac
done
# (7) waiting on you: two days after gina's message
none 2026-11-03 waiting gina
is 2026-11-04 waiting gina 'due 2026-11-04 Question about pricing'
is 2026-11-06 waiting gina 'overdue 2026-11-04 Question about pricing'
# (9) what gina sent is no contact of jane's
last_is 2026-11-04 gina null
last_is 2026-11-05 carol 2026-11-02T09:00:00Z
# (10) nudges per contact and group
none 2026-11-05 noreply hank
is 2026-11-07 noreply hank 'due 2026-11-07 Quarterly numbers'
for day in 2026-11-05 2026-11-10; do
	none "$day" noreply ivy --all
done
is 2026-11-04 noreply jack 'due 2026-11-04 Slides'
none 2026-11-05 noreply kate
is 2026-11-07 noreply kate 'due 2026-11-07 Following up on the intro'
# nobody wrote to zed: no item of any kind for them
due_json 2026-11-10 --all
! grep -q 'zed@other.example' "$T/due.json" || fail "an item for a stranger who wrote: $(cat "$T/due.json")"

# The digest: "No reply yet" and "Waiting on you", each with a mailto: that
# answers in the thread.
digest 2026-11-06
cp "$T/digest" "$IT/digest-1106.txt"
in_section "$FMT_SEC_NOREPLY" 'Alice Smith' '"Proposal for Q1"'
in_section "$FMT_SEC_NOREPLY" 'Alice Smith' 'mailto:alice@example.com?' 'In-Reply-To=%3Cs-alice'
in_section "$FMT_SEC_NOREPLY" 'Carol White' '"Contract draft"'
in_section "$FMT_SEC_WAITING" 'Gina Park' '"Question about pricing"'
in_section "$FMT_SEC_WAITING" 'Gina Park' 'mailto:gina@example.com?' 'In-Reply-To=%3Cr-gina'
not_in_section "$FMT_SEC_NOREPLY" 'Bob Stone'
not_in_section "$FMT_SEC_NOREPLY" 'Ivy Chen'
# ... and the feed
# shellcheck disable=SC2059
in_feed 2026-11-06 "$(printf "$FMT_FEED_NOREPLY" 'Proposal for Q1')"
# shellcheck disable=SC2059
in_feed 2026-11-04 "$(printf "$FMT_FEED_WAITING" 'Question about pricing')"

# (1) a follow-up logged by hand ends alice's
expect 0 log alice --date 2026-11-09 --via call
none 2026-11-10 noreply alice --all

# ---- B. answers after the nudge, to the check-back, and jane's answer --------------------
# (3) carol on Nov 8; (4) dave from his other address on Nov 6
recv r-carol '2026-11-08 15:00' 'Carol White <carol@example.com>' 'Re: Contract draft' s-carol@example.org
recv r-dave '2026-11-06 11:00' 'Dave Jones <d.jones@home.example>' 'Re: Invoice 1042' s-dave@example.org
# (6) frank from his lab address at 23:30 UTC, Nov 5 in Berlin; quinn on Nov 6
recv r-frank '2026-11-04 23:30 UTC' 'Frank Moss <frank@lab.example>' 'Re: Draft agenda' s-tag@example.org
recv r-quinn '2026-11-06 09:00' 'Quinn Lee <quinn@other.example>' 'Re: Draft agenda'
# (7) jane answers gina
sent s-gina '2026-11-05 09:00' 'Gina Park <gina@example.com>' 'Re: Question about pricing' r-gina@mail.example

expect 0 sync
cp "$T/out" "$IT/sync2.out"
synced_line "$FMT_SYNC_INBOX" "$FMT_SYNC_FROM_CONTACTS"
has "$T/out" "$FMT_SYNC_ANSWERED"

# (3) due on its day still (the answer is dated after it), gone on the answer's
is 2026-11-05 noreply carol 'due 2026-11-05 Contract draft'
is 2026-11-07 noreply carol 'overdue 2026-11-05 Contract draft'
none 2026-11-08 noreply carol --all
none 2026-11-12 noreply carol --all
# (9) her answer is not jane's follow-up
last_is 2026-11-08 carol 2026-11-02T09:00:00Z
# (4) the other address counts
is 2026-11-05 noreply dave 'due 2026-11-05 Invoice 1042'
none 2026-11-06 noreply dave --all
# (6) frank's and quinn's check-backs ended, ross's did not
for who in frank quinn@other.example; do
	none 2026-11-10 checkback "$who" --all
done
item 2026-11-10 checkback ross@other.example --all
[ -n "$ITEM" ] || fail "ross's check-back ended on a message dated before it"
digest 2026-11-10
cp "$T/digest" "$IT/digest-1110.txt"
# shellcheck disable=SC2059
in_section "$FMT_SEC_ANSWERED" 'Frank Moss' "$(printf "$FMT_WROTE_BACK" 2026-11-05)"
# shellcheck disable=SC2059
in_section "$FMT_SEC_ANSWERED" 'Quinn Lee' "$(printf "$FMT_WROTE_BACK" 2026-11-06)"
not_in_section "$FMT_SEC_ANSWERED" 'Ross Kim'
# (7) jane wrote back: gina waits no more, and that is her last contact
none 2026-11-06 waiting gina --all
last_is 2026-11-06 gina 2026-11-05T08:00:00Z

# ---- C. (5) an answer while the daemon watches ---------------------------------------------
: >"$IT/daemon.log"
"$FOLLOWUPD" -v run 2>>"$IT/daemon.log" >/dev/null &
D_PID=$!
watching() { grep -qF -- "$FMT_WATCH_INBOX" "$IT/daemon.log"; }
wait_for "$(slow 20)" watching ||
    fail "the daemon does not watch the inbox: $(tail -5 "$IT/daemon.log")"
sleep 1
is 2026-11-07 noreply erin 'overdue 2026-11-05 Workshop dates'
start=$(now)
recv r-erin '2026-11-07 10:00' 'Erin Blake <erin@example.com>' 'Re: Workshop dates' s-erin@example.org
erin_answered() {
	got=$("$FOLLOWUPD" due --json --date 2026-11-07 2>/dev/null | q item - noreply erin) &&
	    [ -z "$got" ]
}
# until_in SECONDS COMMAND...: COMMAND polled until it succeeds, for at most
# SECONDS of wall-clock time (one call of followupd under valgrind takes seconds)
until_in() {
	until_end=$(($(date +%s) + $1)); shift
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -lt "$until_end" ] || return 1
		sleep 0.1
	done
}
if until_in "$(slow 10)" erin_answered; then
	echo "# an answer appended while watching ended the item after $(since "$start") s"
else
	fail "an answer appended while the daemon watched was not read within $(slow 10) s: $(tail -5 "$IT/daemon.log")"
fi
kill -TERM "$D_PID"
stopped() { ! it_running "$D_PID"; }
wait_for "$(slow 5)" stopped || fail "the daemon did not end on SIGTERM"
wait "$D_PID"
got=$?
D_PID=
[ "$got" -eq 0 ] || fail "the daemon exited $got on SIGTERM: $(tail -5 "$IT/daemon.log")"
none 2026-11-07 noreply erin --all

# ---- D. (8) inbox = none, and another folder ---------------------------------------------------
# each in a state of its own, from the same mailbox
BASE_CONF=$FOLLOWUPD_CONFIG
# alt NAME INBOX-LINE: a copy of the configuration with its own state and
# that line in [imap]
alt() {
	sed -e "s|^timezone = .*|&\\nstate_dir = $IT/state-$1|" \
	    -e "/^ca_file = /a $2" "$BASE_CONF" >"$IT/$1.conf"
	FOLLOWUPD_CONFIG=$IT/$1.conf
}
alt none 'inbox = none'
expect 0 sync
! grep -qF -- "$FMT_SYNC_INBOX" "$T/out" || fail "inbox = none: sync read INBOX: $(cat "$T/out")"
is 2026-11-05 noreply bob 'due 2026-11-05 Lunch next week?'
is 2026-11-08 noreply carol 'overdue 2026-11-05 Contract draft'
item 2026-11-10 checkback frank --all
[ -n "$ITEM" ] || fail "inbox = none: frank's check-back ended"
none 2026-11-04 waiting gina --all

imapctl create Replies || fail "create Replies"
recv r-alice '2026-11-04 12:00' 'Alice Smith <alice@example.com>' 'Re: Proposal for Q1' s-alice@example.org Replies
alt other 'inbox = Replies'
expect 0 sync
synced_line "$FMT_SYNC_OTHER" "$FMT_SYNC_FROM_CONTACTS"
none 2026-11-06 noreply alice --all
is 2026-11-05 noreply bob 'due 2026-11-05 Lunch next week?'
FOLLOWUPD_CONFIG=$BASE_CONF

done_tests
