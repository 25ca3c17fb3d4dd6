#!/usr/bin/env python3
"""imapctl: drives the integration tests' Dovecot as jane, with imaplib.

Usage:
  imapctl.py [options] append [--internaldate EPOCH] [--flags FLAGS] FOLDER FILE...
  imapctl.py [options] create FOLDER
  imapctl.py [options] delete FOLDER
  imapctl.py [options] recreate FOLDER     delete, then create: a new UIDVALIDITY
  imapctl.py [options] status FOLDER       "uidvalidity N uidnext N messages N"
  imapctl.py [options] list                the LIST responses, one a line
  imapctl.py [options] internaldates FOLDER "UID EPOCH" for each message
  imapctl.py [options] fetch FOLDER DIR    saves each message as DIR/UID.eml

Options (defaults from the environment that tests/integration/lib.sh sets):
  --host H      127.0.0.1
  --port P      $IT_IMAPS_PORT (implicit TLS), or $IT_IMAP_PORT with --plain
  --plain       plain IMAP, no TLS at all
  --cafile F    $IT/tls/ca.pem; the certificate and host name are verified
  --user U      jane
  --password P  $IT_PASS

append reads each FILE as bytes, turns bare LF into CRLF (imaplib then also
turns a bare CR into CRLF) and APPENDs it with the INTERNALDATE that
internaldate() below gives: --internaldate if given, else the Date header,
else now. expect_touches.py imports message_time() and internaldate() from
here so that both agree on a message's time.

Exits 0, or 1 with a message on standard error (2 for bad usage).
"""

import argparse
import email.parser
import email.policy
import email.utils
import imaplib
import os
import re
import ssl
import sys
import time
from datetime import datetime, timezone

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_headers(raw):
    """The header of a message (bytes) as an email.message.Message."""
    parser = email.parser.BytesParser(policy=email.policy.compat32)
    return parser.parsebytes(raw, headersonly=True)


def unfold(value):
    """A header value as one line, folding removed."""
    return re.sub(r"\r?\n(?=[ \t])", "", value).replace("\r", "").replace("\n", "")


def header_values(msg, name):
    """Every value of the header name (in any case), in order, unfolded and
    as text: raw 8-bit bytes are read as UTF-8, undecodable ones as U+FFFD.
    (The parser's raw values, not its Header objects.)"""
    out = []
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            if not isinstance(value, str):
                value = str(value)
            try:
                value = value.encode("ascii", "surrogateescape").decode("utf-8", "replace")
            except UnicodeEncodeError:
                pass
            out.append(unfold(value))
    return out


