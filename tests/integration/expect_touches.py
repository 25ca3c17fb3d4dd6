#!/usr/bin/env python3
"""expect_touches: what followupd should record from a Sent folder, worked out
independently of it with Python's email package (for the corpus test).

Usage:
  expect_touches.py [--internaldate EPOCH] contacts FILE...
  expect_touches.py [--internaldate EPOCH] touches CONTACTS.conf MAX_RECIPIENTS FILE...

contacts prints a followupd.conf fragment: every recipient address of all the
FILEs (see "Recipients"), sorted; of those that followupd accepts as a contact
address, every third (the 3rd, 6th, ...) becomes [contact:cN] with
"email = ADDRESS". Then one domain pattern: of the domains with at least two
such addresses that are not contacts, the one with the most (ties: the first
by name) becomes one more contact with "email = @DOMAIN". No domain
qualifies: no pattern.

touches prints the touches followupd should record, one a line,
"ADDRESS<TAB>EPOCH", unique and sorted (as LC_ALL=C sort would):
  - the FILEs are taken in the order given, as if appended in that order;
    a message whose Message-ID (unfolded, blanks around it removed) was
    seen before is skipped: the first one wins (a touch is keyed by it).
    Messages without a Message-ID are all kept.
  - a message with more distinct recipients than MAX_RECIPIENTS is bulk
    mail and skipped;
  - each recipient that matches a contact of CONTACTS.conf (the same
    address, or an address at a domain of an "@domain" pattern) gives
    "recipient<TAB>time";
  - the time is the first Date header as an epoch (a zone of -0000 or none:
    UTC); when it is missing or does not parse, the INTERNALDATE that
    imapctl.py append gives the file (imapctl.internaldate: --internaldate
    if given, else now; pass the same --internaldate to both for a
    reproducible result).
A summary goes to standard error.

Recipients: the addresses of every To, Cc, Bcc, Resent-To and Resent-Cc
header (every occurrence, any case), parsed by email.utils.getaddresses;
each lowercased, with a "+tag" dropped from its local part (from its first
"+", unless that starts it, to the last "@"), as followupd normalises them;
an address without "@" is dropped.
"""

import argparse
import email.utils
import os
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imapctl  # noqa: E402  (shared: header parsing, message time, INTERNALDATE)

RECIPIENT_HEADERS = ("To", "Cc", "Bcc", "Resent-To", "Resent-Cc")


def normalise(addr):
    addr = addr.lower()
    at = addr.rfind("@")
    if at < 0:
        return addr
    plus = addr.find("+", 0, at)
    if plus > 0:
        addr = addr[:plus] + addr[at:]
    return addr


def getaddresses(values):
    # the historical, lenient parsing, on any Python 3 (newer ones default
    # to strict=True, which drops some malformed lists entirely)
    try:
        return email.utils.getaddresses(values, strict=False)
    except TypeError:
        return email.utils.getaddresses(values)


def recipients(msg):
    """The distinct normalised recipient addresses of a message, in order."""
    values = []
    for name in RECIPIENT_HEADERS:
        values.extend(imapctl.header_values(msg, name))
    out = []
    seen = set()
    for _name, addr in getaddresses(values):
        addr = normalise(addr.strip())
        if "@" not in addr or addr in seen:
            continue
        seen.add(addr)
        out.append(addr)
    return out


# What followupd's configuration accepts as an address or "@domain"
# (daemon/addr.c: addr_valid, addr_domain_valid), and what survives an INI
# value unquoted (no ";", "#", leading quote).
def domain_valid(domain):
    if not domain or len(domain) > 253 or domain[0] in ".-" or domain[-1] == "." or ".." in domain:
        return False
    return all(not c.isascii() or c.isalnum() or c in "-." for c in domain)


def contact_address_ok(addr):
    at = addr.find("@")
    if at <= 0 or "@" in addr[at + 1:]:
        return False
    for c in addr[:at]:
        if ord(c) <= 0x20 or ord(c) == 0x7F or c in '<>,"();#\'':
            return False
    return domain_valid(addr[at + 1:])


def read(path):
    if not os.path.isfile(path):
        raise OSError("%s: not a regular file" % path)
    with open(path, "rb") as f:
        raw = f.read()
    return raw, imapctl.parse_headers(raw)


