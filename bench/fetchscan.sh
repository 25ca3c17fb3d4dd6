#!/bin/sh
# Builds bench/fetchscan.c (with -O2, in a temporary directory) and runs
# it: fetchscan's speed on a generated UID FETCH answer.
# Usage: bench/fetchscan.sh [N]            (N messages, default 100,000)
#        RUNS=9 CC=clang bench/fetchscan.sh
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -I"$top/daemon/lib" -I"$top/daemon/pure" -o "$tmp/fsb" \
    "$top/bench/fetchscan.c" "$top/daemon/pure/fetchscan.c" "$top/daemon/pure/day.c" \
    "$top/daemon/lib/buf.c"
"$tmp/fsb" "$@"
