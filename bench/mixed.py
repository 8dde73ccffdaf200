"""The mixed benchmark behind `bench/run --mixed`: readers over cases (a)–(e) while the
secretariat writes, once a second, through the API (issue 16; docs/benchmarks.md, "Mixed load").

1. The data of bench/run (`generate_demo_data`, 300,000 recommendations and 3,000,000 updates by
   default; `--quick`: a tiny set) in a SQLite file; gunicorn (2 workers) and Datasette on that file
   in *mutable* mode, so both see the writes.
2. A writer thread, as the secretariat (a user made by `manage.py create_secretariat`, its token
   from `POST /api/v1/auth/token/`): every second, a random recommendation's ETag, then
   `POST /api/v1/updates/` with `If-Match` (status, summary, actor: approved at once); then one
   request to the dashboard by another client (the first render after the change) and one to the
   API's updates of that recommendation (the write must show there).
3. For each case, wrk at 16 connections for `--duration` s against Django, then against Datasette,
   the writer writing throughout; a Lua script counts the `X-Cache: hit`/`miss` answers.
4. Unless `--no-postgres`: the same data in PostgreSQL, two gunicorn servers (2 workers each)
   sharing Redis as `CACHE_URL` (`--redis-url`, by default db 11, flushed before and after; the tests
   use 13–15),
   readers spread over both (wrk's threads alternate between their addresses), the same writer
   (writing to one server, probing the other); against Datasette's figures on SQLite and against
   PostgreSQL's floor (bench/measure.py).

The report goes to stdout and bench/results/mixed.md (mixed-quick.md), the figures to
mixed.json (mixed-quick.json). Exit status 1 if any request failed (non-2xx) or a write did not show.
"""

import datetime
import json
import os
import random
import re
import secrets
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import mixed_report

import bench as b

DEFAULTS = {"recommendations": 300_000, "updates": 3_000_000, "duration": 10}
QUICK_DEFAULTS = {"recommendations": 1000, "updates": 5000, "duration": 1}
USERNAME = "bench-secretariat"
STATUSES = ("in_progress", "implemented", "stalled", "not_started")


# --- Wrk with a Lua script ----------------------------------------------------------------------

LUA = """-- Counts X-Cache answers; with addresses, thread i sends to address i (mod n).
local targets = {%(targets)s}
local threads = {}
function setup(thread)
  if #targets > 0 then
    local t = targets[#threads %% #targets + 1]
    thread.addr = wrk.lookup(t[1], t[2])[1]
  end
  table.insert(threads, thread)
end
function init(args) hit = 0; miss = 0; other = 0 end
function response(status, headers, body)
  local x = headers["X-Cache"] or headers["x-cache"]
  if x == "hit" then hit = hit + 1 elseif x == "miss" then miss = miss + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local h, m, o = 0, 0, 0
  for _, t in ipairs(threads) do h = h + t:get("hit"); m = m + t:get("miss"); o = o + t:get("other") end
  io.write(string.format("X-Cache: hit %%d miss %%d other %%d\\n", h, m, o))
end
"""


def wrk_counting(url, seconds, connections, threads, script):
    """wrk's figures (bench.parse_wrk) plus the X-Cache counts: hit, miss, other (no header)."""
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            script,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = b.parse_wrk(out)
    m = re.search(r"X-Cache: hit (\d+) miss (\d+) other (\d+)", out)
    result.update(zip(("hit", "miss", "other"), map(int, m.groups()) if m else (0, 0, 0), strict=True))
    return result


def lua_script(path, servers=()):
    """Write the Lua script; `servers` (two or more) spread wrk's threads over their ports."""
    path.write_text(LUA % {"targets": ", ".join(f'{{"127.0.0.1", "{s.port}"}}' for s in servers)})
    return str(path)


# --- The writer ---------------------------------------------------------------------------------


