"""Scoped invalidation (tracker.models.cache_scopes): a change shows at once on every page and API
answer it affects, through two processes sharing Redis, while unrelated entries stay cached; what
the public cannot see (a focal point's submission, a returned update) keeps every entry."""

import datetime
import json

import pytest

from tests.servers import http
from tests.test_response_cache import two_servers  # noqa: F401 (the fixture, parametrised below)
from tracker import languages, services
from tracker.models import CacheScope, ProgressUpdate, Recommendation, cache_scopes

WRITTEN = "GFMD-2007-RT1-02"  # Brussels
LINKED = "GFMD-2008-RT1A-01"  # Manila, linked to the written one: its page shows that one's status
AFFECTED = [
    "/",
    "/forums/",
    "/forums/gfmd-2007-brussels/",
    f"/recommendations/{WRITTEN}/",
    f"/recommendations/{LINKED}/",
    # Manila's scope is bumped too, as its recommendation's page shows the written one
    # (tracker.models.scope_triggers.SHOWN_ELSEWHERE): its forum page renders afresh as well.
    "/forums/gfmd-2008-manila/",
    "/recommendations/",
    "/api/v1/summary/",
    f"/api/v1/recommendations/{WRITTEN}/",
    f"/api/v1/recommendations/{LINKED}/",
    "/api/v1/forums/gfmd-2007-brussels/",
    "/fr/forums/gfmd-2007-brussels/",
]
# Mauritius 2008 followed up another Brussels recommendation, not the written one.
UNRELATED = [
    "/forums/ec-2008-mauritius-circular-migration/",
    "/fr/forums/ec-2008-mauritius-circular-migration/",
    "/api/v1/forums/ec-2008-mauritius-circular-migration/",
]


def _fill(servers):
    """Every path through both servers until each answers from the cache; {(server, path): body}."""
    bodies = {}
    for base in servers:
        for path in AFFECTED + UNRELATED:
            http(base + path)
            status, headers, body = http(base + path)
            assert (status, headers["X-Cache"]) == (200, "hit"), (base, path, status)
            bodies[base, path] = body
    return bodies


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("two_servers", ["shared cache"], indirect=True)
def test_a_write_shows_at_once_where_it_matters_and_leaves_other_forums_cached(
    two_servers,  # noqa: F811
    brussels_2007,
    secretariat_user,
    focal_a,
    actor_a,
):
    rec = Recommendation.objects.get(code=WRITTEN)
    rec.actors.add(actor_a)
    before = _fill(two_servers)

    # A focal point's submission, then its return: nothing public changes, every entry stays.
    update = services.record_progress(rec, user=focal_a, actor=actor_a, status="stalled", summary="Draft report")
    services.return_update(update, user=secretariat_user, note="Add a source")
    for base in two_servers:
        for path in AFFECTED + UNRELATED:
            status, headers, body = http(base + path)
            assert (headers["X-Cache"], body) == ("hit", before[base, path]), f"{base}{path} after a submission"

    # Approved: the affected answers render afresh in both processes, the others stay cached.
    services.record_progress(
        rec,
        user=secretariat_user,
        actor=brussels_2007.actors.secretariat,
        status="implemented",
        summary="Licensing law adopted",
        reported_on=datetime.date(2009, 2, 1),
    )
    for base in reversed(two_servers):
        for path in AFFECTED:
            status, headers, body = http(base + path)
            assert (status, headers["X-Cache"]) == (200, "miss"), f"{base}{path} was not invalidated"
            # The API's forum shows no status, nor Manila's page a linked recommendation's: rendered
            # afresh (their scope changed), the same.
            if path not in ("/api/v1/forums/gfmd-2007-brussels/", "/forums/gfmd-2008-manila/"):
                assert body != before[base, path], f"{base}{path} still shows the answer from before the update"
        for path in UNRELATED:
            status, headers, body = http(base + path)
            assert (headers["X-Cache"], body) == ("hit", before[base, path]), f"{base}{path} was invalidated"
        assert json.loads(http(base + f"/api/v1/recommendations/{WRITTEN}/")[2])["status"] == "implemented"
        assert "Licensing law adopted" in http(base + f"/recommendations/{WRITTEN}/")[2]


