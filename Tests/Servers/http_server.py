#!/usr/bin/env python3
"""A programmable HTTP/1.1 test server for Vigil's tests, on loopback only.

Routes:
  GET  /static/NAME            a file from examples/snapshots (or --root), with ETag and Last-Modified (304 when matched)
  GET  /fixtures/PATH          a file from Tests/Fixtures/Sources, typed by its extension (query ignored)
  GET  /truncated/PATH         the first half of that file, with its full Content-Length (a cut-off transfer)
  PUT  /feed/NAME              store the request body (Content-Type kept) as feed NAME
  GET  /feed/NAME              serve feed NAME with ETag (304 when If-None-Match matches)
  GET  /status/CODE            answer CODE with a short body
  GET  /slow/SECONDS           wait, then answer 200 with an empty list
  GET  /empty                  200 with an empty body (application/json)
  GET  /html                   200 with an HTML login page (text/html)
  GET  /html-as-json           200 with an HTML page labelled application/json
  GET  /requests/NAME          JSON: how many GETs NAME (a feed) received, their statuses, last headers
  GET  /redirect?to=URL        302 to URL (cross-host redirect tests)
  ANY  /hostile-matrix/MODE/…  a homeserver that always answers 429 M_LIMIT_EXCEEDED with a
                               hostile retry_after_ms (MODE: huge, negative) and Retry-After
Prints "PORT <n>" on stdout once listening; writes the port to --port-file if given.
"""
import argparse
import hashlib
import json
import threading
import urllib.parse
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "examples" / "snapshots"  # --root overrides
FIXTURES = Path(__file__).resolve().parents[1] / "Fixtures" / "Sources"
FIXTURE_TYPES = {
    ".html": "text/html", ".csv": "text/csv; charset=utf-8", ".json": "application/json",
    ".rss": "application/rss+xml", ".atom": "application/atom+xml", ".xml": "application/xml",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".pdf": "application/pdf",
}
LOCK = threading.Lock()
FEEDS = {}      # name -> (body bytes, content type)
REQUESTS = {}   # name -> {"count": n, "statuses": [...], "headers": {...}}
STARTED = formatdate(usegmt=True)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", content_type="application/json", headers=None):
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if status != 304 and self.command != "HEAD":
            self.wfile.write(body)

    def record(self, name, status):
        with LOCK:
            entry = REQUESTS.setdefault(name, {"count": 0, "statuses": [], "headers": {}})
            entry["count"] += 1
            entry["statuses"].append(status)
            entry["headers"] = {k: v for k, v in self.headers.items()}

    def serve_document(self, name, body, content_type):
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            self.record(name, 304)
            return self.send(304, headers={"ETag": etag})
        self.record(name, 200)
        self.send(200, body, content_type, {"ETag": etag, "Last-Modified": STARTED})

    def hostile_matrix(self):
        length = int(self.headers.get("Content-Length", "0") or "0")
        if length:
            self.rfile.read(length)
        mode = self.path.strip("/").split("/")[1]
        wait = {"huge": 9999999999999999, "negative": -5000}.get(mode, 1000)
        with LOCK:
            entry = REQUESTS.setdefault("hostile-matrix-" + mode, {"count": 0, "statuses": [], "headers": {}})
            entry["count"] += 1
            entry["statuses"].append(429)
        body = json.dumps({"errcode": "M_LIMIT_EXCEEDED", "error": "slow down", "retry_after_ms": wait}).encode()
        self.send(429, body, headers={"Retry-After": str(wait // 1000)})

    def do_POST(self):
        if self.path.startswith("/hostile-matrix/"):
            return self.hostile_matrix()
        self.send(404, b'{"error":"not found"}')

    def do_PUT(self):
        if self.path.startswith("/hostile-matrix/"):
            return self.hostile_matrix()
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        parts = self.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "feed":
            with LOCK:
                FEEDS[parts[1]] = (body, self.headers.get("Content-Type", "application/json"))
            return self.send(204)
        self.send(404, b'{"error":"not found"}')

    def do_GET(self):
        if self.path.startswith("/hostile-matrix/"):
            return self.hostile_matrix()
        if self.path.startswith("/redirect?to="):
            target = urllib.parse.unquote(self.path[len("/redirect?to="):])
            return self.send(302, b"", headers={"Location": target})
        parts = self.path.split("?")[0].strip("/").split("/")
        kind = parts[0]
        arg = parts[1] if len(parts) > 1 else ""
        if kind == "static" and (ROOT / arg).is_file():
            content_type = "text/csv; charset=utf-8" if arg.endswith(".csv") else "application/json"
            return self.serve_document("static/" + arg, (ROOT / arg).read_bytes(), content_type)
        if kind in ("fixtures", "truncated"):
            relative = "/".join(parts[1:])
            path = (FIXTURES / relative).resolve()
            if FIXTURES.resolve() not in path.parents or not path.is_file():
                return self.send(404, b'{"error":"no such fixture"}')
            body = path.read_bytes()
            content_type = FIXTURE_TYPES.get(path.suffix, "application/octet-stream")
            if kind == "truncated":
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            return self.serve_document("fixtures/" + relative, body, content_type)
        if kind == "feed":
            with LOCK:
                feed = FEEDS.get(arg)
            if feed is None:
                self.record(arg, 404)
                return self.send(404, b'{"error":"no such feed"}')
            return self.serve_document(arg, feed[0], feed[1])
        if kind == "status" and arg.isdigit():
            return self.send(int(arg), b'{"error":"as requested"}')
        if kind == "slow":
            time.sleep(float(arg or "5"))
            return self.send(200, b'{"prisoners":[]}')
        if kind == "empty":
            return self.send(200, b"")
        if kind == "html":
            return self.send(200, b"<!DOCTYPE html><html><body><form>Login</form></body></html>", "text/html; charset=utf-8")
        if kind == "html-as-json":
            return self.send(200, b"<!DOCTYPE html><html><body>Captcha</body></html>", "application/json")
        if kind == "requests":
            with LOCK:
                entry = REQUESTS.get(arg, {"count": 0, "statuses": [], "headers": {}})
                body = json.dumps(entry).encode()
            return self.send(200, body)
        self.send(404, b'{"error":"not found"}')


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many tests connect at once


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--root", help="directory /static/ serves (default: examples/snapshots)")
    args = parser.parse_args()
    if args.root:
        global ROOT
        ROOT = Path(args.root).resolve()
    server = Server(("127.0.0.1", args.port), Handler)
    port = server.server_address[1]
    if args.port_file:
        Path(args.port_file).write_text(str(port))
    print(f"PORT {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
