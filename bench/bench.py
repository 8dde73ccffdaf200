"""The benchmark behind bench/run: Django (gunicorn) against Datasette on the same SQLite file,
then Django on PostgreSQL, with wrk. See docs/benchmarks.md for what it measures and why.

Start it with `bench/run` (which makes sure wrk is there); `bench/run --help` lists the options.
"""

import argparse
import contextlib
import datetime
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
PG_URL = "postgres://postgres@127.0.0.1:5432/bench_helper"

# Targets: minimum ratio to Datasette, p99 bound, and one query (the data version) for an answer
# served from the response cache. Rendered afresh, each case's count is pinned exactly in
# tests/test_scale_query_counts.py (the same at any data size); the report shows it.
RATIO_TARGETS = {"a": 3.0, "b": 1.5, "c": 3.0, "d": 4.0, "f": 1.0}
P99_TARGET_MS = 100
SERVED_QUERIES = 1
EXPORT_GROWTH_TARGET_MB = 50


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Cases --------------------------------------------------------------------------------------


def choose_parameters(db_path):
    """Pick representative rows from the generated SQLite file: a forum of median size and its
    most common status (so page (a) is full), a recommendation from the middle for (b), and the
    one with the most updates for (d)."""
    con = sqlite3.connect(db_path)
    forums = con.execute(
        "SELECT f.id, f.slug, COUNT(r.id) AS n FROM tracker_forum f JOIN tracker_recommendation r ON r.forum_id = f.id"
        " WHERE f.slug LIKE 'demo-%' GROUP BY f.id ORDER BY n, f.id"
    ).fetchall()
    forum_id, forum_slug, _ = forums[len(forums) // 2]
    status, status_count = con.execute(
        "SELECT status, COUNT(*) AS n FROM tracker_recommendation WHERE forum_id = ? GROUP BY status"
        " ORDER BY n DESC, status LIMIT 1",
        (forum_id,),
    ).fetchone()
    total = con.execute("SELECT COUNT(*) FROM tracker_recommendation").fetchone()[0]
    rec_id, code = con.execute(
        "SELECT id, code FROM tracker_recommendation ORDER BY id LIMIT 1 OFFSET ?", (total // 2,)
    ).fetchone()
    busy_id, busy_code, busy_updates = con.execute(
        "SELECT r.id, r.code, COUNT(*) AS n FROM tracker_progressupdate u JOIN tracker_recommendation r"
        " ON r.id = u.recommendation_id WHERE u.review_state = 'approved' GROUP BY r.id ORDER BY n DESC, r.id LIMIT 1"
    ).fetchone()
    con.close()
    return {
        "forum_id": forum_id,
        "forum": forum_slug,
        "status": status,
        "status_count": status_count,
        "rec_id": rec_id,
        "code": code,
        "busy_id": busy_id,
        "busy_code": busy_code,
        "busy_updates": busy_updates,
        "total": total,
    }


def resolve_alternatives(server, cases, notes):
    """Where a case names several Django paths, keep the first that answers 2xx (and say so)."""
    resolved = []
    for key, label, dj_path, ds_path in cases:
        if isinstance(dj_path, tuple):
            chosen = next((p for p in dj_path if 200 <= check(server.url(p)) < 300), dj_path[0])
            if chosen != dj_path[0]:
                notes.append(f"{label}: `{dj_path[0]}` does not answer 2xx; measured `{chosen}` instead.")
            dj_path = chosen
        resolved.append((key, label, dj_path, ds_path))
    return resolved


def make_cases(p, db_name):
    """(key, label, Django path, Datasette path or None)."""
    ds = f"/{db_name}"
    summary_sql = "select status, count(*) as count from tracker_recommendation group by status order by status"
    return [
        (
            "a",
            f"(a) recommendations, forum + status, 50/page ({p['status_count']} match)",
            f"/api/v1/recommendations/?forum={p['forum']}&status={p['status']}&page_size=50",
            f"{ds}/tracker_recommendation.json?forum_id={p['forum_id']}&status={p['status']}&_size=50&_shape=objects",
        ),
        (
            "b",
            "(b) one recommendation by code",
            f"/api/v1/recommendations/{p['code']}/",
            f"{ds}/tracker_recommendation/{p['rec_id']}.json?_shape=objects",
        ),
        (
            "c",
            "(c) status summary (all recommendations)",
            # The design's path first; the API may serve it under recommendations/ instead.
            ("/api/v1/summary/", "/api/v1/recommendations/summary/"),
            f"{ds}.json?sql={urllib.request.quote(summary_sql)}&_shape=objects",
        ),
        (
            "d",
            f"(d) 50 latest updates of one recommendation, with actor names ({p['busy_updates']} updates)",
            f"/api/v1/updates/?recommendation={p['busy_code']}&page_size=50",
            f"{ds}/tracker_progressupdate.json?recommendation_id={p['busy_id']}&review_state=approved"
            "&_sort_desc=reported_on&_size=50&_labels=on&_shape=objects",
        ),
        ("e1", "(e) dashboard `/`, HTML", "/", None),
        ("e2", "(e) forum page, HTML", f"/forums/{p['forum']}/", None),
    ]


EXPORT_CASE = ("/recommendations/?format=csv", "/{db}/tracker_recommendation.csv?_stream=on&_size=max")


# --- Processes ----------------------------------------------------------------------------------


class Server:
    """A server process this script started (its own process group), stopped by its id."""

    def __init__(self, name, argv, env, port, log_path):
        self.name, self.port = name, port
        self.health_path = "/"
        self.log = open(log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.proc = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self, path, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url(path), timeout=5) as response:  # noqa: S310
                    response.read()
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer {path} within {timeout} s; see {self.log.name}")

    def drain(self):
        """Wait until requests that wrk left queued are served, so they do not slow the next run."""
        check(self.url(self.health_path))

    def pids(self):
        """The processes that serve requests: gunicorn's workers, or the server itself."""
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            children = []
        return [int(c) for c in children] or [self.proc.pid]

    def reset_peaks(self):
        for pid in self.pids():
            # "5" resets the peak resident set size (VmHWM) of the process (Linux >= 4.0).
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")

    def memory(self, field):
        """Largest VmHWM or VmRSS (MB) among the serving processes."""
        values = []
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith(field + ":"):
                        values.append(int(line.split()[1]) / 1024)
            except OSError:
                pass
        return max(values) if values else float("nan")

    def stop(self):
        if self.proc.poll() is None:
            # SIGINT: gunicorn's and uvicorn's quick shutdown; nothing is left to finish.
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def run(argv, env, **kwargs):
    return subprocess.run(argv, env=env, cwd=ROOT, check=True, **kwargs)


def django_env(database_url, workdir, response_cache=True):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "API_THROTTLE", "RESPONSE_CACHE"))
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        API_THROTTLE_ANON="1000000/min",
        API_THROTTLE_USER="1000000/min",
        DJANGO_LOG_LEVEL="ERROR",
        TMPDIR=str(workdir),
        # Static files collected into the run's own directory: never into the project's staticfiles/,
        # which other processes (a test suite's workers, another run) may be reading at the time.
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        # The per-process response cache at its default size, or off to load-test rendering.
        RESPONSE_CACHE_MB="64" if response_cache else "0",
    )
    env.pop("CACHE_URL", None)
    return env


