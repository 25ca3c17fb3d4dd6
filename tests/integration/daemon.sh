#!/bin/sh
# followupd run against a real Dovecot and a real SMTP server, as systemd
# would run it: NOTIFY_SOCKET names a datagram socket this test reads
# (tests/integration/notifysock.py), WATCHDOG_USEC is set and stderr is the
# "journal" (JOURNAL_STREAM names it). READY=1 comes after the login; the
# first scan of 3000 messages shows in STATUS; the catch-up digest goes
# out once, after it; a message appended to Sent changes the
# state, the feed file and the served feed within 5 s; so does a `snooze`
# run from another process; SIGHUP with a broken file keeps the old
# configuration and says FILE:LINE; SIGHUP with a good one adds a contact;
# WATCHDOG=1 keeps coming; SIGTERM ends it with 0 within 5 s, STOPPING=1
# sent, the state intact. With the IMAP server down it is READY all the
# same, and its STATUS says since when and when it retries.
. "$SRCDIR/tests/integration/lib.sh"

/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || it_skip "python3-aiosmtpd is not installed"
command -v curl >/dev/null 2>&1 || it_skip "curl is not installed"
command -v sqlite3 >/dev/null 2>&1 || it_skip "sqlite3 is not installed"
it_certs >/dev/null
it_dovecot_start
D_PID=
trap '[ -n "$D_PID" ] && kill -9 "$D_PID" 2>/dev/null
for p in "$IT"/*/pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; it_cleanup' EXIT
it_smtpd mx "$IT/tls/good.pem" "$IT/tls/good.key"
MX=$PORT
HTTP=$(it_free_port)
d() { date -u -d "$1" +%Y-%m-%d; }
STATE="$XDG_STATE_HOME/followupd"
DB="$STATE/followupd.db"
q() { sqlite3 "$DB" "$1"; }
write_config() {
	it_config \
	    '[contact:alice]' 'name = Alice Smith' 'email = alice@example.com' 'cadence = 2w' \
	    "last = $(d '20 days ago')" '' \
	    '[contact:bob]' 'name = Bob Jones' 'email = bob@example.net' 'cadence = 1m' \
	    "last = $(d '40 days ago')" '' "$@"
	# The digest's time has come: the daemon sends it when it starts.
	it_config_set digest_time 00:00
	it_smtp_config "$MX"
	cat >>"$FOLLOWUPD_CONFIG" <<CONF

[calendar]
listen = 127.0.0.1:$HTTP
invites = no
CONF
}
write_config
expect 0 check
# A Sent folder large enough for the first scan to report its progress.
imapctl status Sent >/dev/null || fail "no Sent folder"
"$IT_PYTHON" "$IT_SRC/gen_sent.py" maildir "$IT/mail/jane/Maildir/.Sent" 3000 5
chown -R dovecot:dovecot "$IT/mail"

# ---- start, as systemd would ---------------------------------------------------
N="$IT/notify"
/usr/bin/python3 "$IT_SRC/notifysock.py" "$IT/notify.sock" "$N" 2>"$IT/notify.err" &
echo $! >"$IT/notifysock.pid"
mkdir -p "$IT/ns" && mv "$IT/notifysock.pid" "$IT/ns/pid"
nready() { [ -f "$N.ready" ]; }
wait_for 10 nready || fail "notifysock did not start: $(cat "$IT/notify.err")"
notified() { grep -q " $1\$" "$N" 2>/dev/null; }
count() { grep -c " $1\$" "$N" 2>/dev/null || true; }
: >"$IT/daemon.log"
JS=$(stat -c '%d:%i' "$IT/daemon.log")
start=$(date +%s)
NOTIFY_SOCKET="$IT/notify.sock" WATCHDOG_USEC=2000000 JOURNAL_STREAM=$JS \
    "$FOLLOWUPD" run 2>>"$IT/daemon.log" >/dev/null &
D_PID=$!
wait_for 20 notified READY=1 || fail "no READY=1: $(cat "$IT/daemon.log")"
echo "# READY=1 after $(($(date +%s) - start)) s"
# Under the journal every line has a priority and no "followupd: ".
grep -qv '^<[0-7]>' "$IT/daemon.log" && fail "a log line without <N>: $(grep -v '^<[0-7]>' "$IT/daemon.log" | head -3)"
grep -q '^<[0-7]>followupd: ' "$IT/daemon.log" && fail "followupd: repeated under the journal"
has "$IT/daemon.log" "<5>started: 2 contacts, 1 IMAP account"
scanning() { grep -q 'STATUS=imap jane: scanning Sent [0-9]*/3000$' "$N"; }
wait_for 10 scanning || fail "no STATUS while scanning: $(grep STATUS "$N")"
idle() { grep -q 'STATUS=idle; next digest ' "$N"; }
wait_for 10 idle || fail "no idle STATUS: $(grep STATUS "$N")"

