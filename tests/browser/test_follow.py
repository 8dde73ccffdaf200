"""Follow by e-mail in a real browser, at desktop and phone widths: the link on a page, the form
filled and sent, the confirmation link of the real e-mail (a real SMTP server started by the
test), a digest, the one-click unsubscribe page; every page without serious accessibility
violations and with no horizontal scrolling on a phone."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from tracker import services
from tracker.models import Follow, Recommendation, User

from .conftest import DESKTOP, PHONE, SCREENSHOTS
from .test_public_site import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFIRM_LINK = re.compile(r"https?://\S+/follow/confirm/[^/\s]+/")
UNSUBSCRIBE_LINK = re.compile(r"https?://\S+/follow/unsubscribe/[^/\s]+/")


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize(("viewport", "email"), [(DESKTOP, "desk@example.org"), (PHONE, "phone@example.org")])
def test_follow_a_page_confirm_by_the_mailed_link_get_a_digest_and_stop_in_one_click(
    live_server, page, brussels_2007, smtp, settings, viewport, email
):
    settings.SITE_URL = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    label = "1280" if viewport == DESKTOP else "390"
    page.set_viewport_size(viewport)
    page.goto(live_server.url + "/recommendations/GFMD-2007-RT1-02/")
    page.get_by_role("link", name="Follow by e-mail").click()
    page.wait_for_url(re.compile(r"/follow/\?url="))
    assert "Recommendation GFMD-2007-RT1-02: Develop codes of ethical recruitment" in page.inner_text("main")
    assert no_sideways_scroll(page) and serious_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / f"follow-form-{label}.png"), full_page=True)

    page.get_by_label("Your e-mail address").fill(email)
    page.get_by_label("Daily", exact=False).check()
    page.get_by_role("button", name="Follow this page").click()
    page.wait_for_url(re.compile(r"/follow/requested/"))
    assert "Check your inbox" in page.inner_text("h1")
    assert no_sideways_scroll(page) and serious_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / f"follow-requested-{label}.png"), full_page=True)

    [message] = smtp.to(email)
    page.goto(CONFIRM_LINK.search(message.get_content()).group(0))
    assert Follow.objects.get(email=email).confirmed_at is None  # opening the link is not enough
    assert serious_violations(page) == []
    page.get_by_role("button", name="Confirm and follow").click()
    page.wait_for_load_state()
    assert "You follow this page" in page.inner_text("h1")
    assert no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / f"follow-confirmed-{label}.png"), full_page=True)
    follow = Follow.objects.get(email=email)
    assert follow.is_confirmed and follow.frequency == "daily"

    secretariat = User.objects.create_user("sec-" + label, password="pw-for-tests-only-3141", is_staff=True)
    secretariat.is_superuser = True
    secretariat.save()
    recommendation = Recommendation.objects.get(code="GFMD-2007-RT1-02")
    services.record_progress(
        recommendation,
        user=secretariat,
        actor=recommendation.actors.get(),
        status="implemented",
        summary="A code of ethical recruitment was adopted.",
    )
    call_command("send_digests", today=(timezone.localdate() + datetime.timedelta(days=1)).isoformat())
    [digest] = [m for m in smtp.to(email) if "progress update" in m["Subject"]]
    body = digest.get_content()
    assert "GFMD-2007-RT1-02 — Develop codes of ethical recruitment" in body
    assert "Government of Belgium · Implemented" in body

    page.goto(UNSUBSCRIBE_LINK.search(body).group(0))
    assert serious_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / f"follow-unsubscribe-{label}.png"), full_page=True)
    page.get_by_role("button", name="Stop following").click()
    page.wait_for_load_state()
    assert "You no longer follow this page" in page.inner_text("h1")
    assert not Follow.objects.filter(email=email).exists()


def test_a_filtered_list_is_followed_with_its_filters_and_a_bad_address_is_explained(
    live_server, page, brussels_2007, smtp
):
    page.goto(live_server.url + "/recommendations/?status=implemented&forum=gfmd-2007-brussels&page=1")
    page.get_by_role("link", name="Follow by e-mail").click()
    main = page.inner_text("main")
    assert "Status: Implemented" in main and "Forum: First Global Forum on Migration and Development" in main
    page.get_by_label("Your e-mail address").fill("not an address")
    page.get_by_role("button", name="Follow this page").click()
    # The browser's own check stops it first; without it the server says the same.
    assert "/follow/?" in page.url and Follow.objects.count() == 0
    page.goto(live_server.url + "/follow/?url=" + "https%3A%2F%2Fevil.example%2F")
    assert "This page cannot be followed" in page.inner_text("main")
    assert "Only pages of this site can be followed" in page.inner_text("main")
    assert serious_violations(page) == []
    assert urlsplit(page.url).path == "/follow/" and smtp.messages == []
