#!/bin/sh
# IMAP benchmark: a full `followupd sync` of a generated Sent folder of N
# (100,000) messages in a real Dovecot on loopback, against the floor of
# the same work: one bare `UID FETCH 1:* (UID INTERNALDATE
# BODY.PEEK[HEADER.FIELDS (...)])` of the same fields over one TLS
# connection, read and dropped (bench/imap_floor.py), in the same run and
# on the same warm server; and a peer written with Python's imaplib and
# email (bench/imap_peer.py). Then an incremental sync after 10 new
# messages, and the time from an APPEND to its line in `sync --watch`.
# Then the cost of reading the inbox too (issue 21): N received messages in
# INBOX, the full and incremental syncs with `inbox = none` and `inbox =
# INBOX`, and `sync --watch` idle on one folder and on two.
#
# Usage: bench/imap.sh                      (followupd from _build/main)
#        FOLLOWUPD=/path/to/followupd N=1000000 RUNS=3 bench/imap.sh
#        IDLE_SECS=60 bench/imap.sh         (the idle measure, default 30 s)
# Needs root, dovecot-imapd, openssl, python3, sqlite3 (scripts/deps.sh).
# Exits 0 whether the targets are met or not; non-zero only when it cannot run.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SRCDIR=$top
FOLLOWUPD=${FOLLOWUPD:-$top/_build/main/followupd}
N=${N:-100000}
RUNS=${RUNS:-5}
PEER_RUNS=${PEER_RUNS:-1}   # the peer is slow: one run unless asked
export SRCDIR FOLLOWUPD
[ -x "$FOLLOWUPD" ] || { echo "imap.sh: build followupd first (sh scripts/build.sh)" >&2; exit 1; }
. "$top/tests/integration/lib.sh"

GEN="$IT_PYTHON $top/tests/integration/gen_sent.py"
FIELDS="DATE MESSAGE-ID TO CC BCC RESENT-TO RESENT-CC SUBJECT IN-REPLY-TO REFERENCES FROM"   # = mailhdr_fields

it_certs >/dev/null
# mdbox, Dovecot's own format: with Maildir, every read of a 100,000-file
# folder modified in the last seconds rescans its directory (about 0.3 s
# here), which would time Dovecot, not followupd.
it_dovecot_start 'mail_location = mdbox:~/mdbox' >/dev/null
it_config "$($GEN contacts 500)"
imapctl status Sent >/dev/null || exit 1
echo "generating $N messages..."
$GEN maildir "$IT/gen/.Sent" "$N" 11
mkdir -p "$IT/gen/cur" "$IT/gen/new" "$IT/gen/tmp"
size=$(du -sh "$IT/gen/.Sent" | cut -f1)
chown -R dovecot:dovecot "$IT/gen"
doveadm -c "$IT_DC_CONF" import -u jane "maildir:$IT/gen" "" mailbox Sent ||
    { echo "imap.sh: doveadm import failed" >&2; exit 1; }
rm -rf "$IT/gen"

