"""`?as_of=YYYY-MM-DD` on every public page that shows a status: the status then, every internal
link carrying the date, and the "As of <date> — back to today" banner whose link removes it."""

import datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from tracker.models import Status

AS_OF = "2008-06-01"
# Internal addresses that are not pages with statuses, so they do not take the date: the follow
# form (its `url` names the page, date included), the API, the open-data package, evidence files.
NOT_DATED = ("/follow/", "/api/", "/data/", "/static/", "/admin/", "/updates/")


class _Links(HTMLParser):
    """Every `href` of a page, with the classes of the elements it is inside."""

    def __init__(self):
        super().__init__()
        self.links, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in {"link", "meta", "input", "br", "img", "rect"}:
            self.stack.append(attrs.get("class") or "")
        if attrs.get("href") is not None:
            self.links.append((attrs["href"], " ".join(self.stack)))

    def handle_endtag(self, tag):
        if tag not in {"link", "meta", "input", "br", "img", "rect"} and self.stack:
            self.stack.pop()


def links_of(response):
    parser = _Links()
    parser.feed(response.content.decode())
    return parser.links


def page_links(response):
    """The page's internal links to dated pages, but the banner's own link back to today."""
    return [
        href
        for href, classes in links_of(response)
        if href.startswith("/") and not href.startswith(NOT_DATED) and "as-of-banner" not in classes
    ]


def banner_link(response):
    (href,) = [href for href, classes in links_of(response) if "as-of-banner" in classes]
    return href


@pytest.fixture
def timeline(brussels_2007, make_update):
    """GFMD-2007-RT1-02 with one more assessment after 15 March 2009: in April 2009 the
    Philippines report it implemented, so the page of today differs from the page as of March."""
    make_update(
        brussels_2007.recs["GFMD-2007-RT1-02"],
        brussels_2007.actors.philippines,
        status="implemented",
        summary="The code of ethical recruitment was adopted in April 2009.",
        reported_on=datetime.date(2009, 4, 2),
    )
    return brussels_2007


def test_the_recommendation_page_as_of_a_date_shows_the_status_then_not_todays(client, timeline):
    today = client.get("/recommendations/GFMD-2007-RT1-02/")
    then = client.get("/recommendations/GFMD-2007-RT1-02/?as_of=2009-03-15")

    assert today.context["status"] == Status.IMPLEMENTED
    assert then.status_code == 200
    # The latest update reported by 15 March 2009: civil society's of 2 October 2008.
    assert then.context["status"] == Status.IN_PROGRESS
    assertContains(then, "Status on 15 March 2009:")
    assertContains(then, "since the update reported on 2 October 2008")
    assertNotContains(then, "Current status:")
    # Each actor's latest assessment by then: the Philippines' of 1 October 2008, not April 2009's.
    assert [(u.actor.slug, u.status) for u in then.context["assessments"]] == [
        ("civil-society-days", "in_progress"),
        ("philippines", "partially_implemented"),
    ]


def test_the_timeline_as_of_a_date_keeps_the_later_updates_apart_and_folded(client, timeline):
    response = client.get("/recommendations/GFMD-2007-RT1-02/?as_of=2009-03-15")

    assert [u.reported_on.isoformat() for u in response.context["timeline"]] == ["2008-10-02", "2008-10-01"]
    (later,) = response.context["later_updates"]
    assert later.reported_on == datetime.date(2009, 4, 2)
    html = response.content.decode()
    folded = html[html.index('<details class="later-updates">') :]
    assert "1 update reported after 15 March 2009" in folded
    assert f'id="update-{later.pk}"' in folded
    # Without a date nothing is folded away.
    assertNotContains(client.get("/recommendations/GFMD-2007-RT1-02/"), "later-updates")


def test_related_recommendations_show_their_status_on_the_date_or_that_they_were_not_made_yet(client, timeline):
    # Manila's GFMD-2008-RT1A-01 follows up GFMD-2007-RT1-02. On 1 October 2008 the Philippines
    # had assessed RT1-02 "partially implemented"; civil society's "in progress" came a day later.
    manila = client.get("/recommendations/GFMD-2008-RT1A-01/?as_of=2008-10-01")
    (item,) = manila.context["related"]
    assert (item.recommendation.code, item.status) == ("GFMD-2007-RT1-02", Status.PARTIALLY_IMPLEMENTED)
    assert client.get("/recommendations/GFMD-2008-RT1A-01/").context["related"][0].status == Status.IMPLEMENTED
    # On 1 June 2008 Manila (27–30 October 2008) had not met: its recommendation did not exist.
    brussels = client.get(f"/recommendations/GFMD-2007-RT1-02/?as_of={AS_OF}")
    assertContains(brussels, "not made yet")
    assert client.get(f"/recommendations/GFMD-2008-RT1A-01/?as_of={AS_OF}").context["not_made_yet"] is True


