"""Wording and order on the public pages: totals told by kind ("18 recommendations, 9 outcomes,
19 key messages, 6 findings"), sessions called what their source calls them, roundtables named
with their forum in the filter, statuses sorted in workflow order, and a forum without items
saying once why with its sessions listed compactly."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template import Context, Template
from pytest_django.asserts import assertContains, assertNotContains

from tracker.breakdowns import Breakdown

FIXTURES = sorted(str(path) for path in (Path(__file__).resolve().parent.parent / "fixtures").glob("*.json"))


@pytest.fixture
def seed(db):
    if not FIXTURES:
        pytest.skip("no seed fixtures in fixtures/")
    call_command("loaddata", *FIXTURES, verbosity=0)


def render(source, **context):
    return Template("{% load tracker_tags %}" + source).render(Context(context))


def test_kind_counts_tells_a_total_by_kind_in_the_kinds_order_with_plurals():
    kinds = {"finding": 1, "key_message": 19, "recommendation": 18, "outcome": 9}

    assert render("{% kind_counts kinds %}", kinds=kinds) == (
        "18 recommendations, 9 outcomes, 19 key messages, 1 finding"
    )
    assert render("{% kind_counts kinds %}", kinds={"outcome": 1, "recommendation": 1}) == (
        "1 recommendation, 1 outcome"
    )
    assert render("{% kind_counts kinds %}", kinds={"key_message": 1200}) == "1,200 key messages"
    # Counted without kinds, or nothing counted: the total in items.
    assert render("{% kind_counts b %}", b=Breakdown(counts={"no_information": 3})) == "3 items"
    assert render("{% kind_counts b %}", b=Breakdown()) == "0 items"


def test_kind_counts_can_link_each_kind_to_its_list_with_the_pages_date():
    breakdown = Breakdown(filters={"forum": "gfmd-2007-brussels"})
    breakdown.add("no_information", 18, "recommendation")
    breakdown.add("implemented", 2, "outcome")

    html = render("{% kind_counts b links=True %}", b=breakdown, as_of="2008-06-01")

    assert html == (
        '<a href="/recommendations/?as_of=2008-06-01&amp;forum=gfmd-2007-brussels&amp;kind=recommendation">'
        "18 recommendations</a>, "
        '<a href="/recommendations/?as_of=2008-06-01&amp;forum=gfmd-2007-brussels&amp;kind=outcome">2 outcomes</a>'
    )


def test_kind_total_links_the_total_and_each_kind_or_only_the_one_kind():
    two = Breakdown(filters={"theme": "gender"})
    two.add("no_information", 3, "recommendation")
    two.add("no_information", 1, "finding")
    one = Breakdown(filters={"forum": "expert-meeting"})
    one.add("no_information", 15, "key_message")

    assert render("{% kind_total b %}", b=two) == (
        '<span class="kind-total"><a href="/recommendations/?theme=gender">4 items</a>: '
        '<a href="/recommendations/?kind=recommendation&amp;theme=gender">3 recommendations</a>, '
        '<a href="/recommendations/?kind=finding&amp;theme=gender">1 finding</a></span>\n'
    )
    assert render("{% kind_total b %}", b=one) == (
        '<span class="kind-total"><a href="/recommendations/?forum=expert-meeting">15 key messages</a></span>\n'
    )


def test_the_seed_dashboard_counts_its_52_items_by_kind(client, seed):
    response = client.get("/")

    assertContains(response, "<strong>52</strong> items", html=False)
    assertContains(
        response,
        '<a href="/recommendations/?kind=recommendation">18 recommendations</a>, '
        '<a href="/recommendations/?kind=outcome">9 outcomes</a>, '
        '<a href="/recommendations/?kind=key_message">19 key messages</a>, '
        '<a href="/recommendations/?kind=finding">6 findings</a>',
    )
    assertNotContains(response, "52 recommendations")


def test_forum_list_forum_theme_and_actor_pages_count_by_kind(client, seed):
    forums = client.get("/forums/")
    assertContains(forums, '<a href="/recommendations/?forum=gfmd-2007-brussels">22 items</a>: ')
    assertContains(forums, '<a href="/recommendations/?forum=expert-meeting-labour-migration">15 key messages</a>')
    assertContains(forums, '<span class="kind-total">0 items</span>')  # Manila

    brussels = client.get("/forums/gfmd-2007-brussels/")
    assertContains(
        brussels,
        '<a href="/recommendations/?forum=gfmd-2007-brussels&amp;kind=recommendation">18 recommendations</a>, '
        '<a href="/recommendations/?forum=gfmd-2007-brussels&amp;kind=outcome">4 outcomes</a>',
    )
    assert brussels.context["breakdown"].kinds == {"recommendation": 18, "outcome": 4}

    for url in ("/themes/remittances/", "/themes/labour-mobility/", "/actors/governments/"):
        response = client.get(url)
        breakdown = response.context["breakdown"]
        assert sum(breakdown.kinds.values()) == breakdown.total > 0, url
        assertContains(response, '<span class="kind-total">')
        if len(breakdown.kinds) > 1:
            assertContains(response, f"{breakdown.total} items</a>: ")


def test_the_list_counts_its_results_by_kind(client, seed):
    everything = client.get("/recommendations/")
    assertContains(
        everything,
        'Showing 1–50 of 52 items <span class="kind-counts">'
        "(18 recommendations, 9 outcomes, 19 key messages, 6 findings)</span>",
    )
    one_kind = client.get("/recommendations/?kind=finding")
    assertContains(one_kind, "Showing 1–6 of 6 findings")


def test_sessions_are_called_what_the_source_calls_them(client, seed):
    expert = client.get("/forums/expert-meeting-labour-migration/")
    assertContains(expert, '<span class="rt-code">Section RP</span>', html=True)
    assertNotContains(expert, "Roundtable RP")

    detail = client.get("/recommendations/EXP-LM-RP-01/")
    assertContains(detail, '<a href="/forums/expert-meeting-labour-migration/#rt-', html=False)
    assertContains(detail, ">Section RP</a></li>", html=False)
    assertContains(detail, "<dt>Section</dt>", html=False)

    brussels = client.get("/forums/gfmd-2007-brussels/")
    assertContains(brussels, '<span class="rt-code">Roundtable 1</span>', html=True)
    listing = client.get("/recommendations/?forum=expert-meeting-labour-migration")
    assertContains(listing, "· Section RP")


def test_the_roundtable_filter_names_each_session_with_its_forum(client, seed):
    response = client.get("/recommendations/")
    options = dict(re.findall(r'<option value="([^"]+)">([^<]+)</option>', response.content.decode()))

    assert options["gfmd-2007-rt1"] == "Brussels 2007 — 1. Human capital development and labour mobility"
    assert options["gfmd-2008-rt1"].startswith("Manila 2008 — 1. Migration, Development and Human Rights")
    assert options["gfmd-2008-rt1a"].startswith("Manila 2008 — 1.a. Protecting the rights of the migrants")
    # No place or date in the source: the forum's title names it.
    assert options["exp-lm-rp"].startswith("Expert Meeting labour migration: protection, gender and development — RP. ")


def test_a_forum_without_items_says_why_once_and_lists_its_sessions_compactly(client, seed):
    response = client.get("/forums/gfmd-2008-manila/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("precedes the Forum and gives its programme, not its outcomes") == 1
    assertContains(response, "No recommendation, outcome or key message of this forum has been entered.", count=1)
    assertNotContains(response, "No recommendations.")
    assertNotContains(response, '<svg class="bar"')
    compact = html[html.index('<ol class="sessions-compact">') :]
    assert re.findall(r'<span class="rt-kind">([^<]+)</span>', compact) == [
        "Roundtable 1",
        "Sub-session 1.a",
        "Sub-session 1.b",
        "Roundtable 2",
        "Sub-session 2.a",
        "Sub-session 2.b",
        "Roundtable 3",
        "Sub-session 3.a",
        "Sub-session 3.b",
        "Sub-session 3.c",
    ]


def test_a_forum_viewed_before_it_met_says_so_once(client, brussels_2007):
    response = client.get("/forums/gfmd-2007-brussels/?as_of=2007-01-01")

    assertContains(response, "On 1 January 2007 this forum had not met yet: it began on 9 July 2007", count=1)
    assertNotContains(response, "No recommendations.")
    assertContains(response, '<span class="rt-kind">Roundtable 4</span>', html=True)


def test_the_staff_list_of_updates_sorts_statuses_in_workflow_order(
    client, secretariat_user, brussels_2007, make_update
):
    client.force_login(secretariat_user)
    # Column 3 is the status (after the action checkbox, the recommendation and the actor).
    ascending = client.get("/admin/tracker/progressupdate/?o=3")
    descending = client.get("/admin/tracker/progressupdate/?o=-3")

    shown = [update.status for update in ascending.context["cl"].result_list]
    order = ["no_information", "not_started", "in_progress", "partially_implemented", "implemented", "stalled"]
    assert shown == sorted(shown, key=order.index)
    assert shown != sorted(shown)  # alphabetically "implemented" would come first
    assert [update.status for update in descending.context["cl"].result_list] == sorted(
        shown, key=order.index, reverse=True
    )


def test_the_editable_status_column_of_recommendations_sorts_in_workflow_order(
    client, secretariat_user, brussels_2007, make_update
):
    client.force_login(secretariat_user)
    # Column 5 is the editable status (after the checkbox, code, text, forum and roundtable).
    ascending = client.get("/admin/tracker/recommendation/?o=5.2")
    descending = client.get("/admin/tracker/recommendation/?o=-5.2")

    assert ascending.context["cl"].list_display[5] == "status"
    shown = [recommendation.status for recommendation in ascending.context["cl"].result_list]
    order = ["no_information", "not_started", "in_progress", "partially_implemented", "implemented", "stalled"]
    assert len(set(shown)) > 2, shown
    assert shown == sorted(shown, key=order.index)
    assert shown != sorted(shown)  # alphabetically "implemented" would come first
    assert [recommendation.status for recommendation in descending.context["cl"].result_list] == sorted(
        shown, key=order.index, reverse=True
    )
