# The time bounds of the engine's tests (stall.sh, trickle.sh): sourced
# after lib.sh. Under valgrind (FOLLOWUPD_WRAPPER), which runs the daemon
# tens of times slower and its threads one at a time, every step still
# runs and must happen, but a bound overrun is a "#" line, not a failure.
STRICT=yes
if [ -n "${FOLLOWUPD_WRAPPER:-}" ]; then
	STRICT=no
	echo "# under $FOLLOWUPD_WRAPPER: the time bounds are reported, not enforced"
fi
# slow S: a wait of S seconds, four times longer under valgrind.
slow() { if [ "$STRICT" = yes ]; then echo "$1"; else echo $(($1 * 4)); fi; }
# bound WHAT SECONDS LIMIT: SECONDS must be at most LIMIT.
bound() {
	awk -v v="$2" -v l="$3" 'BEGIN { exit !(v != "" && v <= l) }' && return 0
	if [ "$STRICT" = yes ]; then
		fail "$1: ${2:-never} s, more than $3 s"
	else
		echo "# $1: ${2:-never} s, more than $3 s (not enforced here)"
	fi
}
# now: the time in milliseconds (cut, not rounded: notifysock.py rounds
# its times to the millisecond, and an answer within the same one must
# not seem to come before its question).
now() { date +%s.%3N; }
# since T: seconds from T to now, to the millisecond.
since() { awk -v t="$1" -v n="$(now)" 'BEGIN { printf "%.3f", n - t }'; }
