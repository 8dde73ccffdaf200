"""The one path for every change of status: tracker.services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from tracker import services
from tracker.models import ProgressUpdate, Recommendation

Status = Recommendation.Status


@pytest.fixture
def recommendation(make_recommendation):
    return make_recommendation()


def test_secretariat_update_is_approved_at_once_and_sets_the_current_status(recommendation, secretariat_user, actor_a):
    update = services.record_progress(
        recommendation,
        user=secretariat_user,
        actor=actor_a,
        status=Status.IN_PROGRESS,
        summary="Pilot started",
        reported_on=datetime.date(2009, 1, 5),
    )
    recommendation.refresh_from_db()
    assert update.review_state == ProgressUpdate.ReviewState.APPROVED
    assert update.reviewed_by == secretariat_user
    assert recommendation.status == Status.IN_PROGRESS
    assert recommendation.status_date == datetime.date(2009, 1, 5)
    assert recommendation.version == 2


def test_focal_point_update_waits_for_review_and_changes_nothing_public(recommendation, focal_a, actor_a):
    update = services.record_progress(
        recommendation, user=focal_a, actor=actor_a, status=Status.IMPLEMENTED, summary="Done"
    )
    recommendation.refresh_from_db()
    assert update.review_state == ProgressUpdate.ReviewState.SUBMITTED
    assert recommendation.status == Status.NO_INFORMATION
    assert not ProgressUpdate.objects.public().exists()


def test_approving_a_submitted_update_sets_the_status(recommendation, focal_a, actor_a, secretariat_user):
    update = services.record_progress(recommendation, user=focal_a, actor=actor_a, status=Status.STALLED, summary="x")
    services.approve_update(update, user=secretariat_user)
    recommendation.refresh_from_db()
    update.refresh_from_db()
    assert update.review_state == ProgressUpdate.ReviewState.APPROVED
    assert update.reviewed_by == secretariat_user
    assert recommendation.status == Status.STALLED


def test_returning_an_update_keeps_it_private(recommendation, focal_a, actor_a, secretariat_user):
    update = services.record_progress(recommendation, user=focal_a, actor=actor_a, status=Status.STALLED, summary="x")
    services.return_update(update, user=secretariat_user, note="Add evidence")
    update.refresh_from_db()
    recommendation.refresh_from_db()
    assert update.review_state == ProgressUpdate.ReviewState.RETURNED
    assert update.review_note == "Add evidence"
    assert recommendation.status == Status.NO_INFORMATION


def test_focal_point_cannot_approve(recommendation, focal_a, actor_a):
    update = services.record_progress(recommendation, user=focal_a, actor=actor_a, status=Status.STALLED, summary="x")
    with pytest.raises(PermissionDenied):
        services.approve_update(update, user=focal_a)


def test_focal_point_cannot_report_for_another_actor(recommendation, focal_a, actor_b):
    with pytest.raises(PermissionDenied):
        services.record_progress(recommendation, user=focal_a, actor=actor_b, status=Status.STALLED, summary="x")
    assert not ProgressUpdate.objects.exists()


def test_current_status_is_the_latest_approved_by_reported_on_date_not_recording_order(
    recommendation, secretariat_user, actor_a
):
    services.record_progress(
        recommendation,
        user=secretariat_user,
        actor=actor_a,
        status=Status.IMPLEMENTED,
        summary="later report",
        reported_on=datetime.date(2010, 1, 1),
    )
    # Recorded afterwards, but about an earlier date: it does not replace the current status.
    services.record_progress(
        recommendation,
        user=secretariat_user,
        actor=actor_a,
        status=Status.NOT_STARTED,
        summary="earlier report",
        reported_on=datetime.date(2008, 1, 1),
    )
    recommendation.refresh_from_db()
    assert recommendation.status == Status.IMPLEMENTED
    as_of = Recommendation.objects.with_effective_status(datetime.date(2009, 1, 1)).get(pk=recommendation.pk)
    assert as_of.effective_status == Status.NOT_STARTED


def test_a_summary_is_required(recommendation, secretariat_user, actor_a):
    with pytest.raises(ValidationError):
        services.record_progress(
            recommendation, user=secretariat_user, actor=actor_a, status=Status.STALLED, summary=" "
        )


def test_an_unknown_status_is_refused_and_nothing_is_written(recommendation, secretariat_user, actor_a):
    with pytest.raises(ValidationError):
        services.record_progress(recommendation, user=secretariat_user, actor=actor_a, status="finished", summary="x")
    assert not ProgressUpdate.objects.exists()
    recommendation.refresh_from_db()
    assert recommendation.version == 1


def test_a_stale_version_is_refused_and_nothing_is_written(recommendation, secretariat_user, actor_a):
    services.record_progress(recommendation, user=secretariat_user, actor=actor_a, status=Status.STALLED, summary="x")
    stale = Recommendation.objects.get(pk=recommendation.pk)
    stale.version = 1
    with pytest.raises(services.StaleVersion):
        services.record_progress(
            stale, user=secretariat_user, actor=actor_a, status=Status.IMPLEMENTED, summary="y", expected_version=1
        )
    recommendation.refresh_from_db()
    assert recommendation.status == Status.STALLED
    assert ProgressUpdate.objects.count() == 1


def test_update_history_and_status_are_written_in_one_transaction(recommendation, secretariat_user, actor_a):
    services.record_progress(recommendation, user=secretariat_user, actor=actor_a, status=Status.STALLED, summary="x")
    assert ProgressUpdate.history.count() == 1
    assert ProgressUpdate.history.get().history_user == secretariat_user
    latest = recommendation.history.latest("history_date")
    assert latest.status == Status.STALLED
    assert latest.history_user == secretariat_user


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_update_is_written_rolls_everything_back(
    make_recommendation, make_user, make_actor, monkeypatch
):
    from tracker import roles

    actor = make_actor()
    user = make_user("sec", groups=[roles.SECRETARIAT], actor=actor)
    recommendation = make_recommendation()

    def broken_refresh(rec, who):
        # The database refuses the status write (as a dropped connection or a constraint would).
        with connection.cursor() as cursor:
            cursor.execute("UPDATE tracker_recommendation SET status = 'bogus' WHERE id = %s", [rec.pk])

    monkeypatch.setattr(services, "_refresh_current_status", broken_refresh)
    with pytest.raises(IntegrityError):
        services.record_progress(recommendation, user=user, actor=actor, status=Status.STALLED, summary="x")
    recommendation.refresh_from_db()
    assert recommendation.status == Status.NO_INFORMATION
    assert recommendation.version == 1
    assert not ProgressUpdate.objects.exists()
    assert not ProgressUpdate.history.exists()


def test_the_database_rejects_an_unknown_status(recommendation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Recommendation.objects.filter(pk=recommendation.pk).update(status="finished")


def test_the_database_rejects_an_unknown_update_status(recommendation, actor_a, make_update):
    update = make_update(recommendation, actor_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressUpdate.objects.filter(pk=update.pk).update(status="done")


def test_revising_an_approved_update_recomputes_the_status(recommendation, secretariat_user, actor_a):
    update = services.record_progress(
        recommendation, user=secretariat_user, actor=actor_a, status=Status.STALLED, summary="x"
    )
    services.revise_update(update, user=secretariat_user, changes={"status": Status.IN_PROGRESS})
    recommendation.refresh_from_db()
    assert recommendation.status == Status.IN_PROGRESS


def test_deleting_the_only_update_returns_to_no_information(recommendation, secretariat_user, actor_a):
    update = services.record_progress(
        recommendation, user=secretariat_user, actor=actor_a, status=Status.STALLED, summary="x"
    )
    services.delete_update(update, user=secretariat_user)
    recommendation.refresh_from_db()
    assert recommendation.status == Status.NO_INFORMATION
    assert ProgressUpdate.history.filter(history_type="-").count() == 1


def test_on_a_past_date_only_recommendations_of_forums_held_by_then_count(make_forum, make_recommendation):
    earlier = make_recommendation(forum=make_forum(start_date=datetime.date(2007, 7, 9)))
    later = make_recommendation(forum=make_forum(start_date=datetime.date(2008, 10, 27)))
    undated = make_recommendation(forum=make_forum(start_date=None))
    on_2008_01_01 = Recommendation.objects.with_effective_status(datetime.date(2008, 1, 1))
    assert set(on_2008_01_01) == {earlier, undated}
    assert later in Recommendation.objects.with_effective_status(datetime.date(2008, 10, 27))
