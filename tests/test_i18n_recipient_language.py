"""Each e-mail in its recipient's language (docs/i18n.md, "E-mails"), through a real SMTP server:
a follow's digests in the language of the page it was asked from, with links under that
language's prefix, one language per follow; staff notices (review, reminders, a disabled
webhook) in each staff user's language, one notice per language, English without one; the
language taken from the admin a user signs in to unless they chose one; and the recipients'
languages read in the same query as the recipients."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from tests.test_cycles import build_world, opened
from tests.webhook_receiver import network_log, webhook_receiver
from tracker import notifications, reminders, roles, services
from tracker.models import EmailNotice, Follow, StaffPreference, User
from tracker.models.preferences import choose_language
from tracker.webhooks import services as webhooks

SITE = "http://127.0.0.1:8000"
ADDRESS = "ana@example.org"
PASSWORD = "pw-for-tests-only-3141"  # make_user's


def speaks(user, language, chosen=False):
    StaffPreference.objects.update_or_create(user=user, defaults={"language": language, "chosen": chosen})
    return user


def words(text):
    """`text` (a header: a non-ASCII subject comes back folded, with a leading space) with its
    whitespace normalised."""
    return " ".join(str(text).split())


def in_language(language, message, **values):
    """`message` translated into `language` and filled with `values`; checked to differ from English."""
    with translation.override(language):
        translated = gettext(message)
    assert translated != message, f"no {language} translation of {message!r}"
    return translated % values if values else translated


# Follows.


@pytest.fixture
def followed(make_forum, make_recommendation, make_theme, actor_a, focal_a, secretariat_user):
    forum = make_forum(slug="forum-one", title="Forum one")
    theme = make_theme(slug="remittances", name="Remittances")
    rec = make_recommendation(code="REC-1", forum=forum, text="Establish migrant resource centres", themes=[theme])
    return forum, theme, rec, focal_a, actor_a, secretariat_user


def ask_and_confirm(client, smtp, prefix, page):
    """Follow `page` (unprefixed path) from its page under `prefix` ("/fr", "" ...), daily, and
    confirm it with the link of the e-mail, as a browser would."""
    asked = client.post(f"{prefix}/follow/", {"url": f"{prefix}{page}", "email": ADDRESS, "frequency": "daily"})
    assert asked.status_code == 303
    link = re.search(r"https?://\S+/follow/confirm/[^/\s]+/", smtp.to(ADDRESS)[-1].get_content()).group(0)
    assert urlsplit(link).path.startswith(f"{prefix}/follow/confirm/")
    assert client.post(urlsplit(link).path).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_each_follow_gets_its_digest_in_the_language_it_was_asked_in_with_links_in_it(client, smtp, followed):
    forum, theme, rec, focal, actor, secretariat = followed
    # One address, three follows, three languages: French (a theme), English (the recommendation),
    # Chinese (the forum).
    ask_and_confirm(client, smtp, "/fr", "/themes/remittances/")
    ask_and_confirm(client, smtp, "", "/recommendations/REC-1/")
    ask_and_confirm(client, smtp, "/zh", "/forums/forum-one/")
    assert dict(Follow.objects.values_list("url", "language")) == {
        "/themes/remittances/": "fr",
        "/recommendations/REC-1/": "en",
        "/forums/forum-one/": "zh-hans",
    }

    update = services.record_progress(rec, user=focal, actor=actor, status="in_progress", summary="Three opened.")
    services.approve_update(update, user=secretariat)
    call_command("send_digests", today=(timezone.localdate() + datetime.timedelta(days=1)).isoformat())

    digests = {
        notice.body.split("\n")[2]: notice
        for notice in EmailNotice.objects.filter(event=EmailNotice.Event.DIGEST).order_by("pk")
    }
    assert set(digests) == {
        f"{SITE}/fr/themes/remittances/",
        f"{SITE}/recommendations/REC-1/",
        f"{SITE}/zh/forums/forum-one/",
    }
    received = {
        words(message["Subject"]): message for message in smtp.to(ADDRESS) if "REC-1 —" in message.get_content()
    }
    assert len(received) == 3
    for page, language, prefix in [
        ("/themes/remittances/", "fr", "/fr"),
        ("/recommendations/REC-1/", "en", ""),
        ("/forums/forum-one/", "zh-hans", "/zh"),
    ]:
        notice = digests[f"{SITE}{prefix}{page}"]
        message = received[words(notice.subject)]
        with translation.override(language):
            subject = ngettext(
                "[Tracker] %(count)s new progress update: %(page)s",
                "[Tracker] %(count)s new progress updates: %(page)s",
                1,
            ) % {"count": 1, "page": ""}
        assert words(message["Subject"]).startswith(words(subject)), (language, message["Subject"])
        body = message.get_content()
        assert f"{SITE}{prefix}/recommendations/REC-1/#update-{update.pk}" in body
        unsubscribe = re.search(r"https?://\S+/follow/unsubscribe/[^/\s]+/", body).group(0)
        assert unsubscribe.startswith(f"{SITE}{prefix}/follow/unsubscribe/")
        assert message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"
        if language != "en":
            assert in_language(language, "Stop following it (one click):") in body
            assert "Stop following it" not in body
    # The French one-click link unsubscribes the French follow only.
    french = digests[f"{SITE}/fr/themes/remittances/"].headers["List-Unsubscribe"].strip("<>")
    assert client.post(urlsplit(french).path).status_code == 200
    assert sorted(Follow.objects.values_list("language", flat=True)) == ["en", "zh-hans"]


@pytest.mark.django_db(transaction=True)
def test_a_follow_asked_again_in_another_language_takes_it_when_the_new_link_is_used(client, smtp, followed):
    ask_and_confirm(client, smtp, "", "/themes/remittances/")
    assert Follow.objects.get().language == "en"

    client.post("/ru/follow/", {"url": "/ru/themes/remittances/", "email": ADDRESS, "frequency": "weekly"})
    assert Follow.objects.get().language == "en"  # confirmed: unchanged until the new link is used
    link = re.search(r"https?://\S+/follow/confirm/[^/\s]+/", smtp.to(ADDRESS)[-1].get_content()).group(0)
    assert client.post(urlsplit(link).path).status_code == 200
    follow = Follow.objects.get()
    assert (follow.language, follow.frequency) == ("ru", "weekly")


# Staff.


@pytest.mark.django_db(transaction=True)
def test_one_review_event_reaches_each_reviewer_in_their_language(
    smtp, make_user, make_recommendation, actor_a, secretariat_user
):
    speaks(make_user("rev-ar", groups=[roles.SECRETARIAT], email="rev-ar@example.org"), "ar")
    make_user("rev-en", groups=[roles.SECRETARIAT], email="rev-en@example.org")  # no language: English
    speaks(make_user("rev-en2", groups=[roles.SECRETARIAT], email="rev-en2@example.org"), "en")
    focal = speaks(make_user("focal", groups=[roles.FOCAL_POINT], actor=actor_a, email="focal@example.org"), "fr")
    rec = make_recommendation(code="REC-9")

    with translation.override("ru"):  # the language of the page that made the decision does not matter
        update = services.record_progress(rec, user=focal, actor=actor_a, status="in_progress", summary="x")

    [arabic] = smtp.to("rev-ar@example.org")
    [english] = smtp.to("rev-en@example.org")
    assert words(smtp.to("rev-en2@example.org")[0]["Subject"]) == words(english["Subject"])
    waiting = "[Tracker] %(code)s: progress reported by %(actor)s, waiting for review"
    assert words(arabic["Subject"]) == words(in_language("ar", waiting, code="REC-9", actor=actor_a.name))
    assert words(english["Subject"]) == waiting % {"code": "REC-9", "actor": actor_a.name}
    assert f"{SITE}/ar/admin/tracker/progressupdate/{update.pk}/review/" in arabic.get_content()
    assert f"{SITE}/admin/tracker/progressupdate/{update.pk}/review/" in english.get_content()
    assert in_language("ar", "Proposed status") in arabic.get_content()
    notices = EmailNotice.objects.filter(event=EmailNotice.Event.SUBMITTED)
    assert sorted(notices.values_list("recipients", flat=True)) == [
        "rev-ar@example.org",
        "rev-en2@example.org\nrev-en@example.org",
    ]

    services.approve_update(update, user=secretariat_user)
    [approved] = smtp.to("focal@example.org")
    approval = in_language("fr", "[Tracker] %(code)s: your progress update was approved", code="REC-9")
    assert words(approved["Subject"]) == words(approval)
    assert f"{SITE}/fr/recommendations/REC-9/" in approved.get_content()


@pytest.mark.django_db(transaction=True)
def test_reminders_go_to_each_focal_point_in_their_language_once(
    smtp, make_process, make_forum, make_recommendation, make_actor, make_theme, make_user, secretariat_user
):
    world = build_world(
        make_process, make_forum, make_recommendation, make_actor, make_theme, make_user, secretariat_user
    )
    speaks(world.focal_b, "ru")
    speaks(world.focal_a2, "fr")  # A's deputy in French, A's focal point without a language
    opened(world)
    day = datetime.date(2027, 3, 17)  # 14 days before the deadline

    for _run in range(2):  # the second run sends nothing more
        with time_machine.travel(datetime.datetime(2027, 3, 17, 6, 15, tzinfo=datetime.UTC), tick=False):
            reminders.send_reminders(day)

    [russian] = smtp.to("focal-b@example.org")
    due = "[Tracker] %(cycle)s: %(count)s progress update from %(actor)s due by %(deadline)s"
    with translation.override("ru"):
        subject = ngettext(due, due.replace("update", "updates"), 2)
        subject %= {"cycle": "2027 call for updates", "count": 2, "actor": "Government of B", "deadline": ""}
    assert words(russian["Subject"]).startswith(words(subject))
    assert "due by" not in russian["Subject"]
    body = russian.get_content()
    assert in_language("ru", "The whole list, with what waits for review") in body
    assert f"{SITE}/ru/admin/tracker/reportingcycle/" in body and f"{SITE}/ru/admin/tracker/progressupdate/add/" in body
    [english] = smtp.to("focal-a@example.org")
    [french] = smtp.to("deputy-a@example.org")
    assert "due by" in english["Subject"] and f"{SITE}/admin/tracker/reportingcycle/" in english.get_content()
    assert "due by" not in french["Subject"] and f"{SITE}/fr/admin/" in french.get_content()
    keys = set(EmailNotice.objects.filter(event=EmailNotice.Event.REMINDER).values_list("key", flat=True))
    assert keys == {
        "reminder:2027-call-for-updates:gov-a:-14",
        "reminder:2027-call-for-updates:gov-a:-14:fr",
        "reminder:2027-call-for-updates:gov-b:-14",
    }


@pytest.mark.django_db(transaction=True)
def test_a_disabled_webhook_is_told_to_each_reviewer_in_their_language(
    settings, smtp, make_user, secretariat_actor, api_world, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE, settings.WEBHOOKS_ALLOWED_HOSTS = True, []
    reviewer = make_user("reviewer", groups=[roles.SECRETARIAT], actor=secretariat_actor, email="rev@example.org")
    speaks(make_user("rev-ar", groups=[roles.SECRETARIAT], email="rev-ar@example.org"), "ar")
    with network_log() as log, webhook_receiver() as receiver:
        endpoint = webhooks.register_endpoint(
            user=reviewer, url=receiver.url(), events=["recommendation.changed"], description="Receiver"
        )
        receiver.fail(1)  # the immediate backend cannot defer a retry: the first failure gives up
        with django_capture_on_commit_callbacks(execute=True):
            services.save_recommendation(api_world.data, user=reviewer, changed_fields=["text"])
    assert log.outside_loopback() == []

    endpoint.refresh_from_db()
    assert not endpoint.is_active and "gave up after 1 attempt" in endpoint.disabled_reason  # stored in English
    [english] = smtp.to("rev@example.org")
    [arabic] = smtp.to("rev-ar@example.org")
    assert words(english["Subject"]) == f"[Tracker] Webhook endpoint disabled: {endpoint.url}"
    disabled = in_language("ar", "[Tracker] Webhook endpoint disabled: %(url)s", url=endpoint.url)
    assert words(arabic["Subject"]) == words(disabled)
    assert f"/ar/admin/tracker/webhookendpoint/{endpoint.pk}/change/" in arabic.get_content()
    assert "gave up after" not in arabic.get_content()  # the reason too is in Arabic
    assert in_language("ar", "Why") in arabic.get_content()
    assert "gave up after 1 attempt" in english.get_content()
    keys = set(EmailNotice.objects.filter(event=EmailNotice.Event.WEBHOOK_DISABLED).values_list("key", flat=True))
    key = f"webhook-disabled:{endpoint.pk}:{endpoint.disabled_at.isoformat()}"
    assert keys == {key, f"{key}:en"}


# The language of a staff user.


def sign_in(client, prefix, username):
    answer = client.post(f"{prefix}/admin/login/", {"username": username, "password": PASSWORD})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    client.logout()


def test_signing_in_records_the_admins_language_each_time(client, make_user):
    user = make_user("amina", groups=[roles.SECRETARIAT])
    client.force_login(user)  # no page, no language: nothing recorded
    assert not StaffPreference.objects.exists()
    client.logout()

    sign_in(client, "/fr", "amina")
    assert StaffPreference.objects.values_list("language", "chosen").get(user=user) == ("fr", False)
    sign_in(client, "/zh", "amina")
    assert StaffPreference.objects.get(user=user).language == "zh-hans"
    sign_in(client, "", "amina")
    assert StaffPreference.objects.get(user=user).language == "en"


def test_a_chosen_language_is_kept_when_signing_in_in_another(client, make_user):
    user = make_user("amina", groups=[roles.SECRETARIAT])
    sign_in(client, "/ar", "amina")
    choose_language(user, "ru")

    sign_in(client, "/fr", "amina")
    assert StaffPreference.objects.values_list("language", "chosen").get(user=user) == ("ru", True)

    choose_language(user, "")  # back to the sign-in's language, from the next sign-in on
    assert StaffPreference.objects.get(user=user).language == "ru"
    sign_in(client, "/es", "amina")
    assert StaffPreference.objects.values_list("language", "chosen").get(user=user) == ("es", False)


def test_the_user_form_sets_and_clears_the_language_of_e_mails(client, make_user, actor_a):
    admin = User.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    user = make_user("amina", groups=[roles.FOCAL_POINT], actor=actor_a, email="amina@example.org")
    url = f"/admin/tracker/user/{user.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="email_language"' in page and "As they sign in (English until they do)" in page
    data = {
        "username": "amina",
        "role": "focal_point",
        "actor": actor_a.pk,
        "is_active": "on",
        "email": "amina@example.org",
        "email_language": "ar",
        "first_name": "",
        "last_name": "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-11-01",
        "date_joined_1": "10:00:00",
    }
    assert client.post(url, data).status_code == 302
    assert StaffPreference.objects.values_list("language", "chosen").get(user=user) == ("ar", True)
    assert '<option value="ar" selected>' in client.get(url).content.decode()

    assert client.post(url, data | {"email_language": ""}).status_code == 302
    assert StaffPreference.objects.values_list("language", "chosen").get(user=user) == ("ar", False)
    assert "As they last signed in (now: العربية)" in client.get(url).content.decode()


# Queries.


@pytest.mark.django_db
def test_the_recipients_languages_come_in_the_recipients_query(
    make_user, make_recommendation, actor_a, django_assert_num_queries
):
    rec = make_recommendation(code="REC-9")
    focal = make_user("focal", groups=[roles.FOCAL_POINT], actor=actor_a, email="focal@example.org")
    update = services.record_progress(rec, user=focal, actor=actor_a, status="in_progress", summary="x")
    make_user("rev-1", groups=[roles.SECRETARIAT], email="rev-1@example.org")
    speaks(make_user("rev-2", groups=[roles.SECRETARIAT], email="rev-2@example.org"), "fr")

    with django_assert_num_queries(1):
        assert notifications.reviewers_by_language() == {"en": ["rev-1@example.org"], "fr": ["rev-2@example.org"]}
    with django_assert_num_queries(1):
        assert reminders.focal_points([actor_a.pk]) == {actor_a.pk: {"en": ["focal@example.org"]}}
    # Notifying two language groups: the recipients (1) and a notice per group (2), however many
    # recipients each group has.
    with django_assert_num_queries(3):
        notifications.notify(EmailNotice.Event.SUBMITTED, update)
    for n in range(3, 9):
        speaks(make_user(f"rev-{n}", groups=[roles.SECRETARIAT], email=f"rev-{n}@example.org"), ["en", "fr"][n % 2])
    with django_assert_num_queries(3):
        notices = notifications.notify(EmailNotice.Event.SUBMITTED, update)
    assert [len(notice.recipient_list) for notice in notices] == [4, 4]
