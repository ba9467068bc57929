#!/usr/bin/env python3
"""Vigil's benchmarks, against loopback servers; prints tables of medians.

core: a steady-state `vigil run` on a 100,000-record JSON source. Generates a source of N
      records and a second version with 1% of records changed, 0.1% added and 0.1% removed,
      serves both over loopback HTTP, and measures (wall time, peak RSS) the baseline run,
      the steady-state run and an unchanged (304) run.
smtp: 2,000 distinct notification emails from the outbox to a local smtp-sink, with
      reused connections and with a new connection per message.
matrix: 500 notices from the outbox to one room of a local Synapse (message rate limit
      lifted for the bot), against a plain sequential `curl` loop of the same requests.
html: a 10,000-row HTML table (about 3 MB) parsed and mapped to records: Vigil (libxml2,
      XPath, records built) beside Python's lxml doing the same XPath extraction and
      BeautifulSoup (html.parser) reading the same cells, in one run; Vigil's peak memory.
people: 3 generated lists of 10,000 invented people each (Armenian, Russian, English
      renderings) matched across scripts (every name normalised, candidate pairs scored),
      and the proposals' and automatic links' precision and recall on the 4-script
      evaluation set (Tests/Servers/make_people.py).
webhook: 10,000 signed webhooks from the outbox to a local nginx answering 204; then
      `vigil serve` under a load of distinct, validly signed pushes.
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
import urllib.parse
import urllib.request
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
    parser.add_argument("--bench-tool", help="the vigil-bench executable")
    parser.add_argument("--only", choices=["core", "smtp", "matrix", "webhook", "cel", "route", "html", "people",
                                           "console"])
    parser.add_argument("--webhooks", type=int, default=10000)
    parser.add_argument("--pushes", type=int, default=5000)
    parser.add_argument("--notices", type=int, default=500)
    parser.add_argument("--emails", type=int, default=2000)
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        print(generate(Path(args.generate), args.records))
        return
    if args.only in (None, "core"):
        core(args)
    if args.only in (None, "smtp"):
        smtp(args)
    if args.only in (None, "matrix"):
        matrix(args)
    if args.only in (None, "webhook"):
        webhook(args)
    if args.only in (None, "cel"):
        cel(args)
    if args.only in (None, "html"):
        html(args)
    if args.only in (None, "people"):
        people(args)
    if args.only in (None, "route"):
        route(args)
    if args.only in (None, "console"):
        console(args)


PLACES = ["СИЗО-1, Москва", "ИК-6, Владимир", "СИЗО-2, Казань", "ИК-3, Самара"]
HTML_STATUSES = ["в заключении", "освобождён", "осуждён"]


def html_table(path, rows):
    """Writes a publisher-shaped page: a table of `rows` people with links, nested markup and entities."""
    rng = random.Random(7)
    parts = ["<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Список</title></head><body>",
             "<nav><ul><li><a href=\"/\">Главная</a></li></ul></nav>",
             "<table id=\"people\" class=\"list\"><thead><tr><th>№</th><th>ФИО</th><th>Статус</th>",
             "<th>Дата задержания</th><th>Место</th><th>Примечание</th></tr></thead><tbody>"]
    for number in range(1, rows + 1):
        parts.append(
            f"<tr class=\"row\"><td>RU-{number:06d}</td>"
            f"<td><a href=\"/person/{number}\"><b>Иванов</b> Иван&nbsp;Петрович {number}</a></td>"
            f"<td><span class=\"status\">{rng.choice(HTML_STATUSES)}</span></td>"
            f"<td>{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(2014, 2024)}</td>"
            f"<td>{rng.choice(PLACES)}</td>"
            f"<td>Обвинение по ст. 207.3 УК &laquo;фейки&raquo;; адвокат &mdash; по назначению</td></tr>\n")
    parts.append("</tbody></table></body></html>")
    path.write_text("".join(parts), encoding="utf-8")
    return path.stat().st_size


def html(args):
    import lxml.html
    from bs4 import BeautifulSoup

    work = Path(tempfile.mkdtemp(prefix="vigil-bench-html-"))
    try:
        page = work / "table.html"
        size = html_table(page, 10_000)
        fields = ["td[1]", "td[2]", "td[3]", "td[4]", "td[5]", "td[2]/a/@href"]

        def text(found):
            if not found:
                return None
            node = found[0]
            raw = node if isinstance(node, str) else node.text_content()
            return " ".join(raw.split())

        def with_lxml():
            document = lxml.html.fromstring(page.read_bytes())
            return [[text(row.xpath(field)) for field in fields]
                    for row in document.xpath("//table[@id='people']/tbody/tr")]

        def with_soup():
            soup = BeautifulSoup(page.read_bytes(), "html.parser")
            rows = []
            for row in soup.find("table", id="people").tbody.find_all("tr", recursive=False):
                cells = row.find_all("td", recursive=False)
                values = [" ".join(cell.get_text(" ").split()) for cell in cells[:5]]
                rows.append(values + [cells[1].a["href"]])
            return rows

        def timed(function):
            started = time.perf_counter()
            result = function()
            return time.perf_counter() - started, result

        vigil, lxml_times, soup_times, rss = [], [], [], []
        for _ in range(args.runs):
            result = json.loads(subprocess.run([args.bench_tool, "html", str(page)], check=True,
                                               capture_output=True, text=True).stdout)
            assert result["records"] == 10_000 and result["unmapped"] == 0, result
            vigil.append(result["seconds"])
            rss.append(result["maxRSSKiB"] / 1024)
            seconds, rows = timed(with_lxml)
            assert len(rows) == 10_000
            lxml_times.append(seconds)
            seconds, rows = timed(with_soup)
            assert len(rows) == 10_000
            soup_times.append(seconds)
        v, l, b = statistics.median(vigil), statistics.median(lxml_times), statistics.median(soup_times)
        print(f"\nHTML: a 10,000-row table ({size / 1e6:.1f} MB) parsed and mapped; {args.runs} runs, median")
        print(f"{'':<34}{'seconds':>10}{'vs Vigil':>10}")
        print(f"{'Vigil (libxml2 + XPath, records)':<34}{v:>10.3f}{1:>10.2f}")
        print(f"{'lxml (same XPath, text only)':<34}{l:>10.3f}{l / v:>10.2f}")
        print(f"{'BeautifulSoup (html.parser)':<34}{b:>10.3f}{b / v:>10.2f}")
        print(f"{'Vigil peak memory (MB)':<34}{statistics.median(rss):>10.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def people(args):
    maker = Path(__file__).resolve().parent.parent / "Tests" / "Servers" / "make_people.py"
    work = Path(tempfile.mkdtemp(prefix="vigil-bench-people-"))
    try:
        big = work / "big"
        subprocess.run([sys.executable, str(maker), str(big), "--persons", "11000", "--synthetic", "--seed", "7"],
                       check=True, capture_output=True)
        (big / "az.json").unlink()  # three lists
        (big / "truth.json").unlink()
        runs = [json.loads(subprocess.run([args.bench_tool, "people", str(big)], check=True, capture_output=True,
                                          text=True).stdout) for _ in range(args.runs)]
        print(f"\nPeople: {runs[0]['records']:,} records in 3 lists (Armenian, Russian, English) matched; "
              f"{args.runs} runs, median")
        print(f"{'normalise every name (s)':<40}{statistics.median(r['normaliseSeconds'] for r in runs):>10.3f}")
        print(f"{'normalise + block + score pairs (s)':<40}{statistics.median(r['seconds'] for r in runs):>10.3f}")
        print(f"{'proposals / automatic links':<40}{runs[0]['proposals']:>10,} / {runs[0]['automatic']:,}")
        print(f"\n{'evaluation set (4 scripts)':<22}{'records':>8}{'true pairs':>11}{'proposals':>10}"
              f"{'precision':>10}{'recall':>8}{'auto':>6}{'auto prec.':>11}")
        for seed in (2026, 7, 1):
            small = work / f"eval-{seed}"
            subprocess.run([sys.executable, str(maker), str(small), "--seed", str(seed)], check=True,
                           capture_output=True)
            e = json.loads(subprocess.run([args.bench_tool, "people", str(small)], check=True, capture_output=True,
                                          text=True).stdout)
            print(f"{'seed ' + str(seed):<22}{e['records']:>8}{e['truePairs']:>11}{e['proposals']:>10}"
                  f"{e['precision']:>10.3f}{e['recall']:>8.3f}{e['automatic']:>6}{e['automaticPrecision']:>11.3f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def route(args):
    results = [json.loads(subprocess.run([args.bench_tool, "route"], check=True, capture_output=True, text=True).stdout)
               for _ in range(args.runs)]
    last = results[-1]
    print(f"\nRouting: {last['events']:,} events, {last['rules']} rules, {last['recipients']:,} recipients with 20,000 "
          f"sponsorships -> {last['notifications']:,} deduplicated notifications; {args.runs} runs, median")
    assert all(r["decided"] == r["notifications"] for r in results), "rendering changed who is notified"
    print(f"{'routing (who, which output, idempotency key)':<52}{statistics.median(r['seconds'] for r in results):>8.3f} s")
    print(f"{'routing + Mustache rendering of every notification':<52}"
          f"{statistics.median(r['renderedSeconds'] for r in results):>8.3f} s")


def console(args):
    """The console's pages over a state of 10,000 people and 100,000 events: each run starts a
    fresh state and `vigil serve`, then asks for each page 50 times; medians over the runs."""
    results = {}
    for _ in range(args.runs):
        out = subprocess.run([args.bench_tool, "console", "10000", "100000", "50"], check=True, capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            row = json.loads(line)
            results.setdefault(row["page"], []).append(row)
    print(f"\nConsole: 10,000 people, 100,000 events, 1,000 sponsors; 50 requests per page per run, "
          f"{args.runs} runs, median of the runs' medians (curl over loopback, one kept-alive connection)")
    print(f"{'page':<24}{'median ms':>12}{'p90 ms':>10}{'bytes':>10}")
    for page, rows in results.items():
        print(f"{page:<24}{statistics.median(r['medianMs'] for r in rows):>12.2f}"
              f"{statistics.median(r['p90Ms'] for r in rows):>10.2f}{max(r['maxBytes'] for r in rows):>10,}")


def cel(args):
    rates = []
    for _ in range(args.runs):
        result = json.loads(subprocess.run([args.bench_tool, "cel", "2000000"], check=True, capture_output=True,
                                           text=True).stdout)
        rates.append(result["evaluations"] / result["seconds"])
    print(f"\nCEL: one rule condition (3 comparisons, 2 list memberships) over varying records; "
          f"{args.runs} runs, median")
    print(f"{'evaluations/s':<16}{statistics.median(rates):>14,.0f}")


def start_nginx(work):
    """nginx answering 204 to everything on a free loopback port; returns (process, port)."""
    port = free_port()
    (work / "nginx.conf").write_text(f"""
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work};
    server {{ listen 127.0.0.1:{port}; keepalive_requests 100000; location / {{ return 204; }} }}
}}
""")
    nginx = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(work / "nginx.conf"), "-p",
                              str(work)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return nginx, port


def webhook(args):
    work = Path(tempfile.mkdtemp(prefix="vigil-bench-webhook-"))
    nginx, port = start_nginx(work)
    rows = []
    try:
        for concurrency in (8, 16):
            results = []
            for _ in range(args.runs):
                output = subprocess.run([args.bench_tool, "webhook", f"http://127.0.0.1:{port}/hook", str(args.webhooks),
                                         str(concurrency)], check=True, capture_output=True, text=True).stdout
                results.append(json.loads(output))
                assert results[-1]["delivered"] == args.webhooks, results[-1]
            seconds = statistics.median(r["seconds"] for r in results)
            rows.append((f"{concurrency} at once", seconds, args.webhooks / seconds))
    finally:
        nginx.terminate()
        nginx.wait()
    print(f"\nWebhooks out: {args.webhooks:,} signed notifications from the outbox to nginx (204) on loopback, "
          f"outcomes recorded per batch of 100; {args.runs} runs each, medians")
    print(f"{'concurrency':<20}{'seconds':>10}{'webhooks/s':>12}")
    for name, seconds, rate in rows:
        print(f"{name:<20}{seconds:>10.3f}{rate:>12.0f}")

    # The receiver: `vigil serve` with one push source and no outputs.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    serve_port = free_port()
    (work / "serve.json").write_text(json.dumps({
        "serve": {"listen": f"127.0.0.1:{serve_port}"},
        "sources": [{"id": "field", "type": "push", "secret": secret, "key": "id", "name": "name", "status": "status"}],
        "outputs": []}))
    receiver_rows = []
    for concurrency in (8, 32):
        results = []
        for _ in range(args.runs):
            shutil.rmtree(work / "state", ignore_errors=True)
            server = subprocess.Popen([args.vigil, "serve", "--config", str(work / "serve.json")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                for _ in range(100):
                    try:
                        urllib.request.urlopen(f"http://127.0.0.1:{serve_port}/healthz", timeout=1).read()
                        break
                    except Exception:
                        time.sleep(0.1)
                output = subprocess.run([args.bench_tool, "push-load", f"http://127.0.0.1:{serve_port}/hooks/field", secret,
                                         str(args.pushes), str(concurrency)], check=True, capture_output=True, text=True).stdout
                results.append(json.loads(output))
                assert results[-1]["accepted"] == args.pushes, results[-1]
            finally:
                server.terminate()
                server.wait()
        receiver_rows.append((concurrency, statistics.median(args.pushes / r["seconds"] for r in results),
                              statistics.median(r["p50_ms"] for r in results), statistics.median(r["p99_ms"] for r in results)))
    shutil.rmtree(work, ignore_errors=True)
    print(f"\nReceiver: {args.pushes:,} distinct signed single-record pushes to vigil serve on loopback "
          f"(each verified, applied and committed); {args.runs} runs each, medians")
    print(f"{'concurrency':<14}{'accepted/s':>12}{'p50 ms':>10}{'p99 ms':>10}")
    for concurrency, rate, p50, p99 in receiver_rows:
        print(f"{concurrency:<14}{rate:>12.0f}{p50:>10.2f}{p99:>10.2f}")


def matrix(args):
    # The test homeserver's client-server call helper (JSON in, JSON out, bearer token).
    sys.path.insert(0, str(ROOT / "Tests/Servers"))
    from matrix_server import request as call

    work = Path(tempfile.mkdtemp(prefix="vigil-bench-matrix-"))
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "Tests/Servers/matrix_server.py"), "--dir", str(work / "hs"), "--info", str(work / "info.json")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(1200):
            if (work / "info.json").exists() and (work / "info.json").read_text():
                break
            time.sleep(0.1)
        info = json.loads((work / "info.json").read_text())
        url, password = info["url"], info["password"]

        def login(user):
            return call(url + "/_matrix/client/v3/login", {
                "type": "m.login.password", "identifier": {"type": "m.id.user", "user": user}, "password": password})["access_token"]

        reader, bot = login("reader"), login("bot")
        vigil_rates, curl_rates = [], []
        for _ in range(args.runs):
            room = call(url + "/_matrix/client/v3/createRoom", {"preset": "private_chat", "invite": ["@bot:localhost"]},
                        token=reader)["room_id"]
            output = subprocess.run([args.bench_tool, "matrix", url, "bot", password, room, str(args.notices)],
                                    check=True, capture_output=True, text=True).stdout
            result = json.loads(output)
            assert result["delivered"] == args.notices, result
            vigil_rates.append(args.notices / result["seconds"])

            body = json.dumps({"msgtype": "m.notice", "body": "[bench] changed: Person (key P1)\n  status: detained → released",
                               "format": "org.matrix.custom.html",
                               "formatted_body": "[bench] changed: Person (key P1)<br>  status: detained → released"})
            encoded = urllib.parse.quote(room, safe="")
            started = time.perf_counter()
            for index in range(args.notices):
                subprocess.run(["curl", "-sS", "-o", "/dev/null", "-X", "PUT", "-H", "Authorization: Bearer " + bot,
                                "-H", "Content-Type: application/json", "--data-binary", body,
                                f"{url}/_matrix/client/v3/rooms/{encoded}/send/m.room.message/curl-{time.time_ns()}-{index}"],
                               check=True)
            curl_rates.append(args.notices / (time.perf_counter() - started))
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nMatrix: {args.notices} notices to one room on a local Synapse (message rate limit lifted); "
          f"{args.runs} runs each, medians")
    print(f"{'sender':<52}{'messages/s':>12}")
    print(f"{'vigil (outbox, one batch at a time, ordered)':<52}{statistics.median(vigil_rates):>12.1f}")
    print(f"{'sequential curl loop, same requests':<52}{statistics.median(curl_rates):>12.1f}")


def free_port():
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp(args):
    sink = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
    port = free_port()
    server = subprocess.Popen([sink, "-u", "nobody", f"127.0.0.1:{port}", "1024"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    url = f"smtp://127.0.0.1:{port}"
    emails = str(args.emails)
    cases = [("reused, 4 connections", ["smtp", url, emails, "4"]), ("reused, 1 connection", ["smtp", url, emails, "1"]),
             ("new connection per message, 4 at once", ["smtp", url, emails, "4", "--new-connection-per-message"]),
             ("sponsor headers + VERP, 4 connections", ["sponsor-mail", url, emails, "4", "1", "off"]),
             ("sponsor mail, 100 domains, default pacing", ["sponsor-mail", url, emails, "4", "100", "default"])]
    rows = []
    try:
        # Interleaved runs: each case's median comes from the same stretch of a noisy machine.
        results = {name: [] for name, _ in cases}
        for _ in range(args.runs):
            for name, command in cases:
                output = subprocess.run([args.bench_tool] + command, check=True, capture_output=True, text=True).stdout
                results[name].append(json.loads(output))
                assert results[name][-1]["delivered"] == args.emails, results[name][-1]
        for name, _ in cases:
            seconds = statistics.median(r["seconds"] for r in results[name])
            rows.append((name, seconds, args.emails / seconds,
                         statistics.median(r["connections"] for r in results[name])))
    finally:
        server.terminate()
        server.wait()
    print(f"\nSMTP: {args.emails:,} distinct emails from the outbox to smtp-sink on loopback "
          f"(outcomes recorded per batch of 50); {args.runs} runs each, medians")
    print(f"{'mode':<44}{'seconds':>10}{'emails/s':>10}{'connections':>13}")
    for name, seconds, rate, connections in rows:
        print(f"{name:<44}{seconds:>10.3f}{rate:>10.0f}{connections:>13.0f}")
    parsed = [json.loads(subprocess.run([args.bench_tool, "bounces", "10000"], check=True, capture_output=True,
                                        text=True).stdout) for _ in range(args.runs)]
    seconds = statistics.median(r["seconds"] for r in parsed)
    print(f"\nBounces: 10,000 DSNs ({parsed[0]['bytes'] / 1e6:.1f} MB) parsed and classified "
          f"({parsed[0]['hard']} hard, {parsed[0]['soft']} soft, {parsed[0]['policy']} policy): "
          f"{seconds:.3f} s median of {args.runs}, {10000 / seconds:,.0f} reports/s")


def core(args):
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
