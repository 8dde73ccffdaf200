"""The public site in a real browser: it renders, filters by clicking, shows a timeline, and
axe-core finds no serious or critical accessibility violation."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}


def serious_violations(page):
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def test_dashboard_renders_totals_bars_and_recent_updates(live_server, page, brussels_2007, screenshot):
    page.goto(live_server.url + "/")
    assert page.locator("h1").is_visible()
    assert page.locator(".totals-line").inner_text().startswith("21 items")
    assert page.locator("svg.bar").count() > 5
    assert page.locator(".updates .update").count() == 5
    screenshot(page, "dashboard")
    page.goto(live_server.url + "/?as_of=2008-06-01")
    assert "As of 1 June 2008" in page.locator(".as-of-banner").inner_text()
    screenshot(page, "dashboard-as-of")


def test_a_filter_is_applied_by_clicking_a_status_checkbox(live_server, page, brussels_2007, screenshot):
    page.goto(live_server.url + "/recommendations/")
    rows_before = page.locator(".rec-table tbody tr").count()
    assert rows_before == 21
    # The table fits its column at 1280 px: a status with its "not reported" note wraps rather
    # than widening the table past the page.
    widths = page.locator(".rec-table").evaluate(
        "t => [t.getBoundingClientRect().width, t.parentElement.getBoundingClientRect().width]"
    )
    assert widths[0] <= widths[1] + 0.5, widths
    screenshot(page, "recommendations")
    page.get_by_label("Implemented", exact=True).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"status=implemented"))
    rows = page.locator(".rec-table tbody tr")
    assert rows.count() == 1
    assert "GFMD-2007-RT1-06" in rows.first.inner_text()
    assert page.get_by_label("Implemented", exact=True).is_checked()


def test_the_brussels_forum_page_shows_its_roundtables_in_order(live_server, page, brussels_2007, screenshot):
    page.goto(live_server.url + "/forums/gfmd-2007-brussels/")
    headings = page.locator(".roundtable h3").all_inner_texts()
    # The roundtable number is styled in capitals; compare without case.
    assert [heading.split("\n")[0].strip().casefold() for heading in headings] == [
        "roundtable 1",
        "roundtable 2",
        "roundtable 3",
        "roundtable 4",
    ]
    screenshot(page, "forum-brussels-2007")
    page.goto(live_server.url + "/forums/gfmd-2008-manila/")
    assert page.locator(".sub-session h4").count() == 2
    screenshot(page, "forum-manila-2008")


def test_a_detail_page_shows_its_timeline_and_assessments(live_server, page, brussels_2007, screenshot):
    page.goto(live_server.url + "/recommendations/GFMD-2007-RT1-02/")
    timeline = page.locator(".timeline .update")
    assert timeline.count() == 2
    assert "2 Oct 2008" in timeline.first.inner_text()
    assert page.locator(".assessment").count() == 2
    assert "followed up by" in page.locator(".related-table").inner_text()
    screenshot(page, "recommendation-detail")
    page.goto(live_server.url + "/recommendations/GFMD-2007-RT1-06/")
    assert "Mauritius" in page.locator(".follow-ups").inner_text()
    screenshot(page, "recommendation-detail-follow-up")


# Every page at desktop width; the pages whose layout changes most also at phone width.
@pytest.mark.parametrize(
    ("path", "phone_too"),
    [
        ("/", True),
        ("/?as_of=2008-06-01", False),
        ("/forums/", False),
        ("/forums/gfmd-2007-brussels/", True),
        ("/forums/gfmd-2008-manila/", False),
        ("/recommendations/", True),
        ("/recommendations/?status=implemented&status=stalled&forum=gfmd-2007-brussels", False),
        ("/recommendations/?forum=no-such-forum", False),
        ("/recommendations/GFMD-2007-RT1-02/", True),
        ("/actors/belgium/", False),
        ("/themes/labour-mobility/", False),
    ],
)
def test_axe_finds_no_serious_or_critical_violation(live_server, page, brussels_2007, path, phone_too):
    for viewport in [DESKTOP, PHONE] if phone_too else [DESKTOP]:
        page.set_viewport_size(viewport)
        page.goto(live_server.url + path)
        assert serious_violations(page) == [], (path, viewport)
