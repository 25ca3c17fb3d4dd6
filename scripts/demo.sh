#!/bin/sh
# The demo: followupd doing its real job against real servers on loopback,
# with the seeds/ data. It installs what it needs (Debian packages), builds,
# and in a temporary directory starts a private Dovecot (imaps on
# 127.0.0.1:10993) and an SMTP server (aiosmtpd on 127.0.0.1:10587,
# STARTTLS + AUTH, delivering into Dovecot's INBOX), with a generated CA;
# loads Jane's Sent folder from seeds/sent.tsv (dated relative to today);
# starts `followupd run` on seeds/followupd.conf (its servers and CA
# pointed at the temporary ones, and the digest due now so that it goes
# out at once); then shows the digest as it arrived in the INBOX, who is
# due, and the calendar feed served on 127.0.0.1:8787, and what happens
# when Jane writes to someone. Then it follows followupd's log until
# Ctrl-C, which stops everything and removes the temporary files.
#
# Usage: sh scripts/demo.sh [--once]     (--once: stop after showing it all)
# Run as root: Dovecot is started as root and drops privileges.
set -eu
cd "$(dirname "$0")/.."
top=$PWD
once=no
case "${1:-}" in
--once) once=yes ;;
"") ;;
*) echo "usage: sh scripts/demo.sh [--once]" >&2; exit 64 ;;
esac
say() { printf '\n== %s\n' "$*"; }
say "installing the Debian packages followupd needs (scripts/deps.sh)"
sh scripts/deps.sh
say "building followupd (scripts/build.sh, in _build/main)"
sh scripts/build.sh >/dev/null
SRCDIR=$top FOLLOWUPD=$top/_build/main/followupd
export SRCDIR FOLLOWUPD
set +e   # lib.sh's helpers report failures themselves
# Dovecot's configuration, certificates, mail, state: all in $IT, removed
# on exit (lib.sh's trap), Ctrl-C included.
. "$top/tests/integration/lib.sh"
run_pid= smtpd_pid= ns_pid=
trap '[ -n "$run_pid" ] && kill -TERM "$run_pid" 2>/dev/null && wait "$run_pid"
for p in $smtpd_pid $ns_pid; do kill "$p" 2>/dev/null; done; it_cleanup
echo; echo "== stopped followupd, Dovecot and the SMTP server; removed $IT"' EXIT
CONF="$IT/followupd.conf"
F="$FOLLOWUPD -c $CONF"

say "starting Dovecot on imaps://127.0.0.1:10993 (a CA and certificates made in $IT/tls)"
it_certs >/dev/null
IT_IMAPS_PORT=10993 IT_IMAP_PORT=10143
export IT_IMAPS_PORT IT_IMAP_PORT
it_dovecot_write_conf
it_dovecot_start || exit 1

say "loading Jane's Sent folder from seeds/sent.tsv"
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
echo "$(ls "$IT"/sent | wc -l) messages she sent over the past months, to the people in seeds/followupd.conf"

say "starting an SMTP server on 127.0.0.1:10587 that delivers into Jane's INBOX"
mkdir -p "$IT/smtp"
printf '%s\n' "$IT_PASS" >"$IT/smtp/password"
echo "$IT/mail/jane/Maildir" >"$IT/smtp/deliver"
/usr/bin/python3 "$top/tests/integration/smtpd.py" "$IT/smtp" 10587 \
    "$IT/tls/good.pem" "$IT/tls/good.key" >"$IT/smtp/stderr" 2>&1 &
smtpd_pid=$!
smtpd_ready() { [ -f "$IT/smtp/ready" ]; }
wait_for 10 smtpd_ready || { echo "the SMTP server did not start: $(cat "$IT/smtp/stderr")"; exit 1; }

say "writing the configuration: seeds/followupd.conf, with the digest due now"
# The passwords as systemd's LoadCredential= would hand them over.
mkdir -p "$IT/creds"
(umask 077; printf '%s\n' "$IT_PASS" >"$IT/creds/imap"; printf '%s\n' "$IT_PASS" >"$IT/creds/smtp")
export CREDENTIALS_DIRECTORY="$IT/creds"
sed -e "s|/tmp/followupd-demo/ca.pem|$IT/tls/ca.pem|" \
    -e 's|^digest_time = .*|digest_time = 00:00          ; the demo: due at once|' \
    -e 's|^digest_days = .*|digest_days = daily|' "$top/seeds/followupd.conf" >"$CONF"