def request(url, method="GET", body=None, headers=None):
    """(status, headers, body bytes, milliseconds) of one request on a new connection."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as response:  # noqa: S310
            content = response.read()
            return response.status, response.headers, content, (time.perf_counter() - started) * 1000
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read(), (time.perf_counter() - started) * 1000
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return 0, {}, str(error).encode(), (time.perf_counter() - started) * 1000


def create_secretariat(env):
    """Start `manage.py create_secretariat` (a Popen; it runs while the servers start)."""
    argv = [b.PYTHON, "manage.py", "create_secretariat", USERNAME, "--generate-password"]
    return subprocess.Popen(argv, env=env, cwd=b.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def secretariat_token(creating, server):
    """The token of the user that `creating` (create_secretariat's Popen) made, through the API."""
    out, err = creating.communicate(timeout=120)
    if creating.returncode:
        raise RuntimeError(f"create_secretariat failed: {err[-2000:]}")
    password = re.search(r"Password \(shown once\): (\S+)", out).group(1)
    status, _, body, _ = request(
        server.url("/api/v1/auth/token/"),
        "POST",
        json.dumps({"username": USERNAME, "password": password}).encode(),
        {"Content-Type": "application/json"},
    )
    if status != 200:
        raise RuntimeError(f"token: HTTP {status}: {body[:300]!r}")
    return json.loads(body)["token"]


class Writer(threading.Thread):
    """Once a second: the secretariat records an approved update on a random recommendation through
    `writer` (ETag, then POST with If-Match). Right after each write, a thread of its own (another
    client, so a slow render never delays the next write) requests the dashboard from `prober` (its
    latency: the first render after the change) and then the API's updates of that recommendation
    (the write must show there). Each write's figures are in .writes (dicts), failures in .failures."""

    def __init__(self, writer, prober, token, codes, actors, seed):
        super().__init__(daemon=True)
        self.writer, self.prober, self.token = writer, prober, token
        self.codes, self.actors, self.rng = codes, actors, random.Random(seed)
        self.stop_event = threading.Event()
        self.writes, self.failures, self.probes = [], [], []
        # The one public host name all servers answer to (as behind a load balancer), which wrk sends
        # too: the probe shares the readers' cache keys on every server.
        self.public = {"Host": f"127.0.0.1:{writer.port}"}

    def run(self):
        due = time.monotonic()
        while not self.stop_event.is_set():
            try:
                self.write_once(len(self.probes))
            except Exception as error:  # noqa: BLE001 (a broken write is a result, not a crash)
                self.failures.append(f"writer: {error!r}")
            due = max(due + 1.0, time.monotonic())  # one a second; no burst after a slow write
            self.stop_event.wait(max(0.0, due - time.monotonic()))

    def write_once(self, n):
        code, auth = self.rng.choice(self.codes), {"Authorization": f"Bearer {self.token}"}
        status, headers, body, _ = request(self.writer.url(f"/api/v1/recommendations/{code}/"), headers=auth)
        if status != 200:
            self.failures.append(f"writer: GET {code}: HTTP {status}")
            return
        summary = f"Mixed benchmark write {n} ({secrets.token_hex(4)}): the ministry reported progress."
        payload = {
            "recommendation": code,
            "status": self.rng.choice(STATUSES),
            "summary": summary,
            "actor": self.rng.choice(self.actors),
        }
        status, _, body, write_ms = request(
            self.writer.url("/api/v1/updates/"),
            "POST",
            json.dumps(payload).encode(),
            {**auth, "If-Match": headers["ETag"], "Content-Type": "application/json"},
        )
        if status != 201 or json.loads(body).get("review_state") != "approved":
            self.failures.append(f"writer: POST update of {code}: HTTP {status} {body[:200]!r}")
            return
        probe = threading.Thread(target=self.probe, args=(code, summary, write_ms), daemon=True)
        probe.start()
        self.probes.append(probe)

    def probe(self, code, summary, write_ms):
        started = time.monotonic()
        d_status, d_headers, _, dashboard_ms = request(self.prober.url("/"), headers=self.public)
        if d_status != 200:
            self.failures.append(f"dashboard after a write: HTTP {d_status}")
        v_path = f"/api/v1/updates/?recommendation={code}&page_size=50"
        v_status, _, v_body, _ = request(self.prober.url(v_path), headers=self.public)
        shown = v_status == 200 and summary.encode() in v_body
        if not shown:
            self.failures.append(f"update on {code} not shown by the API right after its write (HTTP {v_status})")
        self.writes.append(
            {
                "at": started,
                "code": code,
                "write_ms": write_ms,
                "dashboard_ms": dashboard_ms,
                "dashboard_cache": d_headers.get("X-Cache", "—"),
                "shown": shown,
            }
        )

    def finish(self):
        self.stop_event.set()
        self.join(timeout=90)
        for probe in self.probes:
            probe.join(timeout=90)


def writes_summary(writes):
    def stats(key):
        values = [w[key] for w in writes]
        return {"median": statistics.median(values), "max": max(values)} if values else {}

    return {
        "count": len(writes),
        "shown": sum(w["shown"] for w in writes),
        "write_ms": stats("write_ms"),
        "dashboard_ms": stats("dashboard_ms"),
        "dashboard_misses": sum(w["dashboard_cache"] == "miss" for w in writes),
    }


# --- Servers and phases -------------------------------------------------------------------------


def start_datasette_mutable(db_path, workdir):
    """Datasette on the file in mutable mode (it must see the writes): no -i, no inspect file."""
    port = b.free_port()
    server = b.Server(
        "datasette",
        [b.PYTHON, "-m", "datasette", "serve", str(db_path), "--host", "127.0.0.1", "--port", str(port)]
        + ["--setting", "suggest_facets", "off", "--setting", "sql_time_limit_ms", "20000"],
        dict(os.environ),
        port,
        workdir / "datasette.log",
    )
    server.health_path = "/-/versions.json"
    server.wait_ready(server.health_path)
    return server


def worker_peaks(servers):
    """VmHWM (MB) of each gunicorn worker of `servers`, in order."""
    peaks = []
    for server in servers:
        for pid in server.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            peaks.extend(int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:"))
    return peaks


def load_phase(targets, cases, args, workdir, failures, notes):
    """For each case, wrk against each (name, servers, path index) target in turn. Returns
    {(case, name): wrk result with hits}."""
    results = {}
    for key, _label, *paths in cases:
        for name, servers, index in targets:
            path = paths[index]
            if not servers or path is None:
                continue
            script = lua_script(workdir / f"wrk-{name}.lua", servers if len(servers) > 1 else ())
            started = time.monotonic()
            r = wrk_counting(servers[0].url(path), args.duration, args.connections, args.threads, script)
            r["window"] = (started, time.monotonic())
            for server in servers:
                server.drain()
            results[(key, name)] = r
            b.log(
                f"mixed {key} {name}: {r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, "
                f"hit {r['hit']} miss {r['miss']}"
            )
            if r["non2xx"]:
                failures.append(f"{name} {path}: {r['non2xx']} non-2xx responses of {r['requests']}")
            elif r["requests"] == 0:
                # Slow is a result (p99 "no answer", target missed), not a broken endpoint: each path
                # answered 2xx before the load (check_paths), as in bench/run.
                notes.append(f"{name} `{path}`: no response within a {args.duration} s run")
    return results


def check_paths(server, paths, failures):
    """One GET of each path before the load; {path: status}; a non-2xx is a failure."""
    statuses = {}
    for path in paths:
        if path is not None:
            statuses[path] = status = b.check(server.url(path))
            if not 200 <= status < 300:
                failures.append(f"{server.name} {path}: HTTP {status}")
    return statuses


def rows(db_path, sql):
    with sqlite3.connect(db_path) as con:
        return [row[0] for row in con.execute(sql)]


def run_phase(ctx, name, creating, django_servers, datasette, args, workdir):
    """Writer plus readers over every case; fills ctx[name] with results, writes and memory.
    `creating`: create_secretariat's Popen for this database."""
    failures = ctx["failures"]
    checked = {}
    for server in django_servers:
        checked[server.name] = check_paths(server, [dj for _k, _l, dj, _ds in ctx["cases"]], failures)
    if datasette:
        checked["datasette"] = check_paths(datasette, [ds for *_, ds in ctx["cases"]], failures)
    token = secretariat_token(creating, django_servers[0])
    writer = Writer(django_servers[0], django_servers[-1], token, ctx["codes"], ctx["actors"], args.seed)
    for server in django_servers:
        server.reset_peaks()
    writer.start()
    targets = [("django", django_servers, 0), ("datasette", [datasette] if datasette else [], 1)]
    try:
        results = load_phase(targets, ctx["cases"], args, workdir, failures, ctx["notes"])
    finally:
        writer.finish()
    failures.extend(writer.failures)
    if not writer.writes:
        failures.append(f"{name}: the writer recorded no update")
    ctx[name] = {
        "checked": checked,
        "results": {f"{k}|{n}": r for (k, n), r in results.items()},
        "writes": writes_summary(writer.writes),
        # Each probe: the load it met (the case and server wrk was reading then), its latency, X-Cache.
        "probes": [
            [during(results, write["at"]), round(write["dashboard_ms"], 1), write["dashboard_cache"]]
            for write in writer.writes
        ],
        "worker_mb": worker_peaks(django_servers),
        "datasette_mb": datasette.memory("VmHWM") if datasette else None,
    }


def during(results, moment):
    """The "case|server" whose wrk run held `moment` (a time.monotonic() value), "" between runs."""
    for (key, name), result in results.items():
        if result["window"][0] <= moment <= result["window"][1]:
            return f"{key}|{name}"
    return ""


def flush_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


def main(args, command):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed; run bench/run, which installs Debian's package.")
    if args.sqlite_template and not Path(args.sqlite_template).is_file():
        sys.exit(f"--sqlite-template {args.sqlite_template}: no such file")
    b.ensure_datasette()
    workdir = Path(tempfile.mkdtemp(prefix="bench-mixed-"))
    db_path = workdir / "bench.sqlite3"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=b.ROOT, capture_output=True, text=True)
    ctx = {
        "load_start": os.getloadavg(),
        "started": f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        "command": command,
        "commit": commit.stdout.strip() or "?",
        "failures": [],
        "notes": [],
    }
    servers = []
    try:
        env = b.django_env(f"sqlite:///{db_path}", workdir, response_cache=not args.no_response_cache)
        b.log(f"working in {workdir}")
        static = subprocess.Popen([b.PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=b.ROOT)
        b.log(f"generating {args.recommendations:,} recommendations and {args.updates:,} updates into SQLite")
        copied = b.copy_template(args.sqlite_template, db_path)
        ctx["gen_sqlite"] = b.prepare_database(env, args.recommendations, args.updates, args.seed, migrate=not copied)
        if static.wait():
            raise RuntimeError("collectstatic failed")
        b.log(f"generated in {ctx['gen_sqlite']:.1f} s")
        b.settle()
        ctx["params"] = b.choose_parameters(db_path)
        ctx["codes"] = rows(db_path, "SELECT code FROM tracker_recommendation")
        ctx["actors"] = rows(db_path, "SELECT slug FROM tracker_actor WHERE slug LIKE 'demo-%'") or rows(
            db_path, "SELECT slug FROM tracker_actor"
        )
        creating = create_secretariat(env)
        django = b.start_gunicorn(env, workdir, args.workers, "sqlite")
        servers.append(django)
        datasette = start_datasette_mutable(db_path, workdir)
        servers.append(datasette)
        ctx["cases"] = b.resolve_alternatives(django, b.make_cases(ctx["params"], db_path.stem), ctx["notes"])
        b.log("SQLite: readers over every case while the secretariat writes once a second")
        run_phase(ctx, "sqlite", creating, [django], datasette, args, workdir)
        for server in servers:
            server.stop()
        servers.clear()

        if not args.no_postgres:
            pg_env = b.django_env(args.postgres_url, workdir, response_cache=not args.no_response_cache)
            ctx["pg_version"] = b.reset_postgres(args.postgres_url)
            b.log("generating the same data into PostgreSQL")
            ctx["gen_pg"] = b.prepare_database(pg_env, args.recommendations, args.updates, args.seed)
            b.log(f"generated in {ctx['gen_pg']:.1f} s; measuring the floor of each case")
            b.settle(args.postgres_url)
            measure_cases = [{"name": key, "path": path} for key, _l, path, _d in ctx["cases"]]
            ctx["queries_pg"] = b.measure_queries(pg_env, measure_cases, 0.6, explain=())
            flush_redis(args.redis_url)
            shared_env = {**pg_env, "CACHE_URL": args.redis_url}
            creating = create_secretariat(shared_env)
            for tag in ("postgres-a", "postgres-b"):
                servers.append(b.start_gunicorn(shared_env, workdir, args.workers, tag))
            b.log("PostgreSQL: two servers sharing Redis, readers over both, the same writer")
            run_phase(ctx, "postgres", creating, list(servers), None, args, workdir)
            for server in servers:
                server.stop()
            servers.clear()
            flush_redis(args.redis_url)
    finally:
        for server in servers:
            server.stop()
        if args.keep:
            b.log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    ctx["load_end"] = os.getloadavg()
    text = mixed_report.report(ctx, args)
    stem = "mixed-quick" if args.quick else "mixed"
    b.RESULTS.mkdir(parents=True, exist_ok=True)
    (b.RESULTS / f"{stem}.md").write_text(text)
    figures = {k: v for k, v in ctx.items() if k not in ("codes", "actors")}
    (b.RESULTS / f"{stem}.json").write_text(json.dumps(figures, indent=1, default=str))
    print(text)
    if ctx["failures"]:
        b.log(f"{len(ctx['failures'])} failure(s); exit 1")
        return 1
    return 0
