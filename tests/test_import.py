"""Import for staff: export → edit → import round-trips; bad files change nothing."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from tracker import importing, services
from tracker.models import ProgressUpdate, Recommendation

Status = Recommendation.Status


@pytest.fixture
def seeded(make_forum, make_roundtable, make_theme, make_actor, make_objective, make_recommendation):
    forum = make_forum(slug="gfmd-2007-brussels", title="First GFMD")
    rt = make_roundtable(forum=forum, code="1", title="Human capital")
    theme = make_theme(name="Recruitment", slug="recruitment")
    make_theme(name="Gender", slug="gender")
    actor = make_actor(name="Government of Belgium", slug="belgium")
    objective = make_objective(number="6", slug="gcm-6", title="Fair recruitment")
    recs = [
        make_recommendation(
            code=f"GFMD-2007-RT1-{n:02d}", forum=forum, roundtable=rt, text=f"Text {n}", themes=[theme], order=n
        )
        for n in range(1, 6)
    ]
    recs[0].actors.set([actor])
    recs[0].objectives.set([objective])
    return recs


def export_rows(client):
    response = client.get("/recommendations/?format=csv")
    assert response.status_code == 200
    # The export starts with a byte-order mark (for Excel); the import accepts it either way.
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def write_csv(tmp_path, rows, name="edited.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)
    return path


def snapshot():
    return (
        list(Recommendation.objects.order_by("code").values()),
        list(ProgressUpdate.objects.order_by("id").values()),
        Recommendation.history.count(),
        sorted(Recommendation.themes.through.objects.values_list("recommendation_id", "theme_id")),
    )


def test_an_unchanged_export_imports_as_all_unchanged(client, seeded, secretariat_user, tmp_path):
    path = write_csv(tmp_path, export_rows(client))
    before = snapshot()
    report = importing.import_recommendations(importing.load_dataset(path), user=secretariat_user)
    assert not report.rejected, report.errors
    assert (report.new, report.changed, report.unchanged, report.invalid) == (0, 0, 5, 0)
    assert snapshot() == before


def test_the_exported_file_itself_byte_order_mark_and_all_imports_as_unchanged(
    client, seeded, secretariat_user, tmp_path
):
    path = tmp_path / "recommendations.csv"
    path.write_bytes(b"".join(client.get("/recommendations/?format=csv").streaming_content))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    before = snapshot()
    report = importing.import_recommendations(importing.load_dataset(path), user=secretariat_user)
    assert not report.rejected, report.errors
    assert (report.new, report.changed, report.unchanged, report.invalid) == (0, 0, 5, 0)
    assert snapshot() == before


def test_a_valid_file_creates_exactly_the_previewed_counts_and_one_history_entry_per_change(
    client, seeded, secretariat_user, tmp_path
):
    rows = export_rows(client)
    rows[1]["status"] = Status.IN_PROGRESS
    rows[1]["last_update"] = "2009-02-01"
    rows[2]["text"] = "Corrected text"
    rows[3]["themes"] = "Gender; Recruitment"
    new = dict(rows[0], code="GFMD-2007-RT1-09", text="A new one", status=Status.NO_INFORMATION)
    path = write_csv(tmp_path, [*rows, new])
    history_before = Recommendation.history.count()

    preview = importing.import_recommendations(importing.load_dataset(path), user=secretariat_user, dry_run=True)
    assert not preview.rejected, preview.errors
    assert Recommendation.history.count() == history_before  # the dry run wrote nothing
    report = importing.import_recommendations(importing.load_dataset(path), user=secretariat_user)

    assert (preview.new, preview.changed, preview.unchanged, preview.invalid) == (1, 3, 2, 0)
    assert (report.new, report.changed, report.unchanged, report.invalid) == (1, 3, 2, 0)
    status_changed = Recommendation.objects.get(code="GFMD-2007-RT1-02")
    assert status_changed.status == Status.IN_PROGRESS
    update = ProgressUpdate.objects.get()
    assert update.recorded_by == secretariat_user
    assert update.reported_on.isoformat() == "2009-02-01"
    assert Recommendation.objects.get(code="GFMD-2007-RT1-03").text == "Corrected text"
    assert set(Recommendation.objects.get(code="GFMD-2007-RT1-04").themes.values_list("name", flat=True)) == {
        "Gender",
        "Recruitment",
    }
    # One entry each for the status change, the text change, the theme change and the creation.
    new_entries = Recommendation.history.filter(history_user=secretariat_user)
    assert sorted(entry.code for entry in new_entries) == [
        "GFMD-2007-RT1-02",
        "GFMD-2007-RT1-03",
        "GFMD-2007-RT1-04",
        "GFMD-2007-RT1-09",
    ]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("status", "finished", "Unknown status"),
        ("forum", "no-such-forum", "No forum"),
        ("themes", "Recruitment; Astrology", "Astrology"),
        ("objectives", "GCM 99", "GCM 99"),
        ("last_update", "yesterday", "YYYY-MM-DD"),
        ("text", "", "This field cannot be blank"),
    ],
)
def test_one_bad_row_among_many_changes_nothing_and_reports_that_row(
    client, seeded, secretariat_user, tmp_path, column, value, message
):
    rows = export_rows(client)
    for row in rows:
        row["text"] = row["text"] + " (edited)"
    rows[3][column] = value
    path = write_csv(tmp_path, rows)
    before = snapshot()
    report = importing.import_recommendations(importing.load_dataset(path), user=secretariat_user)
    assert report.rejected
    # The header is row 1, so the fourth data row is row 5.
    assert any(line.startswith(f"row 5, column {column}:") and message in line for line in report.errors), report.errors
    assert all(line.startswith("row 5") for line in report.errors), report.errors
    assert snapshot() == before


def test_a_focal_point_cannot_import(client, seeded, focal_a, tmp_path):
    rows = export_rows(client)
    rows[0]["status"] = Status.IMPLEMENTED
    path = write_csv(tmp_path, rows)
    before = snapshot()
    report = importing.import_recommendations(importing.load_dataset(path), user=focal_a)
    assert report.rejected
    assert "Only the secretariat" in report.errors[0]
    assert snapshot() == before


def test_the_command_rejects_a_bad_file_with_row_messages_and_a_non_zero_exit(
    client, seeded, secretariat_user, tmp_path, audit_log
):
    rows = export_rows(client)
    rows[1]["status"] = "done"
    path = write_csv(tmp_path, rows)
    before = snapshot()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_recommendations", str(path), "--user", secretariat_user.username)
    assert "row 3, column status" in str(excinfo.value)
    assert snapshot() == before
    [line] = audit_log.records()
    assert line["event"] == "import_rejected"
    assert line["user"] == secretariat_user.username
    assert "row 3, column status" in line["reason"]


def test_the_command_dry_run_reports_counts_and_writes_nothing(client, seeded, secretariat_user, tmp_path):
    rows = export_rows(client)
    rows[0]["status"] = Status.STALLED
    path = write_csv(tmp_path, rows)
    before = snapshot()
    out = io.StringIO()
    call_command("import_recommendations", str(path), "--dry-run", "--user", secretariat_user.username, stdout=out)
    assert "Dry run: 0 new, 1 changed, 4 unchanged, 0 invalid." in out.getvalue()
    assert snapshot() == before


def test_xlsx_files_import_like_csv(client, seeded, secretariat_user, tmp_path):
    import openpyxl

    rows = export_rows(client)
    rows[0]["status"] = Status.IMPLEMENTED
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0].keys()))
    for row in rows:
        sheet.append(list(row.values()))
    path = tmp_path / "edited.xlsx"
    workbook.save(path)
    report = importing.import_recommendations(importing.load_dataset(path), user=secretariat_user)
    assert not report.rejected, report.errors
    assert report.changed == 1
    assert Recommendation.objects.get(code="GFMD-2007-RT1-01").status == Status.IMPLEMENTED


def test_the_admin_import_previews_then_confirms(client, seeded, secretariat_user, tmp_path):
    rows = export_rows(client)
    rows[0]["status"] = Status.IN_PROGRESS
    body = io.StringIO()
    writer = csv.DictWriter(body, fieldnames=list(rows[0].keys()))
    writer.writeheader()
    writer.writerows(rows)
    client.force_login(secretariat_user)
    upload = io.BytesIO(body.getvalue().encode("utf-8"))
    upload.name = "edited.csv"
    response = client.post(
        "/admin/tracker/recommendation/import/",
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert Recommendation.objects.get(code="GFMD-2007-RT1-01").status == Status.NO_INFORMATION  # preview only
    confirm = response.context["confirm_form"]
    response = client.post("/admin/tracker/recommendation/process_import/", confirm.initial)
    assert response.status_code == 302
    assert Recommendation.objects.get(code="GFMD-2007-RT1-01").status == Status.IN_PROGRESS


def test_the_admin_refuses_import_to_a_focal_point(client, focal_a):
    client.force_login(focal_a)
    assert client.get("/admin/tracker/recommendation/import/").status_code == 403


def test_status_changes_from_an_import_go_through_the_service(client, seeded, secretariat_user, tmp_path, monkeypatch):
    calls = []
    original = services.record_progress

    def spy(*args, **kwargs):
        calls.append(kwargs["status"])
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "record_progress", spy)
    rows = export_rows(client)
    rows[4]["status"] = Status.PARTIALLY_IMPLEMENTED
    importing.import_recommendations(importing.load_dataset(write_csv(tmp_path, rows)), user=secretariat_user)
    assert calls == [Status.PARTIALLY_IMPLEMENTED]
