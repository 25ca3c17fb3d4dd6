#!/bin/sh
# Generates configure when needed, then builds out of tree in _build/main
# (the binary: _build/main/followupd).
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
[ -x configure ] || autoreconf -fi
mkdir -p _build/main
cd _build/main
[ -f Makefile ] || "$top/configure" -q
make -s -j"$(nproc)"
