#!/bin/sh
# Faults against the real servers, and what survives them:
# 1. SIGKILL at a random point of a sync, $IT_KILLS (50) times (each run reading the
#    folder from the start again), then a clean run: the database passes
#    integrity_check after every kill, and ends with exactly the touches of
#    an undisturbed sync, none lost, none doubled.
# 2. SIGKILL at a random point of a sync that applies a reply to the
#    digest, $IT_KILLS (50) times, each from the state before the reply was seen, and
#    a clean run after each: the reply is applied once, all of it.
# 3. The daemon with Dovecot killed (SIGKILL) while it is in IDLE, and
#    started again: it reconnects and records what was sent meanwhile.
# 4. The daemon with the SMTP server down at digest time: the digest is
#    tried again a minute later, once the server is back, and sent once.
# 5. The state directory on a full file system (a 2 MiB tmpfs): the daemon
#    says so, keeps running, and records everything once there is room;
#    the database is intact.
# (SIGKILL of digest and invite sends: tests/integration/smtp.sh and
# invites.sh, 50 times each.)
. "$SRCDIR/tests/integration/lib.sh"

/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || it_skip "python3-aiosmtpd is not installed"
command -v sqlite3 >/dev/null 2>&1 || it_skip "sqlite3 is not installed"
GEN="$IT_PYTHON $IT_SRC/gen_sent.py"
D_PID=
MNT=
trap '[ -n "$D_PID" ] && kill -9 "$D_PID" 2>/dev/null
for p in "$IT"/*/pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
[ -n "$MNT" ] && umount "$MNT" 2>/dev/null; it_cleanup' EXIT
it_certs >/dev/null
it_dovecot_start
it_smtpd mx "$IT/tls/good.pem" "$IT/tls/good.key"
MX=$PORT
N=20000
imapctl status Sent >/dev/null || fail "no Sent folder"
$GEN maildir "$IT/mail/jane/Maildir/.Sent" "$N" 13
chown -R dovecot:dovecot "$IT/mail"
d() { date -u -d "$1" +%Y-%m-%d; }
it_config "$($GEN contacts 300)" '' \
    '[contact:alice]' 'name = Alice Smith' 'email = alice@example.com' 'cadence = 2w' \
    "last = $(d '20 days ago')" '' \
    '[contact:bob]' 'name = Bob Jones' 'email = bob@example.net' 'cadence = 1m' \
    "last = $(d '40 days ago')"
it_smtp_config "$MX"
cat >>"$FOLLOWUPD_CONFIG" <<CONF

[calendar]
invites = no
CONF
it_config_set digest_time 00:00
db() { sqlite3 "$1/followupd/followupd.db" "$2"; }
dump() { db "$1" "SELECT key, address, at, via FROM touches ORDER BY 1, 2" >"$2"; }
intact() { [ "$(db "$1" 'PRAGMA integrity_check')" = ok ]; }
# rnd I MAX: a deterministic "random" number of milliseconds in [0, MAX).
rnd() { awk -v s="$1" -v m="$2" 'BEGIN { srand(s * 7919 + 17); printf "%d", int(rand() * m) }'; }
ms() { date +%s%3N; }
# killed_run I MAX_MS ARGS...: followupd ARGS, SIGKILLed after a random delay.
killed_run() {
	kr_seed=$1 kr_max=$2; shift 2
	"$FOLLOWUPD" "$@" >/dev/null 2>&1 &
	kp=$!
	delay=$(rnd "$kr_seed" "$kr_max")
	sleep "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }')"
	kill -KILL "$kp" 2>/dev/null
	wait "$kp" 2>/dev/null
	return 0
}

# ---- 1. kills during a sync ------------------------------------------------------
XDG_STATE_HOME="$IT/ref" "$FOLLOWUPD" sync >"$IT/ref.out" 2>&1 || fail "reference sync: $(cat "$IT/ref.out")"
dump "$IT/ref" "$IT/ref.touches"
[ "$(wc -l <"$IT/ref.touches")" -gt 1000 ] || fail "reference: only $(wc -l <"$IT/ref.touches") touches"
t0=$(ms)
XDG_STATE_HOME="$IT/timing" "$FOLLOWUPD" sync >/dev/null 2>&1
DUR=$(( $(ms) - t0 ))
echo "# an undisturbed sync of $N messages takes $DUR ms"
damaged=0 i=0
while [ "$i" -lt "$IT_KILLS" ]; do
	# Every other run reads the folder from the start again.
	if [ $((i % 2)) = 1 ]; then
		killed_run "$i" "$((DUR + 200))" sync --rescan
	else
		killed_run "$i" "$((DUR + 200))" sync
	fi
	[ -f "$XDG_STATE_HOME/followupd/followupd.db" ] && ! intact "$XDG_STATE_HOME" &&
	    damaged=$((damaged + 1))
	i=$((i + 1))
done
[ "$damaged" = 0 ] || fail "integrity_check failed after $damaged of $IT_KILLS kills"
expect 0 sync
dump "$XDG_STATE_HOME" "$IT/k.touches"
cmp -s "$IT/ref.touches" "$IT/k.touches" ||
    fail "after $IT_KILLS kills the touches differ from an undisturbed sync: $(diff "$IT/ref.touches" "$IT/k.touches" | head -5)"
dups=$(db "$XDG_STATE_HOME" "SELECT count(*) - count(DISTINCT key || '|' || address) FROM touches")
[ "$dups" = 0 ] || fail "$dups touches doubled"
echo "# $IT_KILLS kills during syncs: $(wc -l <"$IT/k.touches") touches, as undisturbed"

# ---- 2. kills while a reply to the digest is applied ------------------------------------
expect 0 digest
DIGEST_ID=$(sed -n 's/^Message-ID: *//p' "$(ls "$IT"/mx/mail/*.eml | tail -1)" | tr -d '\r')
case $DIGEST_ID in "<followupd.digest."*) ;; *) fail "no digest Message-ID: $DIGEST_ID" ;; esac
printf 'From: Jane <jane@example.org>\r\nTo: Jane <jane@example.org>\r\nSubject: Re: Follow-ups\r\nDate: %s\r\nMessage-ID: <reply-faults@example.org>\r\nIn-Reply-To: %s\r\nReferences: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\ncalled alice\r\nsnooze bob 2w\r\nnote alice likes green tea\r\nthanks!\r\n' \
    "$(date -u -R)" "$DIGEST_ID" "$DIGEST_ID" >"$IT/reply.eml"
