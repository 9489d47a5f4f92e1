#!/usr/bin/env python3
"""A model of the OpenSSL 1.0.1f/1.0.1g DTLS client's heartbeat code, over
UDP, for heartcheck clients --udp tests.

    dtlsmodel.py HOST:PORT vuln|fixed|nohb|garbage|partial

It sends a DTLS 1.2 ClientHello (extension 15 unless nohb), answers a
HelloVerifyRequest with the cookie, and reads the server's datagrams into
one buffer each, as DTLS does: every heartbeat request record is answered
from that buffer in place.  vuln (1.0.1f) copies payload_length bytes,
past the record's end into the next record; fixed (1.0.1g) drops a
request longer than its record; nohb answers a heartbeat with alert 10.
Then its next flight (a ClientKeyExchange record).  garbage sends HTTP,
partial the first fragment of its ClientHello, and both exit at once."""
import os
import socket
import struct
import sys

host, port = sys.argv[1].rsplit(":", 1)
mode = sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect((host, int(port)))
seq = 0


def rec(ctype, body, ver=0xFEFD):
    global seq
    seq += 1
    return struct.pack(">BHHHIH", ctype, ver, 0, seq >> 32, seq & 0xFFFFFFFF,
                       len(body)) + body


def hello(cookie=b"", msg_seq=0):
    exts = b"\x00\x0f\x00\x01\x01" if mode != "nohb" else b"\xff\x01\x00\x00"
    body = (b"\xfe\xfd" + os.urandom(32) + b"\x00" + bytes([len(cookie)])
            + cookie + b"\x00\x04\x00\x2f\x00\x9d\x01\x00"
            + struct.pack(">H", len(exts)) + exts)
    n = len(body)
    hs = (b"\x01" + n.to_bytes(3, "big") + struct.pack(">H", msg_seq)
          + b"\x00\x00\x00" + n.to_bytes(3, "big") + body)
    return rec(22, hs, 0xFEFF)


if mode == "garbage":
    s.send(b"GET / HTTP/1.1\r\n\r\n")
    sys.exit(0)
if mode == "partial":
    # The first 10 bytes of the ClientHello as one fragment, then nothing.
    hs = hello()[13:]
    s.send(rec(22, hs[:9] + (10).to_bytes(3, "big") + hs[12:22], 0xFEFF))
    sys.exit(0)
s.send(hello())
out = b""
for _ in range(8):
    dg = s.recv(65536)
    off = 0
    out = b""
    hvr = None
    while off + 13 <= len(dg):
        ctype = dg[off]
        length = struct.unpack(">H", dg[off + 11:off + 13])[0]
        body = dg[off + 13:off + 13 + length]
        if ctype == 22 and body[0] == 3:
            hvr = body[12 + 3:12 + 3 + body[12 + 2]]
        if ctype == 24 and body[0] == 1:
            pl = struct.unpack(">H", body[1:3])[0]
            if mode == "nohb":
                out += rec(21, b"\x02\x0a")
                break
            if mode == "fixed" and 3 + pl + 16 > length:
                off += 13 + length
                continue
            # The payload, read from the datagram buffer in place.
            start = off + 13 + 3
            out += rec(24, b"\x02" + struct.pack(">H", pl)
                       + dg[start:start + pl] + os.urandom(16))
        off += 13 + length
    if hvr is not None:
        s.send(hello(hvr, 1))
        continue
    break
if mode != "nohb":
    out += rec(22, b"\x10\x00\x00\x02\x00\x01\x00\x00\x00\x00\x00\x02\x00\x00")
s.send(out)
print("dtlsmodel: %s: answered %d bytes" % (mode, len(out)), file=sys.stderr)
