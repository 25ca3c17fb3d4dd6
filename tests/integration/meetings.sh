#!/bin/sh
# Meetings from the calendar (issue 20), against real servers on loopback:
# Radicale (CalDAV, TLS from the test CA, a password), icsd.py (a published
# .ics address with ETags) and a vdir directory, the same calendar seen
# three ways (calevents.py writes it, every time relative to one instant
# NOW, in Europe/Berlin). `sync` reads all three and names each bad event
# (a cut VCALENDAR, a VEVENT without DTSTART, a FREQ=SECONDLY with no end)
# with its source while the rest is read; `due --json` shows the last
# meeting with alice (and her thank-you email and card), bob's weekly 1:1
# with its EXDATE and moved occurrence (and no items: after_meeting = none),
# and nothing for a declined, a cancelled, an all-day meeting and one the
# user declined. A second sync changes nothing, sends If-None-Match (304)
# and asks Radicale for no calendar data; moving, excluding and deleting
# occurrences move the last contact back; `suggest` proposes the non-contact
# met at 'Q1 planning'; the digest has a "Meeting today" section; `status`
# shows each source, a refused password and an untrusted certificate while
# the others refresh; 50 MiB bodies (with and without Content-Length) and a
# stalled one are refused in bounded memory and time. Then `followupd run`
# picks up a new meeting on SIGHUP and on its refresh schedule, and ends
# with 0 on SIGTERM.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/caldav.sh"

# ---- expected texts not settled yet (FORMAT-TBD): adjust them here --------------
FMT_SOURCE='meetings %s'             # how messages and status name source NAME
FMT_SYNC_UNCHANGED='meetings work: 0 read'   # sync's stdout, nothing changed on the server
FMT_SUGGEST_MET="met at 'Q1 planning' on %s" # %s: Q1_DAY_MON, e.g. "20 Nov"; in the
                                     # same paragraph of `suggest` as the address
FMT_DIGEST_SECTION='Meeting today'   # the digest's section heading (text part)
FMT_DIGEST_WHO='Alice Smith'         # listed in it (within the 8 lines after it)
FMT_STATUS_REFRESH='last refresh'    # in each source's block of `status` (its line
                                     # and the indented ones after it), as the errors
FMT_STATUS_NEVER='last refresh: never'   # ... of a source never read
FMT_AUTH_ERROR='HTTP 401'            # a refused password ("login refused"?)
FMT_TLS_ERROR='not trusted'          # an untrusted certificate (as for IMAP)
FMT_SIZE_ERROR='16 MiB'              # a body over the cap
FMT_TIMEOUT_ERROR='no answer for 3 seconds (timeout)'   # a server that stalls past `timeout`
SYNC_BAD_EVENTS_STATUS=0             # sync's status when some events are bad
SYNC_SOURCE_ERROR_STATUS=69          # ... when a source fails and the others are
                                     # read (EX_UNAVAILABLE, as today's code does)
ALICE_MEETING_ITEMS=1                # alice's "thank-you email" (and card) items:
                                     # 1 = the newest meeting's only
DAEMON_REFRESH=2s                    # a short `refresh` the daemon accepts
RSS_MAX_KB=100000                    # sync's peak RSS with the 50 MiB bodies
# ---------------------------------------------------------------------------------

PY=/usr/bin/python3
CALEVENTS="$PY $IT_SRC/calevents.py"
it_certs >/dev/null
it_dovecot_start
D_PID=
trap '[ -n "$D_PID" ] && kill -9 "$D_PID" 2>/dev/null; it_caldav_cleanup; it_cleanup' EXIT
it_radicale_start
it_caldav_mkcal home || fail "no calendar /jane/home/"
HOME_URL=$IT_CALDAV_BASE/jane/home/

# Every time is computed from NOW, here and in calevents.py.
NOW=$(date +%s)
$CALEVENTS --now "$NOW" >"$IT/expected" || fail "calevents.py failed"
cat "$IT/expected"
eval "$(cat "$IT/expected")"

