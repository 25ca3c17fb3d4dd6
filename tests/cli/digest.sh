#!/bin/sh
# The digest as `followupd digest --dry-run` writes it for a fixed state
# (tests/data/digest.conf, 2026-11-23): its MIME structure checked by
# Python's email package, its text and HTML parts compared with the golden
# files tests/data/digest.txt and digest.html, its Message-ID stable.
. "$SRCDIR/tests/cli/lib.sh"

CONF="$SRCDIR/tests/data/digest.conf"
SUBJECT="Follow-ups Mon 23 Nov: 3 overdue, 1 due, 3 coming up, 2 cards, 1 to check back"
expect 0 -c "$CONF" digest --dry-run --date 2026-11-23
cp "$T/out" "$T/msg.eml"
python3 "$SRCDIR/tests/cli/mime_check.py" "$T/msg.eml" "$SUBJECT" "$T/text" "$T/html" >"$T/check" ||
    fail "structure: $(cat "$T/check")"
has "$T/check" "From: Jörg Müller <jorg@example.org> | To: Jörg Müller <jorg@example.org>"
if ! cmp -s "$T/text" "$SRCDIR/tests/data/digest.txt"; then
	fail "text part differs from tests/data/digest.txt:"
	diff "$SRCDIR/tests/data/digest.txt" "$T/text" | head -20
fi
if ! cmp -s "$T/html" "$SRCDIR/tests/data/digest.html"; then
	fail "HTML part differs from tests/data/digest.html:"
	diff "$SRCDIR/tests/data/digest.html" "$T/html" | head -20
fi
# The Message-ID comes from the account and the day, nothing else.
has "$T/msg.eml" "Message-ID: <followupd.digest.2026-11-23."
expect 0 -c "$CONF" digest --dry-run --date 2026-11-23
grep -v '^Date: ' "$T/msg.eml" >"$T/a"
grep -v '^Date: ' "$T/out" >"$T/b"
cmp -s "$T/a" "$T/b" || fail "two renderings of the same day differ beyond Date"
expect 0 -c "$CONF" digest --dry-run --date 2026-11-24
! grep -q "$(grep '^Message-ID' "$T/msg.eml")" "$T/out" || fail "two days share a Message-ID"
# Headers: encoded words for the name, the local Date with its offset.
has "$T/msg.eml" "From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <jorg@example.org>"
grep -q '^Date: [A-Z][a-z][a-z], [0-9]* [A-Z][a-z][a-z] 20[0-9][0-9] [0-9:]* [+-][0-9]\{4\}' "$T/msg.eml" ||
    fail "no RFC 5322 Date: $(grep '^Date' "$T/msg.eml")"
# Usage errors.
expect 64 -c "$CONF" digest --date 2026-13-01 --dry-run
expect 64 -c "$CONF" digest --bogus
# No [smtp]: only --dry-run can work.
expect 78 -c "$CONF" digest --date 2026-11-23
has "$T/err" "no [smtp] section"
done_tests
