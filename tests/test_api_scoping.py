"""Who may do what: every unsafe method of the API as anonymous, the focal point of A, the focal
point of B and the secretariat. Only the allowed requests succeed, and whenever a request is
not the secretariat's or B's own, B's updates and their history are exactly as before.

Every request carries a valid If-Match, so what answers is the permission, not the precondition.
"""

import pytest

from tracker.models import ProgressUpdate, Recommendation

pytestmark = pytest.mark.usefixtures("api_fast_passwords")

API = "/api/v1"
USERS = ["anonymous", "focal_a", "focal_b", "secretariat"]

# (operation, {user: expected status}). Operations name their target: A's returned update,
# B's submitted update, recommendations for which A or B reports.
UPDATE_OPERATIONS = [
    ("post update for A", {"anonymous": 401, "focal_a": 201, "focal_b": 403, "secretariat": 201}),
    ("post update for B", {"anonymous": 401, "focal_a": 403, "focal_b": 201, "secretariat": 201}),
    ("patch A's update", {"anonymous": 401, "focal_a": 200, "focal_b": 404, "secretariat": 200}),
    ("patch B's update", {"anonymous": 401, "focal_a": 404, "focal_b": 200, "secretariat": 200}),
    ("patch B's approved update", {"anonymous": 401, "focal_a": 403, "focal_b": 403, "secretariat": 200}),
    ("put B's update", {"anonymous": 401, "focal_a": 405, "focal_b": 405, "secretariat": 405}),
    ("delete B's update", {"anonymous": 401, "focal_a": 403, "focal_b": 403, "secretariat": 204}),
    ("approve B's update", {"anonymous": 401, "focal_a": 403, "focal_b": 403, "secretariat": 200}),
    ("return B's update", {"anonymous": 401, "focal_a": 403, "focal_b": 403, "secretariat": 200}),
    ("revoke token", {"anonymous": 401, "focal_a": 204, "focal_b": 204, "secretariat": 204}),
]

READ_ONLY = ["processes", "forums", "roundtables", "recommendations", "actors", "themes", "objectives", "documents"]
DETAIL = {
    "processes": "gfmd",
    "forums": "gfmd-2007",
    "roundtables": "gfmd-2007-rt1",
    "recommendations": "GFMD-2008-RT2-01",
    "actors": "government-b",
    "themes": "remittances",
    "objectives": "gcm-6",
    "documents": "a-60-871",
}


@pytest.fixture
def world(api_world, make_update, actor_b):
    """api_world plus an approved update of B's."""
    api_world.updates.b_approved = make_update(
        api_world.circular, actor_b, status=Recommendation.Status.IN_PROGRESS, review_state="approved"
    )
    api_world.circular.refresh_from_db()
    return api_world


@pytest.fixture
def client_of(api_client_for, focal_a, focal_b, secretariat_user):
    users = {"anonymous": None, "focal_a": focal_a, "focal_b": focal_b, "secretariat": secretariat_user}
    return lambda name: api_client_for(users[name])


def snapshot_of_b(actor_b):
    """B's updates as stored, and their history, in a comparable form."""
    updates = list(ProgressUpdate.objects.filter(actor=actor_b).order_by("pk").values())
    history = list(
        ProgressUpdate.history.filter(actor_id=actor_b.pk).order_by("history_id").values("history_id", "id", "status")
    )
    return updates, history


def if_match(client, recommendation):
    return client.get(f"{API}/recommendations/{recommendation.code}/")["ETag"]


