"""Contract tests of the read-only API: every endpoint, its fields, pagination, each filter of
the shared RecommendationFilterSet, the summary, errors, CORS and the documentation."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from tracker.api.pagination import PageNumberPagination
from tracker.models import Recommendation, Status

pytestmark = pytest.mark.usefixtures("api_fast_passwords")

API = "/api/v1"

BRIEF = {"slug", "name", "url"}

FIELDS = {
    "processes": {
        "slug",
        "url",
        "acronym",
        "name",
        "kind",
        "description",
        "established",
        "forum_count",
        "recommendation_count",
    },
    "forums": {
        "slug",
        "url",
        "html_url",
        "title",
        "process",
        "city",
        "country",
        "start_date",
        "end_date",
        "host",
        "theme",
        "format",
        "notes",
        "documents",
        "recommendation_count",
    },
    "roundtables": {"slug", "url", "code", "title", "order", "forum", "parent", "recommendation_count"},
    "recommendations": {
        "code",
        "url",
        "html_url",
        "process",
        "forum",
        "roundtable",
        "order",
        "kind",
        "text",
        "status",
        "status_date",
        "not_reported_since",
        "target_date",
        "themes",
        "actors",
        "objectives",
        "source_document",
        "source_locator",
        "version",
        "updated_at",
    },
    "updates": {
        "id",
        "url",
        "recommendation",
        "actor",
        "status",
        "summary",
        "evidence_url",
        "source_document",
        "files",
        "reported_on",
        "recorded_at",
        "review_state",
        "reviewed_at",
        "review_note",
        "version",
    },
    "actors": {
        "slug",
        "url",
        "html_url",
        "name",
        "kind",
        "country_code",
        "iso3166_alpha3",
        "m49",
        "m49_region",
        "m49_region_name",
        "m49_subregion",
        "m49_subregion_name",
        "description",
        "website",
        "recommendation_count",
    },
    "themes": {"slug", "url", "html_url", "name", "description", "recommendation_count"},
    "objectives": {"slug", "url", "framework", "number", "label", "title", "order", "recommendation_count"},
    "documents": {"slug", "url", "title", "symbol", "date", "publisher", "link", "notes"},
}

# Every resource carries its change key and time for incremental sync (tracker.models.sync).
for _fields in FIELDS.values():
    _fields |= {"change_key", "updated_at"}
# Provenance (issue 15): facts the secretariat added; what the source calls a session.
FIELDS["forums"] |= {"editorial_facts"}
FIELDS["documents"] |= {"editorial_facts"}
FIELDS["roundtables"] |= {"kind"}


def _translated(*fields):
    """The five fields of each translated field (docs/i18n.md, "Content translation")."""
    return {"source_lang"} | {
        name for field in fields for name in (field, f"{field}_lang", f"{field}_status", f"source_{field}")
    }


for _endpoint, _translated_fields in {
    "processes": ("name", "description"),
    "forums": ("title",),
    "roundtables": ("title",),
    "recommendations": ("text",),
    "actors": ("name", "description"),
    "themes": ("name", "description"),
    "objectives": ("title",),
    "documents": ("title",),
    "updates": ("summary",),
}.items():
    FIELDS[_endpoint] |= _translated(*_translated_fields)

DETAIL = {
    "processes": "gfmd",
    "forums": "gfmd-2007",
    "roundtables": "gfmd-2007-rt1a",
    "recommendations": "GFMD-2007-RT1-01",
    "actors": "government-a",
    "themes": "labour-mobility",
    "objectives": "gcm-6",
    "documents": "a-60-871",
}


@pytest.fixture
def anon(api_client_for):
    return api_client_for(None)


def codes(response):
    assert response.status_code == 200, response.json()
    return [row["code"] for row in response.json()["results"]]


@pytest.mark.parametrize("endpoint", sorted(FIELDS))
def test_every_list_is_paginated_with_exactly_the_documented_fields(api_world, anon, endpoint):
    response = anon.get(f"{API}/{endpoint}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == len(body["results"]) > 0
    for row in body["results"]:
        assert set(row) == FIELDS[endpoint]


@pytest.mark.parametrize("endpoint", sorted(DETAIL))
def test_every_detail_is_found_by_its_slug_or_code_and_links_to_itself(api_world, anon, endpoint):
    response = anon.get(f"{API}/{endpoint}/{DETAIL[endpoint]}/")
    assert response.status_code == 200
    body = response.json()
    assert FIELDS[endpoint] <= set(body)
    assert body["url"] == f"http://testserver{API}/{endpoint}/{DETAIL[endpoint]}/"


@pytest.mark.parametrize("endpoint", sorted(DETAIL))
def test_an_unknown_slug_or_code_is_404_in_the_error_format(api_world, anon, endpoint):
    response = anon.get(f"{API}/{endpoint}/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.parametrize(
    "path", ["/nothing-here/", "/forums/a.b/", "/updates/abc/", "/recommendations/x%20y/", "/roundtables/D%0A/"]
)
def test_any_other_path_under_the_api_is_a_json_404(anon, path):
    response = anon.get(f"{API}{path}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_api_root_lists_every_resource(anon):
    body = anon.get(f"{API}/").json()
    assert set(body) == set(FIELDS) | {"documents", "cycles", "webhooks", "deletions"}
    assert body["recommendations"] == f"http://testserver{API}/recommendations/"


def test_nested_objects_are_briefs_with_slug_name_and_url(api_world, anon):
    row = anon.get(f"{API}/recommendations/{api_world.ethical.code}/").json()
    for key in ("process", "forum", "roundtable", "source_document"):
        assert set(row[key]) >= BRIEF, key
        assert len(row[key]) <= 5, key
    for key in ("themes", "actors", "objectives"):
        assert [set(item) >= BRIEF for item in row[key]] == [True] * len(row[key]) != []
    assert row["process"]["slug"] == "gfmd"
    assert row["roundtable"] == {
        "slug": "gfmd-2007-rt1",
        "code": "1",
        "name": "Human capital development",
        "name_lang": "en",  # the name's language: the asked one, else the source's (docs/i18n.md)
        "url": "http://testserver/api/v1/roundtables/gfmd-2007-rt1/",
    }
    assert row["objectives"][0]["name"] == "GCM 6"
    assert row["html_url"] == f"http://testserver/recommendations/{api_world.ethical.code}/"


def test_a_recommendation_carries_its_version_status_links_and_follow_ups(api_world, anon):
    from tracker.models import FollowUpAction, RecommendationLink

    RecommendationLink.objects.create(
        from_recommendation=api_world.centres,
        kind=RecommendationLink.Kind.FOLLOWS_UP,
        to_recommendation=api_world.ethical,
    )
    FollowUpAction.objects.create(recommendation=api_world.ethical, forum=api_world.manila, description="Discussed")
    row = anon.get(f"{API}/recommendations/{api_world.ethical.code}/").json()
    assert row["status"] == Status.IMPLEMENTED
    assert row["status_date"] == "2009-06-01"
    assert row["version"] == api_world.ethical.version
    assert row["links"] == [
        {
            "relation": "followed up by",
            "recommendation": {
                "code": api_world.centres.code,
                "version": api_world.centres.version,
                "url": f"http://testserver{API}/recommendations/{api_world.centres.code}/",
            },
            "note": "",
            "basis": "editorial",  # a link is the secretariat's judgement unless it cites the source
            "basis_note": "",
        }
    ]
    assert row["follow_ups"][0]["forum"]["slug"] == "gfmd-2008"
    assert row["updates_url"] == f"http://testserver{API}/updates/?recommendation={api_world.ethical.code}"


def test_counts_come_with_every_reference_object(api_world, anon):
    processes = {row["slug"]: row for row in anon.get(f"{API}/processes/").json()["results"]}
    assert (processes["gfmd"]["forum_count"], processes["gfmd"]["recommendation_count"]) == (2, 3)
    roundtables = {
        row["slug"]: row["recommendation_count"] for row in anon.get(f"{API}/roundtables/").json()["results"]
    }
    assert roundtables == {"gfmd-2007-rt1": 2, "gfmd-2007-rt1a": 1}  # a roundtable counts its sub-sessions'
    actors = {row["slug"]: row["recommendation_count"] for row in anon.get(f"{API}/actors/").json()["results"]}
    assert actors == {"government-a": 2, "government-b": 2, "gfmd-secretariat": 0}
    themes = {row["slug"]: row["recommendation_count"] for row in anon.get(f"{API}/themes/").json()["results"]}
    assert themes == {"labour-mobility": 2, "remittances": 1}
    assert anon.get(f"{API}/objectives/gcm-6/").json()["recommendation_count"] == 1
    assert anon.get(f"{API}/forums/gfmd-2007/").json()["recommendation_count"] == 2


def test_forums_and_roundtables_filter_by_their_parent(api_world, anon):
    forums = anon.get(f"{API}/forums/", {"process": "gfmd"}).json()["results"]
    assert [row["slug"] for row in forums] == ["gfmd-2007", "gfmd-2008"]
    roundtables = anon.get(f"{API}/roundtables/", {"forum": "gfmd-2008"}).json()
    assert roundtables["count"] == 0
    assert anon.get(f"{API}/forums/", {"process": "nope"}).json()["errors"]["process"]


# Pagination


def test_pages_follow_page_and_page_size_with_next_and_previous_links(api_world, anon):
    first = anon.get(f"{API}/recommendations/", {"page_size": 3}).json()
    assert (first["count"], len(first["results"]), first["previous"]) == (4, 3, None)
    assert first["next"] == f"http://testserver{API}/recommendations/?page=2&page_size=3"
    second = anon.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert second["next"] is None
    assert second["previous"] == f"http://testserver{API}/recommendations/?page_size=3"
    assert codes(anon.get(f"{API}/recommendations/", {"page_size": 3})) + [
        row["code"] for row in second["results"]
    ] == [r.code for r in Recommendation.objects.order_by(*Recommendation._meta.ordering)]


def test_a_page_past_the_end_is_404(api_world, anon):
    response = anon.get(f"{API}/recommendations/", {"page": 2})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "name,value", [("page", "0"), ("page", "-1"), ("page", "two"), ("page_size", "0"), ("page_size", "x")]
)
def test_a_page_or_page_size_that_is_not_a_positive_number_is_400_naming_it(api_world, anon, name, value):
    response = anon.get(f"{API}/recommendations/", {name: value})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [name]


def test_page_size_is_capped_at_1000():
    request = Request(APIRequestFactory().get("/", {"page_size": "5000"}))
    assert PageNumberPagination().get_page_size(request) == 1000


def test_pagination_refuses_an_unordered_queryset(db):
    request = Request(APIRequestFactory().get("/"))
    with pytest.raises(ImproperlyConfigured, match="unordered"):
        PageNumberPagination().paginate_queryset(Recommendation.objects.order_by(), request)


# Filters: exactly those of the browse page (tracker.filters.RecommendationFilterSet).


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"process": "gfmd"}, ["GFMD-2007-RT1-01", "GFMD-2007-RT1A-01", "GFMD-2008-RT2-01"]),
        ({"process": "hld"}, ["HLD-2006-01"]),
        ({"forum": "gfmd-2007"}, ["GFMD-2007-RT1-01", "GFMD-2007-RT1A-01"]),
        ({"roundtable": "gfmd-2007-rt1"}, ["GFMD-2007-RT1-01", "GFMD-2007-RT1A-01"]),
        ({"roundtable": "gfmd-2007-rt1a"}, ["GFMD-2007-RT1A-01"]),
        ({"status": "implemented"}, ["GFMD-2007-RT1-01", "GFMD-2007-RT1A-01"]),
        ({"status": ["no_information", "in_progress"]}, ["HLD-2006-01", "GFMD-2008-RT2-01"]),
        ({"theme": "remittances"}, ["GFMD-2008-RT2-01"]),
        ({"objective": "gcm-6"}, ["GFMD-2007-RT1-01"]),
        ({"actor": "government-b"}, ["GFMD-2007-RT1A-01", "GFMD-2008-RT2-01"]),
        ({"kind": "outcome"}, ["GFMD-2007-RT1A-01"]),
        ({"search": "ethical"}, ["GFMD-2007-RT1-01"]),
        ({"q": "circular"}, ["GFMD-2007-RT1A-01"]),
        ({"search": "codes recruitment"}, ["GFMD-2007-RT1-01"]),
        ({"search": "hld-2006"}, ["HLD-2006-01"]),
        (
            {"forum": "gfmd-2007", "status": "implemented", "theme": "labour-mobility"},
            ["GFMD-2007-RT1-01", "GFMD-2007-RT1A-01"],
        ),
        ({"ordering": "-code"}, ["HLD-2006-01", "GFMD-2008-RT2-01", "GFMD-2007-RT1A-01", "GFMD-2007-RT1-01"]),
        ({"ordering": "date"}, ["HLD-2006-01", "GFMD-2007-RT1-01", "GFMD-2007-RT1A-01", "GFMD-2008-RT2-01"]),
        # Statuses in their workflow order: no information first, implemented later; code within each.
        ({"ordering": "status"}, ["GFMD-2008-RT2-01", "HLD-2006-01", "GFMD-2007-RT1-01", "GFMD-2007-RT1A-01"]),
    ],
)
def test_each_recommendation_filter_selects_what_the_browse_page_does(api_world, anon, query, expected):
    assert codes(anon.get(f"{API}/recommendations/", query)) == expected


def test_as_of_shows_and_filters_the_status_on_that_date(api_world, anon):
    response = anon.get(f"{API}/recommendations/", {"as_of": "2008-12-31", "status": "in_progress"})
    assert codes(response) == ["GFMD-2007-RT1-01"]
    assert response.json()["results"][0]["status"] == Status.IN_PROGRESS
    before = anon.get(f"{API}/recommendations/{api_world.ethical.code}/", {"as_of": "2007-12-31"}).json()
    assert before["status"] == Status.NO_INFORMATION


def test_as_of_dates_the_status_by_the_update_that_set_it(api_world, anon):
    detail = f"{API}/recommendations/{api_world.ethical.code}/"
    now = anon.get(detail).json()
    assert (now["status"], now["status_date"]) == (Status.IMPLEMENTED, "2009-06-01")
    in_2008 = anon.get(detail, {"as_of": "2008-12-31"}).json()
    assert (in_2008["status"], in_2008["status_date"]) == (Status.IN_PROGRESS, "2008-01-10")
    before = anon.get(detail, {"as_of": "2007-12-31"}).json()
    assert (before["status"], before["status_date"]) == (Status.NO_INFORMATION, None)
    listed = anon.get(f"{API}/recommendations/", {"as_of": "2008-12-31", "status": "in_progress"}).json()
    assert [row["status_date"] for row in listed["results"]] == ["2008-01-10"]


@pytest.mark.parametrize(
    "query,names",
    [
        ({"status": "done"}, ["status"]),
        ({"status": ["implemented", "done"]}, ["status"]),
        ({"forum": "nowhere"}, ["forum"]),
        ({"process": "x"}, ["process"]),
        ({"roundtable": "x"}, ["roundtable"]),
        ({"theme": "x"}, ["theme"]),
        ({"objective": "x"}, ["objective"]),
        ({"actor": "x"}, ["actor"]),
        ({"kind": "x"}, ["kind"]),
        ({"as_of": "yesterday"}, ["as_of"]),
        ({"ordering": "text"}, ["ordering"]),
        ({"search": "a\x00b"}, ["search"]),
        ({"forum": "a\x00b"}, ["forum"]),
        ({"kind": "x", "as_of": "2008-02-30"}, ["as_of", "kind"]),
    ],
)
def test_an_invalid_filter_value_is_400_naming_the_parameter(api_world, anon, query, names):
    for url in (f"{API}/recommendations/", f"{API}/recommendations/summary/", f"{API}/summary/"):
        response = anon.get(url, query)
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert sorted(body["errors"]) == names
        for name in names:
            assert name in body["detail"]


# Summary


@pytest.mark.parametrize("path", ["/recommendations/summary/", "/summary/"])
def test_summary_counts_every_status_and_the_total(api_world, anon, path):
    body = anon.get(f"{API}{path}").json()
    assert body["total"] == 4
    assert list(body["by_status"]) == Status.values
    assert body["by_status"] == dict.fromkeys(Status.values, 0) | {"no_information": 2, "implemented": 2}


@pytest.mark.parametrize(
    "query",
    [
        {"forum": "gfmd-2007"},
        {"status": ["implemented", "no_information"]},
        {"theme": "labour-mobility"},
        {"actor": "government-b", "kind": "outcome"},
        {"as_of": "2008-12-31"},
        {"roundtable": "gfmd-2007-rt1", "search": "workshop"},
    ],
)
def test_summary_counts_what_the_list_with_the_same_filters_lists(api_world, anon, query):
    listed = anon.get(f"{API}/recommendations/", query | {"page_size": 1000}).json()["results"]
    summary = anon.get(f"{API}/recommendations/summary/", query).json()
    assert anon.get(f"{API}/summary/", query).json() == summary
    assert summary["total"] == len(listed)
    for status in Status.values:
        assert summary["by_status"][status] == sum(row["status"] == status for row in listed)


def test_the_unfiltered_summary_reads_the_maintained_counts_and_equals_a_recount(
    api_world, anon, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker.models import Recommendation

    def recount():
        counts = dict.fromkeys(Status.values, 0)
        for status in Recommendation.objects.values_list("status", flat=True):
            counts[status] += 1
        return {"total": sum(counts.values()), "by_status": counts}

    Recommendation.objects.filter(status="no_information").update(status="stalled")  # triggers keep the counts
    for path in ("/recommendations/summary/", "/summary/", "/summary/?lang=fr"):
        with CaptureQueriesContext(connection) as queries:
            body = anon.get(f"{API}{path}").json()
        assert body == recount() and body["by_status"]["stalled"] == 2, path
        assert any("tracker_statuscount" in q["sql"] for q in queries.captured_queries), path
        assert not any('FROM "tracker_recommendation"' in q["sql"] for q in queries.captured_queries), path
    # A filter counts the selected rows (the maintained counts hold no search or date).
    with CaptureQueriesContext(connection) as queries:
        anon.get(f"{API}/summary/", {"search": "workshop"})
    assert any('FROM "tracker_recommendation"' in q["sql"] for q in queries.captured_queries)


def test_summary_as_of_counts_the_status_on_that_date(api_world, anon):
    body = anon.get(f"{API}/recommendations/summary/", {"as_of": "2008-12-31"}).json()
    assert body["by_status"]["in_progress"] == 1  # ethical was in progress then, implemented in 2009
    assert body["by_status"]["implemented"] == 1


# Progress updates


def test_the_public_sees_approved_updates_only(api_world, anon):
    rows = anon.get(f"{API}/updates/").json()["results"]
    assert {row["id"] for row in rows} == {
        api_world.updates.ethical_2008.pk,
        api_world.updates.ethical_2009.pk,
        api_world.updates.circular.pk,
    }
    assert {row["review_state"] for row in rows} == {"approved"}
    for private in (api_world.updates.a_returned, api_world.updates.b_submitted):
        assert anon.get(f"{API}/updates/{private.pk}/").status_code == 404


def test_updates_are_newest_report_first(api_world, anon):
    rows = anon.get(f"{API}/updates/").json()["results"]
    assert [row["reported_on"] for row in rows] == ["2009-06-01", "2008-09-01", "2008-01-10"]


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"recommendation": "GFMD-2007-RT1-01"}, {"ethical_2008", "ethical_2009"}),
        ({"actor": "gfmd-secretariat"}, {"circular"}),
        ({"forum": "gfmd-2007"}, {"ethical_2008", "ethical_2009", "circular"}),
        ({"status": ["in_progress", "implemented"]}, {"ethical_2008", "ethical_2009", "circular"}),
        ({"status": "in_progress"}, {"ethical_2008"}),
        ({"reported_after": "2008-06-01"}, {"ethical_2009", "circular"}),
        ({"reported_before": "2008-06-01"}, {"ethical_2008"}),
    ],
)
def test_update_filters_are_those_of_the_shared_filterset(api_world, anon, query, expected):
    rows = anon.get(f"{API}/updates/", query).json()["results"]
    assert {row["id"] for row in rows} == {getattr(api_world.updates, name).pk for name in expected}


@pytest.mark.parametrize(
    "query,name", [({"status": "x"}, "status"), ({"actor": "x"}, "actor"), ({"reported_after": "x"}, "reported_after")]
)
def test_an_invalid_update_filter_is_400_naming_it(api_world, anon, query, name):
    response = anon.get(f"{API}/updates/", query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [name]


def test_a_focal_point_also_sees_its_own_actors_unapproved_updates_but_not_anothers(api_world, api_client_for, focal_a):
    client = api_client_for(focal_a)
    ids = {row["id"] for row in client.get(f"{API}/updates/").json()["results"]}
    assert api_world.updates.a_returned.pk in ids
    assert api_world.updates.b_submitted.pk not in ids
    assert client.get(f"{API}/updates/{api_world.updates.b_submitted.pk}/").status_code == 404
    assert client.get(f"{API}/updates/{api_world.updates.a_returned.pk}/").json()["review_state"] == "returned"


def test_the_secretariat_sees_every_update_and_can_list_what_awaits_review(api_world, api_client_for, secretariat_user):
    client = api_client_for(secretariat_user)
    assert client.get(f"{API}/updates/").json()["count"] == 5
    waiting = client.get(f"{API}/updates/", {"review_state": "submitted"}).json()["results"]
    assert [row["id"] for row in waiting] == [api_world.updates.b_submitted.pk]


def test_review_notes_are_shown_to_the_reporting_actor_only(api_world, api_client_for, focal_a, focal_b):
    update = api_world.updates.a_returned
    update.review_note = "Please add evidence."
    update.save()
    assert api_client_for(focal_a).get(f"{API}/updates/{update.pk}/").json()["review_note"] == "Please add evidence."
    approved = api_world.updates.ethical_2009
    approved.review_note = "Internal remark"
    approved.save()
    assert api_client_for(None).get(f"{API}/updates/{approved.pk}/").json()["review_note"] == ""
    assert api_client_for(focal_b).get(f"{API}/updates/{approved.pk}/").json()["review_note"] == ""


# Cross-origin reads, documentation


def test_any_origin_may_read_but_not_write(api_world, anon):
    response = anon.get(f"{API}/recommendations/", HTTP_ORIGIN="https://dashboard.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = anon.options(
        f"{API}/updates/",
        HTTP_ORIGIN="https://dashboard.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")


def test_the_schema_is_valid_openapi_3_and_documents_every_error(anon):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"400", "404", "429"} <= documented, (method, path)
            if path.startswith("/api/v1/auth/token/") and method == "post" and path.endswith("token/"):
                continue
            assert "401" in documented, (method, path)
            if method in ("post", "patch", "delete"):
                assert {"403"} <= documented, (method, path)
    writes = {
        ("post", "/api/v1/updates/"),
        ("patch", "/api/v1/updates/{id}/"),
        ("delete", "/api/v1/updates/{id}/"),
        ("post", "/api/v1/updates/{id}/approve/"),
        ("post", "/api/v1/updates/{id}/return/"),
    }
    for method, path in writes:
        assert {"412", "428"} <= set(schema["paths"][path][method]["responses"]), (method, path)
    assert "409" in schema["paths"]["/api/v1/updates/{id}/approve/"]["post"]["responses"]
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"detail", "code"}
    served = anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert served.status_code == 200


def test_the_interactive_docs_load_their_assets_from_this_server_not_a_cdn(anon):
    response = anon.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs"):
        assert cdn not in html


def test_dates_in_filters_are_iso_dates(api_world, anon):
    assert anon.get(f"{API}/recommendations/", {"as_of": datetime.date(2008, 12, 31).isoformat()}).status_code == 200
