"""Incremental sync (issue 14): commit-ordered change keys, `updated_since`, cursor pages,
/api/v1/deletions/, and a whole sync loop run while another thread writes.

Transactional tests throughout: on PostgreSQL the keys are assigned when a transaction commits.
"""

import datetime
import threading
import time

import pytest
from django.db import connection, connections, transaction

from tracker import services
from tracker.models import DataVersion, Deletion, ProgressUpdate, Recommendation, Status, Theme

API = "/api/v1"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("api_fast_passwords")]


def key_of(obj):
    return type(obj).objects.values_list("change_key", flat=True).get(pk=obj.pk)


def read_all(client, url):
    """Every row of a list, by cursor pages: [(row, ...)]."""
    rows = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        rows.extend(body["results"])
        url = body["next"]
    return rows


def links_by_key(row):
    """A row with its nested records reduced to their keys: a linked record's name comes from its
    own list, as a sync client takes them from its copy of that list."""

    def key(value):
        return value.get("slug") or value.get("code") if isinstance(value, dict) else value

    return {
        name: sorted(key(item) for item in value) if isinstance(value, list) and name != "files" else key(value)
        for name, value in row.items()
    }


def test_every_committed_change_moves_the_key_of_what_it_changes(
    make_recommendation, make_theme, actor_a, secretariat_user, focal_a
):
    theme = make_theme()
    rec = make_recommendation(actors=[actor_a])
    other = make_recommendation()
    before = key_of(rec)
    assert before > 0

    theme.name = "Renamed"
    theme.save()
    assert key_of(theme) > before
    assert key_of(rec) == before  # a theme's own change is the theme's

    theme_before = key_of(theme)
    rec.themes.add(theme)  # a many-to-many link moves the recommendation, and the theme's count
    after_link = key_of(rec)
    assert after_link > theme_before and key_of(theme) > theme_before
    forum_before, process_before = key_of(rec.forum), key_of(rec.forum.process)
    make_recommendation(forum=rec.forum)  # the forum's and process's counts of recommendations
    assert key_of(rec.forum) > forum_before and key_of(rec.forum.process) > process_before
    assert key_of(rec) == after_link

    # A focal point's submission is not public: it moves the update, not the recommendation.
    update = services.record_progress(
        rec,
        user=focal_a,
        actor=actor_a,
        status=Status.IN_PROGRESS,
        summary="Started",
        reported_on=datetime.date(2008, 1, 1),
    )
    assert key_of(update) > key_of(rec.forum)
    assert key_of(rec) == after_link
    # Its approval, even of a report dated 2008, moves both.
    services.approve_update(ProgressUpdate.objects.get(pk=update.pk), user=secretariat_user)
    assert key_of(rec) > after_link
    assert key_of(update) > key_of(rec) - 100 > after_link - 100  # moved in the same transaction
    if connection.vendor == "postgresql":
        assert key_of(update) == key_of(rec)  # one key per transaction there
    assert key_of(other) < after_link


def test_a_stale_in_memory_key_written_back_still_moves_the_key(make_recommendation, make_theme):
    rec = make_recommendation()
    stale = Recommendation.objects.get(pk=rec.pk)
    rec.themes.add(make_theme())
    moved = key_of(rec)
    stale.text = "Edited from an old copy"
    stale.save()
    assert key_of(rec) > moved


