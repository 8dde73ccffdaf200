"""The maintained status counts (tracker.models.aggregates) equal a fresh recount after any
sequence of changes: service calls (reports, reviews, revisions, deletions, theme tagging, edits),
link changes as the admin makes them, imports, deletes and restores. Property-based (Hypothesis)
on whichever database the suite runs on, SQLite or PostgreSQL; `max_examples` is bounded so the
suite stays fast, and each example runs in a transaction rolled back at its end."""

import contextlib
import csv
import datetime
import io
import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker import backup, breakdowns, importing, services
from tracker.models import (
    ActorReportCount,
    Basis,
    ObjectiveMapping,
    ProgressUpdate,
    Recommendation,
    StatusCount,
    aggregates,
)
from tracker.models.aggregate_triggers import drop_aggregate_triggers, ensure_aggregate_triggers, present, triggers

Status = Recommendation.Status
Kind = Recommendation.Kind
STATUSES = [s for s in Status.values if s != Status.NO_INFORMATION]


class Rollback(Exception):
    """Ends an example, undoing what it wrote."""


@pytest.fixture
def world(make_forum, make_theme, make_actor, make_objective, make_recommendation, secretariat_user, focal_a, actor_a):
    forums = [make_forum(slug="forum-one"), make_forum(slug="forum-two")]
    themes = [make_theme(slug=f"theme-{n}", name=f"Theme {n}") for n in range(3)]
    actors = [actor_a, make_actor(slug="government-c", name="Government of C")]
    objectives = [make_objective(number=str(n), slug=f"gcm-{n}", title=f"Objective {n}") for n in (1, 2)]
    recommendations = [
        make_recommendation(forum=forums[n % 2], themes=themes[: n % 3], actors=actors[: n % 2]) for n in range(4)
    ]
    ObjectiveMapping.objects.create(recommendation=recommendations[0], frameworkobjective=objectives[0])
    return {
        "forums": forums,
        "themes": themes,
        "actors": actors,
        "objectives": objectives,
        "secretariat": secretariat_user,
        "focal": focal_a,
    }


def _pick(items, n):
    items = list(items)
    return items[n % len(items)] if items else None


def _record(w, a, b, c):
    rec = _pick(Recommendation.objects.order_by("pk"), a)
    if rec is None:  # every recommendation deleted by the steps before
        return
    by_focal = c % 3 == 0
    services.record_progress(
        rec,
        user=w["focal"] if by_focal else w["secretariat"],
        actor=w["focal"].actor if by_focal else _pick(w["actors"], c),
        status=_pick(STATUSES, b),
        summary="Reported",
        reported_on=datetime.date(2009, 1, 1) + datetime.timedelta(days=b * 37 % 900),
    )


def _review(w, a, b, c):
    update = _pick(ProgressUpdate.objects.filter(review_state="submitted").order_by("pk"), a)
    if update is not None:
        review = services.approve_update if b % 2 else services.return_update
        review(update, user=w["secretariat"], note="Reviewed")


def _revise(w, a, b, c):
    update = _pick(ProgressUpdate.objects.order_by("pk"), a)
    if update is not None:
        changes = {"status": _pick(STATUSES, b), "reported_on": datetime.date(2010, 1, 1) + datetime.timedelta(days=c)}
        services.revise_update(update, user=w["secretariat"], changes=changes)


def _delete_update(w, a, b, c):
    update = _pick(ProgressUpdate.objects.order_by("pk"), a)
    if update is not None:
        services.delete_update(update, user=w["secretariat"])


def _edit(w, a, b, c):
    rec = _pick(Recommendation.objects.order_by("pk"), a)
    if rec is None:
        return
    rec.kind = _pick(Kind.values, b)
    rec.forum = _pick(w["forums"], c)
    services.save_recommendation(rec, user=w["secretariat"])


def _tag(w, a, b, c):
    recommendations = Recommendation.objects.filter(
        pk__in=list(Recommendation.objects.values_list("pk", flat=True))[a % 4 :]
    )
    themes = w["themes"][b % 3 : b % 3 + 1 + c % 2]
    services.set_themes(
        recommendations, themes=themes, mode=_pick(["add", "replace", "remove"], c), user=w["secretariat"]
    )


def _link_actor(w, a, b, c):
    rec = _pick(Recommendation.objects.order_by("pk"), a)
    if rec is None:
        return
    actor = _pick(w["actors"], b)
    if c % 2:
        rec.actors.add(actor)
    else:
        rec.actors.remove(actor)


def _map_objective(w, a, b, c):
    rec = _pick(Recommendation.objects.order_by("pk"), a)
    if rec is None:
        return
    objective = _pick(w["objectives"], b)
    mapping = ObjectiveMapping.objects.filter(recommendation=rec, frameworkobjective=objective).first()
    if mapping is None:
        ObjectiveMapping.objects.create(recommendation=rec, frameworkobjective=objective, basis=_pick(Basis.values, c))
    elif c % 3 == 0:
        mapping.delete()
    elif c % 3 == 1:
        mapping.basis = Basis.SOURCE if mapping.basis == Basis.EDITORIAL else Basis.EDITORIAL
        mapping.save()
    else:
        mapping.frameworkobjective = _pick([o for o in w["objectives"] if o != objective], 0)
        if not ObjectiveMapping.objects.filter(recommendation=rec, frameworkobjective=mapping.frameworkobjective):
            mapping.save()


