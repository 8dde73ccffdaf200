"""Faults: while the database is away the app answers 503 with Retry-After (a generic page, or the
API's JSON error), never a traceback, and it recovers by itself when the database is back; a write
interrupted by a database error leaves nothing half-written (docs/operations.md)."""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, connections
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from tests.servers import gunicorn, http, production_env
from tracker import services
from tracker.http.middleware import DatabaseUnavailableMiddleware
from tracker.models import Actor, Forum, Process, ProgressUpdate, Recommendation, User

BASE_DIR = Path(settings.BASE_DIR)
OUTAGE_MESSAGE = 'connection to server at "127.0.0.1", port 5432 failed: Connection refused'


@contextlib.contextmanager
def _database_refuses(error):
    """Every query raises `error`, as while PostgreSQL is stopped (undone before the db fixture's
    teardown, which needs the connection)."""
    wrapper = connections["default"]

    def refuse(*args, **kwargs):
        raise error

    wrapper._cursor = refuse
    try:
        yield
    finally:
        del wrapper._cursor


@pytest.fixture
def database_down(db):
    with _database_refuses(OperationalError(OUTAGE_MESSAGE)):
        yield


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def _assert_generic(response):
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert "Traceback" not in body
    assert "Connection refused" not in body
    assert "OperationalError" not in body
    return body


@pytest.mark.parametrize("path", ["/", "/forums/", "/recommendations/", "/recommendations/GFMD-2007-RT1-02/"])
def test_pages_answer_503_with_a_generic_page_while_the_database_is_down(client, database_down, debug, path):
    response = client.get(path)
    body = _assert_generic(response)
    assert response["Content-Type"].startswith("text/html")
    assert "Temporarily unavailable" in body


def test_the_api_answers_503_in_its_error_format_while_the_database_is_down(client, database_down, debug):
    response = client.get("/api/v1/recommendations/")
    _assert_generic(response)
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The database is temporarily unavailable. Try again shortly.",
        "code": "service_unavailable",
    }


def test_healthz_reports_the_outage_with_503(client, database_down):
    response = client.get("/healthz")
    _assert_generic(response)
    assert response.json() == {"status": "error", "database": "unavailable"}


def test_a_connection_that_broke_is_an_outage_too(client, db):
    with _database_refuses(InterfaceError("connection already closed")):
        _assert_generic(client.get("/recommendations/"))
        assert client.get("/healthz").status_code == 503


def test_the_site_answers_again_as_soon_as_the_database_does(client, db):
    with _database_refuses(OperationalError(OUTAGE_MESSAGE)):
        assert client.get("/").status_code == 503
    assert client.get("/").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}


class _FailsBeforeAnyView:
    """A last middleware that meets the given error before the view runs."""

    error = None

    def __init__(self, get_response):
        pass

    def __call__(self, request):
        raise self.error


@pytest.mark.parametrize("error,status", [(OperationalError(OUTAGE_MESSAGE), 503), (ValueError("a bug"), 500)])
def test_an_outage_met_outside_any_view_is_a_503_and_a_bug_a_500(db, settings, monkeypatch, error, status):
    settings.DEBUG = False
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.test_faults._FailsBeforeAnyView"]
    monkeypatch.setattr(_FailsBeforeAnyView, "error", error)
    response = Client(raise_request_exception=False).get("/admin/login/")
    assert response.status_code == status
    if status == 503:
        _assert_generic(response)
    else:
        assert "Something went wrong" in response.content.decode()


def test_other_errors_are_not_disguised_as_outages():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("a bug")) is None


def test_the_error_pages_need_no_database_and_show_no_details():
    # Without the db fixture any query would raise: rendering them needs no database.
    outage = render_to_string("503.html")
    response = server_error(RequestFactory().get("/"))
    assert "Temporarily unavailable" in outage
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    for html in (outage, page):
        assert "<script" not in html and "style=" not in html and "<style" not in html  # nothing inline (CSP)


# A write interrupted between its two halves: the progress update is written, then the
# recommendation's status (tracker.services.submit_update, one transaction).


def test_a_write_interrupted_between_the_update_and_the_status_leaves_neither(
    make_recommendation, make_actor, make_user, monkeypatch
):
    actor = make_actor()
    user = make_user("secretariat", is_superuser=True, actor=actor)
    recommendation = make_recommendation()
    history = recommendation.history.count()
    reached = []

    def interrupted(rec, who):
        reached.append(ProgressUpdate.objects.filter(recommendation=rec).exists())
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "_refresh_current_status", interrupted)
    with pytest.raises(OperationalError):
        services.record_progress(recommendation, user=user, actor=actor, status="implemented", summary="Done.")
    assert reached == [True]  # the update had been written when the write broke off
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.version) == (Recommendation.Status.NO_INFORMATION, 1)
    assert not ProgressUpdate.objects.exists()
    assert not ProgressUpdate.history.exists()
    assert recommendation.history.count() == history


