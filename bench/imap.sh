#!/bin/sh
# IMAP benchmark: a full `followupd sync` of a generated Sent folder of
# 100,000 messages in a real Dovecot on loopback, against the raw floor of
# the same work: one `UID FETCH 1:* (UID INTERNALDATE BODY.PEEK[HEADER.FIELDS
# (...)])` of the same fields by curl into /dev/null, in the same run and on
# the same warm server. Then an incremental sync after 10 new messages.
#
# Usage: bench/imap.sh                      (followupd from _build/main)
#        FOLLOWUPD=/path/to/followupd N=20000 RUNS=3 bench/imap.sh
# Needs root, dovecot-imapd, openssl, python3, curl, sqlite3 (scripts/deps.sh).
# Exits 0 whether the targets are met or not; non-zero only when it cannot run.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SRCDIR=$top
FOLLOWUPD=${FOLLOWUPD:-$top/_build/main/followupd}
N=${N:-100000}
RUNS=${RUNS:-3}
export SRCDIR FOLLOWUPD
[ -x "$FOLLOWUPD" ] || { echo "imap.sh: build followupd first (sh scripts/build.sh)" >&2; exit 1; }
command -v curl >/dev/null || { echo "imap.sh: curl is missing" >&2; exit 1; }
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

# curl keeps an IMAP command's response as "headers" and gives up past 300
# KiB ("Too large response headers", exit 56), so one "UID FETCH 1:*" of
# 100,000 messages cannot be done by curl: the floor is the same fetch as
# commands of 100 UIDs (the most that stays under the limit here) over one
# connection, chained with "next".
floor_config() {
	i=1
	while [ "$i" -le "$1" ]; do
		j=$((i + 99))
		[ "$i" -gt 1 ] && echo "next"
		echo "url = \"imaps://127.0.0.1:$IT_IMAPS_PORT/Sent\""
		echo "request = \"UID FETCH $i:$j (UID INTERNALDATE BODY.PEEK[HEADER.FIELDS ($FIELDS)])\""
		echo "user = \"jane:$IT_PASS\""
		echo "cacert = \"$IT/tls/ca.pem\""
		echo "silent"
		echo "output = /dev/null"
		i=$((j + 1))
	done >"$IT/floor.curl"
}
floor() {
	measure curl -K "$IT/floor.curl"
}
# seconds and peak KiB of a command: "S KIB"
measure() {
	/usr/bin/time -f "%e %M" -o "$IT/time" "$@" >/dev/null 2>"$IT/cmd.err" ||
	    { echo "imap.sh: $* failed: $(cat "$IT/cmd.err")" >&2; exit 1; }
	cat "$IT/time"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

floor_config "$N"
echo "warming Dovecot up (it indexes the folder on first access)..."
floor >/dev/null; floor >/dev/null
: >"$IT/floor"; : >"$IT/sync"; : >"$IT/rss"
for r in $(seq "$RUNS"); do
	floor | cut -d' ' -f1 >>"$IT/floor"
	rm -rf "$XDG_STATE_HOME"
	set -- $(measure "$FOLLOWUPD" sync)
	echo "$1" >>"$IT/sync"; echo "$2" >>"$IT/rss"
done
touches=$(sqlite3 "$XDG_STATE_HOME/followupd/followupd.db" "SELECT count(*) FROM touches")
f=$(median <"$IT/floor"); s=$(median <"$IT/sync"); rss=$(sort -n "$IT/rss" | tail -1)

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

awk -v n="$N" -v f="$f" -v s="$s" -v rss="$rss" -v inc="$inc" -v t="$touches" -v size="$size" -v runs="$RUNS" 'BEGIN {
	ratio = s / f
	printf "Sent folder: %d generated messages (%s as files), in Dovecot mdbox; %d touches recorded\n", n, size, t
	printf "median of %d runs:\n", runs
	printf "  raw floor (curl UID FETCH x100) %7.2f s   %9.0f messages/s\n", f, n / f
	printf "  followupd sync (full)            %7.2f s   %9.0f messages/s   ratio %.2f (target <= 1.5) %s\n", s, n / s, ratio, ratio <= 1.5 ? "MET" : "MISSED"
	printf "  peak RSS of sync                 %7.1f MiB (target < 32) %s\n", rss / 1024, rss / 1024 < 32 ? "MET" : "MISSED"
	printf "  incremental sync, 10 new (median of 5) %5.3f s (target < 0.2) %s\n", inc, inc < 0.2 ? "MET" : "MISSED"
}'
