"""The open-data package checked by the real tools: `frictionless validate` (the CLI, as a data user
runs it, docs/data-package.md) on the downloaded zip, extracted; the files served one by one are
the zip's; and the package's recommendations.csv re-imports with `manage.py import_recommendations`."""

import datetime
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tracker import services
from tracker.http import cache
from tracker.models import Actor, Recommendation, ReportingCycle
from tracker.opendata.tables import TABLES

FRICTIONLESS = Path(sys.executable).with_name("frictionless")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def empty_response_cache(api_fresh_cache):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seed(seed, secretariat_user, actor_a):
    """The seed (fixtures/*.json, loaded once for the module: tests/conftest.py) and what it lacks
    to fill every table: an approved update of a state's actor with a public evidence file (and an
    unapproved one), an open reporting cycle."""
    Actor.objects.filter(pk=actor_a.pk).update(country_code="BE")
    recommendation = Recommendation.objects.get(code="GFMD-2007-RT1-06")
    update = services.record_progress(
        recommendation, user=secretariat_user, actor=actor_a, status="in_progress", summary='Quoted "text", commas.'
    )
    services.add_evidence(update, user=secretariat_user, file=SimpleUploadedFile("decree.pdf", PDF), is_public=True)
    opened = datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.UTC)
    ReportingCycle.objects.create(
        slug="call-2026",
        name="Call for updates 2026",
        opens_on=datetime.date(2026, 1, 5),
        deadline=datetime.date(2026, 3, 1),
        state=ReportingCycle.State.OPEN,
        opened_at=opened,
    )
    return recommendation


def download(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return b"".join(response.streaming_content) if response.streaming else response.content


def extract(client, tmp_path):
    """The downloaded package.zip, extracted into tmp_path/package; its path."""
    data = download(client, "/data/package.zip")
    target = tmp_path / "package"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        archive.extractall(target)
    return target


def frictionless_validate(descriptor):
    """`frictionless validate --json <descriptor>`: (valid, [error lines]) of its report."""
    result = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", str(descriptor)],
        cwd=descriptor.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"frictionless gave no JSON report (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    errors = [f"{error.get('type')}: {error.get('message')}" for error in report.get("errors", [])]
    for task in report.get("tasks", []):
        for error in task.get("errors", []):
            errors.append(
                f"{task.get('name')} row {error.get('rowNumber')}: {error.get('type')}: {error.get('message')}"
            )
    return report["valid"], errors


def test_frictionless_validates_the_downloaded_package(client, seed, tmp_path):
    folder = extract(client, tmp_path)

    valid, errors = frictionless_validate(folder / "datapackage.json")

    assert valid, "frictionless validate found errors:\n" + "\n".join(errors[:50])
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        ["datapackage.json"] + [table.path for table in TABLES]
    )
    # Every table has rows to check, the public evidence file and the open cycle included.
    for table in TABLES:
        assert (folder / table.path).read_bytes().count(b"\r\n") > 1, table.name


def test_the_files_served_one_by_one_are_the_zips(client, seed, tmp_path):
    folder = extract(client, tmp_path)

    assert download(client, "/data/datapackage.json") == (folder / "datapackage.json").read_bytes()
    for table in TABLES:
        assert download(client, f"/data/{table.path}") == (folder / table.path).read_bytes(), table.name


def test_frictionless_refuses_a_package_whose_keys_or_values_are_broken(client, seed, tmp_path):
    # The check above can fail: a forum that does not exist, a status outside the list.
    folder = extract(client, tmp_path)
    path = folder / "recommendations.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",gfmd-2007-brussels,", ",no-such-forum,", 1), encoding="utf-8")
    updates = folder / "progress_updates.csv"
    updates.write_text(updates.read_text(encoding="utf-8").replace(",in_progress,", ",nearly_done,", 1), "utf-8")

    valid, errors = frictionless_validate(folder / "datapackage.json")

    assert not valid
    assert any("recommendations" in error and "foreign-key" in error for error in errors), errors
    assert any("progress_updates" in error and "constraint-error" in error for error in errors), errors


def _as_imported(code):
    """What the import restores of a recommendation: its columns in the import format."""
    recommendation = Recommendation.objects.get(code=code)
    return {
        "forum": recommendation.forum.slug,
        "roundtable": recommendation.roundtable.code if recommendation.roundtable else None,
        "kind": recommendation.kind,
        "status": recommendation.status,
        "text": recommendation.text,
        "themes": sorted(recommendation.themes.values_list("slug", flat=True)),
        "actors": sorted(recommendation.actors.values_list("slug", flat=True)),
        "objectives": sorted(recommendation.objectives.values_list("slug", flat=True)),
        "source_document": recommendation.source_document_id,
        "source_locator": recommendation.source_locator,
        "target_date": recommendation.target_date,
    }


def test_the_packages_recommendations_re_import_what_was_deleted_or_changed(client, seed, secretariat_user, tmp_path):
    path = tmp_path / "recommendations.csv"
    path.write_bytes(download(client, "/data/recommendations.csv"))
    # One recommendation with nothing that protects it from deletion, one with themes, actors and objectives.
    lost = (
        Recommendation.objects.filter(
            updates__isnull=True, links_in__isnull=True, links_out__isnull=True, follow_ups__isnull=True
        )
        .exclude(themes__isnull=True)
        .order_by("code")
        .first()
    )
    changed = Recommendation.objects.exclude(objectives__isnull=True).exclude(pk=lost.pk).order_by("code").first()
    before = {code: _as_imported(code) for code in (lost.code, changed.code)}
    total = Recommendation.objects.count()
    Recommendation.objects.filter(pk=lost.pk).delete()
    Recommendation.objects.filter(pk=changed.pk).update(text="Damaged text.", source_locator="")
    changed.themes.clear()
    changed.objectives.clear()

    call_command("import_recommendations", str(path), user=secretariat_user.username, stdout=io.StringIO())

    assert Recommendation.objects.count() == total
    assert {code: _as_imported(code) for code in before} == before
    # Nothing else moved: the package's file still describes every other recommendation as it is.
    cache.clear()
    again = download(client, "/data/recommendations.csv").decode().splitlines()
    original = path.read_text(encoding="utf-8").splitlines()
    untouched = [line for line in original if lost.code not in line and changed.code not in line]
    assert set(untouched) <= set(again)
