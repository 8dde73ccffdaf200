"""Benchmark smoke tests: `bench/run --quick` and `bench/run --mixed --quick` must keep working
(small data, short runs).

The benchmarks themselves are not timed tests; these only prove that the scripts, the data
generator, gunicorn, Datasette, wrk (and, for --mixed, the secretariat's writes through the API)
still fit together and that every benchmarked endpoint answers 2xx. Find them with
`pytest -k bench_smoke`.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def bench_argv(*options):
    """bench/run with `options`, starting from a copy of this test database (already migrated) where
    it is a file, so that the run does not spend its first seconds migrating a new one."""
    argv = [str(ROOT / "bench" / "run"), *options]
    template = connection.settings_dict["NAME"]
    if Path(str(template)).is_file():
        argv += ["--sqlite-template", str(template)]
    return argv


@pytest.mark.skipif(connection.vendor != "sqlite", reason="quick mode is SQLite-only; it runs in the SQLite pass")
@pytest.mark.django_db(transaction=True)
def test_bench_smoke_quick_run_answers_2xx_and_writes_the_table():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "DATABASE_URL"))}
    env["BENCH_PYTHON"] = sys.executable
    result = subprocess.run(bench_argv("--quick"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"bench/run --quick failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    table = (ROOT / "bench" / "results" / "quick.md").read_text()
    for case in ("(a)", "(b)", "(c)", "(d)", "(e)"):
        assert case in table
    assert "Datasette" in table
    assert "## Failures" not in table


@pytest.mark.skipif(connection.vendor != "sqlite", reason="quick mode is SQLite-only; it runs in the SQLite pass")
@pytest.mark.django_db(transaction=True)
def test_bench_smoke_mixed_quick_run_reads_while_the_secretariat_writes():
    """`bench/run --mixed --quick`: every case answers 2xx under the writer, the writer's updates
    are approved and shown by the API at once, and the report has every case. The benchmark starts
    from a copy of this test database (already migrated), so the run takes seconds, not a minute."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "DATABASE_URL"))}
    env["BENCH_PYTHON"] = sys.executable
    argv = bench_argv("--mixed", "--quick")
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"bench/run --mixed failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"

    figures = json.loads((ROOT / "bench" / "results" / "mixed-quick.json").read_text())
    assert figures["failures"] == []
    cases = figures["cases"]
    assert [case[0] for case in cases] == ["a", "b", "c", "d", "e1", "e2"]
    # Each path answered 2xx before the load, and no answer under the writer was anything else.
    checked = figures["sqlite"]["checked"]
    assert sorted(checked["gunicorn (sqlite)"]) == sorted(case[2] for case in cases)
    assert sorted(checked["datasette"]) == sorted(case[3] for case in cases[:4])
    assert all(200 <= status < 300 for statuses in checked.values() for status in statuses.values()), checked
    results = figures["sqlite"]["results"]
    for key, *_ in cases:
        django = results[f"{key}|django"]
        assert django["non2xx"] == 0 and django["timeouts"] == 0, (key, django)
        assert django["hit"] + django["miss"] == django["requests"], (key, django)  # every answer says X-Cache
    for key in ("a", "b", "c", "d"):
        assert results[f"{key}|django"]["requests"] > 0  # answers from the cache: many, even on a busy machine
        assert results[f"{key}|datasette"]["non2xx"] == 0, key
    writes = figures["sqlite"]["writes"]
    assert writes["count"] >= 1
    assert writes["shown"] == writes["count"]  # each approved update was in the API's answer right after
    assert len(figures["sqlite"]["worker_mb"]) == 2  # two gunicorn workers, each measured

    table = (ROOT / "bench" / "results" / "mixed-quick.md").read_text()
    for _key, label, *_paths in figures["cases"]:
        assert f"| {label} |" in table
    assert "first dashboard request after each write" in table
    assert "## Failures" not in table
