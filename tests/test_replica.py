"""Reads from a PostgreSQL streaming replica (DATABASE_REPLICA_URL; tracker.models.routing).

The settings tests run everywhere. The rest start a real primary and a real streaming replica of it
(initdb, pg_basebackup -R) as the `postgres` OS user, on free ports and data directories under a
temporary directory, with every statement logged; they never touch the server on 5432. A
production-mode gunicorn serves the app with DATABASE_URL on the primary and DATABASE_REPLICA_URL on
the replica, and each test reads the two servers' logs to see which one ran which statement.
"""

import contextlib
import gzip
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.servers import BASE_DIR, free_port, gunicorn, production_env

# Settings


def _settings_of(**variables):
    """DATABASES' aliases, DATABASE_ROUTERS and whether the routing middleware is installed, as
    manage.py sees them with `variables` in the environment: (returncode, dict or stderr)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update({"DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY": "x" * 50, **variables})
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({'aliases': sorted(s.DATABASES), "
        "'routers': s.DATABASE_ROUTERS, 'middleware': 'tracker.http.routing.ReadRouting' in s.MIDDLEWARE, "
        "'replica': s.DATABASES.get('replica')}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    if result.returncode:
        return result.returncode, result.stderr
    return 0, json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_replica_nothing_is_installed():
    assert "DATABASE_REPLICA_URL" not in os.environ, "the test run itself must not be configured with a replica"
    assert set(settings.DATABASES) == {"default"}
    assert settings.DATABASE_ROUTERS == []
    assert "tracker.http.routing.ReadRouting" not in settings.MIDDLEWARE


def test_a_replica_url_adds_the_alias_the_router_and_the_middleware():
    status, found = _settings_of(
        DATABASE_URL="postgres://tracker@db1.example.org:5432/tracker",
        DATABASE_REPLICA_URL="postgres://reader:secret@db2.example.org:5433/tracker",
    )
    assert status == 0, found
    assert found["aliases"] == ["default", "replica"]
    assert found["routers"] == ["tracker.models.routing.ReplicaRouter"]
    assert found["middleware"] is True
    replica = found["replica"]
    assert (replica["HOST"], replica["PORT"], replica["USER"], replica["NAME"]) == (
        "db2.example.org",
        5433,
        "reader",
        "tracker",
    )
    assert replica["ENGINE"] == "django.db.backends.postgresql"
    assert replica["TEST"]["MIRROR"] == "default"
    assert replica["OPTIONS"]["connect_timeout"] == 2
    assert replica["CONN_HEALTH_CHECKS"] is False  # the router's check is the replica's first query


def test_a_replica_needs_postgresql_on_both_sides():
    status, stderr = _settings_of(DATABASE_REPLICA_URL="postgres://reader@db2.example.org/tracker")
    assert status != 0
    assert "DATABASE_REPLICA_URL needs PostgreSQL" in stderr


# A real primary and replica

STATEMENT = re.compile(r"^\S+ \S+ \S+ \[tracker:(?P<app>.*?)\] LOG:  (?:statement|execute [^:]*): (?P<sql>.*)$")
ADMIN_APP = "replica-test"


def _postgresql_bin():
    """The newest /usr/lib/postgresql/<version>/bin with the server's programs (Debian's layout), or None."""
    programs = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb") if p.parts[-3].isdigit()]
    found = [bin_dir for bin_dir in found if all((bin_dir / name).exists() for name in programs)]
    return max(found, key=lambda bin_dir: int(bin_dir.parts[-2]), default=None)


class Cluster:
    """One PostgreSQL server of ours: a data directory, a port, a log of every statement."""

    def __init__(self, bin_dir, as_postgres, directory, port):
        self.bin_dir, self.as_postgres, self.directory, self.port = bin_dir, as_postgres, directory, port
        self.log = directory.parent / f"{directory.name}.log"

    def run(self, program, *args):
        command = [*self.as_postgres, str(self.bin_dir / program), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{program} failed:\n{result.stdout}{result.stderr}"
        return result

    def start(self):
        self.run("pg_ctl", "-D", str(self.directory), "-l", str(self.log), "-o", f"-p {self.port}", "-w", "start")

    def stop(self):
        if (self.directory / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.directory), "-m", "immediate", "-w", "stop")

    def url(self, database="tracker"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def query(self, sql, *params, database="tracker"):
        """The first row of one statement run on a connection of our own (not logged as the app's)."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, application_name=ADMIN_APP
        ) as conn:
            conn.autocommit = True
            cursor = conn.execute(sql, params)
            return cursor.fetchone() if cursor.description else None

    def mark(self):
        return self.log.stat().st_size

    def statements(self, since, health_checks=False):
        """The app's statements on the tracker database logged after `mark()` returned `since`;
        without Django's health checks of a persistent connection ("SELECT 1") unless asked for."""
        with self.log.open("rb") as log:
            log.seek(since)
            lines = log.read().decode(errors="replace").splitlines()
        found = [m["sql"] for m in map(STATEMENT.match, lines) if m and m["app"] != ADMIN_APP]
        return found if health_checks else [sql for sql in found if sql != "SELECT 1"]


