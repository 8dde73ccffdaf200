"""/forums/ and /forums/<slug>/: facts, roundtables and sub-sessions in order, statuses, as-of."""

import datetime
import re

import pytest
from pytest_django.asserts import assertContains

from tracker.models import FollowUpAction, Recommendation, Roundtable, Status, Theme


def test_the_forum_list_groups_forums_by_process_with_their_counts(client, brussels_2007):
    response = client.get("/forums/")

    assert response.status_code == 200
    groups = [(process.slug, [row.obj.slug for row in rows]) for process, rows in response.context["processes"]]
    assert groups == [
        ("gfmd", ["gfmd-2007-brussels", "gfmd-2008-manila"]),
        ("circular-migration-workshops", ["ec-2008-mauritius-circular-migration"]),
    ]
    # The total is told by kind, each number linking to the list it counts.
    assertContains(
        response,
        '<a href="/recommendations/?forum=gfmd-2007-brussels">20 items</a>: '
        '<a href="/recommendations/?forum=gfmd-2007-brussels&amp;kind=recommendation">18 recommendations</a>, '
        '<a href="/recommendations/?forum=gfmd-2007-brussels&amp;kind=outcome">2 outcomes</a>',
    )
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

    assertContains(detail, "As of 1 June 2008")
    assert detail.context["breakdown"].counts == {Status.NO_INFORMATION: 19, Status.IN_PROGRESS: 1}
    assertContains(listing, "As of 1 June 2008")
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
    # 1 the data version (tracker/http/cache.py), 2 forums with their process, 3 status counts per
    # forum (GROUP BY).
    with django_assert_num_queries(3):
        assert client.get("/forums/?as_of=2008-01-03").status_code == 200
    # 1 the cache version, 2 the forum with its process, 3 its documents, 4 its editorial facts, 5
    # its roundtables, 6 the follow-ups it made with their recommendations and forums
    # (Forum.objects.for_page()), 7 the status counts of its recommendations per session and kind
    # (one GROUP BY: the bars and the number of pages), 8 the page's recommendations with their
    # status, 9 their themes (for_forum_page()), 10 the response rate of each reporting cycle over
    # the forum (ReportingRequest.objects.response_rates(), one GROUP BY whatever the number of
    # cycles). As of a date after both forums met, so each page lists its recommendations.
    for rec in (recs[0], recs[1]):
        with django_assert_num_queries(10):
            assert client.get(rec.forum.get_absolute_url() + "?as_of=2009-01-03").status_code == 200


def test_roundtables_and_sub_sessions_come_in_their_order_not_the_order_they_were_entered(
    client, make_forum, make_roundtable, make_recommendation
):
    forum = make_forum(slug="gfmd-2009-athens")
    third = make_roundtable(forum=forum, code="3", order=3)
    first = make_roundtable(forum=forum, code="1", order=1)
    b = make_roundtable(forum=forum, code="2.b", order=2, parent=first)
    a = make_roundtable(forum=forum, code="2.a", order=2, parent=first)  # same position: the code decides
    zero = make_roundtable(forum=forum, code="0", order=0, parent=third)
    make_recommendation(roundtable=zero)  # a forum with items draws a box per session

    response = client.get("/forums/gfmd-2009-athens/")

    sections = response.context["sections"]
    assert [section.roundtable.code for section in sections] == ["1", "3"]
    assert [child.roundtable.code for child in sections[0].children] == ["2.a", "2.b"]
    assert [child.roundtable.code for child in sections[1].children] == ["0"]
    shown = response.context["forum"].roundtables.all()
    assert list(shown) == list(Roundtable.objects.filter(forum=forum).order_by("order", "code", "id"))
    assert re.findall(r'<h[34] id="rt-([^"]+)"', response.content.decode()) == [
        roundtable.slug for roundtable in (first, a, b, third, zero)
    ]


def test_the_forum_page_lists_its_documents_in_title_order_with_their_symbols_and_dates(
    client, make_forum, make_document
):
    forum = make_forum(slug="hld-2006")
    forum.documents.add(
        make_document(title="Summary of the dialogue", symbol="A/61/515", date=datetime.date(2006, 10, 13)),
        make_document(title="International migration and development", symbol="A/60/871"),
        make_document(title="Report of the Secretary-General", url="https://example.org/report"),
    )

    response = client.get("/forums/hld-2006/")

    shown = response.context["forum"].documents.all()
    assert [document.title for document in shown] == [
        "International migration and development",
        "Report of the Secretary-General",
        "Summary of the dialogue",
    ]
    assert list(shown) == list(forum.documents.all())
    assert [document.date for document in shown] == [None, None, datetime.date(2006, 10, 13)]
    # Each links to its page on this site (/documents/<slug>/), and to the document itself where known.
    summary, report = (
        forum.documents.get(title=title) for title in ("Summary of the dialogue", "Report of the Secretary-General")
    )
    assertContains(
        response,
        f'<span class="symbol">A/61/515</span> <a href="/documents/{summary.slug}/">Summary of the dialogue</a>'
        ' (<time datetime="2006-10-13">13 Oct 2006</time>)',
    )
    assertContains(
        response,
        f'<a href="/documents/{report.slug}/">Report of the Secretary-General</a> · '
        '<a href="https://example.org/report">read it</a>',
    )


