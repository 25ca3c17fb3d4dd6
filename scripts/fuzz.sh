#!/bin/sh
# Builds the libFuzzer harnesses of tests/fuzz/ with clang (ASan + UBSan)
# and runs each for FUZZ_SECONDS (default 60) seconds, two at a time. The seed corpus of
# each is tests/fuzz/seeds/NAME plus, when ../shared/corpora is there, the
# real mail in it (read in place, never copied into the repository).
# A crash fails the script with the crashing input saved in
# _build/fuzz/NAME/; it becomes a regression test in tests/fuzz/crashes/.
# Ends with one line per harness: executions and the result.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
secs=${FUZZ_SECONDS:-60}
out=$top/_build/fuzz
command -v clang >/dev/null || { echo "fuzz.sh: clang is missing (scripts/deps.sh)"; exit 1; }
mkdir -p "$out"
srcs=$(ls daemon/*/*.c | grep -v -e daemon/cli/)
incs=$(for d in daemon/*/; do printf ' -I%s' "${d%/}"; done)
libs=$(pkg-config --libs sqlite3 libetpan gnutls libcurl libxml-2.0 libical libmicrohttpd libsystemd)
cflags=$(pkg-config --cflags sqlite3 libetpan gnutls libcurl libxml-2.0 libical libmicrohttpd libsystemd)
corpora=${FOLLOWUPD_CORPORA:-$top/../shared/corpora}
# The modules are compiled once, two at a time, and shared by every harness;
# the harnesses then run two at a time (this machine has two cores).
objs=$out/objs
rm -rf "$objs" && mkdir -p "$objs"
CFLAGS_FUZZ="-g -O1 -D_GNU_SOURCE -fsanitize=fuzzer-no-link,address,undefined \
    -fno-sanitize-recover=undefined -DPACKAGE_VERSION=\"fuzz\" $incs $cflags"
export CFLAGS_FUZZ objs
# shellcheck disable=SC2086
printf '%s\n' $srcs | xargs -P2 -I{} sh -c \
    'clang $CFLAGS_FUZZ -c -o "$objs/$(basename {} .c).o" {}' || exit 1
fuzz_one() {   # fuzz_one NAME: builds, seeds and runs fuzz_NAME; says how it went
	h=$1
	# shellcheck disable=SC2086
	clang -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -DPACKAGE_VERSION='"fuzz"' $incs $cflags -o "$out/fuzz_$h" \
	    "tests/fuzz/fuzz_$h.c" "$objs"/*.o $libs -lpthread 2>"$out/$h.build" ||
	    { echo "fuzz_$h: does not build"; cat "$out/$h.build"; return 1; }
	corpus="$out/$h.corpus"
	rm -rf "$corpus"
	mkdir -p "$corpus" "$out/$h"
	cp tests/fuzz/seeds/"$h"/* "$corpus"/ 2>/dev/null || true
	[ -d tests/fuzz/crashes ] && cp tests/fuzz/crashes/"$h"-* "$corpus"/ 2>/dev/null || true
	if [ -d "$corpora" ]; then
		case $h in
		header) find "$corpora/enron" "$corpora/notmuch" -type f -exec cp {} "$corpus"/ \; ;;
		address) grep -o '<address>[^<]*</address>' "$corpora/isemail/tests.xml" |
		    sed 's/<[^>]*>//g' | split -l 1 - "$corpus/isemail-" ;;
		esac
	fi
	[ "$h" = config ] && cp seeds/followupd.conf tests/data/digest.conf "$corpus"/
	if "$out/fuzz_$h" -max_total_time="$secs" -max_len=65536 -timeout=10 \
	    -rss_limit_mb=1024 -artifact_prefix="$out/$h/" -print_final_stats=1 \
	    "$corpus" >"$out/$h.log" 2>&1; then
		runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$h.log" | grep -o '[0-9]*$')
		echo "fuzz_$h: $runs executions in $secs s, no crash"
	else
		echo "fuzz_$h: FAILED, see $out/$h.log and $out/$h/"
		tail -30 "$out/$h.log"
		return 1
	fi
}
fail=0
set -- address header date config http reply mime fetch ics
while [ $# -gt 0 ]; do
	a=$1 b=
	shift
	fuzz_one "$a" >"$out/$a.result" 2>&1 &
	pa=$!
	if [ $# -gt 0 ]; then
		b=$1
		shift
		fuzz_one "$b" >"$out/$b.result" 2>&1 &
		pb=$!
	fi
	wait "$pa" || fail=1
	echo "== fuzz_$a"; cat "$out/$a.result"
	if [ -n "$b" ]; then
		wait "$pb" || fail=1
		echo "== fuzz_$b"; cat "$out/$b.result"
	fi
done
exit "$fail"