# ---- helpers ---------------------------------------------------------------------

# shellcheck disable=SC2059  # the formats are the FORMAT-TBD variables above
src() { printf "$FMT_SOURCE" "$1"; }
# shellcheck disable=SC2059
met() { printf "$FMT_SUGGEST_MET" "$1"; }
# has_line FILE A B: a line of FILE has both A and B
has_line() {
	grep -F -- "$2" "$1" | grep -qF -- "$3" ||
	    fail "$1: no line with both '$2' and '$3' (has: $(cat "$1"))"
}
# block FILE HEAD: the line with HEAD that is not indented, and the indented
# lines after it (a block of `status`)
block() { awk -v h="$2" '/^[^ \t]/ { inb = index($0, h) > 0 } inb' "$1"; }
has_block() {
	block "$1" "$2" | grep -qF -- "$3" ||
	    fail "$1: the block of '$2' lacks '$3' (has: $(cat "$1"))"
}
block_lacks() {
	! block "$1" "$2" | grep -qF -- "$3" ||
	    fail "$1: the block of '$2' has '$3': $(block "$1" "$2")"
}
# has_para FILE A B: a paragraph of FILE (between blank lines) has both A and B
has_para() {
	awk -v RS= -v a="$2" -v b="$3" 'index($0, a) && index($0, b) { f = 1 } END { exit !f }' "$1" ||
	    fail "$1: no paragraph with both '$2' and '$3' (has: $(cat "$1"))"
}
lacks() { ! grep -qF -- "$2" "$1" || fail "$1 has: $2 ($(grep -F -- "$2" "$1" | head -3))"; }
# keep FILE: a copy of the last expect's stdout and stderr, as FILE.out/.err
keep() { cp "$T/out" "$IT/$1.out"; cp "$T/err" "$IT/$1.err"; }

# due_check CHECK...: runs `due --json --all --date $TODAY` and checks, with
# json, each of
#	last ID VALUE    ID's last_contact is VALUE (null: none)
#	via ID VALUE     its last_via
#	count ID KIND TITLE N   ID has N items of KIND with TITLE (*: any)
due_check() {
	expect 0 due --json --all --date "$TODAY"
	cp "$T/out" "$IT/due.json"
	"$IT_PYTHON" - "$IT/due.json" "$@" >"$IT/due.fails" <<'PY'
import json, sys
try:
    items = json.load(open(sys.argv[1]))
except ValueError as e:
    print("due --json is not JSON: %s" % e)
    sys.exit(0)
args = sys.argv[2:]
def contact(cid):
    mine = [i for i in items if i.get("id") == cid]
    mine.sort(key=lambda i: i.get("kind") != "cadence")
    return mine
while args:
    op = args.pop(0)
    if op in ("last", "via"):
        cid, want = args.pop(0), args.pop(0)
        want = None if want == "null" else want
        mine = contact(cid)
        key = "last_contact" if op == "last" else "last_via"
        if not mine:
            print("due --json: no item for %s" % cid)
        elif mine[0].get(key) != want:
            print("due --json: %s's %s is %s, want %s" % (cid, key, json.dumps(mine[0].get(key)), json.dumps(want)))
    elif op == "count":
        cid, kind, title, n = args.pop(0), args.pop(0), args.pop(0), int(args.pop(0))
        got = [i for i in contact(cid) if i.get("kind") == kind
               and (title == "*" or i.get("title") == title)]
        if len(got) != n:
            print("due --json: %s has %d items of kind %s titled %s, want %d: %s" % (
                cid, len(got), kind, title, n, json.dumps(contact(cid))))
    else:
        sys.exit("due_check: unknown check %s" % op)
PY
	while IFS= read -r line; do fail "$line"; done <"$IT/due.fails"
}

