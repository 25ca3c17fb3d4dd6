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
  endless-greeting  a greeting line that does not end (ENDLESS bytes)
  literal-greeting  a greeting ending in {2000000000}, ENDLESS bytes of it
  endless-capability  a CAPABILITY answer line that does not end
  many-exists     5,000,000 "* 1 EXISTS" lines (60 MB) during EXAMINE
  deep            100,000 nested parentheses in the BODYSTRUCTURE of UID 2
  deep-hang       the start of that BODYSTRUCTURE, then nothing (logs
                  "bodystructure asked" first)
  lf-folder       the \Sent folder's name is a literal with LFs in it:
                  "Sent", WATCHDOG=trigger, STOPPING=1, a forged log line
  esc-login       LOGIN refused with escape sequences and a C1 control
                  (CSI) in its text
  starttls-big    like big-literal, after STARTTLS (on PLAINPORT)
  tls-drop        closes the connection instead of the TLS handshake (imaps)
                  or right after "OK begin TLS" (STARTTLS)
  imap4d          as GNU imap4d: EXISTS 3, then an empty UID SEARCH; UID
                  FETCH 1:* (UID) lists the three
  imap4d-blind    the same, but UID FETCH (UID) lists none either
  utf8            offers ENABLE and UTF8=ACCEPT; the \Sent folder is
                  "Éléments envoyés", in UTF-8 once enabled, else in
                  modified UTF-7, and EXAMINE knows it only in that form
  trickle-greeting  "* OK ready\r\n" one byte every 1.5 s (after the TLS
                  handshake on imaps), then nothing, the connection left
                  open; logs "greeting N complete" after its last byte
                  and "closed N by the client after S s" (S from the
                  accept) when the client hangs up, mid-greeting or after

