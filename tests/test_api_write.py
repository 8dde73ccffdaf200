"""Writing through the API: tokens and sessions, what focal points and the secretariat may
record, review, revise and delete, and the If-Match precondition on every write that changes
a recommendation. Every write goes through tracker.services."""

import datetime

import pytest
from django.utils import timezone
from django.utils.crypto import get_random_string
from knox.models import AuthToken
from rest_framework.test import APIClient

from tracker.models import ProgressUpdate, Recommendation, Status

pytestmark = pytest.mark.usefixtures("api_fast_passwords")

API = "/api/v1"


def etag(client, recommendation):
    response = client.get(f"{API}/recommendations/{recommendation.code}/")
    assert response.status_code == 200
    return response["ETag"]


def new_update(recommendation, **fields):
    return {"recommendation": recommendation.code, "status": "in_progress", "summary": "Pilot started."} | fields


@pytest.fixture
def anon(api_client_for):
    return api_client_for(None)


@pytest.fixture
def secretariat(api_client_for, secretariat_user):
    return api_client_for(secretariat_user)


@pytest.fixture
def focal_a_client(api_client_for, focal_a):
    return api_client_for(focal_a)


@pytest.fixture
def focal_b_client(api_client_for, focal_b):
    return api_client_for(focal_b)


# Tokens


