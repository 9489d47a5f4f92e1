#!/usr/bin/env python3
"""A scripted plaintext front for the STARTTLS end-to-end tests.

usage: front.py [--backend PORT] [--lifetime S] SPEC...
  SPEC = PROTO[:MODE][@PORT]; each gets a listener on an ephemeral
       loopback port, relaying to the fixture on @PORT, or on --backend's.
  MODE ok (default): speak PROTO's server side up to the go-ahead for TLS,
       then relay the connection byte for byte to the fixture on
       127.0.0.1:PORT (fakessl), so the TLS that follows is the fixture's;
  MODE refuse: refuse STARTTLS in the protocol's own words;
  MODE mute: accept and say nothing.
Prints "ready SPEC PORT" per listener, then "all-ready".  Every connection
is bounded in time, and the whole front in lifetime (default 120 s).
"""
import os
import select
import signal
import socket
import struct
import sys
import threading
import time

CONN_LIMIT_S = 30.0
IAC, DO, WILL, SB, SE = 255, 253, 251, 250, 240
REFUSAL = b'TLS not available: "no key"\x07 today'


class Conn:
    def __init__(self, s):
        self.s = s
        self.buf = b""
        self.deadline = time.monotonic() + CONN_LIMIT_S

    def send(self, b):
        self.s.sendall(b)

    def _fill(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise EOFError("deadline")
        self.s.settimeout(left)
        d = self.s.recv(65536)
        if not d:
            raise EOFError("closed")
        self.buf += d

    def line(self):
        while b"\n" not in self.buf:
            if len(self.buf) > 65536:
                raise EOFError("line too long")
            self._fill()
        i = self.buf.index(b"\n") + 1
        ln, self.buf = self.buf[:i], self.buf[i:]
        return ln

    def exactly(self, n):
        while len(self.buf) < n:
            self._fill()
        b, self.buf = self.buf[:n], self.buf[n:]
        return b

    def until(self, token):
        while token not in self.buf:
            if len(self.buf) > 65536:
                raise EOFError("no token")
            self._fill()
        i = self.buf.index(token) + len(token)
        b, self.buf = self.buf[:i], self.buf[i:]
        return b

    def expect_line(self, prefix):
        ln = self.line()
        if not ln.upper().startswith(prefix.upper().encode()):
            raise EOFError("unexpected %r" % ln)
        return ln


def smtp(c, mode, lmtp=False):
    c.send(b"220-fixture ESMTP\r\n220 ready\r\n")
    ln = c.line()
    if not ln.startswith(b"LHLO " if lmtp else b"EHLO "):
        c.send(b"500 5.5.1 say " + (b"LHLO" if lmtp else b"EHLO") + b"\r\n")
        return False
    if c.buf:
        # A client that pipelines gets what exim gives it.
        c.send(b"554 SMTP synchronization error\r\n")
        return False
    c.send(b"250-fixture\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
    c.expect_line("STARTTLS")
    if mode == "refuse":
        c.send(b"454 4.7.0 " + REFUSAL + b"\r\n")
        return False
    c.send(b"220 2.0.0 Ready to start TLS\r\n")
    return True


def imap(c, mode):
    c.send(b"* OK [CAPABILITY IMAP4rev1] fixture ready\r\n")
    c.expect_line("a CAPABILITY")
    c.send(b"* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\na OK done\r\n")
    c.expect_line("b STARTTLS")
    if mode == "refuse":
        c.send(b"b NO [UNAVAILABLE] " + REFUSAL + b"\r\n")
        return False
    c.send(b"b OK Begin TLS negotiation now.\r\n")
    return True


def pop3(c, mode):
    c.send(b"+OK fixture ready.\r\n")
    c.expect_line("STLS")
    if mode == "refuse":
        c.send(b"-ERR " + REFUSAL + b"\r\n")
        return False
    c.send(b"+OK Begin TLS negotiation now.\r\n")
    return True


def ftp(c, mode):
    c.send(b"220-Welcome to the fixture\r\n  free text\r\n220 ready\r\n")
    c.expect_line("AUTH TLS")
    if mode == "refuse":
        c.send(b"500 OOPS: SSL: cannot load RSA certificate\r\n")
        return False
    c.send(b"234 Proceed with negotiation.\r\n")
    return True


def nntp(c, mode):
    c.send(b"201 fixture ready (no posting)\r\n")
    c.expect_line("STARTTLS")
    if mode == "refuse":
        c.send(b"580 Can not initiate TLS negotiation\r\n")
        return False
    c.send(b"382 Continue with TLS negotiation\r\n")
    return True


def sieve(c, mode):
    c.send(b'"IMPLEMENTATION" "fixture"\r\n"SIEVE" "fileinto"\r\n'
           b'"STARTTLS"\r\n"VERSION" "1.0"\r\nOK "ready."\r\n')
    c.expect_line("STARTTLS")
    if mode == "refuse":
        c.send(b'NO "' + REFUSAL + b'"\r\n')
        return False
    c.send(b'OK "Begin TLS negotiation now."\r\n')
    return True


def irc(c, mode):
    c.send(b":fixture NOTICE * :*** Looking up your hostname...\r\n")
    c.expect_line("STARTTLS")
    if mode == "refuse":
        c.send(b":fixture 691 * :STARTTLS failed\r\n")
        return False
    c.send(b":fixture 670 * :STARTTLS successful, go ahead\r\n")
    return True


def xmpp(c, mode, ns=b"jabber:client"):
    hdr = c.until(b">")
    while b"stream" not in hdr:
        hdr = c.until(b">")
    if b"'" + ns + b"'" not in hdr and b'"' + ns + b'"' not in hdr:
        raise EOFError("not a %s stream: %r" % (ns, hdr))
    c.send(b"<?xml version='1.0'?><stream:stream xmlns='" + ns + b"' "
           b"xmlns:stream='http://etherx.jabber.org/streams' id='f1' "
           b"from='fixture' version='1.0'><stream:features><starttls "
           b"xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
           b"</stream:features>")
    c.until(b"/>")
    if mode == "refuse":
        c.send(b"<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
               b"</stream:stream>")
        return False
    c.send(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    return True


def ldap(c, mode):
    req = c.exactly(31)
    if req[0] != 0x30 or b"1.3.6.1.4.1.1466.20037" not in req:
        return False
    if mode == "refuse":
        msg = b"unsupported extended operation"
        body = (b"\x0a\x01\x02\x04\x00\x04" + bytes([len(msg)]) + msg)
    else:
        body = b"\x0a\x01\x00\x04\x00\x04\x00"
    op = b"\x78" + bytes([len(body)]) + body
    seq = b"\x02\x01\x01" + op
    c.send(b"\x30" + bytes([len(seq)]) + seq)
    return mode != "refuse"


def postgres(c, mode):
    if c.exactly(8) != b"\x00\x00\x00\x08\x04\xd2\x16\x2f":
        return False
    c.send(b"N" if mode == "refuse" else b"S")
    return mode != "refuse"


def mysql(c, mode):
    caps = 0xffff if mode != "refuse" else 0xf7ff
    p = (b"\x0a" + b"10.11.6-MariaDB-fixture\x00" + struct.pack("<I", 7) +
         b"abcdefgh" + b"\x00" + struct.pack("<H", caps) + b"\x08" +
         struct.pack("<H", 2) + struct.pack("<H", 0x81bf) + b"\x15" +
         b"\x00" * 10 + b"ijklmnopqrst\x00" + b"mysql_native_password\x00")
    c.send(struct.pack("<I", len(p))[:3] + b"\x00" + p)
    if mode == "refuse":
        c.line()
        return False
    req = c.exactly(36)
    if req[3] != 1 or not (req[5] & 0x08):
        return False
    return True


def telnet(c, mode):
    c.send(bytes([IAC, DO, 0x18, IAC, DO, 0x2e]))
    got = b""
    while bytes([IAC, WILL, 0x2e]) not in got:
        got += c.exactly(3)
    if mode == "refuse":
        c.send(bytes([IAC, 254, 0x2e]) + b"login: ")
        c.line()
        return False
    c.send(bytes([IAC, SB, 0x2e, 1, IAC, SE]))
    c.until(bytes([IAC, SB, 0x2e, 1, IAC, SE]))
    return True


def rdp(c, mode):
    req = c.exactly(19)
    if req[:2] != b"\x03\x00" or req[5] != 0xe0 or req[11] != 1:
        return False
    if mode == "refuse":
        neg = b"\x03\x00\x08\x00" + struct.pack("<I", 5)
    else:
        neg = b"\x02\x1f\x08\x00" + struct.pack("<I", 1)
    c.send(b"\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00" + neg)
    return mode != "refuse"


PROTOS = {
    "smtp": smtp, "lmtp": lambda c, m: smtp(c, m, lmtp=True), "imap": imap,
    "pop3": pop3, "ftp": ftp, "nntp": nntp, "sieve": sieve, "irc": irc,
    "xmpp": xmpp, "xmpp-server": lambda c, m: xmpp(c, m, b"jabber:server"),
    "ldap": ldap, "postgres": postgres, "mysql": mysql,
    "telnet": telnet, "rdp": rdp,
}


def drain(c):
    """The fixture has closed: pass its close on, then read what the
    client still sends (its nudges) before closing, so that the close is a
    FIN after everything relayed, never a reset that would destroy the
    fixture's last bytes in flight."""
    try:
        c.s.shutdown(socket.SHUT_WR)
        end = min(c.deadline, time.monotonic() + 2)
        while time.monotonic() < end:
            c.s.settimeout(max(0.01, end - time.monotonic()))
            if not c.s.recv(65536):
                return
    except OSError:
        pass


def relay(c, backend_port):
    """Byte for byte both ways.  The fixture's bytes go first, and all of
    them: when it resets the connection as the client's next bytes (a
    nudge) arrive, what it sent before the reset is still relayed, as a
    client connected to it directly would have read it."""
    b = socket.create_connection(("127.0.0.1", backend_port), timeout=5)
    c.s.settimeout(5)
    up = True  # client -> fixture still open
    try:
        if c.buf:
            b.sendall(c.buf)
        while time.monotonic() < c.deadline:
            r, _, _ = select.select([b, c.s], [], [], 0.5)
            if b in r:
                try:
                    d = b.recv(65536)
                except OSError:
                    d = b""
                if not d:
                    drain(c)
                    return
                c.s.sendall(d)
                continue
            if c.s in r:
                d = c.s.recv(65536)
                if not d:
                    return
                if up:
                    try:
                        b.sendall(d)
                    except OSError:
                        up = False
    finally:
        b.close()


def serve(s, proto, mode, backend_port):
    c = Conn(s)
    try:
        if mode == "mute":
            while time.monotonic() < c.deadline:
                c._fill()
            return
        if PROTOS[proto](c, mode):
            relay(c, backend_port)
        else:
            time.sleep(0.2)
    except (EOFError, OSError):
        pass
    finally:
        s.close()


def listen(spec, backend_port):
    rest, at, port = spec.partition("@")
    if at:
        backend_port = int(port)
    proto, _, mode = rest.partition(":")
    mode = mode or "ok"
    if backend_port is None and mode == "ok":
        sys.exit("front.py: no backend for %s" % spec)
    if proto not in PROTOS:
        sys.exit("front.py: unknown protocol %s" % proto)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)

    def loop():
        while True:
            s, _ = ls.accept()
            threading.Thread(target=serve, args=(s, proto, mode, backend_port),
                             daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
    return ls.getsockname()[1]


def main():
    args = sys.argv[1:]
    backend, lifetime, specs = None, 120, []
    while args:
        a = args.pop(0)
        if a == "--backend":
            backend = int(args.pop(0))
        elif a == "--lifetime":
            lifetime = int(args.pop(0))
        else:
            specs.append(a)
    if not specs:
        sys.exit(__doc__)
    # SIGTERM is taken by the main thread alone: blocked here, before any
    # relay thread exists (they inherit the mask), and waited for below.
    # A handler would run only when the main thread next runs Python, and
    # a signal delivered to a relay thread would leave it asleep.
    stop = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)
    for spec in specs:
        print("ready %s %d" % (spec, listen(spec, backend)), flush=True)
    print("all-ready", flush=True)
    signal.sigtimedwait(stop, lifetime)
    os._exit(0)


if __name__ == "__main__":
    main()
