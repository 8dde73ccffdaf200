"""What each webhook event carries, and the receiver that writes the deliveries.

`on_published` (connected to `tracker.events.published` in `tracker.apps`) runs inside the
transaction of the change: for each active endpoint that wants the event it writes a delivery
(`tracker.webhooks.services.queue_delivery`) whose `data` is the resource as the API shows it to
the public, rendered with the API's own serializers, its links absolute on `settings.SITE_URL`
(there is no request):

- `update.approved`: the progress update (`ProgressUpdateSerializer`, as GET /api/v1/updates/<id>/);
- `recommendation.status_changed`, `recommendation.changed`: the recommendation
  (`RecommendationDetailSerializer`, as GET /api/v1/recommendations/<code>/);
- `cycle.opened`, `cycle.closed`: the reporting cycle (`ReportingCycleSerializer`, as GET
  /api/v1/cycles/<slug>/ shows it to the public: its counts of asked pairs approved or not).

The data is rendered once per event, whatever the number of endpoints, and not at all when no
endpoint wants the event (one query then). Themes, actors and objectives edited in the admin's
form or by an import are saved after the recommendation; `on_relations_changed` renders the
deliveries of that recommendation written in the same transaction again, so they carry the
relations as committed.
"""

import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation

from tracker.models import (
    ProgressUpdate,
    Recommendation,
    ReportingCycle,
    ReportingRequest,
    WebhookDelivery,
    WebhookEndpoint,
)
from tracker.models.translations import SOURCE_DEFAULT
from tracker.webhooks.services import queue_delivery

from ..serializers import ProgressUpdateSerializer, RecommendationDetailSerializer
from ..serializers.cycles import ReportingCycleSerializer


class SiteRequest(HttpRequest):
    """A stand-in for the request the serializers build absolute URLs from: anonymous, at the
    site's public address (settings.SITE_URL)."""

    def __init__(self):
        super().__init__()
        self.user = AnonymousUser()

    def build_absolute_uri(self, location=None):
        location = location or "/"
        if urlsplit(location).scheme:
            return location
        return settings.SITE_URL.rstrip("/") + location


def _context():
    return {"request": SiteRequest(), "format": None}


def render_update(update):
    """The API representation of a progress update (dict): 3 queries."""
    update = ProgressUpdate.objects.for_api().get(pk=update.pk)
    return ProgressUpdateSerializer(update, context=_context()).data


def render_recommendation(recommendation):
    """The API detail of a recommendation (dict), its current status: 6 queries."""
    queryset = Recommendation.objects.filter(pk=recommendation.pk).with_effective_status()
    row = queryset.for_api_detail(lang=SOURCE_DEFAULT).get()
    queryset.with_api_lists([row], SOURCE_DEFAULT)
    queryset.with_api_detail_lists(row, SOURCE_DEFAULT)
    return RecommendationDetailSerializer(row, context=_context()).data


def render_cycle(cycle):
    """The API representation of a reporting cycle (dict) as the public sees it, its counts of
    asked pairs approved or not yet reported (submissions are private): 3 queries."""
    cycle = ReportingCycle.objects.prefetch_related("extra_actors").get(pk=cycle.pk)
    counts = ReportingRequest.objects.filter(cycle=cycle.pk).with_state(None).counts_by_cycle()
    return ReportingCycleSerializer(cycle, context={**_context(), "counts": counts}).data


def render(obj):
    """The `data` of an event about `obj` (a ProgressUpdate, a Recommendation or a ReportingCycle),
    in English whatever language the request that made the change was in (an API request's, a
    French admin page's): names, labels and page links as an API request without a language gets them."""
    with translation.override(settings.LANGUAGE_CODE):
        return _render(obj)


def _render(obj):
    if isinstance(obj, ProgressUpdate):
        return render_update(obj)
    if isinstance(obj, Recommendation):
        return render_recommendation(obj)
    if isinstance(obj, ReportingCycle):
        return render_cycle(obj)
    raise TypeError(f"No webhook representation for {type(obj).__name__}")


def on_published(sender, event_type, obj, **kwargs):
    """Receiver of `tracker.events.published`: a delivery for each active endpoint wanting
    `event_type`, in the current transaction."""
    endpoints = WebhookEndpoint.objects.wanting(event_type)
    if not endpoints:
        return
    data = render(obj)
    deliveries = [queue_delivery(endpoint, event_type, data) for endpoint in endpoints]
    if isinstance(obj, Recommendation):
        _remember(obj.pk, [delivery.message_id for delivery in deliveries])


# Recommendation id → message ids of the deliveries written about it in this thread's open
# transaction; emptied at the commit. After a rollback the ids name no row, so a stale entry
# only costs a render that updates nothing.
_written = threading.local()
_MAX_REMEMBERED = 1000


def _remembered():
    if not hasattr(_written, "deliveries"):
        _written.deliveries = {}
    return _written.deliveries


def _remember(recommendation_id, message_ids):
    remembered = _remembered()
    if len(remembered) > _MAX_REMEMBERED:
        remembered.clear()
    remembered.setdefault(recommendation_id, []).extend(message_ids)
    transaction.on_commit(remembered.clear)


def on_relations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Receiver of `m2m_changed` for a recommendation's themes, actors and objectives: renders
    again the deliveries written about it earlier in the transaction and not yet attempted."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    remembered = _remembered()
    if not remembered:
        return
    recommendation_ids = (pk_set or ()) if reverse else (instance.pk,)
    for recommendation_id in recommendation_ids:
        message_ids = remembered.get(recommendation_id)
        if not message_ids:
            continue
        deliveries = list(WebhookDelivery.objects.filter(message_id__in=message_ids, attempts=0))
        if not deliveries:
            continue
        data = render(Recommendation(pk=recommendation_id))
        for delivery in deliveries:
            delivery.payload = {**delivery.payload, "data": data}
            delivery.save(update_fields=["payload"])


def relation_senders():
    """The `m2m_changed` senders `on_relations_changed` listens to (the through models)."""
    return [Recommendation.themes.through, Recommendation.actors.through, Recommendation.objectives.through]
