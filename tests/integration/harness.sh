# The integration harness itself, without followupd: the Dovecot of lib.sh
# starts, serves the right certificate on each address, lets jane in and
# keeps her Sent folder across a restart.
. "$SRCDIR/tests/integration/lib.sh"

it_certs
it_dovecot_start

# LOGIN over imaps with the test CA; Sent is there, with SPECIAL-USE \Sent.
if command -v curl >/dev/null 2>&1; then
	curl -sS --max-time 20 --cacert "$IT/tls/ca.pem" \
	    --user "$IT_USER:$IT_PASS" "imaps://127.0.0.1:$IT_IMAPS_PORT/" \
	    >"$IT/list" 2>"$IT/list.err" || fail "curl LIST: $(cat "$IT/list.err")"
else
	imapctl list >"$IT/list" 2>"$IT/list.err" || fail "imapctl list: $(cat "$IT/list.err")"
fi
tr -d '\r' <"$IT/list" | grep -q '\\Sent.* "\{0,1\}Sent"\{0,1\}$' ||
    fail "no Sent with \\Sent in LIST: $(cat "$IT/list")"
grep -q 'INBOX' "$IT/list" || fail "no INBOX in LIST: $(cat "$IT/list")"
it_dovecot_log_wait "imap-login: Info: Login: user=<$IT_USER>, method=PLAIN" ||
    fail "the log lacks jane's login: $(cat "$IT/dovecot.log")"

# tls_ok ADDRESS PORT [s_client options]: does the handshake verify?
tls_ok() {
	a=$1 p=$2; shift 2
	echo Q | openssl s_client -connect "$a:$p" -CAfile "$IT/tls/ca.pem" \
	    -verify_return_error "$@" >"$IT/s_client.out" 2>&1
}
tls_ok 127.0.0.1 "$IT_IMAPS_PORT" -verify_ip 127.0.0.1 ||
    fail "good certificate refused: $(cat "$IT/s_client.out")"
tls_ok 127.0.0.1 "$IT_IMAP_PORT" -starttls imap -verify_ip 127.0.0.1 ||
    fail "STARTTLS with the good certificate refused: $(cat "$IT/s_client.out")"
tls_ok 127.0.0.2 "$IT_IMAPS_PORT" &&
    fail "self-signed certificate accepted: $(cat "$IT/s_client.out")"
tls_ok 127.0.0.2 "$IT_IMAP_PORT" -starttls imap &&
    fail "self-signed certificate accepted after STARTTLS: $(cat "$IT/s_client.out")"
# the wrong-host certificate chains to the CA: only the name check fails
tls_ok 127.0.0.3 "$IT_IMAPS_PORT" ||
    fail "wrong-host certificate does not chain to the CA: $(cat "$IT/s_client.out")"
tls_ok 127.0.0.3 "$IT_IMAPS_PORT" -verify_ip 127.0.0.3 &&
    fail "wrong-host certificate accepted for 127.0.0.3: $(cat "$IT/s_client.out")"
tls_ok 127.0.0.3 "$IT_IMAPS_PORT" -verify_hostname imap.example.org ||
    fail "wrong-host certificate refused for its own name: $(cat "$IT/s_client.out")"
openssl x509 -in "$IT/tls/wrong.pem" -noout -text | grep -q 'DNS:imap.example.org' ||
    fail "wrong.pem is not for imap.example.org"

# CAPABILITY on each plain listener: STARTTLS everywhere but on 127.0.0.4.
it_dovecot_log_mark
for a in 127.0.0.1 127.0.0.2 127.0.0.3; do
	it_caps $a >"$IT/caps" || fail "CAPABILITY on $a failed"
	has "$IT/caps" STARTTLS