@pytest.fixture
def committed_recommendation(django_db_setup, django_db_blocker):
    """(recommendation, secretariat user, actor) committed for real, outside any test transaction,
    and deleted afterwards. Not transactional_db: its flush would also remove the staff groups the
    migrations create, which the tests that follow rely on."""
    with django_db_blocker.unblock():
        process = Process.objects.create(slug=f"p-{uuid.uuid4().hex}", name="Process", kind="global_forum")
        forum = Forum.objects.create(slug=f"f-{uuid.uuid4().hex}", process=process, title="Forum")
        recommendation = Recommendation.objects.create(code=f"FAULT-{uuid.uuid4().hex[:8]}", forum=forum, text="T")
        actor = Actor.objects.create(slug=f"a-{uuid.uuid4().hex}", name="Actor", kind="secretariat")
        user = User.objects.create_user(f"u-{uuid.uuid4().hex}", is_superuser=True, is_staff=True, actor=actor)
        try:
            yield recommendation, user, actor
        finally:
            connection.close()  # in case the test left the killed one behind
            ProgressUpdate.objects.filter(recommendation=recommendation).delete()
            ProgressUpdate.history.filter(recommendation_id=recommendation.pk).delete()
            recommendation.delete()
            Recommendation.history.filter(id=recommendation.pk).delete()
            forum.delete()
            process.delete()
            user.delete()
            actor.delete()


def _terminate_backend_of(wrapper):
    """End the server process of `wrapper`'s open connection from another connection, as a database
    restart or an idle-session timeout would: the wrapper still holds the dead connection."""
    import psycopg

    pid = wrapper.connection.info.backend_pid
    params = {"dbname": wrapper.settings_dict["NAME"]}
    for key in ("USER", "PASSWORD", "HOST", "PORT"):
        if wrapper.settings_dict.get(key):
            params[key.lower()] = wrapper.settings_dict[key]
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL: it kills the connection's server process (SQLite has none to kill)",
)
def test_a_connection_killed_between_the_update_and_the_status_leaves_neither(committed_recommendation, monkeypatch):
    recommendation, user, actor = committed_recommendation
    history = recommendation.history.count()
    write_status = services._refresh_current_status
    reached = []

    def killed(rec, who):
        reached.append(ProgressUpdate.objects.filter(recommendation=rec).exists())
        _terminate_backend_of(connection)
        return write_status(rec, who)

    monkeypatch.setattr(services, "_refresh_current_status", killed)
    with pytest.raises((OperationalError, InterfaceError)):  # "terminating connection due to administrator command"
        services.record_progress(recommendation, user=user, actor=actor, status="implemented", summary="Done.")
    assert reached == [True]
    connection.close()  # the killed connection; the next query opens a new one
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.version) == (Recommendation.Status.NO_INFORMATION, 1)
    assert not ProgressUpdate.objects.exists()
    assert not ProgressUpdate.history.exists()
    assert recommendation.history.count() == history


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL: it kills the connection's server process (SQLite has none to kill)",
)
@pytest.mark.parametrize("cache_mb", [64, 0], ids=["response-cache", "no-response-cache"])
def test_a_connection_the_server_ended_is_replaced_before_a_request_uses_it(
    committed_recommendation, settings, cache_mb
):
    # Django's CONN_HEALTH_CHECKS are off (a `SELECT 1` per request): a cacheable read retries its
    # data-version read on a new connection, every other request checks the connection first.
    settings.RESPONSE_CACHE_MB = cache_mb
    recommendation, user, _actor = committed_recommendation
    staff = Client()
    staff.force_login(user)
    reads = [
        (Client(), recommendation.get_absolute_url()),  # anonymous: answered through the response cache
        (Client(), f"/api/v1/recommendations/{recommendation.code}/"),
        (staff, "/admin/tracker/recommendation/"),  # a session: never cached
    ]
    for client, path in reads:
        assert client.get(path).status_code == 200, path
        _terminate_backend_of(connection)
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
    _terminate_backend_of(connection)
    response = staff.post(
        f"/admin/tracker/recommendation/{recommendation.pk}/change/",
        {"code": recommendation.code},  # an invalid form: answered (200 with errors), nothing written
    )
    assert response.status_code == 200


