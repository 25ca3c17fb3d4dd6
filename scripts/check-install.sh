#!/bin/sh
# make install into a temporary DESTDIR from the build in _build/main, then
# checks that everything is where followupd(8) says: the binary, the
# system and user units in systemd's directories (pkg-config systemd) as
# followupd.service and the per-user template as followupd@.service, all
# running the installed binary, the man pages (which the units'
# Documentation= finds), and the example configuration, which passes the
# installed binary's check.
set -eu
cd "$(dirname "$0")/../_build/main"
D=$(mktemp -d /tmp/fu-install.XXXXXX)
trap 'rm -rf "$D"' EXIT
make -s install DESTDIR="$D" >/dev/null
prefix=$(sed -n 's/^prefix = //p' Makefile)
sysdir=$(pkg-config --variable=systemdsystemunitdir systemd)
userdir=$(pkg-config --variable=systemduserunitdir systemd)
bad=0
need() { [ -e "$D$1" ] || { echo "not installed: $1"; bad=1; }; }
need "$prefix/bin/followupd"
need "$sysdir/followupd.service"
need "$userdir/followupd.service"
need "$sysdir/followupd@.service"
need "$prefix/share/man/man8/followupd.8"
need "$prefix/share/man/man5/followupd.conf.5"
need "$prefix/share/doc/followupd/followupd.conf.example"
[ "$bad" -eq 0 ] || exit 1
for u in "$D$sysdir/followupd.service" "$D$userdir/followupd.service" "$D$sysdir/followupd@.service"; do
	grep -q "^ExecStart=$prefix/bin/followupd " "$u" ||
	    { echo "$u: ExecStart is not the installed binary: $(grep ExecStart "$u")"; exit 1; }
done
"$D$prefix/bin/followupd" --version
"$D$prefix/bin/followupd" -c "$D$prefix/share/doc/followupd/followupd.conf.example" check
# The units' Documentation= (man:followupd(8)...) resolves to the installed pages.
sed "s|^ExecStart=$prefix/bin/followupd|ExecStart=$D$prefix/bin/followupd|" \
    "$D$sysdir/followupd.service" >"$D/followupd.service"
MANPATH="$D$prefix/share/man" systemd-analyze verify "$D/followupd.service"
make -s uninstall DESTDIR="$D" >/dev/null
left=$(find "$D" -type f ! -name followupd.service | head -5)
[ -z "$left" ] || { echo "make uninstall left: $left"; exit 1; }
echo "installed and uninstalled under $D: OK"