def prepare_database(env, recommendations, updates, seed, migrate=True):
    """Migrate (unless `migrate` is false: a database known to be migrated), then generate the demo
    data. Returns the generation's seconds."""
    if migrate:
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    started = time.monotonic()
    run(
        [
            PYTHON,
            "manage.py",
            "generate_demo_data",
            f"--recommendations={recommendations}",
            f"--updates={updates}",
            f"--seed={seed}",
        ],
        env,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - started


def copy_template(template, db_path):
    """Start `db_path` as a copy of `template` (`--sqlite-template`: a migrated SQLite database of this
    code, such as the smoke tests' own test database), so that `migrate` has nothing to do. Returns
    whether it copied (False without a template)."""
    if not template:
        return False
    with sqlite3.connect(template) as source, sqlite3.connect(db_path) as target:
        source.backup(target)
    return True


def start_gunicorn(env, workdir, workers, tag):
    port = free_port()
    server = Server(
        f"gunicorn ({tag})",
        [
            PYTHON,
            "-m",
            "gunicorn",
            "-c",
            "python:migration_dialogues.gunicorn",  # as the README runs it: each worker warms up first
            "migration_dialogues.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "info",
        ],
        env,
        port,
        workdir / f"gunicorn-{tag}.log",
    )
    server.health_path = "/healthz"
    server.wait_ready(server.health_path)
    return server


def start_datasette(db_path, workdir):
    port = free_port()
    inspect = workdir / "inspect-data.json"
    run([PYTHON, "-m", "datasette", "inspect", str(db_path), "--inspect-file", str(inspect)], dict(os.environ))
    # What `datasette publish` runs: immutable mode with a precomputed inspect file. Facet
    # suggestions off, as they are an HTML-page feature; time limit raised so the export finishes.
    server = Server(
        "datasette",
        [
            PYTHON,
            "-m",
            "datasette",
            "serve",
            "-i",
            str(db_path),
            "--inspect-file",
            str(inspect),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--setting",
            "suggest_facets",
            "off",
            "--setting",
            "sql_time_limit_ms",
            "20000",
        ],
        dict(os.environ),
        port,
        workdir / "datasette.log",
    )
    server.health_path = "/-/versions.json"
    server.wait_ready(server.health_path)
    return server


def datasette_version():
    out = subprocess.run([PYTHON, "-m", "datasette", "--version"], capture_output=True, text=True)
    return out.stdout.strip().split()[-1] if out.returncode == 0 else None


def ensure_datasette():
    """Datasette is pinned in requirements-dev.txt; install that pin into this venv if missing."""
    if datasette_version():
        return
    pin = next(
        (
            line.split("#")[0].strip()
            for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
            if line.lower().startswith("datasette==")
        ),
        "datasette",
    )
    log(f"installing {pin} (pinned in requirements-dev.txt)")
    run([PYTHON, "-m", "pip", "install", "--quiet", pin], dict(os.environ))


# --- Measuring ----------------------------------------------------------------------------------


def check(url):
    """Status code of one GET (the benchmark refuses to time error pages)."""
    try:
        with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output):
    def latency(percent):
        m = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        return float(m.group(1)) * UNITS[m.group(2)] if m else float("nan")

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    requests = int(total.group(1)) if total else 0
    # No answer within the run is worse than any latency, not "0 ms".
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "requests": requests,
        "p50": latency(50) if requests else math.inf,
        "p99": latency(99) if requests else math.inf,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "timeouts": int(errors.group(4)) if errors else 0,
    }