# The PostgreSQL restart test: a real server process, a real outage.


def _children(pid):
    """Process ids whose parent is `pid` (gunicorn's workers), from /proc."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return found


class _Cluster:
    """The local PostgreSQL cluster, stopped and started with Debian's pg_ctlcluster."""

    def __init__(self, version, admin_params):
        self.version = version
        self.admin_params = admin_params
        self.sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]

    def _ctl(self, action, *args, check=True):
        command = [*self.sudo, "pg_ctlcluster", "--skip-systemctl-redirect", self.version, "main", action, *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=check)

    def answers(self):
        import psycopg

        try:
            psycopg.connect(**self.admin_params, connect_timeout=2).close()
        except psycopg.OperationalError:
            return False
        return True

    def stop(self):
        self._ctl("stop", "-m", "fast")

    def start(self):
        """Start the cluster and wait until it answers; try again, then fail loudly, never give up quietly."""
        for _attempt in range(3):
            self._ctl("start", check=False)  # fails harmlessly when already running
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if self.answers():
                    return
                time.sleep(0.5)
        raise RuntimeError(f"PostgreSQL {self.version}/main did not come back: start it by hand")


@pytest.fixture
def local_cluster():
    """The PostgreSQL cluster the test run talks to, when it is this machine's."""
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL restart test runs in the PostgreSQL run (DATABASE_URL=postgres://…@127.0.0.1)")
    dsn = connection.settings_dict
    if dsn["HOST"] not in ("127.0.0.1", "localhost"):
        pytest.skip(f"PostgreSQL at {dsn['HOST']} is not on this machine: the test only restarts a local server")
    versions = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(p) for p in v.split(".") if p.isdigit()])
    if not versions or not shutil.which("pg_ctlcluster"):
        pytest.skip("no Debian PostgreSQL cluster (/etc/postgresql, pg_ctlcluster) to restart")
    params = {"dbname": "postgres", "host": dsn["HOST"], "autocommit": True}
    for key in ("USER", "PASSWORD", "PORT"):
        if dsn.get(key):
            params[key.lower()] = dsn[key]
    cluster = _Cluster(versions[-1], params)
    yield cluster
    # This process's own connections died with the restart; the next test opens new ones.
    connections.close_all()


@pytest.mark.postgres_only
def test_the_app_answers_503_while_postgresql_is_down_and_recovers_without_a_restart(local_cluster, tmp_path):
    import psycopg

    name = f"fault_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**local_cluster.admin_params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    params = local_cluster.admin_params
    credentials = params.get("user", "postgres") + (f":{params['password']}" if params.get("password") else "")
    database_url = f"postgres://{credentials}@{params['host']}:{params.get('port') or 5432}/{name}"
    env = production_env(
        tmp_path,
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="600",  # persistent connections: the ones a restart breaks
    )
    try:
        for command in (["migrate", "--noinput", "-v0"], ["load_seed"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, check=True, timeout=300)
        log = tmp_path / "server.log"
        # One worker: the same process must serve before, during and after.
        with gunicorn(env, log, workers=1) as (server, base):
            paths = ["/", "/healthz", "/recommendations/", "/api/v1/recommendations/"]
            for path in paths:  # also opens the persistent connection the outage will break
                assert http(base + path)[0] == 200, path
            workers = _children(server.pid)
            assert len(workers) == 1

            outage = {}
            try:
                local_cluster.stop()
                outage = {path: http(base + path, timeout=15) for path in paths}
            finally:
                local_cluster.start()

            for path, (status, headers, body) in outage.items():
                assert status == 503, (path, status, body[:500])
                assert headers["Retry-After"] == "30", path
                assert "Traceback" not in body and "OperationalError" not in body, path
            assert json.loads(outage["/api/v1/recommendations/"][2])["code"] == "service_unavailable"
            assert json.loads(outage["/healthz"][2]) == {"status": "error", "database": "unavailable"}
            assert "Temporarily unavailable" in outage["/"][2]

            deadline = time.monotonic() + 20
            while any(http(base + path)[0] != 200 for path in paths):
                assert time.monotonic() < deadline, "no recovery within 20 s:\n" + log.read_text()
                time.sleep(0.5)
            assert server.poll() is None
            assert _children(server.pid) == workers, "gunicorn replaced its worker: that is a restart"
            assert "Traceback" not in log.read_text()
    finally:
        if not local_cluster.answers():
            local_cluster.start()
        with psycopg.connect(**local_cluster.admin_params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
