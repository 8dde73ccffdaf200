"""The benchmarked endpoints (issue 6, cases (a)–(e)) issue the same number of SQL queries
whatever the amount of data, and (the target) at most four.

Each case is requested against a small and a three-times-larger demo data set
(`generate_demo_data`); the counts must be equal, and each must stay within its pinned budget.
Two paths are counted: the answer served from the response cache (tracker/cache.py), which is
what every request but the first after a change gets, and the answer rendered afresh (a cache
miss), which is the path the first request after each change takes.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tracker.models import Forum, ProgressUpdate, Recommendation

SIZES = [(150, 900), (450, 2700)]
MAX_QUERIES = 4


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


@pytest.mark.django_db(transaction=True)
def test_an_answer_served_from_the_response_cache_takes_one_query_at_any_data_size():
    from tracker import cache as response_cache

    response_cache.clear()
    try:
        counts = _counts_at_two_sizes()  # committed data: the first request of each path fills the cache
    finally:
        response_cache.clear()
    for case, runs in counts.items():
        for count, sql in runs:
            assert count == 1 <= MAX_QUERIES, f"({case}) {count} queries:\n" + "\n".join(sql)
            assert "tracker_dataversion" in sql[0]


@pytest.mark.django_db
def test_benchmarked_endpoints_issue_the_same_queries_at_two_data_sizes(counts_at_two_sizes):
    for case, ((small, _small_sql), (large, large_sql)) in counts_at_two_sizes.items():
        assert small == large, f"({case}) {small} queries on small data, {large} on 3× the data:\n" + "\n".join(
            large_sql
        )


# Issue 6 asks for at most four queries per case. Served from the cache, every case takes one (the
# test above). Rendered afresh, every case meets it too. These ceilings pin
# today's counts so that none grows unnoticed: lower one when a case improves, never raise one to
# make the suite pass. Each count includes the data version the response cache reads before
# anything else (one query, added with the cache).
CEILINGS = {
    "a": MAX_QUERIES,
    "b": MAX_QUERIES,
    "c": MAX_QUERIES,
    "d": MAX_QUERIES,
    "e-dashboard": MAX_QUERIES,
    "e-forum": MAX_QUERIES,
}


@pytest.mark.django_db
def test_benchmarked_endpoints_stay_within_their_query_budgets(counts_at_two_sizes):
    over = {
        case: (runs[-1][0], CEILINGS[case])
        for case, runs in counts_at_two_sizes.items()
        if runs[-1][0] > CEILINGS[case]
    }
    assert over == {}, f"(queries, ceiling) per case over its ceiling: {over}"