$F check || exit 1

say "starting followupd run (as systemd would: Type=notify, with a watchdog)"
/usr/bin/python3 "$top/tests/integration/notifysock.py" "$IT/notify.sock" "$IT/notify" \
    2>/dev/null &
ns_pid=$!
ns_ready() { [ -f "$IT/notify.ready" ]; }
wait_for 5 ns_ready
NOTIFY_SOCKET="$IT/notify.sock" WATCHDOG_USEC=60000000 $F run 2>"$IT/run.log" &
run_pid=$!
ready() { grep -q ' READY=1$' "$IT/notify" 2>/dev/null; }
wait_for 30 ready || { echo "followupd did not get ready: $(cat "$IT/run.log")"; exit 1; }
sed -n 's/^[0-9.]* \(READY=1\|STATUS=.*\)$/systemd sees: \1/p' "$IT/notify" | head -3
echo "its log so far:"
sed 's/^/  /' "$IT/run.log"

say "waiting for the morning digest to arrive in Jane's INBOX"
digest_arrived() {
	rm -rf "$IT/inbox"
	imapctl fetch INBOX "$IT/inbox" >/dev/null 2>&1 &&
	    grep -l '^Subject: Follow-ups' "$IT"/inbox/*.eml >/dev/null 2>&1
}
if ! wait_for 60 digest_arrived; then
	echo "no digest within a minute; followupd's log:"
	cat "$IT/run.log"
	exit 1
fi
/usr/bin/python3 - "$IT"/inbox/*.eml <<'PY'
import email, email.policy, sys
for p in sys.argv[1:]:
    m = email.message_from_bytes(open(p, "rb").read(), policy=email.policy.default)
    if not str(m["Subject"]).startswith("Follow-ups"):
        continue
    for h in ("From", "To", "Subject", "Date"):
        print("%s: %s" % (h, m[h]))
    print()
    print(m.get_body(("plain",)).get_content())
PY
invites=$(grep -l '^Content-Type: multipart/mixed' "$IT"/inbox/*.eml 2>/dev/null | wc -l)
echo "(and $invites calendar invites for what is due, in the same INBOX)"

say "followupd due: who is overdue, due and coming up"
$F due

say "the calendar feed, served on 127.0.0.1:8787"
url=$($F status | sed -n 's/^feed URL: *//p')
echo "subscribe to: $url"
curl -sS -D "$IT/headers" -o "$IT/feed.ics" "$url"
grep -i '^HTTP\|^content-type\|^etag' "$IT/headers"
/usr/bin/python3 "$top/tests/cal/ics.py" feed "$IT/feed.ics" | sed -n 's/^EVENT //p' |
    awk -F'|' '{ printf "  %-17s %s\n", $2, $4 }' | sort | head -20

say "Jane writes to Alice Smith; followupd sees it in her Sent folder at once"
printf 'From: Jane Doe <jane@example.org>\r\nTo: Alice Smith <alice@acme.example>\r\nSubject: How did the rollout go?\r\nDate: %s\r\nMessage-ID: <demo-live@example.org>\r\n\r\nHello Alice!\r\n' \
    "$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S +0000')" >"$IT/live.eml"
imapctl append Sent "$IT/live.eml" >/dev/null
seen() { grep -q '1 follow-up recorded' "$IT/run.log"; }
wait_for 10 seen
grep 'follow-up recorded\|feed .* updated' "$IT/run.log" | tail -2 | sed 's/^/  /'
$F due | grep 'Alice Smith' || echo "Alice Smith is no longer overdue: next due in two weeks (followupd due --all)."
$F due --all | grep 'Alice Smith'

if [ "$once" = yes ]; then
	say "done (--once)"
	exit 0
fi
say "followupd is running; its log follows. Ctrl-C stops everything."
echo "(in another terminal: $F due, $F status, curl '$url')"
tail -n 0 -f "$IT/run.log"
