"""The dashboard's forum rows kept between requests (tracker.models.aggregates.ForumRowsMemo): read
again only for the forums whose cache scopes changed, never stale, never taken from a transaction
that may roll back. Committed data (transaction=True): the memo is only used outside transactions."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tracker import breakdowns
from tracker.models import Forum, Recommendation, Status
from tracker.models.aggregates import forum_rows_memo

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def three_forums(make_forum, make_recommendation):
    forums = [make_forum(slug=f"memo-forum-{n}") for n in range(3)]
    for forum in forums:
        for n in range(2):
            make_recommendation(code=f"{forum.slug.upper()}-{n}", forum=forum)
    forum_rows_memo.entries.clear()
    breakdowns.forum_breakdown_memo.entries.clear()
    with forum_rows_memo.lock:
        forum_rows_memo.instances.clear()
    return forums


def shown(with_forums_sql=False):
    """{forum slug: {status: count}} as the dashboard shows them, and the SQL of the forum rows'
    query (with `with_forums_sql`, also the SQL of the queries that read the forums themselves)."""
    with CaptureQueriesContext(connection) as queries:
        dashboard = breakdowns.dashboard()
    forum_sql = [q["sql"] for q in queries.captured_queries if "dimension IN ('forum')" in q["sql"]]
    assert len(forum_sql) == 1
    result = {b.obj.slug: dict(b.counts) for b in dashboard.forums}, forum_sql[0]
    if with_forums_sql:
        result += ([q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "tracker_forum"')],)
    return result


def counted():
    result = {}
    for slug, status in Recommendation.objects.values_list("forum__slug", "status"):
        result.setdefault(slug, {}).setdefault(status, 0)
        result[slug][status] += 1
    return result


def test_only_the_forums_a_change_touched_are_read_again(three_forums):
    first, sql = shown()
    assert first == counted()
    assert "group_id IN" not in sql  # nothing kept yet: every forum's rows
    again, sql = shown()
    assert again == first
    assert "group_id IN (NULL)" in sql  # nothing changed: no forum's rows
    Recommendation.objects.filter(code="MEMO-FORUM-1-0").update(status=Status.IMPLEMENTED)
    after, sql = shown()
    assert after == counted()
    assert after["memo-forum-1"] == {Status.NO_INFORMATION: 1, Status.IMPLEMENTED: 1}
    assert f"group_id IN ({three_forums[1].pk})" in sql


def test_a_recommendation_moved_to_another_forum_changes_both(three_forums):
    shown()
    Recommendation.objects.filter(code="MEMO-FORUM-0-0").update(forum=three_forums[2])
    after, sql = shown()
    assert after == counted()
    assert sum(after["memo-forum-0"].values()) == 1 and sum(after["memo-forum-2"].values()) == 3
    assert sorted(int(pk) for pk in sql.split("group_id IN (")[1].split(")")[0].split(", ")) == sorted(
        [three_forums[0].pk, three_forums[2].pk]
    )


def test_rows_read_inside_a_transaction_that_rolls_back_are_not_kept(three_forums):
    shown()

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():
        Recommendation.objects.filter(code="MEMO-FORUM-0-0").update(status=Status.IMPLEMENTED)
        inside, _sql = shown()
        assert inside["memo-forum-0"] == {Status.NO_INFORMATION: 1, Status.IMPLEMENTED: 1}
        raise RolledBack
    # The committed change after it may bring the forum's scope back to the same version number
    # the rolled-back one had: the rows shown are still the committed ones.
    Recommendation.objects.filter(code="MEMO-FORUM-0-1").update(status=Status.NOT_STARTED)
    after, _sql = shown()
    assert after == counted()
    assert after["memo-forum-0"] == {Status.NO_INFORMATION: 1, Status.NOT_STARTED: 1}


def test_a_forum_created_and_deleted_shows_at_once(three_forums, make_forum, make_recommendation):
    shown()
    forum = make_forum(slug="memo-forum-new")
    make_recommendation(code="MEMO-NEW-0", forum=forum)
    after, _sql = shown()
    assert after == counted()
    Recommendation.objects.filter(forum=three_forums[0]).delete()
    Forum.objects.filter(pk=three_forums[0].pk).delete()
    after, _sql = shown()
    assert after == counted() and "memo-forum-0" not in after


def test_the_forums_are_read_again_only_when_the_reference_data_changed(three_forums):
    _shown, _sql, forums_sql = shown(with_forums_sql=True)
    assert len(forums_sql) == 1 and '"tracker_forum"."title"' in forums_sql[0]  # the instances, the first time
    _shown, _sql, forums_sql = shown(with_forums_sql=True)
    assert len(forums_sql) == 1 and '"tracker_forum"."title"' not in forums_sql[0]  # ids and versions only
    Forum.objects.filter(pk=three_forums[1].pk).update(title="Renamed forum")
    with CaptureQueriesContext(connection):
        dashboard = breakdowns.dashboard()
    assert [str(b.obj.title) for b in dashboard.forums if b.obj.pk == three_forums[1].pk] == ["Renamed forum"]
    assert {b.obj.slug: dict(b.counts) for b in dashboard.forums} == counted()


def test_each_forum_breakdown_is_built_once_and_again_only_for_a_changed_forum(three_forums):
    first = breakdowns.dashboard()
    again = breakdowns.dashboard()
    assert all(a is b for a, b in zip(first.forums, again.forums, strict=True))  # kept, not rebuilt
    Recommendation.objects.filter(code="MEMO-FORUM-1-0").update(status=Status.IMPLEMENTED)
    after = breakdowns.dashboard()
    rebuilt = [b.obj.slug for a, b in zip(again.forums, after.forums, strict=True) if a is not b]
    assert rebuilt == ["memo-forum-1"]
    # The overall and per-process breakdowns add up the kept and the rebuilt ones: a recount.
    statuses = {}
    for status in Recommendation.objects.values_list("status", flat=True):
        statuses[status] = statuses.get(status, 0) + 1
    assert after.overall.counts == statuses
    assert sum(sum(p.counts.values()) for p in after.processes) == Recommendation.objects.count()


def test_the_page_draws_a_changed_forum_anew_in_each_language(three_forums, client, settings):
    settings.RESPONSE_CACHE_MB = 0  # every request renders
    english = client.get("/").content.decode()
    french = client.get("/fr/").content.decode()
    assert 'href="/fr/recommendations/?forum=memo-forum-1"' in french
    assert 'href="/fr/recommendations/?forum=memo-forum-1"' not in english
    row = 'href="/recommendations/?forum=memo-forum-1" aria-label="2 recommendations: '
    assert row in english
    Recommendation.objects.filter(code="MEMO-FORUM-1-0").update(status=Status.IMPLEMENTED)
    english = client.get("/").content.decode()
    assert row in english
    assert 'href="/recommendations/?forum=memo-forum-1&amp;status=implemented"' in english
    french = client.get("/fr/").content.decode()
    assert 'href="/fr/recommendations/?forum=memo-forum-1&amp;status=implemented"' in french
    assert 'href="/recommendations/?forum=memo-forum-1&amp;status=implemented"' not in french


def test_processes_themes_and_objectives_are_read_again_only_when_the_reference_data_changed(
    three_forums, make_theme, make_recommendation
):
    theme = make_theme(slug="memo-theme", name="A kept theme")
    make_recommendation(code="MEMO-THEMED", forum=three_forums[0]).themes.add(theme)
    lists = ('FROM "tracker_process"', 'FROM "tracker_theme"', 'FROM "tracker_frameworkobjective"')

    def reads():
        with CaptureQueriesContext(connection) as queries:
            dashboard = breakdowns.dashboard()
        return dashboard, [table for table in lists for q in queries.captured_queries if table in q["sql"]]

    _dashboard, read = reads()
    assert sorted(read) == sorted(lists)  # the first time
    _dashboard, read = reads()
    assert read == []  # kept while the reference version stands
    Recommendation.objects.filter(code="MEMO-FORUM-2-0").update(status=Status.IMPLEMENTED)
    dashboard, read = reads()
    assert read == []  # a forum's change is not reference data
    assert [b.total for b in dashboard.themes if b.obj.slug == "memo-theme"] == [1]
    type(theme).objects.filter(pk=theme.pk).update(name="A renamed theme")
    dashboard, read = reads()
    assert sorted(read) == sorted(lists)
    assert [b.label for b in dashboard.themes if b.obj.slug == "memo-theme"] == ["A renamed theme"]


def test_the_pages_dataset_facts_are_read_again_only_after_a_public_change(three_forums, client, settings):
    settings.RESPONSE_CACHE_MB = 0  # every request renders

    def page():
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/").content.decode()
        facts_read = any('FROM "tracker_dataversion"' in q["sql"] for q in queries.captured_queries)
        return html.split('"dateModified": "')[1].split('"')[0], facts_read

    first, read = page()
    assert read
    again, read = page()
    assert (again, read) == (first, False)
    recommendation = Recommendation.objects.get(code="MEMO-FORUM-2-1")
    recommendation.status = Status.IMPLEMENTED
    recommendation.save()
    after, read = page()
    assert read
    recommendation.refresh_from_db()
    assert after == recommendation.updated_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
