"""The benchmarked endpoints (bench/bench.py, cases (a)–(e)) issue the same SQL queries whatever
the amount of data, and exactly the number pinned for each here.

Each case is requested against a small and a three-times-larger demo data set
(`generate_demo_data`): the counts at the two sizes must be equal, and each must be the pinned
one. Two paths are counted: the answer served from the response cache (tracker/http/cache.py),
which is what every request but the first after a change gets, and the answer rendered afresh
(a cache miss), which is the path the first request after each change takes. A change that adds
or removes a query changes the pinned count with it, on purpose.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tracker.models import Forum, ProgressUpdate, Recommendation

SIZES = [(150, 900), (450, 2700)]


def _paths():
    """The benchmark's cases, with parameters picked as bench/bench.py picks them."""
    from django.db.models import Count

    forums = list(
        Forum.objects.filter(slug__startswith="demo-").annotate(n=Count("recommendations")).order_by("n", "pk")
    )
    forum = forums[len(forums) // 2]
    status = (
        Recommendation.objects.filter(forum=forum)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by("-n", "status")[0]["status"]
    )
    middle = Recommendation.objects.order_by("pk")[Recommendation.objects.count() // 2]
    busy = (
        ProgressUpdate.objects.approved()
        .values("recommendation__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "recommendation__code")[0]["recommendation__code"]
    )
    return {
        "a": f"/api/v1/recommendations/?forum={forum.slug}&status={status}&page_size=50",
        "b": f"/api/v1/recommendations/{middle.code}/",
        "c": ("/api/v1/summary/", "/api/v1/recommendations/summary/"),
        "d": f"/api/v1/updates/?recommendation={busy}&page_size=50",
        "e-dashboard": "/",
        "e-forum": f"/forums/{forum.slug}/",
    }


def _count(client, path):
    if isinstance(path, tuple):
        path = next((p for p in path if client.get(p).status_code == 200), path[-1])
    warm = client.get(path, HTTP_ACCEPT="application/json, text/html;q=0.9")  # caches a server has filled
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_ACCEPT="application/json, text/html;q=0.9")
    assert warm.status_code == response.status_code == 200, f"{path}: {response.status_code}"
    return len(queries), [q["sql"] for q in queries.captured_queries]


def _counts_at_two_sizes():
    """{case: [(count, sql), (count, sql)]} at the two data sizes."""
    client = Client()
    results = {}
    for recommendations, updates in SIZES:
        call_command("generate_demo_data", recommendations=recommendations, updates=updates, seed=5, verbosity=0)
        for case, path in _paths().items():
            results.setdefault(case, []).append(_count(client, path))
    return results


@pytest.fixture
def counts_at_two_sizes(db):
    """Counts of answers rendered afresh: inside the test's transaction the cache stores nothing."""
    return _counts_at_two_sizes()


# Served from the response cache: the data version, then the stored answer.
SERVED = {"a": 1, "b": 1, "c": 1, "d": 1, "e-dashboard": 1, "e-forum": 1}
# Rendered afresh, each count including the data version read first (one query).
RENDERED = {
    # COUNT; the page's rows (joined to forum, process, roundtable, document); their themes;
    # their actors; their objectives.
    "a": 1 + 5,
    # The row; its themes; actors; objectives; its links in both directions; its follow-ups.
    "b": 1 + 6,
    # One GROUP BY status.
    "c": 1 + 1,
    # COUNT; the page of updates joined to recommendation, actor and document; their public
    # evidence files.
    "d": 1 + 3,
    # The forums, with the versions of their cache scopes (a subquery: ForumRowsMemo); processes;
    # themes; GCM objectives (none outside a transaction while the "reference" version stands:
    # tracker.breakdowns.ReferenceLists); today's status counts per forum (those of the forums
    # changed since the process last built their breakdowns: ForumBreakdowns) and those per theme
    # and objective (maintained, tracker.models.aggregates: two queries); who reported, with the
    # number of approved updates beside (maintained per actor: one query); recent approved updates;
    # the open-data package's facts for the page's schema.org Dataset (one query of scalar
    # subqueries, tracker.opendata).
    "e-dashboard": 1 + 9,
    # The forum with its process; its documents; its editorial facts; roundtables; follow-ups
    # made; the status counts per session and kind (one GROUP BY: the bars and the number of
    # pages); the page's recommendations (at most 100); their themes; the response rate of each
    # reporting cycle over the forum (one GROUP BY whatever the number of cycles).
    "e-forum": 1 + 9,
}


@pytest.mark.django_db(transaction=True)
def test_an_answer_served_from_the_response_cache_takes_its_pinned_queries_at_two_data_sizes():
    from tracker.http import cache as response_cache

    response_cache.clear()
    try:
        counts = _counts_at_two_sizes()  # committed data: the first request of each path fills the cache
    finally:
        response_cache.clear()
    assert set(counts) == set(SERVED)
    for case, ((small, _small_sql), (large, large_sql)) in counts.items():
        assert small == large == SERVED[case], f"({case}) {small}, then {large} queries:\n" + "\n".join(large_sql)
        assert "tracker_cachescope" in large_sql[0] or "tracker_scope_versions(" in large_sql[0]  # cache_scopes


@pytest.mark.django_db
def test_an_answer_rendered_afresh_takes_its_pinned_queries_at_two_data_sizes(counts_at_two_sizes):
    assert set(counts_at_two_sizes) == set(RENDERED)
    for case, ((small, _small_sql), (large, large_sql)) in counts_at_two_sizes.items():
        assert small == large == RENDERED[case], (
            f"({case}) {small} queries on small data, {large} on 3× the data:\n" + "\n".join(large_sql)
        )