class Stack:
    """The two servers, the app's base URL and environment, a secretariat token and a recommendation's code."""

    def __init__(self, primary, replica, base, env, token, code):
        self.primary, self.replica, self.base, self.env = primary, replica, base, env
        self.token, self.code = token, code

    def caught_up(self, timeout=20):
        """Wait until the replica has replayed everything the primary has written."""
        lsn = self.primary.query("SELECT pg_current_wal_insert_lsn()::text", database="postgres")[0]
        deadline = time.monotonic() + timeout
        while not self.replica.query("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", lsn, database="postgres")[0]:
            assert time.monotonic() < deadline, f"the replica did not replay up to {lsn}"
            time.sleep(0.05)
        return lsn

    def request(self, path, method="GET", body=None, headers=None):
        """(status, headers, text) of one request, gunzipped when gzip was asked for."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json", **(headers or {})} if data else dict(headers or {})
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (127.0.0.1 only)
                status, answer, raw = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, answer, raw = error.code, error.headers, error.read()
        if answer.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        return status, answer, raw.decode()

    def write(self, summary):
        """Record an approved update through the API (tracker.services.record_progress); the answer."""
        auth = {"Authorization": f"Token {self.token}"}
        status, headers, _ = self.request(f"/api/v1/recommendations/{self.code}/", headers=auth)
        assert status == 200
        body = {"recommendation": self.code, "status": "in_progress", "summary": summary}
        status, headers, text = self.request(
            "/api/v1/updates/", "POST", body, headers={**auth, "If-Match": headers["ETag"]}
        )
        assert status == 201, text
        return headers

    def watch(self):
        """Log positions of both servers, for `ran()`."""
        return self.primary.mark(), self.replica.mark()

    def ran(self, marks):
        """(primary's statements, replica's statements) since `watch()`; all of the replica's, as the
        app makes no health check there (its first query is the router's)."""
        return self.primary.statements(marks[0]), self.replica.statements(marks[1], health_checks=True)


SEED = """
import json
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from knox.models import AuthToken
from django.contrib.auth.models import Group
from tracker import roles
from tracker.models import Actor, Forum, Process, Recommendation, User
roles.ensure_groups()
process = Process.objects.create(slug="p", acronym="P", name="Process", kind=Process.Kind.GLOBAL_FORUM)
forum = Forum.objects.create(process=process, slug="f", title="Forum", start_date="2007-07-09")
Recommendation.objects.create(forum=forum, code="REPL-1", text="Replicated recommendation", order=1)
actor = Actor.objects.create(slug="secretariat", name="Secretariat", kind=Actor.Kind.SECRETARIAT)
user = User.objects.create_user(username="secretariat", password="unused-3141", actor=actor, is_staff=True)
user.groups.add(Group.objects.get(name=roles.SECRETARIAT))
print(json.dumps({"token": AuthToken.objects.create(user)[1], "code": "REPL-1"}))
"""

ROUTES = """
import json
from django.db import router, transaction
from tracker.models import DataVersion, Recommendation, routing
found = {}
with routing.routed_reads(primary_only=False):
    DataVersion.current()
    with transaction.atomic():
        found["in_a_transaction"] = router.db_for_read(Recommendation)
        found["read_in_a_transaction"] = Recommendation.objects.all()[:1][0]._state.db
    found["after_the_version_read"] = router.db_for_read(Recommendation)
    found["read"] = Recommendation.objects.all()[:1][0]._state.db
with routing.routed_reads(primary_only=False):
    DataVersion.current()
    found["write"] = router.db_for_write(Recommendation)
    found["after_a_write"] = router.db_for_read(Recommendation)
with routing.routed_reads(primary_only=False):
    found["without_a_version_read"] = router.db_for_read(Recommendation)
with routing.routed_reads(primary_only=True):
    DataVersion.current()
    found["primary_only"] = router.db_for_read(Recommendation)
found["outside_a_request"] = router.db_for_read(Recommendation)
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """A primary, its streaming replica and a gunicorn reading both; everything removed afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("the replica tests run in the PostgreSQL pass (DATABASE_URL=postgres://…)")
    bin_dir = _postgresql_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    as_postgres = []
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` OS user to run PostgreSQL as")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="tracker-replica-"))
    if as_postgres:
        shutil.chown(root, "postgres")
    primary = Cluster(bin_dir, as_postgres, root / "primary", free_port())
    replica = Cluster(bin_dir, as_postgres, root / "replica", free_port())
    try:
        with contextlib.ExitStack() as cleanup:
            initdb_args = ["-U", "postgres", "--auth=trust", "--no-sync", "--encoding=UTF8", "--locale=C"]
            primary.run("initdb", "-D", str(primary.directory), *initdb_args)
            with (primary.directory / "postgresql.conf").open("a") as conf:
                # wal_level=replica and trusted local replication are initdb's defaults.
                conf.write(
                    f"listen_addresses = '127.0.0.1'\nunix_socket_directories = '{root}'\nfsync = off\n"
                    "log_statement = 'all'\nlog_line_prefix = '%m [%d:%a] '\n"
                    # No background WAL that would put the replica a moment behind at random.
                    "autovacuum = off\n"
                    # Faster migrations; and the router must hold with commits visible before their WAL
                    # is flushed (it compares the insert position, see tracker.models.routing).
                    "synchronous_commit = off\nfull_page_writes = off\n"
                )
            cleanup.callback(primary.stop)
            primary.start()
            replica_args = ["-D", str(replica.directory), "-R", "-X", "stream", "-c", "fast"]
            primary.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres", *replica_args)
            cleanup.callback(replica.stop)
            replica.start()
            assert replica.query("SELECT pg_is_in_recovery()", database="postgres")[0] is True
            primary.query("CREATE DATABASE tracker", database="postgres")

            app_dir = tmp_path_factory.mktemp("replica-app")
            env = production_env(app_dir, DATABASE_URL=primary.url(), DATABASE_REPLICA_URL=replica.url())
            seeded = subprocess.run(
                [sys.executable, "manage.py", "shell", "-c", SEED],
                cwd=BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert seeded.returncode == 0, seeded.stderr
            seed = json.loads(seeded.stdout.strip().splitlines()[-1])
            _server, base = cleanup.enter_context(gunicorn(env, app_dir / "server.log", workers=1))
            built = Stack(primary, replica, base, env, seed["token"], seed["code"])
            built.caught_up()
            yield built
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _version_reads(statements):
    # The cache version (cache_scopes.version_of): on PostgreSQL a call of the function reading it.
    return [sql for sql in statements if "tracker_cachescope" in sql or "tracker_scope_versions(" in sql]


def _page_reads(statements):
    return [sql for sql in statements if "tracker_recommendation" in sql]


@pytest.mark.postgres_only
def test_a_page_rendered_once_the_replica_has_caught_up_reads_the_replica(stack):
    summary = f"Read from the replica {uuid.uuid4().hex[:8]}"
    stack.write(summary)  # a new data version: every page misses the response cache
    stack.caught_up()

    marks = stack.watch()
    status, headers, page = stack.request(f"/recommendations/{stack.code}/")
    on_primary, on_replica = stack.ran(marks)
    assert status == 200 and headers["X-Cache"] == "miss"
    assert summary in page
    # The primary answers one statement: the data version, with its WAL position, for the cache key.
    assert len(on_primary) == 1 and _version_reads(on_primary) == on_primary, on_primary
    assert "pg_current_wal_insert_lsn()" in on_primary[0]
    # The replica: one check of what it has replayed, then the page's reads; never the data version.
    assert "pg_last_wal_replay_lsn()" in on_replica[0]
    assert _page_reads(on_replica[1:]) and not _version_reads(on_replica)

    marks = stack.watch()
    status, headers, again = stack.request(f"/recommendations/{stack.code}/")
    on_primary, on_replica = stack.ran(marks)
    assert (status, headers["X-Cache"], again) == (200, "hit", page)
    assert len(on_primary) == 1 and _version_reads(on_primary) == on_primary
    assert on_replica == []  # a cached answer does not ask the replica anything

    marks = stack.watch()
    status, headers, answer = stack.request(f"/api/v1/recommendations/{stack.code}/")  # anonymous API read
    on_primary, on_replica = stack.ran(marks)
    assert status == 200 and json.loads(answer)["status"] == "in_progress"
    assert _version_reads(on_primary) == on_primary and _page_reads(on_replica) and not _version_reads(on_replica)


@pytest.mark.postgres_only
def test_a_write_goes_to_the_primary_and_its_writer_keeps_reading_the_primary(stack):
    summary = f"Written on the primary {uuid.uuid4().hex[:8]}"
    marks = stack.watch()
    headers = stack.write(summary)
    on_primary, on_replica = stack.ran(marks)
    assert any(sql.startswith('INSERT INTO "tracker_progressupdate"') for sql in on_primary), on_primary
    assert on_replica == []  # the write's reads, in and out of its transaction, are the primary's too
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    assert cookie.startswith("tracker_wrote=")
    assert "HttpOnly" in headers["Set-Cookie"] and "Max-Age=10" in headers["Set-Cookie"]

    stack.caught_up()  # the replica could serve it now, but the writer still reads the primary
    marks = stack.watch()
    status, _, page = stack.request(f"/recommendations/{stack.code}/", headers={"Cookie": cookie})
    on_primary, on_replica = stack.ran(marks)
    assert status == 200 and summary in page
    assert _page_reads(on_primary) and on_replica == []

    # Another client (another cache key: gzip) reads the replica; a forged cookie changes nothing.
    for client in ({"Accept-Encoding": "gzip"}, {"Cookie": "tracker_wrote=1"}):
        path = f"/recommendations/{stack.code}/" if "Accept-Encoding" in client else "/recommendations/"
        # Reads on the primary write WAL too (pruning the pages the update changed), which the replica
        # replays a moment later (up to wal_writer_delay); meanwhile a request would read the primary.
        stack.caught_up()
        marks = stack.watch()
        status, headers, page = stack.request(path, headers=client)
        on_primary, on_replica = stack.ran(marks)
        assert status == 200 and headers["X-Cache"] == "miss" and stack.code in page, client
        assert _version_reads(on_primary) == on_primary and _page_reads(on_replica), client


@pytest.mark.postgres_only
def test_while_the_replica_is_paused_every_client_reads_the_new_data_from_the_primary(stack):
    stack.caught_up()
    stack.replica.query("SELECT pg_wal_replay_pause()")
    try:
        deadline = time.monotonic() + 10
        while stack.replica.query("SELECT pg_get_wal_replay_pause_state()")[0] != "paused":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        summary = f"Written while the replica is paused {uuid.uuid4().hex[:8]}"
        stack.write(summary)
        # The replica has received the write but not replayed it: read directly, it is stale.
        lsn = stack.primary.query("SELECT pg_current_wal_insert_lsn()::text")[0]
        deadline = time.monotonic() + 10
        while not stack.replica.query("SELECT pg_last_wal_receive_lsn() >= %s::pg_lsn", lsn)[0]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        stale = "SELECT count(*) FROM tracker_progressupdate WHERE summary = %s"
        assert stack.replica.query(stale, summary)[0] == 0
        assert stack.primary.query(stale, summary)[0] == 1

        for path in (f"/recommendations/{stack.code}/", "/api/v1/updates/"):
            marks = stack.watch()
            status, headers, answer = stack.request(path)  # a new client, no cookie
            on_primary, on_replica = stack.ran(marks)
            assert status == 200 and headers["X-Cache"] == "miss", (path, answer[:300])
            assert summary in answer, path
            assert len(on_replica) == 1 and "pg_last_wal_replay_lsn()" in on_replica[0], on_replica
            assert _version_reads(on_primary) and len(on_primary) > 1, on_primary
    finally:
        stack.replica.query("SELECT pg_wal_replay_resume()")

    stack.caught_up()
    marks = stack.watch()
    status, _, page = stack.request(f"/recommendations/{stack.code}/", headers={"Accept-Encoding": "gzip"})
    on_primary, on_replica = stack.ran(marks)
    assert status == 200 and summary in page
    assert _version_reads(on_primary) == on_primary and _page_reads(on_replica)


@pytest.mark.postgres_only
def test_reads_in_a_write_transaction_after_a_write_or_outside_a_request_go_to_the_primary(stack):
    stack.caught_up()
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", ROUTES],
        cwd=BASE_DIR,
        env=stack.env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "in_a_transaction": "default",
        "read_in_a_transaction": "default",
        "after_the_version_read": "replica",
        "read": "replica",
        "write": "default",
        "after_a_write": "default",
        "without_a_version_read": "default",
        "primary_only": "default",
        "outside_a_request": "default",
    }


@pytest.mark.postgres_only
def test_while_the_replica_is_down_the_primary_answers_and_the_replica_is_used_again_once_back(stack):
    summary = f"Written while the replica is down {uuid.uuid4().hex[:8]}"
    stack.write(summary)
    stack.caught_up()
    stack.replica.stop()  # the app's persistent connection to it breaks
    try:
        for client in ({}, {"Accept-Encoding": "gzip"}):  # a broken connection, then a refused one
            marks = stack.watch()
            status, headers, page = stack.request(f"/recommendations/{stack.code}/", headers=client)
            on_primary, _ = stack.ran(marks)
            assert status == 200 and headers["X-Cache"] == "miss" and summary in page, client
            assert _version_reads(on_primary) and _page_reads(on_primary), client
    finally:
        stack.replica.start()
    stack.caught_up()
    marks = stack.watch()
    status, _, answer = stack.request(f"/api/v1/recommendations/{stack.code}/")
    on_primary, on_replica = stack.ran(marks)
    assert status == 200 and json.loads(answer)["status"] == "in_progress"
    assert _version_reads(on_primary) == on_primary and _page_reads(on_replica)
