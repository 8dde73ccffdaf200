"""Hardened production mode, login lockout, and audit lines for denied attempts."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent

PROBE = r"""
import json
from django.test import Client
from django.core.management import call_command
call_command("migrate", verbosity=0)
out = {}
for name, extra in [("plain", {}), ("proxied", {"HTTP_X_FORWARDED_PROTO": "https"})]:
    client = Client(**extra)
    for path in ["/", "/admin/login/", "/api/v1/recommendations/", "/healthz"]:
        r = client.get(path, HTTP_HOST="tracker.example.org")
        out[f"{name} {path}"] = {"status": r.status_code, "headers": dict(r.headers), "location": r.get("Location", "")}
    r = client.get("/admin/login/", HTTP_HOST="tracker.example.org")
    out[f"{name} cookies"] = {
        k: {"secure": bool(v["secure"]), "httponly": bool(v["httponly"])} for k, v in r.cookies.items()
    }
print("PROBE:" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """Responses of a production-mode process (DJANGO_DEBUG=0) behind a TLS-terminating proxy."""
    database = tmp_path_factory.mktemp("prod") / "prod.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "p" * 20 + "-production-like-secret-for-tests-" + "q" * 20,
            "DJANGO_ALLOWED_HOSTS": "tracker.example.org",
            "DJANGO_BEHIND_TLS_PROXY": "1",
            "DATABASE_URL": f"sqlite:///{database}",
        }
    )
    # Production serves collected static files; a manifest must exist for templates to render.
    static_root = tmp_path_factory.mktemp("static")
    env["DJANGO_STATIC_ROOT"] = str(static_root)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("PROBE:"))
    return json.loads(line.removeprefix("PROBE:"))


@pytest.mark.own_databases
@pytest.mark.parametrize("path", ["/", "/admin/login/", "/api/v1/recommendations/"])
def test_production_responses_carry_the_security_headers(production, path):
    response = production[f"proxied {path}"]
    assert response["status"] == 200, response
    headers = {k.lower(): v for k, v in response["headers"].items()}
    assert "max-age=31536000" in headers["strict-transport-security"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp


@pytest.mark.own_databases
@pytest.mark.parametrize("path", ["/", "/admin/login/"])
def test_plain_http_is_redirected_to_https(production, path):
    response = production[f"plain {path}"]
    assert response["status"] == 301
    assert response["location"].startswith("https://tracker.example.org")


@pytest.mark.own_databases
def test_healthz_answers_over_plain_http_for_load_balancers(production):
    assert production["plain /healthz"]["status"] == 200


@pytest.mark.own_databases
def test_cookies_are_secure_and_httponly_behind_the_proxy(production):
    cookies = production["proxied cookies"]
    assert cookies["csrftoken"]["secure"]
    # The CSRF cookie must stay readable only by Django's form handling; sessions are HttpOnly.
    for name, flags in cookies.items():
        assert flags["secure"], name


@pytest.fixture
def staff_user(make_user):
    return make_user("clerk")


def test_login_is_locked_after_repeated_failures_even_with_the_right_password(client, staff_user, audit_log):
    url = reverse("admin:login")
    for _ in range(4):
        response = client.post(url, {"username": "clerk", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    # The fifth failure (AXES_FAILURE_LIMIT) locks the username/address pair...
    assert client.post(url, {"username": "clerk", "password": "wrong"}).status_code == 429
    # ...and then even the right password is refused.
    response = client.post(url, {"username": "clerk", "password": "pw-for-tests-only-3141"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert audit_log.events().count("login_failed") >= 5


def test_the_lockout_is_per_username_and_address(client, staff_user, make_user):
    make_user("other")
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "clerk", "password": "wrong"})
    response = client.post(url, {"username": "other", "password": "pw-for-tests-only-3141"})
    assert response.status_code == 302  # another user from the same address still gets in


def test_a_failed_login_writes_one_audit_line(client, staff_user, audit_log):
    client.post(reverse("admin:login"), {"username": "clerk", "password": "wrong"})
    [line] = audit_log.records()
    assert line["event"] == "login_failed"
    assert line["user"] == "clerk"
    assert line["route"] == "/admin/login/"
    assert line["time"]


def test_a_refused_admin_page_writes_one_audit_line(client, focal_a, make_recommendation, audit_log):
    recommendation = make_recommendation()
    client.force_login(focal_a)
    response = client.post(
        reverse("admin:tracker_recommendation_change", args=[recommendation.pk]), {"text": "changed"}
    )
    assert response.status_code == 403
    [line] = audit_log.records()
    assert line["event"] == "forbidden"
    assert line["user"] == "focal_a"
    assert line["actor"] == focal_a.actor.slug
    assert line["route"].endswith(f"/{recommendation.pk}/change/")
