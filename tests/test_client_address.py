"""One client address for the login lockout, the API's rate limits and the audit log: behind the
TLS proxy (BEHIND_TLS_PROXY) the last X-Forwarded-For entry, which the proxy appends; otherwise
REMOTE_ADDR, whatever X-Forwarded-For says."""

import time

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from tracker.http.client_address import client_address

pytestmark = pytest.mark.usefixtures("api_fast_passwords", "api_fresh_cache")

API = "/api/v1"
PASSWORD = "pw-for-tests-only-3141"
behind_the_proxy = override_settings(BEHIND_TLS_PROXY=True)
without_the_proxy = override_settings(BEHIND_TLS_PROXY=False)


def meta(forwarded=None, remote="10.0.0.1"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


# The function


@pytest.mark.parametrize(
    "forwarded, address",
    [
        ("1.1.1.1", "1.1.1.1"),
        ("9.9.9.9, 2.2.2.2", "2.2.2.2"),  # the client wrote the first entry, the proxy the last
        ("9.9.9.9,2.2.2.2", "2.2.2.2"),
        (" 2001:DB8:0:0::1 ", "2001:db8::1"),  # canonical form
        (None, "10.0.0.1"),  # no header (e.g. the proxy's own health check): the peer
        ("", "10.0.0.1"),
        ("1.1.1.1, not-an-address", "10.0.0.1"),  # not what the proxy writes: not trusted
        ("1.1.1.1, ", "10.0.0.1"),
    ],
)
def test_behind_the_proxy_the_address_is_the_last_forwarded_entry(forwarded, address):
    with behind_the_proxy:
        assert client_address(meta(forwarded)) == address


@pytest.mark.parametrize("forwarded", [None, "1.1.1.1", "9.9.9.9, 2.2.2.2"])
def test_without_the_proxy_x_forwarded_for_is_ignored(forwarded):
    with without_the_proxy:
        assert client_address(meta(forwarded)) == "10.0.0.1"


def test_the_setting_is_read_at_each_call():
    request = meta("1.1.1.1")
    with behind_the_proxy:
        assert client_address(request) == "1.1.1.1"
    with without_the_proxy:
        assert client_address(request) == "10.0.0.1"


def test_no_request_or_no_address_is_none():
    assert client_address(None) is None
    with behind_the_proxy:
        assert client_address(meta(None, remote="")) is None


def test_django_axes_and_drf_ask_this_function_and_nothing_else():
    from axes.helpers import get_client_ip_address

    import migration_dialogues.settings as project_settings

    assert settings.AXES_CLIENT_IP_CALLABLE == "tracker.http.client_address.client_address"
    # django-ipware is not installed: its settings would do nothing but mislead.
    assert not [name for name in vars(project_settings) if name.startswith("AXES_IPWARE")]
    assert "NUM_PROXIES" not in settings.REST_FRAMEWORK
    with behind_the_proxy:
        assert get_client_ip_address(meta("9.9.9.9, 2.2.2.2")) == "2.2.2.2"


# The login lockout, on the admin login and the token endpoint alike


@pytest.fixture
def staff_user(make_user):
    return make_user("clerk")


def log_in(route, password, forwarded=None, remote="10.0.0.1", username="clerk"):
    """'ok', 'refused' (wrong password) or 'locked' (django-axes), from a fresh client."""
    client = APIClient(REMOTE_ADDR=remote)
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    credentials = {"username": username, "password": password}
    if route == "admin":
        response = client.post(reverse("admin:login"), credentials, format="multipart", **extra)
        return {302: "ok", 200: "refused", 429: "locked"}[response.status_code]
    response = client.post(f"{API}/auth/token/", credentials, format="json", **extra)
    return {200: "ok", 400: "refused", 429: "locked"}[response.status_code]


ROUTES = pytest.mark.parametrize("route", ["admin", "token"])


@ROUTES
def test_behind_the_proxy_the_lockout_counts_per_username_and_client_address(staff_user, route):
    with behind_the_proxy:
        outcomes = [log_in(route, "wrong", "1.1.1.1") for _ in range(settings.AXES_FAILURE_LIMIT)]
        assert outcomes == ["refused"] * (settings.AXES_FAILURE_LIMIT - 1) + ["locked"]
        assert log_in(route, PASSWORD, "1.1.1.1") == "locked"
        # The same user from elsewhere (through the same proxy, so the same REMOTE_ADDR) is not.
        assert log_in(route, PASSWORD, "2.2.2.2") == "ok"


@ROUTES
def test_a_spoofed_first_forwarded_entry_counts_as_the_proxys_last_one(staff_user, route):
    with behind_the_proxy:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            log_in(route, "wrong", "9.9.9.9, 2.2.2.2")
        assert log_in(route, PASSWORD, "2.2.2.2") == "locked"
        assert log_in(route, PASSWORD, "7.7.7.7, 2.2.2.2") == "locked"
        # Whoever 9.9.9.9 is, the guesses were not counted against it.
        assert log_in(route, PASSWORD, "9.9.9.9") == "ok"


@ROUTES
def test_without_the_proxy_the_lockout_ignores_x_forwarded_for(staff_user, route):
    with without_the_proxy:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            log_in(route, "wrong", "1.1.1.1")
        assert log_in(route, PASSWORD, "2.2.2.2") == "locked"  # same REMOTE_ADDR
        assert log_in(route, PASSWORD, "2.2.2.2", remote="10.0.0.2") == "ok"


@ROUTES
def test_nobody_can_lock_a_colleague_out_from_elsewhere(staff_user, make_user, route):
    make_user("other")
    with behind_the_proxy:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            log_in(route, "wrong", "1.1.1.1")
        assert log_in(route, PASSWORD, "1.1.1.1", username="other") == "ok"


def test_no_token_is_issued_while_locked_out(staff_user):
    with behind_the_proxy:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            log_in("token", "wrong", "1.1.1.1")
        assert log_in("token", PASSWORD, "1.1.1.1") == "locked"
        assert not AuthToken.objects.exists()


# The API's rate limits


@pytest.fixture(autouse=True)
def rate_clock(monkeypatch):
    """The throttles' clock, stopped: rates count in fixed windows (tracker/api/throttling.py), and
    a test's requests must all fall in one even when the test runs across a window's end."""
    now = time.time()
    monkeypatch.setattr("rest_framework.throttling.SimpleRateThrottle.timer", staticmethod(lambda: now))


def rates(anon, user="1000/hour"):
    return override_settings(
        REST_FRAMEWORK=settings.REST_FRAMEWORK | {"DEFAULT_THROTTLE_RATES": {"anon": anon, "user": user}}
    )


def reads(forwarded, count=1):
    client = APIClient(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    return [client.get(f"{API}/themes/").status_code for _ in range(count)]


def test_behind_the_proxy_clients_have_separate_rate_counters(db):
    with behind_the_proxy, rates("2/minute"):
        assert reads("1.1.1.1", 3) == [200, 200, 429]
        assert reads("2.2.2.2", 2) == [200, 200]
        # A client cannot escape its counter by writing an entry of its own first.
        assert reads("8.8.8.8, 1.1.1.1") == [429]


def test_without_the_proxy_rate_counters_ignore_x_forwarded_for(db):
    with without_the_proxy, rates("2/minute"):
        assert reads("1.1.1.1", 2) == [200, 200]
        assert reads("2.2.2.2") == [429]


def test_behind_the_proxy_token_requests_are_throttled_per_client_address(db):
    with behind_the_proxy:
        guesses = [log_in("token", "x", "1.1.1.1", username=f"u{i}") for i in range(20)]
        assert guesses == ["refused"] * 20
        client = APIClient(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1")
        body = {"username": "u", "password": "x"}
        assert client.post(f"{API}/auth/token/", body, format="json").status_code == 429
        assert log_in("token", "x", "2.2.2.2", username="u") == "refused"  # not throttled


# The audit log


@ROUTES
def test_a_failed_login_is_audited_with_the_real_client_address(staff_user, audit_log, route):
    with behind_the_proxy:
        log_in(route, "wrong", "9.9.9.9, 2.2.2.2")
    [line] = audit_log.records()
    assert line["event"] == "login_failed"
    assert line["ip"] == "2.2.2.2"


def test_without_the_proxy_the_audit_line_has_the_peer_address(staff_user, audit_log):
    with without_the_proxy:
        log_in("admin", "wrong", "2.2.2.2", remote="10.0.0.9")
    [line] = audit_log.records()
    assert line["ip"] == "10.0.0.9"


def test_a_refused_api_write_is_audited_with_the_real_client_address(api_world, focal_a, api_token, audit_log):
    client = APIClient(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9, 3.3.3.3")
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(focal_a)}")
    body = {"recommendation": api_world.centres.code, "actor": "government-b", "status": "stalled", "summary": "x"}
    with behind_the_proxy:
        assert client.post(f"{API}/updates/", body, format="json").status_code == 403
    [line] = audit_log.records()
    assert (line["event"], line["ip"]) == ("forbidden", "3.3.3.3")
