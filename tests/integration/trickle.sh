#!/bin/sh
# An IMAP server that trickles its greeting holds nothing back. followupd
# run with two accounts: [imap:good] on the real Dovecot, and [imap:slow]
# on tests/integration/hostile_imapd.py in mode trickle-greeting (imaps:
# after the TLS handshake, "* OK ready\r\n" one byte every 1.5 s, then
# silence, the connection kept open), timeout = 2s on both: no single read
# ever waits 2 s, so the slow account stays connecting for about 18 s
# each time (the 12 bytes, then its first command's 2 s). A digest is due
# at the start; the SMTP server is real (smtpd.py, STARTTLS).
#   - READY=1 within 2 * 2 + 10 + 15 s of the start;
#   - the digest reaches the SMTP server within 40 s of the start, sent
#     while the slow account was still in its first greeting: the log has
#     "Sent the digest for" before any failure of "imap slow" (a slow
#     account that held the digest back until its first failure, about
#     18 s in, fails this);
#   - the good account is watched ('imap good: watching "Sent" (IDLE)');
#   - SIGHUP while the slow account trickles: RELOADING=1, then READY=1
#     within 2 s; the trickling connection is closed by the daemon at once
#     (the hostile server sees the client hang up mid-greeting) and 3 s
#     later the process has no more threads than before the SIGHUP: the
#     retired slow worker was cut, not left behind;
#   - SIGTERM while the slow account trickles: the process is gone within
#     3 s, exit status 0, STOPPING=1, and the log does not say "did not
#     end within" (no worker left behind).
# About 40 s.
#
# The bounds are wide, but they are about time: under valgrind
# (FOLLOWUPD_WRAPPER), as in stall.sh, every step runs and must happen,
# the waits are four times longer, and a bound overrun (the digest sent
# only after the slow account's first failure among them) is reported as
# a "#" line, not a failure. The ASan build is held to the bounds.
. "$SRCDIR/tests/integration/lib.sh"

/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || it_skip "python3-aiosmtpd is not installed"

. "$SRCDIR/tests/integration/timing.sh"

