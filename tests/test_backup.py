"""Backups: `backup_data` dumps everything, `restore_data` restores it into a freshly migrated
database with identical content, proved by the canonical hash of every table (tracker.backup,
docs/operations.md). On the current database (SQLite or PostgreSQL, whichever the run uses) and
across engines, SQLite → PostgreSQL → SQLite, through subprocesses with their own DATABASE_URL."""

import datetime
import decimal
import gzip
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import CommandError, call_command

from tracker import backup, roles, services
from tracker.models import Actor, ProgressUpdate, Recommendation, Theme

BASE_DIR = Path(settings.BASE_DIR)
FIXTURES = sorted(str(path) for path in (BASE_DIR / "fixtures").glob("*.json"))
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"

# Progress updates with history on top of the seed, through the service as staff would record
# them: approved at once, submitted then approved, submitted then returned. Accented text, a
# newline, microsecond timestamps, a user in a group, an admin log entry (a content type, stored
# by natural key) and an API token (a text primary key).
ADD_PROGRESS = """
import datetime
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from knox.models import AuthToken
from tracker import roles, services
from tracker.models import Actor, Recommendation, User

secretariat = User.objects.create_user("secretariat", password="pw-for-tests-only-3141", is_staff=True,
                                       actor=Actor.objects.order_by("pk").last())
secretariat.groups.add(Group.objects.get(name=roles.SECRETARIAT))
focal = User.objects.create_user("focal", password="pw-for-tests-only-3141", is_staff=True,
                                 actor=Actor.objects.order_by("pk").first())
focal.groups.add(Group.objects.get(name=roles.FOCAL_POINT))
recommendation = Recommendation.objects.get(code="GFMD-2007-RT1-02")
services.record_progress(recommendation, user=secretariat, actor=secretariat.actor, status="in_progress",
                         summary="Codes «éthiques» drafted.\\nSecond line.", reported_on=datetime.date(2009, 1, 2))
submitted = services.record_progress(recommendation, user=focal, actor=focal.actor, status="implemented",
                                     summary="Adopted.", evidence_url="https://example.org/code",
                                     reported_on=datetime.date(2009, 3, 4))
services.approve_update(submitted, user=secretariat, note="Checked against the gazette.")
returned = services.record_progress(Recommendation.objects.get(code="GFMD-2007-RT1-04"), user=focal,
                                    actor=focal.actor, status="stalled", summary="No funds.")
services.return_update(returned, user=secretariat, note="Which year?")
LogEntry.objects.log_actions(secretariat.pk, [recommendation], CHANGE, change_message="Changed status.")
AuthToken.objects.create(user=secretariat)
"""


@pytest.fixture
def seeded(db, make_user):
    """The seed fixtures plus progress updates with history, in the test database."""
    call_command("loaddata", *FIXTURES, verbosity=0)
    secretariat = make_user("secretariat", groups=[roles.SECRETARIAT], actor=Actor.objects.order_by("pk").last())
    focal = make_user("focal", groups=[roles.FOCAL_POINT], actor=Actor.objects.order_by("pk").first())
    recommendation = Recommendation.objects.get(code="GFMD-2007-RT1-02")
    services.record_progress(
        recommendation,
        user=secretariat,
        actor=secretariat.actor,
        status=Recommendation.Status.IN_PROGRESS,
        summary="Codes «éthiques» drafted.\nSecond line.",
        reported_on=datetime.date(2009, 1, 2),
    )
    submitted = services.record_progress(
        recommendation,
        user=focal,
        actor=focal.actor,
        status=Recommendation.Status.IMPLEMENTED,
        summary="Adopted.",
        reported_on=datetime.date(2009, 3, 4),
    )
    services.approve_update(submitted, user=secretariat, note="Checked against the gazette.")
    LogEntry.objects.log_actions(secretariat.pk, [recommendation], CHANGE, change_message="Changed status.")
    return recommendation


def _read(path):
    return json.loads(gzip.decompress(Path(path).read_bytes()) if str(path).endswith(".gz") else Path(path).read_text())


def _write(path, document):
    Path(path).write_text(json.dumps(document, ensure_ascii=False))


