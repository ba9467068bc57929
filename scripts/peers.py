#!/usr/bin/env python3
"""Vigil beside its yardsticks, in alternation on the same machine; prints ratios.

Each job runs Vigil and a peer doing the same work one after the other, --runs times, so a
noisy machine slows both alike; the table shows each side's median wall time, Vigil's peak
memory and the ratio Vigil/peer (min, median, max over the pairs).

tick-file: `vigil run` over 20 small unchanged file sources (with rules, recipients and an
      email output configured, as a team has them) beside urlwatch over the same 20 files.
tick-http: the same over 20 unchanged HTTP sources answering 304, beside urlwatch (which also
      sends If-None-Match).
diff: a steady-state `vigil run` on a 100,000-record JSON file (1% changed, 0.1% added,
      0.1% removed) from a stored baseline, beside a Python script that loads both documents
      and compares dictionaries; and the baseline run (empty state) beside the same script.
webhooks: release day — `vigil run` from a stored baseline where 10,000 of 20,000 people are
      released: detection, routing, rendering, the outbox and 10,000 signed webhooks to a
      local nginx (204), beside `curl --parallel` POSTing 10,000 requests to the same nginx.
emails: release day by email — 2,000 of 20,000 released, 2,000 emails to postfix's
      smtp-sink, beside postfix's `smtp-source` sending 2,000 messages over 4 sessions.

With --perf DIR each Vigil run is recorded by `perf record -g` (times then include perf's
cost); the last run of each job is kept as DIR/JOB.data and summarised: the functions
with the most samples, and the Vigil functions with the most samples beneath them.
"""
import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402  (the record generator is shared)

WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
# Set by --perf: (the vigil executable, the perf.data file of the job running).
PROFILE = None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def measured(command, cwd, env=None, expect=(0,)):
    """Wall seconds and peak RSS (MB) of one command."""
    if PROFILE and command[0] == PROFILE[0]:
        command = ["perf", "record", "-q", "-g", "-F", "4000", "-o", PROFILE[1], "--"] + command
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    err = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    assert code in expect, f"{command[0]} exited {code}: {err[-2000:]}"
    return elapsed, usage.ru_maxrss / 1024


class Row:
    def __init__(self, name, peer):
        self.name, self.peer = name, peer
        self.vigil, self.other, self.rss = [], [], []

    def add(self, vigil, rss, other):
        self.vigil.append(vigil)
        self.rss.append(rss)
        self.other.append(other)

    def print(self):
        ratios = sorted(v / o for v, o in zip(self.vigil, self.other))
        print(f"{self.name:<34}{statistics.median(self.vigil) * 1000:>9.1f}{statistics.median(self.rss):>8.1f}"
              f"  {self.peer:<22}{statistics.median(self.other) * 1000:>9.1f}"
              f"{ratios[0]:>8.3f}{statistics.median(ratios):>8.3f}{ratios[-1]:>8.3f}")


def summarise(data):
    """The flame summary of one recorded run."""
    def report(*options):
        return subprocess.run(["perf", "report", "-i", data, "--stdio", "-g", "none", "--percent-limit", "2", *options],
                              capture_output=True, text=True).stdout
    print(f"\n== {data}: most samples in (self)")
    print("\n".join(line[:150] for line in report("--no-children").splitlines() if "%" in line and line[0] != "#"))
    print(f"== {data}: Vigil functions with most samples beneath (children)")
    print("\n".join(line[:150] for line in report("--children").splitlines()
                    if "%" in line and line[0] != "#" and "Vigil" in line))


def header(runs):
    print(f"\nVigil beside its peers, alternating, {runs} pairs each; wall ms medians; ratio = Vigil / peer")
    print(f"{'job':<34}{'vigil ms':>9}{'RSS MB':>8}  {'peer':<22}{'peer ms':>9}{'min':>8}{'median':>8}{'max':>8}")


