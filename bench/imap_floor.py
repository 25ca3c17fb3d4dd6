#!/usr/bin/env python3
"""The floor of a full sync: one TLS connection, LOGIN, EXAMINE Sent, and one
UID FETCH 1:* (UID INTERNALDATE BODY.PEEK[HEADER.FIELDS (...)]) whose answer
is read and thrown away, as fast as the socket gives it, up to its tagged
line. Nothing is parsed: what is left is the wire, TLS and the server.

Usage: imap_floor.py HOST PORT USER PASSWORD CAFILE FIELDS...
Prints the bytes read on standard output."""
import socket
import ssl
import sys


def main():
    host, port, user, password, cafile = sys.argv[1:6]
    fields = " ".join(sys.argv[6:])
    ctx = ssl.create_default_context(cafile=cafile)
    raw = socket.create_connection((host, int(port)))
    s = ctx.wrap_socket(raw, server_hostname=host)
    buf = bytearray()

    def until(tag):
        """Reads up to a last line that starts with tag; the bytes read."""
        total = 0
        tail = b""
        while True:
            chunk = s.recv(1 << 18)
            if not chunk:
                sys.exit("imap_floor.py: connection closed")
            total += len(chunk)
            tail = (tail + chunk)[-4096:]
            if tail.endswith(b"\r\n"):
                j = tail.rfind(b"\r\n", 0, len(tail) - 2)
                if tail[j + 2 if j >= 0 else 0:].startswith(tag + b" "):
                    return total

    # the greeting
    while not buf.endswith(b"\r\n"):
        buf += s.recv(4096)
    s.sendall(b'a LOGIN "%s" "%s"\r\n' % (user.encode(), password.encode()))
    until(b"a")
    s.sendall(b"b EXAMINE Sent\r\n")
    until(b"b")
    s.sendall(b"c UID FETCH 1:* (UID INTERNALDATE BODY.PEEK[HEADER.FIELDS (%s)])\r\n"
              % fields.encode())
    n = until(b"c")
    s.sendall(b"d LOGOUT\r\n")
    s.close()
    print(n)


main()
