#!/usr/bin/env python
"""Benchmark of the open-data package at scale (docs/benchmarks.md, "Open-data package"):

1. the benchmark's demo data (`generate_demo_data`, 100,000 recommendations and 1,000,000 updates
   by default) in a SQLite file of its own, generated once and reused with --reuse;
2. in a fresh process (so that nothing else has grown its memory), /data/package.zip and
   /data/progress_updates.csv streamed through Django's test client to files: time, bytes, and the
   process's peak resident memory before and after (`ru_maxrss`): flat memory means the peak does
   not grow with the data;
3. the zip extracted and checked with `frictionless validate` (the pinned CLI of requirements-dev),
   timed, with its peak memory.

    .venv/bin/python bench/package.py                 # generate the data (minutes), then measure
    .venv/bin/python bench/package.py --reuse         # measure again on the data generated before
    .venv/bin/python bench/package.py --recommendations 2000 --updates 20000   # a quick run

The Markdown table goes to stdout and bench/results/package.md.
"""

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
STREAMED = ["/data/package.zip", "/data/progress_updates.csv"]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--db", default=str(RESULTS / "package.sqlite3"), help="SQLite file to use (default: %(default)s)"
    )
    parser.add_argument("--recommendations", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="Keep the demo data already in --db")
    parser.add_argument("--no-validate", action="store_true", help="Skip `frictionless validate`")
    parser.add_argument("--stream-child", nargs=2, metavar=("DB", "FOLDER"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def environment(db):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="ERROR",
        RESPONSE_CACHE_MB="64",
    )
    env.pop("CACHE_URL", None)
    return env


def peak_mb(who=resource.RUSAGE_SELF):
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


def stream_child(db, folder):
    """In this (fresh) process: stream each of STREAMED to FOLDER; print JSON figures."""
    os.environ.update(environment(db))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "migration_dialogues.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    # Warm up: imports, the URL resolver, a small table; the baseline is the peak after that.
    b"".join(client.get("/data/themes.csv").streaming_content)
    figures = []
    for path in STREAMED:
        before = peak_mb()
        target = Path(folder) / path.rsplit("/", 1)[-1]
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries, target.open("wb") as out:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            chunks = 0
            for chunk in response.streaming_content:
                out.write(chunk)
                chunks += 1
        seconds = time.perf_counter() - started
        figures.append(
            {
                "path": path,
                "seconds": seconds,
                "bytes": target.stat().st_size,
                "chunks": chunks,
                "queries": len(queries),
                "peak_before_mb": before,
                "peak_after_mb": peak_mb(),
            }
        )
    print(json.dumps(figures))


def run(command, env, **kwargs):
    return subprocess.run(command, env=env, cwd=ROOT, check=True, **kwargs)


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    if args.stream_child:
        return stream_child(*args.stream_child)
    RESULTS.mkdir(parents=True, exist_ok=True)
    db = Path(args.db)
    env = environment(db)
    rows = []

    def row(what, figure, note=""):
        rows.append((what, figure, note))
        print(f"{what}: {figure} {note}", file=sys.stderr, flush=True)

    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    if not args.reuse:
        started = time.perf_counter()
        run(
            [
                sys.executable,
                "manage.py",
                "generate_demo_data",
                f"--recommendations={args.recommendations}",
                f"--updates={args.updates}",
                f"--seed={args.seed}",
            ],
            env,
            stdout=subprocess.DEVNULL,
        )
        row(
            "generate_demo_data",
            f"{time.perf_counter() - started:.0f} s",
            f"{args.recommendations:,} recommendations, {args.updates:,} updates",
        )

    with tempfile.TemporaryDirectory(prefix="package-bench-") as folder:
        output = run(
            [sys.executable, __file__, "--stream-child", str(db), folder], env, stdout=subprocess.PIPE, text=True
        ).stdout
        for figure in json.loads(output.strip().splitlines()[-1]):
            row(
                f"stream {figure['path']}",
                f"{figure['seconds']:.1f} s",
                f"{figure['bytes'] / 1e6:,.1f} MB in {figure['chunks']:,} chunks, {figure['queries']} queries; "
                f"peak RSS {figure['peak_before_mb']:.0f} MB before, {figure['peak_after_mb']:.0f} MB after",
            )
        archive = Path(folder) / "package.zip"
        with zipfile.ZipFile(archive) as opened:
            sizes = {info.filename: (info.file_size, info.compress_size) for info in opened.infolist()}
            opened.extractall(Path(folder) / "package")
        total = sum(size for size, _compressed in sizes.values())
        row("package.zip", f"{archive.stat().st_size / 1e6:,.1f} MB", f"{total / 1e6:,.1f} MB of CSV and JSON unzipped")
        for name in ("recommendations.csv", "progress_updates.csv"):
            row(f"  {name}", f"{sizes[name][0] / 1e6:,.1f} MB", f"{sizes[name][1] / 1e6:,.1f} MB deflated")
        if not args.no_validate:
            started = time.perf_counter()
            result = subprocess.run(
                [str(Path(sys.executable).with_name("frictionless")), "validate", "--json", "datapackage.json"],
                cwd=Path(folder) / "package",
                capture_output=True,
                text=True,
            )
            seconds = time.perf_counter() - started
            report = json.loads(result.stdout)
            errors = sum(len(task.get("errors", [])) for task in report.get("tasks", []))
            row(
                "frictionless validate",
                f"{seconds:.0f} s",
                f"{'valid' if report['valid'] else 'INVALID'} ({errors} errors); "
                f"peak RSS {peak_mb(resource.RUSAGE_CHILDREN):,.0f} MB",
            )

    table = ["| what | figure | note |", "|---|---|---|"] + [f"| {a} | {b} | {c} |" for a, b, c in rows]
    text = "\n".join(table) + "\n"
    (RESULTS / "package.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