# The floor: one bare UID FETCH 1:* of the same fields over one TLS
# connection (connect, TLS and login included), its answer read and
# dropped (bench/imap_floor.py: no parsing at all).
floor() {
	measure $IT_PYTHON "$top/bench/imap_floor.py" 127.0.0.1 "$IT_IMAPS_PORT" jane "$IT_PASS" \
	    "$IT/tls/ca.pem" $FIELDS
}
# The peer: the same sync written with Python's imaplib and email parser.
peer() {
	measure $IT_PYTHON "$top/bench/imap_peer.py" 127.0.0.1 "$IT_IMAPS_PORT" jane "$IT_PASS" \
	    "$IT/tls/ca.pem" $FIELDS
}
# seconds and peak KiB of a command: "S KIB"
measure() {
	/usr/bin/time -f "%e %M %U %S" -o "$IT/time" "$@" >/dev/null 2>"$IT/cmd.err" ||
	    { echo "imap.sh: $* failed: $(cat "$IT/cmd.err")" >&2; exit 1; }
	awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$IT/time"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "warming Dovecot up (it indexes the folder on first access)..."
floor >/dev/null; floor >/dev/null
: >"$IT/floor"; : >"$IT/sync"; : >"$IT/rss"; : >"$IT/cpu"; : >"$IT/peer"; : >"$IT/fcpu"
for r in $(seq "$RUNS"); do
	floor >"$IT/one"
	cut -d' ' -f1 "$IT/one" >>"$IT/floor"; cut -d' ' -f3 "$IT/one" >>"$IT/fcpu"
	rm -rf "$XDG_STATE_HOME"
	set -- $(measure "$FOLLOWUPD" sync)
	echo "$1" >>"$IT/sync"; echo "$2" >>"$IT/rss"; echo "$3" >>"$IT/cpu"
	if [ "$r" -le "$PEER_RUNS" ]; then   # 0: none
		peer | cut -d' ' -f1 >>"$IT/peer"
	fi
done
touches=$(sqlite3 "$XDG_STATE_HOME/followupd/followupd.db" "SELECT count(*) FROM touches")
f=$(median <"$IT/floor"); s=$(median <"$IT/sync"); rss=$(sort -n "$IT/rss" | tail -1)
cpu=$(median <"$IT/cpu"); fcpu=$(median <"$IT/fcpu")
p=$(if [ -s "$IT/peer" ]; then median <"$IT/peer"; else echo 0; fi)

: >"$IT/inc"
first=$((N + 1))
for r in 1 2 3 4 5; do
	# Sent mail arrives by APPEND, as a mail client saves it.
	rm -rf "$IT/new"
	$GEN maildir "$IT/new" 10 12 "$first"
	first=$((first + 10))
	imapctl append Sent "$IT"/new/cur/* >/dev/null || exit 1
	measure "$FOLLOWUPD" sync | cut -d' ' -f1 >>"$IT/inc"
done
inc=$(median <"$IT/inc")

# IDLE: a message APPENDed to the watched folder, from the APPEND's answer
# to the line sync --watch prints for it.
: >"$IT/watch.out"; : >"$IT/watch.err"
"$FOLLOWUPD" -v sync --watch >>"$IT/watch.out" 2>>"$IT/watch.err" &
wpid=$!
watching() { grep -q '(IDLE)' "$IT/watch.err"; }
wait_for 30 watching || { echo "imap.sh: sync --watch did not start IDLE" >&2; kill "$wpid"; exit 1; }
: >"$IT/idle"
for r in 1 2 3 4 5; do
	rm -rf "$IT/new"
	$GEN maildir "$IT/new" 1 13 "$first"
	first=$((first + 1))
	lines=$(grep -c "new message" "$IT/watch.out")
	imapctl append Sent "$IT"/new/cur/* >/dev/null || exit 1
	t1=$(date +%s%N)
	while [ "$(grep -c "new message" "$IT/watch.out")" -le "$lines" ]; do
		sleep 0.005
		[ $(( $(date +%s%N) - t1 )) -gt 10000000000 ] && break
	done
	awk -v ns=$(( $(date +%s%N) - t1 )) 'BEGIN { printf "%.3f\n", ns / 1e9 }' >>"$IT/idle"
done
kill "$wpid"; wait "$wpid" 2>/dev/null
idle=$(median <"$IT/idle")

awk -v n="$N" -v f="$f" -v s="$s" -v rss="$rss" -v inc="$inc" -v t="$touches" -v size="$size" \
    -v runs="$RUNS" -v p="$p" -v cpu="$cpu" -v idle="$idle" -v pruns="$PEER_RUNS" -v fcpu="$fcpu" 'BEGIN {
	ratio = s / f
	printf "Sent folder: %d generated messages (%s as files), in Dovecot mdbox; %d touches recorded\n", n, size, t
	printf "median of %d runs:\n", runs
	printf "  floor (one bare UID FETCH 1:*)   %7.2f s   %9.0f messages/s   (its own CPU %.2f s: the server and the wire set it)\n", f, n / f, fcpu
	printf "  followupd sync (full)            %7.2f s   %9.0f messages/s   ratio %.2f (target <= 1.1) %s\n", s, n / s, ratio, ratio <= 1.1 ? "MET" : "MISSED"
	printf "  followupd CPU (user + sys)       %7.2f s\n", cpu
	if (p > 0)
		printf "  Python imaplib peer (%d runs)     %7.2f s   %9.0f messages/s   ratio %.2f to the floor, %.1f times followupd\n", pruns, p, n / p, p / f, p / s
	printf "  peak RSS of sync                 %7.1f MiB (target < 32) %s\n", rss / 1024, rss / 1024 < 32 ? "MET" : "MISSED"
	printf "  incremental sync, 10 new (median of 5) %5.3f s (target < 0.1) %s\n", inc, inc < 0.1 ? "MET" : "MISSED"
	printf "  APPEND to the watched folder until recorded (IDLE, median of 5) %5.3f s (target < 1) %s\n", idle, idle < 1 ? "MET" : "MISSED"
}'

# ---- the second folder (issue 21): the inbox read too -----------------------
# N received messages in INBOX (bench/gen_inbox.py: from the same people and
# from services, half of the people's answering a Sent message), then, with
# `inbox = none` and `inbox = INBOX` in [imap], interleaved: the full sync,
# the incremental sync, and `sync --watch` left idle IDLE_SECS seconds.
IDLE_SECS=${IDLE_SECS:-30}
GENIN="$IT_PYTHON $top/bench/gen_inbox.py"
echo "generating $N messages for INBOX..."
$GENIN maildir "$IT/gen" "$N" 21
size_in=$(du -sh "$IT/gen/cur" | cut -f1)
chown -R dovecot:dovecot "$IT/gen"
doveadm -c "$IT_DC_CONF" import -u jane "maildir:$IT/gen" "" mailbox INBOX ||
    { echo "imap.sh: doveadm import into INBOX failed" >&2; exit 1; }
rm -rf "$IT/gen"
sed '/^\[imap\]$/a inbox = none' "$FOLLOWUPD_CONFIG" >"$IT/sent.conf"
sed '/^\[imap\]$/a inbox = INBOX' "$FOLLOWUPD_CONFIG" >"$IT/both.conf"
chmod 600 "$IT/sent.conf" "$IT/both.conf"

echo "warming Dovecot up on INBOX..."
rm -rf "$XDG_STATE_HOME"
"$FOLLOWUPD" -c "$IT/both.conf" sync >"$IT/both.out" 2>&1 ||
    { echo "imap.sh: sync of Sent and INBOX failed: $(cat "$IT/both.out")" >&2; exit 1; }
inline=$(grep ': INBOX: ' "$IT/both.out" | sed 's/^[^:]*: INBOX: //')
: >"$IT/s1"; : >"$IT/s2"; : >"$IT/c1"; : >"$IT/c2"; : >"$IT/r2"
for r in $(seq "$RUNS"); do
	rm -rf "$XDG_STATE_HOME"
	set -- $(measure "$FOLLOWUPD" -c "$IT/sent.conf" sync)
	echo "$1" >>"$IT/s1"; echo "$3" >>"$IT/c1"
	rm -rf "$XDG_STATE_HOME"
	set -- $(measure "$FOLLOWUPD" -c "$IT/both.conf" sync)
	echo "$1" >>"$IT/s2"; echo "$3" >>"$IT/c2"; echo "$2" >>"$IT/r2"
done
s1=$(median <"$IT/s1"); s2=$(median <"$IT/s2"); c1=$(median <"$IT/c1"); c2=$(median <"$IT/c2")
rss2=$(sort -n "$IT/r2" | tail -1)

# Incremental, connect and login included: 10 new in Sent (Sent only);
# 10 new in Sent and none in INBOX; 10 new in each.
firstin=$((N + 1))
append_new() {   # FOLDER COUNT
	rm -rf "$IT/new"
	if [ "$1" = Sent ]; then
		$GEN maildir "$IT/new" "$2" 12 "$first"; first=$((first + $2))
	else
		$GENIN maildir "$IT/new" "$2" 22 "$firstin"; firstin=$((firstin + $2))
	fi
	imapctl append "$1" "$IT"/new/cur/* >/dev/null || exit 1
}
: >"$IT/i1"; : >"$IT/i2"; : >"$IT/i3"
for r in 1 2 3 4 5; do
	append_new Sent 10
	measure "$FOLLOWUPD" -c "$IT/sent.conf" sync | cut -d' ' -f1 >>"$IT/i1"
	append_new Sent 10
	measure "$FOLLOWUPD" -c "$IT/both.conf" sync | cut -d' ' -f1 >>"$IT/i2"
	append_new Sent 10; append_new INBOX 10
	measure "$FOLLOWUPD" -c "$IT/both.conf" sync | cut -d' ' -f1 >>"$IT/i3"
done
i1=$(median <"$IT/i1"); i2=$(median <"$IT/i2"); i3=$(median <"$IT/i3")

# Idle: `sync --watch` in IDLE on one folder, then on two; its CPU (all
# threads, from /proc) and its context switches over IDLE_SECS seconds.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
switches() {
	cat /proc/"$1"/task/*/status 2>/dev/null |
	    awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}
