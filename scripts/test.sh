#!/usr/bin/env bash
# Runs Vigil's whole test suite: installs what is missing, starts the loopback test
# servers, builds, runs every test target, and stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --test

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

python3 Tests/Servers/http_server.py --port-file "$work/http.port" >"$work/http.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/http.port" ] && break; sleep 0.1; done
[ -s "$work/http.port" ] || { echo "test HTTP server did not start" >&2; exit 1; }
export VIGIL_TEST_HTTP="http://127.0.0.1:$(cat "$work/http.port")"

# A real SMTP server (aiosmtpd) with STARTTLS and AUTH, trusting a throwaway certificate.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$work/smtp-key.pem" -out "$work/smtp-cert.pem" 2>/dev/null
python3 Tests/Servers/smtp_server.py --dir "$work/mail" --cert "$work/smtp-cert.pem" --key "$work/smtp-key.pem" \
    --info "$work/smtp.json" >"$work/smtp.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/smtp.json" ] && break; sleep 0.1; done
[ -s "$work/smtp.json" ] || { echo "test SMTP server did not start:" >&2; cat "$work/smtp.log" >&2; exit 1; }
export VIGIL_TEST_SMTP="$work/smtp.json"

# A webhook receiver that verifies signatures with the standardwebhooks package.
webhook_secret="whsec_$(head -c 24 /dev/urandom | base64)"
python3 Tests/Servers/webhook_receiver.py --port-file "$work/webhook.port" --secret "$webhook_secret" >"$work/webhook.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/webhook.port" ] && break; sleep 0.1; done
[ -s "$work/webhook.port" ] || { echo "webhook receiver did not start:" >&2; cat "$work/webhook.log" >&2; exit 1; }
printf '{"url": "http://127.0.0.1:%s", "secret": "%s"}' "$(cat "$work/webhook.port")" "$webhook_secret" >"$work/webhook.json"
export VIGIL_TEST_WEBHOOK="$work/webhook.json"

# Dovecot (IMAPS on loopback, one throwaway user) as the bounce mailbox. Its mail user is
# not root, so the work directory must be traversable (not listable) by others.
chmod 711 "$work"
python3 Tests/Servers/imap_server.py --dir "$work/imap" --info "$work/imap.json" >"$work/imap.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do [ -s "$work/imap.json" ] && break; sleep 0.1; done
[ -s "$work/imap.json" ] || { echo "Dovecot did not start:" >&2; cat "$work/imap.log" "$work/imap/dovecot.log" >&2; exit 1; }
export VIGIL_TEST_IMAP="$work/imap.json"

# A throwaway Synapse homeserver (SQLite, loopback) with registered test users.
python3 Tests/Servers/matrix_server.py --dir "$work/synapse" --info "$work/matrix.json" >"$work/matrix.log" 2>&1 &
pids+=($!)

# Formatting is a check, not a wish: the tree must already be as `swift format` writes it.
swift format lint --strict --recursive Sources Plugins Tests Fuzz Package.swift
swift build --build-tests

# The seed corpora and every input a fuzzer once crashed on, replayed without libFuzzer;
# then each fuzz target under libFuzzer and the address sanitizer for a short, bounded time
# (VIGIL_FUZZ_SECONDS, default 20), while Synapse finishes starting.
for target in json csv config cel template webhook mime html feed xlsx css report; do
    "$(swift build --show-bin-path)/vigil-fuzz" "$target" "Fuzz/Corpus/$target"
done
scripts/fuzz.sh all "${VIGIL_FUZZ_SECONDS:-20}"

# The Debian package, built for release (Swift runtime linked in), installed on this machine
# with apt-get, checked, and removed. VIGIL_SKIP_PACKAGE=1 leaves it out of a local run.
if [ "${VIGIL_SKIP_PACKAGE:-0}" != 1 ]; then scripts/test-package.sh; fi

for _ in $(seq 1 1200); do [ -s "$work/matrix.json" ] && break; sleep 0.1; done
[ -s "$work/matrix.json" ] || { echo "Synapse did not start:" >&2; tail -50 "$work/matrix.log" >&2; exit 1; }
export VIGIL_TEST_MATRIX="$work/matrix.json"
export VIGIL_BINARY="$(swift build --show-bin-path)/vigil"
if [ $# -gt 0 ]; then
    swift test --skip-build "$@"
else
    # The browser test loads both cores (Chromium), which would slow the latency checks of
    # the suites running beside it: it runs alone, after them.
    swift test --skip-build --skip ConsoleBrowserTests
    swift test --skip-build --filter ConsoleBrowserTests
fi
