#!/usr/bin/env python3
"""Checks a digest with Python's email package, independently of followupd:

    mime_check.py MESSAGE SUBJECT TEXT_OUT HTML_OUT

MESSAGE must be multipart/alternative with a text/plain part and then a
text/html part, both UTF-8 and quoted-printable; its decoded Subject must
equal SUBJECT; From and To must decode; Date, Message-ID and Auto-Submitted
must be there; no line may pass 998 octets (RFC 5322 2.1.1) or end without
CRLF. The decoded parts are written to TEXT_OUT and HTML_OUT.
"""
import email
import email.policy
import sys


def main(path, subject, text_out, html_out):
    raw = open(path, "rb").read()
    errors = []
    lines = raw.split(b"\r\n")
    if lines[-1] != b"":
        errors.append("the message does not end with CRLF")
    for i, line in enumerate(lines[:-1], 1):
        if len(line) > 998:
            errors.append("line %d has %d octets" % (i, len(line)))
        if b"\n" in line or b"\r" in line:
            errors.append("line %d has a bare CR or LF" % i)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if msg.defects:
        errors.append("defects: %r" % msg.defects)
    if str(msg["Subject"]) != subject:
        errors.append("Subject %r, want %r" % (str(msg["Subject"]), subject))
    for h in ("From", "To", "Date", "Message-ID"):
        if msg[h] is None:
            errors.append("no %s" % h)
    if msg["Auto-Submitted"] != "auto-generated":
        errors.append("Auto-Submitted is %r" % msg["Auto-Submitted"])
    if msg.get_content_type() != "multipart/alternative":
        errors.append("top type %s" % msg.get_content_type())
    parts = list(msg.iter_parts()) if msg.is_multipart() else []
    types = [p.get_content_type() for p in parts]
    if types != ["text/plain", "text/html"]:
        errors.append("parts %r, want text/plain then text/html" % types)
    for p in parts:
        if p.get_content_charset() != "utf-8":
            errors.append("%s charset %r" % (p.get_content_type(), p.get_content_charset()))
        if p["Content-Transfer-Encoding"] != "quoted-printable":
            errors.append("%s encoding %r" % (p.get_content_type(), p["Content-Transfer-Encoding"]))
        if p.defects:
            errors.append("%s defects %r" % (p.get_content_type(), p.defects))
    if len(parts) == 2:
        open(text_out, "w", encoding="utf-8").write(parts[0].get_content())
        open(html_out, "w", encoding="utf-8").write(parts[1].get_content())
    print("From: %s | To: %s" % (msg["From"], msg["To"]))
    for e in errors:
        print("FAIL: " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
