#!/usr/bin/env bash
# Runs Vigil's whole test suite: installs what is missing, starts the loopback test
# servers, builds, runs every test target, and stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

python3 Tests/Servers/http_server.py --port-file "$work/http.port" >/dev/null &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/http.port" ] && break; sleep 0.1; done
[ -s "$work/http.port" ] || { echo "test HTTP server did not start" >&2; exit 1; }
export VIGIL_TEST_HTTP="http://127.0.0.1:$(cat "$work/http.port")"

swift build --build-tests
export VIGIL_BINARY="$(swift build --show-bin-path)/vigil"
swift test --skip-build "$@"
