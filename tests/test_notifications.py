"""E-mail on every step of the review, through a real SMTP server started by the test (aiosmtpd)
and Django's SMTP backend: submitted → the secretariat's reviewers; approved, returned (with the
reason) → the reporter. A failing SMTP server never loses the decision; the notice stays failed,
with its error, for the admin and the retry."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.servers import free_port
from tracker import services
from tracker.models import EmailNotice, ProgressUpdate

API = "/api/v1"


@pytest.fixture
def people(make_user, secretariat_actor, actor_a):
    from tracker import roles

    reviewer = make_user("reviewer", groups=[roles.SECRETARIAT], actor=secretariat_actor, email="rev@example.org")
    make_user("quiet", groups=[roles.SECRETARIAT], actor=secretariat_actor, email="")  # no address: not told
    make_user("gone", groups=[roles.SECRETARIAT], actor=secretariat_actor, email="gone@example.org", is_active=False)
    focal = make_user("maria", groups=[roles.FOCAL_POINT], actor=actor_a, email="maria@example.org")
    return reviewer, focal


def submit(api_client_for, focal, recommendation):
    response = api_client_for(focal).post(
        f"{API}/updates/",
        {"recommendation": recommendation.code, "status": "in_progress", "summary": "Study commissioned."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return ProgressUpdate.objects.get(pk=response.json()["id"])


@pytest.mark.django_db(transaction=True)
def test_submit_approve_and_return_each_send_their_email(smtp, people, api_world, api_client_for):
    reviewer, focal = people
    recommendation = api_world.ethical
    update = submit(api_client_for, focal, recommendation)
    [to_reviewer] = smtp.to("rev@example.org")
    assert smtp.to("gone@example.org") == [] and len(smtp.messages) == 1
    assert recommendation.code in to_reviewer["Subject"] and "waiting for review" in to_reviewer["Subject"]
    body = to_reviewer.get_content()
    assert "Study commissioned." in body and recommendation.text in body
    assert f"/admin/tracker/progressupdate/{update.pk}/review/" in body  # straight to Approve / Return

    reviewer_client = api_client_for(reviewer)
    url = f"{API}/updates/{update.pk}/"
    returned = reviewer_client.post(
        f"{url}return/",
        {"note": "Please add the evidence link."},
        format="json",
        HTTP_IF_MATCH=reviewer_client.get(url)["ETag"],
    )
    assert returned.status_code == 200
    [to_focal] = smtp.to("maria@example.org")
    assert "returned for revision" in to_focal["Subject"]
    assert "Please add the evidence link." in to_focal.get_content()

    focal_client = api_client_for(focal)
    revised = focal_client.patch(
        url, {"evidence_url": "https://example.org/study.pdf"}, format="json", HTTP_IF_MATCH=returned["ETag"]
    )
    assert revised.status_code == 200
    assert len(smtp.to("rev@example.org")) == 2  # back in the reviewers' queue

    approved = reviewer_client.post(f"{url}approve/", {}, format="json", HTTP_IF_MATCH=revised["ETag"])
    assert approved.status_code == 200
    to_focal = smtp.to("maria@example.org")
    assert len(to_focal) == 2 and "approved" in to_focal[-1]["Subject"]
    assert recommendation.get_absolute_url() in to_focal[-1].get_content()
    assert set(EmailNotice.objects.values_list("state", flat=True)) == {"sent"}


@pytest.mark.django_db(transaction=True)
def test_a_failing_smtp_server_never_loses_the_decision(settings, people, api_world, secretariat_user):
    reviewer, focal = people
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2  # nothing listens
    update = services.record_progress(
        api_world.ethical, user=focal, actor=focal.actor, status="implemented", summary="Done."
    )
    services.approve_update(update, user=reviewer)
    update.refresh_from_db()
    assert update.review_state == "approved"
    notices = list(EmailNotice.objects.order_by("pk"))
    assert [n.event for n in notices] == ["submitted", "approved"]
    # The immediate backend cannot defer a retry: the notice is kept, failed, with its error.
    assert all(n.state == "gave_up" and n.attempts == 1 and "Connection" in n.last_error for n in notices)


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_sends_from_the_worker_and_retries_a_failure_later(settings, smtp, people, api_world):
    reviewer, focal = people
    # django-tasks rereads TASKS when a test changes it (its setting_changed receiver).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # the first attempt finds no server
    services.record_progress(api_world.ethical, user=focal, actor=focal.actor, status="stalled", summary="x")
    call_command("db_worker", "--batch", verbosity=0)
    notice = EmailNotice.objects.get()
    assert (notice.state, notice.attempts) == ("failed", 1)
    assert smtp.messages == []
    settings.EMAIL_PORT = port
    DBTaskResult.objects.update(run_after=timezone.now())  # the retry's time has come
    call_command("db_worker", "--batch", verbosity=0)
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("sent", 2)
    assert [rcpts for rcpts, _message in smtp.messages] == [["rev@example.org"]]


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_sees_failed_notices_and_sends_them_again(client, smtp, settings, people, api_world):
    reviewer, focal = people
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()
    services.record_progress(api_world.ethical, user=focal, actor=focal.actor, status="stalled", summary="x")
    notice = EmailNotice.objects.get()
    assert notice.state == "gave_up"
    client.force_login(reviewer)
    listing = client.get("/admin/tracker/emailnotice/")
    assert listing.status_code == 200 and notice.subject in listing.content.decode()
    settings.EMAIL_PORT = port
    response = client.post(
        "/admin/tracker/emailnotice/", {"action": "send_again", "_selected_action": [notice.pk]}, follow=True
    )
    assert "1 notice queued again." in response.content.decode()
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("sent", 1)
    assert len(smtp.to("rev@example.org")) == 1
    client.force_login(focal)
    assert client.get("/admin/tracker/emailnotice/").status_code == 403


def test_queue_email_writes_a_keyed_notice_once_and_sends_its_headers(smtp, db, django_capture_on_commit_callbacks):
    from tracker.notifications import queue_email

    with django_capture_on_commit_callbacks(execute=True):
        first = queue_email(
            EmailNotice.Event.REMINDER,
            ["b@example.org", "a@example.org", ""],
            "Reminder",
            "Body",
            headers={"List-Unsubscribe": "<https://tracker.example.org/u/1>"},
            key="reminder:test:1",
        )
        again = queue_email(EmailNotice.Event.REMINDER, ["a@example.org"], "Reminder", "Body", key="reminder:test:1")
    assert first is not None and again is None
    assert first.recipient_list == ["a@example.org", "b@example.org"]
    ((rcpts, message),) = smtp.messages
    assert rcpts == ["a@example.org", "b@example.org"]
    assert message["List-Unsubscribe"] == "<https://tracker.example.org/u/1>"
    assert queue_email(EmailNotice.Event.REMINDER, [""], "Nobody", "Body") is None