def wrk(url, seconds, connections, threads):
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return parse_wrk(out)


def download(url, deadline_s):
    """(status, rows, seconds, complete) of one CSV download, read in chunks as a client would;
    given up after `deadline_s` so a slow export cannot hold the benchmark for an hour."""
    started = time.perf_counter()
    lines, complete = 0, True
    try:
        with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310
            status = response.status
            while chunk := response.read(1 << 16):
                lines += chunk.count(b"\n")
                if time.perf_counter() - started > deadline_s:
                    complete = False
                    break
    except urllib.error.HTTPError as error:
        status = error.code
    return status, max(lines - 1, 0), time.perf_counter() - started, complete


def measure_queries(env, cases, budget, explain=("a",)):
    env = {**env, "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1"}
    request = {"cases": cases, "explain": list(explain), "budget": budget}
    out = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "measure.py")],
        input=json.dumps(request),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        log(f"measure.py failed:\n{out.stderr[-3000:]}")
        return {}
    return json.loads(out.stdout)["results"]


def median(values):
    values = [v for v in values if v == v]  # drop NaN
    return statistics.median(values) if values else float("nan")


def summarise(runs):
    return {
        "rps": median([r["rps"] for r in runs]),
        "p50": median([r["p50"] for r in runs]),
        "p99": median([r["p99"] for r in runs]),
        "non2xx": sum(r["non2xx"] for r in runs),
        "timeouts": sum(r["timeouts"] for r in runs),
        "peak_mb": max((r.get("peak_mb", float("nan")) for r in runs), default=float("nan")),
    }