def test_backup_and_restore_give_identical_table_hashes(seeded, tmp_path):
    before = backup.table_hashes()
    assert before["tables"]["tracker_historicalprogressupdate"]["rows"] == 3  # two created, one approved
    update = ProgressUpdate.objects.filter(recommendation=seeded).order_by("pk").last()
    update_pk, recorded_at = update.pk, update.recorded_at
    path = tmp_path / "tracker.json.gz"
    call_command("backup_data", str(path), stdout=io.StringIO())
    assert _read(path)["manifest"]["hashes"] == before

    # Lose and change things, as an accident would.
    services.delete_update(update, user=update.reviewed_by)
    Recommendation.objects.filter(pk=seeded.pk).update(text="Overwritten by mistake")
    Theme.objects.create(slug="added-later", name="Added later")
    assert backup.table_hashes() != before

    out = io.StringIO()
    call_command("restore_data", str(path), "--force", stdout=out)
    assert "Every table matches the backup" in out.getvalue()
    assert backup.table_hashes() == before
    # Microseconds included (plain dumpdata output would cut them to milliseconds).
    assert ProgressUpdate.objects.get(pk=update_pk).recorded_at == recorded_at
    assert Recommendation.objects.get(pk=seeded.pk).status == Recommendation.Status.IMPLEMENTED
    assert not Theme.objects.filter(slug="added-later").exists()


def test_restore_refuses_a_database_that_holds_data_unless_forced(seeded, tmp_path):
    path = tmp_path / "tracker.json"
    call_command("backup_data", str(path), stdout=io.StringIO())
    Theme.objects.create(slug="added-later", name="Added later")
    before = backup.table_hashes()
    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore_data", str(path), stdout=io.StringIO())
    assert backup.table_hashes() == before


def test_a_fresh_database_with_only_the_staff_groups_counts_as_empty(db):
    # What `migrate` leaves behind (tracker migration 0002 creates the staff groups) is no data.
    assert backup.tables_holding_data() == []


def test_restore_fails_loudly_and_changes_nothing_when_a_table_hash_differs(seeded, tmp_path):
    path = tmp_path / "tracker.json"
    call_command("backup_data", str(path), stdout=io.StringIO())
    document = _read(path)
    document["manifest"]["hashes"]["tables"]["tracker_progressupdate"]["sha256"] = "0" * 64
    _write(path, document)
    Theme.objects.create(slug="added-later", name="Added later")
    before = backup.table_hashes()
    with pytest.raises(CommandError, match=r"(?s)rolled back.*tracker_progressupdate"):
        call_command("restore_data", str(path), "--force", stdout=io.StringIO())
    assert backup.table_hashes() == before


def test_restore_refuses_a_damaged_backup(seeded, tmp_path):
    path = tmp_path / "tracker.json"
    call_command("backup_data", str(path), stdout=io.StringIO())
    document = _read(path)
    document["objects"][-1]["fields"]["summary"] = "Edited by hand"
    _write(path, document)
    with pytest.raises(CommandError, match="damaged or was edited"):
        call_command("restore_data", str(path), "--force", stdout=io.StringIO())


def test_restore_refuses_a_backup_of_another_schema(seeded, tmp_path):
    path = tmp_path / "tracker.json"
    call_command("backup_data", str(path), stdout=io.StringIO())
    document = _read(path)
    document["manifest"]["migrations"].append("tracker.9999_from_the_future")
    _write(path, document)
    with pytest.raises(CommandError, match="different database schema.*9999_from_the_future"):
        call_command("restore_data", str(path), "--force", stdout=io.StringIO())


def test_backup_never_overwrites_and_names_files_in_a_directory(seeded, tmp_path):
    call_command("backup_data", str(tmp_path), stdout=io.StringIO())
    (written,) = tmp_path.glob("backup-*.json.gz")
    assert written.stat().st_mode & 0o077 == 0  # password hashes inside: owner only
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup_data", str(written), stdout=io.StringIO())


def test_backups_leave_out_sessions_and_name_content_types_by_natural_key(seeded, tmp_path):
    path = tmp_path / "tracker.json"
    call_command("backup_data", str(path), stdout=io.StringIO())
    objects = _read(path)["objects"]
    models = {obj["model"] for obj in objects}
    assert {"tracker.recommendation", "tracker.historicalprogressupdate", "tracker.user", "auth.group"} <= models
    assert not models & {"contenttypes.contenttype", "auth.permission", "sessions.session"}
    (log_entry,) = (obj for obj in objects if obj["model"] == "admin.logentry")
    assert log_entry["fields"]["content_type"] == ["tracker", "recommendation"]


def test_hash_data_prints_every_table_and_checks_a_backup(seeded, tmp_path):
    out = io.StringIO()
    call_command("hash_data", stdout=out)
    hashes = backup.table_hashes()
    lines = out.getvalue().splitlines()
    assert f"{hashes['tables']['tracker_recommendation']['sha256']}  tracker_recommendation (52 rows)" in lines
    assert lines[-1].startswith(f"{hashes['total']}  total (")
    path = tmp_path / "tracker.json"
    call_command("backup_data", str(path), stdout=io.StringIO())
    call_command("hash_data", "--check", str(path), stdout=io.StringIO())
    Theme.objects.create(slug="added-later", name="Added later")
    with pytest.raises(CommandError, match=r"tracker_theme: backup 20 rows.*here 21 rows"):
        call_command("hash_data", "--check", str(path), stdout=io.StringIO())


