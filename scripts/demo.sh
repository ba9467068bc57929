#!/usr/bin/env bash
# Runs Vigil's main job on the example configuration: a baseline run on the "before"
# snapshot, then a run on the "after" snapshot (a release of 32, one sentence, one
# transfer), printing what changed and what was sent through the stdout output: the team's
# view of every event, and sponsors' own notices in French and Armenian (releases held
# until a second run confirms them).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
# A debug build: it compiles faster, and the example is small.
log=$(mktemp)
swift build --product vigil >"$log" 2>&1 || { cat "$log" >&2; echo "build failed" >&2; exit 1; }
rm -f "$log"
vigil="$(swift build --show-bin-path)/vigil"

rm -rf examples/feed examples/state
mkdir -p examples/feed
cp examples/snapshots/detainees-before.json examples/feed/detainees.json
cp examples/snapshots/detainees-before.csv examples/feed/detainees.csv

echo "== vigil check"
"$vigil" check --config config.example.json
echo "== vigil run -v   (first run: baseline, no person events)"
"$vigil" run --config config.example.json -v

cp examples/snapshots/detainees-after.json examples/feed/detainees.json
cp examples/snapshots/detainees-after.csv examples/feed/detainees.csv
echo "== vigil run -v   (after the release: changes found, sent to stdout)"
"$vigil" run --config config.example.json -v
echo "== vigil run      (nothing changed: the sponsors' release notice, held until seen in 2 runs, goes out)"
"$vigil" run --config config.example.json
echo "== vigil run      (nothing changed, nothing held: prints nothing)"
"$vigil" run --config config.example.json
echo "== vigil history --limit 5"
"$vigil" history --config config.example.json --limit 5
