"""/api/v1/webhooks/: the secretariat registers, lists, changes and deletes webhook endpoints and
reads the log of their deliveries; the generated secret is returned once, in the 201; nobody else
gets in (401 anonymous, 403 with another token); refusals are 400s in the API's error format.
Answers are checked against the OpenAPI schema by Schemathesis, in process."""

import base64

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from migration_dialogues.wsgi import application
from tests.webhook_receiver import network_log, webhook_receiver
from tracker import services
from tracker.models import WebhookDelivery, WebhookEndpoint
from tracker.webhooks import services as webhooks

pytestmark = pytest.mark.usefixtures("api_fast_passwords")

API = "/api/v1"
WEBHOOKS = f"{API}/webhooks/"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def network(settings):
    settings.SITE_URL = "http://testserver"
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_ALLOWED_HOSTS = []
    with network_log() as log:
        yield log
    assert log.outside_loopback() == []


@pytest.fixture
def secretariat(api_client_for, secretariat_user):
    return api_client_for(secretariat_user)


@pytest.fixture
def receiver():
    with webhook_receiver() as receiver:
        yield receiver


def create(client, url, events=("update.approved",), **fields):
    return client.post(WEBHOOKS, {"url": url, "events": list(events), **fields}, format="json")


def test_the_secret_is_generated_by_the_server_and_returned_once(secretariat, receiver, secretariat_user):
    response = create(secretariat, receiver.url(), ["update.approved", "cycle.opened"], description="BI")
    assert response.status_code == 201, response.json()
    body = response.json()
    secret = body["secret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret.removeprefix("whsec_"))) >= 24
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == secret and endpoint.created_by == secretariat_user
    assert response["Location"] == f"http://testserver{WEBHOOKS}{endpoint.pk}/"
    assert response["Cache-Control"] == "no-store"
    assert {key: body[key] for key in ("id", "url", "description", "events", "is_active", "created_by")} == {
        "id": endpoint.pk,
        "url": receiver.url(),
        "description": "BI",
        "events": ["update.approved", "cycle.opened"],
        "is_active": True,
        "created_by": "secretariat",
    }
    assert body["deliveries_url"] == f"http://testserver{WEBHOOKS}{endpoint.pk}/deliveries/"
    for url in (WEBHOOKS, f"{WEBHOOKS}{endpoint.pk}/"):
        later = secretariat.get(url)
        assert later.status_code == 200 and secret not in later.content.decode() and "secret" not in later.json()
    # A second registration gets a secret of its own.
    assert create(secretariat, receiver.url("/two")).json()["secret"] != secret


def test_only_the_secretariat_may_manage_webhooks(api_client_for, focal_a, secretariat, receiver):
    endpoint_id = create(secretariat, receiver.url()).json()["id"]
    focal, anonymous = api_client_for(focal_a), api_client_for(None)
    calls = [
        ("get", WEBHOOKS, None),
        ("post", WEBHOOKS, {"url": receiver.url(), "events": ["update.approved"]}),
        ("get", f"{WEBHOOKS}{endpoint_id}/", None),
        ("patch", f"{WEBHOOKS}{endpoint_id}/", {"is_active": False}),
        ("delete", f"{WEBHOOKS}{endpoint_id}/", None),
        ("get", f"{WEBHOOKS}{endpoint_id}/deliveries/", None),
    ]
    for method, url, data in calls:
        refused = getattr(focal, method)(url, data, format="json")
        assert refused.status_code == 403, (method, url)
        assert refused.json() == {"detail": "Only the secretariat may manage webhooks.", "code": "permission_denied"}
        assert getattr(anonymous, method)(url, data, format="json").status_code == 401, (method, url)
    assert WebhookEndpoint.objects.get().is_active


@pytest.mark.parametrize(
    "body,errors",
    [
        ({"url": "https://hooks.example.org/", "events": ["update.approved", "everything"]}, ["events.1"]),
        ({"url": "https://hooks.example.org/", "events": []}, ["events"]),
        ({"url": "not a url", "events": ["update.approved"]}, ["url"]),
        ({"url": "https://10.0.0.1/", "events": ["update.approved"]}, ["url"]),
        ({"url": "https://hooks.example.org/", "events": ["cycle.closed"], "secret": "whsec_mine"}, ["secret"]),
        ({"events": ["cycle.closed"]}, ["url"]),
    ],
)
def test_refused_registrations_name_each_field(settings, network, secretariat, body, errors):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    settings.WEBHOOKS_ALLOWED_HOSTS = ["hooks.example.org", "10.0.0.1"]  # no lookup of a name in this test
    response = secretariat.post(WEBHOOKS, body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid" and list(response.json()["errors"]) == errors
    assert not WebhookEndpoint.objects.exists()
    assert network.connects() == [] and "hooks.example.org" not in network.lookups()


def test_a_private_address_is_refused_in_production_with_the_reason(settings, secretariat):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    response = create(secretariat, "https://169.254.169.254/latest/meta-data/")
    assert response.status_code == 400
    [message] = response.json()["errors"]["url"]
    assert "169.254.169.254, a link-local address" in message and "WEBHOOKS_ALLOW_PRIVATE" in message


def test_an_endpoint_is_changed_disabled_re_enabled_and_deleted(settings, secretariat, receiver):
    endpoint_id = create(secretariat, receiver.url()).json()["id"]
    url = f"{WEBHOOKS}{endpoint_id}/"
    changed = secretariat.patch(
        url, {"events": ["cycle.closed", "update.approved"], "description": "New"}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["events"] == ["update.approved", "cycle.closed"] and changed.json()["description"] == "New"
    disabled = secretariat.patch(url, {"is_active": False}, format="json").json()
    assert disabled["is_active"] is False and disabled["disabled_reason"] == "Disabled by secretariat."
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(consecutive_failures=7)
    enabled = secretariat.patch(url, {"is_active": True}, format="json").json()
    assert enabled["is_active"] is True and enabled["consecutive_failures"] == 0 and enabled["disabled_at"] is None
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    moved = secretariat.patch(url, {"url": "https://[::1]:8443/hook"}, format="json")
    assert moved.status_code == 400 and list(moved.json()["errors"]) == ["url"]
    assert WebhookEndpoint.objects.get().url == receiver.url()
    assert secretariat.put(url, {"url": receiver.url()}, format="json").status_code == 405
    assert secretariat.delete(url).status_code == 204
    assert secretariat.get(url).status_code == 404 and not WebhookEndpoint.objects.exists()


def test_the_deliveries_are_listed_newest_first_and_paginated(
    secretariat, secretariat_user, receiver, api_world, django_capture_on_commit_callbacks
):
    endpoint_id = create(secretariat, receiver.url(), ["recommendation.changed"]).json()["id"]
    receiver.fail(1)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            WebhookEndpoint.objects.update(is_active=True)
            services.save_recommendation(api_world.data, user=secretariat_user, changed_fields=["text"])
    response = secretariat.get(f"{WEBHOOKS}{endpoint_id}/deliveries/?page_size=1")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["next"] and body["previous"] is None
    [latest] = body["results"]
    first = WebhookDelivery.objects.order_by("pk").first()
    assert latest["id"] != first.pk and latest["state"] == "succeeded" and latest["last_status_code"] == 200
    assert latest["payload"]["type"] == "recommendation.changed" and latest["message_id"].startswith("msg_")
    older = secretariat.get(body["next"]).json()["results"][0]
    assert (older["id"], older["state"], older["last_status_code"]) == (first.pk, "gave_up", 500)
    assert older["response_excerpt"].startswith("failing on purpose") and len(older["response_excerpt"]) == 500


@pytest.mark.parametrize("path", ["", "{id}/deliveries/"])
def test_the_lists_run_the_same_queries_whatever_their_length(
    path, secretariat, secretariat_user, django_assert_num_queries
):
    for size in (2, 7):
        while WebhookEndpoint.objects.count() < size:
            webhooks.register_endpoint(user=secretariat_user, url="https://127.0.0.1/hook", events=["cycle.opened"])
        first = WebhookEndpoint.objects.order_by("pk").first()
        while first.deliveries.count() < size:
            webhooks.queue_delivery(first, "cycle.opened", {"slug": "x"})
        # The token with its user; the user's other tokens; the user's groups (its role); then
        # COUNT and the page (endpoints with their creator), or the endpoint, COUNT and the page.
        with django_assert_num_queries(5 if path == "" else 6):
            response = secretariat.get(WEBHOOKS + path.format(id=first.pk))
        assert response.status_code == 200 and response.json()["count"] == size


@pytest.fixture
def keep_the_test_transaction():
    """As in test_api_schemathesis.py: requests go to the WSGI application itself."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_every_answer_keeps_the_promises_of_the_schema(
    keep_the_test_transaction, api_fresh_cache, api_token, secretariat_user, focal_a, receiver
):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    secretariat = {"Authorization": f"Token {api_token(secretariat_user)}"}
    focal = {"Authorization": f"Token {api_token(focal_a)}"}
    created = schema["/api/v1/webhooks/"]["POST"].Case(
        body={"url": receiver.url(), "events": ["update.approved"]}, headers=secretariat
    )
    response = created.call_and_validate(checks=CHECKS)
    assert response.status_code == 201
    endpoint_id = response.json()["id"]
    calls = [
        ("/api/v1/webhooks/", "GET", {}, secretariat, None, 200),
        ("/api/v1/webhooks/", "GET", {}, focal, None, 403),
        ("/api/v1/webhooks/", "GET", {}, {}, None, 401),
        ("/api/v1/webhooks/", "POST", {}, secretariat, {"url": "ftp://x/", "events": ["nothing"]}, 400),
        ("/api/v1/webhooks/{id}/", "GET", {"id": endpoint_id}, secretariat, None, 200),
        ("/api/v1/webhooks/{id}/", "PATCH", {"id": endpoint_id}, secretariat, {"is_active": False}, 200),
        ("/api/v1/webhooks/{id}/deliveries/", "GET", {"id": endpoint_id}, secretariat, None, 200),
        ("/api/v1/webhooks/{id}/deliveries/", "GET", {"id": endpoint_id}, focal, None, 403),
        ("/api/v1/webhooks/{id}/", "DELETE", {"id": endpoint_id}, secretariat, None, 204),
        ("/api/v1/webhooks/{id}/", "GET", {"id": endpoint_id}, secretariat, None, 404),
    ]
    for path, method, path_parameters, headers, body, expected in calls:
        kwargs = {"path_parameters": path_parameters, "headers": headers}
        if body is not None:
            kwargs["body"] = body
        case = schema[path][method].Case(**kwargs)
        assert case.call_and_validate(checks=CHECKS).status_code == expected, (method, path)
