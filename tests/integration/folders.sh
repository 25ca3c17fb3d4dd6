#!/bin/sh
# Finding the Sent folder (SPECIAL-USE first, then the usual names, or
# sent_folder), polling where the server has no IDLE, two accounts watched
# at once, AUTHENTICATE PLAIN, a broken recipient logged by UID, and the
# progress display on a terminal and off it. All against a real Dovecot.
. "$SRCDIR/tests/integration/lib.sh"

it_certs >/dev/null
DB="$XDG_STATE_HOME/followupd/followupd.db"
mail() {   # mail FILE TO ID: a sent message
	printf 'To: %s\r\nDate: Mon, 16 Nov 2026 10:00:00 +0000\r\nMessage-ID: <%s@example.org>\r\nSubject: hi\r\n\r\nHi\r\n' "$2" "$3" >"$1"
}
count() { sqlite3 "$DB" "SELECT count(*) FROM touches WHERE $1"; }

# ---- 1. SPECIAL-USE wins over the names: \Sent is on "Outbox" --------------
it_dovecot_start 'namespace inbox {' '  mailbox Sent {' '    special_use =' '  }' \
    '  mailbox Outbox {' '    special_use = \Sent' '    auto = subscribe' '  }' '}'
it_config '[contact:alice]' 'email = alice@example.com'
mail "$IT/a.eml" "Alice <alice@example.com>" out-1
imapctl append Outbox "$IT/a.eml" >/dev/null || fail "append to Outbox"
mail "$IT/b.eml" "Alice <alice@example.com>" sent-1
imapctl append Sent "$IT/b.eml" >/dev/null || fail "append to Sent"
expect 0 sync
has "$T/out" "imap jane: Outbox: 1 new message, 1 follow-up recorded"
[ "$(count "key = 'out-1@example.org'")" = 1 ] || fail "the Outbox message was not recorded"

# ---- 2. no SPECIAL-USE at all: the usual names, in order --------------------
it_dovecot_stop
it_dovecot_write_conf 'namespace inbox {' '  mailbox Sent {' '    special_use =' '    auto = no' '  }' '}'
it_dovecot_start
imapctl delete Outbox >/dev/null || fail "delete Outbox"
imapctl delete Sent >/dev/null 2>&1
imapctl create "Sent Items" >/dev/null || fail "create Sent Items"
imapctl append "Sent Items" "$IT/a.eml" >/dev/null
expect 0 sync
has "$T/out" "imap jane: Sent Items: 1 new message"
# sent_folder names it outright.
imapctl create Archive >/dev/null
mail "$IT/c.eml" "alice@example.com" arch-1
imapctl append Archive "$IT/c.eml" >/dev/null
sed -i '/^ca_file = /a sent_folder = Archive' "$FOLLOWUPD_CONFIG"
expect 0 sync
has "$T/out" "imap jane: Archive: 1 new message, 1 follow-up recorded"
# Nothing that looks like Sent: a clear error.
sed -i '/^sent_folder = /d' "$FOLLOWUPD_CONFIG"
imapctl delete "Sent Items" >/dev/null || fail "delete Sent Items"
expect 69 sync
has "$T/err" "imap jane: no Sent folder found"
has "$T/err" "set sent_folder"

# ---- 3. a server without IDLE: polling --------------------------------------
it_dovecot_stop
it_dovecot_write_conf 'imap_capability = IMAP4rev1 LITERAL+ SASL-IR ID ENABLE UIDPLUS SPECIAL-USE NAMESPACE'
it_dovecot_start
sed -i '/^ca_file = /a poll_interval = 10s' "$FOLLOWUPD_CONFIG"
"$FOLLOWUPD" -v sync --watch >"$IT/poll.out" 2>"$IT/poll.err" &
P=$!
polling() { grep -q 'watching "Sent" (polling)' "$IT/poll.err"; }
wait_for 15 polling || fail "not polling: $(cat "$IT/poll.err")"
mail "$IT/d.eml" "alice@example.com" poll-1
imapctl append Sent "$IT/d.eml" >/dev/null
polled() { [ "$(count "key = 'poll-1@example.org'")" = 1 ]; }
wait_for 15 polled || fail "a message was not found by polling within 15 s"
kill -TERM "$P"; wait "$P"