# The calendar, as the three sources hold it: SET names its events
# (calevents.py NAME[:VARIANT]); publish writes them: PUT into Radicale
# what changed and DELETE what went, the vdir (and the bad events beside
# them), the single .ics (with two bad ones in it).
SET="alice-lunch bob-weekly carol-declined dave-cancelled erin-allday jane-declined q1-planning later-today"
mkdir -p "$IT/ev" "$IT/vdir" "$IT/ics/jane"
publish() {
	rm -rf "$IT/ev.new"
	# shellcheck disable=SC2086
	$CALEVENTS --now "$NOW" --out "$IT/ev.new" $SET >/dev/null || fail "calevents.py failed"
	for f in "$IT"/ev.new/*.ics; do
		cmp -s "$f" "$IT/ev/${f##*/}" || it_caldav_put "${f##*/}" "$f"
	done
	for f in "$IT"/ev/*.ics; do
		[ -f "$f" ] || continue
		[ -f "$IT/ev.new/${f##*/}" ] || it_caldav_delete "${f##*/}"
	done
	rm -rf "$IT/ev" && mv "$IT/ev.new" "$IT/ev"
	# shellcheck disable=SC2086
	$CALEVENTS --now "$NOW" --out "$IT/vdir" --layout vdir $SET bad >/dev/null ||
	    fail "calevents.py --layout vdir failed"
	for f in "$IT"/vdir/*.ics; do
		n=${f##*/}; n=${n%-1.ics}
		case " $SET bad broken nodtstart forever " in
		*" $n "*|*" $n:"*) ;;
		*) rm -f "$f" ;;
		esac
	done
	# shellcheck disable=SC2086
	$CALEVENTS --now "$NOW" --out "$IT/ics/jane/basic.ics.new" --layout single \
	    $SET nodtstart forever >/dev/null || fail "calevents.py --layout single failed"
	mv "$IT/ics/jane/basic.ics.new" "$IT/ics/jane/basic.ics"
}
publish
it_icsd_start "$IT/ics"
GRACE=$IT/grace
$CALEVENTS --now "$NOW" --out "$GRACE" grace-coffee >/dev/null
it_caldav_put grace-coffee.ics "$GRACE/grace-coffee.ics" "$HOME_URL"

CONTACTS='
[contact:alice]
name = Alice Smith
email = alice@example.com
cadence = 2w
reason = Ask how the rollout went

[contact:bob]
name = Bob Jones
email = bob@example.com
cadence = 1w
after_meeting = none

[contact:carol]
name = Carol King
email = carol@example.com
cadence = 2w

[contact:dave]
name = Dave Brown
email = dave@example.com
cadence = 2w

[contact:erin]
name = Erin Walsh
email = erin@example.com
cadence = 2w

[contact:frank]
name = Frank Miller
email = frank@example.com
cadence = 2w

[contact:grace]
name = Grace Hopper
email = grace@example.com
cadence = 2w
'
SOURCES="
[meetings:work]
url = $IT_CALDAV_URL
user = jane
password_file = $IT/caldav.pass
ca_file = $IT/tls/ca.pem
timeout = 3s

[meetings:google]
url = $IT_ICSD_URL/jane/basic.ics
ca_file = $IT/tls/ca.pem

[meetings:local]
dir = $IT/vdir
"
# conf TEXT...: [followupd] in Europe/Berlin, jane's [imap], the contacts, TEXTs
conf() {
	it_config
	sed -i 's|^timezone = UTC$|timezone = Europe/Berlin|' "$FOLLOWUPD_CONFIG"
	printf '%s\n' "$CONTACTS" "$@" >>"$FOLLOWUPD_CONFIG"
}
conf "$SOURCES"
expect 0 check
if [ "${fails:-0}" -ne 0 ]; then
	echo "# the configuration is refused: nothing else can pass"
	done_tests
fi

# ---- 1. The first sync: every source read, the bad events named --------------------
expect "$SYNC_BAD_EVENTS_STATUS" sync
keep sync1
for s in local google; do
	has_line "$IT/sync1.err" "$(src $s)" nodtstart-1
	has_line "$IT/sync1.err" "$(src $s)" forever-1