class HTTPServer:
    """Tests/Servers/http_server.py serving a directory (ETag, 304)."""

    def __init__(self, root):
        port_file = Path(root) / "port"
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "Tests/Servers/http_server.py"), "--root", str(root), "--port-file",
             str(port_file)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if port_file.exists() and port_file.read_text():
                break
            time.sleep(0.1)
        self.url = f"http://127.0.0.1:{port_file.read_text()}/static"

    def stop(self):
        self.process.terminate()
        self.process.wait()


def team_config(sources, outputs_extra=None):
    """A configuration as a team has it: rules, recipients, an email output."""
    return {
        "state": "state",
        "sources": sources,
        "outputs": [{"id": "mail", "type": "smtp", "url": "smtp://127.0.0.1:9", "insecurePlaintext": True,
                     "from": "vigil@example.org"}] + (outputs_extra or []),
        "recipients": [{"id": "team", "name": "Team", "contacts": {"mail": "team@example.org"}},
                       {"id": "sponsor", "name": "Sponsor", "language": "fr",
                        "contacts": {"mail": "sponsor@example.org"}, "sponsors": {"keys": ["T-1"]}}],
        "rules": [{"id": "team", "when": "true", "notify": "recipient:team", "via": "mail"},
                  {"id": "releases", "when": "has(change.status) && change.status.to == 'released'",
                   "notify": "sponsors", "via": "mail", "confirm": {"runs": 2}}],
    }


def tick(args, work, urlwatch, row_file, row_http):
    rng = random.Random(7)
    for n in range(20):
        people = [{"id": f"T-{n}-{i}", "name": f"Person {n} {i}", "status": rng.choice(["held", "on trial"])}
                  for i in range(20)]
        (work / f"s{n}.json").write_text(json.dumps(people))
    server = HTTPServer(work)
    try:
        def source(n, location):
            return {"id": f"s{n}", "type": "json", **location, "key": "id", "name": "name", "status": "status",
                    "statusMap": {"held": "detained", "on trial": "on_trial"}}
        (work / "file.json").write_text(json.dumps(team_config([source(n, {"path": f"s{n}.json"}) for n in range(20)])))
        http = team_config([source(n, {"url": f"{server.url}/s{n}.json"}) for n in range(20)])
        http["state"] = "state-http"
        (work / "http.json").write_text(json.dumps(http))
        (work / "urls-file.yaml").write_text("\n---\n".join(f"name: s{n}\nurl: file://{work}/s{n}.json"
                                                           for n in range(20)) + "\n")
        (work / "urls-http.yaml").write_text("\n---\n".join(f"name: s{n}\nurl: {server.url}/s{n}.json"
                                                           for n in range(20)) + "\n")
        env = dict(os.environ, HOME=str(work), XDG_CONFIG_HOME=str(work), XDG_CACHE_HOME=str(work))
        for kind in ("file", "http"):
            watch = [urlwatch, "--urls", str(work / f"urls-{kind}.yaml"), "--config", str(work / "urlwatch.yaml"),
                     "--cache", str(work / f"cache-{kind}.db")]
            # First runs store the baselines (and urlwatch writes its default configuration).
            measured([args.vigil, "run", "--config", str(work / f"{kind}.json")], work)
            measured(watch, work, env)
            measured(watch, work, env)
            row = row_file if kind == "file" else row_http
            for _ in range(args.runs):
                seconds, rss = measured([args.vigil, "run", "--config", str(work / f"{kind}.json")], work)
                other, _ = measured(watch, work, env)
                row.add(seconds, rss, other)
    finally:
        server.stop()


DIFF_SCRIPT = """
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    old = {p["id"]: p for p in json.load(f)["prisoners"]}
if len(sys.argv) > 2:
    with open(sys.argv[2], encoding="utf-8") as f:
        new = {p["id"]: p for p in json.load(f)["prisoners"]}
else:
    new = {}
changed = [k for k, v in new.items() if k in old and old[k] != v]
added = [k for k in new if k not in old]
removed = [k for k in old if k not in new]
print(len(changed), len(added), len(removed))
"""


