#!/usr/bin/env python3
"""freezeproxy: a TCP proxy on 127.0.0.1 that goes silent mid-stream.

Usage: freezeproxy.py DIR PORT UPSTREAM_PORT BYTES

Listens on 127.0.0.1:PORT and, for each connection, connects to
127.0.0.1:UPSTREAM_PORT and forwards both ways, TLS or not (it never looks
inside). Once BYTES bytes have come from the server on a connection it
freezes that connection: it forwards nothing more, either way, and keeps
both sockets open, as a server that hangs would; the server's further
bytes stay unread in the kernel. It still reads (and drops) what the
client sends, to notice when the client gives up and closes. BYTES 0
never freezes (a plain proxy, to measure against).

Appends to DIR/log, each line prefixed with the seconds since the epoch:
    T connection K
    T frozen K after BYTES bytes from the server
    T closed K by the client, S s after freezing
    T closed K by the client (N bytes from the server)
    T closed K by the server (N bytes from the server)
Writes DIR/ready once it listens. Runs until killed.
"""
import os
import select
import socket
import sys
import threading
import time

LOCK = threading.Lock()


def log(directory, line):
    with LOCK, open(os.path.join(directory, "log"), "a") as f:
        f.write("%.3f %s\n" % (time.time(), line))


def relay(directory, k, client, upstream_port, limit):
    try:
        server = socket.create_connection(("127.0.0.1", upstream_port), timeout=10)
    except OSError as e:
        log(directory, "closed %d: upstream: %s" % (k, e))
        client.close()
        return
    server.settimeout(None)
    got, frozen_at = 0, None
    try:
        while True:
            watch = [client] if frozen_at is not None else [client, server]
            ready, _, _ = select.select(watch, [], [])
            if client in ready:
                data = client.recv(65536)
                if not data:
                    if frozen_at is not None:
                        log(directory, "closed %d by the client, %.1f s after freezing"
                            % (k, time.monotonic() - frozen_at))
                    else:
                        log(directory, "closed %d by the client (%d bytes from the server)"
                            % (k, got))
                    return
                if frozen_at is None:
                    server.sendall(data)
            if frozen_at is None and server in ready:
                data = server.recv(65536)
                if not data:
                    log(directory, "closed %d by the server (%d bytes from the server)"
                        % (k, got))
                    return
                if limit > 0 and got + len(data) >= limit:
                    data = data[:limit - got]
                    frozen_at = time.monotonic()
                got += len(data)
                client.sendall(data)
                if frozen_at is not None:
                    log(directory, "frozen %d after %d bytes from the server" % (k, got))
    except OSError as e:
        log(directory, "closed %d: %s" % (k, e))
    finally:
        client.close()
        server.close()


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    directory, port = sys.argv[1], int(sys.argv[2])
    upstream_port, limit = int(sys.argv[3]), int(sys.argv[4])
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(64)
    open(os.path.join(directory, "ready"), "w").close()
    k = 0
    while True:
        client, _ = lsock.accept()
        k += 1
        log(directory, "connection %d" % k)
        threading.Thread(target=relay, args=(directory, k, client, upstream_port, limit),
                         daemon=True).start()


if __name__ == "__main__":
    main()
