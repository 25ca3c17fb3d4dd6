#!/bin/sh
# Real mail: every message of the shared corpora (Enron Sent mail, notmuch's
# mailing-list and broken messages) appended to Dovecot's Sent folder and
# read by `followupd sync`. The touches it records must be exactly those
# Python's email package finds for the same files and the same contact list
# (tests/integration/expect_touches.py). Skipped (77) without the corpora.
. "$SRCDIR/tests/integration/lib.sh"

C=${FOLLOWUPD_CORPORA:-$SRCDIR/../shared/corpora}
[ -d "$C/enron" ] && [ -d "$C/notmuch" ] || it_skip "no corpora in $C"
find "$C/enron" -path '*_sent_mail*' -type f | LC_ALL=C sort >"$IT/files"
find "$C/notmuch" -type f | LC_ALL=C sort >>"$IT/files"
nfiles=$(wc -l <"$IT/files")
[ "$nfiles" -gt 250 ] || fail "only $nfiles corpus files"
WHEN=1700000000    # INTERNALDATE of every message (for those without a Date)
EXPECT="$IT_PYTHON $SRCDIR/tests/integration/expect_touches.py --internaldate $WHEN"

it_certs >/dev/null
it_dovecot_start
# shellcheck disable=SC2046
$EXPECT contacts $(cat "$IT/files") >"$IT/contacts.conf" 2>/dev/null || fail "expect_touches contacts"
it_config "$(cat "$IT/contacts.conf")"
expect 0 check
ncontacts=$(grep -c '^\[contact:' "$IT/contacts.conf")
[ "$ncontacts" -gt 20 ] || fail "only $ncontacts contacts"
# shellcheck disable=SC2046
imapctl append --internaldate "$WHEN" Sent $(cat "$IT/files") >/dev/null || fail "append the corpus"

expect 0 sync
has "$T/out" "imap jane: Sent: $nfiles new messages"
# shellcheck disable=SC2046
$EXPECT touches "$IT/contacts.conf" 10 $(cat "$IT/files") 2>"$IT/expect.err" | LC_ALL=C sort -u >"$IT/want"
sqlite3 -separator "	" "$XDG_STATE_HOME/followupd/followupd.db" \
    "SELECT address, at FROM touches" | LC_ALL=C sort -u >"$IT/got"
[ -s "$IT/want" ] || fail "the independent parser expects no touch at all"
if ! cmp -s "$IT/want" "$IT/got"; then
	fail "followupd and Python's email package disagree (< Python, > followupd):"
	diff "$IT/want" "$IT/got" | head -20
fi
echo "# $nfiles messages, $ncontacts contacts, $(wc -l <"$IT/got") touches; $(cat "$IT/expect.err")"
# Nothing twice: one row per (message, address).
dups=$(sqlite3 "$XDG_STATE_HOME/followupd/followupd.db" \
    "SELECT count(*) FROM (SELECT key, address FROM touches GROUP BY 1, 2 HAVING count(*) > 1)")
[ "$dups" = 0 ] || fail "$dups touches recorded twice"
# A second sync finds nothing new.
expect 0 sync
has "$T/out" "Sent: 0 new messages, 0 follow-ups recorded"

done_tests
