"""The public site on the seed data (fixtures/*.json): the screenshots to look at, and axe-core
on the real texts."""

import pytest

from .test_public_site import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "seed-dashboard": "/",
    "seed-forum-brussels-2007": "/forums/gfmd-2007-brussels/",
    "seed-forums": "/forums/",
    "seed-recommendations": "/recommendations/",
    "seed-recommendation-detail": "/recommendations/GFMD-2007-RT1-06/",
}


def test_seed_pages_render_without_serious_accessibility_violations(live_server, page, seeded, screenshot):
    # One test for all pages, so the fixtures are loaded once.
    for name, path in PAGES.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert serious_violations(page) == [], path
        screenshot(page, name)
