#!/bin/sh
# The feed server (`followupd feed --serve`) with curl on loopback: 200 with
# the body and its validators, 304 on If-None-Match and If-Modified-Since,
# 404 for a wrong token and every other path (.. and encoded variants
# included), 405 for other methods, 400 for a GET with a body (and no log
# line for it), HEAD without a body, the per-address connection limit,
# the 10 s deadline for a request head (an idle connection, and 320 slow
# clients from 20 addresses while a normal GET is answered), a new ETag
# and a later Last-Modified after a change,
# HTTPS with a generated certificate, TLS 1.2 and later only; then a real
# client subscribes:
# vdirsyncer (http storage -> filesystem) syncs the feed over HTTPS and
# khal lists the coming week's follow-ups.
. "$SRCDIR/tests/integration/lib.sh"

command -v curl >/dev/null || it_skip "curl is not installed"
it_certs >/dev/null
trap '[ -f "$IT/serve.pid" ] && kill "$(cat "$IT/serve.pid")" 2>/dev/null; it_cleanup' EXIT
ZONE=Europe/Berlin
d() { TZ=$ZONE date -d "$1" +%Y-%m-%d; }
PORT=$(it_free_port)
STATE="$XDG_STATE_HOME/followupd"
cat >"$FOLLOWUPD_CONFIG" <<CONF
[followupd]
me = Jane Doe <jane@example.org>
timezone = $ZONE

[calendar]
listen = 127.0.0.1:$PORT
event_time = 09:00 30m

[contact:alice]
name = Alice Smith
email = alice@example.com
cadence = 2w
last = $(d '20 days ago')

[contact:bob]
name = Bob Jones
email = bob@example.com
cadence = 3w
last = $(d '17 days ago')

[contact:carol]
name = Carol King
email = carol@example.com
cadence = yearly
last = $(d '100 days ago')
CONF

serve() {   # serve SCHEME: starts feed --serve, waits until it answers
	"$FOLLOWUPD" feed --serve >"$IT/serve.out" 2>"$IT/serve.err" &
	echo $! >"$IT/serve.pid"
	up() { [ -s "$STATE/feed.token" ] && curl -s -o /dev/null --cacert "$IT/tls/ca.pem" \
	    "$1://127.0.0.1:$PORT/"; }
	wait_for 10 up "$1" || fail "the feed server did not start: $(cat "$IT/serve.err")"
	TOKEN=$(cat "$STATE/feed.token")
	URL="$1://127.0.0.1:$PORT/$TOKEN/followups.ics"
}
stop() {
	kill -TERM "$(cat "$IT/serve.pid")"
	n=0
	while kill -0 "$(cat "$IT/serve.pid")" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -lt 50 ] || { fail "feed --serve did not stop on SIGTERM"; break; }
		sleep 0.1
	done
	rm -f "$IT/serve.pid"
}
# get PATH-OR-URL [CURL-ARGS...]: status code in $CODE, headers in $T/h, body in $T/b
get() {
	u=$1; shift
	case $u in http*) ;; *) u="http://127.0.0.1:$PORT$u" ;; esac
	rm -f "$T/b" "$T/h"
	CODE=$(curl -sS --path-as-is --cacert "$IT/tls/ca.pem" -o "$T/b" -D "$T/h" \
	    -w '%{http_code}' "$@" "$u") || CODE=error
}
header() { grep -i "^$1:" "$T/h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }

# 1. The token: made on first start, 160 bits in hex, 0600, in status.
serve http
echo "$TOKEN" | grep -Eqx '[0-9a-f]{40}' || fail "token is not 40 hex digits: $TOKEN"
[ "$(stat -c %a "$STATE/feed.token")" = 600 ] || fail "token file mode $(stat -c %a "$STATE/feed.token")"
expect 0 status
has "$T/out" "http://127.0.0.1:$PORT/$TOKEN/followups.ics"
has "$T/out" "webcal://127.0.0.1:$PORT/$TOKEN/followups.ics"

# An idle connection, closed by the server at the head deadline, 10 s
# (checked at the end).
/usr/bin/python3 - "$PORT" >"$T/idle" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
t = time.monotonic()
s.settimeout(60)
try:
    while s.recv(4096):
        pass
    print("closed after %d s" % round(time.monotonic() - t))
except socket.timeout:
    print("still open after 60 s")
PY
IDLE=$!

# 2. 200: the feed, as `followupd feed` builds it and as the file holds it.
get "$URL"
[ "$CODE" = 200 ] || fail "GET: $CODE"
[ "$(header Content-Type)" = "text/calendar; charset=utf-8" ] || fail "Content-Type: $(header Content-Type)"
ETAG=$(header ETag)
LM=$(header Last-Modified)
echo "$ETAG" | grep -Eqx '"[0-9a-f]{32}"' || fail "not a strong ETag: $ETAG"
[ -n "$LM" ] || fail "no Last-Modified"
expect 0 feed
cmp -s "$T/b" "$T/out" || fail "the served body is not the feed"
cmp -s "$T/b" "$STATE/followups.ics" || fail "the served body is not the calendar file"
has "$T/b" "SUMMARY:Follow up: Alice Smith"
"$ICALCHECK" "$T/b" >"$T/check" || fail "libical: $(cat "$T/check")"

# 3. 304 on either validator; If-None-Match decides when both are sent.
get "$URL" -H "If-None-Match: $ETAG"
[ "$CODE" = 304 ] && [ ! -s "$T/b" ] || fail "If-None-Match: $CODE"
[ "$(header ETag)" = "$ETAG" ] || fail "the 304 lacks the ETag"
get "$URL" -H "If-None-Match: \"other\", W/$ETAG"
[ "$CODE" = 304 ] || fail "If-None-Match with a list and a weak tag: $CODE"
get "$URL" -H 'If-None-Match: "other"'
[ "$CODE" = 200 ] || fail "If-None-Match of another tag: $CODE"
get "$URL" -H "If-Modified-Since: $LM"
[ "$CODE" = 304 ] && [ ! -s "$T/b" ] || fail "If-Modified-Since: $CODE"
get "$URL" -H "If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT"
[ "$CODE" = 200 ] || fail "If-Modified-Since in 2000: $CODE"
get "$URL" -H 'If-None-Match: "other"' -H "If-Modified-Since: $LM"
[ "$CODE" = 200 ] || fail "If-None-Match did not decide over If-Modified-Since: $CODE"

# 4. HEAD: the headers, no body (read off the socket: curl -I would not
# read a body even if one came).
/usr/bin/python3 - "$PORT" "/$TOKEN/followups.ics" >"$T/head" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"HEAD " + sys.argv[2].encode() + b" HTTP/1.0\r\nHost: x\r\n\r\n")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
print(head.split(b"\r\n")[0].decode())
for line in head.split(b"\r\n")[1:]:
    if line.lower().startswith(b"content-length:"):
        print("length " + line.split(b":")[1].strip().decode())
