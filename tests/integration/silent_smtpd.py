#!/usr/bin/env python3
"""silent_smtpd: a hostile SMTP server that accepts and then says nothing.

Usage: silent_smtpd.py DIR PORT

Listens on 127.0.0.1:PORT, accepts every connection and never writes a
byte: no greeting, no answer, ever. It reads and drops what the client
sends, so that it notices when the client gives up. Appends to DIR/log,
each line prefixed with the seconds since the epoch:
    T connection N
    T closed N by the client after S s
and writes DIR/ready once it listens. Runs until killed.
"""
import os
import socket
import sys
import threading
import time

LOCK = threading.Lock()


def log(directory, line):
    with LOCK, open(os.path.join(directory, "log"), "a") as f:
        f.write("%.3f %s\n" % (time.time(), line))


def hold(directory, n, conn):
    opened = time.monotonic()
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass
    log(directory, "closed %d by the client after %.1f s" % (n, time.monotonic() - opened))
    conn.close()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    directory, port = sys.argv[1], int(sys.argv[2])
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(64)
    open(os.path.join(directory, "ready"), "w").close()
    n = 0
    while True:
        conn, _ = lsock.accept()
        n += 1
        log(directory, "connection %d" % n)
        threading.Thread(target=hold, args=(directory, n, conn), daemon=True).start()


if __name__ == "__main__":
    main()
