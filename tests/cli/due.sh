#!/bin/sh
# followupd due --json: the SPEC's example, read back by an independent JSON parser.
. "$(dirname "$0")/lib.sh"

cat >"$T/followupd.conf" <<'CONF'
[followupd]
me = Jane Doe <jane@example.org>
timezone = Europe/Berlin
horizon = 7d

[group:clients]
cadence = quarterly

[contact:alice]
name = Alice Smith
email = alice@example.com
group = clients
cadence = 2w
reason = Ask how the rollout went

[contact:bob]
name = Bob Jones
email = bob@example.net
group = clients
last = 2026-10-01

[contact:carol]
name = Carol King
email = carol@example.org
cadence = monthly
last = 2026-11-20
birthday = 11-28
CONF

expect 0 log alice --via email --date 2026-11-06
has "$T/out" "Logged email with Alice Smith on 2026-11-06."
expect 0 due --json --date 2026-11-23
python3 - "$T/out" <<'PY' || fail "due --json content"
import json, sys
items = json.load(open(sys.argv[1]))
by = {(i["id"], i["kind"]): i for i in items}
a = by[("alice", "cadence")]
want = {"id": "alice", "name": "Alice Smith", "kind": "cadence", "status": "overdue",
        "due": "2026-11-20", "days_late": 3, "last_contact": "2026-11-06T11:00:00Z",
        "last_via": "email", "cadence": "2w", "reason": "Ask how the rollout went"}
for k, v in want.items():
    assert a[k] == v, (k, a[k], v)
# a birthday card is due card_lead (5 days) before the day
c = by[("carol", "birthday")]
assert c["due"] == "2026-11-23" and c["status"] == "due" and c["days_late"] == 0, c
# ok items are left out without --all
assert ("carol", "cadence") not in by and ("bob", "cadence") not in by, by.keys()
order = [i["status"] for i in items]
rank = ["overdue", "due", "upcoming", "snoozed", "paused", "ok"]
assert order == sorted(order, key=rank.index), order
PY
expect 0 due --json --all --date 2026-11-23
python3 - "$T/out" <<'PY' || fail "due --json --all content"
import json, sys
items = json.load(open(sys.argv[1]))
by = {(i["id"], i["kind"]): i for i in items}
# the group's cadence, from the config's last date (local midnight in Berlin)
b = by[("bob", "cadence")]
assert b["status"] == "ok" and b["due"] == "2027-01-01" and b["days_late"] == -39, b
assert b["last_contact"] == "2026-09-30T22:00:00Z" and b["cadence"] == "quarterly", b
c = by[("carol", "cadence")]
assert c["status"] == "ok" and c["due"] == "2026-12-20" and c["days_late"] == -27, c
PY
# on the due date itself, and a week later
expect 0 due --json --date 2026-11-20
python3 -c "
import json,sys; i=[x for x in json.load(open('$T/out')) if x['id']=='alice'][0]
assert i['status']=='due' and i['days_late']==0, i" || fail "due on D"
expect 0 due --json --date 2026-11-13
python3 -c "
import json,sys; i=[x for x in json.load(open('$T/out')) if x['id']=='alice'][0]
assert i['status']=='upcoming' and i['days_late']==-7, i" || fail "upcoming at D - horizon"

# the text form names the person and how late
expect 0 due --date 2026-11-23
has "$T/out" "Alice Smith"
has "$T/out" "3 days overdue"
expect 64 due --date 23/11/2026
has "$T/err" "'23/11/2026' is not a date"
done_tests
