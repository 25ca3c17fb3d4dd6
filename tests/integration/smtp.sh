#!/bin/sh
# `followupd digest` through a real SMTP server (aiosmtpd, STARTTLS + AUTH,
# generated CA): the digest arrives and parses; a self-signed certificate
# and a server without STARTTLS are refused before AUTH; a 451 is retried
# until it passes; a 550 is reported and not recorded as sent; a second run
# for the same day sends nothing; SIGKILL at random points of sends never
# loses the day's digest nor sends two with different Message-IDs.
. "$SRCDIR/tests/integration/lib.sh"

/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || it_skip "python3-aiosmtpd is not installed"
it_certs >/dev/null
trap 'for p in "$IT"/*/pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; it_cleanup' EXIT
mails() { ls "$IT/$1/mail" 2>/dev/null | wc -l; }
DAY=2026-11-23
SUBJECT="Follow-ups Mon 23 Nov: 3 overdue, 1 due, 3 coming up, 2 cards, 1 to check back"

it_smtpd good "$IT/tls/good.pem" "$IT/tls/good.key"
GOOD=$PORT
it_smtpd self "$IT/tls/self.pem" "$IT/tls/self.key"
SELF=$PORT
it_smtpd plain --plain
PLAIN=$PORT
(umask 077; printf '%s\n' "$IT_PASS" >"$IT/smtp.pass")
{
	sed -n '/^\[followupd\]/,/^\[group/p' "$SRCDIR/tests/data/digest.conf" | sed '$d'
	printf '%s\n' '[smtp]' "url = smtp://127.0.0.1:$GOOD" 'user = jane' \
	    "password_file = $IT/smtp.pass" "ca_file = $IT/tls/ca.pem" ''
	sed -n '/^\[group/,$p' "$SRCDIR/tests/data/digest.conf"
} >"$FOLLOWUPD_CONFIG"
DB="$XDG_STATE_HOME/followupd/followupd.db"
state() { sqlite3 "$DB" "SELECT state FROM digests WHERE day = '$DAY'"; }
set_url() { sed -i "s|^url = smtp://.*|url = $1|" "$FOLLOWUPD_CONFIG"; }

# 1. Refusals before AUTH: a self-signed certificate, no STARTTLS.
set_url "smtp://127.0.0.1:$SELF"
expect 69 digest --date "$DAY"
has "$T/err" "smtp jane: TLS certificate for 127.0.0.1 is not trusted"
! grep -q '^AUTH' "$IT/self/log" 2>/dev/null || fail "AUTH was sent to the self-signed server"
[ "$(state)" = failed ] || fail "after a refused certificate the state is '$(state)'"
set_url "smtp://127.0.0.1:$PLAIN"
expect 69 digest --date "$DAY"
has "$T/err" "smtp jane: 127.0.0.1:$PLAIN does not offer STARTTLS"
! grep -q '^AUTH' "$IT/plain/log" 2>/dev/null || fail "AUTH was sent without TLS"
[ "$(mails plain)" = 0 ] || fail "a message went out without TLS"
! grep -rqF "$IT_PASS" "$T/out" "$T/err" || fail "the password was printed"

# 2. 451 twice, then accepted: retried, arrives once, recorded as sent.
set_url "smtp://127.0.0.1:$GOOD"
echo "451 2" >"$IT/good/mode"
expect 0 digest --date "$DAY"
has "$T/err" "trying again in 1 s"
has "$T/out" "Sent the digest for $DAY to jorg@example.org"
[ "$(mails good)" = 1 ] || fail "$(mails good) messages arrived, want 1"
[ "$(state)" = sent ] || fail "state '$(state)', want sent"
grep -q "^AUTH PLAIN jane ok" "$IT/good/log" || grep -q "^AUTH LOGIN jane ok" "$IT/good/log" ||
    fail "no successful AUTH in the server's log"
# (The server requires STARTTLS before AUTH and MAIL: a delivery implies it.)
python3 "$SRCDIR/tests/cli/mime_check.py" "$IT/good/mail/0001.eml" "$SUBJECT" "$T/text" "$T/html" >"$T/check" ||
    fail "the delivered digest: $(cat "$T/check")"
