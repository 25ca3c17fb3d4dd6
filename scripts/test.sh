#!/bin/sh
# The whole test suite, from a fresh clone, in phases:
#   packages     scripts/deps.sh
#   build        scripts/build.sh (_build/main)
#   tests        the unit, command-line and integration tests (real Dovecot
#                and SMTP), three at a time
#   no-cmocka    a tree configured --without-cmocka: make check reports the
#                unit tests as skipped and still runs the others
#   clock        the unit and command-line tests under libfaketime at seven
#                days (scripts/clock-sweep.sh), a PASS or FAIL line each
#   sanitizers   every test again with ASan+UBSan (IT_KILLS=5)
#   secrets      nothing followupd printed holds a test's password or token
#   valgrind     the command-line and integration tests with followupd
#                under memcheck (scripts/valgrind.sh, IT_KILLS=3)
#   man          mandoc -T lint
#   fuzz         each libFuzzer harness for FUZZ_SECONDS (default 30 here)
#   install      make install into a temporary directory
#   demo         the README's first command, from a clean clone (--once)
#   distcheck    the tarball builds, installs and passes the unit and
#                command-line tests (the integration tests ran above)
# Ends with a table of each phase's wall time (the budget is 30 minutes on
# a 2-core machine) and one line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
# The shared real-mail corpora (never copied here); tests skip without them.
if [ -z "${FOLLOWUPD_CORPORA:-}" ] && [ -d "$top/../shared/corpora" ]; then
	FOLLOWUPD_CORPORA=$(cd "$top/../shared/corpora" && pwd)
	export FOLLOWUPD_CORPORA
fi
JOBS=${TEST_JOBS:-3}   # tests at a time: most of them wait on servers
times=$(mktemp /tmp/fu-phases.XXXXXX)
trap 'rm -f "$times"' EXIT
started=$(date +%s)

pass=0 failn=0
count() {   # count LOGDIR: adds the results of make check's .trs files
	for trs in $(find "$1" -name '*.trs'); do
		p=$(grep -c '^:test-result: PASS' "$trs"); f=$(grep -c '^:test-result: \(FAIL\|ERROR\|XPASS\)' "$trs")
		pass=$((pass + p)); failn=$((failn + f))
	done
}
step() {    # step NAME COMMAND...: one PASS or FAIL line for a command
	name=$1; shift
	if "$@"; then pass=$((pass + 1)); echo "PASS: $name"
	else failn=$((failn + 1)); echo "FAIL: $name"; fi
}
phase() {   # phase NAME FUNCTION: runs it and records its wall time
	echo "== $1"
	t=$(date +%s)
	"$2"
	echo "$1 $(( $(date +%s) - t ))" >>"$times"
}
mmss() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }
table() {
	echo "== phases (wall time, m:ss)"
	while read -r name secs; do
		printf '%-12s %6s\n' "$name" "$(mmss "$secs")"
	done <"$times"
	printf '%-12s %6s\n' total "$(mmss $(( $(date +%s) - started )))"
}

