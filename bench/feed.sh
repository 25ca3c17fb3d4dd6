#!/bin/sh
# Feed benchmark. 1: `followupd feed -o FILE` for a generated configuration
# of 10,000 contacts, next to `followupd check` of the same file (the
# configuration alone), in the same run: best and median wall time of RUNS
# (default 5) runs. Target: under 200 ms. 2: `followupd feed --serve` under
# wrk (1 thread, 50 connections, DURATION, default 10s), next to a 1-worker
# nginx serving the same bytes from a file, in the same run, for a small
# feed (200 contacts) and the 10,000-contact one. Target: at least 0.7 times
# nginx's requests/s, and no errors.
#
# Usage: bench/feed.sh   (followupd from _build/main; FOLLOWUPD=... RUNS=... DURATION=...)
# Needs python3, curl, wrk and nginx. Exits 0 whether the targets are met or
# not; 77 when wrk or nginx is missing, 1 when it cannot run.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
FOLLOWUPD=${FOLLOWUPD:-$top/_build/main/followupd}
RUNS=${RUNS:-5}
DURATION=${DURATION:-10s}
NGINX=${NGINX:-/usr/sbin/nginx}
[ -x "$FOLLOWUPD" ] || { echo "feed.sh: build followupd first (sh scripts/build.sh)" >&2; exit 1; }
if ! command -v wrk >/dev/null || [ ! -x "$NGINX" ]; then
	echo "feed.sh: needs wrk and nginx: apt-get install wrk nginx-light" >&2; exit 77
fi
command -v curl >/dev/null || { echo "feed.sh: curl is missing" >&2; exit 1; }
dir=$(mktemp -d /tmp/fu-bench.XXXXXX)
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM HUP
unset STATE_DIRECTORY FOLLOWUPD_CONFIG
export XDG_STATE_HOME="$dir/xdg"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# gen N NAME [LISTEN]: the configuration $dir/NAME.conf, state in $dir/NAME.
gen() {
	mkdir -p "$dir/$2"
	python3 - "$1" "$dir/$2" "${3:-}" >"$dir/$2.conf" <<'PY'
import datetime, random, sys
n, state, listen = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rng = random.Random(7)
today = datetime.date.today()
out = ["[followupd]", "me = Jane Doe <jane@example.org>", "timezone = Europe/Berlin",
       "state_dir = " + state, "", "[calendar]", "event_time = 09:00 30m",
       "block = fri 16:00 60m", "horizon = 90d"] + (["listen = " + listen] if listen else []) + [""]
names = ["Anna", "Jörg", "Zoë", "Li", "Marta", "Bob", "Chloé", "Dmitri", "Éva", "Kwame"]
for i in range(n):
    out += ["[contact:c%d]" % i,
            "name = %s %d" % (names[i % len(names)], i),
            "email = c%d@example%d.org" % (i, i % 13),
            "cadence = %s" % rng.choice(["2w", "1m", "6w", "3m"]),
            # some overdue, most coming up within the 90-day horizon
            "last = %s" % (today - datetime.timedelta(days=rng.randrange(1, 100))),
            "reason = Ask about project %d & the <next> steps" % rng.randrange(1000)]
    if i % 5 == 0:
        out.append("birthday = %02d-%02d" % (rng.randrange(1, 13), rng.randrange(1, 29)))
    out.append("")
print("\n".join(out))
PY
}
now() { date +%s%N; }
stats() {   # nanoseconds, one a line -> "best median" in seconds
	sort -n | awk '{ v[NR] = $1 } END { printf "%.4f %.4f\n", v[1] / 1e9, v[int((NR + 1) / 2)] / 1e9 }'
}

# 1. Building the feed.
gen 10000 big || exit 1
"$FOLLOWUPD" -c "$dir/big.conf" check >/dev/null || exit 1
"$FOLLOWUPD" -c "$dir/big.conf" feed -o "$dir/big.ics" || { echo "feed.sh: followupd feed failed (an old build? sh scripts/build.sh)" >&2; exit 1; }
: >"$dir/t.check"; : >"$dir/t.feed"
for r in $(seq "$RUNS"); do
	t=$(now); "$FOLLOWUPD" -c "$dir/big.conf" check >/dev/null || exit 1; echo $(($(now) - t)) >>"$dir/t.check"
	t=$(now); "$FOLLOWUPD" -c "$dir/big.conf" feed -o "$dir/big.ics" || exit 1; echo $(($(now) - t)) >>"$dir/t.feed"
done
awk -v c="$(stats <"$dir/t.check")" -v f="$(stats <"$dir/t.feed")" -v runs="$RUNS" \
    -v size="$(wc -c <"$dir/big.ics")" -v ev="$(grep -c '^BEGIN:VEVENT' "$dir/big.ics")" 'BEGIN {
	split(c, cc, " "); split(f, ff, " ")
	printf "feed build: 10,000 contacts; the feed is %d bytes, %d events; best / median of %d runs\n", size, ev, runs
	printf "  followupd check (configuration only)  %6.3f / %6.3f s\n", cc[1], cc[2]
	printf "  followupd feed -o FILE                %6.3f / %6.3f s   %.2fx check   target < 0.200 s %s\n", ff[1], ff[2], ff[2] / cc[2], ff[2] < 0.2 ? "met" : "NOT met"
	printf "  feed minus check (state, agenda, iCalendar, write) %6.3f s\n", ff[2] - cc[2]
}'

