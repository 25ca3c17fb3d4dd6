#!/usr/bin/python3
"""A real SMTP server for the tests (aiosmtpd), on 127.0.0.1.

    smtpd.py DIR PORT CERT KEY          STARTTLS required, then AUTH
    smtpd.py DIR PORT --plain           no TLS at all (a server to refuse)

jane / the password in DIR/password may log in (PLAIN or LOGIN), or with
XOAUTH2 and the bearer token in DIR/token. Accepted
messages are saved as DIR/mail/N.eml. DIR/log gets one line per EHLO,
AUTH (mechanism and login, never the password), MAIL and DATA.
DIR/mode, read at each DATA: "451 N" answers 451 to the first N DATA
commands, "550" refuses every one, "slow S" waits S seconds before
accepting; "mail550" refuses MAIL FROM, "rcpt550" and "rcpt451" refuse
RCPT TO (for good, or for now); anything else accepts.
DIR/deliver, when it exists, names a Maildir (Dovecot's INBOX): each
accepted message is also delivered there as a local MTA would (written in
tmp/, renamed into new/, owned as the Maildir is).
"""
import asyncio
import os
import signal
import ssl
import sys
import time

from base64 import b64decode

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

DIR = sys.argv[1]
PORT = int(sys.argv[2])
PLAIN = sys.argv[3] == "--plain"


def log(line):
    with open(os.path.join(DIR, "log"), "a") as f:
        f.write(line + "\n")


def mode():
    try:
        return open(os.path.join(DIR, "mode")).read().split()
    except OSError:
        return []


class Handler:
    def __init__(self):
        self.datas = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        log("EHLO %s" % hostname)
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, options):
        log("MAIL %s" % address)
        if mode()[:1] == ["mail550"]:
            return "550 5.7.1 Sender not allowed"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        log("RCPT %s" % address)
        if mode()[:1] == ["rcpt550"]:
            return "550 5.1.1 No such user"
        if mode()[:1] == ["rcpt451"]:
            return "451 4.3.0 Mailbox busy"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.datas += 1
        m = mode()
        log("DATA %d %s" % (self.datas, " ".join(m)))
        if m[:1] == ["451"] and self.datas <= int(m[1]):
            return "451 4.3.0 Try again later"
        if m[:1] == ["550"]:
            return "550 5.7.1 Not for you"
        if m[:1] == ["slow"]:
            await asyncio.sleep(float(m[1]))
        os.makedirs(os.path.join(DIR, "mail"), exist_ok=True)
        n = len(os.listdir(os.path.join(DIR, "mail"))) + 1
        path = os.path.join(DIR, "mail", "%04d.eml" % n)
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        deliver(envelope.original_content, n)
        return "250 2.0.0 Accepted"


def deliver(content, n):
    try:
        maildir = open(os.path.join(DIR, "deliver")).read().strip()
    except OSError:
        return
    st = os.stat(maildir)
    name = "%d.M%dP%dQ%d.followupd-test" % (time.time(), n, os.getpid(), n)
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
        os.chown(os.path.join(maildir, sub), st.st_uid, st.st_gid)
    tmp = os.path.join(maildir, "tmp", name)
    with open(tmp, "wb") as f:
        f.write(content)
    os.chown(tmp, st.st_uid, st.st_gid)
    os.rename(tmp, os.path.join(maildir, "new", name))


def authenticator(server, session, envelope, mechanism, auth_data):
    password = open(os.path.join(DIR, "password")).read().strip()
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == b"jane"
          and auth_data.password == password.encode())
    log("AUTH %s %s %s" % (mechanism, auth_data.login.decode(errors="replace")
                           if isinstance(auth_data, LoginPassword) else "?",
                           "ok" if ok else "refused"))
    return AuthResult(success=ok)


class XOAuthSMTP(SMTP):
    """aiosmtpd with the XOAUTH2 mechanism (RFC 7628's Google variant):
    base64 of "user=NAME^Aauth=Bearer TOKEN^A^A"."""

    async def auth_XOAUTH2(self, _, args):
        try:
            if len(args) > 1:
                raw = b64decode(args[1]).decode()
            else:   # no initial response: ask for it
                got = await self.challenge_auth("")
                raw = got.decode() if isinstance(got, bytes) else ""
            fields = dict(f.split("=", 1) for f in raw.split("\x01") if "=" in f)
            token = open(os.path.join(DIR, "token")).read().strip()
        except Exception:
            fields, token = {}, None
        ok = (fields.get("user") == "jane" and token is not None
              and fields.get("auth") == "Bearer " + token)
        log("AUTH XOAUTH2 %s %s" % (fields.get("user", "?"), "ok" if ok else "refused"))
        return AuthResult(success=ok, handled=False, auth_data=fields.get("user"))


class XOAuthController(Controller):
    def factory(self):
        return XOAuthSMTP(self.handler, **self.SMTP_kwargs)


def main():
    kwargs = dict(hostname="127.0.0.1", port=PORT, authenticator=authenticator)
    if PLAIN:
        kwargs.update(auth_require_tls=False)
    else:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
        kwargs.update(tls_context=ctx, require_starttls=True, auth_require_tls=True)
    controller = XOAuthController(Handler(), **kwargs)
    controller.start()
    open(os.path.join(DIR, "ready"), "w").close()
    signal.signal(signal.SIGTERM, lambda *a: (controller.stop(), sys.exit(0)))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