done
it_caps 127.0.0.4 >"$IT/caps" || fail "CAPABILITY on 127.0.0.4 failed"
has "$IT/caps" "IMAP4rev1"
grep -q STARTTLS "$IT/caps" && fail "127.0.0.4 offers STARTTLS: $(cat "$IT/caps")"
grep -q LOGINDISABLED "$IT/caps" && fail "127.0.0.4 disables LOGIN: $(cat "$IT/caps")"
# a connection that never tried to log in, as the log tells it
it_dovecot_log_wait "no auth attempts" ||
    fail "the log does not tell connections without a login: $(cat "$IT/dovecot.log")"
it_dovecot_log_has "lip=127.0.0.4" ||
    fail "the log does not tell the local address: $(cat "$IT/dovecot.log")"

# plain-text LOGIN works on 127.0.0.4 (so tests must check that ours does not)
imapctl --plain --host 127.0.0.4 list >/dev/null 2>"$IT/err" ||
    fail "plain LOGIN on 127.0.0.4 refused: $(cat "$IT/err")"
it_dovecot_log_wait "lip=127.0.0.4, mpid=" ||
    fail "no login logged on 127.0.0.4: $(cat "$IT/dovecot.log")"
imapctl --password wrong status Sent 2>"$IT/err" && fail "a wrong password was accepted"
has "$IT/err" "LOGIN"
it_dovecot_log_wait "Password mismatch" ||
    fail "the log does not tell a wrong password: $(cat "$IT/dovecot.log")"

# two messages into Sent; they survive a restart; recreate changes UIDVALIDITY
mkdir "$IT/msgs"
printf '%s\n' 'From: Jane <jane@example.org>' 'To: Bob <bob@example.com>' \
    'Subject: one' 'Date: Tue, 03 Nov 2020 10:00:00 +0100' \
    'Message-ID: <one@example.org>' '' 'Hello Bob.' >"$IT/msgs/1"
printf '%s\n' 'From: Jane <jane@example.org>' 'To: carol@example.net' \
    'Subject: two' 'Message-ID: <two@example.org>' '' 'No Date header.' >"$IT/msgs/2"
imapctl status Sent >"$IT/st0" 2>&1 || fail "status Sent: $(cat "$IT/st0")"
has "$IT/st0" "messages 0"
imapctl append Sent "$IT/msgs/1" "$IT/msgs/2" 2>"$IT/err" || fail "append: $(cat "$IT/err")"
imapctl status Sent >"$IT/st1" 2>&1 || fail "status Sent: $(cat "$IT/st1")"
has "$IT/st1" "uidnext 3 messages 2"
imapctl append --internaldate 1600000000 Sent "$IT/msgs/1" 2>"$IT/err" ||
    fail "append --internaldate: $(cat "$IT/err")"
imapctl internaldates Sent >"$IT/dates" 2>&1 || fail "internaldates: $(cat "$IT/dates")"
now=$(date +%s)
awk -v now="$now" '
	NR == 1 && $0 != "1 1604394000" { bad = 1 }  # the Date header
	NR == 2 && ($1 != 2 || $2 < now - 120 || $2 > now) { bad = 1 }  # no Date: now
	NR == 3 && $0 != "3 1600000000" { bad = 1 }  # --internaldate
	END { exit bad || NR != 3 }' "$IT/dates" ||
    fail "INTERNALDATEs: $(cat "$IT/dates")"
imapctl status NoSuchFolder >"$IT/out" 2>&1 && fail "status of a missing folder succeeded"
imapctl create Archive 2>"$IT/err" || fail "create: $(cat "$IT/err")"
imapctl status Archive >"$IT/out" 2>&1 || fail "status Archive: $(cat "$IT/out")"
imapctl delete Archive 2>"$IT/err" || fail "delete: $(cat "$IT/err")"
imapctl status Archive >"$IT/out" 2>&1 && fail "Archive still there after delete"