print("body %d" % len(body))
PY
has "$T/head" " 200 OK"
has "$T/head" "length $(wc -c <"$STATE/followups.ics")"
has "$T/head" "body 0"

# 5. 404 for every other path, the token's neighbours included.
last=$(echo "$TOKEN" | cut -c40)
other=$(echo "$TOKEN" | cut -c1-39)$( [ "$last" = 0 ] && echo 1 || echo 0)
for p in "/$other/followups.ics" "/$(echo "$TOKEN" | cut -c1-39)/followups.ics" \
    "/${TOKEN}0/followups.ics" "/$TOKEN/other.ics" "/$TOKEN" "/$TOKEN/" "/" \
    "/followups.ics" "/$TOKEN/followups.ics/" "/$TOKEN/../$TOKEN/followups.ics" \
    "/x/../$TOKEN/followups.ics" "/$TOKEN/%2e%2e/$TOKEN/followups.ics" \
    "/%2E%2E/$TOKEN/followups.ics" "/$TOKEN/..%2f$TOKEN/followups.ics" \
    "/$TOKEN%2ffollowups.ics" "//$TOKEN/followups.ics" "/$(echo "$TOKEN" | tr a-f A-F)/followups.ics"; do
	get "$p"
	[ "$CODE" = 404 ] || fail "$p: $CODE, expected 404"
done

# 6. 405 with Allow for other methods.
for m in POST PUT DELETE PROPFIND; do
	get "$URL" -X "$m" --data x
	[ "$CODE" = 405 ] || fail "$m: $CODE"
	[ "$(header Allow)" = "GET, HEAD" ] || fail "$m: Allow: $(header Allow)"
done

# 6b. A GET (or HEAD) with a body: 400 at once, and nothing logged.
get "$URL" -X GET --data hello
[ "$CODE" = 400 ] || fail "GET with a body: $CODE"
# curl -X HEAD waits for the body a HEAD response never has: read the
# status line only.
curl -s -m 5 -D "$T/h" -o /dev/null -X HEAD --data hello "$URL" || :
head -1 "$T/h" | grep -q " 400 " || fail "HEAD with a body: $(head -1 "$T/h")"
get "$URL" -X GET -H 'Transfer-Encoding: chunked' --data hello
[ "$CODE" = 400 ] || fail "GET with a chunked body: $CODE"
get "$URL" -H 'Content-Length: 0'
[ "$CODE" = 200 ] || fail "GET with Content-Length: 0: $CODE"
! grep -q "feed server:" "$IT/serve.err" || fail "the server logged: $(cat "$IT/serve.err")"