cmp -s "$T/text" "$SRCDIR/tests/data/digest.txt" || fail "the delivered text part is not the golden one"

# 3. The same day again: nothing sent.
expect 0 digest --date "$DAY"
has "$T/out" "already sent"
[ "$(mails good)" = 1 ] || fail "a second digest was sent for $DAY"

# 4. 550: reported, not sent; the next day's digest, after a fix, goes out.
echo 550 >"$IT/good/mode"
expect 69 digest --date 2026-11-24
has "$T/err" "the server refused the message: "
[ "$(sqlite3 "$DB" "SELECT state FROM digests WHERE day = '2026-11-24'")" = failed ] ||
    fail "a refused digest is not recorded as failed"
[ "$(mails good)" = 1 ] || fail "the refused digest arrived"
# ... in status, and in the next day's digest.
expect 0 status
has "$T/out" "digest problem: 2026-11-24 not sent after 1 attempt: the server refused the message: "
expect 0 digest --dry-run --date 2026-11-25
has "$T/out" "The digest of 2026-11-24 was not sent: the server refused the message"
echo ok >"$IT/good/mode"
expect 0 digest --date 2026-11-24
[ "$(mails good)" = 2 ] || fail "the digest did not go out after the 550"

# 5. XOAUTH2: the token from token_command; a wrong one is refused.
printf '%s\n' "tok-$$-good" >"$IT/good/token"
secret "tok-$$-good"
secret "tok-wrong"
cp "$FOLLOWUPD_CONFIG" "$IT/password.conf"
sed -i "s|^password_file = $IT/smtp.pass|auth = oauth2\ntoken_command = echo tok-$$-good|" "$FOLLOWUPD_CONFIG"
expect 0 digest --date 2026-11-26
grep -q "^AUTH XOAUTH2 jane ok" "$IT/good/log" || fail "no XOAUTH2 login: $(tail -3 "$IT/good/log")"
sed -i "s|^token_command = .*|token_command = echo tok-wrong|" "$FOLLOWUPD_CONFIG"
expect 69 digest --date 2026-11-27
has "$T/err" "smtp jane: login failed: "
! grep -qF "tok-wrong" "$T/out" "$T/err" || fail "the token was printed"
cp "$IT/password.conf" "$FOLLOWUPD_CONFIG"

# 6. Nothing due: no digest, unless send_empty_digest.
{
	printf '%s\n' '[followupd]' 'me = Jane <jane@example.org>' 'timezone = UTC' "state_dir = $IT/state2" ''
	sed -n '/^\[smtp\]/,/^$/p' "$IT/password.conf"
	printf '%s\n' '[contact:dora]' 'email = dora@example.hu' 'cadence = monthly' 'last = 2026-11-20'
} >"$IT/empty.conf"
n=$(mails good)
expect 0 -c "$IT/empty.conf" digest --date 2026-11-23
has "$T/out" "Nothing due on 2026-11-23: no digest (send_empty_digest = no)."
[ "$(mails good)" = "$n" ] || fail "an empty digest was sent"
sed -i '/^timezone = /a send_empty_digest = yes' "$IT/empty.conf"
expect 0 -c "$IT/empty.conf" digest --date 2026-11-23
has "$T/out" "Follow-ups Mon 23 Nov: nothing due"
[ "$(mails good)" = "$((n + 1))" ] || fail "send_empty_digest = yes sent nothing"

