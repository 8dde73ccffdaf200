"""The open-data package at /data/ (docs/data-package.md): the page, datapackage.json, the CSV of
each table, the zip, the DCAT and schema.org descriptions, the licence and citation settings, the
ISO 3166-1 alpha-3 and UN M49 codes of states, conditional requests, CORS and query counts.
The real `frictionless validate` and the re-import are in test_data_package_validate.py."""

import csv
import datetime
import io
import json
import re
import zipfile

import pycountry
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.asserts import assertContains

from tracker import services
from tracker.columns import EXPORT_COLUMNS
from tracker.http import cache
from tracker.models import Actor, ProgressUpdate, ReportingCycle
from tracker.opendata import writers
from tracker.opendata.countries import area_name, country_codes
from tracker.opendata.tables import BY_NAME, TABLES

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
FILES = ["/data/datapackage.json", "/data/dcat.jsonld", "/data/package.zip"] + [f"/data/{t.path}" for t in TABLES]


@pytest.fixture(autouse=True)
def empty_response_cache(api_fresh_cache):
    cache.clear()
    yield
    cache.clear()


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def table(client, name):
    """The rows (dicts) of /data/<name>.csv, and its bytes."""
    response = client.get(f"/data/{name}.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = body(response)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8")))), data


def descriptor(client):
    response = client.get("/data/datapackage.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return json.loads(response.content)


def jsonld_of(response):
    scripts = re.findall(rb'<script type="application/ld\+json">(.*?)</script>', response.content, re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def test_the_descriptor_is_a_tabular_data_package_with_a_schema_for_every_table(client, brussels_2007):
    package = descriptor(client)

    assert package["profile"] == "tabular-data-package"
    assert package["name"] == "migration-dialogues-tracker"
    assert package["homepage"] == package["id"] == "http://testserver/data/"
    assert package["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0 International",
        }
    ]
    # The citation names the publisher (the secretariat's actor), the date of the data and /data/.
    assert package["citation"].startswith("GFMD Support Unit (")
    assert package["citation"].endswith("http://testserver/data/")
    assert package["citation"] in package["description"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", package["created"])
    assert package["version"].isdigit()
    assert package["contributors"] == [
        {"title": "GFMD Support Unit", "role": "publisher", "path": "http://testserver/actors/gfmd-support-unit/"}
    ]
    assert package["sources"][0]["path"].startswith("http://testserver/api/v1/documents/")

    resources = {resource["name"]: resource for resource in package["resources"]}
    assert list(resources) == [t.name for t in TABLES]
    assert set(resources) >= {
        "processes",
        "forums",
        "roundtables",
        "recommendations",
        "progress_updates",
        "actors",
        "themes",
        "objectives",
        "recommendation_themes",
        "recommendation_actors",
        "recommendation_objectives",
        "documents",
        "forum_documents",
        "recommendation_links",
        "follow_up_actions",
        "reporting_cycles",
    }
    for name, resource in resources.items():
        assert resource["path"] == f"{name}.csv"  # relative: the zip validates offline
        assert (resource["format"], resource["mediatype"], resource["encoding"]) == ("csv", "text/csv", "utf-8")
        assert resource["profile"] == "tabular-data-resource"
        assert {field["type"] for field in resource["schema"]["fields"]} <= {"string", "integer", "date", "datetime"}

    def keys(name):
        schema = resources[name]["schema"]
        links = {
            fk["fields"][0]: (fk["reference"]["resource"], fk["reference"]["fields"][0])
            for fk in schema.get("foreignKeys", [])
        }
        return schema.get("primaryKey"), links

    assert keys("roundtables") == (["slug"], {"forum": ("forums", "slug"), "parent": ("", "slug")})
    assert keys("recommendations") == (
        ["code"],
        {"process": ("processes", "slug"), "forum": ("forums", "slug"), "roundtable_slug": ("roundtables", "slug")},
    )
    assert keys("recommendation_themes") == (
        ["recommendation", "theme"],
        {"recommendation": ("recommendations", "code"), "theme": ("themes", "slug")},
    )
    assert keys("progress_updates")[0] == ["id"]  # the one table keyed by an id: the API's
    assert keys("progress_updates")[1]["recommendation"] == ("recommendations", "code")
    # The recommendations are the import format: the export's columns, typed.
    fields = {field["name"]: field for field in resources["recommendations"]["schema"]["fields"]}
    assert list(fields) == EXPORT_COLUMNS
    assert fields["status"]["constraints"]["enum"][0] == "no_information"
    assert fields["code"]["constraints"] == {"required": True, "unique": True}
    assert (fields["forum_date"]["type"], fields["updated_at"]["type"], fields["version"]["type"]) == (
        "date",
        "datetime",
        "integer",
    )


def test_the_licence_and_the_citation_come_from_the_settings(client, brussels_2007, settings):
    settings.TRACKER_DATA_LICENSE_ID = "ODbL-1.0"
    settings.TRACKER_DATA_LICENSE_URL = "https://opendatacommons.org/licenses/odbl/1-0/"
    settings.TRACKER_DATA_LICENSE_TITLE = "Open Database License"
    settings.TRACKER_DATA_CITATION = "Tracker team, data of {date} (version {version}), {url}"
    package = descriptor(client)
    date = package["created"][:10]

    assert package["licenses"] == [
        {"name": "ODbL-1.0", "path": "https://opendatacommons.org/licenses/odbl/1-0/", "title": "Open Database License"}
    ]
    assert (
        package["citation"] == f"Tracker team, data of {date} (version {package['version']}), http://testserver/data/"
    )
    page = client.get("/data/")
    assertContains(
        page, 'href="https://opendatacommons.org/licenses/odbl/1-0/" rel="license">Open Database License</a>'
    )
    assertContains(page, package["citation"])
    assert jsonld_of(page)["license"] == "https://opendatacommons.org/licenses/odbl/1-0/"


def test_every_csv_has_its_schema_header_iso_dates_and_no_byte_order_mark(client, brussels_2007):
    package = descriptor(client)
    for resource in package["resources"]:
        rows, data = table(client, resource["name"])
        assert not data.startswith(b"\xef\xbb\xbf")
        assert data.splitlines()[0].decode() == ",".join(field["name"] for field in resource["schema"]["fields"])
        for field in resource["schema"]["fields"]:
            values = [row[field["name"]] for row in rows if row[field["name"]]]
            pattern = {"date": r"\d{4}-\d\d-\d\d", "datetime": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"}
            if field["type"] in pattern:
                assert all(re.fullmatch(pattern[field["type"]], value) for value in values), (resource["name"], values)

    forums, _ = table(client, "forums")
    brussels = next(row for row in forums if row["slug"] == "gfmd-2007-brussels")
    assert (brussels["process"], brussels["start_date"], brussels["end_date"]) == ("gfmd", "2007-07-09", "2007-07-11")
    assert brussels["url"] == "http://testserver/forums/gfmd-2007-brussels/"
    assert brussels["api_url"] == "http://testserver/api/v1/forums/gfmd-2007-brussels/"
    links, _ = table(client, "forum_documents")
    assert links == [{"forum": "gfmd-2007-brussels", "document": "iom-2008-current-priorities"}]
    mapped, _ = table(client, "recommendation_themes")
    assert {"recommendation": "GFMD-2007-RT1-01", "theme": "labour-mobility"} in mapped


def test_the_recommendations_csv_is_the_list_export_without_its_byte_order_mark(client, brussels_2007):
    _, package_csv = table(client, "recommendations")
    exported = body(client.get("/recommendations/?format=csv"))

    assert exported == b"\xef\xbb\xbf" + package_csv
    assert len(list(csv.DictReader(io.StringIO(package_csv.decode())))) == len(brussels_2007.recs)


def test_only_public_updates_and_evidence_files_are_in_the_package(
    client, brussels_2007, focal_a, actor_a, secretariat_user
):
    recommendation = brussels_2007.recs["GFMD-2007-RT1-01"]
    approved = services.record_progress(
        recommendation, user=secretariat_user, actor=actor_a, status="in_progress", summary="Approved at once."
    )
    public = services.add_evidence(
        approved, user=secretariat_user, file=SimpleUploadedFile("decree.pdf", PDF), is_public=True
    )
    services.add_evidence(approved, user=secretariat_user, file=SimpleUploadedFile("memo.pdf", PDF))
    waiting = services.record_progress(
        recommendation, user=focal_a, actor=actor_a, status="implemented", summary="Waiting for review."
    )
    services.add_evidence(waiting, user=focal_a, file=SimpleUploadedFile("draft.pdf", PDF), is_public=True)
    assert waiting.review_state == ProgressUpdate.ReviewState.SUBMITTED
    cache.clear()

    updates, data = table(client, "progress_updates")
    assert {int(row["id"]) for row in updates} == set(ProgressUpdate.objects.public().values_list("id", flat=True))
    assert str(waiting.id) not in {row["id"] for row in updates}
    assert b"Waiting for review" not in data and b"must never be public" not in data
    mine = next(row for row in updates if row["id"] == str(approved.id))
    assert mine["recommendation"] == recommendation.code and mine["actor"] == actor_a.slug
    assert mine["api_url"] == f"http://testserver/api/v1/updates/{approved.id}/"
    files, _ = table(client, "evidence_files")
    assert [(row["update"], row["name"], row["sha256"]) for row in files] == [
        (str(approved.id), "decree.pdf", public.sha256)
    ]
    assert files[0]["url"] == "http://testserver" + public.get_absolute_url()
    assert client.get(files[0]["url"].removeprefix("http://testserver")).status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(body(client.get("/data/package.zip"))))
    assert b"Waiting for review" not in archive.read("progress_updates.csv")


def test_only_published_reporting_cycles_are_in_the_package(client, db):
    today = datetime.date(2026, 1, 5)
    opened = datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.UTC)
    closed = datetime.datetime(2026, 3, 6, 17, 0, 0, 250000, tzinfo=datetime.UTC)
    cycles = {
        "draft-2026": ("draft", None, None),
        "open-2026": ("open", opened, None),
        "closed-2025": ("closed", opened, closed),
    }
    for slug, (state, opened_at, closed_at) in cycles.items():
        ReportingCycle.objects.create(
            slug=slug,
            name=slug.title(),
            opens_on=today,
            deadline=today + datetime.timedelta(days=30),
            state=state,
            opened_at=opened_at,
            closed_at=closed_at,
        )
    rows, _ = table(client, "reporting_cycles")
    assert [(row["slug"], row["state"], row["deadline"], row["opened_at"], row["closed_at"]) for row in rows] == [
        ("closed-2025", "closed", "2026-02-04", "2026-01-05T09:30:00Z", "2026-03-06T17:00:00.250000Z"),
        ("open-2026", "open", "2026-02-04", "2026-01-05T09:30:00Z", ""),
    ]
    assert rows[1]["api_url"] == "http://testserver/api/v1/cycles/open-2026/"


@pytest.mark.parametrize(
    ("kind", "code", "alpha3", "m49", "region", "subregion"),
    [
        ("government", "BE", "BEL", "056", "150", "155"),
        ("government", "ph", "PHL", "608", "142", "035"),
        ("government", " MX ", "MEX", "484", "019", "419"),
        ("government", "SN", "SEN", "686", "002", "202"),
        ("government", "TW", "TWN", None, None, None),  # ISO numeric 158 is not in M49
        ("government", "XK", None, None, None, None),  # user-assigned, not ISO
        ("government", "", None, None, None, None),
        ("intergovernmental", "BE", None, None, None, None),  # only states
    ],
)
def test_states_carry_their_iso_alpha3_and_m49_codes_and_region(kind, code, alpha3, m49, region, subregion):
    assert country_codes(kind, code) == {
        "iso3166_alpha3": alpha3,
        "m49": m49,
        "m49_region": region,
        "m49_subregion": subregion,
    }


def test_every_m49_country_gets_a_region_and_sub_region_named_in_each_language():
    missing = [
        country.alpha_2
        for country in pycountry.countries
        if country_codes("government", country.alpha_2)["m49"] is not None
        and None
        in (
            country_codes("government", country.alpha_2)["m49_region"],
            country_codes("government", country.alpha_2)["m49_subregion"],
        )
    ]
    # Antarctica and Heard Island have an M49 code but no region or sub-region in M49.
    assert missing == ["AQ", "HM"]
    assert area_name("155", "en") == "Western Europe"
    assert area_name("035", "en") == "South-eastern Asia"  # M49's name, not CLDR's "Southeast Asia"
    assert area_name("419", "en") == "Latin America and the Caribbean"
    assert area_name("202", "fr") == "Afrique subsaharienne"
    assert area_name("155", "ar") == "غرب أوروبا"
    assert area_name(None) is None


def test_actors_carry_their_codes_in_the_package_the_api_and_their_page(client, make_actor):
    make_actor(slug="belgium", name="Government of Belgium", kind=Actor.Kind.GOVERNMENT, country_code="BE")
    make_actor(slug="iom", name="IOM", kind=Actor.Kind.INTERGOVERNMENTAL)

    rows, _ = table(client, "actors")
    assert [(row["slug"], row["country_code"], row["iso3166_alpha3"], row["m49"]) for row in rows] == [
        ("belgium", "BE", "BEL", "056"),
        ("iom", "", "", ""),
    ]
    assert [
        [row[name] for name in ("m49_region", "m49_region_name", "m49_subregion", "m49_subregion_name")] for row in rows
    ] == [
        ["150", "Europe", "155", "Western Europe"],
        ["", "", "", ""],
    ]
    api = client.get("/api/v1/actors/").json()["results"]  # validated against /api/schema/ as every answer
    assert [(actor["slug"], actor["iso3166_alpha3"], actor["m49"]) for actor in api] == [
        ("belgium", "BEL", "056"),
        ("iom", None, None),
    ]
    belgium = client.get("/api/v1/actors/belgium/").json()
    assert (belgium["m49"], belgium["m49_region"], belgium["m49_subregion_name"]) == ("056", "150", "Western Europe")
    assert client.get("/api/v1/actors/iom/").json()["m49_region"] is None
    page = client.get("/actors/belgium/")
    assertContains(page, ">BEL</abbr>")
    assertContains(page, "UN M49 056")
    assertContains(page, "Western Europe, Europe")
    assertContains(client.get("/actors/"), '<td data-label="Region (UN M49)">Western Europe</td>', html=False)
    assert b"UN M49" not in client.get("/actors/iom/").content


def test_the_schema_says_the_codes_are_nullable_strings(client, db):
    schema = client.get("/api/schema/?format=json").json()
    actor = schema["components"]["schemas"]["Actor"]["properties"]
    for name in ("iso3166_alpha3", "m49", "m49_region", "m49_region_name", "m49_subregion", "m49_subregion_name"):
        assert actor[name]["type"] == ["string", "null"], actor[name]


def test_the_data_page_describes_the_package_and_links_every_file(client, brussels_2007):
    response = client.get("/data/")

    assert response.status_code == 200
    for path in FILES:
        assertContains(response, f'href="{path}"')
    assertContains(response, '<link rel="alternate" type="application/ld+json"')
    assertContains(response, "frictionless validate http://testserver/data/datapackage.json")
    assertContains(response, "manage.py import_recommendations recommendations.csv")
    assertContains(response, 'rel="license">Creative Commons Attribution 4.0 International</a>')
    rows = dict(
        re.findall(
            r'<tr id="table-(\w+)">.*?<td data-label="Rows" class="num">([\d,]+)</td>', response.content.decode(), re.S
        )
    )
    assert rows["recommendations"] == str(len(brussels_2007.recs))
    assert rows["progress_updates"] == str(ProgressUpdate.objects.public().count())
    dataset = jsonld_of(response)
    assert dataset["@type"] == "Dataset" and dataset["url"] == "http://testserver/data/"
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert dataset["creator"]["name"] == "GFMD Support Unit"
    assert dataset["temporalCoverage"].startswith("2007-07-09/")
    formats = {download["encodingFormat"] for download in dataset["distribution"]}
    assert formats == {"application/zip", "application/json", "text/csv"}
    assert {d["contentUrl"] for d in dataset["distribution"]} >= {"http://testserver/data/package.zip"}


def test_the_dashboard_carries_the_dataset_description_too(client, brussels_2007):
    dataset = jsonld_of(client.get("/"))
    assert dataset["@type"] == "Dataset"
    assert dataset["distribution"][0]["contentUrl"] == "http://testserver/data/package.zip"
    assert "dateModified" in dataset


def test_the_dcat_description_lists_a_distribution_per_file(client, brussels_2007):
    response = client.get("/data/dcat.jsonld")
    assert response["Content-Type"] == "application/ld+json"
    dataset = response.json()
    assert dataset["@type"] == "dcat:Dataset"
    assert dataset["dct:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
    assert dataset["dct:publisher"]["foaf:name"] == "GFMD Support Unit"
    downloads = [d["dcat:downloadURL"]["@id"] for d in dataset["dcat:distribution"]]
    files = ["/data/package.zip", "/data/datapackage.json"] + [f"/data/{t.path}" for t in TABLES]
    assert downloads == ["http://testserver" + path for path in files]
    assert {d["dcat:accessURL"]["@id"] for d in dataset["dcat:distribution"]} == {"http://testserver/data/"}
    assert dataset["dct:temporal"]["dcat:startDate"] == {"@value": "2007-07-09", "@type": "xsd:date"}


def test_text_that_a_spreadsheet_would_run_is_escaped_as_the_export_escapes_it(client, make_theme):
    make_theme(slug="formula", name="=HYPERLINK(1)", description="-1 and more")
    rows, _ = table(client, "themes")
    assert (rows[0]["name"], rows[0]["description"]) == ("'=HYPERLINK(1)", "'-1 and more")


def test_an_unknown_table_is_404_and_a_file_with_parameters_is_400(client, db):
    assert client.get("/data/users.csv").status_code == 404
    for path in ("/data/themes.csv?q=1", "/data/package.zip?utm_source=x", "/data/dcat.jsonld?page=2"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert response["Content-Type"] == "application/json"
    response = client.get("/data/datapackage.json?x=1&a=2")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and list(response.json()["errors"]) == ["x", "a"]
    assert response.json()["detail"] == "The data package's files take no parameters: x, a."
    assert client.get("/data/datapackage.json?lang=fr").status_code == 200  # reserved for the languages
    assert client.get("/data/?utm_source=x").status_code == 200  # the page ignores them, as pages do


@pytest.mark.parametrize("path", FILES)
def test_every_file_has_an_etag_from_the_data_version_and_answers_304_cheaply(
    client, brussels_2007, django_assert_num_queries, path
):
    first = client.get(path, HTTP_ORIGIN="https://dashboard.example.org")
    assert first.status_code == 200
    assert first["Access-Control-Allow-Origin"] == "*"
    etag = first["ETag"]
    assert etag.startswith('"dv-')
    # Rendered afresh (a test's transaction keeps the response cache from storing): 1 the data
    # version, then a description reads its facts; a stream reads nothing for a 304.
    with django_assert_num_queries(1 if first.streaming else 2):
        again = client.get(path, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and body(again) == b""


@pytest.mark.django_db(transaction=True)  # PostgreSQL moves the data version at commit
def test_the_etag_moves_with_the_data(client, brussels_2007, secretariat_user, actor_a):
    before = {path: client.get(path)["ETag"] for path in ("/data/package.zip", "/data/progress_updates.csv")}
    services.record_progress(
        brussels_2007.recs["GFMD-2007-RT1-02"],
        user=secretariat_user,
        actor=actor_a,
        status="stalled",
        summary="Stopped.",
    )
    for path, etag in before.items():
        response = client.get(path, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200 and response["ETag"] != etag
        data = body(response)
        if path.endswith(".zip"):
            data = zipfile.ZipFile(io.BytesIO(data)).read("progress_updates.csv")
        assert b"Stopped." in data


@pytest.mark.parametrize("size", [3, 15])
def test_each_file_takes_the_same_queries_for_any_amount_of_data(
    client, public_site_of_size, django_assert_num_queries, size
):
    public_site_of_size(size)
    # Each CSV: 1 the data version (tracker/http/cache.py; streamed answers are not stored), 2 its
    # rows, in one query read in chunks (the recommendations' themes, actors and objectives joined
    # in correlated subqueries, as the list's export reads them).
    for t in TABLES:
        with django_assert_num_queries(2):
            data = body(client.get(f"/data/{t.path}"))
        assert data.startswith(",".join(t.header).encode())
    # The zip: 1 the data version, 2 the facts (version, dates, publisher), then one per table.
    with django_assert_num_queries(2 + len(TABLES)):
        archive = zipfile.ZipFile(io.BytesIO(body(client.get("/data/package.zip"))))
    assert archive.namelist() == ["datapackage.json"] + [t.path for t in TABLES]
    # The descriptor and the DCAT description: the data version, the facts.
    for path in ("/data/datapackage.json", "/data/dcat.jsonld"):
        cache.clear()
        with django_assert_num_queries(2):
            assert client.get(path).status_code == 200
    # The page: the data version, the facts with every table's row count (scalar subqueries).
    cache.clear()
    with django_assert_num_queries(2):
        assert client.get("/data/").status_code == 200


def test_the_streams_are_written_as_the_rows_are_read():
    read = []

    def rows(n):
        for i in range(n):
            read.append(i)
            yield [i, f"text {i}", datetime.date(2008, 1, 1)]

    chunks = writers.csv_chunks(["n", "text", "date"], rows(2500), chunk_rows=1000)
    first = next(chunks)
    assert len(read) == 1000 and first.count("\r\n") == 1001  # the header and the first thousand rows
    assert len(list(chunks)) == 2 and len(read) == 2500

    read.clear()
    archive = writers.zip_chunks([("a.csv", writers.csv_chunks(["n", "text", "date"], rows(5000), chunk_rows=100))])
    data = next(archive)
    assert len(read) < 5000  # bytes went out before every row was read
    data += b"".join(archive)
    assert len(read) == 5000
    assert zipfile.ZipFile(io.BytesIO(data)).read("a.csv").count(b"\r\n") == 5001


def test_the_same_data_gives_the_same_zip(client, brussels_2007):
    first = body(client.get("/data/package.zip"))
    cache.clear()
    assert body(client.get("/data/package.zip")) == first
    entries = zipfile.ZipFile(io.BytesIO(first)).infolist()
    assert {entry.compress_type for entry in entries} == {zipfile.ZIP_DEFLATED}
    assert BY_NAME["recommendations"].path in {entry.filename for entry in entries}


def test_text_in_the_json_ld_cannot_close_its_script_element(client, make_actor):
    make_actor(slug="sec", name="</script><script>alert(1)</script> & co", kind=Actor.Kind.SECRETARIAT)
    response = client.get("/data/")

    assert b"<script>alert(1)" not in response.content
    assert jsonld_of(response)["creator"]["name"] == "</script><script>alert(1)</script> & co"
