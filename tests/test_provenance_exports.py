"""The basis of framework mappings, links and facts in the data (issue 15): the list's exports carry
`objective_bases` beside `objective_slugs`; the open-data package carries `basis`, `basis_note` and
`asserted_at` in recommendation_objectives.csv and recommendation_links.csv, and the editorial facts
of forums and documents in editorial_facts.csv, each naming its forum or document."""

import csv
import datetime
import io
import json

import pytest
from openpyxl import load_workbook

from tracker.columns import EXPORT_COLUMNS
from tracker.http import cache
from tracker.models import Basis, ObjectiveMapping, RecommendationLink


@pytest.fixture(autouse=True)
def empty_response_cache(api_fresh_cache):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mapped(brussels_2007):
    """GFMD-2007-RT1-02 mapped to GCM 6 on the source's word and to GCM 19 by the secretariat."""
    rec = brussels_2007.recs["GFMD-2007-RT1-02"]
    ObjectiveMapping.objects.filter(recommendation=rec).update(basis=Basis.SOURCE, basis_note="Slide 6.")
    ObjectiveMapping.objects.create(
        recommendation=rec, frameworkobjective=brussels_2007.objectives.gcm19, basis_note="Judged so."
    )
    return brussels_2007


def content(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_exports_give_each_mappings_basis_in_the_order_of_the_objectives(client, mapped):
    assert EXPORT_COLUMNS.index("objective_bases") == EXPORT_COLUMNS.index("objective_slugs") + 1

    [row] = json.loads(content(client.get("/recommendations/?objective=gcm-6&format=json")))
    assert (row["objectives"], row["objective_slugs"], row["objective_bases"]) == (
        ["GCM 19", "GCM 6"],
        ["gcm-19", "gcm-6"],
        ["editorial", "source"],
    )
    text = content(client.get("/recommendations/?objective=gcm-6&format=csv")).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert (row["objective_slugs"], row["objective_bases"]) == ("gcm-19; gcm-6", "editorial; source")
    workbook = load_workbook(io.BytesIO(content(client.get("/recommendations/?objective=gcm-6&format=xlsx"))))
    header, values = list(workbook.active.iter_rows(values_only=True))
    assert dict(zip(header, values, strict=True))["objective_bases"] == "editorial; source"
    # A recommendation mapped to nothing has no basis either.
    [row] = json.loads(content(client.get("/recommendations/?q=matrix&format=json")))
    assert (row["objective_slugs"], row["objective_bases"]) == ([], [])


def table(client, name):
    response = client.get(f"/data/{name}.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(content(response).decode("utf-8"))))


def test_the_package_carries_the_basis_of_every_mapping_and_link(client, mapped):
    rows = {(row["recommendation"], row["objective"]): row for row in table(client, "recommendation_objectives")}
    source = rows["GFMD-2007-RT1-02", "gcm-6"]
    assert (source["basis"], source["basis_note"]) == ("source", "Slide 6.")
    assert (rows["GFMD-2007-RT1-02", "gcm-19"]["basis"], rows["GFMD-2007-RT1-02", "gcm-19"]["basis_note"]) == (
        "editorial",
        "Judged so.",
    )
    assert rows["GFMD-2007-RT2-04", "gcm-19"]["basis"] == "editorial"  # the default: staff's judgement
    assert datetime.datetime.fromisoformat(source["asserted_at"].replace("Z", "+00:00")).tzinfo is not None

    RecommendationLink.objects.update(basis=Basis.SOURCE, basis_note="The source says so.")
    [link] = table(client, "recommendation_links")
    assert (link["from_recommendation"], link["basis"], link["basis_note"]) == (
        "GFMD-2008-RT1A-01",
        "source",
        "The source says so.",
    )


def test_the_package_lists_the_editorial_facts_of_forums_and_documents(client, mapped):
    mapped.manila.editorial_facts.create(field="host", note="Not in the source.")
    mapped.document.editorial_facts.create(field="date", note="Added by the secretariat.")

    rows = table(client, "editorial_facts")

    assert [(row["forum"], row["document"], row["field"], row["note"]) for row in rows] == [
        ("gfmd-2008-manila", "", "host", "Not in the source."),
        ("", "iom-2008-current-priorities", "date", "Added by the secretariat."),
    ]
    resources = {
        resource["name"]: resource for resource in json.loads(client.get("/data/datapackage.json").content)["resources"]
    }
    schema = resources["editorial_facts"]["schema"]
    assert [field["name"] for field in schema["fields"]] == ["forum", "document", "field", "note", "asserted_at"]
    assert [(key["fields"], key["reference"]) for key in schema["foreignKeys"]] == [
        (["forum"], {"resource": "forums", "fields": ["slug"]}),
        (["document"], {"resource": "documents", "fields": ["slug"]}),
    ]
    objectives = {field["name"]: field for field in resources["recommendation_objectives"]["schema"]["fields"]}
    assert objectives["basis"]["constraints"] == {"required": True, "enum": ["source", "editorial"]}
    links = [field["name"] for field in resources["recommendation_links"]["schema"]["fields"]]
    assert links[-3:] == ["basis", "basis_note", "asserted_at"]