# 7. SIGKILL at random points while sending, $IT_KILLS (50) times, then a clean run.
echo "slow 0.3" >"$IT/good/mode"
before=$(mails good)
i=0
while [ "$i" -lt "$IT_KILLS" ]; do
	"$FOLLOWUPD" digest --date 2026-11-25 >/dev/null 2>&1 &
	p=$!
	sleep "0.$(awk -v s="$i" 'BEGIN { srand(s); printf "%02d", int(rand() * 60) }')"
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	i=$((i + 1))
done
echo ok >"$IT/good/mode"
expect 0 digest --date 2026-11-25
sqlite3 "$DB" "PRAGMA integrity_check" | grep -qx ok || fail "the state is damaged"
[ "$(sqlite3 "$DB" "SELECT state FROM digests WHERE day = '2026-11-25'")" = sent ] || fail "25 Nov not sent"
ids=$(for f in "$IT"/good/mail/*.eml; do grep -h '^Message-ID:' "$f"; done | grep '2026-11-25' | sort -u | wc -l)
sent=$(for f in "$IT"/good/mail/*.eml; do grep -h '^Message-ID:' "$f"; done | grep -c '2026-11-25')
[ "$ids" = 1 ] || fail "the digest of 25 Nov went out with $ids Message-IDs"
[ "$sent" -ge 1 ] || fail "the digest of 25 Nov was lost"
echo "# $IT_KILLS kills: 25 Nov delivered $sent time(s), with 1 Message-ID"

# 7b. Refusals before DATA are classed by the server's code: a 5xx to MAIL
# FROM or RCPT TO is final (not tried again), a 4xx is for later.
for stage in mail550 rcpt550; do
	echo "$stage" >"$IT/good/mode"
	expect 69 digest --date 2026-11-28
	has "$T/err" "the server refused the message: "
	has "$T/err" "(reply 550)"
	! grep -q "trying again" "$T/err" || fail "$stage was tried again: $(cat "$T/err")"
	[ "$(sqlite3 "$DB" "SELECT state FROM digests WHERE day = '2026-11-28'")" = failed ] ||
	    fail "$stage: the digest is not recorded as failed"
done
echo rcpt451 >"$IT/good/mode"
expect 75 digest --date 2026-11-29
has "$T/err" "trying again in 1 s"
has "$T/err" "(reply 451)"
echo ok >"$IT/good/mode"

# 8. A --force that fails keeps the record that the day's digest went
# out: status and the next digest say nothing failed; the next --force
# that passes gets ".rN" for its attempt, once, never ".rM.rN".
XDG_STATE_HOME=$IT/state8
DB="$XDG_STATE_HOME/followupd/followupd.db"
before=$(mails good)
expect 0 digest --date "$DAY"
echo 550 >"$IT/good/mode"
expect 69 digest --date "$DAY" --force
echo ok >"$IT/good/mode"
expect 0 status
has "$T/out" "last digest:    $DAY"
! grep -q "digest problem" "$T/out" || fail "status: $(grep 'digest problem' "$T/out")"
expect 0 digest --date 2026-11-30 --dry-run
! grep -q "was not sent" "$T/out" || fail "the next digest reports a failure: $(grep 'was not sent' "$T/out")"
for force in 1 2; do
	expect 0 digest --date "$DAY" --force
	tries=$(sqlite3 "$DB" "SELECT attempts FROM digests WHERE day = '$DAY'")
	id=$(sed -n 's/^Message-ID: *//p' "$(ls "$IT"/good/mail/*.eml | tail -1)" | tr -d '\r')
	case $id in
	"<followupd.digest.$DAY."[0-9a-f]*".r$tries@example.org>") ;;
	*) fail "--force, attempt $tries: Message-ID $id" ;;
	esac
	[ "$(echo "$id" | grep -o '\.r[0-9]' | wc -l)" = 1 ] || fail "--force: Message-ID $id"
done
[ "$(mails good)" = $((before + 3)) ] || fail "$(mails good) messages arrived, want $((before + 3))"

# 9. Today's digest sent by hand before its time: status's next digest
# is tomorrow's (its time two hours from now, in the configured zone).
HM=$(TZ=Europe/Berlin date -d '+2 hours' +%H:%M)
sed -i "/^timezone = /a digest_time = $HM" "$FOLLOWUPD_CONFIG"
expect 0 digest
expect 0 status
has "$T/out" "next digest:    $(TZ=Europe/Berlin date -d '+1 day' +%Y-%m-%d) $HM"
sed -i '/^digest_time = /d' "$FOLLOWUPD_CONFIG"

done_tests