# expect_touches.py: +tags, domains, a duplicate Message-ID, bulk mail
printf '%s\n' 'To: BOB+news@Example.COM, dave@example.org' 'Subject: again' \
    'Message-ID: <one@example.org>' '' 'A copy of one.' >"$IT/msgs/3"
{
	printf '%s\n' 'Date: Wed, 04 Nov 2020 10:00:00 +0000' 'Message-ID: <four@example.org>'
	printf 'To: bob@example.com'
	for i in 1 2 3 4 5 6 7 8 9 10; do printf ', u%d@example.org' "$i"; done
	printf '\n\nbulk\n'
} >"$IT/msgs/4"
printf '%s\n' '[contact:bob]' 'email = bob@example.com ; comment' \
    '[contact:net]' 'email = "@example.net"' >"$IT/contacts.conf"
"$IT_PYTHON" "$IT_SRC/expect_touches.py" touches --internaldate 1600000000 \
    "$IT/contacts.conf" 10 "$IT/msgs/1" "$IT/msgs/2" "$IT/msgs/3" "$IT/msgs/4" \
    >"$IT/touches" 2>"$IT/err" || fail "expect_touches.py touches: $(cat "$IT/err")"
printf 'bob@example.com\t1604394000\ncarol@example.net\t1600000000\n' >"$IT/want"
cmp -s "$IT/want" "$IT/touches" || fail "expect_touches.py touches: $(cat "$IT/touches")"
"$IT_PYTHON" "$IT_SRC/expect_touches.py" touches "$IT/contacts.conf" 11 "$IT/msgs/4" \
    >"$IT/touches" 2>"$IT/err" || fail "expect_touches.py touches: $(cat "$IT/err")"
printf 'bob@example.com\t1604484000\n' >"$IT/want"
cmp -s "$IT/want" "$IT/touches" || fail "expect_touches.py, 11 recipients: $(cat "$IT/touches")"
"$IT_PYTHON" "$IT_SRC/expect_touches.py" contacts "$IT/msgs/4" >"$IT/contacts2.conf" 2>"$IT/err" ||
    fail "expect_touches.py contacts: $(cat "$IT/err")"
has "$IT/contacts2.conf" "email = u1@example.org"
has "$IT/contacts2.conf" "email = @example.org"
# the fragment makes a valid configuration (with FOLLOWUPD=/bin/true: moot)
it_config "$(cat "$IT/contacts2.conf")"
expect 0 check

it_dovecot_restart
imapctl status Sent >"$IT/st2" 2>&1 || fail "status Sent after restart: $(cat "$IT/st2")"
has "$IT/st2" "uidnext 4 messages 3"
[ "$(cut -d' ' -f2 "$IT/st1")" = "$(cut -d' ' -f2 "$IT/st2")" ] ||
    fail "UIDVALIDITY changed over a restart: $(cat "$IT/st1" "$IT/st2")"

imapctl recreate Sent 2>"$IT/err" || fail "recreate: $(cat "$IT/err")"
imapctl status Sent >"$IT/st3" 2>&1 || fail "status Sent after recreate: $(cat "$IT/st3")"
has "$IT/st3" "uidnext 1 messages 0"
[ "$(cut -d' ' -f2 "$IT/st2")" != "$(cut -d' ' -f2 "$IT/st3")" ] ||
    fail "UIDVALIDITY kept over recreate: $(cat "$IT/st2" "$IT/st3")"
imapctl list >"$IT/list" 2>&1 || fail "list: $(cat "$IT/list")"
tr -d '\r' <"$IT/list" | grep -q '\\Sent.* "\{0,1\}Sent"\{0,1\}$' ||
    fail "Sent lost \\Sent over recreate: $(cat "$IT/list")"

# stopping really stops it
pid=$(cat "$IT/dovecot/run/master.pid")
it_dovecot_stop
kill -0 "$pid" 2>/dev/null && fail "dovecot $pid still runs after it_dovecot_stop"
it_dovecot_start
imapctl status Sent >"$IT/out" 2>&1 || fail "status after stop and start: $(cat "$IT/out")"

done_tests
