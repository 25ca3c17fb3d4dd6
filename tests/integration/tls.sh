#!/bin/sh
# Connecting to a real Dovecot: implicit TLS and STARTTLS succeed with the
# test CA; a self-signed certificate, a certificate for another name, a
# server without STARTTLS and an unknown CA are refused with the reason,
# before any password is sent (Dovecot's log says "no auth attempts"); a
# wrong password is reported without being shown.
. "$SRCDIR/tests/integration/lib.sh"

it_certs >/dev/null
it_dovecot_start
it_config '[contact:alice]' 'email = alice@example.com'
printf 'To: Alice <alice@example.com>\r\nDate: Mon, 16 Nov 2026 10:00:00 +0000\r\nMessage-ID: <tls-1@example.org>\r\nSubject: hello\r\n\r\nHi\r\n' >"$IT/m1.eml"
imapctl append Sent "$IT/m1.eml" >/dev/null || fail "imapctl append"
DB="$XDG_STATE_HOME/followupd/followupd.db"
touches() { "$IT_PYTHON" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from touches").fetchone()[0])' "$DB"; }

# set_url URL [ca_file line]: rewrites the [imap] url (and ca_file).
set_url() {
	sed -i "s|^url = .*|url = $1|" "$FOLLOWUPD_CONFIG"
}

# refused URL MESSAGE ADDRESS: sync fails with 69 and MESSAGE, and Dovecot saw
# a connection on ADDRESS that never tried to log in.
refused() {
	it_dovecot_log_mark
	set_url "$1"
	expect 69 sync
	has "$T/err" "$2"
	it_dovecot_log_wait "no auth attempts" 5 || fail "$1: Dovecot did not log a connection without login"
	it_dovecot_log_has "lip=$3" || fail "$1: no connection seen on $3"
	! it_dovecot_log_has "Login: user=<" || fail "$1: a login happened"
	! it_dovecot_log_has "auth failed" || fail "$1: a password was tried"
	! grep -qF "$IT_PASS" "$T/out" "$T/err" || fail "$1: the password was printed"
}

# 1. imaps with the CA: the message is read.
expect 0 sync
has "$T/out" "imap jane: Sent: 1 new message, 1 follow-up recorded"
[ "$(touches)" = 1 ] || fail "imaps: $(touches) touches, want 1"
it_dovecot_log_has "Login: user=<jane>" || fail "imaps: no login in Dovecot's log"

# 2. STARTTLS on the plain port: logs in over TLS; nothing new to record.
it_dovecot_log_mark
set_url "imap://127.0.0.1:$IT_IMAP_PORT"
expect 0 sync
has "$T/out" "Sent: 0 new messages"
it_dovecot_log_wait "Login: user=<jane>" || fail "STARTTLS: no login"
grep "Login: user=<jane>" "$IT_DC_LOG" | tail -1 | grep -q "TLS" || fail "STARTTLS: the login was not over TLS"

# 3. Refusals, each before any credential.
refused "imaps://127.0.0.2:$IT_IMAPS_PORT" \
    "imap jane: TLS certificate for 127.0.0.2 is not trusted (issuer unknown)" 127.0.0.2
refused "imap://127.0.0.2:$IT_IMAP_PORT" \
    "imap jane: TLS certificate for 127.0.0.2 is not trusted (issuer unknown)" 127.0.0.2
refused "imaps://127.0.0.3:$IT_IMAPS_PORT" \
    "imap jane: TLS certificate for 127.0.0.3 is not valid for that name (it is for imap.example.org)" 127.0.0.3
refused "imap://127.0.0.4:$IT_IMAP_PORT" \
    "imap jane: 127.0.0.4:$IT_IMAP_PORT does not offer STARTTLS; refusing to log in without TLS" 127.0.0.4

# 4. Without ca_file the test CA is unknown: the good server is refused too.
sed -i '/^ca_file = /d' "$FOLLOWUPD_CONFIG"
refused "imaps://127.0.0.1:$IT_IMAPS_PORT" \
    "TLS certificate for 127.0.0.1 is not trusted (issuer unknown)" 127.0.0.1
sed -i "/^user = /a ca_file = $IT/tls/ca.pem" "$FOLLOWUPD_CONFIG"

# 5. localhost: the certificate's DNS name, with SNI.
set_url "imaps://localhost:$IT_IMAPS_PORT"
expect 0 sync
has "$T/out" "Sent: 0 new messages"

# 6. A wrong password: "login failed", exit 69, the password not shown.
set_url "imaps://127.0.0.1:$IT_IMAPS_PORT"
(umask 077; echo "not-$IT_PASS" >"$IT/imap.pass")
expect 69 sync
has "$T/err" "imap jane: login failed: "
! grep -qF "not-$IT_PASS" "$T/out" "$T/err" || fail "the wrong password was printed"
(umask 077; echo "$IT_PASS" >"$IT/imap.pass")

# 7. A server that is not there: a temporary failure (75).
set_url "imaps://127.0.0.1:1"
expect 75 sync
has "$T/err" "imap jane: cannot connect to 127.0.0.1:1"

# 8. tls = none is for loopback only, and then talks plain text.
set_url "imap://127.0.0.4:$IT_IMAP_PORT"
sed -i "/^user = /a tls = none" "$FOLLOWUPD_CONFIG"
expect 0 sync
has "$T/out" "Sent: 0 new messages"
sed -i "s|^url = .*|url = imap://mail.example.org|" "$FOLLOWUPD_CONFIG"
expect 78 check
has "$T/err" "tls = none"

# 9. A PREAUTH greeting on a STARTTLS connection is refused: Dovecot's own
# imap process in pre-authenticated mode, served on a port as inetd would.
PRE_PORT=$(it_free_port)
"$IT_PYTHON" - "$PRE_PORT" "$IT" <<'PY' >"$IT/inetd.log" 2>&1 &
import socket, subprocess, sys
port, it = int(sys.argv[1]), sys.argv[2]
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(4)
while True:
    conn, _ = srv.accept()
    subprocess.Popen(["setpriv", "--reuid=dovecot", "--regid=dovecot", "--clear-groups",
                      "env", "USER=jane", "HOME=%s/mail/jane" % it,
                      "/usr/lib/dovecot/imap", "-c", "%s/dovecot/dovecot.conf" % it],
                     stdin=conn.fileno(), stdout=conn.fileno(), stderr=subprocess.DEVNULL)
    conn.close()
PY
INETD=$!
sleep 0.5
sed -i '/^tls = none/d' "$FOLLOWUPD_CONFIG"
set_url "imap://127.0.0.1:$PRE_PORT"
expect 69 sync
has "$T/err" "imap jane: 127.0.0.1:$PRE_PORT greeted with PREAUTH before TLS; refusing the plaintext session"
kill "$INETD" 2>/dev/null

done_tests
