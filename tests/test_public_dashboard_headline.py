"""The dashboard's headline and its collapsed breakdowns: the status chart with its text equivalent,
"who reported", "what changed lately", the breakdowns in <details>, and the GCM roll-up counted
from source-based mappings only (`?mappings=source`). Heights in Chromium:
tests/browser/test_dashboard_layout.py; query counts: tests/test_public_dashboard.py."""

import datetime
import re

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from tracker.models import Basis, ObjectiveMapping, ProgressUpdate, Status


def reporters(response):
    return [
        (row["actor__slug"], row["report_count"], row["last_reported_on"])
        for row in response.context["dashboard"].reporters
    ]


def test_who_reported_ranks_actors_by_approved_assessments_then_latest_report(client, brussels_2007):
    response = client.get("/")
    # Belgium's submitted (unapproved) update does not count.
    assert reporters(response) == [
        ("gfmd-support-unit", 2, datetime.date(2008, 9, 9)),
        ("civil-society-days", 1, datetime.date(2008, 10, 2)),
        ("philippines", 1, datetime.date(2008, 10, 1)),
        ("belgium", 1, datetime.date(2008, 6, 30)),
    ]
    html = response.content.decode()
    panel = html[html.index('id="reporters-heading"') : html.index('id="recent-heading"')]
    assert (
        panel.index("GFMD Support Unit") < panel.index("GFMD Civil Society Days") < panel.index("Government of Belgium")
    )
    assert 'href="/actors/gfmd-support-unit/"' in panel
    assert "2 assessments, latest 9 Sep 2008" in panel
    assert "1 assessment, latest 30 Jun 2008" in panel


def test_who_reported_as_of_a_date_counts_the_reports_made_by_then_and_links_keep_the_date(client, brussels_2007):
    response = client.get("/?as_of=2008-06-30")
    assert reporters(response) == [
        ("belgium", 1, datetime.date(2008, 6, 30)),
        ("gfmd-support-unit", 1, datetime.date(2008, 3, 1)),
    ]
    assertContains(response, 'href="/actors/belgium/?as_of=2008-06-30"')
    assertContains(response, 'href="/recommendations/GFMD-2007-RT2-01/?as_of=2008-06-30"')
    assertNotContains(response, "/actors/philippines/")


def test_who_reported_lists_five_actors_at_most(client, brussels_2007, make_actor, make_update):
    for n in range(6):
        actor = make_actor(slug=f"extra-{n}", name=f"Extra actor {n}")
        make_update(brussels_2007.recs["GFMD-2007-RT3-02"], actor, reported_on=datetime.date(2009, 1, 1 + n))
    assert len(reporters(client.get("/"))) == 5


def test_an_empty_site_says_nobody_reported(client, db):
    response = client.get("/")
    assertContains(response, "No approved assessment yet.")
    assertContains(response, "No approved progress update yet.")


def test_what_changed_lately_shows_the_five_latest_approved_updates(client, brussels_2007, make_update):
    make_update(
        brussels_2007.recs["GFMD-2007-RT4-01"],
        brussels_2007.actors.belgium,
        status="in_progress",
        summary="A sixth approved update, the newest.",
        reported_on=datetime.date(2009, 2, 1),
    )
    response = client.get("/")
    updates = response.context["dashboard"].recent_updates
    assert [update.reported_on.isoformat() for update in updates] == [
        "2009-02-01",
        "2008-10-02",
        "2008-10-01",
        "2008-09-09",
        "2008-06-30",
    ]
    html = response.content.decode()
    recent = html[html.index('id="recent-heading"') : html.index('id="breakdowns-heading"')]
    assert "A sixth approved update, the newest." in recent
    assert 'href="/recommendations/GFMD-2007-RT4-01/"' in recent
    assert 'href="/actors/belgium/"' in recent
    assert "must never be public" not in html


