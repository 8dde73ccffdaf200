"""No lost updates: two clients that read the same version of a recommendation and write at the
same moment (threads released together by a barrier, each with its own database connection):
exactly one write succeeds, the other gets 412. On PostgreSQL and on a file-based SQLite test
database (SQLITE_TEST_NAME); SQLite's in-memory test database cannot be shared by threads."""

import threading
from functools import partial

import pytest
from django.db import connection, connections

from tracker.models import ProgressUpdate, Recommendation

# Committed data (threads have their own connections). A transactional test's flush removes the
# staff groups the migrations made; make_user puts them back. (No serialized rollback: after
# another transactional test's flush, post_migrate has recreated the content types with new ids,
# and reloading the serialized ones collided with them.)
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("api_fast_passwords"),
]

API = "/api/v1"
ROUNDS = 5


@pytest.fixture(autouse=True)
def a_database_threads_can_share():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("SQLite's in-memory test database locks between threads: set SQLITE_TEST_NAME to a file")


def race(*requests):
    """Run the requests in threads released at the same instant; their responses, in order."""
    barrier = threading.Barrier(len(requests))
    responses = [None] * len(requests)
    errors = []

    def run(index, request):
        try:
            barrier.wait(timeout=30)
            responses[index] = request()
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return responses


def etag(client, recommendation):
    return client.get(f"{API}/recommendations/{recommendation.code}/")["ETag"]


def test_two_updates_recorded_with_the_same_version_one_wins_the_other_is_412(
    api_world, api_client_for, secretariat_user, focal_a
):
    first, second = api_client_for(secretariat_user), api_client_for(secretariat_user)
    recommendation = api_world.data
    for round_ in range(ROUNDS):
        tag = etag(first, recommendation)
        version = Recommendation.objects.get(pk=recommendation.pk).version
        count = ProgressUpdate.objects.count()

        body = {"recommendation": recommendation.code, "actor": "government-a", "summary": "x"}
        responses = race(
            partial(first.post, f"{API}/updates/", body | {"status": "implemented"}, format="json", HTTP_IF_MATCH=tag),
            partial(second.post, f"{API}/updates/", body | {"status": "stalled"}, format="json", HTTP_IF_MATCH=tag),
        )
        assert sorted(r.status_code for r in responses) == [201, 412], (round_, [r.content for r in responses])
        assert ProgressUpdate.objects.count() == count + 1
        stored = Recommendation.objects.get(pk=recommendation.pk)
        assert stored.version == version + 1
        winner = next(r for r in responses if r.status_code == 201).json()
        assert stored.status == winner["status"]  # the status is the winner's, not a mix


def test_two_approvals_with_the_same_version_one_wins_the_other_is_412(
    api_world, api_client_for, secretariat_user, make_update, actor_a, actor_b
):
    first, second = api_client_for(secretariat_user), api_client_for(secretariat_user)
    recommendation = api_world.centres
    for round_ in range(ROUNDS):
        a = make_update(recommendation, actor_a, status="implemented", review_state="submitted")
        b = make_update(recommendation, actor_b, status="stalled", review_state="submitted")
        tag = etag(first, recommendation)

        responses = race(
            partial(first.post, f"{API}/updates/{a.pk}/approve/", {}, format="json", HTTP_IF_MATCH=tag),
            partial(second.post, f"{API}/updates/{b.pk}/approve/", {}, format="json", HTTP_IF_MATCH=tag),
        )
        assert sorted(r.status_code for r in responses) == [200, 412], (round_, [r.content for r in responses])
        states = sorted(ProgressUpdate.objects.filter(pk__in=[a.pk, b.pk]).values_list("review_state", flat=True))
        assert states == ["approved", "submitted"]


def test_a_focal_points_submission_and_the_secretariats_update_with_one_version_one_wins(
    api_world, api_client_for, secretariat_user, focal_a
):
    focal, secretariat = api_client_for(focal_a), api_client_for(secretariat_user)
    recommendation = api_world.ethical
    for round_ in range(ROUNDS):
        tag = etag(focal, recommendation)
        body = {"recommendation": recommendation.code, "status": "stalled", "summary": "x"}
        responses = race(
            partial(focal.post, f"{API}/updates/", body, format="json", HTTP_IF_MATCH=tag),
            partial(
                secretariat.post, f"{API}/updates/", body | {"actor": "government-b"}, format="json", HTTP_IF_MATCH=tag
            ),
        )
        assert sorted(r.status_code for r in responses) == [201, 412], (round_, [r.content for r in responses])
