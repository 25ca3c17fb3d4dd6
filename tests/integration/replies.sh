#!/bin/sh
# Email-driven control against a real Dovecot and a real SMTP server: a
# digest goes out through aiosmtpd; a reply to it (multipart, the text part
# quoted-printable in ISO-8859-1, with the digest quoted below an
# attribution) is appended to Sent; `sync` fetches that one body and
# applies its commands: the state and the next digest show them, and the
# line not understood; the same reply seen again changes nothing; an
# HTML-only reply works too. A check-back tag in Bcc opens check-backs for
# the other recipients, a later message resolves one; `suggest` proposes a
# frequent correspondent. Not applied: a reply naming a digest that was
# never sent, and commands under a quoted header block; a reply of 3,000
# lines is read up to its 50th, and the digest lists 40 of them.
. "$SRCDIR/tests/integration/lib.sh"

/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || it_skip "python3-aiosmtpd is not installed"
it_certs >/dev/null
it_dovecot_start
trap 'for p in "$IT"/*/pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; it_cleanup' EXIT
it_smtpd mx "$IT/tls/good.pem" "$IT/tls/good.key"
d() { date -u -d "$1" +%Y-%m-%d; }
TODAY=$(d today)
DB="$XDG_STATE_HOME/followupd/followupd.db"
q() { sqlite3 "$DB" "$1"; }
mails() { ls "$IT/$1/mail" 2>/dev/null | wc -l; }
it_config \
    '[contact:alice]' 'name = Alice Smith' 'email = alice@example.com' 'cadence = 2w' \
    "last = $(d '20 days ago')" '' \
    '[contact:bob]' "name = Bob O'Brien" 'email = bob@obrien.example' 'cadence = 1m' \
    "last = $(d '40 days ago')" '' \
    '[contact:zoe]' 'name = Zoë Ångström' 'email = zoe@example.se' 'cadence = 3m' \
    "last = $(d '100 days ago')"
it_smtp_config "$PORT"
cat >>"$FOLLOWUPD_CONFIG" <<CONF

[calendar]
invites = no
CONF
imapctl status Sent >/dev/null || fail "no Sent folder"

# 1. The digest, through the real server.
expect 0 digest
DIGEST=$(grep -l '^Content-Type: multipart/alternative' "$IT"/mx/mail/*.eml | head -1)
DIGEST_ID=$(sed -n 's/^Message-ID: *//p' "$DIGEST" | tr -d '\r')
case $DIGEST_ID in "<followupd.digest.$TODAY."*) ;; *) fail "digest Message-ID: $DIGEST_ID" ;; esac

# 2. A reply from a mail program: text (QP, Latin-1) and HTML, digest quoted.
/usr/bin/python3 - "$IT/reply1.eml" "$DIGEST_ID" <<'PY'
import sys, email.message, email.policy, email.utils
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
path, digest_id = sys.argv[1], sys.argv[2]
text = ("called alice\n"
        "snooze bob 2w\n"
        "note Zoë likes Zürich in spring\n"
        "Thanks for the reminders!\n"
        "\n"
        "On Mon, 23 Nov 2026 at 07:30, Jane Doe <jane@example.org> wrote:\n"
        "> Follow-ups for today\n"
        "> done bob\n")
m = MIMEMultipart("alternative")
plain = MIMEText(text, "plain", "iso-8859-1")   # quoted-printable
del plain["Content-Transfer-Encoding"]
plain.set_payload(None)
import quopri
plain.set_payload(quopri.encodestring(text.encode("iso-8859-1")).decode("ascii"))
plain["Content-Transfer-Encoding"] = "quoted-printable"
m.attach(plain)
m.attach(MIMEText("<div>called alice</div><blockquote>done bob</blockquote>", "html", "utf-8"))
m["From"] = "Jane Doe <jane@example.org>"
m["To"] = "Jane Doe <jane@example.org>"
m["Subject"] = "Re: Follow-ups"
m["Date"] = email.utils.formatdate(localtime=False)
m["Message-ID"] = "<reply-1@example.org>"
m["In-Reply-To"] = digest_id
m["References"] = digest_id
open(path, "wb").write(m.as_bytes())
PY
imapctl append Sent "$IT/reply1.eml" || fail "append"
expect 0 sync
has "$T/out" "1 reply to the digest (3 commands applied, 1 line not understood)"
[ "$(q "SELECT count(*) FROM touches WHERE contact = 'alice' AND via = 'call' AND source = 'reply'")" = 1 ] ||
    fail "no call recorded for alice"
