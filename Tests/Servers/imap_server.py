#!/usr/bin/env python3
"""Starts Dovecot (Debian's dovecot-imapd) on loopback for the tests: IMAPS only, a
self-signed certificate, one throwaway user from a passwd file, Maildir under --dir. Writes
{"port", "user", "password", "ca"} to --info once it answers, then waits; stops Dovecot
when terminated."""
import argparse
import json
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--dir", required=True)
parser.add_argument("--info", required=True)
args = parser.parse_args()

base = os.path.abspath(args.dir)
shutil.rmtree(base, ignore_errors=True)
for sub in ("run", "state", "home"):
    os.makedirs(os.path.join(base, sub), exist_ok=True)

with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]

cert, key = os.path.join(base, "cert.pem"), os.path.join(base, "key.pem")
subprocess.run(
    ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
     "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert],
    check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

user, password = "bounces", "imap-test-" + os.urandom(6).hex()
if os.geteuid() == 0:
    # As root (CI): Dovecot's own users run it, and mail belongs to nobody (never uid 0).
    mail_user = pwd.getpwnam("nobody")
    extra = ""
else:
    # As a developer: everything runs as the current user.
    mail_user = pwd.getpwuid(os.geteuid())
    extra = f"default_internal_user = {mail_user.pw_name}\ndefault_login_user = {mail_user.pw_name}\n"
home = os.path.join(base, "home", user)
os.makedirs(home, exist_ok=True)
for path in (base, os.path.join(base, "home"), home):
    os.chmod(path, 0o755)
os.chown(home, mail_user.pw_uid, mail_user.pw_gid)
with open(os.path.join(base, "users"), "w") as users:
    users.write(f"{user}:{{PLAIN}}{password}::::::\n")

config = os.path.join(base, "dovecot.conf")
with open(config, "w") as out:
    out.write(f"""
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
auth_mechanisms = plain login
first_valid_uid = {mail_user.pw_uid}
last_valid_uid = {mail_user.pw_uid}
mail_location = maildir:~/Maildir
{extra}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={base}/home/%u
}}
""")

dovecot = subprocess.Popen(["/usr/sbin/dovecot", "-F", "-c", config], stdout=sys.stdout, stderr=sys.stderr)


def stop(*_):
    dovecot.terminate()
    try:
        dovecot.wait(timeout=10)
    except subprocess.TimeoutExpired:
        dovecot.kill()
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)

context = ssl.create_default_context(cafile=cert)
for _ in range(200):
    if dovecot.poll() is not None:
        sys.exit(f"dovecot exited with {dovecot.returncode}; see {base}/dovecot.log")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                if tls.recv(100).startswith(b"* OK"):
                    break
    except OSError:
        time.sleep(0.05)
else:
    sys.exit("dovecot did not answer")

with open(args.info + ".tmp", "w") as info:
    json.dump({"port": port, "user": user, "password": password, "ca": cert}, info)
os.rename(args.info + ".tmp", args.info)
dovecot.wait()
