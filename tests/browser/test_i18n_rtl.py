"""Arabic (right to left) and Russian (long words) in a real browser, on the seed data: the
dashboard, the list and a recommendation at 1280 and 390 px, with screenshots under
test-results/screenshots/, no serious or critical axe-core violation, and nothing wider than a
390 px phone."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import DESKTOP, PHONE, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}
PAGES = {
    "dashboard": "/",
    "list": "/recommendations/?forum=gfmd-2007-brussels",
    "recommendation": "/recommendations/GFMD-2007-RT1-02/",
}


def serious_violations(page):
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("ru", "ltr")])
def test_arabic_and_russian_pages_mirror_or_not_are_accessible_and_fit_a_phone(
    live_server, page, seeded, language, direction
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in PAGES.items():
        for label, viewport in (("1280", DESKTOP), ("390", PHONE)):
            page.set_viewport_size(viewport)
            page.goto(f"{live_server.url}/{language}{path}")
            assert page.evaluate("getComputedStyle(document.documentElement).direction") == direction
            page.screenshot(path=str(SCREENSHOTS / f"i18n-{language}-{name}-{label}.png"), full_page=True)
            assert serious_violations(page) == [], (language, path, label)
            if viewport == PHONE:
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 390, f"{language}{path} is {width} px wide at 390 px"
            elif name == "recommendation":
                assert_mirrored(page, language == "ar")


def assert_mirrored(page, mirrored):
    """At 1280 px, on a recommendation's page: the header and the facts laid out right to left when
    `mirrored`, left to right otherwise; the language switch marks the page's language."""
    name = page.locator(".site-name").bounding_box()
    assert (name["x"] + name["width"] > DESKTOP["width"] / 2) is mirrored
    term, value = page.locator(".facts dt").first.bounding_box(), page.locator(".facts dd").first.bounding_box()
    assert (term["x"] > value["x"] + value["width"] - 1) is mirrored
    if not mirrored:
        assert page.locator('.language-switch a[aria-current="true"]').inner_text() == "Русский"
        return
    # An English source text keeps its full stop at its end (left to right inside the Arabic page).
    assert page.locator(".facts dd").nth(1).evaluate("box => getComputedStyle(box).unicodeBidi") == "plaintext"
    # The language switch marks Arabic as the current language, in Arabic.
    current = page.locator('.language-switch a[aria-current="true"]')
    assert current.inner_text() == "العربية"
    assert current.get_attribute("lang") == "ar"
