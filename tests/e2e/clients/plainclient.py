#!/usr/bin/env python3
"""A scripted plaintext client for heartcheck clients --starttls tests.

    plainclient.py HOST:PORT SCENARIO

It connects, reads the greeting, then plays SCENARIO: clients that never
ask for TLS, send garbage or overlong lines, stay silent, or hang up."""
import socket
import sys
import time

host, port = sys.argv[1].rsplit(":", 1)
scenario = sys.argv[2]
s = socket.create_connection((host, int(port)), timeout=5)


def greeting():
    return s.recv(4096)


def say(line, wait=0.1):
    s.sendall(line)
    time.sleep(wait)
    try:
        s.recv(4096)
    except OSError:
        pass


if scenario == "quit":          # EHLO, MAIL in plaintext, QUIT
    greeting()
    say(b"EHLO plain.invalid\r\n")
    say(b"MAIL FROM:<a@b.invalid>\r\n")
    say(b"QUIT\r\n")
elif scenario == "noops":       # never asks, never quits
    greeting()
    for _ in range(40):
        say(b"NOOP\r\n", 0.01)
elif scenario == "garbage":
    greeting()
    s.sendall(bytes(range(1, 40)) + b"\r\n")
elif scenario == "overlong":
    greeting()
    s.sendall(b"EHLO " + b"x" * 300)
elif scenario == "http":
    greeting()
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
elif scenario == "tls":         # implicit TLS: a ClientHello at once
    s.sendall(bytes.fromhex("16030100310100002d0303") + bytes(32)
              + bytes.fromhex("000002002f0100"))
elif scenario == "hangup":      # EHLO, then a close
    greeting()
    say(b"EHLO plain.invalid\r\n")
elif scenario == "silent":
    greeting()
    time.sleep(3)
time.sleep(0.3)
s.close()
