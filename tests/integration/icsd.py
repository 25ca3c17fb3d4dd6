#!/usr/bin/python3
"""A small HTTPS server for the calendar tests: serves the files under DIR as
a published calendar (Google's "secret address in iCal format") would.

    icsd.py DIR CERT KEY LOG PORTFILE

Listens on 127.0.0.1 on a port the kernel picks, and writes that port to
PORTFILE once it accepts connections (so no other process can take the
port in between). TLS with CERT and KEY (PEM; the key in its own file).

Each GET or HEAD of /PATH serves DIR/PATH (never outside DIR: 404) with
Content-Type text/calendar, Content-Length and a strong ETag, the SHA-256 of
the body in hex ("..."); If-None-Match with that tag (or "*", or W/"tag")
is answered 304 with the ETag and no body. The file is read at each request:
what the test writes there is served at once.

Special paths (nothing in DIR needed):
  /huge.ics          200, a 50 MiB body (a VCALENDAR whose one VEVENT has
                     50 MiB of DESCRIPTION continuation lines), generated as
                     it is sent, with its Content-Length
  /huge-chunked.ics  the same body, chunked (no Content-Length)
  /endless.ics       chunked, with no end (stops at 1 GiB or when the client
                     goes away)
  /slow.ics          the headers (Content-Length 4096) and the first line,
                     then nothing for 120 s
  /status/NNN        answers with status NNN and a short text body
                     (e.g. /status/401 with a WWW-Authenticate: Basic)

LOG gets one line per request, written when the status is known:
    METHOD PATH STATUS if-none-match=VALUE
VALUE being the header as sent, or "-" without one. Errors that are not a
request (a TLS handshake the client gave up, a client that went away in
the middle of a body) go to stderr.
"""
import hashlib
import http.server
import os
import socket
import ssl
import sys
import threading
import time

MIB = 1024 * 1024
HUGE = 50 * MIB


def huge_chunks(total):
    """Yields the bytes of a VCALENDAR of exactly `total` bytes (None:
    endless), in pieces of about 64 KiB: one VEVENT whose DESCRIPTION goes
    on in folded continuation lines."""
    head = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//followupd tests//icsd//EN\r\n"
            b"BEGIN:VEVENT\r\nUID:huge-1\r\nDTSTAMP:20260101T000000Z\r\n"
            b"DTSTART:20260101T100000Z\r\nDTEND:20260101T110000Z\r\n"
            b"SUMMARY:Huge\r\nDESCRIPTION:start")
    tail = b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    line = b" " + b"x" * 72 + b"\r\n"          # 75 bytes
    per_block = 880                              # 66,000 bytes a piece
    if total is None:
        lines = None
        pad = 0
    else:
        fixed = len(head) + 2 + len(tail)
        lines = (total - fixed) // len(line)
        pad = total - fixed - lines * len(line)
    yield head + b"y" * pad + b"\r\n"
    while lines is None or lines > 0:
        n = per_block if lines is None else min(per_block, lines)
        yield line * n
        if lines is not None:
            lines -= n
    yield tail


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "icsd/1"

    def log_message(self, fmt, *args):     # no stderr line per request
        pass

    def log_request(self, code="-", size="-"):
        inm = self.headers.get("If-None-Match") if self.headers else None
        code = getattr(code, "value", code)
        self.server.log("%s %s %s if-none-match=%s" % (
            self.command, self.path, code, inm if inm is not None else "-"))

    def do_HEAD(self):
        self.serve(head=True)

    def do_GET(self):
        self.serve(head=False)

    def send_text(self, code, text, head, extra=()):
        body = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def serve(self, head):
        path = self.path.split("?", 1)[0]
        if path in ("/huge.ics", "/huge-chunked.ics", "/endless.ics"):
            return self.serve_generated(path, head)
        if path == "/slow.ics":
            return self.serve_slow(head)
        if path.startswith("/status/") and path[8:].isdigit():
            code = int(path[8:])
            extra = [("WWW-Authenticate", 'Basic realm="icsd"')] if code == 401 else []
            return self.send_text(code, "status %d\n" % code, head, extra)
        root = os.path.realpath(self.server.root)
        file = os.path.realpath(os.path.join(root, path.lstrip("/")))
        if not file.startswith(root + os.sep) or not os.path.isfile(file):
            return self.send_text(404, "not found\n", head)
        with open(file, "rb") as f:
            body = f.read()
        etag = '"%s"' % hashlib.sha256(body).hexdigest()
        if self.matches(etag):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def matches(self, etag):
        inm = self.headers.get("If-None-Match")
        if inm is None:
            return False
        for tag in inm.split(","):
            tag = tag.strip()
            if tag == "*":
                return True
            if tag.startswith("W/"):
                tag = tag[2:]
            if tag == etag:
                return True
        return False

    def serve_generated(self, path, head):
        chunked = path != "/huge.ics"
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(HUGE))
        self.end_headers()
        if head:
            return
        total = None if path == "/endless.ics" else HUGE
        sent = 0
        try:
            for piece in huge_chunks(total):
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                else:
                    self.wfile.write(piece)
                sent += len(piece)
                if total is None and sent > 1024 * MIB:
                    break
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (OSError, ssl.SSLError) as e:
            self.close_connection = True
            print("icsd: %s: client went away after %d bytes: %s" % (path, sent, e),
                  file=sys.stderr, flush=True)

    def serve_slow(self, head):
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.send_header("Content-Length", "4096")
        self.end_headers()
        if head:
            return
        try:
            self.wfile.write(b"BEGIN:VCALENDAR\r\n")
            self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True
        # stall; the process may be killed meanwhile (daemon threads)
        self.server.stop.wait(120)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, root, ctx, logpath):
        self.root = root
        self.ctx = ctx
        self.stop = threading.Event()
        self.loglock = threading.Lock()
        self.logfile = open(logpath, "a", buffering=1)
        super().__init__(("127.0.0.1", 0), Handler)

    def log(self, line):
        with self.loglock:
            self.logfile.write(line + "\n")
            self.logfile.flush()

    def finish_request(self, request, client_address):
        # the handshake in the connection's own thread, bounded in time:
        # a client that stalls it holds up no one else
        request.settimeout(30)
        try:
            conn = self.ctx.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError) as e:
            print("icsd: TLS handshake with %s:%d failed: %s" % (client_address + (e,)),
                  file=sys.stderr, flush=True)
            return
        try:
            super().finish_request(conn, client_address)
        except (OSError, ssl.SSLError) as e:
            print("icsd: connection from %s:%d: %s" % (client_address + (e,)),
                  file=sys.stderr, flush=True)
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        print("icsd: error with %s:%d: %s" % (client_address + (sys.exc_info()[1],)),
              file=sys.stderr, flush=True)


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: icsd.py DIR CERT KEY LOG PORTFILE")
    root, cert, key, logpath, portfile = sys.argv[1:]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    srv = Server(root, ctx, logpath)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, portfile)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop.set()


if __name__ == "__main__":
    main()