Usage: hostile_imapd.py DIR PORT CERT KEY [PLAINPORT SELFPORT SELFCERT SELFKEY]
PORT is imaps with CERT; PLAINPORT is plain IMAP with STARTTLS (CERT);
SELFPORT, on 127.0.0.2, is imaps with SELFCERT (self-signed). "Endless"
is ENDLESS bytes (200 MiB, far past followupd's cap of 64 MiB), then EOF,
so that a followupd without the cap fails the test without exhausting the
machine. Writes DIR/ready once it listens; appends one line per connection
to DIR/log ("connection N mode M"), and the lines of trickle-greeting.
Runs until killed.
"""
import os
import select
import socket
import ssl
import sys
import threading
import time

DIR, PORT, CERT, KEY = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ENDLESS = 200 << 20
LF_FOLDER = b"Sent\nWATCHDOG=trigger\nSTOPPING=1\nfollowupd: forged line"
UTF8_NAME = "Éléments envoyés".encode()
MUTF7_NAME = b"&AMk-l&AOk-ments envoy&AOk-s"
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


def endless(w, start):
    """start, then junk without CRLF up to ENDLESS bytes."""
    w(start)
    chunk = b"x" * (1 << 20)
    for _ in range(ENDLESS >> 20):
        w(chunk)


def hung_up(conn, secs):
    """True once the client has closed conn (what it sends is dropped),
    False after secs seconds of it open."""
    end = time.monotonic() + secs
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return False
        try:
            if select.select([conn], [], [], left)[0] and not conn.recv(4096):
                return True
        except (OSError, ssl.SSLError):
            return True


def trickle(conn, n, t0):
    """trickle-greeting: a byte every 1.5 s, then the connection kept."""
    greeting = b"* OK ready\r\n"
    for i in range(len(greeting)):
        if i > 0 and hung_up(conn, 1.5):
            break
        try:
            conn.sendall(greeting[i:i + 1])
        except (OSError, ssl.SSLError):
            break
    else:
        log("greeting %d complete" % n)
        while not hung_up(conn, 3600):
            pass
    log("closed %d by the client after %.1f s" % (n, time.monotonic() - t0))


def serve(conn, m, ctx=None, greet=True, n=0, t0=0.0):
    """ctx: plain IMAP that offers STARTTLS with it. n, t0: the
    connection's number and when it was accepted (trickle-greeting)."""
    if m == "trickle-greeting":
        trickle(conn, n, t0)
        return
    f = conn.makefile("rb")
    w = conn.sendall
    utf8 = False
    caps = b" ENABLE UTF8=ACCEPT" if m == "utf8" else b""
    if m == "garbage":
        w(os.urandom(4096) + b"\r\n* OK \x00\xff\r\n")
        return
    if m == "endless-greeting":
        endless(w, b"* OK ")
        return
    if m == "literal-greeting":
        endless(w, b"* OK [BADCHARSET ({2000000000}\r\n")
        return
    if not greet:
        pass
    elif ctx is not None or m == "endless-capability":
        w(b"* OK hostile ready\r\n")     # capabilities only when asked
    else:
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
            if m == "endless-capability":
                endless(w, b"* CAPABILITY IMAP4rev1 STARTTLS ")
                return
            w(b"* CAPABILITY IMAP4rev1 IDLE LITERAL+ SPECIAL-USE%s%s\r\n%s OK done\r\n"
              % (b" STARTTLS" if ctx is not None else b"", caps, tag))
        elif cmd == b"ENABLE" and m == "utf8":
            utf8 = b"UTF8=ACCEPT" in rest.upper()
            if utf8:
                log("enabled UTF8=ACCEPT")
            w(b"%s%s OK enabled\r\n" % (b"* ENABLED UTF8=ACCEPT\r\n" if utf8 else b"", tag))
        elif cmd == b"STARTTLS" and ctx is not None:
            w(b"%s OK begin TLS\r\n" % tag)
            if m == "tls-drop":
                return
            with ctx.wrap_socket(conn, server_side=True) as tls:
                serve(tls, m, None, False)
            return
        elif cmd in (b"LOGIN", b"AUTHENTICATE") and m == "esc-login":
            w(b"%s NO [AUTHENTICATIONFAILED] \x1b]0;pwned\x07\x1b[31m\xc2\x9b denied\r\n" % tag)
        elif cmd in (b"LOGIN", b"AUTHENTICATE"):
            w(b"%s OK [CAPABILITY IMAP4rev1 IDLE SPECIAL-USE] logged in\r\n" % tag)
        elif cmd in (b"LIST", b"XLIST"):
            if m == "lf-folder":
                w(b'* LIST (\\HasNoChildren \\Sent) "/" {%d}\r\n%s\r\n'
                  b'* LIST () "/" "INBOX"\r\n%s OK done\r\n' % (len(LF_FOLDER), LF_FOLDER, tag))
                continue
            if m == "utf8":
                w(b'* LIST (\\HasNoChildren \\Sent) "/" "%s"\r\n* LIST () "/" "INBOX"\r\n'
                  b"%s OK done\r\n" % (UTF8_NAME if utf8 else MUTF7_NAME, tag))
                continue
            w(b'* LIST (\\HasNoChildren \\Sent) "/" "Sent"\r\n* LIST () "/" "INBOX"\r\n'
              b"%s OK done\r\n" % tag)
        elif cmd in (b"EXAMINE", b"SELECT", b"STATUS"):
            if m == "utf8" and rest.strip(b'"') != (UTF8_NAME if utf8 else MUTF7_NAME):
                w(b"%s NO Mailbox does not exist\r\n" % tag)
                continue
            if m == "many-exists":
                w(b"* 1 EXISTS\r\n" * 5000000)
            if m == "many":
                w(b"".join(b"* %d EXISTS\r\n" % i for i in range(60000)))
            w(b"* 3 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n* OK [UIDNEXT 4] n\r\n")
            if m == "out-of-order":
                w(b"* 1 EXISTS\r\n* 9 EXPUNGE\r\n")
            w(b"%s OK [READ-ONLY] done\r\n" % tag)
        elif cmd == b"UID" and rest.upper().startswith(b"SEARCH"):
            w(b"* SEARCH%s\r\n%s OK done\r\n"
              % (b"" if m.startswith("imap4d") else b" 1 2 3", tag))
        elif cmd == b"UID" and rest.upper().startswith(b"FETCH") and \
                rest.upper().endswith(b"(UID)"):
            w(b"".join(b"* %d FETCH (UID %d)\r\n" % (i, i)
                       for i in ((1, 2, 3) if m != "imap4d-blind" else ())))
            w(b"%s OK done\r\n" % tag)
        elif cmd == b"UID" and b"BODYSTRUCTURE" in rest.upper():
            if m == "deep":
                w(b"* 2 FETCH (UID 2 BODYSTRUCTURE " + b"(" * 100000 + b")" * 100000
                  + b")\r\n%s OK done\r\n" % tag)
            elif m == "deep-hang":
                log("bodystructure asked")
                w(b"* 2 FETCH (UID 2 BODYSTRUCTURE ((")
                time.sleep(60)
                return
            else:
                w(b'* 2 FETCH (UID 2 BODYSTRUCTURE ("text" "plain" ("charset" "utf-8") NIL '
                  b'NIL "7bit" 5 1))\r\n%s OK done\r\n' % tag)
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
            elif m in ("big-literal", "starttls-big"):
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


def handle(raw, n, ctx, plain):
    t0 = time.monotonic()
    m = mode()
    log("connection %d mode %s" % (n, m))
    try:
        if plain:
            with raw:
                serve(raw, m, ctx, n=n, t0=t0)
        elif m == "tls-drop":
            raw.close()
        else:
            with ctx.wrap_socket(raw, server_side=True) as conn:
                serve(conn, m, n=n, t0=t0)
    except (OSError, ssl.SSLError):
        pass


def listen(host, port, ctx, plain, counter):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(16)

    def loop():
        while True:
            raw, _ = s.accept()
            with counter[1]:
                counter[0] += 1
                n = counter[0]
            threading.Thread(target=handle, args=(raw, n, ctx, plain), daemon=True).start()
    return threading.Thread(target=loop, daemon=True)


def tls_context(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def main():
    ctx = tls_context(CERT, KEY)
    counter = [0, threading.Lock()]
    loops = [listen("127.0.0.1", PORT, ctx, False, counter)]
    if len(sys.argv) > 8:
        loops.append(listen("127.0.0.1", int(sys.argv[5]), ctx, True, counter))
        loops.append(listen("127.0.0.2", int(sys.argv[6]),
                            tls_context(sys.argv[7], sys.argv[8]), False, counter))
    for t in loops:
        t.start()
    open(os.path.join(DIR, "ready"), "w").close()
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