# The catch-up digest (00:00 has passed), once.
digests() { grep -l '^Subject: Follow-ups' "$IT"/mx/mail/*.eml 2>/dev/null | wc -l; }
one_digest() { [ "$(digests)" -ge 1 ]; }
wait_for 20 one_digest || fail "no digest: $(cat "$IT/daemon.log")"
# The send's thread records it and reports back to the loop, which logs
# it, just after the mail arrived: the line says the job is over.
logged_digest() { grep -q 'Sent the digest for' "$IT/daemon.log"; }
wait_for 20 logged_digest || fail "the digest was sent but not logged: $(cat "$IT/daemon.log")"
[ "$(q "SELECT state FROM digests WHERE day = '$(d today)'")" = sent ] ||
    fail "the digest is not recorded as sent"
# ... after the first scan: it is about what the Sent folder says.
scan_line=$(grep -n '"Sent": 3000 new messages' "$IT/daemon.log" | cut -d: -f1)
digest_line=$(grep -n 'Sent the digest for' "$IT/daemon.log" | cut -d: -f1)
[ -n "$scan_line" ] && [ -n "$digest_line" ] && [ "$scan_line" -lt "$digest_line" ] ||
    fail "the digest did not wait for the first scan: $(cat "$IT/daemon.log")"

# The feed: file and server.
FEED="$STATE/followups.ics"
TOKEN=$(cat "$STATE/feed.token")
secret "$TOKEN"
URL="http://127.0.0.1:$HTTP/$TOKEN/followups.ics"
served_has() { curl -sf "$URL" | grep -q "$1"; }
file_has() { grep -q "$1" "$FEED"; }
# when NAME: the date of NAME's event in the feed file and as served,
# read by python3-icalendar: "FILE-DATE SERVED-DATE".
when() {
	curl -sf -o "$IT/served.ics" "$URL"
	for f in "$FEED" "$IT/served.ics"; do
		/usr/bin/python3 "$SRCDIR/tests/cal/ics.py" feed "$f" |
		    awk -F'|' -v n="$1" '$4 ~ n { print substr($2, 1, 10); exit }'
	done | tr '\n' ' ' | sed 's/ $//'
}
TODAY=$(d today)
[ "$(when 'Alice Smith')" = "$TODAY $TODAY" ] || fail "Alice is not on today: $(when 'Alice Smith')"

# ---- a message to Alice appended to Sent: state and feed within 5 s -------------
printf 'From: Jane <jane@example.org>\r\nTo: Alice Smith <alice@example.com>\r\nDate: %s\r\nMessage-ID: <run-1@example.org>\r\nSubject: lunch\r\n\r\nHi\r\n' \
    "$(date -u -R)" >"$IT/m1.eml"
t0=$(date +%s.%N)
imapctl append Sent "$IT/m1.eml" >/dev/null || fail "append"
touched() { [ "$(q "SELECT count(*) FROM touches WHERE key = 'run-1@example.org'")" = 1 ]; }
wait_for 5 touched || fail "the message to Alice was not recorded within 5 s"
IN2W=$(d '14 days')
alice_moved() { [ "$(when 'Alice Smith')" = "$IN2W $IN2W" ]; }
if wait_for 5 alice_moved; then
	echo "# Sent -> state -> feed in $(echo "$(date +%s.%N) - $t0" | bc) s"
else
	fail "Alice's event is on $(when 'Alice Smith') 5 s after the message to her, want $IN2W"
fi
[ "$(when 'Bob Jones')" = "$TODAY $TODAY" ] || fail "Bob is not on today: $(when 'Bob Jones')"

# ---- a change made by another command ------------------------------------------
expect 0 snooze bob 2w
bob_moved() { [ "$(when 'Bob Jones')" = "$IN2W $IN2W" ]; }
wait_for 5 bob_moved || fail "Bob's event is on $(when 'Bob Jones') 5 s after the snooze, want $IN2W"

# ---- SIGHUP with a broken file: the old one stays ---------------------------------
cp "$FOLLOWUPD_CONFIG" "$IT/good.conf"
printf '\n[contact:carol]\nemail = carol@example.org\ncadence = sometimes\n' >>"$FOLLOWUPD_CONFIG"
BAD_LINE=$(grep -n '^cadence = sometimes' "$FOLLOWUPD_CONFIG" | cut -d: -f1)
rel=$(count RELOADING=1)
kill -HUP "$D_PID"
reloaded_bad() { grep -q "not reloaded" "$IT/daemon.log"; }
wait_for 5 reloaded_bad || fail "no word of the broken file: $(tail -5 "$IT/daemon.log")"
has "$IT/daemon.log" "<3>$FOLLOWUPD_CONFIG:$BAD_LINE: "
kill -0 "$D_PID" 2>/dev/null || fail "the daemon died on a broken configuration"
[ "$(count RELOADING=1)" -gt "$rel" ] || fail "no RELOADING=1"
served_has 'Bob Jones' || fail "the feed stopped after a broken reload"

# ---- SIGHUP with a good file: Carol comes in ---------------------------------------
cp "$IT/good.conf" "$FOLLOWUPD_CONFIG"
printf '\n[contact:carol]\nname = Carol King\nemail = carol@example.org\ncadence = 2w\nlast = %s\n' \
    "$(d '30 days ago')" >>"$FOLLOWUPD_CONFIG"
ready_before=$(count READY=1)
kill -HUP "$D_PID"
carol() { served_has 'Carol King' && file_has 'Carol King'; }
wait_for 5 carol || fail "Carol is not in the feed 5 s after SIGHUP: $(tail -5 "$IT/daemon.log")"
has "$IT/daemon.log" "reloaded: 3 contacts"
[ "$(count READY=1)" -gt "$ready_before" ] || fail "no READY=1 after the reload"
[ "$(digests)" = 1 ] || fail "$(digests) digests after the reloads, want 1"

# ---- the watchdog -----------------------------------------------------------------
w0=$(count WATCHDOG=1)
sleep 3
w1=$(count WATCHDOG=1)
[ "$((w1 - w0))" -ge 2 ] || fail "WATCHDOG=1 $((w1 - w0)) times in 3 s with WATCHDOG_USEC=2 s"

# ---- SIGTERM --------------------------------------------------------------------------
t0=$(date +%s.%N)
kill -TERM "$D_PID"
gone() { ! kill -0 "$D_PID" 2>/dev/null; }
wait_for 5 gone || fail "still running 5 s after SIGTERM"
wait "$D_PID"
rc=$?
D_PID=
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM, want 0"
echo "# stopped $(echo "$(date +%s.%N) - $t0" | bc) s after SIGTERM"
notified STOPPING=1 || fail "no STOPPING=1"
[ "$(q 'PRAGMA integrity_check')" = ok ] || fail "integrity_check after SIGTERM"
cat "$IT/daemon.log" >>"${FOLLOWUPD_TRANSCRIPTS:-/dev/null}/daemon.sh.txt" 2>/dev/null || true

# ---- the IMAP server down: READY all the same, and a STATUS saying so -----------------
it_dovecot_stop
: >"$N"
: >"$IT/down.log"
NOTIFY_SOCKET="$IT/notify.sock" "$FOLLOWUPD" run 2>"$IT/down.log" >/dev/null &
D_PID=$!
wait_for 10 notified READY=1 || fail "no READY=1 with the server down: $(cat "$IT/down.log")"
down_status() { grep -q 'STATUS=imap jane: unreachable since [0-9][0-9]:[0-9][0-9], retrying in [0-9]*s; next digest' "$N"; }
wait_for 5 down_status || fail "STATUS with the server down: $(grep STATUS "$N")"
has "$IT/down.log" "followupd: imap "
kill -TERM "$D_PID"
wait "$D_PID" || fail "exit status $? after SIGTERM with the server down"
D_PID=
cat "$IT/down.log" >>"${FOLLOWUPD_TRANSCRIPTS:-/dev/null}/daemon.sh.txt" 2>/dev/null || true
done_tests
