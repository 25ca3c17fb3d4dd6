#!/bin/sh
# Idle cost of the daemon: `followupd run` against a real Dovecot (IDLE) and
# a real SMTP server on loopback, with the feed server on and the watchdog
# on (WATCHDOG_USEC=30 s, as under systemd with WatchdogSec=60s), once it
# has logged in, sent its catch-up digest and settled: the CPU time it
# uses over SECONDS_IDLE (default 60) of idleness, in nanoseconds from
# /proc/PID/schedstat (utime + stime of /proc/PID/stat counts in 10 ms
# ticks, too coarse here, and is printed too), and how many times it woke
# up (voluntary context switches, /proc/PID/status). Target: under 20 ms
# of CPU over 60 s.
#
# Usage: bench/idle.sh                      (followupd from _build/main)
#        FOLLOWUPD=/path/to/followupd SECONDS_IDLE=120 bench/idle.sh
# Needs root, dovecot-imapd, openssl, python3-aiosmtpd (scripts/deps.sh).
# Exits 0 whether the target is met or not; non-zero only when it cannot run.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SRCDIR=$top
FOLLOWUPD=${FOLLOWUPD:-$top/_build/main/followupd}
SECONDS_IDLE=${SECONDS_IDLE:-60}
export SRCDIR FOLLOWUPD
[ -x "$FOLLOWUPD" ] || { echo "idle.sh: build followupd first (sh scripts/build.sh)" >&2; exit 1; }
. "$top/tests/integration/lib.sh"

it_certs >/dev/null
it_dovecot_start >/dev/null
it_smtpd mx "$IT/tls/good.pem" "$IT/tls/good.key"
D_PID=
trap '[ -n "$D_PID" ] && kill "$D_PID" 2>/dev/null; kill "$(cat "$IT/mx/pid")" 2>/dev/null; it_cleanup' EXIT
it_config '[contact:alice]' 'email = alice@example.com' 'cadence = 2w' 'last = 2026-01-01' \
    '[contact:bob]' 'email = bob@example.com' 'cadence = 1m'
it_smtp_config "$PORT"
printf '%s\n' '' '[calendar]' "listen = 127.0.0.1:$(it_free_port)" >>"$FOLLOWUPD_CONFIG"
it_config_set digest_time 00:00
WATCHDOG_USEC=30000000 "$FOLLOWUPD" run 2>"$IT/run.log" &
D_PID=$!
settled() { grep -q 'watching "Sent" (IDLE)' "$IT/run.log"; }
wait_for 30 settled || { echo "idle.sh: the daemon did not settle: $(cat "$IT/run.log")" >&2; exit 1; }
sleep 2
ticks=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$D_PID/stat"; }
wakes() { awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$D_PID/status"; }
ns() { cat /proc/"$D_PID"/task/*/schedstat | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
c0=$(cpu); w0=$(wakes); n0=$(ns)
sleep "$SECONDS_IDLE"
c1=$(cpu); w1=$(wakes); n1=$(ns)
kill -0 "$D_PID" 2>/dev/null || { echo "idle.sh: the daemon died: $(cat "$IT/run.log")" >&2; exit 1; }
us=$(( (n1 - n0) / 1000 ))
target=$(( 20000 * SECONDS_IDLE / 60 ))
echo "idle for $SECONDS_IDLE s: CPU $((us / 1000)).$(printf '%03d' $((us % 1000))) ms" \
    "(schedstat; /proc/PID/stat: $((c1 - c0)) ticks of $((1000 / ticks)) ms), $((w1 - w0)) wake-ups"
if [ "$us" -lt "$target" ]; then
	echo "target: under $((target / 1000)) ms: met"
else
	echo "target: under $((target / 1000)) ms: MISSED"
fi
