"""The dashboard at /: totals, status breakdowns, recent updates, as-of dates, query counts."""

import datetime

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from tracker.models import Forum, FrameworkObjective, Process, ProgressUpdate, Recommendation, Status, Theme


def count_in_list(client, url):
    """How many recommendations the browse list at `url` shows."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def all_breakdowns(dashboard):
    return [dashboard.overall, *dashboard.processes, *dashboard.forums, *dashboard.themes, *dashboard.objectives]


def test_the_dashboard_shows_totals_and_the_overall_status_breakdown(client, brussels_2007):
    response = client.get("/")

    assert response.status_code == 200
    overall = response.context["dashboard"].overall
    assert overall.total == 21
    assert overall.counts == {
        Status.NO_INFORMATION: 18,
        Status.IN_PROGRESS: 1,
        Status.IMPLEMENTED: 1,
        Status.STALLED: 1,
    }
    # The total is told by kind (Recommendation.Kind), each kind linking to its list.
    assertContains(response, "<strong>21</strong> items", html=False)
    assertContains(
        response,
        '<a href="/recommendations/?kind=recommendation">19 recommendations</a>, '
        '<a href="/recommendations/?kind=outcome">2 outcomes</a>',
    )
    assertContains(response, "<strong>3</strong> forums", html=False)
    assertContains(response, "<strong>5</strong> approved progress updates", html=False)
    assertContains(response, '<td class="num">86%</td>', html=True)
    assertContains(response, '<svg class="bar"')


def test_the_dashboard_breaks_down_by_process_forum_theme_and_gcm_objective(client, brussels_2007):
    dashboard = client.get("/").context["dashboard"]

    assert [(b.label, b.total) for b in dashboard.processes] == [
        ("Global Forum on Migration and Development (GFMD)", 21),
        ("Workshops on circular migration", 0),
    ]
    assert [(b.obj.slug, b.total) for b in dashboard.forums] == [
        ("gfmd-2007-brussels", 20),
        ("ec-2008-mauritius-circular-migration", 0),
        ("gfmd-2008-manila", 1),
    ]
    themes = {b.obj.slug: b for b in dashboard.themes}
    assert themes["remittances"].counts == {Status.NO_INFORMATION: 3, Status.STALLED: 1}
    assert themes["labour-mobility"].total == 7
    assert [(b.obj.slug, b.counts) for b in dashboard.objectives] == [
        ("gcm-6", {Status.IN_PROGRESS: 1}),
        ("gcm-19", {Status.NO_INFORMATION: 1}),
    ]


def test_every_number_on_the_dashboard_links_to_the_list_it_counts(client, brussels_2007):
    response = client.get("/")
    dashboard = response.context["dashboard"]
    checked = 0
    for breakdown in all_breakdowns(dashboard):
        total_url = "/recommendations/" + (
            "?" + "&".join(f"{k}={v}" for k, v in sorted(breakdown.filters.items())) if breakdown.filters else ""
        )
        assertContains(response, f'href="{total_url}"')
        assert count_in_list(client, total_url) == breakdown.total
        for segment in breakdown.nonzero_segments:
            params = sorted({**breakdown.filters, "status": segment.status.value}.items())
            url = "/recommendations/?" + "&".join(f"{k}={v}" for k, v in params)
            assertContains(response, f'href="{url.replace("&", "&amp;")}"')
            assert count_in_list(client, url) == segment.count, url
            checked += 1
    assert checked >= 15


def test_the_dashboard_as_of_a_past_date_counts_the_status_each_had_then(client, brussels_2007):
    response = client.get("/?as_of=2008-06-01")

    assert response.status_code == 200
    assertContains(response, "As of 1 June 2008")
    dashboard = response.context["dashboard"]
    # Manila (October 2008) had not met yet: its recommendation did not exist on 1 June 2008.
    assert dashboard.overall.counts == {Status.NO_INFORMATION: 19, Status.IN_PROGRESS: 1}
    assert dashboard.approved_update_count == 1
    assert [update.reported_on.isoformat() for update in dashboard.recent_updates] == ["2008-03-01"]
    # Its numbers link to the list as of the same date.
    assertContains(response, 'href="/recommendations/?as_of=2008-06-01&amp;status=in_progress"')
    assert count_in_list(client, "/recommendations/?as_of=2008-06-01&status=in_progress") == 1


def test_an_unreadable_as_of_date_shows_a_message_and_the_current_status(client, brussels_2007):
    response = client.get("/?as_of=2008-02-30")

    assert response.status_code == 400
    assertContains(response, "The date could not be read", status_code=400)
    assert response.context["dashboard"].overall.counts[Status.IMPLEMENTED] == 1


def test_recent_updates_are_approved_ones_newest_report_first(client, brussels_2007):
    response = client.get("/")

    updates = response.context["dashboard"].recent_updates
    assert [update.reported_on.isoformat() for update in updates] == [
        "2008-10-02",
        "2008-10-01",
        "2008-09-09",
        "2008-06-30",
        "2008-03-01",
    ]
    assertNotContains(response, "must never be public")
    assertContains(response, 'href="/recommendations/GFMD-2007-RT1-02/"')


def test_an_empty_site_still_renders_the_dashboard(client, db):
    response = client.get("/")

    assert response.status_code == 200
    assertContains(response, "No approved progress update yet.")


@pytest.mark.parametrize("size", [3, 15])
def test_the_dashboard_takes_the_same_queries_for_any_number_of_recommendations(
    client, public_site_of_size, django_assert_num_queries, size
):
    public_site_of_size(size)
    # 1 the data version (tracker/http/cache.py)
    # 2 the forums, each with the versions of its cache scopes (a subquery each: ForumRowsMemo)
    # 3-5 processes, themes, GCM objectives (outside a transaction, none while the "reference"
    #   version stands: tracker.breakdowns.ReferenceLists)
    # 6 today's status counts per forum, of the forums changed since this process last built their
    #   breakdowns (all of them in a test's transaction); per process and overall add up those per forum
    # 7 those per theme and objective, maintained (tracker.models.aggregates)
    # 8 who reported, with the number of approved updates beside (from the maintained counts per actor)
    # 9 recent approved updates with recommendation, forum and actor
    # 10 the open-data package's facts for the page's schema.org Dataset (tracker.opendata.descriptor)
    # On a past date the counts cannot be maintained ones: a GROUP BY each for forums, themes and
    # objectives, the approved updates counted, and grouped by actor: two queries more.
    # The GCM roll-up from source-based mappings only takes the place of the one from every mapping.
    for path, queries in (
        ("/", 10),
        ("/?as_of=2008-01-05", 12),
        ("/?mappings=source", 10),
        ("/?mappings=source&as_of=2008-01-05", 12),
    ):
        with django_assert_num_queries(queries):
            assert client.get(path).status_code == 200


def _fields(instances):
    """Every concrete field's value of each instance, in order: what a template could read."""
    return [[getattr(obj, f.attname) for f in obj._meta.concrete_fields] for obj in instances]


