"""Query counts and the SQL floor of each benchmark URL (run by bench/bench.py, not by hand).

Reads a JSON list of cases from stdin ({"name", "path"}), requests each through Django's test
client against the configured database, and prints JSON: the status, the SQL queries the request
issued (count and text), the "floor" (the time the database driver alone needs to run exactly
those queries and fetch their rows, repeated, median), and the query plans of the cases listed
in `explain`.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "migration_dialogues.settings")

import django  # noqa: E402

django.setup()

from django.db import DatabaseError, connection  # noqa: E402
from django.test import Client  # noqa: E402

from tracker.http import cache as response_cache  # noqa: E402


class Recorder:
    """An execute wrapper keeping each statement exactly as Django hands it to the driver."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params, many))
        return execute(sql, params, many, context)


def fetch(client, path):
    response = client.get(path, HTTP_ACCEPT="application/json, text/html;q=0.9, */*;q=0.8")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


def replay(statements):
    """Run the statements with the raw driver cursor and fetch every row: the database's share."""
    raw = connection.cursor().cursor  # below Django's wrapper: no ORM, no logging
    for sql, params, many in statements:
        if many:
            raw.executemany(sql, params)
        elif params is None:
            raw.execute(sql)
        else:
            raw.execute(sql, params)
        if raw.description is not None:
            raw.fetchall()


def floor_ms(statements, budget=0.6):
    replay(statements)  # warm the page cache and the statement cache
    times = []
    deadline = time.perf_counter() + budget
    while len(times) < 5 or (time.perf_counter() < deadline and len(times) < 500):
        start = time.perf_counter()
        replay(statements)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def explain(statements):
    plans = []
    with connection.cursor() as cursor:
        for sql, params, many in statements:
            if many or not sql.lstrip().upper().startswith("SELECT"):
                continue
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            plans.append({"sql": sql % tuple(repr(p) for p in (params or ())), "plan": plan})
    return plans


def main():
    request = json.load(sys.stdin)
    results = {}
    for case in request["cases"]:
        try:
            results[case["name"]] = measure(case, request)
        except DatabaseError:
            # The server went away (a restart by something else on the machine): once more, anew.
            connection.close()
            results[case["name"]] = measure(case, request)
    json.dump({"vendor": connection.vendor, "results": results}, sys.stdout)


def record(client, path):
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        status, body = fetch(client, path)
    return status, body, recorder.statements


def measure(case, request):
    """One case: status, query counts and SQL, floor and (if asked) plans.

    Counted twice: as served (a second request, answered from the response cache when the cache
    is on, as it is for every request but the first after a change) and as rendered afresh (the
    cache emptied first: the path of the first request after a change, the data-version read
    included). The floor and the plans are those of the rendered answer: what the database needs
    to answer the question at all.
    """
    client = Client()
    name, path = case["name"], case["path"]
    fetch(client, path)  # warm: imports, templates, caches that a running server has
    status, body, served = record(client, path)
    response_cache.clear()
    _, _, rendered = record(client, path)
    # The floor is the reads; savepoints and the like mean nothing outside the request.
    statements = [s for s in rendered if s[0].lstrip().split(None, 1)[0].upper() in ("SELECT", "WITH")]
    result = {
        "status": status,
        "bytes": len(body),
        "queries": len(served),
        "sql": [sql for sql, _, _ in served],
        "rendered_queries": len(rendered),
        "rendered_sql": [sql for sql, _, _ in rendered],
    }
    if 200 <= status < 300:
        budget = request.get("budget", 0.6)
        result["floor_ms"] = floor_ms(statements, budget=budget * 3 if case.get("heavy") else budget)
        if name in request.get("explain", []):
            result["explain"] = explain(statements)
    return result


if __name__ == "__main__":
    main()
