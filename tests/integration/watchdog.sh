#!/bin/sh
# The watchdog is fed between sends: followupd run with WATCHDOG_USEC of
# 3 s against an SMTP server that takes 1.2 s to accept each message
# (smtpd.py "slow 1.2"), with a digest and four invites to send at start.
# Back to back without a ping, the five sends would leave the watchdog
# unfed for 6 s or more and systemd would kill the daemon; followupd pings
# before each send, so two WATCHDOG=1 are never WATCHDOG_USEC apart while
# it sends. (The sends running off the loop is issue 18's; this is the
# floor under it.)
. "$SRCDIR/tests/integration/lib.sh"

/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || it_skip "python3-aiosmtpd is not installed"
it_certs >/dev/null
it_dovecot_start
D_PID=
trap '[ -n "$D_PID" ] && kill -9 "$D_PID" 2>/dev/null
for p in "$IT"/*/pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; it_cleanup' EXIT
it_smtpd mx "$IT/tls/good.pem" "$IT/tls/good.key"
echo "slow 1.2" >"$IT/mx/mode"
d() { date -u -d "$1" +%Y-%m-%d; }
it_config \
    '[contact:alice]' 'email = alice@example.com' 'cadence = 1w' "last = $(d '20 days ago')" '' \
    '[contact:bob]' 'email = bob@example.com' 'cadence = 1w' "last = $(d '20 days ago')" '' \
    '[contact:carol]' 'email = carol@example.com' 'cadence = 1w' "last = $(d '20 days ago')" '' \
    '[contact:dan]' 'email = dan@example.com' 'cadence = 1w' "last = $(d '20 days ago')"
it_config_set digest_time 00:00
it_smtp_config "$PORT"
imapctl status Sent >/dev/null || fail "no Sent folder"

N="$IT/notify"
/usr/bin/python3 "$IT_SRC/notifysock.py" "$IT/notify.sock" "$N" 2>"$IT/notify.err" &
mkdir -p "$IT/ns" && echo $! >"$IT/ns/pid"
nready() { [ -f "$N.ready" ]; }
wait_for 10 nready || fail "notifysock did not start: $(cat "$IT/notify.err")"
start=$(date +%s.%N)
NOTIFY_SOCKET="$IT/notify.sock" WATCHDOG_USEC=3000000 "$FOLLOWUPD" run 2>"$IT/daemon.log" &
D_PID=$!
mails() { ls "$IT/mx/mail" 2>/dev/null | wc -l; }
all_sent() { [ "$(mails)" -ge 5 ]; }
wait_for 60 all_sent || fail "$(mails) of the digest and 4 invites arrived: $(cat "$IT/daemon.log")"
end=$(date +%s.%N)
sleep 1
kill -0 "$D_PID" 2>/dev/null || fail "the daemon died: $(cat "$IT/daemon.log")"
# Logged when the invites' thread reports back, just after the last arrived.
four_logged() { [ "$(grep -c 'Sent the invite REQUEST' "$IT/daemon.log")" -ge 4 ]; }
wait_for 20 four_logged || fail "invites: $(grep -i invite "$IT/daemon.log")"
grep -c 'Sent the invite REQUEST' "$IT/daemon.log" | grep -qx 4 || fail "invites: $(grep -i invite "$IT/daemon.log")"
# The longest wait for a WATCHDOG=1, from the start (as systemd counts) to
# the moment the last message arrived.
gap=$(awk -v start="$start" -v end="$end" 'BEGIN { last = start }
    $2 == "WATCHDOG=1" && $1 <= end { if ($1 - last > max) max = $1 - last; last = $1 }
    END { if (end - last > max) max = end - last; printf "%.1f", max }' "$N")
echo "# 5 sends of 1.2 s or more each: the longest wait between two WATCHDOG=1 was $gap s"
awk -v g="$gap" 'BEGIN { exit !(g > 0 && g < 3.0) }' ||
    fail "the watchdog went $gap s without a ping (WATCHDOG_USEC 3 s): $(grep WATCHDOG "$N" | tr '\n' ' ')"
kill -TERM "$D_PID"
wait "$D_PID"
D_PID=
done_tests