def test_the_not_reported_flag_of_a_recommendation_page_counts_back_from_the_date(client, brussels_2007):
    # GFMD-2007-RT1-06's last report is of 9 September 2008: long ago today, recent on 1 January 2009.
    assert client.get("/recommendations/GFMD-2007-RT1-06/").context["not_reported_since"] == datetime.date(2008, 9, 9)
    assert client.get("/recommendations/GFMD-2007-RT1-06/?as_of=2009-01-01").context["not_reported_since"] is None
    # On 1 January 2011 the report that counted then was 28 months old.
    then = client.get("/recommendations/GFMD-2007-RT1-06/?as_of=2011-01-01")
    assert then.context["not_reported_since"] == datetime.date(2008, 9, 9)
    assertContains(then, "Not reported since 9 Sep 2008")
    # Never reported: its silence counts from its forum's date (9 July 2007).
    never = client.get("/recommendations/GFMD-2007-RT1-01/?as_of=2009-08-01")
    assert never.context["not_reported_since"] == datetime.date(2007, 7, 9)


def test_a_recommendation_before_its_forum_met_has_no_status_on_that_date(client, brussels_2007):
    response = client.get("/recommendations/GFMD-2008-RT1A-01/?as_of=2008-06-01")

    assert response.status_code == 200
    assertContains(response, "Status on 1 June 2008: not made yet (its forum began on 27 October 2008).")
    assertNotContains(response, '<p class="current-status">Status on 1 June 2008: <span class="badge')


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/forums/",
        "/forums/gfmd-2007-brussels/",
        "/recommendations/",
        "/recommendations/GFMD-2007-RT1-06/",
        "/actors/belgium/",
        "/themes/",
        "/themes/labour-mobility/",
        "/processes/",
        "/processes/gfmd/",
        "/documents/iom-2008-current-priorities/",
        "/actors/",
        "/documents/",
    ],
)
def test_an_unreadable_as_of_gives_todays_page_with_a_message_and_400(client, brussels_2007, path):
    response = client.get(f"{path}?as_of=2008-02-30")

    assert response.status_code == 400
    assertContains(
        response, "could not be" if path == "/recommendations/" else "The date could not be read", status_code=400
    )
    assertNotContains(response, 'class="as-of-banner"', status_code=400)


def test_actor_and_theme_pages_as_of_a_date_count_the_status_then(client, brussels_2007):
    # Belgium is responsible for Brussels' six RT1 recommendations; RT1-06 was in progress on
    # 1 June 2008 (implemented in September) and RT1-02 had no report yet.
    actor = client.get(f"/actors/belgium/?as_of={AS_OF}")
    assert actor.context["breakdown"].counts == {Status.NO_INFORMATION: 5, Status.IN_PROGRESS: 1}
    assert client.get("/actors/belgium/").context["breakdown"].counts == {
        Status.NO_INFORMATION: 4,
        Status.IN_PROGRESS: 1,
        Status.IMPLEMENTED: 1,
    }
    rows = {rec.code: rec for rec in actor.context["page"].object_list}
    assert rows["GFMD-2007-RT1-06"].effective_status == Status.IN_PROGRESS
    assert rows["GFMD-2007-RT1-06"].last_update == datetime.date(2008, 3, 1)
    # Remittances: RT2-01 was reported stalled on 30 June 2008, after the date.
    theme = client.get(f"/themes/remittances/?as_of={AS_OF}")
    assert theme.context["breakdown"].counts == {Status.NO_INFORMATION: 4}
    assert client.get("/themes/remittances/").context["breakdown"].counts == {
        Status.NO_INFORMATION: 3,
        Status.STALLED: 1,
    }


def test_an_actors_reports_as_of_a_date_are_those_reported_by_then(client, brussels_2007):
    response = client.get(f"/actors/gfmd-support-unit/?as_of={AS_OF}")

    reported = [row.update.reported_on.isoformat() for row in response.context["assessments"].rows]
    assert reported == ["2008-03-01"]
    assertContains(response, f"/feeds/updates/?as_of={AS_OF}&amp;reporting_actor=gfmd-support-unit")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/forums/",
        "/forums/gfmd-2007-brussels/",
        "/forums/gfmd-2008-manila/",
        "/recommendations/",
        "/recommendations/GFMD-2007-RT1-02/",
        "/recommendations/GFMD-2007-RT1-06/",
        "/actors/belgium/",
        "/actors/gfmd-support-unit/",
        "/themes/",
        "/themes/labour-mobility/",
        "/processes/",
        "/processes/gfmd/",
        "/documents/iom-2008-current-priorities/",
        # Indexes that show no status keep the date for the pages they link to.
        "/actors/",
        "/actors/?kind=government",
        "/documents/",
    ],
)
def test_every_internal_link_of_a_page_viewed_as_of_a_date_carries_the_date(client, brussels_2007, path):
    response = client.get(f"{path}{'&' if '?' in path else '?'}as_of={AS_OF}")

    assert response.status_code == 200
    assertContains(response, "As of 1 June 2008")
    links = page_links(response)
    assert len(links) > 5
    undated = [href for href in links if parse_qs(urlsplit(href).query).get("as_of") != [AS_OF]]
    # The list's "Clear all" deliberately starts again with no filter and no date.
    if path == "/recommendations/":
        undated.remove("/recommendations/")
    assert undated == []