def test_follow_ups_come_in_their_order_with_the_recommendations_and_forums_they_acted_on(
    client, make_forum, make_recommendation
):
    later = make_forum(slug="gfmd-2010-mexico", start_date=datetime.date(2010, 11, 8))
    brussels = make_forum(title="Brussels 2007", start_date=datetime.date(2007, 7, 9))
    undated = make_forum(title="Expert meeting, date unknown", start_date=None)
    manila = make_forum(title="Manila 2008", start_date=datetime.date(2008, 10, 27))
    # Entered out of order, so neither the ids nor the order of entry give the order shown.
    acted_on = [
        make_recommendation(code="EXPERT-01", forum=undated, order=1),
        make_recommendation(code="MANILA-02", forum=manila, order=2),
        make_recommendation(code="MANILA-01", forum=manila, order=1),
        make_recommendation(code="BRUSSELS-01", forum=brussels, order=1),
    ]
    for rec, date in zip(acted_on, [None, datetime.date(2010, 1, 5), None, datetime.date(2009, 3, 1)], strict=True):
        FollowUpAction.objects.create(recommendation=rec, forum=later, date=date, description=f"Acted on {rec.code}.")
    FollowUpAction.objects.create(recommendation=acted_on[1], forum=later, date=datetime.date(2009, 6, 1))

    response = client.get("/forums/gfmd-2010-mexico/")

    shown = list(response.context["acted_on"])
    assert shown == list(FollowUpAction.objects.filter(forum=later))  # the Meta.ordering, on either database
    assert [action.recommendation.code for action in shown] == [
        "BRUSSELS-01",
        "MANILA-01",
        "MANILA-02",
        "MANILA-02",
        "EXPERT-01",
    ]
    assertContains(
        response,
        '<li><a class="code" href="/recommendations/BRUSSELS-01/">BRUSSELS-01</a> (Brussels 2007): '
        "Acted on BRUSSELS-01.</li>",
    )
    assertContains(response, '<a class="code" href="/recommendations/EXPERT-01/">EXPERT-01</a> (Expert meeting')


def test_each_recommendation_shows_its_themes_in_name_order(client, brussels_2007):
    response = client.get("/forums/gfmd-2007-brussels/")

    recommendations = [rec for section in response.context["sections"] for rec in section.recommendations]
    recommendations += response.context["unassigned"]
    for rec in recommendations:
        assert list(rec.themes.all()) == list(Theme.objects.filter(recommendations=rec)), rec.code
    assertContains(
        response,
        '<a class="tag" href="/themes/circular-migration/">Circular migration</a>'
        '<a class="tag" href="/themes/labour-mobility/">Labour mobility</a>',
    )
    diaspora = '<a class="tag" href="/themes/diaspora/">Diaspora</a>'
    assertContains(response, diaspora + '<a class="tag" href="/themes/remittances/">Remittances</a>', count=4)
    outcome = '<p class="rec-text">Laid the foundation for an ongoing States-led dialogue'
    assert '<p class="tags">' not in response.content.decode().split(outcome)[1].split("</li>")[0]


def test_a_large_forum_is_paged_by_100_items_with_each_sessions_bar_counting_all_of_it(
    client, make_forum, make_roundtable, make_recommendation
):
    forum = make_forum(slug="gfmd-2030-large")
    first = make_roundtable(forum=forum, code="1", order=1, slug="large-rt1", title="First session")
    second = make_roundtable(forum=forum, code="2", order=2, slug="large-rt2", title="Second session")
    for n in range(230):
        make_recommendation(
            forum=forum, roundtable=first if n < 150 else second, code=f"LARGE-{n:03d}", order=n, text=f"Item {n}"
        )

    pages = [client.get(f"/forums/gfmd-2030-large/?page={number}") for number in (1, 2, 3, 99)]
    assert [page.status_code for page in pages] == [200] * 4
    items = [page.content.decode().count('<li class="rec">') for page in pages]
    assert items == [100, 100, 30, 30]  # a page out of range shows the last one
    text = [page.content.decode() for page in pages]
    assert "LARGE-000" in text[0] and "LARGE-099" in text[0] and "LARGE-100" not in text[0]
    assert "LARGE-229" in text[2] and "LARGE-199" not in text[2]
    # Page 1 holds only the first session's items; page 2 both sessions'; page 3 the second's.
    assert ("First session" in text[0], "Second session" in text[0]) == (True, False)
    assert ("First session" in text[1], "Second session" in text[1]) == (True, True)
    assert ("First session" in text[2], "Second session" in text[2]) == (False, True)
    # Each session's bar counts all its items, whatever the page: 150 and 80 with no information.
    assert "No information: 150" in text[0] and "No information: 80" in text[2]
    assert "Items 101–200 of 230 (page 2 of 3)" in text[1]
    assert 'rel="next"' in text[0] and 'rel="prev"' in text[2]


def test_a_forum_pages_items_never_show_an_older_text_status_or_theme_name(
    client, make_forum, make_recommendation, make_theme, make_update, make_actor
):
    """The items are rendered once per distinct content (tracker_tags.recommendation_item): each
    change of what an item shows must show at once."""
    forum = make_forum(slug="gfmd-2031-memo")
    theme = make_theme(slug="memo-theme", name="Memo theme")
    rec = make_recommendation(forum=forum, code="MEMO-001", text="First wording", themes=[theme])
    page = "/forums/gfmd-2031-memo/"
    assert "First wording" in client.get(page).content.decode()
    # One change at a time, so that each part of what an item shows is checked on its own.
    Recommendation.objects.filter(pk=rec.pk).update(text="Second wording")
    body = client.get(page).content.decode()
    assert "Second wording" in body and "First wording" not in body
    theme.name = "Renamed theme"
    theme.save()
    assert "Renamed theme" in client.get(page).content.decode()
    make_update(rec, make_actor(), status=Recommendation.Status.STALLED)
    assert '<span class="badge status-stalled">' in client.get(page).content.decode()
