#!/bin/sh
# IMAP benchmark: a full `followupd sync` of a generated Sent folder of N
# (100,000) messages in a real Dovecot on loopback, against the floor of
# the same work: one bare `UID FETCH 1:* (UID INTERNALDATE
# BODY.PEEK[HEADER.FIELDS (...)])` of the same fields over one TLS
# connection, read and dropped (bench/imap_floor.py), in the same run and
# on the same warm server; and a peer written with Python's imaplib and
# email (bench/imap_peer.py). Then an incremental sync after 10 new
# messages, and the time from an APPEND to its line in `sync --watch`.
#
# Usage: bench/imap.sh                      (followupd from _build/main)
#        FOLLOWUPD=/path/to/followupd N=1000000 RUNS=3 bench/imap.sh
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
FIELDS="DATE MESSAGE-ID TO CC BCC RESENT-TO RESENT-CC SUBJECT IN-REPLY-TO REFERENCES"   # = mailhdr_fields

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
