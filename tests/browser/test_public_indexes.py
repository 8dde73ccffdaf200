"""The indexes and pages of issue 15 on the seed data (fixtures/*.json) in Chromium: actors, an actor,
documents, a document, processes, GATS Mode 4, themes, and a recommendation page with its
"Editorial" labels; screenshots at 1280 and 390 px and no serious or critical axe-core violation."""

import pytest

from .test_public_site import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "issue15-actors": "/actors/",
    "issue15-actors-governments": "/actors/?kind=government",
    "issue15-actor-belgium": "/actors/belgium/",
    "issue15-documents": "/documents/",
    "issue15-document-a-60-871": "/documents/a-60-871/",
    "issue15-document-iom-2008": "/documents/iom-2008-current-priorities-labour-migration/",
    "issue15-processes": "/processes/",
    "issue15-process-gats-mode-4": "/processes/gats-mode-4/",
    "issue15-themes": "/themes/",
    "issue15-forum-hld-2006": "/forums/hld-2006/",
    "issue15-recommendation-editorial": "/recommendations/GFMD-2007-OUT-01/",
}


def test_the_new_pages_render_on_the_seed_without_serious_accessibility_violations(
    live_server, page, seeded, screenshot
):
    for name, path in PAGES.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert serious_violations(page) == [], path
        screenshot(page, name)


def test_the_editorial_label_is_visible_text_with_its_explanation(live_server, page, seeded):
    page.goto(live_server.url + "/forums/gfmd-2008-manila/")
    host = page.locator("#fact-host")
    assert host.locator(".editorial-label").inner_text() == "Editorial"
    assert host.locator(".editorial-label").is_visible()
    assert "The secretariat's judgement, not stated in the source document." in host.inner_text()
    assert "The source does not name the host" in host.inner_text()


def test_the_main_navigation_fits_a_phone_in_two_lines(live_server, page, seeded):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/actors/")
    items = page.locator(".site-nav li")
    tops = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}
    assert len(tops) <= 2, tops
    assert page.locator('.site-nav a[aria-current="page"]').inner_text() == "Actors"