imapctl append Sent "$IT/reply.eml" >/dev/null || fail "append the reply"
# The state before the reply was seen, to start each run from.
cp -a "$XDG_STATE_HOME/followupd" "$IT/before-reply"
rm -rf "$IT/timing2" && mkdir -p "$IT/timing2" && cp -a "$IT/before-reply" "$IT/timing2/followupd"
t0=$(ms)
XDG_STATE_HOME="$IT/timing2" "$FOLLOWUPD" sync >/dev/null 2>&1
DUR=$(( $(ms) - t0 ))
echo "# a sync that applies the reply takes $DUR ms"
bad=0 i=0 killed_before=0
while [ "$i" -lt "$IT_KILLS" ]; do
	rm -rf "$XDG_STATE_HOME/followupd"
	cp -a "$IT/before-reply" "$XDG_STATE_HOME/followupd"
	killed_run "$((i + 100))" "$((DUR + 20))" sync
	intact "$XDG_STATE_HOME" || { bad=$((bad + 1)); echo "# kill $i: integrity_check failed"; }
	r0=$(db "$XDG_STATE_HOME" "SELECT count(*) FROM replies")
	[ "$r0" = 0 ] && killed_before=$((killed_before + 1))
	"$FOLLOWUPD" sync >"$IT/clean.out" 2>&1 || { bad=$((bad + 1)); echo "# kill $i: the clean sync failed: $(cat "$IT/clean.out")"; }
	calls=$(db "$XDG_STATE_HOME" "SELECT count(*) FROM touches WHERE contact = 'alice' AND via = 'call'")
	notes=$(db "$XDG_STATE_HOME" "SELECT count(*) FROM notes WHERE contact = 'alice' AND text = 'likes green tea'")
	snooze=$(db "$XDG_STATE_HOME" "SELECT snooze_until IS NOT NULL FROM contacts WHERE id = 'bob'")
	lines=$(db "$XDG_STATE_HOME" "SELECT count(*) FROM reply_lines WHERE message_id = 'reply-faults@example.org'")
	replies=$(db "$XDG_STATE_HOME" "SELECT count(*) FROM replies")
	if [ "$calls/$notes/$snooze/$lines/$replies" != "1/1/1/4/1" ]; then
		bad=$((bad + 1))
		echo "# kill $i: calls/notes/snooze/lines/replies = $calls/$notes/$snooze/$lines/$replies, want 1/1/1/4/1"
	fi
	i=$((i + 1))
done
[ "$bad" = 0 ] || fail "$bad of $IT_KILLS kills while applying a reply lost or doubled something"
echo "# $IT_KILLS kills while applying a reply ($killed_before before it was applied): applied once each time"

# ---- 3. the daemon, Dovecot killed in the middle of IDLE ----------------------------------
start_daemon() {
	"$FOLLOWUPD" run 2>>"$IT/run.log" >/dev/null &
	D_PID=$!
}
stop_daemon() {
	kill -TERM "$D_PID" 2>/dev/null
	wait "$D_PID" || fail "the daemon exited $? on SIGTERM"
	D_PID=
}
: >"$IT/run.log"
start_daemon
idle() { grep -q 'watching "Sent" (IDLE)' "$IT/run.log"; }
wait_for 30 idle || fail "the daemon is not in IDLE: $(cat "$IT/run.log")"
kill -KILL "$(cat "$IT_DC/run/master.pid")" 2>/dev/null
pkill -KILL -f "^dovecot-fu-it-${IT##*.}/" 2>/dev/null
sleep 1
kill -0 "$D_PID" 2>/dev/null || fail "the daemon died with Dovecot"
it_dovecot_stop
it_dovecot_start
printf 'From: Jane <jane@example.org>\r\nTo: Bob <bob@example.net>\r\nDate: %s\r\nMessage-ID: <after-kill@example.org>\r\nSubject: hi\r\n\r\nHi\r\n' \
    "$(date -u -R)" >"$IT/m2.eml"
