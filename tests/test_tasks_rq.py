"""The RQ backend (TASKS_BACKEND=rq, django-tasks-rq) against the real Redis that .ci/run starts:
a review e-mail waits in Redis until a real worker (django-rq's `rqworker --burst`, in this
process with rq's non-forking SimpleWorker so it sees the test database) sends it through a real
SMTP server; a failed send waits in RQ's scheduled-job registry for its retry and is not lost."""

import datetime
import signal

import django_rq
import pytest
import redis
from django.core.management import call_command
from django.utils import timezone
from django_rq.management.commands.rqworker import Command as RQWorkerCommand

from tests import test_notifications as notifications
from tests.servers import free_port
from tests.test_settings import run_manage
from tracker import services
from tracker.models import EmailNotice

# This file's own Redis database (the cache tests use 14 and 15): emptied before and after each test.
REDIS_URL = "redis://127.0.0.1:6379/13"
# Held while a test uses that database, so that two xdist workers (or two runs) take turns.
LOCK = "tests:rq:lock"

people = notifications.people  # a reviewer (rev@example.org) and a focal point (maria@example.org)


def empty(connection):
    """Delete every key of this file's Redis database except the lock."""
    keys = [key for key in connection.scan_iter() if key != LOCK.encode()]
    if keys:
        connection.delete(*keys)


@pytest.fixture
def rq_backend(settings, smtp):
    """The RQ backend on this file's Redis database, after the `smtp` fixture's immediate backend."""
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5, socket_timeout=30)
    try:
        connection.ping()
    except redis.RedisError as error:
        pytest.fail(f"no Redis answers at {REDIS_URL} ({error}): .ci/run starts one (redis-server)")
    with connection.lock(LOCK, timeout=300, blocking_timeout=300):
        empty(connection)
        settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
        settings.RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
        # django-tasks rereads TASKS when a test changes it (its setting_changed receiver).
        settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
        try:
            yield django_rq.get_queue("default")
        finally:
            empty(connection)
    connection.close()


def run_worker():
    """django-rq's rqworker until the queue is empty, with the scheduler (due retries first)."""
    # The worker installs its own SIGINT/SIGTERM handlers; give pytest its own back afterwards.
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            RQWorkerCommand(),  # the command itself: django_rq is an installed app only with TASKS_BACKEND=rq
            "default",
            "--burst",
            "--with-scheduler",
            "--worker-class",
            "rq.worker.SimpleWorker",
            verbosity=0,
        )
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def submit(api_world, focal):
    """A progress update waiting for review: its notice to the reviewer is enqueued on commit."""
    services.record_progress(api_world.ethical, user=focal, actor=focal.actor, status="stalled", summary="x")
    return EmailNotice.objects.get()


@pytest.mark.django_db(transaction=True)
def test_the_rq_worker_sends_the_notice_from_redis(rq_backend, smtp, people, api_world):
    reviewer, focal = people
    notice = submit(api_world, focal)
    assert (notice.state, notice.attempts) == ("pending", 0)
    assert rq_backend.count == 1 and smtp.messages == []  # waiting in Redis, not sent in the request
    [job] = rq_backend.get_jobs()
    assert job.func_name == "tracker.notifications.tasks.send_notice" and list(job.args) == [notice.pk]

    run_worker()

    notice.refresh_from_db()
    assert (notice.state, notice.attempts, notice.last_error) == ("sent", 1, "")
    assert notice.sent_at is not None
    [to_reviewer] = smtp.to("rev@example.org")
    assert [rcpts for rcpts, _message in smtp.messages] == [["rev@example.org"]]
    assert to_reviewer["Subject"] == notice.subject
    assert api_world.ethical.code in notice.subject and "waiting for review" in notice.subject
    assert rq_backend.count == 0 and rq_backend.finished_job_registry.get_job_ids() == [job.id]


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_is_scheduled_again_in_redis_and_sent_when_due(rq_backend, smtp, settings, people, api_world):
    reviewer, focal = people
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = free_port(), 5  # the first attempt finds no server
    notice = submit(api_world, focal)
    before = timezone.now()

    run_worker()

    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("failed", 1)
    assert "Connection" in notice.last_error
    assert smtp.messages == []
    # The retry is a job of its own in RQ's scheduled registry, due after the first delay (60 s).
    scheduled = rq_backend.scheduled_job_registry
    [retry_id] = scheduled.get_job_ids()
    retry = rq_backend.fetch_job(retry_id)
    assert retry.func_name == "tracker.notifications.tasks.send_notice" and list(retry.args) == [notice.pk]
    assert scheduled.get_scheduled_time(retry_id) >= before + datetime.timedelta(seconds=59)
    assert rq_backend.count == 0

    run_worker()  # not due yet: the worker leaves it scheduled, and the notice as it was
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("failed", 1)
    assert scheduled.get_job_ids() == [retry_id] and smtp.messages == []

    settings.EMAIL_PORT = port
    scheduled.schedule(retry, timezone.now())  # the retry's time has come
    run_worker()

    notice.refresh_from_db()
    assert (notice.state, notice.attempts, notice.last_error) == ("sent", 2, "")
    assert [rcpts for rcpts, _message in smtp.messages] == [["rev@example.org"]]
    assert smtp.messages[0][1]["Subject"] == notice.subject
    assert scheduled.get_job_ids() == [] and rq_backend.count == 0


def test_production_settings_with_the_rq_backend_pass_the_deployment_checklist():
    # The backend's own checks too: django_rq installed (only with TASKS_BACKEND=rq), its queue configured.
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "k3J9#xP2!qLm8@vR5&tY7*wZ1^nB4%cF6$hD0(gS-aE_uI+oQ=",
            "DJANGO_ALLOWED_HOSTS": "tracker.example.org",
            "TASKS_BACKEND": "rq",
            "TASKS_REDIS_URL": "redis://redis.internal:6379/2",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.TASKS['default']['BACKEND'], settings.RQ_QUEUES['default'])",
        env_overrides={"DJANGO_SECRET_KEY": "x" * 50, "TASKS_BACKEND": "rq", "TASKS_REDIS_URL": "redis://h:6379/2"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("django_tasks_rq.RQBackend {'URL': 'redis://h:6379/2'}")
