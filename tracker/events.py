"""Events the domain publishes when something others may want to know about happens.

`publish(event_type, obj)` is called by `tracker.services` (and the reporting cycles' services)
inside the transaction that makes the change; receivers connected to `published` run in that
transaction too, so what they write (an outbound webhook delivery, say) commits or rolls back
with the change, and work outside the database must wait for `transaction.on_commit`.

Event types (the names of outbound webhooks, `docs/webhooks.md`):

- `update.approved`: a progress update became public (`obj` the ProgressUpdate);
- `recommendation.status_changed`: a recommendation's current status changed (`obj` the Recommendation);
- `recommendation.changed`: a recommendation's public content changed (`obj` the Recommendation);
- `cycle.opened`, `cycle.closed`: a reporting cycle opened or closed (`obj` the ReportingCycle).
"""

from django.dispatch import Signal

UPDATE_APPROVED = "update.approved"
RECOMMENDATION_STATUS_CHANGED = "recommendation.status_changed"
RECOMMENDATION_CHANGED = "recommendation.changed"
CYCLE_OPENED = "cycle.opened"
CYCLE_CLOSED = "cycle.closed"

EVENT_TYPES = (UPDATE_APPROVED, RECOMMENDATION_STATUS_CHANGED, RECOMMENDATION_CHANGED, CYCLE_OPENED, CYCLE_CLOSED)

# Sent with sender=type(obj), event_type=<one of EVENT_TYPES>, obj=<the instance>.
published = Signal()


def publish(event_type, obj):
    """Tell the receivers of `published` that `event_type` happened to `obj`. Raises ValueError
    for an unknown event type; receivers' exceptions propagate (and roll the change back)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {event_type!r}")
    published.send(sender=type(obj), event_type=event_type, obj=obj)