def _counts(rows, key):
    """{(group, status): n} of `status_counts(key)` rows, leaving out recommendations in no group."""
    return {(row[key], row["effective_status"]): row["n"] for row in rows if row[key] is not None}


def _shown(breakdowns):
    """{(group, status): n} as the dashboard's breakdowns show them, to compare with `_counts`."""
    return {(b.obj.pk, status): n for b in breakdowns for status, n in b.counts.items()}


@pytest.mark.parametrize("as_of", [None, datetime.date(2008, 6, 1)])
def test_the_dashboard_lists_every_group_in_order_and_counts_as_status_counts_does(
    client, brussels_2007, make_process, make_forum, make_theme, make_objective, as_of
):
    idle = make_process(slug="idle", acronym="", name="A process with no forum", order=9)
    undated = make_forum(slug="undated", process=brussels_2007.gfmd, start_date=None)
    quiet = make_theme(slug="quiet", name="A theme with no recommendation")
    make_objective(slug="gcm-23", number="23", order=23, title="An objective with no recommendation")
    sdg = make_objective(slug="sdg-10-7", framework=FrameworkObjective.Framework.SDG, number="10.7")
    brussels_2007.recs["GFMD-2007-RT2-01"].objectives.add(sdg)  # counted under no GCM objective

    response = client.get("/" + (f"?as_of={as_of.isoformat()}" if as_of else ""))
    dashboard = response.context["dashboard"]

    # Every process, forum and theme is listed, with or without recommendations, as fetched from the
    # database: the same values (dates as dates) in the same order, undated forums last.
    assert _fields(b.obj for b in dashboard.processes) == _fields(Process.objects.all())
    assert _fields(b.obj for b in dashboard.forums) == _fields(Forum.objects.in_date_order())
    assert _fields(b.obj for b in dashboard.themes) == _fields(Theme.objects.all())
    assert [b.obj.process for b in dashboard.forums] == [forum.process for forum in Forum.objects.in_date_order()]
    totals = {b.obj.slug: b.total for b in [*dashboard.processes, *dashboard.forums, *dashboard.themes]}
    assert totals[idle.slug] == totals[undated.slug] == totals[brussels_2007.mauritius.slug] == totals[quiet.slug] == 0
    assertContains(response, "A process with no forum")
    assertContains(response, "A theme with no recommendation")
    # GCM objectives only when a recommendation is mapped to them; all GCM objectives in the note.
    assert [b.obj.slug for b in dashboard.objectives] == ["gcm-6", "gcm-19"]
    assert dashboard.objectives_total == 3

    current = Recommendation.objects.with_effective_status(as_of)
    assert dashboard.overall.counts == {row["effective_status"]: row["n"] for row in current.status_counts()}
    assert _shown(dashboard.processes) == _counts(current.status_counts("forum__process"), "forum__process")
    assert _shown(dashboard.forums) == _counts(current.status_counts("forum"), "forum")
    assert _shown(dashboard.themes) == _counts(current.status_counts("themes"), "themes")
    gcm = current.filter(objectives__framework=FrameworkObjective.Framework.GCM)
    assert _shown(dashboard.objectives) == _counts(gcm.status_counts("objectives"), "objectives")
    assert dashboard.approved_update_count == ProgressUpdate.objects.reported_by_on(as_of).count()


def test_markup_in_a_group_name_is_shown_as_text_in_its_rows_and_bars(client, brussels_2007, make_forum):
    # The rows and bars are written out in Python (tracker_tags.draw_status_bar): escaped as a template would.
    title = '<script>alert("x")</script> & Co'
    forum = make_forum(slug="markup", title=title, process=brussels_2007.gfmd)
    brussels_2007.recs["GFMD-2007-RT1-02"].__class__.objects.filter(code="GFMD-2007-RT1-02").update(forum=forum)

    for path in ("/", "/fr/", "/forums/"):
        content = client.get(path).content.decode()
        assert "<script>alert" not in content, path
        escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co"
        assert f">{escaped}</a></th>" in content or f">{escaped}</a>" in content, path
    content = client.get("/").content.decode()
    assert f'aria-label="Status of {escaped}"' in content
    assert f'aria-label="1 recommendation: {escaped}"' in content