def message_time(raw, msg=None):
    """The epoch of the message's first Date header, or None when it is
    missing or does not parse (a date without a zone, "-0000", is UTC)."""
    if msg is None:
        msg = parse_headers(raw)
    values = header_values(msg, "Date")
    if not values:
        return None
    try:
        dt = email.utils.parsedate_to_datetime(values[0].strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    try:
        return int(dt.timestamp())
    except (ValueError, OverflowError):
        return None


# Dovecot stores the time of the APPEND instead of an INTERNALDATE more than
# two hours in the future (imap/cmd-append.c, INTERNALDATE_MAX_FUTURE_SECS);
# IMAP dates have four-digit years, and some servers refuse dates before 1970.
MAX_FUTURE = 2 * 3600
FIRST_INTERNALDATE = 0              # 1970-01-01


def internaldate(raw, override=None, now=None, msg=None):
    """The INTERNALDATE (epoch) append gives a message: override when not
    None (a ValueError when Dovecot would not keep it: before 1970 or more
    than 2 hours ahead); else its Date header (message_time) when that is
    from 1970 to 2 hours ahead; else now (time.time() unless given)."""
    if now is None:
        now = time.time()
    now = int(now)
    if override is not None:
        override = int(override)
        if not FIRST_INTERNALDATE <= override <= now + MAX_FUTURE:
            raise ValueError("--internaldate %d: before 1970 or more than 2 hours ahead; "
                             "Dovecot would store the time of the APPEND" % override)
        return override
    t = message_time(raw, msg)
    if t is not None and FIRST_INTERNALDATE <= t <= now + MAX_FUTURE:
        return t
    return now


def imap_date(epoch):
    """An epoch as a quoted IMAP date-time, in UTC."""
    dt = datetime.fromtimestamp(epoch, timezone.utc)
    return '"%02d-%s-%04d %02d:%02d:%02d +0000"' % (
        dt.day, MONTHS[dt.month - 1], dt.year, dt.hour, dt.minute, dt.second)


def crlf(raw):
    """Bare LF to CRLF."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", raw)


def quote(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Failure(Exception):
    pass


def check(what, typ, data):
    if typ != "OK":
        text = b" ".join(d if isinstance(d, bytes) else str(d).encode()
                         for d in data if d is not None)
        raise Failure("%s: %s %s" % (what, typ, text.decode("utf-8", "replace")))
    return data


def connect(args):
    if args.plain:
        port = args.port or os.environ.get("IT_IMAP_PORT")
    else:
        port = args.port or os.environ.get("IT_IMAPS_PORT")
    if not port:
        raise Failure("no port: set IT_IMAPS_PORT/IT_IMAP_PORT or use --port")
    password = args.password if args.password is not None else os.environ.get("IT_PASS")
    if password is None:
        raise Failure("no password: set IT_PASS or use --password")
    if args.plain:
        conn = imaplib.IMAP4(args.host, int(port), timeout=30)
    else:
        cafile = args.cafile
        if cafile is None and os.environ.get("IT"):
            cafile = os.path.join(os.environ["IT"], "tls", "ca.pem")
        if cafile is None:
            raise Failure("no CA: set IT or use --cafile")
        ctx = ssl.create_default_context(cafile=cafile)
        conn = imaplib.IMAP4_SSL(args.host, int(port), ssl_context=ctx, timeout=30)
    try:
        check("LOGIN", *conn.login(args.user, password))
    except imaplib.IMAP4.error as e:
        text = e.args[0] if e.args else e
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        conn.shutdown()
        raise Failure("LOGIN as %s: %s" % (args.user, text))
    return conn


def status(conn, folder):
    data = check("STATUS " + folder, *conn.status(quote(folder), "(UIDVALIDITY UIDNEXT MESSAGES)"))
    text = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
    found = dict((k.lower(), int(v)) for k, v in
                 re.findall(r"(UIDVALIDITY|UIDNEXT|MESSAGES) (\d+)", text, re.I))
    if len(found) != 3:
        raise Failure("STATUS %s: cannot parse %r" % (folder, text))
    return found


def cmd_append(conn, args):
    for path in args.files:
        with open(path, "rb") as f:
            raw = f.read()
        when = internaldate(raw, args.internaldate)
        check("APPEND %s %s" % (args.folder, path),
              *conn.append(quote(args.folder), args.flags, imap_date(when), crlf(raw)))


def cmd_create(conn, args):
    check("CREATE " + args.folder, *conn.create(quote(args.folder)))


def cmd_delete(conn, args):
    check("DELETE " + args.folder, *conn.delete(quote(args.folder)))


def cmd_recreate(conn, args):
    before = status(conn, args.folder)
    check("DELETE " + args.folder, *conn.delete(quote(args.folder)))
    typ, data = conn.create(quote(args.folder))
    if typ != "OK":
        # a mailbox with "auto = create" may already be back
        text = b" ".join(d for d in data if isinstance(d, bytes))
        if b"ALREADYEXISTS" not in text.upper():
            check("CREATE " + args.folder, typ, data)
    after = status(conn, args.folder)
    if after["uidvalidity"] == before["uidvalidity"]:
        raise Failure("recreate %s: UIDVALIDITY stayed %d" % (args.folder, after["uidvalidity"]))


def cmd_status(conn, args):
    s = status(conn, args.folder)
    print("uidvalidity %d uidnext %d messages %d" % (s["uidvalidity"], s["uidnext"], s["messages"]))


def cmd_internaldates(conn, args):
    check("EXAMINE " + args.folder, *conn.select(quote(args.folder), readonly=True))
    data = check("UID FETCH", *conn.uid("FETCH", "1:*", "(UID INTERNALDATE)"))
    out = []
    for item in data:
        if isinstance(item, tuple):
            item = item[0]
        if not isinstance(item, bytes):
            continue
        uid = re.search(rb"UID (\d+)", item)
        date = re.search(rb'INTERNALDATE "([^"]+)"', item)
        if uid and date:
            t = imaplib.Internaldate2tuple(b'INTERNALDATE "' + date.group(1) + b'"')
            out.append((int(uid.group(1)), int(time.mktime(t))))
    for uid, epoch in sorted(out):
        print("%d %d" % (uid, epoch))


def cmd_fetch(conn, args):
    check("EXAMINE " + args.folder, *conn.select(quote(args.folder), readonly=True))
    data = check("UID FETCH", *conn.uid("FETCH", "1:*", "(UID BODY.PEEK[])"))
    os.makedirs(args.dir, exist_ok=True)
    for item in data:
        if not isinstance(item, tuple):
            continue
        uid = re.search(rb"UID (\d+)", item[0])
        if uid:
            with open(os.path.join(args.dir, "%s.eml" % uid.group(1).decode()), "wb") as f:
                f.write(item[1])


def cmd_list(conn, args):
    for line in check("LIST", *conn.list()):
        if isinstance(line, bytes):
            print(line.decode("utf-8", "replace"))


def main(argv):
    p = argparse.ArgumentParser(prog="imapctl.py", description="IMAP helper of the integration tests")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port")
    p.add_argument("--plain", action="store_true")
    p.add_argument("--cafile")
    p.add_argument("--user", default=os.environ.get("IT_USER", "jane"))
    p.add_argument("--password")
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("append")
    a.add_argument("--internaldate", type=int, metavar="EPOCH")
    a.add_argument("--flags", help='e.g. "\\Seen"')
    a.add_argument("folder")
    a.add_argument("files", nargs="+")
    a.set_defaults(run=cmd_append)
    for name, run in (("create", cmd_create), ("delete", cmd_delete),
                      ("recreate", cmd_recreate), ("status", cmd_status),
                      ("internaldates", cmd_internaldates)):
        c = sub.add_parser(name)
        c.add_argument("folder")
        c.set_defaults(run=run)
    f = sub.add_parser("fetch")
    f.add_argument("folder")
    f.add_argument("dir")
    f.set_defaults(run=cmd_fetch)
    sub.add_parser("list").set_defaults(run=cmd_list)
    args = p.parse_args(argv)
    try:
        conn = connect(args)
        try:
            args.run(conn, args)
        finally:
            try:
                conn.logout()
            except (imaplib.IMAP4.error, OSError):
                pass
    except (Failure, imaplib.IMAP4.error, OSError, ValueError) as e:
        print("imapctl: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
