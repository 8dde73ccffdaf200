"""Every anonymous GET answers with an ETag and 304 to If-None-Match: pages, the list's CSV and
JSON exports (streamed), feeds, the API root and the schema (issue 14: those had none). The ETag
changes with the data; exports and feeds are readable cross-origin (CORS)."""

import pytest

from tracker import services
from tracker.http import cache

PATHS = [
    "/",
    "/recommendations/?format=csv",
    "/recommendations/?format=json&status=implemented",
    "/feeds/updates/",
    "/feeds/updates/?theme=remittances",
    "/api/v1/",
    "/api/schema/",
]


@pytest.fixture(autouse=True)
def empty_response_cache(api_fresh_cache):
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("path", PATHS)
def test_an_etag_and_a_304_on_every_public_get(client, brussels_2007, path):
    first = client.get(path)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    cache.clear()  # the same validator when rendered afresh, not only from the cache
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.django_db(transaction=True)  # PostgreSQL moves the data version at commit
def test_the_etag_moves_with_the_data(client, brussels_2007, secretariat_user, actor_a):
    path = "/recommendations/?format=csv"
    before = client.get(path)["ETag"]
    from tracker.models import Recommendation

    recommendation = Recommendation.objects.first()
    services.record_progress(recommendation, user=secretariat_user, actor=actor_a, status="stalled", summary="Stopped.")
    after = client.get(path, HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200 and after["ETag"] != before


@pytest.mark.parametrize("path", ["/recommendations/?format=csv", "/feeds/updates/", "/api/v1/"])
def test_exports_and_feeds_are_readable_cross_origin(client, brussels_2007, path):
    response = client.get(path, HTTP_ORIGIN="https://dashboard.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
