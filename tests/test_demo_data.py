"""`manage.py generate_demo_data`: synthetic data at scale for load tests and the benchmark."""

import contextlib
import os
import sqlite3
import subprocess
import sys
import types
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Subquery

from tracker import demo, services
from tracker.demo.vocabulary import GCM_OBJECTIVES, THEMES
from tracker.models import DataVersion, FrameworkObjective, ProgressUpdate, Recommendation, Roundtable, Theme
from tracker.models.sync import RESOURCES

SMALL = {"recommendations": 300, "updates": 1500}


def generate(**options):
    call_command("generate_demo_data", **{**SMALL, **options}, verbosity=0)


def natural_rows():
    """Every generated row, by natural keys, so two runs in one database compare equal."""
    recs = list(
        Recommendation.objects.order_by("code").values_list(
            "code", "forum__slug", "roundtable__slug", "order", "text", "kind", "status", "status_date",
            "status_changed_at", "target_date", "source_document__slug", "source_locator", "version", "created_at",
        )
    )  # fmt: skip
    updates = list(
        ProgressUpdate.objects.order_by("pk").values_list(
            "recommendation__code", "actor__slug", "status", "summary", "evidence_url", "reported_on",
            "recorded_at", "review_state",
        )
    )  # fmt: skip
    mappings = [
        sorted(Recommendation.themes.through.objects.values_list("recommendation__code", "theme__slug")),
        sorted(Recommendation.actors.through.objects.values_list("recommendation__code", "actor__slug")),
        sorted(
            Recommendation.objectives.through.objects.values_list("recommendation__code", "frameworkobjective__slug")
        ),
    ]
    return recs, updates, mappings


@pytest.mark.django_db
def test_generates_the_requested_numbers_of_rows_marked_as_demo():
    generate()
    assert Recommendation.objects.count() == SMALL["recommendations"]
    assert ProgressUpdate.objects.count() == SMALL["updates"]
    assert not Recommendation.objects.exclude(code__startswith="DEMO-").exists()
    assert Recommendation.objects.filter(code__regex=r"^DEMO-F[0-9]{3}-[0-9]{6}$").count() == SMALL["recommendations"]
    assert set(ProgressUpdate.objects.values_list("review_state", flat=True)) == {ProgressUpdate.ReviewState.APPROVED}
    assert Roundtable.objects.exclude(parent=None).exists(), "some roundtables have sub-sessions"
    assert Recommendation.themes.through.objects.exists()
    assert Recommendation.actors.through.objects.exists()
    assert Recommendation.objectives.through.objects.exists()
    # Reported-on dates are spread over years, not bunched on one day.
    years = {d.year for d in ProgressUpdate.objects.values_list("reported_on", flat=True)}
    assert len(years) > 10


@pytest.mark.django_db
def test_stored_status_is_that_of_the_latest_approved_update():
    generate()
    latest = ProgressUpdate.objects.approved().filter(recommendation=OuterRef("pk")).timeline()
    mismatched = (
        Recommendation.objects.annotate(
            latest_status=Subquery(latest.values("status")[:1]),
            latest_date=Subquery(latest.values("reported_on")[:1]),
            latest_recorded=Subquery(latest.values("recorded_at")[:1]),
        )
        .exclude(latest_status=None)
        .values_list("code", "status", "latest_status", "status_date", "latest_date")
    )
    assert [row for row in mismatched if (row[1], row[3]) != (row[2], row[4])] == [], (
        "status differs from the latest update"
    )
    without = Recommendation.objects.filter(updates=None)
    assert without.exists()
    assert set(without.values_list("status", flat=True)) == {Recommendation.Status.NO_INFORMATION}
    # And the service that keeps the status current would change nothing.
    for recommendation in Recommendation.objects.order_by("code")[:60]:
        assert services._refresh_current_status(recommendation, None) is False, recommendation.code


@pytest.mark.django_db
def test_a_second_run_with_the_same_seed_replaces_the_data_with_identical_rows():
    generate(seed=7)
    first = natural_rows()
    generate(seed=7)
    assert natural_rows() == first
    generate(seed=8)
    assert natural_rows() != first


@pytest.mark.django_db
def test_refuses_a_database_with_real_recommendations_unless_forced(make_recommendation):
    real = make_recommendation(code="GFMD-2007-RT1-03")
    with pytest.raises(CommandError, match="not demo data"):
        generate()
    assert Recommendation.objects.count() == 1

    generate(force=True)
    assert Recommendation.objects.count() == 1 + SMALL["recommendations"]
    assert Recommendation.objects.filter(pk=real.pk, code="GFMD-2007-RT1-03").exists()


