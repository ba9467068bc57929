#!/usr/bin/env bash
# Fuzzes Vigil's parsers with libFuzzer (address sanitizer on), starting from the seed
# corpora in Fuzz/Corpus/TARGET. Usage:
#
#   scripts/fuzz.sh TARGET|all [SECONDS]      (default 60 seconds per target)
#
# Targets: json csv config cel template webhook mime html feed xlsx css report. New corpus entries go to a scratch
# directory (the seeds in the repository are not changed). A crash, a hang (10 s per input)
# or a broken property fails the run and prints the input, base64-encoded: add it to
# Fuzz/Corpus/TARGET and write a regression test for it. Prints a table of executions,
# coverage and corpus size per target.
set -euo pipefail
cd "$(dirname "$0")/.."

all=(json csv config cel template webhook mime html feed xlsx css report)
target=${1:-}
seconds=${2:-60}
if [ -z "$target" ]; then
    echo "usage: scripts/fuzz.sh TARGET|all [SECONDS]   (targets: ${all[*]})" >&2
    exit 64
fi
if [ "$target" = "all" ]; then targets=("${all[@]}"); else targets=("$target"); fi

# One -sanitize flag with both: SwiftPM's --sanitize=fuzzer --sanitize=address becomes two
# swiftc flags, and the last one wins (the Swift code would get no coverage counters).
build=(swift build --product vigil-fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address
    -Xswiftc -DVIGIL_LIBFUZZER)
"${build[@]}" >.build-fuzz.log 2>&1 || { cat .build-fuzz.log >&2; exit 1; }
binary="$("${build[@]}" --show-bin-path)/vigil-fuzz"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p .build-fuzz/findings
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1"
results=()
status=0
for name in "${targets[@]}"; do
    [ -d "Fuzz/Corpus/$name" ] || { echo "no such target: $name" >&2; exit 64; }
    mkdir -p "$scratch/$name"
    cp Fuzz/Corpus/"$name"/* "$scratch/$name/"
    log="$scratch/$name.log"
    if VIGIL_FUZZ_TARGET="$name" "$binary" -max_total_time="$seconds" -timeout=10 -max_len=65536 \
        -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix=".build-fuzz/findings/$name-" \
        "$scratch/$name" >"$log" 2>&1; then
        outcome="ok"
    else
        outcome="FAILED"
        status=1
        echo "── $name failed; the end of libFuzzer's log:" >&2
        tail -40 "$log" >&2
        for artifact in .build-fuzz/findings/"$name"-*; do
            [ -f "$artifact" ] || continue
            echo "input ($artifact), base64:" >&2
            base64 -w0 "$artifact" >&2
            echo >&2
        done
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' || true)
    corpus=$(echo "$last" | grep -o 'corp: [0-9]*' | grep -o '[0-9]*' || true)
    results+=("$(printf '%-9s %-7s %10s %8s %8s' "$name" "$outcome" "${runs:-0}" "${cov:--}" "${corpus:--}")")
done

printf '%-9s %-7s %10s %8s %8s\n' target result executions coverage corpus
printf '%s\n' "${results[@]}"
exit $status
