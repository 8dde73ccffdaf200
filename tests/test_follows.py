"""Follow by e-mail, without an account (tracker.follows, tracker.views.follow, `send_digests`),
through the pages and a real SMTP server started by the test: double opt-in with the link of the
real e-mail, digests of newly approved updates that match, one-click unsubscribe (RFC 8058), the
48-hour purge, the rate limit, the URL checks, forged and expired tokens, and the response cache."""

import datetime
import json
import re
from urllib.parse import quote, urlsplit

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from tracker import follows, services
from tracker.models import DataVersion, EmailNotice, Follow, FollowThrottle, Recommendation

ADDRESS = "ann@example.org"
CONFIRM_LINK = re.compile(r"https?://\S+/follow/confirm/[^/\s]+/")
UNSUBSCRIBE_LINK = re.compile(r"https?://\S+/follow/unsubscribe/[^/\s]+/")
START = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def world(make_forum, make_recommendation, make_theme, make_actor, secretariat_user, focal_a, actor_a):
    """Two forums, a theme, actors: `rec` (forum one, theme, actor_a responsible), `other` (forum
    one), `elsewhere` (forum two); a secretariat user and actor_a's focal point."""
    from types import SimpleNamespace

    one = make_forum(slug="forum-one", title="Forum one")
    two = make_forum(slug="forum-two", title="Forum two")
    theme = make_theme(slug="remittances", name="Remittances")
    rec = make_recommendation(
        code="REC-1", forum=one, text="Establish migrant resource centres in every region", themes=[theme]
    )
    rec.actors.set([actor_a])
    other = make_recommendation(code="REC-2", forum=one, text="Promote public-private partnership")
    elsewhere = make_recommendation(code="REC-3", forum=two, text="Fight against human trafficking")
    return SimpleNamespace(
        one=one,
        two=two,
        theme=theme,
        rec=rec,
        other=other,
        elsewhere=elsewhere,
        secretariat=secretariat_user,
        focal=focal_a,
        actor=actor_a,
        reporter=make_actor(slug="reporter", name="Reporting agency"),
    )


def approve(world, recommendation, summary="Progress made.", actor=None):
    """A focal point's update on `recommendation`, approved by the secretariat (reviewed now)."""
    if actor is None:
        update = services.record_progress(
            recommendation, user=world.focal, actor=world.actor, status="in_progress", summary=summary
        )
        return services.approve_update(update, user=world.secretariat)
    return services.record_progress(
        recommendation, user=world.secretariat, actor=actor, status="implemented", summary=summary
    )


def ask(client, url, email=ADDRESS, frequency="daily", ip="203.0.113.7"):
    return client.post("/follow/", {"url": url, "email": email, "frequency": frequency}, REMOTE_ADDR=ip)


def path(url):
    return urlsplit(url).path


def confirm_by_mail(client, smtp, email=ADDRESS):
    """Open the link of the latest confirmation e-mail to `email` and press its button."""
    message = smtp.to(email)[-1]
    link = CONFIRM_LINK.search(message.get_content()).group(0)
    page = client.get(path(link))
    assert page.status_code == 200 and b"Confirm and follow" in page.content
    done = client.post(path(link))
    assert done.status_code == 200 and b"You follow this page" in done.content
    return link


def digests(smtp, email=ADDRESS):
    return [message for message in smtp.to(email) if "progress update" in message["Subject"]]


