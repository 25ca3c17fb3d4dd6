#!/bin/sh
# The unit and command-line tests with the clock moved to other days, by
# libfaketime (Debian: faketime) preloaded into every test and everything
# it runs: a test that depends on the machine's today fails on one of them.
# The days are chosen to break date arithmetic: a year's last minutes, the
# end of February in a common and in a leap year, the two DST changes in
# Europe, a summer day years ahead, and the end of 2037.
#
#   sh scripts/clock-sweep.sh [BUILDDIR] ['YYYY-MM-DD HH:MM' ...]
#
# BUILDDIR defaults to _build/main (scripts/build.sh). One line per day,
# "PASS: clock YYYY-MM-DD HH:MM" or "FAIL: ...", with the failing tests'
# logs after a failure. Exits 0 when every day passed.
set -u
cd "$(dirname "$0")/.."
build=${1:-_build/main}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- '2026-12-31 23:50' '2027-02-28 12:00' '2027-03-28 01:30' \
    '2027-10-31 02:30' '2028-02-29 12:00' '2031-07-15 12:00' '2037-12-31 23:00'
lib=$(find /usr/lib -name libfaketime.so.1 -path '*faketime*' 2>/dev/null | head -1)
[ -n "$lib" ] || { echo "clock-sweep.sh: libfaketime is missing (scripts/deps.sh)"; exit 1; }
[ -f "$build/Makefile" ] || { echo "clock-sweep.sh: no build in $build"; exit 1; }
cd "$build" || exit 1
tests="$(make -s list-unit-tests) $(make -s list-cli-tests)"
[ -n "${tests# }" ] || { echo "clock-sweep.sh: no tests found in $build/Makefile"; exit 1; }
# An offset from the real clock rather than a start time: libfaketime reads
# a start time in each process's own TZ, and the tests run programs in
# several zones. The clock goes on running from the day it is set to. The
# monotonic clock is moved too: with FAKETIME_DONT_FAKE_MONOTONIC, Debian
# 12's libfaketime 0.9.10 fails every absolute clock_nanosleep (Python's
# time.sleep) with EINVAL.
bad=0
for when in "$@"; do
	target=$(date -u -d "$when" +%s) || { echo "FAIL: clock $when (not a date)"; bad=1; continue; }
	FAKETIME="+$((target - $(date +%s)))"
	export FAKETIME
	seen=$(LD_PRELOAD=$lib date -u '+%Y-%m-%d %H:%M')
	if [ "$seen" != "$when" ]; then
		# Not faked (or not to that minute): the run would prove nothing.
		echo "FAIL: clock $when (the preloaded clock says $seen)"
		bad=1
		continue
	fi
	rm -f test-suite.log
	if make -s check TESTS="$tests" TESTS_ENVIRONMENT="LD_PRELOAD=$lib; export LD_PRELOAD;" \
	    >clock-sweep.log 2>&1; then
		echo "PASS: clock $when UTC ($(grep -c '^PASS' clock-sweep.log) tests)"
	else
		echo "FAIL: clock $when UTC"
		grep -E '^(FAIL|ERROR):' clock-sweep.log
		for log in $(grep -E '^(FAIL|ERROR):' clock-sweep.log | sed 's/^[A-Z]*: \([^ ]*\).*/\1/' | sort -u); do
			log=${log%.sh}.log
			[ -f "$log" ] && tail -30 "$log"
		done
		bad=1
	fi
done
unset FAKETIME
exit "$bad"
