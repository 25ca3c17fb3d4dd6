#!/bin/sh
# Digest benchmark: `followupd digest --dry-run` for a state of 10,000
# contacts of which 200 are due (digest_limit = 200, so all 200 are
# rendered, text and HTML), against `followupd check` of the same file (the
# configuration alone) in the same run. Reports median wall time and peak
# RSS. Target: the digest under 50 ms and 20 MiB.
#
# Usage: bench/digest.sh   (followupd from _build/main; FOLLOWUPD=... RUNS=...)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
FOLLOWUPD=${FOLLOWUPD:-$top/_build/main/followupd}
RUNS=${RUNS:-9}
[ -x "$FOLLOWUPD" ] || { echo "digest.sh: build followupd first (sh scripts/build.sh)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "digest.sh: needs GNU time (package time)" >&2; exit 1; }
dir=$(mktemp -d /tmp/fu-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
export XDG_STATE_HOME="$dir/state"
python3 - "$dir/f.conf" <<'PY'
import random, sys
rng = random.Random(7)
out = ["[followupd]", "me = Jane Doe <jane@example.org>", "timezone = Europe/Berlin",
       "digest_limit = 200", "horizon = 7d", ""]
names = ["Anna", "Jörg", "Zoë", "Li", "Marta", "Bob", "Chloé", "Dmitri", "Éva", "Kwame"]
for i in range(10000):
    due = i % 50 == 0                      # 200 of them
    out += ["[contact:c%d]" % i,
            "name = %s %d" % (names[i % len(names)], i),
            "email = c%d@example%d.org" % (i, i % 13),
            "cadence = 2w",
            # due: last contact 20 days before 2026-11-23; else 3 days before
            "last = %s" % ("2026-11-03" if due else "2026-11-20"),
            "reason = Ask about project %d & the <next> steps" % rng.randrange(1000), ""]
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(out))
PY
"$FOLLOWUPD" -c "$dir/f.conf" check >/dev/null || exit 1
"$FOLLOWUPD" -c "$dir/f.conf" digest --dry-run --date 2026-11-23 >"$dir/msg" || exit 1
listed=$(grep -c '^  \* ' "$dir/msg" || true)
measure() {   # prints "seconds KiB"
	/usr/bin/time -f "%e %M" -o "$dir/t" "$@" >/dev/null 2>&1
	cat "$dir/t"
}
: >"$dir/check"; : >"$dir/digest"
for r in $(seq "$RUNS"); do
	measure "$FOLLOWUPD" -c "$dir/f.conf" check >>"$dir/check"
	measure "$FOLLOWUPD" -c "$dir/f.conf" digest --dry-run --date 2026-11-23 >>"$dir/digest"
done
med() { cut -d' ' -f1 "$1" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
peak() { cut -d' ' -f2 "$1" | sort -n | tail -1; }
awk -v c="$(med "$dir/check")" -v d="$(med "$dir/digest")" -v cr="$(peak "$dir/check")" \
    -v dr="$(peak "$dir/digest")" -v runs="$RUNS" -v listed="$listed" -v size="$(wc -c <"$dir/msg")" 'BEGIN {
	printf "10,000 contacts, 200 due, %d rendered in full; the message is %d bytes; median of %d runs\n", listed, size, runs
	printf "  followupd check (configuration only)   %6.3f s   %5.1f MiB\n", c, cr / 1024
	printf "  followupd digest --dry-run             %6.3f s   %5.1f MiB   target < 0.050 s %s, < 20 MiB %s\n", d, dr / 1024, d < 0.05 ? "MET" : "MISSED", dr / 1024 < 20 ? "MET" : "MISSED"
	printf "  digest minus check (state, agenda, rendering) %6.3f s\n", d - c
}'
