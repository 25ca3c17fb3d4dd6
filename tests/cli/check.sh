#!/bin/sh
# followupd check: exit statuses and FILE:LINE messages a user sees.
. "$(dirname "$0")/lib.sh"

cat >"$T/followupd.conf" <<'CONF'
[followupd]
me = Jane Doe <jane@example.org>
timezone = Europe/Berlin
[contact:alice]
email = alice@example.com
cadence = 2w
CONF
chmod 600 "$T/followupd.conf"
expect 0 check
has "$T/out" "OK: 1 contact, 0 groups"

expect 0 --version
has "$T/out" "followupd 0.1.0"
expect 0 --help
has "$T/out" "usage: followupd"
expect 64 frobnicate
has "$T/err" "unknown command 'frobnicate'"
expect 64
expect 64 check extra

# every error of the file at once, then 78
cat >"$T/bad.conf" <<'CONF'
[followupd]
me = Jane Doe <jane@example.org>
digest_tim = 07:30
[contact:alice]
email = alice@example.com
cadence = 2 weeks
[contact:bob]
name = Bob
CONF
expect 78 -c "$T/bad.conf" check
has "$T/err" "$T/bad.conf:3: unknown key 'digest_tim' in [followupd] (did you mean 'digest_time'?)"
has "$T/err" "$T/bad.conf:6: cadence: '2 weeks': expected a number and a unit"
has "$T/err" "$T/bad.conf:7: [contact:bob]: missing 'email'"
[ "$(wc -l <"$T/err")" -eq 3 ] || fail "want 3 error lines, got: $(cat "$T/err")"

# a missing file
expect 78 -c "$T/nope.conf" check
has "$T/err" "$T/nope.conf: cannot open: No such file or directory"

# an inline password in a file others can read: 77, and the password stays secret
cat >"$T/pw.conf" <<'CONF'
[followupd]
me = Jane Doe <jane@example.org>
[smtp]
url = smtps://smtp.example.org
user = jane
password = correct-horse-battery
CONF
chmod 644 "$T/pw.conf"
expect 77 -c "$T/pw.conf" check
has "$T/err" "$T/pw.conf:6: inline password in a file readable by group or others"
grep -q correct-horse "$T/err" && fail "the password leaked into the error"
chmod 600 "$T/pw.conf"
expect 0 -c "$T/pw.conf" check

# a configuration (or directory) others can change: 77, since whoever
# writes it can make followupd run commands
mkdir "$T/etc"
cat >"$T/etc/cmd.conf" <<'CONF'
[followupd]
me = Jane Doe <jane@example.org>
[smtp]
url = smtps://smtp.example.org
user = jane
password_command = echo secret
CONF
chmod 644 "$T/etc/cmd.conf"
expect 0 -c "$T/etc/cmd.conf" check
for m in 666 664 646 620; do
	chmod "$m" "$T/etc/cmd.conf"
	expect 77 -c "$T/etc/cmd.conf" check
	has "$T/err" "$T/etc/cmd.conf: the configuration is writable by group or others (mode 0$m)"
done
chmod 640 "$T/etc/cmd.conf"
chmod 775 "$T/etc"
expect 77 -c "$T/etc/cmd.conf" check
has "$T/err" "$T/etc/cmd.conf: its directory is writable by group or others (mode 0775)"
chmod 1777 "$T/etc"   # sticky, like /tmp: others cannot replace the file
expect 0 -c "$T/etc/cmd.conf" check
chmod 755 "$T/etc"
if [ "$(id -u)" = 0 ]; then
	# root runs it: a file or directory of another user is refused
	chown 65534 "$T/etc/cmd.conf"
	expect 77 -c "$T/etc/cmd.conf" check
	has "$T/err" "$T/etc/cmd.conf: the configuration is owned by uid 65534, not by the user running followupd (uid 0) or root"
	chown 0 "$T/etc/cmd.conf"
	chown 65534 "$T/etc"
	expect 77 -c "$T/etc/cmd.conf" check
	has "$T/err" "$T/etc/cmd.conf: its directory is owned by uid 65534"
	chown 0 "$T/etc"
	expect 0 -c "$T/etc/cmd.conf" check
fi

# $FOLLOWUPD_CONFIG, then XDG_CONFIG_HOME
unset FOLLOWUPD_CONFIG
mkdir -p "$T/xdg/followupd"
cp "$T/followupd.conf" "$T/xdg/followupd/followupd.conf"
XDG_CONFIG_HOME="$T/xdg" expect 0 check
has "$T/out" "$T/xdg/followupd/followupd.conf: OK"
done_tests
