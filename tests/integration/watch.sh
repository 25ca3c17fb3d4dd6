#!/bin/sh
# The watcher against a real Dovecot: a message appended while watching is
# recorded within 5 seconds through IDLE (polling is set to an hour); a
# recreated folder (new UIDVALIDITY) is read again without recording
# anything twice; Dovecot stopped in the middle of a scan and started again
# ends with exactly the touches of an undisturbed scan.
. "$SRCDIR/tests/integration/lib.sh"

GEN="$IT_PYTHON $SRCDIR/tests/integration/gen_sent.py"
SENT="$IT/mail/jane/Maildir/.Sent"
N=20000

it_certs >/dev/null
it_dovecot_start
it_config "$($GEN contacts 400)"
sed -i '/^ca_file = /a poll_interval = 1h' "$FOLLOWUPD_CONFIG"
imapctl status Sent >/dev/null || fail "no Sent folder"
$GEN maildir "$SENT" "$N" 7
chown -R dovecot:dovecot "$IT/mail"

db() { sqlite3 "$1/followupd/followupd.db" "$2"; }
dump() { db "$1" "SELECT key, address, at FROM touches ORDER BY 1, 2" >"$2"; }

# The reference: one undisturbed scan in its own state.
XDG_STATE_HOME="$IT/ref" "$FOLLOWUPD" sync >"$IT/ref.out" 2>&1 || fail "reference sync: $(cat "$IT/ref.out")"
dump "$IT/ref" "$IT/ref.touches"
[ "$(wc -l <"$IT/ref.touches")" -gt 1000 ] || fail "reference: only $(wc -l <"$IT/ref.touches") touches"

# ---- interrupted scan -------------------------------------------------------
"$FOLLOWUPD" -v sync --watch >"$IT/w.out" 2>"$IT/w.err" &
W=$!
trap 'kill $W 2>/dev/null; it_cleanup' EXIT
last_uid() { db "$XDG_STATE_HOME" "SELECT last_uid FROM folders" 2>/dev/null; }
started() { [ "$(last_uid)" -gt 0 ] 2>/dev/null; }
wait_for 60 started || fail "the watcher never committed a batch"
kill -STOP "$W"
at_stop=$(last_uid)
it_dovecot_stop
kill -CONT "$W"
[ "$at_stop" -lt "$N" ] || fail "the scan finished before Dovecot was stopped (last UID $at_stop)"
sleep 1
it_dovecot_start
finished() { [ "$(last_uid)" = "$N" ]; }
wait_for 120 finished || fail "the watcher did not finish after the restart (last UID $(last_uid)); $(tail -3 "$IT/w.err")"
dump "$XDG_STATE_HOME" "$IT/w.touches"
cmp -s "$IT/ref.touches" "$IT/w.touches" ||
    fail "interrupted scan differs from the undisturbed one: $(diff "$IT/ref.touches" "$IT/w.touches" | head -5)"
has "$IT/w.err" "retrying in"
idle() { grep -q 'watching "Sent" (IDLE)' "$IT/w.err"; }
wait_for 20 idle || fail "the watcher is not in IDLE: $(cat "$IT/w.err")"
echo "# interrupted at UID $at_stop of $N; $(wc -l <"$IT/w.touches") touches as undisturbed"

# ---- IDLE push ---------------------------------------------------------------
printf 'To: Person Seven <person7@example0.org>\r\nDate: Sun, 22 Nov 2026 09:00:00 +0000\r\nMessage-ID: <pushed-1@example.org>\r\nSubject: pushed\r\n\r\nHi\r\n' >"$IT/push.eml"
sleep 1
start=$(date +%s.%N)
imapctl append Sent "$IT/push.eml" >/dev/null || fail "append while watching"
pushed() { [ "$(db "$XDG_STATE_HOME" "SELECT count(*) FROM touches WHERE key = 'pushed-1@example.org'")" = 1 ]; }
if wait_for 5 pushed; then
	end=$(date +%s.%N)
	echo "# appended message recorded after $(echo "$end - $start" | bc 2>/dev/null || echo "<5") s"
else
	fail "a message appended while watching was not recorded within 5 s"
fi
kill -TERM "$W"
wait "$W" || fail "the watcher exited with $? on SIGTERM"

# ---- UIDVALIDITY change --------------------------------------------------------
before=$(db "$XDG_STATE_HOME" "SELECT count(*) FROM touches")
imapctl recreate Sent >/dev/null || fail "recreate Sent"
$GEN maildir "$SENT" 300 7           # the first 300 again, same Message-IDs
$GEN maildir "$SENT" 50 8 "$((N + 100))"   # and 50 new ones
chown -R dovecot:dovecot "$IT/mail"
expect 0 sync
has "$T/out" "(read again: new UIDVALIDITY)"
has "$T/out" "350 new messages"
XDG_STATE_HOME="$IT/ref2" "$FOLLOWUPD" sync >/dev/null 2>&1 || fail "second reference sync"
after=$(db "$XDG_STATE_HOME" "SELECT count(*) FROM touches")
dups=$(db "$XDG_STATE_HOME" "SELECT count(*) FROM (SELECT key, address FROM touches GROUP BY 1, 2 HAVING count(*) > 1)")
[ "$dups" = 0 ] || fail "$dups touches recorded twice"
# Every touch of the recreated folder is in the state, and the state grew by
# exactly the touches of the 50 new messages.
missing=$(sqlite3 "$XDG_STATE_HOME/followupd/followupd.db" "ATTACH '$IT/ref2/followupd/followupd.db' AS r; SELECT count(*) FROM r.touches t WHERE NOT EXISTS (SELECT 1 FROM main.touches m WHERE m.key = t.key AND m.address = t.address)")
[ "$missing" = 0 ] || fail "$missing touches of the recreated folder are missing"
added=$(sqlite3 "$XDG_STATE_HOME/followupd/followupd.db" "ATTACH '$IT/ref2/followupd/followupd.db' AS r; SELECT count(*) FROM r.touches t WHERE t.key NOT IN (SELECT key FROM main.touches WHERE id <= $before)")
[ "$after" = "$((before + added))" ] || fail "after the rescan: $after touches, want $before + $added"
[ "$added" -gt 0 ] || fail "the 50 new messages gave no touch"

done_tests