def load_rounds(targets, cases, args, failures, notes):
    """Interleaved rounds: every case against every server, then the next round, so drift in
    the machine's speed hits all of them alike. Returns {(case, server): [wrk result, ...]}."""
    results = {}
    for round_number in range(1, args.rounds + 1):
        for key, _label, *paths in cases:
            for (name, server), path in zip(targets, paths, strict=True):
                if server is None or path is None:
                    continue
                url = server.url(path)
                server.reset_peaks()
                r = wrk(url, args.duration, args.connections, args.threads)
                r["peak_mb"] = server.memory("VmHWM")
                server.drain()
                results.setdefault((key, name), []).append(r)
                log(
                    f"round {round_number} {key} {name}: {r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, "
                    f"p99 {r['p99']:.1f} ms, peak {r['peak_mb']:.0f} MB"
                )
                if r["non2xx"]:
                    failures.append(f"{name} {path}: {r['non2xx']} non-2xx responses of {r['requests']}")
                elif r["requests"] == 0:
                    # Slow is a result (reported as "no answer", target missed), not a broken endpoint:
                    # whether it answers 2xx was checked before the rounds.
                    notes.append(f"{name} `{path}`: no response within a {args.duration} s run (round {round_number})")
    return results


def export_benchmark(django, datasette, db_name, repeats, deadline_s, failures, total):
    """Rows/s of the full CSV export and the worker's memory growth while it streams.
    Interleaved like the rounds; medians of `repeats` downloads. A complete download holds all
    `total` recommendations: its rows are that count, not its lines, since a cell may hold line
    breaks (Datasette exports every column of the table, translations included); a download given
    up at the deadline counts its lines, at most `total`."""
    django_path, ds_path = EXPORT_CASE
    runs = {}
    for _ in range(repeats):
        for name, server, path in (
            ("django", django, django_path),
            ("datasette", datasette, ds_path.format(db=db_name)),
        ):
            before = server.memory("VmRSS")
            server.reset_peaks()
            status, rows, seconds, complete = download(server.url(path), deadline_s)
            growth = max(0.0, server.memory("VmHWM") - before)
            server.drain()
            if not 200 <= status < 300:
                failures.append(f"{server.name} {path}: HTTP {status}")
                continue
            lines, rows = rows, (total if complete else min(rows, total))
            runs.setdefault(name, []).append((rows, seconds, growth, complete, lines))
            log(f"export {name}: {rows} rows in {seconds:.2f} s{'' if complete else ' (gave up)'}, +{growth:.1f} MB")
    out = {}
    for name, items in runs.items():
        out[name] = {
            "rows": max(item[0] for item in items),
            "lines": max(item[4] for item in items),
            "seconds": median([item[1] for item in items]),
            "rows_per_s": median([item[0] / item[1] for item in items]),
            "growth_mb": max(item[2] for item in items),
            "complete": all(item[3] for item in items),
        }
    return out


# --- Report -------------------------------------------------------------------------------------


def fmt(value, spec=".0f", suffix=""):
    if value is None or value != value:
        return "—"
    if value == math.inf:
        return "no answer"
    return f"{value:{spec}}{suffix}"


def ok_queries(measured):
    """The measurement of a case, or nothing if the request failed (an error page's count means nothing)."""
    return measured if measured and 200 <= measured.get("status", 0) < 300 else {}


def verdict(ok):
    return "met" if ok else "**missed**"


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line))
    return f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB memory, {platform.platform()}"


def versions():
    import django
    import gunicorn

    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    return (
        f"Python {platform.python_version()}, Django {django.get_version()}, gunicorn {gunicorn.__version__}, "
        f"SQLite {sqlite3.sqlite_version}, Datasette {datasette_version() or '—'}, {wrk_version.strip()}"
    )


def query_counts(q):
    """ "served / rendered": queries of an answer from the response cache and of one rendered afresh."""
    if "queries" not in q:
        return "—"
    return f"{q['queries']} / {q.get('rendered_queries', '—')}"


def query_checks(label, q, where):
    checks = []
    if "queries" in q:
        checks.append(
            (
                f"{label}: {q['queries']} SQL queries served{where} (target {SERVED_QUERIES})",
                q["queries"] == SERVED_QUERIES,
            )
        )
    return checks


