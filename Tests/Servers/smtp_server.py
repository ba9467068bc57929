#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for Vigil's tests, on loopback only.

Listens on three ports and writes their numbers, as JSON, to --info:
  starttls  STARTTLS required, then AUTH PLAIN/LOGIN required (user and password below)
  plain     no TLS, no AUTH (a local relay)
  silent    accepts TCP connections and never answers (for timeouts)
Every accepted message is stored as <dir>/<n>.eml with <dir>/<n>.json (envelope, port).
<dir>/connections.json counts the connections each port accepted.

Faults, chosen by the recipient's local part (any port):
  reject...@       550 on RCPT
  tempfail-T@      451 on the first RCPT of token T, accepted afterwards
  busy-T@          421 on the first RCPT of token T, accepted afterwards
  ratelimit-T@     421 4.7.0 (a provider's "slow down") on the first RCPT of token T
  drop-T@          the first DATA of token T is cut off (connection closed), accepted afterwards
  slow...@         each DATA takes 30 ms
"""
import argparse
import asyncio
import json
import ssl
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

USER, PASSWORD = "vigil", "s3cret-pass"
LOCK = threading.Lock()
SEEN = set()
COUNTER = [0]
CONNECTIONS = {}
PEERS = set()


def first_time(kind, token):
    with LOCK:
        key = (kind, token)
        if key in SEEN:
            return False
        SEEN.add(key)
        return True


class Handler:
    def __init__(self, directory, name):
        self.directory = directory
        self.name = name

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if local.startswith("tempfail-") and first_time("tempfail", local):
            return "451 4.3.0 Temporary local problem, try again later"
        if local.startswith("ratelimit-") and first_time("ratelimit", local):
            return "421 4.7.0 Try again later, closing connection. (rate limited)"
        if local.startswith("busy-") and first_time("busy", local):
            return "421 4.3.2 Service busy, closing transmission channel"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        local = envelope.rcpt_tos[0].split("@")[0].lower() if envelope.rcpt_tos else ""
        if local.startswith("drop-") and first_time("drop", local):
            server.transport.abort()
            return "421 connection lost"
        if local.startswith("slow"):
            await asyncio.sleep(0.03)
        with LOCK:
            COUNTER[0] += 1
            number = COUNTER[0]
        (self.directory / f"{number}.eml").write_bytes(envelope.original_content or envelope.content)
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "port": self.name,
                "authenticated": bool(getattr(session, "authenticated", False))}
        (self.directory / f"{number}.json").write_text(json.dumps(meta))
        return "250 2.0.0 Ok: queued as %d" % number


def authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD:
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False)


def counting_smtp(name, directory):
    class CountingSMTP(SMTP):
        """Counts a connection when it first says EHLO/HELO (the controller's own readiness
        probe connects and leaves without a word)."""
        async def smtp_EHLO(self, arg):
            self._count()
            await super().smtp_EHLO(arg)

        async def smtp_HELO(self, arg):
            self._count()
            await super().smtp_HELO(arg)

        def _count(self):
            # One client port is one TCP connection, whatever STARTTLS does to the protocol object.
            peer = (name, self.session.peer) if self.session else None
            with LOCK:
                if peer in PEERS:
                    return
                PEERS.add(peer)
                CONNECTIONS[name] = CONNECTIONS.get(name, 0) + 1
                (directory / "connections.json").write_text(json.dumps(CONNECTIONS))
    return CountingSMTP


def free_port():
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CountingController(Controller):
    def __init__(self, handler, name, directory, **kwargs):
        self.smtp_class = counting_smtp(name, directory)
        super().__init__(handler, hostname="127.0.0.1", port=free_port(), **kwargs)

    def factory(self):
        return self.smtp_class(self.handler, **self.SMTP_kwargs)


def silent_server():
    import socket
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []

    def serve():
        while True:
            connection, _ = listener.accept()
            held.append(connection)
    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--info", required=True)
    args = parser.parse_args()
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    secure = CountingController(
        Handler(directory, "starttls"), "starttls", directory, server_hostname="localhost",
        tls_context=context, require_starttls=True, auth_required=True, auth_require_tls=True,
        authenticator=authenticator)
    plain = CountingController(Handler(directory, "plain"), "plain", directory, server_hostname="localhost")
    secure.start()
    plain.start()
    (directory / "connections.json").write_text("{}")
    info = {"starttls": secure.port, "plain": plain.port, "silent": silent_server(), "dir": str(directory),
            "ca": str(Path(args.cert).resolve()), "user": USER, "password": PASSWORD}
    Path(args.info).write_text(json.dumps(info))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
