"""The Content Security Policy forbids inline scripts; the admin and the API docs still work."""

import pytest

from tracker import roles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_csp(page):
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


def test_the_admin_works_under_the_content_security_policy(page, live_server, seeded, make_user, make_actor):
    make_user("clerk", groups=[roles.SECRETARIAT], actor=make_actor())
    violations = watch_csp(page)
    response = page.goto(f"{live_server.url}/admin/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pw-for-tests-only-3141")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/tracker/recommendation/?q=GFMD-2007-RT1-06")
    page.click("text=GFMD-2007-RT1-06")
    # The admin's scripts run: the autocomplete widgets are initialised by admin JavaScript.
    page.wait_for_selector(".select2-container")
    page.get_by_role("link", name="History").click()
    # Recommendations are named "code — first words" in the admin.
    assert page.locator("#content h1").inner_text().startswith("View history: GFMD-2007-RT1-06 — ")
    assert violations == []


def test_the_api_docs_render_under_the_content_security_policy(page, live_server, seeded):
    violations = watch_csp(page)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    assert page.locator(".swagger-ui .opblock").count() > 10
    assert violations == []
