#!/bin/sh
# followupd init as a new user meets it: with options (--non-interactive)
# and on a terminal (a pseudo-terminal driven by python3's pty), it writes
# a configuration with mode 0600 in ~/.config/followupd that `check`
# takes, with the provider's servers guessed from the address; the
# password typed is not echoed and lands in its own 0600 file; an existing
# file is kept unless --force; bad answers are refused before anything is
# written.
. "$(dirname "$0")/lib.sh"
unset FOLLOWUPD_CONFIG
CONF="$HOME/.config/followupd/followupd.conf"

# ---- non-interactive -------------------------------------------------------------
expect 0 init --non-interactive --me 'Jane Doe <jane@fastmail.com>' --timezone Europe/Berlin
has "$T/out" "Wrote $CONF (mode 0600)"
has "$T/out" "put the password in $HOME/.config/followupd/password"
[ "$(stat -c %a "$CONF")" = 600 ] || fail "mode $(stat -c %a "$CONF"), want 600"
[ "$(stat -c %a "$HOME/.config/followupd")" = 700 ] || fail "directory mode $(stat -c %a "$HOME/.config/followupd")"
has "$CONF" "url = imaps://imap.fastmail.com"
has "$CONF" "url = smtps://smtp.fastmail.com"
has "$CONF" "user = jane@fastmail.com"
expect 0 check
has "$T/out" "OK: 0 contacts, 0 groups, 1 IMAP account, SMTP, time zone Europe/Berlin"
# Not overwritten without --force.
cp "$CONF" "$T/before"
expect 73 init --non-interactive --me bob@example.org
has "$T/err" "$CONF exists: not overwritten (--force replaces it)"
cmp -s "$CONF" "$T/before" || fail "the configuration was changed without --force"
# --force, another provider's servers given, no digest, OAuth 2.0.
expect 0 init --non-interactive --force --me jane@example.org --imap imap://mx.example.org \
    --smtp none --oauth2 'oama access jane@example.org'
has "$CONF" "url = imap://mx.example.org"
has "$CONF" "token_command = oama access jane@example.org"
grep -q '^\[smtp\]' "$CONF" && fail "--smtp none still wrote [smtp]"
expect 0 check
has "$T/out" "1 IMAP account, time zone"
# Refused before writing: no address, a bad server, no terminal and no --me.
cp "$CONF" "$T/before"
expect 64 init --non-interactive --force --me 'Jane Doe'
has "$T/err" "--me 'Jane Doe' has no address"
expect 78 init --non-interactive --force --me jane@example.org --imap ftp://x.example.org
has "$T/err" "$CONF:"
expect 64 init --force </dev/null
has "$T/err" "--me is needed"
cmp -s "$CONF" "$T/before" || fail "a refused init changed the configuration"
# -c writes elsewhere.
expect 0 -c "$T/other/f.conf" init --non-interactive --me jane@example.org
[ -f "$T/other/f.conf" ] || fail "-c FILE was not written"

# ---- on a terminal -----------------------------------------------------------------
rm -rf "$HOME/.config"
/usr/bin/python3 - "$FOLLOWUPD" "$T/tty.txt" <<'PY' || fail "the terminal session failed: $(cat "$T/tty.txt")"
import os, pty, select, sys, time
exe, log = sys.argv[1], sys.argv[2]
answers = [
    (b"Your name and address", b"Jane Doe\n"),          # no address: asked again
    (b"try again", b""),
    (b"Your name and address", b"Jane Doe <jane@gmail.com>\n"),
    (b"IMAP server [imaps://imap.gmail.com]", b"\n"),
    (b"IMAP login [jane@gmail.com]", b"\n"),
    (b"SMTP server for the digest", b"\n"),
    (b"SMTP login [jane@gmail.com]", b"\n"),
    (b"Password", b"s3cret-app-pw\n"),
    (b"Time zone", b"America/New_York\n"),
    (b"Read your Sent folder now", b"n\n"),
]
pid, fd = pty.fork()
if pid == 0:
    os.execv(exe, [exe, "init"])
seen = b""
deadline = time.time() + 20
for want, reply in answers:
    while want not in seen:
        if time.time() > deadline:
            open(log, "wb").write(seen)
            sys.exit("timed out waiting for %r" % want)
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    seen = seen[seen.index(want) + len(want):] if reply == b"" else seen
    if reply:
        time.sleep(0.05)
        os.write(fd, reply)
        full = seen
        seen = b""
        with open(log, "ab") as f:
            f.write(full)
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    with open(log, "ab") as f:
        f.write(chunk)
_, status = os.waitpid(pid, 0)
sys.exit(os.WEXITSTATUS(status))
PY
has "$T/tty.txt" "Gmail: imaps://imap.gmail.com and smtps://smtp.gmail.com."
has "$T/tty.txt" "app password"
grep -q 's3cret-app-pw' "$T/tty.txt" && fail "the password was echoed"
has "$CONF" "me = Jane Doe <jane@gmail.com>"
has "$CONF" "timezone = America/New_York"
has "$CONF" "password_file = $HOME/.config/followupd/password"
[ "$(cat "$HOME/.config/followupd/password")" = s3cret-app-pw ] || fail "the password file holds $(cat "$HOME/.config/followupd/password")"
[ "$(stat -c %a "$HOME/.config/followupd/password")" = 600 ] || fail "password file mode $(stat -c %a "$HOME/.config/followupd/password")"
expect 0 check
has "$T/out" "OK: 0 contacts, 0 groups, 1 IMAP account, SMTP, time zone America/New_York"
done_tests