def test_the_transaction_that_commits_later_has_the_larger_key(make_theme):
    """Two writers overlap: the first starts first but commits last. Its key must be larger than
    the other's, or a client that read the other's row would skip it."""
    first, second = make_theme(), make_theme()
    started, second_done = threading.Event(), threading.Event()
    commits = []

    def slow_writer():
        try:
            with transaction.atomic():
                Theme.objects.filter(pk=first.pk).update(name="First, committed last")
                started.set()
                # SQLite serializes writers: the second waits for this commit instead.
                second_done.wait(timeout=1 if connection.vendor == "sqlite" else 10)
            commits.append("first")
        finally:
            connections.close_all()

    def quick_writer():
        try:
            started.wait(timeout=10)
            with transaction.atomic():
                Theme.objects.filter(pk=second.pk).update(name="Second, committed first")
            commits.append("second")
            second_done.set()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=slow_writer), threading.Thread(target=quick_writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(commits) == ["first", "second"]
    keys = {"first": key_of(first), "second": key_of(second)}
    assert keys[commits[0]] < keys[commits[1]], (commits, keys)
    assert max(keys.values()) <= DataVersion.current()


def test_updated_since_takes_a_change_key_or_a_date_time(api_client_for, make_recommendation, make_theme):
    anon = api_client_for(None)
    old = make_recommendation()
    mark = key_of(old)
    moment = Recommendation.objects.get(pk=old.pk).updated_at
    time.sleep(0.01)
    new = make_recommendation()
    theme = make_theme()

    def codes(query):
        response = anon.get(f"{API}/recommendations/?{query}")
        assert response.status_code == 200, response.json()
        return [row["code"] for row in response.json()["results"]]

    assert codes(f"updated_since={mark}") == [new.code]
    assert set(codes(f"updated_since={moment.isoformat()}")) == {old.code, new.code}
    assert codes("updated_since=2999-01-01") == []
    assert [row["slug"] for row in anon.get(f"{API}/themes/?updated_since={mark}").json()["results"]] == [theme.slug]
    for bad in ("yesterday", "-5", "2026-13-01", "\u00b9", "1.5"):
        response = anon.get(f"{API}/recommendations/?updated_since={bad}")
        assert response.status_code == 400, bad
        assert "updated_since" in response.json()["errors"] or "updated_since" in str(response.json())


def test_recommendations_sort_by_updated_at_and_change_key(api_client_for, make_recommendation):
    anon = api_client_for(None)
    recs = [make_recommendation() for _ in range(3)]
    recs[0].text = "Changed last"
    recs[0].save()
    for ordering in ("-updated_at", "-change_key"):
        rows = anon.get(f"{API}/recommendations/?ordering={ordering}").json()["results"]
        assert rows[0]["code"] == recs[0].code, ordering


def test_cursor_pages_are_complete_and_refuse_what_they_cannot_honour(api_client_for, make_recommendation):
    anon = api_client_for(None)
    made = {make_recommendation().code for _ in range(7)}
    rows = read_all(anon, f"{API}/recommendations/?cursor=&page_size=3")
    assert [row["code"] for row in rows if row["code"] in made] and {row["code"] for row in rows} == made
    assert len(rows) == 7
    keys = [(row["change_key"]) for row in rows]
    assert keys == sorted(keys)
    first = anon.get(f"{API}/recommendations/?cursor=&page_size=3").json()
    assert first["count"] == 7 and first["previous"] is None and "cursor=" in first["next"]

    for query, name in (
        ("cursor=&ordering=code", "ordering"),
        ("cursor=&page=2", "page"),
        ("cursor=not-a-cursor!", "cursor"),
        ("cursor=&page_size=0", "page_size"),
    ):
        response = anon.get(f"{API}/recommendations/?{query}")
        assert response.status_code == 400, query
        assert name in str(response.json()), (query, response.json())


def test_a_change_while_paging_is_neither_skipped_nor_lost(
    api_client_for, make_recommendation, make_actor, secretariat_user
):
    """The field report: page 1 of `-last_update` by 5, one update approved, then the rest gave 51
    unique rows of 52. With a cursor, every row comes, and the changed one comes again."""
    anon = api_client_for(None)
    actor = make_actor()
    recs = [make_recommendation(actors=[actor]) for _ in range(12)]
    page = anon.get(f"{API}/recommendations/?cursor=&page_size=5").json()
    seen = [row["code"] for row in page["results"]]
    changed = Recommendation.objects.get(code=seen[0])
    services.record_progress(
        changed, user=secretariat_user, actor=actor, status=Status.IMPLEMENTED, summary="Done", reported_on=None
    )
    seen += [row["code"] for row in read_all(anon, page["next"])]
    assert set(seen) == {rec.code for rec in recs}
    assert seen.count(changed.code) == 2 and len(seen) == 13


def test_cursor_pages_of_every_synced_list(api_client_for, brussels_2007):
    anon = api_client_for(None)
    for resource in ("processes", "forums", "roundtables", "updates", "actors", "themes", "objectives", "documents"):
        numbered = anon.get(f"{API}/{resource}/?page_size=1000").json()
        rows = read_all(anon, f"{API}/{resource}/?cursor=&page_size=2")
        assert len(rows) == numbered["count"] > 0, resource
        assert sorted(map(str, rows)) == sorted(map(str, numbered["results"])), resource


def test_lists_without_change_keys_refuse_a_cursor(api_client_for, secretariat_user):
    client = api_client_for(secretariat_user)
    response = client.get(f"{API}/webhooks/?cursor=")
    assert response.status_code == 400
    assert "cursor" in str(response.json())


def test_deletions_and_changed_keys_are_listed(api_client_for, make_theme, make_recommendation, make_actor):
    anon = api_client_for(None)
    mark = DataVersion.current()
    doomed, renamed = make_theme(), make_theme(slug="old-slug")
    rec = make_recommendation()
    doomed_slug, rec_code = doomed.slug, rec.code
    doomed.delete()
    renamed.slug = "new-slug"
    renamed.save()
    rec.delete()
    response = anon.get(f"{API}/deletions/?updated_since={mark}")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["resource"], row["key"]) for row in rows] == [
        ("theme", doomed_slug),
        ("theme", "old-slug"),
        ("recommendation", rec_code),
    ]
    assert all(row["change_key"] > mark for row in rows)
    only = anon.get(f"{API}/deletions/?resource=theme&cursor=").json()["results"]
    assert {row["key"] for row in only} == {doomed_slug, "old-slug"}
    assert anon.get(f"{API}/deletions/?resource=nothing").status_code == 400
    assert Deletion.objects.filter(change_key__gt=mark).count() == 3


