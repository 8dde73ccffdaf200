"""The browse list at /recommendations/: every filter, several statuses at once, as-of dates,
sorting, paging, messages for invalid filters, and a query count that does not grow."""

import pytest
from pytest_django.asserts import assertContains

from tracker.models import Status


def codes(client, query="", status_code=200):
    response = client.get(f"/recommendations/{query}")
    assert response.status_code == status_code, response.content[:2000]
    return [rec.code for rec in response.context["page"].object_list]


def test_without_filters_the_list_shows_every_recommendation_in_forum_order(client, brussels_2007):
    listed = codes(client)

    assert len(listed) == 21
    assert listed[:2] == ["GFMD-2007-RT1-01", "GFMD-2007-RT1-02"]
    assert listed[-1] == "GFMD-2008-RT1A-01"


def test_the_forum_filter_takes_a_slug(client, brussels_2007):
    assert codes(client, "?forum=gfmd-2008-manila") == ["GFMD-2008-RT1A-01"]


def test_the_process_filter_takes_a_slug(client, brussels_2007):
    assert len(codes(client, "?process=gfmd")) == 21
    assert codes(client, "?process=circular-migration-workshops") == []


def test_the_roundtable_filter_includes_its_sub_sessions(client, brussels_2007):
    assert codes(client, "?roundtable=gfmd-2008-rt1") == ["GFMD-2008-RT1A-01"]
    assert codes(client, "?roundtable=gfmd-2008-rt1b") == []
    assert len(codes(client, "?roundtable=gfmd-2007-rt2")) == 4


def test_several_statuses_can_be_selected_at_once(client, brussels_2007):
    response = client.get("/recommendations/?status=implemented&status=stalled")

    assert [rec.code for rec in response.context["page"].object_list] == ["GFMD-2007-RT1-06", "GFMD-2007-RT2-01"]
    assertContains(response, 'value="implemented" id="id_status_4" checked', html=False)
    assertContains(response, 'value="stalled" id="id_status_5" checked', html=False)


def test_a_submitted_update_does_not_count_towards_the_status(client, brussels_2007):
    assert "GFMD-2007-RT3-01" not in codes(client, "?status=not_started")
    assert "GFMD-2007-RT3-01" in codes(client, "?status=no_information")


def test_the_theme_objective_actor_and_kind_filters(client, brussels_2007):
    assert codes(client, "?theme=circular-migration") == ["GFMD-2007-RT1-06"]
    assert codes(client, "?objective=gcm-6") == ["GFMD-2007-RT1-02"]
    assert codes(client, "?actor=philippines") == ["GFMD-2008-RT1A-01"]
    assert len(codes(client, "?actor=belgium")) == 6
    assert codes(client, "?kind=outcome") == ["GFMD-2007-OUT-01", "GFMD-2007-OUT-02"]


def test_filters_combine(client, brussels_2007):
    assert codes(client, "?theme=labour-mobility&status=implemented&status=in_progress&forum=gfmd-2007-brussels") == [
        "GFMD-2007-RT1-02",
        "GFMD-2007-RT1-06",
    ]


def test_free_text_search_matches_every_word_in_the_text_or_code(client, brussels_2007):
    assert codes(client, "?q=ethical+recruitment") == ["GFMD-2007-RT1-02", "GFMD-2008-RT1A-01"]
    assert codes(client, "?q=RT4-03") == ["GFMD-2007-RT4-03"]
    assert codes(client, "?search=remittance+flows") == ["GFMD-2007-RT2-01"]


def test_as_of_filters_and_shows_the_status_on_that_date(client, brussels_2007):
    response = client.get("/recommendations/?as_of=2008-06-01&status=in_progress")

    assert [rec.code for rec in response.context["page"].object_list] == ["GFMD-2007-RT1-06"]
    assertContains(response, "As of 1 June 2008")
    assertContains(response, '<span class="badge status-in_progress">In progress</span>', html=True)
    assert codes(client, "?as_of=2008-06-01&status=implemented") == []
    assert codes(client, "?as_of=2008-12-31&status=implemented") == ["GFMD-2007-RT1-06"]


def test_as_of_shows_the_date_of_the_update_that_set_the_status_then(client, brussels_2007):
    response = client.get("/recommendations/?as_of=2008-06-01&q=circular")

    (rec,) = response.context["page"].object_list
    assert rec.last_update.isoformat() == "2008-03-01"


@pytest.mark.parametrize(
    ("ordering", "first"),
    [
        ("code", "GFMD-2007-OUT-01"),
        ("-code", "GFMD-2008-RT1A-01"),
        ("-last_update", "GFMD-2007-RT1-02"),
        ("last_update", "GFMD-2007-RT2-01"),
    ],
)
def test_the_list_can_be_sorted(client, brussels_2007, ordering, first):
    assert codes(client, f"?ordering={ordering}")[0] == first


@pytest.mark.parametrize("ordering", ["last_update", "-last_update"])
def test_never_updated_recommendations_sort_last_either_way_on_every_database(client, brussels_2007, ordering):
    listed = codes(client, f"?ordering={ordering}")

    assert set(listed[:3]) == {"GFMD-2007-RT1-02", "GFMD-2007-RT1-06", "GFMD-2007-RT2-01"}
    assert listed[3:6] == ["GFMD-2007-OUT-01", "GFMD-2007-OUT-02", "GFMD-2007-RT1-01"]


