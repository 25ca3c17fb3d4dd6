# Shared by the command-line tests: a private state and config per test.
set -u
: "${FOLLOWUPD:?run through make check}"
T=$(mktemp -d /tmp/fu-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
export XDG_STATE_HOME="$T/state" HOME="$T" FOLLOWUPD_CONFIG="$T/followupd.conf"
unset STATE_DIRECTORY CREDENTIALS_DIRECTORY XDG_CONFIG_HOME
. "${SRCDIR:?run through make check}/tests/assert.sh"
