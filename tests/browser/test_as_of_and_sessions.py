"""On the seed data in Chromium: a page viewed as of a date (its banner, links that keep the date,
"back to today") and the Manila forum page (no items yet: why, once, and its sessions compactly),
at 1280 and 390 px, with no serious or critical axe-core violation."""

from urllib.parse import parse_qs, urlsplit

import pytest

from .test_public_site import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_page_as_of_a_date_has_its_banner_keeps_the_date_from_link_to_link_and_goes_back_to_today(
    live_server, page, seeded, screenshot
):
    # GFMD-2007-RT1-06 was reported implemented on 9 September 2008: on 1 June 2008 it had no report.
    response = page.goto(live_server.url + "/recommendations/GFMD-2007-RT1-06/?as_of=2008-06-01")
    assert response.status == 200
    banner = page.locator(".as-of-banner")
    assert banner.is_visible()
    assert "As of 1 June 2008" in banner.inner_text()
    assert "No information" in page.locator(".current-status").inner_text()
    assert page.locator("details.later-updates summary").inner_text() == "1 update reported after 1 June 2008"
    assert serious_violations(page) == []
    screenshot(page, "as-of-recommendation")
    # The banner is the first thing of the page on a phone too.
    page.set_viewport_size({"width": 390, "height": 844})
    assert banner.bounding_box()["y"] < 200
    page.set_viewport_size({"width": 1280, "height": 900})

    # A link of the page keeps the date: the breadcrumb's forum.
    page.locator(".breadcrumbs a").nth(1).click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/forums/gfmd-2007-brussels/"
    assert parse_qs(urlsplit(page.url).query)["as_of"] == ["2008-06-01"]
    assert "As of 1 June 2008" in page.locator(".as-of-banner").inner_text()
    assert serious_violations(page) == []
    screenshot(page, "as-of-forum")

    # "back to today" is the same page without the date.
    page.get_by_role("link", name="back to today").click()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/forums/gfmd-2007-brussels/"
    assert page.locator(".as-of-banner").count() == 0


def test_the_manila_forum_says_once_why_it_has_no_items_and_lists_its_sessions(live_server, page, seeded, screenshot):
    response = page.goto(live_server.url + "/forums/gfmd-2008-manila/")

    assert response.status == 200
    assert page.get_by_text("precedes the Forum and gives its programme, not its outcomes").count() == 1
    assert page.get_by_text("No recommendations.").count() == 0
    assert page.locator(".sessions-compact li").count() == 10
    assert page.locator(".sessions-compact .rt-kind").first.inner_text() == "Roundtable 1"
    assert serious_violations(page) == []
    screenshot(page, "forum-manila-2008")
    # Compact: no box per session.
    assert page.locator("section.roundtable").count() == 0
    page.set_viewport_size({"width": 390, "height": 844})
    assert serious_violations(page) == []
