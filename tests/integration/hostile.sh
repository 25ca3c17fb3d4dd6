#!/bin/sh
# A hostile IMAP server (tests/integration/hostile_imapd.py, TLS with the
# test CA) against `followupd sync` and `followupd run`: a junk greeting,
# FETCH answers that break the grammar, a literal of 2 GB that never
# comes, a literal of 64 MiB that does, a 16 MiB line, BYE in the middle
# of a FETCH, answers out of order, 60,000 untagged lines, and a flood of
# junk during IDLE; before TLS or login: an endless greeting (plain, imaps,
# and imaps with a self-signed certificate, refused before any IMAP is
# read), a greeting ending in a literal of {2000000000}, an endless
# CAPABILITY line before STARTTLS, a 64 MiB literal after STARTTLS;
# 5,000,000 EXISTS lines; 100,000 nested parentheses in the BODYSTRUCTURE
# of a pending reply to the digest (given up after SYNC_REPLY_TRIES syncs,
# a try that is killed counted too); control characters in a folder name
# and a server's error text (no forged log line, no second sd_notify
# assignment); a TLS handshake cut short, on imaps and after STARTTLS
# (GnuTLS's reason in followupd's message: every line on stderr is
# followupd's); an empty UID SEARCH after EXISTS 3, as GNU imap4d answers,
# and a UID FETCH (UID) that lists nothing either (no matter: a sync reads
# the folder with one UID FETCH 1:* of the headers, no search); UTF8=ACCEPT enabled and a \Sent folder
# that is not ASCII. Each sync ends with a message naming the account and
# exit 75 (or 0 where the junk is harmless, 69 where the user must act),
# never a crash or a hang, within HOSTILE_MAX_KB of memory (below); the
# state stays intact. The daemon, fed junk in IDLE connection after
# connection, logs, reconnects with growing delays, keeps its memory flat,
# and works again once the server behaves.
. "$SRCDIR/tests/integration/lib.sh"

[ -x /usr/bin/time ] || it_skip "/usr/bin/time is not installed"
it_certs >/dev/null
H="$IT/hostile"
mkdir -p "$H"
HP=$(it_free_port)   # imaps, the CA's certificate
PP=$(it_free_port)   # plain, STARTTLS
SP=$(it_free_port)   # imaps on 127.0.0.2, self-signed
/usr/bin/python3 "$IT_SRC/hostile_imapd.py" "$H" "$HP" "$IT/tls/good.pem" "$IT/tls/good.key" \
    "$PP" "$SP" "$IT/tls/self.pem" "$IT/tls/self.key" 2>"$H/stderr" &
echo $! >"$H/pid"
D_PID= N_PID=
trap '[ -n "$D_PID" ] && kill -9 "$D_PID" 2>/dev/null; [ -n "$N_PID" ] && kill "$N_PID" 2>/dev/null; kill "$(cat "$H/pid")" 2>/dev/null; it_cleanup' EXIT
hready() { [ -f "$H/ready" ]; }
wait_for 10 hready || fail "the hostile server did not start: $(cat "$H/stderr")"
# hconf imaps|starttls|self: the account on one of the server's ports.
hconf() {
	IT_IMAPS_PORT=$HP it_config '[contact:alice]' 'name = Alice' 'email = alice@example.com' \
	    'cadence = 2w'
	case $1 in
	starttls) sed -i "s|^url = .*|url = imap://127.0.0.1:$PP|" "$FOLLOWUPD_CONFIG" ;;
	self) sed -i "s|^url = .*|url = imaps://127.0.0.2:$SP|" "$FOLLOWUPD_CONFIG" ;;
	esac
}
hconf imaps
DB="$XDG_STATE_HOME/followupd/followupd.db"
# The bound on followupd's peak memory against a hostile server: the
# 64 MiB that capstream lets one response have, once more for the copy
# libetpan makes of it (a literal's MMAPString next to the stream buffer),
# and 32 MiB for followupd itself (about 19 MB against a good server) and
# libetpan's structures (at most CAPSTREAM_MAX_ITEMS of them).
HOSTILE_MAX_KB=$(( (64 + 64 + 32) * 1024 ))
# Memory is followupd's own only in the plain build: ASan and valgrind add
# their own (shadow memory, quarantine) to what /usr/bin/time sees.
measure=yes
if [ -n "${FOLLOWUPD_WRAPPER:-}" ] || ldd "$FOLLOWUPD" 2>/dev/null | grep -q libasan; then
	measure=no
	echo "# memory not measured here: an ASan or valgrind build (the plain build's run measures it)"
