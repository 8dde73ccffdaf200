"""Every change to webhook endpoints and deliveries: registering, changing, re-enabling and deleting
an endpoint (the secretariat's, from the admin and the API), writing a delivery for an event
(the API's receiver of `tracker.events.published`) and sending one again.

Raises PermissionDenied (not the secretariat) and ValidationError ({field: [message, ...]}, for
`url` and `events`), which the admin and the API show in their own ways.
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.events import EVENT_TYPES
from tracker.models import WebhookDelivery, WebhookEndpoint
from tracker.models.webhooks import TEST_EVENT
from tracker.roles import is_secretariat

from . import net
from .tasks import deliver, disable

logger = logging.getLogger(__name__)


def _require_secretariat(user):
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat may manage webhooks."))


def check_url(url):
    """`url` if a webhook may be sent there now (`tracker.webhooks.net.check`: scheme, host,
    every resolved address public unless WEBHOOKS_ALLOW_PRIVATE); makes DNS queries but no
    connection. Raises ValidationError({"url": [reason]})."""
    try:
        net.check(url)
    except (net.Refused, net.Unresolved) as error:
        raise ValidationError({"url": [str(error)]}) from None
    return url


def clean_events(events):
    """The event types in `events` (a list of str), without duplicates, in EVENT_TYPES' order.
    Raises ValidationError({"events": [...]}) for an empty list or an unknown type."""
    if not isinstance(events, list | tuple) or not events:
        raise ValidationError({"events": [_("Choose at least one event.")]})
    unknown = sorted({str(event) for event in events} - set(EVENT_TYPES))
    if unknown:
        raise ValidationError(
            {
                "events": [
                    _("Unknown event type(s): %(unknown)s. Known: %(known)s.")
                    % {"unknown": ", ".join(unknown), "known": ", ".join(EVENT_TYPES)}
                ]
            }
        )
    return [event for event in EVENT_TYPES if event in events]


def register_endpoint(*, user, url, events, description=""):
    """Register an endpoint for `events` at `url` (checked with `check_url`) with a new secret.
    Returns the saved WebhookEndpoint; its `secret` is to be shown to the user once, now.
    Raises PermissionDenied, ValidationError."""
    _require_secretariat(user)
    events = clean_events(events)
    check_url(url)
    endpoint = WebhookEndpoint(
        url=url, events=events, description=description or "", secret=WebhookEndpoint.new_secret(), created_by=user
    )
    endpoint.full_clean(exclude=["url", "events", "created_by"])
    endpoint.save()
    return endpoint


def change_endpoint(endpoint, *, user, url=None, events=None, description=None, is_active=None):
    """Change an endpoint's URL (checked again), events, description or state; None leaves a field
    as it is. Re-enabling (`is_active=True` on a disabled endpoint) clears the reason and the
    count of failures; disabling by hand records who did it. Returns the endpoint. Raises
    PermissionDenied, ValidationError."""
    _require_secretariat(user)
    if events is not None:
        endpoint.events = clean_events(events)
    if url is not None and url != endpoint.url:
        endpoint.url = check_url(url)
    if description is not None:
        endpoint.description = description
    endpoint.full_clean(exclude=["url", "events", "created_by"])
    with transaction.atomic():
        endpoint.save(update_fields=["url", "events", "description"])
        if is_active is True and not endpoint.is_active:
            enable_endpoint(endpoint, user=user)
        elif is_active is False and endpoint.is_active:
            disable(endpoint, _("Disabled by %(user)s.") % {"user": user.get_username()}, notify=False)
    return endpoint


def enable_endpoint(endpoint, *, user):
    """Make a disabled endpoint active again, with no failures counted. Deliveries that gave up
    stay as they are (`retry_delivery` sends one again). Raises PermissionDenied."""
    _require_secretariat(user)
    endpoint.is_active, endpoint.disabled_at, endpoint.disabled_reason = True, None, ""
    endpoint.consecutive_failures = 0
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "consecutive_failures"])
    return endpoint


def delete_endpoint(endpoint, *, user):
    """Delete an endpoint and its log of deliveries. Raises PermissionDenied."""
    _require_secretariat(user)
    endpoint.delete()


def queue_delivery(endpoint, event_type, data):
    """Write a delivery of `event_type` to `endpoint` in the current transaction, with the payload
    {"type": event_type, "timestamp": now in ISO 8601 UTC, "data": data} (`data` a JSON-able
    dict), and send it after the commit (`tracker.webhooks.tasks.deliver`). Nothing is sent if
    the transaction rolls back. Returns the WebhookDelivery."""
    now = timezone.now()
    timestamp = now.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=event_type,
        payload={"type": event_type, "timestamp": timestamp, "data": data},
        next_attempt_at=now,
    )
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    return delivery


def retry_delivery(delivery, *, user):
    """Send a delivery that has not succeeded once more, now (after the commit), whatever its
    schedule; a delivery stuck by a worker that died mid-attempt is sent again too. Returns True,
    or False for a delivery that already succeeded or whose endpoint is disabled. Raises
    PermissionDenied."""
    _require_secretariat(user)
    if delivery.state == WebhookDelivery.State.SUCCEEDED or not delivery.endpoint.is_active:
        return False
    delivery.state, delivery.next_attempt_at = WebhookDelivery.State.PENDING, timezone.now()
    delivery.save(update_fields=["state", "next_attempt_at"])
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    return True


def send_test_event(endpoint, *, user):
    """Queue a `webhook.test` event to `endpoint` (even one that is disabled is not sent: re-enable
    it first), signed like any other, so a receiver can check its set-up. Returns the delivery.
    Raises PermissionDenied."""
    _require_secretariat(user)
    data = {"message": _("A test event from the tracker, sent at the secretariat's request.")}
    return queue_delivery(endpoint, TEST_EVENT, data)


def _enqueue(delivery_id):
    try:
        deliver.enqueue(delivery_id)
    except Exception:
        # The delivery stays pending with its due time; the admin's "retry now" sends it.
        logger.exception("Could not enqueue webhook delivery %s", delivery_id)
