#!/usr/bin/env python3
"""A throwaway Synapse homeserver for Vigil's tests, on loopback, with SQLite.

Generates a config in --dir, starts Synapse, registers users with the shared secret, and
writes --info (JSON): the URL and the users. Runs until terminated, then stops Synapse.

Users: bot (admin, no rate limit), limited (the server's low message rate limit applies),
reader (no rate limit), outsider.
The server's own message limit is low (rc_message 2/s, burst 3) so back-off is testable.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

USERS = {"bot": True, "limited": False, "reader": False, "outsider": False}
PASSWORD = "vigil-test-password"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(url, body=None, token=None, method=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method or ("POST" if data else "GET"))
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=30) as answer:
        return json.loads(answer.read() or b"{}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--info", required=True)
    args = parser.parse_args()
    directory = Path(args.dir).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "homeserver.yaml"
    port = free_port()
    subprocess.run([sys.executable, "-m", "synapse.app.homeserver", "--server-name", "localhost",
                    "--config-path", str(config), "--data-directory", str(directory),
                    "--generate-config", "--report-stats=no"], check=True, capture_output=True, cwd=directory)
    secret = "vigil-shared-secret"
    with config.open("a") as handle:
        handle.write(f"""
# --- Vigil test overrides (the last value of a key wins) ---
listeners:
  - port: {port}
    bind_addresses: ['127.0.0.1']
    type: http
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: {directory / 'homeserver.db'}
registration_shared_secret: "{secret}"
enable_registration: false
trusted_key_servers: []
suppress_key_server_warning: true
report_stats: false
enable_metrics: false
presence:
  enabled: false
rc_message:
  per_second: 2
  burst_count: 3
rc_login:
  address: {{per_second: 1000, burst_count: 1000}}
  account: {{per_second: 1000, burst_count: 1000}}
  failed_attempts: {{per_second: 1000, burst_count: 1000}}
rc_joins:
  local: {{per_second: 1000, burst_count: 1000}}
  remote: {{per_second: 1000, burst_count: 1000}}
rc_invites:
  per_room: {{per_second: 1000, burst_count: 1000}}
  per_user: {{per_second: 1000, burst_count: 1000}}
  per_issuer: {{per_second: 1000, burst_count: 1000}}
rc_registration:
  per_second: 1000
  burst_count: 1000
rc_room_creation:
  per_second: 1000
  burst_count: 1000
""")
    log = open(directory / "synapse.out", "w")
    synapse = subprocess.Popen([sys.executable, "-m", "synapse.app.homeserver", "--config-path", str(config)],
                               stdout=log, stderr=subprocess.STDOUT, cwd=directory)

    def stop(*_):
        synapse.terminate()
        try:
            synapse.wait(timeout=15)
        except subprocess.TimeoutExpired:
            synapse.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if synapse.poll() is not None:
            print((directory / "synapse.out").read_text()[-3000:], file=sys.stderr)
            sys.exit("synapse exited")
        try:
            request(url + "/_matrix/client/versions")
            break
        except Exception:
            time.sleep(0.1)
    else:
        stop()
    register = [os.path.join(os.path.dirname(sys.executable), "register_new_matrix_user")]
    if not os.path.exists(register[0]):
        register = [sys.executable, "-m", "synapse._scripts.register_new_matrix_user"]
    for name, admin in USERS.items():
        subprocess.run(register + ["-u", name, "-p", PASSWORD, "--admin" if admin else "--no-admin",
                                   "-k", secret, url], check=True, capture_output=True)
    admin_token = request(url + "/_matrix/client/v3/login", {
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": "bot"}, "password": PASSWORD})["access_token"]
    for name in ("bot", "reader"):
        request(f"{url}/_synapse/admin/v1/users/@{name}:localhost/override_ratelimit",
                {"messages_per_second": 0, "burst_count": 0}, token=admin_token)
    Path(args.info).write_text(json.dumps({
        "url": url, "server_name": "localhost", "password": PASSWORD,
        "users": {name: f"@{name}:localhost" for name in USERS}}))
    while True:
        if synapse.poll() is not None:
            sys.exit("synapse exited")
        time.sleep(1)


if __name__ == "__main__":
    main()
