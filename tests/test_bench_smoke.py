"""Benchmark smoke test: `bench/run --quick` must keep working (small data, one short round).

The benchmark itself is not a timed test; this only proves that the script, the data generator,
gunicorn, Datasette and wrk still fit together and that every benchmarked endpoint answers 2xx.
Find it with `pytest -k bench_smoke`.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="quick mode is SQLite-only; it runs in the SQLite pass")
def test_bench_smoke_quick_run_answers_2xx_and_writes_the_table():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "DATABASE_URL"))}
    env["BENCH_PYTHON"] = sys.executable
    result = subprocess.run(
        [str(ROOT / "bench" / "run"), "--quick"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"bench/run --quick failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    table = (ROOT / "bench" / "results" / "quick.md").read_text()
    for case in ("(a)", "(b)", "(c)", "(d)", "(e)"):
        assert case in table
    assert "Datasette" in table
    assert "## Failures" not in table
