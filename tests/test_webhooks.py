"""Outbound webhooks end to end, through a real HTTP receiver started by the test on 127.0.0.1:
signed deliveries (verified with the `standardwebhooks` package) of each event with the resource's
API representation, sent only after the commit, retried with backoff on the database task
backend, the endpoint disabled after repeated failures with an e-mail to the secretariat through
a real SMTP server, and addresses inside the network refused before any connection.

Every test records the process's socket calls (audit hooks): none connects outside 127.0.0.0/8.
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from tests.webhook_receiver import certificate, network_log, webhook_receiver
from tracker import roles, services
from tracker.events import EVENT_TYPES
from tracker.models import DataVersion, EmailNotice, ProgressUpdate, WebhookDelivery, WebhookEndpoint
from tracker.webhooks import net
from tracker.webhooks import services as webhooks
from tracker.webhooks.tasks import RETRY_DELAYS

API = "/api/v1"
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def network(settings):
    """Links in payloads as the test client's (http://testserver); private addresses allowed (the
    receiver is on 127.0.0.1) unless a test says otherwise; the network calls recorded."""
    settings.SITE_URL = "http://testserver"
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_ALLOWED_HOSTS = []
    settings.WEBHOOKS_DISABLE_AFTER = 10
    with network_log() as log:
        yield log
    assert log.outside_loopback() == []


@pytest.fixture
def receiver():
    with webhook_receiver() as receiver:
        yield receiver


@pytest.fixture
def reviewer(make_user, secretariat_actor):
    return make_user("reviewer", groups=[roles.SECRETARIAT], actor=secretariat_actor, email="rev@example.org")


def register(user, url, events=EVENT_TYPES):
    return webhooks.register_endpoint(user=user, url=url, events=list(events), description="Receiver")


def verified(endpoint, request):
    """The payload of a received request, after checking its Standard Webhooks signature."""
    _path, headers, body = request
    return Webhook(endpoint.secret).verify(body, headers)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_an_approval_by_review_is_delivered_signed_with_the_updates_api_representation(
    receiver, reviewer, focal_a, api_world, api_client_for, django_capture_on_commit_callbacks
):
    endpoint = register(reviewer, receiver.url(), [EVENT_TYPES[0]])
    update = services.record_progress(
        api_world.ethical, user=focal_a, actor=focal_a.actor, status="implemented", summary="Code adopted."
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_update(update, user=reviewer, note="Thanks")
        # Written in the transaction, sent only after the commit.
        assert WebhookDelivery.objects.get().state == "pending" and receiver.requests == []
    [request] = receiver.requests
    path, headers, _body = request
    payload = verified(endpoint, request)
    assert path == "/hook" and payload["type"] == "update.approved"
    assert payload["data"] == api_client_for(None).get(f"{API}/updates/{update.pk}/").json()
    assert payload["data"]["review_state"] == "approved" and payload["data"]["review_note"] == ""
    assert datetime.datetime.fromisoformat(payload["timestamp"]).tzinfo == datetime.UTC
    delivery = WebhookDelivery.objects.get()
    assert headers["webhook-id"] == delivery.message_id and delivery.message_id.startswith("msg_")
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"].startswith("MigrationDialoguesTracker-Webhooks/")
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert delivery.response_excerpt == ("received " + "x" * 600)[:500] and delivery.latency_ms >= 0
    assert delivery.delivered_at is not None and delivery.payload == payload


def test_the_secretariats_own_update_is_approved_at_once_and_changes_the_status(
    receiver, reviewer, api_world, api_client_for, django_capture_on_commit_callbacks
):
    endpoint = register(reviewer, receiver.url(), ["update.approved", "recommendation.status_changed"])
    other = register(reviewer, receiver.url("/other"), ["recommendation.changed"])
    recommendation = api_world.data
    with django_capture_on_commit_callbacks(execute=True):
        update = services.record_progress(
            recommendation, user=reviewer, actor=reviewer.actor, status="stalled", summary="No funding."
        )
    assert update.review_state == ProgressUpdate.ReviewState.APPROVED
    payloads = [verified(endpoint, request) for request in receiver.requests]
    assert [payload["type"] for payload in payloads] == ["recommendation.status_changed", "update.approved"]
    client = api_client_for(None)
    assert payloads[0]["data"] == client.get(f"{API}/recommendations/{recommendation.code}/").json()
    assert payloads[0]["data"]["status"] == "stalled"
    assert payloads[1]["data"] == client.get(f"{API}/updates/{update.pk}/").json()
    assert not other.deliveries.exists()  # it wants another event


def test_a_change_of_a_recommendations_content_is_delivered_with_its_relations_as_saved(
    receiver, reviewer, api_world, api_client_for, make_theme, django_capture_on_commit_callbacks
):
    endpoint = register(reviewer, receiver.url(), ["recommendation.changed", "recommendation.status_changed"])
    recommendation = api_world.centres
    theme = make_theme(slug="return", name="Return and reintegration")
    recommendation.text = "Establish and fund migrant resource centres"
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        # As the admin's form and the import save: the recommendation, then its relations.
        services.save_recommendation(recommendation, user=reviewer, changed_fields=["text", "themes"])
        recommendation.themes.add(theme)
    [request] = receiver.requests
    payload = verified(endpoint, request)
    assert payload["type"] == "recommendation.changed"
    assert payload["data"]["text"] == "Establish and fund migrant resource centres"
    assert "return" in [item["slug"] for item in payload["data"]["themes"]]
    assert payload["data"] == api_client_for(None).get(f"{API}/recommendations/{recommendation.code}/").json()


def test_a_reporting_cycle_opening_and_closing_are_delivered(
    receiver, reviewer, api_world, api_client_for, django_capture_on_commit_callbacks
):
    from tracker import cycles

    endpoint = register(reviewer, receiver.url(), ["cycle.opened", "cycle.closed"])
    today = timezone.localdate()
    cycle = cycles.create_cycle(
        user=reviewer,
        name="2026 call",
        opens_on=today,
        deadline=today + datetime.timedelta(days=30),
        filters={"forum": "gfmd-2007"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        cycles.open_cycle(cycle, user=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        cycles.close_cycle(cycle, user=reviewer)
    opened, closed = (verified(endpoint, request) for request in receiver.requests)
    assert (opened["type"], opened["data"]["state"]) == ("cycle.opened", "open")
    assert opened["data"]["counts"]["total"] == 2 and opened["data"]["counts"]["approved"] == 0
    assert (closed["type"], closed["data"]["state"]) == ("cycle.closed", "closed")
    assert closed["data"] == api_client_for(None).get(f"{API}/cycles/{cycle.slug}/").json()


def test_an_import_delivers_each_changed_recommendation_with_its_imported_themes(
    client, receiver, reviewer, api_world, api_client_for, tmp_path, django_capture_on_commit_callbacks
):
    import csv
    import io

    from tracker import importing

    endpoint = register(reviewer, receiver.url(), ["recommendation.changed"])
    body = b"".join(client.get("/recommendations/?format=csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    [row] = [row for row in rows if row["code"] == api_world.data.code]
    row["themes"] = "Remittances;Labour mobility"
    path = tmp_path / "edited.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    dry = importing.import_recommendations(importing.load_dataset(path), user=reviewer, dry_run=True)
    assert dry.changed == 1 and not WebhookDelivery.objects.exists()  # a dry run sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        report = importing.import_recommendations(importing.load_dataset(path), user=reviewer)
    assert report.changed == 1, report.errors
    [request] = receiver.requests
    payload = verified(endpoint, request)
    assert payload["data"]["code"] == api_world.data.code
    assert sorted(item["slug"] for item in payload["data"]["themes"]) == ["labour-mobility", "remittances"]
    assert payload["data"] == api_client_for(None).get(f"{API}/recommendations/{api_world.data.code}/").json()


def test_endpoints_and_deliveries_leave_the_data_version_alone(receiver, reviewer, django_capture_on_commit_callbacks):
    # No public answer reads them: the response cache must not be emptied by each delivery.
    before = DataVersion.current()
    endpoint = register(reviewer, receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.send_test_event(endpoint, user=reviewer)
    assert WebhookDelivery.objects.get().state == "succeeded" and len(receiver.requests) == 1
    assert DataVersion.current() == before


def test_a_change_that_rolls_back_sends_nothing(receiver, reviewer, api_world, django_capture_on_commit_callbacks):
    register(reviewer, receiver.url())
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.record_progress(api_world.data, user=reviewer, actor=reviewer.actor, status="stalled", summary="x")
        assert WebhookDelivery.objects.count() == 2
        raise RuntimeError("rolled back")
    assert callbacks == [] and WebhookDelivery.objects.count() == 0
    assert receiver.requests == [] and receiver.connections == 0


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_sees_the_retries_with_backoff_and_the_same_message_id(
    settings, receiver, reviewer, api_world
):
    settings.TASKS = DB_BACKEND
    endpoint = register(reviewer, receiver.url(), ["recommendation.changed"])
    receiver.fail(2)
    start = timezone.now()
    with time_machine.travel(start, tick=True) as clock:
        services.save_recommendation(api_world.data, user=reviewer, changed_fields=["text"])
        run_worker()
        delivery = WebhookDelivery.objects.get()
        assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("failed", 1, 500)
        assert "failing on purpose" in delivery.response_excerpt and "500" in delivery.error
        first_retry = delivery.next_attempt_at
        assert RETRY_DELAYS[0] <= (first_retry - start).total_seconds() < RETRY_DELAYS[0] + 10
        run_worker()  # not due yet: nothing is sent
        assert len(receiver.requests) == 1
        clock.move_to(first_retry + datetime.timedelta(seconds=1))
        run_worker()
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("failed", 2)
        assert (delivery.next_attempt_at - first_retry).total_seconds() >= RETRY_DELAYS[1]
        assert WebhookEndpoint.objects.get().consecutive_failures == 2
        clock.move_to(delivery.next_attempt_at + datetime.timedelta(seconds=1))
        run_worker()
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("succeeded", 3, 200)
        assert delivery.next_attempt_at is None and delivery.error == ""
        assert WebhookEndpoint.objects.get().consecutive_failures == 0  # a success resets the count
        payloads = [verified(endpoint, request) for request in receiver.requests]
    assert len(payloads) == 3 and all(payload == payloads[0] for payload in payloads)
    assert len({headers["webhook-id"] for _path, headers, _body in receiver.requests}) == 1
    stamps = [int(headers["webhook-timestamp"]) for _path, headers, _body in receiver.requests]
    assert stamps == sorted(stamps) and stamps[-1] - stamps[0] >= RETRY_DELAYS[0] + RETRY_DELAYS[1]


def test_a_redirect_is_a_failure_and_is_not_followed(receiver, reviewer, api_world, django_capture_on_commit_callbacks):
    register(reviewer, receiver.url(), ["recommendation.changed"])
    receiver.answer_with(302, {"Location": receiver.url("/elsewhere")})
    with django_capture_on_commit_callbacks(execute=True):
        services.save_recommendation(api_world.data, user=reviewer, changed_fields=["text"])
    assert [path for path, _headers, _body in receiver.requests] == ["/hook"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.last_status_code) == ("gave_up", 302)


@pytest.mark.django_db(transaction=True)
def test_repeated_failures_disable_the_endpoint_and_tell_the_secretariat(settings, smtp, receiver, reviewer, api_world):
    settings.TASKS = DB_BACKEND
    settings.WEBHOOKS_DISABLE_AFTER = 3
    endpoint = register(reviewer, receiver.url(), ["recommendation.changed"])
    receiver.fail(100)
    for _ in range(3):
        services.save_recommendation(api_world.data, user=reviewer, changed_fields=["text"])
        run_worker()
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.consecutive_failures == 3
    assert "3 failed attempts in a row" in endpoint.disabled_reason
    assert list(WebhookDelivery.objects.values_list("state", flat=True)) == ["failed"] * 3
    run_worker()  # the e-mail notice's task
    [message] = smtp.to("rev@example.org")
    assert endpoint.url in message["Subject"] and "disabled" in message["Subject"]
    assert "3 failed attempts in a row" in message.get_content()
    assert f"/admin/tracker/webhookendpoint/{endpoint.pk}/change/" in message.get_content()
    notice = EmailNotice.objects.get(event=EmailNotice.Event.WEBHOOK_DISABLED)
    assert notice.key == f"webhook-disabled:{endpoint.pk}:{endpoint.disabled_at.isoformat()}"
    # The deliveries still waiting are not sent to a disabled endpoint.
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        run_worker()
    assert len(receiver.requests) == 3
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"gave_up"}


def test_a_delivery_that_gives_up_disables_the_endpoint(
    smtp, receiver, reviewer, api_world, django_capture_on_commit_callbacks
):
    # The immediate backend (the smtp fixture's) cannot defer a retry: the first failure gives up.
    endpoint = register(reviewer, receiver.url(), ["recommendation.changed"])
    receiver.fail(1)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_recommendation(api_world.data, user=reviewer, changed_fields=["text"])
    endpoint.refresh_from_db()
    assert WebhookDelivery.objects.get().state == "gave_up"
    assert not endpoint.is_active and "gave up after 1 attempt" in endpoint.disabled_reason
    assert len(smtp.to("rev@example.org")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.enable_endpoint(endpoint, user=reviewer)
        assert webhooks.retry_delivery(WebhookDelivery.objects.get(), user=reviewer)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("succeeded", 2) and len(receiver.requests) == 2


def test_https_deliveries_verify_the_certificate_against_the_urls_host(
    monkeypatch, tmp_path, reviewer, api_world, django_capture_on_commit_callbacks
):
    good = certificate(tmp_path / "good", "IP:127.0.0.1")
    other = certificate(tmp_path / "other", "DNS:receiver.example.org")
    # Both self-signed certificates are this test's certificate authorities.
    (tmp_path / "ca.pem").write_bytes(good[0].read_bytes() + other[0].read_bytes())
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    with webhook_receiver(tls=good) as right, webhook_receiver(tls=other) as wrong:
        trusted = register(reviewer, right.url(scheme="https"), ["recommendation.changed"])
        mismatched = register(reviewer, wrong.url(scheme="https"), ["recommendation.changed"])
        with django_capture_on_commit_callbacks(execute=True):
            services.save_recommendation(api_world.data, user=reviewer, changed_fields=["text"])
    [request] = right.requests
    assert verified(trusted, request)["type"] == "recommendation.changed"
    assert trusted.deliveries.get().state == "succeeded"
    refused = mismatched.deliveries.get()
    assert refused.state == "gave_up" and "SSLCertVerificationError" in refused.error
    assert "IP address mismatch" in refused.error and wrong.requests == []


PRIVATE = [
    "https://10.0.0.1/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/hook",
    "https://[::ffff:10.0.0.1]/hook",
    "https://[fe80::1]/hook",
    "https://0.0.0.0/hook",
    "https://224.0.0.1/hook",
    "https://100.64.0.1/hook",
    "https://127.1/hook",
    "https://localhost/hook",
]


@pytest.mark.parametrize("url", PRIVATE)
def test_registration_refuses_addresses_inside_the_network_in_production(settings, network, reviewer, url):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as refused:
        register(reviewer, url)
    assert "public addresses" in refused.value.message_dict["url"][0]
    assert network.connects() == []  # refused before any connection
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url,reason",
    [
        ("http://hooks.example.org/", "Use https"),
        ("ftp://hooks.example.org/", "Only http and https"),
        ("https://user:secret@hooks.example.org/", "credentials"),
        ("https://hooks.example.org:99999/", "not a valid URL"),
        ("https:///path-only", "no host"),
        ("https://hooks.example.org/a b", "spaces"),
    ],
)
def test_registration_refuses_other_urls_before_any_lookup(settings, network, reviewer, url, reason):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as refused:
        register(reviewer, url)
    assert reason in refused.value.message_dict["url"][0]
    assert network == []  # neither a name lookup nor a connection


def test_only_the_allowed_hosts_are_looked_up(settings, network, reviewer):
    settings.WEBHOOKS_ALLOWED_HOSTS = ["hooks.example.org"]
    with pytest.raises(ValidationError) as refused:
        register(reviewer, "https://elsewhere.example.org/")
    assert "only be sent to these hosts: hooks.example.org" in refused.value.message_dict["url"][0]
    assert network == []


def test_a_delivery_to_an_address_no_longer_allowed_is_refused_without_connecting(
    settings, network, smtp, receiver, reviewer, api_world, django_capture_on_commit_callbacks
):
    # Registered while private addresses were allowed; production mode since.
    loopback = register(reviewer, receiver.url(scheme="https"), ["recommendation.changed"])
    named = register(reviewer, receiver.url(host="localhost", scheme="https"), ["recommendation.changed"])
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    network.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.save_recommendation(api_world.data, user=reviewer, changed_fields=["text"])
    assert receiver.connections == 0 and receiver.requests == []
    assert all(port != receiver.port for _host, port, *_rest in network.connects())
    for endpoint in (loopback, named):
        delivery = endpoint.deliveries.get()
        assert delivery.state == "gave_up" and delivery.error.startswith("Refused before connecting")
        assert "loopback" in delivery.error and delivery.last_status_code is None
        endpoint.refresh_from_db()
        assert not endpoint.is_active
    assert "localhost" in network.lookups()  # the name is resolved and its addresses checked


@pytest.mark.parametrize(
    "address,kind",
    [
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "private"),
        ("100.64.0.1", "non-public"),
        ("::ffff:192.168.0.1", "private"),
        ("::ffff:8.8.8.8", None),
        ("2002:a00:1::1", "private"),
        ("64:ff9b::a9fe:a9fe", "link-local"),
        ("fc00::1", "private"),
    ],
)
def test_which_addresses_are_refused(address, kind):
    assert net.refusal(address) == kind


def test_the_secretariat_manages_endpoints_and_deliveries_in_the_admin(
    client, receiver, reviewer, focal_a, api_world, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    response = client.post(
        "/admin/tracker/webhookendpoint/add/",
        {"url": receiver.url(), "description": "Dashboard", "events": ["update.approved", "cycle.closed"]},
        follow=True,
    )
    assert response.status_code == 200, response.content
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["update.approved", "cycle.closed"] and endpoint.created_by == reviewer
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in response.content.decode()
    change = client.get(f"/admin/tracker/webhookendpoint/{endpoint.pk}/change/").content.decode()
    assert endpoint.secret not in change and 'type="checkbox"' in change
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/tracker/webhookendpoint/",
            {"action": "send_test_event", "_selected_action": [endpoint.pk]},
        )
    assert verified(endpoint, receiver.requests[0])["type"] == "webhook.test"
    log = client.get(f"/admin/tracker/webhookdelivery/?endpoint__id__exact={endpoint.pk}&state__exact=succeeded")
    assert log.status_code == 200 and "webhook.test" in log.content.decode()
    delivery = WebhookDelivery.objects.get()
    assert client.get(f"/admin/tracker/webhookdelivery/{delivery.pk}/change/").status_code == 200
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state="gave_up")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/tracker/webhookdelivery/", {"action": "retry_now", "_selected_action": [delivery.pk]}, follow=True
        )
    assert "1 delivery queued again." in response.content.decode() and len(receiver.requests) == 2
    endpoint.is_active, endpoint.disabled_reason = False, "Broken"
    endpoint.save()
    client.post("/admin/tracker/webhookendpoint/", {"action": "reenable", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.disabled_reason == ""
    refused = client.post(
        "/admin/tracker/webhookendpoint/add/", {"url": "ftp://example.org/", "events": ["cycle.opened"]}
    )
    assert "Only http and https" in refused.content.decode() and WebhookEndpoint.objects.count() == 1
    client.force_login(focal_a)
    assert client.get("/admin/tracker/webhookendpoint/").status_code == 403
    assert client.get("/admin/tracker/webhookdelivery/").status_code == 403
