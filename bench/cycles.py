#!/usr/bin/env python
"""Benchmark of reporting cycles at scale (docs/benchmarks.md, "Reporting cycles"):

1. the benchmark's demo data (`generate_demo_data`, 100,000 recommendations and 1,000,000 updates
   by default) in a SQLite file of its own, generated once and reused with --reuse;
2. a cycle over every recommendation, asking each one's responsible actors (58 in the demo data)
   and two more actors about every recommendation: 60 actors, with a focal point each;
3. opened through `tracker.cycles.open_cycle`, then a third of its pairs given an update recorded
   during the cycle (half submitted, a third approved, the rest returned), written in bulk;
4. timed: (a) the chase list of one actor, the focal point's admin page, with its query count,
   and the secretariat's overview of all 60 actors; (b) `manage.py send_reminders` for all actors
   (must finish in under 60 s), and once more (nothing left to send).

    .venv/bin/python bench/cycles.py                 # generate the data (minutes), then measure
    .venv/bin/python bench/cycles.py --reuse         # measure again on the data generated before
    .venv/bin/python bench/cycles.py --recommendations 2000 --updates 20000   # a quick run

The Markdown table goes to stdout and bench/results/cycles.md.
"""

import argparse
import datetime
import os
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--db", default=str(RESULTS / "cycles.sqlite3"), help="SQLite file to use (default: %(default)s)"
    )
    parser.add_argument("--recommendations", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--extra-actors", type=int, default=2, help="Actors asked about every recommendation")
    parser.add_argument("--reuse", action="store_true", help="Keep the demo data already in --db")
    parser.add_argument("--repeat", type=int, default=3, help="Timed repetitions of each read (median)")
    return parser.parse_args(argv)


def setup_django(db):
    os.environ.update(
        DATABASE_URL=f"sqlite:///{db}",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="ERROR",
        # The production path: notices are written and their sending queued in the database.
        TASKS_BACKEND="database",
        RESPONSE_CACHE_MB="0",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "migration_dialogues.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    # Static files are not collected for this benchmark: their plain storage, not the manifest's.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def timed(function, repeat=1):
    """(median seconds, last result) of `repeat` calls."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def counting(function):
    """(queries, result) of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = function()
    return len(queries), result


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    RESULTS.mkdir(parents=True, exist_ok=True)
    db = Path(args.db)
    if not args.reuse and db.exists():
        db.unlink()
    setup_django(db)

    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django_tasks_db.models import DBTaskResult

    from tracker import cycles, roles
    from tracker.models import Actor, EmailNotice, ProgressUpdate, Recommendation, ReportingCycle, User

    rows = []

    def row(what, figure, note=""):
        rows.append((what, figure, note))
        print(f"{what}: {figure} {note}", file=sys.stderr, flush=True)

    call_command("migrate", verbosity=0)
    if not args.reuse or not Recommendation.objects.exists():
        seconds, _ = timed(
            lambda: call_command(
                "generate_demo_data",
                recommendations=args.recommendations,
                updates=args.updates,
                seed=args.seed,
                verbosity=0,
            )
        )
        row(
            "generate_demo_data",
            f"{seconds:.0f} s",
            f"{args.recommendations:,} recommendations, {args.updates:,} updates",
        )
    # A previous run's cycles, users and notices go; the demo data stays.
    ReportingCycle.objects.all().delete()
    EmailNotice.objects.all().delete()
    ProgressUpdate.objects.filter(summary__startswith="bench-cycles").delete()
    User.objects.filter(username__startswith="bench-").delete()
    DBTaskResult.objects.all().delete()

    roles.ensure_groups()
    secretariat = User.objects.create_user("bench-secretariat", is_staff=True)
    secretariat.groups.add(Group.objects.get(name=roles.SECRETARIAT))
    extra = list(Actor.objects.filter(kind="civil_society").order_by("slug")[: args.extra_actors])
    today = datetime.date.today()
    cycle = cycles.create_cycle(
        user=secretariat,
        name="Benchmark call for updates",
        opens_on=today,
        deadline=today + datetime.timedelta(days=14),  # the 14-days-before reminder is due today
        filters={},
        extra_actors=extra,
    )
    seconds, _ = timed(lambda: cycles.open_cycle(cycle, user=secretariat))
    pairs = cycle.requests.count()
    asked = list(Actor.objects.filter(reporting_requests__cycle=cycle).distinct().order_by("slug"))
    row("open_cycle (bulk_create of the pairs)", f"{seconds:.1f} s", f"{pairs:,} pairs, {len(asked)} actors")

    focal_group = Group.objects.get(name=roles.FOCAL_POINT)
    focal_points = User.objects.bulk_create(
        User(username=f"bench-focal-{actor.slug}", email=f"focal@{actor.slug}.example.org", is_staff=True, actor=actor)
        for actor in asked
    )
    focal_points = list(User.objects.filter(username__startswith="bench-focal-").order_by("username"))
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=focal_group.pk) for user in focal_points
    )

    # A third of the pairs reported during the cycle: half submitted, a third approved, the rest returned.
    rng = random.Random(args.seed)
    opened_at = cycle.opened_at
    states = ["submitted"] * 3 + ["approved"] * 2 + ["returned"]
    updates = [
        ProgressUpdate(
            recommendation_id=recommendation_id,
            actor_id=actor_id,
            status="in_progress",
            summary="bench-cycles update",
            reported_on=today,
            recorded_at=opened_at + datetime.timedelta(seconds=1 + n),
            review_state=rng.choice(states),
        )
        for n, (actor_id, recommendation_id) in enumerate(cycle.requests.values_list("actor_id", "recommendation_id"))
        if rng.random() < 1 / 3
    ]
    seconds, _ = timed(lambda: ProgressUpdate.objects.bulk_create(updates, batch_size=5000))
    row("updates recorded in the cycle (bulk)", f"{seconds:.1f} s", f"{len(updates):,} updates")
    connection.cursor().execute("ANALYZE")

    seconds, counts = timed(lambda: cycle.requests.with_state().count_by_state(), args.repeat)
    row("counts per state of the whole cycle (one GROUP BY)", f"{seconds:.2f} s", str(counts))

    # (a) The chase list of one actor: the focal point's page, with its query count.
    typical = sorted(asked, key=lambda actor: cycle.requests.filter(actor=actor).count())[len(asked) // 2]
    focal = next(user for user in focal_points if user.actor_id == typical.pk)
    client = Client()
    client.force_login(focal)
    url = f"/admin/tracker/reportingcycle/{cycle.pk}/chase/"
    client.get(url)
    queries, response = counting(lambda: client.get(url))
    assert response.status_code == 200, response.status_code
    seconds, _ = timed(lambda: client.get(url), args.repeat)
    own = cycle.requests.filter(actor=typical).count()
    row(
        "(a) chase list of one actor, the focal point's admin page",
        f"{seconds:.2f} s",
        f"{queries} queries; {typical.name}, {own:,} pairs",
    )
    seconds, _ = timed(lambda: list(cycles.chase_items(cycle, actor=typical)), args.repeat)
    row("(a) its rows alone (`chase_items`, one query)", f"{seconds:.2f} s")
    queries, _ = counting(lambda: cycles.asked_of(typical, today))
    seconds, _ = timed(lambda: cycles.asked_of(typical, today), args.repeat)
    row("`asked_of` (the focal point's home)", f"{seconds:.2f} s", f"{queries} queries")
    biggest = extra[0] if extra else typical
    big_focal = next(user for user in focal_points if user.actor_id == biggest.pk)
    client.force_login(big_focal)
    queries, _ = counting(lambda: client.get(url))
    seconds, _ = timed(lambda: client.get(url), 1)
    row(
        "(a) chase list of an actor asked about everything",
        f"{seconds:.2f} s",
        f"{queries} queries; {cycle.requests.filter(actor=biggest).count():,} pairs",
    )
    staff = Client()
    staff.force_login(secretariat)
    staff.get(url)
    queries, _ = counting(lambda: staff.get(url))
    seconds, _ = timed(lambda: staff.get(url), args.repeat)
    row("the secretariat's overview of all actors", f"{seconds:.2f} s", f"{queries} queries")

    # (b) send_reminders for all actors, twice.
    seconds, _ = timed(lambda: call_command("send_reminders", stdout=open(os.devnull, "w")))  # noqa: SIM115
    sent = EmailNotice.objects.filter(event="reminder").count()
    row("(b) send_reminders, all actors", f"{seconds:.1f} s", f"{sent} digests written and queued")
    seconds, _ = timed(lambda: call_command("send_reminders", stdout=open(os.devnull, "w")))  # noqa: SIM115
    again = EmailNotice.objects.filter(event="reminder").count() - sent
    row("(b) send_reminders again the same day", f"{seconds:.1f} s", f"{again} more")
    assert again == 0

    table = ["| step | time | notes |", "|---|---|---|"] + [
        f"| {what} | {figure} | {note} |" for what, figure, note in rows
    ]
    report = "\n".join(table) + "\n"
    (RESULTS / "cycles.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
