#!/bin/sh
# The demo, for now: build, then check the seed configuration and show who
# is due. (The IMAP, SMTP and feed parts come with their issues.)
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
sh scripts/build.sh
demo=$(mktemp -d /tmp/followupd-demo.XXXXXX)
trap 'rm -rf "$demo"' EXIT
export XDG_STATE_HOME="$demo/state"
echo "== followupd check (seeds/followupd.conf)"
_build/main/followupd -c seeds/followupd.conf check
echo
echo "== logging a call with Sam and a card to Chen"
_build/main/followupd -c seeds/followupd.conf log sam --via call --note "walk moved to Wednesday"
_build/main/followupd -c seeds/followupd.conf log chen --via card
echo
echo "== followupd due"
_build/main/followupd -c seeds/followupd.conf due
echo
echo "== followupd status"
_build/main/followupd -c seeds/followupd.conf status
