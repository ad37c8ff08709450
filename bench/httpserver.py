#!/usr/bin/env python3
"""The prerendered pages (as `prerendered.py` serves them) from a server
built on a general HTTP library, Python's `http.server`, with its habits:
a `Server` and a `Date` header, the head and the body written separately,
keep-alive by HTTP/1.1. A client tuned to one server's way of answering
shows it here.

usage: httpserver.py PAGES PORT TOKEN BULK [--latency-ms N]

PAGES is a pickle of {cursor or "": body bytes} of bulk BULK. A request must
carry exactly one `Authorization: Bearer TOKEN` header (else 401, or 431
for several); another bulk id or an unknown cursor is a 404. With
--latency-ms every answer waits that long first.
"""
import pickle
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PREFIX = "/activityid/v1/user/bulk/"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    pages = {}
    token = ""
    bulk = ""
    latency = 0.0

    def answer(self, status, body):
        if self.latency:
            time.sleep(self.latency)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        auth = self.headers.get_all("Authorization") or []
        url = urlsplit(self.path)
        if len(auth) > 1:
            return self.answer(431, b"")
        if auth != [f"Bearer {self.token}"]:
            return self.answer(401, b'{"result":{"status":401}}')
        if url.path != f"{PREFIX}{self.bulk}/results":
            return self.answer(404, b'{"result":{"status":404}}')
        body = self.pages.get(parse_qs(url.query).get("last", [""])[0])
        if body is None:
            return self.answer(404, b'{"result":{"status":404}}')
        self.answer(200, body)

    def log_message(self, *_):
        pass


def main():
    path, port = sys.argv[1], int(sys.argv[2])
    Handler.token, Handler.bulk = sys.argv[3], sys.argv[4]
    if "--latency-ms" in sys.argv:
        Handler.latency = float(sys.argv[sys.argv.index("--latency-ms") + 1]) / 1000
    with open(path, "rb") as f:
        Handler.pages = pickle.load(f)
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
