"""The open-data page (/data/) in a real browser, on the seed: it reads well at desktop and phone
widths (screenshots), axe-core finds nothing serious, and the schema.org JSON-LD it and the
dashboard carry is data the Content Security Policy leaves alone (no console report)."""

import json

import pytest

from .test_csp_staff import watch_csp
from .test_public_site import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_data_page_reads_well_and_its_json_ld_passes_the_content_security_policy(
    live_server, page, seeded, screenshot
):
    violations = watch_csp(page)
    for path in ("/data/", "/"):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        scripts = page.locator('script[type="application/ld+json"]')
        assert scripts.count() == 1, path
        dataset = json.loads(scripts.text_content())
        assert dataset["@type"] == "Dataset"
        assert dataset["distribution"][0]["contentUrl"] == f"{live_server.url}/data/package.zip"
    page.goto(live_server.url + "/data/")
    assert serious_violations(page) == []
    assert page.locator("#table-recommendations td[data-label='Rows']").inner_text() != "0"
    # At phone width nothing runs off the side of the page (the commands scroll in their box).
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "seed-data-package")
    assert violations == []