@pytest.mark.parametrize("path", ["/", "/forums/gfmd-2007-brussels/", "/recommendations/GFMD-2007-RT1-02/"])
def test_todays_pages_carry_no_date_in_their_links(client, brussels_2007, path):
    response = client.get(path)

    assert [href for href in page_links(response) if "as_of=" in href] == []
    assertNotContains(response, 'class="as-of-banner"')


@pytest.mark.parametrize(
    ("url", "today"),
    [
        (f"/?as_of={AS_OF}", "/"),
        (f"/forums/gfmd-2007-brussels/?as_of={AS_OF}", "/forums/gfmd-2007-brussels/"),
        (f"/recommendations/GFMD-2007-RT1-02/?as_of={AS_OF}", "/recommendations/GFMD-2007-RT1-02/"),
        (f"/actors/belgium/?page=1&as_of={AS_OF}", "/actors/belgium/"),
        (
            f"/recommendations/?status=in_progress&as_of={AS_OF}&theme=labour-mobility&page=1",
            "/recommendations/?status=in_progress&theme=labour-mobility",
        ),
    ],
)
def test_the_banner_names_the_date_and_its_link_removes_it_from_the_current_address(client, brussels_2007, url, today):
    response = client.get(url)

    assertContains(response, "As of 1 June 2008")
    assertContains(response, "back to today")
    assert banner_link(response) == today
    assert client.get(today).status_code == 200


def test_the_page_feeds_as_of_a_date_list_the_updates_reported_by_then(client, timeline):
    page = client.get("/recommendations/GFMD-2007-RT1-02/?as_of=2009-03-15")
    feed_url = "/feeds/updates/?as_of=2009-03-15&recommendation=GFMD-2007-RT1-02"
    alternate = feed_url.replace("&", "&amp;")
    assertContains(
        page, f'<link rel="alternate" type="application/atom+xml" title="Progress updates" href="{alternate}">'
    )

    feed = client.get(feed_url).content.decode()
    assert feed.count("<entry>") == 2
    assert "adopted in April 2009" not in feed
    assert client.get("/feeds/updates/?recommendation=GFMD-2007-RT1-02").content.decode().count("<entry>") == 3


@pytest.mark.parametrize("size", [3, 25])
def test_pages_as_of_a_date_take_the_same_queries_as_todays(
    client, public_site_of_size, django_assert_num_queries, size
):
    recs = public_site_of_size(size)
    actor, theme = recs[0].actors.get(), recs[0].themes.first()
    # The recommendation page, as without a date (test_public_recommendation_detail): 1 the data
    # version, 2 the recommendation, 3 themes, 4 actors, 5 objectives, 6 approved updates, 7 links
    # out and 8 links in (each with the other's status on the date, a correlated subquery), 9
    # follow-ups, 10 response rates, and for recs[1], which has updates, 11 their public files.
    with django_assert_num_queries(10):
        assert client.get(recs[0].get_absolute_url() + "?as_of=2008-01-02").status_code == 200
    with django_assert_num_queries(11):
        assert client.get(recs[1].get_absolute_url() + "?as_of=2008-01-02").status_code == 200
    # The theme page: 1 the data version, 2 the theme, 3 status counts by kind (GROUP BY), 4 count
    # and 5 page of its recommendations (with their status and last update on the date), 6 their themes.
    with django_assert_num_queries(6):
        assert client.get(theme.get_absolute_url() + "?as_of=2008-01-02").status_code == 200
    with django_assert_num_queries(6):
        assert client.get(theme.get_absolute_url()).status_code == 200
    # The actor page (pinned in test_public_actors_themes.py) takes as many queries as of a date as
    # today's: the date changes what its queries select, not how many there are.
    with django_assert_num_queries(_queries(client, actor.get_absolute_url())):
        assert client.get(actor.get_absolute_url() + "?as_of=2008-01-02").status_code == 200


def _queries(client, url):
    """How many queries a GET of `url` takes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("as_of", ["2005-01-01", "2009-03-15"])
def test_every_seed_page_with_a_status_renders_as_of_a_date(client, db, as_of):
    """Undated forums (the expert meeting), forums not met yet and items without updates, on the
    seed data (fixtures/*.json)."""
    from pathlib import Path

    from django.core.management import call_command

    from tracker.models import Actor, Document, Forum, Process, Recommendation, Theme

    fixtures = sorted(str(path) for path in (Path(__file__).resolve().parent.parent / "fixtures").glob("*.json"))
    if not fixtures:
        pytest.skip("no seed fixtures in fixtures/")
    call_command("loaddata", *fixtures, verbosity=0)
    urls = ["/", "/forums/", "/recommendations/", "/themes/", "/processes/", "/actors/", "/documents/"]
    for model in (Forum, Recommendation, Actor, Theme, Process, Document):
        urls += [obj.get_absolute_url() for obj in model.objects.all()]

    for url in urls:
        response = client.get(f"{url}?as_of={as_of}")
        assert response.status_code == 200, url
        assert banner_link(response) == url, url
