#!/usr/bin/env python
"""Benchmark of incremental sync (docs/benchmarks.md, "Incremental sync"):

1. the demo data (`generate_demo_data`, 100,000 recommendations and 1,000,000 updates by default)
   in a SQLite file of its own (or PostgreSQL with --database-url), generated once, reused with --reuse;
2. a client's first full copy of /api/v1/recommendations/ by cursor pages of 1,000 (timed, with
   the queries of one page);
3. 1,000 changes by the secretariat through tracker.services (an approved update each, on random
   recommendations: each moves the update's and the recommendation's change keys);
4. the client's incremental sync of recommendations, updates and deletions since the largest
   change key it holds (timed; rows and requests counted; every changed recommendation must come).

    .venv/bin/python bench/sync.py                  # generate the data (minutes), then measure
    .venv/bin/python bench/sync.py --reuse          # measure again on the data generated before
    .venv/bin/python bench/sync.py --recommendations 2000 --updates 20000 --changes 100   # quick

The Markdown table goes to stdout and bench/results/sync.md.
"""

import argparse
import os
import random
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(RESULTS / "sync.sqlite3"), help="SQLite file (default: %(default)s)")
    parser.add_argument("--database-url", default="", help="Use this database instead of the SQLite file")
    parser.add_argument("--recommendations", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=1_000)
    parser.add_argument("--page-size", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="Keep the demo data already in the database")
    return parser.parse_args(argv)


def setup_django(database_url):
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="ERROR",
        TASKS_BACKEND="database",
        RESPONSE_CACHE_MB="0",
        API_THROTTLE_ANON="100000000/hour",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "migration_dialogues.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    RESULTS.mkdir(parents=True, exist_ok=True)
    db = Path(args.db)
    if not args.database_url and not args.reuse and db.exists():
        db.unlink()
    setup_django(args.database_url or f"sqlite:///{db}")

    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tracker import roles, services
    from tracker.models import Actor, ProgressUpdate, Recommendation, Status, User

    rows = []

    def row(what, figure, note=""):
        rows.append((what, figure, note))
        print(f"{what}: {figure} {note}", file=sys.stderr, flush=True)

    call_command("migrate", verbosity=0)
    if not args.reuse or not Recommendation.objects.exists():
        if args.database_url:
            call_command("flush", interactive=False, verbosity=0)
        started = time.perf_counter()
        call_command(
            "generate_demo_data",
            recommendations=args.recommendations,
            updates=args.updates,
            seed=args.seed,
            verbosity=0,
        )
        row(
            "generate_demo_data",
            f"{time.perf_counter() - started:.0f} s",
            f"{args.recommendations:,} recommendations, {args.updates:,} updates",
        )
    client = Client()

    def read(url):
        response = client.get(url)
        assert response.status_code == 200, response.content[:500]
        return response.json()

    def pages(url):
        requests, found = 0, []
        while url:
            body = read(url)
            requests += 1
            found.extend(body["results"])
            url = body["next"]
        return requests, found

    size = args.page_size
    with CaptureQueriesContext(connection) as queries:
        read(f"/api/v1/recommendations/?cursor=&page_size={size}")
    row("Queries of one cursor page", str(len(queries)), f"page_size={size}")

    started = time.perf_counter()
    requests, copy = pages(f"/api/v1/recommendations/?cursor=&page_size={size}")
    seconds = time.perf_counter() - started
    since = max(item["change_key"] for item in copy)
    row(
        "First full copy of recommendations",
        f"{seconds:.1f} s",
        f"{len(copy):,} rows in {requests} requests ({len(copy) / seconds:,.0f} rows/s)",
    )
    updates_since = ProgressUpdate.objects.order_by("-change_key").values_list("change_key", flat=True).first()
    deletions_since = since

    roles.ensure_groups()
    actor = Actor.objects.filter(kind=Actor.Kind.SECRETARIAT).first() or Actor.objects.first()
    user, _ = User.objects.get_or_create(username="bench-sync-secretariat", defaults={"actor": actor, "is_staff": True})
    user.groups.add(Group.objects.get(name=roles.SECRETARIAT))
    rng = random.Random(args.seed)
    ids = list(Recommendation.objects.values_list("pk", flat=True))
    chosen = [rng.choice(ids) for _ in range(args.changes)]
    started = time.perf_counter()
    for n, pk in enumerate(chosen):
        services.record_progress(
            Recommendation.objects.get(pk=pk),
            user=user,
            actor=actor,
            status=rng.choice([Status.IN_PROGRESS, Status.IMPLEMENTED, Status.STALLED]),
            summary=f"bench-sync change {n}",
        )
    seconds = time.perf_counter() - started
    row(f"{args.changes:,} changes through tracker.services", f"{seconds:.1f} s", "each an approved update")

    started = time.perf_counter()
    rec_requests, recs = pages(f"/api/v1/recommendations/?cursor=&page_size={size}&updated_since={since}")
    upd_requests, upds = pages(f"/api/v1/updates/?cursor=&page_size={size}&updated_since={updates_since}")
    del_requests, dels = pages(f"/api/v1/deletions/?cursor=&page_size={size}&updated_since={deletions_since}")
    seconds = time.perf_counter() - started
    changed = {Recommendation.objects.get(pk=pk).code for pk in set(chosen)}
    got = {item["code"] for item in recs}
    assert changed <= got, f"{len(changed - got)} changed recommendations missing"
    assert len(upds) >= args.changes
    row(
        f"Incremental sync of {args.changes:,} changes",
        f"{seconds * 1000:.0f} ms",
        f"{len(recs):,} recommendations, {len(upds):,} updates, {len(dels)} deletions in "
        f"{rec_requests + upd_requests + del_requests} requests; every changed recommendation came",
    )
    ProgressUpdate.objects.filter(summary__startswith="bench-sync change").delete()

    vendor = connection.vendor
    table = [
        f"Incremental sync on {vendor} ({args.recommendations:,} recommendations, {args.updates:,} updates); "
        f"command: `.venv/bin/python bench/sync.py {' '.join(argv if argv is not None else sys.argv[1:])}`",
        "",
        "| What | Figure | Note |",
        "| --- | --- | --- |",
        *[f"| {what} | {figure} | {note} |" for what, figure, note in rows],
    ]
    text = "\n".join(table) + "\n"
    (RESULTS / f"sync-{vendor}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