# 2. Serving it: wrk against followupd, then against nginx with the same bytes.
# wrk_run URL NAME: prints "requests/s p99-ms errors"
wrk_run() {
	wrk -t1 -c50 -d"$DURATION" --latency "$1" >"$dir/$2.wrk" 2>&1 || { cat "$dir/$2.wrk" >&2; exit 1; }
	awk '/^Requests\/sec:/ { rps = $2 }
	     /^ +99%/ { v = $2; m = v ~ /us$/ ? 0.001 : v ~ /ms$/ ? 1 : v ~ /[0-9]m$/ ? 60000 : 1000; sub(/[a-z]+$/, "", v); p99 = v * m }
	     /Non-2xx/ { e = e "non-2xx " $NF " " }
	     /Socket errors/ { sub(/^ *Socket errors: */, ""); e = e "socket " $0 }
	     END { printf "%s %s %s\n", rps, p99, e == "" ? "none" : e }' "$dir/$2.wrk"
}
wait_200() {
	for i in $(seq 100); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ] && return 0
		sleep 0.1
	done
	echo "feed.sh: no 200 from $1" >&2; cat "$dir"/*.log >&2; exit 1
}
serve() {   # serve N NAME LABEL
	port=$(free_port)
	gen "$1" "$2" "127.0.0.1:$port" || exit 1
	"$FOLLOWUPD" -q -c "$dir/$2.conf" feed --serve 2>"$dir/$2.log" & pids="$pids $!"
	for i in $(seq 50); do [ -s "$dir/$2/feed.token" ] && break; sleep 0.1; done
	token=$(head -n1 "$dir/$2/feed.token")
	wait_200 "http://127.0.0.1:$port/$token/followups.ics"
	mkdir -p "$dir/$2.www/$token" "$dir/$2.ngx"
	curl -s -o "$dir/$2.www/$token/followups.ics" "http://127.0.0.1:$port/$token/followups.ics"
	nport=$(free_port)
	cat >"$dir/$2.ngx/nginx.conf" <<EOF
daemon off; master_process off; worker_processes 1;
pid $dir/$2.ngx/nginx.pid; error_log $dir/$2.ngx/error.log;
events { worker_connections 1024; }
http {
	access_log off; default_type text/calendar;
	client_body_temp_path $dir/$2.ngx/t1; proxy_temp_path $dir/$2.ngx/t2; fastcgi_temp_path $dir/$2.ngx/t3;
	uwsgi_temp_path $dir/$2.ngx/t4; scgi_temp_path $dir/$2.ngx/t5;
	server { listen 127.0.0.1:$nport; root $dir/$2.www; }
}
EOF
	"$NGINX" -e "$dir/$2.ngx/error.log" -p "$dir/$2.ngx" -c "$dir/$2.ngx/nginx.conf" & pids="$pids $!"
	wait_200 "http://127.0.0.1:$nport/$token/followups.ics"
	f=$(wrk_run "http://127.0.0.1:$port/$token/followups.ics" "$2.fu") || exit 1
	n=$(wrk_run "http://127.0.0.1:$nport/$token/followups.ics" "$2.ngx") || exit 1
	# Without keep-alive, wrk opens a connection for every request.
	ka=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/$token/followups.ics" | tr -d '\r' |
	    grep -qix 'connection: close' && echo "no (Connection: close)" || echo yes)
	awk -v f="$f" -v n="$n" -v label="$3" -v ka="$ka" \
	    -v size="$(wc -c <"$dir/$2.www/$token/followups.ics")" 'BEGIN {
		split(f, ff, " "); split(n, nn, " "); r = ff[1] / nn[1]
		ef = f; sub(/^[^ ]+ [^ ]+ /, "", ef); en = n; sub(/^[^ ]+ [^ ]+ /, "", en)
		printf "%s, %d bytes:\n", label, size
		printf "  followupd feed --serve   %9.0f requests/s   p99 %8.2f ms   errors: %s   keep-alive: %s\n", ff[1], ff[2], ef, ka
		printf "  nginx (1 worker)         %9.0f requests/s   p99 %8.2f ms   errors: %s\n", nn[1], nn[2], en
		printf "  ratio followupd/nginx %.2f   target: >= 0.7x nginx, no errors: %s\n", r, (r >= 0.7 && ef == "none") ? "met" : "NOT met"
	}'
}
echo "feed server: wrk -t1 -c50 -d$DURATION on loopback; nginx with worker_processes 1, as followupd has one thread"
serve 200 small "small feed (200 contacts, the realistic case)"
serve 10000 large "large feed (10,000 contacts)"
