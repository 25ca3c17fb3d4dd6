#!/usr/bin/env python3
"""Generates a received-mail folder (an INBOX) for bench/imap.sh.

    gen_inbox.py maildir DIR COUNT [SEED] [FIRST]
        writes COUNT messages into the Maildir folder DIR (its cur/), each
        file's mtime set to its Date; FIRST numbers the messages (default
        1), so that a second call adds new ones.

The senders are tests/integration/gen_sent.py's 3,000 people (its first
500 are the bench's contacts) and, one message in three, a list or a
notification service. Half of the people's messages answer a message of
the generated Sent folder: In-Reply-To and References name its Message-ID.
Deterministic for a given SEED.
"""
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "integration"))
import gen_sent  # noqa: E402  (its people and their display forms)

SERVICES = ["news@lists.example.net", "no-reply@shop.example.com",
            "notifications@forge.example.io", "digest@forum.example.org"]
BASE = 1_700_000_000


def sent_id(n):
    # gen_sent.py's Message-ID of its message n.
    return "<gen-%d.%d@example.org>" % (n, BASE + n * 600)


def message(rng, n, when):
    lines = []
    if rng.randrange(3) == 0:
        lines.append("From: " + rng.choice(SERVICES))
        subject = "Your update, number %d" % n
    else:
        k = rng.randrange(gen_sent.PEOPLE)
        lines.append("From: " + gen_sent.display(rng, k))
        subject = "About our conversation, %d" % n
        if rng.randrange(2) == 0 and n > 1:
            ref = sent_id(rng.randint(1, n))
            lines += ["In-Reply-To: " + ref, "References: " + ref]
            subject = "Re: Following up, part %d" % n
    lines += [
        "To: Jane Doe <jane@example.org>",
        "Subject: " + subject,
        "Date: " + time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(when)),
        "Message-ID: <in-%d.%d@example.net>" % (n, when),
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Hello Jane,",
        "",
        "thanks for your message. %d" % n,
        "",
    ]
    return "\r\n".join(lines).encode("utf-8")


def maildir(path, count, seed, first):
    rng = random.Random(seed * 1000003 + first)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    for n in range(first, first + count):
        when = BASE + n * 600 + 300   # after the Sent message of the same n
        name = os.path.join(path, "cur", "%d.in%d.followupd:2,S" % (when, n))
        with open(name, "wb") as f:
            f.write(message(rng, n, when))
        os.utime(name, (when, when))


def main(argv):
    if len(argv) >= 4 and argv[1] == "maildir":
        seed = int(argv[4]) if len(argv) > 4 else 1
        first = int(argv[5]) if len(argv) > 5 else 1
        maildir(argv[2], int(argv[3]), seed, first)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
