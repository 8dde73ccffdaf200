"""The response cache (tracker/http/cache.py) never serves an answer older than the data.

Every cache key holds the data version, which database triggers change in the same transaction
as any change to tracker data (migration 0005). These tests check the triggers cover every table
the public answers read, that any kind of committed write changes the version (and a rolled-back
one does not), and, end to end, that two separate server processes that have both cached every
affected page show an approved update on the very next request, with per-process caches only and
with a shared Redis cache.
"""

import contextlib
import json
import secrets
import socket
import time

import pytest
from django.apps import apps
from django.db import connection, transaction

from tests.servers import gunicorn, http, production_env_on_test_database
from tracker.http import cache as response_cache
from tracker.models import DataVersion, Theme
from tracker.models.version import UNTRACKED_PREFIXES

REDIS_URL = "redis://127.0.0.1:6379/15"


def _tracked_tables():
    tables = {model._meta.db_table for model in apps.get_app_config("tracker").get_models(include_auto_created=True)}
    return {t for t in tables if not t.startswith(UNTRACKED_PREFIXES)}


def _tables_with_version_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%tracker_dataversion%'"
            )
            events = {}
            for table, name in cursor.fetchall():
                if "_dv_" not in name:  # the change-key triggers (tracker.models.sync) bump too
                    continue
                events.setdefault(table, set()).add(name.rsplit("_", 1)[1])
            return {table for table, kinds in events.items() if kinds == {"insert", "update", "delete"}}
        cursor.execute(
            "SELECT DISTINCT event_object_table FROM information_schema.triggers "
            "WHERE action_statement LIKE '%tracker_bump_data_version%'"
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_every_table_the_public_answers_read_bumps_the_data_version():
    tracked = _tracked_tables()
    assert {"tracker_recommendation", "tracker_progressupdate", "tracker_recommendation_themes"} <= tracked
    # A new model needs a migration that adds its triggers (see migration 0005): this names it.
    assert _tables_with_version_triggers() == tracked


@pytest.mark.django_db(transaction=True)
def test_any_committed_write_changes_the_version_and_a_rolled_back_one_does_not(make_recommendation):
    recommendation = make_recommendation()
    seen = [DataVersion.current()]

    def changed():
        seen.append(DataVersion.current())
        return seen[-1] != seen[-2]

    theme = Theme.objects.create(slug="cache-theme", name="Cache theme")
    assert changed(), "an ORM insert"
    Theme.objects.filter(pk=theme.pk).update(name="Renamed")
    assert changed(), "a queryset update"
    recommendation.themes.add(theme)
    assert changed(), "a many-to-many link"
    Theme.objects.bulk_create([Theme(slug="bulk-1", name="Bulk 1"), Theme(slug="bulk-2", name="Bulk 2")])
    assert changed(), "a bulk insert"
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tracker_recommendation_themes")
    assert changed(), "raw SQL"

    with pytest.raises(RuntimeError), transaction.atomic():
        Theme.objects.create(slug="never", name="Never committed")
        raise RuntimeError
    assert not changed(), "a rolled-back write"
    assert DataVersion.current() == seen[-1]


@pytest.mark.django_db(transaction=True)
def test_the_version_row_comes_back_with_a_value_never_used_before():
    before = DataVersion.current()
    DataVersion.objects.all().delete()  # what a flush does
    assert DataVersion.current() > before


# --- Two server processes ----------------------------------------------------------------


def _redis_answers():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def two_servers(tmp_path, request):
    """Two gunicorn processes (one worker each) in production mode on the test database."""
    shared = request.param == "shared cache"
    if shared and not _redis_answers():
        pytest.fail("no Redis on 127.0.0.1:6379 for the shared-cache variant: .ci/run starts one (redis-server)")
    env = production_env_on_test_database(
        tmp_path,
        connection,
        RESPONSE_CACHE_MB="64",
        API_THROTTLE_ANON="100000/min",
        API_THROTTLE_USER="100000/min",
        CACHE_URL=REDIS_URL if shared else None,
    )
    with contextlib.ExitStack() as servers:
        yield [servers.enter_context(gunicorn(env, tmp_path / f"server-{name}.log"))[1] for name in ("a", "b")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("two_servers", ["per-process caches", "shared cache"], indirect=True)
def test_an_approved_update_shows_at_once_on_every_affected_answer_of_every_process(
    two_servers, brussels_2007, secretariat_user, api_token
):
    code = "GFMD-2007-RT3-01"
    forum = "gfmd-2007-brussels"
    theme = brussels_2007.themes.circular.slug
    paths = [
        "/",
        "/forums/",
        f"/forums/{forum}/",
        "/recommendations/",
        f"/recommendations/?forum={forum}&status=implemented",
        f"/recommendations/{code}/",
        f"/themes/{theme}/",
        "/feeds/updates/",
        "/api/v1/summary/",
        f"/api/v1/recommendations/?forum={forum}&status=implemented&page_size=50",
        f"/api/v1/recommendations/{code}/",
        f"/api/v1/updates/?recommendation={code}&page_size=50",
    ]
    from tracker.models import Recommendation

    recommendation = Recommendation.objects.get(code=code)
    assert recommendation.status != "implemented"
    recommendation.themes.add(brussels_2007.themes.circular)
    summary = f"Cache check {secrets.token_hex(6)}: the law was adopted."

    before = {}
    for base in two_servers:
        for path in paths:
            first = http(base + path)
            again = http(base + path)
            assert first[0] == again[0] == 200, (base, path, first[0], again[0])
            assert again[1]["X-Cache"] == "hit", (base, path)  # both processes now hold every answer
            assert again[2] == first[2]
            before[base, path] = again[2]
    assert summary not in "".join(before.values())

    writer, reader = two_servers
    token = api_token(secretariat_user)
    etag = http(f"{writer}/api/v1/recommendations/{code}/", headers={"Authorization": f"Token {token}"})[1]["ETag"]
    status, _, body = http(
        f"{writer}/api/v1/updates/",
        method="POST",
        body=json.dumps(
            {"recommendation": code, "status": "implemented", "summary": summary, "actor": "gfmd-support-unit"}
        ).encode(),
        headers={"Authorization": f"Token {token}", "If-Match": etag, "Content-Type": "application/json"},
    )
    assert status == 201, body
    assert json.loads(body)["review_state"] == "approved"

    for base in (reader, writer):
        for path in paths:
            status, headers, body = http(base + path)
            assert status == 200, (base, path)
            assert headers["X-Cache"] == "miss", (base, path)
            assert body != before[base, path], f"{base}{path} still shows the answer from before the update"
        assert summary in http(base + f"/recommendations/{code}/")[2]
        assert summary in http(base + "/")[2]
        assert summary in http(base + "/feeds/updates/")[2]
        assert summary in http(base + f"/api/v1/updates/?recommendation={code}&page_size=50")[2]
        assert json.loads(http(base + f"/api/v1/recommendations/{code}/")[2])["status"] == "implemented"
        listed = json.loads(http(base + f"/api/v1/recommendations/?forum={forum}&status=implemented")[2])
        assert code in [row["code"] for row in listed["results"]]


@pytest.fixture
def fresh_response_cache():
    response_cache.clear()
    yield
    response_cache.clear()


@pytest.mark.django_db(transaction=True)
def test_a_cached_answer_is_served_with_one_query_and_keeps_its_headers(
    client, brussels_2007, fresh_response_cache, django_assert_max_num_queries
):
    path = "/api/v1/recommendations/?forum=gfmd-2007-brussels&status=no_information&page_size=50"
    first = client.get(path)
    assert first["X-Cache"] == "miss"
    with django_assert_max_num_queries(1):
        again = client.get(path)
    assert again["X-Cache"] == "hit"
    assert again.content == first.content
    for header in ("Content-Type", "ETag", "Vary", "Content-Security-Policy"):
        assert again[header] == first[header], header
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.django_db(transaction=True)
def test_signed_in_staff_and_unsafe_requests_are_never_served_from_the_cache(
    client, brussels_2007, secretariat_user, fresh_response_cache
):
    path = "/api/v1/updates/"
    client.get(path)
    assert client.get(path)["X-Cache"] == "hit"
    client.force_login(secretariat_user)  # staff see submitted updates too: never the public copy
    assert "X-Cache" not in client.get(path)
    assert "X-Cache" not in client.get("/admin/")


@pytest.mark.django_db(transaction=True)
def test_a_new_version_of_an_answer_replaces_the_old_one_in_the_process_memory(
    client, brussels_2007, fresh_response_cache
):
    client.get("/")
    client.get("/forums/")
    client.get("/?mappings=source")
    entries = dict(response_cache.local_cache().entries)
    assert len(entries) == 3
    Theme.objects.create(slug="superseding", name="A theme that changes every answer")  # bumps every scope
    assert client.get("/")["X-Cache"] == "miss"
    after = response_cache.local_cache().entries
    # The dashboard's entry of the old version is gone (it could never be served again); the
    # other answers' stay until they are asked for again; the new dashboard is kept.
    assert len(after) == 3
    assert set(entries) - set(after) == {next(iter(entries))}
    assert client.get("/")["X-Cache"] == "hit"
    assert response_cache.local_cache().bytes == sum(entry[-1] for entry in after.values())


@pytest.mark.django_db
def test_nothing_read_inside_an_open_transaction_is_cached(client, brussels_2007, fresh_response_cache):
    # The test itself runs in a transaction that rolls back: what it reads must not outlive it.
    client.get("/recommendations/")
    assert client.get("/recommendations/")["X-Cache"] == "miss"
    assert not response_cache.local_cache().entries


@pytest.mark.django_db(transaction=True)
def test_a_cached_api_answer_still_counts_against_the_rate_limit(
    client, brussels_2007, settings, fresh_response_cache, monkeypatch
):
    from django.core.cache import cache

    cache.clear()
    # Rates count in fixed windows: stop the throttles' clock so the four requests share one.
    now = time.time()
    monkeypatch.setattr("rest_framework.throttling.SimpleRateThrottle.timer", staticmethod(lambda: now))
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "anon": "3/min",
    }
    answers = [client.get("/api/v1/summary/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[1]["X-Cache"] == "hit"
    assert answers[3].has_header("Retry-After")
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_the_cache_can_be_turned_off(client, brussels_2007, settings, fresh_response_cache):
    settings.RESPONSE_CACHE_MB = 0
    client.get("/")
    assert "X-Cache" not in client.get("/")
