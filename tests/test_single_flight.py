"""One render per response-cache key at a time (tracker/http/single_flight.py).

Requests that miss the same key together must not all render it: in one process the first renders
and the others wait for its entry; between two server processes sharing Redis, the one holding
the render lock renders and the other polls for its entry. Each case is counted from the answers'
`X-Cache` header: a request that rendered says "miss", one served an entry says "hit".
"""

import threading
import time

import pytest
from django.db import connections
from django.test import Client

from tests.servers import http
from tests.test_response_cache import two_servers  # noqa: F401 (the fixture, parametrised below)
from tracker.http import cache as response_cache
from tracker.http import single_flight

# Pages that take a while to render on the seed (many rows, breakdowns), so that requests sent
# together all arrive while the first one renders.
PATHS = [
    "/",
    "/recommendations/?page_size=100",
    "/forums/gfmd-2007-brussels/",
    "/recommendations/?status=no_information",
]


def _together(count, ask):
    """The results of `ask(i)` for i in range(count), started in threads at the same moment."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        barrier.wait()
        try:
            results[index] = ask(index)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.fixture
def empty_response_cache():
    response_cache.clear()
    yield
    response_cache.clear()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", PATHS)
def test_requests_missing_the_same_answer_together_in_one_process_render_it_once(
    path, brussels_2007, empty_response_cache
):
    answers = _together(6, lambda _index: Client().get(path))

    assert [answer.status_code for answer in answers] == [200] * 6
    assert sorted(answer["X-Cache"] for answer in answers) == ["hit"] * 5 + ["miss"]
    assert len({answer.content for answer in answers}) == 1


@pytest.mark.django_db(transaction=True)
def test_a_waiter_renders_itself_when_the_renderer_stores_nothing(brussels_2007, empty_response_cache, settings):
    # A streamed export is never stored: whoever waited for it renders its own, at once.
    settings.RESPONSE_CACHE_RENDER_WAIT = 30
    started = time.monotonic()
    answers = _together(3, lambda _index: Client().get("/recommendations/?format=csv"))
    # Nobody sat out the 30 s wait for an entry that was never going to come.
    assert time.monotonic() - started < 20

    assert [answer.status_code for answer in answers] == [200] * 3
    assert all(answer.streaming and "X-Cache" not in answer for answer in answers)
    assert len({b"".join(answer.streaming_content) for answer in answers}) == 1
    assert single_flight.in_flight() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("two_servers", ["shared cache"], indirect=True)
def test_two_processes_sharing_redis_render_an_answer_once(two_servers, brussels_2007):  # noqa: F811
    # Behind a load balancer both servers see the same Host, so they share the answer's key.
    headers = {"Host": "127.0.0.1"}
    for path in PATHS:
        # A fresh key per round: a query parameter the page reads, with a value used only here.
        fresh = f"{path}{'&' if '?' in path else '?'}as_of=2026-11-{10 + PATHS.index(path)}"
        answers = _together(2, lambda index, url=fresh: http(two_servers[index] + url, headers=headers))
        assert [status for status, _, _ in answers] == [200, 200], fresh
        assert sorted(answer_headers["X-Cache"] for _, answer_headers, _ in answers) == ["hit", "miss"], fresh
        assert answers[0][2] == answers[1][2]
