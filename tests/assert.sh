# Shared by the shell tests (tests/cli/lib.sh, tests/integration/lib.sh):
# failures are counted, not fatal, so one run reports them all. Needs $T,
# the test's private directory, and $FOLLOWUPD.
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect STATUS COMMAND...: runs followupd, keeps stdout in $T/out, stderr in $T/err;
# both also go to the suite's transcripts ($FOLLOWUPD_TRANSCRIPTS/TEST.txt),
# which scripts/test.sh searches for every secret the tests used.
expect() {
	want=$1; shift
	"$FOLLOWUPD" "$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ -n "${FOLLOWUPD_TRANSCRIPTS:-}" ] && mkdir -p "$FOLLOWUPD_TRANSCRIPTS"; then
		cat "$T/out" "$T/err" >>"$FOLLOWUPD_TRANSCRIPTS/$(basename "$0").txt"
	fi
	[ "$got" -eq "$want" ] || fail "followupd $* exited $got, want $want; stderr: $(cat "$T/err")"
}
has() { grep -qF -- "$2" "$1" || fail "$1 lacks: $2 (has: $(cat "$1"))"; }
# wait_for SECONDS COMMAND...: until COMMAND succeeds, polling every 0.1 s.
wait_for() {
	wait_left=$(($1 * 10)); shift
	while [ "$wait_left" -gt 0 ]; do
		"$@" && return 0
		wait_left=$((wait_left - 1)); sleep 0.1
	done
	return 1
}
# secret TEXT: a password or token this test gives followupd, which must
# never appear in what followupd prints (checked by scripts/test.sh).
secret() {
	if [ -n "${FOLLOWUPD_TRANSCRIPTS:-}" ] && mkdir -p "$FOLLOWUPD_TRANSCRIPTS"; then
		printf '%s\n' "$1" >>"$FOLLOWUPD_TRANSCRIPTS/secrets"
	fi
}
done_tests() { [ "$fails" -eq 0 ] && echo "all passed" && exit 0; exit 1; }
