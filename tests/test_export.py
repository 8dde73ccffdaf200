"""CSV and JSON exports of the browse list: exactly the filtered list, streamed, in one query."""

import csv
import io
import json

import pytest

from tracker.views.export import COLUMNS

REQUIRED = ["code", "status", "text", "forum", "roundtable", "themes", "last_update"]


def export(client, query, output):
    response = client.get(f"/recommendations/?{query}&format={output}".replace("?&", "?"))
    assert response.status_code == 200
    assert response.streaming, "exports are streamed"
    body = b"".join(response.streaming_content).decode("utf-8")
    if output == "csv":
        assert body.startswith("\ufeff"), "the CSV starts with a byte-order mark, for Excel"
        return response, list(csv.DictReader(io.StringIO(body[1:])))
    return response, json.loads(body)


def listed(client, query):
    response = client.get(f"/recommendations/?{query}&page=1")
    return [rec.code for rec in response.context["page"].object_list]


def test_the_csv_header_names_every_column(client, brussels_2007):
    response, rows = export(client, "", "csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="recommendations.csv"'
    assert list(rows[0].keys()) == COLUMNS
    assert set(REQUIRED) <= set(COLUMNS)
    more = ["kind", "process", "actors", "objectives", "source_document", "source_locator", "target_date", "url"]
    assert set(more) <= set(COLUMNS)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "forum=gfmd-2007-brussels",
        "status=implemented&status=stalled&status=in_progress",
        "theme=labour-mobility&ordering=-code",
        "q=recruitment",
        "as_of=2008-06-01&status=in_progress",
        "roundtable=gfmd-2008-rt1",
    ],
)
def test_the_csv_and_json_exports_hold_exactly_the_filtered_list_in_its_order(client, brussels_2007, query):
    expected = listed(client, query)

    _, csv_rows = export(client, query, "csv")
    _, data = export(client, query, "json")

    assert [row["code"] for row in csv_rows] == expected
    assert [row["code"] for row in data] == expected


def test_an_exported_row_carries_its_source_status_and_related_names(client, brussels_2007):
    _, rows = export(client, "q=GFMD-2007-RT1-06", "csv")

    (row,) = rows
    assert row["status"] == "implemented"
    assert row["status_label"] == "Implemented"
    assert row["text"] == "Organize a workshop on circular migration"
    assert row["process"] == "gfmd"
    assert row["forum"] == "gfmd-2007-brussels"
    assert row["roundtable"] == "1"
    assert row["roundtable_slug"] == "gfmd-2007-rt1"
    assert row["forum_date"] == "2007-07-09"
    assert row["themes"] == "Circular migration; Labour mobility"
    assert row["theme_slugs"] == "circular-migration; labour-mobility"
    assert row["actors"] == "Government of Belgium"
    assert row["actor_slugs"] == "belgium"
    assert int(row["version"]) >= 1 and row["updated_at"].endswith("Z")
    assert row["api_url"] == "http://testserver/api/v1/recommendations/GFMD-2007-RT1-06/"
    assert row["source_document"] == "Current Priorities in Intergovernmental Dialogues on Labour Migration"
    assert row["source_locator"] == "slide 6"
    assert row["last_update"] == "2008-09-09"
    assert row["target_date"] == ""
    assert row["url"] == "http://testserver/recommendations/GFMD-2007-RT1-06/"


def test_the_json_export_uses_lists_for_related_names(client, brussels_2007):
    _, data = export(client, "objective=gcm-6", "json")

    # A plain array of records keyed by the columns (pandas.read_json reads it as it is).
    assert isinstance(data, list)
    (row,) = data
    assert list(row) == COLUMNS
    assert row["code"] == "GFMD-2007-RT1-02"
    assert row["objectives"] == ["GCM 6"]
    assert row["objective_slugs"] == ["gcm-6"]
    assert row["themes"] == ["Labour mobility"]
    assert row["status"] == "in_progress"


def test_an_export_as_of_a_date_has_the_status_and_last_update_of_that_date(client, brussels_2007):
    response, data = export(client, "as_of=2008-06-01&q=circular", "json")

    assert response["Content-Disposition"] == 'attachment; filename="recommendations-as-of-2008-06-01.json"'
    (row,) = data
    assert (row["status"], row["last_update"]) == ("in_progress", "2008-03-01")


def test_the_csv_export_is_utf8(client, brussels_2007):
    rec = brussels_2007.recs["GFMD-2007-RT2-02"]
    rec.text = "Promouvoir les partenariats public-privé en Côte d’Ivoire"
    rec.save()

    _, rows = export(client, "q=Côte", "csv")

    assert rows[0]["text"] == "Promouvoir les partenariats public-privé en Côte d’Ivoire"


@pytest.mark.parametrize("output", ["csv", "json"])
def test_an_export_with_invalid_filters_answers_400_and_exports_nothing(client, brussels_2007, output):
    response = client.get(f"/recommendations/?forum=nowhere&format={output}")

    assert response.status_code == 400
    assert b"not valid" in response.content
    assert b"GFMD-2007" not in response.content


