"""The dashboard answers at a glance (issue 15): in Chromium at 1280×800 its headline (the status
shares, who reported, what changed lately) lies within the first 800 px and the whole page is at
most 2,500 px tall, with the long breakdowns collapsed; at 390 px it stays short too. On the seed
and on the seed with more reports than the headline shows (long actor names, the longest status),
so the budget holds with full panels. Screenshots under test-results/screenshots/dashboard-*."""

import datetime

import pytest

from .test_public_site import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
HEADLINE = ["section.headline-status", "section.headline-reporters", "section.headline-recent"]
# Today (issue 15) the page was 5,784 px tall at 1280 px and 8,671 px at 390 px.
MAX_HEIGHT_DESKTOP = 2500
MAX_HEIGHT_PHONE = 3600


def measure(page, url, viewport):
    """(document.body.scrollHeight, {selector: bottom edge in page coordinates}) at `viewport`."""
    page.set_viewport_size(viewport)
    response = page.goto(url)
    assert response.status == 200, url
    height = page.evaluate("document.body.scrollHeight")
    bottoms = {
        selector: page.evaluate(
            "(s) => { const r = document.querySelector(s).getBoundingClientRect(); return r.bottom + window.scrollY; }",
            selector,
        )
        for selector in HEADLINE
    }
    return height, bottoms


def check_layout(page, url, name, screenshot):
    desktop, bottoms = measure(page, url, DESKTOP)
    phone, _ = measure(page, url, PHONE)
    print(f"{name}: {desktop} px at 1280, {phone} px at 390; headline bottoms at 1280: {bottoms}")
    assert desktop <= MAX_HEIGHT_DESKTOP, f"{name}: {desktop} px tall at 1280 px"
    assert phone <= MAX_HEIGHT_PHONE, f"{name}: {phone} px tall at 390 px"
    assert all(bottom <= DESKTOP["height"] for bottom in bottoms.values()), bottoms
    page.set_viewport_size(DESKTOP)
    # The breakdowns start collapsed, each with a summary line; the headline shows without them.
    assert page.locator("details.breakdown-details").count() == 4
    assert page.locator("details.breakdown-details[open]").count() == 0
    assert page.locator("svg.ring[role=img]").is_visible()
    assert serious_violations(page) == [], name
    screenshot(page, name)


def test_the_seed_dashboard_fits_its_headline_in_the_first_screen(live_server, page, seeded, screenshot):
    check_layout(page, live_server.url + "/", "dashboard-seed", screenshot)
    assert page.locator(".headline-reporters li").count() == 2
    assert page.locator(".headline-recent .update").count() == 2


def test_with_full_panels_the_headline_still_fits(live_server, page, seeded, screenshot, make_actor, make_update):
    from tracker.models import Recommendation

    recs = list(Recommendation.objects.order_by("code")[:6])
    for n, rec in enumerate(recs):
        actor = make_actor(
            slug=f"long-name-{n}", name=f"Government of the Plurinational State of a Long Country Name {n}"
        )
        make_update(
            rec,
            actor,
            status="partially_implemented",
            summary="A long summary of what was done, by whom, with which partners and where, " * 4,
            reported_on=datetime.date(2009, 1, 1 + n),
        )
    check_layout(page, live_server.url + "/", "dashboard-full", screenshot)
    assert page.locator(".headline-reporters li").count() == 5
    assert page.locator(".headline-recent .update").count() == 5
    # As of a date, the banner above the headline too.
    check_layout(page, live_server.url + "/?as_of=2009-01-03", "dashboard-full-as-of", screenshot)


def test_the_breakdowns_open_without_script_and_the_source_only_roll_up_explains_itself(
    live_server, page, seeded, screenshot
):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    theme = page.locator("details#by-theme")
    assert not theme.locator("table").is_visible()
    theme.locator("summary").click()
    assert theme.locator("table").is_visible()
    assert theme.locator("tbody tr").count() == 20

    page.goto(live_server.url + "/?mappings=source")
    objective = page.locator("details#by-objective")
    assert objective.get_attribute("open") is not None
    assert "Every mapping loaded with the seed data is editorial" in objective.inner_text()
    assert "Nothing to show yet." in objective.inner_text()
    assert serious_violations(page) == []
    screenshot(page, "dashboard-source-mappings")
    objective.get_by_role("link", name="Every mapping").click()
    page.wait_for_url(live_server.url + "/?#by-objective")
    assert page.locator("details#by-objective tbody tr").count() == 14