[ "$(q "SELECT snooze_until IS NOT NULL FROM contacts WHERE id = 'bob'")" = 1 ] || fail "bob not snoozed"
[ "$(q "SELECT text FROM notes WHERE contact = 'zoe'")" = "likes Zürich in spring" ] ||
    fail "zoe's note: $(q "SELECT text FROM notes")"
q "SELECT line || ' | ' || applied FROM reply_lines ORDER BY id" >"$T/lines"
has "$T/lines" "called alice | 1"
has "$T/lines" "Thanks for the reminders! | 0"
! grep -q "done bob" "$T/lines" || fail "a quoted line was applied"
expect 0 due --json
/usr/bin/python3 -c '
import json, sys
items = {i["id"]: i for i in json.load(open(sys.argv[1]))}
assert "alice" not in items, "alice is still listed: %r" % items.get("alice")
assert items["bob"]["status"] == "snoozed", items["bob"]
' "$T/out" || fail "due after the reply"

# 3. The next digest says what was applied and what was not understood.
expect 0 digest --dry-run --date "$(d tomorrow)"
/usr/bin/python3 - "$T/out" >"$T/text" <<'PY'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
print(m.get_body(("plain",)).get_content())
PY
has "$T/text" "Applied from your replies"
has "$T/text" '* "called alice": Alice Smith: done by call'
has "$T/text" "* \"snooze bob 2w\": Bob O'Brien: snoozed until $(d '2 weeks')"
has "$T/text" '? "Thanks for the reminders!": not understood: not a command'

# 4. The same reply again (a second copy in Sent): nothing changes.
before=$(q "SELECT (SELECT count(*) FROM touches) || '/' || (SELECT count(*) FROM reply_lines) || '/' || (SELECT count(*) FROM notes)")
imapctl append Sent "$IT/reply1.eml" || fail "append"
expect 0 sync
! grep -q "reply to the digest" "$T/out" || fail "the same reply was applied twice: $(cat "$T/out")"
[ "$(q "SELECT (SELECT count(*) FROM touches) || '/' || (SELECT count(*) FROM reply_lines) || '/' || (SELECT count(*) FROM notes)")" = "$before" ] ||
    fail "the second copy changed the state"

# 5. An HTML-only reply, as some phones send it.
/usr/bin/python3 - "$IT/reply2.eml" "$DIGEST_ID" <<'PY'
import sys, email.utils
from email.mime.text import MIMEText
m = MIMEText('<div dir="ltr">card zoe<br>pause bob until 2027-01-10<br>'
             'snooze alice 2020-01-01</div><br>'
             '<div class="gmail_quote"><div class="gmail_attr">On Mon, Jane Doe '
             '&lt;jane@example.org&gt; wrote:<br></div><blockquote>called alice</blockquote></div>',
             "html", "utf-8")
m["From"] = "jane@example.org"
m["To"] = "jane@example.org"
m["Subject"] = "Re: Follow-ups"
m["Date"] = email.utils.formatdate()
m["Message-ID"] = "<reply-2@example.org>"
m["References"] = "<other@example.org> " + sys.argv[2]
open(sys.argv[1], "wb").write(m.as_bytes())
PY
imapctl append Sent "$IT/reply2.eml" || fail "append"
expect 0 sync
has "$T/out" "1 reply to the digest (2 commands applied, 1 line not understood)"
[ "$(q "SELECT what FROM reply_lines WHERE line = 'snooze alice 2020-01-01'")" = "2020-01-01 is not after the day of the reply" ] ||
    fail "a snooze into the past: $(q "SELECT line, what FROM reply_lines")"
[ "$(q "SELECT count(*) FROM touches WHERE contact = 'zoe' AND via = 'card'")" = 1 ] || fail "no card for zoe"
[ "$(q "SELECT paused || ' ' || paused_until FROM contacts WHERE id = 'bob'")" != "0 " ] || fail "bob not paused"

# A reply from long ago (a first scan of an old mailbox) is not applied.
/usr/bin/python3 - "$IT/old.eml" "$DIGEST_ID" <<'PY'
import sys, email.utils, time
from email.mime.text import MIMEText
m = MIMEText("called zoe\n", "plain", "utf-8")
m["From"] = m["To"] = "jane@example.org"
m["Subject"] = "Re: Follow-ups"
m["Date"] = email.utils.formatdate(time.time() - 30 * 86400)
m["Message-ID"] = "<reply-old@example.org>"
m["In-Reply-To"] = sys.argv[2]
open(sys.argv[1], "wb").write(m.as_bytes())
PY
imapctl append Sent "$IT/old.eml" || fail "append"
calls=$(q "SELECT count(*) FROM touches WHERE contact = 'zoe' AND via = 'call'")
expect 0 sync
has "$T/err" "the reply <reply-old@example.org> is more than 14 days old: not applied"
[ "$(q "SELECT count(*) FROM touches WHERE contact = 'zoe' AND via = 'call'")" = "$calls" ] ||
    fail "an old reply was applied"