wait "$IDLE"
grep -Eq "closed after (9|10|11|12) s" "$T/idle" || fail "idle connection: $(cat "$T/idle")"

# 7. At most 16 connections from one address: the 17th is turned away.
/usr/bin/python3 - "$PORT" "$URL" >"$T/limit" <<'PY'
import socket, sys, time, urllib.request
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
time.sleep(0.3)
try:
    urllib.request.urlopen(sys.argv[2], timeout=5).read()
    print("17th served")
except Exception as e:
    print("17th refused")
for s in held:
    s.close()
time.sleep(0.3)
print("after: %d" % urllib.request.urlopen(sys.argv[2], timeout=5).status)
PY
has "$T/limit" "17th refused"
has "$T/limit" "after: 200"

# 7b. Slowloris: 16 connections from each of 20 loopback addresses (320,
# and 20 from 127.0.0.2, more than its share), each sending its request
# head a byte a second, which restarts the idle timeout every time. The
# address gets no more than its 16, at most 128 wait for their head at
# once (the oldest is closed for a newer one), a normal GET from
# 127.0.0.1 is answered meanwhile, and every slow connection is closed at
# its deadline. Bounded: 324 connections, 25 s.
/usr/bin/python3 - "$PORT" "$URL" >"$T/slow" <<'PY'
import select, socket, sys, time, urllib.request
port, url = int(sys.argv[1]), sys.argv[2]
head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 200
start = time.monotonic()
conns = []   # [socket, source address, opened, seconds until closed]
for i in range(20):
    src = "127.0.0.%d" % (i + 2)
    for _ in range(20 if i == 0 else 16):
        s = socket.socket()
        s.bind((src, 0))
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            s.close()
            continue
        s.setblocking(False)
        conns.append([s, src, time.monotonic(), None])

def drip(now):   # one more byte on each open connection; notes closed ones
    for c in conns:
        if c[3] is not None:
            continue
        gone = False
        if select.select([c[0]], [], [], 0)[0]:
            try:
                gone = c[0].recv(4096) == b""
            except OSError:
                gone = True
        if not gone:
            try:
                c[0].send(head[int(now - c[2]) % len(head):][:1])
            except BlockingIOError:
                pass
            except OSError:
                gone = True
        if gone:
            c[3] = now - c[2]
            c[0].close()

time.sleep(1.5)
drip(time.monotonic())
held = {}
for c in conns:
    if c[3] is None:
        held[c[1]] = held.get(c[1], 0) + 1
print("connected %d" % len(conns))
print("held %d" % sum(held.values()))
print("from one address %d" % max(held.values(), default=0))
t = time.monotonic()
try:
    code = urllib.request.urlopen(url, timeout=5).status
except Exception as e:
    code = "error (%s)" % e
print("normal GET: %s in %.1f s" % (code, time.monotonic() - t))
while time.monotonic() - start < 25 and any(c[3] is None for c in conns):
    time.sleep(1)
    drip(time.monotonic())
print("still open %d" % sum(1 for c in conns if c[3] is None))
print("last closed after %.0f s" % max([c[3] for c in conns if c[3] is not None] or [0]))
for c in conns:
    if c[3] is None:
        c[0].close()
PY
sed 's/^/# slow clients: /' "$T/slow"
has "$T/slow" "normal GET: 200 in"
grep -Eq "^from one address ([1-9]|1[0-6])$" "$T/slow" || fail "one address held more than 16: $(cat "$T/slow")"
held=$(sed -n 's/^held //p' "$T/slow")
[ "${held:-0}" -ge 16 ] && [ "${held:-0}" -le 128 ] || fail "slow connections held: $held, expected 16 to 128"
has "$T/slow" "still open 0"
# Connections turned away are logged, a few lines a minute.
[ "$(grep -c "feed server:" "$IT/serve.err")" -le 25 ] || fail "log flood: $(grep -c "feed server:" "$IT/serve.err") lines"

