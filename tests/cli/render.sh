#!/bin/sh
# The HTML part of the golden digest (tests/data/digest.html) as headless
# Chromium draws it, at a phone's width and a desktop's, into
# tests/output/ of the build directory: look at them. Checked here: both
# render at the asked size with something drawn, and Chromium's DOM of the
# page has its heading. Skipped (77) without chromium.
. "$SRCDIR/tests/cli/lib.sh"

command -v chromium >/dev/null || { echo "SKIP: chromium is not installed"; exit 77; }
out="$PWD/tests/output"
mkdir -p "$out"
cp "$SRCDIR/tests/data/digest.html" "$T/digest.html"
# The page is a fixed file: the clock does not matter to it, and Chromium
# hangs under the clock sweep's libfaketime, so it never gets the preload.
# shot WIDTH FILE: a full-height screenshot at that width.
shot() {
	timeout 60 env -u LD_PRELOAD chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
	    --user-data-dir="$T/profile" --window-size="$1,1800" --screenshot="$2" \
	    "file://$T/digest.html" >"$T/chromium.log" 2>&1 ||
	    fail "chromium failed: $(tail -3 "$T/chromium.log")"
}
shot 390 "$out/digest-phone.png"
shot 1024 "$out/digest-desktop.png"
# The page's own width at 390 px, measured by Chromium's layout.
timeout 60 env -u LD_PRELOAD chromium --headless --no-sandbox --disable-gpu --user-data-dir="$T/profile" \
    --window-size=390,1800 --dump-dom "file://$T/digest.html" >"$T/dom.html" 2>/dev/null ||
    fail "chromium --dump-dom failed"
has "$T/dom.html" "Follow-ups for Mon 23 Nov"
python3 - "$out/digest-phone.png" "$out/digest-desktop.png" <<'PY' || fail "the screenshots are not what they should be"
import struct, sys, zlib
for path, want_w in zip(sys.argv[1:], (390, 1024)):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    w, h = struct.unpack(">II", data[16:24])
    assert (w, h) == (want_w, 1800), (path, w, h)
    # Something is drawn: the image is not one flat colour.
    assert len(data) > 20000, (path, len(data))
print("screenshots: " + ", ".join(sys.argv[1:]))
PY
done_tests
