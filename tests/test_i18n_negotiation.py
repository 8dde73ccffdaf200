"""Which language a visitor gets (tracker/http/language.py): a first visit without a language cookie
follows Accept-Language by a redirect to the prefixed address; the switch sets the cookie, so
choosing English stays English; robots without Accept-Language get English; and the response cache
never answers in a language the request did not ask for (keys, ETags and Vary)."""

import runpy
from pathlib import Path

import pytest
from django.conf import settings

from tracker.http import cache as response_cache

ROOT = Path(__file__).resolve().parent.parent
FRENCH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9,en;q=0.5"}


@pytest.fixture
def fresh_response_cache():
    response_cache.clear()
    yield
    response_cache.clear()


def vary(response):
    return {value.strip().lower() for value in response.get("Vary", "").split(",")}


@pytest.mark.django_db
def test_a_first_visit_follows_accept_language_to_the_prefixed_page_keeping_the_query(client, brussels_2007):
    response = client.get("/recommendations/?status=implemented&as_of=2009-01-01", **FRENCH_BROWSER)

    assert response.status_code == 302
    assert response["Location"] == "/fr/recommendations/?status=implemented&as_of=2009-01-01"
    assert {"accept-language", "cookie"} <= vary(response)
    # Chinese of any region is the site's Chinese, at /zh/.
    chinese = client.get("/forums/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert chinese["Location"] == "/zh/forums/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="ar")["Location"] == "/ar/"


@pytest.mark.django_db
def test_robots_english_browsers_and_unsupported_languages_get_english_without_a_redirect(client, brussels_2007):
    for headers in ({}, {"HTTP_ACCEPT_LANGUAGE": "en-GB,fr;q=0.5"}, {"HTTP_ACCEPT_LANGUAGE": "de-DE,de"}):
        response = client.get("/forums/", **headers)
        assert response.status_code == 200, headers
        assert response["Content-Language"] == "en"
        # The same address may redirect another visitor: shared caches must keep them apart.
        assert {"accept-language", "cookie"} <= vary(response)


@pytest.mark.django_db
def test_files_feeds_the_api_the_admin_and_prefixed_pages_are_never_redirected(client, brussels_2007):
    for path in ("/feeds/updates/", "/data/dcat.jsonld", "/recommendations/?format=csv", "/healthz", "/api/v1/"):
        assert client.get(path, **FRENCH_BROWSER).status_code == 200, path
    assert client.get("/admin/login/", **FRENCH_BROWSER).status_code == 200
    assert b'<html lang="en"' in client.get("/admin/login/", **FRENCH_BROWSER).content
    assert b'<html lang="fr"' in client.get("/fr/admin/login/").content
    prefixed = client.get("/ru/forums/", **FRENCH_BROWSER)
    assert prefixed.status_code == 200
    assert "accept-language" not in vary(prefixed)


@pytest.mark.django_db
def test_choosing_english_in_the_switch_sets_the_cookie_and_stops_the_redirect(client, brussels_2007):
    first = client.get("/forums/", **FRENCH_BROWSER)
    assert first["Location"] == "/fr/forums/"

    chosen = client.get("/fr/forums/?as_of=2009-01-01&language=en", **FRENCH_BROWSER)

    assert chosen.status_code == 302
    assert chosen["Location"] == "/forums/?as_of=2009-01-01"
    cookie = chosen.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]
    assert int(cookie["max-age"]) == 365 * 24 * 60 * 60
    assert "no-store" in chosen["Cache-Control"]
    # The test client sends the cookie back from now on.
    again = client.get("/forums/?as_of=2009-01-01", **FRENCH_BROWSER)
    assert again.status_code == 200
    assert again["Content-Language"] == "en"


@pytest.mark.django_db
def test_choosing_another_language_sets_the_cookie_and_the_unprefixed_pages_follow_it(client, brussels_2007):
    chosen = client.get("/forums/?language=zh-hans")
    assert chosen["Location"] == "/zh/forums/"
    assert chosen.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"

    assert client.get("/themes/")["Location"] == "/zh/themes/"
    # An unknown choice is dropped: no cookie, the same page.
    unknown = client.get("/es/forums/?language=klingon&page=1")
    assert unknown["Location"] == "/es/forums/?page=1"
    assert settings.LANGUAGE_COOKIE_NAME not in unknown.cookies
    # The switch never sends anyone to another site ("//host/..." or "/\\host/..." would).
    assert client.get("/fr//evil.example/?language=en")["Location"] == "/evil.example/"
    assert client.get("/fr/\\evil.example/?language=en")["Location"] == "/evil.example/"
    # The API has no language prefix: the parameter is the API's business there.
    assert client.get("/api/v1/forums/?language=fr").status_code != 302


def test_the_language_cookie_is_secure_in_production(monkeypatch):
    # The settings file itself, run as production reads it (DEBUG off).
    monkeypatch.setenv("DJANGO_DEBUG", "0")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    production = runpy.run_path(str(ROOT / "migration_dialogues" / "settings.py"))

    assert production["LANGUAGE_COOKIE_SECURE"] is True
    assert production["LANGUAGE_COOKIE_SAMESITE"] == "Lax"
    assert production["LANGUAGE_COOKIE_HTTPONLY"] is True
    assert settings.LANGUAGE_COOKIE_SECURE is False  # these tests run with DEBUG on, over plain HTTP


@pytest.mark.django_db(transaction=True)
def test_the_response_cache_never_serves_one_language_for_another(client, brussels_2007, fresh_response_cache):
    english = client.get("/forums/")
    assert english["X-Cache"] == "miss"
    assert client.get("/forums/")["X-Cache"] == "hit"

    # The French page is its own entry, with its own ETag; the English ETag does not validate it.
    french = client.get("/fr/forums/")
    assert french["X-Cache"] == "miss"
    assert b'<html lang="fr"' in french.content
    assert french["ETag"] != english["ETag"]
    assert client.get("/fr/forums/", HTTP_IF_NONE_MATCH=english["ETag"]).status_code == 200
    assert client.get("/fr/forums/", HTTP_IF_NONE_MATCH=french["ETag"]).status_code == 304
    cached_french = client.get("/fr/forums/")
    assert cached_french["X-Cache"] == "hit"
    assert cached_french.content == french.content

    # The cached English answer is not served to a French browser on its first visit ...
    redirected = client.get("/forums/", **FRENCH_BROWSER)
    assert redirected.status_code == 302
    assert redirected["Location"] == "/fr/forums/"
    assert {"accept-language", "cookie"} <= vary(redirected)
    # ... and is served, with its Vary, to one who chose English.
    client.get("/fr/forums/?language=en")
    chose_english = client.get("/forums/", **FRENCH_BROWSER)
    assert chose_english["X-Cache"] == "hit"
    assert chose_english.content == english.content
    assert chose_english["ETag"] == english["ETag"]
    assert {"accept-language", "cookie", "accept-encoding"} <= vary(chose_english)
    # The French one never lands in the English entry either.
    assert b'<html lang="en">' in client.get("/forums/").content
