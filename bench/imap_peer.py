#!/usr/bin/env python3
"""A peer of followupd's sync, written the way one would with Python's
standard library alone: imaplib over TLS, one UID FETCH of the same header
fields for the whole folder, and email's parser for each message's
recipients and date; the addresses are counted per recipient as followupd
records them. It keeps nothing on disk.

Usage: imap_peer.py HOST PORT USER PASSWORD CAFILE FIELDS...
Prints the messages read and the distinct recipients."""
import email.parser
import email.utils
import imaplib
import ssl
import sys


def main():
    host, port, user, password, cafile = sys.argv[1:6]
    fields = " ".join(sys.argv[6:])
    ctx = ssl.create_default_context(cafile=cafile)
    m = imaplib.IMAP4_SSL(host, int(port), ssl_context=ctx)
    m.login(user, password)
    m.select("Sent", readonly=True)
    typ, data = m.uid("FETCH", "1:*",
                      "(UID INTERNALDATE BODY.PEEK[HEADER.FIELDS (%s)])" % fields)
    if typ != "OK":
        sys.exit("imap_peer.py: FETCH: %s" % typ)
    parser = email.parser.BytesHeaderParser()
    seen = {}
    messages = 0
    for item in data:
        if not isinstance(item, tuple):
            continue
        messages += 1
        msg = parser.parsebytes(item[1])
        when = email.utils.parsedate_to_datetime(msg["Date"]) if msg["Date"] else None
        for name, addr in email.utils.getaddresses(msg.get_all("To", []) +
                                                   msg.get_all("Cc", []) +
                                                   msg.get_all("Bcc", [])):
            addr = addr.lower()
            if addr and (addr not in seen or (when and seen[addr] and when > seen[addr])):
                seen[addr] = when
    m.logout()
    print(messages, len(seen))


main()
