#!/bin/sh
# Installs what followupd needs to build, test and run its demo, from Debian 12
# packages. Used by both README commands; run as root (or with sudo present).
set -eu
PKGS="build-essential autoconf automake libtool autoconf-archive pkg-config
  libsqlite3-dev sqlite3 libcmocka-dev libetpan-dev libcurl4-gnutls-dev
  libical-dev libmicrohttpd-dev libsystemd-dev libgnutls28-dev tzdata
  mandoc python3 time dovecot-imapd openssl libsasl2-modules curl
  python3-aiosmtpd python3-icalendar khal vdirsyncer chromium fonts-dejavu-core
  clang libclang-rt-14-dev systemd man-db valgrind faketime
  libxml2-dev radicale"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "followupd: installing Debian packages:$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
