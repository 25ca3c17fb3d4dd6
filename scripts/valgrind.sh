#!/bin/sh
# The command-line and integration tests once more, every followupd they
# run under valgrind's memcheck (through FOLLOWUPD_WRAPPER): they must
# pass, and no run may report a memory error or a leak "definitely lost".
# Every test, so every code path they reach, but the fault tests deal
# IT_KILLS=3 SIGKILLs instead of 50: a killed run reports nothing to
# memcheck, and what survives a kill is proven by the main run. Two tests
# at a time (VALGRIND_JOBS, default 2).
# Needs the build in _build/main (scripts/build.sh) and valgrind.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is missing"; exit 1; }
V=$top/_build/valgrind
rm -rf "$V" && mkdir -p "$V/logs"
cat >"$V/followupd" <<WRAP
#!/bin/sh
exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite \\
    --show-leak-kinds=definite --error-exitcode=97 --log-file=$V/logs/%p.log \\
    $top/_build/main/followupd "\$@"
WRAP
chmod +x "$V/followupd"
cd _build/main || exit 1
tests="$(make -s list-cli-tests) $(make -s list-integration-tests)"
IT_KILLS=3 FOLLOWUPD_WRAPPER=$V/followupd make -s -j"${VALGRIND_JOBS:-2}" check TESTS="$tests" \
    >"$V/check.log" 2>&1
rc=$?
runs=$(ls "$V/logs" | wc -l)
bad=$(grep -l -e 'definitely lost' -e 'Invalid read' -e 'Invalid write' -e 'uninitialised' \
    -e 'Invalid free' -e 'Mismatched free' "$V"/logs/*.log 2>/dev/null)
grep -E '^(PASS|FAIL|SKIP|ERROR):' "$V/check.log"
if [ -n "$bad" ]; then
	echo "valgrind found errors:"
	for f in $bad; do head -40 "$f"; done
	rc=1
fi
echo "valgrind: $runs runs of followupd, $(echo "$bad" | grep -c .) with errors or leaks"
[ "$rc" -eq 0 ]