_new_codes = itertools.count(1)


def _create(w, a, b, c):
    rec = Recommendation(
        code=f"NEW-{next(_new_codes)}-{a}",  # unique even after deletions (a count is not)
        forum=_pick(w["forums"], a),
        text="New",
        kind=_pick(Kind.values, b),
    )
    services.save_recommendation(rec, user=w["secretariat"])
    rec.themes.set(w["themes"][: c % 3])


def _delete_recommendation(w, a, b, c):
    rec = _pick(Recommendation.objects.order_by("pk"), a)
    if rec is None:
        return
    for update in rec.updates.all():
        services.delete_update(update, user=w["secretariat"])
    rec.delete()  # as the admin deletes: its links first (Django's collector), then the row


def _import(w, a, b, c):
    """The staff's round trip: the export, one row's kind, themes and status edited, imported."""
    from django.test import Client

    response = Client().get("/recommendations/?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    if not rows:
        return
    row = _pick(rows, a)
    row["kind"] = _pick(Kind.values, b)
    row["themes"] = "; ".join(theme.name for theme in w["themes"][: c % 3])
    row["status"] = _pick(STATUSES, c)
    row["last_update"] = ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    dataset = importing.read_dataset(out.getvalue().encode(), "csv")
    report = importing.import_recommendations(dataset, user=w["secretariat"])
    assert not report.rejected, report.errors


OPERATIONS = {
    f.__name__.strip("_"): f
    for f in (
        _record,
        _review,
        _revise,
        _delete_update,
        _edit,
        _tag,
        _link_actor,
        _map_objective,
        _create,
        _delete_recommendation,
        _import,
    )
}
steps = st.lists(
    st.tuples(st.sampled_from(sorted(OPERATIONS)), st.integers(0, 50), st.integers(0, 50), st.integers(0, 50)),
    min_size=1,
    max_size=10,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_the_maintained_counts_equal_a_recount_after_any_sequence_of_changes(world, steps):
    assert present() == set(triggers(connection.vendor))
    try:
        with transaction.atomic():
            for name, a, b, c in steps:
                # A refused change changes nothing, which the recount checks too.
                with contextlib.suppress(services.InvalidTransition), transaction.atomic():
                    OPERATIONS[name](world, a, b, c)
                assert aggregates.drift() == [], f"after {name}({a}, {b}, {c})"
            raise Rollback
    except Rollback:
        pass


def test_the_counts_are_kept_and_read_as_the_pages_counted_them(world, make_update):
    rec = Recommendation.objects.order_by("pk").first()
    make_update(rec, world["actors"][0], status=Status.IMPLEMENTED, reported_on=datetime.date(2009, 3, 1))
    forums = world["forums"]
    rows = StatusCount.objects.rows("forum")
    counted = list(Recommendation.objects.with_effective_status().status_counts("forum", "kind"))
    kept, recounted = (breakdowns.breakdowns_by(r, "forum", forums, "forum") for r in (rows, counted))
    assert [(b.counts, b.kinds) for b in kept] == [(b.counts, b.kinds) for b in recounted]
    assert any(b.counts.get(Status.IMPLEMENTED) for b in kept)
    assert ActorReportCount.objects.approved_total() == ProgressUpdate.objects.public().count() == 1
    [top] = breakdowns.reporting_actors()
    assert (top["actor__slug"], top["report_count"], top["last_reported_on"]) == (
        world["actors"][0].slug,
        1,
        datetime.date(2009, 3, 1),
    )


def test_triggers_made_again_recount_what_changed_while_they_were_missing(world):
    drop_aggregate_triggers()
    assert present() == set()
    Recommendation.objects.update(kind=Kind.FINDING)  # unseen by the counts
    assert aggregates.drift()
    created = ensure_aggregate_triggers()
    assert set(created) == set(triggers(connection.vendor))
    assert aggregates.drift() == []
    assert ensure_aggregate_triggers() == []  # idempotent


def test_the_check_command_reports_drift_and_rebuilds(world, capsys):
    call_command("check_aggregates")
    assert "agree" in capsys.readouterr().out
    StatusCount.objects.filter(dimension="forum").update(n=99)  # drift, as a missed write path would make
    with pytest.raises(CommandError, match="differ from a recount"):
        call_command("check_aggregates")
    assert "kept 99" in capsys.readouterr().out
    call_command("check_aggregates", "--rebuild")
    assert aggregates.drift() == []


def test_a_restore_leaves_the_counts_equal_to_a_recount(world, make_update, tmp_path):
    rec = Recommendation.objects.order_by("pk").first()
    make_update(rec, world["actors"][1], status=Status.STALLED)
    path = tmp_path / "backup.json.gz"
    backup.write_backup(path)
    before = aggregates.maintained()
    Recommendation.objects.filter(pk=rec.pk).update(kind=Kind.OUTCOME)
    manifest, objects, files = backup.read_backup(path)
    backup.restore(manifest, objects, force=True, files=files)
    assert aggregates.drift() == []
    assert aggregates.maintained() == before
