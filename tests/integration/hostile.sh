#!/bin/sh
# A hostile IMAP server (tests/integration/hostile_imapd.py, TLS with the
# test CA) against `followupd sync` and `followupd run`: a junk greeting,
# FETCH answers that break the grammar, a literal of 2 GB that never
# comes, a literal of 64 MiB that does, a 16 MiB line, BYE in the middle
# of a FETCH, answers out of order, 60,000 untagged lines, and a flood of
# junk during IDLE. Each sync ends with a message naming the account and
# exit 75 (or 0 where the junk is harmless), never a crash or a hang,
# within 150 MB of memory (the cap on one response is 64 MiB); the state
# stays intact. The daemon, fed junk in IDLE connection after connection,
# logs, reconnects with growing delays, keeps its memory flat, and works
# again once the server behaves.
. "$SRCDIR/tests/integration/lib.sh"

[ -x /usr/bin/time ] || it_skip "/usr/bin/time is not installed"
it_certs >/dev/null
H="$IT/hostile"
mkdir -p "$H"
HP=$(it_free_port)
/usr/bin/python3 "$IT_SRC/hostile_imapd.py" "$H" "$HP" "$IT/tls/good.pem" "$IT/tls/good.key" \
    2>"$H/stderr" &
echo $! >"$H/pid"
D_PID=
trap '[ -n "$D_PID" ] && kill -9 "$D_PID" 2>/dev/null; kill "$(cat "$H/pid")" 2>/dev/null; it_cleanup' EXIT
hready() { [ -f "$H/ready" ]; }
wait_for 10 hready || fail "the hostile server did not start: $(cat "$H/stderr")"
IT_IMAPS_PORT=$HP it_config '[contact:alice]' 'name = Alice' 'email = alice@example.com' 'cadence = 2w'
DB="$XDG_STATE_HOME/followupd/followupd.db"
# Memory is followupd's own only in the plain build: ASan and valgrind add
# their own (shadow memory, quarantine) to what /usr/bin/time sees.
measure=yes
if [ -n "${FOLLOWUPD_WRAPPER:-}" ] || ldd "$FOLLOWUPD" 2>/dev/null | grep -q libasan; then
	measure=no
	echo "# memory not measured here: an ASan or valgrind build (the plain build's run measures it)"
fi

# ---- sync against each mode ------------------------------------------------------
# mode, the exit status wanted, what stderr must say
while IFS='|' read -r mode want says; do
	echo "$mode" >"$H/mode"
	rm -rf "$XDG_STATE_HOME"
	/usr/bin/time -o "$IT/time" -f '%M' timeout 60 "$FOLLOWUPD" sync >"$IT/out" 2>"$IT/err"
	rc=$?
	cat "$IT/out" "$IT/err" >>"${FOLLOWUPD_TRANSCRIPTS:-/dev/null}/hostile.sh.txt" 2>/dev/null
	kb=$(tail -1 "$IT/time")
	echo "# $mode: exit $rc, $((kb / 1024)) MB at most: $(head -1 "$IT/err" "$IT/out" | grep -v '^==' | head -2 | tr '\n' ' ')"
	[ "$rc" = "$want" ] || fail "$mode: exit $rc, want $want; $(cat "$IT/err")"
	grep -qF -- "$says" "$IT/err" "$IT/out" || fail "$mode: no '$says' in: $(cat "$IT/err" "$IT/out")"
	[ "$measure" = no ] || [ "$kb" -lt 153600 ] 2>/dev/null || fail "$mode: $kb KB of memory"
	if [ -f "$DB" ]; then
		[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "$mode: the state is damaged"
	fi
done <<'MODES'
good|0|imap jane: Sent: 3 new messages, 1 follow-up recorded
garbage|75|imap jane: cannot connect to 127.0.0.1:
malformed|75|imap jane: UID FETCH: cannot parse the server's response
huge-literal|75|imap jane: UID FETCH: connection to 127.0.0.1:
big-literal|75|imap jane: UID FETCH: the server's response is larger than 64 MiB: dropped
long-line|75|imap jane: UID FETCH: connection to 127.0.0.1:
bye-fetch|75|imap jane: UID FETCH: connection to 127.0.0.1:
out-of-order|0|imap jane: Sent: 
many|0|imap jane: Sent: 3 new messages, 1 follow-up recorded
MODES

# ---- the daemon, junk in IDLE again and again ------------------------------------------
echo idle-junk >"$H/mode"
rm -rf "$XDG_STATE_HOME"
: >"$H/log"
"$FOLLOWUPD" run 2>"$IT/run.log" >/dev/null &
D_PID=$!
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$D_PID/status"; }
conns() { wc -l <"$H/log"; }
two() { [ "$(conns)" -ge 2 ]; }
wait_for 20 two || fail "the daemon did not reconnect: $(cat "$IT/run.log")"
rss0=$(rss)
four() { [ "$(conns)" -ge 4 ]; }
wait_for 40 four || fail "the daemon stopped reconnecting: $(cat "$IT/run.log")"
rss1=$(rss)
kill -0 "$D_PID" 2>/dev/null || fail "the daemon died"
echo "# IDLE junk: $(conns) connections, RSS $rss0 KB after the 2nd, $rss1 KB after the 4th"
[ "$measure" = no ] || [ "$rss1" -le "$((rss0 + 4096))" ] || fail "memory grows with each reconnection: $rss0 -> $rss1 KB"
# Growing delays: 2 s, then 4 s, then 8 s (each from the upper half).
delays=$(grep -o 'retrying in [0-9]* s' "$IT/run.log" | grep -o '[0-9]*' | tr '\n' ' ')
set -- $delays
[ "$#" -ge 3 ] && [ "$3" -gt "$1" ] || fail "the delays do not grow: $delays"
echo "# delays: $delays"
echo good >"$H/mode"
back() { [ "$(grep -c 'watching "Sent" (IDLE)' "$IT/run.log")" -ge 1 ] &&
    [ "$(tail -1 "$H/log" | grep -c 'mode good')" = 1 ]; }
wait_for 40 back || fail "the daemon did not come back to a good server: $(tail -5 "$IT/run.log")"
kill -TERM "$D_PID"
wait "$D_PID" || fail "exit $? after SIGTERM"
D_PID=
cat "$IT/run.log" >>"${FOLLOWUPD_TRANSCRIPTS:-/dev/null}/hostile.sh.txt" 2>/dev/null
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "the state is damaged"
done_tests
