#!/bin/sh
# The README's first command, checked: `sh scripts/demo.sh --once` from a
# clean clone of this repository (HEAD, in a temporary directory) must
# deliver the digest to the demo INBOX (the demo reads it back over IMAP),
# list who is due, serve the calendar feed, see a message Jane sends, stop
# everything and remove its temporary files.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
W=$(mktemp -d /tmp/fu-demo.XXXXXX)
trap 'rm -rf "$W"' EXIT
if [ -d .git ]; then
	git clone -q "$top" "$W/clone" || exit 1
	src="$W/clone"
else
	src=$top   # a release tarball: no history to clone
fi
timeout 900 sh "$src/scripts/demo.sh" --once >"$W/out" 2>&1
rc=$?
bad=0
want() { grep -qF -- "$1" "$W/out" || { echo "the demo did not show: $1"; bad=1; }; }
[ "$rc" -eq 0 ] || { echo "the demo exited $rc"; bad=1; }
want "== waiting for the morning digest to arrive in Jane's INBOX"
want "From: Jane Doe <jane@example.org>"
want "Subject: Follow-ups "
want "Overdue"
want "overdue  "
want "HTTP/1.1 200 OK"
want "Content-Type: text/calendar; charset=utf-8"
want "Follow up: Ivan Petrov"
want "1 new message, 1 follow-up recorded"
want "Alice Smith is no longer overdue"
want "systemd sees: READY=1"
n=$(grep -c 'Follow up: ' "$W/out")
[ "$n" -ge 5 ] || { echo "the feed shown has $n follow-ups"; bad=1; }
tmp=$(sed -n 's/.*; removed \(\/tmp\/fu-it\.[A-Za-z0-9]*\)$/\1/p' "$W/out")
[ -n "$tmp" ] || { echo "the demo did not say what it removed"; bad=1; }
[ -n "$tmp" ] && [ -e "$tmp" ] && { echo "the demo left $tmp behind"; bad=1; }
if [ "$bad" -ne 0 ]; then
	tail -60 "$W/out"
	exit 1
fi
echo "the demo ran from a clean clone in $(sed -n '$=' "$W/out") lines of output: OK"
