"""gzip for dynamic answers (tracker/http/compression.py): pages, API JSON, feeds and the streamed
exports are compressed for a client that accepts gzip, and only then; the response cache keeps
the compressed body, so a hit compresses nothing; the two encodings have distinct strong ETags,
each answered with 304, and a write takes the ETag of a compressed read; nothing that may hold a
secret (a CSRF token, a signed-in user's answer, an answer to a write) is ever compressed
(BREACH)."""

import gzip
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from tracker.http import cache
from tracker.http.compression import CompressionMiddleware, accepts_gzip

pytestmark = pytest.mark.usefixtures("api_fast_passwords")

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
API = "/api/v1"


@pytest.fixture(autouse=True)
def empty_response_cache(api_fresh_cache):
    cache.clear()
    yield
    cache.clear()


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/forums/",
        "/forums/gfmd-2007-brussels/",
        "/recommendations/",
        "/recommendations/GFMD-2007-RT1-01/",
        "/feeds/updates/",
        f"{API}/",
        f"{API}/recommendations/",
        f"{API}/recommendations/GFMD-2007-RT1-01/",
        "/api/schema/",
    ],
)
def test_an_answer_is_compressed_for_a_client_that_accepts_gzip_and_only_then(client, brussels_2007, path):
    plain = client.get(path)
    packed = client.get(path, **GZIP)

    assert plain.status_code == packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert not plain.has_header("Content-Encoding")
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content)
    assert int(packed["Content-Length"]) == len(packed.content)
    for response in (plain, packed):  # shared caches must keep the two apart
        assert "Accept-Encoding" in response["Vary"]


def test_52_recommendations_as_api_json_travel_in_a_fraction_of_their_size(client, public_site_of_size):
    public_site_of_size(52)
    path = f"{API}/recommendations/?page_size=100"

    plain = client.get(path)
    packed = client.get(path, **GZIP)

    assert plain.json()["count"] == 52
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    # Measured 63 KB → 2.5 KB on this repetitive test data; real text compresses less, so a fifth is the bar.
    assert len(packed.content) * 5 < len(plain.content)


@pytest.mark.parametrize(
    ("accept_encoding", "compressed"),
    [
        (None, False),
        ("identity", False),
        ("br", False),
        ("gzip;q=0", False),
        ("deflate, gzip; q=0.0", False),
        ("*;q=0", False),
        ("gzip", True),
        ("GZIP;q=0.5", True),
        ("br;q=1, gzip;q=0.2", True),
        ("*", True),
    ],
)
def test_gzip_goes_only_to_a_client_that_accepts_it_q_values_included(
    client, brussels_2007, accept_encoding, compressed
):
    headers = {"HTTP_ACCEPT_ENCODING": accept_encoding} if accept_encoding is not None else {}
    response = client.get(f"{API}/recommendations/", **headers)

    assert accepts_gzip(response.wsgi_request) is compressed
    assert (response.get("Content-Encoding") == "gzip") is compressed
    assert json.loads(gzip.decompress(response.content) if compressed else response.content)["count"] > 0


@pytest.mark.parametrize("output", ["csv", "json"])
def test_a_streamed_export_is_compressed_as_it_streams(client, brussels_2007, output):
    path = f"/recommendations/?format={output}"
    plain = client.get(path)
    packed = client.get(path, **GZIP)

    assert packed.streaming and packed["Content-Encoding"] == "gzip"
    assert not packed.has_header("Content-Length")
    assert gzip.decompress(body(packed)) == body(plain)


def test_the_xlsx_export_is_already_compressed_and_is_sent_as_it_is(client, brussels_2007):
    response = client.get("/recommendations/?format=xlsx", **GZIP)

    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "Accept-Encoding" not in response.get("Vary", "")
    assert body(response)[:2] == b"PK"  # a zip archive


@pytest.mark.django_db(transaction=True)  # the cache keeps nothing rendered inside a transaction
def test_the_cache_keeps_the_compressed_body_and_a_hit_sends_those_bytes(client, brussels_2007):
    path = f"{API}/recommendations/"
    first = client.get(path, **GZIP)
    assert first["X-Cache"] == "miss" and first["Content-Encoding"] == "gzip"

    # The entry for gzip clients holds the gzip bytes (with their encoding and ETag), not the JSON.
    entries = [entry for entry in cache.local_cache().entries.values() if ("Content-Encoding", "gzip") in entry[1]]
    assert len(entries) == 1
    _status, headers, stored, *_kept = entries[0]  # then its variant and size
    assert stored[:2] == b"\x1f\x8b" and stored == first.content
    assert ("ETag", first["ETag"]) in headers

    second = client.get(path, **GZIP)
    assert second["X-Cache"] == "hit" and second["Content-Encoding"] == "gzip"
    # The very bytes object of the entry: sent as kept, not compressed again.
    assert second.content is stored

    # Clients that do not accept gzip have their own entry, uncompressed.
    plain = client.get(path)
    assert plain["X-Cache"] == "miss" and not plain.has_header("Content-Encoding")
    assert client.get(path)["X-Cache"] == "hit"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/recommendations/?format=csv",
        f"{API}/recommendations/",
        f"{API}/recommendations/GFMD-2007-RT1-01/",
    ],
)
def test_each_encoding_has_its_own_strong_etag_and_its_own_304(client, brussels_2007, path):
    plain_tag = client.get(path)["ETag"]
    gzip_tag = client.get(path, **GZIP)["ETag"]
    assert plain_tag != gzip_tag
    assert not plain_tag.startswith("W/") and not gzip_tag.startswith("W/")

    for rendered_afresh in (False, True):
        if rendered_afresh:
            cache.clear()  # the same validators when rendered again, not only from the cache
        plain = client.get(path, HTTP_IF_NONE_MATCH=plain_tag)
        assert plain.status_code == 304 and plain["ETag"] == plain_tag
        packed = client.get(path, HTTP_IF_NONE_MATCH=gzip_tag, **GZIP)
        assert packed.status_code == 304 and packed["ETag"] == gzip_tag
        # A client that no longer takes gzip does not hold what it would be sent.
        assert client.get(path, HTTP_IF_NONE_MATCH=gzip_tag).status_code == 200