@pytest.mark.parametrize("size", [5, 60])
def test_an_export_takes_the_same_queries_for_any_number_of_rows(
    client, public_site_of_size, django_assert_num_queries, size, monkeypatch
):
    # Chunks smaller than the data, to show that reading in chunks adds no query either.
    monkeypatch.setattr("tracker.views.export.CHUNK_SIZE", 7)
    recs = public_site_of_size(size)
    # 1 the data version (tracker/http/cache.py, which does not store streamed answers), 2 the rows,
    # with themes, actors and objectives joined in correlated subqueries.
    for output in ("csv", "json"):
        with django_assert_num_queries(2):
            response = client.get(f"/recommendations/?format={output}")
            body = b"".join(response.streaming_content)
        assert body.count(b"testserver/recommendations/TEST-") == size
    # Plus 1 to validate a filter that names an object.
    with django_assert_num_queries(3):
        response = client.get(f"/recommendations/?format=csv&forum={recs[0].forum.slug}&status=implemented")
        b"".join(response.streaming_content)


@pytest.fixture
def awkward_values(make_forum, make_roundtable, make_theme, make_actor, make_document, make_recommendation):
    """Values that csv.writer must quote: commas, quotes, line breaks, and empty fields."""
    forum = make_forum(slug="forum-awkward", title='Forum "A", Geneva')
    roundtable = make_roundtable(forum=forum, code="1,a", title='Session "one"')
    themes = [make_theme(name="Zebra, crossing"), make_theme(name='"Quoted" theme'), make_theme(name="Alpha")]
    actor = make_actor(name="Government of Korea, Republic of")
    document = make_document(symbol="", title="Report, final")
    return [
        make_recommendation(
            code="AWK-1",
            forum=forum,
            roundtable=roundtable,
            text='Say "yes", then\nsay no\r\nand again',
            themes=themes,
            actors=[actor],
            source_document=document,
            source_locator='para. 1, "b"',
            order=1,
        ),
        make_recommendation(code="AWK-2", forum=forum, text="Plain", order=2),
    ]


def test_the_csv_export_is_byte_for_byte_what_csv_writer_writes(client, awkward_values):
    response = client.get("/recommendations/?format=csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    body = body[1:]
    rows = list(csv.reader(io.StringIO(body, newline="")))
    written = io.StringIO()
    csv.writer(written).writerows(rows)

    assert body == written.getvalue()
    header, awkward, plain = rows
    awkward, plain = dict(zip(header, awkward, strict=True)), dict(zip(header, plain, strict=True))
    assert awkward["text"] == 'Say "yes", then\nsay no\r\nand again'
    assert awkward["forum_title"] == 'Forum "A", Geneva'
    assert (awkward["roundtable"], awkward["roundtable_title"]) == ("1,a", 'Session "one"')
    assert awkward["themes"] == '"Quoted" theme; Alpha; Zebra, crossing'
    assert awkward["actors"] == "Government of Korea, Republic of"
    assert awkward["source_document"] == "Report, final"
    assert awkward["source_locator"] == 'para. 1, "b"'
    assert (plain["roundtable"], plain["themes"], plain["source_document"], plain["target_date"]) == ("", "", "", "")


@pytest.mark.parametrize("output", ["csv", "json"])
def test_an_export_is_the_same_whatever_the_chunk_and_memo_sizes(client, brussels_2007, monkeypatch, output):
    def body():
        response = client.get(f"/recommendations/?format={output}")
        return b"".join(response.streaming_content)

    whole = body()
    # Chunks of two rows (the last one full, or not), and memos that start afresh at every row.
    monkeypatch.setattr("tracker.views.export.CHUNK_SIZE", 2)
    monkeypatch.setattr("tracker.views.export.MEMO_SIZE", 1)

    assert body() == whole


def test_the_xlsx_export_holds_the_same_rows_with_dates_and_escaped_text(client, brussels_2007):
    import openpyxl

    rec = brussels_2007.recs["GFMD-2007-RT2-02"]
    rec.text = '=HYPERLINK("http://evil.example")'
    rec.save()
    response = client.get("/recommendations/?format=xlsx&forum=gfmd-2007-brussels")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="recommendations.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header, *rows = list(workbook.active.values)
    assert list(header) == COLUMNS
    _, csv_rows = export(client, "forum=gfmd-2007-brussels", "csv")
    assert [row[0] for row in rows] == [row["code"] for row in csv_rows]
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_code["GFMD-2007-RT2-02"]["text"] == '\'=HYPERLINK("http://evil.example")'
    assert by_code["GFMD-2007-RT1-06"]["last_update"].date().isoformat() == "2008-09-09"
    assert by_code["GFMD-2007-RT1-06"]["theme_slugs"] == "circular-migration; labour-mobility"