def big_source(path):
    return {"id": "big", "type": "json", "path": path, "records": "$.prisoners[*]", "key": "id", "name": "name",
            "status": "status", "maxDrop": 0.6,
            "fields": {"born": {"from": "born", "type": "date", "format": "dd.MM.yyyy"},
                       "detained": {"from": "detained_on", "type": "date", "format": "dd.MM.yyyy"},
                       "charges": "charges", "sentence": "sentence", "place": "place"},
            "statusMap": {"détenu": "detained", "procès en cours": "on_trial", "condamné": "sentenced",
                          "transféré": "transferred", "libéré": "released"}}


def generated(*arguments):
    """Generates test data in a child process: a forked child's peak RSS counts its parent's
    pages, so the measuring process must stay small."""
    subprocess.run([sys.executable, __file__, "--generate", *map(str, arguments)], check=True)


def diff(args, work, python, row_steady, row_baseline):
    generated("diff", work, args.records)
    (work / "diff.py").write_text(DIFF_SCRIPT)
    (work / "vigil.json").write_text(json.dumps({"state": "state", "sources": [big_source("current.json")],
                                                 "outputs": [{"id": "console", "type": "stdout"}]}))
    shutil.copy(work / "base.json", work / "current.json")
    measured([args.vigil, "run", "--config", str(work / "vigil.json")], work)
    shutil.move(work / "state", work / "state-base")
    for _ in range(args.runs):
        shutil.copy(work / "base.json", work / "current.json")
        seconds, rss = measured([args.vigil, "run", "--config", str(work / "vigil.json")], work)
        shutil.rmtree(work / "state")
        other, _ = measured([python, str(work / "diff.py"), str(work / "base.json")], work)
        row_baseline.add(seconds, rss, other)

        shutil.copytree(work / "state-base", work / "state")
        shutil.copy(work / "changed.json", work / "current.json")
        seconds, rss = measured([args.vigil, "run", "--config", str(work / "vigil.json")], work)
        shutil.rmtree(work / "state")
        other, _ = measured([python, str(work / "diff.py"), str(work / "base.json"), str(work / "changed.json")], work)
        row_steady.add(seconds, rss, other)


def release_day(work, records, released):
    """base.json, and release.json with `released` people released; returns the two paths."""
    rng = random.Random(11)
    base = [bench.person(rng, n) for n in range(1, records + 1)]
    for p in base:
        p["status"] = "détenu"
    after = [dict(p) for p in base]
    for p in rng.sample(after, released):
        p["status"] = "libéré"
    for name, people in (("base.json", base), ("release.json", after)):
        (work / name).write_text(json.dumps({"prisoners": people}, ensure_ascii=False), encoding="utf-8")


def run_from_baseline(args, work, config):
    """Stores the baseline once (state-base); returns a function measuring one release run."""
    shutil.copy(work / "base.json", work / "current.json")
    measured([args.vigil, "run", "--config", str(config)], work)
    shutil.move(work / "state", work / "state-base")

    def once():
        shutil.rmtree(work / "state", ignore_errors=True)
        shutil.copytree(work / "state-base", work / "state")
        shutil.copy(work / "release.json", work / "current.json")
        return measured([args.vigil, "run", "--config", str(config)], work)
    return once


def alternate(runs, once, peer, work, row):
    """`runs` pairs: one Vigil run (`once`), then the peer command."""
    for _ in range(runs):
        seconds, rss = once()
        other, _ = measured(peer, work)
        row.add(seconds, rss, other)