done
has_line "$IT/sync1.err" "$(src local)" broken-1.ics
for uid in alice-lunch-1 bob-weekly-1 carol-declined-1 dave-cancelled-1 erin-allday-1 \
    jane-declined-1 q1-planning-1 later-today-1; do
	lacks "$IT/sync1.err" "$uid"
done
lacks "$IT/sync1.err" "$(src work)"

due_check \
    last alice "$ALICE_LAST_UTC" via alice meeting \
    count alice meeting 'thank-you email' "$ALICE_MEETING_ITEMS" \
    count alice meeting 'handwritten card' "$ALICE_MEETING_ITEMS" \
    last bob "$BOB_LAST_UTC" via bob meeting \
    count bob meeting '*' 0 \
    last carol null last dave null last erin null last frank null last grace null
cp "$IT/due.json" "$IT/due1.json"

# ---- 2. Nothing changed: nothing counted twice, the validators used ----------------
ICS_TAG=\"$(sha256sum <"$IT/ics/jane/basic.ics" | cut -d' ' -f1)\"
: >"$IT/icsd.log"
it_radicale_log_mark
expect 0 sync
keep sync2
has "$IT/sync2.out" "$FMT_SYNC_UNCHANGED"
grep -qxF "GET /jane/basic.ics 304 if-none-match=$ICS_TAG" "$IT/icsd.log" ||
    fail "no If-None-Match answered 304: $(cat "$IT/icsd.log")"
grep -q ' 200 ' "$IT/icsd.log" && fail "icsd sent a body again: $(cat "$IT/icsd.log")"
n=$(it_radicale_log_count 'calendar-multiget xmlns')
[ "$n" -eq 0 ] || fail "the second sync asked Radicale for calendar data ($n calendar-multiget)"
n=$(it_radicale_log_count '<C:calendar-data')
[ "$n" -eq 0 ] || fail "the second sync was sent calendar data ($n times)"
due_check
cmp -s "$IT/due1.json" "$IT/due.json" ||
    fail "due --json changed after a sync that read nothing new: $(diff "$IT/due1.json" "$IT/due.json")"

# ---- 3. The person met who is not a contact ----------------------------------------
expect 0 suggest
keep suggest
has_para "$IT/suggest.out" carla@client.example "$(met "$Q1_DAY_MON")"
lacks "$IT/suggest.out" alice@example.com
lacks "$IT/suggest.out" jane@example.org

# ---- 4. The digest of the day of later-today (today, or tomorrow when NOW is late) --
expect 0 digest --dry-run --date "$LATER_DAY"
keep digest
"$IT_PYTHON" - "$IT/digest.out" >"$IT/digest.txt" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
part = m.get_body(preferencelist=("plain",))
print(part.get_content() if part is not None else "")
PY
if grep -qF -- "$FMT_DIGEST_SECTION" "$IT/digest.txt"; then
	sed -n "/$FMT_DIGEST_SECTION/,+8p" "$IT/digest.txt" | grep -qF -- "$FMT_DIGEST_WHO" ||
	    fail "the digest's '$FMT_DIGEST_SECTION' lacks $FMT_DIGEST_WHO: $(cat "$IT/digest.txt")"
else
	fail "the digest for $LATER_DAY has no '$FMT_DIGEST_SECTION': $(cat "$IT/digest.txt")"
fi

# ---- 5. Occurrences moved, excluded, deleted: counted once, where they are now -------
ICS_TAG=\"$(sha256sum <"$IT/ics/jane/basic.ics" | cut -d' ' -f1)\"
SET=$(echo "$SET" | sed 's/bob-weekly/bob-weekly:moved/')
publish
: >"$IT/icsd.log"
expect 0 sync
keep sync-moved
grep -qxF "GET /jane/basic.ics 200 if-none-match=$ICS_TAG" "$IT/icsd.log" ||
    fail "the changed .ics was not fetched anew: $(cat "$IT/icsd.log")"
