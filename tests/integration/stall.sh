#!/bin/sh
# Servers that stall do not stall the daemon (issue 18). followupd run with
# the feed server on and WATCHDOG_USEC of 4 s, against
#   - an SMTP server that accepts and then never says a word
#     (silent_smtpd.py), [smtp] timeout = 2s, a digest due at once;
#   - an IMAP server that stops answering in the middle of the first
#     UID FETCH: freezeproxy.py in front of the real Dovecot (imaps) lets
#     100,000 bytes through, then forwards nothing and keeps the
#     connection open; the Sent folder holds 3,000 messages (1.4 MB of
#     headers), [imap] timeout = 3s.
# While they stall:
#   - a GET of the feed every 0.5 s is answered 200 within 2 s, every one;
#   - SIGHUP, while the digest's send and a FETCH are stuck at once, and
#     again while a FETCH is frozen, is answered by RELOADING=1 and READY=1
#     within 1 s, the log says "reloaded" and the feed answers;
#   - WATCHDOG=1 never waits longer than half of WATCHDOG_USEC (plus 0.5 s
#     of scheduling: the daemon pings every half);
#   - the stalled send of the digest ends at its deadline (the silent
#     server sees the client hang up 2 s after it connected, give or take)
#     as a temporary failure: the log says it will be tried again, and it
#     is, a minute later (a second connection to the silent server);
#   - each frozen IMAP connection is given up (closed by the daemon) and
#     the log says the account is retried;
#   - SIGTERM while a FETCH is frozen ends the process within 2 s, exit 0,
#     after STOPPING=1.
# About 90 s, most of it the digest's retry minute.
#
# The bounds are wide (the work behind each is milliseconds), but they are
# about time: under valgrind (FOLLOWUPD_WRAPPER, scripts/valgrind.sh),
# which runs the daemon tens of times slower and its threads one at a
# time, the same steps run and must all happen, yet a bound overrun is
# reported as a "#" line, not a failure. The ASan build, about twice as
# slow on CPU work, is held to the bounds.
. "$SRCDIR/tests/integration/lib.sh"

. "$SRCDIR/tests/integration/timing.sh"

