"""No lost updates: two clients that read the same version of a recommendation and write at the
same moment (threads released together by a barrier, each with its own database connection):
exactly one write succeeds, the other gets 412. On PostgreSQL and on a file-based SQLite test
database (SQLITE_TEST_NAME); SQLite's in-memory test database cannot be shared by threads."""

import threading
from functools import partial

import pytest
from django.db import connection, connections

from tracker import roles
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


def update_etag(client, update):
    return client.get(f"{API}/updates/{update.pk}/")["ETag"]


def test_two_approvals_of_one_update_with_the_same_version_one_wins_the_other_is_412(
    api_world, api_client_for, secretariat_user, make_update, actor_b
):
    first, second = api_client_for(secretariat_user), api_client_for(secretariat_user)
    recommendation = api_world.centres
    for round_ in range(ROUNDS):
        update = make_update(recommendation, actor_b, status="stalled", review_state="submitted")
        version = Recommendation.objects.get(pk=recommendation.pk).version
        tag = update_etag(first, update)
        url = f"{API}/updates/{update.pk}/approve/"
        responses = race(
            partial(first.post, url, {"note": "first"}, format="json", HTTP_IF_MATCH=tag),
            partial(second.post, url, {"note": "second"}, format="json", HTTP_IF_MATCH=tag),
        )
        assert sorted(r.status_code for r in responses) == [200, 412], (round_, [r.content for r in responses])
        winner = next(r for r in responses if r.status_code == 200).json()
        stored = ProgressUpdate.objects.get(pk=update.pk)
        assert (stored.review_state, stored.review_note, stored.version) == (
            "approved",
            winner["review_note"],
            update.version + 1,
        )
        # Approved once: the recommendation's version moved once.
        assert Recommendation.objects.get(pk=recommendation.pk).version == version + 1


def test_two_focal_points_revising_one_submission_from_one_read_one_wins_the_other_is_412(
    api_world, api_client_for, focal_a, make_user, actor_a
):
    colleague = make_user("focal_a2", actor=actor_a, groups=[roles.FOCAL_POINT])
    first, second = api_client_for(focal_a), api_client_for(colleague)
    recommendation = api_world.centres
    version = Recommendation.objects.get(pk=recommendation.pk).version
    for round_ in range(ROUNDS):
        update = api_world.updates.a_returned
        tag = update_etag(first, update)
        url = f"{API}/updates/{update.pk}/"
        responses = race(
            partial(first.patch, url, {"summary": f"first {round_}"}, format="json", HTTP_IF_MATCH=tag),
            partial(second.patch, url, {"summary": f"second {round_}"}, format="json", HTTP_IF_MATCH=tag),
        )
        assert sorted(r.status_code for r in responses) == [200, 412], (round_, [r.content for r in responses])
        winner = next(r for r in responses if r.status_code == 200).json()
        assert ProgressUpdate.objects.get(pk=update.pk).summary == winner["summary"]
    # Private revisions never moved the recommendation's public version.
    assert Recommendation.objects.get(pk=recommendation.pk).version == version
