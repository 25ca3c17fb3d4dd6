#!/usr/bin/env python3
"""Generates a realistic Sent folder for the tests and the benchmark.

    gen_sent.py maildir DIR COUNT [SEED] [FIRST]
        writes COUNT messages into the Maildir folder DIR (its cur/), each
        file's mtime set to its Date (Dovecot takes INTERNALDATE from it);
        FIRST numbers the messages (default 1), so that a second call adds
        new ones.
    gen_sent.py contacts N
        prints followupd contact sections for the first N people.

Messages go to 1-5 recipients drawn from 3,000 people, with Cc and Bcc now
and then, RFC 2047 encoded and raw UTF-8 names, folded To lines, and one in
25 with more than 10 recipients (bulk). Deterministic for a given SEED.
"""
import os
import random
import sys
import time

PEOPLE = 3000
FIRST = ["Anna", "Jörg", "Zoë", "Li", "Marta", "Bob", "Chloé", "Dmitri",
         "Éva", "Kwame", "Sven", "Priya", "Noah", "Ines", "Yuki", "Omar"]
LAST = ["Smith", "Müller", "Nguyen", "O'Brien", "García", "Kowalski",
        "Dubois", "Rossi", "Tanaka", "Okafor", "Larsen", "Shah"]


def person(k):
    return "person%d@example%d.org" % (k, k % 7)


def display(rng, k):
    name = "%s %s" % (FIRST[k % len(FIRST)], LAST[k % len(LAST)])
    style = rng.randrange(4)
    if style == 0:
        return person(k)
    if style == 1:
        return "%s <%s>" % (name, person(k))
    if style == 2:
        enc = "".join("=%02X" % b if b > 126 or b in b" =?_'" else chr(b)
                      for b in name.encode("utf-8"))
        return "=?UTF-8?Q?%s?= <%s>" % (enc, person(k))
    return '"%s, %s" <%s>' % (LAST[k % len(LAST)], FIRST[k % len(FIRST)], person(k))


def message(rng, n, when):
    bulk = rng.randrange(25) == 0
    count = rng.randint(11, 30) if bulk else rng.randint(1, 5)
    rcpts = [display(rng, rng.randrange(PEOPLE)) for _ in range(count)]
    to, cc, bcc = rcpts, [], []
    if count > 1 and rng.randrange(3) == 0:
        cut = rng.randint(1, count - 1)
        to, cc = rcpts[:cut], rcpts[cut:]
    if len(to) > 1 and rng.randrange(6) == 0:
        bcc = [to.pop()]
    lines = [
        "From: Jane Doe <jane@example.org>",
        "To: " + ",\r\n    ".join(to),
    ]
    if cc:
        lines.append("Cc: " + ", ".join(cc))
    if bcc:
        lines.append("Bcc: " + ", ".join(bcc))
    lines += [
        "Subject: Following up, part %d" % n,
        "Date: " + time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(when)),
        "Message-ID: <gen-%d.%d@example.org>" % (n, when),
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Hello,",
        "",
        "just following up on our conversation. %d" % n,
        "",
    ]
    return "\r\n".join(lines).encode("utf-8")


def maildir(path, count, seed, first):
    rng = random.Random(seed * 1000003 + first)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    base = 1_700_000_000
    for n in range(first, first + count):
        when = base + n * 600
        name = os.path.join(path, "cur", "%d.gen%d.followupd:2,S" % (when, n))
        with open(name, "wb") as f:
            f.write(message(rng, n, when))
        os.utime(name, (when, when))


def main(argv):
    if len(argv) >= 3 and argv[1] == "maildir":
        seed = int(argv[4]) if len(argv) > 4 else 1
        first = int(argv[5]) if len(argv) > 5 else 1
        maildir(argv[2], int(argv[3]), seed, first)
    elif len(argv) == 3 and argv[1] == "contacts":
        for k in range(int(argv[2])):
            print("[contact:p%d]\nemail = %s\n" % (k, person(k)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