# idle_run CONF FOLDERS: starts it (wpid), and writes "CPU_S SWITCHES
# THREADS" to $IT/idle.fig.
idle_run() {
	: >"$IT/watch.out"; : >"$IT/watch.err"
	"$FOLLOWUPD" -c "$1" -v sync --watch >>"$IT/watch.out" 2>>"$IT/watch.err" &
	wpid=$!
	wait_for 60 all_idle "$2" ||
	    { echo "imap.sh: sync --watch did not start IDLE on $2 folder(s)" >&2; kill "$wpid"; exit 1; }
	sleep 2
	t0=$(ticks "$wpid"); w0=$(switches "$wpid")
	sleep "$IDLE_SECS"
	t1=$(ticks "$wpid"); w1=$(switches "$wpid")
	threads=$(ls "/proc/$wpid/task" | wc -l)
	awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v w=$((w1 - w0)) -v th="$threads" \
	    'BEGIN { printf "%.2f %d %d\n", t / hz, w, th }' >"$IT/idle.fig"
}
all_idle() { [ "$(grep -c '(IDLE)' "$IT/watch.err")" -ge "$1" ]; }
idle_run "$IT/sent.conf" 1
kill "$wpid"; wait "$wpid" 2>/dev/null
set -- $(cat "$IT/idle.fig"); icpu1=$1 isw1=$2 ith1=$3
idle_run "$IT/both.conf" 2
set -- $(cat "$IT/idle.fig"); icpu2=$1 isw2=$2 ith2=$3
# Still watching both: a message APPENDed to INBOX until its line.
: >"$IT/idle2"
for r in 1 2 3 4 5; do
	lines=$(grep -c ': INBOX: ' "$IT/watch.out")
	rm -rf "$IT/new"
	$GENIN maildir "$IT/new" 1 23 "$firstin"; firstin=$((firstin + 1))
	imapctl append INBOX "$IT"/new/cur/* >/dev/null || exit 1
	t1=$(date +%s%N)
	while [ "$(grep -c ': INBOX: ' "$IT/watch.out")" -le "$lines" ]; do
		sleep 0.005
		[ $(( $(date +%s%N) - t1 )) -gt 10000000000 ] && break
	done
	awk -v ns=$(( $(date +%s%N) - t1 )) 'BEGIN { printf "%.3f\n", ns / 1e9 }' >>"$IT/idle2"
done
kill "$wpid"; wait "$wpid" 2>/dev/null
idle2=$(median <"$IT/idle2")

awk -v n="$N" -v size="$size_in" -v runs="$RUNS" -v s1="$s1" -v s2="$s2" -v c1="$c1" \
    -v c2="$c2" -v rss2="$rss2" -v i1="$i1" -v i2="$i2" -v i3="$i3" -v secs="$IDLE_SECS" \
    -v icpu1="$icpu1" -v icpu2="$icpu2" -v isw1="$isw1" -v isw2="$isw2" -v ith1="$ith1" \
    -v ith2="$ith2" -v idle2="$idle2" -v inline="$inline" 'BEGIN {
	printf "\nINBOX too (inbox = INBOX): %d generated received messages (%s as files), %d in Sent\n", n, size, n
	printf "  its full sync: %s\n", inline
	printf "median of %d runs, interleaved:\n", runs
	printf "  full sync, Sent only               %7.2f s   CPU %.2f s\n", s1, c1
	printf "  full sync, Sent and INBOX          %7.2f s   CPU %.2f s   ratio %.2f to Sent only; peak RSS %.1f MiB\n", s2, c2, s2 / s1, rss2 / 1024
	printf "  incremental sync (median of 5):\n"
	printf "    10 new in Sent, Sent only        %7.3f s\n", i1
	printf "    10 new in Sent, INBOX unchanged  %7.3f s   ratio %.2f\n", i2, i2 / i1
	printf "    10 new in Sent, 10 in INBOX      %7.3f s   ratio %.2f\n", i3, i3 / i1
	printf "  sync --watch idle in IDLE for %d s:\n", secs
	printf "    one folder (Sent)                %7.2f s CPU   %5d context switches   %d threads\n", icpu1, isw1, ith1
	printf "    two folders (Sent, INBOX)        %7.2f s CPU   %5d context switches   %d threads\n", icpu2, isw2, ith2
	printf "  APPEND to INBOX until recorded (IDLE, median of 5) %5.3f s\n", idle2
}'