# ---- 4. two accounts at once, AUTHENTICATE PLAIN ------------------------------
it_dovecot_stop
it_dovecot_write_conf
it_dovecot_start
imapctl create Home >/dev/null
cat >"$FOLLOWUPD_CONFIG" <<CONF
[followupd]
me = Jane <jane@example.org>
timezone = UTC
[imap:work]
url = imaps://127.0.0.1:$IT_IMAPS_PORT
user = jane
password_file = $IT/imap.pass
ca_file = $IT/tls/ca.pem
auth = plain
[imap:home]
url = imap://localhost:$IT_IMAP_PORT
user = jane
password_file = $IT/imap.pass
ca_file = $IT/tls/ca.pem
sent_folder = Home
[contact:bob]
email = bob@example.com
[contact:carol]
email = carol@example.com
CONF
it_dovecot_log_mark
"$FOLLOWUPD" -v sync --watch >"$IT/two.out" 2>"$IT/two.err" &
P=$!
both() { [ "$(grep -c 'watching ".*" (IDLE)' "$IT/two.err")" = 2 ]; }
wait_for 15 both || fail "not both accounts watched: $(cat "$IT/two.err")"
it_dovecot_log_has "method=PLAIN" || fail "the work account did not use AUTHENTICATE PLAIN"
mail "$IT/e.eml" "bob@example.com" work-1
mail "$IT/f.eml" "carol@example.com" home-1
imapctl append Sent "$IT/e.eml" >/dev/null
imapctl append Home "$IT/f.eml" >/dev/null
got_both() { [ "$(count "key = 'work-1@example.org' AND account = 'work'")" = 1 ] &&
    [ "$(count "key = 'home-1@example.org' AND account = 'home'")" = 1 ]; }
wait_for 5 got_both || fail "the two accounts' messages were not both recorded"
kill -TERM "$P"; wait "$P"
has "$IT/two.out" "imap work: Sent: 1 new message, 1 follow-up recorded"
has "$IT/two.out" "imap home: Home: 1 new message, 1 follow-up recorded"

# ---- 5. a broken recipient is logged by UID; the others count -----------------
printf 'To: Phillip K Allen/HOU/ECT@ECT, "Carol" <carol@example.com>\r\nCc: <>\r\nDate: Mon, 16 Nov 2026 11:00:00 +0000\r\nMessage-ID: <broken-1@example.org>\r\n\r\nx\r\n' >"$IT/g.eml"
imapctl append Home "$IT/g.eml" >/dev/null
expect 0 sync
has "$T/err" "imap home: UID 2: 2 recipients skipped: "
has "$T/out" "imap home: Home: 1 new message, 1 follow-up recorded"

# ---- 6. progress: a bar on a terminal, lines otherwise ------------------------
for i in $(seq 1 30); do mail "$IT/m$i.eml" "bob@example.com" "p-$i"; done
imapctl append Sent $(for i in $(seq 1 30); do echo "$IT/m$i.eml"; done) >/dev/null
total=$(imapctl status Sent | sed 's/.*messages //')
[ "$total" -gt 30 ] || fail "Sent has $total messages"
"$FOLLOWUPD" sync --rescan --progress >"$IT/prog.out" 2>"$IT/prog.err" || fail "sync --progress"
has "$IT/prog.err" "imap work: 0/$total messages (0/s)"
has "$IT/prog.err" "imap work: $total/$total messages ("
! grep -q "$(printf '\r')" "$IT/prog.err" || fail "a carriage return in progress lines off a terminal"
if command -v script >/dev/null; then
	script -qec "$FOLLOWUPD sync --rescan --progress" /dev/null >"$IT/tty.out" 2>&1 ||
	    fail "sync --progress on a terminal"
	grep -q "$(printf '\r')imap work: \[##############################\] $total/$total messages, " "$IT/tty.out" ||
	    fail "no progress bar on a terminal: $(tr '\r' '|' <"$IT/tty.out")"
fi

done_tests