# 8. A change: SIGHUP rebuilds; a new ETag, a later Last-Modified, 200 for the old ETag.
sleep 1.1
sed -i 's/^name = Bob Jones/name = Robert Jones/' "$FOLLOWUPD_CONFIG"
stop   # the configuration is read once: a restart takes the new one
serve http
get "$URL" -H "If-None-Match: $ETAG"
[ "$CODE" = 200 ] || fail "the old ETag after a change: $CODE"
has "$T/b" "Follow up: Robert Jones"
[ "$(header ETag)" != "$ETAG" ] || fail "same ETag after a change"
NEWLM=$(header Last-Modified)
[ "$(date -d "$NEWLM" +%s)" -gt "$(date -d "$LM" +%s)" ] || fail "Last-Modified went from $LM to $NEWLM"
BOB_UID="cadence.bob.$(d '17 days ago' | tr -d -)@example.org"
has "$T/b" "UID:$BOB_UID"
expect 0 log bob --via call   # a new cycle: a new UID
kill -HUP "$(cat "$IT/serve.pid")"
changed() { get "$URL"; ! grep -q "UID:$BOB_UID" "$T/b"; }
wait_for 5 changed || fail "SIGHUP did not rebuild the feed"
# The token never reached a log.
! grep -qF "$TOKEN" "$IT/serve.out" "$IT/serve.err" || fail "the token was logged"
has "$IT/serve.err" "serving the calendar feed on http://127.0.0.1:$PORT/"
stop

# 9. HTTPS with a generated certificate, TLS 1.2 and 1.3 only.
printf '%s\n' "tls_cert = $IT/tls/good.pem" "tls_key = $IT/tls/good.key" >"$IT/tls.lines"
sed -i "/^listen = /r $IT/tls.lines" "$FOLLOWUPD_CONFIG"
serve https
get "$URL"
[ "$CODE" = 200 ] || fail "HTTPS GET: $CODE"
has "$T/b" "BEGIN:VCALENDAR"
CODE=$(curl -s -o /dev/null -w '%{http_code}' "$URL") && fail "curl without the CA trusted the server"
CODE=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/$TOKEN/followups.ics")
[ "$CODE" != 200 ] || fail "plain HTTP served on the HTTPS port"
expect 0 status
has "$T/out" "https://127.0.0.1:$PORT/$TOKEN/followups.ics"
# OpenSSL's client refuses TLS 1.0 and 1.1 itself unless SECLEVEL=0.
for v in tls1 tls1_1 tls1_2 tls1_3; do
	echo | timeout 10 openssl s_client -"$v" -cipher 'DEFAULT:@SECLEVEL=0' \
	    -connect "127.0.0.1:$PORT" >"$T/tls_$v" 2>&1
	echo "$? $(grep -c '^New, TLSv1' "$T/tls_$v")" >"$T/tls_$v.rc"
done
for v in tls1 tls1_1; do
	[ "$(cat "$T/tls_$v.rc")" = "1 0" ] || fail "$v was accepted: $(grep -E 'New,|Protocol' "$T/tls_$v")"
done
for v in tls1_2 tls1_3; do
	[ "$(cat "$T/tls_$v.rc")" = "0 1" ] || fail "$v was refused: $(tail -5 "$T/tls_$v")"
done

# 10. A real client: vdirsyncer (http -> filesystem) and khal.
if command -v vdirsyncer >/dev/null && command -v khal >/dev/null; then
	V="$IT/vdir"
	mkdir -p "$V/cal"
	cat >"$V/config" <<VDS
[general]
status_path = "$V/status/"

[pair followups]
a = "followups_remote"
b = "followups_local"
collections = null

[storage followups_remote]
type = "http"
url = "$URL"
verify = "$IT/tls/ca.pem"

[storage followups_local]
type = "filesystem"
path = "$V/cal/"
fileext = ".ics"
VDS
	cat >"$V/khal.conf" <<KHAL
[calendars]
[[followups]]
path = $V/cal/
type = calendar
[sqlite]
path = $V/khal.db
[locale]
local_timezone = $ZONE
default_timezone = $ZONE
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
KHAL
	export VDIRSYNCER_CONFIG="$V/config"
	yes | vdirsyncer discover >"$T/vds" 2>&1 || fail "vdirsyncer discover: $(cat "$T/vds")"
	vdirsyncer sync >"$T/vds" 2>&1 || fail "vdirsyncer sync: $(cat "$T/vds")"
	[ "$(ls "$V/cal" | wc -l)" = 2 ] || fail "vdirsyncer stored $(ls "$V/cal" | wc -l) items"
	TZ=$ZONE khal -c "$V/khal.conf" list today 7d >"$T/khal" 2>&1 || fail "khal: $(cat "$T/khal")"
	has "$T/khal" "09:00-09:30 Follow up: Alice Smith"
	! grep -q "Carol King" "$T/khal" || fail "khal lists Carol, due in months"
	sed 's/^/# khal: /' "$T/khal"
else
	echo "# vdirsyncer or khal is not installed: the client part is skipped"
fi
stop
done_tests
