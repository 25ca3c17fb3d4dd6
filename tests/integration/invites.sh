#!/bin/sh
# iMIP invites end to end through a real SMTP server (aiosmtpd, STARTTLS,
# AUTH, generated CA): a REQUEST when an item is due, a REQUEST with a
# higher SEQUENCE when a snooze moves it, a CANCEL with the same UID and a
# higher SEQUENCE when it is resolved; each one parsed by python3-icalendar
# and the email package (RFC 6047 layout) and checked by libical's RFC 5546
# restrictions; an invite the server did not take is sent by the next run;
# SIGKILL while sending loses none and never gives one two Message-IDs.
. "$SRCDIR/tests/integration/lib.sh"

/usr/bin/python3 -c 'import aiosmtpd, icalendar' 2>/dev/null ||
    it_skip "python3-aiosmtpd or python3-icalendar is not installed"
it_certs >/dev/null
trap 'for p in "$IT"/*/pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; it_cleanup' EXIT
it_smtpd mx "$IT/tls/good.pem" "$IT/tls/good.key"
MX=$PORT
d() { TZ=Europe/Berlin date -d "$1" +%Y-%m-%d; }   # the configured zone
TODAY=$(d today)
IN3=$(d '3 days')
LAST=$(d '14 days ago')
DB="$XDG_STATE_HOME/followupd/followupd.db"
(umask 077; printf '%s\n' "$IT_PASS" >"$IT/smtp.pass")
cat >"$FOLLOWUPD_CONFIG" <<CONF
[followupd]
me = Jane Doe <jane@example.org>
timezone = Europe/Berlin
send_empty_digest = yes

[smtp]
url = smtp://127.0.0.1:$MX
user = jane
password_file = $IT/smtp.pass
ca_file = $IT/tls/ca.pem

[calendar]
event_time = 09:00 30m

[contact:alice]
name = Alice Smith
email = alice@example.com
cadence = 2w
last = $LAST

