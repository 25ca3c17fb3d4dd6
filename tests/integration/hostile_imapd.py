#!/usr/bin/python3
"""A hostile IMAP server for the tests: TLS (the test CA's certificate) on
127.0.0.1, enough of IMAP4rev1 to get followupd to its FETCH and its IDLE,
then whatever DIR/mode says, read at each connection:

  good            behaves (one message in Sent, IDLE that says nothing)
  garbage         binary junk instead of a greeting
  malformed       FETCH answers that break the grammar
  huge-literal    a FETCH literal of {2147483000} bytes, 1 MiB of it, then EOF
  big-literal     a FETCH literal of 64 MiB, sent whole
  long-line       a 16 MiB line without CRLF during FETCH
  bye-fetch       "* BYE" in the middle of the FETCH answers, then EOF
  out-of-order    the tagged OK before the data, a wrong tag, data for UIDs
                  not asked for, EXISTS going backwards
  idle-junk       during IDLE: a flood of untagged junk, then BYE
  many            60,000 untagged EXISTS lines during SELECT

Usage: hostile_imapd.py DIR PORT CERT KEY
Writes DIR/ready once it listens; appends one line per connection to
DIR/log ("connection N mode M"). Runs until killed.
"""
import os
import socket
import ssl
import sys
import threading

DIR, PORT, CERT, KEY = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
HEADER = (b"Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n"
          b"Message-ID: <hostile-1@example.org>\r\nTo: Alice <alice@example.com>\r\n\r\n")


def mode():
    try:
        return open(os.path.join(DIR, "mode")).read().strip() or "good"
    except OSError:
        return "good"


def log(line):
    with open(os.path.join(DIR, "log"), "a") as f:
        f.write(line + "\n")


def fetch_item(uid):
    return b"* %d FETCH (UID %d INTERNALDATE \"23-Nov-2026 09:00:00 +0000\" " \
           b"BODY[HEADER.FIELDS (DATE MESSAGE-ID TO CC BCC RESENT-TO RESENT-CC SUBJECT " \
           b"IN-REPLY-TO REFERENCES)] {%d}\r\n%s)\r\n" % (uid, uid, len(HEADER), HEADER)


def serve(conn, m):
    f = conn.makefile("rb")
    w = conn.sendall
    if m == "garbage":
        w(os.urandom(4096) + b"\r\n* OK \x00\xff\r\n")
        return
    w(b"* OK [CAPABILITY IMAP4rev1 IDLE LITERAL+ SPECIAL-USE] hostile ready\r\n")
    while True:
        line = f.readline(65536)
        if not line:
            return
        parts = line.rstrip(b"\r\n").split(b" ", 2)
        if len(parts) < 2:
            continue
        tag, cmd = parts[0], parts[1].upper()
        rest = parts[2] if len(parts) > 2 else b""
        if cmd == b"CAPABILITY":
            w(b"* CAPABILITY IMAP4rev1 IDLE LITERAL+ SPECIAL-USE\r\n%s OK done\r\n" % tag)
        elif cmd in (b"LOGIN", b"AUTHENTICATE"):
            w(b"%s OK [CAPABILITY IMAP4rev1 IDLE SPECIAL-USE] logged in\r\n" % tag)
        elif cmd in (b"LIST", b"XLIST"):
            w(b'* LIST (\\HasNoChildren \\Sent) "/" "Sent"\r\n* LIST () "/" "INBOX"\r\n'
              b"%s OK done\r\n" % tag)
        elif cmd in (b"EXAMINE", b"SELECT", b"STATUS"):
            if m == "many":
                w(b"".join(b"* %d EXISTS\r\n" % i for i in range(60000)))
            w(b"* 3 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n* OK [UIDNEXT 4] n\r\n")
            if m == "out-of-order":
                w(b"* 1 EXISTS\r\n* 9 EXPUNGE\r\n")
            w(b"%s OK [READ-ONLY] done\r\n" % tag)
        elif cmd == b"UID" and rest.upper().startswith(b"SEARCH"):
            w(b"* SEARCH 1 2 3\r\n%s OK done\r\n" % tag)
        elif cmd == b"UID" and rest.upper().startswith(b"FETCH"):
            if m == "malformed":
                w(b"* 1 FETCH (UID abc BODY[HEADER.FIELDS (DATE)] {5}\r\nab)\r\n"
                  b"* 2 FETCH (UID 2 BODY[HEADER.FIELDS (DATE\r\n"
                  b"* 3 FETCH )))((( {-1}\r\n"
                  b"* FETCH\r\n%s OK done\r\n" % tag)
            elif m == "huge-literal":
                w(b"* 1 FETCH (UID 1 BODY[HEADER.FIELDS (DATE)] {2147483000}\r\n")
                chunk = b"x" * 65536
                for _ in range(16):
                    w(chunk)
                return
            elif m == "big-literal":
                n = 64 << 20
                w(b"* 1 FETCH (UID 1 BODY[HEADER.FIELDS (DATE)] {%d}\r\n" % n)
                chunk = b"Date: x\r\n" * 7000
                sent = 0
                while sent < n:
                    piece = chunk[: n - sent]
                    w(piece)
                    sent += len(piece)
                w(b")\r\n%s OK done\r\n" % tag)
            elif m == "long-line":
                w(b"* 1 FETCH (UID 1 X-JUNK " + b"y" * (16 << 20))
                return
            elif m == "bye-fetch":
                w(fetch_item(1) + b"* BYE going away now\r\n")
                return
            elif m == "out-of-order":
                w(b"%s OK done already\r\n" % tag)
                w(b"B999 OK not yours\r\n" + fetch_item(77) + fetch_item(2))
                w(b"%s OK done\r\n" % tag)
            else:
                w(fetch_item(1) + fetch_item(2) + fetch_item(3) + b"%s OK done\r\n" % tag)
        elif cmd == b"IDLE":
            w(b"+ idling\r\n")
            if m == "idle-junk":
                junk = b"".join(b"* %d EXISTS\r\n* JUNK ((( \"\r\n* 4294967296 RECENT\r\n" % i
                                for i in range(2000))
                w(junk + b"* BYE enough\r\n")
                return
            if not f.readline():     # DONE
                return
            w(b"%s OK idle done\r\n" % tag)
        elif cmd == b"NOOP":
            w(b"%s OK noop\r\n" % tag)
        elif cmd == b"LOGOUT":
            w(b"* BYE bye\r\n%s OK logout\r\n" % tag)
            return
        else:
            w(b"%s BAD unknown\r\n" % tag)


def handle(raw, n, ctx):
    m = mode()
    log("connection %d mode %s" % (n, m))
    try:
        with ctx.wrap_socket(raw, server_side=True) as conn:
            serve(conn, m)
    except (OSError, ssl.SSLError):
        pass


def main():
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(CERT, KEY)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", PORT))
    s.listen(16)
    open(os.path.join(DIR, "ready"), "w").close()
    n = 0
    while True:
        raw, _ = s.accept()
        n += 1
        threading.Thread(target=handle, args=(raw, n, ctx), daemon=True).start()


if __name__ == "__main__":
    main()
