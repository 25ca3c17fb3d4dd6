#!/usr/bin/env python3
"""notifysock: plays systemd's side of sd_notify(3) for the tests.

Usage: notifysock.py SOCKET OUT

Binds a datagram socket at SOCKET (what NOTIFY_SOCKET then names) and
appends every message it receives to OUT, one line per assignment, each
prefixed with the seconds since the epoch: "1790000000.123 READY=1". Runs
until killed. Writes OUT.ready once it listens.
"""
import os
import socket
import sys
import time


def main():
    path, out = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o777)
    open(out + ".ready", "w").close()
    with open(out, "a", buffering=1) as f:
        while True:
            data = s.recv(65536)
            now = time.time()
            for line in data.decode("utf-8", "replace").split("\n"):
                if line:
                    f.write("%.3f %s\n" % (now, line))


if __name__ == "__main__":
    main()
