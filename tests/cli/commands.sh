#!/bin/sh
# log, snooze, pause, resume, status: WHO resolution and what due shows after.
. "$(dirname "$0")/lib.sh"

cat >"$T/followupd.conf" <<'CONF'
[followupd]
me = Jane Doe <jane@example.org>
timezone = UTC
[contact:alice]
name = Alice Smith
email = alice@example.com
cadence = 1w
last = 2020-01-01
[contact:alan]
name = Alan Turing
email = alan@example.com
cadence = 1w
last = 2020-01-01
CONF

expect 65 log al
has "$T/err" "'al' is ambiguous: alice (Alice Smith), alan (Alan Turing)"
expect 65 log zelda
has "$T/err" "no contact matches 'zelda'"
expect 64 log alice --via fax
has "$T/err" "'fax' is not one of email, call, card"
expect 65 log alice --date 2999-01-01
has "$T/err" "is in the future"
expect 64 log

status_of() {
	"$FOLLOWUPD" due --json --all | python3 -c "
import json,sys
print([i['status'] for i in json.load(sys.stdin) if i['id']=='$1'][0])"
}

[ "$(status_of alice)" = overdue ] || fail "alice should start overdue"
expect 0 log alan@example.com --via call --note "talked about the paper"
has "$T/out" "Logged call with Alan Turing"
# due again in a week: inside the 7-day horizon, so "upcoming"
[ "$(status_of alan)" = upcoming ] || fail "a logged call resets the clock"
# the same log line twice in the same second is one touch
expect 0 status
has "$T/out" "1 touches"

expect 0 snooze ali 2w
has "$T/out" "Snoozed Alice Smith until"
[ "$(status_of alice)" = snoozed ] || fail "snoozed"
expect 0 due
has "$T/out" "snoozed until $(date -u -d '+14 days' +%F)"
expect 64 snooze alice soon
expect 65 snooze alice 2000-01-01
has "$T/err" "is not in the future"

expect 0 pause alan --until 2999-01-01
has "$T/out" "Paused Alan Turing until 2999-01-01."
[ "$(status_of alan)" = paused ] || fail "paused"
expect 65 pause alan --until 2001-01-01
has "$T/err" "--until 2001-01-01 is not in the future"
expect 0 resume alan
[ "$(status_of alan)" = upcoming ] || fail "resumed"
expect 0 pause alan
has "$T/out" "Paused Alan Turing."
expect 0 due
has "$T/out" "paused"

expect 0 status
has "$T/out" "schema 6"
has "$T/out" "next digest:"
has "$T/out" "feed server:    off"

# COMMAND --help (or -h, or --help among other arguments): that command's
# usage on standard output, exit 0, nothing run; an unknown option is
# still a usage error.
for cmd in check due log snooze pause resume status sync digest feed suggest run init; do
	expect 0 "$cmd" --help
	grep -q "^usage: followupd $cmd\b" "$T/out" || fail "$cmd --help printed: $(cat "$T/out")"
	[ ! -s "$T/err" ] || fail "$cmd --help said on stderr: $(cat "$T/err")"
done
expect 0 digest --date 2026-11-23 --help
has "$T/out" "usage: followupd digest [--date YYYY-MM-DD] [--dry-run] [--force]"
expect 0 log -h
has "$T/out" "usage: followupd log WHO"
expect 64 digest --no-such-option
has "$T/err" "usage: followupd digest"

# the state directory and database are private
[ "$(stat -c %a "$XDG_STATE_HOME/followupd")" = 700 ] || fail "state dir mode"
[ "$(stat -c %a "$XDG_STATE_HOME/followupd/followupd.db")" = 600 ] || fail "db mode"
[ "$(sqlite3 "$XDG_STATE_HOME/followupd/followupd.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity"
done_tests
