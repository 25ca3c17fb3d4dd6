#!/bin/sh
# The whole test suite, from a fresh clone: packages, build, unit and command-line
# tests, the integration tests against a real Dovecot and SMTP server, the
# same under ASan+UBSan, once more under valgrind, a search of all that followupd printed in them for
# the tests' passwords and tokens, the man page lint, the fuzzers (FUZZ_SECONDS each,
# default 60), make install into a temporary directory, the demo from a
# clean clone (--once) and make distcheck.
# Ends with one line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
# The shared real-mail corpora (never copied here); tests skip without them.
if [ -z "${FOLLOWUPD_CORPORA:-}" ] && [ -d "$top/../shared/corpora" ]; then
	FOLLOWUPD_CORPORA=$(cd "$top/../shared/corpora" && pwd)
	export FOLLOWUPD_CORPORA
fi
sh scripts/deps.sh || exit 1
sh scripts/build.sh || exit 1

pass=0 failn=0
count() {   # count LOGDIR: adds the results of make check's .trs files
	for trs in $(find "$1" -name '*.trs'); do
		p=$(grep -c '^:test-result: PASS' "$trs"); f=$(grep -c '^:test-result: \(FAIL\|ERROR\|XPASS\)' "$trs")
		pass=$((pass + p)); failn=$((failn + f))
	done
}
step() {    # step NAME COMMAND...: runs a step that is not a make check
	name=$1; shift
	if "$@"; then pass=$((pass + 1)); echo "PASS: $name"
	else failn=$((failn + 1)); echo "FAIL: $name"; fi
}

echo "== unit and command-line tests"
rm -rf _build/main/tests/transcripts
( cd _build/main && make -s check ) || { failn=$((failn + 1)); echo "FAIL: make check";
	cat _build/main/tests/*/*.log 2>/dev/null | tail -80; }
count _build/main/tests

echo "== the same under AddressSanitizer and UndefinedBehaviorSanitizer"
rm -rf _build/san && mkdir -p _build/san
( cd _build/san && "$top/configure" -q --enable-sanitizers &&
  make -s -j"$(nproc)" && ASAN_OPTIONS=detect_leaks=1 make -s check ) ||
	{ failn=$((failn + 1)); echo "FAIL: make check (sanitizers)";
	  cat _build/san/tests/*/*.log 2>/dev/null | tail -80; }
count _build/san/tests

echo "== secrets: no password or token a test gave followupd is in what it printed"
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
step secrets-main secrets_sweep _build/main/tests/transcripts
step secrets-sanitizers secrets_sweep _build/san/tests/transcripts

echo "== valgrind: the command-line and integration tests with followupd under memcheck"
step valgrind sh scripts/valgrind.sh

echo "== man pages"
step mandoc-lint mandoc -T lint -W warning man/followupd.8 man/followupd.conf.5

echo "== fuzzing: each harness of tests/fuzz for ${FUZZ_SECONDS:-60} s (ASan + UBSan)"
step fuzz sh scripts/fuzz.sh

echo "== make install: where followupd(8) says, units and example included"
step install sh scripts/check-install.sh

echo "== the demo (the README's first command), from a clean clone, with --once"
step demo sh scripts/check-demo.sh

echo "== make distcheck"
step distcheck sh -c 'cd _build/main && make -s distcheck >../distcheck.log 2>&1 || { tail -40 ../distcheck.log; exit 1; }'

echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ] && [ "$pass" -gt 0 ]