def report(ctx):
    a = ctx["args"]
    lines = [
        f"# Benchmark results ({'quick smoke run' if a.quick else 'full run'})",
        "",
        f"- When: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, commit `{ctx['commit']}`",
        f"- Command: `{ctx['command']}`",
        f"- Machine: {machine()}; load average {ctx['load_start']:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end (other work on the machine skews absolute numbers; ratios less)",
        f"- Software: {versions()}" + (f", PostgreSQL {ctx['pg_version']}" if ctx.get("pg_version") else ""),
        f"- Data: {a.recommendations:,} recommendations, {a.updates:,} approved progress updates (seed {a.seed}); "
        f"generated on SQLite in {ctx['gen_sqlite']:.1f} s"
        + (f", on PostgreSQL in {ctx['gen_pg']:.1f} s" if ctx.get("gen_pg") else ""),
        f"- Load: wrk, {a.connections} connections, {a.threads} threads, {a.rounds} interleaved round(s) of "
        f"{a.duration} s per case and server; medians of the rounds. Django: gunicorn, {a.workers} sync workers "
        + (
            "with the response cache off (`--no-response-cache`) "
            if a.no_response_cache
            else "with the response cache on (the default: per process, keyed by the data version) "
        )
        + "(as the README runs it), DEBUG off. Datasette: `datasette serve -i` with an inspect file (as "
        "`datasette publish` runs it), same SQLite file.",
        "- Floor: the exact SQL statements of the answer rendered afresh (captured), run with the bare driver "
        "cursor and all rows fetched, median of repeats; "
        f"'of floor' = req/s ÷ ({os.cpu_count()} cores × 1000 / floor ms).",
        "",
        "## SQLite: Django against Datasette",
        "",
        "| case | Django req/s | p50 ms | p99 ms | SQL queries served / rendered | floor ms | of floor "
        "| worker peak MB | Datasette req/s | p50 ms | p99 ms | ratio | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    cores = os.cpu_count()
    checks = []
    for key, label, *_ in ctx["cases"]:
        dj = ctx["sqlite"].get((key, "django"))
        ds = ctx["sqlite"].get((key, "datasette"))
        q = ok_queries(ctx["queries_sqlite"].get(key))
        floor = q.get("floor_ms")
        ratio = dj["rps"] / ds["rps"] if dj and ds and ds["rps"] else None
        target = RATIO_TARGETS.get(key)
        target_text = "—"
        if target and ratio is not None:
            target_text = f"≥ {target}×: {verdict(ratio >= target)}"
            checks.append((f"{label}: ratio {ratio:.2f}× (target ≥ {target}×)", ratio >= target))
        if dj:
            checks.append(
                (
                    f"{label}: p99 {fmt(dj['p99'], '.1f')} ms on SQLite (target < {P99_TARGET_MS})",
                    dj["p99"] < P99_TARGET_MS,
                )
            )
        checks += [] if a.no_response_cache else query_checks(label, q, "")
        of_floor = dj["rps"] / (cores * 1000 / floor) if dj and floor else None
        lines.append(
            f"| {label} | {fmt(dj and dj['rps'])} | {fmt(dj and dj['p50'], '.1f')} | {fmt(dj and dj['p99'], '.1f')} "
            f"| {query_counts(q)} | {fmt(floor, '.2f')} | {fmt(of_floor and of_floor * 100, '.0f', '%')} "
            f"| {fmt(dj and dj['peak_mb'])} | {fmt(ds and ds['rps'])} | {fmt(ds and ds['p50'], '.1f')} "
            f"| {fmt(ds and ds['p99'], '.1f')} | {fmt(ratio, '.2f', '×')} | {target_text} |"
        )
    ex = ctx.get("export", {})
    if ex:
        dj, ds = ex.get("django"), ex.get("datasette")
        ratio = dj["rows_per_s"] / ds["rows_per_s"] if dj and ds else None
        q = ok_queries(ctx["queries_sqlite"].get("f"))
        lines += [
            "",
            "## SQLite: full CSV export of all recommendations",
            "",
            "| server | rows | seconds | rows/s | worker memory growth MB | SQL queries | floor ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        if dj:
            lines.append(
                f"| Django `{EXPORT_CASE[0]}` | {dj['rows']:,}{'' if dj['complete'] else ' (gave up)'} "
                f"| {dj['seconds']:.2f} | {dj['rows_per_s']:,.0f} "
                f"| {dj['growth_mb']:.1f} | {q.get('queries', '—')} | {fmt(q.get('floor_ms'), '.1f')} |"
            )
        if ds:
            lines.append(
                f"| Datasette `.csv?_stream=on` | {ds['rows']:,}{'' if ds['complete'] else ' (gave up)'} "
                f"| {ds['seconds']:.2f} | {ds['rows_per_s']:,.0f} "
                f"| {ds['growth_mb']:.1f} | — | — |"
            )
        if ratio is not None:
            lines.append(f"\nRows/s ratio: {ratio:.2f}× (target ≥ 1×: {verdict(ratio >= 1)}).")
            checks.append((f"(f) CSV export rows/s ratio {ratio:.2f}× (target ≥ 1×)", ratio >= 1))
        if dj:
            checks.append(
                (
                    f"(f) CSV export worker memory growth {dj['growth_mb']:.1f} MB "
                    f"(target < {EXPORT_GROWTH_TARGET_MB})",
                    dj["growth_mb"] < EXPORT_GROWTH_TARGET_MB,
                )
            )
            # Django's export writes no line break inside a cell: one line per recommendation.
            if dj["complete"] and dj["lines"] != ctx["params"]["total"]:
                checks.append((f"(f) export has {dj['lines']:,} lines of {ctx['params']['total']:,}", False))
    if ctx.get("pg"):
        lines += [
            "",
            "## PostgreSQL: Django against its floor (and against Datasette on SQLite above)",
            "",
            "| case | req/s | p50 ms | p99 ms | SQL queries served / rendered | floor ms | of floor "
            "| worker peak MB | ratio to Datasette | target |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for key, label, *_ in ctx["cases"]:
            pg = ctx["pg"].get((key, "django"))
            ds = ctx["sqlite"].get((key, "datasette"))
            q = ok_queries(ctx["queries_pg"].get(key))
            floor = q.get("floor_ms")
            ratio = pg["rps"] / ds["rps"] if pg and ds and ds["rps"] else None
            target = RATIO_TARGETS.get(key)
            target_text = f"≥ {target}×: {verdict(ratio >= target)}" if target and ratio is not None else "—"
            of_floor = pg["rps"] / (cores * 1000 / floor) if pg and floor else None
            if pg:
                checks.append(
                    (
                        f"{label}: p99 {fmt(pg['p99'], '.1f')} ms on PostgreSQL (target < {P99_TARGET_MS})",
                        pg["p99"] < P99_TARGET_MS,
                    )
                )
            checks += [] if a.no_response_cache else query_checks(label, q, " on PostgreSQL")
            lines.append(
                f"| {label} | {fmt(pg and pg['rps'])} | {fmt(pg and pg['p50'], '.1f')} "
                f"| {fmt(pg and pg['p99'], '.1f')} "
                f"| {query_counts(q)} | {fmt(floor, '.2f')} | {fmt(of_floor and of_floor * 100, '.0f', '%')} "
                f"| {fmt(pg and pg['peak_mb'])} | {fmt(ratio, '.2f', '×')} | {target_text} |"
            )
    peak = ctx.get("datasette_peak")
    if peak:
        lines.append(f"\nDatasette's peak RSS over the run: {peak:.0f} MB.")
    if ctx.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {note}" for note in ctx["notes"]]
    lines += ["", "## Targets", ""]
    lines += [f"- {'met' if ok else '**missed**'}: {text}" for text, ok in checks] or ["- nothing measured"]
    if ctx["failures"]:
        lines += ["", "## Failures", ""] + [f"- {f}" for f in ctx["failures"]]
    lines += ["", "## Requests", "", "| case | Django | Datasette |", "|---|---|---|"]
    for _key, label, dj_path, ds_path in ctx["cases"]:
        lines.append(f"| {label} | `{dj_path}` | {f'`{ds_path}`' if ds_path else '—'} |")
    lines.append(f"| (f) full CSV export | `{EXPORT_CASE[0]}` | `{EXPORT_CASE[1].format(db='bench')}` |")
    lines += ["", "Parameters: " + ", ".join(f"{k}={v}" for k, v in ctx["params"].items())]
    return "\n".join(lines) + "\n"


def explain_text(queries, vendor):
    parts = []
    for item in queries.get("a", {}).get("explain", []):
        parts.append(f"-- {vendor}\n{item['sql']}\n\n{item['plan']}\n")
    return "\n".join(parts)


# --- Main ---------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Smoke mode: small data, one 2 s round, SQLite only.")
    parser.add_argument("--recommendations", type=int)
    parser.add_argument("--updates", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--duration", type=int, help="Seconds per wrk run.")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (the README runs 2).")
    parser.add_argument("--exports", type=int, help="Full CSV downloads per server.")
    parser.add_argument(
        "--export-deadline", type=int, default=180, help="Give up one CSV download after this many seconds."
    )
    parser.add_argument("--no-postgres", action="store_true", help="Skip the PostgreSQL part.")
    parser.add_argument(
        "--postgres-url", default=PG_URL, help="A database the benchmark may wipe (default: %(default)s)."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the temporary directory (database, logs).")
    parser.add_argument(
        "--no-response-cache",
        action="store_true",
        help="Serve Django with the response cache off (RESPONSE_CACHE_MB=0): every request is rendered afresh.",
    )
    parser.add_argument(
        "--mixed",
        action="store_true",
        help="Mixed load (bench/mixed.py): readers over (a)-(e) while the secretariat writes once a second; "
        "defaults 300,000 recommendations, 3,000,000 updates, 10 s per case (--quick: tiny data, 1 s).",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/11",
        help="--mixed on PostgreSQL: the Redis database the two servers share as CACHE_URL; it is flushed "
        "(default: %(default)s).",
    )
    parser.add_argument(
        "--sqlite-template",
        help="Start from a copy of this migrated SQLite database of the same code (the smoke tests pass "
        "their test database) instead of migrating a new file.",
    )
    args = parser.parse_args(argv)
    defaults = (
        {"recommendations": 2000, "updates": 10000, "rounds": 1, "duration": 2, "exports": 1}
        if args.quick
        else {"recommendations": 100_000, "updates": 1_000_000, "rounds": 3, "duration": 10, "exports": 3}
    )
    if args.mixed:
        import mixed

        defaults = mixed.QUICK_DEFAULTS if args.quick else mixed.DEFAULTS
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.quick:
        args.no_postgres = True
    return args


def settle(postgres_url=None):
    """Write what the data generation left in memory to disk before measuring: the kernel's dirty
    pages (`sync`) and, given a database, a PostgreSQL CHECKPOINT. Otherwise the gigabytes just
    written go out during the first runs, and readers and the writer stall behind the disk."""
    os.sync()
    if postgres_url:
        import psycopg

        with psycopg.connect(postgres_url, autocommit=True) as con:
            con.execute("CHECKPOINT")
        os.sync()


def reset_postgres(url):
    """Empty the benchmark's own PostgreSQL database (never another one), creating it first on a
    server that does not have it yet."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        psycopg.connect(url).close()
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise
        name = conninfo_to_dict(url)["dbname"]
        with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as con:
            con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("DROP SCHEMA public CASCADE")
        con.execute("CREATE SCHEMA public")
        return con.execute("SHOW server_version").fetchone()[0]


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    if args.mixed:
        import mixed

        return mixed.main(args, "bench/run " + " ".join(argv if argv is not None else sys.argv[1:]))
    # Stopped from outside (SIGTERM, or SIGINT even when started in the background, where a shell
    # would have it ignored): leave through `finally`, which stops the servers this script started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed; run bench/run, which installs Debian's package.")
    if args.sqlite_template and not Path(args.sqlite_template).is_file():
        sys.exit(f"--sqlite-template {args.sqlite_template}: no such file")
    ensure_datasette()
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    db_path = workdir / "bench.sqlite3"
    servers, failures = [], []
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    ctx = {
        "load_start": os.getloadavg()[0],
        "args": args,
        "failures": failures,
        "command": "bench/run " + " ".join(argv if argv is not None else sys.argv[1:]),
        "commit": commit.stdout.strip() or os.environ.get("BENCH_COMMIT", "?"),
        "notes": [],
    }
    try:
        env = django_env(f"sqlite:///{db_path}", workdir, response_cache=not args.no_response_cache)
        log(f"working in {workdir}")
        # collectstatic (needed with DEBUG off) runs beside the data generation.
        static = subprocess.Popen([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT)
        log(f"generating {args.recommendations:,} recommendations and {args.updates:,} updates into SQLite")
        copied = copy_template(args.sqlite_template, db_path)
        ctx["gen_sqlite"] = prepare_database(env, args.recommendations, args.updates, args.seed, migrate=not copied)
        if static.wait():
            raise RuntimeError("collectstatic failed")
        log(f"generated in {ctx['gen_sqlite']:.1f} s")
        with sqlite3.connect(db_path) as con:  # fold the WAL into the file for Datasette's immutable mode
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        params = ctx["params"] = choose_parameters(db_path)
        cases = ctx["cases"] = make_cases(params, db_path.stem)

        django = start_gunicorn(env, workdir, args.workers, "sqlite")
        servers.append(django)
        datasette = start_datasette(db_path, workdir)
        servers.append(datasette)

        cases = ctx["cases"] = resolve_alternatives(django, cases, ctx["notes"])
        for _key, _label, dj_path, ds_path in cases:
            for server, path in ((django, dj_path), (datasette, ds_path)):
                if path is not None and not 200 <= (status := check(server.url(path))) < 300:
                    failures.append(f"{server.name} {path}: HTTP {status}")
        for server, path in zip(
            (django, datasette), (EXPORT_CASE[0], EXPORT_CASE[1].format(db=db_path.stem)), strict=True
        ):
            if not 200 <= (status := check(server.url(path))) < 300:
                failures.append(f"{server.name} {path}: HTTP {status}")
        for failure in failures:
            log(f"FAILED: {failure}")

        measure_cases = [{"name": key, "path": path} for key, _l, path, _d in cases]
        measure_cases.append({"name": "f", "path": EXPORT_CASE[0], "heavy": True})
        ctx["queries_sqlite"] = measure_queries(env, measure_cases, 0.1 if args.quick else 0.6)

        targets = [("django", django), ("datasette", datasette)]
        raw = load_rounds(targets, cases, args, failures, ctx["notes"])
        ctx["sqlite"] = {k: summarise(v) for k, v in raw.items()}
        ctx["export"] = export_benchmark(
            django, datasette, db_path.stem, args.exports, args.export_deadline, failures, total=params["total"]
        )
        ctx["datasette_peak"] = datasette.memory("VmHWM")
        for server in (django, datasette):
            server.stop()
        servers.clear()

        if not args.no_postgres:
            pg_env = django_env(args.postgres_url, workdir, response_cache=not args.no_response_cache)
            ctx["pg_version"] = reset_postgres(args.postgres_url)
            log("generating the same data into PostgreSQL")
            ctx["gen_pg"] = prepare_database(pg_env, args.recommendations, args.updates, args.seed)
            log(f"generated in {ctx['gen_pg']:.1f} s")
            pg = start_gunicorn(pg_env, workdir, args.workers, "postgres")
            servers.append(pg)
            for _key, _label, path, _ds in cases:
                if not 200 <= (status := check(pg.url(path))) < 300:
                    failures.append(f"{pg.name} {path}: HTTP {status}")
            ctx["queries_pg"] = measure_queries(pg_env, measure_cases, 0.1 if args.quick else 0.6)
            raw = load_rounds([("django", pg), ("datasette", None)], cases, args, failures, ctx["notes"])
            ctx["pg"] = {k: summarise(v) for k, v in raw.items()}
            pg.stop()
            servers.clear()
    finally:
        for server in servers:
            server.stop()
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    text = report(ctx)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / ("quick.md" if args.quick else "latest.md")).write_text(text)
    explain = (
        explain_text(ctx.get("queries_sqlite", {}), "SQLite")
        + "\n"
        + explain_text(ctx.get("queries_pg", {}), "PostgreSQL")
    )
    (RESULTS / ("explain-quick.txt" if args.quick else "explain.txt")).write_text(explain)
    (RESULTS / ("queries-quick.json" if args.quick else "queries.json")).write_text(
        json.dumps({"sqlite": ctx.get("queries_sqlite", {}), "postgresql": ctx.get("queries_pg", {})}, indent=1)
    )
    print(text)
    if failures:
        log(f"{len(failures)} endpoint(s) failed; exit 1")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