def test_sorting_by_status_keeps_a_stable_order_within_a_status(client, brussels_2007):
    listed = codes(client, "?ordering=status&forum=gfmd-2007-brussels")

    # "No information" first (the workflow order), by code within it; then in progress, then implemented.
    assert listed[:3] == ["GFMD-2007-OUT-01", "GFMD-2007-OUT-02", "GFMD-2007-RT1-01"]
    assert listed[-3:] == ["GFMD-2007-RT1-02", "GFMD-2007-RT1-06", "GFMD-2007-RT2-01"]


def test_column_headers_link_to_sorting_and_say_which_is_active(client, brussels_2007):
    response = client.get("/recommendations/?ordering=code&forum=gfmd-2007-brussels")

    assertContains(response, 'aria-sort="ascending"')
    assertContains(response, 'href="?ordering=-code&amp;forum=gfmd-2007-brussels"')


def test_the_list_is_paginated_and_keeps_its_filters_across_pages(client, brussels_2007, monkeypatch):
    monkeypatch.setattr("tracker.views.common.PAGE_SIZE", 5)

    first = client.get("/recommendations/?forum=gfmd-2007-brussels")
    assert len(first.context["page"].object_list) == 5
    assertContains(first, "Page 1 of 4")
    assertContains(first, 'href="?forum=gfmd-2007-brussels&amp;page=2"')
    last = codes(client, "?forum=gfmd-2007-brussels&page=4")
    assert last == ["GFMD-2007-RT4-02", "GFMD-2007-RT4-03", "GFMD-2007-RT4-04", "GFMD-2007-OUT-01", "GFMD-2007-OUT-02"]
    assert codes(client, "?forum=gfmd-2007-brussels&page=99") == codes(client, "?forum=gfmd-2007-brussels&page=4")
    assert codes(client, "?forum=gfmd-2007-brussels&page=abc") == codes(client, "?forum=gfmd-2007-brussels")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?forum=no-such-forum", "Forum"),
        ("?status=finished", "Status"),
        ("?as_of=2008-13-01", "Status as of"),
        ("?ordering=colour", "Sort by"),
        ("?theme=nope&actor=nobody", "Theme"),
    ],
)
def test_an_invalid_filter_value_shows_a_message_and_answers_400(client, brussels_2007, query, field):
    response = client.get(f"/recommendations/{query}")

    assert response.status_code == 400
    assertContains(response, "Some filters could not be applied", status_code=400)
    assertContains(response, f">{field}</a>:", status_code=400)
    assert list(response.context["page"].object_list) == []


def test_an_unknown_format_answers_406_naming_the_exports(client, brussels_2007):
    response = client.get("/recommendations/?format=xml")

    assert response.status_code == 406
    assert b"Format not available" in response.content and b"format=xlsx" in response.content


def test_the_filter_form_is_a_get_form_with_labelled_fields(client, brussels_2007):
    response = client.get("/recommendations/")

    assertContains(response, '<form class="filters" method="get" action="/recommendations/"')
    for name in ("q", "process", "forum", "roundtable", "theme", "objective", "actor", "kind", "as_of", "ordering"):
        assertContains(response, f'for="id_{name}"')
    assertContains(response, "<legend>Status</legend>", html=True)
    assertContains(response, 'type="date" name="as_of"')
    # Options say which forum a roundtable belongs to.
    assertContains(response, '<optgroup label="First Global Forum on Migration and Development, Brussels">')


def test_the_list_links_to_exports_and_a_feed_of_the_same_filters(client, brussels_2007):
    response = client.get("/recommendations/?forum=gfmd-2007-brussels&status=stalled&page=1")

    assertContains(response, 'href="?forum=gfmd-2007-brussels&amp;status=stalled&amp;format=csv"')
    assertContains(response, 'href="?forum=gfmd-2007-brussels&amp;status=stalled&amp;format=json"')
    assertContains(response, 'href="/feeds/updates/?forum=gfmd-2007-brussels&amp;status=stalled"')


def test_status_badges_use_the_status_classes(client, brussels_2007):
    response = client.get("/recommendations/?status=stalled")

    assertContains(response, '<span class="badge status-stalled">Stalled</span>', html=True)
    assert response.context["page"].object_list[0].effective_status == Status.STALLED


@pytest.mark.parametrize("size", [4, 20])
def test_the_list_takes_the_same_queries_for_any_number_of_recommendations(
    client, public_site_of_size, django_assert_num_queries, size
):
    recs = public_site_of_size(size)
    forum, theme = recs[0].forum.slug, recs[0].themes.first().slug
    # 1 the data version (tracker/http/cache.py), 2 count, 3 the page of recommendations with forum,
    # process and roundtable, 4 their themes, 5 the list counted by kind (one GROUP BY), 6-11 the
    # options of the process, forum, roundtable, theme, objective and actor lists.
    with django_assert_num_queries(11):
        assert client.get("/recommendations/").status_code == 200
    # The same, plus one query to validate each filter that names an object (forum, theme).
    with django_assert_num_queries(13):
        url = f"/recommendations/?status=implemented&status=no_information&as_of=2008-01-10&forum={forum}&theme={theme}"
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("ordering", ["status", "-status"])
def test_statuses_sort_in_their_workflow_order_not_by_code(api_client_for, brussels_2007, ordering):
    from tracker.models import Status

    rows = api_client_for(None).get(f"/api/v1/recommendations/?ordering={ordering}&page_size=100").json()["results"]
    statuses = [row["status"] for row in rows]
    rank = {value: place for place, value in enumerate(Status.order())}
    assert len(set(statuses)) >= 3
    assert statuses == sorted(statuses, key=rank.get, reverse=ordering.startswith("-"))