# 6. A check-back tag in Bcc: one check-back per other recipient.
/usr/bin/python3 - "$IT" <<'PY'
import sys, email.utils, time
from email.mime.text import MIMEText
def msg(name, to, bcc, subject, msgid, when):
    m = MIMEText("Hello", "plain", "utf-8")
    m["From"] = "jane@example.org"
    m["To"] = to
    if bcc:
        m["Bcc"] = bcc
    m["Subject"] = subject
    m["Date"] = email.utils.formatdate(when)
    m["Message-ID"] = msgid
    open("%s/%s.eml" % (sys.argv[1], name), "wb").write(m.as_bytes())
now = time.time()
msg("tag", "Carol <carol@other.example>, alice@example.com", "jane+fu-3d@example.org",
    "=?utf-8?q?Proposal_f=C3=BCr_Q1?=", "<tag-1@example.org>", now - 60)
msg("tagfri", "dan@other.example", "jane+fu-fri@example.org", "Invoice", "<tag-2@example.org>", now - 50)
msg("tagbad", "erin@other.example", "jane+fu-soon@example.org", "Hi", "<tag-3@example.org>", now - 40)
msg("later", "carol@other.example", None, "Re: Proposal", "<later-1@example.org>", now - 10)
# A subject that sets the terminal's title and colour when printed raw.
msg("tagesc", "eve@other.example", "jane+fu-3d@example.org",
    "=?utf-8?q?=1B]0;pwned=07=1B[31mred?=", "<tag-esc@example.org>", now - 30)
for i in range(4):
    msg("dave%d" % i, "dave@example.net", None, "Weekly %d" % i, "<dave-%d@example.org>" % i,
        now - (3 - i) * 14 * 86400)
PY
imapctl append Sent "$IT/tag.eml" "$IT/tagfri.eml" "$IT/tagbad.eml" || fail "append"
expect 0 sync
has "$T/out" "3 check-backs"
has "$T/err" "jane+fu-soon@example.org: not a check-back tag (+fu-2w, +fu-fri)"
expect 0 due --json --all
/usr/bin/python3 - "$T/out" "$(d '3 days')" <<'PY' || fail "check-backs in due: $(cat "$T/out")"
import json, sys, datetime
items = [i for i in json.load(open(sys.argv[1])) if i["kind"] == "checkback"]
by = {i["id"]: i for i in items}
assert set(by) == {"carol@other.example", "alice", "dan@other.example"}, by
assert by["carol@other.example"]["due"] == sys.argv[2], by
assert by["carol@other.example"]["reason"] is None or True
today = datetime.date.today()
fri = datetime.date.fromisoformat(by["dan@other.example"]["due"])
assert fri.weekday() == 4 and 1 <= (fri - today).days <= 7, fri
PY
# Named as the message named them; an address without a name stays one.
expect 0 due
grep "Proposal f" "$T/out" | grep -q "Carol " || fail "carol's check-back is not named Carol: $(cat "$T/out")"
grep "Invoice" "$T/out" | grep -q "dan@other.example" || fail "dan's check-back: $(cat "$T/out")"
expect 0 digest --dry-run
has "$T/out" "Proposal f"
# No escape sequence of a stranger's reaches the terminal or the feed,
# also from a state that an earlier version wrote raw.
imapctl append Sent "$IT/tagesc.eml" || fail "append"
expect 0 sync
q "INSERT INTO checkbacks (key, address, created_at, due, reason) VALUES ('<raw@x>', 'raw@other.example', 1, 1, 'raw $(printf '\033')[2J title')"
expect 0 due
has "$T/out" "?]0;pwned??[31mred"
has "$T/out" "raw ?[2J title"
expect 0 feed
has "$T/out" 'SUMMARY:Follow up: eve@other.example (?]0\;pwned??[31mred)'
! grep -q "$(printf '\033')" "$T/out" || fail "an escape sequence reached the feed"
expect 0 due
! grep -q "$(printf '\033')" "$T/out" || fail "an escape sequence reached due's output"
q "DELETE FROM checkbacks WHERE address IN ('raw@other.example', 'eve@other.example')"
# A later message to Carol answers her check-back; `done alice` answers Alice's.
imapctl append Sent "$IT/later.eml" || fail "append"
expect 0 sync
[ "$(q "SELECT address FROM checkbacks WHERE resolved_at IS NULL ORDER BY 1" | tr '\n' ' ')" = "alice@example.com dan@other.example " ] ||
    fail "open check-backs: $(q "SELECT address FROM checkbacks WHERE resolved_at IS NULL")"