# Committed: on PostgreSQL the scopes are bumped at commit (deferred triggers).
@pytest.mark.django_db(transaction=True)
def test_which_scopes_a_change_bumps(brussels_2007, secretariat_user, focal_a, actor_a):
    def versions():
        return {path: cache_scopes.version_of(languages.unprefixed(path)) for path in AFFECTED + UNRELATED}

    rec = Recommendation.objects.get(code=WRITTEN)
    start = versions()
    update = services.record_progress(rec, user=focal_a, actor=actor_a, status="stalled", summary="Draft")
    services.revise_update(update, user=focal_a, changes={"summary": "Draft, revised"})
    assert versions() == start  # submissions and their revisions are private
    services.approve_update(update, user=secretariat_user)
    after = versions()
    assert all(after[path] != start[path] for path in AFFECTED), after
    assert all(after[path] == start[path] for path in UNRELATED), after
    # A theme renamed is shown on every page: the reference scope, and with it every forum's page.
    brussels_2007.themes.circular.name = "Circular and temporary migration"
    brussels_2007.themes.circular.save()
    renamed = versions()
    assert all(renamed[path] != after[path] for path in UNRELATED), renamed


@pytest.mark.django_db
def test_a_new_database_starts_each_scope_at_a_value_no_earlier_one_had():
    CacheScope.objects.all().delete()
    first = cache_scopes.version_of("/")
    CacheScope.objects.all().delete()
    assert cache_scopes.version_of("/") != first
    assert ProgressUpdate.objects.count() == 0


@pytest.mark.django_db
def test_a_trigger_whose_definition_changed_is_replaced_on_the_next_migrate():
    from django.db import connection

    from tracker.models.scope_triggers import ensure_scope_triggers, present

    old = "tracker_theme_cs_insert_00000000"  # an earlier definition's digest
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f'CREATE TRIGGER "{old}" AFTER INSERT ON tracker_theme FOR EACH STATEMENT '
                "EXECUTE FUNCTION tracker_scope_truncated()"
            )
        else:
            cursor.execute(f'CREATE TRIGGER "{old}" AFTER INSERT ON tracker_theme BEGIN SELECT 1; END')
    assert old in present()
    ensure_scope_triggers()
    assert old not in present()
    assert any(name.startswith("tracker_theme_cs_insert_") for name in present())


@pytest.mark.django_db(transaction=True)  # PostgreSQL's scope triggers run at commit
def test_the_version_of_each_kind_of_path_names_the_scopes_it_depends_on(brussels_2007):
    # On PostgreSQL read through the function tracker_scope_versions (migration 0026), on SQLite
    # with the plain query: the same pairs, in name order.
    recommendation = Recommendation.objects.select_related("forum").get(code="GFMD-2007-RT1-02")
    forum = recommendation.forum
    cache_scopes.version_of("/")  # makes "all" and "reference" if missing
    cache_scopes.version_of(f"/forums/{forum.slug}/")
    values = dict(CacheScope.objects.values_list("name", "value"))
    own = f"forum:{forum.pk}"
    both = ",".join(f"{name}={values[name]}" for name in sorted(["reference", own]))
    assert cache_scopes.version_of("/") == f"all:all={values['all']}"
    assert cache_scopes.version_of("/api/v1/summary/") == f"all:all={values['all']}"
    assert cache_scopes.version_of(f"/forums/{forum.slug}/") == f"forum:{both}"
    assert cache_scopes.version_of(f"/api/v1/recommendations/{recommendation.code}/") == f"recommendation:{both}"
    # An unknown forum or code: "reference" alone (the page answers 404, which is not cached anyway).
    assert cache_scopes.version_of("/forums/no-such-forum/") == f"forum:reference={values['reference']}"
    assert cache_scopes.version_of("/recommendations/NO-SUCH-CODE/") == (
        f"recommendation:reference={values['reference']}"
    )
