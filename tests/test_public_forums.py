"""/forums/ and /forums/<slug>/: facts, roundtables and sub-sessions in order, statuses, as-of."""

import pytest
from pytest_django.asserts import assertContains

from tracker.models import Status


def test_the_forum_list_groups_forums_by_process_with_their_counts(client, brussels_2007):
    response = client.get("/forums/")

    assert response.status_code == 200
    groups = [(process.slug, [row.obj.slug for row in rows]) for process, rows in response.context["processes"]]
    assert groups == [
        ("gfmd", ["gfmd-2007-brussels", "gfmd-2008-manila"]),
        ("circular-migration-workshops", ["ec-2008-mauritius-circular-migration"]),
    ]
    assertContains(response, 'href="/recommendations/?forum=gfmd-2007-brussels">20 recommendations</a>', html=False)
    assertContains(response, "9–11 July 2007")


def test_the_forum_page_shows_the_forums_facts(client, brussels_2007):
    response = client.get("/forums/gfmd-2007-brussels/")

    assert response.status_code == 200
    for fact in (
        "First Global Forum on Migration and Development, Brussels",
        "9–11 July 2007",
        "Brussels, Belgium",
        "Government of Belgium",
        "Held under Chatham House rules",
        "Current Priorities in Intergovernmental Dialogues on Labour Migration",
    ):
        assertContains(response, fact)


def test_the_forum_page_lists_roundtables_in_order_with_their_recommendations(client, brussels_2007):
    response = client.get("/forums/gfmd-2007-brussels/")

    sections = response.context["sections"]
    assert [section.roundtable.code for section in sections] == ["1", "2", "3", "4"]
    assert [rec.code for rec in sections[0].recommendations] == [f"GFMD-2007-RT1-{n:02d}" for n in range(1, 7)]
    assert sections[0].breakdown.counts == {Status.NO_INFORMATION: 4, Status.IN_PROGRESS: 1, Status.IMPLEMENTED: 1}
    assert [rec.code for rec in response.context["unassigned"]] == ["GFMD-2007-OUT-01", "GFMD-2007-OUT-02"]
    assertContains(response, "Outcomes and other items")
    assertContains(response, '<span class="badge status-implemented">Implemented</span>', html=True)
    assertContains(response, '<svg class="bar"')
    assertContains(response, 'href="/recommendations/?roundtable=gfmd-2007-rt1&amp;status=implemented"')


def test_sub_sessions_appear_under_their_roundtable_and_count_towards_it(client, brussels_2007):
    response = client.get("/forums/gfmd-2008-manila/")

    (section,) = response.context["sections"]
    assert section.roundtable.code == "1"
    assert [child.roundtable.code for child in section.children] == ["1.a", "1.b"]
    assert [rec.code for rec in section.children[0].recommendations] == ["GFMD-2008-RT1A-01"]
    assert section.breakdown.total == 1
    assertContains(response, "Overarching theme")
    assertContains(response, "Protecting and empowering migrants for development")


def test_a_forum_page_names_the_earlier_recommendations_it_acted_on(client, brussels_2007):
    response = client.get("/forums/ec-2008-mauritius-circular-migration/")

    assertContains(response, "Earlier recommendations this forum acted on")
    assertContains(response, 'href="/recommendations/GFMD-2007-RT1-06/"')


def test_forum_pages_as_of_a_date_show_the_status_then(client, brussels_2007):
    detail = client.get("/forums/gfmd-2007-brussels/?as_of=2008-06-01")
    listing = client.get("/forums/?as_of=2008-06-01")

    assertContains(detail, "Status as of 1 June 2008")
    assert detail.context["breakdown"].counts == {Status.NO_INFORMATION: 19, Status.IN_PROGRESS: 1}
    assertContains(listing, "Status as of 1 June 2008")
    assertContains(listing, 'href="/forums/gfmd-2007-brussels/?as_of=2008-06-01"')
    assertContains(listing, 'href="/recommendations/?as_of=2008-06-01&amp;forum=gfmd-2007-brussels"')


def test_an_unreadable_as_of_on_a_forum_page_answers_400_with_a_message(client, brussels_2007):
    response = client.get("/forums/gfmd-2007-brussels/?as_of=yesterday")

    assert response.status_code == 400
    assertContains(response, "The date could not be read", status_code=400)


def test_an_unknown_forum_is_404(client, brussels_2007):
    assert client.get("/forums/gfmd-1999-nowhere/").status_code == 404


@pytest.mark.parametrize("size", [4, 24])
def test_forum_pages_take_the_same_queries_for_any_number_of_recommendations(
    client, public_site_of_size, django_assert_num_queries, size
):
    recs = public_site_of_size(size)
    # 1 the data version (tracker/cache.py), 2 forums with their process, 3 status counts per
    # forum (GROUP BY).
    with django_assert_num_queries(3):
        assert client.get("/forums/?as_of=2008-01-03").status_code == 200
    # 1 the data version, 2 the forum with its process, 3 documents, 4 roundtables, 5 follow-ups it
    # made with the recommendations and their forums, 6 its recommendations (with roundtable),
    # 7 their themes.
    # As of a date after both forums met, so each page lists its recommendations.
    for rec in (recs[0], recs[1]):
        with django_assert_num_queries(7):
            assert client.get(rec.forum.get_absolute_url() + "?as_of=2009-01-03").status_code == 200