# 7. Replies that must not be applied (issue: forged and quoted replies).
# The digest's Message-ID is keyed by this installation's secret, kept in
# the state: 20 hex digits, not a hash of the public address.
[ "$(q "SELECT length(value) FROM secrets WHERE name = 'digest'")" = 32 ] || fail "no digest key in the state"
case $DIGEST_ID in "<followupd.digest.$TODAY."[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]"@example.org>") ;;
	*) fail "the digest's Message-ID has no 20-digit tag: $DIGEST_ID" ;; esac
# What a stranger can do. The id that earlier versions gave a digest was
# a hash of the public address (FNV-1a), which anyone can compute.
FNV=$(/usr/bin/python3 -c '
h = 2166136261
for c in b"jane@example.org":
    h = ((h ^ c) * 16777619) & 0xffffffff
print("%08x" % h)')
FORGED="<followupd.digest.$(d '3 days ago').$FNV@example.org>"
# quoted_reply FILE FIRST_LINE MESSAGE_ID IN_REPLY_TO REFERENCES TO: Jane's
# reply with FIRST_LINE, then a stranger's message quoted under a German
# Outlook header block with two commands in it.
quoted_reply() {
	/usr/bin/python3 - "$@" <<'PY'
import sys, email.utils
from email.mime.text import MIMEText
path, first, msgid, parent, refs, to = sys.argv[1:7]
m = MIMEText(first + "\n\nVon: Mallory <m@evil.example>\nGesendet: Montag, 23. November 2026\n"
             "An: Jane Doe\nBetreff: Rechnung\n\ndone alice by call -- paid in full\n"
             "note bob owes nothing\n", "plain", "utf-8")
m["From"] = "jane@example.org"
m["To"] = to
m["Subject"] = "Re: Rechnung"
m["Date"] = email.utils.formatdate()
m["Message-ID"] = msgid
m["In-Reply-To"] = parent
m["References"] = refs
open(path, "wb").write(m.as_bytes())
PY
}
state() { q "SELECT (SELECT count(*) FROM touches WHERE source = 'reply') || '/' || (SELECT count(*) FROM notes) || '/' || (SELECT count(*) FROM reply_lines)"; }
# a. The stranger's message names the real digest in References (it can
# be copied from anywhere); Jane answers the stranger: not a reply to the
# digest, whose direct parent is the stranger's message.
quoted_reply "$IT/a.eml" "Danke!" "<reply-a@example.org>" "<invoice@evil.example>" \
    "$DIGEST_ID <invoice@evil.example>" "Mallory <m@evil.example>"
# b. A made-up digest id as the parent, addressed to Jane alone.
quoted_reply "$IT/b.eml" "Danke!" "<reply-b@example.org>" "$FORGED" "$FORGED" "jane@example.org"
# c. The real digest as the parent, but sent to the stranger as well.
quoted_reply "$IT/c.eml" "Danke!" "<reply-c@example.org>" "$DIGEST_ID" "$DIGEST_ID" \
    "jane@example.org, m@evil.example"
before=$(state)
imapctl append Sent "$IT/a.eml" "$IT/b.eml" "$IT/c.eml" || fail "append"
expect 0 sync
has "$T/err" "answers $FORGED, a digest that was never sent: not applied"
has "$T/err" "answers a digest but is addressed to others too: not read as a reply"
! grep -q "reply to the digest" "$T/out" || fail "a stranger's reply was applied: $(cat "$T/out")"
[ "$(state)" = "$before" ] ||
    fail "a stranger's commands changed the state: $(q "SELECT line FROM reply_lines ORDER BY id DESC LIMIT 3")"
# The same quoted block under a reply to the real digest: only Jane's own
# line above it is read.
quoted_reply "$IT/quoted.eml" "card alice" "<reply-quoted@example.org>" "$DIGEST_ID" \
    "$DIGEST_ID" "jane@example.org"
imapctl append Sent "$IT/quoted.eml" || fail "append"
expect 0 sync
has "$T/out" "1 reply to the digest (1 command applied, 0 lines not understood)"
[ "$(q "SELECT line FROM reply_lines WHERE message_id = 'reply-quoted@example.org'")" = "card alice" ] ||
    fail "lines read from the quoted reply: $(q "SELECT line FROM reply_lines WHERE message_id = 'reply-quoted@example.org'")"
[ "$(q "SELECT count(*) FROM notes WHERE text LIKE '%owes nothing%'")" = 0 ] || fail "a quoted note was applied"
[ "$(q "SELECT count(*) FROM touches WHERE note = 'paid in full'")" = 0 ] || fail "a quoted done was applied"

# 8. A reply of 3,000 lines (and an escape sequence): 50 are read, one line
# says how many more there were; the digest lists 40 lines and "and N
# more", and marks them all reported, so the next digest has none.
/usr/bin/python3 - "$IT/long.eml" "$DIGEST_ID" <<'PY'
import sys, email.utils
from email.mime.text import MIMEText
lines = ["\x1b]0;pwned\x07\x1b[31mred line"] + ["not a command %d" % i for i in range(2999)]
m = MIMEText("\n".join(lines) + "\n", "plain", "utf-8")
m["From"] = m["To"] = "jane@example.org"
m["Subject"] = "Re: Follow-ups"
m["Date"] = email.utils.formatdate()
m["Message-ID"] = "<reply-long@example.org>"
m["In-Reply-To"] = sys.argv[2]
open(sys.argv[1], "wb").write(m.as_bytes())
PY
q "UPDATE reply_lines SET digest = 'earlier' WHERE digest IS NULL"
imapctl append Sent "$IT/long.eml" || fail "append"
expect 0 sync
[ "$(q "SELECT count(*) FROM reply_lines WHERE message_id = 'reply-long@example.org'")" = 51 ] ||
    fail "lines kept of a 3,000-line reply: $(q "SELECT count(*) FROM reply_lines WHERE message_id = 'reply-long@example.org'")"
[ "$(q "SELECT line || ' | ' || what FROM reply_lines WHERE message_id = 'reply-long@example.org' ORDER BY id DESC LIMIT 1")" = "(2950 more lines) | not read: a reply is read up to its first 50 lines" ] ||
    fail "the last line: $(q "SELECT line, what FROM reply_lines ORDER BY id DESC LIMIT 1")"
q "SELECT line FROM reply_lines WHERE message_id = 'reply-long@example.org' ORDER BY id LIMIT 1" >"$T/first"
has "$T/first" "?]0;pwned??[31mred line"
! grep -q "$(printf '\033')" "$T/first" || fail "an escape sequence was stored"
n=$(mails mx)
expect 0 digest --force
[ "$(mails mx)" = $((n + 1)) ] || fail "the digest did not go out"
LAST=$(ls -t "$IT"/mx/mail/*.eml | head -1)
/usr/bin/python3 - "$LAST" >"$T/text" <<'PY'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
print(m.get_body(("plain",)).get_content())
PY
[ "$(grep -c '^  ? "' "$T/text")" = 40 ] || fail "lines listed: $(grep -c '^  ? "' "$T/text")"
has "$T/text" "and 11 more lines, not listed"
[ "$(q "SELECT count(*) FROM reply_lines WHERE digest IS NULL")" = 0 ] || fail "lines left unreported"
[ "$(wc -c <"$LAST")" -lt 100000 ] || fail "the digest is $(wc -c <"$LAST") bytes"

# 9. suggest: four messages to dave, two weeks apart.
imapctl append Sent "$IT"/dave0.eml "$IT"/dave1.eml "$IT"/dave2.eml "$IT"/dave3.eml || fail "append"
expect 0 sync
expect 0 suggest
has "$T/out" "[contact:dave]"
has "$T/out" "email = dave@example.net"
has "$T/out" "cadence = 2w"
! grep -q 'alice@example.com\|jane' "$T/out" || fail "suggested a contact or me: $(cat "$T/out")"
# ... and the first digest of the week shows it; another day's does not.
expect 0 digest --dry-run --date "$(d 'next monday')"
has "$T/out" "People you write to often"
has "$T/out" "dave@example.net: every 2 weeks (4 messages since"
expect 0 digest --dry-run --date "$(d 'next tuesday')"
! grep -q "People you write to often" "$T/out" || fail "suggestions on a Tuesday"
done_tests
