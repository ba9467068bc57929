#!/usr/bin/env bash
# Vigil's benchmarks (not part of the tests): builds in release mode and prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# smtp-sink (from postfix) is the SMTP receiver of the email benchmark.
if ! command -v smtp-sink >/dev/null && [ ! -x /usr/sbin/smtp-sink ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
fi
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
}
swift build -c release --product vigil >/dev/null
swift build -c release --product vigil-bench >/dev/null
bin="$(swift build -c release --show-bin-path)"
python3 scripts/bench.py --vigil "$bin/vigil" --bench-tool "$bin/vigil-bench" "$@"
