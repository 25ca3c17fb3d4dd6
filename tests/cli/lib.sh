# Shared by the command-line tests: a private state and config per test.
set -u
: "${FOLLOWUPD:?run through make check}"
T=$(mktemp -d /tmp/fu-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
export XDG_STATE_HOME="$T/state" HOME="$T" FOLLOWUPD_CONFIG="$T/followupd.conf"
unset STATE_DIRECTORY CREDENTIALS_DIRECTORY XDG_CONFIG_HOME
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect STATUS COMMAND...: runs followupd, keeps stdout in $T/out, stderr in $T/err
expect() {
	want=$1; shift
	"$FOLLOWUPD" "$@" >"$T/out" 2>"$T/err"
	got=$?
	[ "$got" -eq "$want" ] || fail "followupd $* exited $got, want $want; stderr: $(cat "$T/err")"
}
has() { grep -qF -- "$2" "$1" || fail "$1 lacks: $2 (has: $(cat "$1"))"; }
done_tests() { [ "$fails" -eq 0 ] && echo "all passed" && exit 0; exit 1; }