def test_the_status_chart_is_an_svg_image_with_the_same_numbers_in_text(client, brussels_2007):
    response = client.get("/")
    html = response.content.decode()
    svg = re.search(r'<svg class="ring"[^>]*>(.*?)</svg>', html, re.S)
    assert svg is not None
    assert 'role="img"' in svg.group(0) and 'aria-labelledby="overall-title"' in svg.group(0)
    assert '<title id="overall-title">Status shares of every item</title>' in svg.group(1)
    desc = re.search(r'<desc id="overall-desc">(.*?)</desc>', svg.group(1)).group(1)
    assert desc == "No information: 18 (86%); In progress: 1 (5%); Implemented: 1 (5%); Stalled: 1 (5%)"
    # One arc per status that occurs, drawn in its colour; the total in the middle.
    assert len(re.findall(r'stroke-dasharray="', svg.group(1))) == 4
    assert ">21</text>" in svg.group(1)
    # The table beside it: every status with its number (linking to its list) and share.
    overall = response.context["dashboard"].overall
    for segment in overall.segments:
        assert f">{segment.count}</a></td>" in html
    assertContains(response, '<td class="num"><a href="/recommendations/?status=stalled">1</a></td>', html=True)
    assertContains(response, '<td class="num">86%</td>', html=True)


def test_the_long_breakdowns_are_collapsed_with_a_summary_line_and_keep_their_data(client, brussels_2007):
    response = client.get("/")
    html = response.content.decode()
    for key, summary in [
        ("process", "2 processes"),
        ("forum", "3 forums"),
        ("theme", "6 themes"),
        ("objective", "2 of 2 objectives"),
    ]:
        details = re.search(rf'<details class="panel breakdown-details" id="by-{key}">(.*?)</details>', html, re.S)
        assert details is not None, key
        assert summary in re.search(r"<summary>(.*?)</summary>", details.group(1), re.S).group(1)
        assert '<table class="breakdown-table">' in details.group(1)
    # The data inside stays in the page: every forum and theme row links to its list.
    assertContains(response, 'href="/recommendations/?forum=gfmd-2007-brussels"')
    assertContains(response, 'href="/recommendations/?theme=remittances"')
    assertContains(response, 'href="/recommendations/?objective=gcm-19"')


def test_the_gcm_roll_up_can_count_source_based_mappings_only(client, brussels_2007):
    every = client.get("/")
    assert [(b.obj.slug, b.total) for b in every.context["dashboard"].objectives] == [("gcm-6", 1), ("gcm-19", 1)]
    assertContains(every, "Counted from every mapping, the secretariat's editorial ones included.")
    assertContains(every, 'href="?mappings=source#by-objective"')
    assertContains(every, '<details class="panel breakdown-details" id="by-objective">')

    # Every mapping is editorial (the default, as for the whole seed): the source-only view is empty, and says why.
    assert set(ObjectiveMapping.objects.values_list("basis", flat=True)) == {Basis.EDITORIAL}
    source = client.get("/?mappings=source")
    assert source.status_code == 200
    assert source.context["dashboard"].objectives == []
    assertContains(source, '<details class="panel breakdown-details" id="by-objective" open>')
    assertContains(source, "Every mapping loaded with the seed data is editorial")
    assertContains(source, "0 of 2 objectives, source-based mappings only")
    assertContains(source, "Nothing to show yet.")
    # The other breakdowns are not affected.
    assert [b.total for b in source.context["dashboard"].themes] == [b.total for b in every.context["dashboard"].themes]

    # A mapping the source states counts there, as of a date too (with the status it had then).
    mapping = ObjectiveMapping.objects.get(recommendation=brussels_2007.recs["GFMD-2007-RT1-02"])
    mapping.basis = Basis.SOURCE
    mapping.save()
    source = client.get("/?mappings=source")
    assert [(b.obj.slug, b.counts) for b in source.context["dashboard"].objectives] == [
        ("gcm-6", {Status.IN_PROGRESS: 1})
    ]
    past = client.get("/?mappings=source&as_of=2008-06-30")
    assert [(b.obj.slug, b.counts) for b in past.context["dashboard"].objectives] == [
        ("gcm-6", {Status.NO_INFORMATION: 1})
    ]
    assertContains(past, 'href="?as_of=2008-06-30#by-objective"')
    assertContains(past, 'href="?mappings=source&amp;as_of=2008-06-30#by-objective"')


@pytest.mark.parametrize("value", ["", "editorial", "SOURCE", "all"])
def test_any_other_mappings_value_counts_every_mapping(client, brussels_2007, value):
    response = client.get("/", {"mappings": value})
    assert response.status_code == 200
    assert response.context["dashboard"].objective_basis == ""
    assert len(response.context["dashboard"].objectives) == 2


def test_unapproved_updates_never_count_as_reports(client, brussels_2007):
    ProgressUpdate.objects.filter(actor=brussels_2007.actors.philippines).update(
        review_state=ProgressUpdate.ReviewState.RETURNED
    )
    assert "philippines" not in [slug for slug, _n, _date in reporters(client.get("/"))]
