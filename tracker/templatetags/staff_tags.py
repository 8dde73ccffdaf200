"""Template tags of the staff pages (the admin): what awaits the signed-in user."""

from django import template
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from tracker import cycles, roles
from tracker.models import ProgressUpdate, Recommendation, Status

register = template.Library()

INBOX_SIZE = 10
HOME_SIZE = 100


@register.simple_tag
def review_inbox(user):
    """What awaits `user`, as {"kind", "count", "items"}: for the secretariat the submitted
    updates (oldest first), for a focal point its actor's returned updates (newest first); None
    for anyone else. `items` holds at most INBOX_SIZE updates, with recommendation and actor."""
    updates = ProgressUpdate.objects.select_related("recommendation", "actor")
    if roles.is_secretariat(user):
        waiting = updates.filter(review_state=ProgressUpdate.ReviewState.SUBMITTED).order_by("recorded_at", "id")
        kind = "review"
    elif roles.is_focal_point(user):
        waiting = updates.filter(actor_id=user.actor_id, review_state=ProgressUpdate.ReviewState.RETURNED).order_by(
            "-reviewed_at", "-id"
        )
        kind = "returned"
    else:
        return None
    items = list(waiting[:INBOX_SIZE])
    count = len(items) if len(items) < INBOX_SIZE else waiting.count()
    return {"kind": kind, "count": count, "items": items}


def report_url(recommendation_id, actor_id):
    """The progress update form, prefilled with the recommendation and the reporting actor."""
    query = urlencode({"recommendation": recommendation_id, "actor": actor_id})
    return f"{reverse('admin:tracker_progressupdate_add')}?{query}"


@register.simple_tag
def my_recommendations(user):
    """A focal point's home: its actor's recommendations (those it is responsible for), each with
    its status, what the actor last reported and its review state, and the link that opens the
    report form prefilled ({"actor", "count", "rows"}; at most HOME_SIZE rows, those never reported
    on first). None for anyone who is not a focal point. Two queries."""
    if not roles.is_focal_point(user):
        return None
    actor = user.actor
    recommendations = Recommendation.objects.responsibility_of(actor).with_report_of(actor)
    rows = list(recommendations.order_by(F("my_update_id").asc(nulls_first=True), "code")[: HOME_SIZE + 1])
    count = len(rows) if len(rows) <= HOME_SIZE else recommendations.count()
    states = dict(ProgressUpdate.ReviewState.choices)
    statuses = dict(Status.choices)
    return {
        "actor": actor,
        "count": count,
        "rows": [
            {
                "recommendation": rec,
                "status": statuses.get(rec.status, rec.status),
                "my_status": statuses.get(rec.my_update_status) if rec.my_update_status else None,
                "my_state": rec.my_update_review_state,
                "my_state_label": states.get(rec.my_update_review_state),
                "my_reported_on": rec.my_update_reported_on,
                "my_update_url": (
                    reverse("admin:tracker_progressupdate_change", args=[rec.my_update_id])
                    if rec.my_update_id
                    else None
                ),
                "report_url": report_url(rec.pk, actor.pk),
            }
            for rec in rows[:HOME_SIZE]
        ],
    }


@register.simple_tag
def asked_of_me(user):
    """For a focal point: what its actor still owes in open reporting cycles (`tracker.cycles.
    asked_of`: cycle, deadline, missing count, overdue, the first items), each item with the
    link that opens the report form prefilled. [] for anyone else. Two queries at most."""
    if not roles.is_focal_point(user):
        return []
    owed = cycles.asked_of(user.actor, timezone.localdate())
    for entry in owed:
        for item in entry["items"]:
            item.report_url = report_url(item.recommendation_id, user.actor_id)
    return owed
