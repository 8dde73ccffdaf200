"""Error pages in production mode (DEBUG off) are the site's own: its header and navigation, a
plain explanation and a way back, never Django's bare text."""

import pytest
from django.template.loader import render_to_string


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


def assert_branded(response, status, heading):
    assert response.status_code == status
    page = response.content.decode()
    assert '<header class="site-header">' in page and 'class="site-nav"' in page
    assert f"<h1>{heading}</h1>" in page
    assert 'href="/"' in page
    assert "tracker/site" in page  # the site's stylesheet


def test_a_missing_page_is_the_sites_404(client, db, production):
    assert_branded(client.get("/no-such-page/"), 404, "Page not found")
    assert_branded(client.get("/recommendations/NO-SUCH-CODE/"), 404, "Page not found")


def test_a_refused_page_is_the_sites_403(client, production, make_user, actor_a):
    from tracker import roles

    client.force_login(make_user("focal", groups=[roles.FOCAL_POINT], actor=actor_a))
    assert_branded(client.get("/admin/tracker/emailnotice/"), 403, "Not allowed")


def test_the_500_page_needs_no_request_and_leads_home():
    page = render_to_string("500.html")
    assert "Something went wrong" in page and 'href="/"' in page