def test_a_write_takes_the_etag_a_compressed_read_gave(client, api_world, api_client_for, secretariat_user):
    read = client.get(f"{API}/recommendations/{api_world.data.code}/", **GZIP)
    assert read["Content-Encoding"] == "gzip" and read["ETag"].endswith('-gzip"')

    body = {"recommendation": api_world.data.code, "status": "implemented", "summary": "Done.", "actor": "government-b"}
    response = api_client_for(secretariat_user).post(f"{API}/updates/", body, format="json", HTTP_IF_MATCH=read["ETag"])

    assert response.status_code == 201, response.json()


# BREACH: nothing that may hold a secret is compressed.


def test_a_page_with_a_csrf_token_is_never_compressed(client, brussels_2007):
    page = client.get("/follow/?url=/forums/gfmd-2007-brussels/", **GZIP)

    assert page.status_code == 200
    assert b"csrfmiddlewaretoken" in page.content
    assert not page.has_header("Content-Encoding")
    # The page it follows is compressed for the same client.
    assert client.get("/forums/gfmd-2007-brussels/", **GZIP)["Content-Encoding"] == "gzip"


def test_nothing_is_compressed_for_a_signed_in_user_or_a_token(client, api_world, api_client_for, secretariat_user):
    anonymous = api_client_for(None).get(f"{API}/updates/", **GZIP)
    with_token = api_client_for(secretariat_user).get(f"{API}/updates/", **GZIP)
    assert anonymous["Content-Encoding"] == "gzip"
    assert with_token.status_code == 200 and not with_token.has_header("Content-Encoding")

    client.force_login(secretariat_user)
    for path in ("/", f"{API}/updates/", "/admin/"):
        response = client.get(path, **GZIP)
        assert response.status_code == 200 and not response.has_header("Content-Encoding"), path


def _compressed(request, response):
    """Whether CompressionMiddleware compresses `response` to `request` (the real middleware)."""
    return CompressionMiddleware(lambda _request: response)(request).get("Content-Encoding") == "gzip"


def _request(method="get", **extra):
    request = getattr(RequestFactory(), method)("/somewhere/", **GZIP, **extra)
    request.user = AnonymousUser()
    return request


def _page(content_type="text/html; charset=utf-8", size=2000):
    return HttpResponse(b"<p>dialogue</p>" * (size // 15), content_type=content_type)


def test_the_rule_compresses_a_safe_text_answer():
    assert _compressed(_request(), _page())
    assert _compressed(_request("head"), _page())
    assert _compressed(_request(), _page("application/vnd.oai.openapi+json"))
    assert _compressed(_request(), _page("application/atom+xml; charset=utf-8"))


@pytest.mark.parametrize(
    "case",
    [
        "a write",
        "an Authorization header",
        "a session cookie",
        "a signed-in user",
        "a CSRF token in the page",
        "a cookie set",
        "a private answer",
        "a no-store answer",
        "a tiny body",
        "a spreadsheet",
        "a zip",
        "an image",
        "an encoded body",
    ],
)
def test_the_rule_never_compresses_what_may_hold_a_secret_or_gains_nothing(case, secretariat_user):
    request, response = _request(), _page()
    if case == "a write":
        request = _request("post")
    elif case == "an Authorization header":
        request = _request(HTTP_AUTHORIZATION="Token 0123")
    elif case == "a session cookie":
        request.COOKIES["sessionid"] = "abc"
    elif case == "a signed-in user":
        request.user = secretariat_user
    elif case == "a CSRF token in the page":
        from django.middleware.csrf import get_token

        get_token(request)
    elif case == "a cookie set":
        response.set_cookie("seen", "1")
    elif case == "a private answer":
        response["Cache-Control"] = "private, max-age=60"
    elif case == "a no-store answer":
        response["Cache-Control"] = "max-age=0, no-cache, no-store, must-revalidate, private"
    elif case == "a tiny body":
        response = _page(size=150)
    elif case == "a spreadsheet":
        response = _page("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    elif case == "a zip":
        response = _page("application/zip")
    elif case == "an image":
        response = _page("image/png")
    elif case == "an encoded body":
        response["Content-Encoding"] = "br"
    assert not _compressed(request, response)