due_check last bob "$BOB_LAST_MOVED_UTC" last alice "$ALICE_LAST_UTC"

SET=$(echo "$SET" | sed 's/bob-weekly:moved/bob-weekly:exdated/')
publish
expect 0 sync
due_check last bob "$BOB_LAST_EXDATED_UTC" count bob meeting '*' 0

# the lunch is deleted (from all three): alice's last meeting is Q1 planning
SET=$(echo "$SET" | sed 's/alice-lunch //')
publish
expect 0 sync
keep sync-deleted
due_check last alice "$ALICE_Q1_END_UTC" via alice meeting

# ---- 6. status; a refused password and an untrusted certificate --------------------
expect 0 status
keep status
for s in work google local; do
	has_block "$IT/status.out" "$(src $s)" "$FMT_STATUS_REFRESH"
	block_lacks "$IT/status.out" "$(src $s)" "$FMT_STATUS_NEVER"
done

(umask 077; echo wrong-Zq8 >"$IT/wrong.pass")
secret wrong-Zq8
conf "$SOURCES" "
[meetings:wrong]
url = $HOME_URL
user = jane
password_file = $IT/wrong.pass
ca_file = $IT/tls/ca.pem

[meetings:untrusted]
url = $HOME_URL
user = jane
password_file = $IT/caldav.pass
"
# the lunch comes back: the sources that work are read all the same
SET="alice-lunch $SET"
publish
it_radicale_log_mark
expect "$SYNC_SOURCE_ERROR_STATUS" sync
keep sync-refused
has_line "$IT/sync-refused.err" "$(src wrong)" "$FMT_AUTH_ERROR"
has_line "$IT/sync-refused.err" "$(src untrusted)" "$FMT_TLS_ERROR"
lacks "$IT/sync-refused.err" "$(src work)"
due_check last grace null last alice "$ALICE_LAST_UTC"
[ "$(it_radicale_log_count "Successful login")" -gt 0 ] || fail "work was not read"
expect 0 status
keep status-refused
has_block "$IT/status-refused.out" "$(src wrong)" "$FMT_AUTH_ERROR"
has_block "$IT/status-refused.out" "$(src untrusted)" "$FMT_TLS_ERROR"
has_block "$IT/status-refused.out" "$(src work)" "$FMT_STATUS_REFRESH"
block_lacks "$IT/status-refused.out" "$(src work)" "$FMT_STATUS_NEVER"
# the same calendar with the right password and CA: grace's meeting counts
conf "$SOURCES" "
[meetings:home]
url = $HOME_URL
user = jane
password_file = $IT/caldav.pass
ca_file = $IT/tls/ca.pem
"
expect 0 sync
due_check last grace "$GRACE_END_UTC"

# ---- 7. 50 MiB bodies and a stalled one: refused in bounded memory and time ---------
conf "$SOURCES" "
[meetings:huge]
url = $IT_ICSD_URL/huge.ics
ca_file = $IT/tls/ca.pem

[meetings:chunked]
url = $IT_ICSD_URL/huge-chunked.ics
ca_file = $IT/tls/ca.pem

[meetings:slow]
url = $IT_ICSD_URL/slow.ics
ca_file = $IT/tls/ca.pem
timeout = 3s
"
start=$(date +%s)
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f %M -o "$IT/rss" timeout 60 "$FOLLOWUPD" sync >"$T/out" 2>"$T/err"
else
	timeout 60 "$FOLLOWUPD" sync >"$T/out" 2>"$T/err"
fi
got=$?
took=$(($(date +%s) - start))
if [ -n "${FOLLOWUPD_TRANSCRIPTS:-}" ] && mkdir -p "$FOLLOWUPD_TRANSCRIPTS"; then
	cat "$T/out" "$T/err" >>"$FOLLOWUPD_TRANSCRIPTS/$(basename "$0").txt"
fi
keep sync-huge
[ "$got" -eq "$SYNC_SOURCE_ERROR_STATUS" ] ||
    fail "sync with the huge sources exited $got, want $SYNC_SOURCE_ERROR_STATUS: $(cat "$T/err")"
