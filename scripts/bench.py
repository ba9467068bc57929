#!/usr/bin/env python3
"""Vigil's benchmarks: a steady-state `vigil run` on a 100,000-record JSON source.

Generates a source of N records and a second version with 1% of records changed, 0.1%
added and 0.1% removed, serves both over loopback HTTP, and measures (wall time, peak
RSS) the baseline run and the steady-state run, several times each. Prints medians.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATUSES = ["détenu", "procès en cours", "condamné", "transféré"]


def person(rng, number):
    return {
        "id": f"P-{number:06d}",
        "name": f"Person {number:06d} Fictional",
        "born": f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1950, 2004)}",
        "detained_on": f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(2014, 2024)}",
        "status": rng.choice(STATUSES),
        "charges": "Art. 318 (illegal border crossing)",
        "sentence": "",
        "place": f"Detention centre No. {rng.randint(1, 40)}",
    }


def generate(directory, count):
    rng = random.Random(42)
    base = [person(rng, n) for n in range(1, count + 1)]
    changed = [dict(p) for p in base]
    indices = rng.sample(range(count), count // 100 + count // 1000)
    for index in indices[: count // 100]:
        changed[index]["status"] = "libéré"
    removed = set(indices[count // 100:])
    changed = [p for i, p in enumerate(changed) if i not in removed]
    changed += [person(rng, n) for n in range(count + 1, count + 1 + count // 1000)]
    for name, people in (("base.json", base), ("changed.json", changed)):
        (directory / name).write_text(json.dumps({"prisoners": people}, ensure_ascii=False), encoding="utf-8")
    return (directory / "base.json").stat().st_size


def config(directory, url, name):
    document = {
        "state": "state",
        "sources": [{
            "id": "big", "type": "json", "url": url, "records": "$.prisoners[*]",
            "key": "id", "name": "name", "status": "status",
            "fields": {
                "born": {"from": "born", "type": "date", "format": "dd.MM.yyyy"},
                "detained": {"from": "detained_on", "type": "date", "format": "dd.MM.yyyy"},
                "charges": "charges", "sentence": "sentence", "place": "place"},
            "statusMap": {"détenu": "detained", "procès en cours": "on_trial", "condamné": "sentenced",
                          "transféré": "transferred", "libéré": "released"},
        }],
        "outputs": [{"id": "console", "type": "stdout"}],
    }
    path = directory / name
    path.write_text(json.dumps(document))
    return path


def run_measured(command, cwd):
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    err = process.stderr.read().decode()
    process.stderr.close()
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), err


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--vigil")
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        print(generate(Path(args.generate), args.records))
        return

    work = Path(tempfile.mkdtemp(prefix="vigil-bench-"))
    try:
        # Generate in a child process: a forked child's peak RSS counts the parent's, so the
        # measuring process stays small.
        size = int(subprocess.run(
            [sys.executable, __file__, "--generate", str(work), "--records", str(args.records)],
            check=True, capture_output=True, text=True).stdout)
        port_file = work / "port"
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "Tests/Servers/http_server.py"), "--root", str(work), "--port-file", str(port_file)],
            stdout=subprocess.DEVNULL)
        try:
            for _ in range(100):
                if port_file.exists() and port_file.read_text():
                    break
                time.sleep(0.1)
            url = f"http://127.0.0.1:{port_file.read_text()}/static"
            base_config = config(work, f"{url}/base.json", "base.json.config")
            steady_config = config(work, f"{url}/changed.json", "changed.json.config")
            rows = {"baseline": [], "steady": [], "not modified (304)": []}
            for _ in range(args.runs):
                shutil.rmtree(work / "state", ignore_errors=True)
                seconds, rss, code, err = run_measured([args.vigil, "run", "--config", str(base_config)], work)
                assert code == 0, err
                rows["baseline"].append((seconds, rss))
                shutil.copytree(work / "state", work / "state-base")
                seconds, rss, code, err = run_measured([args.vigil, "run", "--config", str(steady_config)], work)
                assert code == 0, err
                rows["steady"].append((seconds, rss))
                seconds, rss, code, err = run_measured([args.vigil, "run", "--config", str(steady_config)], work)
                assert code == 0, err
                rows["not modified (304)"].append((seconds, rss))
                shutil.rmtree(work / "state")
                shutil.move(work / "state-base", work / "state")
        finally:
            server.terminate()
            server.wait()
        print(f"source: {args.records:,} records, {size / 1e6:.1f} MB JSON over loopback HTTP; "
              f"steady run: 1% changed, 0.1% added, 0.1% removed; {args.runs} runs each, medians")
        print(f"{'run':<22}{'wall s (median)':>16}{'min':>8}{'max':>8}{'peak RSS MB':>13}")
        for name, values in rows.items():
            times = [v[0] for v in values]
            rss = statistics.median(v[1] for v in values)
            print(f"{name:<22}{statistics.median(times):>16.3f}{min(times):>8.3f}{max(times):>8.3f}{rss:>13.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
