#!/bin/sh
# The demo: followupd doing its job against a real Dovecot on loopback with
# the seeds/ data. Jane's Sent folder (seeds/sent.tsv, dated relative to
# today) is loaded into Dovecot on 127.0.0.1:10993 with a generated CA; then
# followupd checks the configuration, reads the Sent folder over verified
# TLS, shows who is due, watches the folder while one more message is
# "sent", and sends the morning digest to an SMTP server on 127.0.0.1:10587
# (aiosmtpd, STARTTLS + AUTH), whose plain-text part is shown, with the
# calendar invites for who is due; then serves the calendar feed on
# 127.0.0.1:8787 and fetches it as a client would. Run as root (Dovecot is
# started as root and drops privileges).
set -eu
cd "$(dirname "$0")/.."
top=$PWD
sh scripts/deps.sh
sh scripts/build.sh >/dev/null
SRCDIR=$top FOLLOWUPD=$top/_build/main/followupd
export SRCDIR FOLLOWUPD
set +e   # lib.sh's helpers report failures themselves
. "$top/tests/integration/lib.sh"
F="$FOLLOWUPD -c $top/seeds/followupd.conf"

# seeds/followupd.conf expects the CA in /tmp/followupd-demo and the
# password in $CREDENTIALS_DIRECTORY/imap, as systemd would provide it.
demo=/tmp/followupd-demo
rm -rf "$demo"
mkdir -p "$demo/creds"
trap 'rm -rf "$demo"; it_cleanup' EXIT
it_certs >/dev/null
cp "$IT/tls/ca.pem" "$demo/ca.pem"
(umask 077; printf '%s\n' "$IT_PASS" >"$demo/creds/imap")
export CREDENTIALS_DIRECTORY="$demo/creds"
IT_IMAPS_PORT=10993 IT_IMAP_PORT=10143
export IT_IMAPS_PORT IT_IMAP_PORT
it_dovecot_write_conf
it_dovecot_start || exit 1
echo "== Dovecot is serving Jane's mailbox on imaps://127.0.0.1:10993"

# Jane's Sent folder.
"$IT_PYTHON" - "$top/seeds/sent.tsv" "$IT/sent" <<'PY'
import os, sys, time
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
today = int(time.time()) // 86400 * 86400
n = 0
for line in open(src, encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    days, to, cc, subject = line.rstrip("\n").split("\t")
    when = today - int(days) * 86400 + 9 * 3600 + 1800
    n += 1
    head = ["From: Jane Doe <jane@example.org>", "To: " + to]
    if cc != "-":
        head.append("Cc: " + cc)
    head += ["Subject: " + subject,
             "Date: " + time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(when)),
             "Message-ID: <demo-%d@example.org>" % n, "", "Hello!", ""]
    with open(os.path.join(out, "%02d.eml" % n), "w", encoding="utf-8") as f:
        f.write("\r\n".join(head))
PY
imapctl append Sent "$IT"/sent/*.eml >/dev/null || exit 1
echo "   $(ls "$IT"/sent | wc -l) messages in her Sent folder"
export XDG_STATE_HOME="$demo/state"
echo
echo "== followupd check"
$F check
echo
echo "== followupd sync --progress"
$F sync --progress
echo
echo "== followupd due"
$F due
echo
echo "== followupd sync --watch, while Jane writes to Hana"
$F -v sync --watch &
watcher=$!
sleep 2
printf 'From: Jane Doe <jane@example.org>\r\nTo: Hana Sato <hana.sato@example.jp>\r\nSubject: Half-year update\r\nDate: %s\r\nMessage-ID: <demo-live@example.org>\r\n\r\nHello Hana!\r\n' \
    "$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S +0000')" >"$IT/live.eml"
imapctl append Sent "$IT/live.eml" >/dev/null
sleep 2
kill -TERM "$watcher"
wait "$watcher"
echo
echo "== followupd digest: to an SMTP server on 127.0.0.1:10587 (STARTTLS, AUTH)"
mkdir -p "$demo/smtp"
printf '%s\n' "$IT_PASS" >"$demo/smtp/password"
(umask 077; printf '%s\n' "$IT_PASS" >"$demo/creds/smtp")
/usr/bin/python3 "$top/tests/integration/smtpd.py" "$demo/smtp" 10587 \
    "$IT/tls/good.pem" "$IT/tls/good.key" >"$demo/smtp/stderr" 2>&1 &
smtpd=$!
trap 'kill $smtpd 2>/dev/null; rm -rf "$demo"; it_cleanup' EXIT
smtpd_ready() { [ -f "$demo/smtp/ready" ]; }
wait_for 5 smtpd_ready
$F digest --force
echo
echo "== what arrived: the digest (its plain-text part) and the invites"
/usr/bin/python3 - "$demo"/smtp/mail/*.eml <<'PY'
import email, email.policy, sys
mails = [email.message_from_bytes(open(p, "rb").read(), policy=email.policy.default)
         for p in sys.argv[1:]]
for m in mails:
    if m.get_content_type() == "multipart/alternative":
        for h in ("From", "To", "Subject", "Date", "Message-ID"):
            print("%s: %s" % (h, m[h]))
        print()
        print(m.get_body(("plain",)).get_content())
for m in mails:
    if m.get_content_type() == "multipart/mixed":
        cal = [p for p in m.walk() if p.get_content_type() == "text/calendar"][0]
        print("invite (method=%s): %s" % (cal.get_param("method"), m["Subject"]))
PY
echo
echo "== followupd feed --serve: the calendar feed on 127.0.0.1:8787"
$F feed --serve &
server=$!
trap 'kill $server $smtpd 2>/dev/null; rm -rf "$demo"; it_cleanup' EXIT
feed_up() { curl -s -o /dev/null http://127.0.0.1:8787/; }
wait_for 5 feed_up
url=$($F status | sed -n 's/^feed URL: *//p')
echo "GET $url" | sed 's|/[0-9a-f]\{40\}/|/<token>/|'
curl -sS -D "$demo/headers" -o "$demo/feed.ics" "$url"
grep -i '^HTTP\|^content-type\|^etag' "$demo/headers"
/usr/bin/python3 "$top/tests/cal/ics.py" feed "$demo/feed.ics" | sed -n 's/^EVENT //p' |
    awk -F'|' '{ printf "  %-17s %s\n", $2, $4 }'
kill -TERM $server
wait $server
echo
echo "== followupd status"
$F status