[contact:bob]
email = bob@example.com
cadence = 3w
last = $(d '2 days ago')
CONF
UID_A="cadence.alice.$(echo "$LAST" | tr -d -)@example.org"
# invites: the mails that carry a calendar, read back, one line each:
# METHOD|UID|SEQUENCE|DTSTART|TZID|SUMMARY|Message-ID
invites() {
	: >"$T/invites"
	for f in "$IT"/mx/mail/*.eml; do
		[ -f "$f" ] && grep -q '^Content-Type: multipart/mixed' "$f" || continue
		/usr/bin/python3 "$SRCDIR/tests/cal/ics.py" mail "$f" >>"$T/invites" ||
		    fail "$f is not a well-formed invite"
		"$ICALCHECK" "${f%.eml}.ics" >"$T/check" || fail "libical on $f: $(cat "$T/check")"
	done
}
count() { grep -c "$1" "$T/invites"; }

# 1. Alice is due today: the digest and one REQUEST, SEQUENCE 0, today 09:00.
expect 0 digest
has "$T/out" "Sent the invite REQUEST $UID_A for $TODAY (sequence 0)"
invites
has "$T/invites" "REQUEST|$UID_A|0|${TODAY}T09:00|Europe/Berlin|Follow up: Alice Smith|"
[ "$(wc -l <"$T/invites")" = 1 ] || fail "expected one invite: $(cat "$T/invites")"
f=$(grep -l '^Content-Type: multipart/mixed' "$IT"/mx/mail/*.eml)
grep -q '^To: "Jane Doe" <jane@example.org>' "$f" || fail "the invite is not to me: $(grep '^To:' "$f")"
# Again: nothing new.
expect 0 digest
has "$T/out" "already sent"
! grep -q "Sent the invite" "$T/out" || fail "the same invite went out twice"

# 2. A snooze moves it: REQUEST, same UID, SEQUENCE 1, three days on.
expect 0 snooze alice 3d
expect 0 digest
invites
has "$T/invites" "REQUEST|$UID_A|1|${IN3}T09:00|Europe/Berlin|"

# 3. Resolved before that day: CANCEL, same UID, SEQUENCE 2.
expect 0 log alice --via call
expect 0 digest
invites
has "$T/invites" "CANCEL|$UID_A|2|${IN3}T09:00|Europe/Berlin|"
[ "$(count "|$UID_A|")" = 3 ] || fail "alice's invites: $(cat "$T/invites")"
expect 0 digest
invites
[ "$(wc -l <"$T/invites")" = 3 ] || fail "a run with nothing new sent invites"

# 4. The server is down: the invite stays pending, and the next run sends it.
sed -i "s/^last = $(d '2 days ago')/last = $(d '21 days ago')/" "$FOLLOWUPD_CONFIG"
UID_B="cadence.bob.$(d '21 days ago' | tr -d -)@example.org"
sed -i "s|^url = smtp://127.0.0.1:$MX|url = smtp://127.0.0.1:$(it_free_port)|" "$FOLLOWUPD_CONFIG"
expect 75 digest
[ "$(sqlite3 "$DB" "SELECT state FROM invites WHERE uid = '$UID_B'")" = pending ] ||
    fail "the unsent invite is not pending"
sed -i "s|^url = smtp://127.0.0.1:.*|url = smtp://127.0.0.1:$MX|" "$FOLLOWUPD_CONFIG"
expect 0 digest
invites
has "$T/invites" "REQUEST|$UID_B|0|${TODAY}T09:00|"
[ "$(sqlite3 "$DB" "SELECT state FROM invites WHERE uid = '$UID_B'")" = sent ] ||
    fail "the invite is not recorded as sent"

# 5. SIGKILL at random points of sending a CANCEL and three REQUESTs, $IT_KILLS (50) times.
expect 0 log bob
for who in carol dave erin; do
	printf '%s\n' "" "[contact:$who]" "email = $who@example.com" "cadence = 1w" \
	    "last = $(d '8 days ago')" >>"$FOLLOWUPD_CONFIG"
done
echo "slow 0.3" >"$IT/mx/mode"
i=0
while [ "$i" -lt "$IT_KILLS" ]; do
	"$FOLLOWUPD" digest >/dev/null 2>&1 &
	p=$!
	sleep "0.$(awk -v s="$i" 'BEGIN { srand(s); printf "%02d", int(rand() * 90) }')"
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	i=$((i + 1))
done
echo ok >"$IT/mx/mode"
expect 0 digest
sqlite3 "$DB" "PRAGMA integrity_check" | grep -qx ok || fail "the state is damaged"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM invites WHERE state = 'pending'")" = 0 ] ||
    fail "invites still pending after a clean run"
invites
# Every (UID, SEQUENCE) arrived, each with one Message-ID only.
cut -d'|' -f2,3 "$T/invites" | sort -u >"$T/keys"
cut -d'|' -f2,3,7 "$T/invites" | sort -u | cut -d'|' -f1,2 | uniq -d >"$T/dups"
[ ! -s "$T/dups" ] || fail "an invite went out with two Message-IDs: $(cat "$T/dups")"
for uid in $(sqlite3 "$DB" "SELECT uid || '|' || sequence FROM invites WHERE state = 'sent'"); do
	grep -qxF "$uid" "$T/keys" || fail "recorded as sent but never arrived: $uid"
done
# 6. A refused invite (550) is given up, not retried on every run.
printf '%s\n' "" "[contact:fay]" "email = fay@example.com" "cadence = 1w" \
    "last = $(d '8 days ago')" >>"$FOLLOWUPD_CONFIG"
echo 550 >"$IT/mx/mode"
expect 69 digest
has "$T/err" "invite cadence.fay."
[ "$(sqlite3 "$DB" "SELECT state FROM invites WHERE contact = 'fay'")" = failed ] ||
    fail "a refused invite is $(sqlite3 "$DB" "SELECT state FROM invites WHERE contact = 'fay'")"
echo ok >"$IT/mx/mode"
expect 0 digest
! grep -q "Sent the invite" "$T/out" || fail "a refused invite was sent again: $(cat "$T/out")"
cat "$T/invites" | sed 's/^/# /'
echo "# $(wc -l <"$T/invites") invite mails for $(wc -l <"$T/keys") invites after 15 kills"
done_tests
