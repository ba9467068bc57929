#!/usr/bin/env bash
# Vigil's benchmarks (not part of the tests): builds in release mode and prints a table.
# `scripts/bench.sh peers [--only tick|diff|webhooks|emails] [--runs N] [--perf DIR]` runs
# Vigil beside its yardsticks in alternation and prints the ratios (scripts/peers.py); with
# --perf, each job's last Vigil run is recorded by perf and its flame summary printed.
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
if [ "${1:-}" = peers ]; then
    # Vigil beside its yardsticks: urlwatch and a json+dict diff on Debian's Python (in a venv
    # under .build), curl --parallel, postfix's smtp-source.
    shift
    venv=.build/peers-venv
    [ -x "$venv/bin/urlwatch" ] || {
        /usr/bin/python3 -c "import ensurepip, venv" 2>/dev/null || {
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
        }
        /usr/bin/python3 -m venv "$venv" && "$venv/bin/pip" install -q urlwatch
    }
    command -v curl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null; }
    exec python3 scripts/peers.py --vigil "$bin/vigil" --urlwatch "$venv/bin/urlwatch" --python /usr/bin/python3 "$@"
fi
python3 scripts/bench.py --vigil "$bin/vigil" --bench-tool "$bin/vigil-bench" "$@"