it_certs >/dev/null
it_dovecot_start
D_PID=
trap '[ -n "$D_PID" ] && kill -9 "$D_PID" 2>/dev/null
for p in "$IT"/*/pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; it_cleanup' EXIT

# bg NAME COMMAND...: a helper in the background, its pid in $IT/NAME/pid
# (the trap stops it).
bg() {
	name=$1; shift
	mkdir -p "$IT/$name"
	"$@" 2>"$IT/$name/stderr" &
	echo $! >"$IT/$name/pid"
}
helper_ready() { [ -f "$IT/$1/ready" ]; }

# ---- the servers ---------------------------------------------------------------
imapctl status Sent >/dev/null || fail "no Sent folder"
"$IT_PYTHON" "$IT_SRC/gen_sent.py" maildir "$IT/mail/jane/Maildir/.Sent" 3000 7
chown -R dovecot:dovecot "$IT/mail"
# 100,000 bytes: past the login and the folder's selection (3 KB; 18 KB
# where a UID SEARCH comes first), well inside the headers of the first
# scan (about 470 bytes a message, 1.4 MB in all; 240 KB where they are
# fetched 500 at a time), and before the first commit of what was read:
# every connection freezes at the same point.
FREEZE=100000
PX=$(it_free_port)
bg px "$IT_PYTHON" "$IT_SRC/freezeproxy.py" "$IT/px" "$PX" "$IT_IMAPS_PORT" "$FREEZE"
MX=$(it_free_port)
bg mx "$IT_PYTHON" "$IT_SRC/silent_smtpd.py" "$IT/mx" "$MX"
N="$IT/notify"
bg ns "$IT_PYTHON" "$IT_SRC/notifysock.py" "$IT/notify.sock" "$N"
nready() { [ -f "$N.ready" ]; }
wait_for 10 helper_ready px || fail "freezeproxy did not start: $(cat "$IT/px/stderr")"
wait_for 10 helper_ready mx || fail "silent_smtpd did not start: $(cat "$IT/mx/stderr")"
wait_for 10 nready || fail "notifysock did not start: $(cat "$IT/ns/stderr")"

# ---- the configuration -----------------------------------------------------------
# Dates from one reading of the clock. digest_time 00:00 has passed
# whenever the test runs: the daemon sends the day's digest at start.
NOW=$(date -u +%s)
ago() { date -u -d "@$((NOW - $1 * 86400))" +%Y-%m-%d; }
HTTP=$(it_free_port)
it_config \
    '[contact:alice]' 'name = Alice Smith' 'email = alice@example.com' 'cadence = 1w' \
    "last = $(ago 20)" '' \
    '[contact:bob]' 'name = Bob Jones' 'email = bob@example.net' 'cadence = 2w' \
    "last = $(ago 30)"
it_config_set digest_time 00:00
sed -i "s|^url = imaps://.*|url = imaps://127.0.0.1:$PX\ntimeout = 3s|" "$FOLLOWUPD_CONFIG"
it_smtp_config "$MX"
printf '%s\n' 'timeout = 2s' '' '[calendar]' "listen = 127.0.0.1:$HTTP" 'invites = no' \
    >>"$FOLLOWUPD_CONFIG"
expect 0 check

# ---- start, as systemd would --------------------------------------------------------
STATE="$XDG_STATE_HOME/followupd"
: >"$IT/daemon.log"
T0=$(now)
NOTIFY_SOCKET="$IT/notify.sock" WATCHDOG_USEC=4000000 "$FOLLOWUPD" run 2>>"$IT/daemon.log" >/dev/null &
D_PID=$!
notified() { grep -q " $1\$" "$N" 2>/dev/null; }
wait_for "$(slow 20)" notified READY=1 || fail "no READY=1: $(cat "$IT/daemon.log")"
token() { [ -s "$STATE/feed.token" ]; }
wait_for "$(slow 10)" token || fail "no feed token: $(cat "$IT/daemon.log")"
TOKEN=$(head -1 "$STATE/feed.token")
secret "$TOKEN"
URL="http://127.0.0.1:$HTTP/$TOKEN/followups.ics"
# A calendar client polling the feed through all that follows.
bg get "$IT_PYTHON" "$IT_SRC/feedget.py" loop "$URL" 0.5 "$IT/get/stop" "$IT/get/log"

# proxy_has / mx_has PATTERN: a line of the helper's log matches.
proxy_has() { grep -q "$1" "$IT/px/log" 2>/dev/null; }
mx_has() { grep -q "$1" "$IT/mx/log" 2>/dev/null; }
# at LOG PATTERN: the time of the first line of LOG matching PATTERN.
at() { awk -v p="$2" '$0 ~ p { print $1; exit }' "$1" 2>/dev/null; }
wait_for "$(slow 20)" proxy_has ' frozen 1 ' ||
    fail "the first IMAP connection did not reach its FETCH: $(cat "$IT/px/log" "$IT/daemon.log")"

# ---- the digest meets the silent server; SIGHUP while both stall ---------------
# reload_times T: "R S", seconds from T to the first RELOADING=1 after T
# and to the first READY=1 after that.
reload_times() {
	awk -v t="$1" '$1 >= t && $2 == "RELOADING=1" && r == "" { r = $1; next }
	    r != "" && $2 == "READY=1" { printf "%.3f %.3f\n", r - t, $1 - t; exit }' "$N"
}
reloaded() { [ -n "$(reload_times "$1")" ]; }
# hup WHEN: SIGHUP; RELOADING=1 and READY=1 within 1 s, the log says
# "reloaded", and the feed answers.
hups=0
hup() {
	t=$(now)
	kill -HUP "$D_PID"
	hups=$((hups + 1))
	wait_for "$(slow 10)" reloaded "$t" ||
	    fail "$1: no RELOADING=1 then READY=1 within $(slow 10) s of SIGHUP: $(grep -v WATCHDOG "$N" | tail -3)"
	set -- "$1" $(reload_times "$t")
	echo "# SIGHUP $1: RELOADING=1 after ${2:-never} s, READY=1 after ${3:-never} s"
	bound "READY=1 after SIGHUP $1" "${3:-}" 1
	log_reloaded() { [ "$(grep -c 'reloaded: 2 contacts' "$IT/daemon.log")" -ge "$hups" ]; }
	wait_for "$(slow 5)" log_reloaded || fail "$1: the log does not say reloaded: $(tail -3 "$IT/daemon.log")"
	"$IT_PYTHON" "$IT_SRC/feedget.py" count "$URL" 1 0 >"$IT/get1"
	grep -q '^n 1 ok 1 ' "$IT/get1" || fail "$1: the feed after the reload: $(cat "$IT/get1")"
}
# frozen_now: an IMAP connection is frozen at this moment.
frozen_now() {
	awk '$2 == "frozen" { f[$3] = 1 } $2 == "closed" { sub(":", "", $3); delete f[$3] }
	    END { for (k in f) n++; exit !(n > 0) }' "$IT/px/log"
}
mx_open() { mx_has ' connection 1$' && ! mx_has ' closed 1 '; }
wait_for "$(slow 30)" mx_has ' connection 1$' ||
    fail "the digest was not tried: $(cat "$IT/daemon.log")"
# The send stalls for its 2 s; the account, after its first failure, is
# connecting again and freezes: SIGHUP when both are stuck at once (with
# one thread, as before issue 18, they never are; then during the send).
n=0
while ! frozen_now && mx_open && [ "$n" -lt 15 ]; do
	sleep 0.1
	n=$((n + 1))
done
if frozen_now && mx_open; then
	hup "while a send and a FETCH stall"
else
	hup "while a send stalls (no FETCH was frozen then)"
fi

# ---- the stalled send: a temporary failure at its deadline, then a retry --------
tried() { [ "$(grep -c 'tried again' "$IT/daemon.log")" -ge "$1" ]; }
wait_for "$(slow 20)" tried 1 ||
    fail "the stalled digest did not fail as temporary: $(cat "$IT/daemon.log")"
grep -q "smtp jane: .*127\.0\.0\.1:$MX" "$IT/daemon.log" ||
    fail "the log does not name the silent server: $(grep -i smtp "$IT/daemon.log")"
hung_up() { mx_has "^[0-9.]* closed $1 by the client"; }
wait_for "$(slow 20)" hung_up 1 || fail "the daemon never hung up on the silent server: $(cat "$IT/mx/log")"
echo "# silent SMTP server, 1st connection (SIGHUP during it): given up $(sed -n 's/.* closed 1 by the client //p' "$IT/mx/log")"
T_FAIL1=$(at "$IT/mx/log" ' closed 1 by the client')
# The retry, a minute after the failure: wait 90 s.
wait_for 90 mx_has ' connection 2$' ||
    fail "the digest was not tried again within 90 s of the failure: $(cat "$IT/mx/log" "$IT/daemon.log")"
T_CONN2=$(at "$IT/mx/log" ' connection 2$')
echo "# the digest tried again $(awk -v a="$T_FAIL1" -v b="$T_CONN2" 'BEGIN { printf "%.0f", b - a }') s after the first failure"
# No signal this time: this send can only end at its deadline of 2 s.
wait_for "$(slow 20)" hung_up 2 || fail "the daemon never hung up on the silent server: $(cat "$IT/mx/log")"
held=$(sed -n 's/.* closed 2 by the client after \([0-9.]*\) s$/\1/p' "$IT/mx/log")
echo "# silent SMTP server, 2nd connection: given up after $held s (timeout = 2s)"
awk -v h="$held" 'BEGIN { exit !(h >= 1.5) }' || fail "the send gave up after $held s, before its deadline of 2 s"
bound "a silent SMTP server held the send" "$held" 10
wait_for "$(slow 10)" tried 2 || fail "the second failure is not temporary: $(tail -5 "$IT/daemon.log")"

# ---- the frozen IMAP connections ----------------------------------------------------
grep -q "imap jane: .*FETCH.*retrying in" "$IT/daemon.log" ||
    fail "the log does not say the FETCH failed and is retried: $(grep 'imap jane' "$IT/daemon.log")"
frozen=$(grep -c ' frozen ' "$IT/px/log")
worst=$(sed -n 's/.* closed [0-9]* by the client, \([0-9.]*\) s after freezing$/\1/p' "$IT/px/log" |
    sort -n | tail -1)
echo "# IMAP: $frozen connections frozen mid-FETCH; the longest the daemon held one: ${worst:-?} s (timeout = 3s)"
[ -n "$worst" ] || fail "the daemon never gave up a frozen IMAP connection: $(cat "$IT/px/log")"
bound "a frozen IMAP connection held" "$worst" 13

# ---- SIGHUP and SIGTERM while a FETCH is frozen --------------------------------
# A reload connects the account again at once, and it freezes again.
more_frozen() { [ "$(grep -c ' frozen ' "$IT/px/log")" -gt "$1" ]; }
hup "to reconnect the account"
wait_for "$(slow 15)" frozen_now || fail "the account did not freeze again after SIGHUP: $(tail -3 "$IT/px/log")"
f=$(grep -c ' frozen ' "$IT/px/log")
hup "while a FETCH is frozen"
wait_for "$(slow 15)" more_frozen "$f" && wait_for "$(slow 15)" frozen_now ||
    fail "the account did not freeze again after SIGHUP: $(tail -3 "$IT/px/log")"
touch "$IT/get/stop"
T_TERM=$(now)
kill -TERM "$D_PID"
gone() { ! it_running "$D_PID"; }
wait_for "$(slow 15)" gone || fail "still running $(since "$T_TERM") s after SIGTERM"
took=$(since "$T_TERM")
wait "$D_PID"
rc=$?
D_PID=
echo "# SIGTERM during a frozen FETCH: gone after $took s"
bound "exit after SIGTERM during a frozen FETCH" "$took" 2
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM, want 0"
notified STOPPING=1 || fail "no STOPPING=1"
get_done() { ! it_running "$(cat "$IT/get/pid")"; }
wait_for 35 get_done || fail "the feed client is stuck"

# ---- the feed, all along ---------------------------------------------------------------
# The GETs that started 2 s or more before SIGTERM (the later ones may run
# into it): all 200, each within 2 s.
awk -v end="$T_TERM" '$1 < end - 2' "$IT/get/log" >"$IT/gets"
n=$(wc -l <"$IT/gets")
failed=$(awk '$2 != 200' "$IT/gets" | wc -l)
late=$(awk '$2 == 200 && $3 > 2' "$IT/gets" | wc -l)
slowest=$(sort -k3 -n "$IT/gets" | tail -1 | cut -d' ' -f3)
echo "# $n GETs of the feed while the servers stalled: $failed failed, $late took over 2 s; the slowest took ${slowest:-?} s"
[ "$n" -ge 20 ] || fail "only $n GETs of the feed"
[ "$failed" = 0 ] || fail "$failed of $n GETs were not answered 200: $(awk '$2 != 200' "$IT/gets" | head -3 | tr '\n' ';')"
[ "$late" = 0 ] || bound "the slowest of $n GETs of the feed" "$slowest" 2

# ---- the watchdog, all along --------------------------------------------------------------
gap=$(awk -v start="$T0" -v end="$T_TERM" 'BEGIN { last = start }
    $2 == "WATCHDOG=1" && $1 <= end { if ($1 - last > max) max = $1 - last; last = $1 }
    END { if (end - last > max) max = end - last; printf "%.2f", max }' "$N")
echo "# the longest wait between two WATCHDOG=1: $gap s (WATCHDOG_USEC 4 s: a ping every 2 s)"
[ "$(grep -c ' WATCHDOG=1$' "$N")" -ge 10 ] || fail "only $(grep -c ' WATCHDOG=1$' "$N") WATCHDOG=1"
bound "the longest wait between two WATCHDOG=1" "$gap" 2.5

if [ -n "${FOLLOWUPD_TRANSCRIPTS:-}" ] && mkdir -p "$FOLLOWUPD_TRANSCRIPTS"; then
	cat "$IT/daemon.log" >>"$FOLLOWUPD_TRANSCRIPTS/stall.sh.txt"
fi
done_tests
