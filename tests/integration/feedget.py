#!/usr/bin/env python3
"""feedget: GETs of the calendar feed, one after another, as a client polls.

    feedget.py loop URL INTERVAL STOPFILE OUT
        a GET every INTERVAL seconds (the next one INTERVAL after the
        previous one started, or at once when it took longer) until
        STOPFILE exists; appends one line per GET to OUT:
        "START STATUS SECONDS BYTES", START in seconds since the epoch,
        STATUS the HTTP status or "error" (then the reason follows).
    feedget.py count URL N INTERVAL [TIMEOUT [BUDGET]]
        N GETs, INTERVAL seconds apart, each given up after TIMEOUT
        seconds, no new one after BUDGET seconds in all; prints
        "n DONE ok OK p50 MS p99 MS max MS" (milliseconds, nearest rank;
        a GET given up counts as its time so far).

Each GET is a new connection (a calendar client polls that way), with a
timeout (30 s unless told), so that a stalled server shows as a long
time, not as a hang of the test.
"""
import http.client
import math
import os
import sys
import time
import urllib.parse

TIMEOUT = 30


def get(url, timeout=TIMEOUT):
    """(status or "error", seconds, body length or the reason)"""
    u = urllib.parse.urlsplit(url)
    start = time.monotonic()
    try:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        c.request("GET", u.path)
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, time.monotonic() - start, len(body)
    except (OSError, http.client.HTTPException) as e:
        return "error", time.monotonic() - start, str(e).replace("\n", " ") or type(e).__name__


def loop(url, interval, stopfile, out):
    with open(out, "a", buffering=1) as f:
        nxt = time.monotonic()
        while not os.path.exists(stopfile):
            wall = time.time()
            status, secs, extra = get(url)
            f.write("%.3f %s %.3f %s\n" % (wall, status, secs, extra))
            nxt += interval
            pause = nxt - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            else:
                nxt = time.monotonic()


def rank(sorted_values, p):
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def count(url, n, interval, timeout, budget):
    times, ok = [], 0
    end = time.monotonic() + budget
    for _ in range(n):
        if time.monotonic() > end:
            break
        status, secs, _ = get(url, timeout)
        times.append(secs * 1000)
        ok += status == 200
        time.sleep(interval)
    times.sort()
    print("n %d ok %d p50 %.2f p99 %.2f max %.2f"
          % (len(times), ok, rank(times, 50), rank(times, 99), times[-1]))


def main(argv):
    if len(argv) == 6 and argv[1] == "loop":
        loop(argv[2], float(argv[3]), argv[4], argv[5])
    elif 5 <= len(argv) <= 7 and argv[1] == "count":
        timeout = float(argv[5]) if len(argv) > 5 else TIMEOUT
        budget = float(argv[6]) if len(argv) > 6 else math.inf
        count(argv[2], int(argv[3]), float(argv[4]), timeout, budget)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
