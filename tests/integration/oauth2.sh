#!/bin/sh
# auth = oauth2: the token from token_command goes to Dovecot as
# AUTHENTICATE XOAUTH2. Dovecot checks it itself (its oauth2 passdb,
# validating an HS256 JWT with a local key), so a forged token fails.
. "$SRCDIR/tests/integration/lib.sh"

it_certs >/dev/null
KEY="followupd-test-hmac-key-$$-$(date +%s)"
mkdir -p "$IT/oauth/keys/default/HS256"
printf '%s' "$("$IT_PYTHON" -c 'import base64,sys; print(base64.b64encode(sys.argv[1].encode()).decode())' "$KEY")" \
    >"$IT/oauth/keys/default/HS256/default"
printf '%s\n' 'introspection_mode = local' \
    "local_validation_key_dict = fs:posix:prefix=$IT/oauth/keys/" \
    'username_attribute = sub' >"$IT/oauth/oauth2.conf"
chown -R dovecot "$IT/oauth"
it_dovecot_start 'auth_mechanisms = plain login xoauth2' 'passdb {' '  driver = oauth2' \
    '  mechanisms = xoauth2' "  args = $IT/oauth/oauth2.conf" '}'

# token SUB SECRET: an HS256 JWT for user SUB, valid for an hour.
token() {
	"$IT_PYTHON" - "$1" "$2" <<'PY'
import base64, hashlib, hmac, json, sys, time
b64 = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()
now = int(time.time())
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
body = b64(json.dumps({"sub": sys.argv[1], "iat": now, "nbf": now, "exp": now + 3600}).encode())
sig = b64(hmac.new(sys.argv[2].encode(), (head + "." + body).encode(), hashlib.sha256).digest())
print(head + "." + body + "." + sig)
PY
}
token jane "$KEY" >"$IT/token"
secret "$(cat "$IT/token")"
cat >"$FOLLOWUPD_CONFIG" <<CONF
[followupd]
me = Jane <jane@example.org>
[imap]
url = imaps://127.0.0.1:$IT_IMAPS_PORT
user = jane
auth = oauth2
token_command = cat $IT/token
ca_file = $IT/tls/ca.pem
[contact:alice]
email = alice@example.com
CONF
printf 'To: alice@example.com\r\nDate: Mon, 16 Nov 2026 10:00:00 +0000\r\nMessage-ID: <oauth-1@example.org>\r\n\r\nHi\r\n' >"$IT/m.eml"
imapctl append Sent "$IT/m.eml" >/dev/null || fail "append"

it_dovecot_log_mark
expect 0 sync
has "$T/out" "imap jane: Sent: 1 new message, 1 follow-up recorded"
it_dovecot_log_has "Login: user=<jane>, method=XOAUTH2" || fail "no XOAUTH2 login in Dovecot's log"

# A token signed with another key: refused by Dovecot, reported, not shown.
token jane "not-the-key" >"$IT/token"
expect 69 sync
has "$T/err" "imap jane: XOAUTH2 login failed: "
! grep -qF "$(cut -d. -f3 "$IT/token")" "$T/out" "$T/err" || fail "the token was printed"

# A token_command that fails: its error, exit 69.
sed -i "s|^token_command = .*|token_command = exit 3|" "$FOLLOWUPD_CONFIG"
expect 69 sync
has "$T/err" "imap jane: token_command"

done_tests
