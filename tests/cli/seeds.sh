#!/bin/sh
# The demo's data set is valid and has something to show.
. "$(dirname "$0")/lib.sh"

expect 0 -c "$SRCDIR/seeds/followupd.conf" check
has "$T/out" "OK: 14 contacts, 4 groups"
expect 0 -c "$SRCDIR/seeds/followupd.conf" due --json --all --date 2026-11-23
python3 - "$T/out" <<'PY' || fail "seed agenda"
import json, sys
items = json.load(open(sys.argv[1]))
kinds = {i["kind"] for i in items}
assert {"cadence", "birthday", "meeting", "once"} <= kinds, kinds
status = {i["status"] for i in items}
assert {"overdue", "due", "upcoming", "paused"} <= status, status
assert all(i["reason"] for i in items if i["kind"] == "cadence"), "every card has a reason"
PY
done_tests