def perform(client, operation, world):
    u = world.updates
    body = {"status": "in_progress", "summary": "Scoping matrix."}
    if operation == "post update for A":
        tag = if_match(client, world.ethical)
        data = body | {"recommendation": world.ethical.code, "actor": "government-a"}
        return client.post(f"{API}/updates/", data, format="json", HTTP_IF_MATCH=tag)
    if operation == "post update for B":
        tag = if_match(client, world.circular)
        data = body | {"recommendation": world.circular.code, "actor": "government-b"}
        return client.post(f"{API}/updates/", data, format="json", HTTP_IF_MATCH=tag)
    if operation == "patch A's update":
        tag = if_match(client, world.centres)
        return client.patch(f"{API}/updates/{u.a_returned.pk}/", body, format="json", HTTP_IF_MATCH=tag)
    if operation == "patch B's update":
        tag = if_match(client, world.centres)
        return client.patch(f"{API}/updates/{u.b_submitted.pk}/", body, format="json", HTTP_IF_MATCH=tag)
    if operation == "patch B's approved update":
        tag = if_match(client, world.circular)
        return client.patch(f"{API}/updates/{u.b_approved.pk}/", body, format="json", HTTP_IF_MATCH=tag)
    if operation == "put B's update":
        tag = if_match(client, world.centres)
        return client.put(f"{API}/updates/{u.b_submitted.pk}/", body, format="json", HTTP_IF_MATCH=tag)
    if operation == "delete B's update":
        return client.delete(f"{API}/updates/{u.b_submitted.pk}/", HTTP_IF_MATCH=if_match(client, world.centres))
    if operation == "approve B's update":
        tag = if_match(client, world.centres)
        return client.post(f"{API}/updates/{u.b_submitted.pk}/approve/", {}, format="json", HTTP_IF_MATCH=tag)
    if operation == "return B's update":
        tag = if_match(client, world.centres)
        return client.post(f"{API}/updates/{u.b_submitted.pk}/return/", {}, format="json", HTTP_IF_MATCH=tag)
    if operation == "revoke token":
        return client.post(f"{API}/auth/token/revoke/")
    raise AssertionError(operation)


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("operation,expected", UPDATE_OPERATIONS, ids=[op for op, _ in UPDATE_OPERATIONS])
def test_only_the_allowed_writes_succeed_and_bs_data_is_untouched_by_others(
    world, client_of, actor_b, user, operation, expected
):
    client = client_of(user)
    before = snapshot_of_b(actor_b)
    response = perform(client, operation, world)
    assert response.status_code == expected[user], (user, operation, response.content)
    if response.status_code >= 400:
        assert set(response.json()) >= {"detail", "code"}
    if user in ("anonymous", "focal_a") or response.status_code >= 400:
        assert snapshot_of_b(actor_b) == before


@pytest.mark.parametrize("user", USERS)
def test_read_only_resources_refuse_every_unsafe_method(world, client_of, actor_b, user):
    client = client_of(user)
    before = snapshot_of_b(actor_b)
    recommendations = list(Recommendation.objects.order_by("pk").values())
    for endpoint in READ_ONLY:
        for url in (f"{API}/{endpoint}/", f"{API}/{endpoint}/{DETAIL[endpoint]}/", f"{API}/recommendations/summary/"):
            for method in ("post", "put", "patch", "delete"):
                response = getattr(client, method)(url, {"name": "changed", "status": "implemented"}, format="json")
                assert response.status_code == (401 if user == "anonymous" else 405), (user, method, url)
                if user == "anonymous":
                    assert response["WWW-Authenticate"] == "Token"
    assert snapshot_of_b(actor_b) == before
    assert list(Recommendation.objects.order_by("pk").values()) == recommendations


@pytest.mark.parametrize("user", USERS)
def test_a_write_that_is_refused_leaves_no_history(world, client_of, actor_b, user):
    """One request of every refused kind in a row, then B's history is compared once more."""
    before = snapshot_of_b(actor_b)
    history = ProgressUpdate.history.count(), Recommendation.history.count()
    for operation, expected in UPDATE_OPERATIONS:
        if expected[user] >= 400:
            assert perform(client_of(user), operation, world).status_code == expected[user]
    assert snapshot_of_b(actor_b) == before
    assert (ProgressUpdate.history.count(), Recommendation.history.count()) == history
