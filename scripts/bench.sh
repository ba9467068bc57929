#!/usr/bin/env bash
# Vigil's benchmarks (not part of the tests): builds in release mode and prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product vigil >/dev/null
python3 scripts/bench.py --vigil "$(swift build -c release --show-bin-path)/vigil" "$@"