def test_a_token_is_issued_for_a_username_and_password_and_only_its_digest_is_stored(anon, focal_a):
    response = anon.post(
        f"{API}/auth/token/", {"username": "focal_a", "password": "pw-for-tests-only-3141"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert response.json()["expiry"]
    stored = AuthToken.objects.get(user=focal_a)
    assert token not in (stored.digest, stored.token_key)
    assert len(stored.digest) == 128  # SHA-512
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(f"{API}/updates/").status_code == 200


def test_a_wrong_password_gets_no_token(anon, focal_a):
    response = anon.post(f"{API}/auth/token/", {"username": "focal_a", "password": "guess"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not AuthToken.objects.exists()


def test_repeated_wrong_passwords_lock_the_username_out_with_429(anon, focal_a):
    wrong = {"username": "focal_a", "password": "guess"}
    statuses = [anon.post(f"{API}/auth/token/", wrong, format="json").status_code for _ in range(6)]
    assert statuses[0] == 400
    assert statuses[-1] == 429
    right = {"username": "focal_a", "password": "pw-for-tests-only-3141"}
    locked = anon.post(f"{API}/auth/token/", right, format="json")
    assert locked.status_code == 429
    assert locked.json()["code"] == "throttled"
    assert int(locked["Retry-After"]) > 0
    assert not AuthToken.objects.exists()


def test_a_revoked_token_is_refused_and_the_users_other_tokens_still_work(api_token, focal_a, api_fresh_cache):
    first, second = APIClient(), APIClient()
    first.credentials(HTTP_AUTHORIZATION=f"Token {api_token(focal_a)}")
    second.credentials(HTTP_AUTHORIZATION=f"Token {api_token(focal_a)}")
    assert first.post(f"{API}/auth/token/revoke/").status_code == 204
    refused = first.get(f"{API}/updates/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    assert second.get(f"{API}/updates/").status_code == 200
    assert second.post(f"{API}/auth/token/revoke-all/").status_code == 204
    assert second.get(f"{API}/updates/").status_code == 401
    assert not AuthToken.objects.filter(user=focal_a).exists()


def test_an_expired_token_is_refused(api_token, focal_a, api_fresh_cache):
    token = api_token(focal_a)
    AuthToken.objects.filter(user=focal_a).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(f"{API}/recommendations/").status_code == 401


@pytest.mark.parametrize("header", ["Token", "Token a b", "Token not-a-token", b"Token \xe9t\xe9", "Token abc\x00def"])
def test_a_malformed_or_unknown_token_is_401_even_on_a_read(api_fresh_cache, db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.decode("latin-1") if isinstance(header, bytes) else header)
    response = client.get(f"{API}/recommendations/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_an_admin_session_writes_with_its_csrf_token(api_world, focal_a, api_fresh_cache):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(focal_a)
    body = new_update(api_world.ethical)
    assert client.post(f"{API}/updates/", body, format="json").status_code == 403  # no CSRF token
    csrf = get_random_string(32)  # a CSRF secret, as Django sets in the csrftoken cookie
    client.cookies["csrftoken"] = csrf
    response = client.post(f"{API}/updates/", body, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201, response.json()


# What a focal point records


def test_a_focal_points_update_arrives_submitted_for_its_own_actor_and_changes_nothing_public(
    api_world, focal_a_client, actor_a
):
    before = Recommendation.objects.get(pk=api_world.centres.pk)
    response = focal_a_client.post(f"{API}/updates/", new_update(api_world.centres), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["review_state"] == "submitted"
    assert body["actor"]["slug"] == actor_a.slug
    assert response["Location"] == body["url"]
    update = ProgressUpdate.objects.get(pk=body["id"])
    assert (update.recorded_by.username, update.review_state) == ("focal_a", ProgressUpdate.ReviewState.SUBMITTED)
    after = Recommendation.objects.get(pk=api_world.centres.pk)
    assert after.status == before.status
    assert response["ETag"].startswith(f'"{after.version}-')
    assert update.pk not in [row["id"] for row in APIClient().get(f"{API}/updates/").json()["results"]]


def test_a_focal_point_naming_another_actor_is_refused_and_nothing_is_recorded(api_world, focal_a_client):
    count = ProgressUpdate.objects.count()
    response = focal_a_client.post(
        f"{API}/updates/", new_update(api_world.centres, actor="government-b"), format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert ProgressUpdate.objects.count() == count


def test_a_focal_point_may_name_its_own_actor_and_send_if_match(api_world, focal_a_client, secretariat):
    tag = etag(focal_a_client, api_world.centres)
    body = new_update(api_world.centres, actor="government-a", reported_on="2010-01-31")
    response = focal_a_client.post(f"{API}/updates/", body, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 201
    assert response.json()["reported_on"] == "2010-01-31"
    # A submission is private: the recommendation's version did not move, the same tag still holds.
    again = focal_a_client.post(f"{API}/updates/", body, format="json", HTTP_IF_MATCH=tag)
    assert again.status_code == 201
    # Something public (the secretariat's approved update) makes the tag stale.
    assert secretariat.post(f"{API}/updates/", new_update(api_world.centres), format="json", HTTP_IF_MATCH=tag)
    stale = focal_a_client.post(f"{API}/updates/", body, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412


@pytest.mark.parametrize(
    "body,names",
    [
        ({"status": "done"}, ["status"]),
        ({"summary": ""}, ["summary"]),
        ({"recommendation": "NO-SUCH-CODE"}, ["recommendation"]),
        ({"evidence_url": "not a url"}, ["evidence_url"]),
        ({"reported_on": "soon"}, ["reported_on"]),
        ({"actor": "nobody"}, ["actor"]),
        ({"source_document": "nothing"}, ["source_document"]),
        ({"recommendation": "GFMD\x00"}, ["recommendation"]),
        ({"actor": "a\x00", "source_document": ["x"]}, ["actor", "source_document"]),
    ],
)
def test_an_invalid_update_is_400_naming_each_field(api_world, focal_a_client, body, names):
    response = focal_a_client.post(f"{API}/updates/", new_update(api_world.centres) | body, format="json")
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == names


def test_a_body_that_is_not_json_is_415(api_world, focal_a_client):
    response = focal_a_client.post(f"{API}/updates/", "status=in_progress", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_a_staff_user_without_a_reporting_role_may_read_but_not_write(api_world, api_client_for, make_user, actor_a):
    client = api_client_for(make_user("viewer", actor=actor_a))
    assert client.get(f"{API}/updates/").status_code == 200
    assert client.post(f"{API}/updates/", new_update(api_world.ethical), format="json").status_code == 403


# What the secretariat records: approved at once, so it needs If-Match.


def test_the_secretariats_update_needs_if_match_and_is_approved_at_once(api_world, secretariat):
    count = ProgressUpdate.objects.count()
    body = new_update(api_world.data, actor="government-b", status="implemented")
    missing = secretariat.post(f"{API}/updates/", body, format="json")
    assert missing.status_code == 428
    assert missing.json()["code"] == "precondition_required"
    assert ProgressUpdate.objects.count() == count

    tag = etag(secretariat, api_world.data)
    response = secretariat.post(f"{API}/updates/", body, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 201, response.json()
    assert response.json()["review_state"] == "approved"
    assert response.json()["actor"]["slug"] == "government-b"
    data = Recommendation.objects.get(pk=api_world.data.pk)
    assert data.status == Status.IMPLEMENTED
    assert data.version == api_world.data.version + 1
    assert etag(secretariat, data).startswith(f'"{data.version}-')
    # The write answers with the new update's ETag, which a revision of it then sends.
    assert response["ETag"].startswith(f'"{response.json()["version"]}-')
    assert response["ETag"] == secretariat.get(response["Location"])["ETag"]


def test_a_stale_if_match_is_412_and_records_nothing(api_world, secretariat):
    tag = etag(secretariat, api_world.data)
    body = new_update(api_world.data)
    assert secretariat.post(f"{API}/updates/", body, format="json", HTTP_IF_MATCH=tag).status_code == 201
    count = ProgressUpdate.objects.count()
    stale = secretariat.post(f"{API}/updates/", body | {"status": "stalled"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert ProgressUpdate.objects.count() == count
    assert Recommendation.objects.get(pk=api_world.data.pk).status == Status.IN_PROGRESS


@pytest.mark.parametrize("header,status_code", [("*", 428), ('W/"1-abc"', 412), ('"1-abc", "2-def"', 412), ("1", 412)])
def test_an_if_match_that_protects_nothing_is_refused(api_world, secretariat, header, status_code):
    response = secretariat.post(f"{API}/updates/", new_update(api_world.data), format="json", HTTP_IF_MATCH=header)
    assert response.status_code == status_code


def test_if_match_may_carry_just_the_version(api_world, secretariat):
    version = secretariat.get(f"{API}/recommendations/{api_world.data.code}/").json()["version"]
    response = secretariat.post(
        f"{API}/updates/", new_update(api_world.data), format="json", HTTP_IF_MATCH=f'"{version}"'
    )
    assert response.status_code == 201


# Review


def test_the_secretariat_approves_a_submitted_update_with_if_match(api_world, secretariat, focal_b, api_client_for):
    update = api_world.updates.b_submitted
    url = f"{API}/updates/{update.pk}/approve/"
    assert secretariat.post(url, {}, format="json").status_code == 428
    update_etag = secretariat.get(f"{API}/updates/{update.pk}/")["ETag"]
    # The update's ETag carries the update's own version.
    assert update_etag.startswith(f'"{update.version}-')
    before = Recommendation.objects.get(pk=api_world.centres.pk)
    response = secretariat.post(url, {"note": "Thanks"}, format="json", HTTP_IF_MATCH=update_etag)
    assert response.status_code == 200, response.json()
    assert response.json()["review_state"] == "approved"
    assert response.json()["version"] == update.version + 1
    assert response["ETag"].startswith(f'"{update.version + 1}-')
    centres = Recommendation.objects.get(pk=api_world.centres.pk)
    assert centres.status == Status.STALLED
    # Approval is public: the recommendation's version and updated_at move.
    assert centres.version == before.version + 1
    assert centres.updated_at > before.updated_at
    again = secretariat.post(url, {}, format="json", HTTP_IF_MATCH=response["ETag"])
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    assert api_client_for(focal_b).get(f"{API}/updates/{update.pk}/").json()["review_note"] == "Thanks"


def test_approving_with_a_stale_if_match_is_412(api_world, secretariat, focal_b_client):
    url = f"{API}/updates/{api_world.updates.b_submitted.pk}/"
    tag = secretariat.get(url)["ETag"]
    # The focal point revises its submission after the reviewer read it.
    revised = focal_b_client.patch(url, {"summary": "Revised"}, format="json", HTTP_IF_MATCH=tag)
    assert revised.status_code == 200, revised.json()
    response = secretariat.post(f"{url}approve/", {}, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 412
    assert ProgressUpdate.objects.get(pk=api_world.updates.b_submitted.pk).review_state == "submitted"


def test_returning_an_update_needs_no_if_match_and_keeps_it_private(api_world, secretariat):
    update = api_world.updates.b_submitted
    response = secretariat.post(f"{API}/updates/{update.pk}/return/", {"note": "Evidence?"}, format="json")
    assert response.status_code == 200
    assert response.json()["review_state"] == "returned"
    assert APIClient().get(f"{API}/updates/{update.pk}/").status_code == 404
    assert Recommendation.objects.get(pk=api_world.centres.pk).status == Status.NO_INFORMATION


# Revise and delete


def test_a_focal_point_revises_its_returned_update_which_goes_back_to_review(api_world, focal_a_client):
    update = api_world.updates.a_returned
    url, body = f"{API}/updates/{update.pk}/", {"summary": "Now with evidence.", "status": "in_progress"}
    assert focal_a_client.patch(url, body, format="json").status_code == 428  # every revision needs If-Match
    tag = focal_a_client.get(url)["ETag"]
    response = focal_a_client.patch(url, body, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 200, response.json()
    assert (response.json()["review_state"], response.json()["summary"]) == ("submitted", "Now with evidence.")


def test_a_focal_point_may_not_revise_an_approved_update(api_world, focal_a_client):
    update = api_world.updates.ethical_2009
    response = focal_a_client.patch(
        f"{API}/updates/{update.pk}/",
        {"summary": "x"},
        format="json",
        HTTP_IF_MATCH=etag(focal_a_client, api_world.ethical),
    )
    assert response.status_code == 403
    assert ProgressUpdate.objects.get(pk=update.pk).summary == "Summary"


def test_revising_an_approved_update_needs_if_match_and_recomputes_the_status(api_world, secretariat):
    url = f"{API}/updates/{api_world.updates.ethical_2009.pk}/"
    assert secretariat.patch(url, {"status": "stalled"}, format="json").status_code == 428
    response = secretariat.patch(
        url, {"status": "stalled"}, format="json", HTTP_IF_MATCH=etag(secretariat, api_world.ethical)
    )
    assert response.status_code == 200
    assert Recommendation.objects.get(pk=api_world.ethical.pk).status == Status.STALLED


@pytest.mark.parametrize("field", ["actor", "recommendation", "review_state"])
def test_a_revision_cannot_move_an_update_to_another_actor_or_recommendation_or_review_it(
    api_world, focal_a_client, field
):
    update = api_world.updates.a_returned
    response = focal_a_client.patch(f"{API}/updates/{update.pk}/", {field: "government-b"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert ProgressUpdate.objects.get(pk=update.pk).actor.slug == "government-a"


def test_put_is_not_allowed(api_world, secretariat):
    update = api_world.updates.a_returned
    assert secretariat.put(f"{API}/updates/{update.pk}/", {}, format="json").status_code == 405


def test_the_secretariat_deletes_an_approved_update_with_if_match(api_world, secretariat):
    update = api_world.updates.ethical_2009
    url = f"{API}/updates/{update.pk}/"
    assert secretariat.delete(url).status_code == 428
    assert secretariat.delete(url, HTTP_IF_MATCH=etag(secretariat, api_world.ethical)).status_code == 204
    assert not ProgressUpdate.objects.filter(pk=update.pk).exists()
    assert Recommendation.objects.get(pk=api_world.ethical.pk).status == Status.IN_PROGRESS


def test_anonymous_writes_are_401_with_a_token_challenge(api_world, anon):
    update = api_world.updates.b_submitted
    for response in (
        anon.post(f"{API}/updates/", new_update(api_world.ethical), format="json"),
        anon.patch(f"{API}/updates/{update.pk}/", {"summary": "x"}, format="json"),
        anon.delete(f"{API}/updates/{update.pk}/"),
        anon.post(f"{API}/updates/{update.pk}/approve/", {}, format="json"),
    ):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert response.json()["code"] == "not_authenticated"


def test_refused_and_stale_writes_leave_an_audit_line(api_world, focal_a_client, secretariat, audit_log):
    focal_a_client.post(f"{API}/updates/", new_update(api_world.centres, actor="government-b"), format="json")
    stale = '"1-0"' if api_world.data.version != 1 else '"99"'
    secretariat.post(f"{API}/updates/", new_update(api_world.data), format="json", HTTP_IF_MATCH=stale)
    records = audit_log.records()
    assert [record["event"] for record in records] == ["forbidden", "stale_write"]
    assert (records[0]["user"], records[0]["route"], records[0]["method"]) == ("focal_a", f"{API}/updates/", "POST")
    assert records[1]["user"] == "secretariat"


def test_two_revisions_from_the_same_read_do_not_overwrite_each_other(api_world, focal_a_client):
    url = f"{API}/updates/{api_world.updates.a_returned.pk}/"
    tag = focal_a_client.get(url)["ETag"]
    assert focal_a_client.patch(url, {"summary": "First"}, format="json", HTTP_IF_MATCH=tag).status_code == 200
    assert focal_a_client.patch(url, {"summary": "Second"}, format="json", HTTP_IF_MATCH=tag).status_code == 412
    assert ProgressUpdate.objects.get(pk=api_world.updates.a_returned.pk).summary == "First"