def cmd_contacts(args):
    addrs = set()
    for path in args.files:
        _raw, msg = read(path)
        addrs.update(recipients(msg))
    every = sorted(addrs)
    usable = [a for a in every if contact_address_ok(a)]
    contacts = usable[2::3]
    taken = set(contacts)
    by_domain = {}
    for a in usable:
        if a not in taken:
            by_domain.setdefault(a[a.rfind("@") + 1:], set()).add(a)
    domains = sorted((d for d, s in by_domain.items() if len(s) >= 2 and domain_valid(d)),
                     key=lambda d: (-len(by_domain[d]), d))
    lines = ["; %d recipient addresses in %d files, %d usable as contacts"
             % (len(every), len(args.files), len(usable))]
    n = 0
    for a in contacts:
        n += 1
        lines += ["", "[contact:c%d]" % n, "email = %s" % a]
    if domains:
        n += 1
        d = domains[0]
        lines += ["", "[contact:c%d]" % n, "email = @%s" % d,
                  "; %d more addresses at %s" % (len(by_domain[d]), d)]
    print("\n".join(lines))
    print("expect_touches: %d contacts, %d of them a domain" % (n, 1 if domains else 0),
          file=sys.stderr)
    return 0


def ini_value(v):
    """An INI value as followupd reads it, roughly: a quoted value (no
    escapes handled) or the text up to a comment."""
    v = v.strip()
    if v[:1] in ("'", '"'):
        end = v.find(v[0], 1)
        if end > 0 and v[end + 1:].strip()[:1] in ("", ";", "#"):
            return v[1:end]
    for i, c in enumerate(v):
        if c in ";#":
            return v[:i].strip()
    return v


def read_contacts(path):
    """The exact addresses and domains of the [contact:...] sections."""
    exact, domains = set(), set()
    section = ""
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in ";#":
                continue
            if line.startswith("["):
                section = line[1:line.find("]")].strip().lower()
                continue
            key, sep, value = line.partition("=")
            if not sep or not section.startswith("contact:") or key.strip().lower() != "email":
                continue
            for p in ini_value(value).split(","):
                p = p.strip()
                if p.startswith("@"):
                    domains.add(p[1:].lower())
                elif p:
                    exact.add(normalise(p))
    return exact, domains


def cmd_touches(args):
    exact, domains = read_contacts(args.contacts)
    if args.max_recipients < 1:
        raise ValueError("MAX_RECIPIENTS must be at least 1")
    seen_ids = set()
    touches = set()
    stats = dict(files=0, duplicates=0, bulk=0, nodate=0, counted=0)
    now = int(time.time())
    for path in args.files:
        stats["files"] += 1
        raw, msg = read(path)
        ids = imapctl.header_values(msg, "Message-ID")
        mid = ids[0].strip() if ids else ""
        if mid:
            if mid in seen_ids:
                stats["duplicates"] += 1
                continue
            seen_ids.add(mid)
        rcpts = recipients(msg)
        if len(rcpts) > args.max_recipients:
            stats["bulk"] += 1
            continue
        stats["counted"] += 1
        when = imapctl.message_time(raw, msg)
        if when is None:
            stats["nodate"] += 1
            when = imapctl.internaldate(raw, args.internaldate, now, msg)
        for r in rcpts:
            if r in exact or r[r.rfind("@") + 1:] in domains:
                touches.add("%s\t%d" % (r, when))
    for line in sorted(touches):
        print(line)
    print("expect_touches: %(files)d files: %(duplicates)d duplicate Message-IDs and "
          "%(bulk)d bulk skipped, %(counted)d counted (%(nodate)d without a usable Date); "
          % stats + "%d touches, %d contact patterns" % (len(touches), len(exact) + len(domains)),
          file=sys.stderr)
    if stats["nodate"] and args.internaldate is None:
        print("expect_touches: warning: messages without a usable Date were given the "
              "time now; pass --internaldate to both imapctl.py and this", file=sys.stderr)
    return 0


def main(argv):
    p = argparse.ArgumentParser(prog="expect_touches.py", description=__doc__.split("\n")[0])
    p.add_argument("--internaldate", type=int, metavar="EPOCH",
                   help="the INTERNALDATE given to imapctl.py append, if any")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("contacts")
    c.add_argument("files", nargs="+", metavar="FILE")
    c.add_argument("--internaldate", type=int, metavar="EPOCH", default=argparse.SUPPRESS)
    c.set_defaults(run=cmd_contacts)
    t = sub.add_parser("touches")
    t.add_argument("contacts", metavar="CONTACTS.conf")
    t.add_argument("max_recipients", type=int, metavar="MAX_RECIPIENTS")
    t.add_argument("files", nargs="+", metavar="FILE")
    t.add_argument("--internaldate", type=int, metavar="EPOCH", default=argparse.SUPPRESS)
    t.set_defaults(run=cmd_touches)
    args = p.parse_args(argv)
    try:
        return args.run(args)
    except (OSError, ValueError, UnicodeDecodeError) as e:
        print("expect_touches: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
