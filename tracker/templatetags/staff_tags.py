"""Template tags of the staff pages (the admin): what awaits the signed-in user."""

from django import template

from tracker import roles
from tracker.models import ProgressUpdate

register = template.Library()

INBOX_SIZE = 10


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