def test_a_sync_loop_misses_nothing_while_another_thread_writes(
    api_client_for, make_recommendation, make_actor, make_theme, secretariat_user, api_fresh_cache
):
    """The loop of docs/api.md: fetch what changed since the largest change key seen, by cursor
    pages, apply deletions, repeat. A writer records, approves, relinks, renames and deletes
    meanwhile. After a last run the copy equals a full read."""
    anon = api_client_for(None)
    actor = make_actor()
    themes = [make_theme() for _ in range(3)]
    recs = [make_recommendation(actors=[actor], themes=themes[:1]) for _ in range(15)]
    stop = threading.Event()
    errors = []
    written = [0]  # the writer's rounds so far

    def writer():
        try:
            n = 0
            while not stop.is_set() and n < 60:
                n += 1
                written[0] = n
                rec = Recommendation.objects.get(pk=recs[n % len(recs)].pk)
                if n % 5 == 0:
                    rec.themes.add(themes[n % 3])
                elif n % 7 == 0:
                    Theme.objects.filter(pk=themes[n % 3].pk).update(name=f"Theme renamed {n}")
                elif n in (33, 34):
                    make_recommendation(actors=[actor]).delete()
                    doomed = ProgressUpdate.objects.filter(recommendation=rec).first()
                    if doomed is not None:
                        services.delete_update(doomed, user=secretariat_user)
                else:
                    status = [Status.IN_PROGRESS, Status.IMPLEMENTED, Status.STALLED][n % 3]
                    services.record_progress(rec, user=secretariat_user, actor=actor, status=status, summary=f"n{n}")
                time.sleep(0.005)
        except Exception as error:  # noqa: BLE001  (reported by the test)
            errors.append(error)
        finally:
            connections.close_all()

    copies = {"recommendations": {}, "updates": {}, "themes": {}}
    keys = {"recommendations": "code", "updates": "id", "themes": "slug"}
    singular = {"recommendations": "recommendation", "updates": "update", "themes": "theme"}
    # One mark per list: the largest change key read from that list. (One mark for all lists would
    # skip a recommendation changed with an update committed between reading the two lists.)
    since = dict.fromkeys([*copies, "deletions"], 0)

    def sync():
        for resource, copy in copies.items():
            for row in read_all(anon, f"{API}/{resource}/?cursor=&page_size=4&updated_since={since[resource]}"):
                copy[str(row[keys[resource]])] = row
                since[resource] = max(since[resource], row["change_key"])
        for row in read_all(anon, f"{API}/deletions/?cursor=&updated_since={since['deletions']}"):
            resource = next((name for name, one in singular.items() if one == row["resource"]), None)
            held = copies[resource].get(row["key"]) if resource else None  # this client copies three lists
            if held is not None and row["change_key"] > held["change_key"]:
                del copies[resource][row["key"]]
            since["deletions"] = max(since["deletions"], row["change_key"])

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        # At least 8 rounds, and on until the writer has done 20 of its own (14 of them progress
        # updates), however slowly the machine lets it write; a minute at most.
        # Each round waits for the writer to have written something new, so a slow writer does
        # not make the loop spend the anonymous rate limit (1,000 requests an hour) on idle rounds.
        rounds, deadline = 0, time.monotonic() + 60
        while rounds < 8 or (written[0] < 20 and thread.is_alive() and time.monotonic() < deadline):
            seen = written[0]
            sync()
            rounds += 1
            while written[0] == seen and thread.is_alive() and time.monotonic() < deadline:
                time.sleep(0.01)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not errors, errors
    sync()
    for resource, copy in copies.items():
        full = {str(row[keys[resource]]): row for row in read_all(anon, f"{API}/{resource}/?cursor=&page_size=100")}
        for key in set(copy) | set(full):
            assert links_by_key(copy.get(key, {})) == links_by_key(full.get(key, {})), (resource, key)
    assert len(copies["recommendations"]) == len(recs) and len(copies["updates"]) > 10


@pytest.mark.parametrize("extra", [0, 9])
def test_a_cursor_page_takes_the_same_queries_whatever_the_data_size(
    api_client_for, make_recommendation, make_theme, make_actor, make_update, django_assert_num_queries, extra
):
    anon = api_client_for(None)
    theme, actor = make_theme(), make_actor()
    for _ in range(3 + extra):
        make_update(make_recommendation(themes=[theme]), actor)
    first = anon.get(f"{API}/recommendations/?cursor=&page_size=2").json()
    # The data version; COUNT; the page; its themes, actors and objectives (a query each).
    with django_assert_num_queries(6):
        anon.get(first["next"])
    with django_assert_num_queries(4):  # the data version; COUNT; the page; its evidence files
        anon.get(f"{API}/updates/?cursor=&page_size=2&updated_since=1")