imapctl append Sent "$IT/m2.eml" >/dev/null || fail "append after the restart"
recorded() { [ "$(db "$XDG_STATE_HOME" "SELECT count(*) FROM touches WHERE key = 'after-kill@example.org'")" = 1 ]; }
wait_for 40 recorded || fail "not recorded after Dovecot came back: $(tail -5 "$IT/run.log")"
has "$IT/run.log" "retrying in"
echo "# Dovecot killed in IDLE: the daemon reconnected and recorded the message"
stop_daemon

# ---- 4. the SMTP server down at digest time, then back ---------------------------------
kill "$(cat "$IT/mx/pid")"
rm -f "$IT/mx/pid"
# Something to send even though the reply above dealt with all that was due.
it_config_set send_empty_digest yes
sqlite3 "$XDG_STATE_HOME/followupd/followupd.db" "DELETE FROM digests; DELETE FROM digests_sent"
before=$(ls "$IT"/mx/mail | wc -l)
: >"$IT/run.log"
start_daemon
tried() { grep -q 'the digest will be tried again in' "$IT/run.log"; }
wait_for 30 tried || fail "no word of the digest failing: $(cat "$IT/run.log")"
sleep 5
# Back on the same port.
/usr/bin/python3 "$IT_SRC/smtpd.py" "$IT/mx" "$MX" "$IT/tls/good.pem" "$IT/tls/good.key" \
    >>"$IT/mx/stderr" 2>&1 &
echo $! >"$IT/mx/pid"
sent() { [ "$(db "$XDG_STATE_HOME" "SELECT state FROM digests WHERE day = '$(d today)'")" = sent ]; }
wait_for 90 sent || fail "the digest was not sent once the server was back: $(cat "$IT/run.log")"
sleep 1
[ "$(( $(ls "$IT"/mx/mail | wc -l) - before ))" = 1 ] ||
    fail "$(( $(ls "$IT"/mx/mail | wc -l) - before )) digests once the server was back, want 1"
kill -0 "$D_PID" 2>/dev/null || fail "the daemon died"
echo "# SMTP down at digest time: sent once, after $(grep -c 'tried again' "$IT/run.log") retry"
stop_daemon

# ---- 5. the state on a full file system ----------------------------------------------------
MNT="$IT/small"
mkdir -p "$MNT"
if mount -t tmpfs -o size=2m,mode=0755 tmpfs "$MNT" 2>/dev/null; then
	cp -a "$XDG_STATE_HOME/followupd" "$MNT/followupd"
	sqlite3 "$MNT/followupd/followupd.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
	sed -i "s|^timezone = UTC$|timezone = UTC\nstate_dir = $MNT/followupd|" "$FOLLOWUPD_CONFIG"
	: >"$IT/run.log"
	start_daemon
	wait_for 30 idle || fail "the daemon on the small file system is not in IDLE: $(cat "$IT/run.log")"
	# Fill it up, then send 300 more messages.
	dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null
	$GEN maildir "$IT/more" 300 29 "$((N + 1000))"
	for f in "$IT"/more/cur/*; do mv "$f" "$IT/mail/jane/Maildir/.Sent/cur/"; done
	chown -R dovecot:dovecot "$IT/mail"
	imapctl append Sent "$IT/m2.eml" >/dev/null   # wakes IDLE; a duplicate key, counted once
	full() { grep -qi 'full' "$IT/run.log"; }
	wait_for 30 full || fail "no word of the full file system: $(tail -5 "$IT/run.log")"
	kill -0 "$D_PID" 2>/dev/null || fail "the daemon died on a full file system"
	echo "# full file system: $(grep -i -m1 'full' "$IT/run.log")"
	rm -f "$MNT/filler"
	uidnext=$(imapctl status Sent | awk '{ print $4 }')
	caught_up() { [ "$(sqlite3 "$MNT/followupd/followupd.db" "SELECT last_uid FROM folders")" = "$((uidnext - 1))" ]; }
	wait_for 90 caught_up || fail "the daemon did not catch up once there was room: $(tail -5 "$IT/run.log")"
	stop_daemon
	[ "$(sqlite3 "$MNT/followupd/followupd.db" 'PRAGMA integrity_check')" = ok ] ||
	    fail "integrity_check after the full file system"
	dups=$(sqlite3 "$MNT/followupd/followupd.db" "SELECT count(*) - count(DISTINCT key || '|' || address) FROM touches")
	[ "$dups" = 0 ] || fail "$dups touches doubled after the full file system"
	[ "$(sqlite3 "$MNT/followupd/followupd.db" "SELECT count(*) FROM touches WHERE key LIKE '%gen%'")" -gt 0 ] ||
	    true
	umount "$MNT" && MNT=
else
	echo "# SKIP part 5: cannot mount a tmpfs here"
fi
cat "$IT/run.log" >>"${FOLLOWUPD_TRANSCRIPTS:-/dev/null}/faults.sh.txt" 2>/dev/null || true
done_tests
