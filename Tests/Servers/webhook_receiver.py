#!/usr/bin/env python3
"""A webhook receiver for Vigil's tests, on loopback only.

Verifies every request's Standard Webhooks signature with the `standardwebhooks` package
(an implementation independent of Vigil's) and records it. The path chooses the answer:
  /hook/<name>                 204
  /status/<code>/<name>        that status (429 and 503 with Retry-After: 7)
  /slow/<name>                 waits 5 s, then 204
  /flaky/<name>                503 the first time for each webhook-id, then 204
GET /received/<name> returns the recorded requests as JSON: id, timestamp, verified, body,
json_valid (Python's json read the body) and schema_errors (jsonschema against
docs/webhook-payload.schema.json, the published schema).
Writes its port to --port-file; the secret is --secret.
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jsonschema
from standardwebhooks.webhooks import Webhook

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "webhook-payload.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA) if "2020-12" in SCHEMA.get("$schema", "") else jsonschema.validators.validator_for(SCHEMA)(SCHEMA)

LOCK = threading.Lock()
RECEIVED = {}
SEEN = set()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    webhook = None

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=None):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        if parts[0] == "received" and len(parts) == 2:
            with LOCK:
                body = json.dumps(RECEIVED.get(parts[1], [])).encode()
            return self.answer(200, body)
        self.answer(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        headers = {key.lower(): value for key, value in self.headers.items()}
        try:
            self.webhook.verify(body, headers)
            verified = True
        except Exception as error:
            verified = False
        parts = self.path.strip("/").split("/")
        name = parts[-1]
        try:
            parsed = json.loads(body) if body else None
            json_valid = body != b""
        except ValueError:
            parsed, json_valid = None, False
        schema_errors = [error.message for error in VALIDATOR.iter_errors(parsed)] if json_valid else None
        entry = {"id": headers.get("webhook-id"), "timestamp": headers.get("webhook-timestamp"),
                 "signature": headers.get("webhook-signature"), "verified": verified,
                 "content_type": headers.get("content-type"), "authorization": headers.get("authorization"),
                 "body": parsed, "json_valid": json_valid, "schema_errors": schema_errors, "path": self.path}
        with LOCK:
            RECEIVED.setdefault(name, []).append(entry)
        if not verified:
            return self.answer(401, b'{"error":"bad signature"}')
        if parts[0] == "status":
            code = int(parts[1])
            extra = {"Retry-After": "7"} if code in (429, 503) else {}
            if 300 <= code < 400:
                extra["Location"] = "http://127.0.0.1:9/elsewhere"
            return self.answer(code, b'{"error":"as requested"}' if code >= 400 else b"", extra)
        if parts[0] == "slow":
            time.sleep(5)
        if parts[0] == "flaky":
            with LOCK:
                first = entry["id"] not in SEEN
                SEEN.add(entry["id"])
            if first:
                return self.answer(503, b'{"error":"try later"}', {"Retry-After": "1"})
        self.answer(204)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many tests connect at once


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    Handler.webhook = Webhook(args.secret)
    server = Server(("127.0.0.1", 0), Handler)
    Path(args.port_file).write_text(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