def webhooks(args, work, row):
    count = 10_000
    generated("release", work, 20_000, count)
    nginx, port = bench.start_nginx(work)
    try:
        config = work / "vigil.json"
        config.write_text(json.dumps({
            "state": "state", "sources": [big_source("current.json")],
            "outputs": [{"id": "partner", "type": "webhook", "url": f"http://127.0.0.1:{port}/hook",
                         "allowHTTP": True, "secret": WEBHOOK_SECRET, "concurrency": 16}],
            "rules": [{"id": "partner", "when": "has(change.status)", "notify": "outputs", "via": "partner"}]}))
        once = run_from_baseline(args, work, config)
        (work / "body.json").write_text(json.dumps({"type": "detainee.changed", "data": {"record": {"key": "x"}}}))
        curl = ["curl", "--silent", "--parallel", "--parallel-max", "16", "--data-binary", f"@{work}/body.json",
                "-H", "content-type: application/json", f"http://127.0.0.1:{port}/hook?n=[1-{count}]"]
        alternate(args.runs, once, curl, work, row)
    finally:
        nginx.terminate()
        nginx.wait()


def emails(args, work, row):
    count = 2_000
    generated("release", work, 20_000, count)
    port = free_port()
    sink = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
    server = subprocess.Popen([sink, "-u", "nobody", f"127.0.0.1:{port}", "1024"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    try:
        config = work / "vigil.json"
        config.write_text(json.dumps({
            "state": "state", "sources": [big_source("current.json")],
            "outputs": [{"id": "mail", "type": "smtp", "url": f"smtp://127.0.0.1:{port}", "insecurePlaintext": True,
                         "from": "vigil@example.org", "concurrency": 4,
                         "pacing": {"concurrency": 4, "rate": "none"}}],
            "recipients": [{"id": "team", "name": "Team", "contacts": {"mail": "team@example.org"}}],
            "rules": [{"id": "team", "when": "has(change.status)", "notify": "recipient:team", "via": "mail"}]}))
        once = run_from_baseline(args, work, config)
        source = shutil.which("smtp-source") or "/usr/sbin/smtp-source"
        peer = [source, "-m", str(count), "-s", "4", "-l", "2000", "-f", "vigil@example.org", "-t",
                "team@example.org", f"127.0.0.1:{port}"]
        alternate(args.runs, once, peer, work, row)
    finally:
        server.terminate()
        server.wait()


def main():
    parser = argparse.ArgumentParser()
    if len(sys.argv) > 2 and sys.argv[1] == "--generate":
        kind, work, numbers = sys.argv[2], Path(sys.argv[3]), [int(n) for n in sys.argv[4:]]
        if kind == "diff":
            bench.generate(work, numbers[0])
        else:
            release_day(work, numbers[0], numbers[1])
        return
    parser.add_argument("--vigil", required=True)
    parser.add_argument("--urlwatch", required=True)
    parser.add_argument("--python", required=True, help="the Python that runs the dictionary diff")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--only", choices=["tick", "diff", "webhooks", "emails"])
    parser.add_argument("--perf", help="record Vigil's runs with perf into this directory and summarise")
    args = parser.parse_args()
    global PROFILE
    rows = []
    jobs = {
        "tick": lambda work: tick(args, work, args.urlwatch, *rows_for(
            ("cron tick, 20 file sources", "urlwatch"), ("cron tick, 20 HTTP sources (304)", "urlwatch"))),
        "diff": lambda work: diff(args, work, args.python, *rows_for(
            (f"steady run, {args.records:,} records", "Python json+dict diff"),
            (f"baseline run, {args.records:,} records", "Python json load"))),
        "webhooks": lambda work: webhooks(args, work, *rows_for(
            ("release day: 10,000 webhooks", "curl --parallel 16"))),
        "emails": lambda work: emails(args, work, *rows_for(("release day: 2,000 emails", "smtp-source, 4 sessions"))),
    }

    def rows_for(*names):
        made = [Row(name, peer) for name, peer in names]
        rows.extend(made)
        return made

    for name, job in jobs.items():
        if args.only not in (None, name):
            continue
        work = Path(tempfile.mkdtemp(prefix=f"vigil-peers-{name}-"))
        if args.perf:
            os.makedirs(args.perf, exist_ok=True)
            PROFILE = (args.vigil, str(Path(args.perf) / f"{name}.data"))
        try:
            job(work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if args.perf:
            summarise(PROFILE[1])
    header(args.runs)
    for row in rows:
        row.print()


if __name__ == "__main__":
    main()