def test_canonical_values_do_not_depend_on_how_the_database_returns_them():
    utc = datetime.datetime(2008, 10, 3, 12, 0, 0, 1, tzinfo=datetime.UTC)
    geneva = utc.astimezone(datetime.timezone(datetime.timedelta(hours=2)))
    assert backup._canonical(geneva) == backup._canonical(utc) == "2008-10-03T12:00:00.000001+00:00"
    assert backup._canonical(decimal.Decimal("1.50")) == backup._canonical(decimal.Decimal("1.5")) == "1.5"
    assert backup._canonical(decimal.Decimal("1E+2")) == "100"
    assert backup._canonical(datetime.date(2007, 7, 9)) == "2007-07-09"
    assert backup._canonical(uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
    assert backup._line([True, 1, None, "é"]) == '[true,1,null,"é"]\n'.encode()


# Across engines, each database in its own process so Django's settings stay clean.


def _manage(database_url, *args, check=True):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "1",
        "DJANGO_SECRET_KEY": "backup-tests-only-not-a-secret",
        "DJANGO_SETTINGS_MODULE": "migration_dialogues.settings",
    }
    env.pop("SQLITE_TEST_NAME", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if check and result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def _restore(database_url, path, manifest, *args):
    """Restore and check that restore_data verified every table against the manifest's hashes."""
    result = _manage(database_url, "restore_data", str(path), *args)
    assert f"Every table matches the backup; total sha256 {manifest['hashes']['total']}" in result.stdout
    return result


def _hashes(database_url):
    return json.loads(_manage(database_url, "hash_data", "--json").stdout)


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory):
    """A freshly migrated SQLite file; copies of it are fresh databases (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("sqlite") / "migrated.sqlite3"
    _manage(f"sqlite:///{path}", "migrate", "--noinput", "-v0")
    return path


def _fresh_sqlite(migrated_sqlite, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(migrated_sqlite.read_bytes())
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def sqlite_backup(migrated_sqlite, tmp_path_factory):
    """(backup file, its manifest) of a SQLite database holding the seed and progress with history."""
    directory = tmp_path_factory.mktemp("source")
    source = _fresh_sqlite(migrated_sqlite, directory, "source.sqlite3")
    _manage(source, "load_seed")
    _manage(source, "shell", "-c", ADD_PROGRESS)
    path = directory / "source.json.gz"
    _manage(source, "backup_data", str(path))
    manifest = _read(path)["manifest"]
    assert manifest["database_vendor"] == "sqlite"
    assert manifest["hashes"]["tables"]["tracker_historicalprogressupdate"]["rows"] == 5
    return path, manifest


@pytest.fixture
def fresh_postgres():
    """The URL of a new, empty PostgreSQL database on 127.0.0.1:5432, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL answers at {POSTGRES_SERVER}: {error}")
    name = f"backup_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{POSTGRES_SERVER}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.own_databases
def test_a_sqlite_backup_restores_into_a_fresh_sqlite_database(sqlite_backup, migrated_sqlite, tmp_path):
    path, manifest = sqlite_backup
    target = _fresh_sqlite(migrated_sqlite, tmp_path, "target.sqlite3")
    _restore(target, path, manifest)
    assert _hashes(target) == manifest["hashes"]  # and hash_data, run on its own, agrees


@pytest.mark.own_databases
def test_sqlite_to_postgresql_and_back_keeps_every_table_identical(
    sqlite_backup, fresh_postgres, migrated_sqlite, tmp_path
):
    path, manifest = sqlite_backup
    _manage(fresh_postgres, "migrate", "--noinput", "-v0")
    _restore(fresh_postgres, path, manifest)

    # A second restore into the now populated database is refused unless forced.
    refused = _manage(fresh_postgres, "restore_data", str(path), check=False)
    assert refused.returncode != 0
    assert "already holds data" in refused.stderr

    # Sequences follow the restored ids: new rows do not collide with restored ones.
    _manage(
        fresh_postgres,
        "shell",
        "-c",
        "from tracker import services; from tracker.models import Recommendation, User;"
        "user = User.objects.get(username='secretariat');"
        "services.record_progress(Recommendation.objects.get(code='GFMD-2007-RT1-03'), user=user,"
        " actor=user.actor, status='stalled', summary='After the restore.')",
    )
    _restore(fresh_postgres, path, manifest, "--force")

    back = tmp_path / "from-postgresql.json"
    _manage(fresh_postgres, "backup_data", str(back))
    assert _read(back)["manifest"]["database_vendor"] == "postgresql"
    assert _read(back)["manifest"]["hashes"] == manifest["hashes"]
    _restore(_fresh_sqlite(migrated_sqlite, tmp_path, "back.sqlite3"), back, manifest)