@pytest.mark.django_db(transaction=True)
def test_confirm_by_the_mailed_link_get_a_digest_unsubscribe_in_one_click_and_get_nothing_after(client, smtp, world):
    form = client.get(f"/follow/?url={world.rec.get_absolute_url()}")
    assert form.status_code == 200
    assert "Recommendation REC-1: Establish migrant resource centres" in form.content.decode()

    asked = ask(client, world.rec.get_absolute_url())
    assert asked.status_code == 303 and asked["Location"].startswith("/follow/requested/")
    [confirmation] = smtp.to(ADDRESS)
    assert "Confirm" in confirmation["Subject"] and "List-Unsubscribe" not in confirmation
    follow = Follow.objects.get()
    assert follow.confirmed_at is None and follow.email == ADDRESS and follow.url == "/recommendations/REC-1/"

    link = confirm_by_mail(client, smtp)
    follow.refresh_from_db()
    assert follow.is_confirmed and follow.frequency == "daily"
    assert client.post(path(link)).status_code == 200  # the link again: still fine, nothing changes

    approve(world, world.rec, summary="Three centres opened.")
    approve(world, world.other, summary="Not followed.")  # same forum, another recommendation
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    call_command("send_digests", today=tomorrow.isoformat())
    [digest] = digests(smtp)
    body = digest.get_content()
    assert "REC-1 — Establish migrant resource centres in every region" in body
    assert "Government of A · In progress · reported on" in body
    assert "/recommendations/REC-1/#update-" in body and "REC-2" not in body
    unsubscribe = UNSUBSCRIBE_LINK.search(body).group(0)
    assert digest["List-Unsubscribe"].strip() == f"<{unsubscribe}>"  # folded: the URL is long
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    notice = EmailNotice.objects.get(event=EmailNotice.Event.DIGEST)
    assert notice.key == f"digest:{follow.pk}:{tomorrow.isoformat()}"
    assert notice.headers == {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }

    call_command("send_digests", today=tomorrow.isoformat())  # the same day again: never twice
    assert len(digests(smtp)) == 1

    # The mail client's one-click POST (RFC 8058): no CSRF token, only the signed link.
    csrf_client = client_class_with_csrf_checks()
    gone = csrf_client.post(
        path(unsubscribe), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert gone.status_code == 200 and b"You no longer follow this page" in gone.content
    assert not Follow.objects.exists()
    again = csrf_client.post(
        path(unsubscribe), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert again.status_code == 200  # idempotent

    approve(world, world.rec, summary="Two more centres.")
    call_command("send_digests", today=(tomorrow + datetime.timedelta(days=1)).isoformat())
    assert len(digests(smtp)) == 1


def client_class_with_csrf_checks():
    from django.test import Client

    return Client(enforce_csrf_checks=True)


@pytest.mark.django_db(transaction=True)
def test_unsubscribe_by_the_page_button(client, smtp, world):
    ask(client, world.theme.get_absolute_url(), frequency="weekly")
    confirm_by_mail(client, smtp)
    follow = Follow.objects.get()
    link = follows.unsubscribe_url(follow)
    page = client.get(path(link))
    assert page.status_code == 200 and b"Theme: Remittances" in page.content
    assert b'name="List-Unsubscribe" value="One-Click"' in page.content
    assert Follow.objects.exists()  # opening the link alone changes nothing
    assert client.post(path(link), {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Follow.objects.exists()
    assert b"no longer follows" in client.get(path(link)).content


@pytest.mark.django_db
def test_a_digest_of_a_filtered_list_lists_only_the_updates_of_recommendations_it_selects(
    smtp, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = follows.request_follow(
            ADDRESS, "/recommendations/?forum=forum-one&theme=remittances&page=3&format=csv", "weekly"
        )
    assert outcome.follow.url == "/recommendations/?forum=forum-one&theme=remittances"
    assert "Forum: Forum one" in outcome.followed.label and "Theme: Remittances" in outcome.followed.label
    link = CONFIRM_LINK.search(smtp.to(ADDRESS)[0].get_content()).group(0)
    follows.confirm_follow(path(link).split("/")[-2])
    with django_capture_on_commit_callbacks(execute=True):
        approve(world, world.rec, summary="Matches both filters.")
        approve(world, world.other, summary="Forum one, no theme.")
        approve(world, world.elsewhere, summary="Forum two.")
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        early = follows.send_digests(today + datetime.timedelta(days=1))
    assert early.sent == 0 and digests(smtp) == []  # weekly: not due a day later
    with django_capture_on_commit_callbacks(execute=True):
        run = follows.send_digests(today + datetime.timedelta(days=7))
    assert run.sent == 1
    [digest] = digests(smtp)
    body = digest.get_content()
    assert "REC-1" in body and "REC-2" not in body and "REC-3" not in body
    assert "weekly digest" in body


@pytest.mark.django_db
def test_each_kind_of_page_matches_its_approved_updates(world, make_update, actor_b):
    own = make_update(world.rec, world.reporter)
    other = make_update(world.other, world.actor)  # actor_a reported on a recommendation it is not responsible for
    far = make_update(world.elsewhere, actor_b)
    make_update(world.elsewhere, world.actor, review_state="submitted")  # never public

    def matched(url):
        return set(follows.parse_followed_url(url).updates())

    assert matched("/recommendations/REC-1/") == {own}
    assert matched("/forums/forum-one/") == {own, other}
    assert matched("/forums/forum-two/") == {far}
    assert matched("/themes/remittances/") == {own}
    assert matched(f"/actors/{world.actor.slug}/") == {own, other}  # responsible for REC-1, reported REC-2
    assert matched("/recommendations/") == {own, other, far}
    assert matched("/recommendations/?status=implemented") == set()
    assert matched("/recommendations/?q=trafficking") == {far}


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/recommendations/",
        "//evil.example/recommendations/",
        "javascript:alert(1)",
        "/admin/",
        "/api/v1/recommendations/",
        "/feeds/updates/",
        "/no-such-page/",
        "/recommendations/NO-SUCH-CODE/",
        "/recommendations/?forum=no-such-forum",
        "recommendations/",
        "",
    ],
)
@pytest.mark.django_db
def test_a_url_that_is_not_a_followable_page_of_this_site_is_refused_clearly_and_nothing_is_stored(
    client, smtp, world, url, django_capture_on_commit_callbacks
):
    page = client.get(f"/follow/?url={quote(url, safe='')}")
    assert page.status_code == 400
    assert b"This page cannot be followed" in page.content and b'name="email"' not in page.content
    with django_capture_on_commit_callbacks(execute=True):
        posted = ask(client, url)
    assert posted.status_code == 400 and b"This page cannot be followed" in posted.content
    assert not Follow.objects.exists() and not FollowThrottle.objects.exists() and smtp.messages == []


@pytest.mark.django_db
def test_an_absolute_url_of_this_site_is_followed_as_its_path(settings, world):
    settings.SITE_URL = "https://tracker.example.org"
    followed = follows.parse_followed_url("https://tracker.example.org/forums/forum-one/?as_of=2020-01-01")
    assert (followed.kind, followed.url, followed.label) == ("forum", "/forums/forum-one/", "Forum: Forum one")
    with pytest.raises(ValidationError):
        follows.parse_followed_url("http://tracker.example.org.evil.example/forums/forum-one/")


@pytest.mark.django_db
def test_a_bad_address_or_frequency_is_explained_on_the_form_and_nothing_is_stored(client, smtp, world):
    answer = ask(client, "/themes/remittances/", email="not an address")
    assert answer.status_code == 400 and b"Enter a valid email address." in answer.content
    assert b"Theme: Remittances" in answer.content and b'value="/themes/remittances/"' in answer.content
    answer = ask(client, "/themes/remittances/", frequency="hourly")
    assert answer.status_code == 400 and b"Select a valid choice." in answer.content
    assert not Follow.objects.exists() and not FollowThrottle.objects.exists() and smtp.messages == []


@pytest.mark.django_db
def test_the_answer_is_the_same_whether_or_not_the_address_follows_already(
    client, smtp, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = ask(client, "/forums/forum-one/")
    follows.confirm_follow(path(CONFIRM_LINK.search(smtp.to(ADDRESS)[0].get_content()).group(0)).split("/")[-2])
    with django_capture_on_commit_callbacks(execute=True):
        again = ask(client, "/forums/forum-one/", frequency="weekly", ip="198.51.100.1")
        stranger = ask(client, "/forums/forum-one/", email="bob@example.org", ip="198.51.100.2")
    assert first["Location"] == again["Location"] == stranger["Location"]
    assert client.get(again["Location"]).content == client.get(stranger["Location"]).content
    follow = Follow.objects.get(email=ADDRESS)
    assert follow.frequency == "daily"  # unchanged until the new link is used
    follows.confirm_follow(path(CONFIRM_LINK.search(smtp.to(ADDRESS)[1].get_content()).group(0)).split("/")[-2])
    follow.refresh_from_db()
    assert follow.frequency == "weekly" and Follow.objects.filter(email=ADDRESS).count() == 1


@pytest.mark.django_db
def test_at_most_three_confirmations_per_address_a_day_from_any_client(
    client, smtp, world, audit_log, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False):
        answers = []
        for n, email in enumerate([ADDRESS, "Ann@Example.org", "ann+news@example.org", ADDRESS]):
            with django_capture_on_commit_callbacks(execute=True):
                answers.append(ask(client, "/forums/forum-one/", email=email, ip=f"198.51.100.{n + 1}"))
        assert len(smtp.messages) == 3
        assert {answer.status_code for answer in answers} == {303}
        assert len({answer["Location"] for answer in answers}) == 1
        [line] = audit_log.records()
        assert line["event"] == "follow_rate_limited" and line["ip"] == "198.51.100.4"
        assert ADDRESS not in json.dumps(line).lower()
    with time_machine.travel(START + datetime.timedelta(hours=24, minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            ask(client, "/forums/forum-one/", ip="198.51.100.9")
        assert len(smtp.messages) == 4


@pytest.mark.django_db
def test_at_most_three_confirmations_a_day_from_one_client_address(
    client, smtp, world, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False):
        for n in range(4):
            with django_capture_on_commit_callbacks(execute=True):
                ask(client, "/forums/forum-one/", email=f"person{n}@example.org", ip="2001:db8::1")
        with django_capture_on_commit_callbacks(execute=True):
            ask(client, "/forums/forum-one/", email="person9@example.org", ip="2001:db8::ffff")  # the same /64
    assert [rcpts for rcpts, _message in smtp.messages] == [[f"person{n}@example.org"] for n in range(3)]
    assert sorted(Follow.objects.values_list("email", flat=True)) == [f"person{n}@example.org" for n in range(3)]
    assert all(len(key) == 64 for key in FollowThrottle.objects.values_list("key", flat=True))


@pytest.mark.django_db
def test_unconfirmed_follows_are_purged_after_48_hours_and_their_link_dies(
    client, smtp, world, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        ask(client, "/themes/remittances/")
        ask(client, "/forums/forum-one/")
    with time_machine.travel(START, tick=False):
        follows.confirm_follow(path(CONFIRM_LINK.search(smtp.to(ADDRESS)[1].get_content()).group(0)).split("/")[-2])
    link = CONFIRM_LINK.search(smtp.to(ADDRESS)[0].get_content()).group(0)
    with time_machine.travel(START + datetime.timedelta(hours=47), tick=False):
        call_command("send_digests")
        assert Follow.objects.count() == 2
    with time_machine.travel(START + datetime.timedelta(hours=48, minutes=1), tick=False):
        assert client.get(path(link)).status_code == 400  # expired, before any purge
        call_command("send_digests", "--dry-run")
        assert Follow.objects.count() == 2
        call_command("send_digests")
        assert list(Follow.objects.values_list("url", flat=True)) == ["/forums/forum-one/"]  # the confirmed one stays
        assert not FollowThrottle.objects.exists()  # idle for 24 hours
        answer = client.get(path(link))
    assert answer.status_code == 400 and b"This confirmation link" in answer.content


@pytest.mark.django_db
def test_forged_expired_and_mismatched_tokens_are_refused(client, smtp, world, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        ask(client, "/themes/remittances/")
    token = path(CONFIRM_LINK.search(smtp.to(ADDRESS)[0].get_content()).group(0)).split("/")[-2]
    follow = Follow.objects.get()
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    with time_machine.travel(START + datetime.timedelta(hours=1), tick=False):
        for bad in (forged, "not-a-token", follows.unsubscribe_url(follow).split("/")[-2]):
            assert client.get(f"/follow/confirm/{bad}/").status_code == 400
            assert client.post(f"/follow/confirm/{bad}/").status_code == 400
        assert client.post(f"/follow/unsubscribe/{token}/").status_code == 400  # a confirmation token
        assert client.post(f"/follow/unsubscribe/{forged}/").status_code == 400
        assert Follow.objects.get().confirmed_at is None
    with time_machine.travel(START + datetime.timedelta(hours=49), tick=False):
        expired = client.post(f"/follow/confirm/{token}/")
        assert expired.status_code == 400 and b"expired" in expired.content
        assert Follow.objects.get().confirmed_at is None
    # A token for a follow whose id now belongs to another follow does nothing to it.
    Follow.objects.filter(pk=follow.pk).update(email="someone-else@example.org")
    with time_machine.travel(START + datetime.timedelta(hours=1), tick=False):
        assert client.post(f"/follow/confirm/{token}/").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_follow_pages_are_never_served_from_the_response_cache_and_following_keeps_the_data_version(
    client, settings, smtp, world
):
    from tracker.http import cache as response_cache

    settings.RESPONSE_CACHE_MB = 64
    response_cache.clear()
    url = f"/follow/?url={quote('/recommendations/?forum=forum-one', safe='')}"
    assert client.get("/themes/remittances/").get("X-Cache") == "miss"
    assert client.get("/themes/remittances/").get("X-Cache") == "hit"  # the cache is on
    for _ in range(2):
        answer = client.get(url)
        assert answer.status_code == 200 and answer.get("X-Cache") != "hit"
        assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]
    version = DataVersion.current()
    posted = ask(client, "/themes/remittances/")
    assert posted.status_code == 303 and posted.get("X-Cache") is None
    confirm_by_mail(client, smtp)
    for _ in range(2):
        assert client.get(posted["Location"]).get("X-Cache") != "hit"
    assert DataVersion.current() == version  # following changes nothing public
    assert client.get("/themes/remittances/").get("X-Cache") == "hit"


@pytest.mark.django_db
def test_every_followable_page_links_to_the_follow_form_with_its_own_address(client, world):
    pages = [
        world.rec.get_absolute_url(),
        world.one.get_absolute_url(),
        world.theme.get_absolute_url(),
        world.actor.get_absolute_url(),
        "/recommendations/?forum=forum-one&status=in_progress",
    ]
    for page in pages:
        answer = client.get(page)
        assert f'href="/follow/?url={quote(page, safe="")}"' in answer.content.decode(), page
        assert client.get(f"/follow/?url={quote(page, safe='')}").status_code == 200


@pytest.mark.django_db
def test_the_follow_form_takes_a_constant_number_of_queries(
    client, world, make_recommendation, django_assert_num_queries
):
    # The response cache reads the data version (the answer is then not cached); then one query for
    # the recommendation; for the list, one per filter naming a row (forum, theme).
    for size in (1, 30):
        for n in range(size):
            make_recommendation(code=f"MORE-{size}-{n}", forum=world.one, themes=[world.theme])
        with django_assert_num_queries(2):
            assert client.get(f"/follow/?url={world.rec.get_absolute_url()}").status_code == 200
        with django_assert_num_queries(3):
            query = quote("/recommendations/?forum=forum-one&theme=remittances&status=implemented", safe="")
            assert client.get(f"/follow/?url={query}").status_code == 200


@pytest.mark.django_db
def test_a_long_digest_lists_the_first_updates_and_counts_the_rest(
    smtp, world, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(follows, "DIGEST_LIMIT", 2)
    with django_capture_on_commit_callbacks(execute=True):
        follows.request_follow(ADDRESS, "/forums/forum-one/", "daily")
    follows.confirm_follow(path(CONFIRM_LINK.search(smtp.to(ADDRESS)[0].get_content()).group(0)).split("/")[-2])
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            approve(world, world.rec, summary=f"Step {n}.", actor=world.reporter)
        approve(world, world.other, summary="Step 3.", actor=world.reporter)
    with django_capture_on_commit_callbacks(execute=True):
        dry = follows.send_digests(timezone.localdate() + datetime.timedelta(days=1), dry_run=True)
    assert dry.sent == 1 and digests(smtp) == [] and EmailNotice.objects.filter(event="digest").count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        follows.send_digests(timezone.localdate() + datetime.timedelta(days=1))
    [digest] = digests(smtp)
    body = digest.get_content()
    assert "4 new progress updates" in digest["Subject"] and "…and 2 more on the page." in body
    assert body.count("Reporting agency · Implemented") == 2
    assert Recommendation.objects.get(code="REC-1").status == "implemented"


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_cannot_take_more_than_three_confirmation_slots():
    import threading

    from django.db import connection

    from tracker import follow_limits

    start = threading.Barrier(8)
    results, errors = [], []

    def worker(n):
        try:
            start.wait()
            results.append(follow_limits.take_confirmation_slot("ann@example.org", f"198.51.100.{n}"))
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(results) == [False] * 5 + [True] * 3


@pytest.mark.django_db
def test_a_followed_list_is_named_by_its_filters(world):
    def label(url):
        return follows.parse_followed_url(url).label

    assert label("/recommendations/") == "All recommendations"
    assert label("/recommendations/?page=2&ordering=-code") == "All recommendations"
    assert label("/recommendations/?kind=outcome&status=stalled&status=implemented&q=centres") == (
        "Recommendations with Status: Implemented, Stalled; Kind: Outcome; Search: “centres”"
    )
    assert label("/recommendations/?theme=remittances&as_of=2020-01-31") == (
        "Recommendations with Status as of: 31 Jan 2020; Theme: Remittances"
    )