[ "$took" -le 20 ] || [ -n "${FOLLOWUPD_WRAPPER:-}" ] ||
    fail "sync with the huge and slow sources took $took s"
has_line "$IT/sync-huge.err" "$(src huge)" "$FMT_SIZE_ERROR"
has_line "$IT/sync-huge.err" "$(src chunked)" "$FMT_SIZE_ERROR"
has_line "$IT/sync-huge.err" "$(src slow)" "$FMT_TIMEOUT_ERROR"
lacks "$IT/sync-huge.err" "$(src local)"
# the peak RSS (of `timeout`'s child, measured by time through it), unless
# followupd runs under a wrapper (valgrind...) or was built with
# AddressSanitizer, whose shadow and quarantine of freed memory make its
# RSS say nothing of followupd's
if [ -s "$IT/rss" ] && [ -z "${FOLLOWUPD_WRAPPER:-}" ] &&
    ! grep -q __asan_init "$FOLLOWUPD"; then
	rss=$(tail -1 "$IT/rss")
	echo "# sync with two 50 MiB bodies: peak RSS $rss KB, $took s"
	[ "$rss" -lt "$RSS_MAX_KB" ] || fail "sync's peak RSS $rss KB with the 50 MiB bodies"
fi
due_check last alice "$ALICE_LAST_UTC"

# ---- 8. The daemon: SIGHUP re-reads at once, `refresh` on schedule, SIGTERM ------
# erin_put SECONDS-AGO: erin-timed.ics, 30 min ending a minute before then;
# sets ERIN_END
erin_put() {
	at=$(($(date +%s) - $1))
	ERIN_END=$($CALEVENTS --now "$at" --out "$IT/erin" erin-timed | sed -n 's/^ERIN_TIMED_END_UTC=//p')
	it_caldav_put erin-timed.ics "$IT/erin/erin-timed.ics"
}
erin_is() {
	"$FOLLOWUPD" due --json --all --date "$TODAY" 2>/dev/null |
	    "$IT_PYTHON" -c 'import json, sys
d = [i for i in json.load(sys.stdin) if i["id"] == "erin"]
sys.exit(0 if d and d[0]["last_contact"] == sys.argv[1] else 1)' "$1"
}
daemon_conf() {
	conf "
[meetings:work]
url = $IT_CALDAV_URL
user = jane
password_file = $IT/caldav.pass
ca_file = $IT/tls/ca.pem
timeout = 3s
refresh = $1
"
	it_config_set digest_time off
}
daemon_conf 1h
expect 0 check
: >"$IT/daemon.log"
"$FOLLOWUPD" run 2>>"$IT/daemon.log" >/dev/null &
D_PID=$!
started() { grep -q 'started: ' "$IT/daemon.log"; }
wait_for 20 started || fail "the daemon did not start: $(cat "$IT/daemon.log")"
sleep 1
erin_put 180
kill -HUP "$D_PID"
erin_is_1() { erin_is "$ERIN_END"; }
wait_for 10 erin_is_1 || fail "SIGHUP: erin's meeting ending $ERIN_END not read within 10 s: $(tail -5 "$IT/daemon.log")"

daemon_conf "$DAEMON_REFRESH"
kill -HUP "$D_PID"
sleep 1
erin_put 0
erin_is_2() { erin_is "$ERIN_END"; }
wait_for 10 erin_is_2 || fail "refresh = $DAEMON_REFRESH: erin's meeting ending $ERIN_END not read within 10 s: $(tail -5 "$IT/daemon.log")"

kill -TERM "$D_PID"
stopped() { ! it_running "$D_PID"; }
wait_for 5 stopped || fail "the daemon did not end within 5 s of SIGTERM"
wait "$D_PID"
got=$?
D_PID=
[ "$got" -eq 0 ] || fail "the daemon exited $got on SIGTERM: $(tail -5 "$IT/daemon.log")"

done_tests