fi

# ---- sync against each mode ------------------------------------------------------
# hsync NAME WANT SAYS: one `followupd sync` (NAME for the figures), its
# exit status, what it must say, its peak memory within the bound.
hsync() {
	/usr/bin/time -o "$IT/time" -f '%M' timeout 60 "$FOLLOWUPD" sync >"$IT/out" 2>"$IT/err"
	rc=$?
	cat "$IT/out" "$IT/err" >>"${FOLLOWUPD_TRANSCRIPTS:-/dev/null}/hostile.sh.txt" 2>/dev/null
	kb=$(tail -1 "$IT/time")
	echo "# $1: exit $rc, peak RSS $((kb / 1024)) MB: $(head -1 "$IT/err" "$IT/out" | grep -v '^==' | head -2 | tr '\n' ' ')"
	[ "$rc" = "$2" ] || fail "$1: exit $rc, want $2; $(cat "$IT/err")"
	grep -qF -- "$3" "$IT/err" "$IT/out" || fail "$1: no '$3' in: $(cat "$IT/err" "$IT/out")"
	# Every line is followupd's own (valgrind's "==PID==" lines aside).
	! grep -v '^followupd: \|^==' "$IT/err" >"$IT/stray" ||
	    fail "$1: a line that is not followupd's on stderr: $(cat "$IT/stray")"
	[ "$measure" = no ] || [ "$kb" -lt "$HOSTILE_MAX_KB" ] 2>/dev/null ||
	    fail "$1: $kb KB of memory, over $HOSTILE_MAX_KB"
	if [ -f "$DB" ]; then
		[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "$1: the state is damaged"
	fi
}
echo "# peak RSS bound: $((HOSTILE_MAX_KB / 1024)) MB"

# mode, the port (imaps, starttls, self), the exit status wanted, what
# stderr must say
while IFS='|' read -r mode port want says; do
	echo "$mode" >"$H/mode"
	hconf "$port"
	rm -rf "$XDG_STATE_HOME"
	hsync "$mode ($port)" "$want" "$says"
done <<'MODES'
good|imaps|0|imap jane: Sent: 3 new messages, 1 follow-up recorded
good|starttls|0|imap jane: Sent: 3 new messages, 1 follow-up recorded
endless-greeting|imaps|75|(the server's response is larger than 64 MiB: dropped)
endless-greeting|starttls|75|(the server's response is larger than 64 MiB: dropped)
endless-greeting|self|69|imap jane: TLS certificate for 127.0.0.2 is not trusted (issuer unknown)
literal-greeting|imaps|75|(the server sent a literal in its greeting or a continuation, which libetpan cannot parse: dropped)
endless-capability|starttls|75|imap jane: CAPABILITY: the server's response is larger than 64 MiB: dropped
starttls-big|starttls|75|imap jane: UID FETCH: the server's answer was dropped: a header of more than 1 MiB
many-exists|imaps|75|imap jane: EXAMINE: the server's response has more than 1048576 items: dropped
esc-login|imaps|69|imap jane: login failed: ?]0;pwned??[31m? denied
garbage|imaps|75|imap jane: cannot connect to 127.0.0.1:
malformed|imaps|75|imap jane: UID FETCH: the server's answer was dropped: the FETCH response of message 1 does not parse: a UID that is not a number
huge-literal|imaps|75|imap jane: UID FETCH: the server's answer was dropped: a header of more than 1 MiB
big-literal|imaps|75|imap jane: UID FETCH: the server's answer was dropped: a header of more than 1 MiB
long-line|imaps|75|imap jane: UID FETCH: the server's answer was dropped: a line of more than 64 KiB
bye-fetch|imaps|75|imap jane: UID FETCH: the server closed the connection: going away now
out-of-order|imaps|0|imap jane: Sent: 
many|imaps|0|imap jane: Sent: 3 new messages, 1 follow-up recorded
tls-drop|imaps|75|(TLS handshake failed: 
tls-drop|starttls|75|failed (TLS handshake: 
imap4d|imaps|0|imap jane: Sent: 3 new messages, 1 follow-up recorded
imap4d-blind|imaps|0|imap jane: Sent: 3 new messages, 1 follow-up recorded
utf8|imaps|0|imap jane: Éléments envoyés: 3 new messages, 1 follow-up recorded
MODES
grep -q 'enabled UTF8=ACCEPT' "$H/log" || fail "utf8: UTF8=ACCEPT was not enabled"
ESC=$(printf '\033')
echo esc-login >"$H/mode"
hconf imaps
hsync "esc-login again" 69 "login failed:"
! grep -q "$ESC" "$IT/err" || fail "an escape sequence reached stderr: $(od -c "$IT/err" | head)"

# ---- a reply to the digest that nests 100,000 deep ---------------------------------
# A good sync first, then a pending reply (UID 2) as the scan of a reply
# to a digest would record it; its BODYSTRUCTURE is the deep one.
echo good >"$H/mode"
rm -rf "$XDG_STATE_HOME"
hsync "good before deep" 0 "3 new messages"
pend() {
	sqlite3 "$DB" "DELETE FROM reply_pending; INSERT INTO reply_pending (message_id, account, folder, uid, at, attempts) VALUES ('deep@example.org', 'default', 'Sent', 2, $(date +%s), 0);"
}
attempts() { sqlite3 "$DB" "SELECT attempts FROM reply_pending WHERE message_id = 'deep@example.org'"; }
pend
echo deep >"$H/mode"
for try in 1 2 3; do
	hsync "deep (try $try)" 75 "UID FETCH BODYSTRUCTURE: the server's response nests deeper than 128 levels: dropped"
	[ "$(attempts)" = "$try" ] || fail "deep: $(attempts) attempts counted after $try syncs"
done
hsync "deep (given up)" 0 "the reply <deep@example.org> could not be read in 3 tries: given up"
[ -z "$(attempts)" ] || fail "deep: the reply is still pending"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM replies WHERE message_id = 'deep@example.org'")" = 1 ] ||
    fail "deep: the reply given up is not recorded as done"
# A try that never ends, killed as a crash would end it, counts too.
pend
echo deep-hang >"$H/mode"
: >"$H/log"
"$FOLLOWUPD" sync >"$IT/out" 2>"$IT/err" &
D_PID=$!
asked() { grep -q 'bodystructure asked' "$H/log"; }
wait_for 30 asked || fail "deep-hang: the BODYSTRUCTURE was not asked for: $(cat "$IT/err")"
kill -9 "$D_PID"
wait "$D_PID" 2>/dev/null
D_PID=
[ "$(attempts)" = 1 ] || fail "deep-hang: a killed try is not counted ($(attempts) attempts)"
echo "# deep-hang: the killed try counted: $(attempts) attempt"

# ---- a folder name and STATUS= ------------------------------------------------------
# The \Sent folder's name has LFs: not used, not a line of the log, not an
# assignment of sd_notify.
echo lf-folder >"$H/mode"
rm -rf "$XDG_STATE_HOME"
hsync "lf-folder" 69 "imap jane: no Sent folder found"
! grep -q '^followupd: forged\|^WATCHDOG\|^STOPPING' "$IT/err" "$IT/out" ||
    fail "lf-folder: a forged line: $(cat "$IT/err")"
: >"$H/log"
"$IT_PYTHON" "$IT_SRC/notifysock.py" "$IT/notify.sock" "$IT/notify.out" 2>"$IT/notify.err" &
N_PID=$!
nready() { [ -f "$IT/notify.out.ready" ]; }
wait_for 10 nready || fail "notifysock did not start: $(cat "$IT/notify.err")"
NOTIFY_SOCKET=$IT/notify.sock "$FOLLOWUPD" run 2>"$IT/run.log" >/dev/null &
D_PID=$!
tried() { grep -q 'no Sent folder found' "$IT/run.log" && grep -q 'STATUS=.*failing' "$IT/notify.out"; }
wait_for 30 tried || fail "lf-folder: the daemon did not fail on the folder: $(cat "$IT/run.log")"
kill -0 "$D_PID" 2>/dev/null || fail "lf-folder: the daemon died"
# Before SIGTERM: no STOPPING=1, no WATCHDOG=trigger, no forged log line.
! grep -q ' STOPPING=\| WATCHDOG=trigger\| followupd: forged' "$IT/notify.out" ||
    fail "lf-folder: an extra sd_notify assignment: $(cat "$IT/notify.out")"
! grep -q '^followupd: forged\|^<[0-9]>forged\|^WATCHDOG\|^STOPPING' "$IT/run.log" ||
    fail "lf-folder: a forged log line: $(cat "$IT/run.log")"
echo "# lf-folder: $(grep -c . "$IT/notify.out") sd_notify assignments, none forged; log: $(grep 'Sent folder' "$IT/run.log" | head -1)"
kill -TERM "$D_PID"
wait "$D_PID"
D_PID=
kill "$N_PID" 2>/dev/null
wait "$N_PID" 2>/dev/null
N_PID=

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
