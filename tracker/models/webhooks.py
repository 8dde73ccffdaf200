"""Outbound webhooks: the endpoints the secretariat registers and every delivery made to them.

An endpoint is a URL, the event types it wants (`tracker.events.EVENT_TYPES`) and a secret the
server generated (`whsec_` + base64 of 32 random bytes) with which each delivery is signed per
the Standard Webhooks specification. A delivery is one event for one endpoint: written in the
transaction of the change it reports (so a change that rolls back sends nothing), sent after the
commit by a background task (`tracker.webhooks.tasks`), retried with backoff, its outcome kept
(status, latency, the first 500 characters of the answer) for the admin and the API.

Both tables are staff bookkeeping no public answer reads: they are among the data version's
untracked tables (`tracker.models.version.UNTRACKED_PREFIXES`), so a delivery does not empty the
response cache.
"""

import base64
import secrets

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.events import EVENT_TYPES

from .clean_fields import CleanCharField, CleanTextField

# The event of the admin's "send a test event" action, which no change of data publishes.
TEST_EVENT = "webhook.test"
EXCERPT_LENGTH = 500


class WebhookEndpointQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def wanting(self, event_type):
        """The active endpoints subscribed to `event_type`, as a list (one query; `events` is a
        JSON list, filtered here: SQLite has no JSON containment lookup)."""
        return [endpoint for endpoint in self.active().order_by("pk") if event_type in endpoint.events]


class WebhookEndpoint(models.Model):
    """A URL the tracker POSTs events to, signed with the endpoint's secret."""

    url = models.URLField(_("URL"), max_length=500, help_text=_("Where each event is POSTed (https)."))
    description = CleanCharField(_("description"), max_length=200, blank=True, default="")
    events = models.JSONField(_("events"), default=list, help_text=_("The event types this endpoint receives."))
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True, editable=False)
    disabled_reason = CleanTextField(_("why disabled"), blank=True, default="", editable=False)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.description or self.url

    @staticmethod
    def new_secret():
        """A fresh signing secret: `whsec_` + base64 of 32 random bytes (what Standard Webhooks'
        libraries take)."""
        return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")

    @staticmethod
    def event_choices():
        """(value, value) for each event type an endpoint may want."""
        return [(event, event) for event in EVENT_TYPES]


def new_message_id():
    """`msg_` + 24 random URL-safe characters: the `webhook-id` of a delivery, the same on every
    attempt, so a receiver can tell a retry from a new event."""
    return "msg_" + secrets.token_urlsafe(18)


class WebhookDelivery(models.Model):
    """One event for one endpoint, and what happened when it was sent."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed; will be retried")
        GAVE_UP = "gave_up", _("Failed; no more attempts")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event_type = models.CharField(_("event"), max_length=50)
    message_id = models.CharField(_("message id"), max_length=40, unique=True, default=new_message_id, editable=False)
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"),
        null=True,
        blank=True,
        help_text=_("When the next attempt is due; empty while an attempt is under way or when none is left."),
    )
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), null=True, blank=True)
    response_excerpt = CleanTextField(_("response excerpt"), blank=True, default="")
    error = CleanTextField(_("error"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "succeeded", "failed", "gave_up"]),
                name="%(app_label)s_%(class)s_state_valid",
            ),
        ]
        indexes = [models.Index(fields=["endpoint", "-created_at", "-id"], name="webhook_delivery_log_idx")]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint_id} ({self.get_state_display()})"
