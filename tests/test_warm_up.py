"""Each gunicorn worker renders the dashboard in every language before its first request
(migration_dialogues.gunicorn), so the first visitor a worker serves meets what it kept: no forum's
rows read again, no reference lists, while the response cache neither served nor kept the warm-up.
Committed data (transaction=True): what the dashboard keeps is only kept outside transactions."""

import logging
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from migration_dialogues import gunicorn as gunicorn_config
from migration_dialogues.wsgi import application
from tests.servers import gunicorn, production_env_on_test_database
from tracker import breakdowns
from tracker.http import cache as response_cache
from tracker.models.aggregates import forum_rows_memo
from tracker.opendata.descriptor import kept_facts

pytestmark = pytest.mark.django_db(transaction=True)

LISTS = ('FROM "tracker_process"', 'FROM "tracker_theme"', 'FROM "tracker_frameworkobjective"')


def dashboard_paths():
    paths = []
    for code, _label in django_settings.LANGUAGES:
        with translation.override(code):
            paths.append(reverse("tracker:home"))
    return paths


@pytest.fixture
def cold_worker(make_forum, make_recommendation, settings):
    """Forums with recommendations, and nothing kept: as in a worker that has just started."""
    for n in range(3):
        forum = make_forum(slug=f"warm-forum-{n}")
        make_recommendation(code=f"WARM-{n}", forum=forum)
    settings.RESPONSE_CACHE_MB = 64
    forum_rows_memo.entries.clear()
    with forum_rows_memo.lock:
        forum_rows_memo.instances.clear()
    breakdowns.forum_breakdown_memo.entries.clear()
    breakdowns.reference_lists.kept.clear()
    kept_facts.kept = None
    response_cache.clear()
    yield
    response_cache.clear()


def first_visit(client, path):
    """(X-Cache, whether the forums' rows were read for any forum, the reference lists read)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    forum_rows = [q["sql"] for q in queries.captured_queries if "dimension IN ('forum')" in q["sql"]]
    assert len(forum_rows) == 1
    lists = [table for table in LISTS for q in queries.captured_queries if table in q["sql"]]
    return response["X-Cache"], "group_id IN (NULL)" not in forum_rows[0], lists


def test_a_cold_worker_reads_every_forum_on_its_first_dashboard(cold_worker, client):
    # What the warm-up spares the first visitor (and what makes the next test able to fail).
    assert first_visit(client, "/") == ("miss", True, list(LISTS))


def test_a_warmed_up_worker_serves_its_first_dashboard_in_each_language_from_what_it_kept(cold_worker, client):
    alive = []
    rendered = gunicorn_config.warm_up(application, after_each=lambda: alive.append(len(alive)))
    assert [(path, status) for path, status, _seconds in rendered] == [(path, "200 OK") for path in dashboard_paths()]
    assert len(alive) == len(rendered)  # gunicorn's worker.notify() after each page: no timeout
    for path in dashboard_paths():
        # Not served from the response cache (a miss: the warm-up kept no entry), yet nothing read again.
        assert first_visit(client, path) == ("miss", False, [])


def test_a_page_that_fails_to_warm_up_is_logged_and_the_others_still_render(cold_worker, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("a broken dashboard")

    monkeypatch.setattr(breakdowns, "dashboard", broken)
    with caplog.at_level(logging.WARNING, logger="migration_dialogues.warm_up"):
        rendered = gunicorn_config.warm_up(application)
    assert [status for _path, status, _seconds in rendered] == ["500 Internal Server Error"] * len(dashboard_paths())
    assert "Warming up / answered 500 Internal Server Error" in caplog.text

    def raising(environ, start_response):
        raise OSError("no database")

    with caplog.at_level(logging.WARNING, logger="migration_dialogues.warm_up"):
        rendered = gunicorn_config.warm_up(raising)
    assert [status for _path, status, _seconds in rendered] == ["error"] * len(dashboard_paths())
    assert "OSError: no database" in caplog.text


def test_gunicorn_with_the_readmes_settings_warms_each_worker_up(cold_worker, tmp_path):
    env = production_env_on_test_database(tmp_path, connection)
    log = tmp_path / "gunicorn.log"

    def warmed():
        return [line for line in log.read_text().splitlines() if "Warmed up in" in line]

    with gunicorn(env, log, workers=2):
        deadline = time.monotonic() + 60
        while len(warmed()) < 2 and time.monotonic() < deadline:  # the second worker may still be warming up
            time.sleep(0.2)
    lines = warmed()
    assert len(lines) == 2, log.read_text()
    for line in lines:
        for path in dashboard_paths():
            assert f"{path} 200 " in line, line
