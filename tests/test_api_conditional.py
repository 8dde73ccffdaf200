"""Conditional GET (ETag, Last-Modified, 304), caching headers, and throttling (429 with
Retry-After, counted in the default cache)."""

import time

import pytest
from django.core.cache import caches
from django.test import override_settings
from rest_framework.test import APIClient

from tracker.api.throttling import AnonRateThrottle

pytestmark = pytest.mark.usefixtures("api_fast_passwords")

API = "/api/v1"
LISTS = ["processes", "forums", "roundtables", "recommendations", "updates", "actors", "themes", "objectives"]


@pytest.fixture(autouse=True)
def rate_clock(monkeypatch):
    """The throttles' clock, stopped: rates count in fixed windows (tracker/api/throttling.py), and
    a test's requests must all fall in one even when the test runs across a window's end."""
    now = time.time()
    monkeypatch.setattr("rest_framework.throttling.SimpleRateThrottle.timer", staticmethod(lambda: now))
    return now


@pytest.fixture
def anon(api_client_for):
    return api_client_for(None)


@pytest.fixture
def shared_cache(tmp_path):
    """A cache every process shares, as with CACHE_URL: Last-Modified can then be trusted."""
    cache = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": tmp_path}}
    with override_settings(CACHES=cache):
        yield caches["default"]


def rename_theme(world, name):
    world.labour.name = name
    world.labour.save()


@pytest.mark.parametrize(
    "url",
    [f"{API}/{name}/" for name in LISTS]
    + [f"{API}/recommendations/GFMD-2007-RT1-01/", f"{API}/forums/gfmd-2007/", f"{API}/recommendations/summary/"],
)
def test_an_unchanged_resource_is_304_with_its_etag_and_no_body(api_world, anon, url):
    first = anon.get(url)
    assert first.status_code == 200
    assert first["ETag"].startswith('"')
    assert first["Last-Modified"]
    again = anon.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_a_changed_list_is_200_with_a_new_etag(api_world, anon):
    first = anon.get(f"{API}/recommendations/")
    rename_theme(api_world, "Labour migration")  # a nested name changes what the list shows
    changed = anon.get(f"{API}/recommendations/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_each_filter_has_its_own_etag(api_world, anon):
    assert anon.get(f"{API}/recommendations/")["ETag"] != anon.get(f"{API}/recommendations/?kind=outcome")["ETag"]


def test_a_recommendations_etag_leads_with_its_version(api_world, anon):
    response = anon.get(f"{API}/recommendations/{api_world.ethical.code}/")
    assert response["ETag"].startswith(f'"{api_world.ethical.version}-')
    update = anon.get(f"{API}/updates/{api_world.updates.ethical_2009.pk}/")
    assert update["ETag"].startswith(f'"{api_world.ethical.version}-')


def test_head_answers_like_get(api_world, anon):
    get = anon.get(f"{API}/themes/")
    head = anon.head(f"{API}/themes/")
    assert (head.status_code, head["ETag"], head.content) == (200, get["ETag"], b"")
    assert anon.head(f"{API}/themes/", HTTP_IF_NONE_MATCH=get["ETag"]).status_code == 304


def test_responses_are_revalidated_and_vary_with_the_credentials(api_world, anon):
    response = anon.get(f"{API}/updates/")
    assert response["Cache-Control"] == "no-cache"
    assert {"Authorization", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


def test_a_focal_point_and_the_public_get_different_etags_for_the_updates_they_see(
    api_world, anon, api_client_for, focal_a
):
    public = anon.get(f"{API}/updates/")
    own = api_client_for(focal_a).get(f"{API}/updates/", HTTP_IF_NONE_MATCH=public["ETag"])
    assert own.status_code == 200
    assert own["ETag"] != public["ETag"]


def test_if_modified_since_is_honoured_with_a_shared_cache(api_world, anon, shared_cache):
    first = anon.get(f"{API}/themes/")
    since = first["Last-Modified"]
    assert anon.get(f"{API}/themes/", HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    rename_theme(api_world, "Labour migration")
    changed = anon.get(f"{API}/themes/", HTTP_IF_MODIFIED_SINCE=since)
    assert changed.status_code == 200
    assert changed["Last-Modified"] != since


def test_a_representation_that_comes_back_is_dated_anew(api_world, anon, shared_cache):
    """A -> B -> A: a client holding B must not get 304 for A, even within one second."""
    anon.get(f"{API}/themes/")
    rename_theme(api_world, "Labour migration")
    holding_b = anon.get(f"{API}/themes/")["Last-Modified"]
    rename_theme(api_world, "Labour mobility")
    assert anon.get(f"{API}/themes/", HTTP_IF_MODIFIED_SINCE=holding_b).status_code == 200


def test_if_modified_since_alone_is_not_trusted_with_a_per_process_cache(api_world, anon):
    first = anon.get(f"{API}/themes/")
    assert anon.get(f"{API}/themes/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200
    assert anon.get(f"{API}/themes/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_errors_carry_no_etag(api_world, anon):
    response = anon.get(f"{API}/recommendations/?status=bogus")
    assert response.status_code == 400
    assert "ETag" not in response


# Throttling


def rates(anon, user):
    from django.conf import settings

    return override_settings(
        REST_FRAMEWORK=settings.REST_FRAMEWORK | {"DEFAULT_THROTTLE_RATES": {"anon": anon, "user": user}}
    )


def test_an_anonymous_client_over_its_rate_gets_429_with_retry_after(api_world, anon):
    with rates("3/minute", "100/minute"):
        statuses = [anon.get(f"{API}/themes/").status_code for _ in range(4)]
        response = anon.get(f"{API}/themes/")
    assert statuses == [200, 200, 200, 429]
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["code"] == "throttled"


def test_authenticated_clients_have_their_own_rate(api_world, api_client_for, focal_a, focal_b):
    with rates("1/minute", "2/minute"):
        a, b = api_client_for(focal_a), api_client_for(focal_b)
        assert [a.get(f"{API}/themes/").status_code for _ in range(3)] == [200, 200, 429]
        assert b.get(f"{API}/themes/").status_code == 200  # counted per user, not per address


def test_throttle_counters_live_in_the_default_cache(api_world, shared_cache, rate_clock):
    with rates("1/minute", "1/minute"):
        assert APIClient().get(f"{API}/themes/").status_code == 200
        key = AnonRateThrottle().cache_format % {"scope": "anon", "ident": "127.0.0.1"}
        assert shared_cache.get(f"{key}:{int(rate_clock // 60)}") == 1  # requests in this minute's window
        # Another process sharing the cache (a fresh client here) sees the same count.
        assert APIClient().get(f"{API}/themes/").status_code == 429


def test_the_rate_comes_from_the_settings_on_each_request(api_world, anon):
    with rates("1/minute", "1/minute"):
        assert anon.get(f"{API}/themes/").status_code == 200
        assert anon.get(f"{API}/themes/").status_code == 429
    with rates("5/minute", "5/minute"):
        assert anon.get(f"{API}/themes/").status_code == 200


def test_password_guessing_at_the_token_endpoint_is_throttled(db, anon):
    statuses = [
        anon.post(f"{API}/auth/token/", {"username": f"u{i}", "password": "x"}, format="json").status_code
        for i in range(21)
    ]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429


def test_last_modified_is_an_http_date(api_world, anon):
    value = anon.get(f"{API}/themes/")["Last-Modified"]
    assert value.endswith(" GMT")
    assert time.strptime(value, "%a, %d %b %Y %H:%M:%S GMT")
