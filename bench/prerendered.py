#!/usr/bin/env python3
"""A results server that does no work per request: every page body is
rendered in advance (captured from the sandbox by bench.py) and sent from
memory, so a fast client is measured against the network floor, not
against the sandbox generating rows.

usage: prerendered.py PAGES PORT TOKEN BULK [--latency-ms N]

PAGES is a pickle of {cursor or "": body bytes} of bulk BULK; any other bulk
id gets the same pages with its own id in `content.bulkId` (rendered on its
first request and kept). A request must carry exactly one
`Authorization: Bearer TOKEN` header (else 401, or 431 for several), so a
floor that repeats headers cannot pass unnoticed. Each connection has its
own thread; with --latency-ms every answer waits that long first.
"""
import pickle
import re
import socket
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit

PREFIX = "/activityid/v1/user/bulk/"
OTHERS = {}


def answer(status, reason, body, ctype=b"application/json"):
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: ").encode() + ctype + \
        f"\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    return head + body


def serve(conn, pages, token, bulk, latency):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b""
    with conn:
        while True:
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            head, _, buf = buf.partition(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            target = lines[0].split(b" ")[1].decode()
            auth = [l.split(b":", 1)[1].strip() for l in lines[1:]
                    if l.lower().startswith(b"authorization:")]
            url = urlsplit(target)
            if len(auth) > 1:
                out = answer(431, "Request Header Fields Too Large", b"")
            elif auth != [b"Bearer " + token]:
                out = answer(401, "Unauthorized", b'{"result":{"status":401}}')
            elif not (url.path.startswith(PREFIX) and url.path.endswith("/results")):
                out = answer(404, "Not Found", b'{"result":{"status":404}}')
            else:
                last = parse_qs(url.query).get("last", [""])[0]
                asked = url.path[len(PREFIX):-len("/results")].encode()
                body = pages.get(last)
                if body is not None and asked != bulk:
                    key = (asked, last)
                    if key not in OTHERS:
                        # In any layout: `"bulkId":"…"`, `"bulkId": "…"`, …
                        OTHERS[key] = re.sub(rb'("bulkId"\s*:\s*")' + re.escape(bulk) + rb'"',
                                             lambda m: m.group(1) + asked + b'"', body)
                    body = OTHERS[key]
                out = answer(200, "OK", body) if body is not None else \
                    answer(404, "Not Found", b'{"result":{"status":404}}')
            if latency:
                time.sleep(latency)
            conn.sendall(out)


def main():
    path, port, token, bulk = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4].encode()
    latency = 0.0
    if "--latency-ms" in sys.argv:
        latency = float(sys.argv[sys.argv.index("--latency-ms") + 1]) / 1000
    with open(path, "rb") as f:
        pages = pickle.load(f)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=serve, args=(conn, pages, token, bulk, latency), daemon=True).start()


if __name__ == "__main__":
    main()