def _schema_objects():
    """Every trigger and index (and on PostgreSQL constraint) of the database, with its definition."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT 'trigger', tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal "
                "UNION ALL SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE connamespace = current_schema()::regnamespace "
                "UNION ALL SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
            )
        else:
            cursor.execute("SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'index')")
        return sorted(cursor.fetchall(), key=str)


def _changed_since(version):
    """{resource: sorted keys of the rows whose change key is above `version`}, and the largest key."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # run the stamps PostgreSQL defers to commit
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    changed, largest = {}, 0
    for label, (resource, column) in RESOURCES.items():
        rows = apps.get_model(label).objects.filter(change_key__gt=version)
        changed[resource] = sorted(rows.values_list(column, flat=True))
        largest = max(largest, rows.aggregate(m=Max("change_key"))["m"] or 0)
    return changed, largest


class _Rollback(Exception):
    pass


@pytest.mark.django_db
def test_the_bulk_load_puts_back_every_trigger_and_stamps_what_the_triggers_would_have():
    # Rows the demo data reuses rather than makes: its links touch them, so they must be stamped.
    theme = Theme.objects.create(slug="real-theme", name=THEMES[0])
    objective = FrameworkObjective.objects.create(
        slug="gcm-1", framework=FrameworkObjective.Framework.GCM, number="1", title=GCM_OBJECTIVES[0], order=1
    )
    theme_stamp = Theme.objects.values_list("change_key", "updated_at").get(pk=theme.pk)
    schema = _schema_objects()
    before = DataVersion.current()

    # Row by row: every trigger in place while the generator writes.
    no_pause = contextlib.nullcontext(types.SimpleNamespace(loaded_after={}))
    with pytest.raises(_Rollback), transaction.atomic(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(demo, "paused_triggers", lambda *args: no_pause)
        patch.setattr(demo, "_after_bulk_load", lambda *args: None)
        generate()
        row_by_row, _largest = _changed_since(before)
        raise _Rollback
    assert _schema_objects() == schema

    generate()
    bulk, largest = _changed_since(before)
    assert _schema_objects() == schema, "every trigger, index and constraint is back as it was"
    assert bulk == row_by_row
    assert theme.slug in bulk["theme"] and objective.slug in bulk["objective"]
    assert Theme.objects.values_list("change_key", "updated_at").get(pk=theme.pk) > theme_stamp
    assert len(bulk["recommendation"]) == SMALL["recommendations"]
    assert len(bulk["update"]) == SMALL["updates"]
    assert before < largest <= DataVersion.current(), "the version is bumped and no key is above it"


@pytest.mark.own_databases
def test_refusal_exits_non_zero_with_a_clear_message(tmp_path):
    """The command line as a user runs it: a real recommendation, no --force, exit status 1."""
    database = tmp_path / "real.sqlite3"
    env = _env(database)
    _manage(env, "migrate", "-v0", "--skip-checks")
    create = (
        "from tracker.models import Forum, Process, Recommendation; "
        "p = Process.objects.create(slug='gfmd', name='Global Forum', kind='global_forum'); "
        "f = Forum.objects.create(slug='gfmd-2007', process=p, title='Brussels'); "
        "Recommendation.objects.create(code='GFMD-2007-RT1-03', forum=f, text='Real')"
    )
    _manage(env, "shell", "-c", create)
    result = subprocess.run(
        [sys.executable, "manage.py", "generate_demo_data", "--skip-checks", "--recommendations=10", "--updates=10"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "not demo data" in result.stderr and "--force" in result.stderr


def _env(database):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DATABASE_URL=f"sqlite:///{database}", DJANGO_DEBUG="1", DJANGO_SECRET_KEY="test-only")
    return env


def _manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, check=True)


def _dump(database: Path):
    con = sqlite3.connect(database)
    tables = [
        name
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'tracker_%'")
        # Cache keys (tracker/http/cache.py), not data.
        if name not in ("tracker_dataversion", "tracker_cachescope")
    ]
    dump = {}
    for table in sorted(tables):
        # Sync bookkeeping (tracker.models.sync): the data version and the time of the writing run.
        columns = [
            f'"{name}"'
            for _cid, name, *_rest in con.execute(f'PRAGMA table_info("{table}")')
            if name not in ("change_key", "updated_at")
        ]
        dump[table] = con.execute(f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY 1').fetchall()
    con.close()
    return dump


@pytest.mark.own_databases
def test_two_runs_into_fresh_databases_give_identical_rows(tmp_path):
    dumps = []
    for name in ("one", "two"):
        database = tmp_path / f"{name}.sqlite3"
        env = _env(database)
        _manage(env, "migrate", "-v0", "--skip-checks")
        _manage(
            env, "generate_demo_data", "--recommendations=400", "--updates=2000", "--seed=3", "-v0", "--skip-checks"
        )
        dumps.append(_dump(database))
    assert dumps[0]["tracker_recommendation"], "rows were generated"
    assert len(dumps[0]["tracker_progressupdate"]) == 2000
    assert dumps[0] == dumps[1]