it_certs >/dev/null
it_dovecot_start
D_PID=
# stop_all: the daemon and the helpers (each with its pid in $IT/NAME/pid).
stop_all() {
	[ -n "$D_PID" ] && kill -9 "$D_PID" 2>/dev/null
	for pidfile in "$IT"/*/pid; do
		[ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
	done
	it_cleanup
}
trap 'stop_all' EXIT

# ---- the servers -------------------------------------------------------------------
H="$IT/hostile"
mkdir -p "$H"
echo trickle-greeting >"$H/mode"
HP=$(it_free_port)
/usr/bin/python3 "$IT_SRC/hostile_imapd.py" "$H" "$HP" "$IT/tls/good.pem" "$IT/tls/good.key" \
    2>"$H/stderr" &
echo $! >"$H/pid"
it_smtpd mx "$IT/tls/good.pem" "$IT/tls/good.key"
MX=$PORT
N="$IT/notify"
mkdir -p "$IT/ns"
"$IT_PYTHON" "$IT_SRC/notifysock.py" "$IT/notify.sock" "$N" 2>"$IT/ns/stderr" &
echo $! >"$IT/ns/pid"
hready() { [ -f "$H/ready" ]; }
nready() { [ -f "$N.ready" ]; }
wait_for 10 hready || fail "the hostile server did not start: $(cat "$H/stderr")"
wait_for 10 nready || fail "notifysock did not start: $(cat "$IT/ns/stderr")"
imapctl status Sent >/dev/null || fail "no Sent folder on Dovecot"

# ---- the configuration ---------------------------------------------------------------
# Dates from one reading of the clock. digest_time 00:00 has passed
# whenever the test runs: the day's digest is due at the start. Both
# accounts have timeout = 2s: an account still connecting holds the
# digest back for twice the longest timeout of all plus 10 s, 14 s here.
NOW=$(date -u +%s)
ago() { date -u -d "@$((NOW - $1 * 86400))" +%Y-%m-%d; }
(umask 077; printf '%s\n' "$IT_PASS" >"$IT/imap.pass")
cat >"$FOLLOWUPD_CONFIG" <<CONF
[followupd]
me = Jane <jane@example.org>
timezone = UTC
digest_time = 00:00

[imap:good]
url = imaps://127.0.0.1:$IT_IMAPS_PORT
user = $IT_USER
password_file = $IT/imap.pass
ca_file = $IT/tls/ca.pem
timeout = 2s

[imap:slow]
url = imaps://127.0.0.1:$HP
user = $IT_USER
password_file = $IT/imap.pass
ca_file = $IT/tls/ca.pem
timeout = 2s

[contact:alice]
name = Alice Smith
email = alice@example.com
cadence = 1w
last = $(ago 20)

[contact:bob]
name = Bob Jones
email = bob@example.net
cadence = 2w
last = $(ago 30)

[calendar]
invites = no
CONF
it_smtp_config "$MX"
expect 0 check

# The hostile server's log: "connection N mode M", "greeting N complete",
# "closed N by the client after S s".
conns() { grep -c '^connection ' "$H/log" 2>/dev/null || true; }
last_conn() { grep '^connection ' "$H/log" 2>/dev/null | tail -1 | cut -d' ' -f2; }
# trickling: the newest connection is still in its greeting.
trickling() {
	c=$(last_conn)
	[ -n "$c" ] && ! grep -q "^greeting $c complete\$\|^closed $c " "$H/log"
}
# newer_trickling C: a connection after number C is in its greeting.
newer_trickling() { [ "$(conns)" -gt "$1" ] && trickling; }
closed() { grep -q "^closed $1 by the client" "$H/log"; }
threads() { find "/proc/$D_PID/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
# cpu: the daemon's CPU time so far, in seconds (user and system).
cpu() {
	sed 's/.*) //' "/proc/$D_PID/stat" 2>/dev/null |
	    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($12 + $13) / hz }'
}
notified() { grep -q " $1\$" "$N" 2>/dev/null; }
# first_at WHAT: seconds from T0 to the first sd_notify WHAT.
first_at() { awk -v t="$T0" -v w="$1" '$2 == w { printf "%.3f", $1 - t; exit }' "$N"; }

# ---- start, as systemd would ------------------------------------------------------------
: >"$IT/daemon.log"
T0=$(now)
NOTIFY_SOCKET="$IT/notify.sock" "$FOLLOWUPD" run 2>>"$IT/daemon.log" >/dev/null &
D_PID=$!

# READY=1, although the slow account is still connecting.
wait_for "$(slow 40)" notified READY=1 || fail "no READY=1: $(cat "$IT/daemon.log")"
echo "# READY=1 after $(first_at READY=1) s"
bound "READY=1 after the start" "$(first_at READY=1)" $((2 * 2 + 10 + 15))
wait_for "$(slow 10)" trickling ||
    fail "the slow account did not connect: $(cat "$H/log" "$H/stderr" 2>/dev/null)"

# The digest, within 40 s, while the slow account trickles.
digests() { grep -l '^Subject: Follow-ups' "$IT"/mx/mail/*.eml 2>/dev/null | wc -l; }
one_digest() { [ "$(digests)" -ge 1 ] && grep -q 'Sent the digest for' "$IT/daemon.log"; }
if wait_for "$(slow 60)" one_digest; then
	took=$(since "$T0")
	echo "# the digest reached the SMTP server after $took s, $(cpu) s of CPU time; the slow server then: $(tail -1 "$H/log")"
	bound "the digest after the start" "$took" 40
else
	fail "no digest within $(slow 60) s: $(cat "$IT/daemon.log")"
fi
# Waiting is sleeping: a loop that spun on the held-back digest used a
# whole core (12 s of CPU in these 13 s).
spent=$(cpu)
if [ "$STRICT" = yes ] && awk -v c="$spent" 'BEGIN { exit !(c > 3) }'; then
	fail "the daemon used $spent s of CPU while the digest waited for the slow account: it spins"
fi
[ "$(digests)" = 1 ] || fail "$(digests) digests, want 1"
grep -q '^To: .*<jane@example.org>' "$IT"/mx/mail/*.eml 2>/dev/null ||
    fail "the digest is not to jane: $(head -20 "$IT"/mx/mail/*.eml)"
# Sent before any failure of the slow account: the digest did not wait
# for it to give up on its greeting.
sent_line=$(grep -n 'Sent the digest for' "$IT/daemon.log" | head -1 | cut -d: -f1)
slow_line=$(grep -n 'imap slow: .*retrying in' "$IT/daemon.log" | head -1 | cut -d: -f1)
if [ -n "$sent_line" ] && [ -n "$slow_line" ] && [ "$slow_line" -lt "$sent_line" ]; then
	if [ "$STRICT" = yes ]; then
		fail "the digest waited for the slow account to fail: $(sed -n "${slow_line}p;${sent_line}p" "$IT/daemon.log")"
	else
		echo "# the digest was sent only after the slow account failed (not enforced here)"
	fi
fi
! grep -q 'imap slow: watching' "$IT/daemon.log" ||
    fail "the slow account got past its greeting: $(grep 'imap slow' "$IT/daemon.log")"

# The good account is watched all the same.
# watched N: the good account was watched N times (once per start or reload).
watched() { [ "$(grep -c 'imap good: watching "Sent" (IDLE)' "$IT/daemon.log")" -ge "$1" ]; }
wait_for "$(slow 10)" watched 1 || fail "the good account is not watched: $(cat "$IT/daemon.log")"

# ---- SIGHUP while the slow account trickles ------------------------------------------------
# A connection of the slow account made after the digest, in its greeting
# (the first ends about 18 s in; the next comes a few seconds later).
c0=$(conns)
wait_for "$(slow 40)" newer_trickling "$c0" ||
    fail "the slow account did not connect again: $(cat "$H/log")"
sleep 1
trickling || fail "the slow account's connection is not trickling: $(cat "$H/log")"
C=$(last_conn)
before=$(threads)
# reload_times T: "R S", seconds from T to the first RELOADING=1 after T
# and to the first READY=1 after that.
reload_times() {
	awk -v t="$1" '$1 >= t && $2 == "RELOADING=1" && r == "" { r = $1; next }
	    r != "" && $2 == "READY=1" { printf "%.3f %.3f\n", r - t, $1 - t; exit }' "$N"
}
reloaded() { [ -n "$(reload_times "$1")" ]; }
t=$(now)
kill -HUP "$D_PID"
wait_for "$(slow 10)" reloaded "$t" ||
    fail "no RELOADING=1 then READY=1 after SIGHUP: $(tail -3 "$N")"
# shellcheck disable=SC2046  # two numbers, split on purpose
set -- $(reload_times "$t")
echo "# SIGHUP during connection $C's greeting: RELOADING=1 after ${1:-never} s, READY=1 after ${2:-never} s"
bound "READY=1 after SIGHUP" "${2:-}" 2
# The retired worker's connection is cut at once, mid-greeting.
wait_for "$(slow 5)" closed "$C" ||
    fail "the daemon did not hang up on connection $C after SIGHUP: $(cat "$H/log")"
grep -q "^greeting $C complete" "$H/log" &&
    fail "connection $C finished its greeting before the daemon hung up: $(cat "$H/log")"
sleep 3
after=$(threads)
echo "# threads: $before before SIGHUP, $after 3 s after it; $(grep "^closed $C " "$H/log")"
[ "$after" -le "$before" ] ||
    fail "$after threads 3 s after SIGHUP, $before before it: the retired slow worker was left running"
wait_for "$(slow 10)" watched 2 || fail "the good account is not watched after SIGHUP: $(tail -5 "$IT/daemon.log")"

# ---- SIGTERM while the slow account trickles -----------------------------------------------
wait_for "$(slow 10)" newer_trickling "$C" ||
    fail "the slow account did not connect after SIGHUP: $(cat "$H/log")"
C=$(last_conn)
T_TERM=$(now)
kill -TERM "$D_PID"
gone() { ! it_running "$D_PID"; }
wait_for "$(slow 15)" gone || fail "still running $(since "$T_TERM") s after SIGTERM"
took=$(since "$T_TERM")
wait "$D_PID"
rc=$?
D_PID=
echo "# SIGTERM during connection $C's greeting: gone after $took s"
bound "exit after SIGTERM" "$took" 3
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM, want 0"
notified STOPPING=1 || fail "no STOPPING=1"
! grep -q 'did not end within' "$IT/daemon.log" ||
    fail "a worker was left behind: $(grep 'did not end within' "$IT/daemon.log")"
wait_for 5 closed "$C" || fail "connection $C was not closed by the daemon: $(cat "$H/log")"

if [ -n "${FOLLOWUPD_TRANSCRIPTS:-}" ] && mkdir -p "$FOLLOWUPD_TRANSCRIPTS"; then
	cat "$IT/daemon.log" >>"$FOLLOWUPD_TRANSCRIPTS/trickle.sh.txt"
fi
done_tests