packages() { sh scripts/deps.sh || { echo "FAIL: packages"; exit 1; }; }
build() { sh scripts/build.sh || { echo "FAIL: build"; exit 1; }; }
main_tests() {
	rm -rf _build/main/tests/transcripts
	find _build/main/tests -name '*.trs' -delete 2>/dev/null
	( cd _build/main && make -s -j"$JOBS" check >check.log 2>&1 ) ||
		{ failn=$((failn + 1)); echo "FAIL: make check";
		  grep -E '^(FAIL|ERROR):' _build/main/check.log;
		  grep -l -E '^(FAIL|ERROR)' _build/main/tests/*/*.log | xargs tail -40; }
	grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' _build/main/check.log
	count _build/main/tests
}
without_cmocka() {   # make check on a tree without cmocka: a SKIP, not nothing
	rm -rf _build/nocmocka && mkdir -p _build/nocmocka &&
	( cd _build/nocmocka && "$top/configure" -q --without-cmocka 2>/dev/null &&
	  make -s -j"$(nproc)" >/dev/null && make -s -j"$JOBS" check INTEGRATION_TESTS_RUN= >check.log 2>&1 ) &&
	grep -q '^SKIP: tests/unit/no-cmocka' _build/nocmocka/check.log &&
	grep -q '^# SKIP:  1$' _build/nocmocka/check.log &&
	! grep -q '^# PASS:  0$' _build/nocmocka/check.log &&
	grep -q '^# FAIL:  0$' _build/nocmocka/check.log ||
		{ tail -20 _build/nocmocka/check.log; return 1; }
	grep -E '^# (PASS|SKIP):' _build/nocmocka/check.log
}
no_cmocka() { step make-check-without-cmocka without_cmocka; }
clock() {
	sh scripts/clock-sweep.sh _build/main >_build/clock.out 2>&1
	cat _build/clock.out
	p=$(grep -c '^PASS: clock' _build/clock.out); f=$(grep -c '^FAIL: clock' _build/clock.out)
	pass=$((pass + p)); failn=$((failn + f))
	[ "$p" -ge 7 ] || { failn=$((failn + 1)); echo "FAIL: clock sweep: only $p days passed"; }
}
sanitizers() {
	rm -rf _build/san && mkdir -p _build/san
	( cd _build/san && "$top/configure" -q --enable-sanitizers &&
	  make -s -j"$(nproc)" && IT_KILLS=5 ASAN_OPTIONS=detect_leaks=1 make -s -j"$JOBS" check >check.log 2>&1 ) ||
		{ failn=$((failn + 1)); echo "FAIL: make check (sanitizers)";
		  grep -E '^(FAIL|ERROR):' _build/san/check.log;
		  grep -l -E '^(FAIL|ERROR)' _build/san/tests/*/*.log | xargs tail -40; }
	grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' _build/san/check.log
	count _build/san/tests
}
secrets_sweep() {   # secrets_sweep DIR: DIR/secrets against DIR/*.txt
	[ -s "$1/secrets" ] && [ -n "$(ls "$1"/*.txt 2>/dev/null)" ] ||
		{ echo "no transcripts or no secrets in $1"; return 1; }
	leaked=0
	sort -u "$1/secrets" >"$1/secrets.sorted"
	while IFS= read -r s; do
		[ -n "$s" ] || continue
		if grep -lF -- "$s" "$1"/*.txt; then
			echo "a secret of the tests is in the transcripts above"
			leaked=1
		fi
	done <"$1/secrets.sorted"
	echo "$(sort -u "$1/secrets" | wc -l) secrets against $(cat "$1"/*.txt | wc -l) lines of output"
	return "$leaked"
}
secrets() {
	step secrets-main secrets_sweep _build/main/tests/transcripts
	step secrets-sanitizers secrets_sweep _build/san/tests/transcripts
}
valgrind_pass() { step valgrind sh scripts/valgrind.sh; }
man_lint() { step mandoc-lint mandoc -T lint -W warning man/followupd.8 man/followupd.conf.5; }
fuzz() {
	FUZZ_SECONDS=${FUZZ_SECONDS:-30}
	export FUZZ_SECONDS
	step fuzz sh scripts/fuzz.sh
}
install_check() { step install sh scripts/check-install.sh; }
demo() { step demo sh scripts/check-demo.sh; }
distcheck() {
	step distcheck sh -c 'cd _build/main && make -s distcheck INTEGRATION_TESTS_RUN= >../distcheck.log 2>&1 ||
	    { tail -40 ../distcheck.log; exit 1; }'
}

phase packages packages
phase build build
phase tests main_tests
phase no-cmocka no_cmocka
phase clock clock
phase sanitizers sanitizers
phase secrets secrets
phase valgrind valgrind_pass
phase man man_lint
phase fuzz fuzz
phase install install_check
phase demo demo
phase distcheck distcheck
table
echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ] && [ "$pass" -gt 0 ]
