"""The secretariat's review in the admin: an inbox on the admin home, one page per submitted
update with Approve and Return-with-a-reason (one click each, the reason required to return),
decisions refused when the update changed meanwhile, and bulk return with one reason."""

import pytest

from tests.admin_forms import EMPTY_EVIDENCE_FORMSET
from tracker import services
from tracker.models import ProgressUpdate


@pytest.fixture
def submitted(api_world, focal_a, focal_b, actor_a, actor_b):
    """Two submissions, A's first: (a, b)."""
    ethical = api_world.ethical
    a = services.record_progress(ethical, user=focal_a, actor=actor_a, status="in_progress", summary="Code drafted.")
    b = services.record_progress(ethical, user=focal_b, actor=actor_b, status="stalled", summary="No funds.")
    return a, b


@pytest.fixture
def reviewer(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


def review_url(update):
    return f"/admin/tracker/progressupdate/{update.pk}/review/"


def test_the_admin_home_lists_what_awaits_review_oldest_first(reviewer, submitted, api_world):
    page = reviewer.get("/admin/").content.decode()
    waiting = ProgressUpdate.objects.filter(review_state="submitted").count()
    assert f"{waiting} updates await your review" in page
    a, _b = submitted
    assert page.index(review_url(a)) < page.index("Review the oldest first")


def test_the_review_page_shows_the_recommendation_and_the_proposal(reviewer, submitted, api_world):
    a, _b = submitted
    page = reviewer.get(review_url(a)).content.decode()
    for text in (api_world.ethical.code, api_world.ethical.text, "Code drafted.", "In progress", a.actor.name):
        assert text in page
    assert 'name="_approve"' in page and 'name="_return"' in page


def test_approve_is_one_click_and_leads_to_the_next_in_the_queue(reviewer, submitted, api_world):
    a, b = submitted
    response = reviewer.post(review_url(a), {"version": a.version, "_approve": "Approve"})
    assert response.status_code == 302
    assert response["Location"].endswith(review_url(b)) or "review/" in response["Location"]
    a.refresh_from_db()
    assert a.review_state == "approved"
    messages = reviewer.get(response["Location"]).content.decode()
    assert f"Approved the update on {api_world.ethical.code}: it is now public." in messages


def test_return_needs_a_reason_and_the_focal_point_sees_it(client, reviewer, submitted, focal_a):
    a, _b = submitted
    refused = reviewer.post(review_url(a), {"version": a.version, "_return": "Return"})
    assert refused.status_code == 200
    assert "Say why you return it" in refused.content.decode()
    a.refresh_from_db()
    assert a.review_state == "submitted"
    reason = "Please add the link to the published code."
    reviewer.post(review_url(a), {"version": a.version, "_return": "Return", "reason": reason})
    a.refresh_from_db()
    assert (a.review_state, a.review_note) == ("returned", reason)
    assert a.history.first().review_note == reason  # kept in history
    client.force_login(focal_a)
    home = client.get("/admin/").content.decode()
    returned = ProgressUpdate.objects.filter(actor=focal_a.actor, review_state="returned").count()
    assert returned == 2  # this one and the fixture's
    assert f"{returned} updates were returned to you for revision" in home and reason in home


def test_a_decision_on_an_update_changed_meanwhile_is_refused(reviewer, submitted, focal_a):
    a, _b = submitted
    shown = a.version
    services.revise_update(a, user=focal_a, changes={"summary": "Code adopted."})
    response = reviewer.post(review_url(a), {"version": shown, "_approve": "Approve"}, follow=True)
    assert "changed while you were reviewing it" in response.content.decode()
    a.refresh_from_db()
    assert a.review_state == "submitted"


def test_bulk_return_asks_for_one_reason(reviewer, submitted):
    a, b = submitted
    data = {"action": "return_for_revision", "_selected_action": [a.pk, b.pk]}
    form = reviewer.post("/admin/tracker/progressupdate/", data)
    assert form.status_code == 200 and "Return with this reason" in form.content.decode()
    assert ProgressUpdate.objects.filter(pk__in=[a.pk, b.pk], review_state="submitted").count() == 2
    without = reviewer.post("/admin/tracker/progressupdate/", data | {"apply": "1", "reason": " "})
    assert without.status_code == 200
    done = reviewer.post(
        "/admin/tracker/progressupdate/", data | {"apply": "1", "reason": "Add evidence."}, follow=True
    )
    assert "Returned 2 updates for revision." in done.content.decode()
    assert set(ProgressUpdate.objects.filter(pk__in=[a.pk, b.pk]).values_list("review_state", "review_note")) == {
        ("returned", "Add evidence.")
    }


def test_bulk_approve_messages_are_plural_aware(reviewer, submitted):
    a, _b = submitted
    done = reviewer.post(
        "/admin/tracker/progressupdate/", {"action": "approve", "_selected_action": [a.pk]}, follow=True
    )
    assert "Approved 1 update." in done.content.decode()


def test_a_focal_point_cannot_open_the_review_page(client, submitted, focal_b):
    a, _b = submitted
    client.force_login(focal_b)
    assert client.get(review_url(a)).status_code == 403
    assert client.post(review_url(a), {"version": a.version, "_approve": "Approve"}).status_code == 403
    a.refresh_from_db()
    assert a.review_state == "submitted"


def test_staff_messages_name_an_update_by_its_recommendations_code(client, focal_a, api_world, actor_a):
    client.force_login(focal_a)
    response = client.post(
        "/admin/tracker/progressupdate/add/",
        {
            "recommendation": api_world.ethical.pk,
            "actor": actor_a.pk,
            "status": "partially_implemented",
            "reported_on": "2008-10-01",
            "summary": "Half the agencies signed the code.",
            **EMPTY_EVIDENCE_FORMSET,
        },
        follow=True,
    )
    page = response.content.decode()
    assert f"{api_world.ethical.code}: Partially implemented (1 Oct 2008)" in page
    assert f"“{api_world.ethical.pk}: " not in page
    assert f"Submitted: {api_world.ethical.code} waits for the secretariat&#x27;s approval" in page


def test_the_admin_writes_dates_as_the_site_does(reviewer, api_world):
    page = reviewer.get("/admin/tracker/progressupdate/").content.decode()
    assert "1 Jun 2009" in page  # ethical_2009, reported on 2009-06-01
    assert "June 1, 2009" not in page and "Jun. 1, 2009" not in page
