"""E-mails are in their recipient's language when it is known, English otherwise (docs/i18n.md):
the confirmation of a follow in the language of the page it was asked from, with links in that
language; staff notices in the recipient's language, English for staff without one, whatever the
language of the admin page that made the decision (more in test_i18n_recipient_language.py)."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tracker import roles, services
from tracker.models import Follow

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_follow_asked_in_french_is_confirmed_in_french_and_recorded_by_its_english_address(client, smtp, make_theme):
    make_theme(slug="remittances", name="Remittances")

    asked = client.post(
        "/fr/follow/",
        {"url": "/fr/themes/remittances/", "email": "ana@example.org", "frequency": "weekly"},
        REMOTE_ADDR="203.0.113.9",
    )

    assert asked.status_code == 303
    assert asked["Location"].startswith("/fr/follow/requested/")
    assert Follow.objects.get().url == "/themes/remittances/"
    [message] = smtp.to("ana@example.org")
    with translation.override("fr"):
        subject = gettext("[Tracker] Confirm that you want to follow %(page)s") % {"page": ""}
    assert subject.strip() != "[Tracker] Confirm that you want to follow"
    assert message["Subject"].strip().startswith(subject.strip())
    body = message.get_content()
    assert re.search(r"http://127\.0\.0\.1:8000/fr/follow/confirm/\S+/", body)
    assert "http://127.0.0.1:8000/fr/themes/remittances/" in body


def test_staff_notices_are_in_english_even_when_decided_in_another_language(
    smtp, make_user, make_recommendation, actor_a, secretariat_user
):
    make_user("reviewer", groups=[roles.SECRETARIAT], email="rev@example.org")
    focal = make_user("focal", groups=[roles.FOCAL_POINT], actor=actor_a, email="focal@example.org")
    recommendation = make_recommendation()

    with translation.override("ru"):
        update = services.record_progress(recommendation, user=focal, actor=actor_a, status="in_progress", summary="x")
        services.approve_update(update, user=secretariat_user)

    [submitted] = smtp.to("rev@example.org")
    assert "waiting for review" in submitted["Subject"]
    assert "/admin/tracker/progressupdate/" in submitted.get_content()
    assert "/ru/" not in submitted.get_content()
    [approved] = smtp.to("focal@example.org")
    assert "your progress update was approved" in approved["Subject"]
